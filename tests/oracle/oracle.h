/* oracle.h — a brute-force availability oracle: every minute of every
 * candidate window checked directly with libical, written independently of
 * the engine so the two can be compared (test_avail_random.c, `tripod bench`). */
#ifndef TRIPOD_ORACLE_H
#define TRIPOD_ORACLE_H

#include "core/avail.h"

/* Computes the same answer as avail_compute (status and bad item, pairs,
 * slots, duration, crew) the slow and obvious way, into R (an avail_result the caller owns:
 * init once, free with avail_result_free). Not thread-safe (libical).
 * Returns 0, or -1 when memory ran out or a zone is unknown to libical. */
int oracle_compute(const avail_query *q, avail_result *r);

#endif
