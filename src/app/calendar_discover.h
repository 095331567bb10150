/* calendar_discover.h — POST /calendars/discover in the application: the
 * calendars a CalDAV account offers, found from a server address, user
 * name and app password (src/cal/discover.c), for the admin to pick. */
#ifndef TRIPOD_CALENDAR_DISCOVER_H
#define TRIPOD_CALENDAR_DISCOVER_H

#include <jansson.h>

#include "app/app.h"

/* BODY is {url, username?, password?}. Returns 0 with *ANSWER (new
 * reference) [{url, name, can_write: bool|null, color: "#RRGGBB"|null}], or
 * -1 with O: validation (422, naming url/username/password),
 * credentials_refused (422, field password), no_caldav (422, field url) or
 * discovery_failed (502); each with detail {step} naming where it stopped.
 * Nothing is stored. The whole look takes at most twice the sync timeout. */
int app_calendar_discover(app *a, const json_t *body, json_t **answer, outcome *o);

#endif
