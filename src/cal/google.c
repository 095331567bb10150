/* google.c — Google Calendar API v3 (google.h), following
 *   https://developers.google.com/calendar/api/v3/reference/events/list
 *   https://developers.google.com/calendar/api/guides/sync
 *   https://developers.google.com/calendar/api/v3/reference/events/insert
 *   https://developers.google.com/calendar/api/v3/reference/calendarList/list */
#include "cal/google.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal/event.h"

#define MAX_RESULTS 2500 /* events.list maxResults: the largest allowed */
#define MAX_PAGES 200    /* pages read in one sync */
#define ID_PREFIX "tripodbooking"

char *google_event_id(int64_t booking, char *buf, size_t len)
{
    snprintf(buf, len, ID_PREFIX "%lld", (long long)booking);
    return buf;
}

/* The booking of event id ID ("tripodbooking42", or its iCalUID form
 * "tripodbooking42@google.com"), or 0. */
static int64_t booking_of(const char *id)
{
    if (!id || strncmp(id, ID_PREFIX, sizeof ID_PREFIX - 1) != 0) return 0;
    char *end;
    long long n = strtoll(id + sizeof ID_PREFIX - 1, &end, 10);
    return n > 0 && (*end == '\0' || *end == '@') ? (int64_t)n : 0;
}

/* An event time {dateTime} or {date} (all day, read in the owner's zone). */
static int event_time(const json_t *t, const tz_zone *z, tp_time *out, int *all_day)
{
    const char *dt = provider_str(t, "dateTime", 64), *d = provider_str(t, "date", 16);
    *all_day = !dt && d;
    if (dt) return tz_parse_rfc3339(dt, out);
    return d ? provider_local_day(z, d, out) : -1;
}

/* 1 when the owner declined: an attendee with "self": true answered "declined". */
static int declined(const json_t *ev)
{
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(ev, "attendees"), i, a)
    {
        if (i > 1000) break;
        const char *r = provider_str(a, "responseStatus", 32);
        if (json_is_true(json_object_get(a, "self")) && r && strcmp(r, "declined") == 0) return 1;
    }
    return 0;
}

static int add_event(const json_t *ev, const ics_opts *o, davsync_set *set, char *err,
                     size_t errlen)
{
    const char *id = provider_str(ev, "id", 1024);
    const char *status = provider_str(ev, "status", 32);
    const char *ical = provider_str(ev, "iCalUID", 1024);
    char uid[64];
    if (!json_is_object(ev) || !id) {
        snprintf(err, errlen, "Google Calendar: an event has no id");
        return -1;
    }
    if (status && strcmp(status, "cancelled") == 0)
        return provider_set_add(set, o, id, 1, 0, 0, 0, NULL, NULL, err, errlen);
    tp_time start, end;
    int all_start, all_end;
    if (event_time(json_object_get(ev, "start"), o->owner_tz, &start, &all_start) != 0 ||
        event_time(json_object_get(ev, "end"), o->owner_tz, &end, &all_end) != 0) {
        snprintf(err, errlen, "Google Calendar: event %.60s has no readable start/end", id);
        return -1;
    }
    const char *transp = provider_str(ev, "transparency", 32);
    int busy = !(transp && strcmp(transp, "transparent") == 0) && !declined(ev);
    int64_t booking = booking_of(id);
    if (!booking) booking = booking_of(ical);
    const char *summary = provider_str(ev, "summary", 4096);
    return provider_set_add(set, o, id, 0, busy, start, end,
                            booking ? event_uid(booking, uid, sizeof uid)
                            : ical  ? ical
                                    : id,
                            summary ? summary : "Busy", err, errlen);
}

int google_parse_events(const char *text, size_t len, const ics_opts *o, davsync_set *set,
                        char **page, char **sync, char *err, size_t errlen)
{
    size_t i;
    const json_t *ev;
    int rc = -1;
    if (page) *page = NULL;
    if (sync) *sync = NULL;
    json_t *j = provider_parse(text, len, "Google Calendar events", err, errlen);
    if (!j) return -1;
    const json_t *items = json_object_get(j, "items");
    if (items && !json_is_array(items)) {
        snprintf(err, errlen, "Google Calendar events: items is not a list");
        goto out;
    }
    json_array_foreach(items, i, ev)
    {
        if (add_event(ev, o, set, err, errlen) != 0) goto out;
    }
    if ((page && provider_take_str(j, "nextPageToken", page, err, errlen) != 0) ||
        (sync && provider_take_str(j, "nextSyncToken", sync, err, errlen) != 0)) {
        snprintf(err, errlen, "Google Calendar events: unreadable page or sync token");
        goto out;
    }
    rc = 0;
out:
    if (rc != 0) {
        if (page) free(*page), *page = NULL;
        if (sync) free(*sync), *sync = NULL;
    }
    json_decref(j);
    return rc;
}

int google_parse_calendars(const char *text, size_t len, json_t *arr, char **email, char **page,
                           char *err, size_t errlen)
{
    size_t i;
    const json_t *c;
    *page = NULL;
    json_t *j = provider_parse(text, len, "Google calendar list", err, errlen);
    if (!j) return -1;
    int rc = -1;
    json_array_foreach(json_object_get(j, "items"), i, c)
    {
        const char *id = provider_str(c, "id", 1024);
        const char *name = provider_str(c, "summaryOverride", 1024);
        const char *role = provider_str(c, "accessRole", 32);
        if (!name) name = provider_str(c, "summary", 1024);
        if (!id || json_array_size(arr) >= 1000) continue;
        int primary = json_is_true(json_object_get(c, "primary"));
        int write = role && (strcmp(role, "owner") == 0 || strcmp(role, "writer") == 0);
        if (primary && email && !*email && !(*email = strdup(id))) goto oom;
        if (json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:b}", "remote_id", id, "name",
                                                 name ? name : id, "primary", primary, "can_write",
                                                 write)) != 0)
            goto oom;
    }
    if (provider_take_str(j, "nextPageToken", page, err, errlen) != 0) goto out;
    rc = 0;
    goto out;
oom:
    snprintf(err, errlen, "out of memory");
out:
    json_decref(j);
    return rc;
}

/* "<api>/<path…>" with PARAM=VALUE pairs (values escaped; NULL values
 * skipped). Malloc'ed or NULL. */
static char *api_url(const provider_session *s, const char *path, const char *const *params)
{
    size_t len = strlen(s->p->api_url) + strlen(path) + 2;
    char *url = malloc(len);
    if (!url) return NULL;
    snprintf(url, len, "%s%s", s->p->api_url, path);
    for (size_t i = 0; params && params[i]; i += 2) {
        if (!params[i + 1]) continue;
        char *v = provider_escape(params[i + 1]);
        size_t n = strlen(url), add = strlen(params[i]) + (v ? strlen(v) : 0) + 3;
        char *grown = v ? realloc(url, n + add) : NULL;
        if (!grown) {
            free(v);
            free(url);
            return NULL;
        }
        url = grown;
        snprintf(url + n, add, "%c%s=%s", strchr(url, '?') ? '&' : '?', params[i], v);
        free(v);
    }
    return url;
}

/* "/calendars/<cal>/events[/<event>]" with both escaped. */
static char *events_path(const char *cal, const char *event)
{
    char *c = provider_escape(cal), *e = event ? provider_escape(event) : NULL;
    size_t len = (c ? strlen(c) : 0) + (e ? strlen(e) : 0) + 32;
    char *p = c && (!event || e) ? malloc(len) : NULL;
    if (p) snprintf(p, len, "/calendars/%s/events%s%s", c, e ? "/" : "", e ? e : "");
    free(c);
    free(e);
    return p;
}

int google_calendars(provider_session *s, json_t **out, char **email, char *err, size_t errlen)
{
    char *page = NULL;
    int rc = -1;
    *out = json_array();
    *email = NULL;
    for (int pages = 0; *out && pages < 50; pages++) {
        const char *params[] = {"pageToken", page, NULL};
        char *url = api_url(s, "/users/me/calendarList", params);
        provider_reply r;
        free(page);
        page = NULL;
        if (!url) break;
        int call = provider_call(s, "GET", url, NULL, NULL, &r, err, errlen);
        free(url);
        if (call != 0) break;
        if (r.status != 200 || !r.json) {
            provider_status_error(s, "calendar list", &r, err, errlen);
            provider_reply_free(&r);
            break;
        }
        char *text = json_dumps(r.json, JSON_COMPACT);
        provider_reply_free(&r);
        int prc =
            text ? google_parse_calendars(text, strlen(text), *out, email, &page, err, errlen) : -1;
        free(text);
        if (prc != 0) break;
        if (!page) {
            rc = 0;
            break;
        }
    }
    free(page);
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
        free(*email);
        *email = NULL;
    }
    return rc;
}

int google_read(provider_session *s, const char *cal, const char *token, const ics_opts *o,
                davsync_set *set, char **new_token, char *err, size_t errlen)
{
    char from[32], to[32], max[16], *page = NULL, *path = events_path(cal, NULL);
    const tz_zone *utc = tz_zone_get("UTC");
    int rc = -1;
    *new_token = NULL;
    if (!path || !utc) {
        free(path);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    tz_format_rfc3339(utc, o->from, from, sizeof from);
    tz_format_rfc3339(utc, o->to, to, sizeof to);
    snprintf(max, sizeof max, "%d", MAX_RESULTS);
    for (int pages = 0; pages < MAX_PAGES; pages++) {
        /* A sync token is incompatible with timeMin/timeMax (events.list). */
        const char *params[] = {"singleEvents",
                                "true",
                                "maxResults",
                                max,
                                "syncToken",
                                token,
                                "timeMin",
                                token ? NULL : from,
                                "timeMax",
                                token ? NULL : to,
                                "pageToken",
                                page,
                                NULL};
        char *url = api_url(s, path, params);
        provider_reply r;
        free(page);
        page = NULL;
        if (!url) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        int call = provider_call(s, "GET", url, NULL, NULL, &r, err, errlen);
        free(url);
        if (call != 0) goto out;
        if (r.status == 410) {
            /* Synchronize resources efficiently: wipe the store, sync in full. */
            provider_reply_free(&r);
            rc = PROVIDER_GONE;
            goto out;
        }
        if (r.status != 200 || !r.json) {
            provider_status_error(s, "events.list", &r, err, errlen);
            provider_reply_free(&r);
            goto out;
        }
        char *text = json_dumps(r.json, JSON_COMPACT);
        provider_reply_free(&r);
        char *sync = NULL;
        int prc =
            text ? google_parse_events(text, strlen(text), o, set, &page, &sync, err, errlen) : -1;
        free(text);
        if (prc != 0) goto out;
        if (!page) {
            /* The last page carries nextSyncToken. */
            if (!sync) {
                snprintf(err, errlen, "Google Calendar: the last page has no nextSyncToken");
                goto out;
            }
            *new_token = sync;
            rc = 0;
            goto out;
        }
        free(sync);
    }
    snprintf(err, errlen, "Google Calendar: more than %d pages", MAX_PAGES);
out:
    free(page);
    free(path);
    return rc;
}

/* The events.insert / patch body of EV (event resource fields). */
static json_t *event_body(const json_t *ev, const char *id)
{
    char st[32], en[32];
    size_t i;
    const json_t *a;
    if (provider_event_times(ev, st, en) != 0) return NULL;
    json_t *att = json_array();
    json_array_foreach(json_object_get(ev, "attendees"), i, a)
    {
        const char *email = json_string_value(json_object_get(a, "email"));
        const char *name = json_string_value(json_object_get(a, "name"));
        if (email && *email)
            json_array_append_new(att, json_pack("{s:s, s:s}", "email", email, "displayName",
                                                 name && *name ? name : email));
    }
    json_t *b =
        json_pack("{s:O?, s:O?, s:O?, s:{s:s}, s:{s:s}, s:o, s:s}", "summary",
                  json_object_get(ev, "summary"), "location", json_object_get(ev, "location"),
                  "description", json_object_get(ev, "description"), "start", "dateTime", st, "end",
                  "dateTime", en, "attendees", att, "status", "confirmed");
    if (b && id) json_object_set_new(b, "id", json_string(id));
    return b;
}

/* One write: METHOD on the event (or the collection when EVENT is NULL). */
static int write_call(provider_session *s, const char *method, const char *cal, const char *event,
                      const json_t *body, provider_reply *r, char *err, size_t errlen)
{
    static const char *const params[] = {"sendUpdates", "all", NULL};
    char *path = events_path(cal, event);
    char *url = path ? api_url(s, path, params) : NULL;
    int rc = url ? provider_call(s, method, url, NULL, body, r, err, errlen) : -1;
    if (!url) snprintf(err, errlen, "out of memory");
    free(path);
    free(url);
    return rc;
}

int google_write(provider_session *s, const char *cal, int64_t booking, const json_t *ev,
                 long *retry_after, char *err, size_t errlen)
{
    char id[48];
    provider_reply r;
    int rc = -1;
    *retry_after = 0;
    google_event_id(booking, id, sizeof id);
    if (json_is_true(json_object_get(ev, "cancelled"))) {
        if (write_call(s, "DELETE", cal, id, NULL, &r, err, errlen) != 0) return -1;
        /* 410: already deleted; 404: never created. Either way it is gone. */
        if (r.status / 100 == 2 || r.status == 404 || r.status == 410) rc = 0;
        goto done;
    }
    json_t *patch = event_body(ev, NULL), *insert = event_body(ev, id);
    if (!patch || !insert) {
        snprintf(err, errlen, "out of memory");
        json_decref(patch);
        json_decref(insert);
        return -1;
    }
    /* Patch the event when it exists; insert it with our id when not; an
     * insert answered 409 (a retried insert that had succeeded) patches. */
    for (int step = 0; step < 3; step++) {
        int insert_step = step == 1;
        if (write_call(s, insert_step ? "POST" : "PATCH", cal, insert_step ? NULL : id,
                       insert_step ? insert : patch, &r, err, errlen) != 0)
            break;
        if (r.status / 100 == 2) {
            rc = 0;
            break;
        }
        if (!((step == 0 && (r.status == 404 || r.status == 410)) ||
              (step == 1 && r.status == 409)))
            break;
        provider_reply_free(&r);
    }
    json_decref(patch);
    json_decref(insert);
    if (rc != 0 && r.status == 0) return -1;
done:
    if (rc != 0) {
        provider_status_error(s, "event write", &r, err, errlen);
        *retry_after = r.retry_after;
    }
    provider_reply_free(&r);
    return rc;
}
