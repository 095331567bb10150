/* test_api_helpers.c — unit tests of the HTTP layer's pure helpers: input
 * validators, settings merge, the rate limiter, credential sealing, and the
 * pages (the override directory's path resolver, the compiled-in table, ETags). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/ratelimit.h"
#include "app/secret.h"
#include "app/settings.h"
#include "app/validate.h"
#include "api/web.h"

static json_t *parse(const char *text)
{
    json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
    assert_non_null(j);
    return j;
}

/* Runs val_week on TEXT; returns its result and leaves the field in E. */
static int week(const char *text, avail_week *w, val_error *e)
{
    json_t *j = parse(text);
    int rc = val_week(j, "hours", w, e);
    json_decref(j);
    return rc;
}

static void test_week_parses_sorts_and_allows_midnight_end(void **state)
{
    avail_week w;
    val_error e;
    (void)state;
    assert_int_equal(
        week("{\"mon\": [[\"13:00\", \"24:00\"], [\"09:00\", \"12:30\"]], \"sun\": []}", &w, &e),
        0);
    assert_int_equal(w.day[0].n, 2);
    assert_int_equal(w.day[0].r[0].start, 9 * 60);
    assert_int_equal(w.day[0].r[0].end, 12 * 60 + 30);
    assert_int_equal(w.day[0].r[1].start, 13 * 60);
    assert_int_equal(w.day[0].r[1].end, 1440);
    for (int d = 1; d < 7; d++)
        assert_int_equal(w.day[d].n, 0);
    json_t *canon = val_week_json(&w);
    char *text = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"fri\":[],\"mon\":[[\"09:00\",\"12:30\"],[\"13:00\",\"24:00\"]],"
                              "\"sat\":[],\"sun\":[],\"thu\":[],\"tue\":[],\"wed\":[]}");
    free(text);
    json_decref(canon);
    /* touching ranges do not overlap */
    assert_int_equal(week("{\"tue\": [[\"09:00\", \"12:00\"], [\"12:00\", \"17:00\"]]}", &w, &e),
                     0);
}

static void test_week_refusals_name_the_field(void **state)
{
    avail_week w;
    val_error e;
    (void)state;
    static const struct {
        const char *text, *field;
    } bad[] = {
        {"[]", "hours"},
        {"{\"mon\": [[\"17:00\", \"09:00\"]]}", "hours.mon[0]"},
        {"{\"mon\": [[\"24:00\", \"24:00\"]]}", "hours.mon[0]"},
        {"{\"mon\": [[\"00:00\", \"24:01\"]]}", "hours.mon[0]"},
        {"{\"tue\": [[\"9:00\", \"17:00\"]]}", "hours.tue[0]"},
        {"{\"wed\": [[\"09:00\", \"17:00\", \"18:00\"]]}", "hours.wed[0]"},
        {"{\"thu\": [[\"09:00\", \"13:00\"], [\"12:00\", \"17:00\"]]}", "hours.thu"},
        {"{\"fri\": \"09:00-17:00\"}", "hours.fri"},
        {"{\"xyz\": []}", "hours.xyz"},
        {"{\"sat\": [[\"00:00\",\"01:00\"],[\"02:00\",\"03:00\"],[\"04:00\",\"05:00\"],"
         "[\"06:00\",\"07:00\"],[\"08:00\",\"09:00\"],[\"10:00\",\"11:00\"],[\"12:00\",\"13:00\"],"
         "[\"14:00\",\"15:00\"],[\"16:00\",\"17:00\"]]}",
         "hours.sat"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&e, 0, sizeof e);
        assert_int_equal(week(bad[i].text, &w, &e), -1);
        assert_string_equal(e.field, bad[i].field);
        assert_true(strlen(e.message) > 0);
    }
}

static void test_exceptions_sorted_unique(void **state)
{
    avail_exception *ex = NULL;
    size_t n = 0;
    val_error e;
    (void)state;
    json_t *j = parse("[{\"date\": \"2030-06-05\", \"off\": true},"
                      " {\"date\": \"2030-06-04\", \"hours\": [[\"10:00\", \"14:00\"]]}]");
    assert_int_equal(val_exceptions(j, "exceptions", &ex, &n, &e), 0);
    json_decref(j);
    assert_int_equal(n, 2);
    assert_int_equal(ex[0].date, tz_days_from_civil(2030, 6, 4));
    assert_int_equal(ex[0].hours.n, 1);
    assert_int_equal(ex[1].hours.n, 0);
    free(ex);

    j = parse(
        "[{\"date\": \"2030-06-04\", \"off\": true}, {\"date\": \"2030-06-04\", \"off\": true}]");
    assert_int_equal(val_exceptions(j, "exceptions", &ex, &n, &e), -1);
    assert_null(ex);
    assert_string_equal(e.field, "exceptions");
    json_decref(j);
    j = parse("[{\"date\": \"2030-13-01\", \"off\": true}]");
    assert_int_equal(val_exceptions(j, "exceptions", &ex, &n, &e), -1);
    assert_string_equal(e.field, "exceptions[0].date");
    json_decref(j);
}

static void test_ids_and_scalars(void **state)
{
    int64_t id, *ids;
    size_t n;
    int v;
    val_error e;
    (void)state;
    assert_int_equal(val_id_text("12", &id), 0);
    assert_int_equal(id, 12);
    assert_int_equal(val_id_text("012", &id), -1);
    assert_int_equal(val_id_text("0", &id), -1);
    assert_int_equal(val_id_text("-3", &id), -1);
    assert_int_equal(val_id_text("1234567890123456789", &id), -1);
    json_t *j = parse("[\"3\", 1, \"2\"]");
    assert_int_equal(val_id_list(j, "skills", &ids, &n, &e), 0);
    assert_int_equal(n, 3);
    assert_true(ids[0] == 1 && ids[1] == 2 && ids[2] == 3);
    free(ids);
    json_decref(j);
    j = parse("[\"3\", 3]");
    assert_int_equal(val_id_list(j, "skills", &ids, &n, &e), -1);
    assert_null(ids);
    json_decref(j);
    j = parse("1e300");
    assert_int_equal(val_int(j, "x", 0, 100, &v, &e), -1);
    json_decref(j);
    j = parse("30.0");
    assert_int_equal(val_int(j, "x", 0, 100, &v, &e), 0);
    assert_int_equal(v, 30);
    json_decref(j);
    static const char *const emails[] = {"\"a@example.com\"",  "\"a@b\"",
                                         "\"@example.com\"",   "\"a b@example.com\"",
                                         "\"a@@example.com\"", "5"};
    for (size_t i = 0; i < 6; i++) {
        j = parse(emails[i]);
        assert_int_equal(val_email(j, "email", &e), i == 0 ? 0 : -1);
        json_decref(j);
    }
    j = parse("\"America/New_York\"");
    assert_int_equal(val_timezone(j, "tz", &e), 0);
    json_decref(j);
    j = parse("\"Nowhere/Special\"");
    assert_int_equal(val_timezone(j, "tz", &e), -1);
    json_decref(j);
}

static void test_settings_merge_is_all_or_nothing(void **state)
{
    val_error e;
    (void)state;
    json_t *def = settings_defaults();
    json_t *patch = parse("{\"horizon_days\": 30, \"two_photographers\": {\"enabled\": true}}");
    json_t *m = settings_merge(def, patch, &e);
    assert_non_null(m);
    assert_int_equal(json_integer_value(json_object_get(m, "horizon_days")), 30);
    json_t *two = json_object_get(m, "two_photographers");
    assert_true(json_is_true(json_object_get(two, "enabled")));
    assert_int_equal(json_integer_value(json_object_get(two, "threshold_minutes")), 180);
    assert_int_equal(json_integer_value(json_object_get(def, "horizon_days")), 60);
    json_decref(patch);
    json_decref(m);
    patch = parse("{\"horizon_days\": 30, \"assignment\": \"random\"}");
    assert_null(settings_merge(def, patch, &e));
    assert_string_equal(e.field, "assignment");
    json_decref(patch);
    json_decref(def);
}

static void test_ratelimit_bucket(void **state)
{
    (void)state;
    ratelimit *rl = ratelimit_new(60); /* one per second, bursts of 60 */
    assert_non_null(rl);
    for (int i = 0; i < 60; i++)
        assert_int_equal(ratelimit_take(rl, "10.0.0.1", 1000), 0);
    int wait = ratelimit_take(rl, "10.0.0.1", 1000);
    assert_true(wait >= 1 && wait <= 2);
    assert_int_equal(ratelimit_take(rl, "10.0.0.2", 1000), 0);
    assert_int_equal(ratelimit_take(rl, "10.0.0.1", 2100), 0);
    assert_true(ratelimit_take(rl, "10.0.0.1", 2100) > 0);
    assert_int_equal(ratelimit_take(rl, "10.0.0.1", 62000), 0);
    ratelimit_free(rl);
}

static void test_secret_seal_round_trip(void **state)
{
    uint8_t key[32], other[32];
    char err[256];
    char dir[] = "/tmp/tripod-secret-XXXXXX";
    (void)state;
    assert_true(sodium_init() >= 0);
    assert_non_null(mkdtemp(dir));
    assert_int_equal(secret_key_load(dir, key, err, sizeof err), 0);
    assert_int_equal(secret_key_load(dir, other, err, sizeof err), 0);
    assert_memory_equal(key, other, 32);
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "%s/secret.key", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *sealed = secret_seal(key, "hunter2");
    assert_non_null(sealed);
    assert_null(strstr(sealed, "hunter2"));
    char *plain = secret_open(key, sealed);
    assert_string_equal(plain, "hunter2");
    free(plain);
    other[0] ^= 1;
    assert_null(secret_open(other, sealed));
    sealed[5] = sealed[5] == 'A' ? 'B' : 'A';
    assert_null(secret_open(key, sealed));
    assert_null(secret_open(key, "not base64 !"));
    free(sealed);
    unlink(path);
    rmdir(dir);
}

#define RACERS 8

typedef struct {
    const char *dir;
    pthread_barrier_t *go;
    uint8_t key[32];
    int rc;
} key_racer;

static void *race_key(void *arg)
{
    key_racer *r = arg;
    char err[256];
    pthread_barrier_wait(r->go);
    r->rc = secret_key_load(r->dir, r->key, err, sizeof err);
    return NULL;
}

/* Instances starting together on one new data dir (three_instances.sh):
 * every one loads, all with the same key, and no temporary file is left. */
static void test_secret_key_created_once_by_racing_instances(void **state)
{
    char dir[] = "/tmp/tripod-secret-XXXXXX", path[128];
    key_racer r[RACERS];
    pthread_t t[RACERS];
    pthread_barrier_t go;
    (void)state;
    assert_true(sodium_init() >= 0);
    assert_non_null(mkdtemp(dir));
    assert_int_equal(pthread_barrier_init(&go, NULL, RACERS), 0);
    for (int i = 0; i < RACERS; i++) {
        r[i] = (key_racer){dir, &go, {0}, -1};
        assert_int_equal(pthread_create(&t[i], NULL, race_key, &r[i]), 0);
    }
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    pthread_barrier_destroy(&go);
    for (int i = 0; i < RACERS; i++) {
        assert_int_equal(r[i].rc, 0);
        assert_memory_equal(r[i].key, r[0].key, 32);
    }
    DIR *d = opendir(dir);
    assert_non_null(d);
    int files = 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d))
        files += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    assert_int_equal(files, 1); /* secret.key alone */
    snprintf(path, sizeof path, "%s/secret.key", dir);
    unlink(path);
    rmdir(dir);
}

static void test_web_resolve_refuses_traversal(void **state)
{
    char dir[] = "/tmp/tripod-web-XXXXXX", path[256], out[4096];
    const char *ct;
    (void)state;
    assert_non_null(mkdtemp(dir));
    static const char *const files[] = {"book.html", "admin.html", "manage.html", "app.js", ".env"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs("x", f);
        fclose(f);
    }
    assert_int_equal(web_resolve(dir, "/", out, sizeof out, &ct), 0);
    assert_non_null(strstr(out, "/book.html"));
    assert_int_equal(strncmp(ct, "text/html", 9), 0);
    assert_int_equal(web_resolve(dir, "/manage/abc", out, sizeof out, &ct), 0);
    assert_non_null(strstr(out, "/manage.html"));
    assert_int_equal(web_resolve(dir, "/app.js", out, sizeof out, &ct), 0);
    assert_int_equal(strncmp(ct, "text/javascript", 15), 0);
    static const char *const bad[] = {"/.env",       "/../etc/passwd", "/x/../app.js", "//app.js",
                                      "/manage/a/b", "/nope.js",       "app.js"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(web_resolve(dir, bad[i], out, sizeof out, &ct), -1);
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void test_web_find_compiled_in_pages(void **state)
{
    (void)state;
    const web_asset *book = web_find("/");
    assert_non_null(book);
    assert_string_equal(book->path, "/book.html");
    assert_ptr_equal(web_find("/book"), book);
    assert_ptr_equal(web_find("/book.html"), book);
    assert_string_equal(web_find("/manage/abc")->path, "/manage.html");
    assert_string_equal(web_find("/admin/")->path, "/admin.html");
    assert_non_null(web_find("/js/admin/main.js"));
    assert_int_equal(strncmp(web_content_type("/js/api.js"), "text/javascript", 15), 0);
    for (size_t i = 1; i < web_assets_count; i++)
        assert_true(strcmp(web_assets[i - 1].path, web_assets[i].path) < 0);
    static const char *const none[] = {"/manage/a/b",    "/nope.js",  "js/api.js",
                                       "/js/../app.css", "//app.css", ""};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        assert_null(web_find(none[i]));
}

static void test_web_etag_match(void **state)
{
    (void)state;
    const char *tag = "\"abc\"";
    assert_true(web_etag_match("\"abc\"", tag));
    assert_true(web_etag_match("W/\"abc\"", tag));
    assert_true(web_etag_match("\"x,y\", \"z\" ,W/\"abc\"", tag));
    assert_true(web_etag_match("*", tag));
    static const char *const no[] = {"\"abcd\"", "\"ab\"", "abc", "\"abc", "W/", ",,", "", " "};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(web_etag_match(no[i], tag));
    assert_false(web_etag_match(NULL, tag));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_week_parses_sorts_and_allows_midnight_end),
        cmocka_unit_test(test_week_refusals_name_the_field),
        cmocka_unit_test(test_exceptions_sorted_unique),
        cmocka_unit_test(test_ids_and_scalars),
        cmocka_unit_test(test_settings_merge_is_all_or_nothing),
        cmocka_unit_test(test_ratelimit_bucket),
        cmocka_unit_test(test_secret_seal_round_trip),
        cmocka_unit_test(test_secret_key_created_once_by_racing_instances),
        cmocka_unit_test(test_web_resolve_refuses_traversal),
        cmocka_unit_test(test_web_find_compiled_in_pages),
        cmocka_unit_test(test_web_etag_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
