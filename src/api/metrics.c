/* metrics.c — per-process request counters (by method, route and status),
 * latency histograms (by method and route), and GET /api/v1/metrics, which
 * adds gauges read from the store: bookings, outbox backlog, failing calendars. */
#include "api/metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"

#define MET_MAX_SERIES 256
#define MET_MAX_ROUTES 128
#define MET_MAX_CALENDARS 10000

/* Upper bounds of the latency buckets, in seconds (+Inf is implicit). */
static const double met_bounds[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                    0.25,  0.5,   1.0,  2.5,   5.0,  10.0};
#define MET_NBUCKETS (sizeof met_bounds / sizeof met_bounds[0])

typedef struct {
    char method[8];
    const char *route;
    int status;
    uint64_t count;
} met_series;

typedef struct {
    char method[8];
    const char *route;
    uint64_t bucket[MET_NBUCKETS]; /* non-cumulative; summed when written */
    uint64_t count;
    double sum; /* seconds */
} met_hist;

/* One registry per process: `tripod serve` runs one server. */
static struct {
    pthread_mutex_t mu;
    met_series series[MET_MAX_SERIES];
    size_t nseries;
    met_hist hist[MET_MAX_ROUTES];
    size_t nhist;
    uint64_t overflow;         /* requests whose series did not fit */
    uint64_t bookings_created; /* POST /bookings answered 201 */
} met = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int met_same(const char *method, const char *route, const char *m2, const char *r2)
{
    return strcmp(route, r2) == 0 && strcmp(method, m2) == 0;
}

void metrics_request(const char *method, const char *route, int status, double ms)
{
    char m[8];
    double s = ms / 1000.0;
    /* Methods outside the standard set share one label, so clients cannot grow the table. */
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    snprintf(m, sizeof m, "OTHER");
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(method, known[i]) == 0) snprintf(m, sizeof m, "%s", known[i]);
    pthread_mutex_lock(&met.mu);
    size_t i = 0;
    while (i < met.nseries && !(met.series[i].status == status &&
                                met_same(m, route, met.series[i].method, met.series[i].route)))
        i++;
    if (i == met.nseries && met.nseries < MET_MAX_SERIES) {
        met_series *x = &met.series[met.nseries++];
        snprintf(x->method, sizeof x->method, "%s", m);
        x->route = route;
        x->status = status;
    }
    if (i < met.nseries)
        met.series[i].count++;
    else
        met.overflow++;
    size_t h = 0;
    while (h < met.nhist && !met_same(m, route, met.hist[h].method, met.hist[h].route))
        h++;
    if (h == met.nhist && met.nhist < MET_MAX_ROUTES) {
        met_hist *x = &met.hist[met.nhist++];
        snprintf(x->method, sizeof x->method, "%s", m);
        x->route = route;
    }
    if (h < met.nhist) {
        met_hist *x = &met.hist[h];
        size_t b = 0;
        while (b < MET_NBUCKETS && s > met_bounds[b])
            b++;
        if (b < MET_NBUCKETS) x->bucket[b]++;
        x->count++;
        x->sum += s;
    }
    if (status == 201 && strcmp(m, "POST") == 0 && strcmp(route, "/api/v1/bookings") == 0)
        met.bookings_created++;
    pthread_mutex_unlock(&met.mu);
}

/* A growing text buffer; on allocation failure FAILED is set and text dropped. */
typedef struct {
    char *p;
    size_t len, cap;
    int failed;
} met_buf;

static void met_printf(met_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void met_printf(met_buf *b, const char *fmt, ...)
{
    va_list ap;
    for (int attempt = 0; attempt < 2 && !b->failed; attempt++) {
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        if (ARRAY_RESERVE(b->p, b->cap, b->len + (size_t)n + 1, 4096) != 0) b->failed = 1;
    }
}

static void met_write_requests(met_buf *b)
{
    pthread_mutex_lock(&met.mu);
    met_printf(
        b,
        "# HELP tripod_http_requests_total HTTP requests answered, by method, route and status.\n"
        "# TYPE tripod_http_requests_total counter\n");
    for (size_t i = 0; i < met.nseries; i++)
        met_printf(b, "tripod_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
                   met.series[i].method, met.series[i].route, met.series[i].status,
                   (unsigned long long)met.series[i].count);
    met_printf(b,
               "# HELP tripod_http_requests_unlabelled_total Requests beyond the series bound.\n"
               "# TYPE tripod_http_requests_unlabelled_total counter\n"
               "tripod_http_requests_unlabelled_total %llu\n",
               (unsigned long long)met.overflow);
    met_printf(b, "# HELP tripod_http_request_duration_seconds Time from the request's first byte "
                  "to its answer.\n"
                  "# TYPE tripod_http_request_duration_seconds histogram\n");
    for (size_t h = 0; h < met.nhist; h++) {
        const met_hist *x = &met.hist[h];
        uint64_t cum = 0;
        for (size_t k = 0; k < MET_NBUCKETS; k++) {
            cum += x->bucket[k];
            met_printf(b,
                       "tripod_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le="
                       "\"%g\"} %llu\n",
                       x->method, x->route, met_bounds[k], (unsigned long long)cum);
        }
        met_printf(b,
                   "tripod_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+"
                   "Inf\"} %llu\n"
                   "tripod_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n"
                   "tripod_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
                   x->method, x->route, (unsigned long long)x->count, x->method, x->route, x->sum,
                   x->method, x->route, (unsigned long long)x->count);
    }
    met_printf(b,
               "# HELP tripod_bookings_created_total Bookings created by this process (POST "
               "/bookings answered 201).\n"
               "# TYPE tripod_bookings_created_total counter\n"
               "tripod_bookings_created_total %llu\n",
               (unsigned long long)met.bookings_created);
    pthread_mutex_unlock(&met.mu);
}

typedef struct {
    int64_t confirmed, cancelled;
} met_counts;

static int met_count_booking(void *ctx, const store_booking *bk)
{
    met_counts *n = ctx;
    if (strcmp(bk->status, "cancelled") == 0)
        n->cancelled++;
    else
        n->confirmed++;
    return 0;
}

typedef struct {
    int64_t ids[MET_MAX_CALENDARS];
    size_t n;
} met_cals;

static int met_collect_calendar(void *ctx, int64_t id, const char *json)
{
    met_cals *c = ctx;
    (void)json;
    if (c->n < MET_MAX_CALENDARS) c->ids[c->n++] = id;
    return 0;
}

/* Gauges read from the store; tripod_store_up 0 when it cannot answer. */
static void met_write_store(met_buf *b, store *db)
{
    met_counts counts = {0, 0};
    int64_t pending = 0, failing = 0;
    store_booking_filter all = {0, 0, 0, NULL, 1};
    met_cals *cals = calloc(1, sizeof *cals);
    store_conn *c = cals ? store_acquire(db) : NULL;
    int ok = c && store_outbox_pending(c, &pending) == STORE_OK &&
             store_booking_list(c, &all, met_count_booking, &counts) == STORE_OK &&
             store_doc_list(c, STORE_CALENDAR, met_collect_calendar, cals) == STORE_OK;
    for (size_t i = 0; ok && i < cals->n; i++) {
        store_calstate st;
        memset(&st, 0, sizeof st);
        ok = store_calstate_get(c, cals->ids[i], &st) == STORE_OK;
        failing += ok && st.last_error != NULL;
        store_calstate_clear(&st);
    }
    store_release(c);
    free(cals);
    met_printf(b,
               "# HELP tripod_store_up 1 when the store answered this scrape.\n"
               "# TYPE tripod_store_up gauge\ntripod_store_up %d\n",
               ok);
    if (!ok) return;
    met_printf(b,
               "# HELP tripod_bookings Bookings in the store, by status.\n"
               "# TYPE tripod_bookings gauge\n"
               "tripod_bookings{status=\"confirmed\"} %lld\n"
               "tripod_bookings{status=\"cancelled\"} %lld\n",
               (long long)counts.confirmed, (long long)counts.cancelled);
    met_printf(b,
               "# HELP tripod_outbox_pending Calendar and mail changes not yet delivered.\n"
               "# TYPE tripod_outbox_pending gauge\ntripod_outbox_pending %lld\n",
               (long long)pending);
    met_printf(b,
               "# HELP tripod_calendar_sync_errors Connected calendars whose last sync failed.\n"
               "# TYPE tripod_calendar_sync_errors gauge\ntripod_calendar_sync_errors %lld\n",
               (long long)failing);
}

static void met_get(api_req *r, api_res *res)
{
    met_buf b = {NULL, 0, 0, 0};
    met_write_requests(&b);
    met_write_store(&b, r->app->db);
    if (b.failed) {
        free(b.p);
        api_error(res, 500, "internal", "out of memory", NULL);
        return;
    }
    res->status = 200;
    res->raw = b.p;
    res->raw_len = b.len;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

const api_route api_routes_metrics[] = {
    {"GET", "/api/v1/metrics", API_ADMIN, met_get},
    {0},
};
