/* recheck.h — the live look a booking takes at its chosen staff members'
 * calendars before it commits (PRODUCT.md: "re-checks its chosen staff"):
 * who was checked in this request and who turned out to be busy. */
#ifndef TRIPOD_RECHECK_H
#define TRIPOD_RECHECK_H

#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "app/snapshot.h"
#include "store/store.h"

#define RECHECK_MAX 32 /* staff checked live per request; past that the cache decides */

/* One request's checks. Start zeroed; owns no memory. */
typedef struct {
    int64_t checked[RECHECK_MAX];
    size_t nchecked;
    int64_t busy[RECHECK_MAX];
    size_t nbusy;
} recheck;

/* 1 when STAFF needs a live check before a booking names them: they have a
 * CalDAV, Google or Microsoft 365 calendar (snapshot M's calendars) and
 * were not checked yet in LC, with room left. 0 otherwise
 * (ICS feeds cannot be asked for a window, so their cached busy time stands). */
int recheck_needed(const recheck *lc, const snapshot *m, int64_t staff);

/* Outside any transaction: reads STAFF's calendars live (sync_recheck) over
 * [FROM, TO) and records the answer in LC. When they are busy, their
 * calendars are synced at once, so the cache and the alternatives offered
 * with a 409 show the event. Returns 1 busy, 0 free or unreachable (a
 * calendar outage never fails a booking: the cached busy time stands). */
int recheck_run(recheck *lc, app *a, const snapshot *m, int64_t staff, tp_time from, tp_time to);

/* Drops from IDX[0..N) (indexes into M's staff) everyone LC found busy.
 * Returns the new count; the order of the rest is kept. */
size_t recheck_filter(const recheck *lc, const snapshot *m, uint32_t *idx, size_t n);

#endif
