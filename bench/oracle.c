/* oracle.c — the brute-force reference for the availability rules: for each
 * minute of the window, is it an aligned start (libical wall time), and for
 * each staff member is every minute of the buffered window in working hours
 * (libical wall time, weekday or dated exception) and clear of busy time. */
#include "oracle.h"

#include <libical/ical.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static int push_pair(avail_result *r, tp_time start, uint32_t staff)
{
    if (r->npairs == r->pairs_cap) {
        size_t cap = r->pairs_cap ? 2 * r->pairs_cap : 256;
        avail_pair *v = realloc(r->pairs, cap * sizeof *v);
        if (!v) return -1;
        r->pairs = v;
        r->pairs_cap = cap;
    }
    r->pairs[r->npairs].start = start;
    r->pairs[r->npairs].staff = staff;
    r->npairs++;
    return 0;
}

static int push_slot(avail_result *r, tp_time start, tp_time end, int crew)
{
    if (r->nslots == r->slots_cap) {
        size_t cap = r->slots_cap ? 2 * r->slots_cap : 64;
        avail_slot *v = realloc(r->slots, cap * sizeof *v);
        if (!v) return -1;
        r->slots = v;
        r->slots_cap = cap;
    }
    r->slots[r->nslots].start = start;
    r->slots[r->nslots].end = end;
    r->slots[r->nslots].crew = crew;
    r->nslots++;
    return 0;
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
    int step = ru->step_min > 0 ? ru->step_min : 1;
    tp_time first = q->from + (60 - q->from % 60) % 60; /* instants here are after 1970 */
    for (tp_time s = first; s < q->to; s += 60) {
        struct icaltimetype w = wall_of(bz, s);
        if (w.second != 0 || (w.hour * 60 + w.minute) % step != 0) continue;
        if (s < q->now + ru->notice_min * 60 || s > q->now + (tp_time)ru->horizon_days * 86400)
            continue;
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
            if (push_pair(r, s, (uint32_t)i) != 0) return -1;
        }
        int ok =
            r->crew == 1 ? nfree >= 1 : nfree >= 2 && (!ru->two.senior_required || nsenior >= 1);
        if (!ok) {
            r->npairs = mark;
            continue;
        }
        if (push_slot(r, s, s + r->duration_min * 60, r->crew) != 0) return -1;
    }
    if (r->npairs > 1) qsort(r->pairs, r->npairs, sizeof *r->pairs, by_staff_then_start);
    return 0;
}
