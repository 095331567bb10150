/* busy_fresh.h — staff busy time with bookings read straight from the store (not
 * the cache), and assignment statistics, for the check a booking makes
 * before it commits. */
#ifndef TRIPOD_BUSY_FRESH_H
#define TRIPOD_BUSY_FRESH_H

#include <stddef.h>

#include "app/snapshot.h"
#include "core/avail.h"
#include "store/store.h"

/* One confirmed booking of one staff member, as loaded. */
typedef struct {
    size_t staff; /* index into the snapshot's staff */
    tp_time start, end, created;
    double lat, lon;
} busy_fresh_shoot;

/* Copies of the snapshot's staff whose busy time is the store's current one
 * over [from, to). Owns all its memory; free with busy_fresh_free(). */
typedef struct {
    const snapshot *m;
    tp_time from, to;
    avail_staff *staff; /* parallel to m->staff */
    avail_busy *busy;   /* all intervals, grouped per staff */
    size_t nbusy, cap;
    char (*labels)[24]; /* "Booking N" labels, parallel to busy */
    busy_fresh_shoot *shoots;
    size_t nshoots, shoots_cap;
} busy_fresh;

/* Busy time overlapping [FROM, TO) for every staff member of M: confirmed
 * bookings read from the store (skipping booking EXCLUDE, 0 = none) plus
 * the calendars' synced busy time of snapshot M. The latter equals the
 * store's whenever snapshot_cache_config_fresh() held for M inside the same
 * transaction (every sync bumps the generation), which the booking writes
 * check first. Returns STORE_OK or the store's error (then V is empty and
 * owns nothing). */
int busy_fresh_load(store_conn *c, const snapshot *m, tp_time from, tp_time to, int64_t exclude,
                    busy_fresh *v);
void busy_fresh_free(busy_fresh *v); /* accepts a zeroed view */

/* The window busy_fresh_load needs to check and assign a shoot [START, END):
 * a day either side plus the business-local week of START. */
void busy_fresh_window(const snapshot *m, tp_time start, tp_time end, tp_time *from, tp_time *to);

/* Assignment facts for a shoot at START (see avail_stat), one per staff, into
 * OUT[0..m->nstaff): week minutes from the loaded bookings, last booked (also
 * from the snapshot), previous shoot that business day or home. The view must
 * have been loaded over busy_fresh_window(START, …). */
void busy_fresh_stats(const busy_fresh *v, tp_time start, avail_stat *out);

#endif
