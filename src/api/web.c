/* web.c — locating the web/ directory and mapping page URLs to its files
 * safely (no traversal, no hidden files, no symlinks leading outside). */
#include "api/web.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int web_is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *web_dir_find(void)
{
    char buf[PATH_MAX];
    const char *env = getenv("TRIPOD_WEB");
    if (env && *env) return web_is_dir(env) ? realpath(env, NULL) : NULL;
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = '\0';
        char *slash = strrchr(buf, '/');
        if (slash) {
            *slash = '\0';
            char cand[PATH_MAX];
            if (snprintf(cand, sizeof cand, "%s/../web", buf) < (int)sizeof cand &&
                web_is_dir(cand))
                return realpath(cand, NULL);
        }
    }
    return web_is_dir("web") ? realpath("web", NULL) : NULL;
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

static const char *web_type_of(const char *path)
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
        return "book.html";
    if (strcmp(path, "/admin") == 0 || strcmp(path, "/admin/") == 0) return "admin.html";
    if (strncmp(path, "/manage/", 8) == 0 && path[8] && !strchr(path + 8, '/'))
        return "manage.html";
    return NULL;
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
        n = snprintf(cand, sizeof cand, "%s/%s", dir, page);
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
        *ctype = web_type_of(real);
    }
    free(real);
    return ok ? 0 : -1;
}
