/* accounts.h — Google and Microsoft 365 accounts connected over OAuth 2.0:
 * starting the authorization (state + PKCE), the callback (code exchange,
 * the grant stored sealed), listing and disconnecting accounts, reading an
 * account's calendars live, and the one-time links through which staff
 * connect their own account. No HTTP types. */
#ifndef TRIPOD_ACCOUNTS_H
#define TRIPOD_ACCOUNTS_H

#include <jansson.h>
#include <stdint.h>

#include "app/app.h"
#include "app/outcome.h"

#define ACCOUNTS_STATE_TTL_S 1800       /* an authorization must come back within this */
#define ACCOUNTS_LINK_TTL_S (7 * 86400) /* a staff connect link is valid this long */

/* Starts connecting a PROVIDER ("google" / "microsoft") account for OWNER
 * ("business" or a staff id as JSON): a single-use state (stored hashed,
 * with the PKCE verifier sealed) and *URL, the provider's authorization URL
 * (malloc'ed). 0, or -1 with O (unknown or unconfigured provider, bad owner). */
int accounts_start(app *a, const char *provider, const json_t *owner, char **url, outcome *o);

/* Where the browser goes after a callback. */
typedef struct {
    int64_t account;  /* the account connected (0 on failure) */
    int64_t calendar; /* a staff link: the calendar added for them (0: none) */
    int via_link;     /* the flow began on a staff connect link */
    char provider[16];
} accounts_done;

/* The provider's redirect back: takes STATE once (unknown, used or expired
 * → 400 invalid_state, nothing stored), then ERROR (the user declined:
 * 400 access_denied) or exchanges CODE with the verifier, reads the
 * account's address and stores the grant sealed (reconnecting an account
 * of the same owner and address updates it and makes it "ok"). Through a
 * staff link the link is used up and the staff member's primary provider
 * calendar becomes their calendar. 0 with DONE, or -1 with O. */
int accounts_callback(app *a, const char *provider, const char *code, const char *state,
                      const char *error, accounts_done *done, outcome *o);

/* [{id, provider, email, owner, state, error}] of every account. */
json_t *accounts_list(app *a, outcome *o);
/* [{remote_id, name, primary, can_write}] of account ID, read live. */
json_t *accounts_calendars(app *a, int64_t id, outcome *o);
/* Disconnects account ID: it and its calendars (with their busy time) go. */
int accounts_disconnect(app *a, int64_t id, outcome *o);

/* A one-time connect link for staff member STAFF: {url, expires} (the token
 * is in the URL only; the store keeps its hash). New reference or NULL with O. */
json_t *accounts_link_create(app *a, int64_t staff, outcome *o);
/* What link TOKEN's page shows: {staff: {id, name}, expires, providers:
 * [names configured], connected: null | {provider, email}}. NULL with O
 * (404 unknown, 410 expired). */
json_t *accounts_link_view(app *a, const char *token, outcome *o);
/* Starts the staff member's own connection through link TOKEN. */
int accounts_link_start(app *a, const char *token, const char *provider, char **url, outcome *o);

#endif
