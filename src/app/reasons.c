/* reasons.c — the words of reasons.h: one table from the engine's reasons
 * to sentences (a new reason is one more row), and the refusal's list of
 * staff members with theirs. */
#include "app/reasons.h"

#include <stdio.h>
#include <string.h>

#include "app/validate.h"

#define SPANS_MAX 16 /* working spans listed in one sentence */

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* What one sentence is about. */
typedef struct {
    const snapshot *s;
    const avail_query *q; /* may be NULL (busy reasons need none) */
    size_t staff;
    tp_time at;
    const avail_reason *r;
} words_ctx;

const char *reasons_clock_min(const snapshot *s, int min, char *buf, size_t len)
{
    const char *fmt = json_string_value(json_object_get(s->settings, "clock_format"));
    int h = min / 60, m = min % 60;
    if (fmt && strcmp(fmt, "24h") == 0)
        snprintf(buf, len, "%02d:%02d", h, m);
    else
        snprintf(buf, len, "%d:%02d %s", h % 12 ? h % 12 : 12, m, h % 24 < 12 ? "AM" : "PM");
    return buf;
}

const char *reasons_clock(const snapshot *s, tp_time t, char *buf, size_t len)
{
    int64_t local = tz_utc_to_local(s->rules.tz, t);
    return reasons_clock_min(s, (int)((local - tz_day_of(local) * 86400) / 60), buf, len);
}

/* T for a sentence about start AT: the clock, with the date when T is on
 * another business day ("Jun 5 13:00"). */
static const char *when(const snapshot *s, tp_time t, tp_time at, char *buf, size_t len)
{
    char clock[16];
    int64_t day = tz_day_of(tz_utc_to_local(s->rules.tz, t));
    reasons_clock(s, t, clock, sizeof clock);
    if (day == tz_day_of(tz_utc_to_local(s->rules.tz, at))) {
        snprintf(buf, len, "%s", clock);
    } else {
        int y, mo, d;
        tz_civil_from_days(day, &y, &mo, &d);
        snprintf(buf, len, "%s %d %s", months[(mo - 1) % 12], d, clock);
    }
    return buf;
}

/* "FROM–TO" of [from, to) for a sentence about AT. */
static void span_text(const snapshot *s, tp_time from, tp_time to, tp_time at, char *buf,
                      size_t len)
{
    char a[32], b[32];
    snprintf(buf, len, "%s–%s", when(s, from, at, a, sizeof a), when(s, to, at, b, sizeof b));
}

static void w_zone(const words_ctx *x, char *buf, size_t len)
{
    const avail_staff *st = &x->q->staff[x->staff];
    size_t used = (size_t)snprintf(buf, len, "outside their zones (");
    for (size_t i = 0; i < st->nzones && used < len; i++) {
        const char *name = snapshot_zone_name(x->s, st->zones[i]);
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
                                 name ? name : "a deleted zone");
    }
    if (used < len) snprintf(buf + used, len - used, ")");
}

static void w_skill(const words_ctx *x, char *buf, size_t len)
{
    const char *name = snapshot_skill_name(x->s, x->r->ref);
    if (name)
        snprintf(buf, len, "missing the skill %s", name);
    else
        snprintf(buf, len, "missing a skill that was deleted (id %lld)", (long long)x->r->ref);
}

static void w_step(const words_ctx *x, char *buf, size_t len)
{
    snprintf(buf, len, "not on the booking grid (a start every %d min)", x->s->rules.step_min);
}

static void w_notice(const words_ctx *x, char *buf, size_t len)
{
    snprintf(buf, len, "too soon (bookings need %d min notice)", x->s->rules.notice_min);
}

static void w_horizon(const words_ctx *x, char *buf, size_t len)
{
    snprintf(buf, len, "too far ahead (bookable up to %d days ahead)", x->s->rules.horizon_days);
}

/* The staff member's working spans on their local day of AT, as "09:00–17:00, …",
 * into BUF; 0 when they do not work that day at all. */
static size_t working_text(const words_ctx *x, char *buf, size_t len)
{
    const avail_staff *st = &x->q->staff[x->staff];
    const tz_zone *tz = st->tz ? st->tz : x->s->rules.tz;
    int64_t day = tz_day_of(tz_utc_to_local(tz, x->at));
    tp_time spans[2 * SPANS_MAX];
    size_t n = avail_work_spans(x->q->rules, st, tz_local_to_utc(tz, day * 86400),
                                tz_local_to_utc(tz, (day + 1) * 86400), spans, SPANS_MAX);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < n && k < SPANS_MAX && used < len; k++) {
        char one[80];
        span_text(x->s, spans[2 * k], spans[2 * k + 1], x->at, one, sizeof one);
        used += (size_t)snprintf(buf + used, len - used, "%s%s", k ? ", " : "", one);
    }
    return n;
}

static void w_hours(const words_ctx *x, char *buf, size_t len)
{
    char spans[256];
    if (working_text(x, spans, sizeof spans) == 0)
        snprintf(buf, len, "day off");
    else
        snprintf(buf, len, "outside working hours (%s)", spans);
}

static void w_buffer_hours(const words_ctx *x, char *buf, size_t len)
{
    char spans[256];
    working_text(x, spans, sizeof spans);
    snprintf(buf, len, "no time to drive within working hours (%s)", spans);
}

static void w_busy(const words_ctx *x, char *buf, size_t len)
{
    const avail_reason *r = x->r;
    char span[80];
    if (r->booking) {
        span_text(x->s, r->start - r->gap, r->end + r->gap, x->at, span, sizeof span);
        snprintf(buf, len, "busy with another shoot %s incl. drive time", span);
        return;
    }
    int64_t day = tz_day_of(tz_utc_to_local(x->s->rules.tz, x->at));
    if (r->start <= tz_local_to_utc(x->s->rules.tz, day * 86400) &&
        r->end >= tz_local_to_utc(x->s->rules.tz, (day + 1) * 86400)) {
        snprintf(buf, len, "busy all day (calendar)");
        return;
    }
    span_text(x->s, r->start, r->end, x->at, span, sizeof span);
    if (r->why == AVAIL_WHY_BUFFER_BUSY)
        snprintf(buf, len, "busy %s (calendar), too close to drive (%lld min)", span,
                 (long long)(r->gap / 60));
    else
        snprintf(buf, len, "busy %s (calendar)", span);
}

/* Each engine reason: a fixed sentence, or a function that writes one. */
static const struct {
    avail_why why;
    const char *text;
    void (*write)(const words_ctx *x, char *buf, size_t len);
} words[] = {
    {AVAIL_WHY_INACTIVE, "marked inactive", NULL},
    {AVAIL_WHY_NO_CALENDAR, "no connected calendar", NULL},
    {AVAIL_WHY_OUTSIDE_ZONE, NULL, w_zone},
    {AVAIL_WHY_MISSING_SKILL, NULL, w_skill},
    {AVAIL_WHY_NOT_ALIGNED, NULL, w_step},
    {AVAIL_WHY_OUTSIDE_WINDOW, "outside the dates asked for", NULL},
    {AVAIL_WHY_NOTICE, NULL, w_notice},
    {AVAIL_WHY_HORIZON, NULL, w_horizon},
    {AVAIL_WHY_OUTSIDE_HOURS, NULL, w_hours},
    {AVAIL_WHY_BUFFER_HOURS, NULL, w_buffer_hours},
    {AVAIL_WHY_BUSY, NULL, w_busy},
    {AVAIL_WHY_BUFFER_BUSY, NULL, w_busy},
    {AVAIL_WHY_NOT_SCHEDULABLE, "an item has no scheduling duration", NULL},
    {AVAIL_WHY_NO_PARTNER, "a second photographer is needed and none is free", NULL},
    {AVAIL_WHY_OUTSIDE_ITEM_WINDOW, "outside an item's shoot window", NULL},
    {AVAIL_WHY_NO_PLACE, "the property has no location for its sunrise/sunset window", NULL},
};

const char *reasons_text(const snapshot *s, const avail_query *q, size_t staff, tp_time at,
                         const avail_reason *r, char *buf, size_t len)
{
    words_ctx x = {s, q, staff, at, r};
    snprintf(buf, len, "not offered (%s)", avail_why_code(r->why));
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (words[i].why != r->why) continue;
        if (words[i].text)
            snprintf(buf, len, "%s", words[i].text);
        else if (q || r->why == AVAIL_WHY_BUSY || r->why == AVAIL_WHY_BUFFER_BUSY)
            words[i].write(&x, buf, len);
        break;
    }
    return buf;
}

static json_t *staff_ref(const snapshot *s, int64_t id)
{
    long idx = snapshot_staff_index(s, id);
    return json_pack("{s:o, s:o}", "id", val_id_json(id), "name",
                     idx >= 0 ? json_string(s->people[idx].name) : json_null());
}

json_t *reasons_entry(const snapshot *s, int64_t id, const char *text)
{
    return json_pack("{s:o, s:[s]}", "staff", staff_ref(s, id), "reasons", text);
}

json_t *reasons_refusal(const snapshot *s, const avail_query *q, tp_time at, const int64_t *only,
                        size_t nonly, const int64_t *live_busy, size_t nlive)
{
    json_t *out = json_array();
    for (size_t i = 0; out && i < q->nstaff; i++) {
        const avail_staff *st = &q->staff[i];
        if (nonly ? !snapshot_has_id(only, nonly, st->id) : !st->active) continue;
        avail_reason rs[REASONS_MAX];
        size_t n = avail_explain(q, i, at, rs, REASONS_MAX);
        json_t *texts = json_array();
        for (size_t k = 0; texts && k < n && k < REASONS_MAX; k++) {
            char text[512];
            json_array_append_new(
                texts, json_string(reasons_text(s, q, i, at, &rs[k], text, sizeof text)));
        }
        if (texts && n == 0 && snapshot_has_id(live_busy, nlive, st->id))
            json_array_append_new(texts, json_string("busy then (calendar, checked live)"));
        if (json_array_size(texts))
            json_array_append_new(
                out, json_pack("{s:o, s:o}", "staff", staff_ref(s, st->id), "reasons", texts));
        else
            json_decref(texts);
    }
    return out;
}
