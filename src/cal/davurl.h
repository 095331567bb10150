/* davurl.h — URLs of WebDAV resources (libcurl's URL API): hrefs resolved
 * the way RFC 4918 §8.3 says, credentials stripped, two spellings of one
 * resource recognised, redirects kept off plain http. */
#ifndef TRIPOD_DAVURL_H
#define TRIPOD_DAVURL_H

#include <curl/curl.h>
#include <stddef.h>

#define DAVURL_MAX 2048 /* bytes of any URL accepted */

/* Part P of absolute URL as a malloc'ed string; NULL when absent, when URL
 * cannot be parsed or memory ran out. FLAGS as for curl_url_get. */
char *davurl_part(const char *url, CURLUPart p, unsigned flags);

/* S with the bytes a URI may not hold percent-encoded (servers send raw
 * spaces and UTF-8); '%' is kept, so encoded text stays as it is.
 * Malloc'ed; NULL when S is DAVURL_MAX bytes or longer, or memory ran out. */
char *davurl_encode_loose(const char *s);

/* REF (absolute, or a relative reference resolved against absolute BASE)
 * as an absolute http or https URL without user name, password or fragment
 * (libcurl's resolved Location can carry the credentials of the request).
 * Malloc'ed; NULL when it is no such URL or memory ran out. */
char *davurl_resolve(const char *base, const char *ref);

/* URL with its path replaced by PATH, query and fragment dropped.
 * Malloc'ed, or NULL. */
char *davurl_with_path(const char *url, const char *path);

/* 1 when URLs A and B name one resource: same host (any case) and port and
 * the same decoded path but for a trailing slash; else 0. */
int davurl_same_resource(const char *a, const char *b);

/* NEXT, where a redirect from FROM leads, but over https when FROM is https
 * and NEXT is plain http on the same host (TLS-terminating proxies write
 * such Locations; the password must not travel in the clear). Malloc'ed, or
 * NULL. */
char *davurl_no_downgrade(const char *from, const char *next);

/* The host of URL into BUF (for messages: never the user info); "the
 * server" when it has none. Returns BUF. */
const char *davurl_host(const char *url, char *buf, size_t len);

#endif
