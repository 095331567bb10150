/* bench.h — `tripod bench`: the standard team scenario (shared/BENCH.md),
 * one `bench NAME VALUE UNIT` line per figure on stdout. */
#ifndef TRIPOD_BENCH_H
#define TRIPOD_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* Runs every benchmark in turn. Returns 0; 1 when a figure could not be
 * measured or failed its own cross-check (said on stderr); 130 after SIGINT
 * or SIGTERM, once every child process it started is stopped. */
int bench_main(int argc, char **argv);

/* Prints one figure: "bench NAME VALUE UNIT". */
void bench_report(const char *name, double value, const char *unit);

/* A monotonic clock in microseconds. */
double bench_now_us(void);

/* The median of V[0..n) (n > 0); sorts V. */
double bench_median(double *v, size_t n);

/* Removes directory DIR and everything in it (a benchmark's scratch). */
void bench_remove_tree(const char *dir);

/* The BENCH.md generator "mulberry32". */
typedef struct {
    uint32_t a;
} bench_rng;

uint32_t bench_draw(bench_rng *g);

/* The engine at 50 and 1,000 staff, at 50 with a twilight item added, and
 * the brute-force oracle at 50. Returns 0, or 1 when the engine and the
 * oracle disagree. */
int bench_engine(void);

#endif
