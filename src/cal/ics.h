/* ics.h — iCalendar text → busy intervals of one calendar owner inside a
 * window: recurrence fully expanded, time zones resolved, free time dropped. */
#ifndef TRIPOD_ICS_H
#define TRIPOD_ICS_H

#include <stddef.h>

#include "core/tz.h"

/* One busy instance [start, end) in UTC. */
typedef struct {
    tp_time start, end;
    char *uid;     /* malloc'ed, never NULL ("" when the event has none) */
    char *summary; /* malloc'ed, never NULL */
} ics_busy;

/* A growing list of busy instances; starts zeroed, freed with ics_list_free. */
typedef struct {
    ics_busy *v;
    size_t n, cap;
    size_t events; /* VEVENTs read so far (every call to ics_parse adds) */
} ics_list;

void ics_list_free(ics_list *l); /* frees every entry and zeroes L; accepts NULL */

/* Sorts by start, then end, then uid, and drops exact duplicates. */
void ics_list_sort(ics_list *l);

typedef struct {
    const tz_zone *owner_tz; /* floating times and all-day dates are read in this zone */
    const char *owner_email; /* the owner's own declined invitations are free; NULL: none */
    tp_time from, to;        /* keep instances overlapping [from, to) */
    size_t max_bytes;        /* per text handed to ics_parse */
    size_t max_events;       /* VEVENTs over all calls on one list */
    size_t max_instances;    /* busy instances kept in one list */
    size_t max_steps;        /* recurrence iterations per recurring event */
} ics_opts;

/* Fills O with the default bounds (4 MiB, 20,000 events, 100,000 instances,
 * 200,000 steps) for OWNER_TZ, OWNER_EMAIL and the window [FROM, TO). */
void ics_opts_init(ics_opts *o, const tz_zone *owner_tz, const char *owner_email, tp_time from,
                   tp_time to);

/* Parses one iCalendar object TEXT[0..LEN) (a VCALENDAR with any number of
 * VEVENTs, e.g. an ICS feed or one CalDAV resource) and appends its busy
 * instances to OUT: opaque, not cancelled, not declined by the owner.
 * Returns 0, or -1 with a one-line reason in ERR when the text is not
 * iCalendar, an event is malformed, or a bound is exceeded; on failure OUT
 * may hold part of the text's instances (callers discard the whole list). */
int ics_parse(const char *text, size_t len, const ics_opts *o, ics_list *out, char *err,
              size_t errlen);

#endif
