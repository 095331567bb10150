/* load.c — the load clients of the HTTP figures: wrk (with a script that
 * spreads its threads over the instances) for availability, libcurl threads
 * posting bookings on disjoint start times. */
#include "load.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "child.h"
#include "core/tz.h"
#include "scenario.h"

#define WRK_THREADS 3
#define WRK_CONNECTIONS 15
#define BOOK_THREADS 6
#define FIRST_FREE_DAY (SCENARIO_DAYS + 1)
#define STARTS_PER_DAY 5
#define BOOK_SLOTS (44 * STARTS_PER_DAY) /* days 15-58: inside the 60-day horizon */

/* "3.45ms" → milliseconds; -1 when unreadable. */
static double wrk_ms(const char *s)
{
    char unit[8] = "";
    double v;
    if (sscanf(s, "%lf%7s", &v, unit) != 2) return -1;
    if (strcmp(unit, "us") == 0) return v / 1000;
    if (strcmp(unit, "ms") == 0) return v;
    if (strcmp(unit, "s") == 0) return v * 1000;
    return -1;
}

/* wrk's script: thread i talks to PORTS[i % N]. 0, or -1. */
static int write_script(const char *path, const int *ports, int n)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs("local ports = {", f);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%d", i ? "," : "", ports[i]);
    fputs("}\nlocal n = 0\n"
          "function setup(thread)\n"
          "  thread.addr = wrk.lookup(\"127.0.0.1\", tostring(ports[n % #ports + 1]))[1]\n"
          "  n = n + 1\n"
          "end\n",
          f);
    return fclose(f) == 0 ? 0 : -1;
}

int load_availability(const int *ports, int n, const char *dir, const char *prefix)
{
    char name[64];
    double rps, p99;
    if (load_availability_figures(ports, n, dir, prefix, &rps, &p99) != 0) return 1;
    snprintf(name, sizeof name, "%s_availability_rps", prefix);
    bench_report(name, rps, "req/s");
    snprintf(name, sizeof name, "%s_availability_p99_ms", prefix);
    bench_report(name, p99, "ms");
    return 0;
}

int load_availability_figures(const int *ports, int n, const char *dir, const char *prefix,
                              double *rps_out, double *p99_out)
{
    char script[512], url[160], threads[16], conns[16], secs[16];
    char out[8192];
    snprintf(script, sizeof script, "%s/wrk.lua", dir);
    snprintf(url, sizeof url,
             "http://127.0.0.1:%d/api/v1/availability?services=1,2&from=2030-06-03&to=2030-06-16",
             ports[0]);
    snprintf(threads, sizeof threads, "-t%d", WRK_THREADS);
    snprintf(conns, sizeof conns, "-c%d", WRK_CONNECTIONS);
    snprintf(secs, sizeof secs, "-d%ds", LOAD_SECONDS);
    if (write_script(script, ports, n) != 0) {
        fprintf(stderr, "bench %s: cannot write %s\n", prefix, script);
        return 1;
    }
    /* A generous timeout: a slow answer counts in the latency, not as an error. */
    char *argv[] = {"wrk", threads, conns, secs, "-T10s", "--latency", "-s", script, url, NULL};
    int status = child_run(argv, 1, out, sizeof out);
    double rps = -1, p99 = -1;
    long non2xx = 0, sock[4] = {0, 0, 0, 0};
    for (const char *line = out; *line;) {
        size_t len = strcspn(line, "\n");
        const char *s = line + strspn(line, " \t");
        if (strncmp(s, "Requests/sec:", 13) == 0)
            rps = strtod(s + 13, NULL);
        else if (strncmp(s, "99%", 3) == 0)
            p99 = wrk_ms(s + 3 + strspn(s + 3, " \t"));
        else if (sscanf(s, "Non-2xx or 3xx responses: %ld", &non2xx) != 1)
            sscanf(s, "Socket errors: connect %ld, read %ld, write %ld, timeout %ld", &sock[0],
                   &sock[1], &sock[2], &sock[3]);
        line += len + (line[len] == '\n');
    }
    if (child_interrupted()) return 1;
    if (status != 0 || rps < 0 || p99 < 0 || non2xx || sock[0] + sock[1] + sock[2] + sock[3]) {
        fprintf(stderr,
                "bench %s: wrk exited %d, %ld non-2xx, %ld socket errors; its output:\n%s\n",
                prefix, status, non2xx, sock[0] + sock[1] + sock[2] + sock[3], out);
        return 1;
    }
    *rps_out = rps;
    *p99_out = p99;
    return 0;
}

typedef struct {
    char text[1024];
    size_t len;
} book_body;

typedef struct {
    const char *prefix;
    int port, thread;
    double deadline_us;
    long ok, failed;
} book_worker;

static size_t keep_body(char *p, size_t size, size_t n, void *ctx)
{
    book_body *b = ctx;
    size_t len = size * n, room = sizeof b->text - 1 - b->len;
    memcpy(b->text + b->len, p, len < room ? len : room);
    b->len += len < room ? len : room;
    b->text[b->len] = '\0';
    return len;
}

/* Start time of SLOT: day FIRST_FREE_DAY + SLOT / 5 from T0, five starts a
 * day 90 minutes apart (a 60-min shoot and its 30-min buffers fit). */
static void slot_start(int slot, char *buf, size_t len)
{
    static const char *const starts[STARTS_PER_DAY] = {"09:30", "11:00", "12:30", "14:00", "15:30"};
    int y, m, d;
    tz_civil_from_days(tz_days_from_civil(2030, 6, 3) + FIRST_FREE_DAY + slot / STARTS_PER_DAY, &y,
                       &m, &d);
    snprintf(buf, len, "%04d-%02d-%02dT%s:00-04:00", y, m, d, starts[slot % STARTS_PER_DAY]);
}

/* Thread T books slots T, T + BOOK_THREADS, …, each once per staff member:
 * no other thread competes for its start times. */
static void *book_run(void *arg)
{
    book_worker *w = arg;
    char url[128], body[512], start[40];
    book_body answer;
    long status;
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    if (!h || !hdr) {
        fprintf(stderr, "bench %s: out of memory for a booking client\n", w->prefix);
        w->failed++;
        goto out;
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/bookings", w->port);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    for (int slot = w->thread; slot < BOOK_SLOTS; slot += BOOK_THREADS) {
        slot_start(slot, start, sizeof start);
        for (int k = 0; k < SCENARIO_STAFF; k++) {
            if (bench_now_us() >= w->deadline_us || child_interrupted()) goto out;
            snprintf(
                body, sizeof body,
                "{\"agent\":{\"name\":\"Bench\",\"email\":\"bench@example.com\",\"phone\":\"1\"},"
                "\"property\":{\"address\":\"1 Main St\",\"postal_code\":\"10001\"},"
                "\"services\":[\"1\"],\"packages\":[],\"start\":\"%s\",\"notes\":\"\"}",
                start);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
            answer.len = 0;
            answer.text[0] = '\0';
            status = 0;
            CURLcode cc = curl_easy_perform(h);
            if (cc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
            if (status == 201) {
                w->ok++;
                continue;
            }
            if (w->failed++ == 0)
                fprintf(stderr, "bench %s: booking at %s on port %d answered %ld%s%s: %s\n",
                        w->prefix, start, w->port, status, cc == CURLE_OK ? "" : " — ",
                        cc == CURLE_OK ? "" : curl_easy_strerror(cc), answer.text);
        }
    }
out:
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return NULL;
}

int load_bookings(const int *ports, int n, const char *prefix)
{
    book_worker w[BOOK_THREADS];
    pthread_t t[BOOK_THREADS];
    char name[64];
    double t0 = bench_now_us();
    long ok = 0, failed = 0;
    int started = 0;
    for (int i = 0; i < BOOK_THREADS; i++) {
        w[i] = (book_worker){prefix, ports[i % n], i, t0 + LOAD_SECONDS * 1e6, 0, 0};
        if (pthread_create(&t[i], NULL, book_run, &w[i]) != 0) break;
        started++;
    }
    for (int i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
        failed += w[i].failed;
    }
    double secs = (bench_now_us() - t0) / 1e6;
    if (child_interrupted()) return 1;
    if (started < BOOK_THREADS || failed > 0 || ok == 0) {
        fprintf(stderr, "bench %s: %d of %d booking threads ran, %ld bookings failed, %ld made\n",
                prefix, started, BOOK_THREADS, failed, ok);
        return 1;
    }
    snprintf(name, sizeof name, "%s_bookings_per_s", prefix);
    bench_report(name, (double)ok / secs, "bookings/s");
    return 0;
}
