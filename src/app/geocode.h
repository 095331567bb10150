/* geocode.h — addresses to places through a Nominatim-compatible search
 * service (TRIPOD_GEOCODER_URL): its documented /search?format=jsonv2&
 * addressdetails=1 answer turned into [{label, lat, lon, postal_code}],
 * answers kept in the store and reused, and requests spaced out
 * (TRIPOD_GEOCODER_INTERVAL_MS, one at a time per process) as the public
 * service's usage policy asks. */
#ifndef TRIPOD_GEOCODE_H
#define TRIPOD_GEOCODE_H

#include <jansson.h>

#include "app/app.h"

#define GEOCODE_MIN_QUERY 3   /* shorter queries are refused (field q) */
#define GEOCODE_MAX_QUERY 200 /* longer ones too */
#define GEOCODE_LIMIT 5       /* places asked for and answered */

/* The places matching address Q, in the business's country (settings'
 * `country`, sent as countrycodes). From the store when a look-up of the
 * same text is younger than TRIPOD_GEOCODER_CACHE_DAYS, else from the
 * service (then stored). 0 with *ANSWER (a new reference: an array), or -1
 * with O: geocoder_off (503) when no service is configured, validation (q),
 * geocoder_failed (502) when the service cannot be reached or answers
 * something else than its documented JSON, store_unavailable. */
int geocode_search(app *a, const char *q, json_t **answer, outcome *o);

/* A Nominatim jsonv2 /search answer TEXT as [{label, lat, lon,
 * postal_code}] (at most GEOCODE_LIMIT; places without coordinates are left
 * out; postal_code is address.postcode or null). A new reference, or NULL
 * when TEXT is not such an answer. */
json_t *geocode_parse(const char *text);

#endif
