/* test_ical.c — iCalendar parsing into busy instances (src/cal/ics.c) on the
 * data files of tests/fixtures/ical/: recurrence, zones across DST, free events,
 * malformed and runaway input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cal/ics.h"
#include "fixture_file.h"

static char *slurp(const char *name, size_t *len)
{
    char rel[256];
    snprintf(rel, sizeof rel, "ical/%s", name);
    char *text = fixture_slurp(rel, len);
    assert_non_null(text);
    return text;
}

static tp_time at(const char *rfc3339)
{
    tp_time t = 0;
    assert_int_equal(tz_parse_rfc3339(rfc3339, &t), 0);
    return t;
}

/* Parses NAME for Ann (America/New_York) over March–mid-April 2030. */
static int parse_file(const char *name, ics_list *out, char *err, size_t errlen, size_t max_steps)
{
    tz_zone *ny = tz_zone_load("America/New_York");
    assert_non_null(ny);
    ics_opts o;
    ics_opts_init(&o, ny, "ann@example.com", at("2030-03-01T00:00:00Z"),
                  at("2030-04-15T00:00:00Z"));
    if (max_steps) o.max_steps = max_steps;
    size_t len;
    char *text = slurp(name, &len);
    int rc = ics_parse(text, len, &o, out, err, errlen);
    free(text);
    ics_list_sort(out);
    tz_zone_free(ny);
    return rc;
}

static void expect(const ics_list *l, size_t i, const char *start, const char *end,
                   const char *summary)
{
    assert_true(i < l->n);
    assert_int_equal(l->v[i].start, at(start));
    assert_int_equal(l->v[i].end, at(end));
    assert_string_equal(l->v[i].summary, summary);
}

static void recurring_with_exdate_and_override_across_us_dst(void **state)
{
    (void)state;
    ics_list l = {0};
    char err[256] = "";
    assert_int_equal(parse_file("recurring_ny.ics", &l, err, sizeof err, 0), 0);
    assert_int_equal(l.n, 5);
    expect(&l, 0, "2030-03-04T10:00:00-05:00", "2030-03-04T11:00:00-05:00", "Weekly team call");
    expect(&l, 1, "2030-03-11T10:00:00-04:00", "2030-03-11T11:00:00-04:00", "Weekly team call");
    /* 03-18 is an EXDATE; 03-25 is moved to the afternoon. */
    expect(&l, 2, "2030-03-25T14:00:00-04:00", "2030-03-25T15:00:00-04:00",
           "Weekly team call (moved)");
    expect(&l, 3, "2030-04-01T10:00:00-04:00", "2030-04-01T11:00:00-04:00", "Weekly team call");
    expect(&l, 4, "2030-04-08T10:00:00-04:00", "2030-04-08T11:00:00-04:00", "Weekly team call");
    assert_string_equal(l.v[0].uid, "weekly-1@test");
    assert_int_equal(l.events, 2);
    ics_list_free(&l);
}

static void vtimezone_in_data_across_eu_dst(void **state)
{
    (void)state;
    ics_list l = {0};
    char err[256] = "";
    assert_int_equal(parse_file("berlin_vtimezone.ics", &l, err, sizeof err, 0), 0);
    assert_int_equal(l.n, 4);
    expect(&l, 0, "2030-03-30T09:00:00+01:00", "2030-03-30T10:00:00+01:00", "Morning site visit");
    expect(&l, 1, "2030-03-31T09:00:00+02:00", "2030-03-31T10:00:00+02:00", "Morning site visit");
    expect(&l, 2, "2030-04-01T09:00:00+02:00", "2030-04-01T10:00:00+02:00", "Morning site visit");
    expect(&l, 3, "2030-04-01T12:00:00+02:00", "2030-04-01T12:30:00+02:00", "Prefixed zone");
    ics_list_free(&l);
}

static void all_day_floating_and_utc_in_owner_zone(void **state)
{
    (void)state;
    ics_list l = {0};
    char err[256] = "";
    assert_int_equal(parse_file("allday_floating.ics", &l, err, sizeof err, 0), 0);
    assert_int_equal(l.n, 4);
    /* The DST day in New York is 23 hours long. */
    expect(&l, 0, "2030-03-10T00:00:00-05:00", "2030-03-11T00:00:00-04:00", "Vacation day");
    expect(&l, 1, "2030-03-12T09:00:00-04:00", "2030-03-12T09:30:00-04:00", "Dentist");
    expect(&l, 2, "2030-03-13T22:00:00Z", "2030-03-14T01:30:00Z", "Flight");
    expect(&l, 3, "2030-03-20T00:00:00-04:00", "2030-03-22T00:00:00-04:00", "Conference");
    ics_list_free(&l);
}

static void transparent_cancelled_and_declined_are_free(void **state)
{
    (void)state;
    ics_list l = {0};
    char err[256] = "";
    assert_int_equal(parse_file("free_events.ics", &l, err, sizeof err, 0), 0);
    assert_int_equal(l.n, 4);
    expect(&l, 0, "2030-03-06T17:00:00Z", "2030-03-06T18:00:00Z", "Planning");
    /* Daily ×3 from 03-07 minus the cancelled 03-08 instance, plus an RDATE. */
    expect(&l, 1, "2030-03-07T14:00:00Z", "2030-03-07T14:15:00Z", "Standup");
    expect(&l, 2, "2030-03-09T14:00:00Z", "2030-03-09T14:15:00Z", "Standup");
    expect(&l, 3, "2030-03-12T14:00:00Z", "2030-03-12T14:15:00Z", "Standup");
    ics_list_free(&l);
}

static void endless_rule_from_long_ago_yields_only_the_window(void **state)
{
    (void)state;
    ics_list l = {0};
    char err[256] = "";
    assert_int_equal(parse_file("endless.ics", &l, err, sizeof err, 2000), 0);
    /* Mondays and Wednesdays from 2030-03-04 to 2030-04-10: 12 instances. */
    assert_int_equal(l.n, 12);
    expect(&l, 0, "2030-03-04T07:00:00-05:00", "2030-03-04T08:00:00-05:00", "Gym");
    expect(&l, 1, "2030-03-06T07:00:00-05:00", "2030-03-06T08:00:00-05:00", "Gym");
    expect(&l, 2, "2030-03-11T07:00:00-04:00", "2030-03-11T08:00:00-04:00", "Gym");
    expect(&l, 11, "2030-04-10T07:00:00-04:00", "2030-04-10T08:00:00-04:00", "Gym");
    ics_list_free(&l);
}

static void runaway_rule_is_an_error_not_a_hang(void **state)
{
    (void)state;
    ics_list l = {0};
    char err[256] = "";
    assert_int_equal(parse_file("runaway.ics", &l, err, sizeof err, 0), -1);
    assert_non_null(strstr(err, "every-second@test"));
    assert_non_null(strstr(err, "steps"));
    ics_list_free(&l);
}

static void malformed_event_names_the_event(void **state)
{
    (void)state;
    ics_list l = {0};
    char err[256] = "";
    assert_int_equal(parse_file("malformed.ics", &l, err, sizeof err, 0), -1);
    assert_non_null(strstr(err, "broken@test"));
    assert_non_null(strstr(err, "DTSTART"));
    ics_list_free(&l);
}

static void garbage_and_limits_are_errors(void **state)
{
    (void)state;
    tz_zone *utc = tz_zone_load("UTC");
    ics_opts o;
    ics_list l = {0};
    char err[256] = "";
    const char *junk = "<html>not a calendar</html>";
    ics_opts_init(&o, utc, NULL, 0, at("2040-01-01T00:00:00Z"));
    assert_int_equal(ics_parse(junk, strlen(junk), &o, &l, err, sizeof err), -1);
    assert_true(strlen(err) > 0);
    assert_int_equal(ics_parse("", 0, &o, &l, err, sizeof err), -1);

    size_t len;
    char *text = slurp("recurring_ny.ics", &len);
    o.max_bytes = len - 1;
    assert_int_equal(ics_parse(text, len, &o, &l, err, sizeof err), -1);
    assert_non_null(strstr(err, "larger"));
    ics_opts_init(&o, utc, NULL, 0, at("2040-01-01T00:00:00Z"));
    o.max_instances = 3;
    assert_int_equal(ics_parse(text, len, &o, &l, err, sizeof err), -1);
    assert_non_null(strstr(err, "instances"));
    ics_list_free(&l);
    ics_opts_init(&o, utc, NULL, 0, at("2040-01-01T00:00:00Z"));
    o.max_events = 1;
    assert_int_equal(ics_parse(text, len, &o, &l, err, sizeof err), -1);
    assert_non_null(strstr(err, "events"));
    free(text);
    ics_list_free(&l);
    tz_zone_free(utc);
}

static void window_edges_clip_nothing_and_keep_overlaps(void **state)
{
    (void)state;
    tz_zone *utc = tz_zone_load("UTC");
    ics_opts o;
    ics_list l = {0};
    char err[256] = "";
    size_t len;
    char *text = slurp("allday_floating.ics", &len);
    /* Only the flight overlaps [2030-03-14T00:00Z, 2030-03-14T01:00Z). */
    ics_opts_init(&o, utc, NULL, at("2030-03-14T00:00:00Z"), at("2030-03-14T01:00:00Z"));
    assert_int_equal(ics_parse(text, len, &o, &l, err, sizeof err), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].uid, "utc@test");
    assert_int_equal(l.v[0].start, at("2030-03-13T22:00:00Z"));
    free(text);
    ics_list_free(&l);
    tz_zone_free(utc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recurring_with_exdate_and_override_across_us_dst),
        cmocka_unit_test(vtimezone_in_data_across_eu_dst),
        cmocka_unit_test(all_day_floating_and_utc_in_owner_zone),
        cmocka_unit_test(transparent_cancelled_and_declined_are_free),
        cmocka_unit_test(endless_rule_from_long_ago_yields_only_the_window),
        cmocka_unit_test(runaway_rule_is_an_error_not_a_hang),
        cmocka_unit_test(malformed_event_names_the_event),
        cmocka_unit_test(garbage_and_limits_are_errors),
        cmocka_unit_test(window_edges_clip_nothing_and_keep_overlaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
