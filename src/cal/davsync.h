/* davsync.h — the CalDAV side of a calendar sync: the whole window read
 * with a time-range REPORT, or only what changed since a sync token
 * (sync-collection, then calendar-multiget), each resource parsed on its own
 * into busy instances so the store can replace it alone. */
#ifndef TRIPOD_DAVSYNC_H
#define TRIPOD_DAVSYNC_H

#include <stddef.h>

#include "cal/caldav.h"
#include "cal/ics.h"

/* One resource of the collection and its busy instances in the window. */
typedef struct {
    char *href; /* its path on the server (malloc'ed) */
    char *etag; /* its ETag (malloc'ed; NULL when the server sent none) */
    int gone;   /* 1 when it was removed on the server: its busy time goes */
    ics_list l; /* its busy instances (sorted), empty when gone */
} davsync_res;

/* The resources one sync read; starts zeroed, freed with davsync_set_free. */
typedef struct {
    davsync_res *v;
    size_t n, cap;
    size_t instances; /* busy instances over every resource */
    size_t events;    /* VEVENTs read over every resource */
    char *sync_token; /* davsync_changes: the collection's new token (malloc'ed) */
} davsync_set;

void davsync_set_free(davsync_set *s); /* accepts NULL; zeroes S */

/* The ETags the store holds per href, for skipping what is already there.
 * Filled with davsync_known_add (strings copied), sorted by
 * davsync_known_sort, freed with davsync_known_free. */
typedef struct {
    struct davsync_etag {
        char *href, *etag;
    } * v;
    size_t n, cap;
} davsync_known;

int davsync_known_add(davsync_known *k, const char *href, const char *etag); /* 0 or -1 (memory) */
void davsync_known_sort(davsync_known *k);
void davsync_known_free(davsync_known *k); /* accepts NULL; zeroes K */

/* Reads every resource of T's collection overlapping O's window (REPORT
 * calendar-query) into OUT. Returns 0, or -1 with ERR (request failed, a
 * resource is not valid iCalendar, or O's bounds are exceeded over the
 * whole collection); OUT may then hold part and is freed by the caller. */
int davsync_full(const caldav_target *t, const ics_opts *o, davsync_set *out, char *err,
                 size_t errlen);

/* Reads what changed since TOKEN: sync-collection, then one multiget of the
 * changed resources whose ETag differs from KNOWN's (KNOWN sorted; NULL:
 * fetch all). Removed ones come back with GONE set. Returns 0 with
 * OUT->sync_token set; CALDAV_BAD_TOKEN when the server refused the token;
 * or -1 with ERR (request failed, a resource was not answered or is not
 * valid iCalendar, bounds exceeded). OUT is freed by the caller either way. */
int davsync_changes(const caldav_target *t, const char *token, const davsync_known *known,
                    const ics_opts *o, davsync_set *out, char *err, size_t errlen);

#endif
