/* test_geo.c — GeoJSON validation, point-in-polygon (edges, vertices, notch,
 * holes), centroids, haversine and postal-code normalisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "core/geo.h"

/* A concave "U": x in [0,3], y in [0,3], with the notch x in (1,2), y in (1,3]. */
static const char *U_SHAPE = "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[3,0],[3,3],[2,3],"
                             "[2,1],[1,1],[1,3],[0,3],[0,0]]]}";

static void test_parse_and_contains_concave(void **state)
{
    (void)state;
    geo_polygon p;
    char err[128];
    assert_int_equal(geo_polygon_parse(U_SHAPE, &p, err, sizeof err), 0);
    assert_int_equal(p.nrings, 1);
    assert_int_equal(p.rings[0].n, 8);
    assert_int_equal(geo_contains(&p, 0.5, 0.5), 1); /* lat, lon */
    assert_int_equal(geo_contains(&p, 2.0, 1.5), 0); /* in the notch */
    assert_int_equal(geo_contains(&p, 2.0, 0.5), 1); /* left arm */
    assert_int_equal(geo_contains(&p, 0.0, 1.5), 1); /* on the bottom edge */
    assert_int_equal(geo_contains(&p, 3.0, 0.0), 1); /* vertex (0,3) */
    assert_int_equal(geo_contains(&p, 1.0, 1.5), 1); /* notch floor edge */
    assert_int_equal(geo_contains(&p, 2.0, 1.0), 1); /* notch wall edge */
    assert_int_equal(geo_contains(&p, 1.0, 2.0), 1); /* notch corner vertex */
    assert_int_equal(geo_contains(&p, -0.001, 1.0), 0);
    assert_int_equal(geo_contains(&p, 1.0, 3.001), 0);
    assert_int_equal(geo_contains(&p, NAN, 1.0), 0);
    geo_polygon_free(&p);
    geo_polygon_free(&p);
    geo_polygon_free(NULL);
}

static void test_hole(void **state)
{
    (void)state;
    geo_polygon p;
    char err[128];
    const char *js = "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10,0],[10,10],[0,10],[0,0]],"
                     "[[4,4],[6,4],[6,6],[4,6],[4,4]]]}";
    assert_int_equal(geo_polygon_parse(js, &p, err, sizeof err), 0);
    assert_int_equal(geo_contains(&p, 5, 5), 0);
    assert_int_equal(geo_contains(&p, 4, 5), 1); /* on the hole's edge */
    assert_int_equal(geo_contains(&p, 2, 2), 1);
    geo_polygon_free(&p);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    const char *bad[] = {
        "not json",
        "{\"type\":\"Point\",\"coordinates\":[0,0]}",
        "{\"type\":\"Polygon\"}",
        "{\"type\":\"Polygon\",\"coordinates\":[]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,\"a\"],[0,0]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[181,0],[1,1],[0,0]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,91],[0,0]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}", /* bow tie */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        geo_polygon p = {0};
        char err[128] = "";
        assert_int_equal(geo_polygon_parse(bad[i], &p, err, sizeof err), -1);
        assert_null(p.rings);
        assert_true(err[0] != '\0');
    }
}

static void test_distance(void **state)
{
    (void)state;
    /* London → Paris ≈ 343.5 km. */
    double d = geo_distance_km(51.5074, -0.1278, 48.8566, 2.3522);
    assert_true(d > 343.0 && d < 344.5);
    assert_true(geo_distance_km(10, 20, 10, 20) == 0.0);
    /* A quarter of a meridian ≈ 10,007.5 km. */
    d = geo_distance_km(0, 0, 90, 0);
    assert_true(d > 10007.0 && d < 10008.0);
}

/* The centre of a zone: area-weighted, either winding, holes ignored. */
static void test_centroid(void **state)
{
    (void)state;
    static const char *const cases[] = {
        /* the U: 9 × (1.5, 1.5) minus the notch 2 × (1.5, 2), over 7 */
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[3,0],[3,3],[2,3],[2,1],[1,1],[1,3],[0,3],["
        "0,0]]]}",
        /* a rectangle far from 0,0, clockwise, with a hole in a corner */
        "{\"type\":\"Polygon\",\"coordinates\":[[[-74,40],[-74,41],[-72,41],[-72,40],[-74,40]],"
        "[[-73.9,40.1],[-73.8,40.1],[-73.8,40.2],[-73.9,40.1]]]}",
    };
    const double want[][2] = {{1.5, 9.5 / 7}, {-73, 40.5}}; /* lon, lat */
    char err[160];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        geo_polygon p = {0};
        geo_point c;
        assert_int_equal(geo_polygon_parse(cases[i], &p, err, sizeof err), 0);
        assert_int_equal(geo_centroid(&p, &c), 0);
        assert_true(fabs(c.lon - want[i][0]) < 1e-9);
        assert_true(fabs(c.lat - want[i][1]) < 1e-9);
        geo_polygon_free(&p);
    }
    geo_point untouched = {1, 2};
    geo_polygon empty = {0};
    assert_int_equal(geo_centroid(&empty, &untouched), -1);
    assert_true(untouched.lon == 1 && untouched.lat == 2);
}

static void test_postal_norm(void **state)
{
    (void)state;
    char out[16];
    assert_string_equal(geo_postal_norm("sw1a 1aa", out, sizeof out), "SW1A1AA");
    assert_string_equal(geo_postal_norm("12345-6789", out, sizeof out), "123456789");
    assert_string_equal(geo_postal_norm("", out, sizeof out), "");
    assert_string_equal(geo_postal_norm(NULL, out, sizeof out), "");
    assert_string_equal(geo_postal_norm("abcdefgh", out, 4), "ABC");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_contains_concave),
        cmocka_unit_test(test_hole),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_centroid),
        cmocka_unit_test(test_postal_norm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
