/* provider.c — JSON requests of a connected account to Google Calendar or
 * Microsoft Graph (provider.h) on the shared libcurl client of caldav.c. */
#include "cal/provider.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cal/caldav.h"
#include "core/array.h"

#define THROTTLE_WAIT_MAX 10 /* longest Retry-After waited for inside one call */
#define THROTTLE_TRIES 3

int provider_open(provider_session *s, const oauth_env *env, int64_t account, tp_time now,
                  char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->env = env;
    s->account = account;
    s->now = now;
    return oauth_access_token(env, account, now, NULL, &s->token, &s->p, err, errlen);
}

void provider_close(provider_session *s)
{
    oauth_wipe(s->token);
    s->token = NULL;
}

void provider_reply_free(provider_reply *r)
{
    if (!r) return;
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

char *provider_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s ? s : "", 0);
    char *out = e ? strdup(e) : NULL;
    curl_free(e);
    return out;
}

json_t *provider_parse(const char *text, size_t len, const char *what, char *err, size_t errlen)
{
    json_error_t je;
    if (len > PROVIDER_MAX_BODY) {
        snprintf(err, errlen, "%s: answer larger than %u bytes", what, PROVIDER_MAX_BODY);
        return NULL;
    }
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        snprintf(err, errlen, "%s: malformed JSON at line %d: %.80s", what, je.line, je.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        snprintf(err, errlen, "%s: the answer is not a JSON object", what);
        return NULL;
    }
    return j;
}

const char *provider_str(const json_t *obj, const char *key, size_t max)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || json_string_length(v) > max) return NULL;
    const char *s = json_string_value(v);
    return strlen(s) == json_string_length(v) ? s : NULL; /* no embedded NUL */
}

void provider_status_error(const provider_session *s, const char *what, const provider_reply *r,
                           char *err, size_t errlen)
{
    /* Google: {"error": {"code", "message"}}; Graph: {"error": {"code", "message"}} too. */
    const json_t *e = json_object_get(r->json, "error");
    const char *msg = provider_str(e, "message", 4096);
    if (!msg) msg = provider_str(e, "code", 200);
    snprintf(err, errlen, "%s %s: HTTP %ld%s%.200s", s->p ? s->p->label : "provider", what,
             r->status, msg ? ": " : "", msg ? msg : "");
    if (r->retry_after) {
        size_t n = strlen(err);
        snprintf(err + n, errlen > n ? errlen - n : 0, " (retry after %ld s)", r->retry_after);
    }
}

/* Waits SECONDS unless the stop is asked for first. 0, or -1 when stopped. */
static int wait_for(const oauth_env *env, long seconds)
{
    for (long ms = 0; ms < seconds * 1000; ms += 100) {
        if (net_aborted(&env->abort)) return -1;
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* One exchange with the current token. */
static int call_once(provider_session *s, const char *method, const char *url,
                     const char *const *headers, const char *body, provider_reply *r, char *err,
                     size_t errlen)
{
    const char *hdr[12];
    size_t n = 0;
    hdr[n++] = "Accept: application/json";
    if (body) hdr[n++] = "Content-Type: application/json";
    for (size_t i = 0; headers && headers[i] && n < 11; i++)
        hdr[n++] = headers[i];
    hdr[n] = NULL;
    caldav_target t = {.url = url,
                       .bearer = s->token,
                       .timeout_s = s->env->timeout_s,
                       .abort = s->env->abort,
                       .max_body = PROVIDER_MAX_BODY}; /* refused while it arrives */
    caldav_response res;
    memset(r, 0, sizeof *r);
    if (caldav_request(&t, method, url, hdr, body, &res, err, errlen) != 0) return -1;
    r->status = res.status;
    r->retry_after = res.retry_after;
    if (res.len) r->json = json_loadb(res.body, res.len, JSON_REJECT_DUPLICATES, NULL);
    caldav_response_free(&res);
    return 0;
}

int provider_call(provider_session *s, const char *method, const char *url,
                  const char *const *headers, const json_t *body, provider_reply *r, char *err,
                  size_t errlen)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    int rc = -1, refreshed = 0;
    memset(r, 0, sizeof *r);
    if (body && !text) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int tries = 0;; tries++) {
        provider_reply_free(r);
        if (call_once(s, method, url, headers, text, r, err, errlen) != 0) break;
        if (r->status == 401 && !refreshed) {
            /* The token expired or was revoked early: a fresh one, once. */
            char *fresh = NULL;
            refreshed = 1;
            if (oauth_access_token(s->env, s->account, s->now, s->token, &fresh, NULL, err,
                                   errlen) != 0)
                break;
            oauth_wipe(s->token);
            s->token = fresh;
            continue;
        }
        if ((r->status == 429 || r->status == 503) && tries + 1 < THROTTLE_TRIES) {
            long wait = r->retry_after > 0 ? r->retry_after : 1;
            if (wait <= THROTTLE_WAIT_MAX && wait_for(s->env, wait) == 0) continue;
        }
        rc = 0;
        break;
    }
    free(text);
    if (rc != 0) provider_reply_free(r);
    return rc;
}

int provider_take_str(const json_t *j, const char *key, char **dst, char *err, size_t errlen)
{
    const json_t *v = json_object_get(j, key);
    const char *s = provider_str(j, key, 8192);
    *dst = NULL;
    if (!v || json_is_null(v)) return 0;
    if (!s) {
        snprintf(err, errlen, "%s is not a usable string", key);
        return -1;
    }
    if (!(*dst = strdup(s))) snprintf(err, errlen, "out of memory");
    return *dst ? 0 : -1;
}

int provider_set_add(davsync_set *set, const ics_opts *o, const char *id, int gone, int busy,
                     tp_time start, tp_time end, const char *uid, const char *summary, char *err,
                     size_t errlen)
{
    if (!id || !*id || strlen(id) > 1024) {
        snprintf(err, errlen, "an event has no usable id");
        return -1;
    }
    if (++set->events > o->max_events) {
        snprintf(err, errlen, "more than %zu events", o->max_events);
        return -1;
    }
    if (ARRAY_RESERVE(set->v, set->cap, set->n + 1, 64) != 0) goto oom;
    davsync_res *r = &set->v[set->n];
    memset(r, 0, sizeof *r);
    if (!(r->href = strdup(id))) goto oom;
    set->n++;
    r->gone = gone;
    if (gone || !busy || end <= start || end <= o->from || start >= o->to) return 0;
    if (set->instances + 1 > o->max_instances) {
        snprintf(err, errlen, "more than %zu busy instances", o->max_instances);
        return -1;
    }
    if (ARRAY_RESERVE(r->l.v, r->l.cap, 1, 1) != 0) goto oom;
    ics_busy *b = &r->l.v[0];
    b->start = start;
    b->end = end;
    b->uid = strdup(uid ? uid : id);
    size_t cut = summary ? strlen(summary) : 0;
    if (cut > 200) {
        cut = 200; /* not inside a UTF-8 sequence */
        while (cut > 0 && ((unsigned char)summary[cut] & 0xC0) == 0x80)
            cut--;
    }
    b->summary = strndup(summary ? summary : "", cut);
    if (!b->uid || !b->summary) {
        free(b->uid);
        free(b->summary);
        goto oom;
    }
    r->l.n = 1;
    set->instances++;
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

int provider_local_day(const tz_zone *z, const char *date, tp_time *t)
{
    int64_t days;
    char d[11];
    if (!z || !date || strlen(date) < 10) return -1;
    memcpy(d, date, 10);
    d[10] = '\0';
    if (tz_parse_date(d, &days) != 0) return -1;
    *t = tz_local_to_utc(z, days * 86400);
    return 0;
}

int provider_event_times(const json_t *ev, char st[32], char en[32])
{
    const tz_zone *utc = tz_zone_get("UTC");
    if (!utc) return -1;
    tz_format_rfc3339(utc, (tp_time)json_integer_value(json_object_get(ev, "start")), st, 32);
    tz_format_rfc3339(utc, (tp_time)json_integer_value(json_object_get(ev, "end")), en, 32);
    return 0;
}
