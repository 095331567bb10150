/* snapshot_cache.c — keeps the current availability snapshot: generation
 * checks (on PostgreSQL by a watcher thread), one rebuilder at a time,
 * lock-free reads, atomic swaps, and reusable engine result buffers. */
#include "app/snapshot.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SNAPSHOT_CHECK_MS 200
#define SNAPSHOT_MAX_RESULTS 16

struct snapshot_cache {
    store *db;
    int remote;               /* PostgreSQL: other instances write too (see watcher) */
    pthread_mutex_t mu;       /* guards current, checks, results, stopping */
    pthread_mutex_t build_mu; /* held by the one thread rebuilding */
    snapshot *current;
    int force_check;
    avail_result *results[SNAPSHOT_MAX_RESULTS];
    size_t nresults;
    /* Remote stores: a watcher thread reads the generation every
     * SNAPSHOT_CHECK_MS and sets force_check when it moved, so that requests
     * never wait on the database just to learn that nothing changed. */
    pthread_t watcher;
    pthread_cond_t wake;
    int watching, stopping;
};

/* ---- The cache ---- */

static void *watcher_main(void *arg)
{
    snapshot_cache *mc = arg;
    pthread_mutex_lock(&mc->mu);
    while (!mc->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long ns = ts.tv_nsec + SNAPSHOT_CHECK_MS * 1000000L;
        ts.tv_sec += ns / 1000000000L;
        ts.tv_nsec = ns % 1000000000L;
        pthread_cond_timedwait(&mc->wake, &mc->mu, &ts);
        if (mc->stopping) break;
        int64_t seen = mc->current ? mc->current->generation : -1;
        pthread_mutex_unlock(&mc->mu);
        store_conn *c = store_acquire(mc->db);
        int64_t gen = seen;
        int ok = c && store_generation(c, &gen) == STORE_OK;
        store_release(c);
        pthread_mutex_lock(&mc->mu);
        if (ok && gen != seen) mc->force_check = 1;
    }
    pthread_mutex_unlock(&mc->mu);
    return NULL;
}

snapshot_cache *snapshot_cache_new(store *db)
{
    snapshot_cache *mc = calloc(1, sizeof *mc);
    if (!mc) return NULL;
    mc->db = db;
    mc->remote = strcmp(store_kind_name(db), "sqlite") != 0;
    mc->force_check = 1;
    pthread_mutex_init(&mc->mu, NULL);
    pthread_mutex_init(&mc->build_mu, NULL);
    pthread_cond_init(&mc->wake, NULL);
    /* Without a watcher a remote cache checks on every request instead. */
    mc->watching = mc->remote && pthread_create(&mc->watcher, NULL, watcher_main, mc) == 0;
    return mc;
}

void snapshot_cache_free(snapshot_cache *mc)
{
    if (!mc) return;
    if (mc->watching) {
        pthread_mutex_lock(&mc->mu);
        mc->stopping = 1;
        pthread_cond_signal(&mc->wake);
        pthread_mutex_unlock(&mc->mu);
        pthread_join(mc->watcher, NULL);
    }
    pthread_cond_destroy(&mc->wake);
    snapshot_release(mc->current);
    for (size_t i = 0; i < mc->nresults; i++) {
        avail_result_free(mc->results[i]);
        free(mc->results[i]);
    }
    pthread_mutex_destroy(&mc->mu);
    pthread_mutex_destroy(&mc->build_mu);
    free(mc);
}

snapshot *snapshot_cache_peek(snapshot_cache *mc)
{
    pthread_mutex_lock(&mc->mu);
    snapshot *m = snapshot_ref(mc->current);
    pthread_mutex_unlock(&mc->mu);
    return m;
}

void snapshot_cache_touch(snapshot_cache *mc)
{
    pthread_mutex_lock(&mc->mu);
    mc->force_check = 1;
    pthread_mutex_unlock(&mc->mu);
}

/* Builds and publishes a snapshot; the caller holds build_mu. */
static int cache_rebuild_locked(snapshot_cache *mc, store_conn *c, tp_time now)
{
    snapshot *m = snapshot_build(c, now);
    if (!m) return -1;
    pthread_mutex_lock(&mc->mu);
    snapshot *old = mc->current;
    mc->current = m;
    pthread_mutex_unlock(&mc->mu);
    snapshot_release(old);
    return 0;
}

int snapshot_cache_refresh(snapshot_cache *mc, tp_time now)
{
    store_conn *c = store_acquire(mc->db);
    if (!c) return -1;
    pthread_mutex_lock(&mc->build_mu);
    int rc = cache_rebuild_locked(mc, c, now);
    pthread_mutex_unlock(&mc->build_mu);
    store_release(c);
    return rc;
}

int snapshot_cache_renew(snapshot_cache *mc, tp_time now, snapshot **m)
{
    snapshot_cache_refresh(mc, now);
    snapshot_release(*m);
    *m = snapshot_cache_peek(mc);
    return *m ? 0 : -1;
}

/* 1 when snapshot M no longer covers NOW's booking window. */
static int snapshot_outdated_window(const snapshot *m, tp_time now)
{
    return now < m->built_now - 3600 || now > m->built_now + 86400;
}

snapshot *snapshot_cache_get(snapshot_cache *mc, tp_time now)
{
    pthread_mutex_lock(&mc->mu);
    snapshot *cur = snapshot_ref(mc->current);
    int check = !cur || mc->force_check || !mc->watching || snapshot_outdated_window(cur, now);
    if (check) mc->force_check = 0;
    pthread_mutex_unlock(&mc->mu);
    if (!check) return cur;
    store_conn *c = store_acquire(mc->db);
    int64_t gen = -1;
    if (!c || store_generation(c, &gen) != STORE_OK) {
        store_release(c);
        return cur;
    }
    if (cur && gen == cur->generation && !snapshot_outdated_window(cur, now)) {
        store_release(c);
        return cur;
    }
    /* Stale: rebuild here unless another thread already is (then serve the
     * previous snapshot; a first build is waited for). */
    if (cur ? pthread_mutex_trylock(&mc->build_mu) != 0 : pthread_mutex_lock(&mc->build_mu) != 0) {
        store_release(c);
        return cur;
    }
    pthread_mutex_lock(&mc->mu);
    int still_stale = !mc->current || mc->current->generation != gen ||
                      snapshot_outdated_window(mc->current, now);
    pthread_mutex_unlock(&mc->mu);
    if (still_stale && cache_rebuild_locked(mc, c, now) != 0) {
        pthread_mutex_lock(&mc->mu);
        mc->force_check = 1;
        pthread_mutex_unlock(&mc->mu);
    }
    pthread_mutex_unlock(&mc->build_mu);
    store_release(c);
    snapshot_release(cur);
    return snapshot_cache_peek(mc);
}

int snapshot_config_fresh(const snapshot *m, int64_t gen)
{
    return gen == m->config_generation;
}

avail_result *snapshot_cache_result_take(snapshot_cache *mc)
{
    avail_result *r = NULL;
    pthread_mutex_lock(&mc->mu);
    if (mc->nresults) r = mc->results[--mc->nresults];
    pthread_mutex_unlock(&mc->mu);
    if (!r && (r = malloc(sizeof *r))) avail_result_init(r);
    return r;
}

void snapshot_cache_result_give(snapshot_cache *mc, avail_result *r)
{
    if (!r) return;
    pthread_mutex_lock(&mc->mu);
    if (mc->nresults < SNAPSHOT_MAX_RESULTS) {
        mc->results[mc->nresults++] = r;
        r = NULL;
    }
    pthread_mutex_unlock(&mc->mu);
    if (r) {
        avail_result_free(r);
        free(r);
    }
}
