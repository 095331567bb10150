/* test_avail_window.c — shoot windows in the engine: local hours (also on a
 * DST day), twilight around the property's sunset, several items' windows at
 * once, polar days, the solar place's fallback, and free_at/explain. */
#include "avail_fixture.h"
#include "core/solar.h"

#define NY(h, m) fx_local(f->ny, 2030, 6, 3, h, m)
#define NYC_LAT 40.7128
#define NYC_LON -74.0060

static avail_window local(int from_h, int to_h)
{
    return (avail_window){.kind = AVAIL_WINDOW_LOCAL, .from_min = from_h * 60, .to_min = to_h * 60};
}

static avail_window twilight(int before, int after)
{
    return (avail_window){.kind = AVAIL_WINDOW_SUNSET, .before_min = before, .after_min = after};
}

/* Evening hours in New York and a 60-min twilight item at a Manhattan address. */
static void twilight_setup(fixture *f)
{
    fx_week(&f->rules.default_hours, 9 * 60, 23 * 60);
    f->q.nitems = 1;
    f->items[0].window = twilight(60, 30);
    f->prop.lat = NYC_LAT;
    f->prop.lon = NYC_LON;
}

static tp_time nyc_sunset(fixture *f)
{
    tp_time t;
    assert_int_equal(
        solar_event_on(SOLAR_SUNSET, f->ny, tz_days_from_civil(2030, 6, 3), NYC_LAT, NYC_LON, &t),
        SOLAR_OK);
    return t;
}

static void test_local_window_bounds_the_shoot_not_the_buffer(void **state)
{
    fixture *f = *state;
    f->items[1].window = local(9, 12);
    fx_compute(f, AVAIL_OK);
    /* 120-min shoot inside 09:00–12:00, buffered shoot inside 09:00–17:00. */
    tp_time want[] = {NY(9, 30), NY(10, 0)};
    fx_assert_starts(f, want, 2);
    /* 10:00–12:00: the buffer before 10:00 lies outside the window, which is fine. */
    f->items[1].window = local(10, 12);
    fx_compute(f, AVAIL_OK);
    fx_assert_starts(f, (tp_time[]){NY(10, 0)}, 1);
}

static void test_local_window_on_fall_back_day(void **state)
{
    fixture *f = *state;
    fx_week(&f->rules.default_hours, 0, 1440);
    f->rules.buffer_min = 0;
    f->q.nitems = 1;
    f->items[0].window = local(1, 2);
    f->q.now = fx_utc(2030, 11, 1, 0, 0);
    fx_window(f, 2030, 11, 3);
    fx_compute(f, AVAIL_OK);
    /* 01:00–02:00 happens twice, back to back (EDT, then EST): two hours of
     * wall-clock 01:xx, so a 60-min shoot fits from 01:00 EDT to 01:00 EST. */
    tp_time want[] = {fx_utc(2030, 11, 3, 5, 0), fx_utc(2030, 11, 3, 5, 30),
                      fx_utc(2030, 11, 3, 6, 0)};
    fx_assert_starts(f, want, 3);
}

static void test_twilight_around_sunset(void **state)
{
    fixture *f = *state;
    twilight_setup(f);
    tp_time sunset = nyc_sunset(f);
    /* New York's sunset on 3 June is about 20:24 EDT. */
    assert_true(sunset > NY(20, 15) && sunset < NY(20, 35));
    fx_compute(f, AVAIL_OK);
    assert_true(f->r.nslots >= 1);
    /* Exactly the 30-min steps s with sunset − 60 ≤ s and s + 60 ≤ sunset + 30. */
    size_t n = 0;
    for (tp_time s = NY(9, 30); s <= NY(21, 0); s += 1800) {
        int inside = s >= sunset - 3600 && s + 3600 <= sunset + 1800;
        assert_int_equal(fx_offered(f, s), inside);
        n += (size_t)inside;
    }
    assert_int_equal(f->r.nslots, n);
}

static void test_windows_intersect(void **state)
{
    fixture *f = *state;
    twilight_setup(f);
    f->q.nitems = 2; /* a 120-min shoot */
    f->items[0].window = twilight(120, 30);
    fx_compute(f, AVAIL_OK);           /* room for it on its own */
    f->items[1].window = local(9, 17); /* daylight interiors and a twilight shoot */
    fx_compute(f, AVAIL_NO_WINDOW);
    assert_int_equal(f->r.bad_item, 1);
    assert_int_equal(f->r.nslots, 0);
    f->items[0].window = local(9, 17);
    f->items[1].window = twilight(120, 30);
    fx_compute(f, AVAIL_NO_WINDOW);
    assert_int_equal(f->r.bad_item, 1); /* the item that made it impossible */
    /* Windows that overlap: the 120-min shoot must fit both. */
    tp_time sunset = nyc_sunset(f);
    f->items[0].window = local(18, 22);
    f->items[1].window = twilight(120, 30);
    fx_compute(f, AVAIL_OK);
    assert_true(f->r.nslots >= 1);
    for (size_t i = 0; i < f->r.nslots; i++) {
        tp_time s = f->r.slots[i].start;
        assert_true(s >= NY(18, 0) && s + 7200 <= NY(22, 0));
        assert_true(s >= sunset - 7200 && s + 7200 <= sunset + 1800);
    }
}

static void test_no_sunset_in_polar_summer(void **state)
{
    fixture *f = *state;
    f->rules.tz = f->berlin;
    fx_week(&f->rules.default_hours, 0, 1440);
    f->q.nitems = 1;
    f->items[0].window = twilight(60, 30);
    f->prop.lat = 69.6492; /* Tromsø: midnight sun */
    f->prop.lon = 18.9553;
    fx_window(f, 2030, 6, 21);
    fx_compute(f, AVAIL_NO_WINDOW);
    assert_int_equal(f->r.bad_item, 0);
    /* In September the sun sets again: twilight slots exist. */
    f->q.now = fx_utc(2030, 9, 1, 0, 0);
    fx_window(f, 2030, 9, 21);
    fx_compute(f, AVAIL_OK);
    assert_true(f->r.nslots >= 1);
    /* December: polar night, no sunrise either. */
    f->items[0].window =
        (avail_window){.kind = AVAIL_WINDOW_SUNRISE, .before_min = 30, .after_min = 90};
    f->q.now = fx_utc(2030, 12, 1, 0, 0);
    fx_window(f, 2030, 12, 21);
    fx_compute(f, AVAIL_NO_WINDOW);
}

static void test_solar_place_and_fallback(void **state)
{
    fixture *f = *state;
    twilight_setup(f);
    f->prop.lat = f->prop.lon = NAN;
    f->q.nitems = 2;
    f->items[0].window = twilight(120, 30);
    fx_compute(f, AVAIL_NO_PLACE);
    assert_int_equal(f->r.bad_item, 0);
    /* The caller's fallback (the zone's centre, the business's place) is used. */
    geo_point centre = {NYC_LON, NYC_LAT};
    f->prop.sun_place = &centre;
    fx_compute(f, AVAIL_OK);
    tp_time with_fallback = f->r.slots[0].start;
    assert_true(with_fallback > NY(18, 0));
    /* The property's own point wins over the fallback: Los Angeles sets 3 h later. */
    geo_point far = {-118.24, 34.05};
    f->prop.sun_place = &far;
    f->prop.lat = NYC_LAT;
    f->prop.lon = NYC_LON;
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.slots[0].start, with_fallback);
    /* A local window needs no place. */
    f->prop.lat = f->prop.lon = NAN;
    f->prop.sun_place = NULL;
    f->items[0].window = local(9, 17);
    fx_compute(f, AVAIL_OK);
}

static void test_free_at_and_explain(void **state)
{
    fixture *f = *state;
    twilight_setup(f);
    tp_time sunset = nyc_sunset(f);
    fx_compute(f, AVAIL_OK);
    tp_time inside = f->r.slots[0].start;
    uint32_t out[2];
    avail_reason rs[4];
    assert_int_equal(avail_free_at(&f->q, inside, out, 2), 1);
    assert_int_equal(avail_explain(&f->q, 0, inside, rs, 4), 0);
    /* 15:00: inside working hours, outside the twilight window. */
    assert_int_equal(avail_free_at(&f->q, NY(15, 0), out, 2), 0);
    assert_int_equal(avail_explain(&f->q, 0, NY(15, 0), rs, 4), 1);
    assert_int_equal(rs[0].why, AVAIL_WHY_OUTSIDE_ITEM_WINDOW);
    assert_string_equal(avail_why_code(rs[0].why), "outside_item_window");
    assert_int_equal(rs[0].ref, 0);
    assert_int_equal(rs[0].start, sunset - 3600);
    assert_int_equal(rs[0].end, sunset + 1800);
    /* Without a place: every start is refused for that reason. */
    f->prop.lat = f->prop.lon = NAN;
    assert_int_equal(avail_free_at(&f->q, inside, out, 2), 0);
    assert_int_equal(avail_explain(&f->q, 0, inside, rs, 4), 1);
    assert_int_equal(rs[0].why, AVAIL_WHY_NO_PLACE);
    /* A local window's reason carries that day's local hours. */
    f->items[0].window = local(9, 12);
    assert_int_equal(avail_explain(&f->q, 0, NY(15, 0), rs, 4), 1);
    assert_int_equal(rs[0].start, NY(9, 0));
    assert_int_equal(rs[0].end, NY(12, 0));
}

static void test_invalid_windows_allow_nothing(void **state)
{
    fixture *f = *state;
    twilight_setup(f);
    f->items[0].window = twilight(601, 30);
    fx_compute(f, AVAIL_NO_WINDOW);
    f->items[0].window = twilight(30, -30); /* ends before it starts */
    fx_compute(f, AVAIL_NO_WINDOW);
    f->items[0].window = local(12, 12);
    fx_compute(f, AVAIL_NO_WINDOW);
    /* A negative before: the shoot starts after sunset (blue hour). */
    f->items[0].window = twilight(-10, 120);
    fx_compute(f, AVAIL_OK);
    tp_time sunset = nyc_sunset(f);
    for (size_t i = 0; i < f->r.nslots; i++)
        assert_true(f->r.slots[i].start >= sunset + 600);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_local_window_bounds_the_shoot_not_the_buffer),
        T(test_local_window_on_fall_back_day),
        T(test_twilight_around_sunset),
        T(test_windows_intersect),
        T(test_no_sunset_in_polar_summer),
        T(test_solar_place_and_fallback),
        T(test_free_at_and_explain),
        T(test_invalid_windows_allow_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
