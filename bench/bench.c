/* bench.c — `tripod bench`: runs each benchmark in turn and shares the
 * reporting, clock and generator they use. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "bench.h"
#include "bench_http.h"
#include "bench_search.h"
#include "child.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void bench_report(const char *name, double value, const char *unit)
{
    printf("bench %s %.6g %s\n", name, value, unit);
    fflush(stdout);
}

double bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return v[n / 2];
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void bench_remove_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

uint32_t bench_draw(bench_rng *g)
{
    uint32_t t = g->a += 0x6D2B79F5u;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    return t ^ (t >> 14);
}

int bench_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    child_trap_signals();
    int rc = bench_engine();
    if (!child_interrupted()) rc |= bench_search(NULL, "");
    if (!child_interrupted()) rc |= bench_http("/proc/self/exe");
    if (child_interrupted()) {
        fprintf(stderr, "bench: interrupted; every server and cluster it started is stopped\n");
        return 130;
    }
    return rc;
}
