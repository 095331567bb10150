/* bench.c — `tripod bench`: runs each benchmark in turn and shares the
 * reporting, clock and generator they use. */
#include "bench.h"
#include "bench_http.h"
#include "bench_search.h"
#include "child.h"

#include <stdio.h>
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
