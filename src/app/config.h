/* config.h — everything Tripod takes from its environment, read once by
 * main.c (config_from_env) and passed down; no other file calls getenv. */
#ifndef TRIPOD_CONFIG_H
#define TRIPOD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/tz.h"

/* An address or network of a trusted reverse proxy (TRIPOD_TRUSTED_PROXIES). */
typedef struct {
    int family;       /* AF_INET or AF_INET6 */
    uint8_t addr[16]; /* network byte order; IPv4 uses the first 4 bytes */
    unsigned prefix;  /* leading bits that must match */
} config_cidr;

#define CONFIG_MAX_TRUSTED_PROXIES 16

typedef struct {
    /* The clock */
    int fixed_now;     /* TRIPOD_NOW was given: requests see NOW_VALUE */
    tp_time now_value; /* workers' clocks advance from it */
    /* The store */
    const char *db_url; /* TRIPOD_DB (or --db); NULL: SQLite in the data dir */
    int db_pool;        /* TRIPOD_DB_POOL: PostgreSQL connections per instance (8) */
    /* Calendars and mail */
    const char *smtp_url;      /* TRIPOD_SMTP_URL; NULL: mail waits in the outbox */
    const char *mail_from;     /* TRIPOD_MAIL_FROM: the organizer address */
    const char *public_url;    /* TRIPOD_PUBLIC_URL: base of links in mails */
    int sync_interval_s;       /* TRIPOD_SYNC_INTERVAL (300) */
    int sync_timeout_s;        /* TRIPOD_SYNC_TIMEOUT (20): per sync or delivery request */
    int recheck_timeout_s;     /* TRIPOD_RECHECK_TIMEOUT (5): a booking's live look */
    int outbox_backoff_base_s; /* TRIPOD_OUTBOX_BACKOFF_BASE (5) */
    int outbox_backoff_max_s;  /* TRIPOD_OUTBOX_BACKOFF_MAX (3600) */
    int outbox_lease_s;        /* TRIPOD_OUTBOX_LEASE (120) */
    /* Calendar providers over OAuth 2.0 (README: registering the app). The
     * redirect URI is PUBLIC_URL + "/oauth/{google,microsoft}/callback". */
    const char *google_client_id;     /* TRIPOD_GOOGLE_CLIENT_ID; NULL: Google off */
    const char *google_client_secret; /* TRIPOD_GOOGLE_CLIENT_SECRET */
    const char *google_auth_url;      /* TRIPOD_GOOGLE_AUTH_URL */
    const char *google_token_url;     /* TRIPOD_GOOGLE_TOKEN_URL */
    const char *google_api_url;       /* TRIPOD_GOOGLE_API_URL: Calendar API v3 base */
    const char *ms_client_id;         /* TRIPOD_MS_CLIENT_ID; NULL: Microsoft off */
    const char *ms_client_secret;     /* TRIPOD_MS_CLIENT_SECRET */
    const char *ms_tenant;            /* TRIPOD_MS_TENANT ("common") */
    const char *ms_login_url;         /* TRIPOD_MS_LOGIN_URL: identity platform base */
    const char *ms_graph_url;         /* TRIPOD_MS_GRAPH_URL: Graph v1.0 base */
    /* `tripod demo`: a CalDAV server to put the demo calendars on */
    const char *demo_caldav_url, *demo_caldav_user, *demo_caldav_password;
    /* Places: the address search and the map */
    const char *geocoder_url; /* TRIPOD_GEOCODER_URL: a Nominatim-compatible service; NULL: off */
    const char *geocoder_user_agent; /* TRIPOD_GEOCODER_USER_AGENT: identifies this install */
    const char *geocoder_email;      /* TRIPOD_GEOCODER_EMAIL: the contact sent as &email= */
    int geocoder_interval_ms;        /* TRIPOD_GEOCODER_INTERVAL_MS (1000): between requests */
    int geocoder_cache_days;         /* TRIPOD_GEOCODER_CACHE_DAYS (30): an answer is reused */
    const char *tile_url;            /* TRIPOD_TILE_URL: {z}/{x}/{y} tile template; NULL: no map */
    const char *tile_attribution;    /* TRIPOD_TILE_ATTRIBUTION: the credit the tiles ask for */
    /* HTTP */
    int rate_limit;      /* TRIPOD_RATE_LIMIT: public requests per minute per client (120; 0 off) */
    int threads;         /* TRIPOD_THREADS: HTTP workers; 0 = 4 per CPU, at least 8 */
    const char *web_dir; /* TRIPOD_WEB: pages from this directory instead of the built-in ones */
    /* HTTP: slow and hostile clients (api/conn_guard.h). The client address is
     * the X-Forwarded-For one only when the peer is one of TRUSTED_PROXIES. */
    config_cidr trusted_proxies[CONFIG_MAX_TRUSTED_PROXIES]; /* TRIPOD_TRUSTED_PROXIES */
    size_t n_trusted_proxies;
    unsigned max_conn_per_client; /* TRIPOD_MAX_CONN_PER_CLIENT (128): open connections
                                     (proxied: requests) per client; 0 = no cap */
    unsigned max_connections;     /* TRIPOD_MAX_CONNECTIONS (10000), bounded by descriptors */
    unsigned header_timeout_s; /* TRIPOD_HEADER_TIMEOUT (10): a request's line and headers, whole */
    unsigned body_timeout_s;   /* TRIPOD_BODY_TIMEOUT (30): a request's body, whole */
    unsigned
        idle_timeout_s; /* TRIPOD_IDLE_TIMEOUT (30): a keep-alive connection between requests */
} tripod_config;

/* The defaults of every setting above (no environment read). */
void config_defaults(tripod_config *cfg);

#endif
