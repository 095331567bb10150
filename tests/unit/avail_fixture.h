/* avail_fixture.h — a small, editable availability scenario shared by the
 * engine's unit tests (cmocka): New York business, Mon–Sun 09:00–17:00, 30-min
 * step, 30-min buffer, photos 60 + video 60, one staff member, 2030-06-03. */
#ifndef TRIPOD_AVAIL_FIXTURE_H
#define TRIPOD_AVAIL_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/avail.h"

#define FX_STAFF 4

typedef struct {
    tz_zone *ny, *berlin;
    avail_rules rules;
    avail_item items[4];
    avail_property prop;
    avail_staff staff[FX_STAFF];
    avail_query q;
    avail_result r;
} fixture;

static inline tp_time fx_local(const tz_zone *z, int y, int mo, int d, int h, int mi)
{
    return tz_local_to_utc(z, tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60);
}

static inline tp_time fx_utc(int y, int mo, int d, int h, int mi)
{
    return tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static inline void fx_day(avail_day *d, int start_min, int end_min)
{
    d->r[d->n].start = (int16_t)start_min;
    d->r[d->n].end = (int16_t)end_min;
    d->n++;
}

static inline void fx_week(avail_week *w, int start_min, int end_min)
{
    memset(w, 0, sizeof *w);
    for (int i = 0; i < 7; i++)
        fx_day(&w->day[i], start_min, end_min);
}

/* The query covers local day Y-M-D in the business zone. */
static inline void fx_window(fixture *f, int y, int mo, int d)
{
    f->q.from = fx_local(f->rules.tz, y, mo, d, 0, 0);
    f->q.to = fx_local(f->rules.tz, y, mo, d + 1, 0, 0);
}

static inline fixture *fx_new(void)
{
    fixture *f = calloc(1, sizeof *f);
    f->ny = tz_zone_load("America/New_York");
    f->berlin = tz_zone_load("Europe/Berlin");
    f->rules.tz = f->ny;
    f->rules.buffer_min = 30;
    f->rules.step_min = 30;
    f->rules.notice_min = 0;
    f->rules.horizon_days = 60;
    fx_week(&f->rules.default_hours, 9 * 60, 17 * 60);
    f->items[0].minutes = 60;
    f->items[1].minutes = 60;
    f->prop.lat = NAN;
    f->prop.lon = NAN;
    for (int i = 0; i < FX_STAFF; i++) {
        avail_staff *s = &f->staff[i];
        s->id = 100 + i;
        s->active = 1;
        s->has_calendar = 1;
        s->home_lat = NAN;
        s->home_lon = NAN;
    }
    f->q.rules = &f->rules;
    f->q.items = f->items;
    f->q.nitems = 2;
    f->q.property = &f->prop;
    f->q.staff = f->staff;
    f->q.nstaff = 1;
    f->q.now = fx_utc(2030, 6, 1, 0, 0);
    fx_window(f, 2030, 6, 3);
    avail_result_init(&f->r);
    return f;
}

static inline void fx_free(fixture *f)
{
    avail_result_free(&f->r);
    tz_zone_free(f->ny);
    tz_zone_free(f->berlin);
    free(f);
}

/* cmocka setup and teardown: a new fixture in *STATE. */
static inline int fx_setup(void **state)
{
    *state = fx_new();
    return 0;
}

static inline int fx_teardown(void **state)
{
    fx_free(*state);
    return 0;
}

/* Computes the fixture's query and asserts its status is WANT. */
static inline void fx_compute(fixture *f, avail_status want)
{
    assert_int_equal(avail_compute(&f->q, &f->r), 0);
    assert_int_equal(f->r.status, want);
}

/* Asserts the offered starts are exactly WANT (ascending). */
static inline void fx_assert_starts(const fixture *f, const tp_time *want, size_t n)
{
    assert_int_equal(f->r.nslots, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f->r.slots[i].start, want[i]);
}

/* 1 when START is among the offered slots. */
static inline int fx_offered(const fixture *f, tp_time start)
{
    for (size_t i = 0; i < f->r.nslots; i++)
        if (f->r.slots[i].start == start) return 1;
    return 0;
}

#endif
