/* booking.h — what the booking endpoints share: who the caller is (admin or
 * the booking's manage token), a booking as JSON with its history, the
 * request that made it, and alternative slots for a 409. */
#ifndef TRIPOD_BOOKING_H
#define TRIPOD_BOOKING_H

#include <jansson.h>
#include <stdint.h>

#include "api/api.h"
#include "api/avq.h"
#include "api/model.h"
#include "store/store.h"

#define BOOKING_MAX_ALTERNATIVES 5
#define BOOKING_TX_TRIES 8 /* attempts of one transaction on STORE_RETRY */

typedef enum { BOOKING_ADMIN = 0, BOOKING_AGENT } booking_role;

/* SHA-256 of a manage token. */
void booking_token_hash(const char *token, uint8_t hash[32]);

/* The booking a /bookings/{id} request may act on: an admin may act on any;
 * otherwise the bearer must be that booking's manage token. Sets *ID and
 * *ROLE and returns 0, or answers RES and returns -1: 401 without a usable
 * token, 404 for an unknown id or another booking's token (the same answer,
 * so a token reveals nothing about other bookings), 503 on store failure. */
int booking_caller(api_req *r, api_res *res, store_conn *c, int64_t *id, booking_role *role);

/* B as the API object (id, start, end, status, staff with names, agent,
 * property, services, packages, notes, sequence, calendar, created, updated),
 * plus "history" when WITH_HISTORY. New reference; NULL on store error or
 * out of memory. */
json_t *booking_json(store_conn *c, const model *m, const store_booking *b, int with_history);

/* Appends a history entry {at, actor, change} for booking ID (CHANGE is
 * borrowed). Returns the store's code. */
int booking_history_add(store_conn *c, int64_t id, tp_time at, booking_role role,
                        const json_t *change);

/* Rebuilds the query of booking B (its items and property, from its body)
 * on A. 0, or -1 with RES set (e.g. a service that no longer exists). */
int booking_query_of(avq *a, const store_booking *b, api_res *res);

/* Answers RES with 409 slot_unavailable and up to BOOKING_MAX_ALTERNATIVES
 * offered starts nearest to START, computed from the store's current busy
 * time for query A (booking EXCLUDE ignored). C must not be in a write
 * transaction. */
void booking_conflict(api_res *res, store_conn *c, avq *a, tp_time start, int64_t exclude,
                      const char *message);

/* Staff of M that a booking JSON's "staff" lists as {id, name}. New reference. */
json_t *booking_staff_json(const model *m, const int64_t *ids, int n);

#endif
