/* web.c — the pages: finding a compiled-in file (web_assets.c, generated at
 * build time) for a page URL (the favicon at /favicon.ico too), its content
 * type and ETag check, and the development override directory, whose files
 * are mapped from URLs safely (no traversal, no hidden files, no symlinks
 * leading outside). */
#include "api/web.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *web_dir_real(const char *dir)
{
    struct stat st;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? realpath(dir, NULL) : NULL;
}

static const struct {
    const char *ext, *type;
} web_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
};

const char *web_content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof web_types / sizeof web_types[0]; i++)
            if (strcmp(dot, web_types[i].ext) == 0) return web_types[i].type;
    return "application/octet-stream";
}

/* The file a page route names, or NULL when PATH is not a page route. */
static const char *web_page_file(const char *path)
{
    if (strcmp(path, "/") == 0 || strcmp(path, "/book") == 0 || strcmp(path, "/book/") == 0)
        return "/book.html";
    if (strcmp(path, "/admin") == 0 || strcmp(path, "/admin/") == 0) return "/admin.html";
    /* Browsers ask for /favicon.ico when a page names no icon (every page names this one). */
    if (strcmp(path, "/favicon.ico") == 0) return "/favicon.svg";
    if (strncmp(path, "/manage/", 8) == 0 && path[8] && !strchr(path + 8, '/'))
        return "/manage.html";
    if (strncmp(path, "/connect/", 9) == 0 && path[9] && !strchr(path + 9, '/'))
        return "/connect.html"; /* a staff member's connect link, and its done page */
    return NULL;
}

static int web_asset_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const web_asset *)elem)->path);
}

const web_asset *web_find(const char *path)
{
    const char *page = web_page_file(path);
    return bsearch(page ? page : path, web_assets, web_assets_count, sizeof web_assets[0],
                   web_asset_cmp);
}

int web_etag_match(const char *if_none_match, const char *etag)
{
    size_t elen = strlen(etag);
    const char *p = if_none_match;
    if (!p) return 0;
    for (;;) {
        p += strspn(p, " \t,");
        if (!*p) return 0;
        if (*p == '*') return 1;
        if (strncmp(p, "W/", 2) == 0) p += 2; /* If-None-Match compares weakly */
        const char *end = *p == '"' ? strchr(p + 1, '"') : NULL;
        end = end ? end + 1 : p + strcspn(p, ",");
        if ((size_t)(end - p) == elen && memcmp(p, etag, elen) == 0) return 1;
        p = end;
    }
}

/* 1 when every segment of PATH (after its leading '/') is a plain name. */
static int web_path_safe(const char *path)
{
    if (path[0] != '/' || strchr(path, '\\')) return 0;
    const char *seg = path + 1;
    for (;;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if (n == 0 || seg[0] == '.') return 0;
        if (!end) return 1;
        seg = end + 1;
    }
}

int web_resolve(const char *dir, const char *path, char *out, size_t len, const char **ctype)
{
    char cand[PATH_MAX];
    const char *page = web_page_file(path);
    int n;
    if (page)
        n = snprintf(cand, sizeof cand, "%s%s", dir, page);
    else if (web_path_safe(path))
        n = snprintf(cand, sizeof cand, "%s%s", dir, path);
    else
        return -1;
    if (n < 0 || (size_t)n >= sizeof cand) return -1;
    char *real = realpath(cand, NULL);
    if (!real) return -1;
    size_t dlen = strlen(dir);
    struct stat st;
    int ok = strncmp(real, dir, dlen) == 0 && real[dlen] == '/' && stat(real, &st) == 0 &&
             S_ISREG(st.st_mode) && strlen(real) < len;
    if (ok) {
        strcpy(out, real);
        *ctype = web_content_type(real);
    }
    free(real);
    return ok ? 0 : -1;
}
