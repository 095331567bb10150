/* calwire.c — starts and stops src/cal's workers inside `tripod serve` and
 * answers POST /calendars/{id}/sync. */
#include "api/calwire.h"

#include <stdlib.h>
#include <string.h>

#include "api/secret.h"
#include "cal/caldav.h"
#include "cal/outbox.h"
#include "cal/sync.h"

static sync_worker *g_sync;
static outbox_worker *g_outbox;
static sync_config g_sync_cfg;
static outbox_config g_outbox_cfg;

static char *calwire_open(void *ctx, const char *sealed)
{
    const api_config *cfg = ctx;
    return secret_open(cfg->secret_key, sealed);
}

static int env_int(const char *name, int fallback)
{
    const char *v = getenv(name);
    int n = v ? atoi(v) : 0;
    return n > 0 ? n : fallback;
}

static void configure(api_server *s)
{
    const api_config *cfg = api_server_config(s);
    calsrc_opener op = {calwire_open, (void *)cfg};
    g_sync_cfg = (sync_config){.db = cfg->db,
                               .opener = op,
                               .now_base = api_now(s),
                               .interval_s = env_int("TRIPOD_SYNC_INTERVAL", 300),
                               .timeout_s = env_int("TRIPOD_SYNC_TIMEOUT", 20)};
    g_outbox_cfg = (outbox_config){.db = cfg->db,
                                   .opener = op,
                                   .now_base = api_now(s),
                                   .smtp_url = getenv("TRIPOD_SMTP_URL"),
                                   .mail_from = getenv("TRIPOD_MAIL_FROM"),
                                   .backoff_base_s = env_int("TRIPOD_OUTBOX_BACKOFF_BASE", 5),
                                   .backoff_max_s = env_int("TRIPOD_OUTBOX_BACKOFF_MAX", 3600),
                                   .lease_s = env_int("TRIPOD_OUTBOX_LEASE", 120),
                                   .timeout_s = g_sync_cfg.timeout_s};
    if (!cfg->fixed_now) g_sync_cfg.now_base = g_outbox_cfg.now_base = 0;
}

int calwire_start(api_server *s)
{
    if (caldav_global_init() != 0) return -1;
    configure(s);
    g_sync = sync_worker_start(&g_sync_cfg);
    g_outbox = g_sync ? outbox_worker_start(&g_outbox_cfg) : NULL;
    if (!g_outbox) {
        calwire_stop();
        return -1;
    }
    return 0;
}

void calwire_wake_sync(void)
{
    sync_worker_wake(g_sync);
}

void calwire_stop(void)
{
    outbox_worker_stop(g_outbox);
    sync_worker_stop(g_sync);
    g_outbox = NULL;
    g_sync = NULL;
}

void calwire_sync_config(api_server *s, sync_config *out)
{
    const api_config *cfg = api_server_config(s);
    *out = (sync_config){.db = cfg->db,
                         .opener = {calwire_open, (void *)cfg},
                         .timeout_s = env_int("TRIPOD_RECHECK_TIMEOUT", 5)};
}

void calwire_sync_route(api_req *r, api_res *res)
{
    char *end, err[512];
    long long id = strtoll(r->params[0], &end, 10);
    sync_result out;
    if (*end || id <= 0) {
        api_error(res, 404, "not_found", "no such calendar", NULL);
        return;
    }
    sync_config sc;
    calwire_sync_config(r->srv, &sc);
    sc.timeout_s = env_int("TRIPOD_SYNC_TIMEOUT", 20);
    sc.claim_wait_ms = 30000; /* a background sync of it may be running: wait for it */
    int rc = sync_calendar(&sc, (int64_t)id, api_now(r->srv), &out, err, sizeof err);
    if (rc == SYNC_BUSY) {
        api_error(res, 409, "sync_in_progress", "this calendar is being synced; try again shortly",
                  NULL);
        res->retry_after = 5;
        return;
    }
    if (rc != 0) {
        if (strcmp(err, "no such calendar") == 0)
            api_error(res, 404, "not_found", "no such calendar", NULL);
        else
            api_error(res, 502, "sync_failed", err, NULL);
        return;
    }
    api_json(res, 200,
             json_pack("{s:I, s:I, s:b, s:n, s:s, s:I, s:I, s:o}", "id", (json_int_t)id, "events",
                       (json_int_t)out.events, "unchanged", out.unchanged, "last_error", "mode",
                       out.mode, "changed", (json_int_t)out.changed, "deleted",
                       (json_int_t)out.deleted, "fallback",
                       out.fallback[0] ? json_string(out.fallback) : json_null()));
}
