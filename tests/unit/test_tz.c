/* test_tz.c — zone tables against known DST instants, wall-clock round trips,
 * civil dates and RFC 3339 parse/format (including rejected inputs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libical/ical.h>

#include "core/tz.h"

static tp_time utc(int y, int mo, int d, int h, int mi)
{
    return tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static int64_t wall(int y, int mo, int d, int h, int mi)
{
    return utc(y, mo, d, h, mi);
}

static void test_unknown_zone(void **state)
{
    (void)state;
    assert_null(tz_zone_load("Mars/Olympus_Mons"));
    assert_null(tz_zone_load(""));
    assert_null(tz_zone_load(NULL));
    tz_zone_free(NULL);
}

static void test_new_york_offsets(void **state)
{
    (void)state;
    tz_zone *z = tz_zone_load("America/New_York");
    assert_non_null(z);
    assert_string_equal(tz_zone_name(z), "America/New_York");
    /* 2030-03-10 02:00 EST → 03:00 EDT at 07:00Z; 2030-11-03 02:00 EDT → 01:00 EST at 06:00Z. */
    assert_int_equal(tz_offset_at(z, utc(2030, 3, 10, 7, 0) - 1), -5 * 3600);
    assert_int_equal(tz_offset_at(z, utc(2030, 3, 10, 7, 0)), -4 * 3600);
    assert_int_equal(tz_next_change(z, utc(2030, 1, 1, 0, 0)), utc(2030, 3, 10, 7, 0));
    assert_int_equal(tz_offset_at(z, utc(2030, 11, 3, 6, 0) - 1), -4 * 3600);
    assert_int_equal(tz_offset_at(z, utc(2030, 11, 3, 6, 0)), -5 * 3600);
    assert_int_equal(tz_offset_at(z, utc(1975, 7, 1, 0, 0)), -4 * 3600);
    assert_int_equal(tz_offset_at(z, utc(2099, 1, 1, 0, 0)), -5 * 3600);
    tz_zone_free(z);
}

static void test_local_to_utc_gap_and_overlap(void **state)
{
    (void)state;
    tz_zone *z = tz_zone_load("America/New_York");
    assert_non_null(z);
    /* Gap: 02:30 does not exist on 2030-03-10, read with EST → 03:30 EDT = 07:30Z. */
    assert_int_equal(tz_local_exists(z, wall(2030, 3, 10, 2, 30)), 0);
    assert_int_equal(tz_local_to_utc(z, wall(2030, 3, 10, 2, 30)), utc(2030, 3, 10, 7, 30));
    assert_int_equal(tz_local_exists(z, wall(2030, 3, 10, 3, 0)), 1);
    assert_int_equal(tz_local_to_utc(z, wall(2030, 3, 10, 3, 0)), utc(2030, 3, 10, 7, 0));
    assert_int_equal(tz_local_to_utc(z, wall(2030, 3, 10, 1, 59)), utc(2030, 3, 10, 6, 59));
    /* Overlap: 01:30 happens twice on 2030-11-03; the earlier (EDT) is returned. */
    assert_int_equal(tz_local_exists(z, wall(2030, 11, 3, 1, 30)), 1);
    assert_int_equal(tz_local_to_utc(z, wall(2030, 11, 3, 1, 30)), utc(2030, 11, 3, 5, 30));
    assert_int_equal(tz_local_to_utc(z, wall(2030, 11, 3, 2, 0)), utc(2030, 11, 3, 7, 0));
    tz_zone_free(z);
}

static void test_round_trips(void **state)
{
    (void)state;
    const char *names[] = {"America/New_York",
                           "Europe/Berlin",
                           "Australia/Lord_Howe",
                           "Asia/Kolkata",
                           "Pacific/Chatham",
                           "America/Sao_Paulo",
                           "UTC"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        tz_zone *z = tz_zone_load(names[k]);
        assert_non_null(z);
        for (tp_time t = utc(2029, 1, 1, 0, 0); t < utc(2031, 1, 1, 0, 0); t += 1800 + 7) {
            int64_t local = tz_utc_to_local(z, t);
            tp_time back = tz_local_to_utc(z, local);
            assert_true(tz_local_exists(z, local));
            /* The earlier instant of an ambiguous wall time may differ; both map to LOCAL. */
            assert_int_equal(tz_utc_to_local(z, back), local);
            assert_true(back <= t);
        }
        tz_zone_free(z);
    }
}

static void test_half_hour_and_odd_offsets(void **state)
{
    (void)state;
    tz_zone *lh = tz_zone_load("Australia/Lord_Howe");
    tz_zone *ch = tz_zone_load("Pacific/Chatham");
    tz_zone *in = tz_zone_load("Asia/Kolkata");
    assert_non_null(lh);
    assert_non_null(ch);
    assert_non_null(in);
    /* Lord Howe: +10:30 standard, +11:00 summer (30-minute DST). */
    assert_int_equal(tz_offset_at(lh, utc(2030, 7, 1, 0, 0)), 37800);
    assert_int_equal(tz_offset_at(lh, utc(2030, 1, 1, 0, 0)), 39600);
    assert_int_equal(tz_offset_at(ch, utc(2030, 7, 1, 0, 0)), 45900);
    assert_int_equal(tz_offset_at(ch, utc(2030, 1, 1, 0, 0)), 49500);
    assert_int_equal(tz_offset_at(in, utc(2030, 1, 1, 0, 0)), 19800);
    assert_int_equal(tz_next_change(in, utc(2030, 1, 1, 0, 0)), INT64_MAX);
    tz_zone_free(lh);
    tz_zone_free(ch);
    tz_zone_free(in);
}

static int ical_offset(icaltimezone *zone, tp_time t)
{
    struct icaltimetype tt =
        icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
    int dst = 0;
    return icaltimezone_get_utc_offset_of_utc_time(zone, &tt, &dst);
}

/* The table agrees with libical every 5 hours from 1970 to 2100, and at each
 * change the second before and the second of the change. */
static void test_table_matches_libical(void **state)
{
    (void)state;
    const char *names[] = {"America/New_York",
                           "Europe/Berlin",
                           "Australia/Lord_Howe",
                           "Asia/Kolkata",
                           "Pacific/Chatham",
                           "America/Sao_Paulo",
                           "UTC"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        tz_zone *z = tz_zone_load(names[k]);
        icaltimezone *ref = icaltimezone_get_builtin_timezone(names[k]);
        assert_non_null(z);
        assert_non_null(ref);
        for (tp_time t = 0; t < utc(2100, 1, 1, 0, 0); t += 5 * 3600)
            assert_int_equal(tz_offset_at(z, t), ical_offset(ref, t));
        for (tp_time t = tz_next_change(z, 0); t < utc(2100, 1, 1, 0, 0);
             t = tz_next_change(z, t)) {
            assert_int_equal(tz_offset_at(z, t), ical_offset(ref, t));
            assert_int_equal(tz_offset_at(z, t - 1), ical_offset(ref, t - 1));
            assert_true(ical_offset(ref, t) != ical_offset(ref, t - 1));
        }
        tz_zone_free(z);
    }
}

static void test_civil(void **state)
{
    (void)state;
    assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tz_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(tz_weekday(tz_days_from_civil(2030, 6, 3)), 0);   /* Monday */
    assert_int_equal(tz_weekday(tz_days_from_civil(1969, 12, 28)), 6); /* Sunday */
    for (int64_t d = -800000; d < 800000; d += 97) {
        int y, m, dd;
        tz_civil_from_days(d, &y, &m, &dd);
        assert_int_equal(tz_days_from_civil(y, m, dd), d);
    }
}

static void test_parse_rfc3339(void **state)
{
    (void)state;
    tp_time t = 0;
    assert_int_equal(tz_parse_rfc3339("2030-06-03T09:00:00-04:00", &t), 0);
    assert_int_equal(t, utc(2030, 6, 3, 13, 0));
    assert_int_equal(tz_parse_rfc3339("2030-06-03T13:00:00Z", &t), 0);
    assert_int_equal(t, utc(2030, 6, 3, 13, 0));
    assert_int_equal(tz_parse_rfc3339("2030-06-03T18:45:00.123+05:45", &t), 0);
    assert_int_equal(t, utc(2030, 6, 3, 13, 0));
    assert_int_equal(tz_parse_rfc3339("2028-02-29t00:00:00z", &t), 0);
    assert_int_equal(t, utc(2028, 2, 29, 0, 0));
    const char *bad[] = {"",
                         "2030-06-03",
                         "2030-06-03T09:00:00",
                         "2030-06-03 09:00:00Z",
                         "2030-13-03T09:00:00Z",
                         "2030-02-29T09:00:00Z",
                         "2030-06-31T09:00:00Z",
                         "2030-06-03T24:00:00Z",
                         "2030-06-03T09:60:00Z",
                         "2030-06-03T09:00:60Z",
                         "2030-06-03T09:00:00+0400",
                         "2030-06-03T09:00:00+24:00",
                         "2030-06-03T09:00:00.Z",
                         "2030-06-03T09:00:00Zjunk",
                         "20300603T090000Z",
                         "2030-6-3T09:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        t = 42;
        assert_int_equal(tz_parse_rfc3339(bad[i], &t), -1);
        assert_int_equal(t, 42);
    }
    assert_int_equal(tz_parse_rfc3339(NULL, &t), -1);
}

static void test_parse_date(void **state)
{
    (void)state;
    int64_t d = 0;
    assert_int_equal(tz_parse_date("2030-06-03", &d), 0);
    assert_int_equal(d, tz_days_from_civil(2030, 6, 3));
    assert_int_equal(tz_parse_date("2030-06-03T", &d), -1);
    assert_int_equal(tz_parse_date("2030-00-03", &d), -1);
    assert_int_equal(tz_parse_date("2100-02-29", &d), -1);
    assert_int_equal(tz_parse_date("2000-02-29", &d), 0);
}

static void test_format_rfc3339(void **state)
{
    (void)state;
    tz_zone *ny = tz_zone_load("America/New_York");
    tz_zone *u = tz_zone_load("UTC");
    tz_zone *ch = tz_zone_load("Pacific/Chatham");
    assert_non_null(ny);
    assert_non_null(u);
    assert_non_null(ch);
    char buf[26];
    assert_string_equal(tz_format_rfc3339(ny, utc(2030, 6, 3, 13, 0), buf, sizeof buf),
                        "2030-06-03T09:00:00-04:00");
    assert_string_equal(tz_format_rfc3339(u, utc(2030, 6, 3, 13, 0), buf, sizeof buf),
                        "2030-06-03T13:00:00+00:00");
    assert_string_equal(tz_format_rfc3339(ch, utc(2030, 6, 3, 13, 0), buf, sizeof buf),
                        "2030-06-04T01:45:00+12:45");
    tp_time back = 0;
    assert_int_equal(tz_parse_rfc3339(buf, &back), 0);
    assert_int_equal(back, utc(2030, 6, 3, 13, 0));
    tz_zone_free(ny);
    tz_zone_free(u);
    tz_zone_free(ch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_zone),
        cmocka_unit_test(test_new_york_offsets),
        cmocka_unit_test(test_local_to_utc_gap_and_overlap),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_half_hour_and_odd_offsets),
        cmocka_unit_test(test_table_matches_libical),
        cmocka_unit_test(test_civil),
        cmocka_unit_test(test_parse_rfc3339),
        cmocka_unit_test(test_parse_date),
        cmocka_unit_test(test_format_rfc3339),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
