/* conn_guard.c — per-client connection caps, whole-phase deadlines enforced
 * by a reaper thread, the client address behind trusted proxies, and
 * refusing connections while stopping (see conn_guard.h). */
#include "api/conn_guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define GUARD_BUCKETS 4096
#define GUARD_TICK_MS 100       /* how often the reaper looks at deadlines */
#define GUARD_REPORT_MS 60000   /* at most one summary line a minute */
#define GUARD_FD_RESERVE 512    /* descriptors kept for the store, calendars, mail, files */
#define GUARD_STOP_BODY_MS 3000 /* once stopping, how long a body still arriving may take */

/* A client address: family and bytes (IPv4-mapped IPv6 counts as IPv4). */
typedef struct {
    int family;
    uint8_t b[16];
} guard_addr;

/* How many connections (or, behind a proxy, requests) one address holds. */
typedef struct guard_count {
    struct guard_count *next;
    guard_addr addr;
    unsigned n;
} guard_count;

enum { GUARD_WAITING, GUARD_BODY, GUARD_ANSWER }; /* a connection's phase */

/* One open connection (libmicrohttpd's socket context). */
typedef struct guard_conn {
    struct guard_conn *prev, *next;
    int fd;
    atomic_llong deadline_ms; /* monotonic; 0 = none */
    atomic_int phase;
    int requests; /* request lines seen (only its own thread touches it) */
    int counted;  /* PEER holds one of its address's connections */
    int shut;     /* the reaper (or the cap) shut it down; under mu */
    guard_addr peer;
    int proxied; /* PEER is a trusted proxy */
    int has_fwd; /* FWD holds one of its address's requests; written on the connection's thread,
                    under mu */
    guard_addr fwd;
} guard_conn;

struct guard {
    const tripod_config *cfg;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    pthread_t reaper;
    int quit; /* under mu */
    atomic_int stopping;
    guard_conn *head;                 /* every open connection, under mu */
    unsigned open;                    /* under mu */
    unsigned long timed_out, refused; /* since the last summary, under mu */
    guard_count *counts[GUARD_BUCKETS];
};

int64_t guard_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int64_t guard_after(unsigned seconds)
{
    return seconds ? guard_now_ms() + (int64_t)seconds * 1000 : 0;
}

/* ---- addresses ---------------------------------------------------------- */

static int guard_from_sockaddr(const struct sockaddr *sa, guard_addr *out)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    memset(out, 0, sizeof *out);
    if (!sa) return -1;
    if (sa->sa_family == AF_INET) {
        out->family = AF_INET;
        memcpy(out->b, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const uint8_t *b = (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (memcmp(b, mapped, 12) == 0) {
            out->family = AF_INET;
            memcpy(out->b, b + 12, 4);
        } else {
            out->family = AF_INET6;
            memcpy(out->b, b, 16);
        }
        return 0;
    }
    return -1;
}

/* Parses one address of a forwarded list: "1.2.3.4", "1.2.3.4:5678", "::1"
 * or "[::1]:80", surrounded by blanks (LEN bytes at S). */
static int guard_parse_addr(const char *s, size_t len, guard_addr *out)
{
    char buf[INET6_ADDRSTRLEN + 8];
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0 || len >= sizeof buf) return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *a = buf;
    if (a[0] == '[') {
        char *end = strchr(a, ']');
        if (!end) return -1;
        *end = '\0';
        a++;
    } else {
        char *colon = strchr(a, ':');
        if (colon && !strchr(colon + 1, ':')) *colon = '\0'; /* IPv4 with a port */
    }
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, a, out->b) == 1) {
        out->family = AF_INET;
        return 0;
    }
    struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6};
    if (inet_pton(AF_INET6, a, &sa6.sin6_addr) != 1) return -1;
    return guard_from_sockaddr((const struct sockaddr *)&sa6, out);
}

static void guard_format(const guard_addr *a, char *out, size_t len)
{
    if (!a->family || !inet_ntop(a->family, a->b, out, (socklen_t)len))
        snprintf(out, len, "unknown");
}

static int guard_trusted(const tripod_config *cfg, const guard_addr *a)
{
    for (size_t i = 0; i < cfg->n_trusted_proxies; i++) {
        const config_cidr *c = &cfg->trusted_proxies[i];
        unsigned bits = c->prefix, whole = bits / 8, rest = bits % 8;
        if (c->family != a->family) continue;
        if (memcmp(c->addr, a->b, whole) != 0) continue;
        if (rest && ((c->addr[whole] ^ a->b[whole]) & (uint8_t)(0xff << (8 - rest)))) continue;
        return 1;
    }
    return 0;
}

int guard_parse_proxies(const char *text, config_cidr *out, size_t max, size_t *n, char *err,
                        size_t errlen)
{
    *n = 0;
    for (const char *p = text; *p;) {
        p += strspn(p, ", \t");
        size_t len = strcspn(p, ", \t");
        if (len == 0) break;
        const char *slash = memchr(p, '/', len);
        size_t alen = slash ? (size_t)(slash - p) : len;
        guard_addr a;
        unsigned prefix = 0;
        int ok = guard_parse_addr(p, alen, &a) == 0 && memchr(p, '[', alen) == NULL;
        if (ok) prefix = a.family == AF_INET ? 32 : 128;
        if (ok && slash) {
            char num[8];
            size_t nlen = len - alen - 1;
            char *end;
            ok = nlen > 0 && nlen < sizeof num;
            if (ok) {
                memcpy(num, slash + 1, nlen);
                num[nlen] = '\0';
                long bits = strtol(num, &end, 10);
                ok = *end == '\0' && bits >= 0 && bits <= (long)prefix;
                prefix = (unsigned)bits;
            }
        }
        if (!ok) {
            snprintf(err, errlen, "'%.*s' is not an IP address or network (e.g. 10.0.0.0/8, ::1)",
                     (int)len, p);
            *n = 0;
            return -1;
        }
        if (*n == max) {
            snprintf(err, errlen, "at most %zu addresses or networks", max);
            *n = 0;
            return -1;
        }
        out[*n] = (config_cidr){.family = a.family, .prefix = prefix};
        memcpy(out[*n].addr, a.b, sizeof a.b);
        (*n)++;
        p += len;
    }
    return 0;
}

/* Replaces *WHO (the peer) with the client: while *WHO is a trusted proxy,
 * the next address of X-Forwarded-For XFF from its end (a list whose
 * addresses are all trusted proxies leaves its first; an unreadable entry
 * stops the walk at the last good one). */
static void guard_walk_forwarded(const tripod_config *cfg, const char *xff, guard_addr *who)
{
    size_t end = xff ? strlen(xff) : 0;
    while (end > 0 && guard_trusted(cfg, who)) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        guard_addr hop;
        if (guard_parse_addr(xff + start, end - start, &hop) != 0) break;
        *who = hop;
        end = start ? start - 1 : 0;
    }
}

int guard_client_address(const tripod_config *cfg, const char *peer, const char *xff, char *out,
                         size_t len)
{
    guard_addr who;
    if (guard_parse_addr(peer, strlen(peer), &who) != 0) return -1;
    guard_walk_forwarded(cfg, xff, &who);
    guard_format(&who, out, len);
    return 0;
}

/* The client of C's current request (see guard_walk_forwarded). */
static void guard_client_of(guard *g, struct MHD_Connection *c, const guard_conn *gc,
                            guard_addr *out)
{
    *out = gc->peer;
    if (gc->proxied)
        guard_walk_forwarded(
            g->cfg, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For"), out);
}

/* ---- counts per address (callers hold mu) -------------------------------- */

static guard_count **guard_slot(guard *g, const guard_addr *a)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < (a->family == AF_INET ? 4u : 16u); i++)
        h = (h ^ a->b[i]) * 16777619u;
    guard_count **pp = &g->counts[h % GUARD_BUCKETS];
    while (*pp && memcmp(&(*pp)->addr, a, sizeof *a) != 0)
        pp = &(*pp)->next;
    return pp;
}

static unsigned guard_count_of(guard *g, const guard_addr *a)
{
    guard_count *e = *guard_slot(g, a);
    return e ? e->n : 0;
}

/* Adds one to A's count; returns the new count (0 when memory ran out:
 * the connection is then let through uncounted). */
static unsigned guard_count_add(guard *g, const guard_addr *a)
{
    guard_count **pp = guard_slot(g, a);
    if (!*pp) {
        if (!(*pp = calloc(1, sizeof **pp))) return 0;
        (*pp)->addr = *a;
    }
    return ++(*pp)->n;
}

static void guard_count_drop(guard *g, const guard_addr *a)
{
    guard_count **pp = guard_slot(g, a);
    guard_count *e = *pp;
    if (e && --e->n == 0) {
        *pp = e->next;
        free(e);
    }
}

/* ---- the reaper ------------------------------------------------------------ */

static void guard_shut(guard *g, guard_conn *gc)
{
    if (gc->shut) return;
    gc->shut = 1;
    if (shutdown(gc->fd, SHUT_RDWR) != 0) errno = 0; /* already ending: nothing to do */
    (void)g;
}

static void guard_report(guard *g)
{
    char line[256];
    int n = snprintf(line, sizeof line,
                     "tripod: in the last minute %lu connections closed past their deadline, "
                     "%lu refused over the per-client cap; %u open\n",
                     g->timed_out, g->refused, g->open);
    if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0) errno = 0;
    g->timed_out = g->refused = 0;
}

static void *guard_reap(void *arg)
{
    guard *g = arg;
    int64_t last_report = guard_now_ms();
    pthread_mutex_lock(&g->mu);
    while (!g->quit) {
        int64_t now = guard_now_ms();
        for (guard_conn *gc = g->head; gc; gc = gc->next) {
            long long due = atomic_load(&gc->deadline_ms);
            if (due > 0 && now >= due && !gc->shut) {
                guard_shut(g, gc);
                g->timed_out++;
            }
        }
        if (now - last_report >= GUARD_REPORT_MS) {
            if (g->timed_out || g->refused) guard_report(g);
            last_report = now;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += GUARD_TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&g->wake, &g->mu, &until);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

/* ---- lifecycle --------------------------------------------------------------- */

unsigned guard_connection_limit(const tripod_config *cfg)
{
    struct rlimit rl;
    unsigned want = cfg->max_connections;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return want < 256 ? want : 256;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t cur = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) rl.rlim_cur = cur;
    }
    rlim_t room =
        rl.rlim_cur > 2 * GUARD_FD_RESERVE ? rl.rlim_cur - GUARD_FD_RESERVE : rl.rlim_cur / 2;
    return (rlim_t)want < room ? want : (unsigned)room;
}

guard *guard_new(const tripod_config *cfg)
{
    guard *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->cfg = cfg;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->wake, NULL);
    if (pthread_create(&g->reaper, NULL, guard_reap, g) != 0) {
        pthread_cond_destroy(&g->wake);
        pthread_mutex_destroy(&g->mu);
        free(g);
        return NULL;
    }
    return g;
}

void guard_free(guard *g)
{
    if (!g) return;
    pthread_mutex_lock(&g->mu);
    g->quit = 1;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->reaper, NULL);
    for (guard_conn *gc = g->head, *next; gc; gc = next) { /* none once MHD stopped */
        next = gc->next;
        free(gc);
    }
    for (size_t i = 0; i < GUARD_BUCKETS; i++)
        for (guard_count *e = g->counts[i], *next; e; e = next) {
            next = e->next;
            free(e);
        }
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

/* ---- libmicrohttpd hooks -------------------------------------------------------- */

static guard_conn *guard_conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

enum MHD_Result guard_on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    guard *g = cls;
    guard_addr a;
    unsigned cap = g->cfg->max_conn_per_client;
    (void)addrlen;
    if (atomic_load(&g->stopping)) return MHD_NO;
    if (cap == 0 || guard_from_sockaddr(addr, &a) != 0 || guard_trusted(g->cfg, &a)) return MHD_YES;
    pthread_mutex_lock(&g->mu);
    int full = guard_count_of(g, &a) >= cap;
    if (full) g->refused++;
    pthread_mutex_unlock(&g->mu);
    return full ? MHD_NO : MHD_YES;
}

void guard_on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                         enum MHD_ConnectionNotificationCode code)
{
    guard *g = cls;
    guard_conn *gc = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        if (!gc) return;
        pthread_mutex_lock(&g->mu);
        if (gc->prev)
            gc->prev->next = gc->next;
        else
            g->head = gc->next;
        if (gc->next) gc->next->prev = gc->prev;
        g->open--;
        if (gc->counted) guard_count_drop(g, &gc->peer);
        if (gc->has_fwd) guard_count_drop(g, &gc->fwd);
        pthread_mutex_unlock(&g->mu);
        free(gc);
        *socket_context = NULL;
        return;
    }
    const union MHD_ConnectionInfo *fdi =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *ai =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!fdi || !(gc = calloc(1, sizeof *gc))) return; /* unguarded, but served */
    gc->fd = fdi->connect_fd;
    guard_from_sockaddr(ai ? ai->client_addr : NULL, &gc->peer);
    gc->proxied = guard_trusted(g->cfg, &gc->peer);
    atomic_init(&gc->phase, GUARD_WAITING);
    atomic_init(&gc->deadline_ms, guard_after(g->cfg->header_timeout_s));
    unsigned cap = g->cfg->max_conn_per_client;
    pthread_mutex_lock(&g->mu);
    gc->next = g->head;
    if (g->head) g->head->prev = gc;
    g->head = gc;
    g->open++;
    if (cap && !gc->proxied && gc->peer.family) {
        unsigned n = guard_count_add(g, &gc->peer);
        gc->counted = n > 0;
        if (n > cap) { /* another thread accepted one from there meanwhile */
            guard_shut(g, gc);
            g->refused++;
        }
    }
    if (atomic_load(&g->stopping)) guard_shut(g, gc); /* accepted as the stop began */
    pthread_mutex_unlock(&g->mu);
    *socket_context = gc;
}

void *guard_on_request_line(void *cls, const char *uri, struct MHD_Connection *c)
{
    guard *g = cls;
    guard_conn *gc = guard_conn_of(c);
    (void)uri;
    if (gc && gc->requests++ > 0) /* the first request's deadline runs from accept */
        atomic_store(&gc->deadline_ms, guard_after(g->cfg->header_timeout_s));
    return NULL;
}

int guard_request_begin(guard *g, struct MHD_Connection *c, char *client, size_t len)
{
    guard_conn *gc = guard_conn_of(c);
    guard_addr who;
    int rc = 0;
    if (!gc) {
        const union MHD_ConnectionInfo *ai =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        guard_from_sockaddr(ai ? ai->client_addr : NULL, &who);
        guard_format(&who, client, len);
        return 0;
    }
    atomic_store(&gc->phase, GUARD_BODY);
    atomic_store(&gc->deadline_ms, guard_after(g->cfg->body_timeout_s));
    guard_client_of(g, c, gc, &who);
    guard_format(&who, client, len);
    unsigned cap = g->cfg->max_conn_per_client;
    if (gc->proxied && cap) {
        pthread_mutex_lock(&g->mu);
        unsigned n = guard_count_add(g, &who);
        if (n > 0) {
            gc->fwd = who;
            gc->has_fwd = 1;
        }
        if (n > cap) {
            g->refused++;
            rc = -1;
        }
        pthread_mutex_unlock(&g->mu);
    }
    return rc;
}

int guard_body_late(guard *g, struct MHD_Connection *c)
{
    guard_conn *gc = guard_conn_of(c);
    (void)g;
    if (!gc) return 0;
    long long due = atomic_load(&gc->deadline_ms);
    return due > 0 && guard_now_ms() >= due;
}

void guard_request_answer(guard *g, struct MHD_Connection *c)
{
    guard_conn *gc = guard_conn_of(c);
    (void)g;
    if (!gc) return;
    atomic_store(&gc->phase, GUARD_ANSWER);
    atomic_store(&gc->deadline_ms, 0);
}

void guard_request_end(guard *g, struct MHD_Connection *c)
{
    guard_conn *gc = guard_conn_of(c);
    if (!gc) return;
    /* has_fwd is only set on this connection's own thread: the common case
     * (no trusted proxy) takes no lock. */
    if (gc->has_fwd) {
        pthread_mutex_lock(&g->mu);
        guard_count_drop(g, &gc->fwd);
        gc->has_fwd = 0;
        pthread_mutex_unlock(&g->mu);
    }
    atomic_store(&gc->phase, GUARD_WAITING);
    atomic_store(&gc->deadline_ms,
                 atomic_load(&g->stopping) ? guard_now_ms() : guard_after(g->cfg->idle_timeout_s));
}

void guard_stop_accepting(guard *g)
{
    int64_t body_due = guard_now_ms() + GUARD_STOP_BODY_MS;
    atomic_store(&g->stopping, 1);
    pthread_mutex_lock(&g->mu);
    for (guard_conn *gc = g->head; gc; gc = gc->next) {
        int phase = atomic_load(&gc->phase);
        long long due = atomic_load(&gc->deadline_ms);
        if (phase == GUARD_WAITING)
            guard_shut(g, gc);
        else if (phase == GUARD_BODY && (due == 0 || due > body_due))
            atomic_store(&gc->deadline_ms, body_due);
    }
    pthread_mutex_unlock(&g->mu);
}

int guard_stopping(const guard *g)
{
    return atomic_load(&((guard *)g)->stopping);
}
