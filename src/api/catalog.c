/* catalog.c — CRUD of /skills, /services, /packages and /zones: what each
 * document may hold (a service's or package's shoot window included), which
 * references must exist, and who blocks a delete; and GET /catalog, the
 * public view the agent pages read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/crud.h"
#include "app/shoot_window.h"
#include "app/snapshot.h"
#include "app/validate.h"
#include "core/geo.h"

#define CAT_MAX_TIERS 20
#define CAT_MAX_POSTAL 2000

/* {"name": …} common to every kind. */
static int cat_name(const json_t *in, json_t *out, val_error *e)
{
    const char *name;
    if (val_string(json_object_get(in, "name"), "name", 200, 0, &name, e) != 0) return CRUD_INVALID;
    json_object_set_new(out, "name", json_string(name));
    return 0;
}

/* duration_minutes: 5..1440, or null/missing = not schedulable. */
static int cat_duration(const json_t *in, json_t *out, val_error *e)
{
    int d;
    const json_t *v = json_object_get(in, "duration_minutes");
    if (!v || json_is_null(v)) {
        json_object_set_new(out, "duration_minutes", json_null());
        return 0;
    }
    if (val_int(v, "duration_minutes", 5, 1440, &d, e) != 0) return CRUD_INVALID;
    json_object_set_new(out, "duration_minutes", json_integer(d));
    return 0;
}

/* price: a whole number of minor units, or null/missing = no price. */
static int cat_price(const json_t *in, const char *field, json_t *out, val_error *e)
{
    int64_t v;
    const json_t *p = json_object_get(in, "price");
    if (!p || json_is_null(p)) return 0;
    if (val_price(p, field, &v, e) != 0) return CRUD_INVALID;
    json_object_set_new(out, "price", json_integer((json_int_t)v));
    return 0;
}

static int cat_check_skill(const api_req *req, store_conn *c, const json_t *in, const json_t *old,
                           json_t **out, val_error *e)
{
    (void)req, (void)c, (void)old;
    *out = json_object();
    if (val_known_keys(in, NULL, (const char *const[]){"name", NULL}, e) != 0) return CRUD_INVALID;
    return cat_name(in, *out, e);
}

static int cat_tiers(const json_t *in, json_t *out, val_error *e)
{
    char field[64];
    size_t i;
    json_t *t;
    int prev = 0;
    const json_t *v = json_object_get(in, "tiers");
    json_t *arr = json_array();
    json_object_set_new(out, "tiers", arr);
    if (!v || json_is_null(v)) return 0;
    if (!json_is_array(v))
        return val_fail(e, "tiers", "must be an array of {max_sqft, duration_minutes, price}");
    if (json_array_size(v) > CAT_MAX_TIERS)
        return val_fail(e, "tiers", "at most %d tiers", CAT_MAX_TIERS);
    json_array_foreach(v, i, t)
    {
        int sqft, d;
        snprintf(field, sizeof field, "tiers[%zu]", i);
        if (!json_is_object(t) ||
            val_known_keys(t, field,
                           (const char *const[]){"max_sqft", "duration_minutes", "price", NULL}, e))
            return json_is_object(t)
                       ? CRUD_INVALID
                       : val_fail(e, field, "must be {max_sqft, duration_minutes, price}");
        snprintf(field, sizeof field, "tiers[%zu].max_sqft", i);
        if (val_int(json_object_get(t, "max_sqft"), field, 1, 1000000, &sqft, e) != 0)
            return CRUD_INVALID;
        if (sqft <= prev) return val_fail(e, field, "tiers must be in ascending max_sqft order");
        snprintf(field, sizeof field, "tiers[%zu].duration_minutes", i);
        if (val_int(json_object_get(t, "duration_minutes"), field, 5, 1440, &d, e) != 0)
            return CRUD_INVALID;
        prev = sqft;
        json_t *tier = json_pack("{s:i, s:i}", "max_sqft", sqft, "duration_minutes", d);
        snprintf(field, sizeof field, "tiers[%zu].price", i);
        if (cat_price(t, field, tier, e) != 0) {
            json_decref(tier);
            return CRUD_INVALID;
        }
        json_array_append_new(arr, tier);
    }
    return 0;
}

/* window: null/missing = any time, else a shoot window (shoot_window.h) that
 * the item's shortest scheduled length (duration or tiers, in OUT) fits. */
static int cat_window(const json_t *in, json_t *out, val_error *e)
{
    avail_window w;
    size_t i;
    json_t *t;
    int shortest = (int)json_integer_value(json_object_get(out, "duration_minutes"));
    json_array_foreach(json_object_get(out, "tiers"), i, t)
    {
        int m = (int)json_integer_value(json_object_get(t, "duration_minutes"));
        if (shortest > 0 && m > 0 && m < shortest) shortest = m;
    }
    if (shoot_window_parse(json_object_get(in, "window"), "window", shortest, &w, e) != 0)
        return CRUD_INVALID;
    json_object_set_new(out, "window", shoot_window_json(&w));
    return 0;
}

static int cat_check_service(const api_req *req, store_conn *c, const json_t *in, const json_t *old,
                             json_t **out, val_error *e)
{
    (void)req, (void)old;
    *out = json_object();
    if (val_known_keys(in, NULL,
                       (const char *const[]){"name", "duration_minutes", "tiers", "skills", "price",
                                             "window", NULL},
                       e))
        return CRUD_INVALID;
    int rc = cat_name(in, *out, e);
    if (rc == 0) rc = cat_duration(in, *out, e);
    if (rc == 0) rc = cat_price(in, "price", *out, e);
    if (rc == 0) rc = cat_tiers(in, *out, e);
    if (rc == 0) rc = cat_window(in, *out, e);
    if (rc == 0) rc = crud_ref_ids(c, in, "skills", STORE_SKILL, "skill", *out, e);
    return rc;
}

static int cat_check_package(const api_req *req, store_conn *c, const json_t *in, const json_t *old,
                             json_t **out, val_error *e)
{
    int two = 0;
    (void)req, (void)old;
    *out = json_object();
    if (val_known_keys(in, NULL,
                       (const char *const[]){"name", "duration_minutes", "services", "skills",
                                             "two_photographers", "price", "window", NULL},
                       e))
        return CRUD_INVALID;
    const json_t *t = json_object_get(in, "two_photographers");
    int rc = cat_name(in, *out, e);
    if (rc == 0) rc = cat_duration(in, *out, e);
    if (rc == 0) rc = cat_price(in, "price", *out, e);
    if (rc == 0) rc = cat_window(in, *out, e);
    if (rc == 0) rc = crud_ref_ids(c, in, "services", STORE_SERVICE, "service", *out, e);
    if (rc == 0) rc = crud_ref_ids(c, in, "skills", STORE_SKILL, "skill", *out, e);
    if (rc == 0 && t && !json_is_null(t) && val_bool(t, "two_photographers", &two, e) != 0)
        rc = CRUD_INVALID;
    if (rc == 0) json_object_set_new(*out, "two_photographers", json_boolean(two));
    return rc;
}

static int cat_postal(const json_t *in, json_t *out, val_error *e)
{
    char field[48];
    size_t i;
    json_t *p;
    const json_t *v = json_object_get(in, "postal_codes");
    json_t *arr = json_array();
    json_object_set_new(out, "postal_codes", arr);
    if (!v || json_is_null(v)) return 0;
    if (!json_is_array(v)) return val_fail(e, "postal_codes", "must be an array of postal codes");
    if (json_array_size(v) > CAT_MAX_POSTAL)
        return val_fail(e, "postal_codes", "at most %d postal codes", CAT_MAX_POSTAL);
    json_array_foreach(v, i, p)
    {
        const char *s;
        snprintf(field, sizeof field, "postal_codes[%zu]", i);
        if (val_string(p, field, 16, 0, &s, e) != 0) return CRUD_INVALID;
        if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -") !=
            strlen(s))
            return val_fail(e, field, "may hold only letters, digits, spaces and hyphens");
        json_array_append_new(arr, json_string(s));
    }
    return 0;
}

static int cat_check_zone(const api_req *req, store_conn *c, const json_t *in, const json_t *old,
                          json_t **out, val_error *e)
{
    char err[256];
    (void)req, (void)c, (void)old;
    *out = json_object();
    if (val_known_keys(in, NULL, (const char *const[]){"name", "polygon", "postal_codes", NULL}, e))
        return CRUD_INVALID;
    int rc = cat_name(in, *out, e);
    if (rc == 0) rc = cat_postal(in, *out, e);
    if (rc != 0) return rc;
    const json_t *poly = json_object_get(in, "polygon");
    if (!poly || json_is_null(poly)) {
        json_object_set_new(*out, "polygon", json_null());
        if (json_array_size(json_object_get(*out, "postal_codes")) == 0)
            return val_fail(e, "polygon", "a zone needs a polygon or postal codes");
        return 0;
    }
    if (!json_is_object(poly))
        return val_fail(e, "polygon", "must be a GeoJSON Polygon object or null");
    char *text = json_dumps(poly, JSON_COMPACT);
    geo_polygon g = {0};
    snprintf(err, sizeof err, "out of memory");
    rc = text && geo_polygon_parse(text, &g, err, sizeof err) == 0 ? 0 : CRUD_INVALID;
    free(text);
    geo_polygon_free(&g);
    if (rc != 0) return val_fail(e, "polygon", "%s", err);
    json_object_set(*out, "polygon", (json_t *)poly);
    return 0;
}

static int cat_skill_in_use(store_conn *c, int64_t id, char *msg, size_t len)
{
    int rc = crud_find_user(c, STORE_SERVICE, "skills", id, "service", msg, len);
    if (rc == 0) rc = crud_find_user(c, STORE_PACKAGE, "skills", id, "package", msg, len);
    if (rc == 0) rc = crud_find_user(c, STORE_STAFF, "skills", id, "staff member", msg, len);
    return rc;
}

static int cat_service_in_use(store_conn *c, int64_t id, char *msg, size_t len)
{
    return crud_find_user(c, STORE_PACKAGE, "services", id, "package", msg, len);
}

static int cat_zone_in_use(store_conn *c, int64_t id, char *msg, size_t len)
{
    return crud_find_user(c, STORE_STAFF, "zones", id, "staff member", msg, len);
}

static const crud_kind cat_kinds[] = {
    {STORE_SKILL, "skill", cat_check_skill, cat_skill_in_use, NULL, NULL, NULL},
    {STORE_SERVICE, "service", cat_check_service, cat_service_in_use, NULL, NULL, NULL},
    {STORE_PACKAGE, "package", cat_check_package, NULL, NULL, NULL, NULL},
    {STORE_ZONE, "zone", cat_check_zone, cat_zone_in_use, NULL, NULL, NULL},
};

/* The kind named by the collection segment of the path ("/api/v1/<kind>s…"). */
static const crud_kind *cat_kind(const api_req *req)
{
    const char *seg = req->path + strlen("/api/v1/");
    for (size_t i = 0; i < sizeof cat_kinds / sizeof cat_kinds[0]; i++) {
        const char *t = store_kind_table(cat_kinds[i].kind);
        size_t n = strlen(t);
        if (strncmp(seg, t, n) == 0 && (seg[n] == '/' || seg[n] == '\0')) return &cat_kinds[i];
    }
    return &cat_kinds[0];
}

static void cat_list(api_req *req, api_res *res)
{
    crud_list(req, res, cat_kind(req));
}
static void cat_get(api_req *req, api_res *res)
{
    crud_get(req, res, cat_kind(req));
}
static void cat_create(api_req *req, api_res *res)
{
    crud_create(req, res, cat_kind(req));
}
static void cat_replace(api_req *req, api_res *res)
{
    crud_replace(req, res, cat_kind(req));
}
static void cat_patch(api_req *req, api_res *res)
{
    crud_patch(req, res, cat_kind(req));
}
static void cat_delete(api_req *req, api_res *res)
{
    crud_delete(req, res, cat_kind(req));
}

/* The public fields of the bookable documents of kind K: those with a
 * scheduling duration (requesting any other is refused anyway). FIELDS names
 * the members copied besides id, name, duration_minutes and a shoot window
 * (only when there is one). New reference,
 * or NULL with *RC set. */
static json_t *cat_public_list(store_conn *c, store_kind k, const char *const *fields, int *rc)
{
    size_t i;
    json_t *d;
    json_t *docs = documents_list(c, k, rc);
    json_t *out = docs ? json_array() : NULL;
    json_array_foreach(docs, i, d)
    {
        if (!json_is_integer(json_object_get(d, "duration_minutes"))) continue;
        json_t *o = json_object();
        json_object_set(o, "id", json_object_get(d, "id"));
        json_object_set(o, "name", json_object_get(d, "name"));
        json_object_set(o, "duration_minutes", json_object_get(d, "duration_minutes"));
        for (const char *const *f = fields; *f; f++) {
            json_t *v = json_object_get(d, *f);
            if (v) json_object_set(o, *f, v);
        }
        json_t *window = json_object_get(d, "window"); /* when the shoot may be, if limited */
        if (json_is_object(window)) json_object_set(o, "window", window);
        json_array_append_new(out, o);
    }
    json_decref(docs);
    return out;
}

/* GET /catalog: business name and contact, zone, clock (the server's now,
 * and clock_format when it is "24h"), booking rules, currency and country,
 * the map's tiles and whether addresses can be looked up, and the bookable
 * services and packages with their prices and shoot windows. Public: no
 * skills, zones or staff. */
static void cat_public(api_req *req, api_res *res)
{
    static const char *const svc_fields[] = {"tiers", "price", NULL};
    static const char *const pkg_fields[] = {"services", "two_photographers", "price", NULL};
    static const char *const contact[] = {"contact_email", "contact_phone", NULL};
    char now[32];
    int rc = STORE_OK;
    json_t *services = NULL, *packages = NULL;
    snapshot *m = snapshot_cache_get(req->app->snaps, app_now(req->app));
    store_conn *c = m ? api_conn(req, res) : NULL;
    if (!m) api_store_error(res, STORE_ERROR);
    if (!c) goto out;
    if (!(services = cat_public_list(c, STORE_SERVICE, svc_fields, &rc)) ||
        !(packages = cat_public_list(c, STORE_PACKAGE, pkg_fields, &rc))) {
        api_store_error(res, rc == STORE_OK ? STORE_ERROR : rc);
        goto out;
    }
    json_t *o = json_object();
    json_t *name = json_object_get(m->settings, "business_name");
    if (json_is_string(name)) json_object_set(o, "business_name", name);
    for (const char *const *k = contact; *k; k++) {
        json_t *v = json_object_get(m->settings, *k);
        if (json_is_string(v)) json_object_set(o, *k, v);
    }
    const tripod_config *cfg = req->app->cfg;
    json_object_set_new(o, "currency", json_string(m->currency));
    json_object_set_new(o, "country", json_string(m->country));
    json_object_set_new(o, "geocoder", json_boolean(cfg->geocoder_url && *cfg->geocoder_url));
    json_object_set_new(o, "tiles",
                        cfg->tile_url && *cfg->tile_url
                            ? json_pack("{s:s, s:s}", "url", cfg->tile_url, "attribution",
                                        cfg->tile_attribution ? cfg->tile_attribution : "")
                            : json_null());
    json_object_set_new(o, "timezone", json_string(tz_zone_name(m->rules.tz)));
    /* Like business_name, only when it differs from the default (12 h). */
    const char *clock = json_string_value(json_object_get(m->settings, "clock_format"));
    if (clock && strcmp(clock, "12h") != 0)
        json_object_set_new(o, "clock_format", json_string(clock));
    json_object_set_new(o, "now",
                        json_string(snapshot_time(m, app_now(req->app), now, sizeof now)));
    json_object_set_new(o, "min_notice_minutes", json_integer(m->rules.notice_min));
    json_object_set_new(o, "horizon_days", json_integer(m->rules.horizon_days));
    json_object_set_new(o, "integrated_booking", json_boolean(m->integrated_booking));
    json_object_set_new(o, "services", services);
    json_object_set_new(o, "packages", packages);
    services = packages = NULL;
    api_json(res, 200, o);
out:
    json_decref(services);
    json_decref(packages);
    store_release(c);
    snapshot_release(m);
}

const api_route api_routes_catalog[] = {
    {"GET", "/api/v1/catalog", API_PUBLIC, cat_public},
    {"GET", "/api/v1/skills", API_ADMIN, cat_list},
    {"POST", "/api/v1/skills", API_ADMIN, cat_create},
    {"GET", "/api/v1/skills/{id}", API_ADMIN, cat_get},
    {"PUT", "/api/v1/skills/{id}", API_ADMIN, cat_replace},
    {"PATCH", "/api/v1/skills/{id}", API_ADMIN, cat_patch},
    {"DELETE", "/api/v1/skills/{id}", API_ADMIN, cat_delete},
    {"GET", "/api/v1/services", API_ADMIN, cat_list},
    {"POST", "/api/v1/services", API_ADMIN, cat_create},
    {"GET", "/api/v1/services/{id}", API_ADMIN, cat_get},
    {"PUT", "/api/v1/services/{id}", API_ADMIN, cat_replace},
    {"PATCH", "/api/v1/services/{id}", API_ADMIN, cat_patch},
    {"DELETE", "/api/v1/services/{id}", API_ADMIN, cat_delete},
    {"GET", "/api/v1/packages", API_ADMIN, cat_list},
    {"POST", "/api/v1/packages", API_ADMIN, cat_create},
    {"GET", "/api/v1/packages/{id}", API_ADMIN, cat_get},
    {"PUT", "/api/v1/packages/{id}", API_ADMIN, cat_replace},
    {"PATCH", "/api/v1/packages/{id}", API_ADMIN, cat_patch},
    {"DELETE", "/api/v1/packages/{id}", API_ADMIN, cat_delete},
    {"GET", "/api/v1/zones", API_ADMIN, cat_list},
    {"POST", "/api/v1/zones", API_ADMIN, cat_create},
    {"GET", "/api/v1/zones/{id}", API_ADMIN, cat_get},
    {"PUT", "/api/v1/zones/{id}", API_ADMIN, cat_replace},
    {"PATCH", "/api/v1/zones/{id}", API_ADMIN, cat_patch},
    {"DELETE", "/api/v1/zones/{id}", API_ADMIN, cat_delete},
    {0},
};
