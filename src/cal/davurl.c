/* davurl.c — URLs of WebDAV resources on libcurl's URL API (see davurl.h). */
#include "cal/davurl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A URL handle for absolute URL URL, or NULL. */
static CURLU *url_handle(const char *url)
{
    CURLU *u = curl_url();
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        curl_url_cleanup(u);
        u = NULL;
    }
    return u;
}

/* Part P of URL as a malloc'ed string (NULL when absent); FLAGS as for
 * curl_url_get. */
char *davurl_part(const char *url, CURLUPart p, unsigned flags)
{
    CURLU *u = url_handle(url);
    char *v = NULL, *out = NULL;
    if (u && curl_url_get(u, p, &v, flags) == CURLUE_OK && v) out = strdup(v);
    curl_free(v);
    curl_url_cleanup(u);
    return out;
}

/* HREF with the bytes a URI may not hold percent-encoded (servers send raw
 * spaces and UTF-8); '%' is kept, so encoded hrefs stay as they are. */
char *davurl_encode_loose(const char *href)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(href);
    char *out = n < DAVURL_MAX ? malloc(n * 3 + 1) : NULL, *o = out;
    if (!out) return NULL;
    for (const unsigned char *p = (const unsigned char *)href; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f || strchr("\"<>\\^`{|}", *p)) {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        } else {
            *o++ = (char)*p;
        }
    }
    *o = '\0';
    return out;
}

/* REF (absolute, or relative to BASE as RFC 4918 §8.3 allows) as an
 * absolute http(s) URL without user name, password or fragment (libcurl's
 * resolved Location can carry the credentials of the request); malloc'ed,
 * NULL when it is none. */
char *davurl_resolve(const char *base, const char *ref)
{
    char *enc = davurl_encode_loose(ref), *v = NULL, *out = NULL, *scheme = NULL;
    CURLU *u = enc ? url_handle(base) : NULL;
    if (u && curl_url_set(u, CURLUPART_URL, enc, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
        curl_url_get(u, CURLUPART_URL, &v, 0) == CURLUE_OK && strlen(v) < DAVURL_MAX)
        out = strdup(v);
    curl_free(v);
    curl_free(scheme);
    curl_url_cleanup(u);
    free(enc);
    return out;
}

/* URL with part P1 set to V1 and P2 to V2 (NULL: removed); malloc'ed or NULL. */
static char *url_with(const char *url, CURLUPart p1, const char *v1, CURLUPart p2, const char *v2)
{
    char *v = NULL, *out = NULL;
    CURLU *u = url_handle(url);
    if (u && curl_url_set(u, p1, v1, 0) == CURLUE_OK && curl_url_set(u, p2, v2, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &v, 0) == CURLUE_OK)
        out = strdup(v);
    curl_free(v);
    curl_url_cleanup(u);
    return out;
}

char *davurl_with_path(const char *url, const char *path)
{
    return url_with(url, CURLUPART_PATH, path, CURLUPART_QUERY, NULL);
}

/* 1 when A and B name one resource: same host (any case) and port, and
 * the same decoded path but for a trailing slash. */
int davurl_same_resource(const char *a, const char *b)
{
    char *ha = davurl_part(a, CURLUPART_HOST, 0), *hb = davurl_part(b, CURLUPART_HOST, 0);
    char *pa = davurl_part(a, CURLUPART_PORT, CURLU_DEFAULT_PORT);
    char *pb = davurl_part(b, CURLUPART_PORT, CURLU_DEFAULT_PORT);
    char *xa = davurl_part(a, CURLUPART_PATH, CURLU_URLDECODE);
    char *xb = davurl_part(b, CURLUPART_PATH, CURLU_URLDECODE);
    if (!xa) xa = davurl_part(a, CURLUPART_PATH, 0);
    if (!xb) xb = davurl_part(b, CURLUPART_PATH, 0);
    int same = 0;
    if (ha && hb && pa && pb && xa && xb && strcasecmp(ha, hb) == 0 && strcmp(pa, pb) == 0) {
        size_t la = strlen(xa), lb = strlen(xb);
        if (la > 1 && xa[la - 1] == '/') la--;
        if (lb > 1 && xb[lb - 1] == '/') lb--;
        same = la == lb && memcmp(xa, xb, la) == 0;
    }
    free(ha);
    free(hb);
    free(pa);
    free(pb);
    free(xa);
    free(xb);
    return same;
}

/* A redirect from https to http on the same host is taken over https:
 * the password is never sent in the clear, and proxies that terminate TLS
 * often write such Location headers. Returns malloc'ed NEXT or its upgrade. */
char *davurl_no_downgrade(const char *from, const char *next)
{
    char *fs = davurl_part(from, CURLUPART_SCHEME, 0), *ns = davurl_part(next, CURLUPART_SCHEME, 0);
    char *fh = davurl_part(from, CURLUPART_HOST, 0), *nh = davurl_part(next, CURLUPART_HOST, 0);
    int up = fs && ns && fh && nh && strcmp(fs, "https") == 0 && strcmp(ns, "http") == 0 &&
             strcasecmp(fh, nh) == 0;
    free(fs);
    free(ns);
    free(fh);
    free(nh);
    return up ? url_with(next, CURLUPART_SCHEME, "https", CURLUPART_PORT, NULL) : strdup(next);
}

const char *davurl_host(const char *url, char *buf, size_t len)
{
    char *h = davurl_part(url, CURLUPART_HOST, 0);
    snprintf(buf, len, "%s", h ? h : "the server");
    free(h);
    return buf;
}
