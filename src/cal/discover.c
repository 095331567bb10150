/* discover.c — CalDAV account discovery (RFC 6764 §6, RFC 5397, RFC 4791
 * §6.2.1): context path, principal, calendar home, calendars. URLs are
 * parsed and resolved with libcurl's URL API; replies read with davxml. */
#include "cal/discover.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cal/caldav.h"
#include "cal/davurl.h"
#include "cal/davxml.h"
#include "core/array.h"

#define MAX_REPLY (4u << 20) /* bytes of one reply */
#define MAX_HOPS 5           /* redirects followed for one request */
#define MAX_REQUESTS 20      /* HTTP requests of one discovery, redirects included */
#define MAX_HOMES 4          /* calendar-home-set hrefs followed */
#define MAX_CALENDARS 200    /* calendars reported */
#define MAX_RESPONSES 2000   /* DAV:response elements read from one reply */
#define MAX_NAME 200         /* bytes of a calendar name */

/* Every request asks for the same properties: whatever the resource turns
 * out to be (context path, principal, home or calendar), one answer says. */
static const char PROPFIND_BODY[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    "<d:propfind xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\""
    " xmlns:a=\"http://apple.com/ns/ical/\"><d:prop>"
    "<d:resourcetype/><d:displayname/><d:current-user-principal/><c:calendar-home-set/>"
    "<c:supported-calendar-component-set/><d:current-user-privilege-set/><a:calendar-color/>"
    "</d:prop></d:propfind>";

/* One discovery under way. */
typedef struct {
    const discover_request *q;
    discover_list *out;
    discover_error *e;
    char origin_scheme[8]; /* of the address the user gave */
    char *origin_host;
    char *origin_port;
    int requests;
    double deadline; /* CLOCK_MONOTONIC seconds */
    long last_5xx;   /* a server error seen while looking for the service */
    int refused;     /* a 403 seen while looking for the service */
    int guessed;     /* the address had no scheme: https was assumed */
} dctx;

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *step_doing(const char *step)
{
    if (strcmp(step, "service") == 0) return "looking for the CalDAV service";
    if (strcmp(step, "principal") == 0)
        return "reading the account (current-user-principal, calendar-home-set)";
    if (strcmp(step, "calendars") == 0) return "listing the calendars";
    return "reading the address";
}

/* Sets the error (STEP static, MESSAGE printf-style) and returns STATUS. */
__attribute__((format(printf, 4, 5))) static discover_status
fail(dctx *x, discover_status status, const char *step, const char *fmt, ...)
{
    va_list ap;
    x->e->step = step;
    va_start(ap, fmt);
    vsnprintf(x->e->message, sizeof x->e->message, fmt, ap);
    va_end(ap);
    return status;
}

/* ---- the password's way ---- */

/* The password may go to URL: over https, or to the origin itself when the
 * user typed http:// (their own choice, e.g. a server on their network). */
static int may_send_password(const dctx *x, const char *url)
{
    char *scheme = davurl_part(url, CURLUPART_SCHEME, 0);
    char *host = davurl_part(url, CURLUPART_HOST, 0);
    char *port = davurl_part(url, CURLUPART_PORT, CURLU_DEFAULT_PORT);
    int ok =
        scheme && (strcmp(scheme, "https") == 0 ||
                   (strcmp(x->origin_scheme, "http") == 0 && host && port &&
                    strcasecmp(host, x->origin_host) == 0 && strcmp(port, x->origin_port) == 0));
    free(scheme);
    free(host);
    free(port);
    return ok;
}

/* ---- requests ---- */

/* PROPFIND (Depth DEPTH) of URL, following redirects. Returns 0 with *R the
 * final answer (status not 3xx) and *AT the URL that gave it (malloc'ed), or
 * a status with the error set (and nothing to free). A 401 is an answer. */
static discover_status propfind(dctx *x, const char *url, int depth, const char *step,
                                caldav_response *r, char **at)
{
    char *seen[MAX_HOPS + 1] = {0}, *cur = strdup(url), host[256];
    const char *hdr[] = {depth ? "Depth: 1" : "Depth: 0",
                         "Content-Type: application/xml; charset=utf-8", NULL};
    discover_status st = DISCOVER_FAILED;
    size_t hops = 0;
    memset(r, 0, sizeof *r);
    *at = NULL;
    for (;;) {
        if (!cur) {
            st = fail(x, DISCOVER_FAILED, step, "out of memory while %s", step_doing(step));
            break;
        }
        for (size_t i = 0; i < hops; i++)
            if (strcmp(seen[i], cur) == 0) {
                st = fail(x, DISCOVER_FAILED, step, "redirect loop at %s while %s",
                          davurl_host(cur, host, sizeof host), step_doing(step));
                goto out;
            }
        double left = x->deadline - mono_now();
        if (x->requests >= MAX_REQUESTS || left < 1) {
            st = fail(x, DISCOVER_FAILED, step, "gave up %s at %s: %s", step_doing(step),
                      davurl_host(cur, host, sizeof host),
                      left < 1 ? "the discovery took too long" : "too many requests");
            break;
        }
        x->requests++;
        int pw = may_send_password(x, cur);
        caldav_target t = {.url = cur,
                           .username = pw ? x->q->username : NULL,
                           .password = pw ? x->q->password : NULL,
                           .timeout_s = (long)left,
                           .max_body = MAX_REPLY,
                           .abort = x->q->abort};
        char err[256];
        if (caldav_request(&t, "PROPFIND", cur, hdr, PROPFIND_BODY, r, err, sizeof err) != 0) {
            st = fail(x, DISCOVER_FAILED, step, "cannot reach %s while %s: %s%s",
                      davurl_host(cur, host, sizeof host), step_doing(step), err,
                      x->guessed ? " (https was assumed; if the server has none, write http:// "
                                   "in front of the address)"
                                 : "");
            break;
        }
        if (r->status == 401 && !pw && x->q->username && *x->q->username) {
            caldav_response_free(r);
            st = fail(x, DISCOVER_FAILED, step,
                      "%s asks for the password while %s, but Tripod sends it only over https "
                      "or to the address you gave",
                      davurl_host(cur, host, sizeof host), step_doing(step));
            break;
        }
        if (r->status < 300 || r->status >= 400 || !r->location) {
            *at = cur;
            cur = NULL;
            st = DISCOVER_OK;
            break;
        }
        if (hops == MAX_HOPS) {
            caldav_response_free(r);
            st = fail(x, DISCOVER_FAILED, step, "more than %d redirects from %s while %s", MAX_HOPS,
                      davurl_host(url, host, sizeof host), step_doing(step));
            break;
        }
        seen[hops++] = cur;
        cur = NULL;
        char *next = davurl_resolve(seen[hops - 1], r->location);
        caldav_response_free(r);
        if (!next) {
            st = fail(x, DISCOVER_FAILED, step, "%s redirected to an unusable address while %s",
                      davurl_host(seen[hops - 1], host, sizeof host), step_doing(step));
            break;
        }
        cur = davurl_no_downgrade(seen[hops - 1], next);
        free(next);
    }
out:
    free(cur);
    for (size_t i = 0; i < hops; i++)
        free(seen[i]);
    return st;
}

/* Fails for an answer that is neither 207 nor usable: 401/403 are refused
 * credentials, anything else names the status. */
static discover_status answer_error(dctx *x, const char *step, const char *at, long status)
{
    char host[256];
    davurl_host(at, host, sizeof host);
    if (status == 401 || status == 403)
        return fail(x, DISCOVER_AUTH, step,
                    "credentials refused by %s (HTTP %ld) while %s: check the user name and "
                    "the app password",
                    host, status, step_doing(step));
    return fail(x, DISCOVER_FAILED, step, "%s answered HTTP %ld while %s", host, status,
                step_doing(step));
}

/* ---- reading answers ---- */

/* The response of DOC about the resource at AT (Depth 0), else the first. */
static xmlNode *self_response(xmlDoc *doc, const char *at)
{
    xmlNode *first = NULL;
    int n = 0;
    for (xmlNode *r = xmlDocGetRootElement(doc)->children; r && n < MAX_RESPONSES; r = r->next) {
        if (!davxml_is(r, DAVXML_NS_DAV, "response")) continue;
        n++;
        if (!first) first = r;
        char *href = davxml_text_trim(davxml_child(r, DAVXML_NS_DAV, "href"));
        char *abs = href ? davurl_resolve(at, href) : NULL;
        int hit = abs && davurl_same_resource(abs, at);
        free(href);
        free(abs);
        if (hit) return r;
    }
    return first;
}

/* The first DAV:href inside property NS:NAME of RESP, resolved against AT;
 * malloc'ed or NULL. */
static char *prop_href(const xmlNode *resp, const char *ns, const char *name, const char *at)
{
    char *href = davxml_text_trim(davxml_child(davxml_prop(resp, ns, name), DAVXML_NS_DAV, "href"));
    char *abs = href && *href ? davurl_resolve(at, href) : NULL;
    free(href);
    return abs;
}

static int has_type(const xmlNode *resp, const char *ns, const char *name)
{
    return davxml_child(davxml_prop(resp, DAVXML_NS_DAV, "resourcetype"), ns, name) != NULL;
}

/* 1 when RESP takes VEVENTs: no supported-calendar-component-set, an empty
 * one (read as unstated), or one naming VEVENT (RFC 4791 §5.2.3). */
static int takes_events(const xmlNode *resp)
{
    xmlNode *set = davxml_prop(resp, DAVXML_NS_CALDAV, "supported-calendar-component-set");
    int comps = 0;
    for (xmlNode *c = set ? set->children : NULL; c; c = c->next) {
        if (!davxml_is(c, DAVXML_NS_CALDAV, "comp")) continue;
        comps++;
        xmlChar *name = xmlGetProp(c, (const xmlChar *)"name");
        int vevent = name && strcasecmp((const char *)name, "VEVENT") == 0;
        xmlFree(name);
        if (vevent) return 1;
    }
    return comps == 0;
}

/* 1 when the current user may add events to RESP (RFC 3744 §5.4: DAV:all,
 * DAV:write or DAV:bind), 0 when the set names none of them, -1 without one. */
static int write_privilege(const xmlNode *resp)
{
    xmlNode *set = davxml_prop(resp, DAVXML_NS_DAV, "current-user-privilege-set");
    if (!set) return -1;
    for (xmlNode *p = set->children; p; p = p->next) {
        if (!davxml_is(p, DAVXML_NS_DAV, "privilege")) continue;
        if (davxml_child(p, DAVXML_NS_DAV, "all") || davxml_child(p, DAVXML_NS_DAV, "write") ||
            davxml_child(p, DAVXML_NS_DAV, "bind"))
            return 1;
    }
    return 0;
}

/* Length of the valid UTF-8 sequence at S (1–4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80) return 1;
    size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (s[0] >= 0xf8) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    return n;
}

/* S cleaned in place into a name: control characters become spaces, cut
 * at MAX_NAME bytes on a character boundary. 0, or -1 when S is not UTF-8. */
static int clean_name(char *s)
{
    size_t i = 0;
    while (s[i]) {
        size_t n = utf8_len((const unsigned char *)s + i);
        if (!n) return -1;
        if (i + n > MAX_NAME) break;
        if (n == 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)) s[i] = ' ';
        i += n;
    }
    s[i] = '\0';
    return 0;
}

/* The display name of a calendar at URL: DAV:displayname, else its last
 * path segment decoded (encoded when that is not UTF-8). Malloc'ed or NULL. */
static char *calendar_name(const xmlNode *resp, const char *url)
{
    char *name = davxml_text_trim(davxml_prop(resp, DAVXML_NS_DAV, "displayname"));
    if (name && *name && clean_name(name) == 0) return name;
    free(name);
    for (unsigned flags = CURLU_URLDECODE;; flags = 0) {
        char *path = davurl_part(url, CURLUPART_PATH, flags);
        if (path) {
            size_t n = strlen(path);
            while (n > 1 && path[n - 1] == '/')
                path[--n] = '\0';
            char *seg = strrchr(path, '/');
            memmove(path, seg ? seg + 1 : path, strlen(seg ? seg + 1 : path) + 1);
            if (*path && clean_name(path) == 0) return path;
            free(path);
        }
        if (!flags) return strdup(url);
    }
}

/* "#RRGGBB" from an Apple calendar-color ("#RRGGBB" or "#RRGGBBAA"), or NULL. */
static char *calendar_color(const xmlNode *resp)
{
    char *c = davxml_text_trim(davxml_prop(resp, DAVXML_NS_APPLE, "calendar-color"));
    size_t n = c ? strlen(c) : 0;
    int ok = (n == 7 || n == 9) && c[0] == '#' && strspn(c + 1, "0123456789abcdefABCDEF") == n - 1;
    if (!ok) {
        free(c);
        return NULL;
    }
    c[7] = '\0';
    return c;
}

/* Adds RESP (the resource at URL) when it is a calendar that takes events
 * and is not listed yet. 0, or -1 when memory ran out. */
static int add_calendar(discover_list *l, const xmlNode *resp, const char *url)
{
    if (!has_type(resp, DAVXML_NS_CALDAV, "calendar") || !takes_events(resp) ||
        l->n >= MAX_CALENDARS)
        return 0;
    for (size_t i = 0; i < l->n; i++)
        if (davurl_same_resource(l->v[i].url, url)) return 0;
    if (ARRAY_RESERVE(l->v, l->cap, l->n + 1, 8) != 0) return -1;
    discover_calendar c = {strdup(url), calendar_name(resp, url), calendar_color(resp),
                           write_privilege(resp)};
    if (!c.url || !c.name) {
        free(c.url);
        free(c.name);
        free(c.color);
        return -1;
    }
    l->v[l->n++] = c;
    return 0;
}

/* What one PROPFIND Depth 0 found about a resource. */
typedef struct {
    long status;     /* the final HTTP status */
    char *at;        /* the URL that answered */
    xmlDoc *doc;     /* the multistatus (207 only) */
    xmlNode *self;   /* its response about the resource, or NULL */
    char *principal; /* current-user-principal, resolved, or NULL */
    char *homes[MAX_HOMES];
    size_t nhomes;
} probe;

static void probe_free(probe *p)
{
    free(p->at);
    xmlFreeDoc(p->doc);
    free(p->principal);
    for (size_t i = 0; i < p->nhomes; i++)
        free(p->homes[i]);
    memset(p, 0, sizeof *p);
}

/* PROPFIND Depth 0 of URL into P. DISCOVER_OK when an answer came (see
 * p->status; 207 is parsed), else the error. */
static discover_status probe_run(dctx *x, const char *url, const char *step, probe *p)
{
    caldav_response r;
    char err[128], host[256];
    memset(p, 0, sizeof *p);
    discover_status st = propfind(x, url, 0, step, &r, &p->at);
    if (st != DISCOVER_OK) return st;
    p->status = r.status;
    if (r.status == 207) {
        p->doc = davxml_parse_multistatus(r.body, r.len, err, sizeof err);
        if (!p->doc) {
            st = fail(x, DISCOVER_FAILED, step,
                      "%s sent an unreadable reply while %s (not a WebDAV multistatus)",
                      davurl_host(p->at, host, sizeof host), step_doing(step));
        } else if ((p->self = self_response(p->doc, p->at))) {
            p->principal = prop_href(p->self, DAVXML_NS_DAV, "current-user-principal", p->at);
            xmlNode *set = davxml_prop(p->self, DAVXML_NS_CALDAV, "calendar-home-set");
            for (xmlNode *h = set ? set->children : NULL; h && p->nhomes < MAX_HOMES; h = h->next) {
                if (!davxml_is(h, DAVXML_NS_DAV, "href")) continue;
                char *text = davxml_text_trim(h);
                char *abs = text && *text ? davurl_resolve(p->at, text) : NULL;
                free(text);
                if (abs) p->homes[p->nhomes++] = abs;
            }
        }
    }
    caldav_response_free(&r);
    if (st != DISCOVER_OK) probe_free(p);
    return st;
}

discover_status discover_read_listing(const char *body, size_t len, const char *home,
                                      const char *at, discover_list *out, discover_error *e)
{
    char err[128], host[256];
    xmlDoc *doc = davxml_parse_multistatus(body, len, err, sizeof err);
    dctx x = {.out = out, .e = e};
    discover_status st = DISCOVER_OK;
    if (!doc)
        return fail(&x, DISCOVER_FAILED, "calendars",
                    "%s sent an unreadable reply while %s (not a WebDAV multistatus)",
                    davurl_host(at, host, sizeof host), step_doing("calendars"));
    int n = 0;
    for (xmlNode *resp = xmlDocGetRootElement(doc)->children; resp && n < MAX_RESPONSES;
         resp = resp->next) {
        if (!davxml_is(resp, DAVXML_NS_DAV, "response")) continue;
        n++;
        char *href = davxml_text_trim(davxml_child(resp, DAVXML_NS_DAV, "href"));
        char *abs = href && *href ? davurl_resolve(at, href) : NULL;
        int rc = abs && !davurl_same_resource(abs, at) && !davurl_same_resource(abs, home)
                     ? add_calendar(out, resp, abs)
                     : 0;
        free(href);
        free(abs);
        if (rc != 0) {
            st = fail(&x, DISCOVER_FAILED, "calendars", "out of memory while %s",
                      step_doing("calendars"));
            break;
        }
    }
    xmlFreeDoc(doc);
    return st;
}

/* Lists home HOME (Depth 1) into x->out. *FOUND counts what it added. */
static discover_status list_home(dctx *x, const char *home, size_t *found)
{
    caldav_response r;
    char *at = NULL;
    size_t before = x->out->n;
    discover_status st = propfind(x, home, 1, "calendars", &r, &at);
    if (st != DISCOVER_OK) return st;
    if (r.status != 207)
        st = answer_error(x, "calendars", at, r.status);
    else
        st = discover_read_listing(r.body, r.len, home, at, x->out, x->e);
    *found = x->out->n - before;
    caldav_response_free(&r);
    free(at);
    return st;
}

/* Where the account was found: its calendar homes, or its principal. */
typedef struct {
    char *homes[MAX_HOMES];
    size_t nhomes;
    char *principal;
    int done; /* the calendars are already in x->out (a calendar URL was given) */
} account;

/* Moves P's calendar homes into A (which has none yet). */
static void account_take_homes(account *a, probe *p)
{
    for (size_t i = 0; i < p->nhomes; i++)
        a->homes[a->nhomes++] = p->homes[i];
    p->nhomes = 0;
}

/* RFC 6764 §6 step 5, from the address the user gave: the address itself
 * when it has a path (it may be a calendar, a home or a principal) and the
 * well-known URI below that path, then the context path /.well-known/caldav,
 * then "/" (its 404 fallback). */
static discover_status find_account(dctx *x, const char *url, account *a)
{
    char *path = davurl_part(url, CURLUPART_PATH, 0), host[256];
    char *cands[4] = {0};
    int ncand = 0, dav_seen = 0, has_path = path && strcmp(path, "/") != 0;
    discover_status st = DISCOVER_OK;
    if (has_path) {
        /* A server installed in a folder may answer the well-known URI there. */
        size_t n = strlen(path);
        char *wk = malloc(n + sizeof "/.well-known/caldav");
        if (wk)
            snprintf(wk, n + sizeof "/.well-known/caldav", "%.*s/.well-known/caldav",
                     (int)(path[n - 1] == '/' ? n - 1 : n), path);
        cands[ncand++] = strdup(url);
        cands[ncand++] = wk ? davurl_with_path(url, wk) : NULL;
        free(wk);
    }
    cands[ncand++] = davurl_with_path(url, "/.well-known/caldav");
    cands[ncand++] = davurl_with_path(url, "/");
    free(path);
    for (int i = 0; i < ncand && st == DISCOVER_OK && !a->nhomes && !a->principal && !a->done;
         i++) {
        probe p;
        if (!cands[i]) {
            st = fail(x, DISCOVER_FAILED, "service", "out of memory");
            break;
        }
        if ((st = probe_run(x, cands[i], "service", &p)) != DISCOVER_OK) break;
        if (p.status == 401) {
            st = answer_error(x, "service", p.at, 401);
        } else if (p.status >= 500) {
            x->last_5xx = p.status;
        } else if (p.status == 403) {
            x->refused = 1;
        } else if (p.status == 207 && p.self) {
            dav_seen = 1;
            int given = i == 0 && has_path;
            if (given && has_type(p.self, DAVXML_NS_CALDAV, "calendar")) {
                char *href = davxml_text_trim(davxml_child(p.self, DAVXML_NS_DAV, "href"));
                char *abs = href && *href ? davurl_resolve(p.at, href) : NULL;
                if (add_calendar(x->out, p.self, abs ? abs : p.at) != 0)
                    st = fail(x, DISCOVER_FAILED, "calendars", "out of memory");
                free(href);
                free(abs);
                a->done = 1;
            } else if (p.nhomes || p.principal) {
                account_take_homes(a, &p);
                a->principal = p.principal;
                p.principal = NULL;
            } else if (given && has_type(p.self, DAVXML_NS_DAV, "collection")) {
                size_t found = 0; /* no principal named: the address may be a home */
                st = list_home(x, p.at, &found);
                a->done = found > 0;
            }
        }
        probe_free(&p);
    }
    for (int i = 0; i < ncand; i++)
        free(cands[i]);
    if (st != DISCOVER_OK || a->nhomes || a->principal || a->done) return st;
    davurl_host(url, host, sizeof host);
    if (x->refused && !dav_seen) return answer_error(x, "service", url, 403);
    if (x->last_5xx)
        return fail(x, DISCOVER_FAILED, "service", "%s answered HTTP %ld while %s", host,
                    x->last_5xx, step_doing("service"));
    if (dav_seen)
        return fail(x, DISCOVER_NOT_FOUND, "service",
                    "%s speaks WebDAV but names no calendar account "
                    "(no current-user-principal): give the address of your principal or "
                    "calendar home instead",
                    host);
    return fail(x, DISCOVER_NOT_FOUND, "service",
                "no CalDAV service found at this address (%s answered neither at the address, "
                "at /.well-known/caldav nor at /)",
                host);
}

/* The principal's calendar homes (RFC 4791 §6.2.1); without the property
 * the principal is taken as its own home, as some servers lay it out. */
static discover_status read_principal(dctx *x, account *a)
{
    probe p;
    discover_status st = probe_run(x, a->principal, "principal", &p);
    if (st != DISCOVER_OK) return st;
    if (p.status != 207)
        st = answer_error(x, "principal", p.at, p.status);
    else if (p.nhomes)
        account_take_homes(a, &p);
    else if (!(a->homes[a->nhomes++] = strdup(p.at)))
        st = fail(x, DISCOVER_FAILED, "principal", "out of memory");
    probe_free(&p);
    return st;
}

/* The address the user gave, checked and normalized; sets the origin. */
static discover_status read_address(dctx *x, char **url)
{
    const char *in = x->q->url ? x->q->url : "";
    while (*in == ' ' || *in == '\t')
        in++;
    size_t n = strlen(in);
    while (n && (in[n - 1] == ' ' || in[n - 1] == '\t'))
        n--;
    char *raw = n && n < DAVURL_MAX ? strndup(in, n) : NULL;
    char *text = raw ? davurl_encode_loose(raw) : NULL, *v = NULL;
    char *scheme = NULL, *user = NULL, *pass = NULL, *host = NULL, *port = NULL;
    CURLU *u = text ? curl_url() : NULL;
    discover_status st = DISCOVER_OK;
    *url = NULL;
    if (!u || curl_url_set(u, CURLUPART_URL, text, CURLU_DEFAULT_SCHEME) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
        st = fail(x, DISCOVER_BAD_URL, "address",
                  "enter the server's address, e.g. https://caldav.example.com");
    } else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        st =
            fail(x, DISCOVER_BAD_URL, "address", "the address must start with https:// or http://");
    } else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
               curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
        st = fail(x, DISCOVER_BAD_URL, "address",
                  "put the user name and password in their own fields, not in the address");
    } else if (curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
               curl_url_get(u, CURLUPART_URL, &v, 0) != CURLUE_OK ||
               curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
               !(*url = strdup(v)) || !(x->origin_host = strdup(host)) ||
               !(x->origin_port = strdup(port))) {
        st = fail(x, DISCOVER_FAILED, "address", "out of memory");
    } else {
        snprintf(x->origin_scheme, sizeof x->origin_scheme, "%s", scheme);
        x->guessed = strstr(raw, "://") == NULL;
    }
    if (st != DISCOVER_OK) {
        free(*url);
        *url = NULL;
    }
    curl_free(scheme);
    curl_free(user);
    curl_free(pass);
    curl_free(host);
    curl_free(port);
    curl_free(v);
    curl_url_cleanup(u);
    free(text);
    free(raw);
    return st;
}

void discover_list_free(discover_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].url);
        free(l->v[i].name);
        free(l->v[i].color);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

discover_status discover_run(const discover_request *q, discover_list *out, discover_error *e)
{
    dctx x = {.q = q, .out = out, .e = e};
    account a = {0};
    char *url = NULL;
    memset(out, 0, sizeof *out);
    memset(e, 0, sizeof *e);
    x.deadline = mono_now() + (double)(q->timeout_s > 0 ? q->timeout_s : 30);
    discover_status st = read_address(&x, &url);
    if (st == DISCOVER_OK) st = find_account(&x, url, &a);
    if (st == DISCOVER_OK && !a.done && !a.nhomes) st = read_principal(&x, &a);
    for (size_t i = 0; st == DISCOVER_OK && !a.done && i < a.nhomes; i++) {
        size_t found;
        st = list_home(&x, a.homes[i], &found);
    }
    for (size_t i = 0; i < a.nhomes; i++)
        free(a.homes[i]);
    free(a.principal);
    free(url);
    free(x.origin_host);
    free(x.origin_port);
    if (st != DISCOVER_OK) discover_list_free(out);
    return st;
}
