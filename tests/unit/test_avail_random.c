/* test_avail_random.c — the engine against the brute-force oracle on many
 * random scenarios (zones with odd and 30-min DST, DST days, hours, exceptions,
 * busy time, skills, zones, crews, notice, step, buffer, travel, shoot windows
 * of both kinds incl. polar days and the solar place's fallback), and what a
 * booking re-checks (free_at, explain) against the offered starts. On a
 * mismatch the seed is printed; re-run one with TRIPOD_SEED=<seed>, and set
 * TRIPOD_SCENARIOS to change how many run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/bench.h"
#include "core/avail.h"
#include "core/solar.h"
#include "oracle/oracle.h"

#define NZONES 7
#define MAXSTAFF 4
#define MAXBUSY 6

static const char *ZONE_NAMES[NZONES] = {"America/New_York",
                                         "Europe/Berlin",
                                         "Australia/Lord_Howe",
                                         "Asia/Kolkata",
                                         "Pacific/Chatham",
                                         "America/Sao_Paulo",
                                         "UTC"};
static tz_zone *zones[NZONES];

typedef bench_rng rng;

static uint32_t draw(rng *g)
{
    return bench_draw(g);
}

static int pick(rng *g, int n)
{
    return (int)(bench_draw(g) % (uint32_t)n);
}

typedef struct {
    avail_rules rules;
    avail_item items[3];
    int64_t item_skills[3][2];
    avail_tier tiers[2];
    avail_property prop;
    geo_point sun_place;
    int has_local; /* some item has a local window */
    avail_staff staff[MAXSTAFF];
    avail_week weeks[MAXSTAFF];
    avail_exception ex[MAXSTAFF][2];
    int64_t skills[MAXSTAFF][3];
    int64_t staff_zones[MAXSTAFF][2];
    avail_busy busy[MAXSTAFF][MAXBUSY];
    geo_polygon poly;
    geo_ring ring;
    geo_point pts[4];
    const char *codes[2];
    avail_zone zones[2];
    avail_query q;
} scenario;

static void random_day(rng *g, avail_day *d)
{
    d->n = pick(g, 6) == 0 ? 0 : 1 + pick(g, 2);
    int at = pick(g, 4) == 0 ? 0 : pick(g, 48) * 15;
    for (int i = 0; i < d->n; i++) {
        int start = at, end = start + 5 * (1 + pick(g, 150));
        if (end > 1440 || pick(g, 5) == 0) end = 1440;
        if (start >= 1440) start = 1435;
        d->r[i].start = (int16_t)start;
        d->r[i].end = (int16_t)end;
        at = end + 5 * pick(g, 40);
    }
}

static void random_week(rng *g, avail_week *w)
{
    for (int i = 0; i < 7; i++)
        random_day(g, &w->day[i]);
}

/* A place for solar windows: often high latitudes (polar day and night),
 * both hemispheres, mostly near the longitude whose clock the business zone
 * keeps (so its sunsets fall in working hours), else anywhere. */
static geo_point random_place(rng *g, const tz_zone *business)
{
    double lat = pick(g, 3) == 0 ? 60 + pick(g, 19) : pick(g, 60);
    if (pick(g, 3) == 0) lat = -lat;
    double lon = pick(g, 4) == 0 ? -180 + pick(g, 360)
                                 : tz_offset_at(business, 1893456000) / 240.0 - 10 + pick(g, 21);
    if (lon > 180) lon -= 360;
    if (lon < -180) lon += 360;
    return (geo_point){lon + pick(g, 4) * 0.25, lat + pick(g, 4) * 0.25};
}

/* Shoot windows on some items: local hours (sometimes all day, sometimes
 * empty) or around sunrise/sunset (sometimes starting after the event); the
 * solar place from the property or, when it has no point, a fallback. */
static void random_windows(rng *g, scenario *sc, size_t nitems)
{
    for (size_t i = 0; i < nitems; i++) {
        avail_window *w = &sc->items[i].window;
        int kind = pick(g, 8);
        if (kind == 0) {
            w->kind = AVAIL_WINDOW_LOCAL;
            w->from_min = pick(g, 5) == 0 ? 0 : 15 * pick(g, 96);
            w->to_min = pick(g, 8) == 0 ? w->from_min : w->from_min + 15 * (1 + pick(g, 48));
            if (w->to_min > 1440 || pick(g, 6) == 0) w->to_min = 1440;
            sc->has_local = 1;
        } else if (kind <= 2) {
            w->kind = pick(g, 2) ? AVAIL_WINDOW_SUNSET : AVAIL_WINDOW_SUNRISE;
            w->before_min = 5 * pick(g, 48) - 30;
            w->after_min = 5 * pick(g, 48) - 30;
        }
    }
    sc->sun_place = random_place(g, sc->rules.tz);
    sc->prop.sun_place = pick(g, 4) ? &sc->sun_place : NULL;
}

/* The first item's sunrise/sunset window, if any. */
static const avail_window *solar_window(const scenario *sc, size_t nitems)
{
    for (size_t i = 0; i < nitems; i++) {
        avail_window_kind k = sc->items[i].window.kind;
        if (k == AVAIL_WINDOW_SUNRISE || k == AVAIL_WINDOW_SUNSET) return &sc->items[i].window;
    }
    return NULL;
}

/* Where solar windows are computed for SC (NAN when nowhere). */
static void place_of(const scenario *sc, double *lat, double *lon)
{
    const avail_property *p = &sc->prop;
    int own = !isnan(p->lat);
    *lat = own ? p->lat : p->sun_place ? p->sun_place->lat : NAN;
    *lon = own ? p->lon : p->sun_place ? p->sun_place->lon : NAN;
}

/* Builds scenario SEED; everything lives inside SC. */
static void build(scenario *sc, uint32_t seed)
{
    rng g = {seed};
    memset(sc, 0, sizeof *sc);
    avail_rules *ru = &sc->rules;
    ru->tz = zones[pick(&g, NZONES)];
    ru->buffer_min = (int[]){0, 5, 15, 30, 45}[pick(&g, 5)];
    ru->step_min = (int[]){5, 10, 15, 20, 30, 45, 60}[pick(&g, 7)];
    random_week(&g, &ru->default_hours);
    ru->two.enabled = pick(&g, 2);
    ru->two.threshold_min = 30 + 15 * pick(&g, 10);
    ru->two.reduction_pct = pick(&g, 60);
    ru->two.senior_required = pick(&g, 2);
    ru->travel_kmh = pick(&g, 3) == 0 ? 20 + pick(&g, 60) : 0;

    size_t nitems = 1 + (size_t)pick(&g, 2);
    for (size_t i = 0; i < nitems; i++) {
        avail_item *it = &sc->items[i];
        it->minutes = pick(&g, 40) == 0 ? 0 : 5 * (1 + pick(&g, 24));
        it->force_two = pick(&g, 10) == 0;
        it->nskills = pick(&g, 3) ? 0 : 1 + (size_t)pick(&g, 2);
        for (size_t k = 0; k < it->nskills; k++)
            sc->item_skills[i][k] = 1 + 2 * (int64_t)k + pick(&g, 2);
        it->skills = sc->item_skills[i];
        if (i == 0 && pick(&g, 2)) {
            sc->tiers[0] = (avail_tier){1500, 5 * (1 + pick(&g, 20))};
            sc->tiers[1] = (avail_tier){3000, 5 * (1 + pick(&g, 30))};
            it->tiers = sc->tiers;
            it->ntiers = 2;
        }
    }
    sc->prop.sqft = pick(&g, 2) ? 0 : 500 * pick(&g, 10);
    sc->prop.lat = pick(&g, 2) ? 40 + pick(&g, 40) * 0.05 : NAN;
    sc->prop.lon = isnan(sc->prop.lat) ? NAN : -75 + pick(&g, 40) * 0.05;
    sc->prop.postal_code = (const char *[]){NULL, "", "ab 12", "CD-34"}[pick(&g, 4)];

    random_windows(&g, sc, nitems);

    /* The window: a few hours around a random instant of 2030, often next to
     * an offset change of some zone (the business's when it has local shoot
     * windows) or, with a solar window, around that day's sunrise/sunset. */
    tp_time base = 1893456000 + (tp_time)(draw(&g) % 365) * 86400 + pick(&g, 96) * 900;
    const avail_window *solar = solar_window(sc, nitems);
    int toward = pick(&g, 3);
    if (toward == 0) {
        tp_time ch = tz_next_change(sc->has_local ? ru->tz : zones[pick(&g, NZONES)], base);
        if (ch != INT64_MAX) base = ch - 3 * 3600 + pick(&g, 12) * 900;
    } else if (toward == 1 && solar) {
        double lat, lon;
        place_of(sc, &lat, &lon);
        tp_time ev;
        if (isnan(lat)) lat = lon = 0;
        solar_kind kind = solar->kind == AVAIL_WINDOW_SUNSET ? SOLAR_SUNSET : SOLAR_SUNRISE;
        if (solar_event(kind, solar_day_of(base, lon), lat, lon, &ev) == SOLAR_OK)
            base = ev - 6 * 3600 + pick(&g, 24) * 900;
    }
    sc->q.from = base + pick(&g, 4) * 60 * (pick(&g, 2) ? 1 : 7);
    sc->q.to = sc->q.from + 3600 + pick(&g, 20) * 1800;
    sc->q.now = sc->q.from - 3600 * 24 + pick(&g, 49) * 1800;
    ru->notice_min = pick(&g, 2) ? 0 : 5 * pick(&g, 300);
    ru->horizon_days = 1 + pick(&g, 2);

    /* Zone 1: a square (edges land on the 0.05° grid); zone 2: postal codes. */
    double x0 = -75 + pick(&g, 20) * 0.05, y0 = 40 + pick(&g, 20) * 0.05,
           side = 0.05 * (1 + pick(&g, 20));
    sc->pts[0] = (geo_point){x0, y0};
    sc->pts[1] = (geo_point){x0 + side, y0};
    sc->pts[2] = (geo_point){x0 + side, y0 + side};
    sc->pts[3] = (geo_point){x0, y0 + side};
    sc->ring = (geo_ring){sc->pts, 4};
    sc->poly = (geo_polygon){&sc->ring, 1};
    sc->codes[0] = "AB12";
    sc->codes[1] = "EF56";
    int with_codes = pick(&g, 2);
    sc->zones[0] = (avail_zone){1, &sc->poly, with_codes ? sc->codes : NULL, (size_t)with_codes};
    sc->zones[1] = (avail_zone){2, NULL, sc->codes + pick(&g, 2), 1};

    size_t nstaff = 1 + (size_t)pick(&g, MAXSTAFF);
    for (size_t i = 0; i < nstaff; i++) {
        avail_staff *s = &sc->staff[i];
        s->id = 10 + (int64_t)i;
        s->active = pick(&g, 12) != 0;
        s->has_calendar = pick(&g, 12) != 0;
        s->senior = pick(&g, 3) == 0;
        s->tz = pick(&g, 2) ? NULL : zones[pick(&g, NZONES)];
        if (pick(&g, 3)) {
            random_week(&g, &sc->weeks[i]);
            s->hours = &sc->weeks[i];
        }
        s->nexceptions = (size_t)pick(&g, 3);
        int64_t d0 = sc->q.from / 86400 - 1 + pick(&g, 2);
        for (size_t k = 0; k < s->nexceptions; k++) {
            sc->ex[i][k].date = d0 + (int64_t)k + pick(&g, 2) * (int64_t)k;
            random_day(&g, &sc->ex[i][k].hours);
        }
        s->exceptions = sc->ex[i];
        s->nskills = (size_t)pick(&g, 4);
        for (size_t k = 0; k < s->nskills; k++)
            sc->skills[i][k] = 1 + 2 * (int64_t)k + pick(&g, 2);
        s->skills = sc->skills[i];
        s->nzones = pick(&g, 3) ? 0 : 1 + (size_t)pick(&g, 2);
        for (size_t k = 0; k < s->nzones; k++)
            sc->staff_zones[i][k] = 1 + (int64_t)((k + (size_t)pick(&g, 2)) % 2);
        s->zones = sc->staff_zones[i];
        s->nbusy = pick(&g, 3) ? (size_t)pick(&g, MAXBUSY + 1) : 0;
        tp_time at = sc->q.from - 4 * 3600 + pick(&g, 24) * 300;
        for (size_t k = 0; k < s->nbusy; k++) {
            avail_busy *b = &sc->busy[i][k];
            b->start = at;
            b->end = at + 300 * (1 + pick(&g, 36));
            b->what = "busy";
            b->lat = pick(&g, 2) ? 40 + pick(&g, 40) * 0.05 : NAN;
            b->lon = -75 + pick(&g, 40) * 0.05;
            at += 300 * pick(&g, 30);
        }
        s->busy = sc->busy[i];
        s->home_lat = s->home_lon = NAN;
    }
    sc->q.rules = ru;
    sc->q.items = sc->items;
    sc->q.nitems = nitems;
    sc->q.property = &sc->prop;
    sc->q.zones = sc->zones;
    sc->q.nzones = 2;
    sc->q.staff = sc->staff;
    sc->q.nstaff = nstaff;
}

/* 0 when both answers agree; otherwise prints what differs. */
static int compare(const avail_result *e, const avail_result *o)
{
    if (e->status != o->status) {
        printf("status: engine %d oracle %d\n", e->status, o->status);
        return 1;
    }
    if (e->status != AVAIL_OK) {
        int named = e->status == AVAIL_NOT_SCHEDULABLE || e->status == AVAIL_NO_PLACE ||
                    e->status == AVAIL_NO_WINDOW;
        if (!named || e->bad_item == o->bad_item) return 0;
        printf("status %d: engine names item %zu, oracle %zu\n", e->status, e->bad_item,
               o->bad_item);
        return 1;
    }
    int bad = e->duration_min != o->duration_min || e->crew != o->crew || e->npairs != o->npairs ||
              e->nslots != o->nslots;
    for (size_t i = 0; !bad && i < e->npairs; i++)
        bad = e->pairs[i].staff != o->pairs[i].staff || e->pairs[i].start != o->pairs[i].start;
    for (size_t i = 0; !bad && i < e->nslots; i++)
        bad = e->slots[i].start != o->slots[i].start || e->slots[i].end != o->slots[i].end ||
              e->slots[i].crew != o->slots[i].crew;
    if (!bad) return 0;
    printf("length %d/%d crew %d/%d pairs %zu/%zu slots %zu/%zu (engine/oracle)\n", e->duration_min,
           o->duration_min, e->crew, o->crew, e->npairs, o->npairs, e->nslots, o->nslots);
    for (size_t i = 0; i < e->npairs || i < o->npairs; i++)
        printf("  pair %zu: engine %s staff %d @%lld | oracle staff %d @%lld\n", i,
               i < e->npairs && i < o->npairs && e->pairs[i].start == o->pairs[i].start &&
                       e->pairs[i].staff == o->pairs[i].staff
                   ? "  "
                   : "!=",
               i < e->npairs ? (int)e->pairs[i].staff : -1,
               i < e->npairs ? (long long)e->pairs[i].start : 0LL,
               i < o->npairs ? (int)o->pairs[i].staff : -1,
               i < o->npairs ? (long long)o->pairs[i].start : 0LL);
    return 1;
}

/* 0 when, at every offered start, avail_free_at (what a booking re-checks)
 * names exactly the staff of that start's pairs and explain has no reason
 * for them. */
static int booking_agrees(const avail_query *q, const avail_result *e)
{
    for (size_t i = 0; e->status == AVAIL_OK && i < e->nslots; i++) {
        uint32_t free_idx[MAXSTAFF];
        tp_time at = e->slots[i].start;
        size_t n = avail_free_at(q, at, free_idx, MAXSTAFF), k = 0;
        for (size_t j = 0; j < e->npairs; j++) {
            if (e->pairs[j].start != at) continue;
            avail_reason rs[4];
            if (k >= n || free_idx[k] != e->pairs[j].staff ||
                avail_explain(q, e->pairs[j].staff, at, rs, 4) != 0) {
                printf("free_at/explain disagree with compute at %lld\n", (long long)at);
                return 1;
            }
            k++;
        }
        if (k != n) {
            printf("free_at names %zu staff at %lld, compute %zu\n", n, (long long)at, k);
            return 1;
        }
    }
    return 0;
}

/* What the scenarios exercised, so a change to the generator cannot quietly
 * stop testing shoot windows. */
typedef struct {
    size_t offered, local_offered, solar_offered, no_window, no_place, polar;
} coverage;

static void tally(coverage *c, const scenario *sc, const avail_result *e)
{
    int local = 0, solar = 0;
    for (size_t i = 0; i < sc->q.nitems; i++) {
        avail_window_kind k = sc->items[i].window.kind;
        local |= k == AVAIL_WINDOW_LOCAL;
        solar |= k == AVAIL_WINDOW_SUNRISE || k == AVAIL_WINDOW_SUNSET;
    }
    size_t n = e->status == AVAIL_OK ? e->nslots : 0;
    c->offered += n;
    c->local_offered += local ? n : 0;
    c->solar_offered += solar ? n : 0;
    c->no_window += e->status == AVAIL_NO_WINDOW;
    c->no_place += e->status == AVAIL_NO_PLACE;
    double lat, lon;
    place_of(sc, &lat, &lon);
    tp_time t;
    if (solar && !isnan(lat) &&
        solar_event(SOLAR_SUNSET, solar_day_of(sc->q.from, lon), lat, lon, &t) != SOLAR_OK)
        c->polar++;
}

static void test_engine_matches_oracle(void **state)
{
    (void)state;
    for (int i = 0; i < NZONES; i++) {
        zones[i] = tz_zone_load(ZONE_NAMES[i]);
        assert_non_null(zones[i]);
    }
    const char *one = getenv("TRIPOD_SEED");
    const char *many = getenv("TRIPOD_SCENARIOS");
    uint32_t first = one ? (uint32_t)strtoul(one, NULL, 10) : 1;
    uint32_t count = one ? 1 : many ? (uint32_t)strtoul(many, NULL, 10) : 10000;
    avail_result e, o;
    avail_result_init(&e);
    avail_result_init(&o);
    scenario *sc = malloc(sizeof *sc);
    assert_non_null(sc);
    int failures = 0;
    coverage c = {0};
    for (uint32_t seed = first; seed < first + count; seed++) {
        build(sc, seed);
        assert_int_equal(avail_compute(&sc->q, &e), 0);
        assert_int_equal(oracle_compute(&sc->q, &o), 0);
        tally(&c, sc, &e);
        if (compare(&e, &o) != 0 || booking_agrees(&sc->q, &e) != 0) {
            printf("scenario seed %u differs; re-run it alone from the build directory with "
                   "TRIPOD_SEED=%u ./test_avail_random\n",
                   seed, seed);
            if (++failures >= 5) break;
        }
    }
    printf("%u scenarios, %zu offered starts in all (%zu with local windows, %zu with solar "
           "windows); %zu without room in the windows, %zu without a place, %zu on days "
           "without a sunset\n",
           count, c.offered, c.local_offered, c.solar_offered, c.no_window, c.no_place, c.polar);
    free(sc);
    avail_result_free(&e);
    avail_result_free(&o);
    for (int i = 0; i < NZONES; i++)
        tz_zone_free(zones[i]);
    assert_int_equal(failures, 0);
    /* The scenarios must exercise offered starts, not only empty answers,
     * with windows of both kinds, and the windows' other outcomes. */
    if (count >= 1000) {
        assert_true(c.offered > count);
        assert_true(c.local_offered > count / 50 && c.solar_offered > count / 50);
        assert_true(c.no_window > 0 && c.no_place > 0 && c.polar > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_engine_matches_oracle)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
