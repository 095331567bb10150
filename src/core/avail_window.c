/* avail_window.c — shoot windows: an item's allowed time (fixed local hours,
 * or around sunrise/sunset at the property) as UTC spans, the filter that
 * keeps the candidate starts whose shoot fits every window, and one start's check. */
#include "core/avail_internal.h"
#include "core/solar.h"

#define WINDOW_MAX_MIN 600 /* |before|, |after| of a solar window */

/* A LOCAL window as the working hours of a stand-in staff member in the
 * business zone with the same hours every day (one range, or none when the
 * window is invalid), so the engine's hour expansion serves windows too. */
typedef struct {
    avail_week week;
    avail_staff staff;
} local_hours;

static void local_hours_init(const avail_window *w, local_hours *h)
{
    avail_day d = {.n = 0};
    if (w->from_min >= 0 && w->from_min < w->to_min && w->to_min <= 1440) {
        d.r[0].start = (int16_t)w->from_min;
        d.r[0].end = (int16_t)w->to_min;
        d.n = 1;
    }
    for (int i = 0; i < 7; i++)
        h->week.day[i] = d;
    h->staff = (avail_staff){.hours = &h->week}; /* tz NULL: the business zone */
}

static int solar_valid(const avail_window *w)
{
    return w->before_min >= -WINDOW_MAX_MIN && w->before_min <= WINDOW_MAX_MIN &&
           w->after_min >= -WINDOW_MAX_MIN && w->after_min <= WINDOW_MAX_MIN &&
           w->before_min + w->after_min > 0;
}

/* The solar window around the event of solar day DAY: [*A, *E). 0 when the
 * sun does not rise or set that day. */
static int solar_span(const avail__plan *p, const avail_window *w, int64_t day, tp_time *a,
                      tp_time *e)
{
    solar_kind kind = w->kind == AVAIL_WINDOW_SUNSET ? SOLAR_SUNSET : SOLAR_SUNRISE;
    tp_time ev;
    if (solar_event(kind, day, p->sun_lat, p->sun_lon, &ev) != SOLAR_OK) return 0;
    ev = solar_to_minute(ev); /* the event as pages show it */
    *a = ev - (tp_time)w->before_min * 60;
    *e = ev + (tp_time)w->after_min * 60;
    return 1;
}

/* Appends window W's spans clipped to [FROM, TO) to OUT, ascending and merged. */
static int window_spans(const avail_query *q, const avail__plan *p, const avail_window *w,
                        tp_time from, tp_time to, avail__times *out)
{
    if (w->kind == AVAIL_WINDOW_LOCAL) {
        local_hours h;
        local_hours_init(w, &h);
        return avail__spans(q->rules, &h.staff, from, to, out);
    }
    if ((w->kind != AVAIL_WINDOW_SUNRISE && w->kind != AVAIL_WINDOW_SUNSET) || !solar_valid(w))
        return 0;
    /* A day's event lies within about 12 h of its noon, so these days hold
     * every event whose window reaches into [from, to). Consecutive events
     * are ~24 h apart and windows at most 20 h long, so spans do not overlap;
     * they would merge if they did. */
    int64_t d0 = solar_day_of(from - (tp_time)w->after_min * 60, p->sun_lon) - 1;
    int64_t d1 = solar_day_of(to + (tp_time)w->before_min * 60, p->sun_lon) + 1;
    for (int64_t d = d0; d <= d1; d++) {
        tp_time a, e;
        if (!solar_span(p, w, d, &a, &e)) continue;
        if (a < from) a = from;
        if (e > to) e = to;
        if (a >= e) continue;
        if (out->n && a <= out->v[out->n - 1]) {
            if (e > out->v[out->n - 1]) out->v[out->n - 1] = e;
            continue;
        }
        if (avail__times_reserve(out, out->n + 2) != 0) return -1;
        out->v[out->n++] = a;
        out->v[out->n++] = e;
    }
    return 0;
}

int avail__window_filter(const avail_query *q, const avail__plan *p, avail__times *cand,
                         avail__times *spans, size_t *bad_item)
{
    const tp_time len = (tp_time)p->len_min * 60;
    for (size_t k = 0; k < q->nitems && cand->n > 0; k++) {
        const avail_window *w = &q->items[k].window;
        if (w->kind == AVAIL_WINDOW_NONE) continue;
        spans->n = 0;
        if (window_spans(q, p, w, cand->v[0], cand->v[cand->n - 1] + len, spans) != 0) return -1;
        /* Starts and spans both ascend: the first span ending at or after a
         * shoot's end is the only one that can hold it. */
        const size_t ns = spans->n / 2;
        size_t keep = 0, si = 0;
        for (size_t i = 0; i < cand->n; i++) {
            tp_time s = cand->v[i];
            while (si < ns && spans->v[2 * si + 1] < s + len)
                si++;
            if (si < ns && spans->v[2 * si] <= s) cand->v[keep++] = s;
        }
        cand->n = keep;
        if (keep == 0) {
            *bad_item = k;
            return 1;
        }
    }
    return 0;
}

/* 1 when the shoot [AT, AT + LEN) lies in the solar window of W; otherwise 0
 * with the nearest day's window in *START, *END (0, 0 when none). */
static int solar_holds(const avail__plan *p, const avail_window *w, tp_time at, tp_time len,
                       tp_time *start, tp_time *end)
{
    tp_time best = INT64_MAX;
    *start = *end = 0;
    if (!solar_valid(w)) return 0;
    int64_t day = solar_day_of(at, p->sun_lon);
    for (int64_t d = day - 1; d <= day + 1; d++) {
        tp_time a, e;
        if (!solar_span(p, w, d, &a, &e)) continue;
        if (a <= at && at + len <= e) return 1;
        tp_time gap = at < a ? a - at : at - e;
        if (gap < best) {
            best = gap;
            *start = a;
            *end = e;
        }
    }
    return 0;
}

int avail__window_holds(const avail_query *q, const avail__plan *p, size_t k, tp_time at,
                        tp_time *start, tp_time *end)
{
    const avail_window *w = &q->items[k].window;
    const tp_time len = (tp_time)p->len_min * 60;
    tp_time ws = 0, we = 0;
    int holds;
    if (w->kind == AVAIL_WINDOW_NONE) return 1;
    if (w->kind == AVAIL_WINDOW_LOCAL) {
        const tz_zone *z = q->rules->tz;
        local_hours h;
        local_hours_init(w, &h);
        holds = avail__in_hours(q->rules, &h.staff, at, p->len_min, 0);
        if (!holds && h.week.day[0].n) {
            int64_t wall = tz_utc_to_local(z, at);
            int64_t day = tz_day_of(wall);
            ws = tz_local_to_utc(z, day * 86400 + (int64_t)w->from_min * 60);
            we = tz_local_to_utc(z, day * 86400 + (int64_t)w->to_min * 60);
        }
    } else if (w->kind == AVAIL_WINDOW_SUNRISE || w->kind == AVAIL_WINDOW_SUNSET) {
        holds = solar_holds(p, w, at, len, &ws, &we);
    } else {
        holds = 0; /* an unknown kind allows nothing */
    }
    if (!holds && start) {
        *start = ws;
        *end = we;
    }
    return holds;
}
