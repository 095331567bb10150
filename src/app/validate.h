/* validate.h — input checks shared by the resource handlers: ids, strings,
 * numbers, e-mail, time zones, RFC 3339 times, wall-clock times, weekly hours
 * and dated exceptions. Each check returns 0, or -1 with what to fix and where. */
#ifndef TRIPOD_VALIDATE_H
#define TRIPOD_VALIDATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/avail.h"
#include "core/tz.h"

#define VAL_MAX_EXCEPTIONS 1000
#define VAL_MAX_IDS 200

/* Where and why a value was refused. */
typedef struct {
    char field[128];   /* path of the value, e.g. "hours.mon[0]" */
    char message[256]; /* a sentence saying what to fix */
} val_error;

/* Fills E (printf-style MESSAGE) and returns -1, so checks can `return val_fail(...)`. */
int val_fail(val_error *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An id: a string of 1–18 digits (not starting with 0) or a positive JSON
 * integer. */
int val_id(const json_t *j, const char *field, int64_t *out, val_error *e);
/* The same for text such as a path parameter; 0 or -1 (no message). */
int val_id_text(const char *s, int64_t *out);
/* An array of ids without duplicates (at most VAL_MAX_IDS), returned in
 * ascending order in *OUT (malloc'ed, the caller frees; NULL when empty). On
 * error nothing is allocated. */
int val_id_list(const json_t *j, const char *field, int64_t **out, size_t *n, val_error *e);
/* The id as it appears in JSON: a new string reference ("12"). */
json_t *val_id_json(int64_t id);

/* A string of 1..MAXLEN bytes (0..MAXLEN when ALLOW_EMPTY), no control
 * characters. *OUT is borrowed from J. */
int val_string(const json_t *j, const char *field, size_t maxlen, int allow_empty, const char **out,
               val_error *e);
/* An integer (a JSON integer, or a real with no fraction) in [MIN, MAX]. */
int val_int(const json_t *j, const char *field, long min, long max, int *out, val_error *e);
/* A finite number in [MIN, MAX]. */
int val_number(const json_t *j, const char *field, double min, double max, double *out,
               val_error *e);
int val_bool(const json_t *j, const char *field, int *out, val_error *e);
/* A plausible e-mail address: local@domain.tld, at most 254 bytes. */
int val_email(const json_t *j, const char *field, val_error *e);
/* An IANA time zone name tz_zone_get() knows. */
int val_timezone(const json_t *j, const char *field, val_error *e);
/* An RFC 3339 time with offset. */
int val_time(const json_t *j, const char *field, tp_time *out, val_error *e);
/* A date "YYYY-MM-DD" (days since 1970-01-01). */
int val_date(const json_t *j, const char *field, int64_t *out, val_error *e);

/* A wall-clock time "HH:MM" as minutes of the day; "24:00" (1440) only
 * when END (the end of a range). */
int val_clock(const json_t *j, const char *field, int end, int *out, val_error *e);

/* Weekly hours {mon:[["09:00","17:00"]], …, sun:[]}: missing days are days
 * off; ranges "HH:MM" with "24:00" allowed as an end, start < end, at most
 * AVAIL_MAX_RANGES per day, not overlapping (sorted in *OUT). */
int val_week(const json_t *j, const char *field, avail_week *out, val_error *e);
/* The canonical JSON of W (every day present, ranges sorted). New reference. */
json_t *val_week_json(const avail_week *w);

/* Exceptions [{date, off:true} | {date, hours:[["10:00","14:00"]]}], at most
 * VAL_MAX_EXCEPTIONS, unique dates; *OUT is sorted by date and malloc'ed (the
 * caller frees; NULL when empty). On error nothing is allocated. */
int val_exceptions(const json_t *j, const char *field, avail_exception **out, size_t *n,
                   val_error *e);
/* The canonical JSON of exceptions EX[0..n). New reference. */
json_t *val_exceptions_json(const avail_exception *ex, size_t n);

/* A price: a whole number of minor units of the business currency (cents),
 * 0 to VAL_MAX_PRICE. */
#define VAL_MAX_PRICE 1000000000L
int val_price(const json_t *j, const char *field, int64_t *out, val_error *e);

/* A code of LEN upper-case letters (ISO 4217 currency: 3, ISO 3166-1
 * alpha-2 country: 2). */
int val_upper_code(const json_t *j, const char *field, size_t len, val_error *e);

/* Whether postal code CODE has the form postal codes have in COUNTRY (ISO
 * 3166-1 alpha-2; the United States, Canada, the United Kingdom and a few
 * more are known, any other country accepts any code). 0, or -1 with a
 * sentence showing the form in HINT (LEN bytes). */
int val_postal_code(const char *country, const char *code, char *hint, size_t len);

/* Refuses any key of object J not in the NULL-terminated list KEYS. */
int val_known_keys(const json_t *j, const char *field, const char *const *keys, val_error *e);

#endif
