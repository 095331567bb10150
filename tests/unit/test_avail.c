/* test_avail.c — avail_compute rule by rule: the seed's example, busy edges,
 * DST days, notice/horizon edges, zones, postal codes, skills, exceptions,
 * default hours and the travel-aware buffer. */
#include "avail_fixture.h"

#define NY(h, m) fx_local(f->ny, 2030, 6, 3, h, m)

static void test_seed_example(void **state)
{
    fixture *f = *state;
    fx_compute(f, AVAIL_OK);
    /* 2 h shoot + 30 min either side inside 09:00–17:00: 09:30 … 14:30. */
    assert_int_equal(f->r.duration_min, 120);
    assert_int_equal(f->r.crew, 1);
    assert_int_equal(f->r.nslots, 11);
    assert_int_equal(f->r.slots[0].start, NY(9, 30));
    assert_int_equal(f->r.slots[0].end, NY(11, 30));
    assert_int_equal(f->r.slots[10].start, NY(14, 30));
    assert_int_equal(f->r.npairs, 11);
    assert_int_equal(f->r.pairs[3].staff, 0);
    assert_int_equal(f->r.pairs[3].start, NY(11, 0));

    avail_busy b = {NY(10, 0), NY(11, 0), "Dentist", NAN, NAN, 0};
    f->staff[0].busy = &b;
    f->staff[0].nbusy = 1;
    fx_compute(f, AVAIL_OK);
    /* [s−30, s+150) must miss 10:00–11:00: s ≥ 11:30 (and s ≤ 07:30). */
    tp_time want[] = {NY(11, 30), NY(12, 0), NY(12, 30), NY(13, 0),
                      NY(13, 30), NY(14, 0), NY(14, 30)};
    fx_assert_starts(f, want, 7);
}

static void test_busy_edges_exact(void **state)
{
    fixture *f = *state;
    f->q.nitems = 1; /* 60 min */
    /* Busy 13:00–14:00: a start at 11:30 ends with its buffer exactly at 13:00. */
    avail_busy b = {NY(13, 0), NY(14, 0), "x", NAN, NAN, 0};
    f->staff[0].busy = &b;
    f->staff[0].nbusy = 1;
    fx_compute(f, AVAIL_OK);
    assert_true(fx_offered(f, NY(11, 30)));
    assert_false(fx_offered(f, NY(12, 0)));
    assert_false(fx_offered(f, NY(14, 0)));
    assert_true(fx_offered(f, NY(14, 30)));
    /* One second longer busy blocks 14:30 too. */
    b.end += 1;
    fx_compute(f, AVAIL_OK);
    assert_false(fx_offered(f, NY(14, 30)));
    assert_true(fx_offered(f, NY(15, 0)));
}

static void test_all_day_busy(void **state)
{
    fixture *f = *state;
    avail_busy b = {fx_local(f->ny, 2030, 6, 3, 0, 0),
                    fx_local(f->ny, 2030, 6, 4, 0, 0),
                    "All day",
                    NAN,
                    NAN,
                    0};
    f->staff[0].busy = &b;
    f->staff[0].nbusy = 1;
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.nslots, 0);
    assert_int_equal(f->r.npairs, 0);
}

static void test_back_to_back_busy(void **state)
{
    fixture *f = *state;
    avail_busy b[] = {{NY(10, 0), NY(11, 0), "a", NAN, NAN, 0},
                      {NY(11, 0), NY(12, 0), "b", NAN, NAN, 0}};
    f->staff[0].busy = b;
    f->staff[0].nbusy = 2;
    fx_compute(f, AVAIL_OK);
    tp_time want[] = {NY(12, 30), NY(13, 0), NY(13, 30), NY(14, 0), NY(14, 30)};
    fx_assert_starts(f, want, 5);
}

static void test_overlapping_busy(void **state)
{
    fixture *f = *state;
    /* A long event first, a short one inside it: the long one still blocks after. */
    avail_busy b[] = {{NY(9, 0), NY(13, 0), "long", NAN, NAN, 0},
                      {NY(10, 0), NY(10, 30), "short", NAN, NAN, 0}};
    f->staff[0].busy = b;
    f->staff[0].nbusy = 2;
    fx_compute(f, AVAIL_OK);
    tp_time want[] = {NY(13, 30), NY(14, 0), NY(14, 30)};
    fx_assert_starts(f, want, 3);
}

/* Sets hours 00:00–04:00 and 09:00–17:00 every day, one 60-min item, no buffer. */
static void dst_setup(fixture *f, tz_zone *z, int y, int mo, int d)
{
    f->rules.tz = z;
    memset(&f->rules.default_hours, 0, sizeof f->rules.default_hours);
    for (int i = 0; i < 7; i++) {
        fx_day(&f->rules.default_hours.day[i], 0, 240);
        fx_day(&f->rules.default_hours.day[i], 540, 1020);
    }
    f->rules.buffer_min = 0;
    f->q.nitems = 1;
    f->q.now = fx_utc(2030, 1, 1, 0, 0);
    f->rules.horizon_days = 400;
    fx_window(f, y, mo, d);
}

/* Asserts the day's starts: the night range's starts, then hourly-half starts
 * from DAY_FIRST (UTC) for 15 starts (09:00 … 16:00 local). */
static void assert_dst_day(fixture *f, const tp_time *night, size_t nnight, tp_time day_first)
{
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.nslots, nnight + 15);
    for (size_t i = 0; i < nnight; i++)
        assert_int_equal(f->r.slots[i].start, night[i]);
    for (size_t i = 0; i < 15; i++)
        assert_int_equal(f->r.slots[nnight + i].start, day_first + (tp_time)i * 1800);
}

static void test_dst_new_york_spring(void **state)
{
    fixture *f = *state;
    dst_setup(f, f->ny, 2030, 3, 10);
    /* 00:00–04:00 on 2030-03-10 is 05:00Z–08:00Z (02:00–03:00 does not exist). */
    tp_time night[] = {fx_utc(2030, 3, 10, 5, 0), fx_utc(2030, 3, 10, 5, 30),
                       fx_utc(2030, 3, 10, 6, 0), fx_utc(2030, 3, 10, 6, 30),
                       fx_utc(2030, 3, 10, 7, 0)};
    assert_dst_day(f, night, 5, fx_utc(2030, 3, 10, 13, 0));
    tp_time span[4];
    assert_int_equal(avail_work_spans(&f->rules, &f->staff[0], f->q.from, f->q.to, span, 2), 2);
    assert_int_equal(span[0], fx_utc(2030, 3, 10, 5, 0));
    assert_int_equal(span[1], fx_utc(2030, 3, 10, 8, 0));
    assert_int_equal(span[2], fx_utc(2030, 3, 10, 13, 0));
    assert_int_equal(span[3], fx_utc(2030, 3, 10, 21, 0));
}

static void test_dst_new_york_fall(void **state)
{
    fixture *f = *state;
    dst_setup(f, f->ny, 2030, 11, 3);
    /* 00:00–04:00 on 2030-11-03 is 04:00Z–09:00Z: 01:00 and 01:30 happen twice. */
    tp_time night[9];
    for (int i = 0; i < 9; i++)
        night[i] = fx_utc(2030, 11, 3, 4, 0) + i * 1800;
    assert_dst_day(f, night, 9, fx_utc(2030, 11, 3, 14, 0));
}

static void test_dst_berlin_spring(void **state)
{
    fixture *f = *state;
    dst_setup(f, f->berlin, 2030, 3, 31);
    /* 00:00 CET = 23:00Z the day before; 03:00 CEST = 01:00Z; 04:00 CEST = 02:00Z. */
    tp_time night[] = {fx_utc(2030, 3, 30, 23, 0), fx_utc(2030, 3, 30, 23, 30),
                       fx_utc(2030, 3, 31, 0, 0), fx_utc(2030, 3, 31, 0, 30),
                       fx_utc(2030, 3, 31, 1, 0)};
    assert_dst_day(f, night, 5, fx_utc(2030, 3, 31, 7, 0));
}

static void test_dst_berlin_fall(void **state)
{
    fixture *f = *state;
    dst_setup(f, f->berlin, 2030, 10, 27);
    /* 00:00 CEST = 22:00Z; 04:00 CET = 03:00Z; 02:00 and 02:30 happen twice. */
    tp_time night[9];
    for (int i = 0; i < 9; i++)
        night[i] = fx_utc(2030, 10, 26, 22, 0) + i * 1800;
    assert_dst_day(f, night, 9, fx_utc(2030, 10, 27, 8, 0));
}

static void test_staff_zone_differs(void **state)
{
    fixture *f = *state;
    /* A Berlin staff member working 15:00–23:00 Berlin = 09:00–17:00 New York. */
    avail_week w;
    fx_week(&w, 15 * 60, 23 * 60);
    f->staff[0].tz = f->berlin;
    f->staff[0].hours = &w;
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.nslots, 11);
    assert_int_equal(f->r.slots[0].start, NY(9, 30));
}

static void test_notice_edges(void **state)
{
    fixture *f = *state;
    f->q.now = NY(9, 0);
    f->rules.notice_min = 60; /* earliest exactly 10:00 */
    fx_compute(f, AVAIL_OK);
    assert_false(fx_offered(f, NY(9, 30)));
    assert_true(fx_offered(f, NY(10, 0)));
    assert_int_equal(f->r.nslots, 10);
    f->q.now = NY(9, 0) + 60; /* earliest 10:01 */
    fx_compute(f, AVAIL_OK);
    assert_false(fx_offered(f, NY(10, 0)));
    assert_true(fx_offered(f, NY(10, 30)));
}

static void test_horizon_edges(void **state)
{
    fixture *f = *state;
    f->rules.horizon_days = 1;
    f->q.now = fx_local(f->ny, 2030, 6, 2, 10, 0); /* latest exactly 06-03 10:00 */
    fx_compute(f, AVAIL_OK);
    tp_time want[] = {NY(9, 30), NY(10, 0)};
    fx_assert_starts(f, want, 2);
    f->q.now -= 60; /* latest 09:59 */
    fx_compute(f, AVAIL_OK);
    fx_assert_starts(f, want, 1);
}

static void test_window_edges(void **state)
{
    fixture *f = *state;
    f->q.from = NY(10, 0);
    f->q.to = NY(11, 0);
    fx_compute(f, AVAIL_OK);
    tp_time want[] = {NY(10, 0), NY(10, 30)};
    fx_assert_starts(f, want, 2);
}

static void test_step_alignment(void **state)
{
    fixture *f = *state;
    f->rules.step_min = 45; /* 09:45 … by minute of day */
    fx_compute(f, AVAIL_OK);
    tp_time want[] = {NY(9, 45),  NY(10, 30), NY(11, 15), NY(12, 0),
                      NY(12, 45), NY(13, 30), NY(14, 15)};
    fx_assert_starts(f, want, 7);
}

static const char *SQUARE = "{\"type\":\"Polygon\",\"coordinates\":[[[-75,40],[-73,40],[-73,42],"
                            "[-75,42],[-75,40]]]}";

static void test_zones_polygon_and_postal(void **state)
{
    fixture *f = *state;
    geo_polygon poly;
    char err[64];
    assert_int_equal(geo_polygon_parse(SQUARE, &poly, err, sizeof err), 0);
    const char *codes[] = {"SW1A1AA"};
    avail_zone zones[] = {{1, &poly, NULL, 0}, {2, NULL, codes, 1}};
    int64_t z1 = 1, z2 = 2;
    f->q.zones = zones;
    f->q.nzones = 2;
    f->staff[0].zones = &z1;
    f->staff[0].nzones = 1;

    f->prop.lat = 41;
    f->prop.lon = -74;
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.nslots, 11);
    f->prop.lat = 40; /* on the edge */
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.nslots, 11);
    f->prop.lat = 43;
    assert_int_equal(avail_compute(&f->q, &f->r), 0);
    assert_int_equal(f->r.status, AVAIL_OUTSIDE_AREA);
    assert_int_equal(f->r.nslots, 0);

    /* A postal-only zone never matches a property known only by lat/lon. */
    f->staff[0].zones = &z2;
    f->prop.lat = 41;
    assert_int_equal(avail_compute(&f->q, &f->r), 0);
    assert_int_equal(f->r.status, AVAIL_OUTSIDE_AREA);
    f->prop.postal_code = "sw1a 1aa";
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.nslots, 11);
    /* Polygon zone, property with both: the postal code alone no longer helps,
     * and the coordinates alone do. */
    f->staff[0].zones = &z1;
    f->prop.lat = 43;
    assert_int_equal(avail_compute(&f->q, &f->r), 0);
    assert_int_equal(f->r.status, AVAIL_OUTSIDE_AREA);
    f->prop.lat = NAN;
    f->prop.lon = NAN;
    assert_int_equal(avail_compute(&f->q, &f->r), 0);
    assert_int_equal(f->r.status, AVAIL_OUTSIDE_AREA);

    /* A second staff member without zones serves everywhere. */
    f->q.nstaff = 2;
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.npairs, 11);
    assert_int_equal(f->r.pairs[0].staff, 1);
    geo_polygon_free(&poly);
}

static void test_inactive_serving_counts_for_area(void **state)
{
    fixture *f = *state;
    /* An inactive staff member serving everywhere does not make the area served. */
    const char *codes[] = {"10001"};
    avail_zone zone = {1, NULL, codes, 1};
    int64_t z1 = 1;
    f->q.zones = &zone;
    f->q.nzones = 1;
    f->staff[0].zones = &z1;
    f->staff[0].nzones = 1;
    f->staff[1].active = 0;
    f->q.nstaff = 2;
    f->prop.postal_code = "99999";
    assert_int_equal(avail_compute(&f->q, &f->r), 0);
    assert_int_equal(f->r.status, AVAIL_OUTSIDE_AREA);
    /* No calendar: serves the area, but is never offered. */
    f->prop.postal_code = "10001";
    f->staff[0].has_calendar = 0;
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.nslots, 0);
}

static void test_skills(void **state)
{
    fixture *f = *state;
    int64_t need_video[] = {7};
    int64_t need_drone[] = {3, 9};
    f->items[1].skills = need_video;
    f->items[1].nskills = 1;
    f->items[0].skills = need_drone;
    f->items[0].nskills = 2;
    int64_t has_all[] = {3, 7, 9}, has_some[] = {3, 9};
    f->staff[0].skills = has_some;
    f->staff[0].nskills = 2;
    f->staff[1].skills = has_all;
    f->staff[1].nskills = 3;
    f->q.nstaff = 2;
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.npairs, 11);
    for (size_t i = 0; i < f->r.npairs; i++)
        assert_int_equal(f->r.pairs[i].staff, 1);
}

static void test_exceptions(void **state)
{
    fixture *f = *state;
    int64_t day = tz_days_from_civil(2030, 6, 3);
    avail_exception ex = {.date = day, .hours = {.n = 0}};
    f->staff[0].exceptions = &ex;
    f->staff[0].nexceptions = 1;
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.nslots, 0);
    fx_day(&ex.hours, 12 * 60, 16 * 60); /* changed hours that day */
    fx_compute(f, AVAIL_OK);
    tp_time want[] = {NY(12, 30), NY(13, 0), NY(13, 30)};
    fx_assert_starts(f, want, 3);
}

static void test_extra_day_and_own_hours(void **state)
{
    fixture *f = *state;
    avail_week w;
    memset(&w, 0, sizeof w); /* never works by default */
    f->staff[0].hours = &w;
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.nslots, 0);
    avail_exception ex = {.date = tz_days_from_civil(2030, 6, 3)};
    fx_day(&ex.hours, 8 * 60, 12 * 60);
    f->staff[0].exceptions = &ex;
    f->staff[0].nexceptions = 1;
    fx_compute(f, AVAIL_OK);
    tp_time want[] = {NY(8, 30), NY(9, 0), NY(9, 30)};
    fx_assert_starts(f, want, 3);
}

static void test_default_hours(void **state)
{
    fixture *f = *state;
    fx_week(&f->rules.default_hours, 10 * 60, 14 * 60);
    fx_compute(f, AVAIL_OK);
    tp_time want[] = {NY(10, 30), NY(11, 0), NY(11, 30)};
    fx_assert_starts(f, want, 3);
    avail_week own;
    fx_week(&own, 9 * 60, 17 * 60);
    f->staff[0].hours = &own;
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.nslots, 11);
}

static void test_hours_merge_across_midnight(void **state)
{
    fixture *f = *state;
    avail_week w;
    memset(&w, 0, sizeof w);
    for (int i = 0; i < 7; i++) {
        fx_day(&w.day[i], 20 * 60, 24 * 60);
        fx_day(&w.day[i], 0, 2 * 60);
    }
    f->staff[0].hours = &w;
    f->q.nitems = 1;
    fx_compute(f, AVAIL_OK);
    /* 20:00–02:00 as one span: a 60-min shoot with buffers fits 20:30 … 00:30,
     * so the day's own starts are 00:00, 00:30 (from the night before) and
     * 20:30 … 23:30 (running past midnight). */
    tp_time want[] = {NY(0, 0),  NY(0, 30),  NY(20, 30), NY(21, 0), NY(21, 30),
                      NY(22, 0), NY(22, 30), NY(23, 0),  NY(23, 30)};
    fx_assert_starts(f, want, 9);
    f->q.to += 3 * 3600;
    fx_compute(f, AVAIL_OK);
    assert_true(fx_offered(f, NY(23, 30)));
    assert_true(fx_offered(f, NY(24, 30)));
    assert_false(fx_offered(f, NY(25, 0)));
    tp_time span[2];
    assert_int_equal(avail_work_spans(&f->rules, &f->staff[0], NY(21, 0), NY(27, 0), span, 1), 1);
    assert_int_equal(span[0], NY(21, 0));
    assert_int_equal(span[1], NY(26, 0));
}

static void test_travel_buffer(void **state)
{
    fixture *f = *state;
    f->rules.travel_kmh = 60;
    f->prop.lat = 40.0;
    f->prop.lon = -74.0;
    /* 0.5° of latitude ≈ 55.6 km → 56 min at 60 km/h, more than B = 30. */
    avail_busy b = {NY(10, 0), NY(11, 0), "far", 40.5, -74.0, 0};
    f->staff[0].busy = &b;
    f->staff[0].nbusy = 1;
    fx_compute(f, AVAIL_OK);
    assert_false(fx_offered(f, NY(11, 30)));
    assert_true(fx_offered(f, NY(12, 0)));
    /* A near event keeps the plain buffer. */
    b.lat = 40.01;
    fx_compute(f, AVAIL_OK);
    assert_true(fx_offered(f, NY(11, 30)));
    /* Unknown location: plain buffer. */
    b.lat = NAN;
    b.lon = NAN;
    b.start = NY(14, 0);
    b.end = NY(15, 0);
    fx_compute(f, AVAIL_OK);
    assert_true(fx_offered(f, NY(11, 30)));
    assert_false(fx_offered(f, NY(12, 0)));
}

static void test_duration_tiers_and_errors(void **state)
{
    fixture *f = *state;
    avail_tier tiers[] = {{2000, 60}, {4000, 90}};
    f->items[0].tiers = tiers;
    f->items[0].ntiers = 2;
    f->items[0].minutes = 120;
    int raw, len, crew;
    size_t bad = 99;
    f->q.nitems = 1;
    assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_OK);
    assert_int_equal(raw, 120); /* size unknown */
    f->prop.sqft = 2000;
    assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_OK);
    assert_int_equal(raw, 60);
    f->prop.sqft = 2001;
    assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_OK);
    assert_int_equal(raw, 90);
    f->prop.sqft = 5000;
    assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_OK);
    assert_int_equal(raw, 120);

    f->q.nitems = 2;
    f->items[1].minutes = 0;
    assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_NOT_SCHEDULABLE);
    assert_int_equal(bad, 1);
    assert_int_equal(avail_compute(&f->q, &f->r), 0);
    assert_int_equal(f->r.status, AVAIL_NOT_SCHEDULABLE);
    assert_int_equal(f->r.bad_item, 1);
    f->q.nitems = 0;
    assert_int_equal(avail_compute(&f->q, &f->r), 0);
    assert_int_equal(f->r.status, AVAIL_NO_ITEMS);
}

/* A package and a service it contains are not counted twice: the service
 * adds no length, its skills still count; a service asked for twice counts
 * once; a service outside the package still adds its own length. */
static void test_duration_package_contains_service(void **state)
{
    fixture *f = *state;
    int64_t inside[] = {11, 12};
    int raw, len, crew;
    size_t bad;
    f->items[0] = (avail_item){.service_id = 0, .contains = inside, .ncontains = 2, .minutes = 150};
    f->items[1] = (avail_item){.service_id = 11, .minutes = 60};
    f->items[2] = (avail_item){.service_id = 13, .minutes = 45};
    f->items[3] = (avail_item){.service_id = 13, .minutes = 45};
    f->q.nitems = 2;
    assert_true(avail_item_covered(f->items, 2, 1));
    assert_false(avail_item_covered(f->items, 2, 0));
    assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_OK);
    assert_int_equal(raw, 150);
    f->q.nitems = 3;
    assert_false(avail_item_covered(f->items, 3, 2));
    assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_OK);
    assert_int_equal(raw, 195);
    f->q.nitems = 4;
    assert_true(avail_item_covered(f->items, 4, 3));
    assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_OK);
    assert_int_equal(raw, 195);
    /* The service alone is its own length again. */
    f->items[0] = f->items[1];
    f->q.nitems = 1;
    assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_OK);
    assert_int_equal(raw, 60);
    /* A covered item without a duration still makes the request unschedulable. */
    f->items[0] = (avail_item){.contains = inside, .ncontains = 2, .minutes = 150};
    f->items[1].minutes = 0;
    f->q.nitems = 2;
    assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_NOT_SCHEDULABLE);
}

static void test_serves_property(void **state)
{
    fixture *f = *state;
    int64_t zone_ids[] = {7};
    const char *codes[] = {"10001"};
    avail_zone z = {7, NULL, codes, 1};
    f->q.zones = &z;
    f->q.nzones = 1;
    f->staff[0].zones = zone_ids;
    f->staff[0].nzones = 1;
    f->prop.postal_code = "10001";
    assert_true(avail_serves_property(&f->q));
    f->prop.postal_code = "99999";
    assert_false(avail_serves_property(&f->q));
    f->staff[0].nzones = 0; /* serves everywhere */
    assert_true(avail_serves_property(&f->q));
    f->staff[0].active = 0; /* nobody active */
    assert_false(avail_serves_property(&f->q));
}

static void test_free_at(void **state)
{
    fixture *f = *state;
    avail_busy b = {NY(10, 0), NY(11, 0), "x", NAN, NAN, 0};
    f->staff[1].busy = &b;
    f->staff[1].nbusy = 1;
    f->q.nstaff = 3;
    uint32_t out[3];
    assert_int_equal(avail_free_at(&f->q, NY(11, 30), out, 3), 3);
    assert_int_equal(out[1], 1);
    assert_int_equal(avail_free_at(&f->q, NY(11, 0), out, 3), 2);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 2);
    assert_int_equal(avail_free_at(&f->q, NY(11, 0), out, 1), 2);
    assert_int_equal(avail_free_at(&f->q, NY(11, 10), out, 3), 0); /* not aligned */
    assert_int_equal(avail_free_at(&f->q, NY(15, 0), out, 3), 0);  /* buffer past 17:00 */
}

static void test_result_reuse(void **state)
{
    fixture *f = *state;
    f->q.nstaff = 3;
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.npairs, 33);
    f->q.nstaff = 1;
    fx_compute(f, AVAIL_OK);
    assert_int_equal(f->r.npairs, 11);
    assert_int_equal(f->r.nslots, 11);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_seed_example),
        T(test_busy_edges_exact),
        T(test_all_day_busy),
        T(test_back_to_back_busy),
        T(test_overlapping_busy),
        T(test_dst_new_york_spring),
        T(test_dst_new_york_fall),
        T(test_dst_berlin_spring),
        T(test_dst_berlin_fall),
        T(test_staff_zone_differs),
        T(test_notice_edges),
        T(test_horizon_edges),
        T(test_window_edges),
        T(test_step_alignment),
        T(test_zones_polygon_and_postal),
        T(test_inactive_serving_counts_for_area),
        T(test_skills),
        T(test_exceptions),
        T(test_extra_day_and_own_hours),
        T(test_default_hours),
        T(test_hours_merge_across_midnight),
        T(test_travel_buffer),
        T(test_duration_tiers_and_errors),
        T(test_duration_package_contains_service),
        T(test_serves_property),
        T(test_free_at),
        T(test_result_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
