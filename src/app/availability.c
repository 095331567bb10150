/* availability.c — offered starts and the explain view (availability.h),
 * computed by the engine (core/avail) on the current snapshot, with what the
 * items' shoot windows add to them (window_answer.h); the explain view's
 * words are reasons.c's. */
#include "app/availability.h"

#include <stdio.h>
#include <string.h>

#include "app/avail_request.h"
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

/* OUT's extra members for request Q: the windows, and the reason for its
 * message (a shoot window's sentence replaces the generic one). 0, or -1
 * when memory ran out. */
static int answer_extra(const avail_request *q, availability *out)
{
    if (!(out->extra = json_object()) || window_answer_days(q, q->q.from, q->q.to, out->extra) != 0)
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
    int len = 0;
    memset(out, 0, sizeof *out);
    if (!(out->s = app_snapshot(a, o))) return -1;
    if (avail_request_prereq(out->s, o) != 0) goto fail;
    avail_request_init(&q, out->s, app_now(a));
    if (parse_common(&q, ask, &len, o) != 0 || avail_request_dates(&q, ask->from, ask->to, o) != 0)
        goto fail;
    if (!(out->result = snapshot_cache_result_take(a->snaps)) ||
        avail_compute(&q.q, out->result) != 0) {
        outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
        goto fail;
    }
    if (out->result->status == AVAIL_OUTSIDE_AREA) {
        out->message = out->s->outside_message;
        out->result->nslots = 0;
    } else if (out->result->nslots == 0) {
        out->message = "No times are free on these dates for this shoot; please try other dates.";
    }
    if (answer_extra(&q, out) != 0) {
        outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
        goto fail;
    }
    return 0;
fail:
    availability_done(a, out);
    return -1;
}

void availability_done(app *a, availability *av)
{
    json_decref(av->extra);
    snapshot_cache_result_give(a->snaps, av->result);
    snapshot_release(av->s);
    memset(av, 0, sizeof *av);
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
