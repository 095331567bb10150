/* avq.h — turns a request's items, property and dates into an engine query
 * over a model snapshot, with the prerequisite and validation errors that
 * availability and bookings share. */
#ifndef TRIPOD_AVQ_H
#define TRIPOD_AVQ_H

#include <jansson.h>

#include "api/api.h"
#include "api/model.h"
#include "core/avail.h"

#define AVQ_MAX_ITEMS 32

/* A query under construction. Borrows the snapshot M, which must outlive it;
 * holds no heap memory (nothing to free). */
typedef struct {
    const model *m;
    avail_item items[AVQ_MAX_ITEMS];
    const model_item *refs[AVQ_MAX_ITEMS];
    int is_package[AVQ_MAX_ITEMS];
    size_t nitems;
    char postal[64];
    avail_property prop;
    avail_query q; /* ready once items, property and window are set */
} avq;

/* Starts a query on M at server time NOW: every staff member and zone, no
 * items, unknown property, window [now, now). */
void avq_init(avq *a, const model *m, tp_time now);

/* Prerequisites 1 and 2. 0, or -1 with RES set: 409 booking_disabled /
 * no_primary_calendar. */
int avq_prereq(const model *m, api_res *res);

/* Items from comma-separated ids ("1,2") or JSON arrays of ids. 0, or -1 with
 * RES set (422, field "services"/"packages"; unknown ids are 422 too). */
int avq_items_csv(avq *a, const char *services, const char *packages, api_res *res);
int avq_items_json(avq *a, const json_t *services, const json_t *packages, api_res *res);

/* The property from the query string (postal_code, lat, lon, sqft) or from a
 * JSON object {postal_code, lat, lon, sqft} (its errors name "property.…").
 * The postal code is copied. 0, or -1 with RES (422). */
int avq_property_query(avq *a, const api_req *r, api_res *res);
int avq_property_json(avq *a, const json_t *prop, api_res *res);

/* Duration rules: 0, or -1 with RES set (422 no items / not_schedulable naming
 * the item). Fills *SCHED_MIN and *CREW when not NULL. */
int avq_duration(avq *a, api_res *res, int *sched_min, int *crew);

/* The candidate window from dates FROM and TO ("YYYY-MM-DD" in the business
 * zone, both inclusive; NULL: today and FROM + 6 days), capped at the
 * horizon. 0, or -1 with RES (422, field "from"/"to"). */
int avq_dates(avq *a, const char *from, const char *to, api_res *res);

/* RFC 3339 in the business zone; BUF needs 32 bytes. */
const char *avq_time(const model *m, tp_time t, char *buf, size_t len);

/* Parses an RFC 3339 string member. 0, or -1 with RES (422, FIELD). */
int avq_parse_time(const char *s, tp_time *t, const char *field, api_res *res);

/* 500 / 503 helpers for the handlers. */
void avq_store_error(api_res *res);

#endif
