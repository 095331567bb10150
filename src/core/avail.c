/* avail.c — avail_compute and avail_free_at: candidate starts on the business
 * zone's step kept where the shoot fits every item's window, per-staff free
 * intervals (working spans minus busy time swept in one pass) and crew
 * counting, all in memory reused across queries. */
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/avail_internal.h"

typedef struct {
    uint32_t n, senior; /* free staff at a candidate, and how many are senior */
} crew_count;

/* The engine-private memory behind avail_result.scratch. */
typedef struct {
    avail__times cand; /* candidate starts, ascending */
    crew_count *count; /* parallel to cand */
    size_t count_cap;
    avail__times spans;   /* working spans of the current staff member; first, window spans */
    avail__times blocked; /* (p, q) pairs: starts in (p, q) hit a busy interval */
} scratch;

void avail_result_init(avail_result *r)
{
    memset(r, 0, sizeof *r);
}

void avail_result_free(avail_result *r)
{
    if (!r) return;
    scratch *sc = r->scratch;
    if (sc) {
        free(sc->cand.v);
        free(sc->count);
        free(sc->spans.v);
        free(sc->blocked.v);
        free(sc);
    }
    free(r->pairs);
    free(r->slots);
    avail_result_init(r);
}

int avail_result_add_pair(avail_result *r, tp_time start, uint32_t staff)
{
    if (ARRAY_RESERVE(r->pairs, r->pairs_cap, r->npairs + 1, 256) != 0) return -1;
    r->pairs[r->npairs].start = start;
    r->pairs[r->npairs].staff = staff;
    r->npairs++;
    return 0;
}

int avail_result_add_slot(avail_result *r, tp_time start, tp_time end, int crew)
{
    if (ARRAY_RESERVE(r->slots, r->slots_cap, r->nslots + 1, 64) != 0) return -1;
    r->slots[r->nslots].start = start;
    r->slots[r->nslots].end = end;
    r->slots[r->nslots].crew = crew;
    r->nslots++;
    return 0;
}

/* Every candidate start of Q: aligned to the step in the business zone,
 * within [from, to), notice and horizon. Walks the zone's constant-offset
 * stretches so both passes of a repeated wall time appear and gap times don't. */
static int build_candidates(const avail_query *q, avail__times *out)
{
    const avail_rules *ru = q->rules;
    int step = ru->step_min > 0 ? ru->step_min : 1;
    tp_time lo = q->from, end = q->to; /* [lo, end) */
    tp_time earliest = q->now + (tp_time)ru->notice_min * 60;
    tp_time latest = q->now + (tp_time)ru->horizon_days * 86400;
    if (earliest > lo) lo = earliest;
    if (latest < end - 1) end = latest + 1;
    out->n = 0;
    for (tp_time t0 = lo; t0 < end;) {
        int off = tz_offset_at(ru->tz, t0);
        tp_time t1 = tz_next_change(ru->tz, t0);
        if (t1 > end) t1 = end;
        int64_t w0 = t0 + off, w1 = t1 + off;
        int64_t day = w0 >= 0 ? w0 / 86400 : (w0 - 86399) / 86400;
        int64_t mins = (w0 - day * 86400 + 59) / 60;
        mins = (mins + step - 1) / step * step;
        for (;;) {
            if (mins >= 1440) {
                day++;
                mins = 0;
            }
            int64_t w = day * 86400 + mins * 60;
            if (w >= w1) break;
            if (avail__times_reserve(out, out->n + 1) != 0) return -1;
            out->v[out->n++] = w - off;
            mins += step;
        }
        t0 = t1;
    }
    return 0;
}

static int cmp_blocked(const void *a, const void *b)
{
    tp_time x = *(const tp_time *)a, y = *(const tp_time *)b;
    return x < y ? -1 : x > y;
}

/* Fills sc->blocked with the (p, q) ranges of starts that hit S's busy time,
 * ordered by p, keeping only those that can touch a candidate. */
static int build_blocked(const avail_query *q, const avail__plan *p, const avail_staff *s,
                         scratch *sc)
{
    const tp_time first = sc->cand.v[0], last = sc->cand.v[sc->cand.n - 1];
    const tp_time len = (tp_time)p->len_min * 60;
    const int travel = q->rules->travel_kmh > 0;
    avail__times *bl = &sc->blocked;
    bl->n = 0;
    if (avail__times_reserve(bl, 2 * s->nbusy) != 0) return -1;
    const tp_time buf = (tp_time)q->rules->buffer_min * 60;
    for (size_t i = 0; i < s->nbusy; i++) {
        const avail_busy *b = &s->busy[i];
        tp_time g = travel ? avail__gap(q, p, b) : buf;
        tp_time lo = b->start - len - g, hi = b->end + g;
        if (lo >= last) {
            if (!travel) /* sorted by start and one gap: no later one matters */
                break;
            continue;
        }
        if (hi <= first || hi <= lo + 1) continue;
        bl->v[bl->n++] = lo;
        bl->v[bl->n++] = hi;
    }
    if (travel && bl->n > 2) qsort(bl->v, bl->n / 2, 2 * sizeof *bl->v, cmp_blocked);
    return 0;
}

/* Emits every candidate where staff IDX is free: inside a working span with
 * its buffers, and outside every blocked range. One pass over candidates,
 * spans and blocked ranges, all ascending. */
static int sweep_staff(const avail_query *q, const avail__plan *p, uint32_t idx, scratch *sc,
                       avail_result *r)
{
    const tp_time buf = (tp_time)q->rules->buffer_min * 60;
    const tp_time len = (tp_time)p->len_min * 60;
    const tp_time *cand = sc->cand.v, *bl = sc->blocked.v, *sp = sc->spans.v;
    const size_t nc = sc->cand.n, nb = sc->blocked.n / 2, ns = sc->spans.n / 2;
    const int senior = q->staff[idx].senior != 0;
    size_t ci = 0, bi = 0;
    tp_time reach = INT64_MIN; /* furthest q among blocked ranges with p < current start */
    for (size_t k = 0; k < ns && ci < nc; k++) {
        tp_time x = sp[2 * k] + buf, y = sp[2 * k + 1] - len - buf; /* starts in [x, y] */
        size_t lo = ci, hi = nc;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cand[mid] < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (ci = lo; ci < nc && cand[ci] <= y; ci++) {
            tp_time s = cand[ci];
            while (bi < nb && bl[2 * bi] < s) {
                if (bl[2 * bi + 1] > reach) reach = bl[2 * bi + 1];
                bi++;
            }
            if (reach > s) continue;
            if (avail_result_add_pair(r, s, idx) != 0) return -1;
            sc->count[ci].n++;
            sc->count[ci].senior += (uint32_t)senior;
        }
    }
    return 0;
}

static scratch *scratch_get(avail_result *r)
{
    if (!r->scratch) {
        r->scratch = calloc(1, sizeof(scratch));
        r->scratch_cap = r->scratch ? sizeof(scratch) : 0;
    }
    return r->scratch;
}

/* 1 when staff A's working spans are those already computed for B: same
 * zone and hours, and neither has dated exceptions. */
static int same_hours(const avail_rules *ru, const avail_staff *a, const avail_staff *b)
{
    return b && a->nexceptions == 0 && b->nexceptions == 0 &&
           (a->tz ? a->tz : ru->tz) == (b->tz ? b->tz : ru->tz) &&
           (a->hours ? a->hours : &ru->default_hours) == (b->hours ? b->hours : &ru->default_hours);
}

static int offered(const avail_rules *ru, int crew, crew_count c)
{
    if (crew == 1) return c.n >= 1;
    return c.n >= 2 && (!ru->two.senior_required || c.senior >= 1);
}

static int index_of(const avail__times *cand, tp_time s)
{
    size_t lo = 0, hi = cand->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cand->v[mid] < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (int)lo;
}

/* Keeps only the offered starts: drops pairs at starts without a crew and
 * writes the slots. */
static int finish(const avail_query *q, const avail__plan *p, scratch *sc, avail_result *r)
{
    const avail_rules *ru = q->rules;
    if (p->crew == 2) {
        size_t k = 0;
        for (size_t i = 0; i < r->npairs; i++)
            if (offered(ru, 2, sc->count[index_of(&sc->cand, r->pairs[i].start)]))
                r->pairs[k++] = r->pairs[i];
        r->npairs = k;
    }
    for (size_t ci = 0; ci < sc->cand.n; ci++)
        if (offered(ru, p->crew, sc->count[ci]) &&
            avail_result_add_slot(r, sc->cand.v[ci], sc->cand.v[ci] + (tp_time)p->len_min * 60,
                                  p->crew) != 0)
            return -1;
    return 0;
}

static int compute(const avail_query *q, const avail__plan *p, avail_result *r)
{
    const avail_rules *ru = q->rules;
    scratch *sc = scratch_get(r);
    if (!sc || build_candidates(q, &sc->cand) != 0) return -1;
    /* No start fits the windows: the candidates are emptied, and the staff
     * loop below only says whether the property is outside the area. */
    int no_window = 0;
    if (p->has_windows && sc->cand.n > 0) {
        no_window = avail__window_filter(q, p, &sc->cand, &sc->spans, &r->bad_item);
        if (no_window < 0) return -1;
    }
    size_t nc = sc->cand.n;
    if (ARRAY_RESERVE(sc->count, sc->count_cap, nc, 64) != 0) return -1;
    if (nc) memset(sc->count, 0, nc * sizeof *sc->count);
    const tp_time buf = (tp_time)ru->buffer_min * 60, len = (tp_time)p->len_min * 60;
    const avail_staff *spans_of = NULL;
    int any_serving = 0;
    for (size_t i = 0; i < q->nstaff; i++) {
        const avail_staff *s = &q->staff[i];
        int serves = avail__serves(q, p, s);
        any_serving |= s->active && serves;
        if (nc == 0 || !serves || !avail_staff_able(q, s)) continue;
        if (!same_hours(ru, s, spans_of)) {
            sc->spans.n = 0;
            if (avail__spans(ru, s, sc->cand.v[0] - buf, sc->cand.v[nc - 1] + len + buf,
                             &sc->spans) != 0)
                return -1;
            spans_of = s;
        }
        if (build_blocked(q, p, s, sc) != 0 || sweep_staff(q, p, (uint32_t)i, sc, r) != 0)
            return -1;
    }
    if (q->nstaff > 0 && !any_serving) {
        r->status = AVAIL_OUTSIDE_AREA;
        return 0;
    }
    if (no_window) {
        r->status = AVAIL_NO_WINDOW;
        return 0;
    }
    return finish(q, p, sc, r);
}

int avail_compute(const avail_query *q, avail_result *r)
{
    avail__plan p;
    avail__plan_init(q, &p);
    r->npairs = r->nslots = 0;
    r->status = p.status;
    r->bad_item = p.bad_item;
    r->raw_duration_min = p.raw_min;
    r->duration_min = p.len_min;
    r->crew = p.crew;
    if (p.status != AVAIL_OK) return 0;
    if (compute(q, &p, r) != 0) {
        r->npairs = r->nslots = 0;
        r->status = AVAIL_NOMEM;
        return -1;
    }
    return 0;
}

size_t avail_free_at(const avail_query *q, tp_time at, uint32_t *out, size_t max)
{
    avail__plan p;
    avail__plan_init(q, &p);
    size_t n = 0;
    for (size_t i = 0; i < q->nstaff; i++) {
        if (!avail__staff_free(q, &p, &q->staff[i], at)) continue;
        if (n < max) out[n] = (uint32_t)i;
        n++;
    }
    return n;
}
