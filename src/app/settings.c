/* settings.c — defaults and validation of the business settings. Defaults:
 * integrated booking off, America/New_York, 30 min drive buffer, no minimum
 * notice (0 min: bookable up to the next aligned slot), 30 min slot step,
 * 60 days horizon, Mon–Fri 09:00–17:00, two photographers off (180 min,
 * 40 %, no senior), balanced assignment, travel-aware buffer off (0 km/h);
 * no business name (the optional name the agent pages and mails show);
 * prices in USD, postal codes of the US; no contact e-mail or phone (shown
 * to agents when online booking is closed); no business location (null:
 * where sunset windows fall back to, {lat, lon}); a 12-hour clock
 * (clock_format "12h" or "24h": how every page and sentence writes times). */
#include "app/settings.h"

#include <stdlib.h>
#include <string.h>

#include "app/shoot_window.h"

static const char settings_default_text[] =
    "{\"integrated_booking\": false, \"timezone\": \"" SETTINGS_DEFAULT_TIMEZONE "\","
    " \"location\": null,"
    " \"drive_buffer_minutes\": 30, \"min_notice_minutes\": 0, \"slot_step_minutes\": 30,"
    " \"horizon_days\": 60,"
    " \"default_hours\": {\"mon\": [[\"09:00\", \"17:00\"]], \"tue\": [[\"09:00\", \"17:00\"]],"
    "   \"wed\": [[\"09:00\", \"17:00\"]], \"thu\": [[\"09:00\", \"17:00\"]],"
    "   \"fri\": [[\"09:00\", \"17:00\"]], \"sat\": [], \"sun\": []},"
    " \"two_photographers\": {\"enabled\": false, \"threshold_minutes\": 180,"
    "   \"reduction_percent\": 40, \"senior_required\": false},"
    " \"assignment\": \"balanced\","
    " \"outside_area_message\": \"Sorry, this property is outside our service area. Please call"
    " or e-mail us and we will see what we can do.\","
    " \"travel_speed_kmh\": 0, \"currency\": \"USD\", \"country\": \"US\","
    " \"clock_format\": \"12h\"}";

static const char *const settings_keys[] = {"integrated_booking",
                                            "timezone",
                                            "location",
                                            "drive_buffer_minutes",
                                            "min_notice_minutes",
                                            "slot_step_minutes",
                                            "horizon_days",
                                            "default_hours",
                                            "two_photographers",
                                            "assignment",
                                            "outside_area_message",
                                            "travel_speed_kmh",
                                            "business_name",
                                            "currency",
                                            "country",
                                            "contact_email",
                                            "contact_phone",
                                            "clock_format",
                                            NULL};

static const char *const settings_two_keys[] = {"enabled", "threshold_minutes", "reduction_percent",
                                                "senior_required", NULL};

json_t *settings_defaults(void)
{
    return json_loads(settings_default_text, 0, NULL);
}

/* Copies the known keys of STORED over OUT (the defaults), one level deep for
 * two_photographers. */
static void settings_overlay(json_t *out, const json_t *stored)
{
    for (size_t i = 0; settings_keys[i]; i++) {
        json_t *v = json_object_get(stored, settings_keys[i]);
        if (!v) continue;
        if (strcmp(settings_keys[i], "two_photographers") == 0 && json_is_object(v)) {
            json_t *two = json_object_get(out, "two_photographers");
            for (size_t k = 0; settings_two_keys[k]; k++) {
                json_t *w = json_object_get(v, settings_two_keys[k]);
                if (w) json_object_set(two, settings_two_keys[k], w);
            }
        } else {
            json_object_set(out, settings_keys[i], v);
        }
    }
}

json_t *settings_effective(store_conn *c)
{
    char *text = NULL;
    if (store_settings_get(c, &text) != STORE_OK) return NULL;
    json_t *out = settings_defaults();
    json_t *stored = json_loads(text, 0, NULL);
    if (out && json_is_object(stored)) settings_overlay(out, stored);
    json_decref(stored);
    free(text);
    return out;
}

static int settings_check_two(const json_t *v, json_t *two, val_error *e)
{
    int b, n;
    if (!json_is_object(v))
        return val_fail(e, "two_photographers",
                        "must be an object {enabled, threshold_minutes, "
                        "reduction_percent, senior_required}");
    if (val_known_keys(v, "two_photographers", settings_two_keys, e) != 0) return -1;
    json_t *w;
    if ((w = json_object_get(v, "enabled"))) {
        if (val_bool(w, "two_photographers.enabled", &b, e) != 0) return -1;
        json_object_set_new(two, "enabled", json_boolean(b));
    }
    if ((w = json_object_get(v, "threshold_minutes"))) {
        if (val_int(w, "two_photographers.threshold_minutes", 5, 1440, &n, e) != 0) return -1;
        json_object_set_new(two, "threshold_minutes", json_integer(n));
    }
    if ((w = json_object_get(v, "reduction_percent"))) {
        if (val_int(w, "two_photographers.reduction_percent", 0, 90, &n, e) != 0) return -1;
        json_object_set_new(two, "reduction_percent", json_integer(n));
    }
    if ((w = json_object_get(v, "senior_required"))) {
        if (val_bool(w, "two_photographers.senior_required", &b, e) != 0) return -1;
        json_object_set_new(two, "senior_required", json_boolean(b));
    }
    return 0;
}

/* Whole-number settings and their ranges. */
static const struct {
    const char *key;
    long min, max;
} settings_ints[] = {
    {"drive_buffer_minutes", 0, SETTINGS_MAX_BUFFER_MIN},
    {"min_notice_minutes", 0, 60 * 24 * 30},
    {"horizon_days", 1, 730},
};

/* Validates PATCH's value V for KEY and stores its canonical form in OUT. */
static int settings_check(const char *key, const json_t *v, json_t *out, val_error *e)
{
    int b, n;
    double x;
    const char *s;
    avail_week w;
    if (strcmp(key, "integrated_booking") == 0) {
        if (val_bool(v, key, &b, e) != 0) return -1;
        return json_object_set_new(out, key, json_boolean(b));
    }
    if (strcmp(key, "timezone") == 0) {
        if (val_timezone(v, key, e) != 0) return -1;
        return json_object_set(out, key, (json_t *)v);
    }
    if (strcmp(key, "location") == 0) {
        json_t *loc;
        if (shoot_window_location_check(v, key, &loc, e) != 0) return -1;
        return json_object_set_new(out, key, loc);
    }
    for (size_t i = 0; i < sizeof settings_ints / sizeof settings_ints[0]; i++) {
        if (strcmp(key, settings_ints[i].key) != 0) continue;
        if (val_int(v, key, settings_ints[i].min, settings_ints[i].max, &n, e) != 0) return -1;
        return json_object_set_new(out, key, json_integer(n));
    }
    if (strcmp(key, "slot_step_minutes") == 0) {
        if (val_int(v, key, 5, 1440, &n, e) != 0) return -1;
        if (n % 5 != 0 || 1440 % n != 0)
            return val_fail(e, key,
                            "must be a multiple of 5 that divides a day (5, 10, 15, 30, 60, …)");
        return json_object_set_new(out, key, json_integer(n));
    }
    if (strcmp(key, "default_hours") == 0) {
        if (val_week(v, key, &w, e) != 0) return -1;
        return json_object_set_new(out, key, val_week_json(&w));
    }
    if (strcmp(key, "two_photographers") == 0)
        return settings_check_two(v, json_object_get(out, key), e);
    if (strcmp(key, "assignment") == 0) {
        if (!json_is_string(v) || (strcmp(json_string_value(v), "balanced") != 0 &&
                                   strcmp(json_string_value(v), "priority") != 0 &&
                                   strcmp(json_string_value(v), "nearest") != 0))
            return val_fail(e, key, "must be \"balanced\", \"priority\" or \"nearest\"");
        return json_object_set(out, key, (json_t *)v);
    }
    if (strcmp(key, "outside_area_message") == 0) {
        if (val_string(v, key, 1000, 0, &s, e) != 0) return -1;
        return json_object_set(out, key, (json_t *)v);
    }
    if (strcmp(key, "business_name") == 0 || strcmp(key, "contact_phone") == 0 ||
        strcmp(key, "contact_email") == 0) {
        if (json_is_null(v) || (json_is_string(v) && json_string_value(v)[0] == '\0')) {
            json_object_del(out, key); /* cleared: the pages show none */
            return 0;
        }
        if (strcmp(key, "contact_email") == 0 ? val_email(v, key, e) != 0
                                              : val_string(v, key, 200, 0, &s, e) != 0)
            return -1;
        return json_object_set(out, key, (json_t *)v);
    }
    if (strcmp(key, "currency") == 0 || strcmp(key, "country") == 0) {
        if (val_upper_code(v, key, key[1] == 'u' ? 3 : 2, e) != 0) return -1;
        return json_object_set(out, key, (json_t *)v);
    }
    if (strcmp(key, "clock_format") == 0) {
        if (!json_is_string(v) ||
            (strcmp(json_string_value(v), "12h") != 0 && strcmp(json_string_value(v), "24h") != 0))
            return val_fail(e, key, "must be \"12h\" (1:30 PM) or \"24h\" (13:30)");
        return json_object_set(out, key, (json_t *)v);
    }
    if (strcmp(key, "travel_speed_kmh") == 0) {
        if (val_number(v, key, 0, 300, &x, e) != 0) return -1;
        return json_object_set_new(out, key, json_real(x));
    }
    return val_fail(e, key, "unknown setting");
}

json_t *settings_merge(const json_t *current, const json_t *patch, val_error *e)
{
    const char *key;
    json_t *v;
    json_t *out = json_deep_copy(current);
    if (!out) {
        val_fail(e, NULL, "out of memory");
        return NULL;
    }
    json_object_foreach((json_t *)patch, key, v)
    {
        if (settings_check(key, v, out, e) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

int settings_read(app *a, json_t **answer, outcome *o)
{
    store_conn *c = app_conn(a, o);
    if (!c) return -1;
    *answer = settings_effective(c);
    store_release(c);
    return *answer ? 0 : outcome_store(o, STORE_ERROR, NULL);
}

int settings_update(app *a, const json_t *patch, json_t **answer, outcome *o)
{
    val_error e;
    json_t *merged = NULL, *current = NULL;
    char *text = NULL;
    int rc, out = -1;
    store_conn *c = app_conn(a, o);
    if (!c) return -1;
    if ((rc = store_begin(c, STORE_WRITE)) != STORE_OK || !(current = settings_effective(c))) {
        outcome_store(o, rc == STORE_OK ? STORE_ERROR : rc, NULL);
        goto done;
    }
    if (!(merged = settings_merge(current, patch, &e))) {
        outcome_invalid(o, &e);
        goto done;
    }
    text = json_dumps(merged, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text || (rc = store_settings_put(c, text)) != STORE_OK ||
        (rc = store_commit(c)) != STORE_OK) {
        outcome_store(o, text ? rc : STORE_ERROR, NULL);
        goto done;
    }
    app_wrote(a);
    *answer = merged;
    merged = NULL;
    out = 0;
done:
    free(text);
    json_decref(merged);
    json_decref(current);
    store_release(c);
    return out;
}
