/* calendars.c — CRUD of /calendars: connected CalDAV collections, ICS feeds,
 * and Google / Microsoft 365 calendars of connected accounts (account +
 * remote_id), of the business or a staff member. Passwords are write-only and
 * kept sealed (secret.h); only one calendar, the business's, is primary. Also
 * sync now and discovery of a CalDAV account's calendars. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "app/workers.h"
#include "api/crud.h"
#include "app/calendar_discover.h"
#include "app/secret.h"
#include "app/settings.h"
#include "app/validate.h"
#include "cal/calsrc.h"

static int cal_owner(store_conn *c, const json_t *in, json_t *out, val_error *e)
{
    int64_t id;
    const json_t *v = json_object_get(in, "owner");
    if (json_is_string(v) && strcmp(json_string_value(v), "business") == 0) {
        json_object_set_new(out, "owner", json_string("business"));
        return 0;
    }
    if (val_id(v, "owner", &id, e) != 0)
        return val_fail(e, "owner", "must be \"business\" or a staff id");
    int rc = crud_refs_exist(c, STORE_STAFF, &id, 1, "owner", "staff member", e);
    if (rc == 0) json_object_set_new(out, "owner", val_id_json(id));
    return rc;
}

static int cal_url(const json_t *in, json_t *out, val_error *e)
{
    const char *url;
    if (val_string(json_object_get(in, "url"), "url", 2000, 0, &url, e) != 0) return CRUD_INVALID;
    size_t scheme = strncmp(url, "https://", 8) == 0 ? 8 : strncmp(url, "http://", 7) == 0 ? 7 : 0;
    if (!scheme || !url[scheme] || url[scheme] == '/' || strpbrk(url, " \t\r\n"))
        return val_fail(e, "url", "must be an http:// or https:// URL");
    json_object_set_new(out, "url", json_string(url));
    return 0;
}

/* username (optional) and the write-only password: a new one is sealed, a
 * missing one keeps the stored one, null removes it. */
static int cal_credentials(const api_req *req, const json_t *in, const json_t *old, json_t *out,
                           val_error *e)
{
    const char *s;
    const json_t *user = json_object_get(in, "username");
    const json_t *pass = json_object_get(in, "password");
    if (user && !json_is_null(user)) {
        if (val_string(user, "username", 200, 1, &s, e) != 0) return CRUD_INVALID;
        json_object_set_new(out, "username", json_string(s));
    } else {
        json_object_set_new(out, "username", json_null());
    }
    if (!pass) {
        json_t *sealed = old ? json_object_get(old, "_password") : NULL;
        if (sealed) json_object_set(out, "_password", sealed);
        return 0;
    }
    if (json_is_null(pass)) return 0;
    if (val_string(pass, "password", 1000, 0, &s, e) != 0) return CRUD_INVALID;
    char *sealed = secret_seal(req->app->secret_key, s);
    if (!sealed) return STORE_ERROR;
    json_object_set_new(out, "_password", json_string(sealed));
    free(sealed);
    return 0;
}

/* Collected first, rewritten after the walk: ids of other primary calendars
 * (there is at most one; the bound only guards against a corrupt table). */
typedef struct {
    int64_t self;
    int64_t ids[64];
    size_t n;
} cal_primary_ctx;

static int cal_primary_cb(void *ctx, int64_t id, const char *json)
{
    cal_primary_ctx *x = ctx;
    json_t *doc = json_loads(json, 0, NULL);
    if (id != x->self && json_is_true(json_object_get(doc, "primary")) &&
        x->n < sizeof x->ids / sizeof x->ids[0])
        x->ids[x->n++] = id;
    json_decref(doc);
    return 0;
}

/* Clears the primary flag of every calendar but SELF (0 on create). */
static int cal_clear_primary(store_conn *c, int64_t self)
{
    cal_primary_ctx x = {.self = self};
    int rc = store_doc_list(c, STORE_CALENDAR, cal_primary_cb, &x);
    for (size_t i = 0; rc == STORE_OK && i < x.n; i++) {
        char *text = NULL;
        if ((rc = store_doc_get(c, STORE_CALENDAR, x.ids[i], &text)) != STORE_OK) break;
        json_t *doc = json_loads(text, 0, NULL);
        free(text);
        json_object_set_new(doc, "primary", json_false());
        text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        rc = text ? store_doc_update(c, STORE_CALENDAR, x.ids[i], text) : STORE_ERROR;
        free(text);
        json_decref(doc);
    }
    return rc;
}

/* A Google or Microsoft 365 calendar: ACCOUNT (a connected account of
 * that provider) and REMOTE_ID (the provider's calendar id). */
static int cal_provider(store_conn *c, const char *kind, const json_t *in, json_t *out,
                        val_error *e)
{
    int64_t id;
    const char *remote;
    store_account acc;
    if (val_id(json_object_get(in, "account"), "account", &id, e) != 0) return CRUD_INVALID;
    int rc = store_account_get(c, id, &acc);
    if (rc == STORE_NOTFOUND)
        return val_fail(e, "account", "account %lld is not connected", (long long)id);
    if (rc != STORE_OK) return rc;
    int same = strcmp(acc.provider, kind) == 0;
    store_account_clear(&acc);
    if (!same)
        return val_fail(e, "account", "account %lld is not a %s account", (long long)id, kind);
    if (val_string(json_object_get(in, "remote_id"), "remote_id", 1024, 0, &remote, e) != 0)
        return CRUD_INVALID;
    json_object_set_new(out, "account", val_id_json(id));
    json_object_set_new(out, "remote_id", json_string(remote));
    return 0;
}

static int cal_check(const api_req *req, store_conn *c, const json_t *in, const json_t *old,
                     json_t **out, val_error *e)
{
    int primary = 0;
    *out = json_object();
    if (val_known_keys(in, NULL,
                       (const char *const[]){"owner", "kind", "url", "username", "password",
                                             "primary", "last_sync", "last_error", "last_attempt",
                                             "has_password", "events", "account", "remote_id",
                                             NULL},
                       e))
        return CRUD_INVALID;
    int rc = cal_owner(c, in, *out, e);
    if (rc != 0) return rc;
    const json_t *kind = json_object_get(in, "kind");
    const char *k = json_string_value(kind);
    int provider = calsrc_provider_kind(k) >= 0;
    if (!k || (strcmp(k, "caldav") != 0 && strcmp(k, "ics") != 0 && !provider))
        return val_fail(e, "kind", "must be \"caldav\", \"ics\", \"google\" or \"microsoft\"");
    json_object_set(*out, "kind", (json_t *)kind);
    if (provider) {
        if ((rc = cal_provider(c, k, in, *out, e)) != 0) return rc;
    } else if ((rc = cal_url(in, *out, e)) != 0 ||
               (rc = cal_credentials(req, in, old, *out, e)) != 0) {
        return rc;
    }
    const json_t *p = json_object_get(in, "primary");
    if (p && !json_is_null(p) && val_bool(p, "primary", &primary, e) != 0) return CRUD_INVALID;
    if (primary && strcmp(json_string_value(json_object_get(*out, "owner")), "business") != 0)
        return val_fail(e, "primary",
                        "only a calendar of the business (owner \"business\") can be primary");
    json_object_set_new(*out, "primary", json_boolean(primary));
    if (primary) return cal_clear_primary(c, old ? documents_id(old) : 0);
    return 0;
}

/* TIME as RFC 3339 in zone TZ, or null when 0 (never). New reference. */
static json_t *cal_time(const tz_zone *tz, tp_time t)
{
    char buf[32];
    return t ? json_string(tz_format_rfc3339(tz, t, buf, sizeof buf)) : json_null();
}

/* Adds the sync bookkeeping (times in the business zone); the sealed
 * password is never shown, only whether there is one. */
static int cal_present(const api_req *req, store_conn *c, json_t *doc)
{
    store_calstate st;
    int has_password = json_object_get(doc, "_password") != NULL;
    (void)req;
    json_t *settings = settings_effective(c);
    const tz_zone *tz = tz_zone_get(json_string_value(json_object_get(settings, "timezone")));
    json_decref(settings);
    if (!tz && !(tz = tz_zone_get("UTC"))) return STORE_ERROR;
    int rc = store_calstate_get(c, documents_id(doc), &st);
    if (rc == STORE_OK) {
        json_object_del(doc, "_password");
        json_object_set_new(doc, "has_password", json_boolean(has_password));
        json_object_set_new(doc, "last_sync", cal_time(tz, st.last_sync));
        json_object_set_new(doc, "last_attempt", cal_time(tz, st.last_attempt));
        json_object_set_new(doc, "last_error",
                            st.last_error ? json_string(st.last_error) : json_null());
        json_object_set_new(doc, "events", json_integer(st.events));
        store_calstate_clear(&st);
    }
    return rc;
}

static int cal_deleting(store_conn *c, int64_t id)
{
    return store_busy_replace(c, id, NULL, 0);
}

static const crud_kind cal_kind = {STORE_CALENDAR, "calendar", cal_check,   NULL,
                                   cal_present,    NULL,       cal_deleting};

static void cal_list(api_req *req, api_res *res)
{
    crud_list(req, res, &cal_kind);
}
static void cal_get(api_req *req, api_res *res)
{
    crud_get(req, res, &cal_kind);
}
/* A calendar just connected or changed is read at once, not at the next
 * interval, so its busy time (or its error) shows without waiting. */
static void sync_soon(const api_req *req, const api_res *res)
{
    if (res->status >= 200 && res->status < 300) app_workers_wake_sync(req->app);
}
static void cal_create(api_req *req, api_res *res)
{
    crud_create(req, res, &cal_kind);
    sync_soon(req, res);
}
static void cal_replace(api_req *req, api_res *res)
{
    crud_replace(req, res, &cal_kind);
    sync_soon(req, res);
}
static void cal_patch(api_req *req, api_res *res)
{
    crud_patch(req, res, &cal_kind);
    sync_soon(req, res);
}
static void cal_delete(api_req *req, api_res *res)
{
    crud_delete(req, res, &cal_kind);
}

/* POST /calendars/{id}/sync: 200 {id, events, unchanged, last_error: null,
 * mode, changed, deleted, fallback}; 502 sync_failed with the reason, 404
 * for an unknown calendar, 409 sync_in_progress when another sync of it did
 * not finish within 30 s. */
static void cal_sync(api_req *req, api_res *res)
{
    int64_t id;
    sync_result out;
    outcome o = {0};
    if (val_id_text(req->params[0], &id) != 0) {
        api_store_error(res, STORE_NOTFOUND);
        return;
    }
    if (app_sync_now(req->app, id, &out, &o) != 0) {
        api_outcome(res, &o);
        return;
    }
    api_json(res, 200,
             json_pack("{s:I, s:I, s:b, s:n, s:s, s:I, s:I, s:o}", "id", (json_int_t)id, "events",
                       (json_int_t)out.events, "unchanged", out.unchanged, "last_error", "mode",
                       out.mode, "changed", (json_int_t)out.changed, "deleted",
                       (json_int_t)out.deleted, "fallback",
                       out.fallback[0] ? json_string(out.fallback) : json_null()));
}

/* POST /calendars/discover {url, username, password}: 200 [{url, name,
 * can_write, color}] of the account's calendars that take events; 422 for
 * bad input, refused credentials or no CalDAV service; 502 when the server
 * failed. Nothing is stored. */
static void cal_discover(api_req *req, api_res *res)
{
    outcome o = {0};
    json_t *answer = NULL;
    json_t *body = api_body_object(req, res);
    if (!body) return;
    if (app_calendar_discover(req->app, body, &answer, &o) != 0)
        api_outcome(res, &o);
    else
        api_json(res, 200, answer);
    json_decref(body);
}

const api_route api_routes_calendars[] = {
    {"POST", "/api/v1/calendars/discover", API_ADMIN, cal_discover},
    {"GET", "/api/v1/calendars", API_ADMIN, cal_list},
    {"POST", "/api/v1/calendars", API_ADMIN, cal_create},
    {"GET", "/api/v1/calendars/{id}", API_ADMIN, cal_get},
    {"PUT", "/api/v1/calendars/{id}", API_ADMIN, cal_replace},
    {"PATCH", "/api/v1/calendars/{id}", API_ADMIN, cal_patch},
    {"DELETE", "/api/v1/calendars/{id}", API_ADMIN, cal_delete},
    {"POST", "/api/v1/calendars/{id}/sync", API_ADMIN, cal_sync},
    {0},
};
