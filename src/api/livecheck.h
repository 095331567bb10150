/* livecheck.h — the live look a booking takes at its chosen staff members'
 * calendars before it commits (PRODUCT.md: "re-checks its chosen staff"):
 * who was checked in this request and who turned out to be busy. */
#ifndef TRIPOD_LIVECHECK_H
#define TRIPOD_LIVECHECK_H

#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "api/model.h"
#include "store/store.h"

#define LIVECHECK_MAX 32 /* staff checked live per request; past that the cache decides */

/* One request's checks. Start zeroed; owns no memory. */
typedef struct {
    int64_t checked[LIVECHECK_MAX];
    size_t nchecked;
    int64_t busy[LIVECHECK_MAX];
    size_t nbusy;
} livecheck;

/* 1 when STAFF needs a live check before a booking names them: they have a
 * CalDAV calendar (snapshot M's calendars, kinds read on C) and were not
 * checked yet in LC, with room left. 0 otherwise (ICS feeds cannot be asked
 * for a window, so their cached busy time stands). */
int livecheck_needed(const livecheck *lc, store_conn *c, const model *m, int64_t staff);

/* Outside any transaction: reads STAFF's CalDAV calendars live over
 * [FROM, TO) and records the answer in LC. When they are busy, their
 * calendars are synced at once, so the cache and the alternatives offered
 * with a 409 show the event. Returns 1 busy, 0 free or unreachable (a
 * calendar outage never fails a booking: the cached busy time stands). */
int livecheck_run(livecheck *lc, api_server *s, const model *m, int64_t staff, tp_time from,
                  tp_time to);

/* Drops from IDX[0..N) (indexes into M's staff) everyone LC found busy.
 * Returns the new count; the order of the rest is kept. */
size_t livecheck_filter(const livecheck *lc, const model *m, uint32_t *idx, size_t n);

#endif
