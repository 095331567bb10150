/* app.c — opening and closing the application handle (app.h), its clock
 * and the snapshot and connection helpers every operation starts with. */
#include "app/app.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/secret.h"
#include "app/workers.h"

int app_open(app *a, const tripod_config *cfg, store *db, const char *data_dir, char *err,
             size_t errlen)
{
    memset(a, 0, sizeof *a);
    a->cfg = cfg;
    a->db = db;
    a->data_dir = data_dir;
    if (secret_key_load(data_dir, a->secret_key, err, errlen) != 0) return -1;
    if (!(a->snaps = snapshot_cache_new(db))) {
        snprintf(err, errlen, "out of memory");
        sodium_memzero(a->secret_key, sizeof a->secret_key);
        return -1;
    }
    return 0;
}

void app_close(app *a)
{
    app_workers_stop(a);
    snapshot_cache_free(a->snaps);
    a->snaps = NULL;
    sodium_memzero(a->secret_key, sizeof a->secret_key);
}

tp_time app_now(const app *a)
{
    if (a->cfg->fixed_now) return a->cfg->now_value;
    return (tp_time)time(NULL);
}

snapshot *app_snapshot(app *a, outcome *o)
{
    snapshot *s = snapshot_cache_get(a->snaps, app_now(a));
    if (!s) outcome_store(o, STORE_ERROR, NULL);
    return s;
}

void app_wrote(app *a)
{
    snapshot_cache_touch(a->snaps);
}

store_conn *app_conn(app *a, outcome *o)
{
    store_conn *c = store_acquire(a->db);
    if (!c) outcome_store(o, STORE_ERROR, NULL);
    return c;
}
