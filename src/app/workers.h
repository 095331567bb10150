/* workers.h — the calendar layer (src/cal) inside the application: the
 * background sync and outbox workers, and the calendar work a request does
 * itself (a sync on demand, the sync settings of a live re-check). */
#ifndef TRIPOD_WORKERS_H
#define TRIPOD_WORKERS_H

#include "app/app.h"
#include "cal/sync.h"

/* Starts the sync loop (cfg->sync_interval_s) and the outbox delivery
 * threads (cfg->smtp_url, mail_from) of A; each request of theirs takes at
 * most cfg->sync_timeout_s. Returns 0, or -1 when a thread cannot start
 * (nothing is left running then). */
int app_workers_start(app *a);
/* Stops and joins them, abandoning requests in flight (within about a
 * second); safe when not started. */
void app_workers_stop(app *a);
/* Asks the sync loop for a pass now (a calendar was connected or changed).
 * Safe when not started. */
void app_workers_wake_sync(app *a);

/* How A's calendars and accounts are opened: its secret key opens and seals
 * credentials; its providers' endpoints (the opener borrows A). */
calsrc_opener app_opener(app *a);

/* The sync settings of A for a request's own calendar work: its store, the
 * password opener and TIMEOUT_S per calendar request. */
void app_sync_config(app *a, long timeout_s, sync_config *out);

/* Syncs calendar ID now (waiting up to 30 s for a background sync of it to
 * finish). 0 with *OUT filled, or -1 with O: not_found, sync_in_progress
 * (conflict, retry after 5 s) or sync_failed (upstream, the reason). */
int app_sync_now(app *a, int64_t id, sync_result *out, outcome *o);

#endif
