/* avail_request.h — turns a request's items, property and dates into an
 * engine query (core/avail) over a snapshot, with the prerequisite and
 * validation outcomes that availability and bookings share. */
#ifndef TRIPOD_AVAIL_REQUEST_H
#define TRIPOD_AVAIL_REQUEST_H

#include <jansson.h>

#include "app/outcome.h"
#include "app/snapshot.h"
#include "core/avail.h"

#define AVAIL_REQUEST_MAX_ITEMS 32

/* A query under construction. Borrows the snapshot M, which must outlive it;
 * holds no heap memory (nothing to free). */
typedef struct {
    const snapshot *m;
    avail_item items[AVAIL_REQUEST_MAX_ITEMS];
    const snapshot_item *refs[AVAIL_REQUEST_MAX_ITEMS];
    int is_package[AVAIL_REQUEST_MAX_ITEMS];
    size_t nitems;
    char postal[64];
    avail_property prop;
    avail_query q; /* ready once items, property and window are set */
    geo_point sun; /* where sunrise/sunset windows are computed (prop.sun_place) */
    int sun_from;  /* shoot_place: where SUN came from; 0 = nowhere */
} avail_request;

/* Starts a query on M at server time NOW: every staff member and zone, no
 * items, unknown property, window [now, now). */
void avail_request_init(avail_request *a, const snapshot *m, tp_time now);

/* Prerequisites 1 and 2. 0, or -1 with O set: 409 booking_disabled /
 * no_primary_calendar. */
int avail_request_prereq(const snapshot *m, outcome *o);

/* Items from comma-separated ids ("1,2") or JSON arrays of ids. 0, or -1 with
 * RES set (422, field "services"/"packages"; unknown ids are 422 too). */
int avail_request_items_csv(avail_request *a, const char *services, const char *packages,
                            outcome *o);
int avail_request_items_json(avail_request *a, const json_t *services, const json_t *packages,
                             outcome *o);

/* The property from the query string (postal_code, lat, lon, sqft) or from a
 * JSON object {postal_code, lat, lon, sqft} (its errors name "property.…").
 * The postal code is copied; where its sun is computed is resolved
 * (shoot_window_place). 0, or -1 with O (422). */
int avail_request_property_text(avail_request *a, const char *postal_code, const char *lat,
                                const char *lon, const char *sqft, outcome *o);
int avail_request_property_json(avail_request *a, const json_t *prop, outcome *o);

/* Duration rules: 0, or -1 with O set (422 no items / not_schedulable naming
 * the item). Fills *SCHED_MIN and *CREW when not NULL. */
int avail_request_duration(avail_request *a, outcome *o, int *sched_min, int *crew);

/* The candidate window from dates FROM and TO ("YYYY-MM-DD" in the business
 * zone, both inclusive; NULL: today and FROM + 6 days), capped at the
 * horizon. 0, or -1 with O (422, field "from"/"to"). */
int avail_request_dates(avail_request *a, const char *from, const char *to, outcome *o);

/* Parses an RFC 3339 string member. 0, or -1 with O (422, FIELD). */
int avail_request_parse_time(const char *s, tp_time *t, const char *field, outcome *o);

#endif
