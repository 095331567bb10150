/* calsrc.h — a connected calendar as the sync and delivery code needs it:
 * its stored document read, its sealed password opened, its owner's zone
 * and e-mail resolved. */
#ifndef TRIPOD_CALSRC_H
#define TRIPOD_CALSRC_H

#include <stddef.h>
#include <stdint.h>

#include "cal/caldav.h"
#include "store/store.h"

/* Opens a sealed credential: returns a malloc'ed plain text the caller frees,
 * or NULL when it cannot be opened. Supplied by the server (it holds the key). */
typedef char *(*calsrc_open_fn)(void *ctx, const char *sealed);
/* Seals a credential (e.g. a refreshed OAuth token): a malloc'ed text the
 * caller frees, or NULL when memory ran out. */
typedef char *(*calsrc_seal_fn)(void *ctx, const char *plain);

struct oauth_providers; /* cal/oauth.h */

/* How calendars are opened: their sealed credentials, and the zone their
 * floating times are read in when neither the owner nor the business names
 * one (the business settings' default, handed down by the application). */
typedef struct {
    calsrc_open_fn open;
    void *ctx;
    const char *default_tz;                  /* IANA name; NULL: UTC */
    calsrc_seal_fn seal;                     /* NULL: tokens cannot be refreshed */
    const struct oauth_providers *providers; /* Google and Microsoft endpoints; NULL: none */
} calsrc_opener;

/* What a calendar is. */
typedef enum {
    CALSRC_CALDAV = 0, /* a CalDAV collection (read and write) */
    CALSRC_ICS,        /* a read-only ICS feed */
    CALSRC_GOOGLE,     /* a Google calendar of a connected account */
    CALSRC_MICROSOFT   /* a Microsoft 365 calendar of a connected account */
} calsrc_kind;

typedef struct {
    int64_t id;
    int64_t owner;    /* staff id; 0 = the business */
    calsrc_kind kind; /* CALSRC_ICS: a read-only feed */
    int primary;
    int64_t account;               /* CALSRC_GOOGLE / CALSRC_MICROSOFT: the account */
    char *remote_id;               /* … and the provider's calendar id (malloc'ed) */
    char *url, *username, *secret; /* malloc'ed; secret is the opened password */
    char *owner_email;             /* NULL when unknown (the business) */
    char *owner_tz;                /* IANA name: the staff member's, else the business's */
    caldav_target target;          /* points into the strings above: Basic with a username,
                                      Bearer when only a password (a token) is stored */
} calsrc;

void calsrc_clear(calsrc *s); /* frees (wiping the secret) and zeroes; accepts NULL */

/* Loads calendar ID. Returns STORE_OK, STORE_NOTFOUND, or STORE_ERROR (a
 * malformed document or a password that cannot be opened). S is zeroed on
 * failure. */
int calsrc_load(store_conn *c, int64_t id, const calsrc_opener *op, calsrc *s);

/* CALSRC_GOOGLE or CALSRC_MICROSOFT for "google" / "microsoft", else -1. */
int calsrc_provider_kind(const char *kind);

/* Loads the primary calendar. STORE_NOTFOUND when there is none. */
int calsrc_primary(store_conn *c, const calsrc_opener *op, calsrc *s);

/* Ids of every calendar (OWNER < 0) or of one owner (0 = the business).
 * *IDS is malloc'ed (the caller frees it; NULL when none). */
int calsrc_ids(store_conn *c, int64_t owner, int64_t **ids, size_t *n);

/* The same for the calendars of Google / Microsoft 365 account ACCOUNT. */
int calsrc_account_ids(store_conn *c, int64_t account, int64_t **ids, size_t *n);

/* A JSON id (integer or decimal string) as int64; 0 when it is neither. */
int64_t calsrc_json_id(const void *json);

#endif
