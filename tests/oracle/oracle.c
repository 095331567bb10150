/* oracle.c — the brute-force reference for the availability rules, written
 * from PRODUCT.md without the engine's code: for each minute of the window,
 * is it an aligned start (libical wall time), does every minute of the shoot
 * lie in each item's window, and for each staff member is every minute of the
 * buffered window in working hours (libical wall time, weekday or dated
 * exception) and clear of busy time. Beyond the public types it uses only
 * primitives tested on their own: tz (zone names, civil dates), geo (zones,
 * distance; test_geo.c) and solar_event (sunrise/sunset; test_solar.c checks
 * it against the USNO's published tables) and the result type's own
 * avail_result_add_pair/_slot (appending to the answer, no rule in them). */
#include "oracle/oracle.h"

#include <libical/ical.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/solar.h"

static icaltimezone *ical_zone(const tz_zone *z)
{
    return icaltimezone_get_builtin_timezone(tz_zone_name(z));
}

static struct icaltimetype wall_of(icaltimezone *zone, tp_time t)
{
    return icaltime_from_timet_with_zone((time_t)t, 0, zone);
}

/* Scheduling minutes of one item, by size tier when the size is known. */
static int item_minutes(const avail_item *it, int sqft)
{
    if (it->minutes <= 0) return 0;
    for (size_t i = 0; sqft > 0 && i < it->ntiers; i++)
        if (sqft <= it->tiers[i].max_sqft) return it->tiers[i].minutes;
    return it->minutes;
}

static int has_id(const int64_t *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == id) return 1;
    return 0;
}

static int serves(const avail_query *q, const avail_staff *s)
{
    if (s->nzones == 0) return 1;
    const avail_property *p = q->property;
    char code[64];
    geo_postal_norm(p->postal_code, code, sizeof code);
    int located = !isnan(p->lat) && !isnan(p->lon);
    for (size_t i = 0; i < s->nzones; i++)
        for (size_t k = 0; k < q->nzones; k++) {
            const avail_zone *z = &q->zones[k];
            if (z->id != s->zones[i]) continue;
            if (z->polygon && located && geo_contains(z->polygon, p->lat, p->lon)) return 1;
            for (size_t c = 0; code[0] && c < z->npostal; c++)
                if (strcmp(z->postal[c], code) == 0) return 1;
        }
    return 0;
}

static int skilled(const avail_query *q, const avail_staff *s)
{
    for (size_t i = 0; i < q->nitems; i++)
        for (size_t k = 0; k < q->items[i].nskills; k++)
            if (!has_id(s->skills, s->nskills, q->items[i].skills[k])) return 0;
    return 1;
}

/* Is the minute starting at T inside S's working hours? */
static int working_minute(const avail_query *q, const avail_staff *s, icaltimezone *zone, tp_time t)
{
    struct icaltimetype w = wall_of(zone, t);
    const avail_day *day = NULL;
    for (size_t i = 0; i < s->nexceptions; i++) {
        int y, m, d;
        tz_civil_from_days(s->exceptions[i].date, &y, &m, &d);
        if (y == w.year && m == w.month && d == w.day) day = &s->exceptions[i].hours;
    }
    if (!day) {
        int monday0 = (icaltime_day_of_week(w) + 5) % 7; /* libical: 1 = Sunday */
        const avail_week *week = s->hours ? s->hours : &q->rules->default_hours;
        day = &week->day[monday0];
    }
    int minute = w.hour * 60 + w.minute;
    for (int i = 0; i < day->n; i++)
        if (minute >= day->r[i].start && minute < day->r[i].end) return 1;
    return 0;
}

/* Where solar windows are computed: the property's point, else the caller's
 * fallback. 0 when there is neither. */
static int solar_place(const avail_property *p, double *lat, double *lon)
{
    if (isfinite(p->lat) && isfinite(p->lon)) {
        *lat = p->lat;
        *lon = p->lon;
        return 1;
    }
    if (p->sun_place && isfinite(p->sun_place->lat) && isfinite(p->sun_place->lon)) {
        *lat = p->sun_place->lat;
        *lon = p->sun_place->lon;
        return 1;
    }
    return 0;
}

/* Does window W hold the shoot [START, START + LEN_MIN)? */
static int window_holds(const avail_query *q, const avail_window *w, icaltimezone *bz,
                        tp_time start, int len_min)
{
    switch (w->kind) {
    case AVAIL_WINDOW_NONE:
        return 1;
    case AVAIL_WINDOW_LOCAL:
        /* Every minute of the shoot at a business wall-clock time in [from, to). */
        if (w->from_min < 0 || w->to_min > 1440 || w->from_min >= w->to_min) return 0;
        for (tp_time t = start; t < start + len_min * 60; t += 60) {
            struct icaltimetype wall = wall_of(bz, t);
            int minute = wall.hour * 60 + wall.minute;
            if (minute < w->from_min || minute >= w->to_min) return 0;
        }
        return 1;
    case AVAIL_WINDOW_SUNRISE:
    case AVAIL_WINDOW_SUNSET: {
        /* Some event E (to the minute): E − before ≤ start, end ≤ E + after. */
        double lat, lon;
        if (abs(w->before_min) > 600 || abs(w->after_min) > 600 ||
            !solar_place(q->property, &lat, &lon))
            return 0;
        solar_kind kind = w->kind == AVAIL_WINDOW_SUNSET ? SOLAR_SUNSET : SOLAR_SUNRISE;
        int64_t day = solar_day_of(start, lon);
        for (int64_t d = day - 2; d <= day + 2; d++) {
            tp_time e;
            if (solar_event(kind, d, lat, lon, &e) != SOLAR_OK) continue;
            e = solar_to_minute(e);
            if (e - w->before_min * 60 <= start && start + len_min * 60 <= e + w->after_min * 60)
                return 1;
        }
        return 0;
    }
    }
    return 0;
}

/* Do the windows of the first UPTO items all hold the shoot at START? */
static int windows_hold(const avail_query *q, size_t upto, icaltimezone *bz, tp_time start,
                        int len_min)
{
    for (size_t i = 0; i < upto; i++)
        if (!window_holds(q, &q->items[i].window, bz, start, len_min)) return 0;
    return 1;
}

/* Is S a candidate start: on the step in the business zone, within notice and horizon? */
static int candidate(const avail_query *q, icaltimezone *bz, tp_time s)
{
    const avail_rules *ru = q->rules;
    int step = ru->step_min > 0 ? ru->step_min : 1;
    struct icaltimetype w = wall_of(bz, s);
    return w.second == 0 && (w.hour * 60 + w.minute) % step == 0 &&
           s >= q->now + ru->notice_min * 60 && s <= q->now + (tp_time)ru->horizon_days * 86400;
}

static tp_time first_minute(const avail_query *q)
{
    return q->from + (60 - q->from % 60) % 60; /* instants here are after 1970 */
}

/* AVAIL_NO_PLACE when an item has a sunrise/sunset window and there is no
 * place to compute it; *BAD is then the first such item. */
static avail_status place_status(const avail_query *q, size_t *bad)
{
    double lat, lon;
    for (size_t i = 0; i < q->nitems; i++) {
        avail_window_kind k = q->items[i].window.kind;
        if ((k == AVAIL_WINDOW_SUNRISE || k == AVAIL_WINDOW_SUNSET) &&
            !solar_place(q->property, &lat, &lon)) {
            *bad = i;
            return AVAIL_NO_PLACE;
        }
    }
    return AVAIL_OK;
}

/* AVAIL_NO_WINDOW when candidates exist but, for some item K (the first), no
 * candidate fits the windows of items 0…K; *BAD is then K. */
static avail_status window_status(const avail_query *q, icaltimezone *bz, int len_min, size_t *bad)
{
    int any = 0;
    for (size_t k = 0; k < q->nitems; k++) {
        if (q->items[k].window.kind == AVAIL_WINDOW_NONE) continue;
        int fits = 0;
        for (tp_time s = first_minute(q); s < q->to && !fits; s += 60) {
            if (!candidate(q, bz, s)) continue;
            any = 1;
            fits = windows_hold(q, k + 1, bz, s, len_min);
        }
        if (any && !fits) {
            *bad = k;
            return AVAIL_NO_WINDOW;
        }
    }
    return AVAIL_OK;
}

static int free_at(const avail_query *q, const avail_staff *s, icaltimezone *zone, tp_time start,
                   int len_min)
{
    const avail_rules *ru = q->rules;
    tp_time from = start - ru->buffer_min * 60, to = start + (len_min + ru->buffer_min) * 60;
    for (size_t i = 0; i < s->nbusy; i++) {
        const avail_busy *b = &s->busy[i];
        int gap = ru->buffer_min;
        if (ru->travel_kmh > 0 && !isnan(q->property->lat) && !isnan(q->property->lon) &&
            !isnan(b->lat) && !isnan(b->lon)) {
            double km = geo_distance_km(q->property->lat, q->property->lon, b->lat, b->lon);
            double drive = ceil(km / ru->travel_kmh * 60.0);
            if (drive > gap) gap = (int)drive;
        }
        if (start - gap * 60 < b->end && start + (len_min + gap) * 60 > b->start) return 0;
    }
    for (tp_time t = from; t < to; t += 60)
        if (!working_minute(q, s, zone, t)) return 0;
    return 1;
}

static int by_staff_then_start(const void *a, const void *b)
{
    const avail_pair *x = a, *y = b;
    if (x->staff != y->staff) return x->staff < y->staff ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* D, crew and scheduled length; 0 or the status that stops the query. */
static avail_status duration(const avail_query *q, avail_result *r)
{
    if (q->nitems == 0) return AVAIL_NO_ITEMS;
    int d = 0, force = 0;
    for (size_t i = 0; i < q->nitems; i++) {
        int m = item_minutes(&q->items[i], q->property->sqft);
        if (m <= 0) {
            r->bad_item = i;
            return AVAIL_NOT_SCHEDULABLE;
        }
        d += m;
        force = force || q->items[i].force_two;
    }
    const avail_rules *ru = q->rules;
    r->raw_duration_min = d;
    r->duration_min = d;
    r->crew = 1;
    if (force || (ru->two.enabled && d >= ru->two.threshold_min)) {
        int pct = ru->two.reduction_pct < 0    ? 0
                  : ru->two.reduction_pct > 99 ? 99
                                               : ru->two.reduction_pct;
        double exact = d * (100 - pct) / 100.0;
        int len = 5;
        while (len < exact)
            len += 5;
        r->duration_min = len;
        r->crew = 2;
    }
    return AVAIL_OK;
}

int oracle_compute(const avail_query *q, avail_result *r)
{
    const avail_rules *ru = q->rules;
    r->npairs = r->nslots = 0;
    r->status = duration(q, r);
    if (r->status == AVAIL_OK) r->status = place_status(q, &r->bad_item);
    if (r->status != AVAIL_OK) return 0;
    int any_serving = 0;
    for (size_t i = 0; i < q->nstaff; i++)
        any_serving = any_serving || (q->staff[i].active && serves(q, &q->staff[i]));
    if (q->nstaff > 0 && !any_serving) {
        r->status = AVAIL_OUTSIDE_AREA;
        return 0;
    }
    icaltimezone *bz = ical_zone(ru->tz);
    if (!bz) return -1;
    r->status = window_status(q, bz, r->duration_min, &r->bad_item);
    if (r->status != AVAIL_OK) return 0;
    for (tp_time s = first_minute(q); s < q->to; s += 60) {
        if (!candidate(q, bz, s) || !windows_hold(q, q->nitems, bz, s, r->duration_min)) continue;
        int nfree = 0, nsenior = 0;
        size_t mark = r->npairs;
        for (size_t i = 0; i < q->nstaff; i++) {
            const avail_staff *st = &q->staff[i];
            if (!st->active || !st->has_calendar || !serves(q, st) || !skilled(q, st)) continue;
            icaltimezone *sz = st->tz ? ical_zone(st->tz) : bz;
            if (!sz) return -1;
            if (!free_at(q, st, sz, s, r->duration_min)) continue;
            nfree++;
            nsenior += st->senior != 0;
            if (avail_result_add_pair(r, s, (uint32_t)i) != 0) return -1;
        }
        int ok =
            r->crew == 1 ? nfree >= 1 : nfree >= 2 && (!ru->two.senior_required || nsenior >= 1);
        if (!ok) {
            r->npairs = mark;
            continue;
        }
        if (avail_result_add_slot(r, s, s + r->duration_min * 60, r->crew) != 0) return -1;
    }
    if (r->npairs > 1) qsort(r->pairs, r->npairs, sizeof *r->pairs, by_staff_then_start);
    return 0;
}
