/* test_sync.c — when a calendar sync reads the whole window and when only the
 * changes (src/cal/sync.c): a real Radicale started by
 * tests/servers/radicale_server.py, a real store (SQLite in a temp dir, or
 * TRIPOD_TEST_DB) and a sealed password, with the sync clock moved by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "radicale_fixture.h"

#include <sodium.h>
#include <unistd.h>

#include "app/secret.h"
#include "cal/caldav.h"
#include "cal/sync.h"

#define HOUR 3600
#define DAY 86400

static radicale_fixture g_radicale;
static uint8_t g_key[32];

static int start_radicale(void **state)
{
    static const char *const calendars[] = {"ann/work", NULL};
    (void)state;
    return radicale_fixture_start(&g_radicale, "sync", calendars);
}

static int stop_radicale(void **state)
{
    (void)state;
    return radicale_fixture_stop(&g_radicale);
}

static char *open_sealed(void *ctx, const char *sealed)
{
    return secret_open(ctx, sealed);
}

/* PUTs an event NAME at UTC instant START (one hour) into ann/work. */
static void put_event(const char *name, tp_time start)
{
    char url[256], err[256], ics[512], a[32], b[32], *etag = NULL;
    long status;
    caldav_target t = {.url = url, .username = "ann", .password = "secret", .timeout_s = 10};
    snprintf(url, sizeof url, "%s/ann/work/", g_radicale.base);
    time_t s = (time_t)start, e = (time_t)(start + HOUR);
    strftime(a, sizeof a, "%Y%m%dT%H%M%SZ", gmtime(&s));
    strftime(b, sizeof b, "%Y%m%dT%H%M%SZ", gmtime(&e));
    snprintf(ics, sizeof ics,
             "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\n"
             "DTSTAMP:20300101T000000Z\r\nSUMMARY:%s\r\nDTSTART:%s\r\nDTEND:%s\r\n"
             "END:VEVENT\r\nEND:VCALENDAR\r\n",
             name, name, a, b);
    char *res = caldav_resource_url(&t, name);
    if (caldav_put(&t, res, ics, NULL, 0, &etag, &status, err, sizeof err) != 0)
        fail_msg("PUT %s: %s", name, err);
    free(res);
    free(etag);
}

typedef struct {
    sync_config cfg;
    int64_t cal;
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    char err[256], doc[1024], url[256];
    const char *db = getenv("TRIPOD_TEST_DB");
    store_conn *c;
    assert_non_null(fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/tripod-sync-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    assert_int_equal(store_open(db && *db ? db : NULL, fx->dir, 0, &fx->cfg.db, err, sizeof err),
                     STORE_OK);
    assert_int_equal(store_migrate(fx->cfg.db, err, sizeof err), STORE_OK);
    fx->cfg.opener =
        (calsrc_opener){.open = open_sealed, .ctx = g_key, .default_tz = "America/New_York"};
    fx->cfg.timeout_s = 10;
    char *sealed = secret_seal(g_key, "secret");
    assert_non_null(sealed);
    snprintf(url, sizeof url, "%s/ann/work/", g_radicale.base);
    snprintf(doc, sizeof doc,
             "{\"owner\":\"business\",\"kind\":\"caldav\",\"url\":\"%s\",\"username\":\"ann\","
             "\"_password\":\"%s\"}",
             url, sealed);
    free(sealed);
    assert_non_null(c = store_acquire(fx->cfg.db));
    assert_int_equal(store_settings_put(c, "{\"timezone\":\"America/New_York\"}"), STORE_OK);
    assert_int_equal(store_doc_insert(c, STORE_CALENDAR, doc, &fx->cal), STORE_OK);
    store_release(c);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[128];
    store_close(fx->cfg.db);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    free(fx);
    return system(cmd) == 0 ? 0 : -1;
}

static sync_result run(const fixture *fx, tp_time now)
{
    sync_result r;
    char err[512];
    if (sync_calendar(&fx->cfg, fx->cal, now, &r, err, sizeof err) != 0) fail_msg("sync: %s", err);
    return r;
}

static int count_href(void *ctx, const char *href, const char *etag)
{
    assert_non_null(strstr(href, "/ann/work/"));
    assert_non_null(etag);
    (*(int *)ctx)++;
    return 0;
}

static void full_read_every_six_hours_and_each_new_day(void **state)
{
    fixture *fx = *state;
    tp_time t0 = 0;
    assert_int_equal(tz_parse_rfc3339("2030-06-03T12:00:00Z", &t0), 0);
    put_event("a.ics", t0 + 2 * HOUR);
    put_event("b.ics", t0 + DAY);
    /* Past the window's end (now + 60 + 7 days) until 23:30. */
    put_event("late.ics", t0 + 67 * DAY + 11 * HOUR + 30 * 60);

    sync_result r = run(fx, t0);
    assert_string_equal(r.mode, "full");
    assert_int_equal(r.changed, 2);
    assert_int_equal(r.events, 2);
    int hrefs = 0;
    store_conn *c = store_acquire(fx->cfg.db);
    assert_int_equal(store_busy_hrefs(c, fx->cal, count_href, &hrefs), STORE_OK);
    store_release(c);
    assert_int_equal(hrefs, 2);

    put_event("c.ics", t0 + 2 * DAY);
    r = run(fx, t0 + HOUR);
    assert_string_equal(r.mode, "incremental");
    assert_int_equal(r.changed, 1);
    assert_int_equal(r.events, 3);

    r = run(fx, t0 + 6 * HOUR - 1);
    assert_string_equal(r.mode, "incremental");
    assert_int_equal(r.changed, 0);
    assert_true(r.unchanged);

    /* Six hours (or more) after the last full read: the whole window again. */
    r = run(fx, t0 + 8 * HOUR);
    assert_string_equal(r.mode, "full");
    assert_int_equal(r.changed, 3);
    assert_int_equal(r.events, 3);
    assert_string_equal(r.fallback, "");

    r = run(fx, t0 + 11 * HOUR);
    assert_string_equal(r.mode, "incremental");

    /* 00:30 the next day, 4.5 hours after the last full read: the window's
     * start day moved, so it is read whole and now reaches the late event
     * that no sync-collection would report. */
    r = run(fx, t0 + 12 * HOUR + 30 * 60);
    assert_string_equal(r.mode, "full");
    assert_int_equal(r.events, 4);
    r = run(fx, t0 + 13 * HOUR);
    assert_string_equal(r.mode, "incremental");
    assert_int_equal(r.events, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(full_read_every_six_hours_and_each_new_day, setup,
                                        teardown),
    };
    if (sodium_init() < 0 || caldav_global_init() != 0) return 1;
    randombytes_buf(g_key, sizeof g_key);
    return cmocka_run_group_tests(tests, start_radicale, stop_radicale);
}
