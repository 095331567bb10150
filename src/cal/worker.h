/* worker.h — a background thread for the calendar layer's loops (sync,
 * outbox): it runs a pass at start, then every period, at once when woken,
 * and at once again when a pass says more work is due. */
#ifndef TRIPOD_WORKER_H
#define TRIPOD_WORKER_H

#include "cal/net.h"
#include "core/tz.h"

typedef struct worker worker;

/* One pass. NOW is the worker's clock: NOW_BASE (given to worker_start) plus
 * the real seconds since the start, or the real time when NOW_BASE is 0. A
 * long pass should look at worker_stopping(SELF) between its steps. Returns 1
 * when more work is due at once, else 0. */
typedef int (*worker_pass)(void *ctx, tp_time now, worker *self);

/* Starts a thread running PASS(CTX, now) every PERIOD_MS milliseconds. CTX
 * is borrowed and must outlive the worker. NULL when the thread cannot start
 * (nothing is left running then). */
worker *worker_start(worker_pass pass, void *ctx, tp_time now_base, int period_ms);

/* 1 once worker_stop has been called: a pass should return soon. */
int worker_stopping(worker *w);

/* The abort hook (cal/net.h) of a pass of W: it says to abandon requests
 * once worker_stop has been called. */
net_abort worker_abort(worker *w);

/* Asks for a pass now; a wake during a pass runs one more. Accepts NULL. */
void worker_wake(worker *w);

/* Stops the thread after its current pass, joins it and frees W. Accepts NULL. */
void worker_stop(worker *w);

#endif
