/* booking_view.h — a booking as the API shows it (the stored facts with
 * staff names and times in the business zone, its history), and the history
 * entries a change appends. */
#ifndef TRIPOD_BOOKING_VIEW_H
#define TRIPOD_BOOKING_VIEW_H

#include <jansson.h>
#include <stdint.h>

#include "app/config.h"
#include "app/snapshot.h"
#include "cal/outbox.h"
#include "store/store.h"

/* B as the API object (id, start, end, status, staff with names, agent,
 * property, services, packages, notes, the quoted price, sequence, calendar,
 * created, updated),
 * plus "history" when WITH_HISTORY (read on C). Names and times come from
 * snapshot S. New reference; NULL on store error or out of memory. */
json_t *booking_view(store_conn *c, const snapshot *s, const store_booking *b, int with_history);

/* Staff IDS[0..n) as [{id, name}] (name null for someone no longer in S).
 * New reference. */
json_t *booking_view_staff(const snapshot *s, const int64_t *ids, int n);

/* {start, end, staff} of B, for a history entry. New reference. */
json_t *booking_view_state(const snapshot *s, const store_booking *b);

/* Appends history entry {at, actor, change} to booking ID on C (CHANGE is
 * borrowed); ACTOR is "admin" or "agent". Returns the store's code. */
int booking_view_history_add(store_conn *c, int64_t id, tp_time at, const char *actor,
                             const json_t *change);

/* The text the admin's search (GET /bookings?q=) matches in a booking whose
 * stored body is BODY: agent name, e-mail, property address and postal code,
 * one per line, folded by booking_view_fold (the store's migration 8 builds
 * the same for older bookings). malloc'ed; NULL when memory ran out. */
char *booking_view_search(const json_t *body);
/* Folds TEXT in place as search texts and search words are: ASCII letters
 * to lowercase, every other byte kept. */
void booking_view_fold(char *text);

/* What the outbox and the staff feed say about a change of booking BEFORE
 * (NULL: none) → AFTER beyond the booking row: the business's name and
 * zone (snapshot S), the organizer and link base (CFG), the names of AFTER's
 * items and of the staff on both sides (S), and the agent, property, notes
 * and quoted price AFTER was booked with. Strings are borrowed from S and CFG, which
 * must outlive F. */
void booking_view_facts(const snapshot *s, const tripod_config *cfg, const store_booking *before,
                        const store_booking *after, outbox_facts *f);

#endif
