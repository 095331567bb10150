/* bench_search.c — the admin's booking list on 50,000 bookings (SQLite in a
 * temp dir, or a PostgreSQL database): one page (50) for a search that
 * matches one booking, one that matches many, two words, a word too short
 * for the trigram index, no search, and a week's filter; the median time of
 * each, through the store's own query. */
#include "bench_search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/booking_view.h"
#include "bench.h"
#include "store/store.h"

#define SEARCH_BOOKINGS 50000
#define SEARCH_RUNS 21
#define SEARCH_T0 1906516800 /* 2030-06-01T00:00:00Z */

static const char *const streets[] = {"Main St",  "Oak Ave",  "Elm St",  "Park Rd",
                                      "Maple Dr", "Cedar Ln", "Pine St", "Lake View"};
static const char *const names[] = {"Alice", "Bob",   "Carol", "Dave", "Erin",    "Frank",
                                    "Grace", "Heidi", "Ivan",  "Judy", "Mallory", "Oscar"};

typedef struct {
    int n;
} count_walk;

static int count_row(void *ctx, const store_booking *b)
{
    (void)b;
    ((count_walk *)ctx)->n++;
    return 0;
}

/* Inserts the bookings in one transaction: booking i is an hour after the
 * previous one, agent "<name> Agent<i>", e-mail agent<i>@realty<i % 50>.test,
 * address "<i % 997> <street>", postal code 1<i % 1000>. */
static int load(store_conn *c)
{
    int64_t staff[2];
    int rc = store_begin(c, STORE_WRITE);
    for (int k = 0; k < 2 && rc == STORE_OK; k++)
        rc = store_doc_insert(c, STORE_STAFF, "{\"name\": \"Bench\"}", &staff[k]);
    for (int i = 0; i < SEARCH_BOOKINGS && rc == STORE_OK; i++) {
        char body[512];
        store_booking b;
        memset(&b, 0, sizeof b);
        snprintf(body, sizeof body,
                 "{\"agent\": {\"name\": \"%s Agent%d\", \"email\": \"agent%d@realty%d.test\"},"
                 " \"property\": {\"address\": \"%d %s\", \"postal_code\": \"1%04d\"}}",
                 names[i % 12], i, i, i % 50, i % 997, streets[i % 8], i % 1000);
        json_t *j = json_loads(body, 0, NULL);
        snprintf(b.status, sizeof b.status, i % 10 ? "confirmed" : "cancelled");
        b.start = SEARCH_T0 + (tp_time)i * 3600;
        b.end = b.start + 3600;
        b.buffer_min = 0;
        b.staff[0] = staff[i % 2];
        b.nstaff = 1;
        b.lat = b.lon = NAN;
        b.manage_hash[0] = (uint8_t)i;
        b.manage_hash[1] = (uint8_t)(i >> 8);
        b.manage_hash[2] = (uint8_t)(i >> 16);
        b.body = strdup(body);
        b.search = j ? booking_view_search(j) : NULL;
        b.created = b.updated = b.start - 86400;
        rc = b.body && b.search ? store_booking_insert(c, &b) : STORE_ERROR;
        json_decref(j);
        store_booking_clear(&b);
    }
    if (rc == STORE_OK) return store_commit(c);
    store_rollback(c);
    return rc;
}

/* Median microseconds of one page for P; *ROWS gets its length. */
static double page_us(store_conn *c, const store_booking_page *p, int *rows)
{
    double us[SEARCH_RUNS];
    for (int r = 0; r < SEARCH_RUNS; r++) {
        count_walk w = {0};
        double a = bench_now_us();
        if (store_booking_list_page(c, p, count_row, &w) != STORE_OK) return -1;
        us[r] = bench_now_us() - a;
        *rows = w.n;
    }
    return bench_median(us, SEARCH_RUNS);
}

int bench_search(const char *url, const char *prefix)
{
    char dir[] = "/tmp/tripod-bench-search-XXXXXX", err[256], name[96];
    store *s = NULL;
    store_conn *c = NULL;
    int rc = 1;
    if (!mkdtemp(dir) || store_open(url, dir, 0, &s, err, sizeof err) != STORE_OK ||
        store_migrate(s, err, sizeof err) != STORE_OK || !(c = store_acquire(s)) ||
        load(c) != STORE_OK) {
        fprintf(stderr, "bench: the booking search store could not be set up\n");
        goto out;
    }
    static const struct {
        const char *name;
        const char *terms[STORE_SEARCH_TERMS];
        int week; /* filter on the shoots of one week in the middle */
    } cases[] = {
        {"booking_search_50k_one_match_us", {"agent31337@"}, 0},
        {"booking_search_50k_many_us", {"main st"}, 0},
        {"booking_search_50k_two_words_us", {"oak", "10041"}, 0},
        {"booking_search_50k_short_word_us", {"zq"}, 0},
        {"booking_list_50k_newest_us", {NULL}, 0},
        {"booking_list_50k_week_us", {NULL}, 1},
    };
    rc = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        store_booking_page p = {.limit = 51};
        memcpy(p.terms, cases[i].terms, sizeof p.terms);
        if (cases[i].week) {
            p.f.from = SEARCH_T0 + (tp_time)SEARCH_BOOKINGS / 2 * 3600;
            p.f.to = p.f.from + 7 * 86400;
        }
        int rows = 0;
        double us = page_us(c, &p, &rows);
        if (us < 0) {
            rc = 1;
            continue;
        }
        snprintf(name, sizeof name, "%s%s", prefix, cases[i].name);
        bench_report(name, us, "us");
        fprintf(stderr, "bench: %s: %d rows\n", name, rows);
    }
out:
    store_release(c);
    store_close(s);
    bench_remove_tree(dir);
    return rc;
}
