/* bookings.c — POST /bookings (check, assign and insert in one write
 * transaction, idempotent replays), GET /bookings, GET /bookings/{id},
 * GET /manage (the agent's own booking), and the route table. */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/avq.h"
#include "api/booking.h"
#include "api/booking_edit.h"
#include "api/fresh.h"
#include "api/livecheck.h"
#include "api/model.h"
#include "api/secret.h"
#include "api/validate.h"
#include "cal/outbox.h"

#define IDEM_MAX_KEY 200

/* Outcome of one attempt of the create transaction. */
typedef enum {
    TX_DONE = 0, /* RES is set */
    TX_STALE,    /* the snapshot's catalog/staff changed: rebuild and retry */
    TX_TAKEN,    /* nobody (or no crew) free at the start: 409 */
    TX_RECHECK,  /* the chosen crew's calendars must be read live first */
    TX_RETRY     /* transient store failure: retry */
} tx_outcome;

typedef struct {
    api_req *r;
    model_cache *mc;
    model *m;
    avq a;
    json_t *req; /* the request body, borrowed */
    tp_time start, now;
    int len_min, crew;
    char req_hash[65]; /* hex SHA-256 of the request body, for idempotency */
    livecheck lc;      /* staff whose calendars were read live, and who was busy */
    int64_t unchecked[STORE_MAX_CREW];
    int nunchecked;
} create_ctx;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Shape checks that do not depend on the snapshot. 0, or -1 with RES. */
static int check_body(const json_t *req, api_res *res)
{
    static const char *const top[] = {"agent", "property", "services", "packages",
                                      "start", "notes",    NULL};
    static const char *const agent_keys[] = {"name", "email", "phone", NULL};
    static const char *const prop_keys[] = {"address", "postal_code", "lat", "lon", "sqft", NULL};
    val_error e;
    const char *s;
    const json_t *agent = json_object_get(req, "agent"), *prop = json_object_get(req, "property");
    const json_t *phone = json_object_get(agent, "phone"), *notes = json_object_get(req, "notes");
    if (val_known_keys(req, "", top, &e) != 0) goto bad;
    if (!json_is_object(agent)) {
        api_error(res, 422, "validation", "give the agent as {name, email, phone}", "agent");
        return -1;
    }
    if (!json_is_object(prop)) {
        api_error(res, 422, "validation",
                  "give the property as {address, postal_code, lat, lon, sqft}", "property");
        return -1;
    }
    if (val_known_keys(agent, "agent", agent_keys, &e) != 0 ||
        val_string(json_object_get(agent, "name"), "agent.name", 200, 0, &s, &e) != 0 ||
        val_email(json_object_get(agent, "email"), "agent.email", &e) != 0 ||
        (phone && !json_is_null(phone) && val_string(phone, "agent.phone", 50, 1, &s, &e) != 0) ||
        val_known_keys(prop, "property", prop_keys, &e) != 0 ||
        val_string(json_object_get(prop, "address"), "property.address", 300, 0, &s, &e) != 0 ||
        (notes && !json_is_null(notes) && val_string(notes, "notes", 2000, 1, &s, &e) != 0))
        goto bad;
    return 0;
bad:
    val_respond(res, &e);
    return -1;
}

/* Model-dependent checks: prerequisites, items, property, duration, start. */
static int prepare(create_ctx *x, api_res *res)
{
    val_error e;
    if (avq_prereq(x->m, res) != 0) return -1;
    avq_init(&x->a, x->m, x->now);
    if (avq_items_json(&x->a, json_object_get(x->req, "services"),
                       json_object_get(x->req, "packages"), res) != 0 ||
        avq_property_json(&x->a, json_object_get(x->req, "property"), res) != 0 ||
        avq_duration(&x->a, res, &x->len_min, &x->crew) != 0)
        return -1;
    if (val_time(json_object_get(x->req, "start"), "start", &x->start, &e) != 0) {
        val_respond(res, &e);
        return -1;
    }
    x->a.q.from = x->start;
    x->a.q.to = x->start + 1;
    return 0;
}

/* The stored body: what the agent asked for, in canonical form. */
static json_t *stored_body(const create_ctx *x)
{
    const json_t *agent = json_object_get(x->req, "agent"),
                 *prop = json_object_get(x->req, "property");
    json_t *services = json_array(), *packages = json_array();
    for (size_t i = 0; i < x->a.nitems; i++)
        json_array_append_new(x->a.is_package[i] ? packages : services,
                              val_id_json(x->a.refs[i]->id));
    json_t *p = json_pack("{s:O, s:s}", "address", json_object_get(prop, "address"), "postal_code",
                          x->a.postal);
    if (p && isfinite(x->a.prop.lat)) {
        json_object_set_new(p, "lat", json_real(x->a.prop.lat));
        json_object_set_new(p, "lon", json_real(x->a.prop.lon));
    }
    if (p && x->a.prop.sqft > 0) json_object_set_new(p, "sqft", json_integer(x->a.prop.sqft));
    const json_t *phone = json_object_get(agent, "phone"),
                 *notes = json_object_get(x->req, "notes");
    return json_pack("{s:{s:O, s:O, s:s}, s:o, s:o, s:o, s:s, s:i}", "agent", "name",
                     json_object_get(agent, "name"), "email", json_object_get(agent, "email"),
                     "phone", json_is_string(phone) ? json_string_value(phone) : "", "property", p,
                     "services", services, "packages", packages, "notes",
                     json_is_string(notes) ? json_string_value(notes) : "", "crew_size", x->crew);
}

/* Answers RES from a stored idempotent answer. */
static void replay(create_ctx *x, api_res *res, int status, const char *text)
{
    json_t *body = json_loads(text, 0, NULL);
    const char *hash = json_string_value(json_object_get(body, "request_sha256"));
    if (!body || !hash) {
        json_decref(body);
        api_error(res, 500, "internal", "the stored answer for this Idempotency-Key cannot be read",
                  NULL);
        return;
    }
    if (strcmp(hash, x->req_hash) != 0) {
        json_decref(body);
        api_error(res, 422, "idempotency_key_reused",
                  "this Idempotency-Key was used for a different request; use a new key", NULL);
        return;
    }
    const char *sealed = json_string_value(json_object_get(body, "manage_token_sealed"));
    if (sealed) {
        char *token = secret_open(api_server_config(x->r->srv)->secret_key, sealed);
        json_object_set_new(body, "manage_token", token ? json_string(token) : json_null());
        if (token) {
            sodium_memzero(token, strlen(token));
            free(token);
        }
    }
    json_object_del(body, "manage_token_sealed");
    json_object_del(body, "request_sha256");
    api_json(res, status, body);
}

/* Stores the answer OUT for the Idempotency-Key, its token sealed. */
static int remember(create_ctx *x, store_conn *c, const json_t *out, const char *token)
{
    json_t *copy = json_deep_copy(out);
    char *sealed = secret_seal(api_server_config(x->r->srv)->secret_key, token);
    char *text = NULL;
    int rc = STORE_ERROR;
    if (copy && sealed) {
        json_object_del(copy, "manage_token");
        json_object_set_new(copy, "manage_token_sealed", json_string(sealed));
        json_object_set_new(copy, "request_sha256", json_string(x->req_hash));
        text = json_dumps(copy, JSON_COMPACT);
    }
    if (text) rc = store_idem_put(c, x->r->idempotency_key, 201, text, x->now);
    free(text);
    free(sealed);
    json_decref(copy);
    return rc;
}

/* With an Idempotency-Key whose answer is stored: answers RES with it and
 * returns STORE_OK. STORE_NOTFOUND without a key or a stored answer; else
 * the store's code. */
static int replay_stored(create_ctx *x, store_conn *c, api_res *res)
{
    int status;
    char *text = NULL;
    if (!x->r->idempotency_key) return STORE_NOTFOUND;
    int rc = store_idem_get(c, x->r->idempotency_key, &status, &text);
    if (rc == STORE_OK) replay(x, res, status, text);
    free(text);
    return rc;
}

/* Picks the crew on the store's current data. Returns how many were chosen. */
static int choose_crew(create_ctx *x, store_conn *c, int64_t crew_ids[STORE_MAX_CREW], int *rc)
{
    const model *m = x->m;
    tp_time from, to;
    fresh_view v;
    uint32_t chosen[2];
    int n = 0;
    fresh_window(m, x->start, x->start + (tp_time)x->len_min * 60, &from, &to);
    if ((*rc = fresh_load(c, m, from, to, 0, &v)) != STORE_OK) return 0;
    uint32_t *free_idx = malloc((m->nstaff ? m->nstaff : 1) * sizeof *free_idx);
    avail_stat *stats = malloc((m->nstaff ? m->nstaff : 1) * sizeof *stats);
    if (free_idx && stats) {
        avail_query q = x->a.q;
        q.staff = v.staff;
        size_t nfree = avail_free_at(&q, x->start, free_idx, m->nstaff);
        nfree = livecheck_filter(&x->lc, m, free_idx, nfree < m->nstaff ? nfree : m->nstaff);
        fresh_stats(&v, x->start, stats);
        n = avail_assign(&q, free_idx, nfree, stats, x->crew, chosen);
        for (int k = 0; k < n; k++)
            crew_ids[k] = m->staff[chosen[k]].id;
    } else {
        *rc = STORE_ERROR;
    }
    free(free_idx);
    free(stats);
    fresh_free(&v);
    return n;
}

static void new_token(char out[48], uint8_t hash[32])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, 48, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    booking_token_hash(out, hash);
}

static tx_outcome tx_code(int rc, api_res *res)
{
    if (rc == STORE_RETRY) return TX_RETRY;
    if (rc == STORE_CONFLICT) return TX_TAKEN;
    avq_store_error(res);
    return TX_DONE;
}

/* One attempt: check, assign, insert, history, idempotency record, commit. */
static tx_outcome create_tx(create_ctx *x, store_conn *c, api_res *res)
{
    int64_t gen = 0;
    int rc = store_begin(c, 1);
    char token[48];
    store_booking b;
    json_t *out = NULL, *body = NULL, *change = NULL;
    tx_outcome outcome = TX_DONE;
    memset(&b, 0, sizeof b);
    if (rc != STORE_OK) return tx_code(rc, res);
    if ((rc = replay_stored(x, c, res)) != STORE_NOTFOUND) goto replayed;
    if ((rc = store_config_generation(c, &gen)) != STORE_OK) goto store_fail;
    if (!model_config_fresh(x->m, gen)) {
        store_rollback(c);
        return TX_STALE;
    }
    b.nstaff = choose_crew(x, c, b.staff, &rc);
    if (rc != STORE_OK) goto store_fail;
    if (b.nstaff < x->crew) {
        /* The booking holding the slot may be a twin with the same key that
         * committed after the lookup above (PostgreSQL reads each statement
         * afresh): look again before answering 409. */
        if ((rc = replay_stored(x, c, res)) != STORE_NOTFOUND) goto replayed;
        store_rollback(c);
        return TX_TAKEN;
    }
    x->nunchecked = 0;
    for (int k = 0; k < b.nstaff; k++)
        if (livecheck_needed(&x->lc, c, x->m, b.staff[k]))
            x->unchecked[x->nunchecked++] = b.staff[k];
    if (x->nunchecked) {
        store_rollback(c);
        return TX_RECHECK;
    }
    snprintf(b.status, sizeof b.status, "confirmed");
    snprintf(b.cal_state, sizeof b.cal_state, "pending");
    b.start = x->start;
    b.end = x->start + (tp_time)x->len_min * 60;
    b.buffer_min = x->m->rules.buffer_min;
    b.lat = x->a.prop.lat;
    b.lon = x->a.prop.lon;
    b.created = b.updated = x->now;
    new_token(token, b.manage_hash);
    if (!(body = stored_body(x)) || !(b.body = json_dumps(body, JSON_COMPACT))) {
        rc = STORE_ERROR;
        goto store_fail;
    }
    if ((rc = store_booking_insert(c, &b)) != STORE_OK) {
        /* With an Idempotency-Key the booking holding this slot may be a
         * concurrent twin of this request (PostgreSQL's exclusion constraint
         * waited for its commit): the retry finds and replays its answer. */
        if (rc == STORE_CONFLICT && x->r->idempotency_key) rc = STORE_RETRY;
        goto store_fail;
    }
    char s[32], e[32];
    change =
        json_pack("{s:s, s:s, s:s, s:o}", "action", "created", "start",
                  avq_time(x->m, b.start, s, sizeof s), "end", avq_time(x->m, b.end, e, sizeof e),
                  "staff", booking_staff_json(x->m, b.staff, b.nstaff));
    if (!change || (rc = booking_history_add(c, b.id, x->now, BOOKING_AGENT, change)) != STORE_OK)
        goto store_fail;
    /* The token is stored only sealed; the outbox worker opens it for the mail. */
    char *sealed = secret_seal(api_server_config(x->r->srv)->secret_key, token);
    rc = sealed ? outbox_booking_changed(c, NULL, &b, sealed, x->now) : STORE_ERROR;
    free(sealed);
    if (rc != STORE_OK) goto store_fail;
    if (!(out = booking_json(c, x->m, &b, 1))) {
        rc = STORE_ERROR;
        goto store_fail;
    }
    json_object_set_new(out, "manage_token", json_string(token));
    if (x->r->idempotency_key && (rc = remember(x, c, out, token)) != STORE_OK) {
        /* A concurrent request with the same key won: retry to replay it. */
        if (rc == STORE_CONFLICT) rc = STORE_RETRY;
        goto store_fail;
    }
    if ((rc = store_commit(c)) != STORE_OK) goto store_fail;
    model_cache_touch(x->mc);
    api_json(res, 201, out);
    out = NULL;
    goto out;
replayed:
    if (rc == STORE_OK) {
        store_rollback(c);
        goto out;
    }
store_fail:
    store_rollback(c);
    outcome = tx_code(rc, res);
out:
    sodium_memzero(token, sizeof token);
    json_decref(out);
    json_decref(body);
    json_decref(change);
    store_booking_clear(&b);
    return outcome;
}

static void bookings_create(api_req *r, api_res *res)
{
    create_ctx x;
    memset(&x, 0, sizeof x);
    x.r = r;
    x.now = api_now(r->srv);
    store_conn *c = NULL;
    json_t *req = api_body_object(r, res);
    if (!req || check_body(req, res) != 0) goto out;
    x.req = req;
    if (r->idempotency_key && (!*r->idempotency_key || strlen(r->idempotency_key) > IDEM_MAX_KEY)) {
        api_error(res, 422, "validation", "Idempotency-Key has 1 to 200 characters",
                  "Idempotency-Key");
        goto out;
    }
    uint8_t h[32];
    crypto_hash_sha256(h, (const unsigned char *)r->body, r->body_len);
    sodium_bin2hex(x.req_hash, sizeof x.req_hash, h, sizeof h);
    /* The current snapshot as is: the transaction checks that its catalog
     * and staff are still current, and bookings are re-read from the store,
     * so writes that only added bookings need no rebuild here. */
    if ((x.mc = model_cache_of(r->srv)) && !(x.m = model_cache_peek(x.mc)))
        x.m = model_cache_get(x.mc, x.now);
    if (!x.mc || !x.m || !(c = store_acquire(api_server_config(r->srv)->db))) {
        avq_store_error(res);
        goto out;
    }
    for (int attempt = 0;;) {
        if (prepare(&x, res) != 0) goto out;
        if (attempt == BOOKING_TX_TRIES) {
            api_error(res, 503, "busy", "the booking could not be saved; try again", NULL);
            res->retry_after = 1;
            goto out;
        }
        tx_outcome o = create_tx(&x, c, res);
        if (o == TX_DONE) goto out;
        if (o == TX_RECHECK) {
            /* Outside the transaction: a slow calendar never holds the write lock. */
            tp_time b = (tp_time)x.m->rules.buffer_min * 60;
            for (int k = 0; k < x.nunchecked; k++)
                livecheck_run(&x.lc, r->srv, x.m, x.unchecked[k], x.start - b,
                              x.start + (tp_time)x.len_min * 60 + b);
            continue;
        }
        if (o == TX_TAKEN) {
            booking_conflict(res, c, &x.a, x.start, 0,
                             "that time is no longer available; pick another");
            goto out;
        }
        if (o == TX_STALE) {
            if (model_cache_renew(x.mc, x.now, &x.m) != 0) {
                avq_store_error(res);
                goto out;
            }
        } else {
            sleep_ms(5L * (attempt + 1));
        }
        attempt++;
    }
out:
    store_release(c);
    model_release(x.m);
    json_decref(req);
}

/* A "from"/"to" filter: a date (business zone; TO inclusive) or a time. */
static int parse_bound(const model *m, const char *s, int is_to, tp_time *t, api_res *res)
{
    int64_t day;
    if (!s || !*s) return 0;
    if (tz_parse_date(s, &day) == 0) {
        *t = tz_local_to_utc(m->rules.tz, (day + (is_to ? 1 : 0)) * 86400);
        return 0;
    }
    return avq_parse_time(s, t, is_to ? "to" : "from", res);
}

typedef struct {
    store_conn *c;
    const model *m;
    json_t *arr;
} list_ctx;

static int list_cb(void *ctx, const store_booking *b)
{
    list_ctx *l = ctx;
    json_t *o = booking_json(l->c, l->m, b, 0);
    if (!o) return 100;
    json_array_append_new(l->arr, o);
    return 0;
}

static void bookings_list(api_req *r, api_res *res)
{
    model_cache *mc = model_cache_of(r->srv);
    model *m = mc ? model_cache_get(mc, api_now(r->srv)) : NULL;
    store_conn *c = m ? store_acquire(api_server_config(r->srv)->db) : NULL;
    store_booking_filter f = {0, 0, 0, NULL, 0};
    const char *status = api_query(r, "status"), *staff = api_query(r, "staff");
    list_ctx l = {c, m, NULL};
    if (!c) {
        avq_store_error(res);
        goto out;
    }
    if (parse_bound(m, api_query(r, "from"), 0, &f.from, res) != 0 ||
        parse_bound(m, api_query(r, "to"), 1, &f.to, res) != 0)
        goto out;
    if (f.from && !f.to) f.to = INT64_MAX / 2;
    if (f.to && !f.from) f.from = INT64_MIN / 2;
    if (staff && *staff && val_id_text(staff, &f.staff) != 0) {
        api_error(res, 422, "validation", "staff is a staff id", "staff");
        goto out;
    }
    if (status && *status) {
        if (strcmp(status, "confirmed") != 0 && strcmp(status, "cancelled") != 0) {
            api_error(res, 422, "validation", "status is confirmed or cancelled", "status");
            goto out;
        }
        f.status = status;
    }
    l.arr = json_array();
    int rc = l.arr ? store_booking_list(c, &f, list_cb, &l) : STORE_ERROR;
    if (rc != STORE_OK) {
        json_decref(l.arr);
        avq_store_error(res);
        goto out;
    }
    api_json(res, 200, l.arr);
out:
    store_release(c);
    model_release(m);
}

/* Answers with booking ID (loaded on C) and its history. */
static void answer_booking(api_req *r, api_res *res, store_conn *c, int64_t id)
{
    model_cache *mc = model_cache_of(r->srv);
    model *m = mc ? model_cache_get(mc, api_now(r->srv)) : NULL;
    store_booking b;
    memset(&b, 0, sizeof b);
    int rc = m ? store_booking_get(c, id, &b) : STORE_ERROR;
    json_t *o = rc == STORE_OK ? booking_json(c, m, &b, 1) : NULL;
    if (o)
        api_json(res, 200, o);
    else if (rc == STORE_NOTFOUND)
        api_error(res, 404, "not_found", "no such booking", NULL);
    else
        avq_store_error(res);
    store_booking_clear(&b);
    model_release(m);
}

static void bookings_get(api_req *r, api_res *res)
{
    store_conn *c = store_acquire(api_server_config(r->srv)->db);
    int64_t id;
    booking_role role;
    if (!c)
        avq_store_error(res);
    else if (booking_caller(r, res, c, &id, &role) == 0)
        answer_booking(r, res, c, id);
    store_release(c);
}

/* GET /manage: the booking whose manage token is the bearer. */
static void bookings_manage(api_req *r, api_res *res)
{
    store_conn *c = NULL;
    store_booking b;
    uint8_t hash[32];
    memset(&b, 0, sizeof b);
    if (!r->bearer || !*r->bearer) {
        api_error(res, 401, "unauthorized", "send the manage token as Authorization: Bearer …",
                  NULL);
        return;
    }
    if (!(c = store_acquire(api_server_config(r->srv)->db))) {
        avq_store_error(res);
        return;
    }
    booking_token_hash(r->bearer, hash);
    int rc = store_booking_by_manage(c, hash, &b);
    if (rc == STORE_OK)
        answer_booking(r, res, c, b.id);
    else if (rc == STORE_NOTFOUND)
        api_error(res, 404, "not_found", "no booking has this link; check that it was copied whole",
                  NULL);
    else
        avq_store_error(res);
    store_booking_clear(&b);
    store_release(c);
}

const api_route api_routes_bookings[] = {
    {"POST", "/api/v1/bookings", API_PUBLIC, bookings_create},
    {"GET", "/api/v1/bookings", API_ADMIN, bookings_list},
    {"GET", "/api/v1/bookings/{id}", API_ADMIN_OR_MANAGE, bookings_get},
    {"PATCH", "/api/v1/bookings/{id}", API_ADMIN_OR_MANAGE, booking_edit_patch},
    {"DELETE", "/api/v1/bookings/{id}", API_ADMIN_OR_MANAGE, booking_edit_delete},
    {"GET", "/api/v1/manage", API_PUBLIC, bookings_manage},
    {0},
};
