/* oauth.h — OAuth 2.0 for the calendar providers (Google, the Microsoft
 * identity platform): the authorization code flow with PKCE (S256), the
 * token endpoint (code exchange, refresh), and a connected account's access
 * token, refreshed before it expires and once per account across threads and
 * instances (a conditional claim on the account's row). Tokens are kept
 * sealed in the store and never appear in errors or logs. */
#ifndef TRIPOD_OAUTH_H
#define TRIPOD_OAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "cal/calsrc.h"
#include "cal/net.h"
#include "store/store.h"

/* One provider's endpoints and the app registered with it. Borrowed strings. */
typedef struct {
    const char *name;      /* "google" or "microsoft" */
    const char *label;     /* "Google", "Microsoft 365" */
    const char *client_id; /* NULL or "": the provider is not configured */
    const char *client_secret;
    const char *auth_url;     /* authorization endpoint */
    const char *token_url;    /* token endpoint */
    const char *api_url;      /* Calendar API v3 base / Graph v1.0 base, no trailing '/' */
    const char *scope;        /* space-separated */
    const char *auth_extra;   /* extra authorization parameters ("access_type=offline&…") */
    const char *redirect_uri; /* PUBLIC_URL/oauth/NAME/callback */
} oauth_provider;

struct oauth_providers {
    oauth_provider google, microsoft;
};
typedef struct oauth_providers oauth_providers;

/* The provider NAME of P when its client id is set; NULL otherwise. */
const oauth_provider *oauth_provider_find(const oauth_providers *p, const char *name);

/* A fresh random token (32 bytes, URL-safe base64 without padding: 43
 * characters) into OUT, e.g. a `state` value or a connect link. */
void oauth_random(char out[48]);
/* A PKCE code verifier (RFC 7636: 43 characters of the unreserved set) and
 * its S256 challenge, BASE64URL(SHA256(verifier)). */
void oauth_pkce(char verifier[48], char challenge[48]);
/* SHA-256 of TEXT as 64 hex digits (how states and links are stored). */
void oauth_hash_hex(const char *text, char out[65]);

/* The authorization request URL of P for STATE and CHALLENGE (RFC 6749 4.1.1
 * + RFC 7636 4.3): response_type=code, client_id, redirect_uri, scope,
 * state, code_challenge, code_challenge_method=S256, then P->auth_extra.
 * Malloc'ed; NULL when memory ran out. */
char *oauth_authorize_url(const oauth_provider *p, const char *state, const char *challenge);

/* What the token endpoint granted. Strings malloc'ed (wiped by clear). */
typedef struct {
    char *access;    /* access_token */
    char *refresh;   /* refresh_token, NULL when none was sent */
    long expires_in; /* seconds; 3600 when not sent */
} oauth_grant;
void oauth_grant_clear(oauth_grant *g); /* wipes and frees; accepts NULL */

#define OAUTH_REVOKED 2 /* the token endpoint answered invalid_grant */

/* Exchanges authorization code CODE (with the PKCE VERIFIER) at P's token
 * endpoint (RFC 6749 4.1.3). 0 with G filled; OAUTH_REVOKED (invalid_grant:
 * a bad, used or expired code); -1 with ERR. ERR never holds a token. */
int oauth_exchange(const oauth_provider *p, const char *code, const char *verifier, long timeout_s,
                   oauth_grant *g, char *err, size_t errlen);
/* Refreshes with REFRESH (RFC 6749 6). Same returns; OAUTH_REVOKED means the
 * user revoked consent (or the grant expired): the account must reconnect. */
int oauth_refresh(const oauth_provider *p, const char *refresh, long timeout_s,
                  const net_abort *abort, oauth_grant *g, char *err, size_t errlen);

/* Where accounts live and how their tokens are opened and sealed. */
typedef struct {
    store *db;
    const calsrc_opener *op; /* open, seal, providers */
    long timeout_s;          /* per token request; 0 means 20 */
    net_abort abort;
} oauth_env;

/* The access token of account ACCOUNT at NOW (server clock): the stored one
 * while it is valid for another minute and is not REJECTED (a token the
 * provider just answered 401 for; may be NULL), else a refreshed one. One
 * refresh runs per account at a time across threads and instances; the
 * others wait for it and use its token. A refresh answered invalid_grant
 * marks the account "failing". 0 with *TOKEN (malloc'ed; the caller wipes
 * and frees it) and *PROVIDER (may be NULL); -1 with ERR (unknown or failing
 * account, provider not configured, token endpoint unreachable). */
int oauth_access_token(const oauth_env *env, int64_t account, tp_time now, const char *rejected,
                       char **token, const oauth_provider **provider, char *err, size_t errlen);

/* Wipes and frees S (a secret); accepts NULL. */
void oauth_wipe(char *s);

#endif
