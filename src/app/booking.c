/* booking.c — the booking transactions of booking.h: one retry loop
 * (tx_run) drives create, change and cancel; each attempt checks and writes
 * in one write transaction on the store's current data. */
#include "app/booking.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/avail_request.h"
#include "app/booking_view.h"
#include "app/busy_fresh.h"
#include "app/price.h"
#include "app/reasons.h"
#include "app/recheck.h"
#include "app/secret.h"
#include "app/settings.h"
#include "app/validate.h"
#include "app/window_answer.h"
#include "cal/feed.h"
#include "cal/outbox.h"

#define ALT_DAYS_BEFORE 2 /* alternatives are looked for this many days before the start */
#define ALT_DAYS_AFTER 3  /* … and after it */

/* ---- the transaction loop ---- */

/* What one attempt came to. */
typedef enum {
    TX_DONE = 0, /* finished: the operation's answer or O is set */
    TX_STALE,    /* the snapshot's catalog or staff changed: rebuild and retry */
    TX_TAKEN,    /* the crew is not free then: refuse with alternatives */
    TX_RECHECK,  /* the chosen crew's calendars must be read live first */
    TX_RETRY     /* transient store failure: retry */
} tx_step;

typedef struct tx tx;

/* One operation's run: what every attempt shares, and the operation's steps. */
struct tx {
    app *a;
    snapshot *s; /* current snapshot (a reference); renewed on TX_STALE */
    int peeked;  /* S was taken without checking the store: a refusal of
                    prepare is checked again on a current snapshot */
    tp_time now;
    recheck live;                      /* staff read live in this run, and who was busy */
    int64_t unchecked[STORE_MAX_CREW]; /* TX_RECHECK: whom to read live */
    int nunchecked;
    tp_time at, len;           /* the start and length being checked */
    avail_request q;           /* the query the check ran (alternatives) */
    int have_query;            /* q is set: a refusal offers alternatives */
    int64_t exclude;           /* the booking's own id in alternatives (0: none) */
    int forced;                /* a forced change: its refusals are never about shoot windows */
    const char *taken_message; /* the slot_unavailable sentence */
    json_t *reasons;           /* TX_TAKEN: who was not free and why (reasons.h), or NULL */
    const char *busy_message;  /* the sentence after BOOKING_TX_TRIES attempts */
    /* Before each attempt (after a renewal too): derive what needs the
     * snapshot. 0, or -1 with O. NULL: nothing to derive. */
    int (*prepare)(tx *t, outcome *o);
    /* One attempt inside a write transaction begun on C. */
    tx_step (*attempt)(tx *t, store_conn *c, outcome *o);
};

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The step for store code RC (not STORE_OK) of an attempt; O for real failures. */
static tx_step tx_store(int rc, outcome *o, const char *noun)
{
    if (rc == STORE_RETRY) return TX_RETRY;
    if (rc == STORE_CONFLICT) return TX_TAKEN;
    outcome_store(o, rc, noun);
    return TX_DONE;
}

static int has_id(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id) return 1;
    return 0;
}

/* The offered starts nearest to START (START itself excluded), ascending,
 * from the store's current busy time for query Q (booking EXCLUDE ignored).
 * C must not be in a write transaction. New reference (maybe empty). */
static json_t *alternatives(store_conn *c, const avail_request *rq, tp_time start, int64_t exclude)
{
    const snapshot *s = rq->m;
    json_t *out = json_array();
    busy_fresh v;
    avail_result ar;
    avail_result_init(&ar);
    avail_query q = rq->q;
    q.items = rq->items;
    q.property = &rq->prop;
    q.from = start - ALT_DAYS_BEFORE * 86400;
    q.to = start + ALT_DAYS_AFTER * 86400;
    if (!out || busy_fresh_load(c, s, q.from - 86400, q.to + 86400, exclude, &v) != STORE_OK)
        goto out;
    q.staff = v.staff;
    if (avail_compute(&q, &ar) == 0 && ar.status == AVAIL_OK) {
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
        char st[32], e[32];
        for (size_t i = 0; i < npick; i++) {
            const avail_slot *sl = &ar.slots[pick[i]];
            json_array_append_new(out, json_pack("{s:s, s:s, s:i}", "start",
                                                 snapshot_time(s, sl->start, st, sizeof st), "end",
                                                 snapshot_time(s, sl->end, e, sizeof e),
                                                 "crew_size", sl->crew));
        }
    }
    busy_fresh_free(&v);
out:
    avail_result_free(&ar);
    return out;
}

/* Who is not free at T's start and why, read afresh on C (outside any
 * transaction): for a refusal whose transaction did not say (the database's
 * constraint refused a write that raced another). New reference. */
static json_t *refuse_reasons(tx *t, store_conn *c)
{
    busy_fresh v;
    tp_time from, to;
    json_t *out = NULL;
    busy_fresh_window(t->s, t->at, t->at + t->len, &from, &to);
    if (busy_fresh_load(c, t->s, from, to, t->exclude, &v) != STORE_OK) return json_array();
    avail_query q = t->q.q;
    q.staff = v.staff;
    out = reasons_refusal(t->s, &q, t->at, NULL, 0, t->live.busy, t->live.nbusy);
    busy_fresh_free(&v);
    return out ? out : json_array();
}

/* O = slot_unavailable for T's checked start, with the reasons each staff
 * member was not free and, when T has a query, alternatives (C outside any
 * transaction), and the item's window when the start is outside one (or
 * no_place). Returns -1. */
static int tx_refuse(tx *t, store_conn *c, outcome *o)
{
    char why[sizeof o->message];
    json_t *miss = NULL;
    json_t *reasons = t->reasons ? t->reasons : t->have_query ? refuse_reasons(t, c) : json_array();
    t->reasons = NULL;
    if (!t->have_query) {
        outcome_fail(o, OUT_CONFLICT, "slot_unavailable", "start",
                     "nobody asked for is free then; reasons says who and why");
        o->detail = json_pack("{s:o}", "reasons", reasons ? reasons : json_array());
        return -1;
    }
    /* A property without a place for a sunset window is bad input (422); a
     * start outside an item's window is refused saying so. */
    if (!t->forced && window_answer_refusal(&t->q, t->at, &miss, why, sizeof why, o) != 0) {
        json_decref(reasons);
        return -1;
    }
    json_t *alts = alternatives(c, &t->q, t->at, t->exclude);
    outcome_fail(o, OUT_CONFLICT, "slot_unavailable", "start", "%s", miss ? why : t->taken_message);
    o->detail = json_pack("{s:o, s:o}", "alternatives", alts ? alts : json_array(), "reasons",
                          reasons ? reasons : json_array());
    if (o->detail && miss)
        json_object_set_new(o->detail, "window", miss);
    else
        json_decref(miss);
    return -1;
}

/* Runs T's attempts until one is done: a stale snapshot is renewed, a crew
 * whose calendars must be read live is read outside the transaction (a slow
 * calendar never holds the write lock), transient failures are retried with
 * a growing pause. 0 when the operation succeeded, else -1 with O. */
static int tx_run(tx *t, store_conn *c, outcome *o)
{
    outcome_clear(o); /* success is an attempt that ends with no outcome */
    for (int attempt = 0;;) {
        if (t->prepare && t->prepare(t, o) != 0) {
            /* A peeked snapshot may predate a settings or catalog change
             * (e.g. booking switched back on): refuse only on a current one. */
            if (!t->peeked) return -1;
            t->peeked = 0;
            outcome_clear(o);
            snapshot_release(t->s);
            if (!(t->s = snapshot_cache_get(t->a->snaps, t->now)))
                return outcome_store(o, STORE_ERROR, NULL);
            continue;
        }
        if (attempt == BOOKING_TX_TRIES) {
            outcome_fail(o, OUT_UNAVAILABLE, "busy", NULL, "%s", t->busy_message);
            o->retry_after = 1;
            return -1;
        }
        switch (t->attempt(t, c, o)) {
        case TX_DONE:
            return o->kind == OUT_OK ? 0 : -1;
        case TX_RECHECK: {
            tp_time b = (tp_time)t->s->rules.buffer_min * 60;
            for (int k = 0; k < t->nunchecked; k++)
                recheck_run(&t->live, t->a, t->s, t->unchecked[k], t->at - b, t->at + t->len + b);
            continue;
        }
        case TX_TAKEN:
            return tx_refuse(t, c, o);
        case TX_STALE:
            if (snapshot_cache_renew(t->a->snaps, t->now, &t->s) != 0)
                return outcome_store(o, STORE_ERROR, NULL);
            break;
        case TX_RETRY:
            sleep_ms(5L * (attempt + 1));
            break;
        }
        attempt++;
    }
}

/* Whose calendars must be read live before CREW[0..n) is booked: those with
 * a CalDAV calendar not read yet in this run. Returns how many (in T). */
static int tx_need_recheck(tx *t, store_conn *c, const int64_t *crew, int n)
{
    t->nunchecked = 0;
    for (int k = 0; k < n; k++)
        if (recheck_needed(&t->live, c, t->s, crew[k])) t->unchecked[t->nunchecked++] = crew[k];
    return t->nunchecked;
}

/* Picks the crew for T's query at T->at on the store's current data (booking
 * EXCLUDE's own time ignored, staff found busy live left out): WANT[0..nwant)
 * when they are all free, else (only when REASSIGN) CREW people by the
 * assignment policy. Writes them into OUT and returns how many (0: nobody
 * free, and T->reasons says why, on the same data) with *RC = STORE_OK, or
 * 0 with *RC the store's error. */
static int tx_pick_crew(tx *t, store_conn *c, int64_t exclude, const int64_t *want, size_t nwant,
                        int reassign, int crew, int64_t out[STORE_MAX_CREW], int *rc)
{
    const snapshot *s = t->s;
    busy_fresh v;
    tp_time from, to;
    int n = 0;
    busy_fresh_window(s, t->at, t->at + t->len, &from, &to);
    if ((*rc = busy_fresh_load(c, s, from, to, exclude, &v)) != STORE_OK) return 0;
    uint32_t *free_idx = malloc((s->nstaff ? s->nstaff : 1) * sizeof *free_idx);
    avail_stat *stats = malloc((s->nstaff ? s->nstaff : 1) * sizeof *stats);
    if (!free_idx || !stats) {
        *rc = STORE_ERROR;
        goto out;
    }
    avail_query q = t->q.q;
    q.staff = v.staff;
    size_t nfree = avail_free_at(&q, t->at, free_idx, s->nstaff);
    if (nfree > s->nstaff) nfree = s->nstaff;
    nfree = recheck_filter(&t->live, s, free_idx, nfree);
    int all = nwant > 0;
    for (size_t k = 0; k < nwant; k++) {
        long idx = snapshot_staff_index(s, want[k]);
        int is_free = 0;
        for (size_t i = 0; idx >= 0 && i < nfree; i++)
            is_free |= free_idx[i] == (uint32_t)idx;
        all &= is_free;
    }
    if (all) {
        for (size_t k = 0; k < nwant; k++)
            out[k] = want[k];
        n = (int)nwant;
    } else if (reassign) {
        uint32_t chosen[2];
        busy_fresh_stats(&v, t->at, stats);
        n = avail_assign(&q, free_idx, nfree, stats, crew, chosen);
        for (int k = 0; k < n; k++)
            out[k] = s->staff[chosen[k]].id;
        if (n < crew) n = 0;
    }
    json_decref(t->reasons);
    t->reasons = n ? NULL
                   : reasons_refusal(s, &q, t->at, reassign ? NULL : want, reassign ? 0 : nwant,
                                     t->live.busy, t->live.nbusy);
out:
    free(free_idx);
    free(stats);
    busy_fresh_free(&v);
    return n;
}

/* Takes the snapshot an operation starts from. 0, or -1 with O. */
static int tx_begin(tx *t, app *a, int peek, outcome *o)
{
    t->a = a;
    t->now = app_now(a);
    /* Create uses the current snapshot as is: the transaction checks that
     * its catalog and staff are still current, and bookings are re-read from
     * the store, so writes that only added bookings need no rebuild. */
    if (peek) t->s = snapshot_cache_peek(a->snaps);
    t->peeked = t->s != NULL;
    if (!t->s) t->s = snapshot_cache_get(a->snaps, t->now);
    return t->s ? 0 : outcome_store(o, STORE_ERROR, NULL);
}

static void tx_end(tx *t)
{
    snapshot_release(t->s);
    t->s = NULL;
    json_decref(t->reasons);
    t->reasons = NULL;
}

/* ---- who may act ---- */

static void token_hash(const char *token, uint8_t hash[32])
{
    crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
}

int booking_manage_id(store_conn *c, const char *token, int64_t *id)
{
    uint8_t hash[32];
    store_booking b;
    memset(&b, 0, sizeof b);
    token_hash(token, hash);
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

static const char *role_name(booking_role role)
{
    return role == BOOKING_ADMIN ? "admin" : "agent";
}

/* ---- double booking (what force never overrides) ---- */

typedef struct {
    const snapshot *s;
    const store_booking *b;
    int64_t staff;   /* whose bookings are walked */
    json_t *reasons; /* a refusal's reasons, one entry per clash */
} clash_walk;

static int clash_row(void *ctx, const store_booking *other)
{
    clash_walk *w = ctx;
    const store_booking *b = w->b;
    if (other->id == b->id || other->end <= b->start - (tp_time)b->buffer_min * 60 ||
        other->start - (tp_time)other->buffer_min * 60 >= b->end)
        return 0;
    char text[256];
    avail_reason r = {.why = AVAIL_WHY_BUSY,
                      .start = other->start,
                      .end = other->end,
                      .booking = other->id,
                      .gap = (tp_time)b->buffer_min * 60};
    json_t *e =
        reasons_entry(w->s, w->staff, reasons_text(w->s, NULL, 0, b->start, &r, text, sizeof text));
    return e && json_array_append_new(w->reasons, e) == 0 ? 0 : 100;
}

/* Whether B as it would be written double-books one of its staff: another
 * confirmed booking of theirs whose [start − buffer, end) overlaps B's (the
 * rule PostgreSQL's exclusion constraint enforces; checked here for every
 * engine, as what force never overrides). STORE_CONFLICT when it does, each
 * clash one entry of T->reasons; else STORE_OK or the store's error. */
static int double_booked(tx *t, store_conn *c, const store_booking *b)
{
    clash_walk w = {t->s, b, 0, json_array()};
    int rc = w.reasons ? STORE_OK : STORE_ERROR;
    for (int k = 0; k < b->nstaff && rc == STORE_OK; k++) {
        store_booking_filter f = {b->start - (tp_time)b->buffer_min * 60,
                                  b->end + (tp_time)SETTINGS_MAX_BUFFER_MIN * 60, b->staff[k],
                                  "confirmed", 1};
        w.staff = b->staff[k];
        rc = store_booking_list(c, &f, clash_row, &w);
    }
    if (rc > STORE_ERROR) rc = STORE_ERROR;
    int clash = json_array_size(w.reasons) > 0;
    json_decref(t->reasons);
    t->reasons = clash ? w.reasons : NULL;
    if (!clash) json_decref(w.reasons);
    return rc == STORE_OK && clash ? STORE_CONFLICT : rc;
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
    for (size_t k = 0; k < x->nstaff; k++)
        if (snapshot_staff_index(t->s, x->staff[k]) < 0)
            return outcome_fail(o, OUT_INVALID, "validation", "staff",
                                "no staff member has this id");
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
    token_hash(out, hash);
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
    if (!x->force && tx_need_recheck(t, c, b.staff, b.nstaff)) {
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
    if (x->force && (rc = double_booked(t, c, &b)) != STORE_OK) goto fail;
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
        (rc = booking_view_history_add(c, b.id, t->now, role_name(x->role), change)) != STORE_OK)
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

int booking_create(app *a, const json_t *body, const char *raw, size_t raw_len, const char *key,
                   json_t **answer, int *status, outcome *o)
{
    return booking_create_as(a, BOOKING_AGENT, body, raw, raw_len, key, answer, status, o);
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

/* ---- change and cancel ---- */

typedef struct {
    tx t;
    int64_t id;
    booking_role role;
    int has_start, has_staff, force;
    tp_time start;
    int64_t *staff; /* the crew asked for (malloc'ed) */
    size_t nstaff;
    json_t *answer;
} edit_run;

static int edit_too_late(const edit_run *x, const store_booking *b, outcome *o)
{
    if (x->role != BOOKING_AGENT || b->start >= x->t.now + (tp_time)x->t.s->rules.notice_min * 60)
        return 0;
    return outcome_fail(o, OUT_CONFLICT, "too_late", NULL,
                        "this shoot is too close to change online; please call us");
}

static int same_crew(const store_booking *a, const store_booking *b)
{
    if (a->nstaff != b->nstaff) return 0;
    for (int k = 0; k < a->nstaff; k++)
        if (!has_id(b->staff, (size_t)b->nstaff, a->staff[k])) return 0;
    return 1;
}

/* The query of stored booking B (its items and property, from its body) on
 * T's snapshot. 0, or -1 with O (e.g. a service that no longer exists). */
static int edit_query_of(tx *t, const store_booking *b, outcome *o)
{
    json_t *body = b->body ? json_loads(b->body, 0, NULL) : NULL;
    int rc = -1;
    avail_request_init(&t->q, t->s, t->now);
    if (!body)
        return outcome_fail(o, OUT_INTERNAL, "internal", NULL, "the stored booking cannot be read");
    if (avail_request_items_json(&t->q, json_object_get(body, "services"),
                                 json_object_get(body, "packages"), o) == 0 &&
        avail_request_property_json(&t->q, json_object_get(body, "property"), o) == 0)
        rc = 0;
    json_decref(body);
    return rc;
}

/* Writes B (changed from OLD) with history ACTION and its outbox items, and
 * commits. Returns the store's code (the caller rolls back on failure). */
static int edit_write(edit_run *x, store_conn *c, store_booking *b, const store_booking *old,
                      json_t *change)
{
    int rc;
    outbox_facts facts;
    b->sequence++;
    b->updated = x->t.now;
    snprintf(b->cal_state, sizeof b->cal_state, "pending");
    if ((rc = store_booking_update(c, b)) != STORE_OK) return rc;
    if (!change) return STORE_ERROR;
    booking_view_facts(x->t.s, x->t.a->cfg, old, b, &facts);
    if ((rc = booking_view_history_add(c, b->id, x->t.now, role_name(x->role), change)) !=
            STORE_OK ||
        (rc = outbox_booking_changed(c, old, b, &facts, NULL, x->t.now)) != STORE_OK ||
        (rc = store_commit(c)) != STORE_OK)
        return rc;
    app_wrote(x->t.a);
    return STORE_OK;
}

/* X's answer: booking B as it stands (read on C). */
static tx_step edit_answer(edit_run *x, store_conn *c, const store_booking *b, outcome *o)
{
    if (!(x->answer = booking_view(c, x->t.s, b, 1))) outcome_store(o, STORE_ERROR, NULL);
    return TX_DONE;
}

static tx_step change_attempt(tx *t, store_conn *c, outcome *o)
{
    edit_run *x = (edit_run *)t;
    store_booking b, old;
    int64_t gen = 0;
    json_t *change = NULL;
    tx_step step = TX_DONE;
    outcome why = {0};
    int rc = store_begin(c, STORE_WRITE);
    memset(&b, 0, sizeof b);
    memset(&old, 0, sizeof old);
    if (rc != STORE_OK) return tx_store(rc, o, "booking");
    if ((rc = store_config_generation(c, &gen)) != STORE_OK ||
        (rc = store_booking_get(c, x->id, &b)) != STORE_OK)
        goto fail;
    if (strcmp(b.status, "cancelled") == 0) {
        outcome_fail(o, OUT_CONFLICT, "cancelled", NULL,
                     "this booking is cancelled; make a new one");
        goto rollback;
    }
    if (edit_too_late(x, &b, o)) goto rollback;
    old = b;
    old.body = old.cal_error = NULL;
    t->len = b.end - b.start;
    t->at = x->has_start ? x->start : b.start;
    t->have_query = edit_query_of(t, &b, &why) == 0;
    if (!x->force) {
        if (!snapshot_config_fresh(t->s, gen)) {
            step = TX_STALE;
            goto rollback;
        }
        if (!t->have_query) {
            *o = why;
            why.detail = NULL;
            goto rollback;
        }
        t->q.q.from = t->at;
        t->q.q.to = t->at + 1;
        const int64_t *want = x->has_staff ? x->staff : b.staff;
        size_t nwant = x->has_staff ? x->nstaff : (size_t)b.nstaff;
        int crew = b.nstaff > 0 ? b.nstaff : 1;
        int n = tx_pick_crew(t, c, b.id, want, nwant, !x->has_staff, crew, b.staff, &rc);
        if (rc != STORE_OK) goto fail;
        if (n == 0) {
            step = TX_TAKEN;
            goto rollback;
        }
        b.nstaff = n;
        if (tx_need_recheck(t, c, b.staff, b.nstaff)) {
            step = TX_RECHECK;
            goto rollback;
        }
    } else if (x->has_staff) {
        for (size_t k = 0; k < x->nstaff; k++)
            b.staff[k] = x->staff[k];
        b.nstaff = (int)x->nstaff;
    }
    b.start = t->at;
    b.end = t->at + t->len;
    /* Force skips the availability re-check, never the double booking. */
    if (x->force && (rc = double_booked(t, c, &b)) != STORE_OK) goto fail;
    if (b.start == old.start && same_crew(&b, &old)) {
        store_rollback(c);
        step = edit_answer(x, c, &b, o);
        goto clean;
    }
    change = json_pack("{s:s, s:o, s:o, s:b}", "action",
                       b.start != old.start
                           ? (same_crew(&b, &old) ? "rescheduled" : "rescheduled_reassigned")
                           : "reassigned",
                       "from", booking_view_state(t->s, &old), "to", booking_view_state(t->s, &b),
                       "force", x->force);
    if ((rc = edit_write(x, c, &b, &old, change)) != STORE_OK) goto fail;
    step = edit_answer(x, c, &b, o);
    goto clean;
fail:
    step = tx_store(rc, o, "booking");
rollback:
    store_rollback(c);
clean:
    outcome_clear(&why);
    json_decref(change);
    store_booking_clear(&b);
    return step;
}

/* The body of a change: the fields ROLE may send, parsed into X. 0, or -1 with O. */
static int change_parse(edit_run *x, const json_t *body, outcome *o)
{
    static const char *const admin_keys[] = {"start", "staff", "force", NULL};
    static const char *const agent_keys[] = {"start", NULL};
    val_error e;
    const json_t *start = json_object_get(body, "start"), *staff = json_object_get(body, "staff");
    const json_t *force = json_object_get(body, "force");
    if (x->role == BOOKING_AGENT && (staff || force))
        return outcome_fail(o, OUT_FORBIDDEN, "forbidden", staff ? "staff" : "force",
                            "only an admin can change the staff or force a change");
    if (val_known_keys(body, "", x->role == BOOKING_ADMIN ? admin_keys : agent_keys, &e) != 0 ||
        (start && val_time(start, "start", &x->start, &e) != 0) ||
        (force && val_bool(force, "force", &x->force, &e) != 0) ||
        (staff && val_id_list(staff, "staff", &x->staff, &x->nstaff, &e) != 0))
        return outcome_invalid(o, &e);
    x->has_start = start != NULL;
    x->has_staff = staff != NULL;
    if (!x->has_start && !x->has_staff)
        return outcome_fail(o, OUT_INVALID, "validation", "start", "give a new start and/or staff");
    if (x->has_staff && (x->nstaff < 1 || x->nstaff > STORE_MAX_CREW))
        return outcome_fail(o, OUT_INVALID, "validation", "staff", "give one or two staff ids");
    return 0;
}

/* Every staff member asked for is in the (possibly renewed) snapshot. */
static int change_prepare(tx *t, outcome *o)
{
    edit_run *x = (edit_run *)t;
    for (size_t k = 0; k < x->nstaff; k++)
        if (snapshot_staff_index(t->s, x->staff[k]) < 0)
            return outcome_fail(o, OUT_INVALID, "validation", "staff",
                                "no staff member has this id");
    return 0;
}

/* Runs edit X (its steps set) for booking ID as ROLE. */
static int edit_run_tx(edit_run *x, app *a, json_t **answer, outcome *o)
{
    store_conn *c = NULL;
    int rc = -1;
    if (tx_begin(&x->t, a, 0, o) == 0 && (c = app_conn(a, o)) && tx_run(&x->t, c, o) == 0 &&
        x->answer) {
        *answer = x->answer;
        x->answer = NULL;
        rc = 0;
    }
    json_decref(x->answer);
    store_release(c);
    tx_end(&x->t);
    return rc;
}

int booking_change(app *a, int64_t id, booking_role role, const json_t *body, json_t **answer,
                   outcome *o)
{
    edit_run x;
    memset(&x, 0, sizeof x);
    x.id = id;
    x.role = role;
    x.t.exclude = id;
    x.t.taken_message = "the booking cannot move there; reasons says who is not free and why";
    x.t.busy_message = "the change could not be saved; try again";
    x.t.prepare = change_prepare;
    x.t.attempt = change_attempt;
    int rc = change_parse(&x, body, o);
    x.t.forced = x.force; /* force skips the shoot windows like every availability rule */
    if (rc == 0) rc = edit_run_tx(&x, a, answer, o);
    free(x.staff);
    return rc;
}

static tx_step cancel_attempt(tx *t, store_conn *c, outcome *o)
{
    edit_run *x = (edit_run *)t;
    store_booking b;
    tx_step step = TX_DONE;
    int rc = store_begin(c, STORE_WRITE);
    memset(&b, 0, sizeof b);
    if (rc != STORE_OK) return tx_store(rc, o, "booking");
    if ((rc = store_booking_get(c, x->id, &b)) != STORE_OK) goto fail;
    if (strcmp(b.status, "cancelled") == 0) {
        store_rollback(c);
        step = edit_answer(x, c, &b, o);
        goto clean;
    }
    if (edit_too_late(x, &b, o)) goto rollback;
    snprintf(b.status, sizeof b.status, "cancelled");
    json_t *change =
        json_pack("{s:s, s:o}", "action", "cancelled", "from", booking_view_state(t->s, &b));
    rc = edit_write(x, c, &b, NULL, change);
    json_decref(change);
    if (rc != STORE_OK) goto fail;
    step = edit_answer(x, c, &b, o);
    goto clean;
fail:
    step = tx_store(rc, o, "booking");
    if (step == TX_TAKEN) step = TX_RETRY; /* a cancel takes no slot: a conflict is contention */
rollback:
    store_rollback(c);
clean:
    store_booking_clear(&b);
    return step;
}

int booking_cancel(app *a, int64_t id, booking_role role, json_t **answer, outcome *o)
{
    edit_run x;
    memset(&x, 0, sizeof x);
    x.id = id;
    x.role = role;
    x.t.busy_message = "the cancellation could not be saved; try again";
    x.t.attempt = cancel_attempt;
    return edit_run_tx(&x, a, answer, o);
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
