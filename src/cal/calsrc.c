/* calsrc.c — reads a calendar document and its owner (staff document or the
 * business settings) into a ready-to-use CalDAV target. */
#include "cal/calsrc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"

int64_t calsrc_json_id(const void *json)
{
    const json_t *v = json;
    if (json_is_integer(v)) return (int64_t)json_integer_value(v);
    if (json_is_string(v)) {
        char *end;
        long long id = strtoll(json_string_value(v), &end, 10);
        return *end == '\0' && id > 0 ? (int64_t)id : 0;
    }
    return 0;
}

void calsrc_clear(calsrc *s)
{
    if (!s) return;
    if (s->secret) {
        volatile char *p = s->secret;
        while (*p)
            *p++ = 0;
    }
    free(s->url);
    free(s->remote_id);
    free(s->username);
    free(s->secret);
    free(s->owner_email);
    free(s->owner_tz);
    memset(s, 0, sizeof *s);
}

static char *dup_str(const json_t *v)
{
    return json_is_string(v) && *json_string_value(v) ? strdup(json_string_value(v)) : NULL;
}

/* The owner's zone and e-mail: the staff document, else the business
 * settings, else OP's default. */
static int load_owner(store_conn *c, const calsrc_opener *op, calsrc *s)
{
    char *text = NULL;
    json_t *doc = NULL;
    int rc;
    if (s->owner) {
        rc = store_doc_get(c, STORE_STAFF, s->owner, &text);
        if (rc == STORE_OK && (doc = json_loads(text, 0, NULL))) {
            s->owner_email = dup_str(json_object_get(doc, "email"));
            s->owner_tz = dup_str(json_object_get(doc, "timezone"));
        }
        free(text);
        json_decref(doc);
        text = NULL;
        doc = NULL;
        if (rc != STORE_OK && rc != STORE_NOTFOUND) return rc;
    }
    if (!s->owner_tz) {
        if ((rc = store_settings_get(c, &text)) != STORE_OK) return rc;
        if ((doc = json_loads(text, 0, NULL)))
            s->owner_tz = dup_str(json_object_get(doc, "timezone"));
        free(text);
        json_decref(doc);
    }
    if (!s->owner_tz && !(s->owner_tz = strdup(op && op->default_tz ? op->default_tz : "UTC")))
        return STORE_ERROR;
    return STORE_OK;
}

static int from_doc(store_conn *c, int64_t id, const char *json, const calsrc_opener *op, calsrc *s)
{
    json_t *doc = json_loads(json, 0, NULL);
    int rc = STORE_ERROR;
    memset(s, 0, sizeof *s);
    if (!doc) goto out;
    s->id = id;
    const json_t *owner = json_object_get(doc, "owner");
    s->owner = json_is_string(owner) && strcmp(json_string_value(owner), "business") == 0
                   ? 0
                   : calsrc_json_id(owner);
    const char *kind = json_string_value(json_object_get(doc, "kind"));
    int provider = calsrc_provider_kind(kind);
    s->kind = provider >= 0                      ? (calsrc_kind)provider
              : kind && strcmp(kind, "ics") == 0 ? CALSRC_ICS
                                                 : CALSRC_CALDAV;
    s->primary = json_is_true(json_object_get(doc, "primary"));
    if (provider >= 0) {
        /* The account's tokens are opened when a request needs them (oauth.h). */
        s->account = calsrc_json_id(json_object_get(doc, "account"));
        s->remote_id = dup_str(json_object_get(doc, "remote_id"));
        if (s->account && s->remote_id) rc = load_owner(c, op, s);
        goto out;
    }
    s->url = dup_str(json_object_get(doc, "url"));
    s->username = dup_str(json_object_get(doc, "username"));
    const char *sealed = json_string_value(json_object_get(doc, "_password"));
    if (!s->url) goto out;
    if (sealed && (!op || !op->open || !(s->secret = op->open(op->ctx, sealed)))) goto out;
    if ((rc = load_owner(c, op, s)) != STORE_OK) goto out;
    s->target.url = s->url;
    if (s->username) {
        s->target.username = s->username;
        s->target.password = s->secret;
    } else {
        s->target.bearer = s->secret;
    }
    rc = STORE_OK;
out:
    json_decref(doc);
    if (rc != STORE_OK) calsrc_clear(s);
    return rc;
}

int calsrc_load(store_conn *c, int64_t id, const calsrc_opener *op, calsrc *s)
{
    char *text = NULL;
    memset(s, 0, sizeof *s);
    int rc = store_doc_get(c, STORE_CALENDAR, id, &text);
    if (rc == STORE_OK) rc = from_doc(c, id, text, op, s);
    free(text);
    return rc;
}

int calsrc_provider_kind(const char *kind)
{
    if (kind && strcmp(kind, "google") == 0) return CALSRC_GOOGLE;
    if (kind && strcmp(kind, "microsoft") == 0) return CALSRC_MICROSOFT;
    return -1;
}

typedef struct {
    int64_t owner;   /* < 0: all */
    int64_t account; /* > 0: only this provider account's calendars */
    int primary_only;
    int64_t *ids;
    size_t n, cap;
    int oom;
} walk;

static int walk_cb(void *ctx, int64_t id, const char *json)
{
    walk *w = ctx;
    json_t *doc = json_loads(json, 0, NULL);
    int keep = doc != NULL;
    if (keep && w->primary_only) keep = json_is_true(json_object_get(doc, "primary"));
    if (keep && w->owner >= 0) {
        const json_t *o = json_object_get(doc, "owner");
        int64_t owner = json_is_string(o) && strcmp(json_string_value(o), "business") == 0
                            ? 0
                            : calsrc_json_id(o);
        keep = owner == w->owner;
    }
    if (keep && w->account > 0)
        keep = calsrc_json_id(json_object_get(doc, "account")) == w->account;
    json_decref(doc);
    if (!keep) return 0;
    if (ARRAY_RESERVE(w->ids, w->cap, w->n + 1, 16) != 0) {
        w->oom = 1;
        return 1;
    }
    w->ids[w->n++] = id;
    return 0;
}

static int walk_ids(store_conn *c, walk w, int64_t **ids, size_t *n)
{
    int rc = store_doc_list(c, STORE_CALENDAR, walk_cb, &w);
    if (w.oom) rc = STORE_ERROR;
    if (rc != STORE_OK) {
        free(w.ids);
        w.ids = NULL;
        w.n = 0;
    }
    *ids = w.ids;
    *n = w.n;
    return rc;
}

int calsrc_ids(store_conn *c, int64_t owner, int64_t **ids, size_t *n)
{
    return walk_ids(c, (walk){.owner = owner}, ids, n);
}

int calsrc_account_ids(store_conn *c, int64_t account, int64_t **ids, size_t *n)
{
    return walk_ids(c, (walk){.owner = -1, .account = account}, ids, n);
}

int calsrc_primary(store_conn *c, const calsrc_opener *op, calsrc *s)
{
    walk w = {.owner = -1, .primary_only = 1};
    memset(s, 0, sizeof *s);
    int rc = store_doc_list(c, STORE_CALENDAR, walk_cb, &w);
    if (w.oom) rc = STORE_ERROR;
    if (rc == STORE_OK) rc = w.n ? calsrc_load(c, w.ids[0], op, s) : STORE_NOTFOUND;
    free(w.ids);
    return rc;
}
