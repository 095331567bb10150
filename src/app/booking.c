/* booking.c — creating a booking (the agent's or an admin's, idempotent
 * replays included), who may act on one, and reading bookings; the shared
 * transaction machinery is booking_tx.c's, changes and cancels are
 * booking_change.c's. */
#include "app/booking.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "app/avail_request.h"
#include "app/booking_tx.h"
#include "app/booking_view.h"
#include "app/price.h"
#include "app/secret.h"
#include "app/validate.h"
#include "cal/feed.h"
#include "cal/outbox.h"

/* ---- who may act ---- */

int booking_manage_id(store_conn *c, const char *token, int64_t *id)
{
    uint8_t hash[32];
    store_booking b;
    memset(&b, 0, sizeof b);
    tx_token_hash(token, hash);
    int rc = store_booking_by_manage(c, hash, &b);
    *id = rc == STORE_OK ? b.id : 0;
    store_booking_clear(&b);
    return rc;
}

int booking_authorize(app *a, const char *id_text, const char *bearer, int is_admin, int64_t *id,
                      booking_role *role, outcome *o)
{
    if (!id_text || val_id_text(id_text, id) != 0)
        return outcome_store(o, STORE_NOTFOUND, "booking");
    if (is_admin) {
        *role = BOOKING_ADMIN;
        return 0;
    }
    if (!bearer || !*bearer)
        return outcome_fail(o, OUT_UNAUTHORIZED, "unauthorized", NULL,
                            "an admin token or the booking's manage token is required");
    store_conn *c = app_conn(a, o);
    if (!c) return -1;
    int64_t own = 0;
    int rc = booking_manage_id(c, bearer, &own);
    store_release(c);
    if (rc == STORE_NOTFOUND)
        return outcome_fail(o, OUT_UNAUTHORIZED, "unauthorized", NULL,
                            "this token is neither an admin token nor a manage token");
    if (rc != STORE_OK) return outcome_store(o, rc, NULL);
    if (own != *id) return outcome_store(o, STORE_NOTFOUND, "booking");
    *role = BOOKING_AGENT;
    return 0;
}

/* ---- create ---- */

typedef struct {
    tx t;
    const json_t *req; /* the request body, borrowed */
    const char *key;   /* Idempotency-Key or NULL */
    char req_hash[65]; /* hex SHA-256 of the request bytes, for idempotency */
    int crew;          /* people the shoot needs */
    json_t *answer;    /* the outcome: the booking (or the replayed answer) */
    int status;
    booking_role role; /* an admin books for an agent: force and staff allowed */
    int force;         /* skip the availability rules (never double booking) */
    int64_t *staff;    /* the crew an admin named (malloc'ed), or NULL: by policy */
    size_t nstaff;
} create_run;

/* An admin's force and staff: parsed into X. The agent may send neither. 0, or -1 with O. */
static int create_check_admin(create_run *x, const json_t *req, outcome *o)
{
    val_error e;
    const json_t *force = json_object_get(req, "force"), *staff = json_object_get(req, "staff");
    if (x->role == BOOKING_AGENT && (force || staff))
        return outcome_fail(o, OUT_FORBIDDEN, "forbidden", force ? "force" : "staff",
                            "only an admin can name the staff or force a booking");
    if ((force && val_bool(force, "force", &x->force, &e) != 0) ||
        (staff && val_id_list(staff, "staff", &x->staff, &x->nstaff, &e) != 0))
        return outcome_invalid(o, &e);
    if (staff && (x->nstaff < 1 || x->nstaff > STORE_MAX_CREW))
        return outcome_fail(o, OUT_INVALID, "validation", "staff", "give one or two staff ids");
    if (x->force && !staff)
        return outcome_fail(o, OUT_INVALID, "validation", "staff",
                            "a forced booking names its staff: give one or two staff ids");
    return 0;
}

/* Shape checks that do not depend on the snapshot. 0, or -1 with O. */
static int create_check_body(create_run *x, const json_t *req, outcome *o)
{
    static const char *const top[] = {"agent", "property", "services", "packages", "start",
                                      "notes", "force",    "staff",    NULL};
    static const char *const agent_keys[] = {"name", "email", "phone", NULL};
    static const char *const prop_keys[] = {"address", "postal_code", "lat", "lon", "sqft", NULL};
    val_error e;
    const char *s;
    const json_t *agent = json_object_get(req, "agent"), *prop = json_object_get(req, "property");
    const json_t *phone = json_object_get(agent, "phone"), *notes = json_object_get(req, "notes");
    if (val_known_keys(req, "", top, &e) != 0) return outcome_invalid(o, &e);
    if (create_check_admin(x, req, o) != 0) return -1;
    if (!json_is_object(agent))
        return outcome_fail(o, OUT_INVALID, "validation", "agent",
                            "give the agent as {name, email, phone}");
    if (!json_is_object(prop))
        return outcome_fail(o, OUT_INVALID, "validation", "property",
                            "give the property as {address, postal_code, lat, lon, sqft}");
    if (val_known_keys(agent, "agent", agent_keys, &e) != 0 ||
        val_string(json_object_get(agent, "name"), "agent.name", 200, 0, &s, &e) != 0 ||
        val_email(json_object_get(agent, "email"), "agent.email", &e) != 0 ||
        (phone && !json_is_null(phone) && val_string(phone, "agent.phone", 50, 1, &s, &e) != 0) ||
        val_known_keys(prop, "property", prop_keys, &e) != 0 ||
        val_string(json_object_get(prop, "address"), "property.address", 300, 0, &s, &e) != 0 ||
        (notes && !json_is_null(notes) && val_string(notes, "notes", 2000, 1, &s, &e) != 0))
        return outcome_invalid(o, &e);
    return 0;
}

/* The snapshot-dependent checks: prerequisites, items, property, duration, start. */
static int create_prepare(tx *t, outcome *o)
{
    create_run *x = (create_run *)t;
    val_error e;
    int len_min;
    if (avail_request_prereq(t->s, o) != 0) return -1;
    avail_request_init(&t->q, t->s, t->now);
    if (avail_request_items_json(&t->q, json_object_get(x->req, "services"),
                                 json_object_get(x->req, "packages"), o) != 0 ||
        avail_request_property_json(&t->q, json_object_get(x->req, "property"), o) != 0 ||
        avail_request_duration(&t->q, o, &len_min, &x->crew) != 0)
        return -1;
    if (val_time(json_object_get(x->req, "start"), "start", &t->at, &e) != 0)
        return outcome_invalid(o, &e);
    if (tx_staff_known(t, x->staff, x->nstaff, o) != 0) return -1;
    t->len = (tp_time)len_min * 60;
    t->q.q.from = t->at;
    t->q.q.to = t->at + 1;
    t->have_query = 1;
    return 0;
}

/* The stored body: what the agent asked for, in canonical form, with the
 * price it was quoted (kept whatever the prices become later). */
static json_t *create_stored_body(const create_run *x)
{
    json_t *price = price_quote(&x->t.q);
    if (!price) return NULL;
    const avail_request *q = &x->t.q;
    const json_t *agent = json_object_get(x->req, "agent"),
                 *prop = json_object_get(x->req, "property");
    json_t *services = json_array(), *packages = json_array();
    for (size_t i = 0; i < q->nitems; i++)
        json_array_append_new(q->is_package[i] ? packages : services, val_id_json(q->refs[i]->id));
    json_t *p = json_pack("{s:O, s:s}", "address", json_object_get(prop, "address"), "postal_code",
                          q->postal);
    if (p && isfinite(q->prop.lat)) {
        json_object_set_new(p, "lat", json_real(q->prop.lat));
        json_object_set_new(p, "lon", json_real(q->prop.lon));
    }
    if (p && q->prop.sqft > 0) json_object_set_new(p, "sqft", json_integer(q->prop.sqft));
    const json_t *phone = json_object_get(agent, "phone"),
                 *notes = json_object_get(x->req, "notes");
    return json_pack("{s:{s:O, s:O, s:s}, s:o, s:o, s:o, s:s, s:i, s:o}", "agent", "name",
                     json_object_get(agent, "name"), "email", json_object_get(agent, "email"),
                     "phone", json_is_string(phone) ? json_string_value(phone) : "", "property", p,
                     "services", services, "packages", packages, "notes",
                     json_is_string(notes) ? json_string_value(notes) : "", "crew_size", x->crew,
                     "price", price);
}

/* The stored answer TEXT for X's Idempotency-Key as X's answer (its manage
 * token unsealed). 0, or -1 with O (unreadable, or the key was used for
 * other bytes). */
static int create_replay(create_run *x, int status, const char *text, outcome *o)
{
    json_t *body = json_loads(text, 0, NULL);
    const char *hash = json_string_value(json_object_get(body, "request_sha256"));
    if (!body || !hash) {
        json_decref(body);
        return outcome_fail(o, OUT_INTERNAL, "internal", NULL,
                            "the stored answer for this Idempotency-Key cannot be read");
    }
    if (strcmp(hash, x->req_hash) != 0) {
        json_decref(body);
        return outcome_fail(o, OUT_INVALID, "idempotency_key_reused", NULL,
                            "this Idempotency-Key was used for a different request; use a new key");
    }
    const char *sealed = json_string_value(json_object_get(body, "manage_token_sealed"));
    if (sealed) {
        char *token = secret_open(x->t.a->secret_key, sealed);
        json_object_set_new(body, "manage_token", token ? json_string(token) : json_null());
        if (token) {
            sodium_memzero(token, strlen(token));
            free(token);
        }
    }
    json_object_del(body, "manage_token_sealed");
    json_object_del(body, "request_sha256");
    x->answer = body;
    x->status = status;
    return 0;
}

/* With a key whose answer is stored: X's answer (or O) is set from it and
 * STORE_OK returned. STORE_NOTFOUND without a key or a stored answer; else
 * the store's code. */
static int create_replay_stored(create_run *x, store_conn *c, outcome *o)
{
    int status;
    char *text = NULL;
    if (!x->key) return STORE_NOTFOUND;
    int rc = store_idem_get(c, x->key, &status, &text);
    if (rc == STORE_OK) create_replay(x, status, text, o);
    free(text);
    return rc;
}

/* Stores answer OUT for X's key, its manage TOKEN sealed. */
static int create_remember(create_run *x, store_conn *c, const json_t *out, const char *token)
{
    json_t *copy = json_deep_copy(out);
    char *sealed = secret_seal(x->t.a->secret_key, token);
    char *text = NULL;
    int rc = STORE_ERROR;
    if (copy && sealed) {
        json_object_del(copy, "manage_token");
        json_object_set_new(copy, "manage_token_sealed", json_string(sealed));
        json_object_set_new(copy, "request_sha256", json_string(x->req_hash));
        text = json_dumps(copy, JSON_COMPACT);
    }
    if (text) rc = store_idem_put(c, x->key, 201, text, x->t.now);
    free(text);
    free(sealed);
    json_decref(copy);
    return rc;
}

static void new_token(char out[48], uint8_t hash[32])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, 48, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    tx_token_hash(out, hash);
}

/* One attempt: check, assign, insert, history, outbox, idempotency record, commit. */
static tx_step create_attempt(tx *t, store_conn *c, outcome *o)
{
    create_run *x = (create_run *)t;
    int64_t gen = 0;
    int rc = store_begin(c, STORE_WRITE);
    char token[48];
    store_booking b;
    json_t *out = NULL, *body = NULL, *change = NULL;
    tx_step step = TX_DONE;
    memset(&b, 0, sizeof b);
    memset(token, 0, sizeof token);
    if (rc != STORE_OK) return tx_store(rc, o, NULL);
    if ((rc = create_replay_stored(x, c, o)) != STORE_NOTFOUND) goto replayed;
    if ((rc = store_config_generation(c, &gen)) != STORE_OK) goto fail;
    if (!snapshot_config_fresh(t->s, gen)) {
        step = TX_STALE;
        goto rollback;
    }
    if (x->force) {
        for (size_t k = 0; k < x->nstaff; k++)
            b.staff[k] = x->staff[k];
        b.nstaff = (int)x->nstaff;
    } else {
        b.nstaff = tx_pick_crew(t, c, 0, x->staff, x->nstaff, !x->staff, x->crew, b.staff, &rc);
        if (rc != STORE_OK) goto fail;
    }
    if (b.nstaff < (x->staff ? (int)x->nstaff : x->crew)) {
        /* The booking holding the slot may be a twin with the same key that
         * committed after the lookup above (PostgreSQL reads each statement
         * afresh): look again before refusing. */
        if ((rc = create_replay_stored(x, c, o)) != STORE_NOTFOUND) goto replayed;
        step = TX_TAKEN;
        goto rollback;
    }
    if (!x->force && tx_need_recheck(t, b.staff, b.nstaff)) {
        step = TX_RECHECK;
        goto rollback;
    }
    snprintf(b.status, sizeof b.status, "confirmed");
    snprintf(b.cal_state, sizeof b.cal_state, "pending");
    b.start = t->at;
    b.end = t->at + t->len;
    b.buffer_min = t->s->rules.buffer_min;
    b.lat = t->q.prop.lat;
    b.lon = t->q.prop.lon;
    b.created = b.updated = t->now;
    if (x->force && (rc = tx_double_booked(t, c, &b)) != STORE_OK) goto fail;
    new_token(token, b.manage_hash);
    if (!(body = create_stored_body(x)) || !(b.body = json_dumps(body, JSON_COMPACT)) ||
        !(b.search = booking_view_search(body))) {
        rc = STORE_ERROR;
        goto fail;
    }
    if ((rc = store_booking_insert(c, &b)) != STORE_OK) {
        /* With an Idempotency-Key the booking holding this slot may be a
         * concurrent twin of this request (PostgreSQL's exclusion constraint
         * waited for its commit): the retry finds and replays its answer. */
        if (rc == STORE_CONFLICT && x->key) rc = STORE_RETRY;
        goto fail;
    }
    change = booking_view_state(t->s, &b);
    if (change) json_object_set_new(change, "action", json_string("created"));
    if (change && x->force) json_object_set_new(change, "force", json_true());
    if (!change ||
        (rc = booking_view_history_add(c, b.id, t->now, tx_role_name(x->role), change)) != STORE_OK)
        goto fail;
    /* The token is stored only sealed; the outbox worker opens it for the mail. */
    char *sealed = secret_seal(t->a->secret_key, token);
    outbox_facts facts;
    booking_view_facts(t->s, t->a->cfg, NULL, &b, &facts);
    rc = sealed ? outbox_booking_changed(c, NULL, &b, &facts, sealed, t->now) : STORE_ERROR;
    free(sealed);
    if (rc != STORE_OK) goto fail;
    if (!(out = booking_view(c, t->s, &b, 1))) {
        rc = STORE_ERROR;
        goto fail;
    }
    json_object_set_new(out, "manage_token", json_string(token));
    if (x->key && (rc = create_remember(x, c, out, token)) != STORE_OK) {
        /* A concurrent request with the same key won: retry to replay it. */
        if (rc == STORE_CONFLICT) rc = STORE_RETRY;
        goto fail;
    }
    if ((rc = store_commit(c)) != STORE_OK) goto fail;
    app_wrote(t->a);
    x->answer = out;
    x->status = 201;
    out = NULL;
    goto clean;
replayed:
    if (rc == STORE_OK) goto rollback;
fail:
    step = tx_store(rc, o, NULL);
rollback:
    store_rollback(c);
clean:
    sodium_memzero(token, sizeof token);
    json_decref(out);
    json_decref(body);
    json_decref(change);
    store_booking_clear(&b);
    return step;
}

int booking_create_as(app *a, booking_role role, const json_t *body, const char *raw,
                      size_t raw_len, const char *key, json_t **answer, int *status, outcome *o)
{
    create_run x;
    memset(&x, 0, sizeof x);
    x.req = body;
    x.key = key;
    x.role = role;
    x.t.taken_message = "that time is no longer available; pick another";
    x.t.busy_message = "the booking could not be saved; try again";
    x.t.prepare = create_prepare;
    x.t.attempt = create_attempt;
    if (create_check_body(&x, body, o) != 0) {
        free(x.staff);
        return -1;
    }
    x.t.forced = x.force; /* force skips the shoot windows like every availability rule */
    if (key && (!*key || strlen(key) > BOOKING_MAX_IDEM_KEY)) {
        free(x.staff);
        return outcome_fail(o, OUT_INVALID, "validation", "Idempotency-Key",
                            "Idempotency-Key has 1 to 200 characters");
    }
    uint8_t h[32];
    crypto_hash_sha256(h, (const unsigned char *)raw, raw_len);
    sodium_bin2hex(x.req_hash, sizeof x.req_hash, h, sizeof h);
    store_conn *c = NULL;
    int rc = -1;
    if (tx_begin(&x.t, a, 1, o) == 0 && (c = app_conn(a, o)) && tx_run(&x.t, c, o) == 0 &&
        x.answer) {
        *answer = x.answer;
        *status = x.status;
        x.answer = NULL;
        rc = 0;
    }
    json_decref(x.answer);
    store_release(c);
    tx_end(&x.t);
    free(x.staff);
    return rc;
}

/* ---- reading ---- */

/* *ANSWER = booking ID read on C with its history. 0, or -1 with O. */
static int answer_booking(app *a, store_conn *c, int64_t id, json_t **answer, outcome *o)
{
    snapshot *s = app_snapshot(a, o);
    store_booking b;
    memset(&b, 0, sizeof b);
    int rc = s ? store_booking_get(c, id, &b) : STORE_ERROR;
    if (rc == STORE_OK && !(*answer = booking_view(c, s, &b, 1))) rc = STORE_ERROR;
    if (rc != STORE_OK && s) outcome_store(o, rc, "booking");
    store_booking_clear(&b);
    snapshot_release(s);
    return rc == STORE_OK ? 0 : -1;
}

int booking_get(app *a, int64_t id, json_t **answer, outcome *o)
{
    store_conn *c = app_conn(a, o);
    int rc = c ? answer_booking(a, c, id, answer, o) : -1;
    store_release(c);
    return rc;
}

int booking_of_manage_token(app *a, const char *token, json_t **answer, outcome *o)
{
    if (!token || !*token)
        return outcome_fail(o, OUT_UNAUTHORIZED, "unauthorized", NULL,
                            "send the manage token as Authorization: Bearer …");
    store_conn *c = app_conn(a, o);
    if (!c) return -1;
    int64_t id = 0;
    int rc = booking_manage_id(c, token, &id);
    int out = -1;
    if (rc == STORE_OK)
        out = answer_booking(a, c, id, answer, o);
    else if (rc == STORE_NOTFOUND)
        outcome_fail(o, OUT_NOT_FOUND, "not_found", NULL,
                     "no booking has this link; check that it was copied whole");
    else
        outcome_store(o, rc, NULL);
    store_release(c);
    return out;
}

typedef struct {
    const snapshot *s;
    const tripod_config *cfg;
} feed_ctx;

static int feed_facts(void *ctx, const store_booking *b, outbox_facts *out)
{
    const feed_ctx *x = ctx;
    booking_view_facts(x->s, x->cfg, NULL, b, out);
    return STORE_OK;
}

int booking_staff_feed(app *a, store_conn *c, int64_t staff, char **ics, outcome *o)
{
    snapshot *s = app_snapshot(a, o);
    int rc = STORE_ERROR;
    if (!s) return -1;
    feed_ctx x = {s, a->cfg};
    *ics = feed_staff_ics(c, staff, app_now(a), feed_facts, &x, &rc);
    snapshot_release(s);
    return *ics ? 0 : outcome_store(o, rc, NULL);
}
