/* availability.c — offered starts (also the next free day, and with a manage
 * token without that booking's own time), coverage, staffing warnings and the
 * explain view (availability.h), computed by the engine (core/avail) on the
 * current snapshot, with what the items' shoot windows add to them
 * (window_answer.h); the explain view's words are reasons.c's. */
#include "app/availability.h"

#include <stdio.h>
#include <string.h>

#include "app/avail_request.h"
#include "app/booking.h"
#include "app/busy_fresh.h"
#include "app/price.h"
#include "app/reasons.h"
#include "app/validate.h"
#include "app/window_answer.h"

/* Items and property of ASK on snapshot S; fills *LEN_MIN. 0, or -1 with O. */
static int parse_common(avail_request *q, const availability_ask *ask, int *len_min, outcome *o)
{
    if (avail_request_items_csv(q, ask->services, ask->packages, o) != 0 ||
        avail_request_property_text(q, ask->postal_code, ask->lat, ask->lon, ask->sqft, o) != 0 ||
        avail_request_duration(q, o, len_min, NULL) != 0)
        return -1;
    return 0;
}

/* With a manage token in ASK, swaps Q's staff for the store's busy time
 * without that booking's own time, into OWN (the caller frees it with
 * busy_fresh_free); an unknown token leaves Q as it is. 0, or -1 with O. */
static int leave_own_out(app *a, const availability_ask *ask, avail_request *q, busy_fresh *own,
                         outcome *o)
{
    int64_t id = 0;
    if (!ask->manage_token || !*ask->manage_token) return 0;
    store_conn *c = app_conn(a, o);
    if (!c) return -1;
    int rc = booking_manage_id(c, ask->manage_token, &id);
    if (rc == STORE_OK && id) {
        rc = busy_fresh_load(c, q->m, q->q.from - 86400, q->q.to + 86400, id, own);
        if (rc == STORE_OK) q->q.staff = own->staff;
    }
    store_release(c);
    return rc == STORE_OK || rc == STORE_NOTFOUND ? 0 : outcome_store(o, rc, NULL);
}

/* Keeps only the slots of R's first day (NEXT): sets *DAY, or -1 when none. */
static void keep_first_day(const snapshot *s, avail_result *r, int64_t *day)
{
    *day = r->nslots ? snapshot_local_day(s, r->slots[0].start) : -1;
    size_t n = 0;
    while (n < r->nslots && snapshot_local_day(s, r->slots[n].start) == *day)
        n++;
    r->nslots = n;
}

/* OUT's extra members for request Q: the windows of the dates before TO,
 * and the reason for its message (a shoot window's sentence replaces the
 * generic one). 0, or -1 when memory ran out. */
static int answer_extra(const avail_request *q, tp_time to, availability *out)
{
    if (!(out->extra = json_object()) || window_answer_days(q, q->q.from, to, out->extra) != 0)
        return -1;
    json_t *why = window_answer_why(q, out->result, out->why, sizeof out->why);
    if (why)
        out->message = out->why;
    else if (out->message)
        why =
            json_pack("{s:s}", "code",
                      out->result->status == AVAIL_OUTSIDE_AREA ? "outside_area" : "no_free_time");
    return json_object_set_new(out->extra, "reason", why ? why : json_null());
}

int availability_find(app *a, const availability_ask *ask, availability *out, outcome *o)
{
    avail_request q;
    busy_fresh own;
    int len = 0, rc = -1;
    int next = ask->next && strcmp(ask->next, "1") == 0;
    memset(out, 0, sizeof *out);
    memset(&own, 0, sizeof own);
    out->next_free = -1;
    if (ask->next && *ask->next && !next) {
        outcome_fail(o, OUT_INVALID, "validation", "next",
                     "next is 1 (the first free day) or absent");
        return -1;
    }
    if (!(out->s = app_snapshot(a, o))) return -1;
    if (avail_request_prereq(out->s, o) != 0) goto done;
    avail_request_init(&q, out->s, app_now(a));
    /* NEXT looks up to the horizon: avail_request_dates caps the end there. */
    if (parse_common(&q, ask, &len, o) != 0 ||
        avail_request_dates(&q, ask->from, next ? "9999-12-31" : ask->to, o) != 0 ||
        leave_own_out(a, ask, &q, &own, o) != 0)
        goto done;
    if (!(out->price = price_quote(&q)) || !(out->result = snapshot_cache_result_take(a->snaps)) ||
        avail_compute(&q.q, out->result) != 0) {
        outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
        goto done;
    }
    if (next) keep_first_day(out->s, out->result, &out->next_free);
    if (out->result->status == AVAIL_OUTSIDE_AREA) {
        out->message = out->s->outside_message;
        out->result->nslots = 0;
    } else if (out->result->nslots == 0) {
        out->message = next ? "No times are free for this shoot before the booking horizon."
                            : "No times are free on these dates for this shoot; please try "
                              "other dates.";
    }
    /* With NEXT the windows' days run up to the free day found, not the horizon. */
    tp_time to = next && out->result->nslots ? out->result->slots[out->result->nslots - 1].start + 1
                                             : q.q.to;
    if (answer_extra(&q, to, out) != 0) {
        outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
        goto done;
    }
    rc = 0;
done:
    busy_fresh_free(&own);
    if (rc != 0) availability_done(a, out);
    return rc;
}
void availability_done(app *a, availability *av)
{
    json_decref(av->price);
    json_decref(av->extra);
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

/* One reason of staff member I at AT as the explain view shows it: its code,
 * its words (reasons.h), and the skill, zones or busy interval it names. */
static json_t *reason_json(const snapshot *s, const avail_query *q, size_t i, tp_time at,
                           const avail_reason *rs)
{
    char msg[512], st[32], e[32];
    json_t *o = json_pack("{s:s, s:s}", "code", avail_why_code(rs->why), "message",
                          reasons_text(s, q, i, at, rs, msg, sizeof msg));
    if (o && rs->why == AVAIL_WHY_MISSING_SKILL) {
        const char *name = snapshot_skill_name(s, rs->ref);
        json_object_set_new(o, "skill", val_id_json(rs->ref));
        json_object_set_new(o, "skill_name", name ? json_string(name) : json_null());
    }
    if (o && rs->why == AVAIL_WHY_OUTSIDE_ZONE) {
        json_t *zones = json_array();
        for (size_t k = 0; zones && k < q->staff[i].nzones; k++) {
            const char *name = snapshot_zone_name(s, q->staff[i].zones[k]);
            json_array_append_new(zones,
                                  json_pack("{s:o, s:o}", "id", val_id_json(q->staff[i].zones[k]),
                                            "name", name ? json_string(name) : json_null()));
        }
        json_object_set_new(o, "zones", zones);
    }
    if (o && (rs->why == AVAIL_WHY_BUSY || rs->why == AVAIL_WHY_BUFFER_BUSY)) {
        json_t *busy = json_pack("{s:s, s:s, s:s, s:s}", "what", rs->what ? rs->what : "Busy",
                                 "kind", rs->booking ? "booking" : "calendar", "start",
                                 snapshot_time(s, rs->start, st, sizeof st), "end",
                                 snapshot_time(s, rs->end, e, sizeof e));
        if (busy && rs->booking) json_object_set_new(busy, "booking", val_id_json(rs->booking));
        json_object_set_new(o, "busy", busy);
    }
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
        avail_reason rs[REASONS_MAX];
        size_t n = avail_explain(&q.q, i, at, rs, REASONS_MAX);
        json_t *reasons = json_array();
        for (size_t k = 0; k < n && k < REASONS_MAX; k++) {
            json_t *r = reason_json(s, &q.q, i, at, &rs[k]);
            window_answer_reason(&q, &rs[k], r);
            json_array_append_new(reasons, r);
        }
        json_array_append_new(
            staff, json_pack("{s:o, s:s, s:b, s:o}", "id", val_id_json(s->staff[i].id), "name",
                             s->people[i].name, "eligible", n == 0, "reasons", reasons));
    }
    *answer = json_pack("{s:s, s:i, s:i, s:s, s:o}", "at", snapshot_time(s, at, buf, sizeof buf),
                        "duration_minutes", len, "buffer_minutes", s->rules.buffer_min, "timezone",
                        tz_zone_name(s->rules.tz), "staff", staff);
    if (*answer && window_answer_days(&q, at, at + 1, *answer) != 0) {
        json_decref(*answer);
        *answer = NULL;
    }
    rc = *answer ? 0 : outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
out:
    snapshot_release(s);
    return rc;
}
