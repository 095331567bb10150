/* booking_change.c — changing a booking (reschedule, reassign, force) and
 * cancelling it, each in one write transaction that re-reads the booking and
 * busy time (booking.h; the loop is booking_tx.c's). */
#include "app/booking.h"

#include <stdlib.h>
#include <string.h>

#include "app/avail_request.h"
#include "app/booking_tx.h"
#include "app/booking_view.h"
#include "app/validate.h"
#include "cal/outbox.h"

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
        if (!snapshot_has_id(b->staff, (size_t)b->nstaff, a->staff[k])) return 0;
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
    if ((rc = booking_view_history_add(c, b->id, x->t.now, tx_role_name(x->role), change)) !=
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
        if (tx_need_recheck(t, b.staff, b.nstaff)) {
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
    if (x->force && (rc = tx_double_booked(t, c, &b)) != STORE_OK) goto fail;
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
    return tx_staff_known(t, x->staff, x->nstaff, o);
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
