/* harness.c — runs api_serve() in a thread of the fuzz process on a
 * temporary data dir, seeds it through its own API, and talks HTTP/1.1 to it. */
#include "harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "api/api.h"
#include "app/app.h"
#include "store/store.h"

#define H_ADMIN_TOKEN "fuzz-admin-token-0123456789abcdefghijklmnopq"
#define H_RESP_MAX (4 << 20)

static harness_seed h_seed;
static tripod_config h_cfg;
static app h_app;
static store *h_db;
static char h_dir[] = "/tmp/tripod-fuzz-XXXXXX";
static int h_port, h_fd = -1, h_started;

static void h_die(const char *what)
{
    fprintf(stderr, "fuzz harness: %s\n", what);
    abort();
}

/* At exit: the data dir (flat: database, WAL, key) goes; a crash leaves it. */
static void h_cleanup(void)
{
    char path[512];
    DIR *d = opendir(h_dir);
    for (struct dirent *e = d ? readdir(d) : NULL; e; e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(path, sizeof path, "%s/%s", h_dir, e->d_name);
        unlink(path);
    }
    if (d) closedir(d);
    rmdir(h_dir);
}

static void *h_serve(void *arg)
{
    (void)arg;
    api_serve(&h_app, h_port);
    return NULL;
}

/* A free port for the server, drawn at random below the kernel's ephemeral
 * range as tests/servers/ports.py does: a port from bind(0) can go to
 * another process's outgoing connection before the server binds it, and
 * the suites running beside this one open thousands of connections. */
static int h_free_port(void)
{
    int high = 32767, low;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) {
        int first;
        if (fscanf(f, "%d", &first) == 1 && first > 1025) high = first - 1;
        fclose(f);
    }
    low = high > 21000 ? 20000 : 1024;
    for (int attempt = 0; attempt < 500; attempt++) {
        int port = low + (int)randombytes_uniform((uint32_t)(high - low + 1));
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) break;
        int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (ok) return port;
    }
    h_die("no free port");
    return -1;
}

static int h_connect(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)h_port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {30, 0};
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int h_send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads one response on FD. Returns the status, or -1 when the connection
 * broke before a whole answer arrived. *CLOSE is set when the server said so. */
static int h_read_answer(int fd, int head_only, char *out, size_t outlen, int *close_after)
{
    static char buf[H_RESP_MAX];
    size_t len = 0;
    char *end = NULL;
    while (!end) {
        if (len == sizeof buf - 1) return -1;
        ssize_t r = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (r <= 0) return -1;
        len += (size_t)r;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    int status = 0;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) return -1;
    size_t head = (size_t)(end - buf) + 4, want = 0;
    for (char *line = strstr(buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, "Content-Length:", 15) == 0) want = strtoull(line + 17, NULL, 10);
        if (strncasecmp(line + 2, "Connection: close", 17) == 0) *close_after = 1;
    }
    if (head_only) want = 0;
    if (want > sizeof buf - 1 - head) return -1;
    while (len < head + want) {
        ssize_t r = recv(fd, buf + len, head + want - len, 0);
        if (r <= 0) return -1;
        len += (size_t)r;
    }
    size_t n = want < outlen - 1 ? want : outlen - 1;
    memcpy(out, buf + head, n);
    out[n] = '\0';
    return status;
}

int harness_request(const char *method, const char *target, const char *body, size_t len,
                    const char *bearer, char *out, size_t outlen)
{
    size_t cap = strlen(method) + strlen(target) + (bearer ? strlen(bearer) : 0) + 256;
    char *head = malloc(cap);
    if (!head) h_die("out of memory");
    for (int attempt = 0; attempt < 2; attempt++) {
        int close_after = 0;
        if (h_fd < 0 && (h_fd = h_connect()) < 0) h_die("cannot connect to the server");
        int n = snprintf(head, cap,
                         "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %zu\r\n"
                         "Content-Type: application/json\r\n%s%s%s\r\n",
                         method, target, len, bearer ? "Authorization: Bearer " : "",
                         bearer ? bearer : "", bearer ? "\r\n" : "");
        int status = -1;
        if (h_send_all(h_fd, head, (size_t)n) == 0 && h_send_all(h_fd, body, len) == 0)
            status = h_read_answer(h_fd, strcmp(method, "HEAD") == 0, out, outlen, &close_after);
        if (status < 0 || close_after) {
            close(h_fd);
            h_fd = -1;
        }
        if (status >= 0) {
            free(head);
            return status;
        }
        /* A kept-alive connection may have been timed out by the server: retry once. */
    }
    h_die("the server closed the connection without answering");
    return -1;
}

void harness_query_encode(const unsigned char *in, size_t len, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = in[i];
        if (('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') ||
            (c && strchr("-._~=&,:+", c))) {
            *out++ = (char)c;
        } else {
            *out++ = '%';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 15];
        }
    }
    *out = '\0';
}

void harness_check_answer(int status, const char *body)
{
    if (status < 200 || status >= 500) {
        fprintf(stderr, "fuzz harness: status %d: %.500s\n", status, body);
        abort();
    }
    if (status >= 400) {
        json_t *j = json_loads(body, 0, NULL);
        int ok = json_is_string(json_object_get(j, "error")) &&
                 json_is_string(json_object_get(j, "message"));
        json_decref(j);
        if (!ok) {
            fprintf(stderr, "fuzz harness: %d without a JSON error: %.500s\n", status, body);
            abort();
        }
    }
}

/* Sends a seeding request that must answer WANT; copies member "id" (or
 * KEY) of the answer into ID_OUT when given. */
static void h_seed_call(const char *method, const char *target, const char *json, int want,
                        const char *key, char *id_out, size_t idlen)
{
    static char ans[65536];
    int st = harness_request(method, target, json, strlen(json), H_ADMIN_TOKEN, ans, sizeof ans);
    if (st != want) {
        fprintf(stderr, "fuzz harness: seeding %s %s gave %d: %s\n", method, target, st, ans);
        abort();
    }
    if (id_out) {
        json_t *j = json_loads(ans, 0, NULL);
        const char *v = json_string_value(json_object_get(j, key ? key : "id"));
        if (!v) h_die("seeding answer without the expected member");
        snprintf(id_out, idlen, "%s", v);
        json_decref(j);
    }
}

static void h_seed_business(void)
{
    harness_seed *s = &h_seed;
    char body[1024];
    h_seed_call("PUT", "/api/v1/settings",
                "{\"integrated_booking\":true,\"timezone\":\"America/New_York\","
                "\"min_notice_minutes\":0,\"horizon_days\":30}",
                200, NULL, NULL, 0);
    h_seed_call("POST", "/api/v1/calendars",
                "{\"owner\":\"business\",\"kind\":\"ics\",\"url\":\"http://127.0.0.1:9/b.ics\","
                "\"primary\":true}",
                201, NULL, NULL, 0);
    h_seed_call("POST", "/api/v1/services", "{\"name\":\"Photos\",\"duration_minutes\":60}", 201,
                NULL, s->service_id, sizeof s->service_id);
    snprintf(body, sizeof body,
             "{\"name\":\"Gold\",\"duration_minutes\":120,\"services\":[\"%s\"]}", s->service_id);
    h_seed_call("POST", "/api/v1/packages", body, 201, NULL, s->package_id, sizeof s->package_id);
    h_seed_call(
        "POST", "/api/v1/zones",
        "{\"name\":\"NYC\",\"postal_codes\":[\"10001\"],\"polygon\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[-74.1,40.6],[-73.8,40.6],[-73.8,40.9],[-74.1,40.9],[-74.1,40.6]]]}}",
        201, NULL, s->zone_id, sizeof s->zone_id);
    snprintf(body, sizeof body,
             "{\"name\":\"Pat\",\"email\":\"pat@example.com\",\"zones\":[\"%s\"],"
             "\"hours\":{\"mon\":[[\"09:00\",\"17:00\"]],\"tue\":[[\"09:00\",\"17:00\"]]},"
             "\"exceptions\":[{\"date\":\"2030-06-05\",\"off\":true}]}",
             s->zone_id);
    h_seed_call("POST", "/api/v1/staff", body, 201, NULL, s->staff_id, sizeof s->staff_id);
    snprintf(body, sizeof body,
             "{\"owner\":\"%s\",\"kind\":\"caldav\",\"url\":\"http://127.0.0.1:9/pat/\","
             "\"username\":\"pat\",\"password\":\"pw\"}",
             s->staff_id);
    h_seed_call("POST", "/api/v1/calendars", body, 201, NULL, s->calendar_id,
                sizeof s->calendar_id);
    snprintf(body, sizeof body,
             "{\"agent\":{\"name\":\"A\",\"email\":\"a@example.com\"},\"property\":{\"address\":"
             "\"1 Main St\",\"postal_code\":\"10001\"},\"services\":[\"%s\"],"
             "\"start\":\"2030-06-03T14:00:00-04:00\"}",
             s->service_id);
    char ans[8192];
    int st = harness_request("POST", "/api/v1/bookings", body, strlen(body), NULL, ans, sizeof ans);
    json_t *j = json_loads(ans, 0, NULL);
    const char *id = json_string_value(json_object_get(j, "id"));
    const char *tok = json_string_value(json_object_get(j, "manage_token"));
    if (st != 201 || !id || !tok) {
        fprintf(stderr, "fuzz harness: seeding the booking gave %d: %s\n", st, ans);
        abort();
    }
    snprintf(s->booking_id, sizeof s->booking_id, "%s", id);
    snprintf(s->manage_token, sizeof s->manage_token, "%s", tok);
    json_decref(j);
}

const harness_seed *harness_start(void)
{
    char err[512];
    uint8_t hash[32];
    int64_t id;
    pthread_t t;
    if (h_started) return &h_seed;
    if (sodium_init() < 0 || !mkdtemp(h_dir)) h_die("cannot create the data dir");
    /* Fuzzed calendar URLs name any host: libcurl sends every non-local
     * request to a closed local port, so nothing is resolved or contacted
     * beyond 127.0.0.1. */
    if (setenv("ALL_PROXY", "http://127.0.0.1:9", 1) != 0 ||
        setenv("NO_PROXY", "127.0.0.1,localhost", 1) != 0)
        h_die("cannot set the proxy environment");
    atexit(h_cleanup);
    config_defaults(&h_cfg);
    h_cfg.fixed_now = 1;
    h_cfg.now_value = 1906718400; /* 2030-06-03T12:00:00Z, a Monday */
    h_cfg.rate_limit = 0;
    if (store_open(NULL, h_dir, 0, &h_db, err, sizeof err) != STORE_OK ||
        store_migrate(h_db, err, sizeof err) != STORE_OK ||
        app_open(&h_app, &h_cfg, h_db, h_dir, err, sizeof err) != 0)
        h_die(err);
    store_conn *c = store_acquire(h_db);
    crypto_hash_sha256(hash, (const unsigned char *)H_ADMIN_TOKEN, strlen(H_ADMIN_TOKEN));
    if (!c || store_token_insert(c, "fuzz", hash, h_cfg.now_value, &id) != STORE_OK)
        h_die("cannot store the admin token");
    store_release(c);
    h_port = h_free_port();
    if (pthread_create(&t, NULL, h_serve, NULL) != 0) h_die("cannot start the server thread");
    pthread_detach(t);
    for (int i = 0; i < 200 && (h_fd = h_connect()) < 0; i++)
        usleep(25000);
    if (h_fd < 0) h_die("the server did not start");
    h_seed.admin_token = H_ADMIN_TOKEN;
    h_seed_business();
    h_started = 1;
    return &h_seed;
}
