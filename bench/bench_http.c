/* bench_http.c — availability and booking throughput over HTTP: the BENCH.md
 * 50-staff scenario loaded into a temporary store, a real `tripod serve`
 * child, wrk for availability, a libcurl client for bookings. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "bench_http.h"

#include <curl/curl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "store/store.h"

#define STAFF 50
#define EVENTS 200
#define NOW_TEXT "2030-06-03T00:00:00-04:00"
#define WRK_SECONDS "8"
#define BOOK_THREADS 4
#define BOOK_SECONDS 8.0
#define BOOK_MAX 4000
#define FIRST_FREE_DAY 15 /* the scenario's busy time covers days 0-13 */

static int store_scenario(const char *dir, char *err, size_t errlen)
{
    static const char week[] =
        "{\"mon\":[[\"09:00\",\"17:00\"]],\"tue\":[[\"09:00\",\"17:00\"]],\"wed\":[[\"09:00\",\"17:00\"]],"
        "\"thu\":[[\"09:00\",\"17:00\"]],\"fri\":[[\"09:00\",\"17:00\"]],\"sat\":[[\"09:00\",\"17:00\"]],"
        "\"sun\":[[\"09:00\",\"17:00\"]]}";
    store *db = NULL;
    store_conn *c = NULL;
    char doc[1024];
    int64_t id, cal;
    int rc = -1;
    store_busy *ev = calloc(EVENTS, sizeof *ev);
    tz_zone *ny = tz_zone_load("America/New_York");
    if (!ev || !ny || store_open(NULL, dir, &db, err, errlen) != STORE_OK ||
        store_migrate(db, err, errlen) != STORE_OK || !(c = store_acquire(db)) ||
        store_begin(c, 1) != STORE_OK)
        goto out;
    const tp_time t0 = tz_local_to_utc(ny, tz_days_from_civil(2030, 6, 3) * 86400);
    snprintf(doc, sizeof doc,
             "{\"integrated_booking\":true,\"timezone\":\"America/New_York\",\"drive_buffer_minutes\":30,"
             "\"slot_step_minutes\":30,\"min_notice_minutes\":0,\"horizon_days\":60,\"default_hours\":%s}",
             week);
    if (store_settings_put(c, doc) != STORE_OK ||
        store_doc_insert(c, STORE_SERVICE, "{\"name\":\"Photos\",\"duration_minutes\":60,\"tiers\":[],\"skills\":[]}", &id) ||
        store_doc_insert(c, STORE_SERVICE, "{\"name\":\"Video\",\"duration_minutes\":60,\"tiers\":[],\"skills\":[]}", &id) ||
        store_doc_insert(c, STORE_CALENDAR,
                         "{\"owner\":\"business\",\"kind\":\"ics\",\"url\":\"http://127.0.0.1:9/b.ics\",\"primary\":true}",
                         &cal))
        goto out;
    for (uint32_t i = 0; i < STAFF; i++) {
        snprintf(doc, sizeof doc,
                 "{\"name\":\"Staff %u\",\"email\":\"s%u@example.com\",\"timezone\":null,\"senior\":false,"
                 "\"skills\":[],\"zones\":[],\"hours\":%s,\"exceptions\":[],\"home\":null,\"rank\":0,\"active\":true}",
                 i, i, week);
        if (store_doc_insert(c, STORE_STAFF, doc, &id) != STORE_OK)
            goto out;
        snprintf(doc, sizeof doc,
                 "{\"owner\":\"%lld\",\"kind\":\"ics\",\"url\":\"http://127.0.0.1:9/s%u.ics\",\"primary\":false}",
                 (long long)id, i);
        if (store_doc_insert(c, STORE_CALENDAR, doc, &cal) != STORE_OK)
            goto out;
        bench_rng g = {i + 1};
        for (size_t k = 0; k < EVENTS; k++) {
            ev[k].start = t0 + 300 * (tp_time)(bench_draw(&g) % 4032);
            ev[k].end = ev[k].start + 60 * (30 + 5 * (tp_time)(bench_draw(&g) % 19));
            ev[k].uid = "bench-event";
            ev[k].summary = "Busy";
        }
        if (store_busy_replace(c, cal, ev, EVENTS) != STORE_OK)
            goto out;
    }
    if (store_commit(c) != STORE_OK)
        goto out;
    rc = 0;
out:
    if (rc != 0 && c && !err[0])
        snprintf(err, errlen, "%s", store_errmsg(c));
    store_release(c);
    store_close(db);
    tz_zone_free(ny);
    free(ev);
    return rc;
}

static int free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static pid_t serve(const char *exe, const char *dir, int port)
{
    char portbuf[16], log[4096];
    snprintf(portbuf, sizeof portbuf, "%d", port);
    snprintf(log, sizeof log, "%s/server.log", dir);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    setenv("TRIPOD_RATE_LIMIT", "0", 1);
    setenv("TRIPOD_NOW", NOW_TEXT, 1);
    if (freopen(log, "w", stdout) && freopen(log, "a", stderr))
        execl(exe, "tripod", "serve", "--port", portbuf, "--data", dir, (char *)NULL);
    _exit(127);
}

static size_t sink(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* GET URL; the HTTP status, or 0 when no answer. */
static long http_get(const char *url)
{
    long status = 0;
    CURL *h = curl_easy_init();
    if (!h)
        return 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    return status;
}

static int wait_healthy(const char *base)
{
    char url[256];
    snprintf(url, sizeof url, "%s/api/v1/health", base);
    for (int i = 0; i < 400; i++) {
        if (http_get(url) == 200)
            return 0;
        usleep(50000);
    }
    return -1;
}

/* "3.45ms" → milliseconds; -1 when unreadable. */
static double wrk_ms(const char *s)
{
    char unit[8] = "";
    double v;
    if (sscanf(s, "%lf%7s", &v, unit) != 2)
        return -1;
    if (strcmp(unit, "us") == 0)
        return v / 1000;
    if (strcmp(unit, "ms") == 0)
        return v;
    if (strcmp(unit, "s") == 0)
        return v * 1000;
    return -1;
}

static int bench_availability(const char *base)
{
    char cmd[512], line[512];
    double rps = -1, p99 = -1;
    int non2xx = 0;
    snprintf(cmd, sizeof cmd,
             "wrk -t1 -c16 -d" WRK_SECONDS "s --latency "
             "'%s/api/v1/availability?services=1,2&from=2030-06-03&to=2030-06-16' 2>&1",
             base);
    FILE *p = popen(cmd, "r");
    if (!p) {
        fprintf(stderr, "bench http: cannot run wrk\n");
        return 1;
    }
    while (fgets(line, sizeof line, p)) {
        char *s = line + strspn(line, " \t");
        if (strncmp(s, "Requests/sec:", 13) == 0)
            rps = strtod(s + 13, NULL);
        else if (strncmp(s, "99%", 3) == 0)
            p99 = wrk_ms(s + 3 + strspn(s + 3, " \t"));
        else if (strncmp(s, "Non-2xx", 7) == 0)
            non2xx = 1;
    }
    if (pclose(p) != 0 || rps < 0 || p99 < 0 || non2xx) {
        fprintf(stderr, "bench http: wrk failed or saw errors (%s)\n", non2xx ? "non-2xx answers" : "no figures");
        return 1;
    }
    bench_report("http_availability_rps", rps, "req/s");
    bench_report("http_availability_p99_ms", p99, "ms");
    return 0;
}

typedef struct {
    const char *base;
    int thread;
    double deadline_us;
    long ok, failed;
} book_worker;

/* The K-th booking: days from FIRST_FREE_DAY on, five starts a day, every
 * staff member at each start (all free there, so every one is a 201). */
static void booking_start(int k, char *buf, size_t len)
{
    static const char *const starts[5] = {"09:30", "11:00", "12:30", "14:00", "15:30"};
    int slot = k / STAFF, day = FIRST_FREE_DAY + slot / 5;
    int y, m, d;
    tz_civil_from_days(tz_days_from_civil(2030, 6, 3) + day, &y, &m, &d);
    snprintf(buf, len, "%04d-%02d-%02dT%s:00-04:00", y, m, d, starts[slot % 5]);
}

static void *book_run(void *arg)
{
    book_worker *w = arg;
    char url[256], body[512], start[40];
    long status;
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    if (!h || !hdr)
        goto out;
    snprintf(url, sizeof url, "%s/api/v1/bookings", w->base);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    for (int k = w->thread; k < BOOK_MAX && bench_now_us() < w->deadline_us; k += BOOK_THREADS) {
        booking_start(k, start, sizeof start);
        snprintf(body, sizeof body,
                 "{\"agent\":{\"name\":\"Bench\",\"email\":\"bench@example.com\",\"phone\":\"1\"},"
                 "\"property\":{\"address\":\"1 Main St\",\"postal_code\":\"10001\"},"
                 "\"services\":[\"1\"],\"packages\":[],\"start\":\"%s\",\"notes\":\"\"}",
                 start);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        status = 0;
        if (curl_easy_perform(h) == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (status == 201)
            w->ok++;
        else if (w->failed++ == 0)
            fprintf(stderr, "bench http: booking at %s answered %ld\n", start, status);
    }
out:
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return NULL;
}

static int bench_bookings(const char *base)
{
    book_worker w[BOOK_THREADS];
    pthread_t t[BOOK_THREADS];
    double t0 = bench_now_us();
    long ok = 0, failed = 0;
    int started = 0;
    for (int i = 0; i < BOOK_THREADS; i++) {
        w[i] = (book_worker){base, i, t0 + BOOK_SECONDS * 1e6, 0, 0};
        if (pthread_create(&t[i], NULL, book_run, &w[i]) == 0)
            started++;
        else
            break;
    }
    for (int i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
        failed += w[i].failed;
    }
    double secs = (bench_now_us() - t0) / 1e6;
    if (started < BOOK_THREADS || failed > 0 || ok == 0) {
        fprintf(stderr, "bench http: %ld bookings failed, %ld made\n", failed, ok);
        return 1;
    }
    bench_report("http_bookings_per_s", (double)ok / secs, "bookings/s");
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int bench_http(const char *exe)
{
    char dir[] = "/tmp/tripod-bench-XXXXXX", err[256] = "", base[64];
    int rc = 1, port = free_port();
    pid_t pid = -1;
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench http: cannot create a temporary directory\n");
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (store_scenario(dir, err, sizeof err) != 0) {
        fprintf(stderr, "bench http: loading the scenario failed: %s\n", err);
        goto out;
    }
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    if (port < 0 || (pid = serve(exe, dir, port)) < 0 || wait_healthy(base) != 0) {
        fprintf(stderr, "bench http: tripod serve did not start (see its log in %s)\n", dir);
        goto out;
    }
    rc = bench_availability(base);
    rc |= bench_bookings(base);
out:
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    curl_global_cleanup();
    if (rc == 0)
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
