/* bench_pg.h — the HTTP figures of `tripod bench` (availability req/s and
 * p99, bookings/s) on SQLite and on PostgreSQL with one and three instances. */
#ifndef TRIPOD_BENCH_PG_H
#define TRIPOD_BENCH_PG_H

/* Runs bench/bench_pg.py (beside this binary's build dir) against this very
 * binary; its `bench` lines go to stdout. Returns 0, also when the script is
 * not there (said on stderr), or 1 when it failed. */
int bench_pg(void);

#endif
