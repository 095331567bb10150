/* shoot_window.h — an item's shoot window as JSON (the catalog's `window`,
 * checked on write and loaded into the snapshot), the business `location`
 * setting, and where a property's sunrise and sunset are computed. */
#ifndef TRIPOD_SHOOT_WINDOW_H
#define TRIPOD_SHOOT_WINDOW_H

#include <jansson.h>

#include "app/snapshot.h"
#include "app/validate.h"
#include "core/avail.h"
#include "core/geo.h"

#define SHOOT_WINDOW_MAX_MIN 600 /* |before_minutes|, |after_minutes| (the engine's bound) */

/* Where solar windows are computed for a property, best first. */
typedef enum {
    SHOOT_PLACE_NONE = 0, /* nowhere: sunrise/sunset windows cannot be placed */
    SHOOT_PLACE_PROPERTY, /* the property's own lat/lon */
    SHOOT_PLACE_ZONE,     /* the centre of the zone its postal code is in */
    SHOOT_PLACE_BUSINESS  /* the business's `location` setting */
} shoot_place;

/* Checks window J of a service or package (absent or null: none) into *OUT:
 * {kind: "local", from: "HH:MM", to: "HH:MM"} with from < to ("24:00" allowed
 * as the end), or {kind: "sunset"|"sunrise", before_minutes, after_minutes},
 * each −600…600. A window shorter than SHORTEST_MIN (the item's shortest
 * scheduling length; 0: not known) is refused, as no shoot could fit it.
 * Errors name FIELD ("window") and its members. 0, or -1 with E. */
int shoot_window_parse(const json_t *j, const char *field, int shortest_min, avail_window *out,
                       val_error *e);

/* The canonical JSON of W: null for none. New reference. */
json_t *shoot_window_json(const avail_window *w);

/* A stored window (validated on write) for the engine; unreadable is none. */
avail_window shoot_window_stored(const json_t *j);

/* Checks the `location` setting J: null, or {lat, lon} (degrees, −90…90 and
 * −180…180). 0 with *OUT the canonical JSON (new reference), or -1 with E. */
int shoot_window_location_check(const json_t *j, const char *field, json_t **out, val_error *e);

/* Where the sun of property P is computed on snapshot M: P's lat/lon; else
 * the centre (polygon centroid) of the first zone, by id, whose postal codes
 * hold P's and which has a polygon (a postal-code-only zone has no centre);
 * else the business's `location` setting. Writes the place into *OUT and
 * returns where it came from; SHOOT_PLACE_NONE leaves *OUT untouched. */
shoot_place shoot_window_place(const snapshot *m, const avail_property *p, geo_point *out);

/* "property", "zone", "business" (NULL for none), as the answers name it. */
const char *shoot_window_place_name(shoot_place s);

#endif
