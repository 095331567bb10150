/* event.h — a booking as an iCalendar VEVENT: the object PUT on the primary
 * calendar and the iTIP REQUEST / CANCEL mailed to attendees (libical). */
#ifndef TRIPOD_EVENT_H
#define TRIPOD_EVENT_H

#include <libical/ical.h>
#include <stdint.h>

#include "core/tz.h"

#define EVENT_MAX_ATTENDEES 8

typedef struct {
    const char *name; /* CN; may be NULL */
    const char *email;
    int chair; /* 1: ROLE=CHAIR (unused for agents and staff: REQ-PARTICIPANT) */
} event_person;

/* Everything an event says. Strings are borrowed. */
typedef struct {
    const char *uid;
    int sequence;
    int cancelled; /* STATUS:CANCELLED instead of CONFIRMED */
    tp_time start, end, stamp;
    const char *summary, *location, *description;
    event_person organizer;
    event_person attendees[EVENT_MAX_ATTENDEES];
    int nattendees;
} event_info;

/* The stable UID of booking ID, written into BUF (>= 48 bytes). Returns BUF. */
char *event_uid(int64_t booking, char *buf, size_t len);

/* Booking id of a UID made by event_uid(), or 0 for any other UID. */
int64_t event_uid_booking(const char *uid);

/* E as a VEVENT component (UID, SEQUENCE, DTSTAMP, DTSTART/DTEND in UTC,
 * SUMMARY, LOCATION, DESCRIPTION, STATUS, TRANSP, ORGANIZER, ATTENDEEs).
 * The caller frees it with icalcomponent_free() (or adds it to a calendar,
 * which then owns it). NULL when memory ran out or E is incomplete. */
icalcomponent *event_vevent(const event_info *e);

/* The VCALENDAR text of E. METHOD NULL: a plain calendar object (for PUT);
 * "REQUEST" or "CANCEL": an iTIP message. Returns a malloc'ed string the
 * caller frees, or NULL when memory ran out or E is incomplete. */
char *event_ics(const event_info *e, const char *method);

#endif
