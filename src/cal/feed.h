/* feed.h — the private ICS feed of one staff member's shoots
 * (GET /staff/{id}/calendar.ics). */
#ifndef TRIPOD_FEED_H
#define TRIPOD_FEED_H

#include <stdint.h>

#include "cal/outbox.h"
#include "store/store.h"

/* A VCALENDAR (METHOD:PUBLISH) with one VEVENT per booking of staff member
 * STAFF, confirmed or cancelled (STATUS:CANCELLED), each identical to the
 * primary calendar's event of that booking (UID, SUMMARY, LOCATION,
 * DESCRIPTION, DTSTART/DTEND in UTC, STATUS, SEQUENCE), stamped NOW, with
 * the names FACTS(CTX, booking, out) gives for each booking (0, or a store
 * code). Returns malloc'ed text the caller frees, or NULL with the store's
 * code in *RC (STORE_ERROR when memory ran out). */
typedef int (*feed_facts_fn)(void *ctx, const store_booking *b, outbox_facts *out);
char *feed_staff_ics(store_conn *c, int64_t staff, tp_time now, feed_facts_fn facts, void *ctx,
                     int *rc);

#endif
