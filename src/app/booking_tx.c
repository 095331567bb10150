/* booking_tx.c — the booking transactions' shared machinery (booking_tx.h):
 * the retry loop, refusals with reasons and alternatives, the crew pick on
 * fresh busy time, the live re-check, and the double-booking check. */
#include "app/booking_tx.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/avail_request.h"
#include "app/busy_fresh.h"
#include "app/reasons.h"
#include "app/recheck.h"
#include "app/settings.h"
#include "app/window_answer.h"

#define ALT_DAYS_BEFORE 2 /* alternatives are looked for this many days before the start */
#define ALT_DAYS_AFTER 3  /* … and after it */

/* ---- the transaction loop ---- */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The step for store code RC (not STORE_OK) of an attempt; O for real failures. */
tx_step tx_store(int rc, outcome *o, const char *noun)
{
    if (rc == STORE_RETRY) return TX_RETRY;
    if (rc == STORE_CONFLICT) return TX_TAKEN;
    outcome_store(o, rc, noun);
    return TX_DONE;
}

int tx_staff_known(const tx *t, const int64_t *ids, size_t n, outcome *o)
{
    for (size_t k = 0; k < n; k++)
        if (snapshot_staff_index(t->s, ids[k]) < 0)
            return outcome_fail(o, OUT_INVALID, "validation", "staff",
                                "no staff member has this id");
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
int tx_run(tx *t, store_conn *c, outcome *o)
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
 * a calendar that can be read live (CalDAV, Google, Microsoft 365), not
 * read yet in this run. Returns how many (in T). */
int tx_need_recheck(tx *t, const int64_t *crew, int n)
{
    t->nunchecked = 0;
    for (int k = 0; k < n; k++)
        if (recheck_needed(&t->live, t->s, crew[k])) t->unchecked[t->nunchecked++] = crew[k];
    return t->nunchecked;
}

/* Picks the crew for T's query at T->at on the store's current data (booking
 * EXCLUDE's own time ignored, staff found busy live left out): WANT[0..nwant)
 * when they are all free, else (only when REASSIGN) CREW people by the
 * assignment policy. Writes them into OUT and returns how many (0: nobody
 * free, and T->reasons says why, on the same data) with *RC = STORE_OK, or
 * 0 with *RC the store's error. */
int tx_pick_crew(tx *t, store_conn *c, int64_t exclude, const int64_t *want, size_t nwant,
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
int tx_begin(tx *t, app *a, int peek, outcome *o)
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

void tx_end(tx *t)
{
    snapshot_release(t->s);
    t->s = NULL;
    json_decref(t->reasons);
    t->reasons = NULL;
}

void tx_token_hash(const char *token, uint8_t hash[32])
{
    crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
}

const char *tx_role_name(booking_role role)
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
int tx_double_booked(tx *t, store_conn *c, const store_booking *b)
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
