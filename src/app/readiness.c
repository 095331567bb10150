/* readiness.c — the readiness report (readiness.h): PRODUCT.md's four
 * prerequisites, each {ok, problems[]}, plus calendars whose sync is not
 * working, failing provider accounts and items nobody could ever staff. */
#include "app/readiness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/availability.h"
#include "app/documents.h"
#include "app/settings.h"
#include "app/validate.h"

#define RD_SYNC_FAILING_S 3600 /* a failing calendar is reported after this long */

static json_t *rd_prereq(json_t *problems)
{
    return json_pack("{s:b, s:o}", "ok", json_array_size(problems) == 0, "problems", problems);
}

static const char *rd_name(const json_t *doc)
{
    const char *n = json_string_value(json_object_get(doc, "name"));
    return n ? n : "(unnamed)";
}

/* Problems of prerequisite 4: services and packages without a duration. */
static void rd_durations(const json_t *docs, const char *what, json_t *problems)
{
    size_t i;
    json_t *d;
    char msg[400];
    json_array_foreach(docs, i, d)
    {
        if (!json_is_integer(json_object_get(d, "duration_minutes"))) {
            snprintf(msg, sizeof msg,
                     "%s \"%.200s\" (id %s) has no scheduling duration: set duration_minutes", what,
                     rd_name(d), json_string_value(json_object_get(d, "id")));
            json_array_append_new(problems, json_string(msg));
        }
    }
}

/* Whose calendar OWNER ("business", a staff id or NULL) has, for a message:
 * "Ann's calendar" or "the business calendar". */
static void rd_cal_owner(const char *owner, const json_t *staff, char *out, size_t len)
{
    size_t i;
    json_t *s;
    snprintf(out, len, "the business calendar");
    if (!owner || strcmp(owner, "business") == 0) return;
    snprintf(out, len, "the calendar of staff %.40s", owner);
    json_array_foreach(staff, i, s)
    {
        const char *id = json_string_value(json_object_get(s, "id"));
        if (id && strcmp(id, owner) == 0) snprintf(out, len, "%.200s's calendar", rd_name(s));
    }
}

/* Calendars that never synced or whose sync has failed for over an hour. */
static int rd_cal_sync(store_conn *c, const json_t *cals, const json_t *staff, tp_time now,
                       json_t *problems)
{
    size_t i;
    json_t *cal;
    char msg[1000], who[300];
    json_array_foreach(cals, i, cal)
    {
        const char *id = json_string_value(json_object_get(cal, "id"));
        int64_t cid;
        store_calstate st;
        if (!id || val_id_text(id, &cid) != 0) continue;
        int rc = store_calstate_get(c, cid, &st);
        if (rc != STORE_OK) return rc;
        rd_cal_owner(json_string_value(json_object_get(cal, "owner")), staff, who, sizeof who);
        const char *err = st.last_error ? st.last_error : "";
        if (!st.last_sync)
            snprintf(msg, sizeof msg, "Calendar %s (%s) has never synced%s%.500s", id, who,
                     *err ? ": " : " yet", err);
        else if (st.last_error && now - st.last_sync > RD_SYNC_FAILING_S)
            snprintf(msg, sizeof msg,
                     "Calendar %s (%s) has failed to sync for %lld minutes: %.500s", id, who,
                     (long long)((now - st.last_sync) / 60), err);
        else
            msg[0] = '\0';
        if (*msg) json_array_append_new(problems, json_string(msg));
        store_calstate_clear(&st);
    }
    return STORE_OK;
}

typedef struct {
    const json_t *staff;
    json_t *problems;
} rd_account_walk;

/* A failing provider account (revoked consent): named at once. */
static int rd_account_row(void *ctx, const store_account *a)
{
    rd_account_walk *w = ctx;
    char msg[1000], who[300];
    if (strcmp(a->state, "failing") != 0) return 0;
    rd_cal_owner(a->owner, w->staff, who, sizeof who);
    snprintf(msg, sizeof msg,
             "%s account %.200s (%s) is failing: %.400s. Reconnect it in Calendars.",
             strcmp(a->provider, "google") == 0 ? "Google" : "Microsoft 365", a->email,
             who + (strncmp(who, "the ", 4) == 0 ? 4 : 0), a->error ? a->error : "reconnect it");
    json_array_append_new(w->problems, json_string(msg));
    return 0;
}

int readiness_report(app *a, json_t **answer, outcome *o)
{
    int rc = STORE_OK;
    char msg[400];
    json_t *settings = NULL, *cals = NULL, *staff = NULL, *services = NULL, *packages = NULL;
    json_t *sync = NULL;
    int out = -1;
    /* Before taking a connection: the snapshot may need one of its own. */
    json_t *staffing = json_array();
    if (!staffing) return outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
    if (availability_staffing(a, staffing, o) != 0) {
        json_decref(staffing);
        return -1;
    }
    store_conn *c = app_conn(a, o);
    if (!c) {
        json_decref(staffing);
        return -1;
    }
    settings = settings_effective(c);
    if (!settings || !(cals = documents_list(c, STORE_CALENDAR, &rc)) ||
        !(staff = documents_list(c, STORE_STAFF, &rc)) ||
        !(services = documents_list(c, STORE_SERVICE, &rc)) ||
        !(packages = documents_list(c, STORE_PACKAGE, &rc))) {
        outcome_store(o, rc == STORE_OK ? STORE_ERROR : rc, NULL);
        goto out;
    }

    sync = json_array();
    rd_account_walk aw = {staff, sync};
    if ((rc = rd_cal_sync(c, cals, staff, app_now(a), sync)) != STORE_OK ||
        (rc = store_account_list(c, rd_account_row, &aw)) != STORE_OK) {
        outcome_store(o, rc, NULL);
        goto out;
    }
    json_t *p1 = json_array(), *p2 = json_array(), *p3 = json_array(), *p4 = json_array();
    if (!json_is_true(json_object_get(settings, "integrated_booking")))
        json_array_append_new(
            p1, json_string("Integrated booking is turned off: enable it in Settings"));

    size_t i, k;
    json_t *cal, *s;
    int primary = 0;
    json_array_foreach(cals, i, cal)
    {
        if (json_is_true(json_object_get(cal, "primary"))) primary = 1;
    }
    if (!primary)
        json_array_append_new(p2, json_string("No primary calendar: connect the business calendar "
                                              "and mark it primary"));

    json_array_foreach(staff, i, s)
    {
        const char *id = json_string_value(json_object_get(s, "id"));
        int has = 0;
        if (json_is_false(json_object_get(s, "active"))) continue;
        json_array_foreach(cals, k, cal)
        {
            const char *owner = json_string_value(json_object_get(cal, "owner"));
            if (owner && id && strcmp(owner, id) == 0) has = 1;
        }
        if (!has) {
            snprintf(msg, sizeof msg,
                     "%.200s (staff %s) has no connected calendar and is never offered", rd_name(s),
                     id);
            json_array_append_new(p3, json_string(msg));
        }
    }

    rd_durations(services, "Service", p4);
    rd_durations(packages, "Package", p4);

    int ready = !json_array_size(p1) && !json_array_size(p2) && !json_array_size(p3) &&
                !json_array_size(p4);
    *answer = json_pack("{s:b, s:{s:o, s:o, s:o, s:o}, s:o, s:o}", "ready", ready, "prerequisites",
                        "integrated_booking", rd_prereq(p1), "primary_calendar", rd_prereq(p2),
                        "staff_calendars", rd_prereq(p3), "durations", rd_prereq(p4),
                        "calendar_sync", rd_prereq(sync), "staffing", rd_prereq(staffing));
    sync = staffing = NULL;
    out = *answer ? 0 : outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
out:
    json_decref(sync);
    json_decref(staffing);
    json_decref(settings);
    json_decref(cals);
    json_decref(staff);
    json_decref(services);
    json_decref(packages);
    store_release(c);
    return out;
}
