/* bench_http.h — HTTP figures of `tripod bench` on the BENCH.md 50-staff
 * scenario: availability req/s and p99 (wrk) and bookings/s against real
 * `tripod serve` instances on SQLite and on PostgreSQL. */
#ifndef TRIPOD_BENCH_HTTP_H
#define TRIPOD_BENCH_HTTP_H

/* Measures three configurations with the same data and load clients:
 * SQLite with one instance (http_availability_rps, http_availability_p99_ms,
 * http_bookings_per_s), then PostgreSQL with one and with three instances on
 * one database (pg_1x_…, pg_3x_…) in a throwaway cluster started through
 * tests/servers/pg.py and stopped afterwards. EXE is the tripod binary.
 * Every child process is stopped and every temporary directory removed
 * before returning (a failed configuration's directory is kept for its
 * server logs, and said so). Returns 0; 1 after saying on stderr which
 * figure could not be measured (the PostgreSQL figures are skipped, with a
 * message and without failing, only when the cluster cannot start). */
int bench_http(const char *exe);

#endif
