/* booking.c — shared parts of the booking endpoints: caller resolution,
 * booking JSON and history, stored request → query, 409 alternatives. */
#include "api/booking.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/fresh.h"
#include "api/validate.h"

#define ALT_DAYS_BEFORE 2
#define ALT_DAYS_AFTER 3

void booking_token_hash(const char *token, uint8_t hash[32])
{
    crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
}

int booking_caller(api_req *r, api_res *res, store_conn *c, int64_t *id, booking_role *role)
{
    if (r->nparams < 1 || val_id_text(r->params[0], id) != 0) {
        api_error(res, 404, "not_found", "no such booking", NULL);
        return -1;
    }
    if (r->is_admin) {
        *role = BOOKING_ADMIN;
        return 0;
    }
    if (!r->bearer || !*r->bearer) {
        api_error(res, 401, "unauthorized",
                  "an admin token or the booking's manage token is required", NULL);
        return -1;
    }
    uint8_t hash[32];
    store_booking b;
    memset(&b, 0, sizeof b);
    booking_token_hash(r->bearer, hash);
    int rc = store_booking_by_manage(c, hash, &b);
    int64_t own = b.id;
    store_booking_clear(&b);
    if (rc == STORE_NOTFOUND) {
        api_error(res, 401, "unauthorized",
                  "this token is neither an admin token nor a manage token", NULL);
        return -1;
    }
    if (rc != STORE_OK) {
        avq_store_error(res);
        return -1;
    }
    if (own != *id) {
        api_error(res, 404, "not_found", "no such booking", NULL);
        return -1;
    }
    *role = BOOKING_AGENT;
    return 0;
}

json_t *booking_staff_json(const model *m, const int64_t *ids, int n)
{
    json_t *arr = json_array();
    for (int k = 0; arr && k < n; k++) {
        long idx = model_staff_index(m, ids[k]);
        json_array_append_new(arr,
                              json_pack("{s:o, s:o}", "id", val_id_json(ids[k]), "name",
                                        idx >= 0 ? json_string(m->people[idx].name) : json_null()));
    }
    return arr;
}

static int history_cb(void *ctx, tp_time at, const char *actor, const char *change_json)
{
    void **x = ctx;
    json_t *arr = x[0];
    const model *m = x[1];
    char buf[32];
    json_t *change = json_loads(change_json, 0, NULL);
    json_array_append_new(arr,
                          json_pack("{s:s, s:s, s:o}", "at", avq_time(m, at, buf, sizeof buf),
                                    "actor", actor, "change", change ? change : json_object()));
    return 0;
}

json_t *booking_json(store_conn *c, const model *m, const store_booking *b, int with_history)
{
    char s[32], e[32], cr[32], up[32];
    json_t *o = json_pack(
        "{s:o, s:s, s:s, s:s, s:i, s:i, s:o, s:i, s:{s:s, s:o}, s:s, s:s}", "id",
        val_id_json(b->id), "status", b->status, "start", avq_time(m, b->start, s, sizeof s), "end",
        avq_time(m, b->end, e, sizeof e), "duration_minutes", (int)((b->end - b->start) / 60),
        "buffer_minutes", b->buffer_min, "staff", booking_staff_json(m, b->staff, b->nstaff),
        "sequence", b->sequence, "calendar", "state", b->cal_state, "error",
        b->cal_error ? json_string(b->cal_error) : json_null(), "created",
        avq_time(m, b->created, cr, sizeof cr), "updated", avq_time(m, b->updated, up, sizeof up));
    if (!o) return NULL;
    json_t *body = b->body ? json_loads(b->body, 0, NULL) : NULL;
    const char *keys[] = {"agent", "property", "services", "packages", "notes", "crew_size"};
    for (size_t k = 0; body && k < sizeof keys / sizeof keys[0]; k++) {
        json_t *v = json_object_get(body, keys[k]);
        if (v) json_object_set(o, keys[k], v);
    }
    json_decref(body);
    if (with_history) {
        json_t *hist = json_array();
        void *x[2] = {hist, (void *)m};
        if (!hist || store_history_list(c, b->id, history_cb, x) != STORE_OK) {
            json_decref(hist);
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, "history", hist);
    }
    return o;
}

int booking_history_add(store_conn *c, int64_t id, tp_time at, booking_role role,
                        const json_t *change)
{
    char *text = json_dumps(change, JSON_COMPACT);
    if (!text) return STORE_ERROR;
    int rc = store_history_add(c, id, at, role == BOOKING_ADMIN ? "admin" : "agent", text);
    free(text);
    return rc;
}

int booking_query_of(avq *a, const store_booking *b, api_res *res)
{
    json_t *body = b->body ? json_loads(b->body, 0, NULL) : NULL;
    int rc = -1;
    if (!body) {
        api_error(res, 500, "internal", "the stored booking cannot be read", NULL);
        return -1;
    }
    if (avq_items_json(a, json_object_get(body, "services"), json_object_get(body, "packages"),
                       res) == 0 &&
        avq_property_json(a, json_object_get(body, "property"), res) == 0)
        rc = 0;
    json_decref(body);
    return rc;
}

/* The offered starts nearest to START (other than START), ascending. */
static json_t *alternatives(store_conn *c, avq *a, tp_time start, int64_t exclude)
{
    const model *m = a->m;
    json_t *out = json_array();
    fresh_view v;
    avail_result ar;
    avail_result_init(&ar);
    avq q = *a;
    q.q.items = q.items;
    q.q.property = &q.prop;
    q.q.from = start - ALT_DAYS_BEFORE * 86400;
    q.q.to = start + ALT_DAYS_AFTER * 86400;
    if (!out || fresh_load(c, m, q.q.from - 86400, q.q.to + 86400, exclude, &v) != STORE_OK)
        goto out;
    q.q.staff = v.staff;
    if (avail_compute(&q.q, &ar) == 0 && ar.status == AVAIL_OK) {
        size_t pick[BOOKING_MAX_ALTERNATIVES], npick = 0;
        /* The slots are ascending: widen a window around START. */
        size_t hi = 0;
        while (hi < ar.nslots && ar.slots[hi].start < start)
            hi++;
        size_t lo = hi;
        while (npick < BOOKING_MAX_ALTERNATIVES && (lo > 0 || hi < ar.nslots)) {
            if (hi < ar.nslots && ar.slots[hi].start == start) {
                hi++;
                continue;
            }
            int take_hi = hi < ar.nslots &&
                          (lo == 0 || ar.slots[hi].start - start < start - ar.slots[lo - 1].start);
            pick[npick++] = take_hi ? hi++ : --lo;
        }
        for (size_t i = 1; i < npick; i++)
            for (size_t j = i; j > 0 && pick[j - 1] > pick[j]; j--) {
                size_t t = pick[j];
                pick[j] = pick[j - 1];
                pick[j - 1] = t;
            }
        char s[32], e[32];
        for (size_t i = 0; i < npick; i++) {
            const avail_slot *sl = &ar.slots[pick[i]];
            json_array_append_new(
                out, json_pack("{s:s, s:s, s:i}", "start", avq_time(m, sl->start, s, sizeof s),
                               "end", avq_time(m, sl->end, e, sizeof e), "crew_size", sl->crew));
        }
    }
    fresh_free(&v);
out:
    avail_result_free(&ar);
    return out;
}

void booking_conflict(api_res *res, store_conn *c, avq *a, tp_time start, int64_t exclude,
                      const char *message)
{
    json_t *alts = alternatives(c, a, start, exclude);
    api_error(res, 409, "slot_unavailable", message, "start");
    if (res->json)
        json_object_set_new(res->json, "alternatives", alts ? alts : json_array());
    else
        json_decref(alts);
}
