/* caldav.c — CalDAV and ICS-feed HTTP on libcurl: markers, time-range,
 * sync-collection and multiget REPORTs, writes; multistatus replies read
 * through davxml.c (libxml2, no network access, no entity expansion). */
#include "cal/caldav.h"

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cal/davurl.h"
#include "cal/davxml.h"
#include "core/array.h"

#define MAX_BODY (32u << 20)
#define MULTIGET_BATCH 50 /* hrefs per calendar-multiget request */
#define SYNC_ROUNDS 20    /* sync-collection requests when the server truncates (507) */

int caldav_global_init(void)
{
    xmlInitParser();
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void caldav_response_free(caldav_response *r)
{
    if (!r) return;
    free(r->body);
    free(r->etag);
    free(r->last_modified);
    free(r->location);
    memset(r, 0, sizeof *r);
}

/* What the body callback fills, and its bound. */
typedef struct {
    caldav_response *r;
    size_t max;
} body_sink;

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
    body_sink *sink = userp;
    caldav_response *r = sink->r;
    size_t add = size * n;
    if (r->len + add > sink->max) return 0;
    if (ARRAY_RESERVE(r->body, r->cap, r->len + add + 1, 4096) != 0) return 0;
    memcpy(r->body + r->len, data, add);
    r->len += add;
    r->body[r->len] = '\0';
    return add;
}

/* Copies the value of header line LINE into *DST when its name is NAME. */
static void header_value(const char *line, size_t len, const char *name, char **dst)
{
    size_t nl = strlen(name);
    if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':') return;
    const char *v = line + nl + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    free(*dst);
    *dst = strndup(v, (size_t)(end - v));
}

/* Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date, as seconds
 * from now, at least 1 and at most a day. */
static long retry_seconds(const char *v)
{
    char *end;
    long s = strtol(v, &end, 10);
    if (end == v || *end) {
        time_t at = curl_getdate(v, NULL), now = time(NULL);
        s = at > now ? (long)(at - now) : 1;
    }
    return s < 1 ? 1 : s > 86400 ? 86400 : s;
}

static size_t on_header(char *line, size_t size, size_t n, void *userp)
{
    caldav_response *r = userp;
    size_t len = size * n;
    char *retry = NULL;
    header_value(line, len, "ETag", &r->etag);
    header_value(line, len, "Last-Modified", &r->last_modified);
    header_value(line, len, "Retry-After", &retry);
    if (retry) r->retry_after = retry_seconds(retry);
    free(retry);
    return len;
}

int caldav_request(const caldav_target *t, const char *method, const char *url,
                   const char *const *headers, const char *body, caldav_response *r, char *err,
                   size_t errlen)
{
    memset(r, 0, sizeof *r);
    CURL *h = curl_easy_init();
    struct curl_slist *hl = NULL, *tmp;
    char auth[1024];
    body_sink sink = {r, t->max_body ? t->max_body : MAX_BODY};
    int rc = -1;
    if (!h) {
        snprintf(err, errlen, "cannot start an HTTP request");
        return -1;
    }
    /* No "Expect: 100-continue": servers that never answer it (Radicale,
     * many proxies) would stall every PUT larger than 1 KiB for a second. */
    if (!(hl = curl_slist_append(NULL, "Expect:"))) goto out;
    for (size_t i = 0; headers && headers[i]; i++) {
        if (!(tmp = curl_slist_append(hl, headers[i]))) goto out;
        hl = tmp;
    }
    if (t->bearer && *t->bearer) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", t->bearer);
        if (!(tmp = curl_slist_append(hl, auth))) goto out;
        hl = tmp;
    } else if (t->username && *t->username) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, t->username);
        curl_easy_setopt(h, CURLOPT_PASSWORD, t->password ? t->password : "");
    }
    long timeout = t->timeout_s > 0 ? t->timeout_s : 20;
    curl_easy_setopt(h, CURLOPT_URL, url ? url : t->url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    net_limits(h, timeout, &t->abort);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "Tripod/1");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 3L);
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    }
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    CURLcode cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        if (cc == CURLE_OPERATION_TIMEDOUT)
            snprintf(err, errlen, "timed out after %ld s", timeout);
        else if (cc == CURLE_ABORTED_BY_CALLBACK)
            snprintf(err, errlen, "abandoned: the server is stopping");
        else if (cc == CURLE_WRITE_ERROR)
            snprintf(err, errlen, "reply larger than %zu bytes", sink.max);
        else
            snprintf(err, errlen, "%s", curl_easy_strerror(cc));
        caldav_response_free(r);
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    if (r->status >= 300 && r->status < 400) {
        char *loc = NULL; /* Location resolved against the request URL; owned by H */
        if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc &&
            !(r->location = davurl_resolve(loc, loc))) {
            snprintf(err, errlen, "unusable redirect");
            caldav_response_free(r);
            goto out;
        }
    }
    if (!r->body && !(r->body = calloc(1, 1))) {
        snprintf(err, errlen, "out of memory");
        caldav_response_free(r);
        goto out;
    }
    rc = 0;
out:
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    return rc;
}

static int http_status_error(long status, char *err, size_t errlen)
{
    if (status == 401 || status == 403)
        snprintf(err, errlen, "HTTP %ld: credentials refused", status);
    else if (status == 404)
        snprintf(err, errlen, "HTTP 404: calendar not found");
    else
        snprintf(err, errlen, "HTTP %ld from the calendar server", status);
    return -1;
}

int caldav_markers(const caldav_target *t, char **ctag, char **sync_token, char *err, size_t errlen)
{
    static const char body[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
        "<d:propfind xmlns:d=\"DAV:\" xmlns:cs=\"http://calendarserver.org/ns/\">"
        "<d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>";
    const char *hdr[] = {"Depth: 0", "Content-Type: application/xml; charset=utf-8", NULL};
    caldav_response r;
    *ctag = *sync_token = NULL;
    if (caldav_request(t, "PROPFIND", NULL, hdr, body, &r, err, errlen) != 0) return -1;
    int rc = -1;
    xmlDoc *doc = NULL;
    if (r.status != 207) {
        http_status_error(r.status, err, errlen);
        goto out;
    }
    if (!(doc = davxml_parse_multistatus(r.body, r.len, err, errlen))) goto out;
    xmlNode *resp = davxml_child(xmlDocGetRootElement(doc), DAVXML_NS_DAV, "response");
    if (resp) {
        *ctag = davxml_text(davxml_prop(resp, DAVXML_NS_CS, "getctag"));
        *sync_token = davxml_text(davxml_prop(resp, DAVXML_NS_DAV, "sync-token"));
    }
    rc = 0;
out:
    xmlFreeDoc(doc);
    caldav_response_free(&r);
    return rc;
}

static void utc_stamp(tp_time t, char buf[17])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* Calls CB for each response of DOC that has calendar data; with GONE set
 * also (data NULL) for each one answered 404. Returns 0, CB's value or -1. */
static int walk_items(xmlDoc *doc, int gone, caldav_item_cb cb, void *ctx, char *err, size_t errlen)
{
    int rc = 0;
    for (xmlNode *resp = xmlDocGetRootElement(doc)->children; resp && rc == 0; resp = resp->next) {
        if (!davxml_is(resp, DAVXML_NS_DAV, "response")) continue;
        xmlNode *data = davxml_prop(resp, DAVXML_NS_CALDAV, "calendar-data");
        if (!data && !(gone && davxml_response_status(resp, " 404"))) continue;
        char *href = davxml_href_path(resp);
        char *etag = davxml_text(davxml_prop(resp, DAVXML_NS_DAV, "getetag"));
        char *ics = data ? davxml_text(data) : NULL;
        if (!href || (data && !ics)) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        } else {
            rc = cb(ctx, href, etag, ics, ics ? strlen(ics) : 0);
        }
        free(href);
        free(etag);
        free(ics);
    }
    return rc;
}

/* Sends REPORT BODY (Depth: 1) and parses the 207 answer into *DOC; on
 * other statuses *STATUS tells which and *BODY_OUT (may be NULL) keeps the
 * reply. Returns 0 or -1 with ERR. */
static int report(const caldav_target *t, const char *body, xmlDoc **doc, long *status,
                  caldav_response *body_out, char *err, size_t errlen)
{
    const char *hdr[] = {"Depth: 1", "Content-Type: application/xml; charset=utf-8", NULL};
    caldav_response r;
    *doc = NULL;
    *status = 0;
    if (caldav_request(t, "REPORT", NULL, hdr, body, &r, err, errlen) != 0) return -1;
    *status = r.status;
    if (r.status == 207)
        *doc = davxml_parse_multistatus(r.body, r.len, err, errlen);
    else
        http_status_error(r.status, err, errlen);
    if (body_out && r.status != 207)
        *body_out = r;
    else
        caldav_response_free(&r);
    return *doc ? 0 : -1;
}

int caldav_query(const caldav_target *t, tp_time from, tp_time to, caldav_item_cb cb, void *ctx,
                 char *err, size_t errlen)
{
    char a[17], b[17], body[1024];
    utc_stamp(from, a);
    utc_stamp(to, b);
    snprintf(body, sizeof body,
             "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
             "<c:calendar-query xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">"
             "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
             "<c:filter><c:comp-filter name=\"VCALENDAR\"><c:comp-filter name=\"VEVENT\">"
             "<c:time-range start=\"%s\" end=\"%s\"/>"
             "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>",
             a, b);
    xmlDoc *doc;
    long status;
    if (report(t, body, &doc, &status, NULL, err, errlen) != 0) return -1;
    int rc = walk_items(doc, 0, cb, ctx, err, errlen);
    xmlFreeDoc(doc);
    return rc;
}

/* ---- sync-collection (RFC 6578) and calendar-multiget (RFC 4791 7.9) ---- */

/* A growing NUL-terminated text; OOM sticks and leaves s NULL. */
typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} strbuf;

static void sb_add(strbuf *b, const char *s, size_t len)
{
    if (b->oom) return;
    if (ARRAY_RESERVE(b->s, b->cap, b->n + len + 1, 256) != 0) {
        free(b->s);
        memset(b, 0, sizeof *b);
        b->oom = 1;
        return;
    }
    memcpy(b->s + b->n, s, len);
    b->n += len;
    b->s[b->n] = '\0';
}

static void sb_str(strbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

/* Appends S with &, <, >, " escaped for XML text. */
static void sb_xml(strbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            sb_str(b, "&amp;");
            break;
        case '<':
            sb_str(b, "&lt;");
            break;
        case '>':
            sb_str(b, "&gt;");
            break;
        case '"':
            sb_str(b, "&quot;");
            break;
        default:
            sb_add(b, s, 1);
        }
    }
}

void caldav_changes_free(caldav_changes *ch)
{
    if (!ch) return;
    for (size_t i = 0; i < ch->n; i++) {
        free(ch->v[i].href);
        free(ch->v[i].etag);
    }
    free(ch->v);
    free(ch->token);
    memset(ch, 0, sizeof *ch);
}

/* Appends one member (HREF and ETAG are taken over). -1 when memory ran out. */
static int changes_add(caldav_changes *ch, char *href, char *etag, int gone)
{
    if (ARRAY_RESERVE(ch->v, ch->cap, ch->n + 1, 16) != 0) {
        free(href);
        free(etag);
        return -1;
    }
    ch->v[ch->n++] = (caldav_change){href, etag, gone};
    return 0;
}

/* 1 when an error reply names the DAV:valid-sync-token precondition. */
static int is_bad_token(const caldav_response *r)
{
    if ((r->status != 403 && r->status != 409) || !r->body) return 0;
    xmlDoc *doc = xmlReadMemory(r->body, (int)r->len, "error.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    int bad = davxml_is(root, DAVXML_NS_DAV, "error") &&
              davxml_child(root, DAVXML_NS_DAV, "valid-sync-token") != NULL;
    xmlFreeDoc(doc);
    return bad;
}

/* Reads one sync-collection answer into OUT; *MORE set when the server
 * truncated it (a 507 response for the collection itself). */
static int read_changes(xmlDoc *doc, caldav_changes *out, int *more)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    *more = 0;
    for (xmlNode *resp = root->children; resp; resp = resp->next) {
        if (!davxml_is(resp, DAVXML_NS_DAV, "response")) continue;
        if (davxml_response_status(resp, " 507")) {
            *more = 1;
            continue;
        }
        char *href = davxml_href_path(resp);
        if (!href) return -1;
        int gone = davxml_response_status(resp, " 404");
        char *etag = gone ? NULL : davxml_text(davxml_prop(resp, DAVXML_NS_DAV, "getetag"));
        if (changes_add(out, href, etag, gone) != 0) return -1;
    }
    free(out->token);
    out->token = davxml_text(davxml_child(root, DAVXML_NS_DAV, "sync-token"));
    return 0;
}

int caldav_sync_collection(const caldav_target *t, const char *token, caldav_changes *out,
                           char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int more = 1, rc = 0;
    for (int round = 0; more && rc == 0; round++) {
        const char *from = out->token ? out->token : token;
        strbuf b = {0};
        caldav_response r;
        xmlDoc *doc;
        long status;
        if (round == SYNC_ROUNDS) {
            snprintf(err, errlen, "sync-collection still truncated after %d requests", round);
            rc = -1;
            break;
        }
        sb_str(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                   "<d:sync-collection xmlns:d=\"DAV:\"><d:sync-token>");
        sb_xml(&b, from ? from : "");
        sb_str(&b, "</d:sync-token><d:sync-level>1</d:sync-level>"
                   "<d:prop><d:getetag/></d:prop></d:sync-collection>");
        if (b.oom) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        memset(&r, 0, sizeof r);
        rc = report(t, b.s, &doc, &status, &r, err, errlen);
        free(b.s);
        if (rc != 0) {
            if (is_bad_token(&r)) {
                snprintf(err, errlen, "HTTP %ld: the sync token is no longer valid", status);
                rc = CALDAV_BAD_TOKEN;
            }
            caldav_response_free(&r);
            break;
        }
        if (read_changes(doc, out, &more) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        } else if (!out->token || !*out->token) {
            snprintf(err, errlen, "sync-collection reply without a sync token");
            rc = -1;
        }
        xmlFreeDoc(doc);
    }
    if (rc != 0) caldav_changes_free(out);
    return rc;
}

int caldav_multiget(const caldav_target *t, const char *const *hrefs, size_t n, caldav_item_cb cb,
                    void *ctx, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t at = 0; at < n && rc == 0; at += MULTIGET_BATCH) {
        strbuf b = {0};
        xmlDoc *doc;
        long status;
        sb_str(&b,
               "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
               "<c:calendar-multiget xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">"
               "<d:prop><d:getetag/><c:calendar-data/></d:prop>");
        for (size_t i = at; i < n && i < at + MULTIGET_BATCH; i++) {
            sb_str(&b, "<d:href>");
            sb_xml(&b, hrefs[i]);
            sb_str(&b, "</d:href>");
        }
        sb_str(&b, "</c:calendar-multiget>");
        if (b.oom) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        rc = report(t, b.s, &doc, &status, NULL, err, errlen);
        free(b.s);
        if (rc == 0) {
            rc = walk_items(doc, 1, cb, ctx, err, errlen);
            xmlFreeDoc(doc);
        }
    }
    return rc;
}

char *caldav_resource_url(const caldav_target *t, const char *name)
{
    size_t n = strlen(t->url);
    int slash = n > 0 && t->url[n - 1] == '/';
    size_t len = n + strlen(name) + 2;
    char *u = malloc(len);
    if (u) snprintf(u, len, "%s%s%s", t->url, slash ? "" : "/", name);
    return u;
}

int caldav_put(const caldav_target *t, const char *url, const char *ics, const char *if_match,
               int create_only, char **etag_out, long *status, char *err, size_t errlen)
{
    char cond[512] = "";
    const char *hdr[3] = {"Content-Type: text/calendar; charset=utf-8", NULL, NULL};
    if (if_match && *if_match) {
        snprintf(cond, sizeof cond, "If-Match: %s", if_match);
        hdr[1] = cond;
    } else if (create_only) {
        hdr[1] = "If-None-Match: *";
    }
    caldav_response r;
    *etag_out = NULL;
    *status = 0;
    if (caldav_request(t, "PUT", url, hdr, ics, &r, err, errlen) != 0) return -1;
    *status = r.status;
    int rc = -1;
    if (r.status >= 200 && r.status < 300) {
        *etag_out = r.etag;
        r.etag = NULL;
        rc = 0;
    } else if (r.status == 412) {
        snprintf(err, errlen, "HTTP 412: the event changed on the server");
    } else {
        http_status_error(r.status, err, errlen);
    }
    caldav_response_free(&r);
    return rc;
}

int caldav_delete(const caldav_target *t, const char *url, long *status, char *err, size_t errlen)
{
    caldav_response r;
    *status = 0;
    if (caldav_request(t, "DELETE", url, NULL, NULL, &r, err, errlen) != 0) return -1;
    *status = r.status;
    int ok = (r.status >= 200 && r.status < 300) || r.status == 404;
    caldav_response_free(&r);
    return ok ? 0 : http_status_error(*status, err, errlen);
}

int caldav_get(const caldav_target *t, const char *url, const char *etag, const char *last_modified,
               caldav_response *r, char *err, size_t errlen)
{
    char a[512], b[512];
    const char *hdr[4] = {"Accept: text/calendar, */*;q=0.5", NULL, NULL, NULL};
    size_t n = 1;
    if (etag && *etag) {
        snprintf(a, sizeof a, "If-None-Match: %s", etag);
        hdr[n++] = a;
    }
    if (last_modified && *last_modified) {
        snprintf(b, sizeof b, "If-Modified-Since: %s", last_modified);
        hdr[n++] = b;
    }
    if (caldav_request(t, "GET", url, hdr, NULL, r, err, errlen) != 0) return -1;
    if (r->status == 200 || r->status == 304) return 0;
    http_status_error(r->status, err, errlen);
    caldav_response_free(r);
    return -1;
}
