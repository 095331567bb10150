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
 * zone (FROM, TO inclusive; NULL: today and a week). NEXT ("1"): instead of
 * FROM..TO, the first day from FROM up to the horizon with any free time.
 * MANAGE_TOKEN: a booking's manage token; that booking's own time does not
 * count as busy (its reschedule); an unknown token is ignored. */
typedef struct {
    const char *services, *packages;
    const char *postal_code, *lat, *lon, *sqft;
    const char *from, *to;
    const char *next;
    const char *manage_token;
} availability_ask;

/* An answer; release with availability_done. */
typedef struct {
    snapshot *s;          /* the snapshot it was computed on (names the zone, buffer) */
    avail_result *result; /* duration and offered slots, ascending */
    const char *message;  /* why there is nothing for the agent (e.g. the outside-area
                             message), or NULL; borrowed from S or WHY */
    json_t *price;        /* the quote (price.h): an object, or JSON null */
    int64_t next_free;    /* with NEXT: the business-local day number of the first
                             free day, or -1 when none before the horizon */
    /* Members the answer gains (owned): "reason" ({code: "outside_area" |
     * "no_free_time" | a shoot-window code of window_answer_why, item, other}
     * saying why MESSAGE, or null), and with shoot windows "windows" and
     * "sun_place" (window_answer_days; with NEXT, the dates up to the free day). */
    json_t *extra;
    char why[1024]; /* a composed MESSAGE (room for two item names of 200 bytes) */
} availability;

/* Computes the offered slots of ASK into OUT. 0, or -1 with O (booking
 * disabled, no primary calendar, bad items, property or dates). */
int availability_find(app *a, const availability_ask *ask, availability *out, outcome *o);
void availability_done(app *a, availability *av); /* accepts a zeroed answer */

/* Whether anyone serves the property of ASK (its postal code, lat, lon;
 * items are not needed): *COVERED, and *MESSAGE the business's outside-area
 * message when not (borrowed from the snapshot, valid until the next call's
 * snapshot is released: copy it). 0, or -1 with O (a postal code that is not
 * one of the business's country, bad coordinates). */
int availability_coverage(app *a, const availability_ask *ask, int *covered, json_t **message,
                          outcome *o);

/* Readiness warnings: each service and package that no crew could ever do,
 * as sentences appended to PROBLEMS (e.g. a package that needs two
 * photographers with a skill only one active person with a calendar has).
 * 0, or -1 with O when no snapshot can be had. */
int availability_staffing(app *a, json_t *problems, outcome *o);

/* The explain view of ASK at time AT (RFC 3339): {at, duration_minutes,
 * buffer_minutes, timezone, staff:[{id, name, eligible, reasons:[{code,
 * message, …}]}]}, with shoot windows also "windows" (that day's sunset or
 * sunrise) and "sun_place", and window reasons naming the item and the
 * window (window_answer_reason). 0 with *ANSWER (new reference), or -1 with O. */
int availability_explain(app *a, const availability_ask *ask, const char *at, json_t **answer,
                         outcome *o);

#endif
