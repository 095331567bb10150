/* ics.c — reads iCalendar text with libical and expands every VEVENT
 * (RRULE, RDATE, EXDATE, overridden instances) into busy UTC instances. */
#include "cal/ics.h"

#include <libical/ical.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/array.h"

#define ZONE_SLOTS 16
#define DAY 86400

typedef struct {
    char *tzid;
    const tz_zone *sys; /* the system zone of that name (shared, tz_zone_get) */
    icaltimezone *vtz;  /* borrowed from the VCALENDAR when no system zone matched */
} zone_slot;

typedef struct {
    char *uid;
    tp_time rid;
} override;

typedef struct {
    const ics_opts *o;
    ics_list *out;
    icalcomponent *cal; /* the VCALENDAR being read */
    zone_slot zones[ZONE_SLOTS];
    size_t nzones;
    override *ovr;
    size_t novr, ovrcap;
    tp_time *inst; /* scratch: instance starts of one recurring event */
    size_t ninst, instcap;
    tp_time *exd; /* scratch: sorted EXDATE instants of one recurring event */
    size_t nexd, exdcap;
    char *err;
    size_t errlen;
} ctx;

/* How an event's instances are timed: DTSTART as written plus its length. */
typedef struct {
    struct icaltimetype start;
    const char *tzid;
    int all_day;
    int64_t days; /* all-day length in days */
    int64_t secs; /* timed length in seconds */
} timing;

static int fail(ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

void ics_opts_init(ics_opts *o, const tz_zone *owner_tz, const char *owner_email, tp_time from,
                   tp_time to)
{
    memset(o, 0, sizeof *o);
    o->owner_tz = owner_tz;
    o->owner_email = owner_email;
    o->from = from;
    o->to = to;
    o->max_bytes = 4u << 20;
    o->max_events = 20000;
    o->max_instances = 100000;
    o->max_steps = 200000;
}

void ics_list_free(ics_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].uid);
        free(l->v[i].summary);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int busy_cmp(const void *a, const void *b)
{
    const ics_busy *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return strcmp(x->uid, y->uid);
}

void ics_list_sort(ics_list *l)
{
    if (l->n < 2) return;
    qsort(l->v, l->n, sizeof *l->v, busy_cmp);
    size_t w = 1;
    for (size_t i = 1; i < l->n; i++) {
        if (busy_cmp(&l->v[w - 1], &l->v[i]) == 0) {
            free(l->v[i].uid);
            free(l->v[i].summary);
            continue;
        }
        l->v[w++] = l->v[i];
    }
    l->n = w;
}

/* A TZID names a system zone when it is an IANA name, possibly behind a
 * vendor prefix ("/mozilla.org/20050126_1/America/New_York"). */
static int tzid_plausible(const char *s)
{
    if (!*s || strstr(s, "..") || strlen(s) > 100) return 0;
    for (const char *p = s; *p; p++)
        if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') || ('0' <= *p && *p <= '9') ||
              strchr("/_-+.", *p)))
            return 0;
    return 1;
}

static const tz_zone *system_zone(const char *tzid)
{
    if (!tzid_plausible(tzid)) return NULL;
    for (const char *p = tzid; p; p = strchr(p + 1, '/')) {
        const char *name = *p == '/' ? p + 1 : p;
        if (*name && *name != '/') {
            const tz_zone *z = tz_zone_get(name);
            if (z) return z;
        }
    }
    return NULL;
}

static zone_slot *zone_for(ctx *c, const char *tzid)
{
    for (size_t i = 0; i < c->nzones; i++)
        if (strcmp(c->zones[i].tzid, tzid) == 0) return &c->zones[i];
    if (c->nzones == ZONE_SLOTS) return NULL;
    zone_slot *z = &c->zones[c->nzones];
    z->tzid = strdup(tzid);
    if (!z->tzid) return NULL;
    z->sys = system_zone(tzid);
    z->vtz = z->sys ? NULL : icalcomponent_get_timezone(c->cal, tzid);
    c->nzones++;
    return z;
}

static int64_t civil_seconds(struct icaltimetype t)
{
    return tz_days_from_civil(t.year, t.month, t.day) * DAY + t.hour * 3600 + t.minute * 60 +
           t.second;
}

/* The instant of T as written with TZID (NULL: UTC when T says so, else
 * floating in the owner's zone). A date is midnight in the owner's zone. */
static int to_utc(ctx *c, struct icaltimetype t, const char *tzid, tp_time *out)
{
    if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t) || t.month < 1 || t.month > 12)
        return -1;
    const tz_zone *owner = c->o->owner_tz;
    if (t.is_date) {
        *out = tz_local_to_utc(owner, tz_days_from_civil(t.year, t.month, t.day) * DAY);
        return 0;
    }
    if (icaltime_is_utc(t)) {
        *out = civil_seconds(t);
        return 0;
    }
    if (tzid) {
        zone_slot *z = zone_for(c, tzid);
        if (!z) return -1;
        if (z->sys) {
            *out = tz_local_to_utc(z->sys, civil_seconds(t));
            return 0;
        }
        if (z->vtz) {
            t.zone = NULL;
            *out = (tp_time)icaltime_as_timet_with_zone(t, z->vtz);
            return 0;
        }
    }
    *out = tz_local_to_utc(owner, civil_seconds(t));
    return 0;
}

static const char *prop_tzid(icalproperty *p)
{
    icalparameter *par = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
    return par ? icalparameter_get_tzid(par) : NULL;
}

static int same_email(const char *cal_address, const char *email)
{
    if (strncasecmp(cal_address, "mailto:", 7) == 0) cal_address += 7;
    return strcasecmp(cal_address, email) == 0;
}

/* 1 when the event takes no time of the owner: cancelled, transparent, or
 * declined by the owner. */
static int event_is_free(ctx *c, icalcomponent *ev)
{
    if (icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED) return 1;
    icalproperty *tp = icalcomponent_get_first_property(ev, ICAL_TRANSP_PROPERTY);
    if (tp) {
        icalproperty_transp tr = icalproperty_get_transp(tp);
        if (tr == ICAL_TRANSP_TRANSPARENT || tr == ICAL_TRANSP_TRANSPARENTNOCONFLICT) return 1;
    }
    const char *me = c->o->owner_email;
    if (!me || !*me) return 0;
    for (icalproperty *a = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY); a;
         a = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY)) {
        const char *addr = icalproperty_get_attendee(a);
        if (!addr || !same_email(addr, me)) continue;
        icalparameter *ps = icalproperty_get_first_parameter(a, ICAL_PARTSTAT_PARAMETER);
        if (ps && icalparameter_get_partstat(ps) == ICAL_PARTSTAT_DECLINED) return 1;
    }
    return 0;
}

static int event_timing(ctx *c, icalcomponent *ev, const char *uid, timing *tm)
{
    memset(tm, 0, sizeof *tm);
    icalproperty *ps = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
    tp_time s, e;
    if (!ps) return fail(c, "event %s: missing or invalid DTSTART", uid);
    tm->start = icalproperty_get_dtstart(ps);
    tm->tzid = prop_tzid(ps);
    tm->all_day = tm->start.is_date;
    if (to_utc(c, tm->start, tm->tzid, &s) != 0) return fail(c, "event %s: invalid DTSTART", uid);
    icalproperty *pe = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
    icalproperty *pd = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
    if (pe) {
        struct icaltimetype end = icalproperty_get_dtend(pe);
        if (to_utc(c, end, prop_tzid(pe), &e) != 0) return fail(c, "event %s: invalid DTEND", uid);
        if (tm->all_day)
            tm->days = tz_days_from_civil(end.year, end.month, end.day) -
                       tz_days_from_civil(tm->start.year, tm->start.month, tm->start.day);
        else
            tm->secs = e - s;
        if (tm->days < 0 || tm->secs < 0) return fail(c, "event %s: DTEND before DTSTART", uid);
    } else if (pd) {
        struct icaldurationtype d = icalproperty_get_duration(pd);
        if (icaldurationtype_is_bad_duration(d) || d.is_neg)
            return fail(c, "event %s: invalid DURATION", uid);
        if (tm->all_day)
            tm->days = (int64_t)d.weeks * 7 + d.days;
        else
            tm->secs = icaldurationtype_as_int(d);
    } else if (tm->all_day) {
        tm->days = 1;
    }
    return 0;
}

static int push(ctx *c, tp_time s, tp_time e, const char *uid, const char *summary)
{
    ics_list *l = c->out;
    if (l->n >= c->o->max_instances)
        return fail(c, "more than %zu busy instances", c->o->max_instances);
    if (ARRAY_RESERVE(l->v, l->cap, l->n + 1, 64) != 0) return fail(c, "out of memory");
    ics_busy *b = &l->v[l->n];
    b->start = s;
    b->end = e;
    b->uid = strdup(uid);
    b->summary = strdup(summary);
    if (!b->uid || !b->summary) {
        free(b->uid);
        free(b->summary);
        return fail(c, "out of memory");
    }
    l->n++;
    return 0;
}

/* Emits the instance starting at local time INST (written like tm->start). */
static int emit(ctx *c, const timing *tm, struct icaltimetype inst, const char *uid,
                const char *summary)
{
    tp_time s, e;
    if (tm->all_day) {
        int64_t d = tz_days_from_civil(inst.year, inst.month, inst.day);
        s = tz_local_to_utc(c->o->owner_tz, d * DAY);
        e = tz_local_to_utc(c->o->owner_tz, (d + tm->days) * DAY);
    } else {
        if (to_utc(c, inst, tm->tzid, &s) != 0)
            return fail(c, "event %s: invalid instance time", uid);
        e = s + tm->secs;
    }
    if (e <= s || e <= c->o->from || s >= c->o->to) return 0;
    return push(c, s, e, uid, summary);
}

static struct icaltimetype local_from_seconds(int64_t local, const struct icaltimetype *like)
{
    struct icaltimetype t = *like;
    int64_t days = local / DAY - (local % DAY < 0);
    int64_t sec = local - days * DAY;
    tz_civil_from_days(days, &t.year, &t.month, &t.day);
    t.hour = t.is_date ? 0 : (int)(sec / 3600);
    t.minute = t.is_date ? 0 : (int)(sec % 3600 / 60);
    t.second = t.is_date ? 0 : (int)(sec % 60);
    return t;
}

static int inst_add(ctx *c, tp_time s)
{
    if (ARRAY_RESERVE(c->inst, c->instcap, c->ninst + 1, 64) != 0) return fail(c, "out of memory");
    c->inst[c->ninst++] = s;
    return 0;
}

static int time_cmp(const void *a, const void *b)
{
    tp_time x = *(const tp_time *)a, y = *(const tp_time *)b;
    return x < y ? -1 : x > y;
}

/* Reads every EXDATE of EV once into c->exd, sorted, so that each instance
 * is checked by binary search (a feed may carry many thousands of them). */
static int exdates_collect(ctx *c, icalcomponent *ev, const char *uid)
{
    c->nexd = 0;
    for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY)) {
        tp_time x;
        if (to_utc(c, icalproperty_get_exdate(p), prop_tzid(p), &x) != 0)
            return fail(c, "event %s: invalid EXDATE", uid);
        if (ARRAY_RESERVE(c->exd, c->exdcap, c->nexd + 1, 16) != 0) return fail(c, "out of memory");
        c->exd[c->nexd++] = x;
    }
    if (c->nexd > 1) qsort(c->exd, c->nexd, sizeof *c->exd, time_cmp);
    return 0;
}

/* Collects the starts of one RRULE into c->inst, limited to the window. */
static int rrule_collect(ctx *c, const timing *tm, struct icalrecurrencetype rule, const char *uid,
                         int64_t span, size_t *steps)
{
    icalrecur_iterator *it = icalrecur_iterator_new(rule, tm->start);
    int rc = 0;
    if (!it) return fail(c, "event %s: unusable RRULE", uid);
    /* Endless or UNTIL rules jump close to the window; COUNT rules cannot. */
    int64_t jump = c->o->from - span - 3 * DAY;
    if (rule.count == 0 && jump > civil_seconds(tm->start) + 3 * DAY)
        icalrecur_iterator_set_start(it, local_from_seconds(jump, &tm->start));
    for (;;) {
        struct icaltimetype t = icalrecur_iterator_next(it);
        tp_time s;
        if (icaltime_is_null_time(t)) break;
        if (++*steps > c->o->max_steps) {
            rc = fail(c, "event %s: recurrence needs more than %zu steps", uid, c->o->max_steps);
            break;
        }
        t.is_date = tm->start.is_date;
        t.zone = tm->start.zone;
        if (to_utc(c, t, tm->all_day ? NULL : tm->tzid, &s) != 0) {
            rc = fail(c, "event %s: invalid recurrence instance", uid);
            break;
        }
        if (s >= c->o->to + DAY) break;
        if (s + span > c->o->from && (rc = inst_add(c, s)) != 0) break;
    }
    icalrecur_iterator_free(it);
    return rc;
}

static int override_cmp(const void *a, const void *b)
{
    const override *x = a, *y = b;
    return x->rid < y->rid ? -1 : x->rid > y->rid;
}

/* c->ovr is sorted by rid: binary search, then the few with that rid. */
static int is_overridden(ctx *c, const char *uid, tp_time s)
{
    size_t lo = 0, hi = c->novr;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->ovr[mid].rid < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < c->novr && c->ovr[i].rid == s; i++)
        if (strcmp(c->ovr[i].uid, uid) == 0) return 1;
    return 0;
}

/* Expands a recurring master: DTSTART, RRULEs and RDATEs, minus EXDATEs and
 * the instances that have their own overriding VEVENT. */
static int expand(ctx *c, icalcomponent *ev, const timing *tm, const char *uid, const char *summary)
{
    int64_t span = tm->all_day ? (tm->days + 2) * DAY : tm->secs + DAY;
    size_t steps = 0;
    tp_time s;
    int rc = 0;
    c->ninst = 0;
    if (to_utc(c, tm->start, tm->tzid, &s) != 0 || (rc = inst_add(c, s)) != 0)
        return rc ? rc : fail(c, "event %s: invalid DTSTART", uid);
    for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY); p;
         p = icalcomponent_get_next_property(ev, ICAL_RRULE_PROPERTY)) {
        struct icalrecurrencetype rule = icalproperty_get_rrule(p);
        if (rule.freq == ICAL_NO_RECURRENCE) return fail(c, "event %s: invalid RRULE", uid);
        if ((rc = rrule_collect(c, tm, rule, uid, span, &steps)) != 0) return rc;
    }
    for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(ev, ICAL_RDATE_PROPERTY)) {
        struct icaldatetimeperiodtype rd = icalproperty_get_rdate(p);
        struct icaltimetype t = icaltime_is_null_time(rd.time) ? rd.period.start : rd.time;
        if (to_utc(c, t, prop_tzid(p), &s) != 0) return fail(c, "event %s: invalid RDATE", uid);
        if ((rc = inst_add(c, s)) != 0) return rc;
    }
    if ((rc = exdates_collect(c, ev, uid)) != 0) return rc;
    qsort(c->inst, c->ninst, sizeof *c->inst, time_cmp);
    for (size_t i = 0; i < c->ninst; i++) {
        if (i > 0 && c->inst[i] == c->inst[i - 1]) continue;
        s = c->inst[i];
        if (is_overridden(c, uid, s) ||
            (c->nexd && bsearch(&s, c->exd, c->nexd, sizeof *c->exd, time_cmp)))
            continue;
        /* Re-read the instance in its own zone so that emit() applies the length. */
        struct icaltimetype local;
        if (tm->all_day)
            local = local_from_seconds(tz_utc_to_local(c->o->owner_tz, s), &tm->start);
        else
            local = icaltime_from_timet_with_zone((time_t)s, 0, icaltimezone_get_utc_timezone());
        timing inst = *tm;
        if (!tm->all_day) inst.tzid = NULL;
        if ((rc = emit(c, &inst, local, uid, summary)) != 0) return rc;
    }
    return 0;
}

static int collect_overrides(ctx *c)
{
    for (icalcomponent *ev = icalcomponent_get_first_component(c->cal, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(c->cal, ICAL_VEVENT_COMPONENT)) {
        icalproperty *p = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);
        const char *uid = icalcomponent_get_uid(ev);
        tp_time rid;
        if (!p || !uid) continue;
        if (to_utc(c, icalproperty_get_recurrenceid(p), prop_tzid(p), &rid) != 0)
            return fail(c, "event %s: invalid RECURRENCE-ID", uid);
        if (ARRAY_RESERVE(c->ovr, c->ovrcap, c->novr + 1, 16) != 0) return fail(c, "out of memory");
        c->ovr[c->novr].uid = strdup(uid);
        if (!c->ovr[c->novr].uid) return fail(c, "out of memory");
        c->ovr[c->novr++].rid = rid;
    }
    if (c->novr > 1) qsort(c->ovr, c->novr, sizeof *c->ovr, override_cmp);
    return 0;
}

static int read_calendar(ctx *c)
{
    int rc = collect_overrides(c);
    for (icalcomponent *ev = icalcomponent_get_first_component(c->cal, ICAL_VEVENT_COMPONENT);
         ev && rc == 0; ev = icalcomponent_get_next_component(c->cal, ICAL_VEVENT_COMPONENT)) {
        const char *uid = icalcomponent_get_uid(ev);
        const char *summary = icalcomponent_get_summary(ev);
        timing tm;
        if (++c->out->events > c->o->max_events)
            return fail(c, "more than %zu events", c->o->max_events);
        uid = uid ? uid : "";
        summary = summary ? summary : "";
        if ((rc = event_timing(c, ev, uid, &tm)) != 0 || event_is_free(c, ev)) continue;
        int recurring = !icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY) &&
                        (icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY) ||
                         icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY));
        rc = recurring ? expand(c, ev, &tm, uid, summary) : emit(c, &tm, tm.start, uid, summary);
    }
    return rc;
}

static void ctx_free(ctx *c)
{
    for (size_t i = 0; i < c->nzones; i++)
        free(c->zones[i].tzid);
    for (size_t i = 0; i < c->novr; i++)
        free(c->ovr[i].uid);
    free(c->ovr);
    free(c->inst);
    free(c->exd);
}

int ics_parse(const char *text, size_t len, const ics_opts *o, ics_list *out, char *err,
              size_t errlen)
{
    ctx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.out = out;
    c.err = err;
    c.errlen = errlen;
    if (len > o->max_bytes) return fail(&c, "calendar data larger than %zu bytes", o->max_bytes);
    char *buf = malloc(len + 1);
    if (!buf) return fail(&c, "out of memory");
    memcpy(buf, text, len);
    buf[len] = '\0';
    icalcomponent *root = icalparser_parse_string(buf);
    free(buf);
    int rc = 0;
    if (!root) {
        rc = fail(&c, "not iCalendar data");
        goto out;
    }
    if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
        c.cal = root;
        rc = read_calendar(&c);
    } else if (icalcomponent_isa(root) == ICAL_XROOT_COMPONENT) {
        for (icalcomponent *k = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
             k && rc == 0; k = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT)) {
            ctx_free(&c);
            memset(c.zones, 0, sizeof c.zones);
            c.nzones = c.novr = c.ovrcap = c.ninst = c.instcap = c.nexd = c.exdcap = 0;
            c.ovr = NULL;
            c.inst = NULL;
            c.exd = NULL;
            c.cal = k;
            rc = read_calendar(&c);
        }
    } else {
        rc = fail(&c, "not a VCALENDAR");
    }
out:
    ctx_free(&c);
    if (root) icalcomponent_free(root);
    return rc;
}
