/* caldav.h — a small CalDAV / ICS-feed client on libcurl: change markers
 * (PROPFIND), time-range queries, sync-collection and multiget (REPORT),
 * PUT/DELETE of one resource and conditional GET of a feed. Multistatus
 * replies are read with davxml.h. */
#ifndef TRIPOD_CALDAV_H
#define TRIPOD_CALDAV_H

#include <stddef.h>

#include "cal/net.h"
#include "core/tz.h"

/* Where and how to talk to one collection or feed. Strings are borrowed. */
typedef struct {
    const char *url;      /* collection URL (CalDAV) or feed URL (ICS) */
    const char *username; /* Basic auth when set */
    const char *password;
    const char *bearer; /* "Authorization: Bearer …" (OAuth providers); wins over Basic */
    long timeout_s;     /* whole request; 0 means 20 s */
    size_t max_body;    /* largest reply accepted, in bytes; 0 means 32 MiB */
    net_abort abort;    /* abandons a running request (server stopping); zero: never */
} caldav_target;

/* One HTTP exchange. Fields are malloc'ed; caldav_response_free() frees them. */
typedef struct {
    long status; /* HTTP status; 0 when no answer came */
    char *body;  /* NUL-terminated, never NULL after a completed request */
    size_t len;
    size_t cap;          /* bytes allocated at body */
    char *etag;          /* ETag header or NULL */
    char *last_modified; /* Last-Modified header or NULL */
    char *location;      /* 3xx not followed: the Location as an absolute URL (no credentials), or
                            NULL */
    long retry_after;    /* Retry-After in seconds (a date is turned into seconds); 0: none */
} caldav_response;

void caldav_response_free(caldav_response *r); /* accepts NULL; zeroes R */

/* Once per process, before any thread makes a request. Returns 0 or -1. */
int caldav_global_init(void);

/* Performs METHOD on URL (NULL: t->url) with BODY (NULL: none) and the extra
 * header lines HEADERS (NULL-terminated, may be NULL). Returns 0 when an HTTP
 * answer arrived (any status; see R->status), or -1 with the transport error
 * in ERR (timeout, refused, too large…) and R empty. Redirects are followed
 * for GET only; for other methods a 3xx comes back with R->location. Errors
 * never contain URLs or credentials. */
int caldav_request(const caldav_target *t, const char *method, const char *url,
                   const char *const *headers, const char *body, caldav_response *r, char *err,
                   size_t errlen);

/* PROPFIND Depth 0 for the collection's change markers: CalendarServer ctag
 * and DAV sync-token. *CTAG and *SYNC_TOKEN are malloc'ed or NULL when the
 * server has none. Returns 0, or -1 with ERR (then both stay NULL). */
int caldav_markers(const caldav_target *t, char **ctag, char **sync_token, char *err,
                   size_t errlen);

/* Called for each resource of a query: HREF is its path on the server,
 * DATA[0..LEN) its iCalendar text. A non-zero return stops the walk and
 * becomes the query's result. */
typedef int (*caldav_item_cb)(void *ctx, const char *href, const char *etag, const char *data,
                              size_t len);

/* REPORT calendar-query for VEVENTs overlapping [FROM, TO). Returns 0, the
 * callback's non-zero value, or -1 with ERR (transport, HTTP status or
 * unreadable XML). */
int caldav_query(const caldav_target *t, tp_time from, tp_time to, caldav_item_cb cb, void *ctx,
                 char *err, size_t errlen);

/* One member reported by sync-collection. Strings are malloc'ed. */
typedef struct {
    char *href; /* its path on the server, e.g. "/ann/work/x.ics" */
    char *etag; /* its new ETag (NULL when removed or not sent) */
    int gone;   /* 1 when it was removed (404 in the reply) */
} caldav_change;

/* What changed since a sync token; freed with caldav_changes_free. */
typedef struct {
    caldav_change *v;
    size_t n, cap;
    char *token; /* the collection's new sync token (malloc'ed) */
} caldav_changes;

void caldav_changes_free(caldav_changes *ch); /* accepts NULL; zeroes CH */

/* caldav_sync_collection's answer when the server refuses the token. */
#define CALDAV_BAD_TOKEN 2

/* REPORT sync-collection (RFC 6578: sync-level 1, getetag) since TOKEN
 * ("" or NULL: from the start), repeated while the server truncates its
 * answer (507). Fills OUT in the server's order (a member may appear twice;
 * the later entry wins). Returns 0; CALDAV_BAD_TOKEN when the server
 * answers 403/409 with the DAV:valid-sync-token precondition (expired or
 * unknown token); or -1 with ERR (transport, other HTTP status, unreadable
 * XML, no new token). On failure OUT is empty. */
int caldav_sync_collection(const caldav_target *t, const char *token, caldav_changes *out,
                           char *err, size_t errlen);

/* REPORT calendar-multiget (getetag, calendar-data) of HREFS[0..N), in
 * batches. CB sees each resource returned with data, and (with DATA NULL,
 * LEN 0) each one the server answers 404 for (removed meanwhile). Hrefs are
 * passed as paths. Returns 0, CB's non-zero value, or -1 with ERR. */
int caldav_multiget(const caldav_target *t, const char *const *hrefs, size_t n, caldav_item_cb cb,
                    void *ctx, char *err, size_t errlen);

/* The URL of resource NAME (e.g. "tripod-42.ics") in the collection t->url.
 * Returns a malloc'ed string or NULL when memory ran out. */
char *caldav_resource_url(const caldav_target *t, const char *name);

/* PUT ICS to resource URL. IF_MATCH (an ETag) makes it a conditional update;
 * CREATE_ONLY sends If-None-Match: *. On 2xx returns 0 and *ETAG_OUT (may be
 * NULL when the server sends none; malloc'ed). Otherwise -1, *STATUS set
 * (0 for transport errors; 412 when the ETag no longer matches) and ERR. */
int caldav_put(const caldav_target *t, const char *url, const char *ics, const char *if_match,
               int create_only, char **etag_out, long *status, char *err, size_t errlen);

/* DELETE resource URL; 404 counts as done. Returns 0 or -1 with *STATUS/ERR. */
int caldav_delete(const caldav_target *t, const char *url, long *status, char *err, size_t errlen);

/* GET of the resource or feed URL (NULL: t->url), conditional on ETAG /
 * LAST_MODIFIED when given. Returns 0 with R->status 200 or 304, or -1 with
 * ERR for any other answer or a transport error (R empty then). */
int caldav_get(const caldav_target *t, const char *url, const char *etag, const char *last_modified,
               caldav_response *r, char *err, size_t errlen);

#endif
