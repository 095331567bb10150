/* store.c — the store interface implemented once in portable SQL (lifecycle,
 * transactions, migrations, catalog documents, settings, tokens; bookings are
 * in store_booking.c, calendar data and the outbox in store_cal.c). The
 * engine-specific work (connections, statements, schema) is a driver's. */
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

/* ---- helpers shared with store_booking.c and store_cal.c (db.h) ---- */

char *store__dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

void store__copy_str(char *dst, size_t len, const char *src)
{
    size_t n = src ? strnlen(src, len - 1) : 0; /* (snprintf cost a tenth of a booking list) */
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

void store__hex32(const uint8_t h[32], char out[65])
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
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return -1;
}

int store__unhex32(const char *s, uint8_t h[32])
{
    if (!s) return -1;
    for (int i = 0; i < 32; i++) {
        int hi = nibble(s[2 * i]), lo = hi < 0 ? -1 : nibble(s[2 * i + 1]);
        if (lo < 0) return -1;
        h[i] = (uint8_t)(hi << 4 | lo);
    }
    return s[64] == '\0' ? 0 : -1;
}

db_val store__real_or_null(double v)
{
    return isnan(v) ? DBN : DBR(v);
}

/* Stops a row walk after the first row, keeping its int in *ctx. */
int store__row_first_int(void *ctx, const db_row_ops *ops, const db_row *row)
{
    *(int64_t *)ctx = COL_INT(0);
    return 0;
}

/* ---- lifecycle ---- */

int store_open(const char *url, const char *data_dir, int pool, store **out, char *err,
               size_t errlen)
{
    *out = NULL;
    if (url && (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13)))
        return db_pg_driver.open(url, data_dir, pool, out, err, errlen);
    if (url && *url) {
        snprintf(err, errlen,
                 "unsupported database URL (use postgres://… or leave it empty for "
                 "SQLite in the data dir)");
        return STORE_ERROR;
    }
    return db_sqlite_driver.open(NULL, data_dir, pool, out, err, errlen);
}

void store_close(store *s)
{
    if (s) s->drv->close(s);
}

/* The meta table holds the schema version and the generation counter; it
 * exists before any migration so that the version can always be read. */
static const char meta_ddl[] = "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, "
                               "v BIGINT NOT NULL)";

static int schema_version_of(store_conn *c, int64_t *v)
{
    static const char sql[] = "SELECT v FROM meta WHERE k = 'schema'";
    *v = 0;
    return c->drv->exec(c, sql, NULL, 0, store__row_first_int, v, NULL);
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
    if (rc == STORE_OK && d->migrate_lock) rc = d->exec_script(c, d->migrate_lock);
    if (rc == STORE_OK) rc = d->exec_script(c, meta_ddl);
    if (rc == STORE_OK) rc = schema_version_of(c, &v);
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
        if (rc == STORE_OK) rc = EXEC(c, set_version, p, NULL, NULL, NULL);
        if (rc != STORE_OK) {
            snprintf(err, errlen, "migration %lld failed: %s", (long long)v + 1, store_errmsg(c));
            goto out;
        }
    }
    rc = store_commit(c);
    if (rc != STORE_OK) snprintf(err, errlen, "migration commit failed: %s", store_errmsg(c));
out:
    store_release(c); /* rolls back unless committed */
    return rc;
}

int store_schema_version(store *s)
{
    store_conn *c = store_acquire(s);
    int64_t v = -1;
    if (c && schema_version_of(c, &v) != STORE_OK) v = 0; /* no meta table yet */
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
    if (c) c->in_tx = c->tx_write = c->tx_dirty = 0;
    return c;
}

void store_release(store_conn *c)
{
    if (!c) return;
    if (c->in_tx) store_rollback(c);
    c->drv->release(c);
}

const char *store_errmsg(store_conn *c)
{
    return c->drv->errmsg(c);
}

int store_begin(store_conn *c, int write)
{
    if (c->in_tx) return STORE_ERROR;
    int rc = c->drv->begin(c, write);
    if (rc == STORE_OK) {
        c->in_tx = 1;
        c->tx_write = write;
        c->tx_dirty = 0;
    }
    return rc;
}

int store_commit(store_conn *c)
{
    static const char bump_all[] = "UPDATE meta SET v = v + 1 WHERE k = 'generation'";
    static const char bump_config[] = "UPDATE meta SET v = v + 1 WHERE k = 'config'";
    if (!c->in_tx) return STORE_ERROR;
    int rc = STORE_OK;
    if (c->tx_dirty) rc = c->drv->exec(c, bump_all, NULL, 0, NULL, NULL, NULL);
    if (rc == STORE_OK && (c->tx_dirty & DIRTY_CONFIG))
        rc = c->drv->exec(c, bump_config, NULL, 0, NULL, NULL, NULL);
    if (rc != STORE_OK) {
        store_rollback(c);
        return rc;
    }
    rc = c->drv->commit(c);
    if (rc != STORE_OK) c->drv->rollback(c);
    c->in_tx = c->tx_write = c->tx_dirty = 0;
    return rc;
}

void store_rollback(store_conn *c)
{
    if (c->in_tx) c->drv->rollback(c);
    c->in_tx = c->tx_write = c->tx_dirty = 0;
}

/* A write runs inside the caller's transaction, or in one of its own.
 * DIRTY says which counters it bumps (0 for writes availability ignores). */
int store__wbegin(store_conn *c, int dirty, int *own)
{
    *own = 0;
    if (!c->in_tx) {
        int rc = store_begin(c, 1);
        if (rc != STORE_OK) return rc;
        *own = 1;
    }
    c->tx_dirty |= dirty;
    return STORE_OK;
}

int store__wend(store_conn *c, int own, int rc)
{
    if (!own) return rc;
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
    return c->drv->exec(c, sql, NULL, 0, store__row_first_int, gen, NULL);
}

int store_config_generation(store_conn *c, int64_t *gen)
{
    static const char sql[] = "SELECT v FROM meta WHERE k = 'config'";
    *gen = 0;
    return c->drv->exec(c, sql, NULL, 0, store__row_first_int, gen, NULL);
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
    int own, rc = store__wbegin(c, DIRTY_CONFIG, &own);
    if (rc) return rc;
    db_val p[] = {DBT(json)};
    *id_out = 0;
    rc = EXEC(c, doc_ins[k], p, store__row_first_int, id_out, NULL);
    return store__wend(c, own, rc);
}

int store__exec_one_change(store_conn *c, const char *sql, const db_val *p, int n)
{
    int64_t changes = 0;
    int rc = c->drv->exec(c, sql, p, n, NULL, NULL, &changes);
    if (rc == STORE_OK && changes == 0) rc = STORE_NOTFOUND;
    return rc;
}

int store_doc_update(store_conn *c, store_kind k, int64_t id, const char *json)
{
    int own, rc = store__wbegin(c, DIRTY_CONFIG, &own);
    if (rc) return rc;
    db_val p[] = {DBT(json), DBI(id)};
    rc = store__exec_one_change(c, doc_upd[k], p, 2);
    return store__wend(c, own, rc);
}

int store_doc_delete(store_conn *c, store_kind k, int64_t id)
{
    int own, rc = store__wbegin(c, DIRTY_CONFIG, &own);
    if (rc) return rc;
    db_val p[] = {DBI(id)};
    rc = store__exec_one_change(c, doc_del[k], p, 1);
    return store__wend(c, own, rc);
}

int store__row_first_text(void *ctx, const db_row_ops *ops, const db_row *row)
{
    char **out = ctx;
    *out = store__dup(COL_TEXT(0));
    return *out ? 0 : 100;
}

int store_doc_get(store_conn *c, store_kind k, int64_t id, char **json_out)
{
    db_val p[] = {DBI(id)};
    *json_out = NULL;
    int rc = EXEC(c, doc_get[k], p, store__row_first_text, json_out, NULL);
    if (rc == 100) return STORE_ERROR;
    if (rc == STORE_OK && !*json_out) rc = STORE_NOTFOUND;
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
    int rc = c->drv->exec(c, sql, NULL, 0, store__row_first_text, json_out, NULL);
    if (rc == 100) return STORE_ERROR;
    if (rc == STORE_OK && !*json_out && !(*json_out = strdup("{}"))) rc = STORE_ERROR;
    return rc;
}

int store_settings_put(store_conn *c, const char *json)
{
    static const char sql[] = "INSERT INTO settings(id, body) VALUES (1, ?) "
                              "ON CONFLICT (id) DO UPDATE SET body = excluded.body";
    int own, rc = store__wbegin(c, DIRTY_CONFIG, &own);
    if (rc) return rc;
    db_val p[] = {DBT(json)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return store__wend(c, own, rc);
}

/* ---- tokens ---- */

int store_token_insert(store_conn *c, const char *name, const uint8_t hash[32], tp_time now,
                       int64_t *id_out)
{
    static const char sql[] =
        "INSERT INTO tokens(name, hash, created_at) VALUES (?, ?, ?) RETURNING id";
    char hx[65];
    store__hex32(hash, hx);
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBT(name), DBT(hx), DBI(now)};
    *id_out = 0;
    rc = EXEC(c, sql, p, store__row_first_int, id_out, NULL);
    return store__wend(c, own, rc);
}

int store_token_find(store_conn *c, const uint8_t hash[32], int64_t *id_out)
{
    static const char sql[] = "SELECT id FROM tokens WHERE hash = ?";
    char hx[65];
    store__hex32(hash, hx);
    db_val p[] = {DBT(hx)};
    *id_out = 0;
    int rc = EXEC(c, sql, p, store__row_first_int, id_out, NULL);
    if (rc == STORE_OK && *id_out == 0) rc = STORE_NOTFOUND;
    return rc;
}

/* ---- address look-ups ---- */

int store_geocode_get(store_conn *c, const char *key, tp_time not_before, char **text)
{
    static const char sql[] =
        "SELECT answer FROM geocode_cache WHERE query = ? AND fetched_at >= ?";
    db_val p[] = {DBT(key), DBI(not_before)};
    *text = NULL;
    int rc = EXEC(c, sql, p, store__row_first_text, text, NULL); /* query is the key: one row */
    if (rc == 100) return STORE_ERROR;
    if (rc == STORE_OK && !*text) return STORE_NOTFOUND;
    return rc;
}

int store_geocode_put(store_conn *c, const char *key, const char *text, tp_time now)
{
    static const char sql[] =
        "INSERT INTO geocode_cache(query, answer, fetched_at) VALUES (?, ?, ?) "
        "ON CONFLICT (query) DO UPDATE SET answer = excluded.answer, fetched_at = "
        "excluded.fetched_at";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBT(key), DBT(text), DBI(now)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return store__wend(c, own, rc);
}
