/* validate.c — the shared input checks of validate.h; every refusal names the
 * field and says what to fix. */
#include "app/validate.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const val_days[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

int val_fail(val_error *e, const char *field, const char *fmt, ...)
{
    va_list ap;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return -1;
}

int val_id_text(const char *s, int64_t *out)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 18 || s[0] == '0' || strspn(s, "0123456789") != n) return -1;
    *out = strtoll(s, NULL, 10);
    return 0;
}

int val_id(const json_t *j, const char *field, int64_t *out, val_error *e)
{
    if (json_is_integer(j) && json_integer_value(j) > 0) {
        *out = json_integer_value(j);
        return 0;
    }
    if (json_is_string(j) && val_id_text(json_string_value(j), out) == 0) return 0;
    return val_fail(e, field, "must be an id (a string of digits such as \"12\")");
}

json_t *val_id_json(int64_t id)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)id);
    return json_string(buf);
}

static int val_cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int val_id_list(const json_t *j, const char *field, int64_t **out, size_t *n, val_error *e)
{
    char sub[160];
    size_t count = json_array_size(j);
    *out = NULL;
    *n = 0;
    if (!json_is_array(j)) return val_fail(e, field, "must be an array of ids");
    if (count > VAL_MAX_IDS) return val_fail(e, field, "at most %d ids", VAL_MAX_IDS);
    if (count == 0) return 0;
    int64_t *ids = malloc(count * sizeof *ids);
    if (!ids) return val_fail(e, field, "out of memory");
    for (size_t i = 0; i < count; i++) {
        snprintf(sub, sizeof sub, "%s[%zu]", field, i);
        if (val_id(json_array_get(j, i), sub, &ids[i], e) != 0) {
            free(ids);
            return -1;
        }
    }
    qsort(ids, count, sizeof *ids, val_cmp_id);
    for (size_t i = 1; i < count; i++) {
        if (ids[i] == ids[i - 1]) {
            long long dup = (long long)ids[i];
            free(ids);
            return val_fail(e, field, "id %lld appears twice", dup);
        }
    }
    *out = ids;
    *n = count;
    return 0;
}

int val_string(const json_t *j, const char *field, size_t maxlen, int allow_empty, const char **out,
               val_error *e)
{
    if (!json_is_string(j)) return val_fail(e, field, "must be a string");
    const char *s = json_string_value(j);
    size_t n = json_string_length(j);
    if (n == 0 && !allow_empty) return val_fail(e, field, "must not be empty");
    if (n > maxlen) return val_fail(e, field, "must be at most %zu characters", maxlen);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t')
            return val_fail(e, field, "must not contain control characters");
    *out = s;
    return 0;
}

int val_int(const json_t *j, const char *field, long min, long max, int *out, val_error *e)
{
    double v;
    if (json_is_integer(j))
        v = (double)json_integer_value(j);
    else if (json_is_real(j) && floor(json_real_value(j)) == json_real_value(j))
        v = json_real_value(j);
    else
        return val_fail(e, field, "must be a whole number from %ld to %ld", min, max);
    if (!(v >= (double)min && v <= (double)max))
        return val_fail(e, field, "must be a whole number from %ld to %ld", min, max);
    *out = (int)v;
    return 0;
}

int val_number(const json_t *j, const char *field, double min, double max, double *out,
               val_error *e)
{
    if (!json_is_number(j) || !isfinite(json_number_value(j)) || json_number_value(j) < min ||
        json_number_value(j) > max)
        return val_fail(e, field, "must be a number from %g to %g", min, max);
    *out = json_number_value(j);
    return 0;
}

int val_bool(const json_t *j, const char *field, int *out, val_error *e)
{
    if (!json_is_boolean(j)) return val_fail(e, field, "must be true or false");
    *out = json_is_true(j);
    return 0;
}

int val_email(const json_t *j, const char *field, val_error *e)
{
    const char *s;
    if (val_string(j, field, 254, 0, &s, e) != 0) return -1;
    const char *at = strchr(s, '@');
    const char *dot = at ? strrchr(at, '.') : NULL;
    int ok = at && at != s && !strchr(at + 1, '@') && dot && dot > at + 1 && dot[1] &&
             !strpbrk(s, " \t\n<>,;:\"()[]\\");
    return ok ? 0 : val_fail(e, field, "must be an e-mail address such as name@example.com");
}

int val_timezone(const json_t *j, const char *field, val_error *e)
{
    const char *s;
    if (val_string(j, field, 64, 0, &s, e) != 0) return -1;
    if (!tz_zone_get(s))
        return val_fail(
            e, field, "unknown time zone \"%.64s\" (use an IANA name such as America/New_York)", s);
    return 0;
}

int val_time(const json_t *j, const char *field, tp_time *out, val_error *e)
{
    if (!json_is_string(j) || tz_parse_rfc3339(json_string_value(j), out) != 0)
        return val_fail(e, field, "must be an RFC 3339 time such as 2030-06-03T09:00:00-04:00");
    return 0;
}

int val_date(const json_t *j, const char *field, int64_t *out, val_error *e)
{
    if (!json_is_string(j) || json_string_length(j) != 10 ||
        tz_parse_date(json_string_value(j), out) != 0)
        return val_fail(e, field, "must be a date such as 2030-06-04");
    return 0;
}

/* "HH:MM" → minutes; "24:00" only when END. */
static int val_hhmm(const json_t *j, int end, int *out)
{
    const char *s = json_string_value(j);
    if (!s || strlen(s) != 5 || s[2] != ':' || strspn(s, "0123456789:") != 5) return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && (m != 0 || !end))) return -1;
    *out = h * 60 + m;
    return 0;
}

int val_clock(const json_t *j, const char *field, int end, int *out, val_error *e)
{
    if (val_hhmm(j, end, out) != 0)
        return val_fail(e, field, "must be a time \"HH:MM\"%s", end ? " (24:00 allowed)" : "");
    return 0;
}

static int val_cmp_range(const void *a, const void *b)
{
    const avail_range *x = a, *y = b;
    return x->start - y->start;
}

/* One day's ranges [["09:00","17:00"], …] into *DAY. */
static int val_day(const json_t *j, const char *field, avail_day *day, val_error *e)
{
    char sub[160];
    memset(day, 0, sizeof *day);
    if (!json_is_array(j))
        return val_fail(e, field, "must be an array of [\"HH:MM\", \"HH:MM\"] ranges");
    if (json_array_size(j) > AVAIL_MAX_RANGES)
        return val_fail(e, field, "at most %d ranges per day", AVAIL_MAX_RANGES);
    for (size_t i = 0; i < json_array_size(j); i++) {
        const json_t *r = json_array_get(j, i);
        int a, b;
        snprintf(sub, sizeof sub, "%s[%zu]", field, i);
        if (!json_is_array(r) || json_array_size(r) != 2 || val_hhmm(json_array_get(r, 0), 0, &a) ||
            val_hhmm(json_array_get(r, 1), 1, &b))
            return val_fail(e, sub,
                            "must be a range [\"HH:MM\", \"HH:MM\"] (24:00 allowed as the end)");
        if (a >= b) return val_fail(e, sub, "the start must be before the end");
        day->r[day->n].start = (int16_t)a;
        day->r[day->n].end = (int16_t)b;
        day->n++;
    }
    qsort(day->r, (size_t)day->n, sizeof day->r[0], val_cmp_range);
    for (int i = 1; i < day->n; i++)
        if (day->r[i].start < day->r[i - 1].end)
            return val_fail(e, field, "ranges must not overlap");
    return 0;
}

int val_week(const json_t *j, const char *field, avail_week *out, val_error *e)
{
    char sub[160];
    if (!json_is_object(j))
        return val_fail(e, field, "must be an object {mon: [[\"09:00\",\"17:00\"]], …, sun: []}");
    if (val_known_keys(j, field,
                       (const char *const[]){"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL},
                       e) != 0)
        return -1;
    memset(out, 0, sizeof *out);
    for (int d = 0; d < 7; d++) {
        const json_t *day = json_object_get(j, val_days[d]);
        snprintf(sub, sizeof sub, "%s.%s", field, val_days[d]);
        if (day && !json_is_null(day) && val_day(day, sub, &out->day[d], e) != 0) return -1;
    }
    return 0;
}

static json_t *val_day_json(const avail_day *d)
{
    json_t *a = json_array();
    for (int i = 0; a && i < d->n; i++) {
        char s[12], t[12];
        snprintf(s, sizeof s, "%02d:%02d", d->r[i].start / 60, d->r[i].start % 60);
        snprintf(t, sizeof t, "%02d:%02d", d->r[i].end / 60, d->r[i].end % 60);
        json_array_append_new(a, json_pack("[s,s]", s, t));
    }
    return a;
}

json_t *val_week_json(const avail_week *w)
{
    json_t *o = json_object();
    for (int d = 0; o && d < 7; d++)
        json_object_set_new(o, val_days[d], val_day_json(&w->day[d]));
    return o;
}

static int val_cmp_exception(const void *a, const void *b)
{
    const avail_exception *x = a, *y = b;
    return (x->date > y->date) - (x->date < y->date);
}

int val_exceptions(const json_t *j, const char *field, avail_exception **out, size_t *n,
                   val_error *e)
{
    char sub[160];
    size_t count = json_array_size(j);
    avail_exception *ex = NULL;
    *out = NULL;
    *n = 0;
    if (!json_is_array(j))
        return val_fail(e, field, "must be an array of {date, off: true} or {date, hours}");
    if (count > VAL_MAX_EXCEPTIONS)
        return val_fail(e, field, "at most %d exceptions", VAL_MAX_EXCEPTIONS);
    if (count == 0) return 0;
    ex = calloc(count, sizeof *ex);
    if (!ex) return val_fail(e, field, "out of memory");
    for (size_t i = 0; i < count; i++) {
        const json_t *x = json_array_get(j, i);
        const json_t *off, *hours;
        snprintf(sub, sizeof sub, "%s[%zu]", field, i);
        if (!json_is_object(x)) {
            val_fail(e, sub, "must be {date, off: true} or {date, hours}");
            goto fail;
        }
        if (val_known_keys(x, sub, (const char *const[]){"date", "off", "hours", NULL}, e) != 0)
            goto fail;
        snprintf(sub, sizeof sub, "%s[%zu].date", field, i);
        if (val_date(json_object_get(x, "date"), sub, &ex[i].date, e) != 0) goto fail;
        off = json_object_get(x, "off");
        hours = json_object_get(x, "hours");
        if ((off && hours) || (!off && !hours) || (off && !json_is_true(off))) {
            snprintf(sub, sizeof sub, "%s[%zu]", field, i);
            val_fail(e, sub, "give either \"off\": true or \"hours\"");
            goto fail;
        }
        snprintf(sub, sizeof sub, "%s[%zu].hours", field, i);
        if (hours && val_day(hours, sub, &ex[i].hours, e) != 0) goto fail;
    }
    qsort(ex, count, sizeof *ex, val_cmp_exception);
    for (size_t i = 1; i < count; i++) {
        if (ex[i].date == ex[i - 1].date) {
            val_fail(e, field, "each date may appear only once");
            goto fail;
        }
    }
    *out = ex;
    *n = count;
    return 0;
fail:
    free(ex);
    return -1;
}

json_t *val_exceptions_json(const avail_exception *ex, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        char date[16];
        tz_format_date(ex[i].date, date, sizeof date);
        if (ex[i].hours.n == 0)
            json_array_append_new(a, json_pack("{s:s, s:b}", "date", date, "off", 1));
        else
            json_array_append_new(
                a, json_pack("{s:s, s:o}", "date", date, "hours", val_day_json(&ex[i].hours)));
    }
    return a;
}

int val_known_keys(const json_t *j, const char *field, const char *const *keys, val_error *e)
{
    const char *k;
    json_t *v;
    char sub[160];
    json_object_foreach((json_t *)j, k, v)
    {
        size_t i = 0;
        while (keys[i] && strcmp(keys[i], k) != 0)
            i++;
        if (!keys[i]) {
            if (field && *field)
                snprintf(sub, sizeof sub, "%s.%.100s", field, k);
            else
                snprintf(sub, sizeof sub, "%.100s", k);
            return val_fail(e, sub, "unknown field");
        }
    }
    return 0;
}

int val_price(const json_t *j, const char *field, int64_t *out, val_error *e)
{
    if (!json_is_integer(j) || json_integer_value(j) < 0 || json_integer_value(j) > VAL_MAX_PRICE)
        return val_fail(e, field, "must be a whole number of minor units (cents), from 0 to %ld",
                        VAL_MAX_PRICE);
    *out = (int64_t)json_integer_value(j);
    return 0;
}

int val_upper_code(const json_t *j, const char *field, size_t len, val_error *e)
{
    const char *s = json_string_value(j);
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; s && i < n; i++)
        if (s[i] < 'A' || s[i] > 'Z') n = 0;
    if (!s || n != len)
        return val_fail(e, field, "must be a code of %zu capital letters, e.g. %s", len,
                        len == 3 ? "USD" : "US");
    return 0;
}

/* Postal code forms: '9' a digit, 'A' a letter, ' ' an optional space,
 * anything else itself. */
static const struct {
    const char *country, *example;
    const char *forms[7];
} val_postal_forms[] = {
    {"US", "12345 or 12345-6789", {"99999", "99999-9999", NULL}},
    {"CA", "K1A 0B1", {"A9A 9A9", NULL}},
    {"GB", "SW1A 1AA", {"A9 9AA", "A99 9AA", "AA9 9AA", "AA99 9AA", "A9A 9AA", "AA9A 9AA", NULL}},
    {"AU", "2000", {"9999", NULL}},
    {"NZ", "6011", {"9999", NULL}},
    {"DE", "10115", {"99999", NULL}},
    {"FR", "75001", {"99999", NULL}},
    {"ES", "28001", {"99999", NULL}},
    {"IT", "00184", {"99999", NULL}},
    {"NL", "1012 AB", {"9999 AA", NULL}},
    {"BE", "1000", {"9999", NULL}},
    {"CH", "8001", {"9999", NULL}},
    {"AT", "1010", {"9999", NULL}},
    {"IE",
     "D02 X285",
     {"A99 A9A9", "A99 AAAA", "A99 A9AA", "A99 AA9A", "A99 AA99", "A99 A999", NULL}},
};

static int postal_matches(const char *form, const char *code)
{
    for (; *form; form++) {
        unsigned char c = (unsigned char)*code;
        if (*form == ' ') {
            if (c == ' ') code++;
            continue;
        }
        if (*form == '9' ? !isdigit(c) : *form == 'A' ? !isalpha(c) : c != (unsigned char)*form)
            return 0;
        code++;
    }
    return *code == '\0';
}

int val_postal_code(const char *country, const char *code, char *hint, size_t len)
{
    for (size_t i = 0; country && i < sizeof val_postal_forms / sizeof val_postal_forms[0]; i++) {
        if (strcmp(val_postal_forms[i].country, country) != 0) continue;
        for (const char *const *f = val_postal_forms[i].forms; *f; f++)
            if (postal_matches(*f, code)) return 0;
        snprintf(hint, len, "this is not a postal code of %s; they look like %s", country,
                 val_postal_forms[i].example);
        return -1;
    }
    return 0;
}
