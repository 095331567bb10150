/* solar.h — sunrise and sunset at a place: NOAA's solar-position formulas
 * (the Solar Calculator's), standard refraction, pure functions, no I/O. */
#ifndef TRIPOD_SOLAR_H
#define TRIPOD_SOLAR_H

#include <stdint.h>

#include "core/tz.h"

typedef enum { SOLAR_SUNRISE = 0, SOLAR_SUNSET } solar_kind;

typedef enum {
    SOLAR_OK = 0,      /* the event happens; its instant is written */
    SOLAR_ALWAYS_UP,   /* the sun stays above the horizon: no rise or set (polar day) */
    SOLAR_ALWAYS_DOWN, /* the sun stays below the horizon: no rise or set (polar night) */
    SOLAR_NOT_ON_DATE /* solar_event_on only: the sun rises or sets that date, but not this event */
} solar_status;

/* The solar day DAY at longitude LON is civil date DAY (days since
 * 1970-01-01) in local mean time (UTC + LON / 15 h): its sunrise is the one
 * before its noon, its sunset the one after. Consecutive days' events are
 * ascending and about 24 h apart.
 *
 * Writes the instant of KIND on solar day DAY at LAT (degrees north, −90…90)
 * and LON (degrees east) into *AT, to the second, and returns SOLAR_OK; or
 * returns SOLAR_ALWAYS_UP / SOLAR_ALWAYS_DOWN (*AT untouched) when the sun
 * does not cross the horizon that day. The event is the instant the sun's
 * centre is 0.833° below the horizon (refraction 34′ + semidiameter 16′), as
 * in the NOAA Solar Calculator and the US Naval Observatory's tables; the sun's
 * position is taken at the event itself (iterated), not at noon. Non-finite
 * coordinates give SOLAR_ALWAYS_DOWN. */
solar_status solar_event(solar_kind kind, int64_t day, double lat, double lon, tp_time *at);

/* T rounded to the nearest minute, as tables and pages show events. */
tp_time solar_to_minute(tp_time t);

/* The solar day (local mean date at LON) of instant T. */
int64_t solar_day_of(tp_time t, double lon);

/* The event of KIND on civil date DATE in zone Z as published tables list
 * it: rounded to the minute and placed on the date of that minute (the
 * earlier one if two fall on that date). SOLAR_OK with *AT set; otherwise
 * why there is none: SOLAR_ALWAYS_UP / SOLAR_ALWAYS_DOWN when the sun stays
 * above / below the horizon the whole date, SOLAR_NOT_ON_DATE when it does
 * cross it (the other event happens) but this event falls on the date before
 * or after, or the sun starts to stay up or down. */
solar_status solar_event_on(solar_kind kind, const tz_zone *z, int64_t date, double lat, double lon,
                            tp_time *at);

#endif
