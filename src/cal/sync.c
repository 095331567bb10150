/* sync.c — syncs a connected calendar (CalDAV through davsync.c, in full or
 * incrementally; Google and Microsoft 365 through google.c / graph.c, with
 * sync tokens / delta links; an ICS feed with a conditional GET) into the store's
 * busy time atomically; plus the background loop and the live re-check a
 * booking makes before it commits. */
#include "cal/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cal/davsync.h"
#include "cal/event.h"
#include "cal/google.h"
#include "cal/graph.h"
#include "cal/ics.h"
#include "cal/worker.h"

#define DAY 86400
#define FULL_REFRESH_S                                                                             \
    (6 * 3600) /* an unchanged calendar is still re-read this often (the window moves) */

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

/* Changes calendar ID's state (read on C) with APPLY and stores it, in one
 * write transaction, retried up to 5 times when the store says so. */
typedef int (*calstate_apply)(store_conn *c, int64_t id, store_calstate *st, void *ctx);

static int calstate_update(store_conn *c, int64_t id, calstate_apply apply, void *ctx)
{
    int rc = STORE_ERROR;
    for (int tries = 0; tries < 5; tries++) {
        store_calstate st;
        memset(&st, 0, sizeof st);
        rc = store_begin(c, 1);
        if (rc == STORE_OK) rc = store_calstate_get(c, id, &st);
        if (rc == STORE_OK) rc = apply(c, id, &st, ctx);
        if (rc == STORE_OK) rc = store_calstate_put(c, id, &st);
        rc = rc == STORE_OK ? store_commit(c) : rc;
        store_calstate_clear(&st);
        if (rc == STORE_OK) break;
        store_rollback(c);
        if (rc != STORE_RETRY) break;
    }
    return rc;
}

typedef struct {
    const char *err;
    tp_time now;
} failure;

static int apply_failure(store_conn *c, int64_t id, store_calstate *st, void *ctx)
{
    const failure *f = ctx;
    (void)c;
    (void)id;
    free(st->last_error);
    st->last_error = strdup(f->err);
    st->last_attempt = f->now;
    return STORE_OK;
}

/* Records the failure ERR for ID and keeps the busy time untouched. */
static void record_failure(store *db, int64_t id, tp_time now, const char *err)
{
    store_conn *c = store_acquire(db);
    failure f = {err, now};
    if (!c) return;
    calstate_update(c, id, apply_failure, &f);
    store_release(c);
}

enum { MODE_UNCHANGED, MODE_FULL, MODE_INCREMENTAL };

/* What a sync read and is about to store. */
typedef struct {
    int mode;
    const ics_list *feed;   /* ICS feed read in full: every instance, no href */
    const davsync_set *set; /* CalDAV: every resource (full) or the changed ones */
    store_calstate markers; /* change markers to keep (owned) */
} outcome;

/* The rows of every resource of SET (strings borrowed), or of FEED. */
static store_busy *busy_rows(const outcome *o, size_t *n)
{
    size_t total = o->feed ? o->feed->n : o->set->instances, k = 0;
    store_busy *ev = calloc(total ? total : 1, sizeof *ev);
    *n = total;
    if (!ev) return NULL;
    for (size_t i = 0; o->feed && i < o->feed->n; i++) {
        const ics_busy *b = &o->feed->v[i];
        ev[k++] =
            (store_busy){.start = b->start, .end = b->end, .uid = b->uid, .summary = b->summary};
    }
    for (size_t r = 0; !o->feed && r < o->set->n; r++) {
        const davsync_res *res = &o->set->v[r];
        for (size_t i = 0; i < res->l.n; i++)
            ev[k++] = (store_busy){.start = res->l.v[i].start,
                                   .end = res->l.v[i].end,
                                   .uid = res->l.v[i].uid,
                                   .summary = res->l.v[i].summary,
                                   .href = res->href,
                                   .etag = res->etag};
    }
    return ev;
}

/* Applies the changed resources of SET inside the open transaction;
 * *DELTA gets how many busy rows were added minus removed. */
static int apply_changes(store_conn *c, int64_t id, const davsync_set *set, int64_t *delta)
{
    int rc = STORE_OK;
    *delta = 0;
    for (size_t r = 0; rc == STORE_OK && r < set->n; r++) {
        const davsync_res *res = &set->v[r];
        store_busy *ev = res->l.n ? calloc(res->l.n, sizeof *ev) : NULL;
        int64_t removed = 0;
        if (res->l.n && !ev) return STORE_ERROR;
        for (size_t i = 0; i < res->l.n; i++)
            ev[i] = (store_busy){.start = res->l.v[i].start,
                                 .end = res->l.v[i].end,
                                 .uid = res->l.v[i].uid,
                                 .summary = res->l.v[i].summary};
        rc = store_busy_put_resource(c, id, res->href, res->etag, ev, res->l.n, &removed);
        *delta += (int64_t)res->l.n - removed;
        free(ev);
    }
    return rc;
}

typedef struct {
    const outcome *o;
    tp_time now;
    store_busy *ev; /* MODE_FULL: the busy rows */
    size_t n;
    int64_t events; /* out: the calendar's busy instances */
} success;

static int apply_success(store_conn *c, int64_t id, store_calstate *st, void *ctx)
{
    success *x = ctx;
    const outcome *o = x->o;
    int64_t delta = 0;
    int rc = STORE_OK;
    if (o->mode == MODE_FULL) rc = store_busy_replace(c, id, x->ev, x->n);
    if (rc == STORE_OK && o->mode == MODE_INCREMENTAL) rc = apply_changes(c, id, o->set, &delta);
    if (rc != STORE_OK) return rc;
    free(st->last_error);
    free(st->ctag);
    free(st->sync_token);
    free(st->etag);
    st->last_error = NULL;
    st->ctag = dup_or_null(o->markers.ctag);
    st->sync_token = dup_or_null(o->markers.sync_token);
    st->etag = dup_or_null(o->markers.etag);
    st->last_attempt = st->last_sync = x->now;
    if (o->mode == MODE_FULL) {
        st->last_full = x->now;
        st->events = (int64_t)x->n;
    } else {
        st->events += delta;
    }
    x->events = st->events;
    return STORE_OK;
}

/* Stores what O says (busy time and markers) and records success, all in
 * one transaction; *EVENTS gets the calendar's busy instances after it. */
static int record_success(store *db, int64_t id, tp_time now, const outcome *o, int64_t *events,
                          char *err, size_t errlen)
{
    store_conn *c = store_acquire(db);
    success x = {o, now, NULL, 0, 0};
    int rc = STORE_ERROR;
    if (!c) {
        snprintf(err, errlen, "store unreachable");
        return -1;
    }
    if (o->mode == MODE_FULL && !(x.ev = busy_rows(o, &x.n))) goto out;
    if ((rc = calstate_update(c, id, apply_success, &x)) == STORE_OK) *events = x.events;
out:
    if (rc != STORE_OK) snprintf(err, errlen, "store: %s", c ? store_errmsg(c) : "out of memory");
    free(x.ev);
    store_release(c);
    return rc == STORE_OK ? 0 : -1;
}

/* 1 when the whole window must be read again: never read, last read
 * FULL_REFRESH_S ago, or the window's first day has moved since. */
static int full_due(const store_calstate *prev, tp_time now)
{
    return !prev->last_full || now - prev->last_full >= FULL_REFRESH_S ||
           (now - DAY) / DAY != (prev->last_full - DAY) / DAY;
}

static int add_known(void *ctx, const char *href, const char *etag)
{
    return davsync_known_add(ctx, href, etag) == 0 ? 0 : 100;
}

/* Reads the ETags stored per resource of calendar ID into K (sorted). */
static int load_known(store *db, int64_t id, davsync_known *k, char *err, size_t errlen)
{
    store_conn *c = store_acquire(db);
    int rc = c ? store_busy_hrefs(c, id, add_known, k) : STORE_ERROR;
    store_release(c);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "stored resources unreadable");
        return -1;
    }
    davsync_known_sort(k);
    return 0;
}

/* Reads an ICS feed (conditional GET unless a full read is due). */
static int read_feed(const calsrc *src, const store_calstate *prev, int due, parse_ctx *p,
                     outcome *o, sync_result *res, char *err, size_t errlen)
{
    caldav_response r;
    const char *old = due || prev->last_error ? NULL : prev->etag;
    int is_lm = old && strncmp(old, "lm:", 3) == 0, rc = -1;
    if (caldav_get(&src->target, NULL, is_lm ? NULL : old, is_lm ? old + 3 : NULL, &r, err,
                   errlen) != 0)
        return -1;
    if (r.status == 304) {
        o->markers.etag = dup_or_null(prev->etag);
        o->mode = MODE_UNCHANGED;
        res->unchanged = 1;
        rc = 0;
        goto out;
    }
    if (r.etag) {
        o->markers.etag = r.etag;
        r.etag = NULL;
    } else if (r.last_modified) {
        size_t n = strlen(r.last_modified) + 4;
        if ((o->markers.etag = malloc(n))) snprintf(o->markers.etag, n, "lm:%s", r.last_modified);
    }
    if (ics_parse(r.body, r.len, &p->o, &p->l, p->err, sizeof p->err) != 0) {
        snprintf(err, errlen, "%s", p->err);
        goto out;
    }
    ics_list_sort(&p->l);
    o->mode = MODE_FULL;
    o->feed = &p->l;
    res->changed = 1;
    rc = 0;
out:
    caldav_response_free(&r);
    return rc;
}

/* Reads a CalDAV collection: incrementally when a token is kept and no full
 * read is due, else (or when that fails) in full unless the ctag is unchanged. */
static int read_collection(const calsrc *src, const sync_config *cfg, int64_t id,
                           const store_calstate *prev, int due, parse_ctx *p, davsync_set *set,
                           outcome *o, sync_result *res, char *err, size_t errlen)
{
    if (!due && prev->sync_token) {
        davsync_known known;
        memset(&known, 0, sizeof known);
        int rc = load_known(cfg->db, id, &known, err, errlen);
        if (rc == 0)
            rc = davsync_changes(&src->target, prev->sync_token, &known, &p->o, set, err, errlen);
        davsync_known_free(&known);
        if (rc == 0) {
            o->mode = MODE_INCREMENTAL;
            o->set = set;
            o->markers.sync_token = set->sync_token;
            set->sync_token = NULL;
            for (size_t i = 0; i < set->n; i++) {
                res->deleted += set->v[i].gone;
                res->changed += !set->v[i].gone;
            }
            res->unchanged = set->n == 0;
            return 0;
        }
        snprintf(res->fallback, sizeof res->fallback, "%s", err);
        davsync_set_free(set);
    }
    if (caldav_markers(&src->target, &o->markers.ctag, &o->markers.sync_token, err, errlen) != 0)
        return -1;
    if (!due && !prev->last_error && !res->fallback[0] && same(prev->ctag, o->markers.ctag)) {
        o->mode = MODE_UNCHANGED;
        res->unchanged = 1;
        return 0;
    }
    if (davsync_full(&src->target, &p->o, set, err, errlen) != 0) return -1;
    o->mode = MODE_FULL;
    o->set = set;
    res->changed = (int64_t)set->n;
    return 0;
}

/* One read of a Google or Microsoft 365 calendar (TOKEN NULL: in full). */
static int provider_read(provider_session *s, const sync_config *cfg, const calsrc *src,
                         const char *token, const ics_opts *o, davsync_set *set, char **next,
                         char *err, size_t errlen)
{
    if (src->kind == CALSRC_GOOGLE)
        return google_read(s, src->remote_id, token, o, set, next, err, errlen);
    return graph_read(s, cfg->db, src->remote_id, token, o, set, next, err, errlen);
}

/* Reads a provider calendar: the changes since the kept sync token (Google
 * nextSyncToken, Graph deltaLink) unless a full read is due, else (or when
 * the provider refuses the token: 410) the whole window. */
static int read_provider(const calsrc *src, const sync_config *cfg, const store_calstate *prev,
                         int due, tp_time now, parse_ctx *p, davsync_set *set, outcome *o,
                         sync_result *res, char *err, size_t errlen)
{
    oauth_env env = {cfg->db, &cfg->opener, cfg->timeout_s, cfg->abort};
    provider_session s;
    char *next = NULL;
    const char *token = !due && prev->sync_token ? prev->sync_token : NULL;
    if (provider_open(&s, &env, src->account, now, err, errlen) != 0) return -1;
    int rc = provider_read(&s, cfg, src, token, &p->o, set, &next, err, errlen);
    if (rc != 0 && token && !net_aborted(&cfg->abort)) {
        snprintf(res->fallback, sizeof res->fallback, "%s",
                 rc == PROVIDER_GONE ? "the sync token is no longer valid (410 Gone)" : err);
        davsync_set_free(set);
        free(next);
        next = NULL;
        token = NULL;
        rc = provider_read(&s, cfg, src, NULL, &p->o, set, &next, err, errlen);
    }
    provider_close(&s);
    if (rc != 0) {
        if (rc == PROVIDER_GONE) snprintf(err, errlen, "the provider answered 410 to a full read");
        free(next);
        return -1;
    }
    o->mode = token ? MODE_INCREMENTAL : MODE_FULL;
    o->set = set;
    o->markers.sync_token = next;
    for (size_t i = 0; i < set->n; i++) {
        res->deleted += set->v[i].gone && token;
        res->changed += !(set->v[i].gone && token);
    }
    res->unchanged = token && set->n == 0;
    return 0;
}

static int sync_one(const sync_config *cfg, int64_t id, tp_time now, sync_result *res, char *err,
                    size_t errlen)
{
    static const char *const modes[] = {"unchanged", "full", "incremental"};
    calsrc src;
    store_calstate prev;
    parse_ctx p;
    davsync_set set;
    outcome o;
    const tz_zone *tz = NULL;
    int rc = -1, horizon = cfg->horizon_days > 0 ? cfg->horizon_days : 60;
    memset(&prev, 0, sizeof prev);
    memset(&p, 0, sizeof p);
    memset(&set, 0, sizeof set);
    memset(&o, 0, sizeof o);
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
    if (!(tz = tz_zone_get(src.owner_tz)) && !(tz = tz_zone_get("UTC"))) {
        snprintf(err, errlen, "unknown time zone %s", src.owner_tz);
        goto fail;
    }
    src.target.timeout_s = cfg->timeout_s;
    src.target.abort = cfg->abort;
    ics_opts_init(&p.o, tz, src.owner_email, now - DAY, now + (tp_time)(horizon + 7) * DAY);
    int due = full_due(&prev, now);
    if (src.kind == CALSRC_GOOGLE || src.kind == CALSRC_MICROSOFT
            ? read_provider(&src, cfg, &prev, due, now, &p, &set, &o, res, err, errlen)
        : src.kind == CALSRC_ICS
            ? read_feed(&src, &prev, due, &p, &o, res, err, errlen)
            : read_collection(&src, cfg, id, &prev, due, &p, &set, &o, res, err, errlen))
        goto fail;
    if (record_success(cfg->db, id, now, &o, &res->events, err, errlen) != 0) goto fail;
    res->mode = modes[o.mode];
    rc = 0;
    goto out;
fail:
    rc = -1;
    if (!net_aborted(&cfg->abort)) record_failure(cfg->db, id, now, err);
out:
    store_calstate_clear(&prev);
    store_calstate_clear(&o.markers);
    davsync_set_free(&set);
    ics_list_free(&p.l);
    calsrc_clear(&src);
    return rc;
}

/* Takes the calendar's sync claim, waiting up to CFG->claim_wait_ms.
 * STORE_OK, STORE_CONFLICT (still held elsewhere) or a store failure. */
static int claim(const sync_config *cfg, int64_t id, tp_time now)
{
    long timeout = cfg->timeout_s > 0 ? cfg->timeout_s : 20;
    int lease = (int)(timeout * 6 > 60 ? timeout * 6 : 60); /* a few requests' worth */
    int waited = 0, rc;
    for (;;) {
        store_conn *c = store_acquire(cfg->db);
        rc = c ? store_calstate_claim(c, id, now, lease) : STORE_ERROR;
        store_release(c);
        if (rc != STORE_CONFLICT || waited >= cfg->claim_wait_ms) return rc;
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
        waited += 50;
    }
}

int sync_calendar(const sync_config *cfg, int64_t id, tp_time now, sync_result *res, char *err,
                  size_t errlen)
{
    memset(res, 0, sizeof *res);
    int rc = claim(cfg, id, now);
    if (rc == STORE_CONFLICT) {
        snprintf(err, errlen, "another sync of this calendar is running");
        return SYNC_BUSY;
    }
    if (rc != STORE_OK) {
        snprintf(err, errlen, rc == STORE_NOTFOUND ? "no such calendar" : "store unavailable");
        return -1;
    }
    int out = sync_one(cfg, id, now, res, err, errlen);
    store_conn *c = store_acquire(cfg->db);
    if (c) store_calstate_release(c, id);
    store_release(c);
    return out;
}

int sync_all(const sync_config *cfg, tp_time now)
{
    int64_t *ids = NULL;
    size_t n = 0;
    int failed = 0;
    store_conn *c = store_acquire(cfg->db);
    if (!c) return 1;
    int rc = calsrc_ids(c, -1, &ids, &n);
    store_release(c);
    if (rc != STORE_OK) return 1;
    for (size_t i = 0; i < n && !net_aborted(&cfg->abort); i++) {
        sync_result res;
        char err[512];
        int one = sync_calendar(cfg, ids[i], now, &res, err, sizeof err);
        failed += one != 0 && one != SYNC_BUSY;
    }
    free(ids);
    return failed;
}

typedef struct {
    int *busy;
    char *what;
    size_t whatlen;
} overlap;

static int overlap_row(void *ctx, int64_t calendar, const store_busy *ev)
{
    overlap *x = ctx;
    (void)calendar;
    if (event_uid_booking(ev->uid)) return 0; /* a Tripod booking's own event */
    *x->busy = 1;
    snprintf(x->what, x->whatlen, "%s", ev->summary ? ev->summary : "");
    return 1;
}

/* A Google / Microsoft 365 calendar read live: what changed since its last
 * sync is synced now (a sync token / delta link makes that one short
 * request), then its busy time over [FROM, TO) is looked at. 0, or -1 when
 * it could not be read (a sync of it runs elsewhere, the provider failed). */
static int recheck_provider(const sync_config *cfg, int64_t id, tp_time now, tp_time from,
                            tp_time to, int *busy, char *what, size_t whatlen)
{
    sync_result res;
    char err[512];
    overlap x = {busy, what, whatlen};
    if (sync_calendar(cfg, id, now, &res, err, sizeof err) != 0) return -1;
    store_conn *c = store_acquire(cfg->db);
    int rc = c ? store_busy_list(c, id, from, to, overlap_row, &x) : STORE_ERROR;
    store_release(c);
    return rc == STORE_OK || rc == 1 ? 0 : -1;
}

int sync_recheck(const sync_config *cfg, const int64_t *ids, size_t n, tp_time now, tp_time from,
                 tp_time to, int *busy, char *what, size_t whatlen)
{
    int reached = 0;
    *busy = 0;
    what[0] = '\0';
    for (size_t i = 0; i < n && !*busy; i++) {
        calsrc src;
        char err[256];
        store_conn *c = store_acquire(cfg->db);
        int rc = c ? calsrc_load(c, ids[i], &cfg->opener, &src) : STORE_ERROR;
        store_release(c);
        if (rc != STORE_OK) continue;
        if (src.kind == CALSRC_GOOGLE || src.kind == CALSRC_MICROSOFT) {
            calsrc_clear(&src);
            if (recheck_provider(cfg, ids[i], now, from, to, busy, what, whatlen) == 0) reached = 1;
            continue;
        }
        const tz_zone *tz = tz_zone_get(src.owner_tz);
        parse_ctx p;
        memset(&p, 0, sizeof p);
        ics_opts_init(&p.o, tz, src.owner_email, from, to);
        src.target.timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : 5;
        if (tz && src.kind == CALSRC_CALDAV &&
            caldav_query(&src.target, from, to, on_resource, &p, err, sizeof err) == 0) {
            reached = 1;
            for (size_t k = 0; k < p.l.n; k++) {
                if (event_uid_booking(p.l.v[k].uid)) continue;
                *busy = 1;
                snprintf(what, whatlen, "%s", p.l.v[k].summary);
                break;
            }
        }
        ics_list_free(&p.l);
        calsrc_clear(&src);
    }
    return reached ? 0 : -1;
}

struct sync_worker {
    sync_config cfg;
    worker *thread;
};

static int sync_pass(void *ctx, tp_time now, worker *self)
{
    sync_worker *w = ctx;
    sync_config cfg = w->cfg;
    cfg.abort = worker_abort(self); /* a stop abandons the pass */
    sync_all(&cfg, now);
    return 0;
}

sync_worker *sync_worker_start(const sync_config *cfg)
{
    sync_worker *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->cfg = *cfg;
    int period_s = cfg->interval_s > 0 ? cfg->interval_s : 300;
    w->thread = worker_start(sync_pass, w, cfg->now_base, period_s * 1000);
    if (!w->thread) {
        free(w);
        return NULL;
    }
    return w;
}

void sync_worker_wake(sync_worker *w)
{
    if (w) worker_wake(w->thread);
}

void sync_worker_stop(sync_worker *w)
{
    if (!w) return;
    worker_stop(w->thread);
    free(w);
}
