/* booking.h — the booking transactions: create, change (reschedule,
 * reassign, force) and cancel. Each runs in one write transaction that
 * re-reads the booking and the staff's busy time from the store, checks and
 * assigns on that, writes the booking, its history and its outbox items,
 * and commits; contention, a changed catalog and a live calendar re-check
 * are handled by one retry loop. Answers are booking objects (booking_view.h)
 * or an outcome saying why not. */
#ifndef TRIPOD_BOOKING_H
#define TRIPOD_BOOKING_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "app/outcome.h"

#define BOOKING_MAX_ALTERNATIVES 5 /* offered starts in a slot_unavailable refusal */
#define BOOKING_TX_TRIES 8         /* attempts of one transaction before answering busy */
#define BOOKING_MAX_IDEM_KEY 200   /* longest Idempotency-Key */

typedef enum { BOOKING_ADMIN = 0, BOOKING_AGENT } booking_role;

/* Who acts on booking ID_TEXT: an admin (IS_ADMIN) on any; otherwise BEARER
 * must be that booking's manage token. 0 with *ID and *ROLE set, or -1 with
 * O: unauthorized without a usable token, not_found for an unknown id or
 * another booking's token (the same answer, so a token reveals nothing about
 * other bookings), store_unavailable. */
int booking_authorize(app *a, const char *id_text, const char *bearer, int is_admin, int64_t *id,
                      booking_role *role, outcome *o);

/* The id of the booking whose manage token is TOKEN, read on C, into *ID
 * (0 when none). Returns STORE_OK, STORE_NOTFOUND or the store's error. */
int booking_manage_id(store_conn *c, const char *token, int64_t *id);

/* Books BODY {agent:{name, email, phone}, property:{address, postal_code,
 * lat, lon, sqft}, services:[ids], packages:[ids], start, notes} as ROLE:
 * the agent's own booking (history names "agent"), or an admin's for an
 * agent (a phone order; history names "admin"), whose BODY may also name the
 * crew, `staff: [ids]` (then they must be free unless forced), and
 * `force: true` (skips the availability rules, never a double booking of the
 * same person; needs `staff`); an agent sending force or staff gets
 * forbidden. Validates it, picks the crew by the business's policy on the
 * store's current busy time (after a live look at their calendars), inserts
 * the booking with its history and outbox items; the agent gets the manage
 * link by e-mail either way. With KEY (an Idempotency-Key, may be NULL) the
 * answer is stored, and a retry with the same key and the same bytes
 * RAW[0..RAW_LEN) gets it again.
 * 0 with *ANSWER (a new reference: the booking with its manage_token) and
 * *STATUS (201, or the replayed answer's status); or -1 with O: validation,
 * unknown_item, not_schedulable, booking_disabled, no_primary_calendar,
 * slot_unavailable with alternatives and reasons (per staff member, in
 * words: reasons.h), idempotency_key_reused, busy, store_unavailable. */
int booking_create_as(app *a, booking_role role, const json_t *body, const char *raw,
                      size_t raw_len, const char *key, json_t **answer, int *status, outcome *o);

/* Changes booking ID as ROLE asks in BODY: an admin {start?, staff?: [ids],
 * force?}, the agent {start}. Re-checks the new time and crew on the
 * store's current busy time, the booking's own time excluded (unless an
 * admin forces it: force skips the rules, never another booking of the same
 * person); when the agent's current crew is not free then, the crew is
 * re-assigned by policy. A real change bumps the sequence, appends history
 * and queues the updates. 0 with *ANSWER (the booking), or -1 with O:
 * validation, forbidden, not_found, cancelled, too_late (agent inside the
 * notice), slot_unavailable with alternatives and reasons, busy,
 * store_unavailable. */
int booking_change(app *a, int64_t id, booking_role role, const json_t *body, json_t **answer,
                   outcome *o);

/* Cancels booking ID (kept with status "cancelled", its time freed, the
 * sequence bumped, attendees told); cancelling again changes nothing.
 * 0 with *ANSWER, or -1 with O: not_found, too_late, busy, store_unavailable. */
int booking_cancel(app *a, int64_t id, booking_role role, json_t **answer, outcome *o);

/* Booking ID with its history. 0 with *ANSWER, or -1 with O (not_found). */
int booking_get(app *a, int64_t id, json_t **answer, outcome *o);

/* The booking whose manage token is TOKEN, with its history. 0 with
 * *ANSWER, or -1 with O (unauthorized without a token, not_found). */
int booking_of_manage_token(app *a, const char *token, json_t **answer, outcome *o);

/* The private ICS feed of staff member STAFF's shoots, read on C: each
 * booking as the very event the primary calendar holds. 0 with *ICS
 * (malloc'ed; the caller frees it), or -1 with O. */
int booking_staff_feed(app *a, store_conn *c, int64_t staff, char **ics, outcome *o);

#endif
