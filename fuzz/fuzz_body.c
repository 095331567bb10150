/* fuzz_body.c — libFuzzer target for the JSON request bodies of every write
 * endpoint, sent over HTTP to the real server (fuzz/harness.h): the first
 * byte picks the endpoint, the rest is the body. Every answer must be a 2xx,
 * or a 4xx with a JSON error; never a 5xx, a hang or a crash. */
#include <stdint.h>
#include <stdio.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const char *method;
    const char *path; /* "%s" takes the id named by WHICH */
    char which;       /* 'b' booking, 's' staff, 'z' zone, 'v' service, 'p' package, 'c' calendar */
    char auth;        /* 'a' admin, 'm' manage token, '-' none */
} fz_endpoint;

static const fz_endpoint fz_endpoints[] = {
    {"POST", "/api/v1/bookings", 0, '-'},        {"PATCH", "/api/v1/bookings/%s", 'b', 'a'},
    {"PATCH", "/api/v1/bookings/%s", 'b', 'm'},  {"PUT", "/api/v1/settings", 0, 'a'},
    {"POST", "/api/v1/skills", 0, 'a'},          {"POST", "/api/v1/services", 0, 'a'},
    {"PUT", "/api/v1/services/%s", 'v', 'a'},    {"POST", "/api/v1/packages", 0, 'a'},
    {"PATCH", "/api/v1/packages/%s", 'p', 'a'},  {"POST", "/api/v1/zones", 0, 'a'},
    {"PUT", "/api/v1/zones/%s", 'z', 'a'},       {"POST", "/api/v1/staff", 0, 'a'},
    {"PATCH", "/api/v1/staff/%s", 's', 'a'},     {"POST", "/api/v1/calendars", 0, 'a'},
    {"PATCH", "/api/v1/calendars/%s", 'c', 'a'}, {"POST", "/api/v1/bookings", 0, 'a'},
};
#define FZ_NENDPOINTS (sizeof fz_endpoints / sizeof fz_endpoints[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char out[65536];
    char path[128];
    const harness_seed *s = harness_start();
    if (size == 0) return 0;
    const fz_endpoint *e = &fz_endpoints[data[0] % FZ_NENDPOINTS];
    const char *id = e->which == 'b'   ? s->booking_id
                     : e->which == 's' ? s->staff_id
                     : e->which == 'z' ? s->zone_id
                     : e->which == 'v' ? s->service_id
                     : e->which == 'p' ? s->package_id
                                       : s->calendar_id;
    snprintf(path, sizeof path, e->path, id);
    const char *bearer = e->auth == 'a' ? s->admin_token : e->auth == 'm' ? s->manage_token : NULL;
    int status =
        harness_request(e->method, path, (const char *)data + 1, size - 1, bearer, out, sizeof out);
    harness_check_answer(status, out);
    return 0;
}
