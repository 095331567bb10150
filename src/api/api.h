/* api.h — the HTTP layer's internal contract: the server state shared by
 * handlers, one request/response shape, and route tables (one per resource
 * file). Handlers parse, call the core/store, and format — nothing more. */
#ifndef TRIPOD_API_H
#define TRIPOD_API_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tz.h"
#include "store/store.h"

typedef struct api_server api_server; /* defined in server.c; one per `tripod serve` */

/* An address or network of a trusted reverse proxy (TRIPOD_TRUSTED_PROXIES). */
typedef struct {
    int family;       /* AF_INET or AF_INET6 */
    uint8_t addr[16]; /* network byte order; IPv4 uses the first 4 bytes */
    unsigned prefix;  /* leading bits that must match */
} api_cidr;

#define API_MAX_TRUSTED_PROXIES 16

/* Process-wide facts handlers may read (set at start, immutable afterwards). */
typedef struct {
    store *db;
    const char *data_dir;
    uint8_t secret_key[32]; /* encrypts calendar passwords at rest; from DATA_DIR/secret.key */
    int fixed_now;          /* TRIPOD_NOW given */
    tp_time now_value;
    int rate_limit; /* public requests per minute per client; 0 = off */
    /* Slow and hostile clients (conn_guard.h): the client address is the
     * X-Forwarded-For one only when the peer is one of TRUSTED_PROXIES. */
    api_cidr trusted_proxies[API_MAX_TRUSTED_PROXIES];
    size_t n_trusted_proxies;
    unsigned max_conn_per_client; /* open connections (proxied: requests) per client; 0 = no cap */
    unsigned max_connections;     /* open connections in all; bounded by descriptors */
    unsigned header_timeout_s;    /* a request's line and headers, whole, from its first line */
    unsigned body_timeout_s;      /* a request's body, whole, from its headers' end */
    unsigned idle_timeout_s;      /* a keep-alive connection between requests */
} api_config;

const api_config *api_server_config(const api_server *s);

/* The per-server shared model (the availability cache of model.c). The first
 * call creates it with CREATE(S) under a lock; later calls return the same
 * pointer, which the server owns and passes to DESTROY when it stops. Returns
 * NULL when CREATE returned NULL (the next call tries again). */
void *api_server_model(api_server *s, void *(*create)(api_server *s), void (*destroy)(void *));

/* The server's clock: TRIPOD_NOW when set, else the real time. */
tp_time api_now(const api_server *s);

typedef enum {
    API_PUBLIC = 0,     /* anyone (rate-limited per client address) */
    API_ADMIN,          /* valid admin token, else 401 */
    API_ADMIN_OR_MANAGE /* admin token, or the manage token of the booking in params[0] */
} api_access;

typedef struct {
    api_server *srv;
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
    int retry_after;          /* > 0: Retry-After header (seconds) */
} api_res;

/* Sets RES to STATUS with body {"error": CODE, "message": MESSAGE, "field": FIELD}
 * (field omitted when NULL). Replaces any body already set. */
void api_error(api_res *res, int status, const char *code, const char *message, const char *field);
/* Sets RES to STATUS with body JSON (stolen). */
void api_json(api_res *res, int status, json_t *json);
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
extern const api_route api_routes_avail[];     /* availability, explain */
extern const api_route api_routes_bookings[];  /* bookings */
extern const api_route api_routes_busy[];      /* synced busy time for the schedule */

/* Runs `tripod serve` until SIGINT/SIGTERM. Returns the process exit code. */
int api_serve(const api_config *cfg, int port);

#endif
