/* fuzz_discover.c — libFuzzer target for reading a calendar home's listing
 * (src/cal/discover.h: discover_read_listing), fed with what an untrusted
 * CalDAV server may answer to PROPFIND: whatever comes back must be an
 * error with a reason, or calendars with absolute URLs and UTF-8 names
 * within the bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cal/discover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char home[] = "https://dav.example.com/dav/calendars/ann/";
    discover_list l;
    discover_error e;
    memset(&l, 0, sizeof l);
    memset(&e, 0, sizeof e);
    discover_status st = discover_read_listing((const char *)data, size, home, home, &l, &e);
    if (st != DISCOVER_OK && (!e.step || !e.message[0])) abort(); /* failures say why */
    if (l.n > 200) abort();
    for (size_t i = 0; i < l.n; i++) {
        const discover_calendar *c = &l.v[i];
        if (strncmp(c->url, "http://", 7) != 0 && strncmp(c->url, "https://", 8) != 0) abort();
        if (!c->name || strlen(c->name) > 2048) abort();
        if (c->color && strlen(c->color) != 7) abort();
        if (c->can_write < -1 || c->can_write > 1) abort();
    }
    discover_list_free(&l);
    return 0;
}
