/* event.c — builds a booking's VEVENT and its iTIP REQUEST / CANCEL with
 * libical, so escaping and line folding follow RFC 5545. */
#include "cal/event.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UID_PREFIX "tripod-booking-"
#define UID_SUFFIX "@tripod"

char *event_uid(int64_t booking, char *buf, size_t len)
{
    snprintf(buf, len, UID_PREFIX "%lld" UID_SUFFIX, (long long)booking);
    return buf;
}

int64_t event_uid_booking(const char *uid)
{
    size_t pl = strlen(UID_PREFIX);
    if (!uid || strncmp(uid, UID_PREFIX, pl) != 0) return 0;
    char *end;
    long long id = strtoll(uid + pl, &end, 10);
    return id > 0 && strcmp(end, UID_SUFFIX) == 0 ? (int64_t)id : 0;
}

static struct icaltimetype utc_time(tp_time t)
{
    return icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
}

/* "mailto:EMAIL" with CN, and ROLE/PARTSTAT/RSVP for attendees. */
static icalproperty *person(const event_person *p, int attendee)
{
    char addr[512];
    snprintf(addr, sizeof addr, "mailto:%s", p->email);
    icalproperty *prop =
        attendee ? icalproperty_new_attendee(addr) : icalproperty_new_organizer(addr);
    if (!prop) return NULL;
    if (p->name && *p->name) icalproperty_add_parameter(prop, icalparameter_new_cn(p->name));
    if (attendee) {
        icalproperty_add_parameter(
            prop, icalparameter_new_role(p->chair ? ICAL_ROLE_CHAIR : ICAL_ROLE_REQPARTICIPANT));
        icalproperty_add_parameter(prop, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
        icalproperty_add_parameter(prop, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
    }
    return prop;
}

icalcomponent *event_vevent(const event_info *e)
{
    if (!e->uid || !e->organizer.email || e->end <= e->start || e->nattendees < 0 ||
        e->nattendees > EVENT_MAX_ATTENDEES)
        return NULL;
    icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    if (!ev) return NULL;
    icalcomponent_add_property(ev, icalproperty_new_uid(e->uid));
    icalcomponent_add_property(ev, icalproperty_new_sequence(e->sequence));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(utc_time(e->stamp)));
    icalcomponent_add_property(ev, icalproperty_new_dtstart(utc_time(e->start)));
    icalcomponent_add_property(ev, icalproperty_new_dtend(utc_time(e->end)));
    icalcomponent_add_property(ev, icalproperty_new_summary(e->summary ? e->summary : ""));
    if (e->location && *e->location)
        icalcomponent_add_property(ev, icalproperty_new_location(e->location));
    if (e->description && *e->description)
        icalcomponent_add_property(ev, icalproperty_new_description(e->description));
    icalcomponent_add_property(
        ev, icalproperty_new_status(e->cancelled ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
    icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
    icalproperty *org = person(&e->organizer, 0);
    if (org) icalcomponent_add_property(ev, org);
    for (int i = 0; i < e->nattendees; i++) {
        icalproperty *a = person(&e->attendees[i], 1);
        if (a) icalcomponent_add_property(ev, a);
    }
    return ev;
}

char *event_ics(const event_info *e, const char *method)
{
    icalcomponent *ev = event_vevent(e);
    icalcomponent *cal = ev ? icalcomponent_new(ICAL_VCALENDAR_COMPONENT) : NULL;
    char *out = NULL;
    if (!cal) {
        if (ev) icalcomponent_free(ev);
        return NULL;
    }
    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_prodid("-//Tripod//Booking//EN"));
    if (method)
        icalcomponent_add_property(cal, icalproperty_new_method(strcmp(method, "CANCEL") == 0
                                                                    ? ICAL_METHOD_CANCEL
                                                                    : ICAL_METHOD_REQUEST));
    icalcomponent_add_component(cal, ev);
    out = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    return out;
}
