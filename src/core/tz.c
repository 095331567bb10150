/* tz.c — instants, civil dates, RFC 3339 and IANA zones. A zone is loaded once
 * through libical into an immutable table of UTC-offset changes; every later
 * lookup is a binary search over that table (no libical call, thread-safe). */
#include "core/tz.h"

#include <libical/ical.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"

#define TZ_TABLE_FROM 0LL            /* 1970-01-01T00:00:00Z */
#define TZ_TABLE_TO 4133980800LL     /* 2101-01-01T00:00:00Z */
#define TZ_SAMPLE_STEP (2 * 86400LL) /* no zone changes offset and back within 2 days */
#define TZ_MAX_SHIFT (15LL * 3600)   /* offsets stay within ±15 h */

struct tz_zone {
    char *name;
    size_t n;    /* entries; at least 1 */
    tp_time *at; /* at[0] = INT64_MIN; at[i] = instant the offset becomes off[i] */
    int32_t *off;
};

/* libical's builtin-zone cache is global: every libical call goes through this. */
static pthread_mutex_t tz_ical_lock = PTHREAD_MUTEX_INITIALIZER;

static int ical_offset(icaltimezone *zone, tp_time t)
{
    struct icaltimetype tt =
        icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
    int is_dst = 0;
    return icaltimezone_get_utc_offset_of_utc_time(zone, &tt, &is_dst);
}

/* Appends (at, off) to the table being built; returns -1 when out of memory. */
static int table_push(tz_zone *z, size_t *cap, tp_time at, int off)
{
    size_t at_cap = *cap; /* the two arrays grow alike; *CAP is the offsets' */
    if (ARRAY_RESERVE(z->at, at_cap, z->n + 1, 64) != 0 ||
        ARRAY_RESERVE(z->off, *cap, z->n + 1, 64) != 0)
        return -1;
    z->at[z->n] = at;
    z->off[z->n] = (int32_t)off;
    z->n++;
    return 0;
}

/* Samples the offset every TZ_SAMPLE_STEP and bisects each change to the second;
 * a second change in the same stretch is found by continuing from there. */
static int table_build(tz_zone *z, icaltimezone *zone)
{
    size_t cap = 0;
    /* Asking for the far end first makes libical expand its rules once. */
    (void)ical_offset(zone, TZ_TABLE_TO);
    int cur = ical_offset(zone, TZ_TABLE_FROM);
    if (table_push(z, &cap, INT64_MIN, cur) != 0) return -1;
    tp_time lo = TZ_TABLE_FROM;
    while (lo < TZ_TABLE_TO) {
        tp_time hi = lo + TZ_SAMPLE_STEP;
        int hioff = ical_offset(zone, hi);
        if (hioff == cur) {
            lo = hi;
            continue;
        }
        tp_time a = lo, b = hi; /* offset(a) == cur, offset(b) != cur */
        while (b - a > 1) {
            tp_time mid = a + (b - a) / 2;
            if (ical_offset(zone, mid) == cur)
                a = mid;
            else
                b = mid;
        }
        cur = ical_offset(zone, b);
        if (table_push(z, &cap, b, cur) != 0) return -1;
        lo = b;
    }
    return 0;
}

tz_zone *tz_zone_load(const char *name)
{
    if (!name || !*name) return NULL;
    tz_zone *z = calloc(1, sizeof *z);
    if (!z) return NULL;
    z->name = strdup(name);
    if (!z->name) goto fail;
    pthread_mutex_lock(&tz_ical_lock);
    icaltimezone *zone = icaltimezone_get_builtin_timezone(name);
    int rc = zone ? table_build(z, zone) : -1;
    pthread_mutex_unlock(&tz_ical_lock);
    if (rc != 0) goto fail;
    return z;
fail:
    tz_zone_free(z);
    return NULL;
}

void tz_zone_free(tz_zone *z)
{
    if (!z) return;
    free(z->name);
    free(z->at);
    free(z->off);
    free(z);
}

/* Zones loaded by tz_zone_get, newest first; entries are never removed. */
typedef struct shared_zone {
    tz_zone *zone;
    struct shared_zone *next;
} shared_zone;

static pthread_mutex_t tz_shared_lock = PTHREAD_MUTEX_INITIALIZER;
static shared_zone *tz_shared;

const tz_zone *tz_zone_get(const char *name)
{
    if (!name || !*name) return NULL;
    const tz_zone *found = NULL;
    pthread_mutex_lock(&tz_shared_lock);
    for (shared_zone *e = tz_shared; e && !found; e = e->next)
        if (strcmp(e->zone->name, name) == 0) found = e->zone;
    if (!found) {
        shared_zone *e = malloc(sizeof *e);
        tz_zone *z = e ? tz_zone_load(name) : NULL;
        if (z) {
            e->zone = z;
            e->next = tz_shared;
            tz_shared = e;
            found = z;
        } else {
            free(e);
        }
    }
    pthread_mutex_unlock(&tz_shared_lock);
    return found;
}

const char *tz_zone_name(const tz_zone *z)
{
    return z->name;
}

/* Index of the table entry in effect at T. */
static size_t entry_at(const tz_zone *z, tp_time t)
{
    size_t lo = 0, hi = z->n; /* at[lo] ≤ t < at[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->at[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

int tz_offset_at(const tz_zone *z, tp_time t)
{
    return z->off[entry_at(z, t)];
}

tp_time tz_next_change(const tz_zone *z, tp_time t)
{
    size_t i = entry_at(z, t);
    return i + 1 < z->n ? z->at[i + 1] : INT64_MAX;
}

int64_t tz_utc_to_local(const tz_zone *z, tp_time t)
{
    return t + tz_offset_at(z, t);
}

/* The earliest instant whose wall time is LOCAL, or INT64_MIN when LOCAL is in
 * a gap; then *GAP_OFF gets the offset in effect before the gap. */
static tp_time local_lookup(const tz_zone *z, int64_t local, int *gap_off)
{
    size_t first = entry_at(z, local - TZ_MAX_SHIFT);
    size_t last = entry_at(z, local + TZ_MAX_SHIFT);
    for (size_t j = first; j <= last; j++) {
        tp_time t = local - z->off[j];
        if (t >= z->at[j] && (j + 1 == z->n || t < z->at[j + 1])) return t;
    }
    *gap_off = z->off[first];
    for (size_t j = first + 1; j <= last; j++)
        if (local - z->off[j - 1] >= z->at[j] && local - z->off[j] < z->at[j]) {
            *gap_off = z->off[j - 1];
            break;
        }
    return INT64_MIN;
}

tp_time tz_local_to_utc(const tz_zone *z, int64_t local)
{
    int gap_off = 0;
    tp_time t = local_lookup(z, local, &gap_off);
    return t != INT64_MIN ? t : local - gap_off;
}

int tz_local_exists(const tz_zone *z, int64_t local)
{
    int gap_off = 0;
    return local_lookup(z, local, &gap_off) != INT64_MIN;
}

/* Howard Hinnant's days_from_civil / civil_from_days. */
int64_t tz_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tz_civil_from_days(int64_t days, int *y, int *m, int *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

int64_t tz_day_of(int64_t local)
{
    return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

void tz_format_date(int64_t days, char *buf, size_t len)
{
    int y, m, d;
    tz_civil_from_days(days, &y, &m, &d);
    snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
}

int tz_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (3). */
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

/* Reads exactly N decimal digits at *P, advancing it. -1 when not digits. */
static int read_digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    return v;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

/* Parses "YYYY-MM-DD" at *P, advancing it. -1 when malformed or invalid. */
static int read_date(const char **p, int64_t *days)
{
    int y = read_digits(p, 4);
    if (y < 0 || **p != '-') return -1;
    (*p)++;
    int m = read_digits(p, 2);
    if (m < 1 || m > 12 || **p != '-') return -1;
    (*p)++;
    int d = read_digits(p, 2);
    if (d < 1 || d > days_in_month(y, m)) return -1;
    *days = tz_days_from_civil(y, m, d);
    return 0;
}

int tz_parse_date(const char *s, int64_t *days)
{
    int64_t v;
    if (!s || read_date(&s, &v) != 0 || *s != '\0') return -1;
    *days = v;
    return 0;
}

int tz_parse_rfc3339(const char *s, tp_time *t)
{
    int64_t days;
    if (!s || read_date(&s, &days) != 0 || (*s != 'T' && *s != 't')) return -1;
    s++;
    int hh = read_digits(&s, 2);
    if (hh < 0 || hh > 23 || *s++ != ':') return -1;
    int mi = read_digits(&s, 2);
    if (mi < 0 || mi > 59 || *s++ != ':') return -1;
    int ss = read_digits(&s, 2);
    if (ss < 0 || ss > 59) return -1;
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9') return -1;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    int64_t off;
    if (*s == 'Z' || *s == 'z') {
        off = 0;
        s++;
    } else if (*s == '+' || *s == '-') {
        int sign = *s++ == '-' ? -1 : 1;
        int oh = read_digits(&s, 2);
        if (oh < 0 || oh > 23 || *s++ != ':') return -1;
        int om = read_digits(&s, 2);
        if (om < 0 || om > 59) return -1;
        off = sign * (oh * 3600 + om * 60);
    } else {
        return -1;
    }
    if (*s != '\0') return -1;
    *t = days * 86400 + hh * 3600 + mi * 60 + ss - off;
    return 0;
}

char *tz_format_rfc3339(const tz_zone *z, tp_time t, char *buf, size_t len)
{
    int off = tz_offset_at(z, t);
    int64_t local = t + off;
    int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int64_t sod = local - days * 86400;
    int y, m, d;
    tz_civil_from_days(days, &y, &m, &d);
    int aoff = off < 0 ? -off : off;
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, (int)(sod / 3600),
             (int)(sod / 60 % 60), (int)(sod % 60), off < 0 ? '-' : '+', aoff / 3600,
             aoff / 60 % 60);
    return buf;
}
