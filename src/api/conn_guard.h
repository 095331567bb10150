/* conn_guard.h — keeps slow and hostile clients from stalling others: the
 * client address (X-Forwarded-For only from trusted proxies), a cap on open
 * connections per client address, whole-phase deadlines for a request's
 * headers and body and for idle keep-alive connections (a byte now and then
 * does not reset them), and refusing connections while the server stops.
 *
 * libmicrohttpd calls the guard_on_* hooks; server.c calls guard_request_*
 * at the steps of each request. A reaper thread shuts down (shutdown(2)) the
 * socket of a connection past its deadline; libmicrohttpd's own thread then
 * sees the end of the stream and closes the connection. The socket stays
 * open until after the CLOSED notification, which removes the connection
 * from the guard under the same lock the reaper holds. */
#ifndef TRIPOD_CONN_GUARD_H
#define TRIPOD_CONN_GUARD_H

#include <microhttpd.h>
#include <stddef.h>
#include <sys/socket.h>

#include "api/api.h"
#include "app/config.h"

typedef struct guard guard;

/* Milliseconds on the monotonic clock (deadlines, rate limits). */
int64_t guard_now_ms(void);

/* Parses TEXT, a comma- or space-separated list of addresses and networks
 * ("10.0.0.0/8, 192.168.1.5, ::1, fd00::/8") into OUT (room for MAX),
 * setting *N. Returns 0, or -1 with a message in ERR (and *N = 0). */
int guard_parse_proxies(const char *text, config_cidr *out, size_t max, size_t *n, char *err,
                        size_t errlen);

/* The client address of a request from PEER (an IP address as text) that
 * carries X-Forwarded-For XFF (NULL when absent), as text into OUT (LEN
 * bytes): PEER unless it is one of CFG's trusted proxies; then, walking XFF
 * from its end, the first address that is not a trusted proxy (the list's
 * first when all are; an unreadable entry stops at the last good one).
 * Returns 0, or -1 when PEER is not an IP address. */
int guard_client_address(const tripod_config *cfg, const char *peer, const char *xff, char *out,
                         size_t len);

/* Raises the soft descriptor limit to the hard one and returns how many
 * connections the server may hold: CFG->max_connections (or the default),
 * lowered to leave room for the store, calendars and files. */
unsigned guard_connection_limit(const tripod_config *cfg);

/* A guard for CFG (borrowed; must outlive it) with its reaper thread
 * running. NULL when memory or a thread is lacking. */
guard *guard_new(const tripod_config *cfg);
/* Stops the reaper and frees G (accepts NULL). Call after MHD_stop_daemon:
 * libmicrohttpd notifies closed connections until then. */
void guard_free(guard *g);

/* MHD_AcceptPolicyCallback (CLS is the guard): refuses a connection while
 * the server stops, and one from an address (other than a trusted proxy)
 * that already holds its cap of connections. */
enum MHD_Result guard_on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);
/* MHD_NotifyConnectionCallback: registers and unregisters connections. */
void guard_on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                         enum MHD_ConnectionNotificationCode code);
/* MHD_OPTION_URI_LOG_CALLBACK: a request line arrived; its headers' deadline
 * starts (a connection's first request's started at accept). Returns NULL. */
void *guard_on_request_line(void *cls, const char *uri, struct MHD_Connection *c);

/* Headers complete: writes the client address into CLIENT (LEN bytes) and
 * starts the body's deadline. For a connection from a trusted proxy, the
 * forwarded client's requests in progress count against its cap. Returns 0,
 * or -1 when that client is over its cap (answer 429; guard_request_end
 * still releases the request). */
int guard_request_begin(guard *g, struct MHD_Connection *c, char *client, size_t len);
/* Whether C's body deadline has passed (then end the connection). */
int guard_body_late(guard *g, struct MHD_Connection *c);
/* The body is complete and the handler runs: no deadline until the end. */
void guard_request_answer(guard *g, struct MHD_Connection *c);
/* The request ended (MHD_OPTION_NOTIFY_COMPLETED): the connection is idle. */
void guard_request_end(guard *g, struct MHD_Connection *c);

/* From now on new connections are refused, connections waiting for a
 * request are closed, a body still arriving gets at most 3 more seconds, and
 * guard_stopping() is true. Requests being answered go on. */
void guard_stop_accepting(guard *g);
int guard_stopping(const guard *g);

#endif
