/* availability.c — offered starts and the explain view (availability.h),
 * computed by the engine (core/avail) on the current snapshot. */
#include "app/availability.h"

#include <stdio.h>
#include <string.h>

#include "app/avail_request.h"
#include "app/booking.h"
#include "app/busy_fresh.h"
#include "app/price.h"
#include "app/validate.h"

#define EXPLAIN_MAX_REASONS 16

/* Items and property of ASK on snapshot S; fills *LEN_MIN. 0, or -1 with O. */
static int parse_common(avail_request *q, const availability_ask *ask, int *len_min, outcome *o)
{
    if (avail_request_items_csv(q, ask->services, ask->packages, o) != 0 ||
        avail_request_property_text(q, ask->postal_code, ask->lat, ask->lon, ask->sqft, o) != 0 ||
        avail_request_duration(q, o, len_min, NULL) != 0)
        return -1;
    return 0;
}

/* Computes Q into R: on the snapshot's busy time, or with a manage token on
 * the store's, that booking's own time left out. 0, or -1 with O. */
static int compute(app *a, const availability_ask *ask, avail_request *q, avail_result *r,
                   outcome *o)
{
    int64_t own = 0;
    busy_fresh v;
    store_conn *c = NULL;
    memset(&v, 0, sizeof v);
    if (ask->manage_token && *ask->manage_token) {
        if (!(c = app_conn(a, o))) return -1;
        int rc = booking_manage_id(c, ask->manage_token, &own);
        if (rc != STORE_OK && rc != STORE_NOTFOUND) {
            store_release(c);
            return outcome_store(o, rc, NULL);
        }
        if (own) {
            rc = busy_fresh_load(c, q->m, q->q.from - 86400, q->q.to + 86400, own, &v);
            if (rc != STORE_OK) {
                store_release(c);
                return outcome_store(o, rc, NULL);
            }
            q->q.staff = v.staff;
        }
    }
    int rc = avail_compute(&q->q, r);
    q->q.staff = q->m->staff;
    busy_fresh_free(&v);
    store_release(c);
    return rc == 0 ? 0 : outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
}

/* Business-local day number of instant T on S. */
static int64_t local_day(const snapshot *s, tp_time t)
{
    int64_t local = tz_utc_to_local(s->rules.tz, t);
    return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

/* Keeps only the slots of R's first day (NEXT): sets *DAY, or -1 when none. */
static void keep_first_day(const snapshot *s, avail_result *r, int64_t *day)
{
    *day = r->nslots ? local_day(s, r->slots[0].start) : -1;
    size_t n = 0;
    while (n < r->nslots && local_day(s, r->slots[n].start) == *day)
        n++;
    r->nslots = n;
}

int availability_find(app *a, const availability_ask *ask, availability *out, outcome *o)
{
    avail_request q;
    int len = 0;
    int next = ask->next && strcmp(ask->next, "1") == 0;
    memset(out, 0, sizeof *out);
    out->next_free = -1;
    if (ask->next && *ask->next && !next) {
        outcome_fail(o, OUT_INVALID, "validation", "next",
                     "next is 1 (the first free day) or absent");
        return -1;
    }
    if (!(out->s = app_snapshot(a, o))) return -1;
    if (avail_request_prereq(out->s, o) != 0) goto fail;
    avail_request_init(&q, out->s, app_now(a));
    /* NEXT looks up to the horizon: avail_request_dates caps the end there. */
    if (parse_common(&q, ask, &len, o) != 0 ||
        avail_request_dates(&q, ask->from, next ? "9999-12-31" : ask->to, o) != 0)
        goto fail;
    if (!(out->price = price_quote(&q))) {
        outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
        goto fail;
    }
    if (!(out->result = snapshot_cache_result_take(a->snaps))) {
        outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
        goto fail;
    }
    if (compute(a, ask, &q, out->result, o) != 0) goto fail;
    if (next) keep_first_day(out->s, out->result, &out->next_free);
    if (out->result->status == AVAIL_OUTSIDE_AREA) {
        out->message = out->s->outside_message;
        out->result->nslots = 0;
    } else if (out->result->nslots == 0) {
        out->message = next ? "No times are free for this shoot before the booking horizon."
                            : "No times are free on these dates for this shoot; please try "
                              "other dates.";
    }
    return 0;
fail:
    availability_done(a, out);
    return -1;
}

void availability_done(app *a, availability *av)
{
    json_decref(av->price);
    snapshot_cache_result_give(a->snaps, av->result);
    snapshot_release(av->s);
    memset(av, 0, sizeof *av);
}

int availability_coverage(app *a, const availability_ask *ask, int *covered, json_t **message,
                          outcome *o)
{
    avail_request q;
    snapshot *s = app_snapshot(a, o);
    if (!s) return -1;
    avail_request_init(&q, s, app_now(a));
    int rc = -1;
    if ((!ask->postal_code || !*ask->postal_code) && (!ask->lat || !*ask->lat))
        outcome_fail(o, OUT_INVALID, "validation", "postal_code",
                     "give the property's postal code, or its lat and lon");
    else
        rc = avail_request_property_text(&q, ask->postal_code, ask->lat, ask->lon, NULL, o);
    if (rc == 0) {
        *covered = avail_serves_property(&q.q);
        *message = *covered ? json_null() : json_string(s->outside_message);
    }
    snapshot_release(s);
    return rc;
}

/* Appends the problem of item IT (a package when IS_PACKAGE) of S: fewer
 * people who could do it alone than it needs. */
static void staffing_item(const snapshot *s, const snapshot_item *it, int is_package,
                          json_t *problems)
{
    const avail_rules *ru = &s->rules;
    avail_query q = {.rules = ru, .items = &it->item, .nitems = 1};
    int raw = 0, len = 0, crew = 1, able = 0, seniors = 0;
    size_t bad = 0;
    if (avail_duration(&q, &raw, &len, &crew, &bad) != AVAIL_OK) return; /* readiness says so */
    for (size_t i = 0; i < s->nstaff; i++) {
        if (!avail_staff_able(&q, &s->staff[i])) continue;
        able++;
        seniors += s->staff[i].senior != 0;
    }
    char msg[400];
    const char *kind = is_package ? "Package" : "Service";
    if (able < crew)
        snprintf(msg, sizeof msg,
                 "%s \"%.200s\" can never be booked: it needs %d %s with its skills and a "
                 "calendar, and %s %d",
                 kind, it->name, crew, crew == 1 ? "active person" : "active people",
                 able == 1 ? "there is" : "there are", able);
    else if (crew == 2 && ru->two.senior_required && seniors == 0)
        snprintf(msg, sizeof msg,
                 "%s \"%.200s\" can never be booked: two photographers with a senior are "
                 "required, and nobody able to do it is senior",
                 kind, it->name);
    else
        return;
    json_array_append_new(problems, json_string(msg));
}

int availability_staffing(app *a, json_t *problems, outcome *o)
{
    snapshot *s = app_snapshot(a, o);
    if (!s) return -1;
    for (size_t i = 0; i < s->nservices; i++)
        staffing_item(s, &s->services[i], 0, problems);
    for (size_t i = 0; i < s->npackages; i++)
        staffing_item(s, &s->packages[i], 1, problems);
    snapshot_release(s);
    return 0;
}

static const char *reason_message(avail_why why)
{
    switch (why) {
    case AVAIL_WHY_INACTIVE:
        return "marked inactive";
    case AVAIL_WHY_NO_CALENDAR:
        return "has no connected calendar";
    case AVAIL_WHY_OUTSIDE_ZONE:
        return "does not serve the property's area";
    case AVAIL_WHY_MISSING_SKILL:
        return "lacks a skill the shoot requires";
    case AVAIL_WHY_NOT_ALIGNED:
        return "the time is not on the booking grid (slot step)";
    case AVAIL_WHY_OUTSIDE_WINDOW:
        return "the time is outside the requested dates";
    case AVAIL_WHY_NOTICE:
        return "too soon: inside the minimum notice";
    case AVAIL_WHY_HORIZON:
        return "too far ahead: beyond the booking horizon";
    case AVAIL_WHY_OUTSIDE_HOURS:
        return "the shoot falls outside working hours";
    case AVAIL_WHY_BUFFER_HOURS:
        return "the drive buffer falls outside working hours";
    case AVAIL_WHY_BUSY:
        return "busy during the shoot";
    case AVAIL_WHY_BUFFER_BUSY:
        return "busy during the drive buffer";
    case AVAIL_WHY_NOT_SCHEDULABLE:
        return "an item has no scheduling duration";
    case AVAIL_WHY_NO_PARTNER:
        return "two photographers are needed and no partner is free";
    }
    return "not offered";
}

static json_t *reason_json(const snapshot *s, const avail_reason *rs)
{
    char msg[160], st[32], e[32];
    if (rs->why == AVAIL_WHY_MISSING_SKILL)
        snprintf(msg, sizeof msg, "%s (skill %lld)", reason_message(rs->why), (long long)rs->ref);
    else
        snprintf(msg, sizeof msg, "%s", reason_message(rs->why));
    json_t *o = json_pack("{s:s, s:s}", "code", avail_why_code(rs->why), "message", msg);
    if (o && rs->why == AVAIL_WHY_MISSING_SKILL)
        json_object_set_new(o, "skill", val_id_json(rs->ref));
    if (o && (rs->why == AVAIL_WHY_BUSY || rs->why == AVAIL_WHY_BUFFER_BUSY))
        json_object_set_new(o, "busy",
                            json_pack("{s:s, s:s, s:s}", "what", rs->what ? rs->what : "Busy",
                                      "start", snapshot_time(s, rs->start, st, sizeof st), "end",
                                      snapshot_time(s, rs->end, e, sizeof e)));
    return o;
}

int availability_explain(app *a, const availability_ask *ask, const char *at_text, json_t **answer,
                         outcome *o)
{
    avail_request q;
    tp_time at;
    int len = 0, rc = -1;
    char buf[32];
    snapshot *s = app_snapshot(a, o);
    if (!s) return -1;
    avail_request_init(&q, s, app_now(a));
    if (avail_request_parse_time(at_text, &at, "at", o) != 0 || parse_common(&q, ask, &len, o) != 0)
        goto out;
    q.q.from = at;
    q.q.to = at + 1;
    json_t *staff = json_array();
    for (size_t i = 0; staff && i < s->nstaff; i++) {
        avail_reason rs[EXPLAIN_MAX_REASONS];
        size_t n = avail_explain(&q.q, i, at, rs, EXPLAIN_MAX_REASONS);
        json_t *reasons = json_array();
        for (size_t k = 0; k < n && k < EXPLAIN_MAX_REASONS; k++)
            json_array_append_new(reasons, reason_json(s, &rs[k]));
        json_array_append_new(
            staff, json_pack("{s:o, s:s, s:b, s:o}", "id", val_id_json(s->staff[i].id), "name",
                             s->people[i].name, "eligible", n == 0, "reasons", reasons));
    }
    *answer = json_pack("{s:s, s:i, s:i, s:s, s:o}", "at", snapshot_time(s, at, buf, sizeof buf),
                        "duration_minutes", len, "buffer_minutes", s->rules.buffer_min, "timezone",
                        tz_zone_name(s->rules.tz), "staff", staff);
    rc = *answer ? 0 : outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
out:
    snapshot_release(s);
    return rc;
}
