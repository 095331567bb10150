/* crud.c — one implementation of list/get/create/replace/patch/delete over
 * the store's JSON documents (app/documents.h); each write is one
 * transaction, so a refused or failed request changes nothing. */
#include "api/crud.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The id of the path ({id} capture), or 0 after answering 404. */
static int64_t crud_path_id(const api_req *req, api_res *res, const crud_kind *k)
{
    int64_t id;
    char msg[96];
    if (req->nparams < 1 || val_id_text(req->params[0], &id) != 0) {
        snprintf(msg, sizeof msg, "no such %s", k->noun);
        api_error(res, 404, "not_found", msg, NULL);
        return 0;
    }
    return id;
}

static void crud_not_found(api_res *res, const crud_kind *k)
{
    char msg[96];
    snprintf(msg, sizeof msg, "no such %s", k->noun);
    api_error(res, 404, "not_found", msg, NULL);
}

/* Makes stored document DOC the API answer: the kind's presentation, minus
 * every internal member (names starting with '_'). */
static int crud_present(const api_req *req, store_conn *c, const crud_kind *k, json_t *doc)
{
    const char *key;
    json_t *v;
    void *tmp;
    int rc = k->present ? k->present(req, c, doc) : STORE_OK;
    json_object_foreach_safe(doc, tmp, key, v)
    {
        if (key[0] == '_') json_object_del(doc, key);
    }
    return rc;
}

/* A copy of OLD without internal members, for PATCH to merge into. */
static json_t *crud_public_copy(const json_t *old)
{
    const char *key;
    json_t *v;
    json_t *out = json_object();
    json_object_foreach((json_t *)old, key, v)
    {
        if (key[0] != '_') json_object_set(out, key, v);
    }
    return out;
}

void crud_list(api_req *req, api_res *res, const crud_kind *k)
{
    int rc;
    size_t i;
    json_t *d;
    store_conn *c = api_conn(req, res);
    if (!c) return;
    json_t *arr = documents_list(c, k->kind, &rc);
    json_array_foreach(arr, i, d)
    {
        if (rc == STORE_OK) rc = crud_present(req, c, k, d);
    }
    if (rc == STORE_OK)
        api_json(res, 200, json_incref(arr));
    else
        api_store_error(res, STORE_ERROR);
    json_decref(arr);
    store_release(c);
}

void crud_get(api_req *req, api_res *res, const crud_kind *k)
{
    int rc;
    int64_t id = crud_path_id(req, res, k);
    if (!id) return;
    store_conn *c = api_conn(req, res);
    if (!c) return;
    json_t *d = documents_get(c, k->kind, id, &rc);
    if (rc == STORE_OK) rc = crud_present(req, c, k, d);
    if (rc == STORE_OK)
        api_json(res, 200, json_incref(d));
    else if (rc == STORE_NOTFOUND)
        crud_not_found(res, k);
    else
        api_store_error(res, rc);
    json_decref(d);
    store_release(c);
}

/* Shared body of create (ID 0), replace and patch. */
static void crud_write(api_req *req, api_res *res, const crud_kind *k, int64_t id, int patch)
{
    val_error e;
    int rc;
    json_t *old = NULL, *in = NULL, *doc = NULL, *out = NULL;
    char *text = NULL;
    json_t *body = api_body_object(req, res);
    if (!body) return;
    store_conn *c = api_conn(req, res);
    if (!c) goto out;
    if ((rc = store_begin(c, 1)) != STORE_OK) goto store_fail;
    if (id && !(old = documents_get(c, k->kind, id, &rc))) goto store_fail;
    in = body;
    if (patch) {
        in = crud_public_copy(old);
        json_object_update(in, body);
    } else {
        json_incref(in);
    }
    json_object_del(in, "id");
    rc = k->check(req, c, in, old, &doc, &e);
    if (rc == CRUD_INVALID) {
        api_invalid(res, &e);
        goto out;
    }
    if (rc != STORE_OK) goto store_fail;
    if (!(text = documents_text(doc))) {
        rc = STORE_ERROR;
        goto store_fail;
    }
    if (id)
        rc = store_doc_update(c, k->kind, id, text);
    else
        rc = store_doc_insert(c, k->kind, text, &id);
    if (rc != STORE_OK) goto store_fail;
    out = json_object();
    json_object_set_new(out, "id", val_id_json(id));
    json_object_update(out, doc);
    if ((rc = crud_present(req, c, k, out)) != STORE_OK) goto store_fail;
    if (!old && k->created && (rc = k->created(req, c, id, out)) != STORE_OK) goto store_fail;
    if ((rc = store_commit(c)) != STORE_OK) goto store_fail;
    api_json(res, old ? 200 : 201, out);
    out = NULL;
    goto out;
store_fail:
    if (rc == STORE_NOTFOUND)
        crud_not_found(res, k);
    else
        api_store_error(res, rc);
out:
    free(text);
    json_decref(out);
    json_decref(doc);
    json_decref(in);
    json_decref(old);
    json_decref(body);
    store_release(c);
}

void crud_create(api_req *req, api_res *res, const crud_kind *k)
{
    crud_write(req, res, k, 0, 0);
}

void crud_replace(api_req *req, api_res *res, const crud_kind *k)
{
    int64_t id = crud_path_id(req, res, k);
    if (id) crud_write(req, res, k, id, 0);
}

void crud_patch(api_req *req, api_res *res, const crud_kind *k)
{
    int64_t id = crud_path_id(req, res, k);
    if (id) crud_write(req, res, k, id, 1);
}

void crud_delete(api_req *req, api_res *res, const crud_kind *k)
{
    char msg[400], full[480];
    int rc;
    int64_t id = crud_path_id(req, res, k);
    if (!id) return;
    store_conn *c = api_conn(req, res);
    if (!c) return;
    char *text = NULL;
    if ((rc = store_begin(c, 1)) != STORE_OK ||
        (rc = store_doc_get(c, k->kind, id, &text)) != STORE_OK)
        goto fail;
    rc = k->in_use ? k->in_use(c, id, msg, sizeof msg) : 0;
    if (rc == 1) {
        snprintf(full, sizeof full, "%s %lld is in use by %s", k->noun, (long long)id, msg);
        api_error(res, 409, "in_use", full, NULL);
        goto out;
    }
    if (rc != 0 || (k->deleting && (rc = k->deleting(c, id)) != STORE_OK) ||
        (rc = store_doc_delete(c, k->kind, id)) != STORE_OK || (rc = store_commit(c)) != STORE_OK)
        goto fail;
    res->status = 204;
    goto out;
fail:
    if (rc == STORE_NOTFOUND)
        crud_not_found(res, k);
    else
        api_store_error(res, rc);
out:
    free(text);
    store_release(c);
}

int crud_refs_exist(store_conn *c, store_kind k, const int64_t *ids, size_t n, const char *field,
                    const char *noun, val_error *e)
{
    for (size_t i = 0; i < n; i++) {
        char *text = NULL;
        int rc = store_doc_get(c, k, ids[i], &text);
        free(text);
        if (rc == STORE_NOTFOUND)
            return val_fail(e, field, "%s %lld does not exist", noun, (long long)ids[i]);
        if (rc != STORE_OK) return rc;
    }
    return 0;
}

typedef struct {
    const char *field;
    const char *id; /* as text */
    const char *noun;
    char *msg;
    size_t len;
} crud_user_ctx;

static int crud_user_cb(void *ctx, int64_t id, const char *json)
{
    crud_user_ctx *u = ctx;
    size_t i;
    json_t *v, *doc = json_loads(json, 0, NULL);
    json_t *f = json_object_get(doc, u->field);
    int found = json_is_string(f) && strcmp(json_string_value(f), u->id) == 0;
    json_array_foreach(f, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), u->id) == 0) found = 1;
    }
    if (found) {
        const char *name = json_string_value(json_object_get(doc, "name"));
        snprintf(u->msg, u->len, "%s \"%.200s\" (id %lld)", u->noun, name ? name : "",
                 (long long)id);
    }
    json_decref(doc);
    return found ? -1 : 0;
}

int crud_find_user(store_conn *c, store_kind k, const char *field, int64_t id, const char *noun,
                   char *msg, size_t len)
{
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", (long long)id);
    crud_user_ctx u = {field, idtext, noun, msg, len};
    int rc = store_doc_list(c, k, crud_user_cb, &u);
    if (rc == -1) return 1;
    return rc == STORE_OK ? 0 : (rc == 1 ? STORE_ERROR : rc);
}

int crud_ref_ids(store_conn *c, const json_t *in, const char *field, store_kind k, const char *noun,
                 json_t *out, val_error *e)
{
    int64_t *ids = NULL;
    size_t n = 0;
    const json_t *v = json_object_get(in, field);
    if (v && !json_is_null(v) && val_id_list(v, field, &ids, &n, e) != 0) return CRUD_INVALID;
    int rc = crud_refs_exist(c, k, ids, n, field, noun, e);
    if (rc == 0) json_object_set_new(out, field, crud_id_array(ids, n));
    free(ids);
    return rc;
}

json_t *crud_id_array(const int64_t *ids, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, val_id_json(ids[i]));
    return a;
}
