/* window_answer.h — what Tripod's answers say about shoot windows: each
 * day's sunrise or sunset at the property, why a request with windows has no
 * slot (a sentence for the agent and a machine-readable reason), the explain
 * view's window reasons, and a booking refused for a time outside a window. */
#ifndef TRIPOD_WINDOW_ANSWER_H
#define TRIPOD_WINDOW_ANSWER_H

#include <jansson.h>
#include <stddef.h>

#include "app/avail_request.h"
#include "app/outcome.h"
#include "core/avail.h"

/* Adds to OBJ, when an item of A has a window: "windows", one entry per such
 * item in request order, {item: {id, kind, name}, kind, from, to} or {item,
 * kind, before_minutes, after_minutes, days: [{date, event}]} where event is
 * the sunset/sunrise (RFC 3339, business zone, to the minute as the engine
 * uses it) on each business-zone date of [FROM, TO), null when the sun does
 * not set/rise there that date (days is empty without a place); and
 * "sun_place": {lat, lon, source: "property"|"zone"|"business"}, or null
 * when an item has a sunrise/sunset window and no place is known. Adds
 * nothing without windows. 0, or -1 when memory ran out. */
int window_answer_days(const avail_request *a, tp_time from, tp_time to, json_t *obj);

/* Why A's query (just computed into R) offers no slot when shoot windows are
 * the cause: the property has no place for a sunrise/sunset window
 * ("no_place"), the sun does not set/rise there on these dates ("no_sun"),
 * two items' windows never meet ("window_conflict", the item to book on its
 * own and the other), the whole shoot does not fit an item's window
 * ("window_too_short"), no start on these dates fits ("window_closed"), or
 * nobody is free inside the windows while times outside them are
 * ("window_no_staff"). Writes the agent's sentence into MSG and returns
 * {code, item: {id, kind, name}, other: … | null} (new reference); NULL when
 * windows are not why (or R has slots). May run the engine again. */
json_t *window_answer_why(const avail_request *a, const avail_result *r, char *msg, size_t len);

/* Completes the explain view's reason O for engine reason RS of A: for
 * outside_item_window and no_place, the item ({id, kind, name}), a message
 * naming it and, for the first, "window": {kind, start, end, event} (event:
 * the sunset/sunrise; start/end/event null when the sun does not set/rise
 * there that day). Other reasons are left as they are. */
void window_answer_reason(const avail_request *a, const avail_reason *rs, json_t *o);

/* Whether shoot windows refuse a booking of A at AT. -1 with O (422
 * "no_place", field "property") when an item's sunrise/sunset window has no
 * place. Otherwise 0, and when AT puts the shoot outside an item's window
 * *MISS is a new reference {code: "outside_item_window", item, window} and
 * MSG the sentence saying so; else *MISS is NULL. */
int window_answer_refusal(const avail_request *a, tp_time at, json_t **miss, char *msg, size_t len,
                          outcome *o);

#endif
