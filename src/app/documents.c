/* documents.c — the store's JSON documents as API objects (documents.h). */
#include "app/documents.h"

#include <stdlib.h>
#include <string.h>

#include "app/validate.h"

/* {"id": "ID", …TEXT's fields}, or NULL. */
static json_t *documents_object(int64_t id, const char *text)
{
    json_t *stored = json_loads(text, 0, NULL);
    json_t *out = json_object();
    if (!json_is_object(stored) || !out) {
        json_decref(stored);
        json_decref(out);
        return NULL;
    }
    json_object_set_new(out, "id", val_id_json(id));
    json_object_update(out, stored);
    json_decref(stored);
    return out;
}

json_t *documents_get(store_conn *c, store_kind k, int64_t id, int *rc)
{
    char *text = NULL;
    *rc = store_doc_get(c, k, id, &text);
    if (*rc != STORE_OK) return NULL;
    json_t *out = documents_object(id, text);
    free(text);
    if (!out) *rc = STORE_ERROR;
    return out;
}

static int documents_list_cb(void *ctx, int64_t id, const char *json)
{
    json_t *o = documents_object(id, json);
    if (!o) return STORE_ERROR;
    json_array_append_new(ctx, o);
    return 0;
}

json_t *documents_list(store_conn *c, store_kind k, int *rc)
{
    json_t *arr = json_array();
    if (!arr) {
        *rc = STORE_ERROR;
        return NULL;
    }
    *rc = store_doc_list(c, k, documents_list_cb, arr);
    if (*rc != STORE_OK) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

char *documents_text(const json_t *obj)
{
    json_t *copy = json_copy((json_t *)obj);
    if (!copy) return NULL;
    json_object_del(copy, "id");
    char *text = json_dumps(copy, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    json_decref(copy);
    return text;
}

int64_t documents_id(const json_t *doc)
{
    int64_t id = 0;
    const char *s = json_string_value(json_object_get(doc, "id"));
    return s && val_id_text(s, &id) == 0 ? id : 0;
}
