/* slow_clients.h — hostile slow clients for `tripod bench`: from one source
 * address, connections that trickle their headers, send a body slowly, or
 * sit idle after a request, reopened whenever the server closes them (as
 * tests/e2e/slow_clients.py does for the tests). */
#ifndef TRIPOD_BENCH_SLOW_CLIENTS_H
#define TRIPOD_BENCH_SLOW_CLIENTS_H

typedef struct slow_clients slow_clients;

typedef struct {
    long opened;   /* connection attempts */
    long closed;   /* ended by the server (refused, reset or timed out) */
    long max_open; /* most connections established at once */
} slow_counts;

/* Starts a thread holding HEADERS + BODIES + IDLE connections from SOURCE
 * (e.g. "127.0.0.2") to 127.0.0.1:PORT, trickling a few bytes on each every
 * INTERVAL_S seconds. NULL when memory or a thread is lacking. */
slow_clients *slow_start(const char *source, int port, int headers, int bodies, int idle,
                         int interval_s);

/* Stops the thread, closes every connection, fills *COUNTS (may be NULL) and
 * frees SC (accepts NULL). */
void slow_stop(slow_clients *sc, slow_counts *counts);

#endif
