/* app.h — the application Tripod serves: its configuration, store, secret
 * key, clock, availability snapshots and background workers, in one handle
 * that every application operation takes. Never touches HTTP types. */
#ifndef TRIPOD_APP_H
#define TRIPOD_APP_H

#include <stddef.h>
#include <stdint.h>

#include "app/config.h"
#include "app/outcome.h"
#include "app/snapshot.h"
#include "cal/oauth.h"
#include "store/store.h"

typedef struct app_workers app_workers; /* workers.c */

typedef struct app {
    const tripod_config *cfg; /* borrowed; outlives the app */
    store *db;                /* borrowed; outlives the app */
    const char *data_dir;
    uint8_t secret_key[32];    /* seals calendar passwords and manage links; DATA_DIR/secret.key */
    snapshot_cache *snaps;     /* the availability snapshots */
    app_workers *workers;      /* NULL until app_workers_start */
    oauth_providers providers; /* Google and Microsoft endpoints (from cfg; see app_open) */
    char *provider_strings;    /* what providers point into that is not cfg's (malloc'ed) */
} app;

/* Sets A up on DB (migrated) and CFG: loads or creates DATA_DIR's secret key
 * and creates the snapshot cache (nothing is read until first use). 0, or
 * -1 with the reason in ERR (nothing is left allocated). */
int app_open(app *a, const tripod_config *cfg, store *db, const char *data_dir, char *err,
             size_t errlen);
/* Stops the workers if running and frees what app_open made; wipes the key. */
void app_close(app *a);

/* The application clock: TRIPOD_NOW when set, else the real time. */
tp_time app_now(const app *a);

/* The current snapshot with a new reference (release with snapshot_release),
 * or NULL with O set to store_unavailable when none can be had. */
snapshot *app_snapshot(app *a, outcome *o);

/* This process wrote: the next snapshot_cache_get checks the generation at
 * once (on PostgreSQL it would otherwise wait for its watcher). */
void app_wrote(app *a);

/* A connection of A's store, or NULL with O set to store_unavailable. */
store_conn *app_conn(app *a, outcome *o);

#endif
