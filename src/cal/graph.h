/* graph.h — Microsoft Graph v1.0 for a connected Microsoft 365 account: the
 * calendar list, the account's address, busy time (calendarView/delta over
 * the availability window, paged by @odata.nextLink, incremental through
 * @odata.deltaLink) and the booking's event (create with a transactionId,
 * update, delete: Graph sends the invitations itself). */
#ifndef TRIPOD_GRAPH_H
#define TRIPOD_GRAPH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cal/davsync.h"
#include "cal/ics.h"
#include "cal/provider.h"

/* Parses one calendarView/delta page TEXT[0..LEN) into SET (each event one
 * resource keyed by its id): "@removed" and cancelled events are gone;
 * showAs free/workingElsewhere and events the owner declined are free,
 * tentative/busy/oof/unknown block; all-day events block the owner's local
 * days of O->owner_tz. Each instance's uid is the event's iCalUId. *NEXT /
 * *DELTA (malloc'ed, may be NULL) get @odata.nextLink / @odata.deltaLink.
 * 0, or -1 with ERR (malformed JSON, an event without id/times, bounds).
 * Untrusted input: never crashes, bounded. */
int graph_parse_delta(const char *text, size_t len, const ics_opts *o, davsync_set *set,
                      char **next, char **delta, char *err, size_t errlen);

/* Parses one /me/calendars page into ARR ({remote_id, name, primary (the
 * default calendar), can_write (canEdit)}); *NEXT the @odata.nextLink. */
int graph_parse_calendars(const char *text, size_t len, json_t *arr, char **next, char *err,
                          size_t errlen);

/* The account's calendars (every page) into *OUT (new array) and its
 * address (/me: mail, else userPrincipalName) into *EMAIL. 0, or -1. */
int graph_calendars(provider_session *s, json_t **out, char **email, char *err, size_t errlen);

/* Reads calendar CAL: O's window in full when DELTA_LINK is NULL, else the
 * changes since that @odata.deltaLink; *NEW_LINK gets the next one. Events
 * whose iCalUId is a Tripod booking's (store_remote_event_booking on DB) get
 * the booking's UID. 0; PROVIDER_GONE (410: the delta link is stale, read
 * in full); -1 with ERR. */
int graph_read(provider_session *s, store *db, const char *cal, const char *delta_link,
               const ics_opts *o, davsync_set *set, char **new_link, char *err, size_t errlen);

/* Writes booking BOOKING's event EV (outbox payload "event") to calendar
 * CAL (calendar id CALENDAR in Tripod, for the stored event id on DB):
 * update the stored event, create it (transactionId: retried creates do not
 * duplicate) when there is none, delete it when cancelled. 0, or -1 with
 * ERR and *RETRY_AFTER. */
int graph_write(provider_session *s, store *db, int64_t calendar, const char *cal, int64_t booking,
                const json_t *ev, long *retry_after, char *err, size_t errlen);

#endif
