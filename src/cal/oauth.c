/* oauth.c — the OAuth 2.0 authorization code flow with PKCE and the token
 * endpoint of Google ("Using OAuth 2.0 for Web Server Applications",
 * https://developers.google.com/identity/protocols/oauth2/web-server) and
 * the Microsoft identity platform ("OAuth 2.0 authorization code flow",
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow),
 * and the access token of an account, refreshed once per account (oauth.h). */
#include "cal/oauth.h"

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cal/caldav.h"

#define TOKEN_MAX_BODY (64 * 1024) /* a token answer is small; more is refused */
#define EARLY_S 60                 /* a token this close to its expiry is refreshed */

const oauth_provider *oauth_provider_find(const oauth_providers *p, const char *name)
{
    const oauth_provider *out = NULL;
    if (!p || !name) return NULL;
    if (strcmp(name, "google") == 0) out = &p->google;
    if (strcmp(name, "microsoft") == 0) out = &p->microsoft;
    return out && out->client_id && *out->client_id ? out : NULL;
}

void oauth_random(char out[48])
{
    uint8_t raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, 48, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void oauth_pkce(char verifier[48], char challenge[48])
{
    uint8_t h[32];
    oauth_random(verifier); /* [A-Za-z0-9-_]{43}: RFC 7636 4.1 */
    crypto_hash_sha256(h, (const unsigned char *)verifier, strlen(verifier));
    sodium_bin2base64(challenge, 48, h, sizeof h, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void oauth_hash_hex(const char *text, char out[65])
{
    uint8_t h[32];
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(out, 65, h, sizeof h);
}

void oauth_wipe(char *s)
{
    if (!s) return;
    sodium_memzero(s, strlen(s));
    free(s);
}

void oauth_grant_clear(oauth_grant *g)
{
    if (!g) return;
    oauth_wipe(g->access);
    oauth_wipe(g->refresh);
    memset(g, 0, sizeof *g);
}

/* "NAME=VALUE" (VALUE percent-encoded) appended to *BUF with '&'. 0, or -1. */
static int form_add(char **buf, size_t *len, const char *name, const char *value)
{
    char *enc = curl_easy_escape(NULL, value ? value : "", 0);
    if (!enc) return -1;
    size_t add = strlen(name) + strlen(enc) + 3;
    char *grown = realloc(*buf, *len + add);
    if (!grown) {
        curl_free(enc);
        return -1;
    }
    *buf = grown;
    *len += (size_t)snprintf(*buf + *len, add, "%s%s=%s", *len ? "&" : "", name, enc);
    sodium_memzero(enc, strlen(enc)); /* codes, verifiers and secrets pass through here */
    curl_free(enc);
    return 0;
}

char *oauth_authorize_url(const oauth_provider *p, const char *state, const char *challenge)
{
    char *q = NULL;
    size_t n = 0;
    if (form_add(&q, &n, "response_type", "code") || form_add(&q, &n, "client_id", p->client_id) ||
        form_add(&q, &n, "redirect_uri", p->redirect_uri) || form_add(&q, &n, "scope", p->scope) ||
        form_add(&q, &n, "state", state) || form_add(&q, &n, "code_challenge", challenge) ||
        form_add(&q, &n, "code_challenge_method", "S256")) {
        free(q);
        return NULL;
    }
    const char *extra = p->auth_extra ? p->auth_extra : "";
    size_t len = strlen(p->auth_url) + n + strlen(extra) + 4;
    char *url = malloc(len);
    if (url)
        snprintf(url, len, "%s%c%s%s%s", p->auth_url, strchr(p->auth_url, '?') ? '&' : '?', q,
                 *extra ? "&" : "", extra);
    free(q);
    return url;
}

/* Reads a token endpoint answer R into G (RFC 6749 5.1 / 5.2). */
static int token_answer(const oauth_provider *p, const caldav_response *r, oauth_grant *g,
                        char *err, size_t errlen)
{
    json_t *j = json_loadb(r->body, r->len, 0, NULL); /* at most TOKEN_MAX_BODY */
    int rc = -1;
    if (r->status == 200 && json_is_object(j)) {
        const json_t *at = json_object_get(j, "access_token"),
                     *rt = json_object_get(j, "refresh_token");
        const char *access = json_string_value(at), *refresh = json_string_value(rt);
        const json_t *exp = json_object_get(j, "expires_in");
        long in = json_is_integer(exp)  ? (long)json_integer_value(exp)
                  : json_is_string(exp) ? strtol(json_string_value(exp), NULL, 10)
                                        : 3600;
        if (!access || !*access || json_string_length(at) > 8192 ||
            (refresh && json_string_length(rt) > 8192)) {
            snprintf(err, errlen, "%s token endpoint: the answer has no usable access_token",
                     p->label);
        } else if ((g->access = strdup(access)) && (!refresh || (g->refresh = strdup(refresh)))) {
            g->expires_in = in > 0 && in < 86400 * 365 ? in : 3600;
            rc = 0;
        } else {
            snprintf(err, errlen, "out of memory");
            oauth_grant_clear(g);
        }
    } else {
        const char *code = json_string_value(json_object_get(j, "error"));
        if (code && strcmp(code, "invalid_grant") == 0) rc = OAUTH_REVOKED;
        /* The error code only: descriptions may echo what was sent. */
        snprintf(err, errlen, "%s token endpoint: HTTP %ld%s%.60s", p->label, r->status,
                 code ? " " : "", code ? code : "");
    }
    json_decref(j);
    return rc;
}

/* POSTs FORM to P's token endpoint. */
static int token_request(const oauth_provider *p, const char *form, long timeout_s,
                         const net_abort *abort, oauth_grant *g, char *err, size_t errlen)
{
    static const char *const headers[] = {"Content-Type: application/x-www-form-urlencoded",
                                          "Accept: application/json", NULL};
    caldav_target t = {.url = p->token_url, .timeout_s = timeout_s, .max_body = TOKEN_MAX_BODY};
    caldav_response r;
    memset(g, 0, sizeof *g);
    if (abort) t.abort = *abort;
    if (caldav_request(&t, "POST", NULL, headers, form, &r, err, errlen) != 0) {
        char why[256];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen, "%s token endpoint unreachable: %s", p->label, why);
        return -1;
    }
    int rc = token_answer(p, &r, g, err, errlen);
    if (r.body) sodium_memzero(r.body, r.len);
    caldav_response_free(&r);
    return rc;
}

int oauth_exchange(const oauth_provider *p, const char *code, const char *verifier, long timeout_s,
                   oauth_grant *g, char *err, size_t errlen)
{
    char *form = NULL;
    size_t n = 0;
    memset(g, 0, sizeof *g);
    if (form_add(&form, &n, "grant_type", "authorization_code") ||
        form_add(&form, &n, "code", code) || form_add(&form, &n, "redirect_uri", p->redirect_uri) ||
        form_add(&form, &n, "client_id", p->client_id) ||
        form_add(&form, &n, "client_secret", p->client_secret) ||
        form_add(&form, &n, "code_verifier", verifier) ||
        (strcmp(p->name, "microsoft") == 0 && form_add(&form, &n, "scope", p->scope))) {
        oauth_wipe(form);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = token_request(p, form, timeout_s, NULL, g, err, errlen);
    oauth_wipe(form);
    return rc;
}

int oauth_refresh(const oauth_provider *p, const char *refresh, long timeout_s,
                  const net_abort *abort, oauth_grant *g, char *err, size_t errlen)
{
    char *form = NULL;
    size_t n = 0;
    memset(g, 0, sizeof *g);
    if (form_add(&form, &n, "grant_type", "refresh_token") ||
        form_add(&form, &n, "refresh_token", refresh) ||
        form_add(&form, &n, "client_id", p->client_id) ||
        form_add(&form, &n, "client_secret", p->client_secret) ||
        (strcmp(p->name, "microsoft") == 0 && form_add(&form, &n, "scope", p->scope))) {
        oauth_wipe(form);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = token_request(p, form, timeout_s, abort, g, err, errlen);
    oauth_wipe(form);
    return rc;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static char *open_sealed(const oauth_env *env, const char *sealed)
{
    return sealed && env->op && env->op->open ? env->op->open(env->op->ctx, sealed) : NULL;
}

static char *seal(const oauth_env *env, const char *plain)
{
    return plain && env->op && env->op->seal ? env->op->seal(env->op->ctx, plain) : NULL;
}

/* Refreshes account A (claimed) and stores the new tokens. 0 with *TOKEN. */
static int refresh_claimed(const oauth_env *env, store_conn *c, const store_account *a,
                           const oauth_provider *p, tp_time now, char **token, char *err,
                           size_t errlen)
{
    oauth_grant g;
    char *refresh = open_sealed(env, a->refresh_sealed);
    char *access_sealed = NULL, *refresh_sealed = NULL;
    int rc;
    if (!refresh) {
        snprintf(err, errlen, "%s account %s has no usable refresh token: reconnect it", p->label,
                 a->email);
        store_account_fail(c, a->id, err, now);
        return -1;
    }
    rc = oauth_refresh(p, refresh, env->timeout_s, &env->abort, &g, err, errlen);
    oauth_wipe(refresh);
    if (rc == OAUTH_REVOKED) {
        char why[200];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen,
                 "%s account %s: consent was revoked or has expired (%s); reconnect it", p->label,
                 a->email, why);
        store_account_fail(c, a->id, err, now);
        return -1;
    }
    if (rc != 0) {
        store_account_release(c, a->id);
        return -1;
    }
    /* Microsoft may send a new refresh token with each refresh: keep it. */
    access_sealed = seal(env, g.access);
    refresh_sealed = g.refresh ? seal(env, g.refresh) : NULL;
    if (!access_sealed || (g.refresh && !refresh_sealed)) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    } else if (store_account_set_tokens(c, a->id, access_sealed, refresh_sealed, now + g.expires_in,
                                        now) != STORE_OK) {
        snprintf(err, errlen, "store: cannot keep the refreshed token");
        rc = -1;
    } else {
        *token = g.access;
        g.access = NULL;
    }
    if (rc != 0) store_account_release(c, a->id);
    free(access_sealed);
    free(refresh_sealed);
    oauth_grant_clear(&g);
    return rc;
}

int oauth_access_token(const oauth_env *env, int64_t account, tp_time now, const char *rejected,
                       char **token, const oauth_provider **provider, char *err, size_t errlen)
{
    long timeout = env->timeout_s > 0 ? env->timeout_s : 20;
    long waited = 0;
    int rc = -1;
    *token = NULL;
    store_conn *c = store_acquire(env->db);
    if (!c) {
        snprintf(err, errlen, "store unreachable");
        return -1;
    }
    for (;;) {
        store_account a;
        int src = store_account_get(c, account, &a);
        if (src != STORE_OK) {
            snprintf(err, errlen, "%s",
                     src == STORE_NOTFOUND ? "the calendar's account is no longer connected"
                                           : "store: the account cannot be read");
            break;
        }
        const oauth_provider *p =
            oauth_provider_find(env->op ? env->op->providers : NULL, a.provider);
        if (provider) *provider = p;
        if (!p) {
            snprintf(err, errlen, "%s is not configured on this server (no client id)", a.provider);
        } else if (strcmp(a.state, "failing") == 0) {
            snprintf(err, errlen, "%s", a.error ? a.error : "the account is failing: reconnect it");
        } else {
            char *access = open_sealed(env, a.access_sealed);
            if (access && a.expires_at > now + EARLY_S && (!rejected || strcmp(access, rejected))) {
                *token = access;
                rc = 0;
            } else {
                oauth_wipe(access);
                int lease = (int)(timeout * 2 + 10);
                int claim = store_account_claim_refresh(c, account, a.version, now, lease);
                if (claim == STORE_OK) {
                    rc = refresh_claimed(env, c, &a, p, now, token, err, errlen);
                } else if (claim == STORE_CONFLICT && waited < timeout * 1000 &&
                           !net_aborted(&env->abort)) {
                    /* Another thread or instance refreshes: wait for its token. */
                    store_account_clear(&a);
                    sleep_ms(100);
                    waited += 100;
                    continue;
                } else {
                    snprintf(err, errlen, "%s",
                             claim == STORE_CONFLICT
                                 ? "another refresh of the account's token is slow"
                                 : "store: cannot claim the token refresh");
                }
            }
        }
        store_account_clear(&a);
        break;
    }
    store_release(c);
    return rc;
}
