/* store_cal.c — busy time synced from calendars, per-calendar sync state and
 * the durable outbox, in the portable SQL of store.c. */
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

/* ---- busy time ---- */

static const char busy_insert[] =
    "INSERT INTO busy(calendar_id, start_at, end_at, uid, summary, href, etag) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";

int store_busy_replace(store_conn *c, int64_t calendar, const store_busy *ev, size_t n)
{
    static const char del[] = "DELETE FROM busy WHERE calendar_id = ?";
    int own, rc = store__wbegin(c, DIRTY_CONFIG, &own);
    if (rc) return rc;
    db_val pd[] = {DBI(calendar)};
    rc = EXEC(c, del, pd, NULL, NULL, NULL);
    for (size_t i = 0; rc == STORE_OK && i < n; i++) {
        db_val p[] = {DBI(calendar),      DBI(ev[i].start), DBI(ev[i].end), DBT(ev[i].uid),
                      DBT(ev[i].summary), DBT(ev[i].href),  DBT(ev[i].etag)};
        rc = EXEC(c, busy_insert, p, NULL, NULL, NULL);
    }
    return store__wend(c, own, rc);
}

/* Deletes the rows of (CALENDAR, HREF) inside the caller's transaction. */
static int busy_delete_href(store_conn *c, int64_t calendar, const char *href, int64_t *removed)
{
    static const char del[] = "DELETE FROM busy WHERE calendar_id = ? AND href = ?";
    int64_t n = 0;
    db_val p[] = {DBI(calendar), DBT(href)};
    int rc = EXEC(c, del, p, NULL, NULL, &n);
    if (removed) *removed = n;
    return rc;
}

int store_busy_put_resource(store_conn *c, int64_t calendar, const char *href, const char *etag,
                            const store_busy *ev, size_t n, int64_t *removed)
{
    if (removed) *removed = 0;
    if (!href) return STORE_ERROR;
    int own, rc = store__wbegin(c, DIRTY_CONFIG, &own);
    if (rc) return rc;
    rc = busy_delete_href(c, calendar, href, removed);
    for (size_t i = 0; rc == STORE_OK && i < n; i++) {
        db_val p[] = {DBI(calendar),      DBI(ev[i].start), DBI(ev[i].end), DBT(ev[i].uid),
                      DBT(ev[i].summary), DBT(href),        DBT(etag)};
        rc = EXEC(c, busy_insert, p, NULL, NULL, NULL);
    }
    return store__wend(c, own, rc);
}

int store_busy_delete_resource(store_conn *c, int64_t calendar, const char *href, int64_t *removed)
{
    return store_busy_put_resource(c, calendar, href, NULL, NULL, 0, removed);
}

struct href_walk {
    store_href_cb cb;
    void *ctx;
};

static int row_href(void *ctx, const db_row_ops *ops, const db_row *row)
{
    struct href_walk *w = ctx;
    return w->cb(w->ctx, COL_TEXT(0), COL_TEXT(1));
}

int store_busy_hrefs(store_conn *c, int64_t calendar, store_href_cb cb, void *ctx)
{
    static const char sql[] = "SELECT href, MAX(etag) FROM busy "
                              "WHERE calendar_id = ? AND href IS NOT NULL "
                              "GROUP BY href ORDER BY href";
    struct href_walk w = {cb, ctx};
    db_val p[] = {DBI(calendar)};
    return EXEC(c, sql, p, row_href, &w, NULL);
}

struct busy_walk {
    store_busy_cb cb;
    void *ctx;
};

static int row_busy(void *ctx, const db_row_ops *ops, const db_row *row)
{
    struct busy_walk *w = ctx;
    store_busy ev = {COL_INT(1), COL_INT(2), COL_TEXT(3), COL_TEXT(4), COL_TEXT(5), COL_TEXT(6)};
    return w->cb(w->ctx, COL_INT(0), &ev);
}

int store_busy_list(store_conn *c, int64_t calendar, tp_time from, tp_time to, store_busy_cb cb,
                    void *ctx)
{
    static const char all[] = "SELECT calendar_id, start_at, end_at, uid, summary, href, etag "
                              "FROM busy WHERE end_at > ? AND +start_at < ? "
                              "ORDER BY calendar_id, start_at, end_at";
    static const char one[] = "SELECT calendar_id, start_at, end_at, uid, summary, href, etag "
                              "FROM busy WHERE calendar_id = ? AND end_at > ? AND +start_at < ? "
                              "ORDER BY start_at, end_at";
    struct busy_walk w = {cb, ctx};
    if (calendar) {
        db_val p[] = {DBI(calendar), DBI(from), DBI(to)};
        return EXEC(c, one, p, row_busy, &w, NULL);
    }
    db_val p[] = {DBI(from), DBI(to)};
    return EXEC(c, all, p, row_busy, &w, NULL);
}

/* ---- calendar sync state ---- */

void store_calstate_clear(store_calstate *s)
{
    if (!s) return;
    free(s->last_error);
    free(s->ctag);
    free(s->sync_token);
    free(s->etag);
    memset(s, 0, sizeof *s);
}

static int row_calstate(void *ctx, const db_row_ops *ops, const db_row *row)
{
    store_calstate *s = ctx;
    s->last_attempt = COL_INT(0);
    s->last_sync = COL_INT(1);
    s->last_error = store__dup(COL_TEXT(2));
    s->ctag = store__dup(COL_TEXT(3));
    s->sync_token = store__dup(COL_TEXT(4));
    s->etag = store__dup(COL_TEXT(5));
    s->events = COL_INT(6);
    s->last_full = COL_INT(7);
    if ((COL_TEXT(2) && !s->last_error) || (COL_TEXT(3) && !s->ctag) ||
        (COL_TEXT(4) && !s->sync_token) || (COL_TEXT(5) && !s->etag))
        return 100;
    return 0;
}

int store_calstate_get(store_conn *c, int64_t calendar, store_calstate *out)
{
    static const char sql[] = "SELECT last_attempt, last_sync, last_error, ctag, sync_token, "
                              "etag, events, last_full FROM calstate WHERE calendar_id = ?";
    memset(out, 0, sizeof *out);
    db_val p[] = {DBI(calendar)};
    int rc = EXEC(c, sql, p, row_calstate, out, NULL);
    if (rc != STORE_OK) {
        store_calstate_clear(out);
        return rc == 100 ? STORE_ERROR : rc;
    }
    return STORE_OK;
}

int store_calstate_put(store_conn *c, int64_t calendar, const store_calstate *s)
{
    static const char sql[] =
        "INSERT INTO calstate(calendar_id, last_attempt, last_sync, last_error, ctag, sync_token, "
        "etag, events, last_full) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (calendar_id) DO UPDATE SET "
        "last_attempt = excluded.last_attempt, last_sync = excluded.last_sync, "
        "last_error = excluded.last_error, ctag = excluded.ctag, "
        "sync_token = excluded.sync_token, etag = excluded.etag, events = excluded.events, "
        "last_full = excluded.last_full";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBI(calendar),      DBI(s->last_attempt), DBI(s->last_sync),
                  DBT(s->last_error), DBT(s->ctag),         DBT(s->sync_token),
                  DBT(s->etag),       DBI(s->events),       DBI(s->last_full)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return store__wend(c, own, rc);
}

int store_calstate_claim(store_conn *c, int64_t calendar, tp_time now, int lease_s)
{
    static const char row[] = "INSERT INTO calstate(calendar_id) VALUES (?) "
                              "ON CONFLICT (calendar_id) DO NOTHING";
    static const char claim[] = "UPDATE calstate SET lease_until = ? "
                                "WHERE calendar_id = ? AND lease_until <= ?";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    static const char exists[] = "SELECT COUNT(*) FROM calendars WHERE id = ?";
    int64_t changes = 0, found = 0;
    db_val pr[] = {DBI(calendar)};
    db_val pc[] = {DBI(now + lease_s), DBI(calendar), DBI(now)};
    rc = EXEC(c, exists, pr, store__row_first_int, &found, NULL);
    if (rc == STORE_OK && !found) rc = STORE_NOTFOUND;
    if (rc == STORE_OK) rc = EXEC(c, row, pr, NULL, NULL, NULL);
    if (rc == STORE_OK) rc = EXEC(c, claim, pc, NULL, NULL, &changes);
    if (rc == STORE_OK && changes != 1) rc = STORE_CONFLICT;
    return store__wend(c, own, rc);
}

int store_calstate_release(store_conn *c, int64_t calendar)
{
    static const char sql[] = "UPDATE calstate SET lease_until = 0 WHERE calendar_id = ?";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBI(calendar)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return store__wend(c, own, rc);
}

/* ---- outbox ---- */

void store_outbox_clear(store_outbox_item *it)
{
    if (!it) return;
    free(it->payload);
    free(it->last_error);
    memset(it, 0, sizeof *it);
}

int store_outbox_add(store_conn *c, int64_t booking, const char *kind, const char *lane,
                     const char *payload, tp_time now)
{
    /* Behind an undelivered item of its lane the new item waits (blocked)
     * until store_outbox_done() hands the lane on to it. */
    static const char sql[] =
        "INSERT INTO outbox(booking_id, kind, lane, payload, state, attempts, next_at, "
        "lease_until, created_at, blocked) VALUES (?, ?, ?, ?, 'pending', 0, ?, 0, ?, "
        "CASE WHEN EXISTS (SELECT 1 FROM outbox p WHERE p.booking_id = ? AND p.lane = ? "
        "AND p.state = 'pending') THEN 1 ELSE 0 END)";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBI(booking), DBT(kind), DBT(lane),    DBT(payload),
                  DBI(now),     DBI(now),  DBI(booking), DBT(lane)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return store__wend(c, own, rc);
}

static int row_outbox(void *ctx, const db_row_ops *ops, const db_row *row)
{
    store_outbox_item *it = ctx;
    store_outbox_clear(it);
    it->id = COL_INT(0);
    it->booking = COL_INT(1);
    store__copy_str(it->kind, sizeof it->kind, COL_TEXT(2));
    it->payload = store__dup(COL_TEXT(3));
    it->attempts = (int)COL_INT(4);
    it->next_at = COL_INT(5);
    it->last_error = store__dup(COL_TEXT(6));
    return it->payload ? 0 : 100;
}

int store_outbox_claim(store_conn *c, const char *kind, tp_time now, int lease_s,
                       store_outbox_item *out)
{
    /* Only the head of each lane is unblocked, so the partial index
     * outbox_ready holds just the candidates, by kind in the order asked for. */
#define PICK(kind_cond)                                                                            \
    "SELECT id, booking_id, kind, payload, attempts, next_at, last_error FROM outbox "             \
    "WHERE state = 'pending' AND blocked = 0" kind_cond " AND next_at <= ? "                       \
    "AND lease_until <= ? ORDER BY next_at, id LIMIT 1"
    static const char pick_kind[] = PICK(" AND kind = ?"), pick_any[] = PICK("");
#undef PICK
    static const char lease[] =
        "UPDATE outbox SET lease_until = ? WHERE id = ? AND state = 'pending' "
        "AND lease_until <= ?";
    memset(out, 0, sizeof *out);
    for (int tries = 0; tries < 8; tries++) {
        db_val pp[] = {DBT(kind), DBI(now), DBI(now)};
        int rc = kind ? EXEC(c, pick_kind, pp, row_outbox, out, NULL)
                      : c->drv->exec(c, pick_any, pp + 1, 2, row_outbox, out, NULL);
        if (rc != STORE_OK) {
            store_outbox_clear(out);
            return rc == 100 ? STORE_ERROR : rc;
        }
        if (out->id == 0) return STORE_NOTFOUND;
        int64_t changes = 0;
        db_val pl[] = {DBI(now + lease_s), DBI(out->id), DBI(now)};
        rc = EXEC(c, lease, pl, NULL, NULL, &changes);
        if (rc != STORE_OK) {
            store_outbox_clear(out);
            return rc;
        }
        if (changes == 1) return STORE_OK;
        store_outbox_clear(out); /* another instance leased it first */
    }
    return STORE_NOTFOUND;
}

typedef struct {
    int64_t booking;
    char lane[320];
} outbox_lane;

static int row_lane(void *ctx, const db_row_ops *ops, const db_row *row)
{
    outbox_lane *l = ctx;
    l->booking = COL_INT(0);
    store__copy_str(l->lane, sizeof l->lane, COL_TEXT(1));
    return 0;
}

int store_outbox_done(store_conn *c, int64_t id)
{
    static const char find[] = "SELECT booking_id, lane FROM outbox WHERE id = ?";
    /* The booking's row lock orders this against a concurrent change of the
     * booking adding items (PostgreSQL): each sees the other's rows. */
    static const char lock[] = "UPDATE bookings SET sequence = sequence WHERE id = ?";
    static const char done[] =
        "UPDATE outbox SET state = 'done', lease_until = 0, last_error = NULL, payload = '{}' "
        "WHERE id = ? AND state = 'pending'";
    static const char next[] =
        "UPDATE outbox SET blocked = 0 WHERE id = (SELECT MIN(id) FROM outbox "
        "WHERE booking_id = ? AND lane = ? AND state = 'pending' AND blocked = 1)";
    static const char settle[] =
        "UPDATE bookings SET cal_state = 'synced', cal_error = NULL WHERE id = ? "
        "AND NOT EXISTS (SELECT 1 FROM outbox WHERE booking_id = ? AND state = 'pending')";
    /* A lane that failed has recovered: "failing" stays only while an item
     * left has failed too. */
    static const char unfail[] =
        "UPDATE bookings SET cal_state = 'pending', cal_error = NULL WHERE id = ? "
        "AND cal_state = 'failing' AND NOT EXISTS (SELECT 1 FROM outbox WHERE booking_id = ? "
        "AND state = 'pending' AND last_error IS NOT NULL)";
    outbox_lane l = {0, ""};
    db_val pi[] = {DBI(id)};
    int rc = EXEC(c, find, pi, row_lane, &l, NULL);
    if (rc == STORE_OK && !l.booking) rc = STORE_NOTFOUND;
    db_val pb[] = {DBI(l.booking)}, pn[] = {DBI(l.booking), DBT(l.lane)},
           ps[] = {DBI(l.booking), DBI(l.booking)};
    if (rc == STORE_OK) rc = EXEC(c, lock, pb, NULL, NULL, NULL);
    if (rc == STORE_OK) rc = store__exec_one_change(c, done, pi, 1);
    if (rc == STORE_OK) rc = EXEC(c, next, pn, NULL, NULL, NULL);
    if (rc == STORE_OK) rc = EXEC(c, settle, ps, NULL, NULL, NULL);
    if (rc == STORE_OK) rc = EXEC(c, unfail, ps, NULL, NULL, NULL);
    return rc;
}

int store_outbox_fail(store_conn *c, int64_t id, const char *error, tp_time next_at)
{
    static const char sql[] = "UPDATE outbox SET attempts = attempts + 1, last_error = ?, "
                              "next_at = ?, lease_until = 0 WHERE id = ?";
    db_val p[] = {DBT(error), DBI(next_at), DBI(id)};
    return store__exec_one_change(c, sql, p, 3);
}

int store_outbox_release(store_conn *c, int64_t id)
{
    static const char sql[] =
        "UPDATE outbox SET lease_until = 0 WHERE id = ? AND state = 'pending'";
    db_val p[] = {DBI(id)};
    return store__exec_one_change(c, sql, p, 1);
}

int store_outbox_pending(store_conn *c, int64_t *count)
{
    static const char sql[] = "SELECT COUNT(*) FROM outbox WHERE state = 'pending'";
    *count = 0;
    return c->drv->exec(c, sql, NULL, 0, store__row_first_int, count, NULL);
}
