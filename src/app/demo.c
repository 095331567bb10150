/* demo.c — `tripod demo`: a New York media team (skills, services with size
 * tiers and prices, twilight photos around sunset, packages, a zone drawn as
 * a polygon with a few postal codes and a postal-code zone, the business's
 * location, four staff, a primary business calendar and one calendar per
 * staff member on a local CalDAV server, with a few busy events in the coming
 * weeks). Every service and package can be booked in both zones from the
 * booking page (postal code alone is enough). */
#include "app/demo.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/secret.h"
#include "app/settings.h"
#include "app/validate.h"

/* Where the demo calendars live when no server is named (a local Radicale). */
#define DEMO_CALDAV "http://127.0.0.1:5232/tripod/"
#define DEMO_TZ "America/New_York"

/* How the calendar documents reach the CalDAV server. */
typedef struct {
    const char *base;     /* collection URL prefix, ends with '/' */
    const char *username; /* NULL: none */
    const char *sealed;   /* the sealed password, NULL: none */
} demo_dav;

/* A calendar document for OWNER (stolen) at BASE + NAME + "/". */
static json_t *demo_calendar(const demo_dav *d, json_t *owner, const char *name, int primary)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s/", d->base, name);
    json_t *doc = json_pack("{s:o, s:s, s:s, s:b}", "owner", owner, "kind", "caldav", "url", url,
                            "primary", primary);
    if (doc)
        json_object_set_new(doc, "username", d->username ? json_string(d->username) : json_null());
    if (doc && d->sealed) json_object_set_new(doc, "_password", json_string(d->sealed));
    return doc;
}

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
        json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:{s:f, s:f}}", "integrated_booking", 1,
                  "timezone", DEMO_TZ, "business_name", "Hudson Media Co.", "currency", "USD",
                  "contact_email", "bookings@hudson-media.example", "contact_phone",
                  "+1 212 555 0100", "location", "lat", 40.7128, "lon", -74.0060);
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
    {"Ben Okafor", "ben@example.com", "1111110", "08:00", "16:00", 0, 2, 1, 1, 1, 1, 0, 40.7527,
     -73.9772},
    {"Chloe Park", "chloe@example.com", "0111110", "10:00", "18:00", 0, 3, 1, 1, 1, 0, 1, 40.6782,
     -73.9442},
    /* Dev works into the evening, so twilight photos (up to half an hour
     * after sunset, 8:31 PM at the latest in New York) can be booked all
     * year in every area. */
    {"Dev Shah", "dev@example.com", "1111100", "12:30", "21:30", 0, 4, 1, 0, 0, 0, 0, 40.7282,
     -73.7949},
};

static int demo_catalog(store_conn *c, const demo_dav *dav)
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
                         json_pack("{s:s, s:i, s:i, s:[{s:i, s:i, s:i}, {s:i, s:i, s:i}], s:o}",
                                   "name", "Photos", "duration_minutes", 60, "price", 25000,
                                   "tiers", "max_sqft", 2000, "duration_minutes", 60, "price",
                                   25000, "max_sqft", 4000, "duration_minutes", 90, "price", 32500,
                                   "skills", demo_ids(photo, 0, 0)),
                         &s_photos));
    DEMO_TRY(
        demo_insert(c, STORE_SERVICE,
                    json_pack("{s:s, s:i, s:i, s:[], s:o}", "name", "Video", "duration_minutes", 60,
                              "price", 30000, "tiers", "skills", demo_ids(video, 0, 0)),
                    &s_video));
    DEMO_TRY(
        demo_insert(c, STORE_SERVICE,
                    json_pack("{s:s, s:i, s:i, s:[], s:o}", "name", "Drone", "duration_minutes", 30,
                              "price", 15000, "tiers", "skills", demo_ids(drone, 0, 0)),
                    &s_drone));
    DEMO_TRY(demo_insert(c, STORE_SERVICE,
                         json_pack("{s:s, s:i, s:i, s:[], s:o, s:{s:s, s:i, s:i}}", "name",
                                   "Twilight photos", "duration_minutes", 45, "price", 20000,
                                   "tiers", "skills", demo_ids(photo, 0, 0), "window", "kind",
                                   "sunset", "before_minutes", 60, "after_minutes", 30),
                         &s_twilight));
    DEMO_TRY(
        demo_insert(c, STORE_PACKAGE,
                    json_pack("{s:s, s:i, s:i, s:o, s:[], s:b}", "name", "Essentials",
                              "duration_minutes", 90, "price", 35000, "services",
                              demo_ids(s_photos, s_drone, 0), "skills", "two_photographers", 0),
                    &id));
    DEMO_TRY(demo_insert(c, STORE_PACKAGE,
                         json_pack("{s:s, s:i, s:i, s:o, s:[], s:b}", "name", "Premium",
                                   "duration_minutes", 180, "price", 65000, "services",
                                   demo_ids(s_photos, s_video, s_drone), "skills",
                                   "two_photographers", 1),
                         &id));
    DEMO_TRY(demo_insert(c, STORE_ZONE,
                         json_pack("{s:s, s:o, s:[s,s,s,s,s]}", "name", "Manhattan", "polygon",
                                   json_loads(demo_manhattan, 0, NULL), "postal_codes", "10011",
                                   "10016", "10018", "10036", "10118"),
                         &z_man));
    DEMO_TRY(demo_insert(c, STORE_ZONE,
                         json_pack("{s:s, s:n, s:[s,s,s,s,s,s,s]}", "name", "Brooklyn", "polygon",
                                   "postal_codes", "11201", "11211", "11215", "11217", "11222",
                                   "11231", "11238"),
                         &z_bk));
    DEMO_TRY(demo_insert(c, STORE_CALENDAR,
                         demo_calendar(dav, json_string("business"), "business", 1), &id));
    for (size_t i = 0; i < sizeof demo_people / sizeof demo_people[0]; i++) {
        const demo_person *p = &demo_people[i];
        int64_t staff;
        char name[64];
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
        snprintf(name, sizeof name, "staff-%lld", (long long)staff);
        DEMO_TRY(
            demo_insert(c, STORE_CALENDAR, demo_calendar(dav, val_id_json(staff), name, 0), &id));
    }
#undef DEMO_TRY
    return STORE_OK;
}

int demo_load(store *db, const char *data_dir, const caldav_target *dav, int *loaded, char *err,
              size_t errlen)
{
    int n = 0, rc;
    uint8_t key[32];
    demo_dav d = {DEMO_CALDAV, NULL, NULL};
    char *sealed = NULL;
    *loaded = 0;
    if (dav) {
        d.base = dav->url;
        d.username = dav->username;
        if (dav->password && *dav->password) {
            if (secret_key_load(data_dir, key, err, errlen) != 0) return -1;
            sealed = secret_seal(key, dav->password);
            sodium_memzero(key, sizeof key);
            if (!(d.sealed = sealed)) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
        }
    }
    store_conn *c = store_acquire(db);
    if (!c) {
        free(sealed);
        snprintf(err, errlen, "no database connection");
        return -1;
    }
    if ((rc = store_begin(c, 1)) != STORE_OK) goto fail;
    for (int k = STORE_SKILL; k <= STORE_STAFF && rc == STORE_OK; k++)
        rc = store_doc_list(c, (store_kind)k, demo_count_cb, &n);
    if (rc != STORE_OK) goto fail;
    if (n == 0) {
        if ((rc = demo_settings(c)) != STORE_OK || (rc = demo_catalog(c, &d)) != STORE_OK)
            goto fail;
        *loaded = 1;
    }
    if ((rc = store_commit(c)) != STORE_OK) goto fail;
    store_release(c);
    free(sealed);
    return 0;
fail:
    snprintf(err, errlen, "%s", store_errmsg(c));
    *loaded = 0;
    store_release(c);
    free(sealed);
    return -1;
}

/* ---- the demo's CalDAV collections and busy events ---- */

typedef struct {
    int64_t id, owner; /* owner 0: the business */
    char url[512];
} demo_cal;

typedef struct {
    demo_cal v[16];
    size_t n;
} demo_cals;

static int demo_cal_cb(void *ctx, int64_t id, const char *json)
{
    demo_cals *l = ctx;
    json_t *doc = json_loads(json, 0, NULL);
    const char *url = json_string_value(json_object_get(doc, "url"));
    const json_t *owner = json_object_get(doc, "owner");
    if (url && l->n < sizeof l->v / sizeof l->v[0]) {
        demo_cal *c = &l->v[l->n++];
        c->id = id;
        c->owner = json_is_string(owner) ? atoll(json_string_value(owner)) : 0;
        snprintf(c->url, sizeof c->url, "%s", url);
    }
    json_decref(doc);
    return 0;
}

/* One busy (or free) event of the demo, in the business zone. */
typedef struct {
    int person; /* index into demo_people */
    const char *uid, *summary;
    int day;              /* the DAY-th weekday from today (0: today, or Monday on a weekend) */
    int from_min, to_min; /* to_min 0: all day */
    const char *extra;    /* further property lines (CRLF-terminated) or "" */
} demo_event;

static const demo_event demo_events[] = {
    {0, "team-meeting", "Weekly team meeting", 0, 9 * 60, 10 * 60,
     "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=8\r\n"},
    {0, "dentist", "Dentist", 2, 14 * 60, 15 * 60 + 30, ""},
    {1, "gear-pickup", "Lens rental pickup", 1, 12 * 60, 13 * 60, ""},
    {1, "day-off", "Day off", 3, 0, 0, ""},
    {2, "client-call", "Call with a developer client", 1, 11 * 60, 12 * 60, ""},
    {2, "school-run", "School run", 0, 15 * 60, 15 * 60 + 45,
     "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=30\r\n"},
    {3, "other-agency", "Shoot for another agency", 1, 10 * 60, 12 * 60 + 30, ""},
    {3, "editing", "Editing (free to book)", 2, 9 * 60, 17 * 60, "TRANSP:TRANSPARENT\r\n"},
};

/* "YYYYMMDD" of local day DAYS. */
static void demo_date(int64_t days, char out[16])
{
    int y, m, d;
    tz_civil_from_days(days, &y, &m, &d);
    snprintf(out, 16, "%04d%02d%02d", y, m, d);
}

static char *demo_event_ics(const demo_event *e, int64_t today, tp_time now)
{
    char date[16], next[16], stamp[32], *out = malloc(2048);
    int64_t day = today;
    while (tz_weekday(day) > 4)
        day++;
    for (int k = 0; k < e->day; k++)
        do
            day++;
        while (tz_weekday(day) > 4);
    time_t t = (time_t)now;
    struct tm tm;
    if (!out) return NULL;
    /* A weekly Monday rule starts on the coming Monday (today when it is one). */
    if (strstr(e->extra, "BYDAY=MO;")) day = today + (7 - tz_weekday(today)) % 7;
    demo_date(day, date);
    demo_date(day + 1, next);
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    int n = snprintf(out, 2048,
                     "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tripod//Demo//EN\r\n"
                     "BEGIN:VEVENT\r\nUID:demo-%s@tripod\r\nDTSTAMP:%s\r\nSUMMARY:%s\r\n",
                     e->uid, stamp, e->summary);
    if (e->to_min)
        n += snprintf(out + n, 2048 - (size_t)n,
                      "DTSTART;TZID=" DEMO_TZ ":%sT%02d%02d00\r\n"
                      "DTEND;TZID=" DEMO_TZ ":%sT%02d%02d00\r\n",
                      date, e->from_min / 60, e->from_min % 60, date, e->to_min / 60,
                      e->to_min % 60);
    else
        n += snprintf(out + n, 2048 - (size_t)n, "DTSTART;VALUE=DATE:%s\r\nDTEND;VALUE=DATE:%s\r\n",
                      date, next);
    snprintf(out + n, 2048 - (size_t)n, "%sEND:VEVENT\r\nEND:VCALENDAR\r\n", e->extra);
    return out;
}

/* MKCALENDAR at URL; a collection already there (405 or 409, by server) is
 * confirmed with a PROPFIND. */
static int demo_mkcalendar(const caldav_target *dav, const char *url, char *err, size_t errlen)
{
    static const char *const depth0[] = {"Depth: 0", NULL};
    caldav_response r;
    caldav_target t = *dav;
    t.url = url;
    if (caldav_request(&t, "MKCALENDAR", url, NULL, NULL, &r, err, errlen) != 0) return -1;
    long status = r.status;
    caldav_response_free(&r);
    if (status == 201) return 0;
    if (caldav_request(&t, "PROPFIND", url, depth0, NULL, &r, err, errlen) != 0) return -1;
    long found = r.status;
    caldav_response_free(&r);
    if (found == 207) return 0;
    snprintf(err, errlen, "HTTP %ld creating calendar %s", status, url);
    return -1;
}

int demo_fill_calendars(store *db, const caldav_target *dav, tp_time now, char *err, size_t errlen)
{
    demo_cals cals = {.n = 0};
    int64_t staff_ids[sizeof demo_people / sizeof demo_people[0]];
    size_t nstaff = 0;
    store_conn *c = store_acquire(db);
    const tz_zone *tz = tz_zone_get(DEMO_TZ);
    int rc = -1;
    if (!c || !tz) {
        snprintf(err, errlen, c ? "no time zone " DEMO_TZ : "no database connection");
        goto out;
    }
    if (store_doc_list(c, STORE_CALENDAR, demo_cal_cb, &cals) != STORE_OK) {
        snprintf(err, errlen, "%s", store_errmsg(c));
        goto out;
    }
    for (size_t i = 0; i < cals.n; i++) {
        if (demo_mkcalendar(dav, cals.v[i].url, err, errlen) != 0) goto out;
        if (cals.v[i].owner && nstaff < sizeof staff_ids / sizeof staff_ids[0])
            staff_ids[nstaff++] = cals.v[i].owner;
    }
    int64_t local = tz_utc_to_local(tz, now);
    int64_t today = tz_day_of(local);
    for (size_t i = 0; i < sizeof demo_events / sizeof demo_events[0]; i++) {
        const demo_event *e = &demo_events[i];
        const demo_cal *cal = NULL;
        char name[96], *url = NULL, *ics = NULL, *etag = NULL;
        long status = 0;
        for (size_t k = 0; e->person < (int)nstaff && k < cals.n; k++)
            if (cals.v[k].owner == staff_ids[e->person]) cal = &cals.v[k];
        if (!cal) continue;
        caldav_target t = *dav;
        t.url = cal->url;
        snprintf(name, sizeof name, "demo-%s.ics", e->uid);
        int ok = (url = caldav_resource_url(&t, name)) && (ics = demo_event_ics(e, today, now)) &&
                 caldav_put(&t, url, ics, NULL, 0, &etag, &status, err, errlen) == 0;
        free(etag);
        free(url);
        free(ics);
        if (!ok) goto out;
    }
    rc = 0;
out:
    store_release(c);
    return rc;
}

int demo_run(store *db, const tripod_config *cfg, const char *data_dir, int *loaded, char *err,
             size_t errlen)
{
    const char *url = cfg->demo_caldav_url;
    caldav_target dav = {.url = url,
                         .username = cfg->demo_caldav_user,
                         .password = cfg->demo_caldav_password,
                         .timeout_s = 10};
    tp_time now = cfg->fixed_now ? cfg->now_value : (tp_time)time(NULL);
    int have = url && *url;
    if (demo_load(db, data_dir, have ? &dav : NULL, loaded, err, errlen) != 0) return -1;
    if (!have || !*loaded) return 0;
    if (caldav_global_init() != 0) {
        snprintf(err, errlen, "cannot start the HTTP client");
        return -1;
    }
    return demo_fill_calendars(db, &dav, now, err, errlen);
}
