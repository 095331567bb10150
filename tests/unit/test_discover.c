/* test_discover.c — reading a calendar home's listing (src/cal/discover.c)
 * and resolving hrefs (src/cal/davurl.c) without a network: relative and
 * absolute hrefs, any namespace prefix, percent-encoding, what is and is not
 * a calendar that takes events, bounds, and unreadable replies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cal/davurl.h"
#include "cal/discover.h"

#define HOME "https://dav.example.com/dav/calendars/ann/"

static void resolve_is(const char *base, const char *ref, const char *want)
{
    char *got = davurl_resolve(base, ref);
    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void hrefs_resolve_against_the_request(void **state)
{
    (void)state;
    resolve_is(HOME, "work/", HOME "work/");
    resolve_is(HOME, "./", HOME);
    resolve_is(HOME, "/dav/principals/ann/", "https://dav.example.com/dav/principals/ann/");
    resolve_is(HOME, "https://p42-dav.example.com:443/1/calendars/",
               "https://p42-dav.example.com:443/1/calendars/");
    resolve_is(HOME, "//other.example.com/x/", "https://other.example.com/x/");
    resolve_is(HOME, "team shoots/", HOME "team%20shoots/");
    resolve_is(HOME, "caf\xc3\xa9/", HOME "caf%C3%A9/");
    resolve_is(HOME, "https://ann:secret@dav.example.com/x/#frag", "https://dav.example.com/x/");
    resolve_is(HOME, "mailto:ann@example.com", NULL);
    resolve_is(HOME, "ftp://dav.example.com/", NULL);
}

static void one_resource_many_spellings(void **state)
{
    (void)state;
    assert_true(davurl_same_resource(HOME, "https://DAV.example.com:443/dav/calendars/%61nn"));
    assert_false(davurl_same_resource(HOME, "https://dav.example.com:8443/dav/calendars/ann/"));
    assert_false(davurl_same_resource(HOME, HOME "work/"));
    char *up = davurl_no_downgrade("https://dav.example.com/.well-known/caldav",
                                   "http://dav.example.com/remote.php/dav/");
    assert_string_equal(up, "https://dav.example.com/remote.php/dav/");
    free(up);
    up = davurl_no_downgrade("https://a.example.com/", "http://b.example.com/dav/");
    assert_string_equal(up, "http://b.example.com/dav/");
    free(up);
}

/* A home listing with relative hrefs and prefixes unlike Tripod's. */
static const char LISTING[] =
    "<?xml version=\"1.0\"?>\n"
    "<multistatus xmlns=\"DAV:\" xmlns:K=\"urn:ietf:params:xml:ns:caldav\""
    " xmlns:C2=\"urn:ietf:params:xml:ns:carddav\" xmlns:Q=\"http://calendarserver.org/ns/\""
    " xmlns:ic=\"http://apple.com/ns/ical/\">"
    "<response><href>./</href><propstat><prop><resourcetype><collection/></resourcetype></prop>"
    "<status>HTTP/1.1 200 OK</status></propstat></response>"
    /* events and tasks, writable, with a color */
    "<response><href>work/</href><propstat><prop>"
    "<resourcetype><collection/><K:calendar/></resourcetype><displayname> Work\n</displayname>"
    "<K:supported-calendar-component-set><K:comp name=\"VEVENT\"/><K:comp name=\"VTODO\"/>"
    "</K:supported-calendar-component-set>"
    "<current-user-privilege-set><privilege><read/></privilege><privilege><all/></privilege>"
    "</current-user-privilege-set><ic:calendar-color>#12AB34FF</ic:calendar-color>"
    "</prop><status>HTTP/1.1 200 OK</status></propstat></response>"
    /* tasks only */
    "<response><href>todo/</href><propstat><prop>"
    "<resourcetype><collection/><K:calendar/></resourcetype><displayname>Todo</displayname>"
    "<K:supported-calendar-component-set><K:comp name=\"VTODO\"/>"
    "</K:supported-calendar-component-set></prop><status>HTTP/1.1 200 OK</status></propstat>"
    "</response>"
    /* read only, absolute href, encoded; its displayname is in a 404 propstat */
    "<response><href>https://dav.example.com/dav/calendars/ann/team%20shoots/</href>"
    "<propstat><prop><resourcetype><collection/><K:calendar/></resourcetype>"
    "<current-user-privilege-set><privilege><read/></privilege>"
    "<privilege><write-properties/></privilege></current-user-privilege-set>"
    "<ic:calendar-color>blue</ic:calendar-color>"
    "</prop><status>HTTP/1.1 200 OK</status></propstat>"
    "<propstat><prop><displayname>Hidden</displayname></prop>"
    "<status>HTTP/1.1 404 Not Found</status></propstat></response>"
    /* the same calendar spelt differently: not listed twice */
    "<response><href>/dav/calendars/ann/team%20shoots</href><propstat><prop>"
    "<resourcetype><collection/><K:calendar/></resourcetype></prop>"
    "<status>HTTP/1.1 200 OK</status></propstat></response>"
    /* not calendars */
    "<response><href>inbox/</href><propstat><prop><resourcetype><collection/>"
    "<K:schedule-inbox/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat>"
    "</response>"
    "<response><href>outbox/</href><propstat><prop><resourcetype><collection/>"
    "<K:schedule-outbox/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat>"
    "</response>"
    "<response><href>contacts/</href><propstat><prop><resourcetype><collection/>"
    "<C2:addressbook/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat>"
    "</response>"
    "<response><href>holidays/</href><propstat><prop><resourcetype><collection/>"
    "<Q:subscribed/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat>"
    "</response>"
    /* a calendar element in the wrong namespace is no calendar */
    "<response><href>fake/</href><propstat><prop><resourcetype><collection/>"
    "<calendar/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat></response>"
    /* unreadable hrefs are skipped */
    "<response><href>mailto:x@example.com</href></response><response/>"
    "</multistatus>";

static void listing_keeps_event_calendars(void **state)
{
    (void)state;
    discover_list l;
    discover_error e;
    memset(&l, 0, sizeof l);
    assert_int_equal(discover_read_listing(LISTING, strlen(LISTING), HOME, HOME, &l, &e),
                     DISCOVER_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].url, HOME "work/");
    assert_string_equal(l.v[0].name, "Work");
    assert_string_equal(l.v[0].color, "#12AB34");
    assert_int_equal(l.v[0].can_write, 1);
    assert_string_equal(l.v[1].url, HOME "team%20shoots/");
    assert_string_equal(l.v[1].name, "team shoots"); /* the decoded path segment */
    assert_null(l.v[1].color);
    assert_int_equal(l.v[1].can_write, 0);
    discover_list_free(&l);
    assert_int_equal(l.n, 0);
}

static void listing_names_are_utf8(void **state)
{
    (void)state;
    static const char body[] =
        "<d:multistatus xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">"
        "<d:response><d:href>caf%C3%A9/</d:href><d:propstat><d:prop><d:resourcetype>"
        "<c:calendar/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status>"
        "</d:propstat></d:response>"
        "<d:response><d:href>bad%FF%FE/</d:href><d:propstat><d:prop><d:resourcetype>"
        "<c:calendar/></d:resourcetype><d:displayname></d:displayname></d:prop>"
        "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>";
    discover_list l;
    discover_error e;
    memset(&l, 0, sizeof l);
    assert_int_equal(discover_read_listing(body, strlen(body), HOME, HOME, &l, &e), DISCOVER_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].name, "caf\xc3\xa9");
    assert_int_equal(l.v[0].can_write, -1);
    assert_string_equal(l.v[1].name, "bad%FF%FE"); /* not UTF-8 once decoded: kept encoded */
    discover_list_free(&l);
}

static void listing_is_bounded(void **state)
{
    (void)state;
    size_t cap = 300 * 220 + 200, n = 0;
    char *body = malloc(cap);
    assert_non_null(body);
    n += (size_t)snprintf(body + n, cap - n,
                          "<multistatus xmlns=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(body + n, cap - n,
                              "<response><href>c%d/</href><propstat><prop><resourcetype>"
                              "<c:calendar/></resourcetype></prop><status>HTTP/1.1 200 OK"
                              "</status></propstat></response>",
                              i);
    n += (size_t)snprintf(body + n, cap - n, "</multistatus>");
    discover_list l;
    discover_error e;
    memset(&l, 0, sizeof l);
    assert_int_equal(discover_read_listing(body, n, HOME, HOME, &l, &e), DISCOVER_OK);
    assert_int_equal(l.n, 200);
    discover_list_free(&l);
    free(body);
}

static void unreadable_replies_are_errors(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/x/</d:hre",
        "<multistatus/>", /* no DAV: namespace */
        "<d:error xmlns:d=\"DAV:\"/>",
        "<!DOCTYPE m [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
        "<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>&e;</d:href></d:response>"
        "</d:multistatus>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        discover_list l;
        discover_error e;
        memset(&l, 0, sizeof l);
        discover_status st = discover_read_listing(bad[i], strlen(bad[i]), HOME, HOME, &l, &e);
        if (i < 4) {
            assert_int_equal(st, DISCOVER_FAILED);
            assert_string_equal(e.step, "calendars");
            assert_non_null(strstr(e.message, "unreadable reply"));
        }
        assert_int_equal(l.n, 0); /* an external entity is never loaded */
        discover_list_free(&l);
    }
}

static void bad_addresses_are_refused_before_any_request(void **state)
{
    (void)state;
    static const char *bad[] = {"", "   ", "ftp://dav.example.com/",
                                "https://ann:pw@dav.example.com/", "https://"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        discover_request q = {.url = bad[i], .username = "ann", .password = "pw"};
        discover_list l;
        discover_error e;
        assert_int_equal(discover_run(&q, &l, &e), DISCOVER_BAD_URL);
        assert_string_equal(e.step, "address");
        assert_null(strstr(e.message, "pw@"));
        assert_int_equal(l.n, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hrefs_resolve_against_the_request),
        cmocka_unit_test(one_resource_many_spellings),
        cmocka_unit_test(listing_keeps_event_calendars),
        cmocka_unit_test(listing_names_are_utf8),
        cmocka_unit_test(listing_is_bounded),
        cmocka_unit_test(unreadable_replies_are_errors),
        cmocka_unit_test(bad_addresses_are_refused_before_any_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
