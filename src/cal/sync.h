/* sync.h — syncing connected calendars into the store's busy time: one
 * calendar at a time (a failure keeps the last good busy time), all of them
 * on a schedule, and a fresh look at one staff member's calendars. */
#ifndef TRIPOD_SYNC_H
#define TRIPOD_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "cal/calsrc.h"
#include "cal/net.h"
#include "store/store.h"

typedef struct {
    store *db;
    calsrc_opener opener;
    tp_time now_base;  /* 0: real clock; else the server's fixed clock, advancing from start */
    int interval_s;    /* background sync period; 0 means 300 */
    int horizon_days;  /* busy time kept from now - 1 day to now + horizon + 7 days; 0 means 60 */
    long timeout_s;    /* per request; 0 means 20 */
    int claim_wait_ms; /* how long to wait while another thread or instance syncs the same
                          calendar; 0: do not wait (sync_calendar answers SYNC_BUSY) */
    net_abort abort;   /* abandons a running sync, which then records no failure;
                          the sync worker sets it to its stop (worker_abort) */
} sync_config;

typedef struct {
    int64_t events;   /* busy instances stored */
    int unchanged;    /* 1 when the server said nothing changed (ctag / ETag / 304 / no changes) */
    const char *mode; /* "full" (whole window read), "incremental" (sync-collection),
                         "unchanged" (ctag / ETag / 304: nothing read) */
    int64_t changed;  /* resources read: all of them (full) or the changed ones */
    int64_t deleted;  /* resources removed (incremental) */
    char fallback[256]; /* why an incremental sync fell back to a full one; "" otherwise */
} sync_result;

#define SYNC_BUSY 1 /* sync_calendar: another sync of the calendar is running */

/* Syncs calendar ID at instant NOW: fetch, parse, then in one transaction
 * store its busy time and record success. A CalDAV collection with a sync
 * token is read incrementally (only changed resources, replaced one by one)
 * unless its last full read is 6 hours old or from an earlier window
 * start day; a refused token or any error there falls back to a full read.
 * On any failure the busy time is left as it was, last_error records why
 * (also written into ERR) and -1 is returned. One calendar is synced by one
 * thread of one instance at a time (store_calstate_claim): while another sync
 * of it runs, this waits up to CFG->claim_wait_ms, then answers SYNC_BUSY. */
int sync_calendar(const sync_config *cfg, int64_t id, tp_time now, sync_result *res, char *err,
                  size_t errlen);

/* Syncs every calendar; one failing never stops the others, one being synced
 * elsewhere is left to that sync. Returns how many failed. */
int sync_all(const sync_config *cfg, tp_time now);

/* Reads the calendars IDS[0..N) live for [FROM, TO) at NOW and sets *BUSY
 * to 1 when an event (other than a Tripod booking's own) overlaps it, with
 * its summary in WHAT: CalDAV by a time-range query; Google and Microsoft
 * 365 by syncing their changes at once (sync token / delta link) and
 * looking at the result; ICS feeds have no range query and are skipped.
 * Returns 0, or -1 when none of them could be read (callers then rely on
 * the synced busy time). */
int sync_recheck(const sync_config *cfg, const int64_t *ids, size_t n, tp_time now, tp_time from,
                 tp_time to, int *busy, char *what, size_t whatlen);

typedef struct sync_worker sync_worker;

/* Starts the background sync thread (CFG copied). NULL when it cannot start. */
sync_worker *sync_worker_start(const sync_config *cfg);
void sync_worker_stop(sync_worker *w); /* joins; accepts NULL */
/* Runs a pass now (a calendar was connected or changed) instead of waiting
 * for the interval; a wake during a pass runs one more. Accepts NULL. */
void sync_worker_wake(sync_worker *w);

#endif
