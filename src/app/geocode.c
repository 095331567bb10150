/* geocode.c — the address search of geocode.h over libcurl (the calendar
 * layer's request limits, cal/net.h), its store cache and its spacing. */
#include "app/geocode.h"

#include <ctype.h>
#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/settings.h"
#include "cal/net.h"
#include "core/array.h"

#define GEOCODE_TIMEOUT_S 10
#define GEOCODE_MAX_BODY (1024 * 1024)

/* One request at a time per process, at least the interval apart. */
static pthread_mutex_t geocode_lock = PTHREAD_MUTEX_INITIALIZER;
static struct timespec geocode_last; /* when the last request ended */

typedef struct {
    char *v;
    size_t n, cap;
    int too_big;
} body_buf;

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    body_buf *b = ctx;
    size_t n = size * nmemb;
    if (b->n + n + 1 > GEOCODE_MAX_BODY || ARRAY_RESERVE(b->v, b->cap, b->n + n + 1, 4096) != 0) {
        b->too_big = 1;
        return 0;
    }
    memcpy(b->v + b->n, data, n);
    b->n += n;
    b->v[b->n] = '\0';
    return n;
}

/* Q trimmed, runs of white space made one space, in lower case: the cache
 * key's text. -1 when its length is outside the limits. */
static int normalise(const char *q, char *out, size_t len)
{
    size_t n = 0;
    int space = 0;
    for (const unsigned char *p = (const unsigned char *)q; p && *p; p++) {
        if (isspace(*p) || *p < 0x20) {
            space = n > 0;
            continue;
        }
        if (n + 3 >= len) return -1;
        if (space) out[n++] = ' ';
        space = 0;
        out[n++] = (char)tolower(*p);
    }
    out[n] = '\0';
    return n >= GEOCODE_MIN_QUERY && n <= GEOCODE_MAX_QUERY ? 0 : -1;
}

static double number_of(const json_t *v)
{
    if (json_is_number(v)) return json_number_value(v);
    const char *s = json_string_value(v);
    char *end;
    if (!s || !*s) return NAN;
    double d = strtod(s, &end);
    return *end ? NAN : d;
}

json_t *geocode_parse(const char *text)
{
    json_t *in = json_loads(text, 0, NULL), *out = json_array();
    size_t i;
    json_t *place;
    if (!json_is_array(in) || !out) goto fail;
    json_array_foreach(in, i, place)
    {
        if (!json_is_object(place)) goto fail;
        double lat = number_of(json_object_get(place, "lat"));
        double lon = number_of(json_object_get(place, "lon"));
        const char *label = json_string_value(json_object_get(place, "display_name"));
        if (!isfinite(lat) || !isfinite(lon) || fabs(lat) > 90 || fabs(lon) > 180 || !label)
            continue;
        const json_t *code = json_object_get(json_object_get(place, "address"), "postcode");
        json_t *row =
            json_pack("{s:s, s:f, s:f, s:o}", "label", label, "lat", lat, "lon", lon, "postal_code",
                      json_is_string(code) ? json_copy((json_t *)code) : json_null());
        if (!row || json_array_append_new(out, row) != 0) goto fail;
        if (json_array_size(out) == GEOCODE_LIMIT) break;
    }
    json_decref(in);
    return out;
fail:
    json_decref(in);
    json_decref(out);
    return NULL;
}

/* Waits until the interval since the last request has passed (holding the lock). */
static void space_out(int interval_ms)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long since = (long long)(now.tv_sec - geocode_last.tv_sec) * 1000 +
                      (now.tv_nsec - geocode_last.tv_nsec) / 1000000;
    if ((geocode_last.tv_sec || geocode_last.tv_nsec) && since < interval_ms) {
        long long wait = interval_ms - since;
        struct timespec ts = {(time_t)(wait / 1000), (long)(wait % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Asks the service for TEXT. 0 with *PLACES, or -1 with O. */
static int fetch(app *a, const char *text, const char *country, json_t **places, outcome *o)
{
    const tripod_config *cfg = a->cfg;
    CURL *h = curl_easy_init();
    body_buf body = {0};
    long status = 0;
    char *url = NULL;
    int rc = -1;
    if (!h) return outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
    char *eq = curl_easy_escape(h, text, 0);
    char *email = cfg->geocoder_email ? curl_easy_escape(h, cfg->geocoder_email, 0) : NULL;
    const char *base = cfg->geocoder_url;
    size_t blen = strlen(base);
    while (blen && base[blen - 1] == '/')
        blen--;
    size_t cap = blen + strlen(eq ? eq : "") + (email ? strlen(email) : 0) + 200;
    if (eq && (url = malloc(cap)))
        snprintf(
            url, cap,
            "%.*s/search?format=jsonv2&addressdetails=1&limit=%d&accept-language=en%s%s%s%s&q=%s",
            (int)blen, base, GEOCODE_LIMIT, *country ? "&countrycodes=" : "", country,
            email ? "&email=" : "", email ? email : "", eq);
    if (!url) {
        outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
        goto out;
    }
    net_limits(h, GEOCODE_TIMEOUT_S, NULL);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_USERAGENT, cfg->geocoder_user_agent);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    pthread_mutex_lock(&geocode_lock);
    space_out(cfg->geocoder_interval_ms);
    CURLcode cc = curl_easy_perform(h);
    clock_gettime(CLOCK_MONOTONIC, &geocode_last);
    pthread_mutex_unlock(&geocode_lock);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK || status != 200) {
        outcome_fail(o, OUT_UPSTREAM, "geocoder_failed", NULL,
                     "the address search is not answering (%s); enter the postal code instead",
                     cc != CURLE_OK ? curl_easy_strerror(cc) : "an error status");
        goto out;
    }
    if (!(*places = geocode_parse(body.v ? body.v : ""))) {
        outcome_fail(o, OUT_UPSTREAM, "geocoder_failed", NULL,
                     "the address search answered something unexpected; enter the postal code "
                     "instead");
        goto out;
    }
    rc = 0;
out:
    curl_free(eq);
    curl_free(email);
    free(url);
    free(body.v);
    curl_easy_cleanup(h);
    return rc;
}

int geocode_search(app *a, const char *q, json_t **answer, outcome *o)
{
    char norm[GEOCODE_MAX_QUERY * 2 + 8], key[GEOCODE_MAX_QUERY * 2 + 32];
    const tripod_config *cfg = a->cfg;
    if (!cfg->geocoder_url || !*cfg->geocoder_url)
        return outcome_fail(o, OUT_UNAVAILABLE, "geocoder_off", NULL,
                            "address search is not set up here; enter the postal code (and "
                            "place the pin on the map if there is one)");
    if (!q || normalise(q, norm, sizeof norm) != 0)
        return outcome_fail(o, OUT_INVALID, "validation", "q",
                            "type %d to %d characters of the address", GEOCODE_MIN_QUERY,
                            GEOCODE_MAX_QUERY);
    snapshot *s = app_snapshot(a, o);
    if (!s) return -1;
    char country[4];
    snprintf(country, sizeof country, "%s", s->country);
    snapshot_release(s);
    for (char *p = country; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    snprintf(key, sizeof key, "%s|%s", country, norm);
    store_conn *c = app_conn(a, o);
    if (!c) return -1;
    char *text = NULL;
    tp_time now = app_now(a);
    int rc = store_geocode_get(c, key, now - (tp_time)cfg->geocoder_cache_days * 86400, &text);
    json_t *cached = rc == STORE_OK ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (json_is_array(cached)) {
        store_release(c);
        *answer = cached;
        return 0;
    }
    json_decref(cached); /* unreadable: asked again below */
    if (rc == STORE_OK) rc = STORE_NOTFOUND;
    if (rc != STORE_OK && rc != STORE_NOTFOUND) {
        store_release(c);
        return outcome_store(o, rc, NULL);
    }
    /* Ask the service without holding a connection of the pool. */
    store_release(c);
    json_t *places = NULL;
    if (fetch(a, q, country, &places, o) != 0) return -1;
    char *dump = json_dumps(places, JSON_COMPACT);
    if (dump && (c = store_acquire(a->db))) {
        store_geocode_put(c, key, dump, now); /* a failed write only costs a later look-up */
        store_release(c);
    }
    free(dump);
    *answer = places;
    return 0;
}
