/* web.h — where the pages live and which file a page URL names: the static
 * side of `tripod serve` (web/ next to the source tree, or TRIPOD_WEB). */
#ifndef TRIPOD_WEB_H
#define TRIPOD_WEB_H

#include <stddef.h>

/* The pages directory: $TRIPOD_WEB, else <dir of the executable>/../web, else
 * ./web. Returns a malloc'ed absolute path the caller frees, or NULL when no
 * such directory exists. */
char *web_dir_find(void);

/* Maps URL path PATH to a regular file under DIR: "/" and "/book" →
 * book.html, "/manage/{token}" → manage.html, "/admin" → admin.html, other
 * paths name files directly. Hidden files, "..", and anything resolving
 * outside DIR are refused. Writes the file path into OUT and its content type
 * (a static string) into *CTYPE. Returns 0, or -1 when there is no such file. */
int web_resolve(const char *dir, const char *path, char *out, size_t len, const char **ctype);

#endif
