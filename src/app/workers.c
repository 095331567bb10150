/* workers.c — starts and stops src/cal's workers for the application and
 * runs the calendar work of requests (sync on demand, re-check settings). */
#include "app/workers.h"

#include <stdlib.h>
#include <string.h>

#include "app/secret.h"
#include "app/settings.h"
#include "cal/caldav.h"
#include "cal/outbox.h"

struct app_workers {
    sync_config sync_cfg;
    outbox_config outbox_cfg;
    sync_worker *sync;
    outbox_worker *outbox;
};

static char *open_sealed(void *ctx, const char *sealed)
{
    const app *a = ctx;
    return secret_open(a->secret_key, sealed);
}

static char *seal_plain(void *ctx, const char *plain)
{
    const app *a = ctx;
    return secret_seal(a->secret_key, plain);
}

calsrc_opener app_opener(app *a)
{
    return (calsrc_opener){open_sealed, a, SETTINGS_DEFAULT_TIMEZONE, seal_plain, &a->providers};
}

int app_workers_start(app *a)
{
    const tripod_config *cfg = a->cfg;
    app_workers *w;
    if (caldav_global_init() != 0 || !(w = calloc(1, sizeof *w))) return -1;
    tp_time base = cfg->fixed_now ? cfg->now_value : 0;
    w->sync_cfg = (sync_config){.db = a->db,
                                .opener = app_opener(a),
                                .now_base = base,
                                .interval_s = cfg->sync_interval_s,
                                .timeout_s = cfg->sync_timeout_s};
    w->outbox_cfg = (outbox_config){.db = a->db,
                                    .opener = app_opener(a),
                                    .now_base = base,
                                    .smtp_url = cfg->smtp_url,
                                    .mail_from = cfg->mail_from,
                                    .backoff_base_s = cfg->outbox_backoff_base_s,
                                    .backoff_max_s = cfg->outbox_backoff_max_s,
                                    .lease_s = cfg->outbox_lease_s,
                                    .timeout_s = cfg->sync_timeout_s};
    a->workers = w;
    w->sync = sync_worker_start(&w->sync_cfg);
    w->outbox = w->sync ? outbox_worker_start(&w->outbox_cfg) : NULL;
    if (!w->outbox) {
        app_workers_stop(a);
        return -1;
    }
    return 0;
}

void app_workers_wake_sync(app *a)
{
    if (a->workers) sync_worker_wake(a->workers->sync);
}

void app_workers_stop(app *a)
{
    app_workers *w = a->workers;
    if (!w) return;
    outbox_worker_stop(w->outbox);
    sync_worker_stop(w->sync);
    free(w);
    a->workers = NULL;
}

void app_sync_config(app *a, long timeout_s, sync_config *out)
{
    *out = (sync_config){.db = a->db, .opener = app_opener(a), .timeout_s = timeout_s};
}

int app_sync_now(app *a, int64_t id, sync_result *out, outcome *o)
{
    char err[512];
    sync_config sc;
    app_sync_config(a, a->cfg->sync_timeout_s, &sc);
    sc.claim_wait_ms = 30000; /* a background sync of it may be running: wait for it */
    int rc = sync_calendar(&sc, id, app_now(a), out, err, sizeof err);
    if (rc == 0) return 0;
    if (rc == SYNC_BUSY) {
        outcome_fail(o, OUT_CONFLICT, "sync_in_progress", NULL,
                     "this calendar is being synced; try again shortly");
        o->retry_after = 5;
        return -1;
    }
    if (strcmp(err, "no such calendar") == 0) return outcome_store(o, STORE_NOTFOUND, "calendar");
    return outcome_fail(o, OUT_UPSTREAM, "sync_failed", NULL, "%s", err);
}
