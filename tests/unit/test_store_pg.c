/* test_store_pg.c — what only the PostgreSQL store promises: the database
 * itself refuses overlapping shoots (buffer included), racing connections get
 * exactly one winner, sessions killed by the server are replaced, instances
 * migrate together safely, and an unreachable server fails clearly at open.
 * Needs TRIPOD_TEST_DB = postgres://… or TRIPOD_TEST_PG_DIR (see db_url). */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "store/store.h"

#define HOUR 3600
#define MIN 60

static char url_buf[512];

/* TRIPOD_TEST_DB, or else a fresh database on the cluster that
 * tests/servers/pg.py started in TRIPOD_TEST_PG_DIR (as ctest runs it). */
static const char *db_url(void)
{
    const char *u = getenv("TRIPOD_TEST_DB");
    if (u && !strncmp(u, "postgres", 8)) return u;
    return url_buf[0] ? url_buf : NULL;
}

/* Creates a database for this run on the cluster in TRIPOD_TEST_PG_DIR, unless
 * TRIPOD_TEST_DB names one. Returns 0, or -1 with the reason on stderr. */
static int find_cluster(void)
{
    const char *dir = getenv("TRIPOD_TEST_PG_DIR");
    char path[512], base[400] = "", sql[96], name[64];
    if (!dir || db_url()) return 0;
    snprintf(path, sizeof path, "%s/url", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(base, sizeof base, f)) base[0] = '\0';
        fclose(f);
    }
    base[strcspn(base, "\n")] = '\0';
    const char *slash = strrchr(base, '/');
    if (!slash) {
        fprintf(stderr, "no cluster URL in %s\n", path);
        return -1;
    }
    snprintf(name, sizeof name, "t_store_pg_%ld", (long)getpid());
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGconn *pg = PQconnectdb(base);
    PGresult *res = PQexec(pg, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) fprintf(stderr, "%s: %s", sql, PQerrorMessage(pg));
    PQclear(res);
    PQfinish(pg);
    snprintf(url_buf, sizeof url_buf, "%.*s/%s", (int)(slash - base), base, name);
    return ok ? 0 : -1;
}

static int setup(void **state)
{
    char err[256];
    store *s = NULL;
    assert_int_equal(store_open(db_url(), NULL, 0, &s, err, sizeof err), STORE_OK);
    assert_int_equal(store_migrate(s, err, sizeof err), STORE_OK);
    assert_string_equal(store_kind_name(s), "postgres");
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    store_close(*state);
    return 0;
}

/* Runs SQL on a session of its own (not the store's); returns the first
 * value of the first row as a number, or -1. */
static long long raw_sql(const char *url, const char *sql)
{
    PGconn *pg = PQconnectdb(url);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    PGresult *res = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    long long v = PQntuples(res) > 0 ? atoll(PQgetvalue(res, 0, 0)) : -1;
    PQclear(res);
    PQfinish(pg);
    return v;
}

static int64_t make_staff(store *s)
{
    store_conn *c = store_acquire(s);
    assert_non_null(c);
    int64_t id;
    assert_int_equal(store_doc_insert(c, STORE_STAFF, "{\"name\":\"Ann\"}", &id), STORE_OK);
    store_release(c);
    return id;
}

/* A confirmed booking of STAFF for [START, END) with a 30-minute buffer and
 * a manage hash of its own. The caller clears it. */
static store_booking shoot(int64_t staff, tp_time start, tp_time end)
{
    static int serial;
    store_booking b;
    memset(&b, 0, sizeof b);
    snprintf(b.status, sizeof b.status, "confirmed");
    b.start = start;
    b.end = end;
    b.buffer_min = 30;
    b.staff[0] = staff;
    b.nstaff = 1;
    b.lat = b.lon = NAN;
    int n = __atomic_add_fetch(&serial, 1, __ATOMIC_SEQ_CST);
    memcpy(b.manage_hash, &staff, sizeof staff);
    memcpy(b.manage_hash + 8, &n, sizeof n);
    memcpy(b.manage_hash + 12, &start, sizeof start);
    b.body = strdup("{}");
    b.created = b.updated = 1000;
    return b;
}

static int insert(store *s, store_booking *b)
{
    store_conn *c = store_acquire(s);
    assert_non_null(c);
    int rc = store_booking_insert(c, b);
    store_release(c);
    return rc;
}

static void test_buffer_separates_shoots(void **state)
{
    store *s = *state;
    int64_t ann = make_staff(s), bob = make_staff(s);
    tp_time t = 2100000000;
    store_booking a = shoot(ann, t, t + 2 * HOUR);
    assert_int_equal(insert(s, &a), STORE_OK);

    /* After it: a gap of 29 minutes is too short, 30 is enough. */
    store_booking after = shoot(ann, a.end + 29 * MIN, a.end + 29 * MIN + HOUR);
    assert_int_equal(insert(s, &after), STORE_CONFLICT);
    store_booking_clear(&after);
    after = shoot(ann, a.end + 30 * MIN, a.end + 30 * MIN + HOUR);
    assert_int_equal(insert(s, &after), STORE_OK);

    /* Before it, the same. */
    store_booking before = shoot(ann, t - 29 * MIN - HOUR, t - 29 * MIN);
    assert_int_equal(insert(s, &before), STORE_CONFLICT);
    store_booking_clear(&before);
    before = shoot(ann, t - 30 * MIN - HOUR, t - 30 * MIN);
    assert_int_equal(insert(s, &before), STORE_OK);

    /* Another person at the same time is fine. */
    store_booking other = shoot(bob, t, t + 2 * HOUR);
    assert_int_equal(insert(s, &other), STORE_OK);

    /* A crew of two collides when either member does. */
    store_booking crew = shoot(bob, t + 3 * HOUR, t + 4 * HOUR); /* Ann is busy until 3:30 */
    crew.staff[1] = ann;
    crew.nstaff = 2;
    assert_int_equal(insert(s, &crew), STORE_CONFLICT);

    store_booking_clear(&a);
    store_booking_clear(&after);
    store_booking_clear(&before);
    store_booking_clear(&other);
    store_booking_clear(&crew);
}

static void test_cancelled_and_moved(void **state)
{
    store *s = *state;
    int64_t ann = make_staff(s);
    tp_time t = 2100100000;
    store_booking a = shoot(ann, t, t + HOUR), b = shoot(ann, t, t + HOUR);
    assert_int_equal(insert(s, &a), STORE_OK);
    assert_int_equal(insert(s, &b), STORE_CONFLICT);

    store_conn *c = store_acquire(s);
    snprintf(a.status, sizeof a.status, "cancelled");
    assert_int_equal(store_booking_update(c, &a), STORE_OK);
    store_release(c);
    store_booking_clear(&b);
    b = shoot(ann, t, t + HOUR);
    assert_int_equal(insert(s, &b), STORE_OK);

    /* Reviving the cancelled one, or moving B onto nothing new, is checked too. */
    c = store_acquire(s);
    snprintf(a.status, sizeof a.status, "confirmed");
    assert_int_equal(store_booking_update(c, &a), STORE_CONFLICT);
    b.start += 10 * MIN; /* overlaps only itself: its old assignment is replaced */
    b.end += 10 * MIN;
    assert_int_equal(store_booking_update(c, &b), STORE_OK);
    store_release(c);
    store_booking_clear(&a);
    store_booking_clear(&b);
}

#define RACERS 8

struct racer {
    store *s;
    int64_t staff;
    tp_time start;
    pthread_barrier_t *go;
    int rc;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    store_conn *c = store_acquire(r->s);
    store_booking b = shoot(r->staff, r->start, r->start + HOUR);
    pthread_barrier_wait(r->go);
    r->rc = STORE_ERROR;
    for (int tries = 0; tries < 5; tries++) {
        if (store_begin(c, 1) != STORE_OK) continue;
        r->rc = store_booking_insert(c, &b);
        r->rc = r->rc == STORE_OK ? store_commit(c) : (store_rollback(c), r->rc);
        if (r->rc != STORE_RETRY) break;
    }
    store_booking_clear(&b);
    store_release(c);
    return NULL;
}

static void test_racing_connections_one_winner(void **state)
{
    store *s = *state;
    int64_t ann = make_staff(s);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, RACERS);
    struct racer r[RACERS];
    pthread_t th[RACERS];
    for (int i = 0; i < RACERS; i++) {
        /* Starts 10 minutes apart: every pair is closer than the buffer. */
        r[i] = (struct racer){s, ann, 2100200000 + i * 10 * MIN, &go, -1};
        pthread_create(&th[i], NULL, race, &r[i]);
    }
    int won = 0, lost = 0;
    for (int i = 0; i < RACERS; i++) {
        pthread_join(th[i], NULL);
        won += r[i].rc == STORE_OK;
        lost += r[i].rc == STORE_CONFLICT;
    }
    pthread_barrier_destroy(&go);
    assert_int_equal(won, 1);
    assert_int_equal(lost, RACERS - 1);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM assignments WHERE staff_id = %lld",
             (long long)ann);
    assert_int_equal(raw_sql(db_url(), sql), 1);
}

static void test_sessions_killed_by_server_are_replaced(void **state)
{
    store *s = *state;
    int64_t ann = make_staff(s);
    store_conn *c = store_acquire(s);
    char *json = NULL;
    assert_int_equal(store_doc_get(c, STORE_STAFF, ann, &json), STORE_OK);
    free(json);
    store_release(c);

    static const char kill[] = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE application_name = 'tripod' AND datname = current_database()";
    assert_true(raw_sql(db_url(), kill) >= 1);
    c = store_acquire(s);
    assert_non_null(c);
    assert_int_equal(store_doc_get(c, STORE_STAFF, ann, &json), STORE_OK); /* a read is re-run */
    free(json);
    store_release(c);

    assert_true(raw_sql(db_url(), kill) >= 1);
    c = store_acquire(s);
    assert_int_equal(store_begin(c, 1), STORE_OK); /* BEGIN on a dead session reconnects */
    assert_int_equal(store_doc_update(c, STORE_STAFF, ann, "{\"name\":\"Ann B\"}"), STORE_OK);
    assert_int_equal(store_commit(c), STORE_OK);

    /* Killed inside a transaction: the transaction is lost (RETRY), the next one works. */
    assert_int_equal(store_begin(c, 1), STORE_OK);
    assert_true(raw_sql(db_url(), kill) >= 1);
    assert_int_equal(store_doc_update(c, STORE_STAFF, ann, "{\"name\":\"Ann C\"}"), STORE_RETRY);
    store_rollback(c);
    assert_int_equal(store_begin(c, 1), STORE_OK);
    assert_int_equal(store_doc_update(c, STORE_STAFF, ann, "{\"name\":\"Ann C\"}"), STORE_OK);
    assert_int_equal(store_commit(c), STORE_OK);
    assert_int_equal(store_doc_get(c, STORE_STAFF, ann, &json), STORE_OK);
    assert_string_equal(json, "{\"name\":\"Ann C\"}");
    free(json);
    store_release(c);
}

struct migrator {
    const char *url;
    int rc;
};

static void *migrate_one(void *arg)
{
    struct migrator *m = arg;
    char err[256];
    store *s = NULL;
    m->rc = store_open(m->url, NULL, 0, &s, err, sizeof err);
    if (m->rc == STORE_OK) m->rc = store_migrate(s, err, sizeof err);
    if (m->rc == STORE_OK && store_schema_version(s) < 1) m->rc = -1;
    store_close(s);
    return NULL;
}

static void test_instances_migrate_together(void **state)
{
    (void)state;
    char name[64], sql[128], url[512];
    snprintf(name, sizeof name, "t_migrate_%ld", (long)getpid());
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    raw_sql(db_url(), sql);
    const char *slash = strrchr(db_url(), '/');
    snprintf(url, sizeof url, "%.*s/%s", (int)(slash - db_url()), db_url(), name);

    struct migrator m[4];
    pthread_t th[4];
    char err[256];
    store *latest = NULL;
    assert_int_equal(store_open(db_url(), NULL, 0, &latest, err, sizeof err), STORE_OK);
    int version = store_schema_version(latest); /* the suite's database is migrated */
    store_close(latest);
    assert_true(version >= 1);
    for (int i = 0; i < 4; i++) {
        m[i] = (struct migrator){url, -1};
        pthread_create(&th[i], NULL, migrate_one, &m[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(m[i].rc, STORE_OK);
    }
    assert_int_equal(raw_sql(url, "SELECT v FROM meta WHERE k = 'schema'"), version);
    assert_int_equal(raw_sql(url, "SELECT count(*) FROM pg_constraint "
                                  "WHERE conname = 'assignments_no_overlap' AND contype = 'x'"),
                     1);
}

static void test_unreachable_server_fails_at_open(void **state)
{
    (void)state;
    char err[512] = "";
    store *s = NULL;
    assert_int_equal(store_open("postgres://nobody@127.0.0.1:1/nothing", NULL, 0, &s, err, sizeof err),
                     STORE_ERROR);
    assert_null(s);
    assert_non_null(strstr(err, "cannot connect to PostgreSQL"));
    assert_non_null(strstr(err, "127.0.0.1"));
}

int main(void)
{
    if (find_cluster() != 0) return 1;
    if (!db_url()) {
        fprintf(stderr, "test_store_pg needs TRIPOD_TEST_DB=postgres://… or TRIPOD_TEST_PG_DIR\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_buffer_separates_shoots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancelled_and_moved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_racing_connections_one_winner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sessions_killed_by_server_are_replaced, setup,
                                        teardown),
        cmocka_unit_test(test_instances_migrate_together),
        cmocka_unit_test(test_unreachable_server_fails_at_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
