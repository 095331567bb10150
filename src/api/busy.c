/* busy.c — GET /busy: the busy time synced from staff calendars over a range
 * of business-zone dates, for the admin schedule. Tripod's own bookings seen
 * again on a calendar are left out (the schedule shows them as bookings).
 * Busy time from midnight to midnight in the staff member's zone (an
 * all-day event, which the sync places in that zone) says so, with the
 * dates it covers there, so the schedule draws it on exactly those days. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "app/snapshot.h"
#include "app/validate.h"

#define BUSY_MAX_DAYS 62

typedef struct {
    const snapshot *m;
    int64_t staff; /* 0 = everyone */
    json_t *arr;
} busy_walk;

/* Marks O {all_day: true, from_date, to_date} (dates inclusive, in staff
 * member OWNER's zone) when EV runs from midnight to midnight there. */
static void busy_all_day(const snapshot *m, int64_t owner, const store_busy *ev, json_t *o)
{
    long idx = snapshot_staff_index(m, owner);
    const tz_zone *z = idx >= 0 && m->staff[idx].tz ? m->staff[idx].tz : m->rules.tz;
    int64_t a = tz_utc_to_local(z, ev->start), b = tz_utc_to_local(z, ev->end);
    if (b <= a || a % 86400 != 0 || b % 86400 != 0) return;
    char from[16], to[16];
    tz_format_date(a / 86400, from, sizeof from);
    tz_format_date(b / 86400 - 1, to, sizeof to);
    json_object_set_new(o, "all_day", json_true());
    json_object_set_new(o, "from_date", json_string(from));
    json_object_set_new(o, "to_date", json_string(to));
}

static int busy_row(void *ctx, int64_t calendar, const store_busy *ev)
{
    busy_walk *w = ctx;
    char start[32], end[32];
    int64_t booking;
    const snapshot_calendar *cal = snapshot_calendar_find(w->m, calendar);
    if (!cal || !cal->owner || (w->staff && cal->owner != w->staff) ||
        snapshot_uid_is_booking(ev->uid, &booking))
        return 0;
    json_t *o = json_pack("{s:o, s:o, s:s, s:s, s:s}", "staff", val_id_json(cal->owner), "calendar",
                          val_id_json(calendar), "start",
                          snapshot_time(w->m, ev->start, start, sizeof start), "end",
                          snapshot_time(w->m, ev->end, end, sizeof end), "summary",
                          ev->summary && *ev->summary ? ev->summary : "Busy");
    if (o) busy_all_day(w->m, cal->owner, ev, o);
    return o && json_array_append_new(w->arr, o) == 0 ? 0 : 100;
}

/* Date query argument NAME ("YYYY-MM-DD"), or DEF when absent. 0, or -1 with RES (422). */
static int busy_date(const api_req *r, const char *name, int64_t def, int64_t *day, api_res *res)
{
    const char *s = api_query(r, name);
    char msg[80];
    if (!s || !*s) {
        *day = def;
        return 0;
    }
    if (tz_parse_date(s, day) == 0) return 0;
    snprintf(msg, sizeof msg, "%s must be a date YYYY-MM-DD", name);
    api_error(res, 422, "validation", msg, name);
    return -1;
}

/* GET /busy?from=DATE&to=DATE[&staff=ID] → {busy:[{staff, calendar, start, end, summary}]},
 * dates in the business zone, both inclusive (default: today only). */
static void busy_get(api_req *r, api_res *res)
{
    int64_t from, to, today;
    const char *staff = api_query(r, "staff");
    tp_time now = app_now(r->app);
    snapshot *m = snapshot_cache_get(r->app->snaps, now);
    store_conn *c = NULL;
    busy_walk w = {m, 0, NULL};
    if (!m || !(c = store_acquire(r->app->db))) {
        api_store_error(res, STORE_ERROR);
        goto out;
    }
    today = tz_utc_to_local(m->rules.tz, now) / 86400;
    if (busy_date(r, "from", today, &from, res) != 0 || busy_date(r, "to", from, &to, res) != 0)
        goto out;
    if (to < from || to - from >= BUSY_MAX_DAYS) {
        api_error(res, 422, "validation", "to must be on or after from, at most 62 days later",
                  "to");
        goto out;
    }
    if (staff && *staff) {
        if (val_id_text(staff, &w.staff) != 0) {
            api_error(res, 422, "validation", "staff is a staff id", "staff");
            goto out;
        }
        if (snapshot_staff_index(m, w.staff) < 0) {
            api_error(res, 404, "not_found", "no such staff member", "staff");
            goto out;
        }
    }
    if (!(w.arr = json_array())) {
        api_store_error(res, STORE_ERROR);
        goto out;
    }
    int rc = store_busy_list(c, 0, tz_local_to_utc(m->rules.tz, from * 86400),
                             tz_local_to_utc(m->rules.tz, (to + 1) * 86400), busy_row, &w);
    if (rc != STORE_OK) {
        api_store_error(res, STORE_ERROR);
        goto out;
    }
    api_json(res, 200, json_pack("{s:O}", "busy", w.arr));
out:
    json_decref(w.arr);
    store_release(c);
    snapshot_release(m);
}

const api_route api_routes_busy[] = {
    {"GET", "/api/v1/busy", API_ADMIN, busy_get},
    {0},
};
