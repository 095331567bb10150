/* app.c — opening and closing the application handle (app.h), its clock
 * and the snapshot and connection helpers every operation starts with. */
#include "app/app.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/secret.h"
#include "app/workers.h"

/* Scopes: the least each provider needs. Google: the calendar list (to pick
 * one) and events (read busy time, write the booking's event); Microsoft:
 * offline_access (a refresh token), Calendars.ReadWrite, User.Read (the
 * address). Google's access_type=offline + prompt=consent return a refresh
 * token on every consent. */
#define GOOGLE_SCOPE                                                                               \
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly "                              \
    "https://www.googleapis.com/auth/calendar.events"
#define MS_SCOPE "offline_access Calendars.ReadWrite User.Read"

/* Fills A->providers from CFG; the derived URLs live in A->provider_strings. */
static int providers_load(app *a, const tripod_config *cfg)
{
    const char *pub = cfg->public_url ? cfg->public_url : "";
    size_t pl = strlen(pub);
    while (pl > 0 && pub[pl - 1] == '/')
        pl--;
    size_t n = 4 * (pl + strlen(cfg->ms_login_url) + strlen(cfg->ms_tenant) + 64);
    char *buf = malloc(n), *p = buf;
    if (!buf) return -1;
    a->provider_strings = buf;
#define PUT(dst, ...)                                                                              \
    do {                                                                                           \
        dst = p;                                                                                   \
        p += snprintf(p, n - (size_t)(p - buf), __VA_ARGS__) + 1;                                  \
    } while (0)
    oauth_provider *g = &a->providers.google, *m = &a->providers.microsoft;
    *g = (oauth_provider){.name = "google",
                          .label = "Google",
                          .client_id = cfg->google_client_id,
                          .client_secret = cfg->google_client_secret,
                          .auth_url = cfg->google_auth_url,
                          .token_url = cfg->google_token_url,
                          .api_url = cfg->google_api_url,
                          .scope = GOOGLE_SCOPE,
                          .auth_extra = "access_type=offline&prompt=consent"};
    *m = (oauth_provider){.name = "microsoft",
                          .label = "Microsoft 365",
                          .client_id = cfg->ms_client_id,
                          .client_secret = cfg->ms_client_secret,
                          .api_url = cfg->ms_graph_url,
                          .scope = MS_SCOPE,
                          .auth_extra = "response_mode=query&prompt=select_account"};
    PUT(g->redirect_uri, "%.*s/oauth/google/callback", (int)pl, pub);
    PUT(m->redirect_uri, "%.*s/oauth/microsoft/callback", (int)pl, pub);
    PUT(m->auth_url, "%s/%s/oauth2/v2.0/authorize", cfg->ms_login_url, cfg->ms_tenant);
    PUT(m->token_url, "%s/%s/oauth2/v2.0/token", cfg->ms_login_url, cfg->ms_tenant);
#undef PUT
    return 0;
}

int app_open(app *a, const tripod_config *cfg, store *db, const char *data_dir, char *err,
             size_t errlen)
{
    memset(a, 0, sizeof *a);
    a->cfg = cfg;
    a->db = db;
    a->data_dir = data_dir;
    if (secret_key_load(data_dir, a->secret_key, err, errlen) != 0) return -1;
    if (providers_load(a, cfg) != 0) {
        snprintf(err, errlen, "out of memory");
        sodium_memzero(a->secret_key, sizeof a->secret_key);
        return -1;
    }
    if (!(a->snaps = snapshot_cache_new(db))) {
        snprintf(err, errlen, "out of memory");
        sodium_memzero(a->secret_key, sizeof a->secret_key);
        free(a->provider_strings);
        return -1;
    }
    return 0;
}

void app_close(app *a)
{
    app_workers_stop(a);
    snapshot_cache_free(a->snaps);
    a->snaps = NULL;
    free(a->provider_strings);
    a->provider_strings = NULL;
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
