/* discover.h — the calendars of a CalDAV account, found from a server
 * address, user name and password the standard way: RFC 6764 (the
 * /.well-known/caldav context path, redirects followed), RFC 5397
 * current-user-principal, RFC 4791 §6.2.1 calendar-home-set, then the
 * home's calendar collections that take events. */
#ifndef TRIPOD_DISCOVER_H
#define TRIPOD_DISCOVER_H

#include <stddef.h>

#include "cal/net.h"

/* One calendar found. Strings are malloc'ed. */
typedef struct {
    char *url;     /* absolute collection URL, percent-encoded as the server gave it */
    char *name;    /* DAV:displayname, else the last path segment; valid UTF-8 */
    char *color;   /* Apple calendar-color as "#RRGGBB", or NULL */
    int can_write; /* 1: may add events (DAV:all, write or bind), 0: read only, -1: not said */
} discover_calendar;

/* The calendars found, in the server's order; free with discover_list_free. */
typedef struct {
    discover_calendar *v;
    size_t n, cap;
} discover_list;

void discover_list_free(discover_list *l); /* accepts NULL; zeroes L */

/* What one discovery came to. */
typedef enum {
    DISCOVER_OK = 0,
    DISCOVER_BAD_URL,   /* the address cannot be used (not http/https, credentials in it…) */
    DISCOVER_AUTH,      /* the server refused the user name and password */
    DISCOVER_NOT_FOUND, /* nothing at the address speaks CalDAV */
    DISCOVER_FAILED     /* unreachable, unreadable reply, redirect loop, timeout… */
} discover_status;

/* Why a discovery failed. */
typedef struct {
    const char *step;  /* static: "address", "service", "principal" or "calendars" */
    char message[512]; /* a sentence naming the step and the host; never the password */
} discover_error;

typedef struct {
    const char *url;      /* a base URL or bare host name (https is assumed), or the URL of
                           * a principal, a calendar home or one calendar */
    const char *username; /* NULL or "": no credentials are sent */
    const char *password;
    long timeout_s; /* the whole discovery; 0 means 30 s */
    net_abort abort;
} discover_request;

/* Finds the calendars of Q's account. The password goes only over https, or
 * over plain http to the very host and port Q->url names (when the user
 * typed http:// themselves); a redirect from https to http on the same host
 * is followed over https. Returns DISCOVER_OK with OUT filled (possibly
 * empty: the account has no calendar that takes events), or another status
 * with E set and OUT empty. At most 20 requests, 5 redirects each, 4 MiB a
 * reply, 200 calendars. Needs caldav_global_init() first. */
discover_status discover_run(const discover_request *q, discover_list *out, discover_error *e);

/* The calendars that take events among the responses of multistatus
 * BODY[0..LEN): the answer of AT (the URL that answered, after redirects) to
 * a Depth 1 PROPFIND of home HOME. Relative hrefs are resolved against AT;
 * the home itself, inboxes, outboxes, address books, subscriptions and
 * calendars without VEVENT are left out; OUT gains the rest (not twice, at
 * most 200 in all, at most 2000 responses read). Returns DISCOVER_OK, or
 * DISCOVER_FAILED with E when BODY is no multistatus or memory ran out
 * (what was added stays in OUT). Does no I/O. */
discover_status discover_read_listing(const char *body, size_t len, const char *home,
                                      const char *at, discover_list *out, discover_error *e);

#endif
