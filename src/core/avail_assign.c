/* avail_assign.c — who gets the booking among the staff free at the chosen
 * start: balanced, priority or nearest, deterministic with ties by id. */
#include <math.h>

#include "core/avail_internal.h"

/* Distance from staff I's reference point to the property; INFINITY when unknown. */
static double distance(const avail_query *q, const avail_stat *st, uint32_t i)
{
    const avail_property *pr = q->property;
    if (!pr || !isfinite(pr->lat) || !isfinite(pr->lon) || !isfinite(st[i].ref_lat) ||
        !isfinite(st[i].ref_lon))
        return INFINITY;
    return geo_distance_km(st[i].ref_lat, st[i].ref_lon, pr->lat, pr->lon);
}

/* 1 when staff A goes before staff B under the policy. */
static int better(const avail_query *q, const avail_stat *st, uint32_t a, uint32_t b)
{
    const avail_staff *sa = &q->staff[a], *sb = &q->staff[b];
    switch (q->rules->policy) {
    case AVAIL_BALANCED:
        if (st[a].week_minutes != st[b].week_minutes)
            return st[a].week_minutes < st[b].week_minutes;
        if (st[a].last_booked != st[b].last_booked) return st[a].last_booked < st[b].last_booked;
        break;
    case AVAIL_PRIORITY: {
        unsigned ra = sa->rank > 0 ? (unsigned)sa->rank : ~0u;
        unsigned rb = sb->rank > 0 ? (unsigned)sb->rank : ~0u;
        if (ra != rb) return ra < rb;
        break;
    }
    case AVAIL_NEAREST: {
        double da = distance(q, st, a), db = distance(q, st, b);
        if (da != db) return da < db;
        break;
    }
    }
    return sa->id < sb->id;
}

/* The best of FREE that is not SKIP and (with SENIOR) is senior; -1 if none. */
static int64_t best(const avail_query *q, const uint32_t *free_idx, size_t nfree,
                    const avail_stat *st, int64_t skip, int senior)
{
    int64_t pick = -1;
    for (size_t i = 0; i < nfree; i++) {
        uint32_t c = free_idx[i];
        if ((int64_t)c == skip || (senior && !q->staff[c].senior)) continue;
        if (pick < 0 || better(q, st, c, (uint32_t)pick)) pick = c;
    }
    return pick;
}

int avail_assign(const avail_query *q, const uint32_t *free_idx, size_t nfree,
                 const avail_stat *stats, int crew, uint32_t out[2])
{
    int senior_first = crew == 2 && q->rules->two.senior_required;
    int64_t first = best(q, free_idx, nfree, stats, -1, senior_first);
    if (first < 0) return 0;
    out[0] = (uint32_t)first;
    if (crew < 2) return 1;
    int64_t second = best(q, free_idx, nfree, stats, first, 0);
    if (second < 0) return 1;
    out[1] = (uint32_t)second;
    if (better(q, stats, out[1], out[0])) {
        out[1] = out[0];
        out[0] = (uint32_t)second;
    }
    return 2;
}
