/* booking_tx.h — what the booking transactions share (booking.c creates,
 * booking_change.c changes and cancels): one run's state, the retry loop
 * (tx_run), the crew pick on fresh busy time, the live re-check, and the
 * double-booking check force never overrides. Internal to src/app. */
#ifndef TRIPOD_BOOKING_TX_H
#define TRIPOD_BOOKING_TX_H

#include <jansson.h>
#include <stdint.h>

#include "app/app.h"
#include "app/avail_request.h"
#include "app/booking.h"
#include "app/recheck.h"

/* What one attempt came to. */
typedef enum {
    TX_DONE = 0, /* finished: the operation's answer or O is set */
    TX_STALE,    /* the snapshot's catalog or staff changed: rebuild and retry */
    TX_TAKEN,    /* the crew is not free then: refuse with alternatives */
    TX_RECHECK,  /* the chosen crew's calendars must be read live first */
    TX_RETRY     /* transient store failure: retry */
} tx_step;

typedef struct tx tx;

/* One operation's run: what every attempt shares, and the operation's steps. */
struct tx {
    app *a;
    snapshot *s; /* current snapshot (a reference); renewed on TX_STALE */
    int peeked;  /* S was taken without checking the store: a refusal of
                    prepare is checked again on a current snapshot */
    tp_time now;
    recheck live;                      /* staff read live in this run, and who was busy */
    int64_t unchecked[STORE_MAX_CREW]; /* TX_RECHECK: whom to read live */
    int nunchecked;
    tp_time at, len;           /* the start and length being checked */
    avail_request q;           /* the query the check ran (alternatives) */
    int have_query;            /* q is set: a refusal offers alternatives */
    int64_t exclude;           /* the booking's own id in alternatives (0: none) */
    int forced;                /* a forced change: its refusals are never about shoot windows */
    const char *taken_message; /* the slot_unavailable sentence */
    json_t *reasons;           /* TX_TAKEN: who was not free and why (reasons.h), or NULL */
    const char *busy_message;  /* the sentence after BOOKING_TX_TRIES attempts */
    /* Before each attempt (after a renewal too): derive what needs the
     * snapshot. 0, or -1 with O. NULL: nothing to derive. */
    int (*prepare)(tx *t, outcome *o);
    /* One attempt inside a write transaction begun on C. */
    tx_step (*attempt)(tx *t, store_conn *c, outcome *o);
};

/* The step for store code RC (not STORE_OK) of an attempt (NOUN names what
 * was not found); O is set for real failures. */
tx_step tx_store(int rc, outcome *o, const char *noun);

/* Runs T's attempts on C until one is done: a stale snapshot is renewed, a
 * crew whose calendars must be read live is read outside the transaction, a
 * taken slot is refused with reasons and alternatives, transient failures are
 * retried with a growing pause. 0 when the operation succeeded, else -1
 * with O. */
int tx_run(tx *t, store_conn *c, outcome *o);

/* Whose calendars must be read live before CREW[0..n) is booked (those not
 * read yet in this run); returns how many (kept in T). */
int tx_need_recheck(tx *t, const int64_t *crew, int n);

/* Picks the crew for T's query at T->at on the store's current data (booking
 * EXCLUDE's own time ignored, staff found busy live left out): WANT[0..nwant)
 * when they are all free, else (only when REASSIGN) CREW people by the
 * assignment policy. Writes them into OUT and returns how many (0: nobody
 * free, T->reasons says why) with *RC = STORE_OK, or 0 with *RC the store's
 * error. */
int tx_pick_crew(tx *t, store_conn *c, int64_t exclude, const int64_t *want, size_t nwant,
                 int reassign, int crew, int64_t out[STORE_MAX_CREW], int *rc);

/* Takes the snapshot an operation starts from (PEEK: the current one as is).
 * 0, or -1 with O. tx_end releases what the run holds. */
int tx_begin(tx *t, app *a, int peek, outcome *o);
void tx_end(tx *t);

/* Whether B as it would be written double-books one of its staff (the rule
 * force never overrides): STORE_CONFLICT with T->reasons, else STORE_OK or
 * the store's error. */
int tx_double_booked(tx *t, store_conn *c, const store_booking *b);

/* SHA-256 of a manage token. */
void tx_token_hash(const char *token, uint8_t hash[32]);
/* "admin" or "agent", as history names the actor. */
const char *tx_role_name(booking_role role);
/* 0 when every staff id of IDS[0..n) is in T's snapshot; else -1 with O
 * (validation on field staff). */
int tx_staff_known(const tx *t, const int64_t *ids, size_t n, outcome *o);

#endif
