/* fuzz_query.c — libFuzzer target for query-string parsing (availability,
 * explain, booking filters, the staff feed key), over HTTP to the real server
 * (fuzz/harness.h): the first byte picks the endpoint, the rest is the query,
 * percent-encoded where needed so that it is always a valid request line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    const char *path;
    int admin;
} fz_endpoints[] = {
    {"/api/v1/availability", 0},
    {"/api/v1/availability/explain", 1},
    {"/api/v1/bookings", 1},
    {"/api/v1/staff/%s/calendar.ics", 0},
};
#define FZ_NENDPOINTS (sizeof fz_endpoints / sizeof fz_endpoints[0])
#define FZ_MAX_QUERY 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char out[65536], target[64 + 3 * FZ_MAX_QUERY];
    char path[96];
    const harness_seed *s = harness_start();
    if (size == 0 || size - 1 > FZ_MAX_QUERY) return 0;
    unsigned k = data[0] % FZ_NENDPOINTS;
    snprintf(path, sizeof path, fz_endpoints[k].path, s->staff_id);
    int n = snprintf(target, sizeof target, "%s?", path);
    harness_query_encode(data + 1, size - 1, target + n);
    int status = harness_request("GET", target, "", 0,
                                 fz_endpoints[k].admin ? s->admin_token : NULL, out, sizeof out);
    if (k == 3 && status >= 400 && status != 404 && status != 403 && status != 401)
        abort(); /* the feed answers its ICS, or refuses the key */
    if (k != 3)
        harness_check_answer(status, out);
    else if (status < 200 || status >= 500)
        abort();
    return 0;
}
