/* avq.c — request parts (items, property, dates) → engine query over a
 * model snapshot, with the shared 4xx answers. */
#include "api/avq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/validate.h"

void avq_init(avq *a, const model *m, tp_time now)
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

int avq_prereq(const model *m, api_res *res)
{
    if (!m->integrated_booking) {
        api_error(
            res, 409, "booking_disabled",
            "online booking is turned off; an admin can enable integrated_booking in the settings",
            NULL);
        return -1;
    }
    if (!m->has_primary) {
        api_error(
            res, 409, "no_primary_calendar",
            "no primary calendar is connected; an admin must connect one before booking opens",
            NULL);
        return -1;
    }
    return 0;
}

static int add_item(avq *a, int package, int64_t id, const char *field, api_res *res)
{
    const model_item *it = package ? model_package(a->m, id) : model_service(a->m, id);
    char msg[96];
    if (!it) {
        snprintf(msg, sizeof msg, "there is no %s with id %lld", package ? "package" : "service",
                 (long long)id);
        api_error(res, 422, "unknown_item", msg, field);
        return -1;
    }
    if (a->nitems == AVQ_MAX_ITEMS) {
        api_error(res, 422, "too_many_items", "at most 32 services and packages per booking",
                  field);
        return -1;
    }
    a->refs[a->nitems] = it;
    a->is_package[a->nitems] = package;
    a->items[a->nitems++] = it->item;
    a->q.nitems = a->nitems;
    return 0;
}

static int items_csv(avq *a, const char *csv, int package, api_res *res)
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
            api_error(res, 422, "validation", "give ids separated by commas, e.g. 1,2", field);
            return -1;
        }
        memcpy(tok, p, n);
        tok[n] = '\0';
        if (val_id_text(tok, &id) != 0) {
            api_error(res, 422, "validation", "ids are positive whole numbers, e.g. 1,2", field);
            return -1;
        }
        if (add_item(a, package, id, field, res) != 0) return -1;
        p += n + (comma ? 1 : 0);
        if (comma && !*p) {
            api_error(res, 422, "validation", "a trailing comma is not an id", field);
            return -1;
        }
    }
    return 0;
}

int avq_items_csv(avq *a, const char *services, const char *packages, api_res *res)
{
    return items_csv(a, services, 0, res) || items_csv(a, packages, 1, res) ? -1 : 0;
}

static int items_json(avq *a, const json_t *arr, int package, api_res *res)
{
    const char *field = package ? "packages" : "services";
    size_t i;
    json_t *v;
    int64_t id;
    if (!arr || json_is_null(arr)) return 0;
    if (!json_is_array(arr)) {
        api_error(res, 422, "validation", "give a list of ids", field);
        return -1;
    }
    json_array_foreach(arr, i, v)
    {
        if (model_json_id(v, &id) != 0) {
            api_error(res, 422, "validation", "ids are strings like \"1\"", field);
            return -1;
        }
        if (add_item(a, package, id, field, res) != 0) return -1;
    }
    return 0;
}

int avq_items_json(avq *a, const json_t *services, const json_t *packages, api_res *res)
{
    return items_json(a, services, 0, res) || items_json(a, packages, 1, res) ? -1 : 0;
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
static int set_property(avq *a, const char *postal, int has_lat, double lat, int has_lon,
                        double lon, int has_sqft, double sqft, const char *prefix, api_res *res)
{
    char field[40];
    if (postal && strlen(postal) > 32) {
        snprintf(field, sizeof field, "%spostal_code", prefix);
        api_error(res, 422, "validation", "a postal code has at most 32 characters", field);
        return -1;
    }
    if (has_lat != has_lon) {
        snprintf(field, sizeof field, "%s%s", prefix, has_lat ? "lon" : "lat");
        api_error(res, 422, "validation", "give both lat and lon, or neither", field);
        return -1;
    }
    if (has_lat && (lat < -90 || lat > 90)) {
        snprintf(field, sizeof field, "%slat", prefix);
        api_error(res, 422, "validation", "lat is a latitude between -90 and 90", field);
        return -1;
    }
    if (has_lon && (lon < -180 || lon > 180)) {
        snprintf(field, sizeof field, "%slon", prefix);
        api_error(res, 422, "validation", "lon is a longitude between -180 and 180", field);
        return -1;
    }
    if (has_sqft && (sqft < 0 || sqft > 10000000 || sqft != floor(sqft))) {
        snprintf(field, sizeof field, "%ssqft", prefix);
        api_error(res, 422, "validation", "sqft is a whole number of square feet", field);
        return -1;
    }
    snprintf(a->postal, sizeof a->postal, "%s", postal ? postal : "");
    a->prop.postal_code = a->postal;
    a->prop.lat = has_lat ? lat : NAN;
    a->prop.lon = has_lon ? lon : NAN;
    a->prop.sqft = has_sqft ? (int)sqft : 0;
    return 0;
}

int avq_property_query(avq *a, const api_req *r, api_res *res)
{
    const char *names[3] = {"lat", "lon", "sqft"};
    double v[3] = {0, 0, 0};
    int has[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        const char *s = api_query(r, names[i]);
        if (!s || !*s) continue;
        if (parse_num(s, &v[i]) != 0) {
            api_error(res, 422, "validation", "give a number", names[i]);
            return -1;
        }
        has[i] = 1;
    }
    return set_property(a, api_query(r, "postal_code"), has[0], v[0], has[1], v[1], has[2], v[2],
                        "", res);
}

int avq_property_json(avq *a, const json_t *prop, api_res *res)
{
    const char *names[3] = {"lat", "lon", "sqft"};
    double v[3] = {0, 0, 0};
    int has[3] = {0, 0, 0};
    if (!json_is_object(prop)) {
        api_error(res, 422, "validation", "give the property as an object", "property");
        return -1;
    }
    for (int i = 0; i < 3; i++) {
        const json_t *x = json_object_get(prop, names[i]);
        char field[32];
        if (!x || json_is_null(x)) continue;
        if (!json_is_number(x)) {
            snprintf(field, sizeof field, "property.%s", names[i]);
            api_error(res, 422, "validation", "give a number", field);
            return -1;
        }
        v[i] = json_number_value(x);
        has[i] = 1;
    }
    const json_t *postal = json_object_get(prop, "postal_code");
    if (postal && !json_is_null(postal) && !json_is_string(postal)) {
        api_error(res, 422, "validation", "the postal code is text", "property.postal_code");
        return -1;
    }
    return set_property(a, json_string_value(postal), has[0], v[0], has[1], v[1], has[2], v[2],
                        "property.", res);
}

int avq_duration(avq *a, api_res *res, int *sched_min, int *crew)
{
    int raw = 0, len = 0, n = 1;
    size_t bad = 0;
    avail_status st = avail_duration(&a->q, &raw, &len, &n, &bad);
    if (st == AVAIL_NO_ITEMS) {
        api_error(res, 422, "no_items", "choose at least one service or package", "services");
        return -1;
    }
    if (st == AVAIL_NOT_SCHEDULABLE) {
        char msg[200];
        const model_item *it = bad < a->nitems ? a->refs[bad] : NULL;
        snprintf(msg, sizeof msg,
                 "%s \"%s\" (id %lld) has no scheduling duration; an admin must set one",
                 it && a->is_package[bad] ? "package" : "service", it ? it->name : "?",
                 (long long)(it ? it->id : 0));
        api_error(res, 422, "not_schedulable", msg,
                  it && a->is_package[bad] ? "packages" : "services");
        return -1;
    }
    if (sched_min) *sched_min = len;
    if (crew) *crew = n;
    return 0;
}

int avq_dates(avq *a, const char *from, const char *to, api_res *res)
{
    const tz_zone *tz = a->m->rules.tz;
    tp_time now = a->q.now;
    int64_t local = tz_utc_to_local(tz, now);
    int64_t today = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t d0 = today, d1;
    if (from && *from && tz_parse_date(from, &d0) != 0) {
        api_error(res, 422, "validation", "from is a date like 2030-06-03", "from");
        return -1;
    }
    d1 = d0 + 6;
    if (to && *to && tz_parse_date(to, &d1) != 0) {
        api_error(res, 422, "validation", "to is a date like 2030-06-09", "to");
        return -1;
    }
    if (d1 < d0) {
        api_error(res, 422, "validation", "to must not be before from", "to");
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

const char *avq_time(const model *m, tp_time t, char *buf, size_t len)
{
    return tz_format_rfc3339(m->rules.tz, t, buf, len);
}

int avq_parse_time(const char *s, tp_time *t, const char *field, api_res *res)
{
    if (!s || tz_parse_rfc3339(s, t) != 0) {
        api_error(res, 422, "validation", "give a time like 2030-06-03T09:00:00-04:00", field);
        return -1;
    }
    return 0;
}

void avq_store_error(api_res *res)
{
    api_error(res, 503, "store_unavailable", "the database is not reachable; try again shortly",
              NULL);
}
