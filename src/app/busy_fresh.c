/* busy_fresh.c — staff busy time for the re-check inside a booking transaction:
 * bookings straight from the store, synced calendar busy from the snapshot. */
#include "app/busy_fresh.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"

typedef struct {
    size_t staff;
    avail_busy b;
    int64_t booking; /* 0 for calendar busy time */
} busy_fresh_entry;

typedef struct {
    busy_fresh *v;
    int64_t exclude;
    busy_fresh_entry *e;
    size_t n, cap;
} busy_fresh_ctx;

static int push(busy_fresh_ctx *x, size_t staff, const avail_busy *b, int64_t booking)
{
    if (ARRAY_RESERVE(x->e, x->cap, x->n + 1, 64) != 0) return 100;
    x->e[x->n].staff = staff;
    x->e[x->n].b = *b;
    x->e[x->n++].booking = booking;
    return 0;
}

/* Snapshot M's calendar busy time of staff I overlapping [FROM, TO). */
static int add_calendar_busy(busy_fresh_ctx *x, size_t i, tp_time from, tp_time to)
{
    const snapshot_person *p = &x->v->m->people[i];
    for (size_t k = 0; k < p->ncal_busy && p->cal_busy[k].start < to; k++)
        if (p->cal_busy[k].end > from && push(x, i, &p->cal_busy[k], 0) != 0) return 100;
    return 0;
}

static int on_booking(void *ctx, const store_booking *bk)
{
    busy_fresh_ctx *x = ctx;
    busy_fresh *v = x->v;
    if (bk->id == x->exclude) return 0;
    for (int k = 0; k < bk->nstaff; k++) {
        long idx = snapshot_staff_index(v->m, bk->staff[k]);
        if (idx < 0) continue;
        avail_busy b = {bk->start, bk->end, NULL, bk->lat, bk->lon, bk->id};
        if (push(x, (size_t)idx, &b, bk->id) != 0) return 100;
        if (ARRAY_RESERVE(v->shoots, v->shoots_cap, v->nshoots + 1, 32) != 0) return 100;
        v->shoots[v->nshoots++] =
            (busy_fresh_shoot){(size_t)idx, bk->start, bk->end, bk->created, bk->lat, bk->lon};
    }
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    const busy_fresh_entry *x = a, *y = b;
    if (x->staff != y->staff) return x->staff < y->staff ? -1 : 1;
    if (x->b.start != y->b.start) return x->b.start < y->b.start ? -1 : 1;
    return (x->b.end > y->b.end) - (x->b.end < y->b.end);
}

void busy_fresh_free(busy_fresh *v)
{
    free(v->staff);
    free(v->busy);
    free(v->labels);
    free(v->shoots);
    memset(v, 0, sizeof *v);
}

int busy_fresh_load(store_conn *c, const snapshot *m, tp_time from, tp_time to, int64_t exclude,
                    busy_fresh *v)
{
    memset(v, 0, sizeof *v);
    v->m = m;
    v->from = from;
    v->to = to;
    busy_fresh_ctx x = {v, exclude, NULL, 0, 0};
    store_booking_filter f = {from, to, 0, "confirmed", 1};
    int rc = STORE_OK;
    for (size_t i = 0; i < m->nstaff && rc == STORE_OK; i++)
        rc = add_calendar_busy(&x, i, from, to);
    if (rc == STORE_OK) rc = store_booking_list(c, &f, on_booking, &x);
    if (rc == STORE_OK) {
        v->staff = malloc((m->nstaff ? m->nstaff : 1) * sizeof *v->staff);
        v->busy = malloc((x.n ? x.n : 1) * sizeof *v->busy);
        v->labels = malloc((x.n ? x.n : 1) * sizeof *v->labels);
        if (!v->staff || !v->busy || !v->labels) rc = STORE_ERROR;
    } else if (rc > STORE_ERROR) {
        rc = STORE_ERROR;
    }
    if (rc != STORE_OK) {
        free(x.e);
        busy_fresh_free(v);
        return rc;
    }
    if (x.n > 1) qsort(x.e, x.n, sizeof *x.e, entry_cmp);
    size_t k = 0;
    for (size_t i = 0; i < m->nstaff; i++) {
        v->staff[i] = m->staff[i];
        v->staff[i].busy = v->busy + k;
        size_t first = k;
        while (k < x.n && x.e[k].staff == i) {
            v->busy[k] = x.e[k].b;
            if (x.e[k].booking) {
                snprintf(v->labels[k], sizeof v->labels[k], "Booking %lld",
                         (long long)x.e[k].booking);
                v->busy[k].what = v->labels[k];
            }
            k++;
        }
        v->staff[i].nbusy = k - first;
    }
    v->nbusy = x.n;
    free(x.e);
    return STORE_OK;
}

static void week_of(const snapshot *m, tp_time t, tp_time *from, tp_time *to)
{
    int64_t day = snapshot_local_day(m, t);
    int64_t monday = day - tz_weekday(day);
    *from = tz_local_to_utc(m->rules.tz, monday * 86400);
    *to = tz_local_to_utc(m->rules.tz, (monday + 7) * 86400);
}

void busy_fresh_window(const snapshot *m, tp_time start, tp_time end, tp_time *from, tp_time *to)
{
    tp_time wf, wt;
    week_of(m, start, &wf, &wt);
    *from = start - 86400 < wf ? start - 86400 : wf;
    *to = end + 86400 > wt ? end + 86400 : wt;
}

void busy_fresh_stats(const busy_fresh *v, tp_time start, avail_stat *out)
{
    const snapshot *m = v->m;
    tp_time wf, wt;
    int64_t day = snapshot_local_day(m, start);
    week_of(m, start, &wf, &wt);
    tp_time *prev_end = calloc(m->nstaff ? m->nstaff : 1, sizeof *prev_end);
    for (size_t i = 0; i < m->nstaff; i++) {
        out[i].week_minutes = 0;
        out[i].last_booked = m->people[i].last_booked;
        out[i].ref_lat = m->staff[i].home_lat;
        out[i].ref_lon = m->staff[i].home_lon;
    }
    for (size_t k = 0; k < v->nshoots; k++) {
        const busy_fresh_shoot *s = &v->shoots[k];
        avail_stat *st = &out[s->staff];
        if (s->start >= wf && s->start < wt) st->week_minutes += (s->end - s->start) / 60;
        if (s->created > st->last_booked) st->last_booked = s->created;
        /* The previous shoot that day with a location (without memory for
         * the comparison, home stays the reference). */
        if (prev_end && s->end <= start && s->end > prev_end[s->staff] &&
            snapshot_local_day(m, s->start) == day && isfinite(s->lat) && isfinite(s->lon)) {
            prev_end[s->staff] = s->end;
            st->ref_lat = s->lat;
            st->ref_lon = s->lon;
        }
    }
    free(prev_end);
}
