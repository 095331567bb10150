/* store.c — the store interface implemented once in portable SQL; the
 * engine-specific work (connections, statements, schema) is a driver's. */
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

/* ---- row helpers ---- */

#define COL_INT(c) ops->get_int(row, (c))
#define COL_REAL(c) ops->get_real(row, (c))
#define COL_TEXT(c) ops->get_text(row, (c))
#define COL_NULL(c) ops->is_null(row, (c))

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void hex32(const uint8_t h[32], char out[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = digits[h[i] >> 4];
        out[2 * i + 1] = digits[h[i] & 15];
    }
    out[64] = '\0';
}

static int nibble(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

static int unhex32(const char *s, uint8_t h[32])
{
    if (!s)
        return -1;
    for (int i = 0; i < 32; i++) {
        int hi = nibble(s[2 * i]), lo = hi < 0 ? -1 : nibble(s[2 * i + 1]);
        if (lo < 0)
            return -1;
        h[i] = (uint8_t)(hi << 4 | lo);
    }
    return s[64] == '\0' ? 0 : -1;
}

static db_val real_or_null(double v)
{
    return isnan(v) ? DBN : DBR(v);
}

/* Stops a row walk after the first row, keeping its int in *ctx. */
static int row_first_int(void *ctx, const db_row_ops *ops, const db_row *row)
{
    *(int64_t *)ctx = COL_INT(0);
    return 0;
}

#define EXEC(c, sql, params, cb, ctx, changes)                                                     \
    (c)->drv->exec((c), (sql), (params), (int)(sizeof(params) / sizeof((params)[0])), (cb), (ctx), \
                   (changes))

/* ---- lifecycle ---- */

int store_open(const char *url, const char *data_dir, store **out, char *err, size_t errlen)
{
    *out = NULL;
    if (url && (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13)))
        return db_pg_driver.open(url, data_dir, out, err, errlen);
    if (url && *url) {
        snprintf(err, errlen, "unsupported database URL (use postgres://… or leave it empty for "
                              "SQLite in the data dir)");
        return STORE_ERROR;
    }
    return db_sqlite_driver.open(NULL, data_dir, out, err, errlen);
}

void store_close(store *s)
{
    if (s)
        s->drv->close(s);
}

/* The meta table holds the schema version and the generation counter; it
 * exists before any migration so that the version can always be read. */
static const char meta_ddl[] = "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, "
                               "v BIGINT NOT NULL)";

static int schema_version_of(store_conn *c, int64_t *v)
{
    static const char sql[] = "SELECT v FROM meta WHERE k = 'schema'";
    *v = 0;
    return c->drv->exec(c, sql, NULL, 0, row_first_int, v, NULL);
}

int store_migrate(store *s, char *err, size_t errlen)
{
    static const char set_version[] = "INSERT INTO meta(k, v) VALUES ('schema', ?) "
                                      "ON CONFLICT (k) DO UPDATE SET v = excluded.v";
    const db_driver *d = s->drv;
    store_conn *c = store_acquire(s);
    if (!c) {
        char why[256];
        d->pool_error(s, why, sizeof why);
        snprintf(err, errlen, "%s", why);
        return STORE_ERROR;
    }
    int64_t v = 0;
    int rc = store_begin(c, 1);
    if (rc == STORE_OK && d->migrate_lock)
        rc = d->exec_script(c, d->migrate_lock);
    if (rc == STORE_OK)
        rc = d->exec_script(c, meta_ddl);
    if (rc == STORE_OK)
        rc = schema_version_of(c, &v);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "cannot read the schema version: %s", store_errmsg(c));
        goto out;
    }
    if (v > d->nmigrations) {
        snprintf(err, errlen, "database schema version %lld is newer than this tripod (%d)",
                 (long long)v, d->nmigrations);
        rc = STORE_ERROR;
        goto out;
    }
    for (; v < d->nmigrations; v++) {
        db_val p[] = {DBI(v + 1)};
        rc = d->exec_script(c, d->migrations[v]);
        if (rc == STORE_OK)
            rc = EXEC(c, set_version, p, NULL, NULL, NULL);
        if (rc != STORE_OK) {
            snprintf(err, errlen, "migration %lld failed: %s", (long long)v + 1, store_errmsg(c));
            goto out;
        }
    }
    rc = store_commit(c);
    if (rc != STORE_OK)
        snprintf(err, errlen, "migration commit failed: %s", store_errmsg(c));
out:
    store_release(c); /* rolls back unless committed */
    return rc;
}

int store_schema_version(store *s)
{
    store_conn *c = store_acquire(s);
    int64_t v = -1;
    if (c && schema_version_of(c, &v) != STORE_OK)
        v = 0; /* no meta table yet */
    store_release(c);
    return (int)v;
}

const char *store_kind_name(const store *s)
{
    return s->drv->name;
}

store_conn *store_acquire(store *s)
{
    store_conn *c = s->drv->acquire(s);
    if (c)
        c->in_tx = c->tx_write = c->tx_dirty = 0;
    return c;
}

void store_release(store_conn *c)
{
    if (!c)
        return;
    if (c->in_tx)
        store_rollback(c);
    c->drv->release(c);
}

const char *store_errmsg(store_conn *c)
{
    return c->drv->errmsg(c);
}

int store_begin(store_conn *c, int write)
{
    if (c->in_tx)
        return STORE_ERROR;
    int rc = c->drv->begin(c, write);
    if (rc == STORE_OK) {
        c->in_tx = 1;
        c->tx_write = write;
        c->tx_dirty = 0;
    }
    return rc;
}

/* What a write transaction changed, so that commit bumps the right counters. */
enum { DIRTY_BOOKINGS = 1, DIRTY_CONFIG = 2 };

int store_commit(store_conn *c)
{
    static const char bump_all[] = "UPDATE meta SET v = v + 1 WHERE k = 'generation'";
    static const char bump_config[] = "UPDATE meta SET v = v + 1 WHERE k = 'config'";
    if (!c->in_tx)
        return STORE_ERROR;
    int rc = STORE_OK;
    if (c->tx_dirty)
        rc = c->drv->exec(c, bump_all, NULL, 0, NULL, NULL, NULL);
    if (rc == STORE_OK && (c->tx_dirty & DIRTY_CONFIG))
        rc = c->drv->exec(c, bump_config, NULL, 0, NULL, NULL, NULL);
    if (rc != STORE_OK) {
        store_rollback(c);
        return rc;
    }
    rc = c->drv->commit(c);
    if (rc != STORE_OK)
        c->drv->rollback(c);
    c->in_tx = c->tx_write = c->tx_dirty = 0;
    return rc;
}

void store_rollback(store_conn *c)
{
    if (c->in_tx)
        c->drv->rollback(c);
    c->in_tx = c->tx_write = c->tx_dirty = 0;
}

/* A write runs inside the caller's transaction, or in one of its own.
 * DIRTY says which counters it bumps (0 for writes availability ignores). */
static int wbegin(store_conn *c, int dirty, int *own)
{
    *own = 0;
    if (!c->in_tx) {
        int rc = store_begin(c, 1);
        if (rc != STORE_OK)
            return rc;
        *own = 1;
    }
    c->tx_dirty |= dirty;
    return STORE_OK;
}

static int wend(store_conn *c, int own, int rc)
{
    if (!own)
        return rc;
    if (rc != STORE_OK) {
        store_rollback(c);
        return rc;
    }
    return store_commit(c);
}

int store_generation(store_conn *c, int64_t *gen)
{
    static const char sql[] = "SELECT v FROM meta WHERE k = 'generation'";
    *gen = 0;
    return c->drv->exec(c, sql, NULL, 0, row_first_int, gen, NULL);
}

int store_config_generation(store_conn *c, int64_t *gen)
{
    static const char sql[] = "SELECT v FROM meta WHERE k = 'config'";
    *gen = 0;
    return c->drv->exec(c, sql, NULL, 0, row_first_int, gen, NULL);
}

/* ---- catalog documents ---- */

#define KIND_SQL(verb_sql)                                                                         \
    {                                                                                              \
        verb_sql("skills"), verb_sql("services"), verb_sql("packages"), verb_sql("zones"),         \
            verb_sql("staff"), verb_sql("calendars")                                               \
    }
#define SQL_INS(t) "INSERT INTO " t "(body) VALUES (?) RETURNING id"
#define SQL_UPD(t) "UPDATE " t " SET body = ? WHERE id = ?"
#define SQL_DEL(t) "DELETE FROM " t " WHERE id = ?"
#define SQL_GET(t) "SELECT body FROM " t " WHERE id = ?"
#define SQL_LIST(t) "SELECT id, body FROM " t " ORDER BY id"
#define SQL_NAME(t) t

static const char *const doc_ins[STORE_NKINDS] = KIND_SQL(SQL_INS);
static const char *const doc_upd[STORE_NKINDS] = KIND_SQL(SQL_UPD);
static const char *const doc_del[STORE_NKINDS] = KIND_SQL(SQL_DEL);
static const char *const doc_get[STORE_NKINDS] = KIND_SQL(SQL_GET);
static const char *const doc_list[STORE_NKINDS] = KIND_SQL(SQL_LIST);
static const char *const doc_table[STORE_NKINDS] = KIND_SQL(SQL_NAME);

const char *store_kind_table(store_kind k)
{
    return (unsigned)k < STORE_NKINDS ? doc_table[k] : "?";
}

int store_doc_insert(store_conn *c, store_kind k, const char *json, int64_t *id_out)
{
    int own, rc = wbegin(c, DIRTY_CONFIG, &own);
    if (rc)
        return rc;
    db_val p[] = {DBT(json)};
    *id_out = 0;
    rc = EXEC(c, doc_ins[k], p, row_first_int, id_out, NULL);
    return wend(c, own, rc);
}

static int exec_one_change(store_conn *c, const char *sql, const db_val *p, int n)
{
    int64_t changes = 0;
    int rc = c->drv->exec(c, sql, p, n, NULL, NULL, &changes);
    if (rc == STORE_OK && changes == 0)
        rc = STORE_NOTFOUND;
    return rc;
}

int store_doc_update(store_conn *c, store_kind k, int64_t id, const char *json)
{
    int own, rc = wbegin(c, DIRTY_CONFIG, &own);
    if (rc)
        return rc;
    db_val p[] = {DBT(json), DBI(id)};
    rc = exec_one_change(c, doc_upd[k], p, 2);
    return wend(c, own, rc);
}

int store_doc_delete(store_conn *c, store_kind k, int64_t id)
{
    int own, rc = wbegin(c, DIRTY_CONFIG, &own);
    if (rc)
        return rc;
    db_val p[] = {DBI(id)};
    rc = exec_one_change(c, doc_del[k], p, 1);
    return wend(c, own, rc);
}

static int row_first_text(void *ctx, const db_row_ops *ops, const db_row *row)
{
    char **out = ctx;
    *out = dup_or_null(COL_TEXT(0));
    return *out ? 0 : 100;
}

int store_doc_get(store_conn *c, store_kind k, int64_t id, char **json_out)
{
    db_val p[] = {DBI(id)};
    *json_out = NULL;
    int rc = EXEC(c, doc_get[k], p, row_first_text, json_out, NULL);
    if (rc == 100)
        return STORE_ERROR;
    if (rc == STORE_OK && !*json_out)
        rc = STORE_NOTFOUND;
    return rc;
}

struct doc_walk {
    store_doc_cb cb;
    void *ctx;
};

static int row_doc(void *ctx, const db_row_ops *ops, const db_row *row)
{
    struct doc_walk *w = ctx;
    return w->cb(w->ctx, COL_INT(0), COL_TEXT(1));
}

int store_doc_list(store_conn *c, store_kind k, store_doc_cb cb, void *ctx)
{
    struct doc_walk w = {cb, ctx};
    return c->drv->exec(c, doc_list[k], NULL, 0, row_doc, &w, NULL);
}

int store_settings_get(store_conn *c, char **json_out)
{
    static const char sql[] = "SELECT body FROM settings WHERE id = 1";
    *json_out = NULL;
    int rc = c->drv->exec(c, sql, NULL, 0, row_first_text, json_out, NULL);
    if (rc == 100)
        return STORE_ERROR;
    if (rc == STORE_OK && !*json_out && !(*json_out = strdup("{}")))
        rc = STORE_ERROR;
    return rc;
}

int store_settings_put(store_conn *c, const char *json)
{
    static const char sql[] = "INSERT INTO settings(id, body) VALUES (1, ?) "
                              "ON CONFLICT (id) DO UPDATE SET body = excluded.body";
    int own, rc = wbegin(c, DIRTY_CONFIG, &own);
    if (rc)
        return rc;
    db_val p[] = {DBT(json)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return wend(c, own, rc);
}

/* ---- tokens ---- */

int store_token_insert(store_conn *c, const char *name, const uint8_t hash[32], tp_time now,
                       int64_t *id_out)
{
    static const char sql[] =
        "INSERT INTO tokens(name, hash, created_at) VALUES (?, ?, ?) RETURNING id";
    char hx[65];
    hex32(hash, hx);
    int own, rc = wbegin(c, 0, &own);
    if (rc)
        return rc;
    db_val p[] = {DBT(name), DBT(hx), DBI(now)};
    *id_out = 0;
    rc = EXEC(c, sql, p, row_first_int, id_out, NULL);
    return wend(c, own, rc);
}

int store_token_find(store_conn *c, const uint8_t hash[32], int64_t *id_out)
{
    static const char sql[] = "SELECT id FROM tokens WHERE hash = ?";
    char hx[65];
    hex32(hash, hx);
    db_val p[] = {DBT(hx)};
    *id_out = 0;
    int rc = EXEC(c, sql, p, row_first_int, id_out, NULL);
    if (rc == STORE_OK && *id_out == 0)
        rc = STORE_NOTFOUND;
    return rc;
}

/* ---- bookings ---- */

#define BOOKING_COLS                                                                               \
    "b.id, b.status, b.start_at, b.end_at, b.buffer_min, b.staff, b.lat, b.lon, b.manage_hash, "   \
    "b.body, b.sequence, b.cal_state, b.cal_error, b.created_at, b.updated_at"

void store_booking_clear(store_booking *b)
{
    if (!b)
        return;
    free(b->body);
    free(b->cal_error);
    memset(b, 0, sizeof *b);
}

static void copy_str(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

static void staff_text(const store_booking *b, char *out, size_t len)
{
    out[0] = '\0';
    for (int i = 0; i < b->nstaff && i < STORE_MAX_CREW; i++) {
        size_t used = strlen(out);
        snprintf(out + used, len - used, i ? ",%lld" : "%lld", (long long)b->staff[i]);
    }
}

static void staff_parse(const char *s, store_booking *b)
{
    b->nstaff = 0;
    while (s && *s && b->nstaff < STORE_MAX_CREW) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s)
            break;
        b->staff[b->nstaff++] = v;
        s = *end == ',' ? end + 1 : end;
    }
}

/* Fills B from a row of BOOKING_COLS. Returns 0 or 100 when memory ran out. */
static int booking_from_row(const db_row_ops *ops, const db_row *row, store_booking *b)
{
    memset(b, 0, sizeof *b);
    b->id = COL_INT(0);
    copy_str(b->status, sizeof b->status, COL_TEXT(1));
    b->start = COL_INT(2);
    b->end = COL_INT(3);
    b->buffer_min = (int)COL_INT(4);
    staff_parse(COL_TEXT(5), b);
    b->lat = COL_NULL(6) ? NAN : COL_REAL(6);
    b->lon = COL_NULL(7) ? NAN : COL_REAL(7);
    unhex32(COL_TEXT(8), b->manage_hash);
    b->body = strdup(COL_TEXT(9) ? COL_TEXT(9) : "{}");
    b->sequence = (int)COL_INT(10);
    copy_str(b->cal_state, sizeof b->cal_state, COL_TEXT(11));
    b->cal_error = dup_or_null(COL_TEXT(12));
    b->created = COL_INT(13);
    b->updated = COL_INT(14);
    if (!b->body || (COL_TEXT(12) && !b->cal_error)) {
        store_booking_clear(b);
        return 100;
    }
    return 0;
}

static int row_booking(void *ctx, const db_row_ops *ops, const db_row *row)
{
    store_booking *b = ctx;
    store_booking_clear(b);
    return booking_from_row(ops, row, b);
}

static int write_assignments(store_conn *c, const store_booking *b)
{
    static const char del[] = "DELETE FROM assignments WHERE booking_id = ?";
    static const char ins[] = "INSERT INTO assignments(booking_id, pos, staff_id, start_at, end_at, "
                              "buffer_min, active) VALUES (?, ?, ?, ?, ?, ?, ?)";
    db_val pd[] = {DBI(b->id)};
    int rc = EXEC(c, del, pd, NULL, NULL, NULL);
    int active = strcmp(b->status, "cancelled") != 0;
    for (int i = 0; rc == STORE_OK && i < b->nstaff; i++) {
        db_val p[] = {DBI(b->id),   DBI(i),           DBI(b->staff[i]), DBI(b->start),
                      DBI(b->end), DBI(b->buffer_min), DBI(active)};
        rc = EXEC(c, ins, p, NULL, NULL, NULL);
    }
    return rc;
}

int store_booking_insert(store_conn *c, store_booking *b)
{
    static const char sql[] =
        "INSERT INTO bookings(status, start_at, end_at, buffer_min, staff, lat, lon, manage_hash, "
        "body, sequence, cal_state, cal_error, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    char hx[65], staff[64];
    hex32(b->manage_hash, hx);
    staff_text(b, staff, sizeof staff);
    int own, rc = wbegin(c, DIRTY_BOOKINGS, &own);
    if (rc)
        return rc;
    db_val p[] = {DBT(b->status),
                  DBI(b->start),
                  DBI(b->end),
                  DBI(b->buffer_min),
                  DBT(staff),
                  real_or_null(b->lat),
                  real_or_null(b->lon),
                  DBT(hx),
                  DBT(b->body ? b->body : "{}"),
                  DBI(b->sequence),
                  DBT(b->cal_state[0] ? b->cal_state : "pending"),
                  DBT(b->cal_error),
                  DBI(b->created),
                  DBI(b->updated)};
    b->id = 0;
    rc = EXEC(c, sql, p, row_first_int, &b->id, NULL);
    if (rc == STORE_OK)
        rc = write_assignments(c, b);
    return wend(c, own, rc);
}

int store_booking_update(store_conn *c, const store_booking *b)
{
    static const char sql[] =
        "UPDATE bookings SET status = ?, start_at = ?, end_at = ?, buffer_min = ?, staff = ?, "
        "lat = ?, lon = ?, body = ?, sequence = ?, cal_state = ?, cal_error = ?, updated_at = ? "
        "WHERE id = ?";
    char staff[64];
    staff_text(b, staff, sizeof staff);
    int own, rc = wbegin(c, DIRTY_BOOKINGS, &own);
    if (rc)
        return rc;
    db_val p[] = {DBT(b->status),
                  DBI(b->start),
                  DBI(b->end),
                  DBI(b->buffer_min),
                  DBT(staff),
                  real_or_null(b->lat),
                  real_or_null(b->lon),
                  DBT(b->body ? b->body : "{}"),
                  DBI(b->sequence),
                  DBT(b->cal_state[0] ? b->cal_state : "pending"),
                  DBT(b->cal_error),
                  DBI(b->updated),
                  DBI(b->id)};
    rc = exec_one_change(c, sql, p, (int)(sizeof p / sizeof p[0]));
    if (rc == STORE_OK)
        rc = write_assignments(c, b);
    return wend(c, own, rc);
}

static int get_one_booking(store_conn *c, const char *sql, db_val key, store_booking *out)
{
    memset(out, 0, sizeof *out);
    db_val p[] = {key};
    int rc = EXEC(c, sql, p, row_booking, out, NULL);
    if (rc == 100)
        return STORE_ERROR;
    if (rc == STORE_OK && out->id == 0)
        rc = STORE_NOTFOUND;
    return rc;
}

int store_booking_get(store_conn *c, int64_t id, store_booking *out)
{
    static const char sql[] = "SELECT " BOOKING_COLS " FROM bookings b WHERE b.id = ?";
    return get_one_booking(c, sql, DBI(id), out);
}

int store_booking_by_manage(store_conn *c, const uint8_t hash[32], store_booking *out)
{
    static const char sql[] = "SELECT " BOOKING_COLS " FROM bookings b WHERE b.manage_hash = ?";
    char hx[65];
    hex32(hash, hx);
    return get_one_booking(c, sql, DBT(hx), out);
}

int store_booking_set_cal(store_conn *c, int64_t id, const char *state, const char *error)
{
    static const char sql[] = "UPDATE bookings SET cal_state = ?, cal_error = ? WHERE id = ?";
    int own, rc = wbegin(c, 0, &own);
    if (rc)
        return rc;
    db_val p[] = {DBT(state), DBT(error), DBI(id)};
    rc = exec_one_change(c, sql, p, 3);
    return wend(c, own, rc);
}

struct booking_walk {
    store_booking_cb cb;
    void *ctx;
};

static int row_booking_walk(void *ctx, const db_row_ops *ops, const db_row *row)
{
    struct booking_walk *w = ctx;
    store_booking b;
    if (booking_from_row(ops, row, &b))
        return 100;
    int rc = w->cb(w->ctx, &b);
    store_booking_clear(&b);
    return rc;
}

/* Two statements rather than optional conditions, so that each can use its
 * index: bookings by end, or a staff member's assignments by end. The unary
 * `+` keeps both engines off the start index, which would scan every past
 * booking for an upcoming window. */
int store_booking_list(store_conn *c, const store_booking_filter *f, store_booking_cb cb, void *ctx)
{
    static const char any_staff[] =
        "SELECT " BOOKING_COLS " FROM bookings b WHERE b.end_at > ? AND +b.start_at < ? "
        "AND (? = '' OR b.status = ?) ORDER BY +b.start_at, b.id";
    static const char one_staff[] =
        "SELECT " BOOKING_COLS " FROM bookings b JOIN assignments a ON a.booking_id = b.id "
        "WHERE a.staff_id = ? AND a.end_at > ? AND +a.start_at < ? "
        "AND (? = '' OR b.status = ?) ORDER BY b.start_at, b.id";
    int ranged = f->from != 0 || f->to != 0;
    tp_time from = ranged ? f->from : INT64_MIN, to = ranged ? f->to : INT64_MAX;
    const char *status = f->status ? f->status : "";
    struct booking_walk w = {cb, ctx};
    int rc;
    if (f->staff) {
        db_val p[] = {DBI(f->staff), DBI(from), DBI(to), DBT(status), DBT(status)};
        rc = EXEC(c, one_staff, p, row_booking_walk, &w, NULL);
    } else {
        db_val p[] = {DBI(from), DBI(to), DBT(status), DBT(status)};
        rc = EXEC(c, any_staff, p, row_booking_walk, &w, NULL);
    }
    return rc == 100 ? STORE_ERROR : rc;
}

/* ---- history ---- */

int store_history_add(store_conn *c, int64_t booking, tp_time at, const char *actor,
                      const char *change_json)
{
    static const char sql[] =
        "INSERT INTO history(booking_id, at, actor, change) VALUES (?, ?, ?, ?)";
    int own, rc = wbegin(c, 0, &own);
    if (rc)
        return rc;
    db_val p[] = {DBI(booking), DBI(at), DBT(actor), DBT(change_json)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return wend(c, own, rc);
}

struct history_walk {
    store_history_cb cb;
    void *ctx;
};

static int row_history(void *ctx, const db_row_ops *ops, const db_row *row)
{
    struct history_walk *w = ctx;
    return w->cb(w->ctx, COL_INT(0), COL_TEXT(1), COL_TEXT(2));
}

int store_history_list(store_conn *c, int64_t booking, store_history_cb cb, void *ctx)
{
    static const char sql[] =
        "SELECT at, actor, change FROM history WHERE booking_id = ? ORDER BY id";
    db_val p[] = {DBI(booking)};
    struct history_walk w = {cb, ctx};
    return EXEC(c, sql, p, row_history, &w, NULL);
}

/* ---- idempotency ---- */

struct idem_row {
    int found, status;
    char *body;
};

static int row_idem(void *ctx, const db_row_ops *ops, const db_row *row)
{
    struct idem_row *r = ctx;
    r->found = 1;
    r->status = (int)COL_INT(0);
    r->body = dup_or_null(COL_TEXT(1));
    return r->body ? 0 : 100;
}

int store_idem_get(store_conn *c, const char *key, int *status, char **body_out)
{
    static const char sql[] = "SELECT status, body FROM idempotency WHERE key = ?";
    db_val p[] = {DBT(key)};
    struct idem_row r = {0, 0, NULL};
    *body_out = NULL;
    int rc = EXEC(c, sql, p, row_idem, &r, NULL);
    if (rc == 100)
        return STORE_ERROR;
    if (rc == STORE_OK && !r.found)
        return STORE_NOTFOUND;
    *status = r.status;
    *body_out = r.body;
    return rc;
}

int store_idem_put(store_conn *c, const char *key, int status, const char *body, tp_time now)
{
    static const char sql[] = "INSERT INTO idempotency(key, status, body, created_at) "
                              "VALUES (?, ?, ?, ?)";
    int own, rc = wbegin(c, 0, &own);
    if (rc)
        return rc;
    db_val p[] = {DBT(key), DBI(status), DBT(body), DBI(now)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return wend(c, own, rc);
}

/* ---- busy time ---- */

int store_busy_replace(store_conn *c, int64_t calendar, const store_busy *ev, size_t n)
{
    static const char del[] = "DELETE FROM busy WHERE calendar_id = ?";
    static const char ins[] =
        "INSERT INTO busy(calendar_id, start_at, end_at, uid, summary) VALUES (?, ?, ?, ?, ?)";
    int own, rc = wbegin(c, DIRTY_CONFIG, &own);
    if (rc)
        return rc;
    db_val pd[] = {DBI(calendar)};
    rc = EXEC(c, del, pd, NULL, NULL, NULL);
    for (size_t i = 0; rc == STORE_OK && i < n; i++) {
        db_val p[] = {DBI(calendar), DBI(ev[i].start), DBI(ev[i].end), DBT(ev[i].uid),
                      DBT(ev[i].summary)};
        rc = EXEC(c, ins, p, NULL, NULL, NULL);
    }
    return wend(c, own, rc);
}

struct busy_walk {
    store_busy_cb cb;
    void *ctx;
};

static int row_busy(void *ctx, const db_row_ops *ops, const db_row *row)
{
    struct busy_walk *w = ctx;
    store_busy ev = {COL_INT(1), COL_INT(2), COL_TEXT(3), COL_TEXT(4)};
    return w->cb(w->ctx, COL_INT(0), &ev);
}

int store_busy_list(store_conn *c, int64_t calendar, tp_time from, tp_time to, store_busy_cb cb,
                    void *ctx)
{
    static const char all[] = "SELECT calendar_id, start_at, end_at, uid, summary FROM busy "
                              "WHERE end_at > ? AND +start_at < ? "
                              "ORDER BY calendar_id, start_at, end_at";
    static const char one[] = "SELECT calendar_id, start_at, end_at, uid, summary FROM busy "
                              "WHERE calendar_id = ? AND end_at > ? AND +start_at < ? "
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
    if (!s)
        return;
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
    s->last_error = dup_or_null(COL_TEXT(2));
    s->ctag = dup_or_null(COL_TEXT(3));
    s->sync_token = dup_or_null(COL_TEXT(4));
    s->etag = dup_or_null(COL_TEXT(5));
    s->events = COL_INT(6);
    if ((COL_TEXT(2) && !s->last_error) || (COL_TEXT(3) && !s->ctag) ||
        (COL_TEXT(4) && !s->sync_token) || (COL_TEXT(5) && !s->etag))
        return 100;
    return 0;
}

int store_calstate_get(store_conn *c, int64_t calendar, store_calstate *out)
{
    static const char sql[] = "SELECT last_attempt, last_sync, last_error, ctag, sync_token, "
                              "etag, events FROM calstate WHERE calendar_id = ?";
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
        "etag, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (calendar_id) DO UPDATE SET "
        "last_attempt = excluded.last_attempt, last_sync = excluded.last_sync, "
        "last_error = excluded.last_error, ctag = excluded.ctag, "
        "sync_token = excluded.sync_token, etag = excluded.etag, events = excluded.events";
    int own, rc = wbegin(c, 0, &own);
    if (rc)
        return rc;
    db_val p[] = {DBI(calendar),     DBI(s->last_attempt), DBI(s->last_sync), DBT(s->last_error),
                  DBT(s->ctag),      DBT(s->sync_token),   DBT(s->etag),      DBI(s->events)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return wend(c, own, rc);
}

/* ---- outbox ---- */

void store_outbox_clear(store_outbox_item *it)
{
    if (!it)
        return;
    free(it->payload);
    free(it->last_error);
    memset(it, 0, sizeof *it);
}

int store_outbox_add(store_conn *c, int64_t booking, const char *kind, const char *payload,
                     tp_time now)
{
    static const char sql[] = "INSERT INTO outbox(booking_id, kind, payload, state, attempts, "
                              "next_at, lease_until, created_at) "
                              "VALUES (?, ?, ?, 'pending', 0, ?, 0, ?)";
    int own, rc = wbegin(c, 0, &own);
    if (rc)
        return rc;
    db_val p[] = {DBI(booking), DBT(kind), DBT(payload), DBI(now), DBI(now)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return wend(c, own, rc);
}

static int row_outbox(void *ctx, const db_row_ops *ops, const db_row *row)
{
    store_outbox_item *it = ctx;
    store_outbox_clear(it);
    it->id = COL_INT(0);
    it->booking = COL_INT(1);
    copy_str(it->kind, sizeof it->kind, COL_TEXT(2));
    it->payload = dup_or_null(COL_TEXT(3));
    it->attempts = (int)COL_INT(4);
    it->next_at = COL_INT(5);
    it->last_error = dup_or_null(COL_TEXT(6));
    return it->payload ? 0 : 100;
}

int store_outbox_claim(store_conn *c, tp_time now, int lease_s, store_outbox_item *out)
{
    static const char pick[] =
        "SELECT id, booking_id, kind, payload, attempts, next_at, last_error FROM outbox o "
        "WHERE o.state = 'pending' AND o.next_at <= ? AND o.lease_until <= ? "
        "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.booking_id = o.booking_id "
        "AND p.state = 'pending' AND p.id < o.id) ORDER BY o.id LIMIT 1";
    static const char lease[] =
        "UPDATE outbox SET lease_until = ? WHERE id = ? AND state = 'pending' "
        "AND lease_until <= ?";
    memset(out, 0, sizeof *out);
    for (int tries = 0; tries < 8; tries++) {
        db_val pp[] = {DBI(now), DBI(now)};
        int rc = EXEC(c, pick, pp, row_outbox, out, NULL);
        if (rc != STORE_OK) {
            store_outbox_clear(out);
            return rc == 100 ? STORE_ERROR : rc;
        }
        if (out->id == 0)
            return STORE_NOTFOUND;
        int64_t changes = 0;
        db_val pl[] = {DBI(now + lease_s), DBI(out->id), DBI(now)};
        rc = EXEC(c, lease, pl, NULL, NULL, &changes);
        if (rc != STORE_OK) {
            store_outbox_clear(out);
            return rc;
        }
        if (changes == 1)
            return STORE_OK;
        store_outbox_clear(out); /* another instance leased it first */
    }
    return STORE_NOTFOUND;
}

int store_outbox_done(store_conn *c, int64_t id)
{
    static const char sql[] =
        "UPDATE outbox SET state = 'done', lease_until = 0, last_error = NULL, payload = '{}' "
        "WHERE id = ?";
    db_val p[] = {DBI(id)};
    return exec_one_change(c, sql, p, 1);
}

int store_outbox_fail(store_conn *c, int64_t id, const char *error, tp_time next_at)
{
    static const char sql[] = "UPDATE outbox SET attempts = attempts + 1, last_error = ?, "
                              "next_at = ?, lease_until = 0 WHERE id = ?";
    db_val p[] = {DBT(error), DBI(next_at), DBI(id)};
    return exec_one_change(c, sql, p, 3);
}

int store_outbox_pending(store_conn *c, int64_t *count)
{
    static const char sql[] = "SELECT COUNT(*) FROM outbox WHERE state = 'pending'";
    *count = 0;
    return c->drv->exec(c, sql, NULL, 0, row_first_int, count, NULL);
}
