/* accounts.c — HTTP of calendar accounts over OAuth 2.0: POST
 * /oauth/{provider}/start, the browser's GET /oauth/{provider}/callback
 * (outside /api/v1: a redirect to the console or the staff page, or a 400
 * page), /accounts, /accounts/{id}/calendars, DELETE /accounts/{id}, POST
 * /staff/{id}/connect-link, and the connect link's own public calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "app/accounts.h"

static void acc_redirect(api_res *res, const char *location)
{
    api_json(res, 302, NULL);
    free(res->location);
    res->location = strdup(location);
    res->raw = strdup("");
    res->raw_len = 0;
    res->content_type = "text/plain; charset=utf-8";
}

/* {"authorize_url": URL} (URL stolen), or O's answer. */
static void acc_authorize(api_res *res, int rc, char *url, outcome *o)
{
    if (rc == 0)
        api_json(res, 200, json_pack("{s:s}", "authorize_url", url));
    else
        api_outcome(res, o);
    free(url);
}

static void acc_start(api_req *req, api_res *res)
{
    outcome o = {0};
    char *url = NULL;
    json_t *body = api_body_object(req, res);
    if (!body) return;
    int rc = accounts_start(req->app, req->params[0], json_object_get(body, "owner"), &url, &o);
    acc_authorize(res, rc, url, &o);
    json_decref(body);
}

/* The text of S with &, <, >, " escaped, into OUT. */
static void acc_html_text(const char *s, char *out, size_t len)
{
    size_t n = 0;
    for (; s && *s && n + 7 < len; s++) {
        const char *rep = *s == '&'   ? "&amp;"
                          : *s == '<' ? "&lt;"
                          : *s == '>' ? "&gt;"
                          : *s == '"' ? "&quot;"
                                      : NULL;
        if (rep) {
            memcpy(out + n, rep, strlen(rep));
            n += strlen(rep);
        } else {
            out[n++] = *s;
        }
    }
    out[n] = '\0';
}

static void acc_callback(api_req *req, api_res *res)
{
    outcome o = {0};
    accounts_done done;
    char loc[128], msg[1200], page[2048];
    if (accounts_callback(req->app, req->params[0], api_query(req, "code"), api_query(req, "state"),
                          api_query(req, "error"), &done, &o) == 0) {
        if (done.via_link)
            snprintf(loc, sizeof loc, "/connect/done?provider=%s", done.provider);
        else
            snprintf(loc, sizeof loc, "/admin#calendars/pick/%lld", (long long)done.account);
        acc_redirect(res, loc);
        return;
    }
    acc_html_text(o.message, msg, sizeof msg);
    int status = o.kind == OUT_BAD_REQUEST ? 400 : o.kind == OUT_CONFLICT ? 409 : 502;
    snprintf(page, sizeof page,
             "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             "<title>Calendar not connected</title><link rel=\"stylesheet\" href=\"/app.css\">"
             "</head><body><main class=\"narrow\"><h1>Calendar not connected</h1>"
             "<p class=\"status\" data-kind=\"error\" id=\"oauth-error\" data-code=\"%s\">%s</p>"
             "<p>Nothing was stored. Go back and start connecting again.</p></main></body></html>",
             o.code ? o.code : "error", msg);
    outcome_clear(&o);
    api_json(res, status, NULL);
    res->raw = strdup(page);
    res->raw_len = res->raw ? strlen(res->raw) : 0;
    res->content_type = "text/html; charset=utf-8";
}

static void acc_list(api_req *req, api_res *res)
{
    outcome o = {0};
    json_t *arr = accounts_list(req->app, &o);
    api_answer(res, arr ? 0 : -1, 200, arr, &o);
}

static int acc_path_id(const api_req *req, api_res *res, int64_t *id)
{
    if (val_id_text(req->params[0], id) == 0) return 0;
    api_error(res, 404, "not_found", "no such account", NULL);
    return -1;
}

static void acc_calendars(api_req *req, api_res *res)
{
    outcome o = {0};
    int64_t id;
    if (acc_path_id(req, res, &id) != 0) return;
    json_t *arr = accounts_calendars(req->app, id, &o);
    api_answer(res, arr ? 0 : -1, 200, arr, &o);
}

static void acc_delete(api_req *req, api_res *res)
{
    outcome o = {0};
    int64_t id;
    if (acc_path_id(req, res, &id) != 0) return;
    if (accounts_disconnect(req->app, id, &o) == 0)
        res->status = 204;
    else
        api_outcome(res, &o);
}

static void acc_link_create(api_req *req, api_res *res)
{
    outcome o = {0};
    int64_t id;
    if (val_id_text(req->params[0], &id) != 0) {
        api_error(res, 404, "not_found", "no such staff member", NULL);
        return;
    }
    json_t *out = accounts_link_create(req->app, id, &o);
    api_answer(res, out ? 0 : -1, 201, out, &o);
}

static void acc_link_view(api_req *req, api_res *res)
{
    outcome o = {0};
    json_t *out = accounts_link_view(req->app, req->params[0], &o);
    api_answer(res, out ? 0 : -1, 200, out, &o);
}

static void acc_link_start(api_req *req, api_res *res)
{
    outcome o = {0};
    char *url = NULL;
    json_t *body = api_body_object(req, res);
    if (!body) return;
    const char *provider = json_string_value(json_object_get(body, "provider"));
    int rc = accounts_link_start(req->app, req->params[0], provider, &url, &o);
    acc_authorize(res, rc, url, &o);
    json_decref(body);
}

const api_route api_routes_accounts[] = {
    {"POST", "/api/v1/oauth/{provider}/start", API_ADMIN, acc_start},
    {"GET", "/oauth/{provider}/callback", API_PUBLIC, acc_callback},
    {"GET", "/api/v1/accounts", API_ADMIN, acc_list},
    {"GET", "/api/v1/accounts/{id}/calendars", API_ADMIN, acc_calendars},
    {"DELETE", "/api/v1/accounts/{id}", API_ADMIN, acc_delete},
    {"POST", "/api/v1/staff/{id}/connect-link", API_ADMIN, acc_link_create},
    {"GET", "/api/v1/connect/{token}", API_PUBLIC, acc_link_view},
    {"POST", "/api/v1/connect/{token}/start", API_PUBLIC, acc_link_start},
    {0},
};
