/* avail_rules.c — the availability rules one at a time: duration and crew,
 * the place of solar windows, service zones, skills, slot alignment, drive and
 * travel buffers, and whether one staff member is free at one start. Shared by
 * compute, free_at, explain. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/avail_internal.h"

int avail__times_reserve(avail__times *t, size_t n)
{
    return ARRAY_RESERVE(t->v, t->cap, n, 64);
}

int avail_item_tier(const avail_item *it, int sqft)
{
    if (sqft > 0)
        for (size_t i = 0; i < it->ntiers; i++)
            if (sqft <= it->tiers[i].max_sqft) return (int)i;
    return -1;
}

/* An item's scheduling minutes for SQFT (0 = unknown). */
static int item_minutes(const avail_item *it, int sqft)
{
    if (it->minutes <= 0) return it->minutes;
    int t = avail_item_tier(it, sqft);
    return t >= 0 ? it->tiers[t].minutes : it->minutes;
}

int avail_item_covered(const avail_item *items, size_t n, size_t i)
{
    if (i >= n || items[i].service_id == 0) return 0;
    const int64_t sid = items[i].service_id;
    for (size_t k = 0; k < n; k++) {
        if (k < i && items[k].service_id == sid) return 1;
        for (size_t j = 0; j < items[k].ncontains; j++)
            if (items[k].contains[j] == sid) return 1;
    }
    return 0;
}

avail_status avail_duration(const avail_query *q, int *raw_min, int *sched_min, int *crew,
                            size_t *bad_item)
{
    if (q->nitems == 0) return AVAIL_NO_ITEMS;
    int sqft = q->property ? q->property->sqft : 0;
    int64_t d = 0;
    int force_two = 0;
    for (size_t i = 0; i < q->nitems; i++) {
        int m = item_minutes(&q->items[i], sqft);
        if (m <= 0) {
            if (bad_item) *bad_item = i;
            return AVAIL_NOT_SCHEDULABLE;
        }
        if (!avail_item_covered(q->items, q->nitems, i)) d += m;
        force_two |= q->items[i].force_two != 0;
    }
    const avail_rules *ru = q->rules;
    int two = force_two || (ru->two.enabled && d >= ru->two.threshold_min);
    int64_t len = d;
    if (two) {
        int pct = ru->two.reduction_pct < 0    ? 0
                  : ru->two.reduction_pct > 99 ? 99
                                               : ru->two.reduction_pct;
        int64_t scaled = d * (100 - pct); /* hundredths of a minute */
        len = (scaled + 499) / 500 * 5;   /* ceil to a whole minute, then to 5 */
    }
    *raw_min = (int)d;
    *sched_min = (int)len;
    *crew = two ? 2 : 1;
    return AVAIL_OK;
}

void avail__plan_init(const avail_query *q, avail__plan *p)
{
    memset(p, 0, sizeof *p);
    p->status = avail_duration(q, &p->raw_min, &p->len_min, &p->crew, &p->bad_item);
    const avail_property *pr = q->property;
    p->sun_lat = p->sun_lon = NAN;
    if (pr) {
        geo_postal_norm(pr->postal_code, p->postal, sizeof p->postal);
        p->has_latlon = isfinite(pr->lat) && isfinite(pr->lon);
        if (p->has_latlon) {
            p->sun_lat = pr->lat;
            p->sun_lon = pr->lon;
        } else if (pr->sun_place && isfinite(pr->sun_place->lat) && isfinite(pr->sun_place->lon)) {
            p->sun_lat = pr->sun_place->lat;
            p->sun_lon = pr->sun_place->lon;
        }
    }
    for (size_t i = 0; i < q->nitems; i++) {
        avail_window_kind k = q->items[i].window.kind;
        p->has_windows |= k != AVAIL_WINDOW_NONE;
        if ((k == AVAIL_WINDOW_SUNRISE || k == AVAIL_WINDOW_SUNSET) && !isfinite(p->sun_lat) &&
            p->status == AVAIL_OK) {
            p->status = AVAIL_NO_PLACE;
            p->bad_item = i;
        }
    }
}

static const avail_zone *find_zone(const avail_query *q, int64_t id)
{
    for (size_t i = 0; i < q->nzones; i++)
        if (q->zones[i].id == id) return &q->zones[i];
    return NULL;
}

static int zone_matches(const avail_query *q, const avail__plan *p, const avail_zone *z)
{
    if (z->polygon && p->has_latlon && geo_contains(z->polygon, q->property->lat, q->property->lon))
        return 1;
    if (p->postal[0])
        for (size_t i = 0; i < z->npostal; i++)
            if (strcmp(z->postal[i], p->postal) == 0) return 1;
    return 0;
}

int avail__serves(const avail_query *q, const avail__plan *p, const avail_staff *s)
{
    if (s->nzones == 0) return 1;
    for (size_t i = 0; i < s->nzones; i++) {
        const avail_zone *z = find_zone(q, s->zones[i]);
        if (z && zone_matches(q, p, z)) return 1;
    }
    return 0;
}

int avail_serves_property(const avail_query *q)
{
    avail__plan p;
    avail__plan_init(q, &p);
    for (size_t i = 0; i < q->nstaff; i++)
        if (q->staff[i].active && avail__serves(q, &p, &q->staff[i])) return 1;
    return q->nstaff == 0;
}

int avail__has_skill(const avail_staff *s, int64_t skill)
{
    size_t lo = 0, hi = s->nskills;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->skills[mid] < skill)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->nskills && s->skills[lo] == skill;
}

int avail__has_all_skills(const avail_query *q, const avail_staff *s)
{
    for (size_t i = 0; i < q->nitems; i++)
        for (size_t k = 0; k < q->items[i].nskills; k++)
            if (!avail__has_skill(s, q->items[i].skills[k])) return 0;
    return 1;
}

int avail_staff_able(const avail_query *q, const avail_staff *s)
{
    return s->active && s->has_calendar && avail__has_all_skills(q, s);
}

int avail__aligned(const avail_query *q, tp_time at)
{
    int64_t wall = tz_utc_to_local(q->rules->tz, at);
    int64_t sod = wall % 86400;
    if (sod < 0) sod += 86400;
    int step = q->rules->step_min > 0 ? q->rules->step_min : 1;
    return sod % 60 == 0 && (sod / 60) % step == 0;
}

tp_time avail__gap(const avail_query *q, const avail__plan *p, const avail_busy *b)
{
    int gap = q->rules->buffer_min;
    double kmh = q->rules->travel_kmh;
    if (kmh > 0 && p->has_latlon && isfinite(b->lat) && isfinite(b->lon)) {
        double km = geo_distance_km(q->property->lat, q->property->lon, b->lat, b->lon);
        double drive = ceil(km / kmh * 60.0);
        if (drive > gap) gap = drive > 1e6 ? 1000000 : (int)drive;
    }
    return (tp_time)gap * 60;
}

int avail__busy_hits(const avail_query *q, const avail__plan *p, const avail_busy *b, tp_time at)
{
    tp_time g = avail__gap(q, p, b);
    return at - g < b->end && at + (tp_time)p->len_min * 60 + g > b->start;
}

int avail__staff_free(const avail_query *q, const avail__plan *p, const avail_staff *s, tp_time at)
{
    const avail_rules *ru = q->rules;
    if (p->status != AVAIL_OK || !avail_staff_able(q, s) || !avail__serves(q, p, s) ||
        !avail__aligned(q, at))
        return 0;
    if (at < q->now + (tp_time)ru->notice_min * 60 ||
        at > q->now + (tp_time)ru->horizon_days * 86400)
        return 0;
    if (!avail__in_hours(ru, s, at, p->len_min, ru->buffer_min)) return 0;
    for (size_t k = 0; p->has_windows && k < q->nitems; k++)
        if (!avail__window_holds(q, p, k, at, NULL, NULL)) return 0;
    for (size_t i = 0; i < s->nbusy; i++)
        if (avail__busy_hits(q, p, &s->busy[i], at)) return 0;
    return 1;
}
