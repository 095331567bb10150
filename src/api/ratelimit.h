/* ratelimit.h — per-client request limiter for public endpoints: a token
 * bucket per client address (LIMIT requests per minute, bursts up to LIMIT). */
#ifndef TRIPOD_RATELIMIT_H
#define TRIPOD_RATELIMIT_H

#include <stdint.h>

typedef struct ratelimit ratelimit;

/* A limiter allowing LIMIT requests per minute per client (LIMIT > 0).
 * Returns NULL when memory runs out. Free with ratelimit_free(). */
ratelimit *ratelimit_new(int limit);
void ratelimit_free(ratelimit *rl); /* accepts NULL */

/* Counts one request of CLIENT at monotonic time NOW_MS. Returns 0 when it is
 * allowed, else the whole seconds the client should wait (≥ 1). Thread-safe. */
int ratelimit_take(ratelimit *rl, const char *client, int64_t now_ms);

#endif
