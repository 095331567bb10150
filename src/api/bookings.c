/* bookings.c — the /bookings endpoints over HTTP: POST /bookings (an
 * agent's, or an admin's for an agent), GET /bookings (the admin's list),
 * GET /bookings.csv, GET, PATCH and DELETE /bookings/{id}, GET /manage (the
 * agent's own booking). The transactions are the application's
 * (app/booking.h, app/booking_list.h). */
#include <stdlib.h>

#include "api/api.h"
#include "app/booking.h"
#include "app/booking_list.h"

static void bookings_create(api_req *r, api_res *res)
{
    outcome o = {0};
    json_t *answer = NULL;
    int status = 201;
    json_t *body = api_body_object(r, res);
    if (!body) return;
    int rc = booking_create_as(r->app, r->is_admin ? BOOKING_ADMIN : BOOKING_AGENT, body, r->body,
                               r->body_len, r->idempotency_key, &answer, &status, &o);
    api_answer(res, rc, status, answer, &o);
    json_decref(body);
}

static booking_query bookings_query(const api_req *r)
{
    return (booking_query){api_query(r, "q"),     api_query(r, "from"),   api_query(r, "to"),
                           api_query(r, "staff"), api_query(r, "status"), api_query(r, "limit"),
                           api_query(r, "cursor")};
}

static void bookings_list(api_req *r, api_res *res)
{
    outcome o = {0};
    json_t *answer = NULL;
    booking_query q = bookings_query(r);
    int rc = booking_list(r->app, &q, &answer, &o);
    api_answer(res, rc, 200, answer, &o);
}

/* GET /bookings.csv: the list's selection as a CSV download. */
static void bookings_csv(api_req *r, api_res *res)
{
    outcome o = {0};
    char *text = NULL;
    size_t len = 0;
    booking_query q = bookings_query(r);
    if (booking_list_csv(r->app, &q, &text, &len, &o) != 0) {
        api_outcome(res, &o);
        return;
    }
    api_json(res, 200, NULL);
    res->raw = text;
    res->raw_len = len;
    res->content_type = "text/csv; charset=utf-8; header=present";
    res->disposition = "attachment; filename=\"bookings.csv\"";
}

/* The booking of the path and who acts on it. 0, or -1 with RES answered. */
static int bookings_caller(api_req *r, api_res *res, int64_t *id, booking_role *role)
{
    outcome o = {0};
    if (booking_authorize(r->app, r->nparams ? r->params[0] : NULL, r->bearer, r->is_admin, id,
                          role, &o) == 0)
        return 0;
    api_outcome(res, &o);
    return -1;
}

static void bookings_get(api_req *r, api_res *res)
{
    outcome o = {0};
    json_t *answer = NULL;
    int64_t id;
    booking_role role;
    if (bookings_caller(r, res, &id, &role) != 0) return;
    int rc = booking_get(r->app, id, &answer, &o);
    api_answer(res, rc, 200, answer, &o);
}

static void bookings_patch(api_req *r, api_res *res)
{
    outcome o = {0};
    json_t *answer = NULL, *body;
    int64_t id;
    booking_role role;
    if (bookings_caller(r, res, &id, &role) != 0 || !(body = api_body_object(r, res))) return;
    int rc = booking_change(r->app, id, role, body, &answer, &o);
    api_answer(res, rc, 200, answer, &o);
    json_decref(body);
}

static void bookings_delete(api_req *r, api_res *res)
{
    outcome o = {0};
    json_t *answer = NULL;
    int64_t id;
    booking_role role;
    if (bookings_caller(r, res, &id, &role) != 0) return;
    int rc = booking_cancel(r->app, id, role, &answer, &o);
    api_answer(res, rc, 200, answer, &o);
}

/* GET /manage: the booking whose manage token is the bearer. */
static void bookings_manage(api_req *r, api_res *res)
{
    outcome o = {0};
    json_t *answer = NULL;
    int rc = booking_of_manage_token(r->app, r->bearer, &answer, &o);
    api_answer(res, rc, 200, answer, &o);
}

const api_route api_routes_bookings[] = {
    {"POST", "/api/v1/bookings", API_PUBLIC_OR_ADMIN, bookings_create},
    {"GET", "/api/v1/bookings", API_ADMIN, bookings_list},
    {"GET", "/api/v1/bookings.csv", API_ADMIN, bookings_csv},
    {"GET", "/api/v1/bookings/{id}", API_ADMIN_OR_MANAGE, bookings_get},
    {"PATCH", "/api/v1/bookings/{id}", API_ADMIN_OR_MANAGE, bookings_patch},
    {"DELETE", "/api/v1/bookings/{id}", API_ADMIN_OR_MANAGE, bookings_delete},
    {"GET", "/api/v1/manage", API_PUBLIC, bookings_manage},
    {0},
};
