/* test_avail_crew.c — two photographers (threshold, reduction rounding,
 * senior, force_two, no pair), the assignment policies with their ties, and
 * explain's reasons. */
#include "avail_fixture.h"

#define NY(h, m) fx_local(f->ny, 2030, 6, 3, h, m)

static void two_on(fixture *f, int threshold, int pct)
{
    f->rules.two.enabled = 1;
    f->rules.two.threshold_min = threshold;
    f->rules.two.reduction_pct = pct;
}

static void test_threshold_edge(void **state)
{
    fixture *f = *state;
    int raw, len, crew;
    size_t bad;
    two_on(f, 120, 25);
    assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_OK);
    assert_int_equal(raw, 120);
    assert_int_equal(crew, 2);
    assert_int_equal(len, 90);
    two_on(f, 125, 25);
    assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_OK);
    assert_int_equal(crew, 1);
    assert_int_equal(len, 120);
    two_on(f, 60, 25);
    f->rules.two.enabled = 0; /* off: no pair however long */
    assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_OK);
    assert_int_equal(crew, 1);
}

static void test_reduction_rounding(void **state)
{
    fixture *f = *state;
    int raw, len, crew;
    size_t bad;
    const int pct[] = {0, 30, 33, 50, 99};
    const int want[] = {120, 85, 85, 60, 5}; /* 120, 84, 80.4, 60, 1.2 rounded up to 5 */
    for (size_t i = 0; i < 5; i++) {
        two_on(f, 60, pct[i]);
        assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_OK);
        assert_int_equal(len, want[i]);
    }
}

static void test_force_two(void **state)
{
    fixture *f = *state;
    int raw, len, crew;
    size_t bad;
    f->rules.two.reduction_pct = 25;
    f->items[0].force_two = 1;
    f->q.nitems = 1;
    assert_int_equal(avail_duration(&f->q, &raw, &len, &crew, &bad), AVAIL_OK);
    assert_int_equal(crew, 2);
    assert_int_equal(len, 45);
}

static void crew_setup(fixture *f, avail_busy *b)
{
    two_on(f, 120, 25); /* 90-minute shoot by two */
    *b = (avail_busy){NY(10, 0), NY(11, 0), "x", NAN, NAN, 0};
    f->staff[1].busy = b;
    f->staff[1].nbusy = 1;
    f->q.nstaff = 2;
}

static void test_pair_needed(void **state)
{
    fixture *f = *state;
    avail_busy b;
    crew_setup(f, &b);
    assert_int_equal(avail_compute(&f->q, &f->r), 0);
    assert_int_equal(f->r.crew, 2);
    assert_int_equal(f->r.duration_min, 90);
    /* Staff 1 is free from 11:30; both until 15:00 (15:00 + 90 + 30 = 17:00). */
    assert_int_equal(f->r.nslots, 8);
    assert_int_equal(f->r.slots[0].start, NY(11, 30));
    assert_int_equal(f->r.slots[0].end, NY(13, 0));
    assert_int_equal(f->r.slots[0].crew, 2);
    assert_int_equal(f->r.slots[7].start, NY(15, 0));
    assert_int_equal(f->r.npairs, 16);
    assert_int_equal(f->r.pairs[0].staff, 0);
    assert_int_equal(f->r.pairs[0].start, NY(11, 30));
    assert_int_equal(f->r.pairs[8].staff, 1);

    /* A third free person makes every start a pair; each free person is listed. */
    f->q.nstaff = 3;
    assert_int_equal(avail_compute(&f->q, &f->r), 0);
    assert_int_equal(f->r.nslots, 12);
    assert_int_equal(f->r.npairs, 12 + 8 + 12);
}

static void test_no_pair(void **state)
{
    fixture *f = *state;
    avail_busy b;
    crew_setup(f, &b);
    f->q.nstaff = 1;
    assert_int_equal(avail_compute(&f->q, &f->r), 0);
    assert_int_equal(f->r.status, AVAIL_OK);
    assert_int_equal(f->r.nslots, 0);
    assert_int_equal(f->r.npairs, 0);
}

static void test_senior_required(void **state)
{
    fixture *f = *state;
    avail_busy b;
    crew_setup(f, &b);
    f->q.nstaff = 3;
    f->rules.two.senior_required = 1;
    assert_int_equal(avail_compute(&f->q, &f->r), 0);
    assert_int_equal(f->r.nslots, 0);
    f->staff[1].senior = 1; /* the senior is busy until 11:30 */
    assert_int_equal(avail_compute(&f->q, &f->r), 0);
    assert_int_equal(f->r.nslots, 8);
    assert_int_equal(f->r.slots[0].start, NY(11, 30));
}

static void test_assign_balanced(void **state)
{
    fixture *f = *state;
    f->q.nstaff = 4;
    avail_stat st[4] = {
        {120, 0, NAN, NAN}, {60, 500, NAN, NAN}, {60, 400, NAN, NAN}, {60, 400, NAN, NAN}};
    uint32_t freei[] = {0, 1, 2, 3}, out[2];
    assert_int_equal(avail_assign(&f->q, freei, 4, st, 1, out), 1);
    assert_int_equal(out[0], 2); /* 60 min, booked longest ago, lower id than 3 */
    assert_int_equal(avail_assign(&f->q, freei, 4, st, 2, out), 2);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 3);
    st[3].last_booked = 0; /* never booked goes first */
    assert_int_equal(avail_assign(&f->q, freei, 4, st, 1, out), 1);
    assert_int_equal(out[0], 3);
    uint32_t only[] = {0};
    assert_int_equal(avail_assign(&f->q, only, 1, st, 2, out), 1);
    assert_int_equal(out[0], 0);
    assert_int_equal(avail_assign(&f->q, only, 0, st, 1, out), 0);
}

static void test_assign_priority(void **state)
{
    fixture *f = *state;
    f->rules.policy = AVAIL_PRIORITY;
    f->q.nstaff = 4;
    f->staff[0].rank = 0; /* unranked: last */
    f->staff[1].rank = 2;
    f->staff[2].rank = 1;
    f->staff[3].rank = 2;
    avail_stat st[4] = {{0, 0, NAN, NAN}, {0, 0, NAN, NAN}, {0, 0, NAN, NAN}, {0, 0, NAN, NAN}};
    uint32_t freei[] = {3, 1, 0, 2}, out[2];
    assert_int_equal(avail_assign(&f->q, freei, 4, st, 2, out), 2);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 1); /* rank 2 tie: id 101 before 103 */
    uint32_t two[] = {0, 3};
    assert_int_equal(avail_assign(&f->q, two, 2, st, 1, out), 1);
    assert_int_equal(out[0], 3);
}

static void test_assign_nearest(void **state)
{
    fixture *f = *state;
    f->rules.policy = AVAIL_NEAREST;
    f->q.nstaff = 4;
    f->prop.lat = 40.0;
    f->prop.lon = -74.0;
    avail_stat st[4] = {
        {0, 0, NAN, NAN}, {0, 0, 40.5, -74.0}, {0, 0, 40.1, -74.0}, {0, 0, 40.1, -74.0}};
    uint32_t freei[] = {0, 1, 2, 3}, out[2];
    assert_int_equal(avail_assign(&f->q, freei, 4, st, 2, out), 2);
    assert_int_equal(out[0], 2); /* tie with 3 by distance: lower id */
    assert_int_equal(out[1], 3);
    uint32_t far[] = {0, 1};
    assert_int_equal(avail_assign(&f->q, far, 2, st, 1, out), 1);
    assert_int_equal(out[0], 1); /* unknown reference point goes last */
    f->prop.lat = NAN;           /* property not located: ties by id */
    assert_int_equal(avail_assign(&f->q, freei, 4, st, 1, out), 1);
    assert_int_equal(out[0], 0);
}

static void test_assign_senior_pair(void **state)
{
    fixture *f = *state;
    f->q.nstaff = 4;
    f->rules.two.senior_required = 1;
    f->staff[3].senior = 1;
    avail_stat st[4] = {{10, 0, NAN, NAN}, {20, 0, NAN, NAN}, {30, 0, NAN, NAN}, {40, 0, NAN, NAN}};
    uint32_t freei[] = {0, 1, 2, 3}, out[2];
    assert_int_equal(avail_assign(&f->q, freei, 4, st, 2, out), 2);
    assert_int_equal(out[0], 0); /* best first … */
    assert_int_equal(out[1], 3); /* … and the best (only) senior */
    uint32_t juniors[] = {0, 1, 2};
    assert_int_equal(avail_assign(&f->q, juniors, 3, st, 2, out), 0);
    assert_int_equal(avail_assign(&f->q, juniors, 3, st, 1, out), 1);
    assert_int_equal(out[0], 0);
}

/* 1 when WHY is among the N reasons. */
static int has_reason(const avail_reason *rs, size_t n, avail_why why)
{
    for (size_t i = 0; i < n; i++)
        if (rs[i].why == why) return 1;
    return 0;
}

static void test_explain_multiple_reasons(void **state)
{
    fixture *f = *state;
    int64_t need[] = {7};
    f->items[1].skills = need;
    f->items[1].nskills = 1;
    avail_busy b = {NY(10, 0), NY(11, 0), "Dentist", NAN, NAN, 0};
    f->staff[0].busy = &b;
    f->staff[0].nbusy = 1;
    avail_reason rs[8];
    size_t n = avail_explain(&f->q, 0, NY(10, 0), rs, 8);
    assert_int_equal(n, 2);
    assert_int_equal(rs[0].why, AVAIL_WHY_MISSING_SKILL);
    assert_int_equal(rs[0].ref, 7);
    assert_int_equal(rs[1].why, AVAIL_WHY_BUSY);
    assert_string_equal(rs[1].what, "Dentist");
    assert_int_equal(rs[1].start, NY(10, 0));
    assert_int_equal(rs[1].end, NY(11, 0));
    assert_string_equal(avail_why_code(rs[0].why), "missing_skill");
    assert_string_equal(avail_why_code(rs[1].why), "busy");
    assert_int_equal(avail_explain(&f->q, 0, NY(10, 0), rs, 1), 2); /* total, even past MAX */
}

static void test_explain_hours_and_buffers(void **state)
{
    fixture *f = *state;
    avail_reason rs[8];
    assert_int_equal(avail_explain(&f->q, 0, NY(11, 0), rs, 8), 0);
    assert_int_equal(avail_explain(&f->q, 0, NY(16, 0), rs, 8), 1);
    assert_int_equal(rs[0].why, AVAIL_WHY_OUTSIDE_HOURS);
    assert_int_equal(avail_explain(&f->q, 0, NY(15, 0), rs, 8), 1);
    assert_int_equal(rs[0].why, AVAIL_WHY_BUFFER_HOURS);
    assert_string_equal(avail_why_code(rs[0].why), "buffer_hours");
    avail_busy b = {NY(12, 30), NY(13, 0), "Lunch", NAN, NAN, 0};
    f->staff[0].busy = &b;
    f->staff[0].nbusy = 1;
    assert_int_equal(avail_explain(&f->q, 0, NY(10, 0), rs, 8), 0); /* buffer ends at 12:30 */
    assert_int_equal(avail_explain(&f->q, 0, NY(10, 30), rs, 8), 1);
    assert_int_equal(rs[0].why, AVAIL_WHY_BUFFER_BUSY);
    assert_string_equal(rs[0].what, "Lunch");
}

static void test_explain_eligibility_and_time(void **state)
{
    fixture *f = *state;
    const char *codes[] = {"10001"};
    avail_zone zone = {1, NULL, codes, 1};
    int64_t z1 = 1;
    f->q.zones = &zone;
    f->q.nzones = 1;
    f->staff[0].zones = &z1;
    f->staff[0].nzones = 1;
    f->staff[0].active = 0;
    f->staff[0].has_calendar = 0;
    f->q.now = NY(10, 0);
    f->rules.notice_min = 60;
    f->q.from = NY(12, 0);
    avail_reason rs[16];
    size_t n = avail_explain(&f->q, 0, NY(10, 10), rs, 16);
    assert_true(has_reason(rs, n, AVAIL_WHY_INACTIVE));
    assert_true(has_reason(rs, n, AVAIL_WHY_NO_CALENDAR));
    assert_true(has_reason(rs, n, AVAIL_WHY_OUTSIDE_ZONE));
    assert_true(has_reason(rs, n, AVAIL_WHY_NOT_ALIGNED));
    assert_true(has_reason(rs, n, AVAIL_WHY_OUTSIDE_WINDOW));
    assert_true(has_reason(rs, n, AVAIL_WHY_NOTICE));
    assert_false(has_reason(rs, n, AVAIL_WHY_HORIZON));
    assert_int_equal(n, 6);
    f->rules.horizon_days = 0;
    n = avail_explain(&f->q, 0, NY(13, 0), rs, 16);
    assert_true(has_reason(rs, n, AVAIL_WHY_HORIZON));
    assert_false(has_reason(rs, n, AVAIL_WHY_NOTICE));
    f->items[0].minutes = 0;
    n = avail_explain(&f->q, 0, NY(13, 0), rs, 16);
    assert_true(has_reason(rs, n, AVAIL_WHY_NOT_SCHEDULABLE));
    assert_string_equal(avail_why_code(AVAIL_WHY_NOT_SCHEDULABLE), "not_schedulable");
}

static void test_explain_no_partner(void **state)
{
    fixture *f = *state;
    avail_busy b;
    crew_setup(f, &b);
    avail_reason rs[4];
    size_t n = avail_explain(&f->q, 0, NY(10, 0), rs, 4);
    assert_int_equal(n, 1);
    assert_int_equal(rs[0].why, AVAIL_WHY_NO_PARTNER);
    assert_string_equal(avail_why_code(rs[0].why), "no_partner");
    assert_int_equal(avail_explain(&f->q, 0, NY(12, 0), rs, 4), 0);
    f->rules.two.senior_required = 1;
    assert_int_equal(avail_explain(&f->q, 0, NY(12, 0), rs, 4), 1);
    assert_int_equal(rs[0].why, AVAIL_WHY_NO_PARTNER);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_threshold_edge),
        T(test_reduction_rounding),
        T(test_force_two),
        T(test_pair_needed),
        T(test_no_pair),
        T(test_senior_required),
        T(test_assign_balanced),
        T(test_assign_priority),
        T(test_assign_nearest),
        T(test_assign_senior_pair),
        T(test_explain_multiple_reasons),
        T(test_explain_hours_and_buffers),
        T(test_explain_eligibility_and_time),
        T(test_explain_no_partner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
