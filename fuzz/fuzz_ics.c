/* fuzz_ics.c — libFuzzer target for the iCalendar parser (src/cal/ics.h), fed
 * with what an untrusted CalDAV server or ICS feed may send. Tight bounds keep
 * each run short; whatever is returned must respect them and lie in the window. */
#include <stdint.h>
#include <stdlib.h>

#include "cal/ics.h"

#define FZ_MAX_INSTANCES 2000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tz_zone *fz_owner_tz;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ics_opts o;
    ics_list l = {0};
    char err[256] = "";
    if (!fz_owner_tz && !(fz_owner_tz = tz_zone_load("America/New_York"))) abort();
    /* 2030-06-01T00:00Z .. 2030-08-01T00:00Z: a two-month availability window. */
    ics_opts_init(&o, fz_owner_tz, "owner@example.com", 1906502400, 1906502400 + 61 * 86400);
    o.max_bytes = 1 << 20;
    o.max_events = 500;
    o.max_instances = FZ_MAX_INSTANCES;
    o.max_steps = 5000;
    int rc = ics_parse((const char *)data, size, &o, &l, err, sizeof err);
    if (rc != 0 && err[0] == '\0') abort(); /* a failure is reported with a reason */
    if (l.n > FZ_MAX_INSTANCES || l.events > o.max_events + 1) abort();
    for (size_t i = 0; rc == 0 && i < l.n; i++)
        if (l.v[i].start >= l.v[i].end || l.v[i].end <= o.from || l.v[i].start >= o.to ||
            !l.v[i].uid || !l.v[i].summary)
            abort(); /* non-empty instances overlapping the window */
    ics_list_sort(&l);
    for (size_t i = 1; i < l.n; i++)
        if (l.v[i].start < l.v[i - 1].start) abort();
    ics_list_free(&l);
    return 0;
}
