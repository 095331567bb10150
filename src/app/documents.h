/* documents.h — the admin resources the store keeps as JSON documents
 * (skills, services, packages, zones, staff, calendars) as API objects, with
 * their "id" as a string. */
#ifndef TRIPOD_DOCUMENTS_H
#define TRIPOD_DOCUMENTS_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

/* Document ID of kind K as an object with "id" first. New reference, or NULL
 * with *RC set (STORE_NOTFOUND, or STORE_ERROR also for unparsable text). */
json_t *documents_get(store_conn *c, store_kind k, int64_t id, int *rc);

/* Every document of kind K in ascending id, each with its "id". New
 * reference, or NULL with *RC set. */
json_t *documents_list(store_conn *c, store_kind k, int *rc);

/* Copy of OBJ without "id", serialised compactly for storage. malloc'ed;
 * NULL when memory ran out. */
char *documents_text(const json_t *obj);

/* The id of object DOC (its "id" string) or 0. */
int64_t documents_id(const json_t *doc);

#endif
