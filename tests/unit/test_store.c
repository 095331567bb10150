/* test_store.c — store conformance: every store_* behaviour, run against
 * SQLite in a temp dir, or PostgreSQL when TRIPOD_TEST_DB is a postgres:// URL. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"

static char tmpdir[64];

static const char *db_url(void)
{
    const char *u = getenv("TRIPOD_TEST_DB");
    return u && *u ? u : NULL;
}

static int setup(void **state)
{
    char err[256];
    store *s = NULL;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tripod-store-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    assert_int_equal(store_open(db_url(), tmpdir, 0, &s, err, sizeof err), STORE_OK);
    assert_int_equal(store_migrate(s, err, sizeof err), STORE_OK);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    store_close(*state);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_migrate_is_idempotent(void **state)
{
    store *s = *state;
    char err[256];
    int v = store_schema_version(s);
    assert_true(v >= 1);
    assert_int_equal(store_migrate(s, err, sizeof err), STORE_OK);
    assert_int_equal(store_schema_version(s), v);
}

static int count_docs(void *ctx, int64_t id, const char *json)
{
    (void)id;
    (void)json;
    (*(int *)ctx)++;
    return 0;
}

static void test_docs_crud_and_generation(void **state)
{
    store_conn *c = store_acquire(*state);
    assert_non_null(c);
    int64_t g0, g1, id = 0;
    assert_int_equal(store_generation(c, &g0), STORE_OK);
    assert_int_equal(store_doc_insert(c, STORE_SKILL, "{\"name\":\"video\"}", &id), STORE_OK);
    assert_true(id > 0);
    assert_int_equal(store_generation(c, &g1), STORE_OK);
    assert_true(g1 > g0);

    char *json = NULL;
    assert_int_equal(store_doc_get(c, STORE_SKILL, id, &json), STORE_OK);
    assert_string_equal(json, "{\"name\":\"video\"}");
    free(json);
    assert_int_equal(store_doc_update(c, STORE_SKILL, id, "{\"name\":\"drone\"}"), STORE_OK);
    assert_int_equal(store_doc_get(c, STORE_SKILL, id, &json), STORE_OK);
    assert_string_equal(json, "{\"name\":\"drone\"}");
    free(json);
    assert_int_equal(store_doc_update(c, STORE_SKILL, id + 1000, "{}"), STORE_NOTFOUND);

    int n = 0;
    assert_int_equal(store_doc_list(c, STORE_SKILL, count_docs, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_doc_delete(c, STORE_SKILL, id), STORE_OK);
    assert_int_equal(store_doc_delete(c, STORE_SKILL, id), STORE_NOTFOUND);
    assert_int_equal(store_doc_get(c, STORE_SKILL, id, &json), STORE_NOTFOUND);
    assert_null(json);
    assert_string_equal(store_kind_table(STORE_STAFF), "staff");
    store_release(c);
}

static void test_rollback_changes_nothing(void **state)
{
    store_conn *c = store_acquire(*state);
    int64_t g0, g1, id;
    assert_int_equal(store_generation(c, &g0), STORE_OK);
    assert_int_equal(store_begin(c, 1), STORE_OK);
    assert_int_equal(store_doc_insert(c, STORE_ZONE, "{\"name\":\"z\"}", &id), STORE_OK);
    store_rollback(c);
    char *json = NULL;
    assert_int_equal(store_doc_get(c, STORE_ZONE, id, &json), STORE_NOTFOUND);
    assert_int_equal(store_generation(c, &g1), STORE_OK);
    assert_int_equal(g1, g0);
    store_release(c);
}

static void test_lazy_write_commits_and_rolls_back_like_any(void **state)
{
    store_conn *c = store_acquire(*state);
    int64_t id = 0;
    char *json = NULL;
    assert_int_equal(store_begin(c, STORE_WRITE_LAZY), STORE_OK);
    assert_int_equal(store_doc_insert(c, STORE_SKILL, "{\"name\":\"kept\"}", &id), STORE_OK);
    assert_int_equal(store_commit(c), STORE_OK);
    assert_int_equal(store_doc_get(c, STORE_SKILL, id, &json), STORE_OK);
    free(json);
    assert_int_equal(store_begin(c, STORE_WRITE_LAZY), STORE_OK);
    assert_int_equal(store_doc_delete(c, STORE_SKILL, id), STORE_OK);
    store_rollback(c);
    assert_int_equal(store_doc_get(c, STORE_SKILL, id, &json), STORE_OK);
    free(json);
    /* and the connection is back to ordinary transactions */
    assert_int_equal(store_begin(c, STORE_WRITE), STORE_OK);
    assert_int_equal(store_doc_delete(c, STORE_SKILL, id), STORE_OK);
    assert_int_equal(store_commit(c), STORE_OK);
    assert_int_equal(store_doc_get(c, STORE_SKILL, id, &json), STORE_NOTFOUND);
    store_release(c);
}

static void test_settings(void **state)
{
    store_conn *c = store_acquire(*state);
    char *json = NULL;
    assert_int_equal(store_settings_get(c, &json), STORE_OK);
    assert_string_equal(json, "{}");
    free(json);
    assert_int_equal(store_settings_put(c, "{\"horizon_days\":30}"), STORE_OK);
    assert_int_equal(store_settings_put(c, "{\"horizon_days\":45}"), STORE_OK);
    assert_int_equal(store_settings_get(c, &json), STORE_OK);
    assert_string_equal(json, "{\"horizon_days\":45}");
    free(json);
    store_release(c);
}

static void test_tokens(void **state)
{
    store_conn *c = store_acquire(*state);
    uint8_t h[32], other[32];
    memset(h, 0xab, sizeof h);
    memset(other, 0xcd, sizeof other);
    int64_t id = 0, found = 0;
    assert_int_equal(store_token_insert(c, "ops", h, 100, &id), STORE_OK);
    assert_int_equal(store_token_find(c, h, &found), STORE_OK);
    assert_int_equal(found, id);
    assert_int_equal(store_token_find(c, other, &found), STORE_NOTFOUND);
    assert_int_equal(store_token_insert(c, "dup", h, 100, &id), STORE_CONFLICT);
    store_release(c);
}

static int64_t make_staff(store_conn *c)
{
    int64_t id;
    assert_int_equal(store_doc_insert(c, STORE_STAFF, "{\"name\":\"Ann\"}", &id), STORE_OK);
    return id;
}

static store_booking sample_booking(int64_t staff, tp_time start, uint8_t tag)
{
    store_booking b;
    memset(&b, 0, sizeof b);
    snprintf(b.status, sizeof b.status, "confirmed");
    b.start = start;
    b.end = start + 7200;
    b.buffer_min = 30;
    b.staff[0] = staff;
    b.nstaff = 1;
    b.lat = 40.7;
    b.lon = NAN;
    memset(b.manage_hash, tag, sizeof b.manage_hash);
    b.body = strdup("{\"agent\":{\"name\":\"Zoe\"}}");
    snprintf(b.cal_state, sizeof b.cal_state, "pending");
    b.created = b.updated = 1000;
    return b;
}

static int collect_ids(void *ctx, const store_booking *b)
{
    int64_t *ids = ctx;
    ids[++ids[0]] = b->id;
    return 0;
}

/* Keeps the one booking listed (its strings are not copied: lean rows have none). */
static int copy_lean(void *ctx, const store_booking *b)
{
    store_booking *out = ctx;
    *out = *b;
    return out->body || out->cal_error ? 100 : 0;
}

static void test_bookings(void **state)
{
    store_conn *c = store_acquire(*state);
    int64_t ann = make_staff(c), bob = make_staff(c);
    store_booking b = sample_booking(ann, 2000000000, 1);
    assert_int_equal(store_booking_insert(c, &b), STORE_OK);
    assert_true(b.id > 0);

    store_booking got;
    assert_int_equal(store_booking_get(c, b.id, &got), STORE_OK);
    assert_string_equal(got.status, "confirmed");
    assert_int_equal(got.start, b.start);
    assert_int_equal(got.end, b.end);
    assert_int_equal(got.nstaff, 1);
    assert_int_equal(got.staff[0], ann);
    assert_true(fabs(got.lat - 40.7) < 1e-9);
    assert_true(isnan(got.lon));
    assert_string_equal(got.body, "{\"agent\":{\"name\":\"Zoe\"}}");
    assert_string_equal(got.cal_state, "pending");
    assert_null(got.cal_error);
    store_booking_clear(&got);

    uint8_t h[32];
    memset(h, 1, sizeof h);
    assert_int_equal(store_booking_by_manage(c, h, &got), STORE_OK);
    assert_int_equal(got.id, b.id);
    store_booking_clear(&got);
    memset(h, 9, sizeof h);
    assert_int_equal(store_booking_by_manage(c, h, &got), STORE_NOTFOUND);

    /* reassign to two staff, move, then cancel */
    b.staff[1] = bob;
    b.nstaff = 2;
    b.start += 3600;
    b.end += 3600;
    b.sequence = 1;
    assert_int_equal(store_booking_update(c, &b), STORE_OK);
    assert_int_equal(store_booking_get(c, b.id, &got), STORE_OK);
    assert_int_equal(got.nstaff, 2);
    assert_int_equal(got.staff[1], bob);
    assert_int_equal(got.sequence, 1);
    store_booking_clear(&got);

    int64_t ids[8] = {0};
    store_booking_filter f = {0, 0, bob, NULL, 0};
    assert_int_equal(store_booking_list(c, &f, collect_ids, ids), STORE_OK);
    assert_int_equal(ids[0], 1);
    /* lean rows: times, crew and place, without the body or the manage hash */
    f.lean = 1;
    store_booking lean;
    memset(&lean, 0, sizeof lean);
    assert_int_equal(store_booking_list(c, &f, copy_lean, &lean), STORE_OK);
    assert_int_equal(lean.id, b.id);
    assert_int_equal(lean.start, b.start);
    assert_int_equal(lean.end, b.end);
    assert_int_equal(lean.nstaff, 2);
    assert_int_equal(lean.staff[1], bob);
    assert_null(lean.body);
    assert_null(lean.cal_error);
    static const uint8_t zero[32];
    assert_memory_equal(lean.manage_hash, zero, 32);
    f = (store_booking_filter){b.end, b.end + 10, 0, NULL, 0}; /* touching the end: no overlap */
    memset(ids, 0, sizeof ids);
    assert_int_equal(store_booking_list(c, &f, collect_ids, ids), STORE_OK);
    assert_int_equal(ids[0], 0);

    snprintf(b.status, sizeof b.status, "cancelled");
    assert_int_equal(store_booking_update(c, &b), STORE_OK);
    f = (store_booking_filter){0, 0, bob, "confirmed", 0};
    memset(ids, 0, sizeof ids);
    assert_int_equal(store_booking_list(c, &f, collect_ids, ids), STORE_OK);
    assert_int_equal(ids[0], 0);

    assert_int_equal(store_booking_set_cal(c, b.id, "failing", "calendar down"), STORE_OK);
    assert_int_equal(store_booking_get(c, b.id, &got), STORE_OK);
    assert_string_equal(got.cal_state, "failing");
    assert_string_equal(got.cal_error, "calendar down");
    store_booking_clear(&got);

    store_booking missing = sample_booking(ann, 0, 2);
    missing.id = b.id + 999;
    missing.start = 10, missing.end = 20;
    assert_int_equal(store_booking_update(c, &missing), STORE_NOTFOUND);
    store_booking_clear(&missing);
    store_booking_clear(&b);
    store_release(c);
}

/* The admin's list: newest first, paged by id, filtered, searched through the index. */
static void test_booking_pages(void **state)
{
    store_conn *c = store_acquire(*state);
    int64_t ann = make_staff(c), bob = make_staff(c), ids[8], id[5];
    static const char *const search[5] = {
        "zoe zimmer\nzoe@example.com\n1 main st\n10001", "al one\nal@example.com\n9 oak ave\n10002",
        "zoe zimmer\nzoe@example.com\n77 oak ave\n10001",
        "bo two\nbo@example.com\n5 main st\n11201", "cy three\ncy@example.com\n12 elm st\n11201"};
    for (int i = 0; i < 5; i++) {
        store_booking b =
            sample_booking(i % 2 ? bob : ann, 2100000000 + i * 86400, (uint8_t)(10 + i));
        b.search = strdup(search[i]);
        assert_int_equal(store_booking_insert(c, &b), STORE_OK);
        id[i] = b.id;
        if (i == 2) {
            snprintf(b.status, sizeof b.status, "cancelled");
            free(b.search);
            b.search = NULL; /* an update without a search text keeps it */
            assert_int_equal(store_booking_update(c, &b), STORE_OK);
        }
        store_booking_clear(&b);
    }
    store_booking_page p = {.limit = 2};
    ids[0] = 0;
    assert_int_equal(store_booking_list_page(c, &p, collect_ids, ids), STORE_OK);
    assert_int_equal(ids[0], 2);
    assert_true(ids[1] == id[4] && ids[2] == id[3]);
    p.before = ids[2];
    ids[0] = 0;
    assert_int_equal(store_booking_list_page(c, &p, collect_ids, ids), STORE_OK);
    assert_true(ids[0] == 2 && ids[1] == id[2] && ids[2] == id[1]);
    p.before = ids[2];
    ids[0] = 0;
    assert_int_equal(store_booking_list_page(c, &p, collect_ids, ids), STORE_OK);
    assert_true(ids[0] >= 1 && ids[1] == id[0]); /* (PostgreSQL keeps other tests' rows) */

    /* Search terms: every one must be in the text, in any case the caller lowered. */
    p = (store_booking_page){.limit = 10, .terms = {"zoe"}};
    ids[0] = 0;
    assert_int_equal(store_booking_list_page(c, &p, collect_ids, ids), STORE_OK);
    assert_true(ids[0] == 2 && ids[1] == id[2] && ids[2] == id[0]);
    p.terms[1] = "oak";
    ids[0] = 0;
    assert_int_equal(store_booking_list_page(c, &p, collect_ids, ids), STORE_OK);
    assert_true(ids[0] == 1 && ids[1] == id[2]);
    p.f.status = "confirmed"; /* the one at Oak Ave was cancelled */
    ids[0] = 0;
    assert_int_equal(store_booking_list_page(c, &p, collect_ids, ids), STORE_OK);
    assert_int_equal(ids[0], 0);
    p = (store_booking_page){
        .limit = 10, .terms = {"ma"}, .before = id[3]}; /* short term; cursor */
    ids[0] = 0;
    assert_int_equal(store_booking_list_page(c, &p, collect_ids, ids), STORE_OK);
    assert_true(ids[0] == 1 && ids[1] == id[0]); /* only "main st" below the cursor */
    /* A short word before a long one (SQLite 3.40's FTS5 crashed on that order). */
    p = (store_booking_page){.limit = 10, .terms = {"zo", "oak"}};
    ids[0] = 0;
    assert_int_equal(store_booking_list_page(c, &p, collect_ids, ids), STORE_OK);
    assert_true(ids[0] == 1 && ids[1] == id[2]);
    p = (store_booking_page){.limit = 10, .terms = {"zo", "e"}}; /* short words alone */
    ids[0] = 0;
    assert_int_equal(store_booking_list_page(c, &p, collect_ids, ids), STORE_OK);
    assert_true(ids[0] == 2 && ids[1] == id[2] && ids[2] == id[0]);
    p = (store_booking_page){.limit = 10, .terms = {"main st"}};
    p.f.staff = bob;
    ids[0] = 0;
    assert_int_equal(store_booking_list_page(c, &p, collect_ids, ids), STORE_OK);
    assert_true(ids[0] == 1 && ids[1] == id[3]);
    p = (store_booking_page){.limit = 10, .terms = {"nobody"}};
    ids[0] = 0;
    assert_int_equal(store_booking_list_page(c, &p, collect_ids, ids), STORE_OK);
    assert_int_equal(ids[0], 0);
    /* The time range: shoots overlapping it. */
    p = (store_booking_page){.limit = 10};
    p.f.from = 2100000000 + 86400;
    p.f.to = 2100000000 + 2 * 86400 + 1;
    ids[0] = 0;
    assert_int_equal(store_booking_list_page(c, &p, collect_ids, ids), STORE_OK);
    assert_true(ids[0] == 2 && ids[1] == id[2] && ids[2] == id[1]);

    /* A new search text replaces the old one in the index. */
    store_booking b;
    assert_int_equal(store_booking_get(c, id[4], &b), STORE_OK);
    b.search = strdup("cy three\ncy@example.com\n1 river rd\n11201");
    assert_int_equal(store_booking_update(c, &b), STORE_OK);
    store_booking_clear(&b);
    p = (store_booking_page){.limit = 10, .terms = {"elm"}};
    ids[0] = 0;
    assert_int_equal(store_booking_list_page(c, &p, collect_ids, ids), STORE_OK);
    assert_int_equal(ids[0], 0);
    p.terms[0] = "river";
    ids[0] = 0;
    assert_int_equal(store_booking_list_page(c, &p, collect_ids, ids), STORE_OK);
    assert_true(ids[0] == 1 && ids[1] == id[4]);
    store_release(c);
}

static void test_booking_needs_existing_staff(void **state)
{
    store_conn *c = store_acquire(*state);
    store_booking b = sample_booking(987654, 2000100000, 3);
    assert_int_equal(store_booking_insert(c, &b), STORE_CONFLICT);
    store_booking_clear(&b);
    store_release(c);
}

static int history_count(void *ctx, tp_time at, const char *actor, const char *change)
{
    (void)at;
    (void)change;
    assert_non_null(actor);
    (*(int *)ctx)++;
    return 0;
}

static void test_history_and_idempotency(void **state)
{
    store_conn *c = store_acquire(*state);
    int64_t ann = make_staff(c);
    store_booking b = sample_booking(ann, 2000200000, 4);
    assert_int_equal(store_booking_insert(c, &b), STORE_OK);
    assert_int_equal(store_history_add(c, b.id, 1, "agent", "{\"created\":true}"), STORE_OK);
    assert_int_equal(store_history_add(c, b.id, 2, "admin", "{\"start\":1}"), STORE_OK);
    int n = 0;
    assert_int_equal(store_history_list(c, b.id, history_count, &n), STORE_OK);
    assert_int_equal(n, 2);

    int status = 0;
    char *body = NULL;
    assert_int_equal(store_idem_get(c, "k1", &status, &body), STORE_NOTFOUND);
    assert_int_equal(store_idem_put(c, "k1", 201, "{\"id\":\"1\"}", 5), STORE_OK);
    assert_int_equal(store_idem_put(c, "k1", 409, "{}", 6), STORE_CONFLICT);
    assert_int_equal(store_idem_get(c, "k1", &status, &body), STORE_OK);
    assert_int_equal(status, 201);
    assert_string_equal(body, "{\"id\":\"1\"}");
    free(body);
    store_booking_clear(&b);
    store_release(c);
}

static int busy_collect(void *ctx, int64_t cal, const store_busy *ev)
{
    (void)cal;
    tp_time *out = ctx;
    out[++out[0]] = ev->start;
    assert_non_null(ev->uid);
    return 0;
}

static void test_busy_and_calstate(void **state)
{
    store_conn *c = store_acquire(*state);
    int64_t cal;
    assert_int_equal(store_doc_insert(c, STORE_CALENDAR, "{\"kind\":\"ics\"}", &cal), STORE_OK);
    store_busy ev[3] = {{.start = 300, .end = 400, .uid = "c", .summary = "C"},
                        {.start = 100, .end = 200, .uid = "a", .summary = "A"},
                        {.start = 150, .end = 250, .uid = "b"}};
    assert_int_equal(store_busy_replace(c, cal, ev, 3), STORE_OK);
    tp_time got[8] = {0};
    assert_int_equal(store_busy_list(c, cal, 0, 1000, busy_collect, got), STORE_OK);
    assert_int_equal(got[0], 3);
    assert_int_equal(got[1], 100); /* ascending start */
    assert_int_equal(got[3], 300);
    memset(got, 0, sizeof got);
    assert_int_equal(store_busy_list(c, 0, 200, 300, busy_collect, got), STORE_OK);
    assert_int_equal(got[0], 1); /* only [150,250) overlaps [200,300) */
    assert_int_equal(store_busy_replace(c, cal, ev, 1), STORE_OK);
    memset(got, 0, sizeof got);
    assert_int_equal(store_busy_list(c, cal, 0, 1000, busy_collect, got), STORE_OK);
    assert_int_equal(got[0], 1);

    store_calstate st;
    assert_int_equal(store_calstate_get(c, cal, &st), STORE_OK);
    assert_int_equal(st.last_sync, 0);
    assert_null(st.last_error);
    store_calstate put = {10, 9, "timeout", "ctag-1", NULL, "\"e1\"", 3, 8};
    assert_int_equal(store_calstate_put(c, cal, &put), STORE_OK);
    put.last_error = NULL;
    put.last_sync = 11;
    assert_int_equal(store_calstate_put(c, cal, &put), STORE_OK);
    assert_int_equal(store_calstate_get(c, cal, &st), STORE_OK);
    assert_int_equal(st.last_sync, 11);
    assert_null(st.last_error);
    assert_string_equal(st.ctag, "ctag-1");
    assert_int_equal(st.events, 3);
    assert_int_equal(st.last_full, 8);
    store_calstate_clear(&st);

    /* deleting the calendar removes its busy time */
    assert_int_equal(store_doc_delete(c, STORE_CALENDAR, cal), STORE_OK);
    memset(got, 0, sizeof got);
    assert_int_equal(store_busy_list(c, cal, 0, 1000, busy_collect, got), STORE_OK);
    assert_int_equal(got[0], 0);
    store_release(c);
}

/* Collects "href=etag;" pairs of store_busy_hrefs into a char[256]. */
static int href_collect(void *ctx, const char *href, const char *etag)
{
    char *out = ctx;
    size_t n = strlen(out);
    snprintf(out + n, 256 - n, "%s=%s;", href, etag ? etag : "-");
    return 0;
}

/* Collects "href@start;" of each busy row into a char[256]. */
static int busy_href_collect(void *ctx, int64_t cal, const store_busy *ev)
{
    (void)cal;
    char *out = ctx;
    size_t n = strlen(out);
    snprintf(out + n, 256 - n, "%s@%lld;", ev->href ? ev->href : "-", (long long)ev->start);
    return 0;
}

static void test_busy_per_resource(void **state)
{
    store_conn *c = store_acquire(*state);
    int64_t cal, other, g0, g1, removed = -1;
    char got[256] = "";
    assert_int_equal(store_doc_insert(c, STORE_CALENDAR, "{\"kind\":\"caldav\"}", &cal), STORE_OK);
    assert_int_equal(store_doc_insert(c, STORE_CALENDAR, "{\"kind\":\"caldav\"}", &other),
                     STORE_OK);

    /* A full read stores each row with its resource. */
    store_busy full[3] = {
        {.start = 100, .end = 200, .uid = "a", .href = "/c/a.ics", .etag = "\"a1\""},
        {.start = 300, .end = 400, .uid = "a", .href = "/c/a.ics", .etag = "\"a1\""},
        {.start = 500, .end = 600, .uid = "b", .href = "/c/b.ics", .etag = "\"b1\""}};
    assert_int_equal(store_busy_replace(c, cal, full, 3), STORE_OK);
    assert_int_equal(store_busy_replace(c, other, full, 1), STORE_OK);
    assert_int_equal(store_busy_hrefs(c, cal, href_collect, got), STORE_OK);
    assert_string_equal(got, "/c/a.ics=\"a1\";/c/b.ics=\"b1\";");

    /* One resource changes: its two instances become one, others stay; the
     * config generation moves so availability reloads. */
    assert_int_equal(store_config_generation(c, &g0), STORE_OK);
    store_busy moved = {.start = 700, .end = 800, .uid = "a", .summary = "moved"};
    assert_int_equal(store_busy_put_resource(c, cal, "/c/a.ics", "\"a2\"", &moved, 1, &removed),
                     STORE_OK);
    assert_int_equal(removed, 2);
    assert_int_equal(store_config_generation(c, &g1), STORE_OK);
    assert_true(g1 > g0);
    got[0] = '\0';
    assert_int_equal(store_busy_list(c, cal, 0, 1000, busy_href_collect, got), STORE_OK);
    assert_string_equal(got, "/c/b.ics@500;/c/a.ics@700;");

    /* A new resource, then a deleted one; deleting an unknown one is fine. */
    store_busy two[2] = {{.start = 10, .end = 20, .uid = "n"},
                         {.start = 30, .end = 40, .uid = "n"}};
    assert_int_equal(store_busy_put_resource(c, cal, "/c/n.ics", NULL, two, 2, &removed), STORE_OK);
    assert_int_equal(removed, 0);
    assert_int_equal(store_busy_delete_resource(c, cal, "/c/b.ics", &removed), STORE_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(store_config_generation(c, &g0), STORE_OK);
    assert_true(g0 > g1);
    assert_int_equal(store_busy_delete_resource(c, cal, "/c/gone.ics", &removed), STORE_OK);
    assert_int_equal(removed, 0);
    got[0] = '\0';
    assert_int_equal(store_busy_hrefs(c, cal, href_collect, got), STORE_OK);
    assert_string_equal(got, "/c/a.ics=\"a2\";/c/n.ics=-;");

    /* Inside the caller's transaction a rollback undoes every change. */
    assert_int_equal(store_begin(c, 1), STORE_OK);
    assert_int_equal(store_busy_delete_resource(c, cal, "/c/a.ics", NULL), STORE_OK);
    assert_int_equal(store_busy_put_resource(c, cal, "/c/n.ics", "\"x\"", NULL, 0, NULL), STORE_OK);
    store_rollback(c);
    got[0] = '\0';
    assert_int_equal(store_busy_list(c, cal, 0, 1000, busy_href_collect, got), STORE_OK);
    assert_string_equal(got, "/c/n.ics@10;/c/n.ics@30;/c/a.ics@700;");

    /* The other calendar's rows with the same href were never touched. */
    got[0] = '\0';
    assert_int_equal(store_busy_list(c, other, 0, 1000, busy_href_collect, got), STORE_OK);
    assert_string_equal(got, "/c/a.ics@100;");
    store_release(c);
}

static void test_calendar_sync_claim(void **state)
{
    store_conn *c = store_acquire(*state);
    int64_t cal;
    assert_int_equal(store_doc_insert(c, STORE_CALENDAR, "{\"kind\":\"ics\"}", &cal), STORE_OK);
    assert_int_equal(store_calstate_claim(c, cal, 1000, 60), STORE_OK);
    assert_int_equal(store_calstate_claim(c, cal, 1010, 60), STORE_CONFLICT); /* held */
    assert_int_equal(store_calstate_release(c, cal), STORE_OK);
    assert_int_equal(store_calstate_claim(c, cal, 1020, 60), STORE_OK);
    /* a claim left by a crashed process expires */
    assert_int_equal(store_calstate_claim(c, cal, 1079, 60), STORE_CONFLICT);
    assert_int_equal(store_calstate_claim(c, cal, 1080, 60), STORE_OK);
    /* the claim is not part of the sync state a sync writes */
    store_calstate put = {5, 5, NULL, NULL, NULL, NULL, 1, 0};
    assert_int_equal(store_calstate_put(c, cal, &put), STORE_OK);
    assert_int_equal(store_calstate_claim(c, cal, 1100, 60), STORE_CONFLICT);
    assert_int_equal(store_calstate_claim(c, cal + 1000, 1100, 60), STORE_NOTFOUND);
    store_release(c);
}

static void test_accounts_and_refresh_claim(void **state)
{
    store_conn *c = store_acquire(*state);
    store_account a = {0}, got;
    snprintf(a.provider, sizeof a.provider, "google");
    snprintf(a.owner, sizeof a.owner, "business");
    a.email = "office@biz.test";
    a.access_sealed = "A1";
    a.refresh_sealed = "R1";
    a.expires_at = 5000;
    assert_int_equal(store_account_upsert(c, &a, 1000), STORE_OK);
    int64_t id = a.id;
    assert_int_equal(store_account_get(c, id, &got), STORE_OK);
    assert_string_equal(got.state, "ok");
    assert_string_equal(got.refresh_sealed, "R1");
    int64_t v = got.version;
    store_account_clear(&got);
    /* One refresh at a time, and only on the tokens it read. */
    assert_int_equal(store_account_claim_refresh(c, id, v, 2000, 30), STORE_OK);
    assert_int_equal(store_account_claim_refresh(c, id, v, 2001, 30), STORE_CONFLICT);
    assert_int_equal(store_account_set_tokens(c, id, "A2", NULL, 9000, 2002), STORE_OK);
    assert_int_equal(store_account_claim_refresh(c, id, v, 2003, 30), STORE_CONFLICT); /* stale */
    assert_int_equal(store_account_get(c, id, &got), STORE_OK);
    assert_true(got.version > v);
    assert_string_equal(got.access_sealed, "A2");
    assert_string_equal(got.refresh_sealed, "R1"); /* kept when none came */
    assert_int_equal(got.refresh_lease, 0);
    v = got.version;
    store_account_clear(&got);
    /* A crashed refresher's claim expires. */
    assert_int_equal(store_account_claim_refresh(c, id, v, 3000, 30), STORE_OK);
    assert_int_equal(store_account_claim_refresh(c, id, v, 3029, 30), STORE_CONFLICT);
    assert_int_equal(store_account_claim_refresh(c, id, v, 3030, 30), STORE_OK);
    /* Revoked: failing until a reconnect of the same owner and address. */
    assert_int_equal(store_account_fail(c, id, "consent revoked", 3031), STORE_OK);
    assert_int_equal(store_account_get(c, id, &got), STORE_OK);
    assert_string_equal(got.state, "failing");
    assert_string_equal(got.error, "consent revoked");
    store_account_clear(&got);
    a.access_sealed = "A3";
    a.refresh_sealed = NULL;
    assert_int_equal(store_account_upsert(c, &a, 4000), STORE_OK);
    assert_int_equal(a.id, id);
    assert_int_equal(store_account_get(c, id, &got), STORE_OK);
    assert_string_equal(got.state, "ok");
    assert_null(got.error);
    assert_string_equal(got.refresh_sealed, "R1");
    store_account_clear(&got);
    assert_int_equal(store_account_claim_refresh(c, id + 99, 1, 1, 1), STORE_NOTFOUND);
    assert_int_equal(store_account_delete(c, id), STORE_OK);
    assert_int_equal(store_account_get(c, id, &got), STORE_NOTFOUND);
    store_release(c);
}

static void test_oauth_states_and_links(void **state)
{
    store_conn *c = store_acquire(*state);
    store_oauth_state st = {.expires_at = 2000}, out;
    snprintf(st.provider, sizeof st.provider, "microsoft");
    snprintf(st.owner, sizeof st.owner, "7");
    st.verifier_sealed = "V";
    assert_int_equal(store_oauth_state_put(c, "aa", &st), STORE_OK);
    assert_int_equal(store_oauth_state_take(c, "aa", 1000, &out), STORE_OK);
    assert_string_equal(out.provider, "microsoft");
    assert_string_equal(out.owner, "7");
    assert_string_equal(out.link_hash, "");
    store_oauth_state_clear(&out);
    /* single use */
    assert_int_equal(store_oauth_state_take(c, "aa", 1000, &out), STORE_NOTFOUND);
    /* expired: refused, and gone */
    assert_int_equal(store_oauth_state_put(c, "bb", &st), STORE_OK);
    assert_int_equal(store_oauth_state_take(c, "bb", 2001, &out), STORE_NOTFOUND);
    assert_int_equal(store_oauth_state_take(c, "bb", 1000, &out), STORE_NOTFOUND);

    int64_t staff, acc, got_staff;
    tp_time exp;
    assert_int_equal(store_doc_insert(c, STORE_STAFF, "{\"name\":\"Ann\"}", &staff), STORE_OK);
    assert_int_equal(store_connect_link_put(c, "cc", staff, 5000, 1000), STORE_OK);
    assert_int_equal(store_connect_link_get(c, "cc", &got_staff, &exp, &acc), STORE_OK);
    assert_true(got_staff == staff && exp == 5000 && acc == 0);
    assert_int_equal(store_connect_link_use(c, "cc", 42), STORE_OK);
    assert_int_equal(store_connect_link_use(c, "cc", 43), STORE_NOTFOUND); /* once */
    assert_int_equal(store_connect_link_get(c, "cc", &got_staff, &exp, &acc), STORE_OK);
    assert_int_equal(acc, 42);
    assert_int_equal(store_connect_link_get(c, "dd", &got_staff, &exp, &acc), STORE_NOTFOUND);
    store_release(c);
}

static void test_outbox_order_and_lease(void **state)
{
    store_conn *c = store_acquire(*state);
    int64_t ann = make_staff(c);
    store_booking b1 = sample_booking(ann, 2000300000, 5), b2 = sample_booking(ann, 2000400000, 6);
    assert_int_equal(store_booking_insert(c, &b1), STORE_OK);
    assert_int_equal(store_booking_insert(c, &b2), STORE_OK);
    int64_t pending0;
    assert_int_equal(store_outbox_pending(c, &pending0), STORE_OK);
    assert_int_equal(store_outbox_add(c, b1.id, "event_put", "event", "{\"n\":1}", 100), STORE_OK);
    assert_int_equal(store_outbox_add(c, b1.id, "mail", "mail:a@x", "{\"n\":2}", 100), STORE_OK);
    assert_int_equal(store_outbox_add(c, b2.id, "event_put", "event", "{\"n\":3}", 100), STORE_OK);
    assert_int_equal(store_outbox_add(c, b1.id, "event_put", "event", "{\"n\":4}", 100), STORE_OK);

    store_outbox_item it, it2, it3;
    assert_int_equal(store_outbox_claim(c, NULL, 99, 60, &it), STORE_NOTFOUND); /* not due yet */
    /* by kind: the mail worker takes n:2 though the event n:1 is older */
    assert_int_equal(store_outbox_claim(c, "mail", 100, 60, &it), STORE_OK);
    assert_string_equal(it.payload, "{\"n\":2}");
    assert_int_equal(store_outbox_claim(c, "mail", 100, 60, &it2), STORE_NOTFOUND);
    assert_int_equal(store_outbox_release(c, it.id), STORE_OK); /* back, no attempt counted */
    store_outbox_clear(&it);
    assert_int_equal(store_outbox_claim(c, NULL, 100, 60, &it), STORE_OK);
    assert_string_equal(it.payload, "{\"n\":1}");
    /* b1's mail lane does not wait for its event lane; b2 is free; b1's
     * second event waits behind its first */
    assert_int_equal(store_outbox_claim(c, NULL, 100, 60, &it2), STORE_OK);
    assert_string_equal(it2.payload, "{\"n\":2}");
    assert_int_equal(it2.attempts, 0);
    assert_int_equal(store_outbox_claim(c, NULL, 100, 60, &it3), STORE_OK);
    assert_string_equal(it3.payload, "{\"n\":3}");
    store_outbox_clear(&it3);
    store_outbox_item none;
    assert_int_equal(store_outbox_claim(c, NULL, 100, 60, &none), STORE_NOTFOUND);

    /* failure: backoff, lease released, retried later, still first in its lane */
    assert_int_equal(store_outbox_fail(c, it.id, "connection refused", 140), STORE_OK);
    assert_int_equal(store_outbox_claim(c, NULL, 130, 60, &none), STORE_NOTFOUND);
    assert_int_equal(store_outbox_claim(c, NULL, 140, 60, &it3), STORE_OK);
    assert_int_equal(it3.id, it.id);
    assert_int_equal(it3.attempts, 1);
    assert_string_equal(it3.last_error, "connection refused");
    assert_int_equal(store_booking_set_cal(c, b1.id, "failing", "connection refused"), STORE_OK);
    assert_int_equal(store_outbox_done(c, it3.id), STORE_OK);
    assert_int_equal(store_outbox_done(c, it3.id), STORE_NOTFOUND); /* delivered once */
    store_outbox_clear(&it3);
    /* the lane passed on to n:4; b1 is not synced while n:2 and n:4 are
     * out, and no longer failing: neither of them has failed */
    store_booking got;
    assert_int_equal(store_booking_get(c, b1.id, &got), STORE_OK);
    assert_string_equal(got.cal_state, "pending");
    assert_null(got.cal_error);
    store_booking_clear(&got);
    /* an expired lease (a crashed worker) makes an item claimable again:
     * n:2 and n:3, due the longest, before n:4 */
    assert_int_equal(store_outbox_claim(c, NULL, 200, 60, &it3), STORE_OK);
    assert_string_equal(it3.payload, "{\"n\":2}");
    store_outbox_clear(&it3);
    assert_int_equal(store_outbox_claim(c, NULL, 200, 60, &it3), STORE_OK);
    assert_string_equal(it3.payload, "{\"n\":3}");
    store_outbox_clear(&it3);
    assert_int_equal(store_outbox_claim(c, NULL, 200, 60, &it3), STORE_OK);
    assert_string_equal(it3.payload, "{\"n\":4}");
    int64_t pending;
    assert_int_equal(store_outbox_pending(c, &pending), STORE_OK);
    assert_int_equal(pending - pending0, 3); /* n:2, n:3, n:4: leased, not yet done */
    /* n:2 fails: b1 stays failing when n:4 is delivered, n:2 is still out */
    assert_int_equal(store_outbox_fail(c, it2.id, "mail down", 300), STORE_OK);
    assert_int_equal(store_booking_set_cal(c, b1.id, "failing", "mail down"), STORE_OK);
    assert_int_equal(store_outbox_done(c, it3.id), STORE_OK);
    assert_int_equal(store_booking_get(c, b1.id, &got), STORE_OK);
    assert_string_equal(got.cal_state, "failing");
    assert_string_equal(got.cal_error, "mail down");
    store_booking_clear(&got);
    assert_int_equal(store_outbox_done(c, it2.id), STORE_OK);
    assert_int_equal(store_booking_get(c, b1.id, &got), STORE_OK);
    assert_string_equal(got.cal_state, "synced"); /* all of b1 delivered */
    store_booking_clear(&got);
    assert_int_equal(store_booking_get(c, b2.id, &got), STORE_OK);
    assert_string_not_equal(got.cal_state, "synced");
    store_booking_clear(&got);
    store_outbox_clear(&it);
    store_outbox_clear(&it2);
    store_outbox_clear(&it3);
    store_booking_clear(&b1);
    store_booking_clear(&b2);
    store_release(c);
}

struct writer_arg {
    store *s;
    int64_t staff;
    int ok;
};

static void *writer(void *p)
{
    struct writer_arg *a = p;
    store_conn *c = store_acquire(a->s);
    for (int i = 0; i < 25; i++) {
        store_booking b = sample_booking(a->staff, 2001000000 + i * 10000, 0);
        for (int k = 0; k < 32; k++)
            b.manage_hash[k] = (uint8_t)(i * 7 + k + a->staff * 31);
        b.manage_hash[31] = (uint8_t)i;
        b.manage_hash[30] = (uint8_t)a->staff;
        if (store_begin(c, 1) == STORE_OK && store_booking_insert(c, &b) == STORE_OK &&
            store_commit(c) == STORE_OK)
            a->ok++;
        else
            store_rollback(c);
        store_booking_clear(&b);
    }
    store_release(c);
    return NULL;
}

static void test_concurrent_writers(void **state)
{
    store *s = *state;
    store_conn *c = store_acquire(s);
    struct writer_arg args[4];
    for (int i = 0; i < 4; i++)
        args[i] = (struct writer_arg){s, make_staff(c), 0};
    store_release(c);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, writer, &args[i]);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].ok, 25);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate_is_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_docs_crud_and_generation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lazy_write_commits_and_rolls_back_like_any, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bookings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_booking_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_booking_needs_existing_staff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_and_idempotency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy_and_calstate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy_per_resource, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calendar_sync_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts_and_refresh_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oauth_states_and_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox_order_and_lease, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
