/* booking_list.c — the admin's booking list and CSV export (booking_list.h):
 * the query's text turned into a store page (search words, filters, an
 * opaque cursor), walked newest first. */
#include "app/booking_list.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/avail_request.h"
#include "app/booking_csv.h"
#include "app/booking_view.h"
#include "app/validate.h"

#define CSV_PAGE 500             /* bookings read per store page while exporting */
#define CURSOR_PREFIX "booking:" /* what a cursor encodes, before the last id listed */

/* A query parsed for the store; owns the folded search text. */
typedef struct {
    store_booking_page page;
    char q[BOOKING_LIST_MAX_Q + 1]; /* the folded words, NUL-separated */
} list_query;

/* A "from"/"to" filter: a date (business zone; TO inclusive) or a time. */
static int list_bound(const snapshot *s, const char *text, int is_to, tp_time *t, outcome *o)
{
    int64_t day;
    if (!text || !*text) return 0;
    if (tz_parse_date(text, &day) == 0) {
        *t = tz_local_to_utc(s->rules.tz, (day + (is_to ? 1 : 0)) * 86400);
        return 0;
    }
    return avail_request_parse_time(text, t, is_to ? "to" : "from", o);
}

/* Splits Q into at most STORE_SEARCH_TERMS words (folded; LIKE's wildcards
 * % _ \ count as spaces); words past the last slot join the last one. */
static int list_terms(list_query *lq, const char *q, outcome *o)
{
    if (!q || !*q) return 0;
    if (strlen(q) > BOOKING_LIST_MAX_Q)
        return outcome_fail(o, OUT_INVALID, "validation", "q", "search with at most %d characters",
                            BOOKING_LIST_MAX_Q);
    snprintf(lq->q, sizeof lq->q, "%s", q);
    booking_view_fold(lq->q);
    int n = 0;
    char *p = lq->q;
    while (*p) {
        while (*p && strchr(" \t\r\n%_\\", *p))
            *p++ = '\0';
        if (!*p) break;
        if (n == STORE_SEARCH_TERMS) {
            /* Joins this word to the last one: the NULs before it become spaces. */
            for (char *b = p - 1; b > lq->page.terms[n - 1] && *b == '\0'; b--)
                *b = ' ';
        } else {
            lq->page.terms[n++] = p;
        }
        while (*p && !strchr(" \t\r\n%_\\", *p))
            p++;
    }
    return 0;
}

static int list_cursor(list_query *lq, const char *cursor, outcome *o)
{
    unsigned char raw[64];
    size_t len = 0;
    long long id;
    char text[sizeof raw + 1], tail;
    if (!cursor || !*cursor) return 0;
    if (sodium_base642bin(raw, sizeof raw - 1, cursor, strlen(cursor), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0) {
        memcpy(text, raw, len);
        text[len] = '\0';
        if (strncmp(text, CURSOR_PREFIX, strlen(CURSOR_PREFIX)) == 0 &&
            sscanf(text + strlen(CURSOR_PREFIX), "%lld%c", &id, &tail) == 1 && id > 0) {
            lq->page.before = id;
            return 0;
        }
    }
    return outcome_fail(o, OUT_INVALID, "validation", "cursor",
                        "cursor is not one this list gave; start again without it");
}

/* The opaque cursor after booking ID into OUT (64 bytes). */
static void list_cursor_text(int64_t id, char out[64])
{
    char text[40];
    int n = snprintf(text, sizeof text, CURSOR_PREFIX "%lld", (long long)id);
    sodium_bin2base64(out, 64, (const unsigned char *)text, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* BQ on snapshot S into LQ (the limit DEF unless BQ gives one). 0, or -1 with O. */
static int list_parse(const snapshot *s, const booking_query *bq, int def, list_query *lq,
                      outcome *o)
{
    store_booking_filter *f = &lq->page.f;
    memset(lq, 0, sizeof *lq);
    lq->page.limit = def;
    if (list_bound(s, bq->from, 0, &f->from, o) != 0 || list_bound(s, bq->to, 1, &f->to, o) != 0)
        return -1;
    if (f->from && !f->to) f->to = INT64_MAX / 2;
    if (f->to && !f->from) f->from = INT64_MIN / 2;
    if (bq->staff && *bq->staff && val_id_text(bq->staff, &f->staff) != 0)
        return outcome_fail(o, OUT_INVALID, "validation", "staff", "staff is a staff id");
    if (bq->status && *bq->status) {
        if (strcmp(bq->status, "confirmed") != 0 && strcmp(bq->status, "cancelled") != 0)
            return outcome_fail(o, OUT_INVALID, "validation", "status",
                                "status is confirmed or cancelled");
        f->status = bq->status;
    }
    if (bq->limit && *bq->limit) {
        char *end;
        long n = strtol(bq->limit, &end, 10);
        if (*end || end == bq->limit || n < 1 || n > BOOKING_LIST_MAX_LIMIT)
            return outcome_fail(o, OUT_INVALID, "validation", "limit",
                                "limit is a whole number from 1 to %d", BOOKING_LIST_MAX_LIMIT);
        lq->page.limit = (int)n;
    }
    return list_terms(lq, bq->q, o) == 0 && list_cursor(lq, bq->cursor, o) == 0 ? 0 : -1;
}

typedef struct {
    store_conn *c;
    const snapshot *s;
    json_t *arr;      /* the page's booking objects (list) */
    booking_csv *csv; /* or the export's rows */
    int64_t last;     /* id of the last booking walked */
    int n, want;      /* walked so far; how many the page keeps */
} list_walk;

static int list_row(void *ctx, const store_booking *b)
{
    list_walk *w = ctx;
    if (++w->n > w->want) return 0; /* the look-ahead row: there is a next page */
    json_t *v = booking_view(w->c, w->s, b, 0);
    int rc = !v ? 100 : w->arr ? json_array_append_new(w->arr, v) : booking_csv_add(w->csv, v);
    if (w->csv) json_decref(v);
    w->last = b->id;
    return rc ? 100 : 0;
}

int booking_list(app *a, const booking_query *bq, json_t **answer, outcome *o)
{
    snapshot *s = app_snapshot(a, o);
    store_conn *c = s ? app_conn(a, o) : NULL;
    list_query lq;
    list_walk w = {c, s, NULL, NULL, 0, 0, 0};
    int out = -1;
    if (!c || list_parse(s, bq, BOOKING_LIST_LIMIT, &lq, o) != 0) goto out;
    w.want = lq.page.limit;
    lq.page.limit++; /* one more tells whether a next page exists */
    if (!(w.arr = json_array())) {
        outcome_store(o, STORE_ERROR, NULL);
        goto out;
    }
    int rc = store_booking_list_page(c, &lq.page, list_row, &w);
    if (rc != STORE_OK) {
        outcome_store(o, rc, NULL);
        goto out;
    }
    char next[64];
    if (w.n > w.want) list_cursor_text(w.last, next);
    *answer = json_pack("{s:O, s:o}", "bookings", w.arr, "next_cursor",
                        w.n > w.want ? json_string(next) : json_null());
    out = *answer ? 0 : outcome_store(o, STORE_ERROR, NULL);
out:
    json_decref(w.arr);
    store_release(c);
    snapshot_release(s);
    return out;
}

int booking_list_csv(app *a, const booking_query *bq, char **text, size_t *len, outcome *o)
{
    snapshot *s = app_snapshot(a, o);
    store_conn *c = s ? app_conn(a, o) : NULL;
    list_query lq;
    list_walk w = {c, s, NULL, NULL, 0, 0, 0};
    int out = -1, rc = STORE_OK;
    booking_query all = *bq;
    all.limit = all.cursor = NULL;
    if (!c || list_parse(s, &all, CSV_PAGE, &lq, o) != 0) goto out;
    if (!(w.csv = booking_csv_new(s))) {
        outcome_store(o, STORE_ERROR, NULL);
        goto out;
    }
    /* Page by page, each read in its own statement: no transaction or
     * result set is held for the whole export. */
    do {
        w.n = 0;
        w.want = INT_MAX;
        rc = store_booking_list_page(c, &lq.page, list_row, &w);
        lq.page.before = w.last;
    } while (rc == STORE_OK && w.n == lq.page.limit);
    if (rc != STORE_OK) {
        outcome_store(o, rc, NULL);
        goto out;
    }
    if (!(*text = booking_csv_finish(w.csv, len))) {
        outcome_store(o, STORE_ERROR, NULL);
        goto out;
    }
    out = 0;
out:
    booking_csv_free(w.csv);
    store_release(c);
    snapshot_release(s);
    return out;
}
