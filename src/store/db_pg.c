/* db_pg.c — the PostgreSQL driver (being written; until then it refuses to open). */
#include <stdio.h>

#include "store/db.h"

static int pg_open(const char *url, const char *data_dir, store **out, char *err, size_t errlen)
{
    (void)url;
    (void)data_dir;
    *out = NULL;
    snprintf(err, errlen, "PostgreSQL support is not built into this tripod yet");
    return STORE_ERROR;
}

const db_driver db_pg_driver = {.name = "postgres", .open = pg_open};
