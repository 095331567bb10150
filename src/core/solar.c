/* solar.c — sunrise and sunset by NOAA's Solar Calculator formulas (Julian
 * century, mean longitude and anomaly, equation of centre, apparent
 * longitude, corrected obliquity, declination, equation of time, hour angle
 * at zenith 90.833°), with the sun's position iterated to the event itself. */
#include "core/solar.h"

#include <math.h>

#define SOLAR_PI 3.14159265358979323846
#define SOLAR_ZENITH 90.833 /* degrees: refraction 34′ + the sun's semidiameter 16′ */
#define SOLAR_ITERATIONS 12 /* the event moves < 1 s after 3 or 4 */

static double rad(double d)
{
    return d * (SOLAR_PI / 180.0);
}

static double deg(double r)
{
    return r * (180.0 / SOLAR_PI);
}

/* The sun's declination (degrees) and the equation of time (minutes) at
 * instant T (seconds since 1970, UT). */
static void sun_at(double t, double *decl, double *eqtime)
{
    double jc = (t / 86400.0 + 2440587.5 - 2451545.0) / 36525.0; /* Julian centuries from J2000 */
    double l0 = fmod(280.46646 + jc * (36000.76983 + jc * 0.0003032), 360.0);
    double m = rad(357.52911 + jc * (35999.05029 - 0.0001537 * jc));
    double e = 0.016708634 - jc * (0.000042037 + 0.0000001267 * jc);
    double centre = sin(m) * (1.914602 - jc * (0.004817 + 0.000014 * jc)) +
                    sin(2 * m) * (0.019993 - 0.000101 * jc) + sin(3 * m) * 0.000289;
    double omega = rad(125.04 - 1934.136 * jc);
    double lambda = rad(l0 + centre - 0.00569 - 0.00478 * sin(omega));
    double seconds = 21.448 - jc * (46.8150 + jc * (0.00059 - jc * 0.001813));
    double eps = rad(23.0 + (26.0 + seconds / 60.0) / 60.0 + 0.00256 * cos(omega));
    *decl = deg(asin(sin(eps) * sin(lambda)));
    double y = tan(eps / 2) * tan(eps / 2), l0r = rad(l0);
    double eq = y * sin(2 * l0r) - 2 * e * sin(m) + 4 * e * y * sin(m) * cos(2 * l0r) -
                0.5 * y * y * sin(4 * l0r) - 1.25 * e * e * sin(2 * m);
    *eqtime = deg(eq) * 4.0;
}

tp_time solar_to_minute(tp_time t)
{
    int64_t r = ((t + 30) % 60 + 60) % 60;
    return t + 30 - r;
}

int64_t solar_day_of(tp_time t, double lon)
{
    return (int64_t)floor(((double)t + lon * 240.0) / 86400.0);
}

solar_status solar_event(solar_kind kind, int64_t day, double lat, double lon, tp_time *at)
{
    if (!isfinite(lat) || !isfinite(lon) || lat < -90 || lat > 90) return SOLAR_ALWAYS_DOWN;
    if (fabs(lat) > 89.9999) lat = lat > 0 ? 89.9999 : -89.9999;       /* keeps cos(lat) > 0 */
    const double noon = (double)day * 86400.0 + 43200.0 - lon * 240.0; /* mean noon, UT */
    const double sign = kind == SOLAR_SUNSET ? 1.0 : -1.0;
    /* Where the sun only just crosses the horizon, the crossing is near the
     * day's highest point (noon: polar night ending or starting) or its
     * lowest (the midnight on the event's side: polar day); the sun's
     * position there decides whether the event happens at all. */
    const double highest = noon, lowest = noon + sign * 43200.0;
    double t = noon + sign * 21600.0, event = t;
    int found = 0, converged = 0;
    for (int i = 0; i < SOLAR_ITERATIONS && !converged; i++) {
        double decl, eqtime;
        sun_at(t, &decl, &eqtime);
        double arg = cos(rad(SOLAR_ZENITH)) / (cos(rad(lat)) * cos(rad(decl))) -
                     tan(rad(lat)) * tan(rad(decl));
        if (arg > 1 || arg < -1) {
            double extreme = arg > 1 ? highest : lowest;
            if (t == extreme || (!found && i == SOLAR_ITERATIONS - 1))
                return arg > 1 ? SOLAR_ALWAYS_DOWN : SOLAR_ALWAYS_UP;
            t = extreme;
            continue;
        }
        event = noon - eqtime * 60.0 + sign * deg(acos(arg)) * 240.0;
        found = 1;
        converged = fabs(event - t) < 0.5;
        t = event;
    }
    *at = (tp_time)floor(event + 0.5);
    return SOLAR_OK;
}

/* The sun's altitude (degrees) at instant T at LAT, LON. */
static double sun_altitude(tp_time t, double lat, double lon)
{
    double decl, eqtime;
    sun_at((double)t, &decl, &eqtime);
    double minutes = fmod((double)t / 60.0 + eqtime + 4.0 * lon, 1440.0); /* true solar time */
    double hour_angle = rad(minutes / 4.0 - 180.0);
    return deg(
        asin(sin(rad(lat)) * sin(rad(decl)) + cos(rad(lat)) * cos(rad(decl)) * cos(hour_angle)));
}

/* The first event of KIND in [FROM, TO), rounded to the minute and placed by
 * that minute, among the solar days around D0. 1 and *AT set, or 0. */
static int first_in(solar_kind kind, tp_time from, tp_time to, int64_t d0, double lat, double lon,
                    tp_time *at)
{
    /* A zone's clock stays within a day of local mean time, so two solar days
     * either side cover every event that can fall on one date. */
    for (int64_t d = d0 - 2; d <= d0 + 2; d++) {
        tp_time t;
        if (solar_event(kind, d, lat, lon, &t) != SOLAR_OK) continue;
        t = solar_to_minute(t);
        if (t >= from && t < to) {
            *at = t;
            return 1;
        }
    }
    return 0;
}

solar_status solar_event_on(solar_kind kind, const tz_zone *z, int64_t date, double lat, double lon,
                            tp_time *at)
{
    const tp_time from = tz_local_to_utc(z, date * 86400);
    const tp_time to = tz_local_to_utc(z, date * 86400 + 86400);
    const int64_t d0 = solar_day_of(tz_local_to_utc(z, date * 86400 + 43200), lon);
    tp_time other;
    if (first_in(kind, from, to, d0, lat, lon, at)) return SOLAR_OK;
    solar_kind opposite = kind == SOLAR_SUNSET ? SOLAR_SUNRISE : SOLAR_SUNSET;
    if (first_in(opposite, from, to, d0, lat, lon, &other)) return SOLAR_NOT_ON_DATE;
    /* Neither a rise nor a set that date: the sun stays up or down all along. */
    return sun_altitude(from + (to - from) / 2, lat, lon) > 90.0 - SOLAR_ZENITH ? SOLAR_ALWAYS_UP
                                                                                : SOLAR_ALWAYS_DOWN;
}
