/* test_booking.c — the application's booking transactions (src/app/booking.c)
 * without HTTP, on a real store (SQLite, or TRIPOD_TEST_DB) and, for the live
 * re-check, a real Radicale: create, idempotent replay, refusals with
 * alternatives, reschedule, reassign, force, cancel, the agent's notice, a
 * catalog changed under a snapshot, and a calendar event the snapshot has not
 * seen yet. Also the snapshot a store builds, and how prices are written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <unistd.h>

#include "app/app.h"
#include "app/booking.h"
#include "app/booking_view.h"
#include "app/price.h"
#include "app/secret.h"
#include "app/snapshot.h"
#include "cal/caldav.h"
#include "radicale_fixture.h"

#define MON_8AM "2030-06-03T08:00:00-04:00" /* the clock: a Monday morning in New York */

static radicale_fixture g_dav;

/* With TRIPOD_TEST_DB (PostgreSQL): a new empty database on its server for
 * one test, its URL in OUT; NULL for SQLite. */
static const char *fresh_db(char *out, size_t len)
{
    static int seq;
    char sql[96];
    const char *base = getenv("TRIPOD_TEST_DB"), *slash;
    if (!base || !*base) return NULL;
    assert_non_null(slash = strrchr(base, '/'));
    PGconn *pg = PQconnectdb(base);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    snprintf(out, len, "%.*s/tb_%d_%d", (int)(slash - base), base, (int)getpid(), seq);
    snprintf(sql, sizeof sql, "CREATE DATABASE tb_%d_%d", (int)getpid(), seq++);
    PGresult *r = PQexec(pg, sql);
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(pg);
    return out;
}

typedef struct {
    char dir[64];
    char db_url[512];
    tripod_config cfg;
    store *db;
    app a;
    int64_t photos, drone, ann, bob, ann_cal, bob_cal;
} fixture;

static tp_time at(const char *rfc3339)
{
    tp_time t = 0;
    assert_int_equal(tz_parse_rfc3339(rfc3339, &t), 0);
    return t;
}

static int64_t doc(fixture *fx, store_kind k, const char *fmt, ...)
{
    char json[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(json, sizeof json, fmt, ap);
    va_end(ap);
    int64_t id = 0;
    store_conn *c = store_acquire(fx->db);
    assert_non_null(c);
    assert_int_equal(store_begin(c, STORE_WRITE), STORE_OK);
    assert_int_equal(store_doc_insert(c, k, json, &id), STORE_OK);
    assert_int_equal(store_commit(c), STORE_OK);
    store_release(c);
    return id;
}

/* A business with Photos (60 min) and Drone (needs the drone skill), Ann
 * (drone pilot) and Bob, each with a calendar; Ann's is CalDAV on the test
 * Radicale when DAV_ANN, else both are ICS feeds (never read live). */
static int setup_with(void **state, int dav_ann)
{
    fixture *fx = calloc(1, sizeof *fx);
    char err[512];
    assert_non_null(fx);
    const char *db = fresh_db(fx->db_url, sizeof fx->db_url);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/tripod-booking-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    config_defaults(&fx->cfg);
    fx->cfg.fixed_now = 1;
    fx->cfg.now_value = at(MON_8AM);
    fx->cfg.recheck_timeout_s = 10;
    assert_int_equal(store_open(db, fx->dir, 0, &fx->db, err, sizeof err), STORE_OK);
    assert_int_equal(store_migrate(fx->db, err, sizeof err), STORE_OK);
    assert_int_equal(app_open(&fx->a, &fx->cfg, fx->db, fx->dir, err, sizeof err), 0);
    store_conn *c = store_acquire(fx->db);
    assert_int_equal(store_settings_put(c, "{\"integrated_booking\":true,"
                                           "\"timezone\":\"America/New_York\","
                                           "\"business_name\":\"Lens & Co\"}"),
                     STORE_OK);
    store_release(c);
    int64_t skill = doc(fx, STORE_SKILL, "{\"name\":\"drone\"}");
    fx->photos = doc(fx, STORE_SERVICE,
                     "{\"name\":\"Photos\",\"duration_minutes\":60,\"tiers\":[],\"skills\":[]}");
    fx->drone =
        doc(fx, STORE_SERVICE,
            "{\"name\":\"Drone\",\"duration_minutes\":60,\"tiers\":[],\"skills\":[\"%lld\"]}",
            (long long)skill);
    fx->ann = doc(fx, STORE_STAFF,
                  "{\"name\":\"Ann\",\"email\":\"ann@lens.test\",\"timezone\":\"America/New_York\","
                  "\"skills\":[\"%lld\"],\"zones\":[],\"active\":true,\"rank\":1}",
                  (long long)skill);
    fx->bob = doc(fx, STORE_STAFF,
                  "{\"name\":\"Bob\",\"email\":\"bob@lens.test\",\"timezone\":\"America/New_York\","
                  "\"skills\":[],\"zones\":[],\"active\":true,\"rank\":2}");
    doc(fx, STORE_CALENDAR,
        "{\"owner\":\"business\",\"kind\":\"caldav\",\"url\":\"http://127.0.0.1:9/primary/\","
        "\"primary\":true}");
    if (dav_ann) {
        char *sealed = secret_seal(fx->a.secret_key, "secret");
        assert_non_null(sealed);
        fx->ann_cal = doc(fx, STORE_CALENDAR,
                          "{\"owner\":\"%lld\",\"kind\":\"caldav\",\"url\":\"%s/ann/work/\","
                          "\"username\":\"ann\",\"_password\":\"%s\"}",
                          (long long)fx->ann, g_dav.base, sealed);
        free(sealed);
    } else {
        fx->ann_cal = doc(fx, STORE_CALENDAR,
                          "{\"owner\":\"%lld\",\"kind\":\"ics\",\"url\":\"http://127.0.0.1:9/a\"}",
                          (long long)fx->ann);
    }
    fx->bob_cal = doc(fx, STORE_CALENDAR,
                      "{\"owner\":\"%lld\",\"kind\":\"ics\",\"url\":\"http://127.0.0.1:9/b\"}",
                      (long long)fx->bob);
    *state = fx;
    return 0;
}

static int setup(void **state)
{
    return setup_with(state, 0);
}

static int setup_dav(void **state)
{
    return setup_with(state, 1);
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[128];
    app_close(&fx->a);
    store_close(fx->db);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    free(fx);
    return system(cmd) == 0 ? 0 : -1;
}

/* A booking request for the services IDS ("1,2" style list built here) at START. */
static json_t *request(int64_t service, const char *start)
{
    json_t *r = json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:s}, s:[s], s:[], s:s}", "agent", "name",
                          "Zoe Agent", "email", "zoe@realty.test", "phone", "555 0100", "property",
                          "address", "1 Main St", "postal_code", "11201", "services", "",
                          "packages", "start", start);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)service);
    json_array_set_new(json_object_get(r, "services"), 0, json_string(id));
    return r;
}

/* Books SERVICE at START; returns the answer (asserting success) or NULL with *O. */
static json_t *book(fixture *fx, int64_t service, const char *start, const char *key, outcome *o)
{
    json_t *req = request(service, start), *answer = NULL;
    char *raw = json_dumps(req, JSON_COMPACT);
    int status = 0;
    memset(o, 0, sizeof *o);
    int rc =
        booking_create_as(&fx->a, BOOKING_AGENT, req, raw, strlen(raw), key, &answer, &status, o);
    free(raw);
    json_decref(req);
    if (rc != 0) {
        assert_null(answer);
        return NULL;
    }
    assert_int_equal(status, 201);
    return answer;
}

static int64_t id_of(const json_t *booking)
{
    return strtoll(json_string_value(json_object_get(booking, "id")), NULL, 10);
}

static const char *staff_name(const json_t *booking, size_t i)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(booking, "staff"), i), "name"));
}

static int64_t outbox_count(fixture *fx)
{
    int64_t n = -1;
    store_conn *c = store_acquire(fx->db);
    assert_int_equal(store_outbox_pending(c, &n), STORE_OK);
    store_release(c);
    return n;
}

static void snapshot_holds_the_store(void **state)
{
    fixture *fx = *state;
    store_conn *c = store_acquire(fx->db);
    snapshot *s = snapshot_build(c, at(MON_8AM));
    store_release(c);
    assert_non_null(s);
    assert_true(s->integrated_booking);
    assert_true(s->has_primary);
    assert_string_equal(tz_zone_name(s->rules.tz), "America/New_York");
    assert_int_equal(s->rules.buffer_min, 30);
    assert_int_equal(s->nservices, 2);
    assert_string_equal(snapshot_service(s, fx->photos)->name, "Photos");
    assert_int_equal(snapshot_service(s, fx->drone)->item.nskills, 1);
    assert_int_equal(s->nstaff, 2);
    long ann = snapshot_staff_index(s, fx->ann);
    assert_true(ann >= 0);
    assert_string_equal(s->people[ann].email, "ann@lens.test");
    assert_true(s->staff[ann].has_calendar);
    assert_int_equal(s->ncalendars, 3);
    char buf[32];
    assert_string_equal(snapshot_time(s, at("2030-06-03T14:00:00Z"), buf, sizeof buf),
                        "2030-06-03T10:00:00-04:00");
    snapshot_release(s);
}

static void create_assigns_writes_history_and_outbox(void **state)
{
    fixture *fx = *state;
    outcome o;
    json_t *b = book(fx, fx->drone, "2030-06-03T10:00:00-04:00", NULL, &o);
    assert_non_null(b);
    /* Only Ann flies drones. */
    assert_string_equal(staff_name(b, 0), "Ann");
    assert_string_equal(json_string_value(json_object_get(b, "status")), "confirmed");
    assert_string_equal(json_string_value(json_object_get(b, "end")), "2030-06-03T11:00:00-04:00");
    assert_true(strlen(json_string_value(json_object_get(b, "manage_token"))) >= 40);
    json_t *hist = json_object_get(b, "history");
    assert_int_equal(json_array_size(hist), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(hist, 0), "change"), "action")),
                        "created");
    /* The event and two invitations (agent, Ann) wait in the outbox. */
    assert_int_equal(outbox_count(fx), 3);

    /* The agent's token finds it, and only it. */
    json_t *mine = NULL;
    int64_t id;
    booking_role role;
    outcome o2 = {0};
    const char *token = json_string_value(json_object_get(b, "manage_token"));
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", (long long)id_of(b));
    assert_int_equal(booking_of_manage_token(&fx->a, token, &mine, &o2), 0);
    assert_int_equal(id_of(mine), id_of(b));
    assert_int_equal(booking_authorize(&fx->a, idtext, token, 0, &id, &role, &o2), 0);
    assert_int_equal(role, BOOKING_AGENT);
    assert_int_equal(booking_authorize(&fx->a, "999", token, 0, &id, &role, &o2), -1);
    assert_int_equal(o2.kind, OUT_NOT_FOUND);
    assert_int_equal(booking_authorize(&fx->a, idtext, "not-a-token", 0, &id, &role, &o2), -1);
    assert_int_equal(o2.kind, OUT_UNAUTHORIZED);
    json_decref(mine);
    json_decref(b);
}

static void taken_slot_is_refused_with_alternatives(void **state)
{
    fixture *fx = *state;
    outcome o;
    json_t *first = book(fx, fx->drone, "2030-06-03T10:00:00-04:00", NULL, &o);
    assert_non_null(first);
    int64_t pending = outbox_count(fx);
    /* Ann is the only drone pilot: 10:00 (and 11:00, inside her drive buffer) are gone. */
    assert_null(book(fx, fx->drone, "2030-06-03T10:00:00-04:00", NULL, &o));
    assert_int_equal(o.kind, OUT_CONFLICT);
    assert_string_equal(o.code, "slot_unavailable");
    assert_string_equal(o.field, "start");
    json_t *alts = json_object_get(o.detail, "alternatives");
    assert_true(json_array_size(alts) > 0);
    for (size_t i = 0; i < json_array_size(alts); i++) {
        const char *s = json_string_value(json_object_get(json_array_get(alts, i), "start"));
        assert_string_not_equal(s, "2030-06-03T10:00:00-04:00");
        assert_string_not_equal(s, "2030-06-03T11:00:00-04:00");
    }
    outcome_clear(&o);
    /* Nothing was written by the refusal. */
    assert_int_equal(outbox_count(fx), pending);
    /* Photos needs no skill: Bob takes it at the same time. */
    json_t *bob = book(fx, fx->photos, "2030-06-03T10:00:00-04:00", NULL, &o);
    assert_non_null(bob);
    assert_string_equal(staff_name(bob, 0), "Bob");
    json_decref(bob);
    json_decref(first);
}

static void invalid_requests_change_nothing(void **state)
{
    fixture *fx = *state;
    outcome o;
    assert_null(book(fx, 424242, "2030-06-03T10:00:00-04:00", NULL, &o));
    assert_int_equal(o.kind, OUT_INVALID);
    assert_string_equal(o.code, "unknown_item");
    assert_null(book(fx, fx->photos, "tomorrow at ten", NULL, &o));
    assert_int_equal(o.kind, OUT_INVALID);
    assert_string_equal(o.field, "start");
    /* Saturday: nobody works. */
    assert_null(book(fx, fx->photos, "2030-06-08T10:00:00-04:00", NULL, &o));
    assert_string_equal(o.code, "slot_unavailable");
    outcome_clear(&o);
    json_t *req = request(fx->photos, "2030-06-03T10:00:00-04:00"), *answer = NULL;
    json_object_set_new(req, "agent", json_string("Zoe"));
    int status;
    assert_int_equal(
        booking_create_as(&fx->a, BOOKING_AGENT, req, "{}", 2, NULL, &answer, &status, &o), -1);
    assert_int_equal(o.kind, OUT_INVALID);
    assert_string_equal(o.field, "agent");
    json_decref(req);
    assert_int_equal(outbox_count(fx), 0);
}

static void idempotency_key_replays_the_same_answer(void **state)
{
    fixture *fx = *state;
    outcome o;
    json_t *a = book(fx, fx->photos, "2030-06-03T10:00:00-04:00", "key-1", &o);
    json_t *b = book(fx, fx->photos, "2030-06-03T10:00:00-04:00", "key-1", &o);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(id_of(a), id_of(b));
    assert_string_equal(json_string_value(json_object_get(a, "manage_token")),
                        json_string_value(json_object_get(b, "manage_token")));
    /* Another request under the same key is refused. */
    assert_null(book(fx, fx->photos, "2030-06-03T13:00:00-04:00", "key-1", &o));
    assert_string_equal(o.code, "idempotency_key_reused");
    json_decref(a);
    json_decref(b);
}

static json_t *change(fixture *fx, int64_t id, booking_role role, const char *body, outcome *o)
{
    json_t *req = json_loads(body, 0, NULL), *answer = NULL;
    assert_non_null(req);
    memset(o, 0, sizeof *o);
    int rc = booking_change(&fx->a, id, role, req, &answer, o);
    json_decref(req);
    return rc == 0 ? answer : NULL;
}

static void change_reschedules_reassigns_and_forces(void **state)
{
    fixture *fx = *state;
    outcome o;
    json_t *b = book(fx, fx->photos, "2030-06-03T10:00:00-04:00", NULL, &o);
    json_t *other = book(fx, fx->photos, "2030-06-03T14:00:00-04:00", NULL, &o);
    assert_non_null(b);
    assert_non_null(other);
    int64_t id = id_of(b);
    const char *first = staff_name(b, 0), *second = staff_name(other, 0);
    /* Balanced: the second shoot went to the other photographer. */
    assert_string_not_equal(first, second);

    /* The agent moves it an hour later: same photographer, sequence 1. */
    json_t *moved = change(fx, id, BOOKING_AGENT, "{\"start\":\"2030-06-03T11:00:00-04:00\"}", &o);
    assert_non_null(moved);
    assert_string_equal(json_string_value(json_object_get(moved, "start")),
                        "2030-06-03T11:00:00-04:00");
    assert_int_equal(json_integer_value(json_object_get(moved, "sequence")), 1);
    assert_string_equal(staff_name(moved, 0), first);
    json_t *last = json_array_get(json_object_get(moved, "history"), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(last, "change"), "action")),
        "rescheduled");
    assert_string_equal(json_string_value(json_object_get(last, "actor")), "agent");

    /* The agent may not pick staff. */
    assert_null(change(fx, id, BOOKING_AGENT, "{\"staff\":[\"1\"]}", &o));
    assert_int_equal(o.kind, OUT_FORBIDDEN);

    /* The admin hands it to the other photographer, who is busy at 14:00 only. */
    char body[128];
    int64_t to = strcmp(first, "Ann") == 0 ? fx->bob : fx->ann;
    snprintf(body, sizeof body, "{\"staff\":[\"%lld\"]}", (long long)to);
    json_t *re = change(fx, id, BOOKING_ADMIN, body, &o);
    assert_non_null(re);
    assert_string_equal(staff_name(re, 0), second);

    /* Moving onto the other shoot's time with that person is refused, with
     * alternatives, and changes nothing. */
    snprintf(body, sizeof body, "{\"start\":\"2030-06-03T14:00:00-04:00\",\"staff\":[\"%lld\"]}",
             (long long)to);
    json_t *refused = change(fx, id, BOOKING_ADMIN, body, &o);
    assert_null(refused);
    assert_string_equal(o.code, "slot_unavailable");
    assert_non_null(json_object_get(o.detail, "alternatives"));
    outcome_clear(&o);
    /* Force overrides the rules (a Saturday) … */
    json_t *forced = change(fx, id, BOOKING_ADMIN,
                            "{\"start\":\"2030-06-08T10:00:00-04:00\",\"force\":true}", &o);
    assert_non_null(forced);
    assert_string_equal(json_string_value(json_object_get(forced, "start")),
                        "2030-06-08T10:00:00-04:00");
    /* … never another booking of the same person. */
    assert_null(change(fx, id, BOOKING_ADMIN,
                       "{\"start\":\"2030-06-03T14:30:00-04:00\",\"force\":true}", &o));
    assert_string_equal(o.code, "slot_unavailable");
    outcome_clear(&o);
    json_decref(forced);
    json_decref(re);
    json_decref(moved);
    json_decref(other);
    json_decref(b);
}

static void cancel_once_and_notice(void **state)
{
    fixture *fx = *state;
    outcome o = {0};
    json_t *soon = book(fx, fx->photos, "2030-06-03T10:00:00-04:00", NULL, &o);
    assert_non_null(soon);
    /* The business asks for a day's notice: the agent can no longer cancel online. */
    store_conn *c = store_acquire(fx->db);
    assert_int_equal(store_settings_put(c, "{\"integrated_booking\":true,"
                                           "\"timezone\":\"America/New_York\","
                                           "\"min_notice_minutes\":1440}"),
                     STORE_OK);
    store_release(c);
    json_t *answer = NULL;
    assert_int_equal(booking_cancel(&fx->a, id_of(soon), BOOKING_AGENT, &answer, &o), -1);
    assert_string_equal(o.code, "too_late");
    /* The admin can. */
    if (booking_cancel(&fx->a, id_of(soon), BOOKING_ADMIN, &answer, &o) != 0)
        fail_msg("cancel: %s %s", o.code, o.message);
    assert_string_equal(json_string_value(json_object_get(answer, "status")), "cancelled");
    assert_int_equal(json_integer_value(json_object_get(answer, "sequence")), 1);
    json_decref(answer);
    /* Again: nothing changes. */
    assert_int_equal(booking_cancel(&fx->a, id_of(soon), BOOKING_ADMIN, &answer, &o), 0);
    assert_int_equal(json_integer_value(json_object_get(answer, "sequence")), 1);
    json_decref(answer);
    /* A cancelled booking cannot move. */
    assert_null(
        change(fx, id_of(soon), BOOKING_ADMIN, "{\"start\":\"2030-06-04T10:00:00-04:00\"}", &o));
    assert_string_equal(o.code, "cancelled");
    json_decref(soon);
}

static void catalog_changed_under_the_snapshot(void **state)
{
    fixture *fx = *state;
    outcome o;
    /* The cache holds a snapshot; then the admin makes Photos two hours long. */
    snapshot *s = snapshot_cache_get(fx->a.snaps, at(MON_8AM));
    assert_non_null(s);
    snapshot_release(s);
    store_conn *c = store_acquire(fx->db);
    assert_int_equal(store_begin(c, STORE_WRITE), STORE_OK);
    assert_int_equal(
        store_doc_update(
            c, STORE_SERVICE, fx->photos,
            "{\"name\":\"Photos\",\"duration_minutes\":120,\"tiers\":[],\"skills\":[]}"),
        STORE_OK);
    assert_int_equal(store_commit(c), STORE_OK);
    store_release(c);
    json_t *b = book(fx, fx->photos, "2030-06-03T10:00:00-04:00", NULL, &o);
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(b, "end")), "2030-06-03T12:00:00-04:00");
    json_decref(b);
}

/* PUTs a busy event on Ann's Radicale calendar, unseen by any sync. */
static void ann_busy_live(const char *start_utc, const char *end_utc)
{
    char url[256], ics[1024], err[256];
    long status = 0;
    char *etag = NULL;
    snprintf(url, sizeof url, "%s/ann/work/", g_dav.base);
    caldav_target t = {.url = url, .username = "ann", .password = "secret", .timeout_s = 10};
    snprintf(ics, sizeof ics,
             "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
             "UID:dentist\r\nDTSTAMP:20300101T000000Z\r\nSUMMARY:Dentist\r\nDTSTART:%s\r\n"
             "DTEND:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
             start_utc, end_utc);
    char *res = caldav_resource_url(&t, "dentist.ics");
    if (caldav_put(&t, res, ics, NULL, 0, &etag, &status, err, sizeof err) != 0)
        fail_msg("PUT: %s", err);
    free(res);
    free(etag);
}

static int busy_row(void *ctx, int64_t calendar, const store_busy *ev)
{
    (void)calendar, (void)ev;
    (*(int *)ctx)++;
    return 0;
}

static void live_recheck_sees_an_event_the_snapshot_missed(void **state)
{
    fixture *fx = *state;
    outcome o;
    /* The snapshot knows Ann's calendar as empty; the dentist is 10:00–11:00. */
    snapshot *s = snapshot_cache_get(fx->a.snaps, at(MON_8AM));
    snapshot_release(s);
    ann_busy_live("20300603T140000Z", "20300603T150000Z");
    /* Drone needs Ann: the live look refuses 10:00 … */
    assert_null(book(fx, fx->drone, "2030-06-03T10:00:00-04:00", NULL, &o));
    assert_string_equal(o.code, "slot_unavailable");
    /* … after syncing her calendar, so the alternatives already avoid it. */
    json_t *alts = json_object_get(o.detail, "alternatives");
    assert_true(json_array_size(alts) > 0);
    for (size_t i = 0; i < json_array_size(alts); i++) {
        const char *st = json_string_value(json_object_get(json_array_get(alts, i), "start"));
        assert_true(strcmp(st, "2030-06-03T09:30:00-04:00") > 0 ||
                    strcmp(st, "2030-06-03T08:00:00-04:00") < 0);
        assert_true(strcmp(st, "2030-06-03T10:00:00-04:00") != 0 &&
                    strcmp(st, "2030-06-03T11:00:00-04:00") != 0);
    }
    outcome_clear(&o);
    int rows = 0;
    store_conn *c = store_acquire(fx->db);
    assert_int_equal(store_busy_list(c, fx->ann_cal, at("2030-06-03T00:00:00Z"),
                                     at("2030-06-04T00:00:00Z"), busy_row, &rows),
                     STORE_OK);
    store_release(c);
    assert_int_equal(rows, 1);
    /* Photos at 10:00 goes to Bob although balanced assignment would pick either. */
    json_t *b = book(fx, fx->photos, "2030-06-03T10:00:00-04:00", NULL, &o);
    assert_non_null(b);
    assert_string_equal(staff_name(b, 0), "Bob");
    json_decref(b);
}

static int group_setup(void **state)
{
    (void)state;
    static const char *const cals[] = {"ann/work", NULL};
    if (sodium_init() < 0 || caldav_global_init() != 0) return -1;
    return radicale_fixture_start(&g_dav, "booking", cals);
}

static int group_teardown(void **state)
{
    (void)state;
    return radicale_fixture_stop(&g_dav);
}

/* Sets FX's settings to TEXT (a whole settings document). */
static void put_settings(fixture *fx, const char *text)
{
    store_conn *c = store_acquire(fx->db);
    assert_int_equal(store_settings_put(c, text), STORE_OK);
    store_release(c);
    app_wrote(&fx->a);
}

/* The booking keeps the price it was quoted whatever the catalog says later,
 * and the mails' facts carry it. */
static void booking_keeps_its_quote(void **state)
{
    fixture *fx = *state;
    outcome o;
    store_conn *c = store_acquire(fx->db);
    assert_int_equal(store_doc_update(c, STORE_SERVICE, fx->photos,
                                      "{\"name\":\"Photos\",\"duration_minutes\":60,\"price\":"
                                      "12500,\"tiers\":[],\"skills\":[]}"),
                     STORE_OK);
    store_release(c);
    app_wrote(&fx->a);
    json_t *b = book(fx, fx->photos, "2030-06-04T10:00:00-04:00", NULL, &o);
    assert_non_null(b);
    json_t *price = json_object_get(b, "price");
    assert_string_equal(json_string_value(json_object_get(price, "currency")), "USD");
    assert_int_equal(json_integer_value(json_object_get(price, "total")), 12500);
    c = store_acquire(fx->db);
    assert_int_equal(store_doc_update(c, STORE_SERVICE, fx->photos,
                                      "{\"name\":\"Photos\",\"duration_minutes\":60,\"price\":"
                                      "99900,\"tiers\":[],\"skills\":[]}"),
                     STORE_OK);
    store_booking stored;
    memset(&stored, 0, sizeof stored);
    assert_int_equal(store_booking_get(c, id_of(b), &stored), STORE_OK);
    store_release(c);
    app_wrote(&fx->a);
    json_t *again = NULL;
    assert_int_equal(booking_get(&fx->a, id_of(b), &again, &o), 0);
    assert_true(json_equal(json_object_get(again, "price"), price));
    snapshot *s = app_snapshot(&fx->a, &o);
    outbox_facts facts;
    booking_view_facts(s, &fx->cfg, NULL, &stored, &facts);
    assert_string_equal(facts.price, "$125.00");
    snapshot_release(s);
    store_booking_clear(&stored);
    json_decref(again);
    json_decref(b);
}

/* Amounts in minor units as mails (price_text) and the CSV export
 * (price_decimal) write them: each currency's own decimals (ISO 4217). */
static void price_words(void **state)
{
    (void)state;
    char t[64];
    assert_string_equal(price_text("USD", 123456789, t, sizeof t), "$1,234,567.89");
    assert_string_equal(price_text("EUR", 5, t, sizeof t), "€0.05");
    assert_string_equal(price_text("CHF", 100000, t, sizeof t), "1,000.00 CHF");
    assert_string_equal(price_text("JPY", 1200000, t, sizeof t), "1,200,000 JPY");
    assert_string_equal(price_text("KWD", 1234567, t, sizeof t), "1,234.567 KWD");
    assert_string_equal(price_decimal("USD", 123456, t, sizeof t), "1234.56");
    assert_string_equal(price_decimal("JPY", 12000, t, sizeof t), "12000");
    assert_string_equal(price_decimal("KWD", 7, t, sizeof t), "0.007");
    assert_string_equal(price_decimal("USD", -25, t, sizeof t), "-0.25");
}

/* Booking switched off then on again: the first booking after it is not
 * refused on the snapshot the cache still holds from before. */
static void booking_switched_back_on(void **state)
{
    fixture *fx = *state;
    outcome o;
    put_settings(fx, "{\"integrated_booking\":false,\"timezone\":\"America/New_York\"}");
    snapshot_release(app_snapshot(&fx->a, &o)); /* the cache now holds "off" */
    assert_null(book(fx, fx->photos, "2030-06-04T10:00:00-04:00", NULL, &o));
    assert_string_equal(o.code, "booking_disabled");
    outcome_clear(&o);
    put_settings(fx, "{\"integrated_booking\":true,\"timezone\":\"America/New_York\"}");
    json_t *b = book(fx, fx->photos, "2030-06-04T10:00:00-04:00", NULL, &o);
    assert_non_null(b);
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(snapshot_holds_the_store, setup, teardown),
        cmocka_unit_test_setup_teardown(create_assigns_writes_history_and_outbox, setup, teardown),
        cmocka_unit_test_setup_teardown(taken_slot_is_refused_with_alternatives, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_requests_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(idempotency_key_replays_the_same_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(change_reschedules_reassigns_and_forces, setup, teardown),
        cmocka_unit_test_setup_teardown(cancel_once_and_notice, setup, teardown),
        cmocka_unit_test_setup_teardown(catalog_changed_under_the_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(booking_keeps_its_quote, setup, teardown),
        cmocka_unit_test_setup_teardown(booking_switched_back_on, setup, teardown),
        cmocka_unit_test(price_words),
        cmocka_unit_test_setup_teardown(live_recheck_sees_an_event_the_snapshot_missed, setup_dav,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
