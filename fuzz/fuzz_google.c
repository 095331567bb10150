/* fuzz_google.c — libFuzzer target for the Google Calendar API JSON parsers
 * (src/cal/google.h: an events.list page, a calendarList page), fed with
 * what an untrusted or broken server may send. Whatever is kept must respect
 * the bounds and lie in the window; a failure always says why. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "cal/google.h"
#include "provider_check.h"

#define FZ_MAX_INSTANCES 500

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tz_zone *fz_owner_tz;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ics_opts o;
    davsync_set set = {0};
    char err[256] = "", *page = NULL, *sync = NULL, *email = NULL;
    if (!fz_owner_tz && !(fz_owner_tz = tz_zone_load("America/New_York"))) abort();
    ics_opts_init(&o, fz_owner_tz, "owner@example.com", 1906502400, 1906502400 + 61 * 86400);
    o.max_events = 1000;
    o.max_instances = FZ_MAX_INSTANCES;
    int rc = google_parse_events((const char *)data, size, &o, &set, &page, &sync, err, sizeof err);
    fz_check_set(rc, err, page, sync, &set, &o);
    free(page);
    free(sync);
    davsync_set_free(&set);

    json_t *arr = json_array();
    page = NULL;
    rc = google_parse_calendars((const char *)data, size, arr, &email, &page, err, sizeof err);
    if (json_array_size(arr) > 1000) abort();
    free(page);
    free(email);
    json_decref(arr);
    return 0;
}
