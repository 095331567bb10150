/* net.h — what every outgoing request of the calendar layer (CalDAV, ICS,
 * SMTP) shares on its libcurl handle: no signals, time limits, and an abort
 * hook so that a stopping server does not wait for a slow peer. */
#ifndef TRIPOD_NET_H
#define TRIPOD_NET_H

#include <curl/curl.h>

/* Asked about once a second while a request runs; FN NULL: never abandon. */
typedef struct {
    int (*fn)(void *ctx); /* 1: abandon the request now (e.g. the server is stopping) */
    void *ctx;
} net_abort;

/* 1 when ABORT (may be NULL) says to abandon work now. */
int net_aborted(const net_abort *abort);

/* Sets on H: no signals, TIMEOUT_S for the whole exchange (0 means 20 s), at
 * most 10 s to connect, and ABORT (borrowed for the request; may be NULL):
 * when it says so the request ends with CURLE_ABORTED_BY_CALLBACK. */
void net_limits(CURL *h, long timeout_s, const net_abort *abort);

#endif
