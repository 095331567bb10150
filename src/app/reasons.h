/* reasons.h — why a staff member is not offered at a time, in words: the
 * one place that turns the engine's explain (avail_reason) into sentences,
 * for the explain view and for the `reasons` of every 409 refusal: zones
 * and skills by name, times in the business zone and clock format, a
 * Tripod booking told apart from calendar busy time (whose titles are never
 * shown: a refusal reaches the agent too). */
#ifndef TRIPOD_REASONS_H
#define TRIPOD_REASONS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "app/snapshot.h"
#include "core/avail.h"

#define REASONS_MAX 16 /* reasons kept per staff member */

/* The words for reason R of staff member STAFF (an index into Q's staff;
 * Q may be NULL for busy reasons) at start AT, on snapshot S, into BUF (LEN
 * bytes). Returns BUF. */
const char *reasons_text(const snapshot *s, const avail_query *q, size_t staff, tp_time at,
                         const avail_reason *r, char *buf, size_t len);

/* Current clock text of instant T in S's zone and clock format ("13:05" or
 * "1:05 PM"), into BUF (16 bytes). Returns BUF. */
const char *reasons_clock(const snapshot *s, tp_time t, char *buf, size_t len);

/* The same for minute MIN of a business day (1440: midnight at its end,
 * "24:00" or "12:00 AM"). */
const char *reasons_clock_min(const snapshot *s, int min, char *buf, size_t len);

/* The `reasons` member of a refusal at AT for query Q (its staff carry the
 * busy time the refusing transaction read): [{staff: {id, name}, reasons:
 * [text]}] for staff members ONLY[0..nonly) (none: every active one), each
 * with at least one reason; those in LIVE_BUSY[0..nlive) were found busy by
 * the live look at their calendars (said when Q's busy time does not show
 * it yet). New reference; NULL when memory ran out. */
json_t *reasons_refusal(const snapshot *s, const avail_query *q, tp_time at, const int64_t *only,
                        size_t nonly, const int64_t *live_busy, size_t nlive);

/* One entry of a refusal: {staff: {id, name}, reasons: [TEXT]} for staff
 * member ID of S. New reference. */
json_t *reasons_entry(const snapshot *s, int64_t id, const char *text);

#endif
