/* doc.h — helpers for resources stored as JSON documents (store_doc_*): load
 * one or all as API objects with their "id", and answer store failures. */
#ifndef TRIPOD_DOC_H
#define TRIPOD_DOC_H

#include <jansson.h>

#include "api/api.h"
#include "store/store.h"

/* A connection for the request, or NULL with RES set to 503 store_unavailable. */
store_conn *doc_acquire(const api_req *req, api_res *res);

/* Sets RES for store result RC (not STORE_OK): NOTFOUND → 404 not_found,
 * CONFLICT → 409 conflict, else 503 store_unavailable. */
void doc_store_error(api_res *res, int rc);

/* Document ID of kind K as an object with "id" first. New reference, or NULL
 * with *RC set (STORE_NOTFOUND, or STORE_ERROR also for unparsable text). */
json_t *doc_get(store_conn *c, store_kind k, int64_t id, int *rc);

/* Every document of kind K in ascending id, each with its "id". New
 * reference, or NULL with *RC set. */
json_t *doc_list(store_conn *c, store_kind k, int *rc);

/* Copy of OBJ without "id", serialised compactly for storage. malloc'ed;
 * NULL when memory ran out. */
char *doc_text(const json_t *obj);

/* The id of object DOC (its "id" string) or 0. */
int64_t doc_id(const json_t *doc);

#endif
