/* fuzz_validate.c — libFuzzer target for the shared input checks of
 * src/api/validate.h (weekly hours, dated exceptions, ids, strings, numbers,
 * e-mail, time zones, RFC 3339 times, dates) on JSON request text. Accepted
 * hours and exceptions must survive a round trip through their canonical JSON. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "app/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A refusal always names what to fix. */
static void expect_refusal_says_why(int rc, const val_error *e)
{
    if (rc != 0 && e->message[0] == '\0') abort();
}

static void check_week(const json_t *j)
{
    avail_week w, again;
    val_error e = {{0}, {0}};
    int rc = val_week(j, "hours", &w, &e);
    expect_refusal_says_why(rc, &e);
    if (rc != 0) return;
    for (int d = 0; d < 7; d++)
        for (int i = 0; i < w.day[d].n; i++)
            if (w.day[d].r[i].start < 0 || w.day[d].r[i].start >= w.day[d].r[i].end ||
                w.day[d].r[i].end > 1440 || (i > 0 && w.day[d].r[i].start < w.day[d].r[i - 1].end))
                abort(); /* accepted ranges are sorted, disjoint and inside the day */
    json_t *canon = val_week_json(&w);
    if (!canon) return;
    memset(&again, 0, sizeof again);
    if (val_week(canon, "hours", &again, &e) != 0 || memcmp(&w, &again, sizeof w) != 0) abort();
    json_decref(canon);
}

static void check_exceptions(const json_t *j)
{
    avail_exception *ex = NULL, *again = NULL;
    size_t n = 0, n2 = 0;
    val_error e = {{0}, {0}};
    int rc = val_exceptions(j, "exceptions", &ex, &n, &e);
    expect_refusal_says_why(rc, &e);
    if (rc != 0) {
        if (ex || n) abort(); /* on error nothing is allocated */
        return;
    }
    for (size_t i = 1; i < n; i++)
        if (ex[i].date <= ex[i - 1].date) abort(); /* sorted, unique dates */
    json_t *canon = val_exceptions_json(ex, n);
    if (canon) {
        if (val_exceptions(canon, "exceptions", &again, &n2, &e) != 0 || n2 != n) abort();
        for (size_t i = 0; i < n; i++)
            if (again[i].date != ex[i].date || again[i].hours.n != ex[i].hours.n ||
                memcmp(again[i].hours.r, ex[i].hours.r,
                       sizeof ex[i].hours.r[0] * (size_t)ex[i].hours.n))
                abort();
        json_decref(canon);
        free(again);
    }
    free(ex);
}

static void check_ids(const json_t *j)
{
    int64_t *ids = NULL;
    size_t n = 0;
    val_error e = {{0}, {0}};
    int rc = val_id_list(j, "services", &ids, &n, &e);
    expect_refusal_says_why(rc, &e);
    for (size_t i = 1; rc == 0 && i < n; i++)
        if (ids[i] <= ids[i - 1] || ids[0] <= 0) abort(); /* ascending, unique, positive */
    free(ids);
}

/* Every scalar check on one value. */
static void check_scalar(const json_t *j)
{
    val_error e = {{0}, {0}};
    int64_t id, date;
    tp_time t;
    int iv, b;
    double dv;
    const char *s;
    expect_refusal_says_why(val_id(j, "id", &id, &e), &e);
    expect_refusal_says_why(val_string(j, "name", 200, 0, &s, &e), &e);
    expect_refusal_says_why(val_int(j, "minutes", 0, 1440, &iv, &e), &e);
    expect_refusal_says_why(val_number(j, "lat", -90, 90, &dv, &e), &e);
    expect_refusal_says_why(val_bool(j, "senior", &b, &e), &e);
    expect_refusal_says_why(val_email(j, "email", &e), &e);
    expect_refusal_says_why(val_time(j, "start", &t, &e), &e);
    expect_refusal_says_why(val_date(j, "date", &date, &e), &e);
    if (json_is_string(j) && json_string_length(j) <= 64)
        expect_refusal_says_why(val_timezone(j, "timezone", &e), &e);
    if (json_is_string(j) && val_id_text(json_string_value(j), &id) == 0 && id <= 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *root =
        json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (!root) return 0;
    const char *k;
    json_t *v;
    size_t i;
    check_week(root);
    check_exceptions(root);
    check_ids(root);
    check_scalar(root);
    if (json_is_object(root)) {
        val_error e = {{0}, {0}};
        static const char *const keys[] = {"hours", "exceptions", "name", NULL};
        expect_refusal_says_why(val_known_keys(root, "staff", keys, &e), &e);
        json_object_foreach(root, k, v)
        {
            check_week(v);
            check_exceptions(v);
            check_scalar(v);
        }
    }
    json_array_foreach(root, i, v)
    {
        check_ids(v);
        check_scalar(v);
    }
    json_decref(root);
    return 0;
}
