/* avail_hours.c — working-hour expansion: weekly wall-clock hours (or the
 * business default) with dated exceptions, turned into merged UTC spans by
 * walking the zone's constant-offset stretches (no libical call). */
#include "core/avail_internal.h"

/* Where spans go: a fixed buffer (counting past MAX) or a growable array. */
typedef struct {
    tp_time from, to;   /* clip */
    tp_time *fixed;     /* fixed mode: out[2k], out[2k+1] */
    size_t max, n;      /* spans written / counted */
    avail__times *grow; /* growable mode */
    int oom;
    int pending; /* a span is being merged */
    tp_time pa, pe;
} span_sink;

static void sink_flush(span_sink *k)
{
    if (!k->pending) return;
    k->pending = 0;
    tp_time a = k->pa > k->from ? k->pa : k->from;
    tp_time e = k->pe < k->to ? k->pe : k->to;
    if (a >= e) return;
    if (k->grow) {
        if (avail__times_reserve(k->grow, k->grow->n + 2) != 0) {
            k->oom = 1;
            return;
        }
        k->grow->v[k->grow->n++] = a;
        k->grow->v[k->grow->n++] = e;
        return;
    }
    if (k->n < k->max) {
        k->fixed[2 * k->n] = a;
        k->fixed[2 * k->n + 1] = e;
    }
    k->n++;
}

/* Adds [A, E); spans arrive with ascending starts, so overlapping or touching
 * ones merge into the pending span. */
static void sink_push(span_sink *k, tp_time a, tp_time e)
{
    if (k->pending && a <= k->pe) {
        if (e > k->pe) k->pe = e;
        return;
    }
    sink_flush(k);
    k->pending = 1;
    k->pa = a;
    k->pe = e;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The hours of local day DAY: a dated exception, else the weekly hours. */
static const avail_day *day_hours(const avail_rules *rules, const avail_staff *s, int64_t day)
{
    size_t lo = 0, hi = s->nexceptions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->exceptions[mid].date < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->nexceptions && s->exceptions[lo].date == day) return &s->exceptions[lo].hours;
    const avail_week *w = s->hours ? s->hours : &rules->default_hours;
    return &w->day[tz_weekday(day)];
}

/* Valid ranges of D sorted by start into OUT; returns how many. */
static int sorted_ranges(const avail_day *d, avail_range *out)
{
    int n = 0, nd = d->n < 0 ? 0 : d->n > AVAIL_MAX_RANGES ? AVAIL_MAX_RANGES : d->n;
    for (int i = 0; i < nd; i++) {
        avail_range r = d->r[i];
        if (r.start < 0 || r.end > 1440 || r.start >= r.end) continue;
        int j = n++;
        while (j > 0 && out[j - 1].start > r.start) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = r;
    }
    return n;
}

static void expand(const avail_rules *rules, const avail_staff *s, span_sink *k)
{
    const tz_zone *z = s->tz ? s->tz : rules->tz;
    for (tp_time t0 = k->from; t0 < k->to && !k->oom;) {
        int off = tz_offset_at(z, t0);
        tp_time t1 = tz_next_change(z, t0);
        if (t1 > k->to) t1 = k->to;
        int64_t w0 = t0 + off, w1 = t1 + off; /* wall-clock stretch [w0, w1) */
        for (int64_t d = floor_div(w0, 86400); d <= floor_div(w1 - 1, 86400); d++) {
            avail_range rs[AVAIL_MAX_RANGES];
            int n = sorted_ranges(day_hours(rules, s, d), rs);
            for (int i = 0; i < n; i++) {
                int64_t a = d * 86400 + rs[i].start * 60, e = d * 86400 + rs[i].end * 60;
                if (a < w0) a = w0;
                if (e > w1) e = w1;
                if (a < e) sink_push(k, a - off, e - off);
            }
        }
        t0 = t1;
    }
    sink_flush(k);
}

int avail__spans(const avail_rules *rules, const avail_staff *s, tp_time from, tp_time to,
                 avail__times *out)
{
    span_sink k = {.from = from, .to = to, .grow = out};
    expand(rules, s, &k);
    return k.oom ? -1 : 0;
}

size_t avail_work_spans(const avail_rules *rules, const avail_staff *s, tp_time from, tp_time to,
                        tp_time *out, size_t max)
{
    span_sink k = {.from = from, .to = to, .fixed = out, .max = max};
    expand(rules, s, &k);
    return k.n;
}

int avail__in_hours(const avail_rules *rules, const avail_staff *s, tp_time at, int len_min,
                    int buffer_min)
{
    tp_time a = at - (tp_time)buffer_min * 60, e = at + (tp_time)(len_min + buffer_min) * 60;
    tp_time span[2];
    return avail_work_spans(rules, s, a, e, span, 1) == 1 && span[0] == a && span[1] == e;
}
