/* bench_http.c — the HTTP figures: for SQLite (1 instance) and PostgreSQL
 * (1 and 3 instances on one database of a throwaway cluster), the BENCH.md
 * 50-staff scenario loaded into the store, real `tripod serve` children,
 * the same load clients, and every child stopped on every path; then the
 * booking search figures on another database of that cluster. */
#include "bench_http.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "bench_search.h"
#include "child.h"
#include "load.h"
#include "scenario.h"
#include "slow_clients.h"

#define MAX_INSTANCES 3
#define HEALTH_WAIT_S 20
#define SERVE_GRACE_S 15 /* the server drains in-flight requests for up to 10 s */
/* The slow-client figure: one other address holding connections that
 * trickle headers, send bodies slowly or sit idle, a few bytes every 5 s. */
#define SLOW_SOURCE "127.0.0.2"
#define SLOW_HEADERS 2000
#define SLOW_BODIES 200
#define SLOW_IDLE 500
#define SLOW_INTERVAL_S 5
#define SLOW_SETTLE_US 2000000 /* they connect before wrk starts */

extern char **environ;

/* The pg.py helper of the source tree this file was compiled from. */
static void pg_script(char *buf, size_t len)
{
    const char *slash = strrchr(__FILE__, '/');
    snprintf(buf, len, "%.*s../tests/servers/pg.py", slash ? (int)(slash - __FILE__ + 1) : 0,
             __FILE__);
}

/* A free TCP port on 127.0.0.1 other than the N in TAKEN; -1 when none. */
static int free_port(const int *taken, int n)
{
    for (int attempt = 0; attempt < 20; attempt++) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof a;
        int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
        if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
            getsockname(fd, (struct sockaddr *)&a, &len) == 0)
            port = ntohs(a.sin_port);
        if (fd >= 0) close(fd);
        int clash = 0;
        for (int i = 0; i < n; i++)
            clash |= taken[i] == port;
        if (port > 0 && !clash) return port;
    }
    return -1;
}

/* The servers' environment: the bench's own without any TRIPOD_ setting,
 * plus no rate limit and the scenario's fixed clock. The caller frees the
 * array (not its strings); NULL when out of memory. */
static char **serve_env(void)
{
    size_t n = 0, k = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 3, sizeof *env);
    if (!env) return NULL;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "TRIPOD_", 7) != 0) env[k++] = environ[i];
    env[k++] = "TRIPOD_RATE_LIMIT=0";
    env[k++] = "TRIPOD_NOW=" SCENARIO_NOW;
    return env;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* Waits until the instance on PORT answers its health check. 0, or -1 when
 * it exited, did not answer within HEALTH_WAIT_S, or the bench was
 * interrupted. */
static int wait_healthy(int port, pid_t *pid)
{
    char url[96];
    int rc = -1;
    CURL *h = curl_easy_init();
    if (!h) return -1;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/health", port);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 5L);
    for (int i = 0; i < HEALTH_WAIT_S * 20 && !child_interrupted() && child_alive(pid); i++) {
        long status = 0;
        if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (status == 200) {
            rc = 0;
            break;
        }
        usleep(50000);
    }
    curl_easy_cleanup(h);
    return rc;
}

/* The availability load again while slow clients from another address hold
 * thousands of connections to PORT: PREFIX_availability_p99_under_slow_clients_ms
 * and _rps_under_slow_clients. 0, or 1 after saying what failed. */
static int load_under_slow_clients(int port, const char *dir, const char *prefix)
{
    char name[96];
    double rps, p99, until = bench_now_us() + SLOW_SETTLE_US;
    slow_counts counts;
    slow_clients *sc =
        slow_start(SLOW_SOURCE, port, SLOW_HEADERS, SLOW_BODIES, SLOW_IDLE, SLOW_INTERVAL_S);
    if (!sc) {
        fprintf(stderr, "bench %s: cannot start the slow clients\n", prefix);
        return 1;
    }
    while (bench_now_us() < until && !child_interrupted())
        usleep(50000);
    int rc = child_interrupted() ? 1 : load_availability_figures(&port, 1, dir, prefix, &rps, &p99);
    slow_stop(sc, &counts);
    if (rc != 0) return 1;
    if (counts.max_open == 0) {
        fprintf(stderr, "bench %s: no slow client could connect from %s\n", prefix, SLOW_SOURCE);
        return 1;
    }
    snprintf(name, sizeof name, "%s_availability_p99_under_slow_clients_ms", prefix);
    bench_report(name, p99, "ms");
    snprintf(name, sizeof name, "%s_availability_rps_under_slow_clients", prefix);
    bench_report(name, rps, "req/s");
    return 0;
}

/* One configuration: the scenario into the store at URL (NULL: SQLite in a
 * new temporary dir), N instances serving it, availability then bookings,
 * figures named PREFIX_…. Returns 0, or 1 after saying what failed. */
static int run_config(const char *exe, char **env, const char *prefix, const char *url, int n)
{
    char dir[] = "/tmp/tripod-bench-XXXXXX", data[64], log[64], what[64],
         port_arg[MAX_INSTANCES][16], err[512];
    int ports[MAX_INSTANCES], rc = 1;
    pid_t pids[MAX_INSTANCES];
    for (int i = 0; i < MAX_INSTANCES; i++)
        pids[i] = -1;
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench %s: cannot create a temporary directory\n", prefix);
        return 1;
    }
    snprintf(data, sizeof data, "%s/data", dir);
    if (scenario_load(url, data, err, sizeof err) != 0) {
        fprintf(stderr, "bench %s: loading the scenario failed: %s\n", prefix, err);
        goto out;
    }
    for (int i = 0; i < n && !child_interrupted(); i++) {
        if ((ports[i] = free_port(ports, i)) < 0) {
            fprintf(stderr, "bench %s: no free port\n", prefix);
            goto out;
        }
        snprintf(port_arg[i], sizeof port_arg[i], "%d", ports[i]);
        snprintf(log, sizeof log, "%s/serve%d.log", dir, i);
        char *db = (char *)url;
        char *argv[] = {"tripod", "serve", "--port", port_arg[i], "--data", data, "--db", db, NULL};
        if (!url) argv[6] = NULL;
        if ((pids[i] = child_spawn(exe, argv, env, log)) < 0) {
            fprintf(stderr, "bench %s: cannot start tripod serve\n", prefix);
            goto out;
        }
    }
    for (int i = 0; i < n && !child_interrupted(); i++) {
        if (wait_healthy(ports[i], &pids[i]) != 0) {
            if (!child_interrupted())
                fprintf(stderr,
                        "bench %s: tripod serve on port %d did not start (log: %s/serve%d.log)\n",
                        prefix, ports[i], dir, i);
            goto out;
        }
    }
    if (!child_interrupted() && load_availability(ports, n, dir, prefix) == 0 &&
        (n > 1 || url || load_under_slow_clients(ports[0], dir, prefix) == 0) &&
        load_bookings(ports, n, prefix) == 0)
        rc = 0;
out:
    snprintf(what, sizeof what, "%s's tripod serve", prefix);
    int killed = child_stop(pids, MAX_INSTANCES, SERVE_GRACE_S, what);
    if ((rc == 0 && killed == 0) || child_interrupted())
        bench_remove_tree(dir);
    else
        fprintf(stderr, "bench %s: servers' logs kept in %s\n", prefix, dir);
    return rc;
}

/* `python3 pg.py VERB DIR`: its exit status, its output in OUT. */
static int pg_run(const char *script, const char *verb, const char *dir, char *out, size_t outlen)
{
    char *argv[] = {"/usr/bin/python3", (char *)script, (char *)verb, (char *)dir, NULL};
    return child_run(argv, 0, out, outlen);
}

/* The postgres:// URL pg.py printed, cut out of OUT in place; NULL if none. */
static char *pg_url(char *out)
{
    char *url = NULL;
    for (char *p = strstr(out, "postgres://"); p; p = strstr(p + 1, "postgres://"))
        url = p;
    if (url) url[strcspn(url, "\r\n")] = '\0';
    return url;
}

/* Both PostgreSQL configurations, each on a fresh database of a cluster
 * started here and always stopped (and its directory removed) before
 * returning. 0 also when the cluster cannot start (said on stderr). */
static int run_pg(const char *exe, char **env)
{
    static const struct {
        const char *prefix;
        int n;
    } configs[] = {{"pg_1x", 1}, {"pg_3x", 3}};
    char script[1024], dir[] = "/tmp/tripod-bench-pg-XXXXXX", out[4096];
    int rc = 0;
    pg_script(script, sizeof script);
    if (access(script, R_OK) != 0) {
        fprintf(stderr, "bench: PostgreSQL figures skipped: %s not found\n", script);
        return 0;
    }
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench: PostgreSQL figures skipped: cannot create a temporary directory\n");
        return 0;
    }
    if (pg_run(script, "start", dir, out, sizeof out) != 0 || !pg_url(out)) {
        if (child_interrupted())
            rc = 1;
        else
            fprintf(stderr,
                    "bench: PostgreSQL figures skipped: the throwaway cluster did not start:\n%s\n",
                    out);
        goto out;
    }
    for (size_t i = 0; i < sizeof configs / sizeof configs[0] && !child_interrupted(); i++) {
        char *url = NULL;
        if (pg_run(script, "createdb", dir, out, sizeof out) != 0 || !(url = pg_url(out))) {
            fprintf(stderr, "bench %s: cannot create a database:\n%s\n", configs[i].prefix, out);
            rc = 1;
            continue;
        }
        rc |= run_config(exe, env, configs[i].prefix, url, configs[i].n);
    }
    if (!child_interrupted()) {
        char *url = NULL;
        if (pg_run(script, "createdb", dir, out, sizeof out) == 0 && (url = pg_url(out)))
            rc |= bench_search(url, "pg_");
        else
            fprintf(stderr, "bench pg search: cannot create a database:\n%s\n", out);
    }
out:
    if (pg_run(script, "stop", dir, out, sizeof out) != 0)
        fprintf(stderr, "bench: stopping the PostgreSQL cluster in %s failed:\n%s\n", dir, out);
    bench_remove_tree(dir);
    return rc | child_interrupted();
}

int bench_http(const char *exe)
{
    char **env = serve_env();
    int rc = 1;
    if (!env || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "bench: out of memory for the HTTP figures\n");
        free(env);
        return 1;
    }
    rc = run_config(exe, env, "http", NULL, 1);
    if (!child_interrupted()) rc |= run_pg(exe, env);
    curl_global_cleanup();
    free(env);
    return rc | child_interrupted();
}
