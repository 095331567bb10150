/* web.h — the pages `tripod serve` answers outside /api/: the copies of web/
 * compiled into the binary, or for development the files of a directory
 * (TRIPOD_WEB), and which file a page URL names. */
#ifndef TRIPOD_WEB_H
#define TRIPOD_WEB_H

#include <stddef.h>

/* One file compiled into the binary. */
typedef struct {
    const char *path; /* its URL path, e.g. "/js/api.js" */
    const unsigned char *data;
    size_t size;
    const char *etag; /* quoted strong validator: a hash of DATA taken at build time */
} web_asset;

/* The compiled-in files sorted by path (strcmp); generated at build time by
 * cmake/embed_web.cmake from the list in CMakeLists.txt (all of web/). */
extern const web_asset web_assets[];
extern const size_t web_assets_count;

/* The compiled-in file URL path PATH names, or NULL: "/" and "/book" →
 * /book.html, "/manage/{token}" → /manage.html, "/admin" → /admin.html,
 * other paths name files directly. The result is static. */
const web_asset *web_find(const char *path);

/* The Content-Type of file name PATH (a static string), by its extension. */
const char *web_content_type(const char *path);

/* 1 when the If-None-Match header value IF_NONE_MATCH (NULL when absent)
 * names ETAG ('*', or a comma-separated list of tags, weak or not), else 0. */
int web_etag_match(const char *if_none_match, const char *etag);

/* The development override directory DIR as a malloc'ed absolute path the
 * caller frees, or NULL when DIR is not a directory. */
char *web_dir_real(const char *dir);

/* Maps URL path PATH to a regular file under DIR (an absolute path without
 * symlinks, as web_dir_real gives), routing pages as web_find does. Hidden
 * files, "..", and anything resolving outside DIR are refused. Writes the file
 * path into OUT and its content type (a static string) into *CTYPE. Returns 0,
 * or -1 when there is no such file. */
int web_resolve(const char *dir, const char *path, char *out, size_t len, const char **ctype);

#endif
