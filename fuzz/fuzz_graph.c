/* fuzz_graph.c — libFuzzer target for the Microsoft Graph JSON parsers
 * (src/cal/graph.h: a calendarView/delta page, a /me/calendars page), fed
 * with what an untrusted or broken server may send. Whatever is kept must
 * respect the bounds and lie in the window; a failure always says why. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "cal/graph.h"
#include "provider_check.h"

#define FZ_MAX_INSTANCES 500

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tz_zone *fz_owner_tz;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ics_opts o;
    davsync_set set = {0};
    char err[256] = "", *next = NULL, *delta = NULL;
    if (!fz_owner_tz && !(fz_owner_tz = tz_zone_load("Europe/Berlin"))) abort();
    ics_opts_init(&o, fz_owner_tz, "owner@example.com", 1906502400, 1906502400 + 61 * 86400);
    o.max_events = 1000;
    o.max_instances = FZ_MAX_INSTANCES;
    int rc = graph_parse_delta((const char *)data, size, &o, &set, &next, &delta, err, sizeof err);
    fz_check_set(rc, err, next, delta, &set, &o);
    free(next);
    free(delta);
    davsync_set_free(&set);

    json_t *arr = json_array();
    next = NULL;
    graph_parse_calendars((const char *)data, size, arr, &next, err, sizeof err);
    if (json_array_size(arr) > 1000) abort();
    free(next);
    json_decref(arr);
    return 0;
}
