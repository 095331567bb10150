/* graph.c — Microsoft Graph v1.0 (graph.h), following
 *   https://learn.microsoft.com/en-us/graph/api/event-delta
 *   https://learn.microsoft.com/en-us/graph/delta-query-events
 *   https://learn.microsoft.com/en-us/graph/api/resources/event (showAs, isAllDay)
 *   https://learn.microsoft.com/en-us/graph/api/user-list-calendars
 *   https://learn.microsoft.com/en-us/graph/api/calendar-post-events (transactionId)
 *   https://learn.microsoft.com/en-us/graph/throttling (429, Retry-After) */
#include "cal/graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal/event.h"

#define MAX_PAGES 200
#define PAGE_SIZE "Prefer: odata.maxpagesize=200"
#define IN_UTC "Prefer: outlook.timezone=\"UTC\""

/* A dateTimeTimeZone {dateTime: "2030-06-03T13:00:00.0000000", timeZone}:
 * an instant, or for an all-day event the owner's local midnight of its date. */
static int graph_time(const json_t *t, int all_day, const tz_zone *owner, tp_time *out)
{
    const char *dt = provider_str(t, "dateTime", 64);
    const char *zone = provider_str(t, "timeZone", 64);
    char buf[72];
    if (!dt || strlen(dt) < 19) return -1;
    if (all_day) return provider_local_day(owner, dt, out);
    /* Without an offset the time is in timeZone (UTC as asked, or an IANA name). */
    snprintf(buf, sizeof buf, "%.*sZ", 19, dt);
    tp_time wall;
    if (tz_parse_rfc3339(buf, &wall) != 0) return -1;
    if (!zone || strcmp(zone, "UTC") == 0 || strcmp(zone, "tzone://Microsoft/Utc") == 0) {
        *out = wall;
        return 0;
    }
    const tz_zone *z = tz_zone_get(zone);
    if (!z) return -1;
    *out = tz_local_to_utc(z, wall);
    return 0;
}

static int add_event(const json_t *ev, const ics_opts *o, davsync_set *set, char *err,
                     size_t errlen)
{
    const char *id = provider_str(ev, "id", 1024);
    if (!json_is_object(ev) || !id) {
        snprintf(err, errlen, "Microsoft Graph: an event has no id");
        return -1;
    }
    if (json_object_get(ev, "@removed") || json_is_true(json_object_get(ev, "isCancelled")))
        return provider_set_add(set, o, id, 1, 0, 0, 0, NULL, NULL, err, errlen);
    int all_day = json_is_true(json_object_get(ev, "isAllDay"));
    tp_time start, end;
    if (graph_time(json_object_get(ev, "start"), all_day, o->owner_tz, &start) != 0 ||
        graph_time(json_object_get(ev, "end"), all_day, o->owner_tz, &end) != 0) {
        snprintf(err, errlen, "Microsoft Graph: event %.60s has no readable start/end", id);
        return -1;
    }
    const char *show = provider_str(ev, "showAs", 32);
    const char *resp = provider_str(json_object_get(ev, "responseStatus"), "response", 32);
    int busy = !(show && (strcmp(show, "free") == 0 || strcmp(show, "workingElsewhere") == 0)) &&
               !(resp && strcmp(resp, "declined") == 0);
    const char *subject = provider_str(ev, "subject", 4096);
    const char *uid = provider_str(ev, "iCalUId", 1024);
    return provider_set_add(set, o, id, 0, busy, start, end, uid ? uid : id,
                            subject && *subject ? subject : "Busy", err, errlen);
}

/* An @odata link: absent, or an http(s) URL. */
static int take_link(const json_t *j, const char *key, char **dst, char *err, size_t errlen)
{
    if (provider_take_str(j, key, dst, err, errlen) != 0) return -1;
    if (*dst && strncmp(*dst, "https://", 8) != 0 && strncmp(*dst, "http://", 7) != 0) {
        free(*dst);
        *dst = NULL;
        snprintf(err, errlen, "Microsoft Graph: %s is not a URL", key);
        return -1;
    }
    return 0;
}

int graph_parse_delta(const char *text, size_t len, const ics_opts *o, davsync_set *set,
                      char **next, char **delta, char *err, size_t errlen)
{
    size_t i;
    const json_t *ev;
    int rc = -1;
    *next = *delta = NULL;
    json_t *j = provider_parse(text, len, "Microsoft Graph delta", err, errlen);
    if (!j) return -1;
    const json_t *value = json_object_get(j, "value");
    if (!json_is_array(value)) {
        snprintf(err, errlen, "Microsoft Graph delta: no value list");
        goto out;
    }
    json_array_foreach(value, i, ev)
    {
        if (add_event(ev, o, set, err, errlen) != 0) goto out;
    }
    if (take_link(j, "@odata.nextLink", next, err, errlen) != 0 ||
        take_link(j, "@odata.deltaLink", delta, err, errlen) != 0)
        goto out;
    rc = 0;
out:
    if (rc != 0) {
        free(*next);
        free(*delta);
        *next = *delta = NULL;
    }
    json_decref(j);
    return rc;
}

int graph_parse_calendars(const char *text, size_t len, json_t *arr, char **next, char *err,
                          size_t errlen)
{
    size_t i;
    const json_t *c;
    json_t *j = provider_parse(text, len, "Microsoft Graph calendars", err, errlen);
    *next = NULL;
    if (!j) return -1;
    int rc = 0;
    json_array_foreach(json_object_get(j, "value"), i, c)
    {
        const char *id = provider_str(c, "id", 1024), *name = provider_str(c, "name", 1024);
        if (!id || json_array_size(arr) >= 1000) continue;
        if (json_array_append_new(
                arr, json_pack("{s:s, s:s, s:b, s:b}", "remote_id", id, "name", name ? name : id,
                               "primary", json_is_true(json_object_get(c, "isDefaultCalendar")),
                               "can_write", json_is_true(json_object_get(c, "canEdit")))) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
    }
    if (rc == 0) rc = take_link(j, "@odata.nextLink", next, err, errlen);
    json_decref(j);
    return rc;
}

/* "<graph>PATH" (PATH's %s gets ARG escaped). Malloc'ed or NULL. */
static char *graph_url(const provider_session *s, const char *path, const char *arg)
{
    char *e = arg ? provider_escape(arg) : NULL;
    size_t len = strlen(s->p->api_url) + strlen(path) + (e ? strlen(e) : 0) + 1;
    char *url = !arg || e ? malloc(len) : NULL;
    if (url) {
        int n = snprintf(url, len, "%s", s->p->api_url);
        snprintf(url + n, len - (size_t)n, path, e ? e : "");
    }
    free(e);
    return url;
}

/* GET URL as the account, 200 with JSON expected; its text into *TEXT. */
static int get_json(provider_session *s, const char *url, const char *const *headers,
                    const char *what, char **text, long *status, char *err, size_t errlen)
{
    provider_reply r;
    *text = NULL;
    if (provider_call(s, "GET", url, headers, NULL, &r, err, errlen) != 0) return -1;
    *status = r.status;
    int rc = -1;
    if (r.status == 200 && r.json) {
        if ((*text = json_dumps(r.json, JSON_COMPACT)))
            rc = 0;
        else
            snprintf(err, errlen, "out of memory");
    } else {
        provider_status_error(s, what, &r, err, errlen);
    }
    provider_reply_free(&r);
    return rc;
}

int graph_calendars(provider_session *s, json_t **out, char **email, char *err, size_t errlen)
{
    char *text = NULL, *url = graph_url(s, "/me", NULL), *next = NULL;
    long status;
    *out = NULL;
    *email = NULL;
    int rc = url ? get_json(s, url, NULL, "/me", &text, &status, err, errlen) : -1;
    free(url);
    if (rc == 0) {
        json_t *me = provider_parse(text, strlen(text), "/me", err, errlen);
        const char *mail = provider_str(me, "mail", 320);
        if (!mail) mail = provider_str(me, "userPrincipalName", 320);
        *email = mail ? strdup(mail) : strdup("");
        json_decref(me);
        rc = *email ? 0 : -1;
    }
    free(text);
    if (rc == 0 && !(*out = json_array())) rc = -1;
    url = rc == 0 ? graph_url(s, "/me/calendars", NULL) : NULL;
    for (int pages = 0; rc == 0 && url && pages < 50; pages++) {
        rc = get_json(s, url, NULL, "calendars", &text, &status, err, errlen);
        free(url);
        url = NULL;
        if (rc == 0) rc = graph_parse_calendars(text, strlen(text), *out, &next, err, errlen);
        free(text);
        url = next;
        next = NULL;
    }
    free(url);
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
        free(*email);
        *email = NULL;
    }
    return rc;
}

/* Gives instances whose uid is a Tripod booking's event the booking's UID. */
static void map_booking_uids(store *db, davsync_set *set)
{
    store_conn *c = store_acquire(db);
    for (size_t r = 0; c && r < set->n; r++) {
        ics_list *l = &set->v[r].l;
        for (size_t i = 0; i < l->n; i++) {
            int64_t booking;
            char uid[64];
            if (store_remote_event_booking(c, l->v[i].uid, &booking) != STORE_OK) continue;
            char *mapped = strdup(event_uid(booking, uid, sizeof uid));
            if (!mapped) continue;
            free(l->v[i].uid);
            l->v[i].uid = mapped;
        }
    }
    store_release(c);
}

int graph_read(provider_session *s, store *db, const char *cal, const char *delta_link,
               const ics_opts *o, davsync_set *set, char **new_link, char *err, size_t errlen)
{
    static const char *const headers[] = {PAGE_SIZE, IN_UTC, NULL};
    const tz_zone *utc = tz_zone_get("UTC");
    char from[32], to[32], *url = NULL;
    int rc = -1;
    *new_link = NULL;
    if (!utc) return -1;
    if (delta_link) {
        url = strdup(delta_link);
    } else {
        char *base = graph_url(s, "/me/calendars/%s/calendarView/delta", cal);
        char *f = provider_escape(tz_format_rfc3339(utc, o->from, from, sizeof from));
        char *t = provider_escape(tz_format_rfc3339(utc, o->to, to, sizeof to));
        size_t len = (base ? strlen(base) : 0) + (f ? strlen(f) : 0) + (t ? strlen(t) : 0) + 40;
        if (base && f && t && (url = malloc(len)))
            snprintf(url, len, "%s?startDateTime=%s&endDateTime=%s", base, f, t);
        free(base);
        free(f);
        free(t);
    }
    for (int pages = 0; url && pages < MAX_PAGES; pages++) {
        char *text = NULL, *next = NULL, *delta = NULL;
        long status = 0;
        int got = get_json(s, url, headers, "calendarView/delta", &text, &status, err, errlen);
        free(url);
        url = NULL;
        if (got != 0) {
            /* A stale delta link: 410 Gone (resyncRequired); start over in full. */
            if (status == 410) rc = PROVIDER_GONE;
            goto out;
        }
        got = graph_parse_delta(text, strlen(text), o, set, &next, &delta, err, errlen);
        free(text);
        if (got != 0) goto out;
        if (delta) {
            free(next);
            *new_link = delta;
            map_booking_uids(db, set);
            rc = 0;
            goto out;
        }
        if (!next) {
            snprintf(err, errlen, "Microsoft Graph: a delta page without nextLink or deltaLink");
            goto out;
        }
        url = next;
    }
    if (url)
        snprintf(err, errlen, "Microsoft Graph: more than %d pages", MAX_PAGES);
    else if (rc != 0 && !*err)
        snprintf(err, errlen, "out of memory");
out:
    free(url);
    return rc;
}

/* The Graph event body of EV (subject, body, start, end, location, attendees). */
static json_t *event_body(const json_t *ev)
{
    char st[32], en[32];
    size_t i;
    const json_t *a;
    if (provider_event_times(ev, st, en) != 0) return NULL;
    st[19] = en[19] = '\0'; /* "2030-06-03T17:00:00" in UTC: dateTimeTimeZone has no offset */
    json_t *att = json_array();
    json_array_foreach(json_object_get(ev, "attendees"), i, a)
    {
        const char *email = json_string_value(json_object_get(a, "email"));
        const char *name = json_string_value(json_object_get(a, "name"));
        if (email && *email)
            json_array_append_new(att, json_pack("{s:{s:s, s:s}, s:s}", "emailAddress", "address",
                                                 email, "name", name && *name ? name : email,
                                                 "type", "required"));
    }
    const char *summary = json_string_value(json_object_get(ev, "summary"));
    const char *location = json_string_value(json_object_get(ev, "location"));
    const char *desc = json_string_value(json_object_get(ev, "description"));
    return json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s}, s:o, s:s}",
                     "subject", summary ? summary : "Shoot", "body", "contentType", "text",
                     "content", desc ? desc : "", "start", "dateTime", st, "timeZone", "UTC", "end",
                     "dateTime", en, "timeZone", "UTC", "location", "displayName",
                     location ? location : "", "attendees", att, "showAs", "busy");
}

int graph_write(provider_session *s, store *db, int64_t calendar, const char *cal, int64_t booking,
                const json_t *ev, long *retry_after, char *err, size_t errlen)
{
    char *remote = NULL, *url = NULL;
    provider_reply r;
    int rc = -1;
    memset(&r, 0, sizeof r);
    *retry_after = 0;
    store_conn *c = store_acquire(db);
    int found = c ? store_remote_event_get(c, booking, calendar, &remote, NULL) : STORE_ERROR;
    store_release(c);
    if (found != STORE_OK && found != STORE_NOTFOUND) {
        snprintf(err, errlen, "store unreachable");
        return -1;
    }
    json_t *body = event_body(ev);
    if (!body) goto oom;
    if (json_is_true(json_object_get(ev, "cancelled"))) {
        /* Never created: nothing to cancel. Deleting the organizer's event
         * sends the attendees Graph's cancellation. */
        if (!remote) {
            rc = 0;
            goto out;
        }
        if (!(url = graph_url(s, "/me/events/%s", remote))) goto oom;
        if (provider_call(s, "DELETE", url, NULL, NULL, &r, err, errlen) != 0) goto out;
        if (r.status / 100 == 2 || r.status == 404 || r.status == 410) rc = 0;
        goto status;
    }
    if (remote) {
        if (!(url = graph_url(s, "/me/events/%s", remote))) goto oom;
        if (provider_call(s, "PATCH", url, NULL, body, &r, err, errlen) != 0) goto out;
        if (r.status / 100 == 2) {
            rc = 0;
            goto out;
        }
        if (r.status != 404) goto status;
        provider_reply_free(&r); /* deleted in the calendar meanwhile: create it again */
        free(url);
    }
    {
        /* transactionId: a retried create returns the event made the first time. */
        char tx[96], uid[64];
        snprintf(tx, sizeof tx, "%s-%lld%s", event_uid(booking, uid, sizeof uid),
                 (long long)json_integer_value(json_object_get(ev, "sequence")),
                 remote ? "-again" : "");
        json_object_set_new(body, "transactionId", json_string(tx));
    }
    if (!(url = graph_url(s, "/me/calendars/%s/events", cal))) goto oom;
    if (provider_call(s, "POST", url, NULL, body, &r, err, errlen) != 0) goto out;
    if (r.status / 100 != 2) goto status;
    const char *id = provider_str(r.json, "id", 1024),
               *ical = provider_str(r.json, "iCalUId", 1024);
    if (!id) {
        snprintf(err, errlen, "Microsoft Graph: the created event has no id");
        goto out;
    }
    c = store_acquire(db);
    rc = c && store_remote_event_put(c, booking, calendar, id, ical) == STORE_OK ? 0 : -1;
    store_release(c);
    if (rc != 0) snprintf(err, errlen, "store: cannot keep the event's id (retried)");
    goto out;
status:
    if (rc != 0) {
        provider_status_error(s, "event write", &r, err, errlen);
        *retry_after = r.retry_after;
    }
    goto out;
oom:
    snprintf(err, errlen, "out of memory");
out:
    provider_reply_free(&r);
    json_decref(body);
    free(url);
    free(remote);
    return rc;
}
