/* demo.c — `tripod demo`: a New York media team (skills, services with size
 * tiers, packages, a polygon zone and a postal-code zone, four staff, a
 * primary business calendar and one calendar per staff member). */
#include "api/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/settings.h"
#include "api/validate.h"

/* The CalDAV server the demo calendars point at (a local Radicale). */
#define DEMO_CALDAV "http://127.0.0.1:5232/tripod/"

static const char demo_manhattan[] =
    "{\"type\": \"Polygon\", \"coordinates\": [[[-74.0194, 40.7006], [-73.9712, 40.7107],"
    " [-73.9290, 40.7960], [-73.9070, 40.8740], [-73.9330, 40.8810], [-74.0150, 40.7580],"
    " [-74.0194, 40.7006]]]}";

/* Inserts DOC (stolen) as a document of kind K; its id into *ID. */
static int demo_insert(store_conn *c, store_kind k, json_t *doc, int64_t *id)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    int rc = text ? store_doc_insert(c, k, text, id) : STORE_ERROR;
    free(text);
    json_decref(doc);
    return rc;
}

static int demo_count_cb(void *ctx, int64_t id, const char *json)
{
    (void)id, (void)json;
    ++*(int *)ctx;
    return 0;
}

/* Weekly hours FROM–TO on the days whose letters are set in DAYS ("1111100" = Mon–Fri). */
static json_t *demo_hours(const char *days, const char *from, const char *to)
{
    static const char *const names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    json_t *w = json_object();
    for (int d = 0; d < 7; d++)
        json_object_set_new(w, names[d],
                            days[d] == '1' ? json_pack("[[s,s]]", from, to) : json_array());
    return w;
}

static json_t *demo_ids(int64_t a, int64_t b, int64_t c)
{
    json_t *arr = json_array();
    int64_t ids[3] = {a, b, c};
    for (int i = 0; i < 3; i++)
        if (ids[i]) json_array_append_new(arr, val_id_json(ids[i]));
    return arr;
}

static int demo_settings(store_conn *c)
{
    val_error e;
    json_t *patch =
        json_pack("{s:b, s:s}", "integrated_booking", 1, "timezone", "America/New_York");
    json_t *defaults = settings_defaults();
    json_t *merged = defaults && patch ? settings_merge(defaults, patch, &e) : NULL;
    char *text = merged ? json_dumps(merged, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    int rc = text ? store_settings_put(c, text) : STORE_ERROR;
    free(text);
    json_decref(merged);
    json_decref(defaults);
    json_decref(patch);
    return rc;
}

typedef struct {
    const char *name, *email, *days, *from, *to;
    int senior, rank, photo, video, drone, manhattan, brooklyn;
    double lat, lon;
} demo_person;

static const demo_person demo_people[] = {
    {"Alice Rivera", "alice@example.com", "1111100", "09:00", "17:00", 1, 1, 1, 1, 1, 1, 1, 40.7831,
     -73.9712},
    {"Ben Okafor", "ben@example.com", "1111110", "08:00", "16:00", 0, 2, 1, 0, 1, 1, 0, 40.7527,
     -73.9772},
    {"Chloe Park", "chloe@example.com", "0111110", "10:00", "18:00", 0, 3, 1, 1, 0, 0, 1, 40.6782,
     -73.9442},
    {"Dev Shah", "dev@example.com", NULL, NULL, NULL, 0, 4, 1, 0, 0, 0, 0, 40.7282, -73.7949},
};

static int demo_catalog(store_conn *c)
{
    int64_t photo, video, drone, s_photos, s_video, s_drone, s_twilight, z_man, z_bk, id;
    int rc;
#define DEMO_TRY(call)                                                                             \
    do {                                                                                           \
        if ((rc = (call)) != STORE_OK) return rc;                                                  \
    } while (0)
    DEMO_TRY(demo_insert(c, STORE_SKILL, json_pack("{s:s}", "name", "photo"), &photo));
    DEMO_TRY(demo_insert(c, STORE_SKILL, json_pack("{s:s}", "name", "video"), &video));
    DEMO_TRY(demo_insert(c, STORE_SKILL, json_pack("{s:s}", "name", "drone"), &drone));
    DEMO_TRY(demo_insert(c, STORE_SERVICE,
                         json_pack("{s:s, s:i, s:[{s:i, s:i}, {s:i, s:i}], s:o}", "name", "Photos",
                                   "duration_minutes", 60, "tiers", "max_sqft", 2000,
                                   "duration_minutes", 60, "max_sqft", 4000, "duration_minutes", 90,
                                   "skills", demo_ids(photo, 0, 0)),
                         &s_photos));
    DEMO_TRY(demo_insert(c, STORE_SERVICE,
                         json_pack("{s:s, s:i, s:[], s:o}", "name", "Video", "duration_minutes", 60,
                                   "tiers", "skills", demo_ids(video, 0, 0)),
                         &s_video));
    DEMO_TRY(demo_insert(c, STORE_SERVICE,
                         json_pack("{s:s, s:i, s:[], s:o}", "name", "Drone", "duration_minutes", 30,
                                   "tiers", "skills", demo_ids(drone, 0, 0)),
                         &s_drone));
    DEMO_TRY(
        demo_insert(c, STORE_SERVICE,
                    json_pack("{s:s, s:i, s:[], s:o}", "name", "Twilight photos",
                              "duration_minutes", 45, "tiers", "skills", demo_ids(photo, 0, 0)),
                    &s_twilight));
    DEMO_TRY(demo_insert(
        c, STORE_PACKAGE,
        json_pack("{s:s, s:i, s:o, s:[], s:b}", "name", "Essentials", "duration_minutes", 90,
                  "services", demo_ids(s_photos, s_drone, 0), "skills", "two_photographers", 0),
        &id));
    DEMO_TRY(
        demo_insert(c, STORE_PACKAGE,
                    json_pack("{s:s, s:i, s:o, s:[], s:b}", "name", "Premium", "duration_minutes",
                              180, "services", demo_ids(s_photos, s_video, s_drone), "skills",
                              "two_photographers", 1),
                    &id));
    DEMO_TRY(demo_insert(c, STORE_ZONE,
                         json_pack("{s:s, s:o, s:[]}", "name", "Manhattan", "polygon",
                                   json_loads(demo_manhattan, 0, NULL), "postal_codes"),
                         &z_man));
    DEMO_TRY(demo_insert(c, STORE_ZONE,
                         json_pack("{s:s, s:n, s:[s,s,s,s,s,s,s]}", "name", "Brooklyn", "polygon",
                                   "postal_codes", "11201", "11211", "11215", "11217", "11222",
                                   "11231", "11238"),
                         &z_bk));
    DEMO_TRY(
        demo_insert(c, STORE_CALENDAR,
                    json_pack("{s:s, s:s, s:s, s:n, s:b}", "owner", "business", "kind", "caldav",
                              "url", DEMO_CALDAV "business/", "username", "primary", 1),
                    &id));
    for (size_t i = 0; i < sizeof demo_people / sizeof demo_people[0]; i++) {
        const demo_person *p = &demo_people[i];
        int64_t staff;
        char url[128];
        json_t *hours = p->days ? demo_hours(p->days, p->from, p->to) : json_null();
        DEMO_TRY(demo_insert(
            c, STORE_STAFF,
            json_pack("{s:s, s:s, s:n, s:b, s:o, s:o, s:o, s:[], s:{s:f, s:f}, s:i, s:b}", "name",
                      p->name, "email", p->email, "timezone", "senior", p->senior, "skills",
                      demo_ids(p->photo ? photo : 0, p->video ? video : 0, p->drone ? drone : 0),
                      "zones", demo_ids(p->manhattan ? z_man : 0, p->brooklyn ? z_bk : 0, 0),
                      "hours", hours, "exceptions", "home", "lat", p->lat, "lon", p->lon, "rank",
                      p->rank, "active", 1),
            &staff));
        snprintf(url, sizeof url, DEMO_CALDAV "staff-%lld/", (long long)staff);
        DEMO_TRY(demo_insert(c, STORE_CALENDAR,
                             json_pack("{s:o, s:s, s:s, s:n, s:b}", "owner", val_id_json(staff),
                                       "kind", "caldav", "url", url, "username", "primary", 0),
                             &id));
    }
#undef DEMO_TRY
    return STORE_OK;
}

int demo_load(store *db, int *loaded, char *err, size_t errlen)
{
    int n = 0, rc;
    *loaded = 0;
    store_conn *c = store_acquire(db);
    if (!c) {
        snprintf(err, errlen, "no database connection");
        return -1;
    }
    if ((rc = store_begin(c, 1)) != STORE_OK) goto fail;
    for (int k = STORE_SKILL; k <= STORE_STAFF && rc == STORE_OK; k++)
        rc = store_doc_list(c, (store_kind)k, demo_count_cb, &n);
    if (rc != STORE_OK) goto fail;
    if (n == 0) {
        if ((rc = demo_settings(c)) != STORE_OK || (rc = demo_catalog(c)) != STORE_OK) goto fail;
        *loaded = 1;
    }
    if ((rc = store_commit(c)) != STORE_OK) goto fail;
    store_release(c);
    return 0;
fail:
    snprintf(err, errlen, "%s", store_errmsg(c));
    *loaded = 0;
    store_release(c);
    return -1;
}
