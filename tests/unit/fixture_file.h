/* fixture_file.h — the unit tests' data files under tests/fixtures/, found
 * from this header's own path, so a test runs from any build directory. */
#ifndef TRIPOD_FIXTURE_FILE_H
#define TRIPOD_FIXTURE_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Opens tests/fixtures/REL for reading; NULL when it cannot. */
static inline FILE *fixture_open(const char *rel)
{
    char path[1024];
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    int dir = slash ? (int)(slash - here) : 0;
    snprintf(path, sizeof path, "%.*s/../fixtures/%s", dir, here, rel);
    return fopen(path, "rb");
}

/* The whole of tests/fixtures/REL, NUL-terminated, in a new buffer the caller
 * frees; its length in *LEN when LEN is not NULL. NULL when it cannot be read
 * (nothing allocated). */
static inline char *fixture_slurp(const char *rel, size_t *len)
{
    FILE *f = fixture_open(rel);
    char *buf = NULL;
    long n;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = '\0';
            if (len) *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

#endif
