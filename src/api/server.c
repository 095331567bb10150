/* server.c — `tripod serve`'s HTTP side: libmicrohttpd with a thread pool,
 * body accumulation, routing over the route tables, auth, rate limiting,
 * responses, the pages (compiled in, or from TRIPOD_WEB's directory, with
 * ETags and 304s for the compiled-in ones), one log line per request,
 * graceful shutdown. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "api/conn_guard.h"
#include "api/metrics.h"
#include "api/ratelimit.h"
#include "api/web.h"
#include "app/workers.h"
#include "core/array.h"

#define SRV_MAX_BODY (1024 * 1024)
#define SRV_DRAIN_MS 10000 /* on SIGTERM, how long in-flight requests may take to finish */
#define SRV_API_PREFIX "/api/"

struct api_server {
    app *app;
    ratelimit *rl;       /* NULL when rate limiting is off */
    char *web_dir;       /* the pages directory overriding the compiled-in pages, or NULL */
    char csp[600];       /* the pages' Content-Security-Policy (srv_csp) */
    atomic_int inflight; /* requests begun and not yet completed */
    guard *guard;        /* slow clients, per-client caps, stopping */
};

/* Per-connection request state, from the first callback to completion. */
typedef struct {
    char *body;
    size_t len, cap;
    int too_large;
    int refused; /* 429 (client over its cap) or 503 (stopping); body drained, not read */
    char client[INET6_ADDRSTRLEN + 1];
    struct timespec t0;
} srv_ctx;

static const api_route *const srv_tables[] = {
    api_routes_system, api_routes_catalog,  api_routes_staff, api_routes_calendars,
    api_routes_avail,  api_routes_bookings, api_routes_busy,  api_routes_metrics,
    api_routes_places, api_routes_accounts,
};

/* Outside /api/: the OAuth redirect URIs, answered by a route like the API's. */
#define SRV_OAUTH_PREFIX "/oauth/"

const char *api_query(const api_req *r, const char *key)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->mhd_conn, MHD_GET_ARGUMENT_KIND,
                                       key);
}

const char *api_header(const api_req *r, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->mhd_conn, MHD_HEADER_KIND, name);
}

static double srv_ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The path as logged: a URL carrying a manage token or a connect link's
 * token is shortened (query strings, with OAuth codes and states, never are
 * logged). */
static void srv_log(const char *method, const char *path, int status, double ms)
{
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *line = json_pack("{s:s, s:s, s:s, s:i, s:f}", "ts", ts, "method", method, "path",
                             strncmp(path, "/manage/", 8) == 0            ? "/manage/…"
                             : strncmp(path, "/connect/", 9) == 0         ? "/connect/…"
                             : strncmp(path, "/api/v1/connect/", 16) == 0 ? "/api/v1/connect/…"
                                                                          : path,
                             "status", status, "ms", (double)(int64_t)(ms * 100) / 100);
    char *text =
        line ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    if (text) {
        size_t n = strlen(text);
        text[n] = '\n'; /* the NUL's byte becomes the line's end */
        if (write(STDERR_FILENO, text, n + 1) < 0) errno = 0;
    }
    free(text);
    json_decref(line);
}

/* Matches PATH against PATTERN ("{…}" segments capture). Captures are copied
 * into CAPS (room for strlen(path)+1 bytes) and pointed to from PARAMS. */
static int srv_match(const char *pattern, const char *path, char *caps, const char **params,
                     size_t *nparams)
{
    size_t np = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (*p != '/' || *u != '/') return 0;
        p++, u++;
        size_t plen = strcspn(p, "/"), ulen = strcspn(u, "/");
        if (plen > 1 && p[0] == '{' && p[plen - 1] == '}') {
            if (ulen == 0 || np == 4) return 0;
            memcpy(caps, u, ulen);
            caps[ulen] = '\0';
            params[np++] = caps;
            caps += ulen + 1;
        } else if (plen != ulen || memcmp(p, u, plen) != 0) {
            return 0;
        }
        p += plen, u += ulen;
    }
    if (*p || *u) return 0;
    *nparams = np;
    return 1;
}

static const char *srv_header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* Sets *IS_ADMIN from the bearer token; -1 when the store cannot answer. */
static int srv_check_admin(api_server *s, const char *bearer, int *is_admin)
{
    uint8_t hash[32];
    int64_t id;
    *is_admin = 0;
    if (!bearer || !*bearer) return 0;
    store_conn *c = store_acquire(s->app->db);
    if (!c) return -1;
    crypto_hash_sha256(hash, (const unsigned char *)bearer, strlen(bearer));
    int rc = store_token_find(c, hash, &id);
    store_release(c);
    if (rc == STORE_OK) *is_admin = 1;
    return rc == STORE_OK || rc == STORE_NOTFOUND ? 0 : -1;
}

static const char *srv_bearer(struct MHD_Connection *c)
{
    const char *h = srv_header(c, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h ? h : NULL;
}

/* Routes an API request and runs its handler; fills RES, *ALLOW (405) and
 * *LABEL (the matched route's pattern, for metrics). */
static void srv_dispatch_api(api_server *s, struct MHD_Connection *conn, const char *method,
                             const char *path, srv_ctx *cx, api_res *res, char *allow,
                             size_t allowlen, const char **label)
{
    api_req req = {.srv = s, .app = s->app, .method = method, .path = path, .mhd_conn = conn};
    char *caps = malloc(strlen(path) + 1);
    const api_route *route = NULL;
    allow[0] = '\0';
    if (!caps) {
        api_error(res, 500, "internal", "out of memory", NULL);
        return;
    }
    for (size_t t = 0; t < sizeof srv_tables / sizeof srv_tables[0] && !route; t++) {
        for (const api_route *r = srv_tables[t]; r->pattern; r++) {
            if (!srv_match(r->pattern, path, caps, req.params, &req.nparams)) continue;
            if (strcmp(r->method, method) == 0) {
                route = r;
                break;
            }
            size_t used = strlen(allow);
            if (!strstr(allow, r->method))
                snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "", r->method);
        }
    }
    if (!route) {
        if (allow[0])
            api_error(res, 405, "method_not_allowed", "this path does not accept that method",
                      NULL);
        else
            api_error(res, 404, "not_found", "no such endpoint", NULL);
        goto out;
    }
    *label = route->pattern;
    req.client = cx->client;
    req.body = cx->body ? cx->body : "";
    req.body_len = cx->len;
    req.idempotency_key = srv_header(conn, "Idempotency-Key");
    req.bearer = srv_bearer(conn);
    if (route->access == API_PUBLIC_OR_ADMIN && req.bearer) {
        if (srv_check_admin(s, req.bearer, &req.is_admin) != 0) {
            api_error(res, 503, "store_unavailable", "the database is not reachable", NULL);
            goto out;
        }
        if (!req.is_admin) {
            api_error(res, 401, "unauthorized",
                      "this token is not an admin token (agents need none here)", NULL);
            goto out;
        }
    }
    if ((route->access == API_PUBLIC || (route->access == API_PUBLIC_OR_ADMIN && !req.is_admin)) &&
        s->rl) {
        int wait = ratelimit_take(s->rl, cx->client, guard_now_ms());
        if (wait > 0) {
            api_error(res, 429, "rate_limited", "too many requests; try again later", NULL);
            res->retry_after = wait;
            goto out;
        }
    }
    if (route->access != API_PUBLIC && route->access != API_PUBLIC_OR_ADMIN &&
        srv_check_admin(s, req.bearer, &req.is_admin) != 0) {
        api_error(res, 503, "store_unavailable", "the database is not reachable", NULL);
        goto out;
    }
    if (route->access == API_ADMIN && !req.is_admin) {
        api_error(res, 401, "unauthorized",
                  "a valid admin token is required (Authorization: Bearer …)", NULL);
        goto out;
    }
    route->fn(&req, res);
    if (res->status == 0) api_error(res, 500, "internal", "the handler gave no answer", NULL);
    if (res->status < 400 && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        /* This process wrote: its next availability answer checks the store
         * generation at once (on PostgreSQL it otherwise waits ~200 ms). */
        app_wrote(s->app);
    }
out:
    free(caps);
}

/* A page from the override directory DIR, or NULL with RES set to 404/500. */
static struct MHD_Response *srv_static_file(const char *dir, const char *path, api_res *res)
{
    char file[4096];
    const char *ctype;
    if (web_resolve(dir, path, file, sizeof file, &ctype) != 0) {
        api_error(res, 404, "not_found", "no such page", NULL);
        return NULL;
    }
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0) close(fd);
        api_error(res, 404, "not_found", "no such page", NULL);
        return NULL;
    }
    struct MHD_Response *r = MHD_create_response_from_fd((size_t)st.st_size, fd);
    if (!r) {
        close(fd);
        api_error(res, 500, "internal", "out of memory", NULL);
        return NULL;
    }
    res->status = 200;
    res->content_type = ctype;
    return r;
}

/* A compiled-in page with its ETag: 304 when the client's If-None-Match names
 * it (libmicrohttpd then sends the headers of the 200, Content-Length
 * included, and no body). NULL with RES set to 404/500. */
static struct MHD_Response *srv_static_embedded(struct MHD_Connection *c, const char *path,
                                                api_res *res)
{
    const web_asset *a = web_find(path);
    if (!a) {
        api_error(res, 404, "not_found", "no such page", NULL);
        return NULL;
    }
    int fresh = web_etag_match(srv_header(c, MHD_HTTP_HEADER_IF_NONE_MATCH), a->etag);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(a->size, (void *)a->data, MHD_RESPMEM_PERSISTENT);
    if (!r) {
        api_error(res, 500, "internal", "out of memory", NULL);
        return NULL;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, a->etag);
    res->status = fresh ? 304 : 200;
    res->content_type = web_content_type(a->path);
    return r;
}

/* Builds the MHD response for a page: from the override directory when one
 * was configured, else compiled in. NULL with RES set to 404/405/500. */
static struct MHD_Response *srv_static(api_server *s, struct MHD_Connection *c, const char *method,
                                       const char *path, api_res *res)
{
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        api_error(res, 405, "method_not_allowed", "pages accept GET only", NULL);
        return NULL;
    }
    /* The override directory holds web/ alone: the vendor assets (Leaflet)
     * still come compiled in. */
    struct MHD_Response *r = s->web_dir && strncmp(path, "/vendor/", 8) != 0
                                 ? srv_static_file(s->web_dir, path, res)
                                 : srv_static_embedded(c, path, res);
    /* Page URLs carry no version: caches must ask again each time. */
    if (r) MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    return r;
}

/* Serialises RES into an MHD response (NULL when memory ran out). */
static struct MHD_Response *srv_body(api_res *res)
{
    if (res->raw) {
        char *raw = res->raw;
        res->raw = NULL;
        return MHD_create_response_from_buffer_with_free_callback(res->raw_len, raw, free);
    }
    if (res->json) {
        char *text = json_dumps(res->json, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY |
                                               JSON_REAL_PRECISION(12));
        if (!text) return NULL;
        return MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    }
    return MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
}

/* The pages' Content-Security-Policy into OUT: everything from this server
 * only, except images, which may also come from the map tiles' origin
 * (TILE_URL's scheme and host; a "{s}." subdomain becomes "*."). */
static void srv_csp(const char *tile_url, char *out, size_t len)
{
    char origin[300] = "";
    const char *p = tile_url ? strstr(tile_url, "://") : NULL;
    if (p) {
        size_t n = (size_t)(p - tile_url) + 3 + strcspn(p + 3, "/?#");
        if (n < sizeof origin - 2) snprintf(origin, sizeof origin, " %.*s", (int)n, tile_url);
        char *s = strstr(origin, "{s}.");
        if (s) {
            s[0] = '*';
            memmove(s + 1, s + 3, strlen(s + 3) + 1);
        }
        if (strpbrk(origin + 1, " ;,'\"{}")) origin[0] = '\0'; /* not a plain origin: no map */
    }
    snprintf(out, len, "default-src 'self'; img-src 'self' data:%s; frame-ancestors 'none'",
             origin);
}

static void srv_headers(struct MHD_Response *r, const api_res *res, int is_api, const char *allow,
                        const char *csp, int closing)
{
    char num[16];
    const char *ct = res->content_type ? res->content_type : "application/json";
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ct);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (res->retry_after > 0) {
        snprintf(num, sizeof num, "%d", res->retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, num);
    }
    if (allow && *allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    if (res->location) MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, res->location);
    if (res->disposition) MHD_add_response_header(r, "Content-Disposition", res->disposition);
    if (closing) MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    if (is_api) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    } else {
        MHD_add_response_header(r, "Content-Security-Policy", csp);
        MHD_add_response_header(r, "X-Frame-Options", "DENY");
        MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    }
}

static enum MHD_Result srv_on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    api_server *s = cls;
    srv_ctx *cx = *con_cls;
    (void)version;
    if (!cx) {
        cx = calloc(1, sizeof *cx);
        if (!cx) return MHD_NO;
        /* Counted before looking at the stop flag: api_serve sets the flag,
         * then waits for the count to drop, so no request slips between. */
        atomic_fetch_add(&s->inflight, 1);
        clock_gettime(CLOCK_MONOTONIC, &cx->t0);
        if (guard_request_begin(s->guard, conn, cx->client, sizeof cx->client) != 0)
            cx->refused = 429;
        if (guard_stopping(s->guard)) cx->refused = 503;
        const char *cl = srv_header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > SRV_MAX_BODY) cx->too_large = 1;
        *con_cls = cx;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (guard_body_late(s->guard, conn)) return MHD_NO; /* past its deadline: cut */
        if (cx->refused || cx->too_large || cx->len + n > SRV_MAX_BODY) {
            cx->too_large = 1;
            return MHD_YES; /* keep draining; answered once the body is read */
        }
        if (ARRAY_RESERVE(cx->body, cx->cap, cx->len + n + 1, 4096) != 0) return MHD_NO;
        memcpy(cx->body + cx->len, upload_data, n);
        cx->len += n;
        cx->body[cx->len] = '\0';
        return MHD_YES;
    }

    api_res res = {0};
    char allow[64] = "";
    struct MHD_Response *r = NULL;
    int is_api = strncmp(url, SRV_API_PREFIX, strlen(SRV_API_PREFIX)) == 0;
    int is_oauth = strncmp(url, SRV_OAUTH_PREFIX, strlen(SRV_OAUTH_PREFIX)) == 0;
    const char *label = is_api ? "unmatched" : "page";
    guard_request_answer(s->guard, conn);
    if (cx->refused == 503) {
        api_error(&res, 503, "stopping", "the server is stopping; try again", NULL);
        res.retry_after = 1;
    } else if (cx->refused) {
        api_error(&res, 429, "too_many_connections",
                  "too many requests from your address at once; try again", NULL);
        res.retry_after = 1;
    } else if (cx->too_large)
        api_error(&res, 413, "payload_too_large", "the request body exceeds 1 MiB", NULL);
    else if (is_api || is_oauth)
        srv_dispatch_api(s, conn, method, url, cx, &res, allow, sizeof allow, &label);
    else
        r = srv_static(s, conn, method, url, &res);
    if (!r) r = srv_body(&res);
    enum MHD_Result ok = MHD_NO;
    if (r) {
        srv_headers(r, &res, is_api || cx->too_large || cx->refused, allow, s->csp,
                    guard_stopping(s->guard));
        ok = MHD_queue_response(conn, (unsigned)res.status, r);
        MHD_destroy_response(r);
    }
    double ms = srv_ms_since(&cx->t0);
    srv_log(method, url, res.status, ms);
    metrics_request(method, label, res.status, ms);
    json_decref(res.json);
    free(res.raw);
    free(res.location);
    return ok;
}

static void srv_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                             enum MHD_RequestTerminationCode toe)
{
    api_server *s = cls;
    srv_ctx *cx = *con_cls;
    (void)toe;
    if (cx) {
        guard_request_end(s->guard, conn);
        free(cx->body);
        free(cx);
        atomic_fetch_sub(&s->inflight, 1);
    }
    *con_cls = NULL;
}

/* HTTP worker threads: TRIPOD_THREADS, else 4 per CPU and at least 8. A
 * handler may wait (a live calendar re-check, a lock held by another
 * instance): more threads than cores keep the others answering. On 2 cores
 * 8 threads served availability as fast as 4 (`tripod bench`, same run). */
static unsigned srv_threads(const tripod_config *cfg)
{
    long n = cfg->threads;
    if (n <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n = cpus > 2 ? 4 * cpus : 8;
    }
    return (unsigned)(n > 64 ? 64 : n);
}

int api_serve(app *a, int port)
{
    const tripod_config *cfg = a->cfg;
    api_server s = {.app = a};
    struct MHD_Daemon *d = NULL;
    sigset_t set;
    int sig = 0, rc = 1;
    srv_csp(cfg->tile_url, s.csp, sizeof s.csp);
    if (cfg->rate_limit > 0 && !(s.rl = ratelimit_new(cfg->rate_limit))) {
        fprintf(stderr, "tripod: out of memory\n");
        goto out;
    }
    if (cfg->web_dir) {
        if (!(s.web_dir = web_dir_real(cfg->web_dir))) {
            fprintf(stderr, "tripod: the pages directory %s (TRIPOD_WEB) is not a directory\n",
                    cfg->web_dir);
            goto out;
        }
        fprintf(stderr, "tripod: pages from %s (TRIPOD_WEB), not the built-in copies\n", s.web_dir);
    }
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* the pool threads inherit the mask */
    unsigned limit = guard_connection_limit(cfg);
    if (!(s.guard = guard_new(cfg))) {
        fprintf(stderr, "tripod: out of memory\n");
        goto out;
    }
    /* Slow clients never hold a worker (epoll); the guard caps each address
     * and closes connections past their deadlines; libmicrohttpd's own
     * inactivity timeout covers an answer the client does not read. Each
     * connection keeps libmicrohttpd's default 32 KiB buffer: it is zeroed
     * after every request, so an idle keep-alive connection holds all of it
     * (32.8 KiB measured), but with 16 KiB (16.7 KiB idle) a request with a
     * few hundred query arguments went unanswered, the library having no
     * room left for its error reply. */
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC,
                         (uint16_t)port, guard_on_accept, s.guard, srv_on_request, &s,
                         MHD_OPTION_THREAD_POOL_SIZE, srv_threads(cfg), MHD_OPTION_NOTIFY_COMPLETED,
                         srv_on_completed, &s, MHD_OPTION_NOTIFY_CONNECTION, guard_on_connection,
                         s.guard, MHD_OPTION_URI_LOG_CALLBACK, guard_on_request_line, s.guard,
                         MHD_OPTION_CONNECTION_LIMIT, limit, MHD_OPTION_CONNECTION_TIMEOUT,
                         cfg->idle_timeout_s, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "tripod: cannot listen on port %d (in use?)\n", port);
        goto out;
    }
    if (app_workers_start(a) != 0) {
        fprintf(stderr, "tripod: cannot start the calendar sync and outbox workers\n");
        goto out;
    }
    fprintf(stderr,
            "tripod: serving http://127.0.0.1:%d/ (%s store; up to %u connections, %u "
            "per client address)\n",
            port, store_kind_name(a->db), limit, cfg->max_conn_per_client);
    while (sigwait(&set, &sig) != 0)
        ;
    fprintf(stderr, "tripod: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    /* Graceful: refuse new connections and requests, let requests already
     * begun finish, then stop. Not MHD_quiesce_daemon: its socket must stay
     * open until MHD_stop_daemon when threads run (closing it made a worker
     * abort: "Failed to remove listen FD from epoll set"), and with epoll it
     * removes the socket from each worker's epoll set unsynchronised with
     * the workers, which abort on any failed removal. The accept policy
     * refuses instead and leaves libmicrohttpd's listen socket alone. */
    guard_stop_accepting(s.guard);
    for (int waited = 0; atomic_load(&s.inflight) > 0 && waited < SRV_DRAIN_MS; waited += 10)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    rc = 0;
out:
    app_workers_stop(a);
    if (d) MHD_stop_daemon(d);
    guard_free(s.guard); /* after the daemon: it notifies closed connections until then */
    ratelimit_free(s.rl);
    free(s.web_dir);
    return rc;
}
