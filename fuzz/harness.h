/* harness.h — the real HTTP server inside a fuzz process: `tripod serve`'s
 * api_serve() on a temporary SQLite store, seeded with a bookable business,
 * and a keep-alive HTTP/1.1 client to send it one request per fuzz input. */
#ifndef TRIPOD_FUZZ_HARNESS_H
#define TRIPOD_FUZZ_HARNESS_H

#include <stddef.h>

/* Ids and tokens of the seeded business (strings of digits / tokens). */
typedef struct {
    const char *admin_token;
    char booking_id[24];
    char manage_token[64];
    char staff_id[24], service_id[24], package_id[24], zone_id[24], calendar_id[24];
} harness_seed;

/* Starts the server once per process (later calls return the same seed).
 * Aborts when the server cannot be started or seeded: the target is useless. */
const harness_seed *harness_start(void);

/* Sends METHOD TARGET (path and query, sent as given) with BODY[0..len)
 * and "Authorization: Bearer BEARER" unless NULL. Returns the status code
 * and copies at most OUTLEN-1 bytes of the answer body into OUT (NUL-ended).
 * Aborts when the server does not answer within 30 s or closes the
 * connection without an answer: both are bugs worth a crash report. */
int harness_request(const char *method, const char *target, const char *body, size_t len,
                    const char *bearer, char *out, size_t outlen);

/* Percent-encodes every byte of IN[0..len) outside [A-Za-z0-9-._~=&,:+] into
 * OUT (room for 3 × len + 1 bytes), so any bytes form a valid query string. */
void harness_query_encode(const unsigned char *in, size_t len, char *out);

/* Aborts unless STATUS and BODY look like an answer of the API contract: a
 * known status below 500, and for 4xx a JSON {"error", "message"} body. */
void harness_check_answer(int status, const char *body);

#endif
