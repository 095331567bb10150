/* test_hostile.c — regression tests for the unbounded work that hostile input
 * could cause in the parsers (found while fuzzing; see fuzz/). Each case
 * failed, or ran for a minute, before its fix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cal/ics.h"
#include "core/geo.h"

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A convex N-gon around (0, 0) as GeoJSON; caller frees. */
static char *circle_geojson(size_t n)
{
    size_t cap = 64 + (n + 1) * 40, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    len += (size_t)snprintf(s + len, cap - len, "{\"type\":\"Polygon\",\"coordinates\":[[");
    for (size_t i = 0; i <= n; i++) {
        double a = 2 * M_PI * (double)(i % n) / (double)n;
        len += (size_t)snprintf(s + len, cap - len, "%s[%.7f,%.7f]", i ? "," : "", 10 * cos(a),
                                10 * sin(a));
    }
    snprintf(s + len, cap - len, "]]}");
    return s;
}

/* A 40,000-corner zone fits in a 1 MiB request body; its self-intersection
 * check was quadratic (16 s under ASan per request). Now it is refused at once. */
static void test_geo_refuses_huge_ring(void **state)
{
    (void)state;
    geo_polygon p = {0};
    char err[160] = "";
    char *big = circle_geojson(40000);
    assert_true(strlen(big) < 1024 * 1024);
    assert_int_equal(geo_polygon_parse(big, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "5000 positions"));
    assert_null(p.rings);
    free(big);

    char *ok = circle_geojson(4999); /* 4,999 corners + the closing position */
    assert_int_equal(geo_polygon_parse(ok, &p, err, sizeof err), 0);
    assert_int_equal(p.rings[0].n, 4999);
    assert_int_equal(geo_contains(&p, 0, 0), 1);
    assert_int_equal(geo_contains(&p, 0, 10.5), 0);
    geo_polygon_free(&p);
    free(ok);
}

/* A minutely event over a two-month window with 20,000 EXDATEs (500 KB): every
 * instance used to walk every EXDATE, about a minute of CPU per calendar. */
static void test_ics_many_exdates_are_cheap(void **state)
{
    (void)state;
    const size_t nex = 20000;
    size_t cap = 256 + nex * 32, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text + len, cap - len,
                            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
                            "UID:bomb\r\nDTSTART:20300601T000000Z\r\nDTEND:20300601T000030Z\r\n"
                            "RRULE:FREQ=MINUTELY\r\n");
    for (size_t i = 0; i < nex; i++) /* 00:00–00:09 of June 1–28 and July 1–28, repeated */
        len += (size_t)snprintf(text + len, cap - len, "EXDATE:2030%02zu%02zuT00%02zu00Z\r\n",
                                6 + i / 10 % 56 / 28, 1 + i / 10 % 28, i % 10);
    snprintf(text + len, cap - len, "END:VEVENT\r\nEND:VCALENDAR\r\n");

    tz_zone *ny = tz_zone_load("America/New_York");
    assert_non_null(ny);
    ics_opts o;
    ics_list l = {0};
    char err[256] = "";
    /* 2030-06-01T00:00Z .. 2030-08-01T00:00Z */
    ics_opts_init(&o, ny, NULL, 1906502400, 1906502400 + 61 * 86400);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(ics_parse(text, strlen(text), &o, &l, err, sizeof err), 0);
    double took = seconds_since(&t0);
    /* 61 days of minutes, minus the 10 excluded minutes on each of the 56
     * distinct excluded days (June 1–28 and July 1–28). */
    assert_int_equal(l.n, 61 * 1440 - 56 * 10);
    assert_true(took < 20.0);
    ics_list_free(&l);
    tz_zone_free(ny);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geo_refuses_huge_ring),
        cmocka_unit_test(test_ics_many_exdates_are_cheap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
