/* api.h — the HTTP layer's internal contract: one request/response shape,
 * the one mapping of application outcomes to HTTP answers, and route tables
 * (one per resource file). Handlers parse, call the application (src/app),
 * and format — nothing more. */
#ifndef TRIPOD_API_H
#define TRIPOD_API_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "app/outcome.h"
#include "app/validate.h"
#include "core/tz.h"
#include "store/store.h"

typedef struct api_server api_server; /* defined in server.c; one per `tripod serve` */

typedef enum {
    API_PUBLIC = 0,      /* anyone (rate-limited per client address) */
    API_ADMIN,           /* valid admin token, else 401 */
    API_PUBLIC_OR_ADMIN, /* anyone (rate-limited) without a token; an admin with a valid admin
                            token (is_admin set, not rate-limited); any other token: 401 */
    API_ADMIN_OR_MANAGE  /* admin token, or the manage token of the booking in params[0] */
} api_access;

typedef struct {
    api_server *srv;
    app *app; /* the application the handlers call */
    const char *method;
    const char *path;      /* decoded path without the query string */
    const char *params[4]; /* "{id}" captures of the route pattern, in order */
    size_t nparams;
    const char *body; /* NUL-terminated request body ("" when none) */
    size_t body_len;
    const char *client;          /* client address, e.g. "127.0.0.1" */
    const char *idempotency_key; /* Idempotency-Key header or NULL */
    const char *bearer;          /* token from "Authorization: Bearer …" or NULL */
    int is_admin;                /* bearer is a valid admin token */
    void *mhd_conn;              /* struct MHD_Connection *, for api_query() */
} api_req;

/* Query-string argument KEY, or NULL. Borrowed for the request. */
const char *api_query(const api_req *r, const char *key);
/* Request header NAME (case-insensitive), or NULL. Borrowed for the request. */
const char *api_header(const api_req *r, const char *name);

typedef struct {
    int status;
    json_t *json; /* owned; serialised as the body when set */
    char *raw;    /* owned; used instead of json when set (e.g. ICS) */
    size_t raw_len;
    const char *content_type; /* static string; default "application/json" */
    const char *disposition;  /* static string: Content-Disposition, or NULL for none */
    int retry_after;          /* > 0: Retry-After header (seconds) */
    char *location;           /* owned; a redirect's Location header (with status 302/303) */
} api_res;

/* Sets RES to STATUS with body {"error": CODE, "message": MESSAGE, "field": FIELD}
 * (field omitted when NULL). Replaces any body already set. */
void api_error(api_res *res, int status, const char *code, const char *message, const char *field);
/* Sets RES to STATUS with body JSON (stolen). */
void api_json(api_res *res, int status, json_t *json);
/* Sets RES to the HTTP answer of outcome O (not OUT_OK): its status by kind,
 * body {"error": code, "message", "field"?} plus O's detail members, and
 * Retry-After. The one place outcomes become status codes; O is cleared. */
void api_outcome(api_res *res, outcome *o);

/* RC == 0: answers RES with ANSWER (stolen) as STATUS; else with outcome O. */
void api_answer(api_res *res, int rc, int status, json_t *answer, outcome *o);
/* Sets RES for store code RC (not STORE_OK), as outcome_store() says. */
void api_store_error(api_res *res, int rc);
/* Sets RES to 422 validation from input check E. */
void api_invalid(api_res *res, const val_error *e);
/* A store connection for request R, or NULL with RES set to 503
 * store_unavailable. Release with store_release. */
store_conn *api_conn(const api_req *r, api_res *res);
/* Parses the request body as a JSON object; on failure sets a 400
 * invalid_json error on RES and returns NULL. The result is a new reference. */
json_t *api_body_object(const api_req *r, api_res *res);

typedef void (*api_handler)(api_req *req, api_res *res);

/* PATTERN is a path with "{id}" segments, e.g. "/api/v1/bookings/{id}".
 * A table ends with a zeroed entry. */
typedef struct {
    const char *method;
    const char *pattern;
    api_access access;
    api_handler fn;
} api_route;

/* The route tables, one per resource file (server.c walks them in order). */
extern const api_route api_routes_system[];    /* health, readiness, settings */
extern const api_route api_routes_catalog[];   /* skills, services, packages, zones */
extern const api_route api_routes_staff[];     /* staff, staff ICS feed */
extern const api_route api_routes_calendars[]; /* calendars, sync */
extern const api_route api_routes_avail[];     /* availability, coverage, explain */
extern const api_route api_routes_bookings[];  /* bookings */
extern const api_route api_routes_busy[];      /* synced busy time for the schedule */
extern const api_route api_routes_places[];    /* address search */
extern const api_route api_routes_accounts[];  /* OAuth connect, accounts, connect links */

/* Runs `tripod serve` for application A (its workers included) until
 * SIGINT/SIGTERM. Returns the process exit code. */
int api_serve(app *a, int port);

#endif
