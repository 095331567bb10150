/* availability.h — the offered start times for a request (items, property,
 * dates) from the current snapshot, and the explain view: why each staff
 * member is or is not offered at one time. */
#ifndef TRIPOD_AVAILABILITY_H
#define TRIPOD_AVAILABILITY_H

#include <jansson.h>

#include "app/app.h"
#include "core/avail.h"

/* A request as text (each may be NULL): comma-separated service and package
 * ids, the property (postal code, lat, lon, sqft) and dates in the business
 * zone (FROM, TO inclusive; NULL: today and a week). */
typedef struct {
    const char *services, *packages;
    const char *postal_code, *lat, *lon, *sqft;
    const char *from, *to;
} availability_ask;

/* An answer; release with availability_done. */
typedef struct {
    snapshot *s;          /* the snapshot it was computed on (names the zone, buffer) */
    avail_result *result; /* duration and offered slots, ascending */
    const char *message;  /* why there is nothing for the agent (e.g. the outside-area
                             message), or NULL; borrowed from S or WHY */
    /* Members the answer gains (owned): "reason" ({code: "outside_area" |
     * "no_free_time" | a shoot-window code of window_answer_why, item, other}
     * saying why MESSAGE, or null), and with shoot windows "windows" and
     * "sun_place" (window_answer_days). */
    json_t *extra;
    char why[1024]; /* a composed MESSAGE (room for two item names of 200 bytes) */
} availability;

/* Computes the offered slots of ASK into OUT. 0, or -1 with O (booking
 * disabled, no primary calendar, bad items, property or dates). */
int availability_find(app *a, const availability_ask *ask, availability *out, outcome *o);
void availability_done(app *a, availability *av); /* accepts a zeroed answer */

/* The explain view of ASK at time AT (RFC 3339): {at, duration_minutes,
 * buffer_minutes, timezone, staff:[{id, name, eligible, reasons:[{code,
 * message, …}]}]}, with shoot windows also "windows" (that day's sunset or
 * sunrise) and "sun_place", and window reasons naming the item and the
 * window (window_answer_reason). 0 with *ANSWER (new reference), or -1 with O. */
int availability_explain(app *a, const availability_ask *ask, const char *at, json_t **answer,
                         outcome *o);

#endif
