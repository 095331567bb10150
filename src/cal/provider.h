/* provider.h — JSON over HTTPS with a connected account (Google Calendar API,
 * Microsoft Graph), shared by google.c and graph.c: the account's bearer
 * token (a 401 fetches a fresh one and repeats once), 429/503 honoured
 * through Retry-After, bounded bodies, untrusted JSON parsed safely. */
#ifndef TRIPOD_PROVIDER_H
#define TRIPOD_PROVIDER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cal/davsync.h"
#include "cal/ics.h"
#include "cal/oauth.h"

#define PROVIDER_MAX_BODY (16u << 20) /* a larger answer is refused */
#define PROVIDER_GONE 2               /* a sync token / delta link the provider refuses (410) */

/* Requests on behalf of one account. Start with provider_open; close with
 * provider_close. */
typedef struct {
    const oauth_env *env;
    int64_t account;
    tp_time now;
    const oauth_provider *p; /* the account's provider */
    char *token;             /* its access token (malloc'ed, wiped on close) */
} provider_session;

/* Opens account ACCOUNT at NOW: its valid access token (refreshed when
 * needed). 0, or -1 with ERR (failing or unknown account, refresh failed). */
int provider_open(provider_session *s, const oauth_env *env, int64_t account, tp_time now,
                  char *err, size_t errlen);
void provider_close(provider_session *s); /* accepts a zeroed S */

/* One answer. JSON is NULL when the body was empty or not JSON. */
typedef struct {
    long status;
    json_t *json;     /* owned */
    long retry_after; /* seconds the provider asked to wait (429/503); 0: none */
} provider_reply;
void provider_reply_free(provider_reply *r); /* accepts NULL; zeroes R */

/* METHOD URL with JSON BODY (may be NULL) and extra HEADERS (NULL-terminated,
 * may be NULL) as the account. A 401 gets a fresh token and one more try; a
 * 429 or 503 is repeated after its Retry-After (1 s when none) while that
 * stays short (at most 10 s, 3 times, and the stop is heeded); else it is
 * answered. Returns 0 with any HTTP status in R, or -1 with ERR (transport,
 * a body over PROVIDER_MAX_BODY, token refresh failed). */
int provider_call(provider_session *s, const char *method, const char *url,
                  const char *const *headers, const json_t *body, provider_reply *r, char *err,
                  size_t errlen);

/* "Google Calendar API: HTTP 403: <the error's message>" for answer R, into
 * ERR (the provider's message is cut short, never a token). */
void provider_status_error(const provider_session *s, const char *what, const provider_reply *r,
                           char *err, size_t errlen);

/* S percent-encoded for a path segment or query value (RFC 3986 unreserved
 * kept). Malloc'ed; NULL when memory ran out. */
char *provider_escape(const char *s);

/* Parses TEXT[0..LEN) as one JSON object (duplicates refused, at most
 * PROVIDER_MAX_BODY bytes). New reference, or NULL with ERR. */
json_t *provider_parse(const char *text, size_t len, const char *what, char *err, size_t errlen);

/* The string member KEY of OBJ when it is a string of at most MAX bytes, else NULL. */
const char *provider_str(const json_t *obj, const char *key, size_t max);

/* *DST = a copy of the string member KEY of J (at most 8 KiB), NULL when
 * KEY is absent or null. 0, or -1 with ERR when it is something else or
 * memory ran out. */
int provider_take_str(const json_t *j, const char *key, char **dst, char *err, size_t errlen);

/* Appends to SET the provider's event ID (at most 1024 bytes): GONE when it
 * was deleted or cancelled; else, when BUSY, its one instance [START, END)
 * if that overlaps O's window (UID, SUMMARY copied; SUMMARY cut at 200
 * bytes). A free or out-of-window event is added with no instance, so an
 * incremental sync drops what it had. Enforces O's max_events and
 * max_instances over SET. 0, or -1 with ERR. */
int provider_set_add(davsync_set *set, const ics_opts *o, const char *id, int gone, int busy,
                     tp_time start, tp_time end, const char *uid, const char *summary, char *err,
                     size_t errlen);

/* The start and end (epoch seconds) of an outbox event EV as RFC 3339 in UTC
 * ("2030-06-03T17:00:00+00:00") into ST and EN (32 bytes each). 0, or -1. */
int provider_event_times(const json_t *ev, char st[32], char en[32]);

/* The instant local midnight begins day DATE ("YYYY-MM-DD") in zone Z. 0 or -1. */
int provider_local_day(const tz_zone *z, const char *date, tp_time *t);

#endif
