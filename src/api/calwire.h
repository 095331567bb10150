/* calwire.h — wires the calendar layer (src/cal) into `tripod serve`: the
 * background sync and outbox workers, and POST /calendars/{id}/sync. */
#ifndef TRIPOD_CALWIRE_H
#define TRIPOD_CALWIRE_H

#include "api/api.h"
#include "cal/sync.h"

/* Starts the sync loop (TRIPOD_SYNC_INTERVAL seconds, default 300) and the
 * outbox worker (TRIPOD_SMTP_URL, TRIPOD_MAIL_FROM) for server S; each of
 * their requests takes at most TRIPOD_SYNC_TIMEOUT seconds (default 20).
 * Returns 0, or -1 when a thread cannot start (nothing is left running then). */
int calwire_start(api_server *s);
/* Stops and joins both workers, abandoning requests in flight (within about
 * a second); safe when not started. */
void calwire_stop(void);
/* Asks the sync loop for a pass now (a calendar was connected or changed).
 * Safe when not started. */
void calwire_wake_sync(void);

/* The sync settings of server S for a request's own calendar work (a live
 * re-check, a sync on demand): its store, password opener and a short
 * per-request timeout (TRIPOD_RECHECK_TIMEOUT seconds, default 5). */
void calwire_sync_config(api_server *s, sync_config *out);

/* POST /api/v1/calendars/{id}/sync: 200 {id, events, unchanged, last_error: null,
 * mode, changed, deleted, fallback}, 502 sync_failed with the reason, 404 for
 * an unknown calendar, 409 sync_in_progress when another sync of it did not
 * finish within 30 s. */
void calwire_sync_route(api_req *r, api_res *res);

#endif
