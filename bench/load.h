/* load.h — the load clients of `tripod bench`'s HTTP figures, the same for
 * every configuration: wrk for availability, libcurl threads for bookings,
 * spread evenly over the instances serving one store. */
#ifndef TRIPOD_BENCH_LOAD_H
#define TRIPOD_BENCH_LOAD_H

#define LOAD_SECONDS 6 /* each measurement's length */

/* wrk (3 threads, 15 connections) for LOAD_SECONDS against the 14-day
 * availability of services 1 and 2, thread i on PORTS[i % N] of 127.0.0.1;
 * wrk's script is written into DIR. Prints PREFIX_availability_rps and
 * PREFIX_availability_p99_ms. Returns 0, or 1 after saying on stderr what
 * failed (wrk's output included); no figure is printed then. */
int load_availability(const int *ports, int n, const char *dir, const char *prefix);

/* The same measurement, its figures left in *RPS and *P99 (ms) instead of
 * printed (PREFIX only names it in messages). 0, or 1 as above. */
int load_availability_figures(const int *ports, int n, const char *dir, const char *prefix,
                              double *rps, double *p99);

/* Six threads posting bookings for LOAD_SECONDS, thread i to PORTS[i % N],
 * each on start times no other thread books (days 15 on from T0, free of
 * the scenario's busy time; every staff member at each start), so every
 * answer must be a 201. Prints PREFIX_bookings_per_s. Returns 0, or 1 after
 * printing the status and body of each thread's first failed booking. */
int load_bookings(const int *ports, int n, const char *prefix);

#endif
