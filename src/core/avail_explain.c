/* avail_explain.c — why one staff member is not offered at one start: every
 * applicable reason, not just the first, with the busy interval or the item's
 * shoot window that blocks. */
#include "core/avail_internal.h"

typedef struct {
    avail_reason *out;
    size_t max, n;
} reasons;

/* Appends reason WHY with REF (a skill or an item index) and the interval
 * [START, END) that blocks; a busy interval's WHAT, BOOKING and drive GAP. */
static void add_span(reasons *rs, avail_why why, int64_t ref, const char *what, tp_time start,
                     tp_time end, int64_t booking, tp_time gap)
{
    if (rs->n < rs->max) {
        avail_reason *r = &rs->out[rs->n];
        r->why = why;
        r->ref = ref;
        r->what = what;
        r->start = start;
        r->end = end;
        r->booking = booking;
        r->gap = gap;
    }
    rs->n++;
}

/* Appends reason WHY (REF: a skill; B: the busy interval, whose drive GAP applies). */
static void add(reasons *rs, avail_why why, int64_t ref, const avail_busy *b, tp_time gap)
{
    add_span(rs, why, ref, b ? b->what : NULL, b ? b->start : 0, b ? b->end : 0, b ? b->booking : 0,
             gap);
}

/* 1 when skill K of item I was already required by an earlier item or slot. */
static int skill_seen(const avail_query *q, size_t i, size_t k)
{
    int64_t skill = q->items[i].skills[k];
    for (size_t a = 0; a <= i; a++)
        for (size_t b = 0; b < (a == i ? k : q->items[a].nskills); b++)
            if (q->items[a].skills[b] == skill) return 1;
    return 0;
}

/* 1 when a partner free at AT makes a crew of two with staff IDX. */
static int has_partner(const avail_query *q, const avail__plan *p, size_t idx, tp_time at)
{
    int need_senior = q->rules->two.senior_required && !q->staff[idx].senior;
    for (size_t i = 0; i < q->nstaff; i++)
        if (i != idx && (!need_senior || q->staff[i].senior) &&
            avail__staff_free(q, p, &q->staff[i], at))
            return 1;
    return 0;
}

size_t avail_explain(const avail_query *q, size_t staff_idx, tp_time at, avail_reason *out,
                     size_t max)
{
    const avail_rules *ru = q->rules;
    const avail_staff *s = &q->staff[staff_idx];
    avail__plan p;
    avail__plan_init(q, &p);
    reasons rs = {.out = out, .max = max};
    if (!s->active) add(&rs, AVAIL_WHY_INACTIVE, 0, NULL, 0);
    if (!s->has_calendar) add(&rs, AVAIL_WHY_NO_CALENDAR, 0, NULL, 0);
    if (!avail__serves(q, &p, s)) add(&rs, AVAIL_WHY_OUTSIDE_ZONE, 0, NULL, 0);
    for (size_t i = 0; i < q->nitems; i++)
        for (size_t k = 0; k < q->items[i].nskills; k++)
            if (!avail__has_skill(s, q->items[i].skills[k]) && !skill_seen(q, i, k))
                add(&rs, AVAIL_WHY_MISSING_SKILL, q->items[i].skills[k], NULL, 0);
    if (!avail__aligned(q, at)) add(&rs, AVAIL_WHY_NOT_ALIGNED, 0, NULL, 0);
    if (at < q->from || at >= q->to) add(&rs, AVAIL_WHY_OUTSIDE_WINDOW, 0, NULL, 0);
    if (at < q->now + (tp_time)ru->notice_min * 60) add(&rs, AVAIL_WHY_NOTICE, 0, NULL, 0);
    if (at > q->now + (tp_time)ru->horizon_days * 86400) add(&rs, AVAIL_WHY_HORIZON, 0, NULL, 0);
    if (p.status == AVAIL_NO_PLACE) {
        add(&rs, AVAIL_WHY_NO_PLACE, (int64_t)p.bad_item, NULL, 0);
        return rs.n;
    }
    if (p.status != AVAIL_OK) {
        add(&rs, AVAIL_WHY_NOT_SCHEDULABLE, 0, NULL, 0);
        return rs.n;
    }
    if (!avail__in_hours(ru, s, at, p.len_min, 0))
        add(&rs, AVAIL_WHY_OUTSIDE_HOURS, 0, NULL, 0);
    else if (!avail__in_hours(ru, s, at, p.len_min, ru->buffer_min))
        add(&rs, AVAIL_WHY_BUFFER_HOURS, 0, NULL, 0);
    for (size_t k = 0; p.has_windows && k < q->nitems; k++) {
        tp_time ws, we;
        if (!avail__window_holds(q, &p, k, at, &ws, &we))
            add_span(&rs, AVAIL_WHY_OUTSIDE_ITEM_WINDOW, (int64_t)k, NULL, ws, we, 0, 0);
    }
    const tp_time end = at + (tp_time)p.len_min * 60;
    for (size_t i = 0; i < s->nbusy; i++) {
        const avail_busy *b = &s->busy[i];
        if (b->start < end && b->end > at)
            add(&rs, AVAIL_WHY_BUSY, 0, b, avail__gap(q, &p, b));
        else if (avail__busy_hits(q, &p, b, at))
            add(&rs, AVAIL_WHY_BUFFER_BUSY, 0, b, avail__gap(q, &p, b));
    }
    if (rs.n == 0 && p.crew == 2 && !has_partner(q, &p, staff_idx, at))
        add(&rs, AVAIL_WHY_NO_PARTNER, 0, NULL, 0);
    return rs.n;
}

const char *avail_why_code(avail_why why)
{
    switch (why) {
    case AVAIL_WHY_INACTIVE:
        return "inactive";
    case AVAIL_WHY_NO_CALENDAR:
        return "no_calendar";
    case AVAIL_WHY_OUTSIDE_ZONE:
        return "outside_zone";
    case AVAIL_WHY_MISSING_SKILL:
        return "missing_skill";
    case AVAIL_WHY_NOT_ALIGNED:
        return "not_aligned";
    case AVAIL_WHY_OUTSIDE_WINDOW:
        return "outside_window";
    case AVAIL_WHY_NOTICE:
        return "notice";
    case AVAIL_WHY_HORIZON:
        return "horizon";
    case AVAIL_WHY_OUTSIDE_HOURS:
        return "outside_hours";
    case AVAIL_WHY_BUFFER_HOURS:
        return "buffer_hours";
    case AVAIL_WHY_BUSY:
        return "busy";
    case AVAIL_WHY_BUFFER_BUSY:
        return "buffer_busy";
    case AVAIL_WHY_NOT_SCHEDULABLE:
        return "not_schedulable";
    case AVAIL_WHY_NO_PARTNER:
        return "no_partner";
    case AVAIL_WHY_OUTSIDE_ITEM_WINDOW:
        return "outside_item_window";
    case AVAIL_WHY_NO_PLACE:
        return "no_place";
    }
    return "unknown";
}
