/* booking_edit.c — rescheduling, reassigning and cancelling a booking, each
 * in one write transaction that re-reads the booking and busy time. */
#include "api/booking_edit.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/avq.h"
#include "api/booking.h"
#include "api/fresh.h"
#include "api/livecheck.h"
#include "api/model.h"
#include "api/settings.h"
#include "api/validate.h"
#include "cal/outbox.h"

/* ED_RECHECK: the new crew's calendars must be read live before committing. */
typedef enum { ED_DONE = 0, ED_STALE, ED_TAKEN, ED_RETRY, ED_RECHECK } ed_outcome;

typedef struct {
    api_req *r;
    model_cache *mc;
    model *m;
    int64_t id;
    booking_role role;
    tp_time now;
    int has_start, has_staff, force;
    tp_time start;
    int64_t *staff; /* requested crew (malloc'ed) */
    size_t nstaff;
    avq a; /* the booking's query, for the check and alternatives */
    int have_query;
    tp_time taken_at, len; /* the checked start and the shoot's length */
    livecheck lc;          /* staff read live in this request, and who was busy */
    int64_t unchecked[STORE_MAX_CREW];
    int nunchecked;
} edit_ctx;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static ed_outcome ed_code(int rc, api_res *res)
{
    if (rc == STORE_RETRY) return ED_RETRY;
    if (rc == STORE_CONFLICT) return ED_TAKEN;
    if (rc == STORE_NOTFOUND)
        api_error(res, 404, "not_found", "no such booking", NULL);
    else
        avq_store_error(res);
    return ED_DONE;
}

/* Answers 200 with booking B. */
static void answer(edit_ctx *x, store_conn *c, const store_booking *b, api_res *res)
{
    json_t *o = booking_json(c, x->m, b, 1);
    if (o)
        api_json(res, 200, o);
    else
        avq_store_error(res);
}

static int too_late(const edit_ctx *x, const store_booking *b, api_res *res)
{
    if (x->role != BOOKING_AGENT || b->start >= x->now + (tp_time)x->m->rules.notice_min * 60)
        return 0;
    api_error(res, 409, "too_late", "this shoot is too close to change online; please call us",
              NULL);
    return 1;
}

static int in_list(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id) return 1;
    return 0;
}

/* Chooses the new crew at START on fresh data (booking B excluded). Returns
 * 1 when a crew was found (written into B), 0 when not, -1 on store error. */
static int recheck(edit_ctx *x, store_conn *c, store_booking *b, tp_time start, tp_time len)
{
    const model *m = x->m;
    fresh_view v;
    tp_time from, to;
    int found = 0;
    fresh_window(m, start, start + len, &from, &to);
    if (fresh_load(c, m, from, to, b->id, &v) != STORE_OK) return -1;
    uint32_t *free_idx = malloc((m->nstaff ? m->nstaff : 1) * sizeof *free_idx);
    avail_stat *stats = malloc((m->nstaff ? m->nstaff : 1) * sizeof *stats);
    if (!free_idx || !stats) {
        found = -1;
        goto out;
    }
    avail_query q = x->a.q;
    q.staff = v.staff;
    size_t nfree = avail_free_at(&q, start, free_idx, m->nstaff);
    if (nfree > m->nstaff) nfree = m->nstaff;
    nfree = livecheck_filter(&x->lc, m, free_idx, nfree);
    const int64_t *want = x->has_staff ? x->staff : b->staff;
    size_t nwant = x->has_staff ? x->nstaff : (size_t)b->nstaff;
    int all = nwant > 0;
    for (size_t k = 0; k < nwant; k++) {
        long idx = model_staff_index(m, want[k]);
        int is_free = 0;
        for (size_t i = 0; idx >= 0 && i < nfree; i++)
            is_free |= free_idx[i] == (uint32_t)idx;
        all &= is_free;
    }
    if (all) {
        found = 1;
    } else if (!x->has_staff) {
        /* The current crew is not free then: re-assign by policy. */
        uint32_t chosen[2];
        int crew = b->nstaff > 0 ? b->nstaff : 1;
        fresh_stats(&v, start, stats);
        int n = avail_assign(&q, free_idx, nfree, stats, crew, chosen);
        if (n == crew) {
            for (int k = 0; k < n; k++)
                b->staff[k] = m->staff[chosen[k]].id;
            b->nstaff = n;
            found = 1;
        }
        goto out;
    }
    if (found && x->has_staff) {
        for (size_t k = 0; k < x->nstaff; k++)
            b->staff[k] = x->staff[k];
        b->nstaff = (int)x->nstaff;
    }
out:
    free(free_idx);
    free(stats);
    fresh_free(&v);
    return found;
}

typedef struct {
    const store_booking *b;
    int clash;
} clash_walk;

static int clash_row(void *ctx, const store_booking *o)
{
    clash_walk *w = ctx;
    const store_booking *b = w->b;
    if (o->id != b->id && o->end > b->start - (tp_time)b->buffer_min * 60 &&
        o->start - (tp_time)o->buffer_min * 60 < b->end)
        w->clash = 1;
    return 0;
}

/* Whether B as it would be written double-books one of its staff: another
 * confirmed booking of theirs whose [start − buffer, end) overlaps B's (the
 * rule PostgreSQL's exclusion constraint enforces; checked here for every
 * engine). Sets *CLASH and returns the store's code. */
static int double_booked(store_conn *c, const store_booking *b, int *clash)
{
    clash_walk w = {b, 0};
    int rc = STORE_OK;
    for (int k = 0; k < b->nstaff && rc == STORE_OK && !w.clash; k++) {
        store_booking_filter f = {b->start - (tp_time)b->buffer_min * 60,
                                  b->end + (tp_time)SETTINGS_MAX_BUFFER_MIN * 60, b->staff[k],
                                  "confirmed", 1};
        rc = store_booking_list(c, &f, clash_row, &w);
    }
    *clash = w.clash;
    return rc;
}

static json_t *state_json(const model *m, const store_booking *b)
{
    char s[32], e[32];
    return json_pack("{s:s, s:s, s:o}", "start", avq_time(m, b->start, s, sizeof s), "end",
                     avq_time(m, b->end, e, sizeof e), "staff",
                     booking_staff_json(m, b->staff, b->nstaff));
}

static int same_crew(const store_booking *a, const store_booking *b)
{
    if (a->nstaff != b->nstaff) return 0;
    for (int k = 0; k < a->nstaff; k++)
        if (!in_list(b->staff, (size_t)b->nstaff, a->staff[k])) return 0;
    return 1;
}

static ed_outcome patch_tx(edit_ctx *x, store_conn *c, api_res *res)
{
    store_booking b, old;
    int64_t gen = 0;
    json_t *change = NULL;
    ed_outcome out = ED_DONE;
    int rc = store_begin(c, 1);
    memset(&b, 0, sizeof b);
    memset(&old, 0, sizeof old);
    if (rc != STORE_OK) return ed_code(rc, res);
    if ((rc = store_config_generation(c, &gen)) != STORE_OK ||
        (rc = store_booking_get(c, x->id, &b)) != STORE_OK)
        goto fail;
    if (strcmp(b.status, "cancelled") == 0) {
        api_error(res, 409, "cancelled", "this booking is cancelled; make a new one", NULL);
        goto done;
    }
    if (too_late(x, &b, res)) goto done;
    old = b;
    old.body = old.cal_error = NULL;
    tp_time len = b.end - b.start, start = x->has_start ? x->start : b.start;
    api_res why = {0};
    avq_init(&x->a, x->m, x->now);
    x->have_query = booking_query_of(&x->a, &b, &why) == 0;
    x->taken_at = start;
    x->len = len;
    if (!x->force) {
        if (!model_config_fresh(x->m, gen)) {
            json_decref(why.json);
            out = ED_STALE;
            goto done;
        }
        if (!x->have_query) {
            *res = why;
            goto done;
        }
        x->a.q.from = start;
        x->a.q.to = start + 1;
        int found = recheck(x, c, &b, start, len);
        if (found < 0) {
            rc = STORE_ERROR;
            goto fail;
        }
        if (!found) {
            out = ED_TAKEN;
            goto done;
        }
        x->nunchecked = 0;
        for (int k = 0; k < b.nstaff; k++)
            if (livecheck_needed(&x->lc, c, x->m, b.staff[k]))
                x->unchecked[x->nunchecked++] = b.staff[k];
        if (x->nunchecked) {
            json_decref(why.json);
            out = ED_RECHECK;
            goto done;
        }
    } else if (x->has_staff) {
        for (size_t k = 0; k < x->nstaff; k++)
            b.staff[k] = x->staff[k];
        b.nstaff = (int)x->nstaff;
    }
    json_decref(why.json);
    b.start = start;
    b.end = start + len;
    if (x->force) {
        /* Force skips the availability re-check, never the double booking. */
        int clash;
        if ((rc = double_booked(c, &b, &clash)) != STORE_OK) goto fail;
        if (clash) {
            out = ED_TAKEN;
            goto done;
        }
    }
    if (b.start == old.start && same_crew(&b, &old)) {
        store_rollback(c);
        answer(x, c, &b, res);
        store_booking_clear(&b);
        return ED_DONE;
    }
    b.sequence++;
    b.updated = x->now;
    snprintf(b.cal_state, sizeof b.cal_state, "pending");
    if ((rc = store_booking_update(c, &b)) != STORE_OK) goto fail;
    change = json_pack(
        "{s:s, s:o, s:o, s:b}", "action",
        b.start != old.start ? (same_crew(&b, &old) ? "rescheduled" : "rescheduled_reassigned")
                             : "reassigned",
        "from", state_json(x->m, &old), "to", state_json(x->m, &b), "force", x->force);
    if (!change || (rc = booking_history_add(c, b.id, x->now, x->role, change)) != STORE_OK)
        goto fail;
    if ((rc = outbox_booking_changed(c, &old, &b, NULL, x->now)) != STORE_OK) goto fail;
    if ((rc = store_commit(c)) != STORE_OK) goto fail;
    model_cache_touch(x->mc);
    answer(x, c, &b, res);
    goto clean;
fail:
    out = ed_code(rc, res);
done:
    store_rollback(c);
clean:
    json_decref(change);
    store_booking_clear(&b);
    return out;
}

/* Body checks and the requested crew (against snapshot M). 0 or -1 with RES. */
static int parse_patch(edit_ctx *x, const json_t *body, api_res *res)
{
    static const char *const admin_keys[] = {"start", "staff", "force", NULL};
    static const char *const agent_keys[] = {"start", NULL};
    val_error e;
    const json_t *start = json_object_get(body, "start"), *staff = json_object_get(body, "staff");
    const json_t *force = json_object_get(body, "force");
    if (x->role == BOOKING_AGENT && (staff || force)) {
        api_error(res, 403, "forbidden", "only an admin can change the staff or force a change",
                  staff ? "staff" : "force");
        return -1;
    }
    if (val_known_keys(body, "", x->role == BOOKING_ADMIN ? admin_keys : agent_keys, &e) != 0 ||
        (start && val_time(start, "start", &x->start, &e) != 0) ||
        (force && val_bool(force, "force", &x->force, &e) != 0) ||
        (staff && val_id_list(staff, "staff", &x->staff, &x->nstaff, &e) != 0)) {
        val_respond(res, &e);
        return -1;
    }
    x->has_start = start != NULL;
    x->has_staff = staff != NULL;
    if (!x->has_start && !x->has_staff) {
        api_error(res, 422, "validation", "give a new start and/or staff", "start");
        return -1;
    }
    if (x->has_staff && (x->nstaff < 1 || x->nstaff > STORE_MAX_CREW)) {
        api_error(res, 422, "validation", "give one or two staff ids", "staff");
        return -1;
    }
    return 0;
}

static int staff_known(edit_ctx *x, api_res *res)
{
    for (size_t k = 0; k < x->nstaff; k++)
        if (model_staff_index(x->m, x->staff[k]) < 0) {
            api_error(res, 422, "validation", "no staff member has this id", "staff");
            return -1;
        }
    return 0;
}

void booking_edit_patch(api_req *r, api_res *res)
{
    edit_ctx x;
    memset(&x, 0, sizeof x);
    x.r = r;
    x.now = api_now(r->srv);
    json_t *body = NULL;
    store_conn *c = store_acquire(api_server_config(r->srv)->db);
    if (!c) {
        avq_store_error(res);
        return;
    }
    if (booking_caller(r, res, c, &x.id, &x.role) != 0 || !(body = api_body_object(r, res)) ||
        parse_patch(&x, body, res) != 0)
        goto out;
    if (!(x.mc = model_cache_of(r->srv)) || !(x.m = model_cache_get(x.mc, x.now))) {
        avq_store_error(res);
        goto out;
    }
    for (int attempt = 0;;) {
        if (staff_known(&x, res) != 0) goto out;
        if (attempt == BOOKING_TX_TRIES) {
            api_error(res, 503, "busy", "the change could not be saved; try again", NULL);
            goto out;
        }
        ed_outcome o = patch_tx(&x, c, res);
        if (o == ED_DONE) goto out;
        if (o == ED_RECHECK) {
            /* Outside the transaction: a slow calendar never holds the write lock. */
            tp_time b = (tp_time)x.m->rules.buffer_min * 60;
            for (int k = 0; k < x.nunchecked; k++)
                livecheck_run(&x.lc, r->srv, x.m, x.unchecked[k], x.taken_at - b,
                              x.taken_at + x.len + b);
            continue;
        }
        if (o == ED_TAKEN) {
            if (x.have_query)
                booking_conflict(res, c, &x.a, x.taken_at, x.id,
                                 "the booking cannot move there: the staff are not free");
            else
                api_error(res, 409, "slot_unavailable", "the staff are not free then", "start");
            goto out;
        }
        if (o == ED_STALE) {
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
    free(x.staff);
    json_decref(body);
    model_release(x.m);
    store_release(c);
}

static ed_outcome cancel_tx(edit_ctx *x, store_conn *c, api_res *res)
{
    store_booking b;
    json_t *change = NULL;
    ed_outcome out = ED_DONE;
    int rc = store_begin(c, 1);
    memset(&b, 0, sizeof b);
    if (rc != STORE_OK) return ed_code(rc, res);
    if ((rc = store_booking_get(c, x->id, &b)) != STORE_OK) goto fail;
    if (strcmp(b.status, "cancelled") == 0) {
        store_rollback(c);
        answer(x, c, &b, res);
        goto clean;
    }
    if (too_late(x, &b, res)) goto done;
    snprintf(b.status, sizeof b.status, "cancelled");
    b.sequence++;
    b.updated = x->now;
    snprintf(b.cal_state, sizeof b.cal_state, "pending");
    if ((rc = store_booking_update(c, &b)) != STORE_OK) goto fail;
    change = json_pack("{s:s, s:o}", "action", "cancelled", "from", state_json(x->m, &b));
    if (!change || (rc = booking_history_add(c, b.id, x->now, x->role, change)) != STORE_OK)
        goto fail;
    if ((rc = outbox_booking_changed(c, NULL, &b, NULL, x->now)) != STORE_OK) goto fail;
    if ((rc = store_commit(c)) != STORE_OK) goto fail;
    model_cache_touch(x->mc);
    answer(x, c, &b, res);
    goto clean;
fail:
    out = ed_code(rc, res);
done:
    store_rollback(c);
clean:
    json_decref(change);
    store_booking_clear(&b);
    return out;
}

void booking_edit_delete(api_req *r, api_res *res)
{
    edit_ctx x;
    memset(&x, 0, sizeof x);
    x.r = r;
    x.now = api_now(r->srv);
    store_conn *c = store_acquire(api_server_config(r->srv)->db);
    if (!c) {
        avq_store_error(res);
        return;
    }
    if (booking_caller(r, res, c, &x.id, &x.role) != 0) goto out;
    if (!(x.mc = model_cache_of(r->srv)) || !(x.m = model_cache_get(x.mc, x.now))) {
        avq_store_error(res);
        goto out;
    }
    for (int attempt = 0; attempt < BOOKING_TX_TRIES; attempt++) {
        ed_outcome o = cancel_tx(&x, c, res);
        if (o != ED_RETRY) goto out;
        sleep_ms(5L * (attempt + 1));
    }
    api_error(res, 503, "busy", "the cancellation could not be saved; try again", NULL);
out:
    model_release(x.m);
    store_release(c);
}
