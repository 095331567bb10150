/* accounts.c — connecting calendar accounts over OAuth 2.0 (accounts.h):
 * the authorization code flow with state and PKCE S256, the callback, the
 * accounts and their calendars, staff connect links. */
#include "app/accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/secret.h"
#include "app/validate.h"
#include "app/workers.h"
#include "cal/google.h"
#include "cal/graph.h"

/* OWNER ("business" or a staff id) checked and written as text into OUT. */
static int owner_text(store_conn *c, const json_t *owner, char out[24], outcome *o)
{
    int64_t id;
    char *doc = NULL;
    val_error e;
    if (json_is_string(owner) && strcmp(json_string_value(owner), "business") == 0) {
        snprintf(out, 24, "business");
        return 0;
    }
    if (val_id(owner, "owner", &id, &e) == 0) {
        int rc = store_doc_get(c, STORE_STAFF, id, &doc);
        free(doc);
        if (rc == STORE_OK) {
            snprintf(out, 24, "%lld", (long long)id);
            return 0;
        }
        if (rc != STORE_NOTFOUND) return outcome_store(o, rc, NULL);
        return outcome_fail(o, OUT_INVALID, "validation", "owner",
                            "staff member %lld does not exist", (long long)id);
    }
    return outcome_fail(o, OUT_INVALID, "validation", "owner",
                        "owner must be \"business\" or a staff id");
}

static const oauth_provider *provider_of(app *a, const char *name, outcome *o)
{
    if (calsrc_provider_kind(name) < 0) {
        outcome_fail(o, OUT_NOT_FOUND, "not_found", NULL,
                     "unknown provider: use google or microsoft");
        return NULL;
    }
    const oauth_provider *p = oauth_provider_find(&a->providers, name);
    if (!p)
        outcome_fail(o, OUT_CONFLICT, "provider_not_configured", NULL,
                     "%s is not set up on this server: set %s (see README)",
                     strcmp(name, "google") == 0 ? "Google" : "Microsoft 365",
                     strcmp(name, "google") == 0 ? "TRIPOD_GOOGLE_CLIENT_ID and _SECRET"
                                                 : "TRIPOD_MS_CLIENT_ID and _SECRET");
    return p;
}

/* Stores a new state for P, OWNER and LINK_HASH (NULL: the console), and
 * the authorization URL into *URL. */
static int start_flow(app *a, store_conn *c, const oauth_provider *p, const char *owner,
                      const char *link_hash, char **url, outcome *o)
{
    char state[48], verifier[48], challenge[48], hash[65];
    store_oauth_state st;
    memset(&st, 0, sizeof st);
    oauth_random(state);
    oauth_pkce(verifier, challenge);
    oauth_hash_hex(state, hash);
    snprintf(st.provider, sizeof st.provider, "%s", p->name);
    snprintf(st.owner, sizeof st.owner, "%s", owner);
    snprintf(st.link_hash, sizeof st.link_hash, "%s", link_hash ? link_hash : "");
    st.expires_at = app_now(a) + ACCOUNTS_STATE_TTL_S;
    st.verifier_sealed = secret_seal(a->secret_key, verifier);
    int rc = st.verifier_sealed ? store_oauth_state_put(c, hash, &st) : STORE_ERROR;
    *url = rc == STORE_OK ? oauth_authorize_url(p, state, challenge) : NULL;
    free(st.verifier_sealed);
    memset(verifier, 0, sizeof verifier);
    if (rc != STORE_OK) return outcome_store(o, rc, NULL);
    if (!*url) return outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
    return 0;
}

int accounts_start(app *a, const char *provider, const json_t *owner, char **url, outcome *o)
{
    char who[24];
    *url = NULL;
    const oauth_provider *p = provider_of(a, provider, o);
    if (!p) return -1;
    store_conn *c = app_conn(a, o);
    if (!c) return -1;
    int rc = owner_text(c, owner, who, o) == 0 ? start_flow(a, c, p, who, NULL, url, o) : -1;
    store_release(c);
    return rc;
}

/* A session on the freshly granted token (no stored account yet). */
static void fresh_session(app *a, const oauth_provider *p, char *token, oauth_env *env,
                          calsrc_opener *op, provider_session *s)
{
    *op = app_opener(a);
    *env = (oauth_env){a->db, op, a->cfg->sync_timeout_s, {NULL, NULL}};
    memset(s, 0, sizeof *s);
    s->env = env;
    s->p = p;
    s->now = app_now(a);
    s->token = token;
}

/* The account's calendars and address, read with session S. */
static int read_calendars(provider_session *s, json_t **cals, char **email, char *err,
                          size_t errlen)
{
    if (strcmp(s->p->name, "google") == 0) return google_calendars(s, cals, email, err, errlen);
    return graph_calendars(s, cals, email, err, errlen);
}

/* A staff link: their primary provider calendar becomes their calendar
 * unless they have one of this account already. *CAL gets its id. */
static int link_calendar(store_conn *c, const char *provider, const char *owner, int64_t account,
                         const json_t *cals, int64_t *cal)
{
    size_t i;
    const json_t *x, *pick = NULL;
    json_array_foreach(cals, i, x)
    {
        if (json_is_true(json_object_get(x, "primary")) || !pick) pick = x;
        if (json_is_true(json_object_get(x, "primary"))) break;
    }
    *cal = 0;
    if (!pick) return STORE_OK;
    char acc[24];
    snprintf(acc, sizeof acc, "%lld", (long long)account);
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:O, s:b}", "owner", owner, "kind", provider, "account", acc,
                  "remote_id", json_object_get(pick, "remote_id"), "primary", 0);
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    int rc = text ? store_doc_insert(c, STORE_CALENDAR, text, cal) : STORE_ERROR;
    free(text);
    json_decref(doc);
    return rc;
}

int accounts_callback(app *a, const char *provider, const char *code, const char *state,
                      const char *error, accounts_done *done, outcome *o)
{
    char hash[65], err[512];
    store_oauth_state st;
    oauth_grant g;
    char *verifier = NULL, *email = NULL, *access_sealed = NULL, *refresh_sealed = NULL;
    json_t *cals = NULL;
    int rc = -1;
    memset(done, 0, sizeof *done);
    memset(&g, 0, sizeof g);
    memset(&st, 0, sizeof st);
    if (!state || !*state || strlen(state) > 200)
        return outcome_fail(o, OUT_BAD_REQUEST, "invalid_state", NULL,
                            "this sign-in link is not valid: start connecting again");
    store_conn *c = app_conn(a, o);
    if (!c) return -1;
    oauth_hash_hex(state, hash);
    int src = store_oauth_state_take(c, hash, app_now(a), &st);
    store_release(c); /* not held through the calls to the provider below */
    c = NULL;
    if (src != STORE_OK || !provider || strcmp(provider, st.provider) != 0) {
        if (src == STORE_OK || src == STORE_NOTFOUND)
            outcome_fail(o, OUT_BAD_REQUEST, "invalid_state", NULL,
                         "this sign-in was already used, has expired or is not ours: start "
                         "connecting again");
        else
            outcome_store(o, src, NULL);
        goto out;
    }
    done->via_link = st.link_hash[0] != '\0';
    snprintf(done->provider, sizeof done->provider, "%s", st.provider);
    const oauth_provider *p = provider_of(a, st.provider, o);
    if (!p) goto out;
    if (error && *error) {
        outcome_fail(o, OUT_BAD_REQUEST, "access_denied", NULL,
                     "%s did not grant access (%.60s): nothing was connected", p->label, error);
        goto out;
    }
    if (!code || !*code || strlen(code) > 4096) {
        outcome_fail(o, OUT_BAD_REQUEST, "invalid_request", NULL, "the provider sent no code");
        goto out;
    }
    if (!(verifier = secret_open(a->secret_key, st.verifier_sealed))) {
        outcome_fail(o, OUT_INTERNAL, "internal", NULL, "the sign-in cannot be completed");
        goto out;
    }
    int ex = oauth_exchange(p, code, verifier, a->cfg->sync_timeout_s, &g, err, sizeof err);
    if (ex != 0) {
        outcome_fail(o, OUT_UPSTREAM, "oauth_failed", NULL, "%s", err);
        goto out;
    }
    oauth_env env;
    calsrc_opener op;
    provider_session s;
    fresh_session(a, p, g.access, &env, &op, &s);
    if (read_calendars(&s, &cals, &email, err, sizeof err) != 0) {
        outcome_fail(o, OUT_UPSTREAM, "provider_failed", NULL, "%s", err);
        goto out;
    }
    store_account acc;
    memset(&acc, 0, sizeof acc);
    snprintf(acc.provider, sizeof acc.provider, "%s", st.provider);
    snprintf(acc.owner, sizeof acc.owner, "%s", st.owner);
    acc.email = email;
    acc.access_sealed = access_sealed = secret_seal(a->secret_key, g.access);
    acc.refresh_sealed = refresh_sealed = g.refresh ? secret_seal(a->secret_key, g.refresh) : NULL;
    acc.expires_at = app_now(a) + g.expires_in;
    if (!access_sealed || (g.refresh && !refresh_sealed)) {
        outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
        goto out;
    }
    if (!(c = app_conn(a, o))) goto out;
    int wr = store_begin(c, STORE_WRITE);
    if (wr == STORE_OK) wr = store_account_upsert(c, &acc, app_now(a));
    if (wr == STORE_OK && done->via_link) {
        wr = store_connect_link_use(c, st.link_hash, acc.id);
        if (wr == STORE_NOTFOUND) {
            store_rollback(c);
            outcome_fail(o, OUT_CONFLICT, "link_used", NULL,
                         "this connect link was used already; ask for a new one");
            goto out;
        }
        if (wr == STORE_OK)
            wr = link_calendar(c, st.provider, st.owner, acc.id, cals, &done->calendar);
    }
    if (wr == STORE_OK) wr = store_commit(c);
    if (wr != STORE_OK) {
        store_rollback(c);
        outcome_store(o, wr, NULL);
        goto out;
    }
    done->account = acc.id;
    if (done->calendar) {
        app_wrote(a);
        app_workers_wake_sync(a);
    }
    rc = 0;
out:
    oauth_wipe(verifier);
    oauth_grant_clear(&g);
    free(access_sealed);
    free(refresh_sealed);
    free(email);
    json_decref(cals);
    store_oauth_state_clear(&st);
    store_release(c);
    return rc;
}

static int list_row(void *ctx, const store_account *acc)
{
    json_t *arr = ctx;
    return json_array_append_new(
               arr, json_pack("{s:o, s:s, s:s, s:s, s:s, s:o}", "id", val_id_json(acc->id),
                              "provider", acc->provider, "email", acc->email, "owner", acc->owner,
                              "state", acc->state, "error",
                              acc->error ? json_string(acc->error) : json_null())) == 0
               ? 0
               : 100;
}

json_t *accounts_list(app *a, outcome *o)
{
    json_t *arr = json_array();
    store_conn *c = arr ? app_conn(a, o) : NULL;
    int rc = c ? store_account_list(c, list_row, arr) : STORE_ERROR;
    store_release(c);
    if (rc != STORE_OK) {
        json_decref(arr);
        if (c) outcome_store(o, rc, NULL);
        return NULL;
    }
    return arr;
}

json_t *accounts_calendars(app *a, int64_t id, outcome *o)
{
    char err[512], *email = NULL;
    json_t *cals = NULL;
    calsrc_opener op = app_opener(a);
    oauth_env env = {a->db, &op, a->cfg->sync_timeout_s, {NULL, NULL}};
    provider_session s;
    store_account acc;
    store_conn *c = app_conn(a, o);
    if (!c) return NULL;
    int rc = store_account_get(c, id, &acc);
    store_release(c);
    if (rc != STORE_OK) {
        outcome_store(o, rc, "account");
        return NULL;
    }
    store_account_clear(&acc);
    if (provider_open(&s, &env, id, app_now(a), err, sizeof err) != 0 ||
        read_calendars(&s, &cals, &email, err, sizeof err) != 0)
        outcome_fail(o, OUT_UPSTREAM, "provider_failed", NULL, "%s", err);
    provider_close(&s);
    free(email);
    return cals;
}

int accounts_disconnect(app *a, int64_t id, outcome *o)
{
    int64_t *cals = NULL;
    size_t ncals = 0;
    store_conn *c = app_conn(a, o);
    if (!c) return -1;
    int rc = store_begin(c, STORE_WRITE);
    if (rc == STORE_OK) rc = calsrc_account_ids(c, id, &cals, &ncals);
    for (size_t i = 0; rc == STORE_OK && i < ncals; i++) {
        rc = store_busy_replace(c, cals[i], NULL, 0);
        if (rc == STORE_OK) rc = store_doc_delete(c, STORE_CALENDAR, cals[i]);
    }
    free(cals);
    if (rc == STORE_OK) rc = store_account_delete(c, id);
    if (rc == STORE_OK) rc = store_commit(c);
    if (rc != STORE_OK) store_rollback(c);
    store_release(c);
    if (rc != STORE_OK) return outcome_store(o, rc, "account");
    app_wrote(a);
    return 0;
}

json_t *accounts_link_create(app *a, int64_t staff, outcome *o)
{
    char token[48], hash[65], url[600], when[32];
    char *doc = NULL;
    store_conn *c = app_conn(a, o);
    if (!c) return NULL;
    tp_time now = app_now(a), expires = now + ACCOUNTS_LINK_TTL_S;
    int rc = store_doc_get(c, STORE_STAFF, staff, &doc);
    free(doc);
    oauth_random(token);
    oauth_hash_hex(token, hash);
    if (rc == STORE_OK) rc = store_connect_link_put(c, hash, staff, expires, now);
    store_release(c);
    if (rc != STORE_OK) {
        outcome_store(o, rc, "staff member");
        return NULL;
    }
    const char *pub = a->cfg->public_url ? a->cfg->public_url : "";
    size_t pl = strlen(pub);
    while (pl && pub[pl - 1] == '/')
        pl--;
    snprintf(url, sizeof url, "%.*s/connect/%s", (int)(pl > 400 ? 400 : pl), pub, token);
    memset(token, 0, sizeof token);
    const tz_zone *utc = tz_zone_get("UTC");
    json_t *out = json_pack("{s:s, s:s}", "url", url, "expires",
                            utc ? tz_format_rfc3339(utc, expires, when, sizeof when) : "");
    memset(url, 0, sizeof url);
    return out;
}

/* Link TOKEN's staff member and state; O set (404/410) when unusable. */
static int link_load(app *a, store_conn *c, const char *token, char hash[65], int64_t *staff,
                     tp_time *expires, int64_t *account, outcome *o)
{
    if (!token || !*token || strlen(token) > 100)
        return outcome_fail(o, OUT_NOT_FOUND, "not_found", NULL, "no such connect link");
    oauth_hash_hex(token, hash);
    int rc = store_connect_link_get(c, hash, staff, expires, account);
    if (rc == STORE_NOTFOUND)
        return outcome_fail(o, OUT_NOT_FOUND, "not_found", NULL, "no such connect link");
    if (rc != STORE_OK) return outcome_store(o, rc, NULL);
    if (*expires < app_now(a))
        return outcome_fail(o, OUT_CONFLICT, "link_expired", NULL,
                            "this connect link has expired: ask for a new one");
    return 0;
}

json_t *accounts_link_view(app *a, const char *token, outcome *o)
{
    char hash[65], when[32], *doc = NULL;
    int64_t staff, account;
    tp_time expires;
    json_t *out = NULL, *sdoc = NULL;
    store_conn *c = app_conn(a, o);
    if (!c) return NULL;
    if (link_load(a, c, token, hash, &staff, &expires, &account, o) != 0) goto out;
    if (store_doc_get(c, STORE_STAFF, staff, &doc) != STORE_OK ||
        !(sdoc = json_loads(doc, 0, NULL))) {
        outcome_fail(o, OUT_NOT_FOUND, "not_found", NULL, "no such connect link");
        goto out;
    }
    const tz_zone *utc = tz_zone_get("UTC");
    json_t *providers = json_array();
    if (oauth_provider_find(&a->providers, "google"))
        json_array_append_new(providers, json_string("google"));
    if (oauth_provider_find(&a->providers, "microsoft"))
        json_array_append_new(providers, json_string("microsoft"));
    json_t *connected = json_null();
    store_account acc;
    if (account && store_account_get(c, account, &acc) == STORE_OK) {
        json_decref(connected);
        connected = json_pack("{s:s, s:s}", "provider", acc.provider, "email", acc.email);
        store_account_clear(&acc);
    }
    const char *name = json_string_value(json_object_get(sdoc, "name"));
    out = json_pack("{s:{s:o, s:s}, s:s, s:o, s:o}", "staff", "id", val_id_json(staff), "name",
                    name ? name : "", "expires",
                    utc ? tz_format_rfc3339(utc, expires, when, sizeof when) : "", "providers",
                    providers, "connected", connected);
    if (!out) outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
out:
    free(doc);
    json_decref(sdoc);
    store_release(c);
    return out;
}

int accounts_link_start(app *a, const char *token, const char *provider, char **url, outcome *o)
{
    char hash[65], owner[24];
    int64_t staff, account;
    tp_time expires;
    *url = NULL;
    const oauth_provider *p = provider_of(a, provider, o);
    if (!p) return -1;
    store_conn *c = app_conn(a, o);
    if (!c) return -1;
    int rc = link_load(a, c, token, hash, &staff, &expires, &account, o);
    if (rc == 0 && account)
        rc = outcome_fail(o, OUT_CONFLICT, "link_used", NULL,
                          "this connect link was used already; ask for a new one");
    if (rc == 0) {
        snprintf(owner, sizeof owner, "%lld", (long long)staff);
        rc = start_flow(a, c, p, owner, hash, url, o);
    }
    store_release(c);
    return rc;
}
