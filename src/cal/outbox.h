/* outbox.h — a booking's calendar event and invitations as durable outbox
 * items (written in the booking's own transaction), and the worker that
 * delivers them in order (per lane, see store_outbox_add) with retries and
 * exponential backoff. */
#ifndef TRIPOD_OUTBOX_H
#define TRIPOD_OUTBOX_H

#include <stddef.h>

#include "cal/calsrc.h"
#include "cal/event.h"
#include "store/store.h"

#define OUTBOX_MAX_PEOPLE (2 * STORE_MAX_CREW)

/* A staff member as mails and events name them. Strings borrowed. */
typedef struct {
    int64_t id;
    const char *name, *email;
} outbox_person;

/* What the outside world is told about a booking beyond its stored row:
 * who the business is and the names its catalog and staff give. The caller
 * (the application, from the snapshot it holds) fills it; strings are
 * borrowed. */
typedef struct {
    const char *business;  /* the organizer's name */
    const char *organizer; /* the organizer's address (TRIPOD_MAIL_FROM); NULL: a placeholder */
    const char *link_base; /* base of the agent's manage link (TRIPOD_PUBLIC_URL) */
    const tz_zone *tz;     /* the business zone, for times in mails */
    char what[512];        /* the booked items' names, e.g. "Photos, Drone video" */
    char agent_name[160], agent_email[256], agent_phone[64]; /* who booked */
    char address[320], postal_code[40], notes[2048];         /* the property, the notes */
    char price[64]; /* the quoted total as text ("$450.00"); "" when none was quoted */
    outbox_person people[OUTBOX_MAX_PEOPLE]; /* the staff of both sides of the change */
    int npeople;
    int provider_primary; /* the primary calendar is Google or Microsoft 365: its API writes
                             the event and sends the invitations, so no iTIP mail is queued */
} outbox_facts;

/* Enqueues what booking change BEFORE → AFTER means for the outside world,
 * inside the caller's open write transaction on C:
 *   create (BEFORE NULL)  → PUT the event; REQUEST to the agent and each staff;
 *   change                → PUT (AFTER's SEQUENCE); REQUEST to the current
 *                           attendees; CANCEL to staff no longer assigned;
 *   cancel (AFTER status "cancelled") → PUT a cancelled event; CANCEL to all.
 * With FACTS->provider_primary only the event item is queued: the provider
 * (Google sendUpdates=all, Graph) invites, updates and cancels the attendees.
 * MANAGE_SEALED (may be NULL) is the agent's manage token sealed by the
 * server (secret_seal): it is stored only sealed, and the worker opens it
 * with its opener to put the manage link into the agent's mail.
 * FACTS names the business, the items and the staff of both sides.
 * Mail text and the event are built now, so each item carries its change.
 * Returns STORE_OK or the store's code (the caller rolls back). */
int outbox_booking_changed(store_conn *c, const store_booking *before, const store_booking *after,
                           const outbox_facts *facts, const char *manage_sealed, tp_time now);

/* Booking B's event exactly as the primary calendar gets it (same UID,
 * SUMMARY, LOCATION, DESCRIPTION, SEQUENCE, STATUS, times in UTC), stamped
 * NOW, with the names of FACTS. The caller frees it with icalcomponent_free()
 * (or adds it to a calendar). NULL when memory ran out. */
icalcomponent *outbox_booking_vevent(const store_booking *b, const outbox_facts *facts,
                                     tp_time now);

typedef struct {
    store *db;
    const char *smtp_url;  /* TRIPOD_SMTP_URL; NULL: mail items fail and retry */
    const char *mail_from; /* TRIPOD_MAIL_FROM: the envelope sender */
    calsrc_opener opener;  /* opens the primary calendar's password and sealed manage links */
    tp_time now_base;      /* 0: real clock; else the server's fixed clock, advancing from start */
    int poll_ms;           /* idle wait between polls; 0 means 500 */
    long timeout_s;        /* per delivery; 0 means 20 */
    int backoff_base_s;    /* first retry delay; 0 means 5 (TRIPOD_OUTBOX_BACKOFF_BASE) */
    int backoff_max_s;     /* longest retry delay; 0 means 3600 (TRIPOD_OUTBOX_BACKOFF_MAX) */
    int lease_s;           /* a claimed item is another worker's again after this long, e.g.
                              when this process died mid-delivery; 0 means 120
                              (TRIPOD_OUTBOX_LEASE); keep it above the delivery timeouts */
    net_abort abort;       /* abandons a running delivery, whose item is then released
                              untouched; the workers set it to their stop (worker_abort) */
    const char *kind;      /* deliver only items of this kind ("event_put", "mail"); NULL:
                              any; outbox_worker_start runs a thread per kind */
} outbox_config;

/* Delivers up to MAX due items at instant NOW. *ATTEMPTED counts the items
 * tried, *DELIVERED those delivered (the others are rescheduled with backoff).
 * Returns 0, or -1 when the store is unreachable. */
int outbox_run(const outbox_config *cfg, tp_time now, int max, int *attempted, int *delivered);

typedef struct outbox_worker outbox_worker;

/* Starts the delivery threads, one per kind of item (CFG is copied; its
 * strings must outlive it). Returns NULL when a thread cannot start. */
outbox_worker *outbox_worker_start(const outbox_config *cfg);
void outbox_worker_stop(outbox_worker *w); /* joins; accepts NULL */

/* Seconds before attempt ATTEMPTS+1 of a failed item: the base (5 s) doubling
 * with each attempt, at most the maximum (1 h), both from CFG. */
int outbox_backoff(const outbox_config *cfg, int attempts);

#endif
