/* avail_request.c — request parts (items, property and where its sun is,
 * dates) → engine query over a snapshot, with the shared refusals (outcome.h). */
#include "app/avail_request.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/shoot_window.h"
#include "app/validate.h"

void avail_request_init(avail_request *a, const snapshot *m, tp_time now)
{
    memset(a, 0, sizeof *a);
    a->m = m;
    a->prop.lat = NAN;
    a->prop.lon = NAN;
    a->q.rules = &m->rules;
    a->q.items = a->items;
    a->q.property = &a->prop;
    a->q.zones = m->zones;
    a->q.nzones = m->nzones;
    a->q.staff = m->staff;
    a->q.nstaff = m->nstaff;
    a->q.now = now;
    a->q.from = a->q.to = now;
}

int avail_request_prereq(const snapshot *m, outcome *o)
{
    if (!m->integrated_booking) {
        outcome_fail(
            o, OUT_CONFLICT, "booking_disabled", NULL,
            "online booking is turned off; an admin can enable integrated_booking in the settings");
        return -1;
    }
    if (!m->has_primary) {
        outcome_fail(
            o, OUT_CONFLICT, "no_primary_calendar", NULL,
            "no primary calendar is connected; an admin must connect one before booking opens");
        return -1;
    }
    return 0;
}

static int add_item(avail_request *a, int package, int64_t id, const char *field, outcome *o)
{
    const snapshot_item *it = package ? snapshot_package(a->m, id) : snapshot_service(a->m, id);
    char msg[96];
    if (!it) {
        snprintf(msg, sizeof msg, "there is no %s with id %lld", package ? "package" : "service",
                 (long long)id);
        outcome_fail(o, OUT_INVALID, "unknown_item", field, "%s", msg);
        return -1;
    }
    if (a->nitems == AVAIL_REQUEST_MAX_ITEMS) {
        outcome_fail(o, OUT_INVALID, "too_many_items", field,
                     "at most 32 services and packages per booking");
        return -1;
    }
    a->refs[a->nitems] = it;
    a->is_package[a->nitems] = package;
    a->items[a->nitems++] = it->item;
    a->q.nitems = a->nitems;
    return 0;
}

static int items_csv(avail_request *a, const char *csv, int package, outcome *o)
{
    const char *field = package ? "packages" : "services";
    if (!csv || !*csv) return 0;
    const char *p = csv;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char tok[24];
        int64_t id;
        if (n == 0 || n >= sizeof tok) {
            outcome_fail(o, OUT_INVALID, "validation", field,
                         "give ids separated by commas, e.g. 1,2");
            return -1;
        }
        memcpy(tok, p, n);
        tok[n] = '\0';
        if (val_id_text(tok, &id) != 0) {
            outcome_fail(o, OUT_INVALID, "validation", field,
                         "ids are positive whole numbers, e.g. 1,2");
            return -1;
        }
        if (add_item(a, package, id, field, o) != 0) return -1;
        p += n + (comma ? 1 : 0);
        if (comma && !*p) {
            outcome_fail(o, OUT_INVALID, "validation", field, "a trailing comma is not an id");
            return -1;
        }
    }
    return 0;
}

int avail_request_items_csv(avail_request *a, const char *services, const char *packages,
                            outcome *o)
{
    return items_csv(a, services, 0, o) || items_csv(a, packages, 1, o) ? -1 : 0;
}

static int items_json(avail_request *a, const json_t *arr, int package, outcome *o)
{
    const char *field = package ? "packages" : "services";
    size_t i;
    json_t *v;
    int64_t id;
    if (!arr || json_is_null(arr)) return 0;
    if (!json_is_array(arr)) {
        outcome_fail(o, OUT_INVALID, "validation", field, "give a list of ids");
        return -1;
    }
    json_array_foreach(arr, i, v)
    {
        if (snapshot_json_id(v, &id) != 0) {
            outcome_fail(o, OUT_INVALID, "validation", field, "ids are strings like \"1\"");
            return -1;
        }
        if (add_item(a, package, id, field, o) != 0) return -1;
    }
    return 0;
}

int avail_request_items_json(avail_request *a, const json_t *services, const json_t *packages,
                             outcome *o)
{
    return items_json(a, services, 0, o) || items_json(a, packages, 1, o) ? -1 : 0;
}

/* Parses a finite number filling all of S. 0 or -1. */
static int parse_num(const char *s, double *out)
{
    char *end;
    if (!s || !*s) return -1;
    double v = strtod(s, &end);
    if (*end || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* Validates and stores the property's parts; field names get PREFIX. */
static int set_property(avail_request *a, const char *postal, int has_lat, double lat, int has_lon,
                        double lon, int has_sqft, double sqft, const char *prefix, outcome *o)
{
    char field[40];
    if (postal && strlen(postal) > 32) {
        snprintf(field, sizeof field, "%spostal_code", prefix);
        outcome_fail(o, OUT_INVALID, "validation", field,
                     "a postal code has at most 32 characters");
        return -1;
    }
    char hint[120];
    if (postal && *postal && val_postal_code(a->m->country, postal, hint, sizeof hint) != 0) {
        snprintf(field, sizeof field, "%spostal_code", prefix);
        outcome_fail(o, OUT_INVALID, "validation", field, "%s", hint);
        return -1;
    }
    if (has_lat != has_lon) {
        snprintf(field, sizeof field, "%s%s", prefix, has_lat ? "lon" : "lat");
        outcome_fail(o, OUT_INVALID, "validation", field, "give both lat and lon, or neither");
        return -1;
    }
    if (has_lat && (lat < -90 || lat > 90)) {
        snprintf(field, sizeof field, "%slat", prefix);
        outcome_fail(o, OUT_INVALID, "validation", field, "lat is a latitude between -90 and 90");
        return -1;
    }
    if (has_lon && (lon < -180 || lon > 180)) {
        snprintf(field, sizeof field, "%slon", prefix);
        outcome_fail(o, OUT_INVALID, "validation", field,
                     "lon is a longitude between -180 and 180");
        return -1;
    }
    if (has_sqft && (sqft < 0 || sqft > 10000000 || sqft != floor(sqft))) {
        snprintf(field, sizeof field, "%ssqft", prefix);
        outcome_fail(o, OUT_INVALID, "validation", field, "sqft is a whole number of square feet");
        return -1;
    }
    snprintf(a->postal, sizeof a->postal, "%s", postal ? postal : "");
    a->prop.postal_code = a->postal;
    a->prop.lat = has_lat ? lat : NAN;
    a->prop.lon = has_lon ? lon : NAN;
    a->prop.sqft = has_sqft ? (int)sqft : 0;
    a->sun_from = (int)shoot_window_place(a->m, &a->prop, &a->sun);
    a->prop.sun_place = a->sun_from ? &a->sun : NULL;
    return 0;
}

int avail_request_property_text(avail_request *a, const char *postal_code, const char *lat,
                                const char *lon, const char *sqft, outcome *o)
{
    const char *names[3] = {"lat", "lon", "sqft"}, *text[3] = {lat, lon, sqft};
    double v[3] = {0, 0, 0};
    int has[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        const char *s = text[i];
        if (!s || !*s) continue;
        if (parse_num(s, &v[i]) != 0) {
            outcome_fail(o, OUT_INVALID, "validation", names[i], "give a number");
            return -1;
        }
        has[i] = 1;
    }
    return set_property(a, postal_code, has[0], v[0], has[1], v[1], has[2], v[2], "", o);
}

int avail_request_property_json(avail_request *a, const json_t *prop, outcome *o)
{
    const char *names[3] = {"lat", "lon", "sqft"};
    double v[3] = {0, 0, 0};
    int has[3] = {0, 0, 0};
    if (!json_is_object(prop)) {
        outcome_fail(o, OUT_INVALID, "validation", "property", "give the property as an object");
        return -1;
    }
    for (int i = 0; i < 3; i++) {
        const json_t *x = json_object_get(prop, names[i]);
        char field[32];
        if (!x || json_is_null(x)) continue;
        if (!json_is_number(x)) {
            snprintf(field, sizeof field, "property.%s", names[i]);
            outcome_fail(o, OUT_INVALID, "validation", field, "give a number");
            return -1;
        }
        v[i] = json_number_value(x);
        has[i] = 1;
    }
    const json_t *postal = json_object_get(prop, "postal_code");
    if (postal && !json_is_null(postal) && !json_is_string(postal)) {
        outcome_fail(o, OUT_INVALID, "validation", "property.postal_code",
                     "the postal code is text");
        return -1;
    }
    return set_property(a, json_string_value(postal), has[0], v[0], has[1], v[1], has[2], v[2],
                        "property.", o);
}

int avail_request_duration(avail_request *a, outcome *o, int *sched_min, int *crew)
{
    int raw = 0, len = 0, n = 1;
    size_t bad = 0;
    avail_status st = avail_duration(&a->q, &raw, &len, &n, &bad);
    if (st == AVAIL_NO_ITEMS) {
        outcome_fail(o, OUT_INVALID, "no_items", "services",
                     "choose at least one service or package");
        return -1;
    }
    if (st == AVAIL_NOT_SCHEDULABLE) {
        char msg[200];
        const snapshot_item *it = bad < a->nitems ? a->refs[bad] : NULL;
        snprintf(msg, sizeof msg,
                 "%s \"%s\" (id %lld) has no scheduling duration; an admin must set one",
                 it && a->is_package[bad] ? "package" : "service", it ? it->name : "?",
                 (long long)(it ? it->id : 0));
        outcome_fail(o, OUT_INVALID, "not_schedulable",
                     it && a->is_package[bad] ? "packages" : "services", "%s", msg);
        return -1;
    }
    if (sched_min) *sched_min = len;
    if (crew) *crew = n;
    return 0;
}

int avail_request_dates(avail_request *a, const char *from, const char *to, outcome *o)
{
    const tz_zone *tz = a->m->rules.tz;
    tp_time now = a->q.now;
    int64_t local = tz_utc_to_local(tz, now);
    int64_t today = tz_day_of(local);
    int64_t d0 = today, d1;
    if (from && *from && tz_parse_date(from, &d0) != 0) {
        outcome_fail(o, OUT_INVALID, "validation", "from", "from is a date like 2030-06-03");
        return -1;
    }
    d1 = d0 + 6;
    if (to && *to && tz_parse_date(to, &d1) != 0) {
        outcome_fail(o, OUT_INVALID, "validation", "to", "to is a date like 2030-06-09");
        return -1;
    }
    if (d1 < d0) {
        outcome_fail(o, OUT_INVALID, "validation", "to", "to must not be before from");
        return -1;
    }
    int64_t last = today + a->m->rules.horizon_days + 1;
    if (d1 > last) d1 = last;
    if (d0 > last + 1) d0 = last + 1;
    if (d1 < d0) d1 = d0 - 1;
    a->q.from = tz_local_to_utc(tz, d0 * 86400);
    a->q.to = tz_local_to_utc(tz, (d1 + 1) * 86400);
    if (a->q.to < a->q.from) a->q.to = a->q.from;
    return 0;
}

int avail_request_parse_time(const char *s, tp_time *t, const char *field, outcome *o)
{
    if (!s || tz_parse_rfc3339(s, t) != 0) {
        outcome_fail(o, OUT_INVALID, "validation", field,
                     "give a time like 2030-06-03T09:00:00-04:00");
        return -1;
    }
    return 0;
}
