/* google.h — Google Calendar API v3 for a connected account: the calendar
 * list, busy time (events.list with singleEvents, paged, incremental with
 * sync tokens) and the booking's event (events.insert / patch / delete with
 * sendUpdates=all, idempotent through a client-supplied event id). */
#ifndef TRIPOD_GOOGLE_H
#define TRIPOD_GOOGLE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cal/davsync.h"
#include "cal/ics.h"
#include "cal/provider.h"

/* The event id Tripod gives booking BOOKING's event: base32hex characters
 * only ("tripodbooking" + digits, 14+ characters), as events.insert asks. */
char *google_event_id(int64_t booking, char *buf, size_t len);

/* Parses one events.list page TEXT[0..LEN) into SET (each event one resource
 * keyed by its id; see provider_set_add): cancelled events are gone;
 * transparent events and those the owner (attendee with self) declined are
 * free; all-day events block the owner's local days of O->owner_tz. Events
 * of Tripod bookings get the booking's UID. *PAGE / *SYNC (malloc'ed, may be
 * NULL) get nextPageToken / nextSyncToken. 0, or -1 with ERR for malformed
 * JSON or an event without id/times or O's bounds exceeded. Untrusted input:
 * never crashes, bounded. */
int google_parse_events(const char *text, size_t len, const ics_opts *o, davsync_set *set,
                        char **page, char **sync, char *err, size_t errlen);

/* Parses one calendarList.list page into ARR (appends {remote_id, name,
 * primary, can_write}: accessRole owner or writer can be written). *EMAIL
 * gets the primary calendar's id (the account's address) when this page has
 * it and *EMAIL is NULL; *PAGE the nextPageToken. 0, or -1 with ERR. */
int google_parse_calendars(const char *text, size_t len, json_t *arr, char **email, char **page,
                           char *err, size_t errlen);

/* Lists the account's calendars (every page) into *OUT (new array) and its
 * address into *EMAIL (malloc'ed). 0, or -1 with ERR. */
int google_calendars(provider_session *s, json_t **out, char **email, char *err, size_t errlen);

/* Reads calendar CAL: all of O's window when TOKEN is NULL, else what
 * changed since sync token TOKEN; *NEW_TOKEN gets the next one. 0;
 * PROVIDER_GONE (410: the token is no longer valid, read in full); -1 with ERR. */
int google_read(provider_session *s, const char *cal, const char *token, const ics_opts *o,
                davsync_set *set, char **new_token, char *err, size_t errlen);

/* Writes booking BOOKING's event EV (outbox payload "event": summary,
 * location, description, start, end, attendees [{name, email}], cancelled)
 * to calendar CAL: patch, insert with its id when missing, delete when
 * cancelled; always sendUpdates=all so Google mails the attendees. 0, or -1
 * with ERR and *RETRY_AFTER (seconds the provider asked to wait, or 0). */
int google_write(provider_session *s, const char *cal, int64_t booking, const json_t *ev,
                 long *retry_after, char *err, size_t errlen);

#endif
