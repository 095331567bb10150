/* test_caldav.c — the CalDAV/ICS client (src/cal/caldav.c: queries, writes,
 * sync-collection, multiget) against a real Radicale started by
 * tests/servers/radicale_server.py on 127.0.0.1, plus a silent socket for
 * timeouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_file.h"
#include "radicale_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cal/caldav.h"
#include "cal/ics.h"

static radicale_fixture g_radicale;

static char *slurp(const char *rel)
{
    char *text = fixture_slurp(rel, NULL);
    assert_non_null(text);
    return text;
}

static int start_radicale(void **state)
{
    static const char *const calendars[] = {"ann/work", "ann/feed", "ann/sync", NULL};
    (void)state;
    return radicale_fixture_start(&g_radicale, "caldav", calendars);
}

static int stop_radicale(void **state)
{
    (void)state;
    return radicale_fixture_stop(&g_radicale);
}

static void target(caldav_target *t, char *url, size_t len, const char *cal, const char *pw)
{
    snprintf(url, len, "%s/ann/%s/", g_radicale.base, cal);
    memset(t, 0, sizeof *t);
    t->url = url;
    t->username = "ann";
    t->password = pw;
    t->timeout_s = 10;
}

static tp_time at(const char *s)
{
    tp_time t = 0;
    assert_int_equal(tz_parse_rfc3339(s, &t), 0);
    return t;
}

typedef struct {
    ics_opts o;
    ics_list l;
    int resources;
    char err[256];
} collect;

static int on_item(void *ctx, const char *href, const char *etag, const char *data, size_t len)
{
    collect *c = ctx;
    assert_non_null(strstr(href, "/ann/work/"));
    assert_non_null(etag);
    c->resources++;
    return ics_parse(data, len, &c->o, &c->l, c->err, sizeof c->err) == 0 ? 0 : 99;
}

static void put_query_markers_and_conditional_writes(void **state)
{
    (void)state;
    char url[256], err[256] = "";
    caldav_target t;
    target(&t, url, sizeof url, "work", "secret");

    char *ctag0 = NULL, *tok0 = NULL;
    assert_int_equal(caldav_markers(&t, &ctag0, &tok0, err, sizeof err), 0);
    assert_non_null(ctag0);
    assert_non_null(tok0);

    char *ics = slurp("ical/recurring_ny.ics");
    char *res = caldav_resource_url(&t, "weekly.ics");
    char *etag = NULL;
    long status = 0;
    assert_int_equal(caldav_put(&t, res, ics, NULL, 1, &etag, &status, err, sizeof err), 0);
    assert_int_equal(status, 201);
    assert_non_null(etag);
    /* Creating it again with If-None-Match: * fails; a stale If-Match too. */
    char *etag2 = NULL;
    assert_int_equal(caldav_put(&t, res, ics, NULL, 1, &etag2, &status, err, sizeof err), -1);
    assert_int_equal(status, 412);
    assert_int_equal(caldav_put(&t, res, ics, "\"stale\"", 0, &etag2, &status, err, sizeof err),
                     -1);
    assert_int_equal(status, 412);
    assert_int_equal(caldav_put(&t, res, ics, etag, 0, &etag2, &status, err, sizeof err), 0);
    free(etag2);

    /* CalDAV keeps one UID per resource. */
    char *other = strdup("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
                         "BEGIN:VEVENT\r\nUID:allday@test\r\nDTSTAMP:20300101T000000Z\r\n"
                         "SUMMARY:Vacation\r\nDTSTART;VALUE=DATE:20300310\r\n"
                         "DTEND;VALUE=DATE:20300311\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    char *res2 = caldav_resource_url(&t, "misc.ics");
    assert_int_equal(caldav_put(&t, res2, other, NULL, 1, &etag2, &status, err, sizeof err), 0);
    free(etag2);

    char *ctag1 = NULL, *tok1 = NULL;
    assert_int_equal(caldav_markers(&t, &ctag1, &tok1, err, sizeof err), 0);
    assert_string_not_equal(ctag0, ctag1);

    tz_zone *ny = tz_zone_load("America/New_York");
    collect c;
    memset(&c, 0, sizeof c);
    ics_opts_init(&c.o, ny, "ann@example.com", at("2030-03-01T00:00:00Z"),
                  at("2030-04-15T00:00:00Z"));
    if (caldav_query(&t, c.o.from, c.o.to, on_item, &c, err, sizeof err) != 0)
        fail_msg("query: %s / %s", err, c.err);
    assert_int_equal(c.resources, 2);
    ics_list_sort(&c.l);
    /* 5 weekly instances (one EXDATE, one moved) + the all-day DST day. */
    assert_int_equal(c.l.n, 6);
    assert_int_equal(c.l.v[0].start, at("2030-03-04T10:00:00-05:00"));
    assert_int_equal(c.l.v[1].start, at("2030-03-10T00:00:00-05:00"));
    assert_int_equal(c.l.v[1].end, at("2030-03-11T00:00:00-04:00"));
    ics_list_free(&c.l);

    /* A narrow window only returns the resource overlapping it. */
    memset(&c, 0, sizeof c);
    ics_opts_init(&c.o, ny, NULL, at("2030-03-25T18:00:00Z"), at("2030-03-25T19:00:00Z"));
    assert_int_equal(caldav_query(&t, c.o.from, c.o.to, on_item, &c, err, sizeof err), 0);
    assert_int_equal(c.resources, 1);
    assert_int_equal(c.l.n, 1);
    assert_string_equal(c.l.v[0].summary, "Weekly team call (moved)");
    ics_list_free(&c.l);

    assert_int_equal(caldav_delete(&t, res2, &status, err, sizeof err), 0);
    assert_int_equal(caldav_delete(&t, res2, &status, err, sizeof err), 0);
    assert_int_equal(status, 404);

    caldav_response r;
    assert_int_equal(caldav_get(&t, res, NULL, NULL, &r, err, sizeof err), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "weekly-1@test"));
    assert_non_null(r.etag);
    caldav_response_free(&r);

    tz_zone_free(ny);
    free(ctag0);
    free(tok0);
    free(ctag1);
    free(tok1);
    free(etag);
    free(res);
    free(res2);
    free(ics);
    free(other);
}

static char *event_text(const char *uid, const char *summary, int day)
{
    char *s = malloc(512);
    assert_non_null(s);
    snprintf(s, 512,
             "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
             "UID:%s\r\nDTSTAMP:20300101T000000Z\r\nSUMMARY:%s\r\n"
             "DTSTART:203006%02dT150000Z\r\nDTEND:203006%02dT160000Z\r\n"
             "END:VEVENT\r\nEND:VCALENDAR\r\n",
             uid, summary, day, day);
    return s;
}

/* PUTs NAME into the collection; returns its malloc'ed ETag. */
static char *put_event(const caldav_target *t, const char *name, const char *summary, int day,
                       int create)
{
    char err[256], *etag = NULL;
    long status;
    char *url = caldav_resource_url(t, name);
    char *ics = event_text(name, summary, day);
    if (caldav_put(t, url, ics, NULL, create, &etag, &status, err, sizeof err) != 0)
        fail_msg("PUT %s: %s", name, err);
    free(url);
    free(ics);
    assert_non_null(etag);
    return etag;
}

/* The change for the resource whose href ends with NAME, or NULL. */
static const caldav_change *change_of(const caldav_changes *ch, const char *name)
{
    const caldav_change *hit = NULL;
    for (size_t i = 0; i < ch->n; i++) {
        size_t a = strlen(ch->v[i].href), b = strlen(name);
        if (a >= b && strcmp(ch->v[i].href + a - b, name) == 0) hit = &ch->v[i];
    }
    return hit;
}

typedef struct {
    char seen[512]; /* "name:summary;" per resource, "name:gone;" for 404 */
} multiget_log;

static int on_multiget(void *ctx, const char *href, const char *etag, const char *data, size_t len)
{
    multiget_log *m = ctx;
    const char *name = strrchr(href, '/');
    size_t n = strlen(m->seen);
    assert_non_null(name);
    if (!data) {
        snprintf(m->seen + n, sizeof m->seen - n, "%s:gone;", name + 1);
        return 0;
    }
    assert_non_null(etag);
    assert_int_equal(strlen(data), len);
    const char *sum = strstr(data, "SUMMARY:");
    assert_non_null(sum);
    snprintf(m->seen + n, sizeof m->seen - n, "%s:%.*s;", name + 1, (int)strcspn(sum + 8, "\r\n"),
             sum + 8);
    return 0;
}

static void sync_collection_reports_changes_and_multiget_fetches_them(void **state)
{
    (void)state;
    char url[256], err[256] = "";
    caldav_target t;
    target(&t, url, sizeof url, "sync", "secret");
    char *ea = put_event(&t, "a.ics", "A", 3, 1);
    char *eb = put_event(&t, "b.ics", "B", 4, 1);
    char *ec = put_event(&t, "c.ics", "C", 5, 1);
    char *ctag = NULL, *tok0 = NULL;
    assert_int_equal(caldav_markers(&t, &ctag, &tok0, err, sizeof err), 0);
    assert_non_null(tok0);

    /* From no token: every member, with the ETags the PUTs returned. */
    caldav_changes ch;
    assert_int_equal(caldav_sync_collection(&t, NULL, &ch, err, sizeof err), 0);
    assert_int_equal(ch.n, 3);
    assert_string_equal(change_of(&ch, "/a.ics")->etag, ea);
    assert_string_equal(change_of(&ch, "/c.ics")->etag, ec);
    assert_string_equal(ch.token, tok0);
    caldav_changes_free(&ch);

    /* Nothing changed since the token. */
    assert_int_equal(caldav_sync_collection(&t, tok0, &ch, err, sizeof err), 0);
    assert_int_equal(ch.n, 0);
    assert_string_equal(ch.token, tok0);
    caldav_changes_free(&ch);

    /* Add d, change a, delete c: exactly those three, b untouched. */
    char *ed = put_event(&t, "d.ics", "D", 6, 1);
    char *ea2 = put_event(&t, "a.ics", "A moved", 7, 0);
    long status;
    char *cu = caldav_resource_url(&t, "c.ics");
    assert_int_equal(caldav_delete(&t, cu, &status, err, sizeof err), 0);
    assert_int_equal(caldav_sync_collection(&t, tok0, &ch, err, sizeof err), 0);
    assert_int_equal(ch.n, 3);
    assert_null(change_of(&ch, "/b.ics"));
    assert_false(change_of(&ch, "/a.ics")->gone);
    assert_string_equal(change_of(&ch, "/a.ics")->etag, ea2);
    assert_string_equal(change_of(&ch, "/d.ics")->etag, ed);
    assert_true(change_of(&ch, "/c.ics")->gone);
    assert_null(change_of(&ch, "/c.ics")->etag);
    assert_string_not_equal(ch.token, tok0);

    /* Multiget of the three hrefs as reported: data for two, 404 for c. */
    const char *hrefs[3] = {change_of(&ch, "/a.ics")->href, change_of(&ch, "/d.ics")->href,
                            change_of(&ch, "/c.ics")->href};
    multiget_log m;
    memset(&m, 0, sizeof m);
    assert_int_equal(caldav_multiget(&t, hrefs, 3, on_multiget, &m, err, sizeof err), 0);
    assert_non_null(strstr(m.seen, "a.ics:A moved;"));
    assert_non_null(strstr(m.seen, "d.ics:D;"));
    assert_non_null(strstr(m.seen, "c.ics:gone;"));
    assert_null(strstr(m.seen, "b.ics"));

    /* The new token reports nothing more. */
    char *tok1 = strdup(ch.token);
    caldav_changes_free(&ch);
    assert_int_equal(caldav_sync_collection(&t, tok1, &ch, err, sizeof err), 0);
    assert_int_equal(ch.n, 0);
    caldav_changes_free(&ch);

    /* Unknown and malformed tokens are refused as such; bad credentials are
     * an ordinary error. */
    assert_int_equal(caldav_sync_collection(&t,
                                            "http://radicale.org/ns/sync/"
                                            "00000000000000000000000000000000"
                                            "00000000000000000000000000000000",
                                            &ch, err, sizeof err),
                     CALDAV_BAD_TOKEN);
    assert_int_equal(ch.n, 0);
    assert_null(ch.token);
    assert_int_equal(caldav_sync_collection(&t, "garbage<&>", &ch, err, sizeof err),
                     CALDAV_BAD_TOKEN);
    target(&t, url, sizeof url, "sync", "wrong");
    assert_int_equal(caldav_sync_collection(&t, tok1, &ch, err, sizeof err), -1);
    assert_non_null(strstr(err, "401"));
    const char *one[] = {"/ann/sync/a.ics"};
    assert_int_equal(caldav_multiget(&t, one, 1, on_multiget, &m, err, sizeof err), -1);

    free(cu);
    free(ctag);
    free(tok0);
    free(tok1);
    free(ea);
    free(ea2);
    free(eb);
    free(ec);
    free(ed);
}

static void wrong_password_and_missing_calendar_are_reported(void **state)
{
    (void)state;
    char url[256], err[256] = "";
    caldav_target t;
    char *ctag = NULL, *tok = NULL;
    target(&t, url, sizeof url, "work", "wrong");
    assert_int_equal(caldav_markers(&t, &ctag, &tok, err, sizeof err), -1);
    assert_non_null(strstr(err, "401"));
    assert_null(strstr(err, "wrong"));
    target(&t, url, sizeof url, "nope", "secret");
    assert_int_equal(caldav_query(&t, 0, 1, NULL, NULL, err, sizeof err), -1);
    assert_true(strstr(err, "404") || strstr(err, "HTTP"));
}

static void silent_server_times_out(void **state)
{
    (void)state;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s, 4), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
    char url[128], err[256] = "";
    snprintf(url, sizeof url, "http://127.0.0.1:%d/cal/", ntohs(a.sin_port));
    caldav_target t = {.url = url, .timeout_s = 1};
    caldav_response r;
    assert_int_equal(caldav_get(&t, NULL, NULL, NULL, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "timed out"));
    close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(put_query_markers_and_conditional_writes),
        cmocka_unit_test(sync_collection_reports_changes_and_multiget_fetches_them),
        cmocka_unit_test(wrong_password_and_missing_calendar_are_reported),
        cmocka_unit_test(silent_server_times_out),
    };
    if (caldav_global_init() != 0) return 1;
    return cmocka_run_group_tests(tests, start_radicale, stop_radicale);
}
