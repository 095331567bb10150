/* sync.c — fetches a connected calendar (CalDAV time-range REPORT, or an ICS
 * feed with a conditional GET), expands it with ics.c and replaces the
 * calendar's busy time atomically; plus the background loop and the live
 * re-check a booking makes before it commits. */
#include "cal/sync.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cal/event.h"
#include "cal/ics.h"

#define DAY 86400
#define FULL_REFRESH_S (6 * 3600) /* an unchanged calendar is still re-read this often (the window moves) */

typedef struct {
    ics_opts o;
    ics_list l;
    char err[256];
} parse_ctx;

static int on_resource(void *ctx, const char *href, const char *etag, const char *data, size_t len)
{
    parse_ctx *p = ctx;
    (void)href, (void)etag;
    return ics_parse(data, len, &p->o, &p->l, p->err, sizeof p->err) == 0 ? 0 : 1;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Records the failure ERR for ID and keeps the busy time untouched. */
static void record_failure(store *db, int64_t id, tp_time now, const char *err)
{
    store_conn *c = store_acquire(db);
    store_calstate st;
    if (!c)
        return;
    for (int tries = 0; tries < 5; tries++) {
        memset(&st, 0, sizeof st);
        int rc = store_begin(c, 1);
        if (rc == STORE_OK)
            rc = store_calstate_get(c, id, &st);
        if (rc == STORE_OK) {
            free(st.last_error);
            st.last_error = strdup(err);
            st.last_attempt = now;
            rc = store_calstate_put(c, id, &st);
        }
        rc = rc == STORE_OK ? store_commit(c) : rc;
        store_calstate_clear(&st);
        if (rc == STORE_OK)
            break;
        store_rollback(c);
        if (rc != STORE_RETRY)
            break;
    }
    store_release(c);
}

/* Stores the parsed busy time (NULL when unchanged) and the new markers. */
static int record_success(store *db, int64_t id, tp_time now, const ics_list *l,
                          const store_calstate *markers, char *err, size_t errlen)
{
    store_conn *c = store_acquire(db);
    store_busy *ev = NULL;
    int rc = STORE_ERROR;
    if (!c) {
        snprintf(err, errlen, "store unreachable");
        return -1;
    }
    if (l && l->n && !(ev = calloc(l->n, sizeof *ev)))
        goto out;
    for (size_t i = 0; l && i < l->n; i++)
        ev[i] = (store_busy){.start = l->v[i].start, .end = l->v[i].end, .uid = l->v[i].uid,
                             .summary = l->v[i].summary};
    for (int tries = 0; tries < 5; tries++) {
        store_calstate st;
        memset(&st, 0, sizeof st);
        rc = store_begin(c, 1);
        if (rc == STORE_OK)
            rc = store_calstate_get(c, id, &st);
        if (rc == STORE_OK && l)
            rc = store_busy_replace(c, id, ev, l->n);
        if (rc == STORE_OK) {
            free(st.last_error);
            free(st.ctag);
            free(st.sync_token);
            free(st.etag);
            st.last_error = NULL;
            st.ctag = dup_or_null(markers->ctag);
            st.sync_token = dup_or_null(markers->sync_token);
            st.etag = dup_or_null(markers->etag);
            st.last_attempt = now;
            if (l) {
                st.last_sync = now;
                st.events = (int64_t)l->n;
            }
            rc = store_calstate_put(c, id, &st);
        }
        rc = rc == STORE_OK ? store_commit(c) : rc;
        store_calstate_clear(&st);
        if (rc == STORE_OK)
            break;
        store_rollback(c);
        if (rc != STORE_RETRY)
            break;
    }
out:
    if (rc != STORE_OK)
        snprintf(err, errlen, "store: %s", store_errmsg(c));
    free(ev);
    store_release(c);
    return rc == STORE_OK ? 0 : -1;
}

int sync_calendar(const sync_config *cfg, int64_t id, tp_time now, sync_result *res, char *err,
                  size_t errlen)
{
    calsrc src;
    store_calstate prev, markers;
    parse_ctx p;
    tz_zone *tz = NULL;
    caldav_response r;
    int rc = -1, horizon = cfg->horizon_days > 0 ? cfg->horizon_days : 60;
    memset(&prev, 0, sizeof prev);
    memset(&markers, 0, sizeof markers);
    memset(&p, 0, sizeof p);
    memset(&r, 0, sizeof r);
    memset(res, 0, sizeof *res);
    err[0] = '\0';
    store_conn *c = store_acquire(cfg->db);
    if (!c) {
        snprintf(err, errlen, "store unreachable");
        return -1;
    }
    int src_rc = calsrc_load(c, id, &cfg->opener, &src);
    int st_rc = src_rc == STORE_OK ? store_calstate_get(c, id, &prev) : src_rc;
    store_release(c);
    if (src_rc == STORE_NOTFOUND) {
        snprintf(err, errlen, "no such calendar");
        return -1;
    }
    if (src_rc != STORE_OK || st_rc != STORE_OK) {
        snprintf(err, errlen, "calendar settings unreadable (credentials cannot be opened?)");
        goto fail;
    }
    if (!(tz = tz_zone_load(src.owner_tz)) && !(tz = tz_zone_load("UTC"))) {
        snprintf(err, errlen, "unknown time zone %s", src.owner_tz);
        goto fail;
    }
    src.target.timeout_s = cfg->timeout_s;
    ics_opts_init(&p.o, tz, src.owner_email, now - DAY, now + (tp_time)(horizon + 7) * DAY);
    int recent = prev.last_sync && !prev.last_error && now - prev.last_sync < FULL_REFRESH_S;
    if (src.is_ics) {
        const char *old = recent ? prev.etag : NULL;
        int is_lm = old && strncmp(old, "lm:", 3) == 0;
        if (caldav_get(&src.target, NULL, is_lm ? NULL : old, is_lm ? old + 3 : NULL, &r, err,
                       errlen) != 0)
            goto fail;
        if (r.etag) {
            markers.etag = r.etag;
            r.etag = NULL;
        } else if (r.last_modified) {
            size_t n = strlen(r.last_modified) + 4;
            if ((markers.etag = malloc(n)))
                snprintf(markers.etag, n, "lm:%s", r.last_modified);
        }
        if (r.status == 304) {
            free(markers.etag);
            markers.etag = dup_or_null(prev.etag);
            res->unchanged = 1;
        } else if (ics_parse(r.body, r.len, &p.o, &p.l, p.err, sizeof p.err) != 0) {
            snprintf(err, errlen, "%s", p.err);
            goto fail;
        }
    } else {
        if (caldav_markers(&src.target, &markers.ctag, &markers.sync_token, err, errlen) != 0)
            goto fail;
        if (recent && (same(prev.ctag, markers.ctag) || same(prev.sync_token, markers.sync_token))) {
            res->unchanged = 1;
        } else {
            rc = caldav_query(&src.target, p.o.from, p.o.to, on_resource, &p, err, errlen);
            if (rc != 0) {
                if (rc == 1)
                    snprintf(err, errlen, "%s", p.err);
                rc = -1;
                goto fail;
            }
        }
    }
    ics_list_sort(&p.l);
    if (record_success(cfg->db, id, now, res->unchanged ? NULL : &p.l, &markers, err, errlen) != 0)
        goto fail;
    res->events = res->unchanged ? prev.events : (int64_t)p.l.n;
    rc = 0;
    goto out;
fail:
    rc = -1;
    record_failure(cfg->db, id, now, err);
out:
    caldav_response_free(&r);
    store_calstate_clear(&prev);
    store_calstate_clear(&markers);
    ics_list_free(&p.l);
    tz_zone_free(tz);
    calsrc_clear(&src);
    return rc;
}

int sync_all(const sync_config *cfg, tp_time now)
{
    int64_t *ids = NULL;
    size_t n = 0;
    int failed = 0;
    store_conn *c = store_acquire(cfg->db);
    if (!c)
        return 1;
    int rc = calsrc_ids(c, -1, &ids, &n);
    store_release(c);
    if (rc != STORE_OK)
        return 1;
    for (size_t i = 0; i < n; i++) {
        sync_result res;
        char err[512];
        failed += sync_calendar(cfg, ids[i], now, &res, err, sizeof err) != 0;
    }
    free(ids);
    return failed;
}

int sync_recheck(const sync_config *cfg, const int64_t *ids, size_t n, tp_time from, tp_time to,
                 int *busy, char *what, size_t whatlen)
{
    int reached = 0;
    *busy = 0;
    what[0] = '\0';
    store_conn *c = store_acquire(cfg->db);
    if (!c)
        return -1;
    for (size_t i = 0; i < n && !*busy; i++) {
        calsrc src;
        char err[256];
        if (calsrc_load(c, ids[i], &cfg->opener, &src) != STORE_OK)
            continue;
        tz_zone *tz = tz_zone_load(src.owner_tz);
        parse_ctx p;
        memset(&p, 0, sizeof p);
        ics_opts_init(&p.o, tz, src.owner_email, from, to);
        src.target.timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : 5;
        if (tz && !src.is_ics &&
            caldav_query(&src.target, from, to, on_resource, &p, err, sizeof err) == 0) {
            reached = 1;
            for (size_t k = 0; k < p.l.n; k++) {
                if (event_uid_booking(p.l.v[k].uid))
                    continue;
                *busy = 1;
                snprintf(what, whatlen, "%s", p.l.v[k].summary);
                break;
            }
        }
        ics_list_free(&p.l);
        tz_zone_free(tz);
        calsrc_clear(&src);
    }
    store_release(c);
    return reached ? 0 : -1;
}

struct sync_worker {
    sync_config cfg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    time_t started;
};

static void *sync_main(void *arg)
{
    sync_worker *w = arg;
    int period = w->cfg.interval_s > 0 ? w->cfg.interval_s : 300;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        pthread_mutex_unlock(&w->mu);
        time_t real = time(NULL);
        sync_all(&w->cfg, w->cfg.now_base ? w->cfg.now_base + (real - w->started) : (tp_time)real);
        pthread_mutex_lock(&w->mu);
        if (w->stop)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += period;
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

sync_worker *sync_worker_start(const sync_config *cfg)
{
    sync_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->cfg = *cfg;
    w->started = time(NULL);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, sync_main, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        return NULL;
    }
    return w;
}

void sync_worker_stop(sync_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}
