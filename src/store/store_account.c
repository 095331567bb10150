/* store_account.c — calendar provider accounts and their sealed OAuth 2.0
 * grants, the single-use OAuth states, staff connect links and the ids
 * providers gave bookings' events, in the portable SQL of store.c. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "store/db.h"

/* ---- accounts ---- */

void store_account_clear(store_account *a)
{
    if (!a) return;
    free(a->email);
    free(a->access_sealed);
    free(a->refresh_sealed);
    free(a->error);
    memset(a, 0, sizeof *a);
}

#define ACCOUNT_COLS                                                                               \
    "id, provider, owner, email, access_sealed, refresh_sealed, expires_at, state, error, "        \
    "version, refresh_lease, created_at, updated_at"

/* Fills *A from a row of ACCOUNT_COLS; 100 when memory ran out. */
static int account_from_row(store_account *a, const db_row_ops *ops, const db_row *row)
{
    memset(a, 0, sizeof *a);
    a->id = COL_INT(0);
    store__copy_str(a->provider, sizeof a->provider, COL_TEXT(1));
    store__copy_str(a->owner, sizeof a->owner, COL_TEXT(2));
    a->email = store__dup(COL_TEXT(3) ? COL_TEXT(3) : "");
    a->access_sealed = store__dup(COL_TEXT(4));
    a->refresh_sealed = store__dup(COL_TEXT(5));
    a->expires_at = COL_INT(6);
    store__copy_str(a->state, sizeof a->state, COL_TEXT(7));
    a->error = store__dup(COL_TEXT(8));
    a->version = COL_INT(9);
    a->refresh_lease = COL_INT(10);
    a->created = COL_INT(11);
    a->updated = COL_INT(12);
    if (!a->email || (COL_TEXT(4) && !a->access_sealed) || (COL_TEXT(5) && !a->refresh_sealed) ||
        (COL_TEXT(8) && !a->error)) {
        store_account_clear(a);
        return 100;
    }
    return 0;
}

static int row_account(void *ctx, const db_row_ops *ops, const db_row *row)
{
    return account_from_row(ctx, ops, row);
}

int store_account_upsert(store_conn *c, store_account *a, tp_time now)
{
    static const char sql[] =
        "INSERT INTO accounts(provider, owner, email, access_sealed, refresh_sealed, expires_at, "
        "state, error, version, refresh_lease, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 'ok', NULL, 1, 0, ?, ?) "
        "ON CONFLICT (provider, owner, email) DO UPDATE SET "
        "access_sealed = excluded.access_sealed, "
        "refresh_sealed = COALESCE(excluded.refresh_sealed, accounts.refresh_sealed), "
        "expires_at = excluded.expires_at, state = 'ok', error = NULL, "
        "version = accounts.version + 1, refresh_lease = 0, updated_at = excluded.updated_at "
        "RETURNING id";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBT(a->provider),       DBT(a->owner),      DBT(a->email), DBT(a->access_sealed),
                  DBT(a->refresh_sealed), DBI(a->expires_at), DBI(now),      DBI(now)};
    a->id = 0;
    rc = EXEC(c, sql, p, store__row_first_int, &a->id, NULL);
    if (rc == STORE_OK && !a->id) rc = STORE_ERROR;
    return store__wend(c, own, rc);
}

int store_account_get(store_conn *c, int64_t id, store_account *out)
{
    static const char sql[] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE id = ?";
    db_val p[] = {DBI(id)};
    memset(out, 0, sizeof *out);
    int rc = EXEC(c, sql, p, row_account, out, NULL);
    if (rc == 100) return STORE_ERROR;
    if (rc == STORE_OK && !out->id) rc = STORE_NOTFOUND;
    return rc;
}

struct account_walk {
    store_account_cb cb;
    void *ctx;
};

static int row_account_walk(void *ctx, const db_row_ops *ops, const db_row *row)
{
    struct account_walk *w = ctx;
    store_account a;
    if (account_from_row(&a, ops, row) != 0) return 100;
    int rc = w->cb(w->ctx, &a);
    store_account_clear(&a);
    return rc;
}

int store_account_list(store_conn *c, store_account_cb cb, void *ctx)
{
    static const char sql[] = "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY id";
    struct account_walk w = {cb, ctx};
    int rc = c->drv->exec(c, sql, NULL, 0, row_account_walk, &w, NULL);
    return rc == 100 ? STORE_ERROR : rc;
}

int store_account_delete(store_conn *c, int64_t id)
{
    static const char sql[] = "DELETE FROM accounts WHERE id = ?";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBI(id)};
    rc = store__exec_one_change(c, sql, p, 1);
    return store__wend(c, own, rc);
}

int store_account_claim_refresh(store_conn *c, int64_t id, int64_t version, tp_time now,
                                int lease_s)
{
    static const char sql[] = "UPDATE accounts SET refresh_lease = ? "
                              "WHERE id = ? AND version = ? AND refresh_lease <= ?";
    static const char exists[] = "SELECT COUNT(*) FROM accounts WHERE id = ?";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    int64_t changes = 0, found = 0;
    db_val p[] = {DBI(now + lease_s), DBI(id), DBI(version), DBI(now)};
    db_val pe[] = {DBI(id)};
    rc = EXEC(c, sql, p, NULL, NULL, &changes);
    if (rc == STORE_OK && changes != 1) {
        rc = EXEC(c, exists, pe, store__row_first_int, &found, NULL);
        if (rc == STORE_OK) rc = found ? STORE_CONFLICT : STORE_NOTFOUND;
    }
    return store__wend(c, own, rc);
}

int store_account_set_tokens(store_conn *c, int64_t id, const char *access_sealed,
                             const char *refresh_sealed, tp_time expires_at, tp_time now)
{
    static const char sql[] =
        "UPDATE accounts SET access_sealed = ?, refresh_sealed = COALESCE(?, refresh_sealed), "
        "expires_at = ?, state = 'ok', error = NULL, version = version + 1, refresh_lease = 0, "
        "updated_at = ? WHERE id = ?";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBT(access_sealed), DBT(refresh_sealed), DBI(expires_at), DBI(now), DBI(id)};
    rc = store__exec_one_change(c, sql, p, 5);
    return store__wend(c, own, rc);
}

int store_account_fail(store_conn *c, int64_t id, const char *error, tp_time now)
{
    static const char sql[] = "UPDATE accounts SET state = 'failing', error = ?, "
                              "version = version + 1, refresh_lease = 0, updated_at = ? "
                              "WHERE id = ?";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBT(error), DBI(now), DBI(id)};
    rc = store__exec_one_change(c, sql, p, 3);
    return store__wend(c, own, rc);
}

int store_account_release(store_conn *c, int64_t id)
{
    static const char sql[] = "UPDATE accounts SET refresh_lease = 0 WHERE id = ?";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBI(id)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return store__wend(c, own, rc);
}

/* ---- OAuth states ---- */

void store_oauth_state_clear(store_oauth_state *s)
{
    if (!s) return;
    free(s->verifier_sealed);
    memset(s, 0, sizeof *s);
}

int store_oauth_state_put(store_conn *c, const char *hash_hex, const store_oauth_state *s)
{
    static const char sql[] = "INSERT INTO oauth_states(hash, provider, owner, verifier_sealed, "
                              "link_hash, expires_at) VALUES (?, ?, ?, ?, ?, ?)";
    /* Abandoned requests go as new ones come. */
    static const char purge[] = "DELETE FROM oauth_states WHERE expires_at < ?";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val pp[] = {DBI(s->expires_at - 86400)};
    db_val p[] = {DBT(hash_hex),
                  DBT(s->provider),
                  DBT(s->owner),
                  DBT(s->verifier_sealed),
                  DBT(s->link_hash[0] ? s->link_hash : NULL),
                  DBI(s->expires_at)};
    rc = EXEC(c, purge, pp, NULL, NULL, NULL);
    if (rc == STORE_OK) rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return store__wend(c, own, rc);
}

static int row_state(void *ctx, const db_row_ops *ops, const db_row *row)
{
    store_oauth_state *s = ctx;
    store__copy_str(s->provider, sizeof s->provider, COL_TEXT(0));
    store__copy_str(s->owner, sizeof s->owner, COL_TEXT(1));
    s->verifier_sealed = store__dup(COL_TEXT(2));
    store__copy_str(s->link_hash, sizeof s->link_hash, COL_TEXT(3) ? COL_TEXT(3) : "");
    s->expires_at = COL_INT(4);
    return s->verifier_sealed ? 0 : 100;
}

int store_oauth_state_take(store_conn *c, const char *hash_hex, tp_time now, store_oauth_state *out)
{
    static const char get[] = "SELECT provider, owner, verifier_sealed, link_hash, expires_at "
                              "FROM oauth_states WHERE hash = ?";
    static const char del[] = "DELETE FROM oauth_states WHERE hash = ?";
    memset(out, 0, sizeof *out);
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBT(hash_hex)};
    rc = EXEC(c, get, p, row_state, out, NULL);
    if (rc == 100) rc = STORE_ERROR;
    /* The row goes in the same transaction it was read in: taken once. */
    if (rc == STORE_OK && !out->verifier_sealed) rc = STORE_NOTFOUND;
    if (rc == STORE_OK) rc = store__exec_one_change(c, del, p, 1);
    if (rc == STORE_OK && out->expires_at < now) rc = STORE_NOTFOUND;
    if (rc == STORE_NOTFOUND && out->verifier_sealed) {
        /* expired: deleted all the same */
        rc = store__wend(c, own, STORE_OK);
        store_oauth_state_clear(out);
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    }
    rc = store__wend(c, own, rc);
    if (rc != STORE_OK) store_oauth_state_clear(out);
    return rc;
}

/* ---- staff connect links ---- */

int store_connect_link_put(store_conn *c, const char *hash_hex, int64_t staff, tp_time expires,
                           tp_time now)
{
    static const char sql[] = "INSERT INTO connect_links(hash, staff_id, expires_at, account_id, "
                              "created_at) VALUES (?, ?, ?, NULL, ?)";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBT(hash_hex), DBI(staff), DBI(expires), DBI(now)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return store__wend(c, own, rc);
}

typedef struct {
    int found;
    int64_t staff, account;
    tp_time expires;
} link_row;

static int row_link(void *ctx, const db_row_ops *ops, const db_row *row)
{
    link_row *l = ctx;
    l->found = 1;
    l->staff = COL_INT(0);
    l->expires = COL_INT(1);
    l->account = COL_INT(2);
    return 0;
}

int store_connect_link_get(store_conn *c, const char *hash_hex, int64_t *staff, tp_time *expires,
                           int64_t *account)
{
    static const char sql[] =
        "SELECT staff_id, expires_at, account_id FROM connect_links WHERE hash = ?";
    link_row l = {0, 0, 0, 0};
    db_val p[] = {DBT(hash_hex)};
    int rc = EXEC(c, sql, p, row_link, &l, NULL);
    if (rc == STORE_OK && !l.found) rc = STORE_NOTFOUND;
    *staff = l.staff;
    *expires = l.expires;
    *account = l.account;
    return rc;
}

int store_connect_link_use(store_conn *c, const char *hash_hex, int64_t account)
{
    static const char sql[] =
        "UPDATE connect_links SET account_id = ? WHERE hash = ? AND account_id IS NULL";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBI(account), DBT(hash_hex)};
    rc = store__exec_one_change(c, sql, p, 2);
    return store__wend(c, own, rc);
}

/* ---- providers' ids of bookings' events ---- */

typedef struct {
    int found;
    char *remote_id, *ical_uid;
} remote_row;

static int row_remote(void *ctx, const db_row_ops *ops, const db_row *row)
{
    remote_row *r = ctx;
    r->found = 1;
    r->remote_id = store__dup(COL_TEXT(0));
    r->ical_uid = store__dup(COL_TEXT(1));
    return r->remote_id && (r->ical_uid || !COL_TEXT(1)) ? 0 : 100;
}

int store_remote_event_get(store_conn *c, int64_t booking, int64_t calendar, char **remote_id,
                           char **ical_uid)
{
    static const char sql[] = "SELECT remote_id, ical_uid FROM remote_events "
                              "WHERE booking_id = ? AND calendar_id = ?";
    remote_row r = {0, NULL, NULL};
    db_val p[] = {DBI(booking), DBI(calendar)};
    int rc = EXEC(c, sql, p, row_remote, &r, NULL);
    if (rc == STORE_OK && !r.found) rc = STORE_NOTFOUND;
    if (rc != STORE_OK) {
        free(r.remote_id);
        free(r.ical_uid);
        r.remote_id = r.ical_uid = NULL;
    }
    *remote_id = r.remote_id;
    if (ical_uid)
        *ical_uid = r.ical_uid;
    else
        free(r.ical_uid);
    return rc == 100 ? STORE_ERROR : rc;
}

int store_remote_event_put(store_conn *c, int64_t booking, int64_t calendar, const char *remote_id,
                           const char *ical_uid)
{
    static const char sql[] =
        "INSERT INTO remote_events(booking_id, calendar_id, remote_id, ical_uid) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (booking_id, calendar_id) DO UPDATE SET "
        "remote_id = excluded.remote_id, ical_uid = excluded.ical_uid";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBI(booking), DBI(calendar), DBT(remote_id), DBT(ical_uid)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return store__wend(c, own, rc);
}

int store_remote_event_booking(store_conn *c, const char *ical_uid, int64_t *booking)
{
    static const char sql[] =
        "SELECT booking_id FROM remote_events WHERE ical_uid = ? ORDER BY booking_id LIMIT 1";
    db_val p[] = {DBT(ical_uid)};
    *booking = 0;
    int rc = EXEC(c, sql, p, store__row_first_int, booking, NULL);
    if (rc == STORE_OK && !*booking) rc = STORE_NOTFOUND;
    return rc;
}
