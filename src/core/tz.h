/* tz.h — instants, civil dates and IANA time zones (libical on the system tz
 * database). Tripod stores and compares UTC instants; wall-clock times exist
 * only at the edges (working hours, slot alignment, display). */
#ifndef TRIPOD_TZ_H
#define TRIPOD_TZ_H

#include <stddef.h>
#include <stdint.h>

/* An instant: seconds since 1970-01-01T00:00:00Z. */
typedef int64_t tp_time;

/* A loaded zone: an immutable table of UTC-offset transitions, safe to share
 * between threads once loaded. */
typedef struct tz_zone tz_zone;

/* Loads the IANA zone NAME (e.g. "America/New_York", "UTC"). Returns a new
 * zone the caller frees with tz_zone_free(), or NULL when the name is not a
 * known zone (nothing is allocated then). */
tz_zone *tz_zone_load(const char *name);
void tz_zone_free(tz_zone *z); /* accepts NULL */

/* The zone NAME, loaded once per process and shared: the result is borrowed,
 * immutable and valid until the process exits (never free it). Thread-safe.
 * NULL when the name is not a known zone (unknown names are not remembered,
 * so hostile input cannot grow the cache). Use this wherever a zone is looked
 * up by name at run time; a load costs milliseconds. */
const tz_zone *tz_zone_get(const char *name);
const char *tz_zone_name(const tz_zone *z);

/* Seconds east of UTC in effect at instant T. */
int tz_offset_at(const tz_zone *z, tp_time t);

/* The first instant after T at which Z's UTC offset changes; INT64_MAX when
 * it never changes again. With tz_offset_at this walks the constant-offset
 * stretches of a window without any libical call. */
tp_time tz_next_change(const tz_zone *z, tp_time t);

/* Wall-clock seconds (seconds since 1970-01-01T00:00 on the local calendar)
 * of instant T. */
int64_t tz_utc_to_local(const tz_zone *z, tp_time t);

/* The instant of wall-clock time LOCAL. Where the wall time occurs twice
 * (fall back) the earlier instant is returned; where it does not occur
 * (spring forward gap) it is read with the offset in effect before the gap,
 * so 02:30 in a 02:00→03:00 gap becomes 03:30 after it. */
tp_time tz_local_to_utc(const tz_zone *z, int64_t local);

/* 1 when wall-clock time LOCAL exists exactly as written (not in a gap). */
int tz_local_exists(const tz_zone *z, int64_t local);

/* Civil calendar (proleptic Gregorian). Days are counted from 1970-01-01. */
int64_t tz_days_from_civil(int y, int m, int d);
void tz_civil_from_days(int64_t days, int *y, int *m, int *d);
int tz_weekday(int64_t days); /* 0 = Monday … 6 = Sunday */

/* The calendar day (days since 1970-01-01) of wall-clock seconds LOCAL
 * (tz_utc_to_local's answer), rounding down before 1970 too. */
int64_t tz_day_of(int64_t local);

/* Writes local day DAYS as "YYYY-MM-DD" into BUF (at least 11 bytes for
 * years 0–9999). */
void tz_format_date(int64_t days, char *buf, size_t len);

/* Parses RFC 3339 ("2030-06-03T09:00:00-04:00", "…Z", fractional seconds
 * ignored) into *T. Returns 0, or -1 on malformed input (*T untouched). */
int tz_parse_rfc3339(const char *s, tp_time *t);

/* Parses a date "YYYY-MM-DD" into days since 1970-01-01. 0 or -1. */
int tz_parse_date(const char *s, int64_t *days);

/* Formats T as RFC 3339 with the offset of zone Z ("2030-06-03T09:00:00-04:00";
 * "Z" never used, "+00:00" instead). BUF needs 26 bytes. Returns BUF. */
char *tz_format_rfc3339(const tz_zone *z, tp_time t, char *buf, size_t len);

#endif
