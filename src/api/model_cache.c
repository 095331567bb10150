/* model_cache.c — keeps the current availability snapshot: generation
 * checks (on PostgreSQL by a watcher thread), one rebuilder at a time,
 * lock-free reads, atomic swaps, and reusable engine result buffers. */
#include "api/model.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"

#define MODEL_CHECK_MS 200
#define MODEL_MAX_RESULTS 16

struct model_cache {
    store *db;
    int remote;               /* PostgreSQL: other instances write too (see watcher) */
    pthread_mutex_t mu;       /* guards current, checks, results, stopping */
    pthread_mutex_t build_mu; /* held by the one thread rebuilding */
    model *current;
    int force_check;
    avail_result *results[MODEL_MAX_RESULTS];
    size_t nresults;
    /* Remote stores: a watcher thread reads the generation every
     * MODEL_CHECK_MS and sets force_check when it moved, so that requests
     * never wait on the database just to learn that nothing changed. */
    pthread_t watcher;
    pthread_cond_t wake;
    int watching, stopping;
};

/* ---- The cache ---- */

static void *watcher_main(void *arg)
{
    model_cache *mc = arg;
    pthread_mutex_lock(&mc->mu);
    while (!mc->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long ns = ts.tv_nsec + MODEL_CHECK_MS * 1000000L;
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

model_cache *model_cache_new(store *db)
{
    model_cache *mc = calloc(1, sizeof *mc);
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

void model_cache_free(model_cache *mc)
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
    model_release(mc->current);
    for (size_t i = 0; i < mc->nresults; i++) {
        avail_result_free(mc->results[i]);
        free(mc->results[i]);
    }
    pthread_mutex_destroy(&mc->mu);
    pthread_mutex_destroy(&mc->build_mu);
    free(mc);
}

model *model_cache_peek(model_cache *mc)
{
    pthread_mutex_lock(&mc->mu);
    model *m = model_ref(mc->current);
    pthread_mutex_unlock(&mc->mu);
    return m;
}

void model_cache_touch(model_cache *mc)
{
    pthread_mutex_lock(&mc->mu);
    mc->force_check = 1;
    pthread_mutex_unlock(&mc->mu);
}

/* Builds and publishes a snapshot; the caller holds build_mu. */
static int cache_rebuild_locked(model_cache *mc, store_conn *c, tp_time now)
{
    model *m = model_build(c, now);
    if (!m) return -1;
    pthread_mutex_lock(&mc->mu);
    model *old = mc->current;
    mc->current = m;
    pthread_mutex_unlock(&mc->mu);
    model_release(old);
    return 0;
}

int model_cache_refresh(model_cache *mc, tp_time now)
{
    store_conn *c = store_acquire(mc->db);
    if (!c) return -1;
    pthread_mutex_lock(&mc->build_mu);
    int rc = cache_rebuild_locked(mc, c, now);
    pthread_mutex_unlock(&mc->build_mu);
    store_release(c);
    return rc;
}

int model_cache_renew(model_cache *mc, tp_time now, model **m)
{
    model_cache_refresh(mc, now);
    model_release(*m);
    *m = model_cache_peek(mc);
    return *m ? 0 : -1;
}

/* 1 when snapshot M no longer covers NOW's booking window. */
static int model_outdated_window(const model *m, tp_time now)
{
    return now < m->built_now - 3600 || now > m->built_now + 86400;
}

model *model_cache_get(model_cache *mc, tp_time now)
{
    pthread_mutex_lock(&mc->mu);
    model *cur = model_ref(mc->current);
    int check = !cur || mc->force_check || !mc->watching || model_outdated_window(cur, now);
    if (check) mc->force_check = 0;
    pthread_mutex_unlock(&mc->mu);
    if (!check) return cur;
    store_conn *c = store_acquire(mc->db);
    int64_t gen = -1;
    if (!c || store_generation(c, &gen) != STORE_OK) {
        store_release(c);
        return cur;
    }
    if (cur && gen == cur->generation && !model_outdated_window(cur, now)) {
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
    int still_stale =
        !mc->current || mc->current->generation != gen || model_outdated_window(mc->current, now);
    pthread_mutex_unlock(&mc->mu);
    if (still_stale && cache_rebuild_locked(mc, c, now) != 0) {
        pthread_mutex_lock(&mc->mu);
        mc->force_check = 1;
        pthread_mutex_unlock(&mc->mu);
    }
    pthread_mutex_unlock(&mc->build_mu);
    store_release(c);
    model_release(cur);
    return model_cache_peek(mc);
}

int model_config_fresh(const model *m, int64_t gen)
{
    return gen == m->config_generation;
}

static void *cache_create(api_server *s)
{
    return model_cache_new(api_server_config(s)->db);
}

static void cache_destroy(void *mc)
{
    model_cache_free(mc);
}

model_cache *model_cache_of(api_server *s)
{
    return api_server_model(s, cache_create, cache_destroy);
}

avail_result *model_cache_result_take(model_cache *mc)
{
    avail_result *r = NULL;
    pthread_mutex_lock(&mc->mu);
    if (mc->nresults) r = mc->results[--mc->nresults];
    pthread_mutex_unlock(&mc->mu);
    if (!r && (r = malloc(sizeof *r))) avail_result_init(r);
    return r;
}

void model_cache_result_give(model_cache *mc, avail_result *r)
{
    if (!r) return;
    pthread_mutex_lock(&mc->mu);
    if (mc->nresults < MODEL_MAX_RESULTS) {
        mc->results[mc->nresults++] = r;
        r = NULL;
    }
    pthread_mutex_unlock(&mc->mu);
    if (r) {
        avail_result_free(r);
        free(r);
    }
}
