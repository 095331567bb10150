/* crud.h — the list/get/create/replace/patch/delete handlers shared by every
 * admin resource kept as a JSON document (skills, services, packages, zones,
 * staff, calendars; app/documents.h). A kind supplies its validation and
 * presentation. */
#ifndef TRIPOD_CRUD_H
#define TRIPOD_CRUD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "app/validate.h"
#include "app/documents.h"
#include "store/store.h"

/* Result of a kind's check: 0 = OK, CRUD_INVALID = refused (val_error says
 * why → 422), any STORE_* code > 0 = the store failed. */
#define CRUD_INVALID (-1)

typedef struct crud_kind crud_kind;
struct crud_kind {
    store_kind kind;
    const char *noun; /* "skill", "service", … */
    /* Validates IN (the request body; the merged object for PATCH). OLD is the
     * stored document when updating, else NULL. On success *OUT is the new
     * document to store (new reference, without "id"). Runs inside the write
     * transaction of C. */
    int (*check)(const api_req *req, store_conn *c, const json_t *in, const json_t *old,
                 json_t **out, val_error *e);
    /* Who uses document ID: 0 = nobody, 1 = in use (MSG says by whom), or a
     * STORE_* code > 1 on failure. NULL: never in use. */
    int (*in_use)(store_conn *c, int64_t id, char *msg, size_t len);
    /* Turns stored document DOC (with "id", borrowed, may be modified) into
     * the API answer; NULL hook = as stored. Members whose names start with
     * '_' are internal (e.g. sealed secrets): they are never answered and
     * PATCH does not merge them; the check copies them from OLD. Returns 0
     * or a STORE_* code. */
    int (*present)(const api_req *req, store_conn *c, json_t *doc);
    /* After a create, inside its write transaction before the commit: may
     * add fields shown only once to the answer OUT (e.g. the staff feed
     * URL). NULL hook = nothing. Returns 0 or a STORE_* code. */
    int (*created)(const api_req *req, store_conn *c, int64_t id, json_t *out);
    /* Before a delete inside the write transaction (e.g. dropping the staff
     * feed key). NULL hook = nothing. Returns 0 or a STORE_* code. */
    int (*deleting)(store_conn *c, int64_t id);
};

void crud_list(api_req *req, api_res *res, const crud_kind *k);
void crud_get(api_req *req, api_res *res, const crud_kind *k);
void crud_create(api_req *req, api_res *res, const crud_kind *k);
void crud_replace(api_req *req, api_res *res, const crud_kind *k); /* PUT: full object */
void crud_patch(api_req *req, api_res *res, const crud_kind *k);   /* PATCH: listed fields */
void crud_delete(api_req *req, api_res *res, const crud_kind *k);  /* 204; 409 in_use */

/* Checks that every id of IDS[0..n) is a stored document of kind K. Returns
 * 0, CRUD_INVALID (E names FIELD and the missing NOUN), or a STORE_* code. */
int crud_refs_exist(store_conn *c, store_kind k, const int64_t *ids, size_t n, const char *field,
                    const char *noun, val_error *e);

/* Looks for a document of kind K whose array FIELD holds id ID (or, when
 * FIELD names a string member, equals it). Returns 0 = none, 1 = found (MSG
 * says "<noun> "<name>" (id N)"), or a STORE_* code > 1. */
int crud_find_user(store_conn *c, store_kind k, const char *field, int64_t id, const char *noun,
                   char *msg, size_t len);

/* The optional id list FIELD of IN (absent or null: none), whose ids must be
 * documents of kind K (NOUN names one in errors), copied into OUT as an array
 * of id strings. Returns 0, CRUD_INVALID (E says why) or a STORE_* code. */
int crud_ref_ids(store_conn *c, const json_t *in, const char *field, store_kind k, const char *noun,
                 json_t *out, val_error *e);

/* The JSON array of ids IDS[0..n) as strings. New reference. */
json_t *crud_id_array(const int64_t *ids, size_t n);

#endif
