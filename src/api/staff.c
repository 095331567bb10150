/* staff.c — CRUD of /staff (who goes on site: hours, exceptions, skills,
 * zones, home base, rank) and each member's private ICS feed of their shoots
 * (GET /staff/{id}/calendar.ics?key=…). The feed key is checked against its
 * hash and also kept sealed (app/secret.h), so the console can show the
 * link again (GET /staff/{id}/feed-key) and replace it (POST). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/crud.h"
#include "app/booking.h"
#include "app/secret.h"
#include "app/snapshot.h"
#include "app/validate.h"

/* Optional boolean FIELD (default DEF). */
static int staff_bool(const json_t *in, const char *field, int def, json_t *out, val_error *e)
{
    int b = def;
    const json_t *v = json_object_get(in, field);
    if (v && !json_is_null(v) && val_bool(v, field, &b, e) != 0) return CRUD_INVALID;
    json_object_set_new(out, field, json_boolean(b));
    return 0;
}

static int staff_home(const json_t *in, json_t *out, val_error *e)
{
    double lat, lon;
    const json_t *h = json_object_get(in, "home");
    if (!h || json_is_null(h)) {
        json_object_set_new(out, "home", json_null());
        return 0;
    }
    if (!json_is_object(h) ||
        val_known_keys(h, "home", (const char *const[]){"lat", "lon", NULL}, e))
        return json_is_object(h) ? CRUD_INVALID : val_fail(e, "home", "must be {lat, lon} or null");
    if (val_number(json_object_get(h, "lat"), "home.lat", -90, 90, &lat, e) != 0 ||
        val_number(json_object_get(h, "lon"), "home.lon", -180, 180, &lon, e) != 0)
        return CRUD_INVALID;
    json_object_set_new(out, "home", json_pack("{s:f, s:f}", "lat", lat, "lon", lon));
    return 0;
}

/* timezone (null = the business zone), hours (null = default hours), exceptions. */
static int staff_schedule(const json_t *in, json_t *out, val_error *e)
{
    avail_week w;
    avail_exception *ex = NULL;
    size_t n = 0;
    const json_t *tz = json_object_get(in, "timezone");
    const json_t *hours = json_object_get(in, "hours");
    const json_t *exc = json_object_get(in, "exceptions");
    if (tz && !json_is_null(tz) && val_timezone(tz, "timezone", e) != 0) return CRUD_INVALID;
    json_object_set_new(out, "timezone",
                        tz && !json_is_null(tz) ? json_incref((json_t *)tz) : json_null());
    if (hours && !json_is_null(hours)) {
        if (val_week(hours, "hours", &w, e) != 0) return CRUD_INVALID;
        json_object_set_new(out, "hours", val_week_json(&w));
    } else {
        json_object_set_new(out, "hours", json_null());
    }
    if (exc && !json_is_null(exc) && val_exceptions(exc, "exceptions", &ex, &n, e) != 0)
        return CRUD_INVALID;
    json_object_set_new(out, "exceptions", val_exceptions_json(ex, n));
    free(ex);
    return 0;
}

static int staff_check(const api_req *req, store_conn *c, const json_t *in, const json_t *old,
                       json_t **out, val_error *e)
{
    const char *name;
    int rank = 0;
    (void)req;
    *out = json_object();
    if (val_known_keys(in, NULL,
                       (const char *const[]){"name", "email", "timezone", "senior", "skills",
                                             "zones", "hours", "exceptions", "home", "rank",
                                             "active", NULL},
                       e))
        return CRUD_INVALID;
    if (val_string(json_object_get(in, "name"), "name", 200, 0, &name, e) != 0 ||
        val_email(json_object_get(in, "email"), "email", e) != 0)
        return CRUD_INVALID;
    json_object_set_new(*out, "name", json_string(name));
    json_object_set(*out, "email", json_object_get(in, "email"));
    const json_t *r = json_object_get(in, "rank");
    if (r && !json_is_null(r) && val_int(r, "rank", 0, 100000, &rank, e) != 0) return CRUD_INVALID;
    json_object_set_new(*out, "rank", json_integer(rank));
    int rc = staff_schedule(in, *out, e);
    if (rc == 0) rc = staff_home(in, *out, e);
    if (rc == 0) rc = staff_bool(in, "senior", 0, *out, e);
    if (rc == 0) rc = staff_bool(in, "active", 1, *out, e);
    if (rc == 0) rc = crud_ref_ids(c, in, "skills", STORE_SKILL, "skill", *out, e);
    if (rc == 0) rc = crud_ref_ids(c, in, "zones", STORE_ZONE, "zone", *out, e);
    for (const char *const *k = (const char *const[]){"_feed_key", "_feed_key_sealed", NULL}; *k;
         k++) {
        json_t *feed = old ? json_object_get(old, *k) : NULL;
        if (rc == 0 && feed) json_object_set(*out, *k, feed);
    }
    return rc;
}

static void staff_hash_hex(const char *key, char hex[65])
{
    uint8_t hash[32];
    crypto_hash_sha256(hash, (const unsigned char *)key, strlen(key));
    sodium_bin2hex(hex, 65, hash, sizeof hash);
}

/* The feed URL of staff member ID with KEY into URL (LEN bytes), on the host
 * the request came to. */
static void staff_feed_url(const api_req *req, int64_t id, const char *key, char *url, size_t len)
{
    const char *host = api_header(req, "Host");
    snprintf(url, len, "%s%.200s/api/v1/staff/%lld/calendar.ics?key=%s", host ? "http://" : "",
             host ? host : "", (long long)id, key);
}

/* A new feed key for staff member ID, whose document DOC (without "id") is
 * rewritten on C with the key's hash and sealed copy; the old key stops
 * working. Its URL into URL (LEN bytes). Returns the store's code. */
static int staff_feed_key_new(const api_req *req, store_conn *c, int64_t id, json_t *doc, char *url,
                              size_t len)
{
    uint8_t raw[32];
    char key[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    char hex[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(key, sizeof key, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    staff_hash_hex(key, hex);
    char *sealed = secret_seal(req->app->secret_key, key);
    json_object_set_new(doc, "_feed_key", json_string(hex));
    json_object_set_new(doc, "_feed_key_sealed", sealed ? json_string(sealed) : json_null());
    char *text = sealed ? documents_text(doc) : NULL;
    int rc = text ? store_doc_update(c, STORE_STAFF, id, text) : STORE_ERROR;
    staff_feed_url(req, id, key, url, len);
    sodium_memzero(key, sizeof key);
    sodium_memzero(raw, sizeof raw);
    free(sealed);
    free(text);
    return rc;
}

/* Creates the feed key with the member and answers its URL with the creation. */
static int staff_created(const api_req *req, store_conn *c, int64_t id, json_t *out)
{
    char url[512];
    json_t *doc = json_deep_copy(out);
    json_object_del(doc, "id");
    int rc = doc ? staff_feed_key_new(req, c, id, doc, url, sizeof url) : STORE_ERROR;
    if (rc == STORE_OK) json_object_set_new(out, "feed_url", json_string(url));
    json_decref(doc);
    return rc;
}

typedef struct {
    int found;
    char *msg;
    size_t len;
} staff_booking_ctx;

static int staff_booking_cb(void *ctx, const store_booking *b)
{
    staff_booking_ctx *x = ctx;
    snprintf(x->msg, x->len, "confirmed booking %lld (reassign it, or set active to false)",
             (long long)b->id);
    x->found = 1;
    return -1;
}

/* Staff are in use while a calendar belongs to them or a confirmed booking names them. */
static int staff_in_use(store_conn *c, int64_t id, char *msg, size_t len)
{
    int rc = crud_find_user(c, STORE_CALENDAR, "owner", id, "calendar", msg, len);
    if (rc != 0) return rc;
    staff_booking_ctx x = {0, msg, len};
    store_booking_filter f = {.staff = id, .status = "confirmed", .lean = 1};
    rc = store_booking_list(c, &f, staff_booking_cb, &x);
    if (x.found) return 1;
    return rc == STORE_OK ? 0 : STORE_ERROR;
}

static const crud_kind staff_kind = {STORE_STAFF, "staff member", staff_check, staff_in_use,
                                     NULL,        staff_created,  NULL};

static void staff_list(api_req *req, api_res *res)
{
    crud_list(req, res, &staff_kind);
}
static void staff_get(api_req *req, api_res *res)
{
    crud_get(req, res, &staff_kind);
}
static void staff_create(api_req *req, api_res *res)
{
    crud_create(req, res, &staff_kind);
}
static void staff_replace(api_req *req, api_res *res)
{
    crud_replace(req, res, &staff_kind);
}
static void staff_patch(api_req *req, api_res *res)
{
    crud_patch(req, res, &staff_kind);
}
static void staff_delete(api_req *req, api_res *res)
{
    crud_delete(req, res, &staff_kind);
}

/* ---- The ICS feed ---- */

static void staff_feed(api_req *req, api_res *res)
{
    int64_t id;
    int rc;
    char hex[65];
    const char *key = api_query(req, "key");
    if (val_id_text(req->params[0], &id) != 0) {
        api_error(res, 404, "not_found", "no such staff member", NULL);
        return;
    }
    store_conn *c = api_conn(req, res);
    if (!c) return;
    json_t *doc = documents_get(c, STORE_STAFF, id, &rc);
    const char *want = json_string_value(json_object_get(doc, "_feed_key"));
    if (rc != STORE_OK) {
        if (rc == STORE_NOTFOUND)
            api_error(res, 404, "not_found", "no such staff member", NULL);
        else
            api_store_error(res, rc);
        goto out;
    }
    if (key) staff_hash_hex(key, hex);
    if (!key || !want || sodium_memcmp(hex, want, 64) != 0) {
        api_error(res, 401, "unauthorized", "a valid feed key is required (?key=…)", "key");
        goto out;
    }
    char *text = NULL;
    outcome o = {0};
    if (booking_staff_feed(req->app, c, id, &text, &o) == 0) {
        api_json(res, 200, NULL);
        res->raw = text;
        res->raw_len = strlen(text);
        res->content_type = "text/calendar; charset=utf-8";
    } else {
        api_outcome(res, &o);
    }
out:
    json_decref(doc);
    store_release(c);
}

/* The stored document of the staff member in the path, or NULL with RES answered. */
static json_t *staff_doc(api_req *req, api_res *res, store_conn *c, int64_t *id)
{
    int rc;
    if (val_id_text(req->params[0], id) != 0) {
        api_error(res, 404, "not_found", "no such staff member", NULL);
        return NULL;
    }
    json_t *doc = documents_get(c, STORE_STAFF, *id, &rc);
    if (rc == STORE_NOTFOUND)
        api_error(res, 404, "not_found", "no such staff member", NULL);
    else if (rc != STORE_OK)
        api_store_error(res, rc);
    return doc;
}

/* GET /staff/{id}/feed-key → {url}: the member's current feed link; url is
 * null for a key made before keys were kept sealed (make a new one). */
static void staff_feed_key_get(api_req *req, api_res *res)
{
    int64_t id;
    char url[512];
    store_conn *c = api_conn(req, res);
    json_t *doc = c ? staff_doc(req, res, c, &id) : NULL;
    if (doc) {
        const char *sealed = json_string_value(json_object_get(doc, "_feed_key_sealed"));
        char *key = sealed ? secret_open(req->app->secret_key, sealed) : NULL;
        if (key) staff_feed_url(req, id, key, url, sizeof url);
        api_json(res, 200, json_pack("{s:o}", "url", key ? json_string(url) : json_null()));
        if (key) {
            sodium_memzero(key, strlen(key));
            free(key);
        }
    }
    json_decref(doc);
    store_release(c);
}

/* POST /staff/{id}/feed-key → {url}: a new feed link; the old one stops working. */
static void staff_feed_key_post(api_req *req, api_res *res)
{
    int64_t id;
    char url[512];
    store_conn *c = api_conn(req, res);
    int rc = c ? store_begin(c, STORE_WRITE) : STORE_ERROR;
    json_t *doc = rc == STORE_OK ? staff_doc(req, res, c, &id) : NULL;
    if (c && rc != STORE_OK) api_store_error(res, rc);
    if (doc) {
        json_object_del(doc, "id");
        rc = staff_feed_key_new(req, c, id, doc, url, sizeof url);
        if (rc == STORE_OK) rc = store_commit(c);
        if (rc == STORE_OK)
            api_json(res, 200, json_pack("{s:s}", "url", url));
        else
            api_store_error(res, rc);
    }
    if (c) store_rollback(c);
    json_decref(doc);
    store_release(c);
}

const api_route api_routes_staff[] = {
    {"GET", "/api/v1/staff", API_ADMIN, staff_list},
    {"POST", "/api/v1/staff", API_ADMIN, staff_create},
    {"GET", "/api/v1/staff/{id}", API_ADMIN, staff_get},
    {"PUT", "/api/v1/staff/{id}", API_ADMIN, staff_replace},
    {"PATCH", "/api/v1/staff/{id}", API_ADMIN, staff_patch},
    {"DELETE", "/api/v1/staff/{id}", API_ADMIN, staff_delete},
    {"GET", "/api/v1/staff/{id}/calendar.ics", API_PUBLIC, staff_feed},
    {"GET", "/api/v1/staff/{id}/feed-key", API_ADMIN, staff_feed_key_get},
    {"POST", "/api/v1/staff/{id}/feed-key", API_ADMIN, staff_feed_key_post},
    {0},
};
