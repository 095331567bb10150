/* booking_list.h — the admin's list of bookings (GET /bookings): search,
 * filters, newest first, paged by an opaque cursor; and the same selection
 * exported as CSV (GET /bookings.csv). */
#ifndef TRIPOD_BOOKING_LIST_H
#define TRIPOD_BOOKING_LIST_H

#include <jansson.h>
#include <stddef.h>

#include "app/app.h"
#include "app/outcome.h"

#define BOOKING_LIST_LIMIT 50      /* bookings per page unless `limit` says otherwise */
#define BOOKING_LIST_MAX_LIMIT 200 /* the largest `limit` accepted */
#define BOOKING_LIST_MAX_Q 200     /* longest search text */

/* The list's query arguments as given (each may be NULL or ""): Q words
 * that must all appear in the agent's name or e-mail or the property's
 * address or postal code (case-insensitive for ASCII letters); FROM and TO
 * dates in the business zone (TO inclusive) or RFC 3339 times: shoots
 * overlapping them; STAFF a staff id; STATUS "confirmed" or "cancelled";
 * LIMIT 1..BOOKING_LIST_MAX_LIMIT; CURSOR a next_cursor of an earlier page
 * of the same query. */
typedef struct {
    const char *q, *from, *to, *staff, *status, *limit, *cursor;
} booking_query;

/* One page, newest booked first: *ANSWER = {bookings: [booking objects],
 * next_cursor: text or null when this is the last page} (new reference).
 * 0, or -1 with O (validation naming the argument, store_unavailable). */
int booking_list(app *a, const booking_query *bq, json_t **answer, outcome *o);

/* Every booking the query selects (LIMIT and CURSOR ignored) as CSV
 * (booking_csv.h): *TEXT malloc'ed (the caller frees it), *LEN bytes. 0, or
 * -1 with O. */
int booking_list_csv(app *a, const booking_query *bq, char **text, size_t *len, outcome *o);

#endif
