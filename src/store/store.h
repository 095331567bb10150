/* store.h — Tripod's persistence interface. One API, two engines behind it:
 * SQLite (default, one file in the data dir, WAL) and PostgreSQL (several
 * instances share one database). Callers never see SQL. */
#ifndef TRIPOD_STORE_H
#define TRIPOD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/tz.h"

/* Return codes of every store_* function that can fail. */
enum {
    STORE_OK = 0,
    STORE_NOTFOUND = 1, /* no such row */
    STORE_CONFLICT = 2, /* unique/exclusion constraint: e.g. staff time overlap */
    STORE_RETRY = 3, /* transient (lock timeout, serialization failure, lost connection): retry the
                        transaction */
    STORE_ERROR = 4  /* anything else; store_errmsg() says what */
};

typedef struct store store;           /* a database and its connection pool; thread-safe */
typedef struct store_conn store_conn; /* one connection; used by one thread at a time */

/* Opens the database. URL NULL or "" → SQLite at DATA_DIR/tripod.db
 * (DATA_DIR is created if missing); "postgres://…" or "postgresql://…" →
 * PostgreSQL with POOL connections (0: 8; at most 64). Runs no migration.
 * On error returns STORE_ERROR, writes why into ERR, and *OUT stays NULL. */
int store_open(const char *url, const char *data_dir, int pool, store **out, char *err,
               size_t errlen);
void store_close(store *s); /* accepts NULL; all connections must be released */

/* Creates or upgrades the schema to the latest version (idempotent). */
int store_migrate(store *s, char *err, size_t errlen);
int store_schema_version(store *s);

/* "sqlite" or "postgres". */
const char *store_kind_name(const store *s);

/* Takes a connection from the pool (waits when all are busy). NULL on error
 * (e.g. database unreachable). Give it back with store_release(). */
store_conn *store_acquire(store *s);
void store_release(store_conn *c); /* rolls back an open transaction; accepts NULL */
const char *store_errmsg(store_conn *c);

/* Transactions. STORE_WRITE takes the write lock at once on SQLite (BEGIN
 * IMMEDIATE) so that check-then-insert is atomic; on PostgreSQL the database
 * constraints enforce no double booking. STORE_WRITE_LAZY is a write whose
 * loss in a crash is harmless because it is redone (outbox claims and
 * results): it commits without waiting for the disk (SQLite synchronous=
 * NORMAL in WAL, PostgreSQL synchronous_commit off), so bookkeeping does not
 * cost the bookings' fsyncs; later durable commits still come after it. */
enum { STORE_READ = 0, STORE_WRITE = 1, STORE_WRITE_LAZY = 2 };
int store_begin(store_conn *c, int write);
int store_commit(store_conn *c);
void store_rollback(store_conn *c);

/* A counter bumped by every committed write of catalog, staff, calendars,
 * settings, busy time or bookings: caches compare it to know when to reload. */
int store_generation(store_conn *c, int64_t *gen);
/* A counter bumped only by writes of catalog documents, settings and busy
 * time — everything availability depends on except bookings. A booking
 * transaction compares it with its snapshot's: concurrent bookings do not
 * make each other's snapshots stale (bookings are re-read in the transaction). */
int store_config_generation(store_conn *c, int64_t *gen);

/* ---- Catalog documents: validated JSON objects, one table per kind ---- */
typedef enum {
    STORE_SKILL = 0,
    STORE_SERVICE,
    STORE_PACKAGE,
    STORE_ZONE,
    STORE_STAFF,
    STORE_CALENDAR,
    STORE_NKINDS
} store_kind;

const char *store_kind_table(store_kind k); /* "skills", "services", … */

/* The JSON text stored is the caller's (without "id"; the id is the row's). */
int store_doc_insert(store_conn *c, store_kind k, const char *json, int64_t *id_out);
int store_doc_update(store_conn *c, store_kind k, int64_t id, const char *json); /* NOTFOUND */
int store_doc_delete(store_conn *c, store_kind k, int64_t id);                   /* NOTFOUND */
/* *JSON_OUT is malloc'ed; the caller frees it. NOTFOUND leaves it NULL. */
int store_doc_get(store_conn *c, store_kind k, int64_t id, char **json_out);
/* Calls CB for each document in ascending id; a non-zero return from CB stops
 * the walk and is returned. JSON is borrowed for the call only. */
typedef int (*store_doc_cb)(void *ctx, int64_t id, const char *json);
int store_doc_list(store_conn *c, store_kind k, store_doc_cb cb, void *ctx);

/* Settings: one JSON object. *JSON_OUT malloc'ed, "{}" when never set. */
int store_settings_get(store_conn *c, char **json_out);
int store_settings_put(store_conn *c, const char *json);

/* ---- Admin tokens (only a SHA-256 of each token is kept) ---- */
int store_token_insert(store_conn *c, const char *name, const uint8_t hash[32], tp_time now,
                       int64_t *id_out);
int store_token_find(store_conn *c, const uint8_t hash[32], int64_t *id_out); /* NOTFOUND */

/* ---- Bookings ---- */
#define STORE_MAX_CREW 2

typedef struct {
    int64_t id;
    char status[16];    /* "confirmed" or "cancelled" */
    tp_time start, end; /* the shoot itself, UTC */
    int buffer_min;     /* drive buffer used when it was booked */
    int64_t staff[STORE_MAX_CREW];
    int nstaff;
    double lat, lon;         /* property location, NAN when unknown */
    uint8_t manage_hash[32]; /* SHA-256 of the manage token */
    char *body;              /* JSON: agent, property, services, packages, notes, … (malloc'ed) */
    int sequence;            /* iCalendar SEQUENCE of the event */
    char cal_state[16];      /* "pending", "synced", "failing" */
    char *cal_error;         /* last delivery error or NULL (malloc'ed) */
    tp_time created, updated;
    char *search; /* what GET /bookings?q= matches: agent name, e-mail, address and postal
                     code, ASCII-lowercase, one per line (malloc'ed). Written by insert (NULL
                     = ""), and by update unless NULL; never read back (stays NULL). */
} store_booking;

void store_booking_clear(store_booking *b); /* frees body/cal_error/search, zeroes; accepts NULL */

/* Inserts B (B->id set on success) with one assignment row per staff member.
 * CONFLICT when the database finds an overlapping assignment (PostgreSQL
 * exclusion constraint). */
int store_booking_insert(store_conn *c, store_booking *b);
/* Rewrites status, times, staff, body, sequence and calendar state of B->id. */
int store_booking_update(store_conn *c, const store_booking *b);
int store_booking_get(store_conn *c, int64_t id, store_booking *out); /* NOTFOUND */
int store_booking_by_manage(store_conn *c, const uint8_t hash[32], store_booking *out);
int store_booking_set_cal(store_conn *c, int64_t id, const char *state, const char *error);

typedef struct {
    tp_time from, to;   /* shoots overlapping [from, to); 0,0 = all */
    int64_t staff;      /* 0 = any */
    const char *status; /* NULL = any */
    int lean;           /* 1: leave out body, cal_error and manage_hash (NULL/zero), for
                           callers that only need times, staff and place */
} store_booking_filter;
/* CB gets each booking (borrowed for the call): ascending start then id, or
 * in no particular order when lean. */
typedef int (*store_booking_cb)(void *ctx, const store_booking *b);
int store_booking_list(store_conn *c, const store_booking_filter *f, store_booking_cb cb,
                       void *ctx);

/* One page of the admin's booking list, newest (highest id) first. */
#define STORE_SEARCH_TERMS 4
#define STORE_PAGE_RANGE_DAYS 92 /* a time range up to this long is read by shoot time */
typedef struct {
    store_booking_filter f; /* time range, staff, status as above (lean is ignored) */
    /* Substrings the booking's search text must all contain (ASCII-lowercase,
     * without the LIKE wildcards % _ \); NULL = unused. */
    const char *terms[STORE_SEARCH_TERMS];
    int64_t before; /* only ids below this (the previous page's last); 0 = from the newest */
    int limit;      /* at most this many rows */
} store_booking_page;
/* CB gets each booking of page P (borrowed for the call), descending id.
 * With terms the walk follows the search index (SQLite FTS5 trigram,
 * PostgreSQL pg_trgm); with a time range up to STORE_PAGE_RANGE_DAYS the
 * bookings by shoot time; else the primary key. */
int store_booking_list_page(store_conn *c, const store_booking_page *p, store_booking_cb cb,
                            void *ctx);

/* Per-booking change history. CHANGE is a JSON object. */
int store_history_add(store_conn *c, int64_t booking, tp_time at, const char *actor,
                      const char *change_json);
typedef int (*store_history_cb)(void *ctx, tp_time at, const char *actor, const char *change_json);
int store_history_list(store_conn *c, int64_t booking, store_history_cb cb, void *ctx);

/* Idempotency keys of POST /bookings: the first answer is replayed. */
int store_idem_get(store_conn *c, const char *key, int *status, char **body_out); /* NOTFOUND */
int store_idem_put(store_conn *c, const char *key, int status, const char *body, tp_time now);

/* Address look-ups (app/geocode.c): the answer TEXT stored for KEY when it
 * was fetched at or after NOT_BEFORE (malloc'ed into *TEXT, the caller
 * frees), else STORE_NOTFOUND; and storing (or replacing) one. Neither
 * bumps a generation: availability does not read them. */
int store_geocode_get(store_conn *c, const char *key, tp_time not_before, char **text);
int store_geocode_put(store_conn *c, const char *key, const char *text, tp_time now);

/* ---- Busy time synced from calendars ---- */
typedef struct {
    tp_time start, end;
    const char *uid;
    const char *summary;
    const char *href; /* the CalDAV resource it came from; NULL for ICS feeds */
    const char *etag; /* that resource's ETag when it was read; NULL when unknown */
} store_busy;

/* Replaces all busy time of CALENDAR with EV[0..n) in one transaction step. */
int store_busy_replace(store_conn *c, int64_t calendar, const store_busy *ev, size_t n);
/* Replaces the busy time of one resource HREF of CALENDAR (one resource may
 * expand to many instances) with EV[0..n), each stored with HREF and ETAG
 * (their own href/etag fields are ignored); N = 0 just deletes. *REMOVED
 * (may be NULL) gets how many rows went. On failure nothing changes when the
 * function opened the transaction, else the caller rolls back. */
int store_busy_put_resource(store_conn *c, int64_t calendar, const char *href, const char *etag,
                            const store_busy *ev, size_t n, int64_t *removed);
/* Deletes the busy time of resource HREF of CALENDAR (none is fine);
 * *REMOVED (may be NULL) gets how many rows went. */
int store_busy_delete_resource(store_conn *c, int64_t calendar, const char *href, int64_t *removed);
/* Calls CB once per resource of CALENDAR that has busy rows, with its href
 * and stored ETag (NULL when unknown), in href order; both are borrowed for
 * the call. A non-zero return from CB stops the walk and is returned. */
typedef int (*store_href_cb)(void *ctx, const char *href, const char *etag);
int store_busy_hrefs(store_conn *c, int64_t calendar, store_href_cb cb, void *ctx);
typedef int (*store_busy_cb)(void *ctx, int64_t calendar, const store_busy *ev);
/* Busy intervals overlapping [from, to) of CALENDAR (0 = every calendar). */
int store_busy_list(store_conn *c, int64_t calendar, tp_time from, tp_time to, store_busy_cb cb,
                    void *ctx);

/* Sync bookkeeping per calendar (kept apart from the admin's document). */
typedef struct {
    tp_time last_attempt, last_sync; /* 0 = never */
    char *last_error;                /* NULL when the last attempt succeeded */
    char *ctag, *sync_token, *etag;  /* server change markers, NULL when unknown */
    int64_t events;
    tp_time last_full; /* last time the whole window was read; 0 = never */
} store_calstate;
void store_calstate_clear(store_calstate *s);
int store_calstate_get(store_conn *c, int64_t calendar, store_calstate *out); /* zeroed if never */
int store_calstate_put(store_conn *c, int64_t calendar, const store_calstate *s);
/* Claims the right to sync CALENDAR until NOW + LEASE_S, so that threads and
 * instances never sync one calendar at once (a claim left by a crashed
 * process expires). STORE_OK when claimed, STORE_CONFLICT while another
 * unexpired claim holds, STORE_NOTFOUND for an unknown calendar. Release it
 * with store_calstate_release(). */
int store_calstate_claim(store_conn *c, int64_t calendar, tp_time now, int lease_s);
int store_calstate_release(store_conn *c, int64_t calendar);

/* ---- Calendar provider accounts (Google, Microsoft 365) over OAuth 2.0 ---- */
typedef struct {
    int64_t id;
    char provider[16];     /* "google" or "microsoft" */
    char owner[24];        /* "business" or a staff id */
    char *email;           /* the account's address (malloc'ed) */
    char *access_sealed;   /* the access token, sealed (malloc'ed; NULL: none) */
    char *refresh_sealed;  /* the refresh token, sealed (malloc'ed; NULL: none) */
    tp_time expires_at;    /* when the access token expires (server clock) */
    char state[16];        /* "ok" or "failing" */
    char *error;           /* why it is failing (malloc'ed) or NULL */
    int64_t version;       /* bumped by every token write (store_account_set_tokens) */
    tp_time refresh_lease; /* a refresh runs elsewhere until then */
    tp_time created, updated;
} store_account;
void store_account_clear(store_account *a); /* frees the strings, zeroes; accepts NULL */

/* Stores the grant of A (provider, owner, email, sealed tokens, expiry) as
 * a new account, or over the account of the same provider, owner and email
 * (a reconnect: a NULL refresh token keeps the stored one); the account is
 * "ok" afterwards. A->id gets its id. */
int store_account_upsert(store_conn *c, store_account *a, tp_time now);
int store_account_get(store_conn *c, int64_t id, store_account *out); /* NOTFOUND */
/* CB gets every account (borrowed for the call) in ascending id. */
typedef int (*store_account_cb)(void *ctx, const store_account *a);
int store_account_list(store_conn *c, store_account_cb cb, void *ctx);
int store_account_delete(store_conn *c, int64_t id); /* NOTFOUND */
/* Claims the refresh of account ID's tokens until NOW + LEASE_S, provided
 * its tokens are still VERSION and no other unexpired claim holds: one
 * conditional UPDATE, so one thread of one instance refreshes. STORE_OK
 * claimed, STORE_CONFLICT another refresh ran or runs, STORE_NOTFOUND. */
int store_account_claim_refresh(store_conn *c, int64_t id, int64_t version, tp_time now,
                                int lease_s);
/* New tokens for ID (REFRESH_SEALED NULL keeps the stored one): "ok",
 * version + 1, the claim released. */
int store_account_set_tokens(store_conn *c, int64_t id, const char *access_sealed,
                             const char *refresh_sealed, tp_time expires_at, tp_time now);
/* Marks ID "failing" with ERROR (consent revoked: reconnect), version + 1,
 * the claim released. */
int store_account_fail(store_conn *c, int64_t id, const char *error, tp_time now);
/* Gives up a refresh claim (the refresh failed for a passing reason). */
int store_account_release(store_conn *c, int64_t id);

/* OAuth 2.0 authorization requests waiting for their callback, keyed by
 * the SHA-256 (hex) of the `state` value; each is taken once. */
typedef struct {
    char provider[16];
    char owner[24];        /* "business" or a staff id */
    char *verifier_sealed; /* the PKCE code verifier, sealed (malloc'ed) */
    char link_hash[65];    /* the staff connect link it came from; "" for the console */
    tp_time expires_at;
} store_oauth_state;
void store_oauth_state_clear(store_oauth_state *s);
int store_oauth_state_put(store_conn *c, const char *hash_hex, const store_oauth_state *s);
/* Deletes and returns the state HASH_HEX. NOTFOUND when unknown, used or
 * expired at NOW (an expired one is deleted too). */
int store_oauth_state_take(store_conn *c, const char *hash_hex, tp_time now,
                           store_oauth_state *out);

/* Staff connect links (only the SHA-256 hex of the link's token is kept). */
int store_connect_link_put(store_conn *c, const char *hash_hex, int64_t staff, tp_time expires,
                           tp_time now);
/* Link HASH_HEX: its staff member, expiry and the account connected through
 * it (0 while unused). NOTFOUND when unknown. */
int store_connect_link_get(store_conn *c, const char *hash_hex, int64_t *staff, tp_time *expires,
                           int64_t *account);
/* Records that ACCOUNT was connected through link HASH_HEX; NOTFOUND when
 * the link is unknown or was used already. */
int store_connect_link_use(store_conn *c, const char *hash_hex, int64_t account);

/* The id (and iCalendar UID, may be NULL) a provider gave booking BOOKING's
 * event on calendar CALENDAR. Strings malloc'ed; NOTFOUND leaves them NULL. */
int store_remote_event_get(store_conn *c, int64_t booking, int64_t calendar, char **remote_id,
                           char **ical_uid);
int store_remote_event_put(store_conn *c, int64_t booking, int64_t calendar, const char *remote_id,
                           const char *ical_uid);
/* The booking whose event has iCalendar UID ICAL_UID on a provider, or NOTFOUND. */
int store_remote_event_booking(store_conn *c, const char *ical_uid, int64_t *booking);

/* ---- Durable outbox: calendar writes and mails, delivered by a worker ---- */
typedef struct {
    int64_t id, booking;
    char kind[32]; /* e.g. "event_put", "event_cancel", "mail" */
    char *payload; /* JSON (malloc'ed) */
    int attempts;
    tp_time next_at;
    char *last_error;
} store_outbox_item;
void store_outbox_clear(store_outbox_item *it);

/* Queues an item of BOOKING. LANE orders delivery: items of one booking and
 * lane are delivered one after another in the order added (the calendar
 * event is one lane, the mails to each address another each), while lanes
 * never wait for each other, so a calendar outage does not hold back mail. */
int store_outbox_add(store_conn *c, int64_t booking, const char *kind, const char *lane,
                     const char *payload, tp_time now);
/* Claims the item of KIND (NULL: any) due first (next_at ≤ now, then
 * oldest) among the heads of their lanes. NOTFOUND when none. Claiming
 * leases the item until NOW + LEASE_S, so several instances never deliver
 * it twice. */
int store_outbox_claim(store_conn *c, const char *kind, tp_time now, int lease_s,
                       store_outbox_item *out);
/* Marks item ID delivered, drops its payload (mail text, addresses and
 * sealed links are not kept once delivered), hands its lane to the next
 * item, and sets the booking's calendar state: "synced" when nothing of it
 * is left to deliver, from "failing" back to "pending" when nothing left
 * has failed. NOTFOUND when ID is not a pending item. */
int store_outbox_done(store_conn *c, int64_t id);
int store_outbox_fail(store_conn *c, int64_t id, const char *error, tp_time next_at);
/* Gives up the lease on item ID without counting an attempt (a delivery
 * abandoned because the server is stopping). */
int store_outbox_release(store_conn *c, int64_t id);
int store_outbox_pending(store_conn *c, int64_t *count);

#endif
