/* shoot_window.c — shoot windows as JSON (checked, canonical, stored), the
 * business `location` setting, and the place a property's sunrise and
 * sunset are computed for (shoot_window.h). */
#include "app/shoot_window.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int window_kind(const char *s, avail_window_kind *k)
{
    if (!s) return -1;
    if (strcmp(s, "local") == 0)
        *k = AVAIL_WINDOW_LOCAL;
    else if (strcmp(s, "sunset") == 0)
        *k = AVAIL_WINDOW_SUNSET;
    else if (strcmp(s, "sunrise") == 0)
        *k = AVAIL_WINDOW_SUNRISE;
    else
        return -1;
    return 0;
}

/* FIELD.MEMBER into SUB. */
static const char *member(char *sub, size_t len, const char *field, const char *name)
{
    snprintf(sub, len, "%s.%s", field, name);
    return sub;
}

int shoot_window_parse(const json_t *j, const char *field, int shortest_min, avail_window *out,
                       val_error *e)
{
    static const char *const local_keys[] = {"kind", "from", "to", NULL};
    static const char *const solar_keys[] = {"kind", "before_minutes", "after_minutes", NULL};
    char sub[160];
    avail_window w = {.kind = AVAIL_WINDOW_NONE};
    int length;
    memset(out, 0, sizeof *out);
    if (!j || json_is_null(j)) return 0;
    if (!json_is_object(j))
        return val_fail(e, field,
                        "must be null, {kind: \"local\", from: \"HH:MM\", to: \"HH:MM\"} or "
                        "{kind: \"sunset\"|\"sunrise\", before_minutes, after_minutes}");
    if (window_kind(json_string_value(json_object_get(j, "kind")), &w.kind) != 0)
        return val_fail(e, member(sub, sizeof sub, field, "kind"),
                        "must be \"local\", \"sunset\" or \"sunrise\"");
    if (w.kind == AVAIL_WINDOW_LOCAL) {
        if (val_known_keys(j, field, local_keys, e) != 0 ||
            val_clock(json_object_get(j, "from"), member(sub, sizeof sub, field, "from"), 0,
                      &w.from_min, e) != 0 ||
            val_clock(json_object_get(j, "to"), member(sub, sizeof sub, field, "to"), 1, &w.to_min,
                      e) != 0)
            return -1;
        if (w.from_min >= w.to_min)
            return val_fail(e, member(sub, sizeof sub, field, "to"),
                            "must be later than from (a window does not run past midnight)");
        length = w.to_min - w.from_min;
    } else {
        if (val_known_keys(j, field, solar_keys, e) != 0 ||
            val_int(json_object_get(j, "before_minutes"),
                    member(sub, sizeof sub, field, "before_minutes"), -SHOOT_WINDOW_MAX_MIN,
                    SHOOT_WINDOW_MAX_MIN, &w.before_min, e) != 0 ||
            val_int(json_object_get(j, "after_minutes"),
                    member(sub, sizeof sub, field, "after_minutes"), -SHOOT_WINDOW_MAX_MIN,
                    SHOOT_WINDOW_MAX_MIN, &w.after_min, e) != 0)
            return -1;
        length = w.before_min + w.after_min;
        if (length <= 0)
            return val_fail(e, member(sub, sizeof sub, field, "after_minutes"),
                            "the window must last: before_minutes + after_minutes must be "
                            "more than 0");
    }
    if (shortest_min > 0 && length < shortest_min)
        return val_fail(e, field,
                        "the window lasts %d minutes, shorter than the shoot (%d minutes): no "
                        "time could be offered",
                        length, shortest_min);
    *out = w;
    return 0;
}

json_t *shoot_window_json(const avail_window *w)
{
    char from[8], to[8];
    switch (w->kind) {
    case AVAIL_WINDOW_LOCAL:
        snprintf(from, sizeof from, "%02d:%02d", w->from_min / 60 % 100, w->from_min % 60);
        snprintf(to, sizeof to, "%02d:%02d", w->to_min / 60 % 100, w->to_min % 60);
        return json_pack("{s:s, s:s, s:s}", "kind", "local", "from", from, "to", to);
    case AVAIL_WINDOW_SUNSET:
    case AVAIL_WINDOW_SUNRISE:
        return json_pack("{s:s, s:i, s:i}", "kind",
                         w->kind == AVAIL_WINDOW_SUNSET ? "sunset" : "sunrise", "before_minutes",
                         w->before_min, "after_minutes", w->after_min);
    case AVAIL_WINDOW_NONE:
        break;
    }
    return json_null();
}

avail_window shoot_window_stored(const json_t *j)
{
    avail_window w;
    val_error e;
    if (shoot_window_parse(j, "window", 0, &w, &e) != 0) memset(&w, 0, sizeof w);
    return w;
}

int shoot_window_location_check(const json_t *j, const char *field, json_t **out, val_error *e)
{
    char sub[160];
    double lat, lon;
    if (json_is_null(j)) {
        *out = json_null();
        return 0;
    }
    if (!json_is_object(j))
        return val_fail(e, field,
                        "must be null or {lat, lon}, e.g. {\"lat\": 40.71, \"lon\": -74.0}");
    if (val_known_keys(j, field, (const char *const[]){"lat", "lon", NULL}, e) != 0 ||
        val_number(json_object_get(j, "lat"), member(sub, sizeof sub, field, "lat"), -90, 90, &lat,
                   e) != 0 ||
        val_number(json_object_get(j, "lon"), member(sub, sizeof sub, field, "lon"), -180, 180,
                   &lon, e) != 0)
        return -1;
    *out = json_pack("{s:f, s:f}", "lat", lat, "lon", lon);
    return *out ? 0 : val_fail(e, field, "out of memory");
}

/* The centre of the first zone of M whose postal codes hold POSTAL
 * (normalised) and which has a polygon. 0 with *OUT, or -1. */
static int zone_centre(const snapshot *m, const char *postal, geo_point *out)
{
    if (!postal[0]) return -1;
    for (size_t i = 0; i < m->nzones; i++) {
        const avail_zone *z = &m->zones[i];
        if (!z->polygon) continue;
        for (size_t k = 0; k < z->npostal; k++)
            if (strcmp(z->postal[k], postal) == 0 && geo_centroid(z->polygon, out) == 0) return 0;
    }
    return -1;
}

shoot_place shoot_window_place(const snapshot *m, const avail_property *p, geo_point *out)
{
    char postal[64];
    if (isfinite(p->lat) && isfinite(p->lon)) {
        out->lat = p->lat;
        out->lon = p->lon;
        return SHOOT_PLACE_PROPERTY;
    }
    geo_postal_norm(p->postal_code, postal, sizeof postal);
    if (zone_centre(m, postal, out) == 0) return SHOOT_PLACE_ZONE;
    const json_t *loc = json_object_get(m->settings, "location");
    const json_t *lat = json_object_get(loc, "lat"), *lon = json_object_get(loc, "lon");
    if (json_is_number(lat) && json_is_number(lon)) {
        out->lat = json_number_value(lat);
        out->lon = json_number_value(lon);
        return SHOOT_PLACE_BUSINESS;
    }
    return SHOOT_PLACE_NONE;
}

const char *shoot_window_place_name(shoot_place s)
{
    switch (s) {
    case SHOOT_PLACE_PROPERTY:
        return "property";
    case SHOOT_PLACE_ZONE:
        return "zone";
    case SHOOT_PLACE_BUSINESS:
        return "business";
    case SHOOT_PLACE_NONE:
        break;
    }
    return NULL;
}
