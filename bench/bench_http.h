/* bench_http.h — HTTP figures of `tripod bench`: availability requests/s and
 * p99 latency (wrk) and durable bookings/s against a real `tripod serve`. */
#ifndef TRIPOD_BENCH_HTTP_H
#define TRIPOD_BENCH_HTTP_H

/* Loads the BENCH.md 50-staff scenario into a temporary data dir (busy time
 * as the staff calendars' synced events), runs `EXE serve` on a free port,
 * measures, stops it and removes the dir. Prints http_availability_rps,
 * http_availability_p99_ms and http_bookings_per_s. Returns 0, or 1 after
 * saying on stderr what failed (no figure is printed for a failed part). */
int bench_http(const char *exe);

#endif
