/* slow_clients.c — one thread and one epoll set driving every slow
 * connection of the bench's slow-client figure (see slow_clients.h). */
#include "slow_clients.h"
#include "bench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOW_REOPEN_MS 1000 /* a closed connection is opened again after this */
#define SLOW_TICK_MS 50

enum { SLOW_HEADERS, SLOW_BODY, SLOW_IDLE };

static const char *const slow_opening[] = {
    "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nUser-Agent: slow\r\n",
    "POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    "Content-Length: 100000\r\n\r\n{",
    "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n",
};
static const char *const slow_trickle[] = {"X-a: b\r\n", "aaaa", ""};

typedef struct {
    int kind, fd, open; /* fd -1: closed, waiting for DUE to reopen */
    int64_t due;        /* next reopen or trickle (monotonic ms) */
} slow_conn;

struct slow_clients {
    pthread_t thread;
    atomic_int quit;
    struct sockaddr_in source, target;
    int interval_ms, n, epfd, open_now;
    slow_conn *conns;
    slow_counts counts;
};

static int64_t slow_now_ms(void)
{
    return (int64_t)(bench_now_us() / 1000);
}

static void slow_close(slow_clients *sc, slow_conn *c, int64_t now)
{
    close(c->fd); /* also leaves the epoll set */
    if (c->open) sc->open_now--;
    c->fd = -1;
    c->open = 0;
    c->due = now + SLOW_REOPEN_MS;
    sc->counts.closed++;
}

static void slow_open(slow_clients *sc, slow_conn *c, int64_t now)
{
    c->due = now + SLOW_REOPEN_MS;
    sc->counts.opened++;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    if (bind(fd, (struct sockaddr *)&sc->source, sizeof sc->source) != 0 ||
        (connect(fd, (struct sockaddr *)&sc->target, sizeof sc->target) != 0 &&
         errno != EINPROGRESS)) {
        close(fd);
        return;
    }
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
    if (epoll_ctl(sc->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        return;
    }
    c->fd = fd;
}

static void slow_send(slow_clients *sc, slow_conn *c, const char *text, int64_t now)
{
    size_t len = strlen(text);
    if (len && send(c->fd, text, len, MSG_NOSIGNAL) < 0 && errno != EAGAIN) slow_close(sc, c, now);
}

static void slow_event(slow_clients *sc, slow_conn *c, uint32_t events, int64_t now)
{
    char buf[4096];
    if (!c->open) { /* the connect finished, one way or the other */
        int err = 0;
        socklen_t len = sizeof err;
        if ((events & (EPOLLERR | EPOLLHUP)) ||
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
            slow_close(sc, c, now);
            return;
        }
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
        epoll_ctl(sc->epfd, EPOLL_CTL_MOD, c->fd, &ev);
        c->open = 1;
        if (++sc->open_now > sc->counts.max_open) sc->counts.max_open = sc->open_now;
        c->due = now + sc->interval_ms / 2 + rand() % (sc->interval_ms / 2 + 1);
        slow_send(sc, c, slow_opening[c->kind], now);
        return;
    }
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN)) slow_close(sc, c, now); /* an answer is read */
}

static void *slow_run(void *arg)
{
    slow_clients *sc = arg;
    struct epoll_event evs[256];
    while (!atomic_load(&sc->quit)) {
        int n = epoll_wait(sc->epfd, evs, 256, SLOW_TICK_MS);
        int64_t now = slow_now_ms();
        for (int i = 0; i < n; i++)
            if (((slow_conn *)evs[i].data.ptr)->fd >= 0)
                slow_event(sc, evs[i].data.ptr, evs[i].events, now);
        for (int i = 0; i < sc->n; i++) {
            slow_conn *c = &sc->conns[i];
            if (c->due > now) continue;
            if (c->fd < 0) {
                slow_open(sc, c, now);
            } else if (c->open) {
                c->due = now + sc->interval_ms;
                slow_send(sc, c, slow_trickle[c->kind], now);
            }
        }
    }
    return NULL;
}

slow_clients *slow_start(const char *source, int port, int headers, int bodies, int idle,
                         int interval_s)
{
    slow_clients *sc = calloc(1, sizeof *sc);
    if (!sc) return NULL;
    sc->n = headers + bodies + idle;
    sc->interval_ms = interval_s * 1000;
    sc->source = (struct sockaddr_in){.sin_family = AF_INET};
    sc->target = (struct sockaddr_in){.sin_family = AF_INET,
                                      .sin_port = htons((uint16_t)port),
                                      .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    sc->conns = calloc((size_t)sc->n, sizeof *sc->conns);
    sc->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!sc->conns || sc->epfd < 0 || inet_pton(AF_INET, source, &sc->source.sin_addr) != 1)
        goto fail;
    int64_t now = slow_now_ms();
    for (int i = 0; i < sc->n; i++) /* opened over the first second */
        sc->conns[i] = (slow_conn){.kind = i < headers            ? SLOW_HEADERS
                                           : i < headers + bodies ? SLOW_BODY
                                                                  : SLOW_IDLE,
                                   .fd = -1,
                                   .due = now + (int64_t)i * 1000 / sc->n};
    if (pthread_create(&sc->thread, NULL, slow_run, sc) != 0) goto fail;
    return sc;
fail:
    if (sc->epfd >= 0) close(sc->epfd);
    free(sc->conns);
    free(sc);
    return NULL;
}

void slow_stop(slow_clients *sc, slow_counts *counts)
{
    if (!sc) return;
    atomic_store(&sc->quit, 1);
    pthread_join(sc->thread, NULL);
    for (int i = 0; i < sc->n; i++)
        if (sc->conns[i].fd >= 0) close(sc->conns[i].fd);
    close(sc->epfd);
    if (counts) *counts = sc->counts;
    free(sc->conns);
    free(sc);
}
