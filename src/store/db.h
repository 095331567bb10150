/* db.h — the store's private driver interface (src/store only). store.c
 * writes every query once, in SQL both engines accept, with `?` placeholders;
 * a driver (db_sqlite.c, db_pg.c) runs it, owns the connections and the
 * schema migrations, and maps engine errors to STORE_* codes. */
#ifndef TRIPOD_DB_H
#define TRIPOD_DB_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef enum { DB_NULL = 0, DB_INT, DB_REAL, DB_TEXT } db_type;

/* A bound parameter. TEXT is borrowed for the call. */
typedef struct {
    db_type t;
    int64_t i;
    double d;
    const char *s;
} db_val;

static inline db_val db_text_val(const char *s)
{
    return (db_val){.t = s ? DB_TEXT : DB_NULL, .s = s};
}
#define DBI(x) ((db_val){.t = DB_INT, .i = (int64_t)(x)})
#define DBR(x) ((db_val){.t = DB_REAL, .d = (x)})
#define DBT(x) db_text_val(x) /* NULL becomes SQL NULL */
#define DBN ((db_val){.t = DB_NULL})

typedef struct db_row db_row; /* driver-specific; valid during the row callback only */

/* Row accessors (column index from 0). Text is borrowed for the callback;
 * NULL columns give 0, NAN and NULL respectively. */
typedef struct {
    int (*is_null)(const db_row *r, int col);
    int64_t (*get_int)(const db_row *r, int col);
    double (*get_real)(const db_row *r, int col);
    const char *(*get_text)(const db_row *r, int col);
} db_row_ops;

/* Called per result row; a non-zero return stops the query and is returned
 * by db_exec (so use values outside the STORE_* range, e.g. 100+). */
typedef int (*db_row_cb)(void *ctx, const db_row_ops *ops, const db_row *row);

/* What an engine provides. Every function is required. */
typedef struct db_driver {
    const char *name; /* "sqlite", "postgres" */
    /* Open a pool for URL / DATA_DIR; on error return STORE_ERROR with ERR set. */
    int (*open)(const char *url, const char *data_dir, int pool, store **out, char *err,
                size_t errlen);
    void (*close)(store *s);
    /* The schema: entry v upgrades version v to v + 1 (store.c runs them in
     * one write transaction, after MIGRATE_LOCK when set, and records the
     * version in the meta table). Never edit a released entry. */
    const char *const *migrations;
    int nmigrations;
    const char *migrate_lock;
    /* Runs several statements without parameters (a migration script). */
    int (*exec_script)(store_conn *c, const char *sql);
    /* Serialises, until the transaction ends, the writers of the assignments
     * of staff member STAFF (PostgreSQL: an advisory lock, taken in id order
     * by store_booking_*, so that racing bookings queue instead of
     * deadlocking on the exclusion constraint; SQLite: its single writer
     * already does, nothing to do). */
    int (*lock_staff)(store_conn *c, int64_t staff);
    /* NULL when the pool cannot open a connection (see pool_error). */
    store_conn *(*acquire)(store *s);
    /* Why the last connection attempt failed, into BUF. */
    void (*pool_error)(store *s, char *buf, size_t len);
    void (*release)(store_conn *c);
    const char *(*errmsg)(store_conn *c);
    int (*begin)(store_conn *c, int write);
    int (*commit)(store_conn *c);
    void (*rollback)(store_conn *c);
    /* Runs SQL (one statement, `?` placeholders) with PARAMS. CB (may be NULL)
     * sees each row. *CHANGES (may be NULL) gets the rows changed. Returns
     * STORE_OK, STORE_CONFLICT (unique/exclusion/foreign-key violation),
     * STORE_RETRY (busy/serialization/lost connection) or STORE_ERROR; or the
     * callback's non-zero value. Statements are prepared once per connection
     * and cached (keyed by the SQL text pointer, so SQL must be static). */
    int (*exec)(store_conn *c, const char *sql, const db_val *params, int nparams, db_row_cb cb,
                void *ctx, int64_t *changes);
} db_driver;

/* Every store and connection starts with its driver, so store.c can dispatch. */
struct store {
    const db_driver *drv;
};
struct store_conn {
    const db_driver *drv;
    int in_tx, tx_write;
    int tx_dirty; /* kept by store.c: DIRTY_* bits; a write tx bumps each counter once */
};

extern const db_driver db_sqlite_driver;
extern const db_driver db_pg_driver;

/* ---- helpers shared by the store_*.c files (private to src/store) ---- */

/* Column accessors inside a db_row_cb (which names its arguments ops, row). */
#define COL_INT(c) ops->get_int(row, (c))
#define COL_REAL(c) ops->get_real(row, (c))
#define COL_TEXT(c) ops->get_text(row, (c))
#define COL_NULL(c) ops->is_null(row, (c))

/* A statement whose SQL starts with this comment is planned for the values of
 * each run (PostgreSQL: prepared unnamed each time, never kept as a generic
 * plan), for queries whose best plan depends on them, such as LIKE patterns
 * a trigram index serves for some values and not for others. */
#define DB_PLAN_PER_RUN "/* plan per run */ "

/* Runs SQL with a fixed-size PARAMS array. */
#define EXEC(c, sql, params, cb, ctx, changes)                                                     \
    (c)->drv->exec((c), (sql), (params), (int)(sizeof(params) / sizeof((params)[0])), (cb), (ctx), \
                   (changes))

/* What a write transaction changed, so that commit bumps the right counters. */
enum { DIRTY_BOOKINGS = 1, DIRTY_CONFIG = 2 };

/* A write runs inside the caller's transaction, or in one of its own:
 * store__wbegin opens it when needed (DIRTY: which counters the write bumps,
 * 0 for writes availability ignores), store__wend commits or rolls back what
 * wbegin opened and returns RC. */
int store__wbegin(store_conn *c, int dirty, int *own);
int store__wend(store_conn *c, int own, int rc);
/* Runs SQL and answers STORE_NOTFOUND when no row changed. */
int store__exec_one_change(store_conn *c, const char *sql, const db_val *p, int n);

char *store__dup(const char *s); /* strdup that passes NULL through */
void store__copy_str(char *dst, size_t len, const char *src);
void store__hex32(const uint8_t h[32], char out[65]);
int store__unhex32(const char *s, uint8_t h[32]);
db_val store__real_or_null(double v); /* NAN → SQL NULL */
/* Row callbacks keeping the first row's column 0 in *(int64_t *)ctx or
 * *(char **)ctx (malloc'ed; 100 when memory ran out). */
int store__row_first_int(void *ctx, const db_row_ops *ops, const db_row *row);
int store__row_first_text(void *ctx, const db_row_ops *ops, const db_row *row);

#endif
