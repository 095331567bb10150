/* db_sqlite.c — the SQLite driver: a pool of connections to DATA_DIR/tripod.db
 * (WAL, foreign keys, synchronous=FULL), cached prepared statements, and the
 * schema migrations. Writers are serialised in-process before BEGIN IMMEDIATE
 * so they queue instead of spinning on SQLITE_BUSY. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/db.h"

#define POOL_SIZE 16
#define STMT_CACHE 64

typedef struct {
    const char *sql; /* key: the static SQL text's address */
    sqlite3_stmt *stmt;
} stmt_slot;

typedef struct sq_conn {
    struct store_conn base;
    struct sq_store *owner;
    sqlite3 *db;
    int busy;        /* handed out */
    int holds_write; /* holds owner->write_lock */
    int lazy;        /* in a STORE_WRITE_LAZY transaction: synchronous=NORMAL until it ends */
    stmt_slot cache[STMT_CACHE];
    char err[256];
} sq_conn;

typedef struct sq_store {
    struct store base;
    char *path;
    pthread_mutex_t lock; /* guards the pool */
    pthread_cond_t freed;
    pthread_mutex_t write_lock; /* one writer at a time in this process */
    sq_conn conns[POOL_SIZE];
} sq_store;

/* ---- schema ---- */

/* Each entry upgrades the schema by one version; never edit a released one. */
static const char *const migrations[] = {
    /* 1: the initial schema */
    "INSERT INTO meta(k, v) VALUES ('generation', 1);"
    "CREATE TABLE settings (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);"
    "CREATE TABLE skills (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);"
    "CREATE TABLE services (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);"
    "CREATE TABLE packages (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);"
    "CREATE TABLE zones (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);"
    "CREATE TABLE staff (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);"
    "CREATE TABLE calendars (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);"
    "CREATE TABLE tokens (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,"
    "  hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);"
    "CREATE TABLE bookings (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  status TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),"
    "  start_at INTEGER NOT NULL, end_at INTEGER NOT NULL, buffer_min INTEGER NOT NULL,"
    "  staff TEXT NOT NULL, lat REAL, lon REAL, manage_hash TEXT NOT NULL UNIQUE,"
    "  body TEXT NOT NULL, sequence INTEGER NOT NULL DEFAULT 0,"
    "  cal_state TEXT NOT NULL DEFAULT 'pending', cal_error TEXT,"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    "  CHECK (end_at > start_at));"
    "CREATE INDEX bookings_start ON bookings(start_at);"
    "CREATE TABLE assignments (booking_id INTEGER NOT NULL REFERENCES bookings(id)"
    "  ON DELETE CASCADE, pos INTEGER NOT NULL, staff_id INTEGER NOT NULL REFERENCES staff(id),"
    "  start_at INTEGER NOT NULL, end_at INTEGER NOT NULL, buffer_min INTEGER NOT NULL,"
    "  active INTEGER NOT NULL, PRIMARY KEY (booking_id, pos));"
    "CREATE INDEX assignments_staff ON assignments(staff_id, start_at);"
    "CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, booking_id INTEGER NOT NULL"
    "  REFERENCES bookings(id) ON DELETE CASCADE, at INTEGER NOT NULL, actor TEXT NOT NULL,"
    "  change TEXT NOT NULL);"
    "CREATE INDEX history_booking ON history(booking_id, id);"
    "CREATE TABLE idempotency (key TEXT PRIMARY KEY, status INTEGER NOT NULL,"
    "  body TEXT NOT NULL, created_at INTEGER NOT NULL);"
    "CREATE TABLE busy (id INTEGER PRIMARY KEY AUTOINCREMENT, calendar_id INTEGER NOT NULL"
    "  REFERENCES calendars(id) ON DELETE CASCADE, start_at INTEGER NOT NULL,"
    "  end_at INTEGER NOT NULL, uid TEXT, summary TEXT);"
    "CREATE INDEX busy_calendar ON busy(calendar_id, start_at);"
    "CREATE TABLE calstate (calendar_id INTEGER PRIMARY KEY REFERENCES calendars(id)"
    "  ON DELETE CASCADE, last_attempt INTEGER NOT NULL DEFAULT 0,"
    "  last_sync INTEGER NOT NULL DEFAULT 0, last_error TEXT, ctag TEXT, sync_token TEXT,"
    "  etag TEXT, events INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, booking_id INTEGER NOT NULL"
    "  REFERENCES bookings(id), kind TEXT NOT NULL, payload TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'done')),"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,"
    "  lease_until INTEGER NOT NULL DEFAULT 0, last_error TEXT, created_at INTEGER NOT NULL);"
    "CREATE INDEX outbox_due ON outbox(state, next_at);"
    "CREATE INDEX outbox_booking ON outbox(booking_id, state, id);",
    /* 2: indexes for the range queries (bookings and busy time by end) */
    "CREATE INDEX bookings_end ON bookings(end_at);"
    "CREATE INDEX assignments_staff_end ON assignments(staff_id, end_at);"
    "CREATE INDEX busy_calendar_end ON busy(calendar_id, end_at);"
    "CREATE INDEX busy_end ON busy(end_at);",
    /* 3: a counter for configuration writes only (see store_config_generation) */
    "INSERT INTO meta(k, v) VALUES ('config', 1);",
    /* 4: busy rows keyed by CalDAV resource (href, etag; NULL for ICS feeds)
     * for incremental sync, and when the calendar was last read in full */
    "ALTER TABLE busy ADD COLUMN href TEXT;"
    "ALTER TABLE busy ADD COLUMN etag TEXT;"
    "CREATE INDEX busy_href ON busy(calendar_id, href);"
    "ALTER TABLE calstate ADD COLUMN last_full INTEGER NOT NULL DEFAULT 0;",
    /* 5: a per-calendar sync claim (store_calstate_claim) */
    "ALTER TABLE calstate ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;",
    /* 6: delivery lanes (store_outbox_add): the event and each recipient's
     * mails of a booking are ordered, independent of each other; only the
     * head of a lane is unblocked, and only unblocked items are indexed */
    "ALTER TABLE outbox ADD COLUMN lane TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE outbox ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0;"
    "UPDATE outbox SET lane = CASE WHEN kind = 'mail' THEN 'mail:' ||"
    "  lower(coalesce(json_extract(payload, '$.to'), '')) ELSE 'event' END;"
    "UPDATE outbox SET blocked = 1 WHERE state = 'pending' AND EXISTS (SELECT 1 FROM outbox p "
    "  WHERE p.booking_id = outbox.booking_id AND p.lane = outbox.lane AND p.state = 'pending'"
    "  AND p.id < outbox.id);"
    "DROP INDEX outbox_due;"
    "DROP INDEX outbox_booking;"
    "CREATE INDEX outbox_ready ON outbox(kind, next_at, id) WHERE state = 'pending'"
    "  AND blocked = 0;"
    "CREATE INDEX outbox_lane ON outbox(booking_id, lane, state, id);",
    /* 7: lean booking lists by end (store_booking_filter.lean) read the index
     * alone: the re-check inside every booking transaction reads a week */
    "CREATE INDEX bookings_end_lean ON bookings(end_at, start_at, status, buffer_min, staff, lat,"
    "  lon, sequence, cal_state, created_at, updated_at);"
    "DROP INDEX bookings_end;",
    /* 8: calendar provider accounts (Google, Microsoft 365) and their OAuth
     * 2.0 grants, sealed; single-use OAuth states; staff connect links (hash
     * only); the id a provider gave a booking's event */
    "CREATE TABLE accounts (id INTEGER PRIMARY KEY AUTOINCREMENT, provider TEXT NOT NULL,"
    "  owner TEXT NOT NULL, email TEXT NOT NULL, access_sealed TEXT, refresh_sealed TEXT,"
    "  expires_at INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'ok', error TEXT,"
    "  version INTEGER NOT NULL DEFAULT 0, refresh_lease INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    "  UNIQUE (provider, owner, email));"
    "CREATE TABLE oauth_states (hash TEXT PRIMARY KEY, provider TEXT NOT NULL,"
    "  owner TEXT NOT NULL, verifier_sealed TEXT NOT NULL, link_hash TEXT,"
    "  expires_at INTEGER NOT NULL);"
    "CREATE TABLE connect_links (hash TEXT PRIMARY KEY, staff_id INTEGER NOT NULL"
    "  REFERENCES staff(id) ON DELETE CASCADE, expires_at INTEGER NOT NULL,"
    "  account_id INTEGER, created_at INTEGER NOT NULL);"
    "CREATE TABLE remote_events (booking_id INTEGER NOT NULL REFERENCES bookings(id)"
    "  ON DELETE CASCADE, calendar_id INTEGER NOT NULL, remote_id TEXT NOT NULL,"
    "  ical_uid TEXT, PRIMARY KEY (booking_id, calendar_id));"
    "CREATE INDEX remote_events_uid ON remote_events(ical_uid);",
    /* 9: the admin's booking search (GET /bookings?q=): a search column
     * written with the booking (agent name, e-mail, address, postal code,
     * lowercase, one per line; store_booking.search) and an FTS5 trigram
     * index over it, kept in step by triggers, so a substring query reads
     * the index, newest first, instead of every booking's body. store.c
     * asks `bookings_fts` for (rowid, search) on both engines. */
    "ALTER TABLE bookings ADD COLUMN search TEXT NOT NULL DEFAULT '';"
    "UPDATE bookings SET search = lower("
    "  coalesce(json_extract(body, '$.agent.name'), '') || char(10) ||"
    "  coalesce(json_extract(body, '$.agent.email'), '') || char(10) ||"
    "  coalesce(json_extract(body, '$.property.address'), '') || char(10) ||"
    "  coalesce(json_extract(body, '$.property.postal_code'), ''));"
    "CREATE VIRTUAL TABLE bookings_fts USING fts5(search, content='bookings',"
    "  content_rowid='id', tokenize='trigram');"
    "INSERT INTO bookings_fts(bookings_fts) VALUES ('rebuild');"
    "CREATE TRIGGER bookings_fts_insert AFTER INSERT ON bookings BEGIN"
    "  INSERT INTO bookings_fts(rowid, search) VALUES (new.id, new.search); END;"
    "CREATE TRIGGER bookings_fts_delete AFTER DELETE ON bookings BEGIN"
    "  INSERT INTO bookings_fts(bookings_fts, rowid, search) VALUES ('delete', old.id,"
    "  old.search); END;"
    "CREATE TRIGGER bookings_fts_update AFTER UPDATE OF search ON bookings BEGIN"
    "  INSERT INTO bookings_fts(bookings_fts, rowid, search) VALUES ('delete', old.id,"
    "  old.search);"
    "  INSERT INTO bookings_fts(rowid, search) VALUES (new.id, new.search); END;",
    /* 10: answers of the address search service (app/geocode.c), reused for
     * TRIPOD_GEOCODER_CACHE_DAYS so repeated look-ups do not reach it */
    "CREATE TABLE geocode_cache (query TEXT PRIMARY KEY, answer TEXT NOT NULL,"
    "  fetched_at INTEGER NOT NULL);",
};

/* ---- errors ---- */

static int map_rc(sq_conn *c, int rc)
{
    if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return STORE_OK;
    snprintf(c->err, sizeof c->err, "sqlite: %s", sqlite3_errmsg(c->db));
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        return STORE_CONFLICT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_RETRY;
    default:
        return STORE_ERROR;
    }
}

/* ---- connections ---- */

static int conn_open(sq_store *s, sq_conn *c, char *err, size_t errlen)
{
    static const char pragmas[] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                  "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";
    int rc = sqlite3_open_v2(
        s->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(c->db, pragmas, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", s->path,
                 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sqlite3_close(c->db);
        c->db = NULL;
        return STORE_ERROR;
    }
    c->base.drv = &db_sqlite_driver;
    c->owner = s;
    return STORE_OK;
}

static void conn_close(sq_conn *c)
{
    for (int i = 0; i < STMT_CACHE; i++)
        if (c->cache[i].stmt) sqlite3_finalize(c->cache[i].stmt);
    memset(c->cache, 0, sizeof c->cache);
    sqlite3_close(c->db);
    c->db = NULL;
}

static void sq_close(store *st)
{
    sq_store *s = (sq_store *)st;
    for (int i = 0; i < POOL_SIZE; i++)
        if (s->conns[i].db) conn_close(&s->conns[i]);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->freed);
    pthread_mutex_destroy(&s->write_lock);
    free(s->path);
    free(s);
}

static int sq_open(const char *url, const char *data_dir, int pool, store **out, char *err,
                   size_t errlen)
{
    (void)pool; /* SQLite opens a connection per thread as needed */
    (void)url;
    const char *dir = data_dir && *data_dir ? data_dir : "data";
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create data dir %s: %s", dir, strerror(errno));
        return STORE_ERROR;
    }
    sq_store *s = calloc(1, sizeof *s);
    size_t n = strlen(dir) + sizeof "/tripod.db";
    if (!s || !(s->path = malloc(n))) {
        free(s);
        snprintf(err, errlen, "out of memory");
        return STORE_ERROR;
    }
    snprintf(s->path, n, "%s/tripod.db", dir);
    s->base.drv = &db_sqlite_driver;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->freed, NULL);
    pthread_mutex_init(&s->write_lock, NULL);
    /* Open one connection now so that an unusable dir or file fails at start. */
    if (conn_open(s, &s->conns[0], err, errlen) != STORE_OK) {
        sq_close(&s->base);
        return STORE_ERROR;
    }
    *out = &s->base;
    return STORE_OK;
}

static store_conn *sq_acquire(store *st)
{
    sq_store *s = (sq_store *)st;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        for (int i = 0; i < POOL_SIZE; i++) {
            sq_conn *c = &s->conns[i];
            if (c->busy) continue;
            if (!c->db) {
                char err[256];
                if (conn_open(s, c, err, sizeof err) != STORE_OK) {
                    fprintf(stderr, "store: %s\n", err);
                    pthread_mutex_unlock(&s->lock);
                    return NULL;
                }
            }
            c->busy = 1;
            c->err[0] = '\0';
            pthread_mutex_unlock(&s->lock);
            return &c->base;
        }
        pthread_cond_wait(&s->freed, &s->lock);
    }
}

static void sq_release(store_conn *sc)
{
    sq_conn *c = (sq_conn *)sc;
    sq_store *s = c->owner;
    if (c->holds_write) {
        c->holds_write = 0;
        pthread_mutex_unlock(&s->write_lock);
    }
    pthread_mutex_lock(&s->lock);
    c->busy = 0;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->lock);
}

static const char *sq_errmsg(store_conn *sc)
{
    sq_conn *c = (sq_conn *)sc;
    return c->err[0] ? c->err : "no error";
}

static int run_plain(sq_conn *c, const char *sql)
{
    return map_rc(c, sqlite3_exec(c->db, sql, NULL, NULL, NULL));
}

static void drop_write(sq_conn *c)
{
    if (c->holds_write) {
        c->holds_write = 0;
        pthread_mutex_unlock(&c->owner->write_lock);
    }
}

/* Back to durable commits after a lazy transaction. */
static void end_lazy(sq_conn *c)
{
    if (c->lazy) sqlite3_exec(c->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    c->lazy = 0;
}

static int sq_begin(store_conn *sc, int write)
{
    sq_conn *c = (sq_conn *)sc;
    if (write) {
        pthread_mutex_lock(&c->owner->write_lock);
        c->holds_write = 1;
    }
    int rc = STORE_OK;
    if (write == STORE_WRITE_LAZY && (rc = run_plain(c, "PRAGMA synchronous=NORMAL")) == STORE_OK)
        c->lazy = 1;
    if (rc == STORE_OK) rc = run_plain(c, write ? "BEGIN IMMEDIATE" : "BEGIN");
    if (rc != STORE_OK) {
        end_lazy(c);
        drop_write(c);
    }
    return rc;
}

static int sq_commit(store_conn *sc)
{
    sq_conn *c = (sq_conn *)sc;
    int rc = run_plain(c, "COMMIT");
    if (rc == STORE_OK) {
        end_lazy(c);
        drop_write(c);
    }
    return rc;
}

static void sq_rollback(store_conn *sc)
{
    sq_conn *c = (sq_conn *)sc;
    if (!sqlite3_get_autocommit(c->db)) sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    end_lazy(c);
    drop_write(c);
}

/* ---- statements ---- */

static sqlite3_stmt *stmt_for(sq_conn *c, const char *sql, int *rc)
{
    size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE;
    for (size_t i = 0; i < STMT_CACHE; i++) {
        stmt_slot *sl = &c->cache[(h + i) % STMT_CACHE];
        if (sl->sql == sql) {
            sqlite3_reset(sl->stmt);
            sqlite3_clear_bindings(sl->stmt);
            return sl->stmt;
        }
        if (!sl->sql) {
            *rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &sl->stmt, NULL);
            if (*rc != SQLITE_OK) return NULL;
            sl->sql = sql;
            return sl->stmt;
        }
    }
    /* Cache full: a transient statement the caller must finalize. */
    sqlite3_stmt *st = NULL;
    *rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
    return st;
}

static int stmt_cached(sq_conn *c, sqlite3_stmt *st)
{
    for (int i = 0; i < STMT_CACHE; i++)
        if (c->cache[i].stmt == st) return 1;
    return 0;
}

static int row_is_null(const db_row *r, int col)
{
    return sqlite3_column_type((sqlite3_stmt *)r, col) == SQLITE_NULL;
}
static int64_t row_int(const db_row *r, int col)
{
    return sqlite3_column_int64((sqlite3_stmt *)r, col);
}
static double row_real(const db_row *r, int col)
{
    if (row_is_null(r, col)) return NAN;
    return sqlite3_column_double((sqlite3_stmt *)r, col);
}
static const char *row_text(const db_row *r, int col)
{
    return (const char *)sqlite3_column_text((sqlite3_stmt *)r, col);
}

static const db_row_ops sq_row_ops = {row_is_null, row_int, row_real, row_text};

static int sq_exec(store_conn *sc, const char *sql, const db_val *params, int nparams, db_row_cb cb,
                   void *ctx, int64_t *changes)
{
    sq_conn *c = (sq_conn *)sc;
    int rc = SQLITE_OK, out = STORE_OK;
    sqlite3_stmt *st = stmt_for(c, sql, &rc);
    if (!st) return map_rc(c, rc);
    for (int i = 0; i < nparams && rc == SQLITE_OK; i++) {
        const db_val *v = &params[i];
        switch (v->t) {
        case DB_INT:
            rc = sqlite3_bind_int64(st, i + 1, v->i);
            break;
        case DB_REAL:
            rc = sqlite3_bind_double(st, i + 1, v->d);
            break;
        case DB_TEXT:
            rc = sqlite3_bind_text(st, i + 1, v->s, -1, SQLITE_STATIC);
            break;
        default:
            rc = sqlite3_bind_null(st, i + 1);
        }
    }
    if (rc != SQLITE_OK) {
        out = map_rc(c, rc);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (cb && (out = cb(ctx, &sq_row_ops, (const db_row *)st)) != 0) goto out;
    }
    out = map_rc(c, rc);
    if (out == STORE_OK && changes) *changes = sqlite3_changes(c->db);
out:
    if (stmt_cached(c, st))
        sqlite3_reset(st);
    else
        sqlite3_finalize(st);
    return out;
}

static int sq_exec_script(store_conn *sc, const char *sql)
{
    return run_plain((sq_conn *)sc, sql);
}

static int sq_lock_staff(store_conn *sc, int64_t staff)
{
    (void)sc;
    (void)staff;
    return STORE_OK; /* BEGIN IMMEDIATE already holds the database's one write lock */
}

static void sq_pool_error(store *st, char *buf, size_t len)
{
    snprintf(buf, len, "cannot open %s (see the log for why)", ((sq_store *)st)->path);
}

const db_driver db_sqlite_driver = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .migrations = migrations,
    .nmigrations = (int)(sizeof migrations / sizeof migrations[0]),
    .migrate_lock = NULL,
    .exec_script = sq_exec_script,
    .lock_staff = sq_lock_staff,
    .acquire = sq_acquire,
    .pool_error = sq_pool_error,
    .release = sq_release,
    .errmsg = sq_errmsg,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .exec = sq_exec,
};
