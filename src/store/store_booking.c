/* store_booking.c — bookings with their staff assignments, change history
 * and idempotency keys, in the portable SQL of store.c. */
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

/* ---- bookings ---- */

#define BOOKING_COLS                                                                               \
    "b.id, b.status, b.start_at, b.end_at, b.buffer_min, b.staff, b.lat, b.lon, b.manage_hash, "   \
    "b.body, b.sequence, b.cal_state, b.cal_error, b.created_at, b.updated_at"
/* The same columns without the large or secret ones (store_booking_filter.lean). */
#define BOOKING_COLS_LEAN                                                                          \
    "b.id, b.status, b.start_at, b.end_at, b.buffer_min, b.staff, b.lat, b.lon, NULL, "            \
    "NULL, b.sequence, b.cal_state, NULL, b.created_at, b.updated_at"

void store_booking_clear(store_booking *b)
{
    if (!b) return;
    free(b->body);
    free(b->cal_error);
    free(b->search);
    memset(b, 0, sizeof *b);
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
        if (end == s) break;
        b->staff[b->nstaff++] = v;
        s = *end == ',' ? end + 1 : end;
    }
}

/* Fills B from a row of BOOKING_COLS. Returns 0 or 100 when memory ran out. */
static int booking_from_row(const db_row_ops *ops, const db_row *row, store_booking *b)
{
    memset(b, 0, sizeof *b);
    b->id = COL_INT(0);
    store__copy_str(b->status, sizeof b->status, COL_TEXT(1));
    b->start = COL_INT(2);
    b->end = COL_INT(3);
    b->buffer_min = (int)COL_INT(4);
    staff_parse(COL_TEXT(5), b);
    b->lat = COL_NULL(6) ? NAN : COL_REAL(6);
    b->lon = COL_NULL(7) ? NAN : COL_REAL(7);
    if (!COL_NULL(8)) store__unhex32(COL_TEXT(8), b->manage_hash);
    b->body = COL_NULL(9) ? NULL : store__dup(COL_TEXT(9));
    b->sequence = (int)COL_INT(10);
    store__copy_str(b->cal_state, sizeof b->cal_state, COL_TEXT(11));
    b->cal_error = store__dup(COL_TEXT(12));
    b->created = COL_INT(13);
    b->updated = COL_INT(14);
    if ((!COL_NULL(9) && !b->body) || (COL_TEXT(12) && !b->cal_error)) {
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
    static const char ins[] =
        "INSERT INTO assignments(booking_id, pos, staff_id, start_at, end_at, "
        "buffer_min, active) VALUES (?, ?, ?, ?, ?, ?, ?)";
    /* Lock the crew in ascending id order (two racing crews never wait on
     * each other in a cycle). */
    int64_t crew[STORE_MAX_CREW];
    int n = b->nstaff < STORE_MAX_CREW ? b->nstaff : STORE_MAX_CREW;
    for (int i = 0; i < n; i++)
        crew[i] = b->staff[i];
    if (n == 2 && crew[0] > crew[1]) {
        int64_t t = crew[0];
        crew[0] = crew[1];
        crew[1] = t;
    }
    for (int i = 0; i < n; i++) {
        int rc = c->drv->lock_staff(c, crew[i]);
        if (rc != STORE_OK) return rc;
    }
    db_val pd[] = {DBI(b->id)};
    int rc = EXEC(c, del, pd, NULL, NULL, NULL);
    int active = strcmp(b->status, "cancelled") != 0;
    for (int i = 0; rc == STORE_OK && i < b->nstaff; i++) {
        db_val p[] = {DBI(b->id),         DBI(i),     DBI(b->staff[i]), DBI(b->start), DBI(b->end),
                      DBI(b->buffer_min), DBI(active)};
        rc = EXEC(c, ins, p, NULL, NULL, NULL);
    }
    return rc;
}

int store_booking_insert(store_conn *c, store_booking *b)
{
    static const char sql[] =
        "INSERT INTO bookings(status, start_at, end_at, buffer_min, staff, lat, lon, manage_hash, "
        "body, sequence, cal_state, cal_error, created_at, updated_at, search) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    char hx[65], staff[64];
    store__hex32(b->manage_hash, hx);
    staff_text(b, staff, sizeof staff);
    int own, rc = store__wbegin(c, DIRTY_BOOKINGS, &own);
    if (rc) return rc;
    db_val p[] = {DBT(b->status),
                  DBI(b->start),
                  DBI(b->end),
                  DBI(b->buffer_min),
                  DBT(staff),
                  store__real_or_null(b->lat),
                  store__real_or_null(b->lon),
                  DBT(hx),
                  DBT(b->body ? b->body : "{}"),
                  DBI(b->sequence),
                  DBT(b->cal_state[0] ? b->cal_state : "pending"),
                  DBT(b->cal_error),
                  DBI(b->created),
                  DBI(b->updated),
                  DBT(b->search ? b->search : "")};
    b->id = 0;
    rc = EXEC(c, sql, p, store__row_first_int, &b->id, NULL);
    if (rc == STORE_OK) rc = write_assignments(c, b);
    return store__wend(c, own, rc);
}

int store_booking_update(store_conn *c, const store_booking *b)
{
    static const char sql[] =
        "UPDATE bookings SET status = ?, start_at = ?, end_at = ?, buffer_min = ?, staff = ?, "
        "lat = ?, lon = ?, body = ?, sequence = ?, cal_state = ?, cal_error = ?, updated_at = ?, "
        "search = COALESCE(?, search) WHERE id = ?";
    char staff[64];
    staff_text(b, staff, sizeof staff);
    int own, rc = store__wbegin(c, DIRTY_BOOKINGS, &own);
    if (rc) return rc;
    db_val p[] = {DBT(b->status),
                  DBI(b->start),
                  DBI(b->end),
                  DBI(b->buffer_min),
                  DBT(staff),
                  store__real_or_null(b->lat),
                  store__real_or_null(b->lon),
                  DBT(b->body ? b->body : "{}"),
                  DBI(b->sequence),
                  DBT(b->cal_state[0] ? b->cal_state : "pending"),
                  DBT(b->cal_error),
                  DBI(b->updated),
                  DBT(b->search),
                  DBI(b->id)};
    rc = store__exec_one_change(c, sql, p, (int)(sizeof p / sizeof p[0]));
    if (rc == STORE_OK) rc = write_assignments(c, b);
    return store__wend(c, own, rc);
}

static int get_one_booking(store_conn *c, const char *sql, db_val key, store_booking *out)
{
    memset(out, 0, sizeof *out);
    db_val p[] = {key};
    int rc = EXEC(c, sql, p, row_booking, out, NULL);
    if (rc == 100) return STORE_ERROR;
    if (rc == STORE_OK && out->id == 0) rc = STORE_NOTFOUND;
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
    store__hex32(hash, hx);
    return get_one_booking(c, sql, DBT(hx), out);
}

int store_booking_set_cal(store_conn *c, int64_t id, const char *state, const char *error)
{
    static const char sql[] = "UPDATE bookings SET cal_state = ?, cal_error = ? WHERE id = ?";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBT(state), DBT(error), DBI(id)};
    rc = store__exec_one_change(c, sql, p, 3);
    return store__wend(c, own, rc);
}

struct booking_walk {
    store_booking_cb cb;
    void *ctx;
};

static int row_booking_walk(void *ctx, const db_row_ops *ops, const db_row *row)
{
    struct booking_walk *w = ctx;
    store_booking b;
    if (booking_from_row(ops, row, &b)) return 100;
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
#define ANY_STAFF(cols)                                                                            \
    "SELECT " cols " FROM bookings b WHERE b.end_at > ? AND +b.start_at < ? "                      \
    "AND (? = '' OR b.status = ?)"
#define ONE_STAFF(cols)                                                                            \
    "SELECT " cols " FROM bookings b JOIN assignments a ON a.booking_id = b.id "                   \
    "WHERE a.staff_id = ? AND a.end_at > ? AND +a.start_at < ? "                                   \
    "AND (? = '' OR b.status = ?)"
    /* Sorting whole rows cost more than reading them: lean rows come unsorted. */
    static const char *const any_staff[2] = {ANY_STAFF(BOOKING_COLS) " ORDER BY +b.start_at, b.id",
                                             ANY_STAFF(BOOKING_COLS_LEAN)};
    static const char *const one_staff[2] = {ONE_STAFF(BOOKING_COLS) " ORDER BY b.start_at, b.id",
                                             ONE_STAFF(BOOKING_COLS_LEAN)};
#undef ANY_STAFF
#undef ONE_STAFF
    int ranged = f->from != 0 || f->to != 0, lean = f->lean != 0;
    tp_time from = ranged ? f->from : INT64_MIN, to = ranged ? f->to : INT64_MAX;
    const char *status = f->status ? f->status : "";
    struct booking_walk w = {cb, ctx};
    int rc;
    if (f->staff) {
        db_val p[] = {DBI(f->staff), DBI(from), DBI(to), DBT(status), DBT(status)};
        rc = EXEC(c, one_staff[lean], p, row_booking_walk, &w, NULL);
    } else {
        db_val p[] = {DBI(from), DBI(to), DBT(status), DBT(status)};
        rc = EXEC(c, any_staff[lean], p, row_booking_walk, &w, NULL);
    }
    return rc == 100 ? STORE_ERROR : rc;
}

/* Characters (not bytes) of UTF-8 text T. */
static size_t utf8_chars(const char *t)
{
    size_t n = 0;
    for (; *t; t++)
        n += ((unsigned char)*t & 0xC0) != 0x80;
    return n;
}

/* Three statements, each reading one index: the search index (bookings_fts:
 * SQLite's FTS5 trigram table, PostgreSQL's view over the pg_trgm-indexed
 * column) in id order for terms of three characters or more; without such
 * terms, the bookings by end for a range of at most STORE_PAGE_RANGE_DAYS
 * (few rows, sorted by id: the schedule's day or week), else the primary key
 * in id order. The id walks stop at the limit. Shorter terms (no trigram to
 * look up) are checked on each row read. Unused terms are '%', which every
 * text matches; in the index they come last, after every real term (SQLite
 * 3.40's FTS5 crashes on a short LIKE pattern followed by a longer one in
 * one query). Each is planned for its values: a generic plan would take the
 * trigram index even for the unused '%'. */
int store_booking_list_page(store_conn *c, const store_booking_page *p, store_booking_cb cb,
                            void *ctx)
{
#define PAGE_TERMS                                                                                 \
    "AND b.search LIKE ? AND b.search LIKE ? AND b.search LIKE ? AND b.search LIKE ? "
#define PAGE_FILTERS                                                                               \
    "AND (? = '' OR b.status = ?) "                                                                \
    "AND (? = 0 OR EXISTS (SELECT 1 FROM assignments a WHERE a.booking_id = b.id "                 \
    "AND a.staff_id = ?)) "
    static const char by_id[] = DB_PLAN_PER_RUN
        "SELECT " BOOKING_COLS " FROM bookings b WHERE b.id < ? " PAGE_TERMS
        "AND b.end_at > ? AND b.start_at < ? " PAGE_FILTERS "ORDER BY b.id DESC LIMIT ?";
    /* The unary `+`s keep SQLite on the index by end: neither a walk down
     * every id nor one over every booking that started before the range. */
    static const char by_range[] = DB_PLAN_PER_RUN
        "SELECT " BOOKING_COLS " FROM bookings b WHERE +b.id < ? " PAGE_TERMS
        "AND b.end_at > ? AND +b.start_at < ? " PAGE_FILTERS "ORDER BY +b.id DESC LIMIT ?";
    static const char by_search[] = DB_PLAN_PER_RUN
        "SELECT " BOOKING_COLS " FROM bookings_fts f JOIN bookings b ON b.id = f.rowid "
        "WHERE f.search LIKE ? AND f.search LIKE ? AND f.search LIKE ? AND f.search LIKE ? "
        "AND f.rowid < ? " PAGE_TERMS "AND b.end_at > ? AND b.start_at < ? " PAGE_FILTERS
        "ORDER BY f.rowid DESC LIMIT ?";
#undef PAGE_TERMS
#undef PAGE_FILTERS
    const store_booking_filter *f = &p->f;
    int ranged = f->from != 0 || f->to != 0;
    const char *status = f->status ? f->status : "";
    int64_t before = p->before > 0 ? p->before : INT64_MAX;
    /* like[0..4): the index's patterns (long terms); like[4..8): the rows' (short terms). */
    char *like[2 * STORE_SEARCH_TERMS] = {NULL};
    int nlong = 0, nshort = 0, rc = STORE_OK;
    for (int i = 0; i < STORE_SEARCH_TERMS && rc == STORE_OK; i++) {
        const char *t = p->terms[i];
        if (!t || !*t) continue;
        int k = utf8_chars(t) >= 3 ? nlong++ : STORE_SEARCH_TERMS + nshort++;
        size_t n = strlen(t) + 3;
        if (!(like[k] = malloc(n)))
            rc = STORE_ERROR;
        else
            snprintf(like[k], n, "%%%s%%", t);
    }
    const char *pat[2 * STORE_SEARCH_TERMS];
    for (int i = 0; i < 2 * STORE_SEARCH_TERMS; i++)
        pat[i] = like[i] ? like[i] : "%";
    struct booking_walk w = {cb, ctx};
    db_val filters[] = {DBT(pat[4]),
                        DBT(pat[5]),
                        DBT(pat[6]),
                        DBT(pat[7]),
                        DBI(ranged ? f->from : INT64_MIN),
                        DBI(ranged ? f->to : INT64_MAX),
                        DBT(status),
                        DBT(status),
                        DBI(f->staff),
                        DBI(f->staff),
                        DBI(p->limit)};
    if (rc == STORE_OK && nlong) {
        db_val q[] = {DBT(pat[0]), DBT(pat[1]), DBT(pat[2]), DBT(pat[3]), DBI(before), filters[0],
                      filters[1],  filters[2],  filters[3],  filters[4],  filters[5],  filters[6],
                      filters[7],  filters[8],  filters[9],  filters[10]};
        rc = EXEC(c, by_search, q, row_booking_walk, &w, NULL);
    } else if (rc == STORE_OK) {
        db_val q[] = {DBI(before), filters[0], filters[1], filters[2], filters[3], filters[4],
                      filters[5],  filters[6], filters[7], filters[8], filters[9], filters[10]};
        int narrow = ranged && f->to - f->from <= (tp_time)STORE_PAGE_RANGE_DAYS * 86400;
        rc = EXEC(c, narrow ? by_range : by_id, q, row_booking_walk, &w, NULL);
    }
    for (int i = 0; i < 2 * STORE_SEARCH_TERMS; i++)
        free(like[i]);
    return rc == 100 ? STORE_ERROR : rc;
}

/* ---- history ---- */

int store_history_add(store_conn *c, int64_t booking, tp_time at, const char *actor,
                      const char *change_json)
{
    static const char sql[] =
        "INSERT INTO history(booking_id, at, actor, change) VALUES (?, ?, ?, ?)";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBI(booking), DBI(at), DBT(actor), DBT(change_json)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return store__wend(c, own, rc);
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
    r->body = store__dup(COL_TEXT(1));
    return r->body ? 0 : 100;
}

int store_idem_get(store_conn *c, const char *key, int *status, char **body_out)
{
    static const char sql[] = "SELECT status, body FROM idempotency WHERE key = ?";
    db_val p[] = {DBT(key)};
    struct idem_row r = {0, 0, NULL};
    *body_out = NULL;
    int rc = EXEC(c, sql, p, row_idem, &r, NULL);
    if (rc == 100) return STORE_ERROR;
    if (rc == STORE_OK && !r.found) return STORE_NOTFOUND;
    *status = r.status;
    *body_out = r.body;
    return rc;
}

int store_idem_put(store_conn *c, const char *key, int status, const char *body, tp_time now)
{
    static const char sql[] = "INSERT INTO idempotency(key, status, body, created_at) "
                              "VALUES (?, ?, ?, ?)";
    int own, rc = store__wbegin(c, 0, &own);
    if (rc) return rc;
    db_val p[] = {DBT(key), DBI(status), DBT(body), DBI(now)};
    rc = EXEC(c, sql, p, NULL, NULL, NULL);
    return store__wend(c, own, rc);
}
