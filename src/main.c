/* main.c — the `tripod` command: serve, migrate, token create, demo, bench.
 * Bad arguments exit 2, runtime failures (unusable data dir, store) exit 1. */
#include <errno.h>
#include <stddef.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../bench/bench.h"
#include "api/api.h"
#include "api/conn_guard.h"
#include "app/app.h"
#include "app/config.h"
#include "app/demo.h"
#include "store/store.h"

typedef struct {
    int port;
    const char *data_dir;
    const char *db_url;
    const char *name;
} cli_opts;

static int usage(void)
{
    fprintf(stderr, "usage: tripod serve [--port 8080] [--data DIR] [--db URL]\n"
                    "       tripod migrate [--data DIR] [--db URL]\n"
                    "       tripod token create --name NAME [--data DIR] [--db URL]\n"
                    "       tripod demo [--data DIR] [--db URL]\n"
                    "       tripod bench\n"
                    "environment: TRIPOD_DB (instead of --db), TRIPOD_NOW, TRIPOD_RATE_LIMIT, "
                    "TRIPOD_TRUSTED_PROXIES, … (README)\n");
    return 2;
}

/* Parses ARGV[from..argc) into O. Returns 0, or 2 after saying what is wrong. */
static int parse_opts(int argc, char **argv, int from, cli_opts *o)
{
    for (int i = from; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        const char *eq = strchr(a, '=');
        char key[32];
        size_t klen = eq ? (size_t)(eq - a) : strlen(a);
        if (strncmp(a, "--", 2) != 0 || klen >= sizeof key) {
            fprintf(stderr, "tripod: unexpected argument '%s'\n", a);
            return 2;
        }
        memcpy(key, a, klen);
        key[klen] = '\0';
        if (eq)
            v = eq + 1;
        else if (i + 1 < argc)
            v = argv[++i];
        if (!v || !*v) {
            fprintf(stderr, "tripod: %s needs a value\n", key);
            return 2;
        }
        if (strcmp(key, "--port") == 0) {
            char *end;
            long p = strtol(v, &end, 10);
            if (*end || p < 1 || p > 65535) {
                fprintf(stderr, "tripod: --port must be a number from 1 to 65535\n");
                return 2;
            }
            o->port = (int)p;
        } else if (strcmp(key, "--data") == 0) {
            o->data_dir = v;
        } else if (strcmp(key, "--db") == 0) {
            o->db_url = v;
        } else if (strcmp(key, "--name") == 0) {
            o->name = v;
        } else {
            fprintf(stderr, "tripod: unknown option %s\n", key);
            return 2;
        }
    }
    return 0;
}

/* Makes sure the data dir exists and is a writable directory. 0, or 1. */
static int check_data_dir(const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "tripod: cannot create data directory %s: %s\n", dir, strerror(errno));
        return 1;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "tripod: data directory %s is not a directory\n", dir);
        return 1;
    }
    if (access(dir, R_OK | W_OK | X_OK) != 0) {
        fprintf(stderr, "tripod: data directory %s is not writable\n", dir);
        return 1;
    }
    return 0;
}

/* Opens and migrates the store. NULL (after saying why) on failure. */
static store *open_store(const cli_opts *o, const tripod_config *cfg)
{
    char err[512];
    store *db = NULL;
    if (check_data_dir(o->data_dir) != 0) return NULL;
    if (store_open(o->db_url, o->data_dir, cfg->db_pool, &db, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "tripod: cannot open the database: %s\n", err);
        return NULL;
    }
    if (store_migrate(db, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "tripod: cannot migrate the database: %s\n", err);
        store_close(db);
        return NULL;
    }
    return db;
}

/* Sets *OUT from the environment variable NAME, a whole number from MIN to
 * MAX (left as is when unset or empty). 0, or 2 after saying what is wrong
 * (WHAT). */
static int env_uint(const char *name, unsigned min, unsigned max, const char *what, unsigned *out)
{
    const char *v = getenv(name);
    char *end;
    if (!v || !*v) return 0;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < (long)min || n > (long)max) {
        fprintf(stderr, "tripod: %s must be %s from %u to %u\n", name, what, min, max);
        return 2;
    }
    *out = (unsigned)n;
    return 0;
}

/* The limits on slow and hostile clients (conn_guard.h). 0, or 2. */
static int env_guard(tripod_config *cfg)
{
    const char *proxies = getenv("TRIPOD_TRUSTED_PROXIES");
    char err[160];
    if (proxies && guard_parse_proxies(proxies, cfg->trusted_proxies, CONFIG_MAX_TRUSTED_PROXIES,
                                       &cfg->n_trusted_proxies, err, sizeof err) != 0) {
        fprintf(stderr, "tripod: TRIPOD_TRUSTED_PROXIES: %s\n", err);
        return 2;
    }
    if (env_uint("TRIPOD_MAX_CONN_PER_CLIENT", 0, 1000000, "a number of connections (0 = no cap)",
                 &cfg->max_conn_per_client) ||
        env_uint("TRIPOD_MAX_CONNECTIONS", 16, 1000000, "a number of connections",
                 &cfg->max_connections) ||
        env_uint("TRIPOD_HEADER_TIMEOUT", 0, 3600, "a number of seconds (0 = none)",
                 &cfg->header_timeout_s) ||
        env_uint("TRIPOD_BODY_TIMEOUT", 0, 3600, "a number of seconds (0 = none)",
                 &cfg->body_timeout_s) ||
        env_uint("TRIPOD_IDLE_TIMEOUT", 1, 3600, "a number of seconds", &cfg->idle_timeout_s))
        return 2;
    return 0;
}

/* Environment variable NAME as a whole number in [MIN, MAX] into *OUT (left
 * as is when unset or empty). 0, or 2 after saying what is wrong. */
static int env_int(const char *name, long min, long max, const char *what, int *out)
{
    const char *v = getenv(name);
    char *end;
    if (!v || !*v) return 0;
    long n = strtol(v, &end, 10);
    if (*end || n < min || n > max) {
        fprintf(stderr, "tripod: %s must be %s (%ld to %ld)\n", name, what, min, max);
        return 2;
    }
    *out = (int)n;
    return 0;
}

/* Environment variable NAME when set and not empty, else DEF. */
static const char *env_text(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

/* Reads every TRIPOD_* variable into CFG (over config_defaults): the one
 * place the environment is read. 0, or 2 after saying what is wrong. */
static int config_from_env(tripod_config *cfg)
{
    const char *now = getenv("TRIPOD_NOW");
    config_defaults(cfg);
    if (env_guard(cfg) != 0) return 2;
    if (now && *now) {
        if (tz_parse_rfc3339(now, &cfg->now_value) != 0) {
            fprintf(stderr,
                    "tripod: TRIPOD_NOW must be an RFC 3339 time, e.g. 2030-06-03T08:00:00Z\n");
            return 2;
        }
        cfg->fixed_now = 1;
    }
    cfg->db_url = env_text("TRIPOD_DB", NULL);
    cfg->smtp_url = env_text("TRIPOD_SMTP_URL", NULL);
    cfg->mail_from = env_text("TRIPOD_MAIL_FROM", NULL);
    cfg->public_url = env_text("TRIPOD_PUBLIC_URL", cfg->public_url);
    cfg->web_dir = env_text("TRIPOD_WEB", NULL);
    cfg->geocoder_url = env_text("TRIPOD_GEOCODER_URL", NULL);
    cfg->geocoder_user_agent = env_text("TRIPOD_GEOCODER_USER_AGENT", cfg->geocoder_user_agent);
    cfg->geocoder_email = env_text("TRIPOD_GEOCODER_EMAIL", NULL);
    cfg->tile_url = env_text("TRIPOD_TILE_URL", NULL);
    cfg->tile_attribution = env_text("TRIPOD_TILE_ATTRIBUTION", cfg->tile_attribution);
    if (cfg->tile_url &&
        (strncmp(cfg->tile_url, "https://", 8) != 0 && strncmp(cfg->tile_url, "http://", 7) != 0)) {
        fprintf(stderr, "tripod: TRIPOD_TILE_URL must be an http(s) URL with {z}/{x}/{y}\n");
        return 2;
    }
    cfg->google_client_id = env_text("TRIPOD_GOOGLE_CLIENT_ID", NULL);
    cfg->google_client_secret = env_text("TRIPOD_GOOGLE_CLIENT_SECRET", NULL);
    cfg->google_auth_url = env_text("TRIPOD_GOOGLE_AUTH_URL", cfg->google_auth_url);
    cfg->google_token_url = env_text("TRIPOD_GOOGLE_TOKEN_URL", cfg->google_token_url);
    cfg->google_api_url = env_text("TRIPOD_GOOGLE_API_URL", cfg->google_api_url);
    cfg->ms_client_id = env_text("TRIPOD_MS_CLIENT_ID", NULL);
    cfg->ms_client_secret = env_text("TRIPOD_MS_CLIENT_SECRET", NULL);
    cfg->ms_tenant = env_text("TRIPOD_MS_TENANT", cfg->ms_tenant);
    cfg->ms_login_url = env_text("TRIPOD_MS_LOGIN_URL", cfg->ms_login_url);
    cfg->ms_graph_url = env_text("TRIPOD_MS_GRAPH_URL", cfg->ms_graph_url);
    cfg->demo_caldav_url = env_text("TRIPOD_DEMO_CALDAV_URL", NULL);
    cfg->demo_caldav_user = env_text("TRIPOD_DEMO_CALDAV_USER", NULL);
    cfg->demo_caldav_password = env_text("TRIPOD_DEMO_CALDAV_PASSWORD", NULL);
    static const struct {
        const char *name;
        long min, max;
        const char *what;
        size_t offset;
    } ints[] = {
        {"TRIPOD_RATE_LIMIT", 0, 1000000, "a number of requests per minute (0 = off)",
         offsetof(tripod_config, rate_limit)},
        {"TRIPOD_THREADS", 1, 64, "a number of HTTP threads", offsetof(tripod_config, threads)},
        {"TRIPOD_DB_POOL", 1, 64, "a number of connections", offsetof(tripod_config, db_pool)},
        {"TRIPOD_SYNC_INTERVAL", 1, 86400, "seconds", offsetof(tripod_config, sync_interval_s)},
        {"TRIPOD_SYNC_TIMEOUT", 1, 3600, "seconds", offsetof(tripod_config, sync_timeout_s)},
        {"TRIPOD_RECHECK_TIMEOUT", 1, 600, "seconds", offsetof(tripod_config, recheck_timeout_s)},
        {"TRIPOD_OUTBOX_BACKOFF_BASE", 1, 86400, "seconds",
         offsetof(tripod_config, outbox_backoff_base_s)},
        {"TRIPOD_OUTBOX_BACKOFF_MAX", 1, 604800, "seconds",
         offsetof(tripod_config, outbox_backoff_max_s)},
        {"TRIPOD_OUTBOX_LEASE", 1, 86400, "seconds", offsetof(tripod_config, outbox_lease_s)},
        {"TRIPOD_GEOCODER_INTERVAL_MS", 0, 60000, "milliseconds between address look-ups",
         offsetof(tripod_config, geocoder_interval_ms)},
        {"TRIPOD_GEOCODER_CACHE_DAYS", 0, 3650, "days an address look-up is reused",
         offsetof(tripod_config, geocoder_cache_days)},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (env_int(ints[i].name, ints[i].min, ints[i].max, ints[i].what,
                    (int *)((char *)cfg + ints[i].offset)) != 0)
            return 2;
    return 0;
}

static int cmd_serve(const cli_opts *o, const tripod_config *cfg)
{
    app a;
    char err[512];
    store *db = open_store(o, cfg);
    if (!db) return 1;
    int rc = 1;
    if (app_open(&a, cfg, db, o->data_dir, err, sizeof err) != 0) {
        fprintf(stderr, "tripod: %s\n", err);
    } else {
        rc = api_serve(&a, o->port);
        app_close(&a);
    }
    store_close(db);
    return rc;
}

static int cmd_migrate(const cli_opts *o, const tripod_config *cfg)
{
    store *db = open_store(o, cfg);
    if (!db) return 1;
    fprintf(stderr, "tripod: %s schema at version %d\n", store_kind_name(db),
            store_schema_version(db));
    store_close(db);
    return 0;
}

static int cmd_token_create(const cli_opts *o, const tripod_config *cfg)
{
    uint8_t raw[32], hash[32];
    char token[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    int64_t id;
    int rc = 1;
    if (!o->name || strlen(o->name) > 100) {
        fprintf(stderr, "tripod: token create needs --name NAME (at most 100 characters)\n");
        return 2;
    }
    store *db = open_store(o, cfg);
    if (!db) return 1;
    store_conn *c = store_acquire(db);
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, sizeof token, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
    if (!c || store_token_insert(c, o->name, hash, (tp_time)time(NULL), &id) != STORE_OK) {
        fprintf(stderr, "tripod: cannot store the token: %s\n",
                c ? store_errmsg(c) : "no connection");
    } else {
        printf("%s\n", token);
        rc = 0;
    }
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(token, sizeof token);
    store_release(c);
    store_close(db);
    return rc;
}

static int cmd_demo(const cli_opts *o, const tripod_config *cfg)
{
    char err[512];
    int loaded = 0;
    store *db = open_store(o, cfg);
    if (!db) return 1;
    int rc = demo_run(db, cfg, o->data_dir, &loaded, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "tripod: cannot load the demo data: %s\n", err);
    else
        fprintf(stderr, "tripod: %s\n",
                loaded ? "demo data loaded" : "the database already has data; demo not loaded");
    store_close(db);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    tripod_config cfg;
    if (argc < 2) return usage();
    if (sodium_init() < 0) {
        fprintf(stderr, "tripod: libsodium failed to initialise\n");
        return 1;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "bench") == 0) return bench_main(argc - 1, argv + 1);
    if (config_from_env(&cfg) != 0) return 2;
    cli_opts o = {.port = 8080, .data_dir = "data", .db_url = cfg.db_url};
    if (strcmp(cmd, "token") == 0) {
        if (argc < 3 || strcmp(argv[2], "create") != 0) return usage();
        return parse_opts(argc, argv, 3, &o) ? 2 : cmd_token_create(&o, &cfg);
    }
    if (strcmp(cmd, "serve") == 0) return parse_opts(argc, argv, 2, &o) ? 2 : cmd_serve(&o, &cfg);
    if (strcmp(cmd, "migrate") == 0)
        return parse_opts(argc, argv, 2, &o) ? 2 : cmd_migrate(&o, &cfg);
    if (strcmp(cmd, "demo") == 0) return parse_opts(argc, argv, 2, &o) ? 2 : cmd_demo(&o, &cfg);
    return usage();
}
