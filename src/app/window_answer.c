/* window_answer.c — shoot windows in Tripod's answers (window_answer.h):
 * the days' sunsets and sunrises, why windows leave no slot (found by running
 * the engine on parts of the request), explain's window reasons and the
 * refusal of a booking outside a window. */
#include "app/window_answer.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "app/reasons.h"
#include "app/shoot_window.h"
#include "app/validate.h"
#include "core/solar.h"

#define WINDOW_ANSWER_MAX_DAYS 800 /* dates listed per window (above any horizon) */

static int is_solar(const avail_window *w)
{
    return w->kind == AVAIL_WINDOW_SUNSET || w->kind == AVAIL_WINDOW_SUNRISE;
}

static const char *event_name(const avail_window *w)
{
    return w->kind == AVAIL_WINDOW_SUNRISE ? "sunrise" : "sunset";
}

static const char *kind_name(const avail_window *w)
{
    return w->kind == AVAIL_WINDOW_LOCAL ? "local" : event_name(w);
}

static json_t *item_ref(const avail_request *a, size_t k)
{
    return json_pack("{s:o, s:s, s:s}", "id", val_id_json(a->refs[k]->id), "kind",
                     a->is_package[k] ? "package" : "service", "name", a->refs[k]->name);
}

/* "around sunset", "between 9:00 AM and 5:00 PM". */
static const char *describe(const avail_request *a, const avail_window *w, char *buf, size_t len)
{
    char from[16], to[16];
    if (w->kind == AVAIL_WINDOW_LOCAL)
        snprintf(buf, len, "between %s and %s",
                 reasons_clock_min(a->m, w->from_min, from, sizeof from),
                 reasons_clock_min(a->m, w->to_min, to, sizeof to));
    else
        snprintf(buf, len, "around %s", event_name(w));
    return buf;
}

/* "2 h 30 min", "45 min", as the pages write lengths. */
static const char *minutes_text(int min, char *buf, size_t len)
{
    if (min >= 60 && min % 60)
        snprintf(buf, len, "%d h %d min", min / 60, min % 60);
    else if (min >= 60)
        snprintf(buf, len, "%d h", min / 60);
    else
        snprintf(buf, len, "%d min", min);
    return buf;
}

static int window_minutes(const avail_window *w)
{
    return w->kind == AVAIL_WINDOW_LOCAL ? w->to_min - w->from_min : w->before_min + w->after_min;
}

/* ---- the days' events ---- */

/* [{date, event}] of window W over business dates D0..D1 at A's place. */
static json_t *event_days(const avail_request *a, const avail_window *w, int64_t d0, int64_t d1)
{
    json_t *days = json_array();
    solar_kind kind = w->kind == AVAIL_WINDOW_SUNRISE ? SOLAR_SUNRISE : SOLAR_SUNSET;
    for (int64_t d = d0; days && a->sun_from && d <= d1; d++) {
        char date[16], ev[32];
        tp_time t;
        tz_format_date(d, date, sizeof date);
        int ok = solar_event_on(kind, a->m->rules.tz, d, a->sun.lat, a->sun.lon, &t) == SOLAR_OK;
        if (json_array_append_new(days,
                                  json_pack("{s:s, s:o}", "date", date, "event",
                                            ok ? json_string(snapshot_time(a->m, t, ev, sizeof ev))
                                               : json_null())) != 0) {
            json_decref(days);
            return NULL;
        }
    }
    return days;
}

int window_answer_days(const avail_request *a, tp_time from, tp_time to, json_t *obj)
{
    json_t *list = json_array();
    int solar = 0;
    int64_t d0 = snapshot_local_day(a->m, from),
            d1 = snapshot_local_day(a->m, to > from ? to - 1 : from);
    if (d1 - d0 >= WINDOW_ANSWER_MAX_DAYS) d1 = d0 + WINDOW_ANSWER_MAX_DAYS - 1;
    for (size_t k = 0; list && k < a->nitems; k++) {
        const avail_window *w = &a->items[k].window;
        if (w->kind == AVAIL_WINDOW_NONE) continue;
        json_t *o = shoot_window_json(w);
        if (!o || json_object_set_new(o, "item", item_ref(a, k)) != 0 ||
            (is_solar(w) && json_object_set_new(o, "days", event_days(a, w, d0, d1)) != 0) ||
            json_array_append_new(list, o) != 0)
            goto fail;
        solar |= is_solar(w);
    }
    if (!list) return -1;
    if (json_array_size(list) == 0) {
        json_decref(list);
        return 0;
    }
    if (json_object_set_new(obj, "windows", list) != 0) return -1;
    if (!solar) return 0;
    json_t *place = a->sun_from ? json_pack("{s:f, s:f, s:s}", "lat", a->sun.lat, "lon", a->sun.lon,
                                            "source", shoot_window_place_name(a->sun_from))
                                : json_null();
    return json_object_set_new(obj, "sun_place", place) == 0 ? 0 : -1;
fail:
    json_decref(list);
    return -1;
}

/* ---- why windows leave no slot ---- */

#define BIT(k) ((uint64_t)1 << (k))

/* How probe() runs a query. */
enum {
    PROBE_STAFF = 1, /* on every staff member (else on none: the status alone then says
                        whether the windows leave a candidate start) */
    PROBE_SHORT = 2  /* each item lasts one minute: do the windows meet at all? */
};

/* A's query with only the items in USE and only the windows in WINS (bit
 * masks), run as FLAGS say. The result's status with *NSLOTS, or -1 when
 * memory ran out. */
static int probe(const avail_request *a, uint64_t use, uint64_t wins, int flags, size_t *nslots)
{
    avail_item items[AVAIL_REQUEST_MAX_ITEMS];
    size_t n = 0;
    for (size_t k = 0; k < a->nitems; k++) {
        if (!(use & BIT(k))) continue;
        items[n] = a->items[k];
        if (!(wins & BIT(k))) memset(&items[n].window, 0, sizeof items[n].window);
        if (flags & PROBE_SHORT) {
            items[n].minutes = 1;
            items[n].ntiers = 0;
            items[n].force_two = 0;
        }
        n++;
    }
    avail_query q = a->q;
    q.items = items;
    q.nitems = n;
    q.property = &a->prop;
    if (!(flags & PROBE_STAFF)) q.nstaff = 0;
    avail_result r;
    avail_result_init(&r);
    int st = avail_compute(&q, &r) == 0 ? (int)r.status : -1;
    *nslots = r.nslots;
    avail_result_free(&r);
    return st;
}

/* 1 when the windows of USE's items in WINS leave a start for their shoot. */
static int fits(const avail_request *a, uint64_t use, uint64_t wins, int flags)
{
    size_t n;
    return probe(a, use, wins, flags, &n) == AVAIL_OK;
}

/* 1 when item K's sunrise/sunset happens at A's place on some date of the query. */
static int any_event(const avail_request *a, size_t k)
{
    const avail_window *w = &a->items[k].window;
    solar_kind kind = w->kind == AVAIL_WINDOW_SUNRISE ? SOLAR_SUNRISE : SOLAR_SUNSET;
    int64_t d0 = snapshot_local_day(a->m, a->q.from), d1 = snapshot_local_day(a->m, a->q.to - 1);
    tp_time t;
    for (int64_t d = d0; a->sun_from && d <= d1 && d < d0 + WINDOW_ANSWER_MAX_DAYS; d++)
        if (solar_event_on(kind, a->m->rules.tz, d, a->sun.lat, a->sun.lon, &t) == SOLAR_OK)
            return 1;
    return 0;
}

static json_t *why_json(const avail_request *a, const char *code, size_t item, long other)
{
    return json_pack("{s:s, s:o, s:o}", "code", code, "item", item_ref(a, item), "other",
                     other >= 0 ? item_ref(a, (size_t)other) : json_null());
}

/* The NO_WINDOW diagnosis: item K's window, with those before it, leaves no
 * start. Alone, K may not fit its own window on these dates; else its window
 * never meets another item's; else the whole shoot is too long for it. */
static json_t *why_no_window(const avail_request *a, const avail_result *r, size_t k, char *msg,
                             size_t len)
{
    const avail_window *w = &a->items[k].window;
    const char *name = a->refs[k]->name;
    char d[64], d2[64], m1[32], m2[32];
    if (!fits(a, BIT(k), BIT(k), 0)) {
        if (is_solar(w) && !any_event(a, k)) {
            snprintf(msg, len,
                     "There is no %s at this place on these dates; %s are shot around %s.",
                     event_name(w), name, event_name(w));
            return why_json(a, "no_sun", k, -1);
        }
        snprintf(msg, len,
                 "No time on these dates fits %s, which are shot %s; please try other dates.", name,
                 describe(a, w, d, sizeof d));
        return why_json(a, "window_closed", k, -1);
    }
    for (size_t j = 0; j < a->nitems; j++) {
        const uint64_t pair = BIT(j) | BIT(k);
        if (j == k || a->items[j].window.kind == AVAIL_WINDOW_NONE ||
            fits(a, pair, pair, PROBE_SHORT))
            continue;
        /* Name the twilight item as the one to book alone, else the later one. */
        size_t alone = is_solar(w) || !is_solar(&a->items[j].window) ? k : j;
        size_t other = alone == k ? j : k;
        snprintf(msg, len, "%s must be booked on their own: they are shot %s, and %s %s.",
                 a->refs[alone]->name, describe(a, &a->items[alone].window, d, sizeof d),
                 a->refs[other]->name, describe(a, &a->items[other].window, d2, sizeof d2));
        return why_json(a, "window_conflict", alone, (long)other);
    }
    snprintf(msg, len, "%s must be booked on their own: the whole shoot (%s) %s %s (%s).", name,
             minutes_text(r->duration_min, m1, sizeof m1),
             r->duration_min > window_minutes(w) ? "is longer than their time"
                                                 : "leaves no start time in their time",
             describe(a, w, d, sizeof d), minutes_text(window_minutes(w), m2, sizeof m2));
    return why_json(a, "window_too_short", k, -1);
}

json_t *window_answer_why(const avail_request *a, const avail_result *r, char *msg, size_t len)
{
    char d[64];
    size_t n;
    if (r->nslots > 0 || a->nitems == 0) return NULL;
    if (r->status == AVAIL_NO_PLACE && r->bad_item < a->nitems) {
        const avail_window *w = &a->items[r->bad_item].window;
        snprintf(msg, len,
                 "%s need the property's location, as they are shot around %s there; please "
                 "give the property's position or a postal code in our service area.",
                 a->refs[r->bad_item]->name, event_name(w));
        return why_json(a, "no_place", r->bad_item, -1);
    }
    if (r->status == AVAIL_NO_WINDOW && r->bad_item < a->nitems)
        return why_no_window(a, r, r->bad_item, msg, len);
    if (r->status != AVAIL_OK) return NULL;
    /* Nobody free: the windows are why when times outside them are free. */
    long named = -1;
    for (size_t k = 0; k < a->nitems; k++) {
        const avail_window *w = &a->items[k].window;
        if (w->kind != AVAIL_WINDOW_NONE &&
            (named < 0 || (is_solar(w) && !is_solar(&a->items[named].window))))
            named = (long)k;
    }
    if (named < 0 || probe(a, ~(uint64_t)0, 0, PROBE_STAFF, &n) != AVAIL_OK || n == 0) return NULL;
    snprintf(msg, len, "Nobody is free %s on these dates for %s; please try other dates.",
             describe(a, &a->items[named].window, d, sizeof d), a->refs[named]->name);
    return why_json(a, "window_no_staff", (size_t)named, -1);
}

/* ---- one start outside a window ---- */

/* {kind, start, end, event} of engine reason RS (outside_item_window). */
static json_t *miss_window(const avail_request *a, const avail_reason *rs)
{
    const avail_window *w = &a->items[rs->ref].window;
    char st[32], e[32], ev[32];
    int none = rs->start == 0 && rs->end == 0;
    json_t *o = json_pack(
        "{s:s, s:o, s:o}", "kind", kind_name(w), "start",
        none ? json_null() : json_string(snapshot_time(a->m, rs->start, st, sizeof st)), "end",
        none ? json_null() : json_string(snapshot_time(a->m, rs->end, e, sizeof e)));
    if (o && is_solar(w)) {
        tp_time event = rs->start + (tp_time)w->before_min * 60;
        json_object_set_new(o, "event",
                            none ? json_null()
                                 : json_string(snapshot_time(a->m, event, ev, sizeof ev)));
    }
    return o;
}

/* "the shoot window of Twilight photos: around sunset (8:27 PM), from 6:57 PM
 * to 8:57 PM" for engine reason RS (outside_item_window). */
static const char *miss_text(const avail_request *a, const avail_reason *rs, char *buf, size_t len)
{
    const avail_window *w = &a->items[rs->ref].window;
    const char *name = a->refs[rs->ref]->name;
    char d[64], c1[16], c2[16], c3[16];
    if (rs->start == 0 && rs->end == 0)
        snprintf(buf, len, "the shoot window of %s: there is no %s at this place that day", name,
                 event_name(w));
    else if (is_solar(w))
        snprintf(buf, len, "the shoot window of %s: around %s (%s), from %s to %s", name,
                 event_name(w),
                 reasons_clock(a->m, rs->start + (tp_time)w->before_min * 60, c1, sizeof c1),
                 reasons_clock(a->m, rs->start, c2, sizeof c2),
                 reasons_clock(a->m, rs->end, c3, sizeof c3));
    else
        snprintf(buf, len, "the shoot window of %s: %s", name, describe(a, w, d, sizeof d));
    return buf;
}

void window_answer_reason(const avail_request *a, const avail_reason *rs, json_t *o)
{
    char text[512], msg[640];
    if (!o || rs->ref < 0 || (size_t)rs->ref >= a->nitems) return;
    if (rs->why == AVAIL_WHY_OUTSIDE_ITEM_WINDOW) {
        snprintf(msg, sizeof msg, "the shoot falls outside %s",
                 miss_text(a, rs, text, sizeof text));
        json_object_set_new(o, "window", miss_window(a, rs));
    } else if (rs->why == AVAIL_WHY_NO_PLACE) {
        snprintf(msg, sizeof msg, "%s need the property's location: they are shot around %s there",
                 a->refs[rs->ref]->name, event_name(&a->items[rs->ref].window));
    } else {
        return;
    }
    json_object_set_new(o, "message", json_string(msg));
    json_object_set_new(o, "item", item_ref(a, (size_t)rs->ref));
}

int window_answer_refusal(const avail_request *a, tp_time at, json_t **miss, char *msg, size_t len,
                          outcome *o)
{
    char text[512];
    *miss = NULL;
    for (size_t k = 0; k < a->nitems; k++)
        if (is_solar(&a->items[k].window) && !a->sun_from)
            return outcome_fail(o, OUT_INVALID, "no_place", "property",
                                "%s need the property's location, as they are shot around %s "
                                "there: give its lat and lon, or a postal code in a service zone",
                                a->refs[k]->name, event_name(&a->items[k].window));
    /* The windows hold or not whoever shoots: ask explain about anyone. */
    avail_staff anyone = {.active = 1, .has_calendar = 1, .home_lat = NAN, .home_lon = NAN};
    avail_query q = a->q;
    q.items = a->items;
    q.property = &a->prop;
    q.staff = &anyone;
    q.nstaff = 1;
    avail_reason rs[REASONS_MAX];
    size_t n = avail_explain(&q, 0, at, rs, REASONS_MAX);
    for (size_t i = 0; i < n && i < REASONS_MAX; i++) {
        if (rs[i].why != AVAIL_WHY_OUTSIDE_ITEM_WINDOW) continue;
        snprintf(msg, len, "that time puts the shoot outside %s; pick another time",
                 miss_text(a, &rs[i], text, sizeof text));
        *miss = json_pack("{s:s, s:o, s:o}", "code", "outside_item_window", "item",
                          item_ref(a, (size_t)rs[i].ref), "window", miss_window(a, &rs[i]));
        break;
    }
    return 0;
}
