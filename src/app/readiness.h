/* readiness.h — what keeps online booking from working, for the admin: the
 * four prerequisites of PRODUCT.md and the warnings beside them. */
#ifndef TRIPOD_READINESS_H
#define TRIPOD_READINESS_H

#include <jansson.h>

#include "app/app.h"

/* {ready, prerequisites:{integrated_booking, primary_calendar,
 * staff_calendars, durations: {ok, problems[]}}, calendar_sync: {ok,
 * problems[]} (calendars never synced or failing for over an hour, failing
 * provider accounts), staffing: {ok, problems[]} (items nobody could ever
 * staff)}. 0 with *ANSWER (new reference), or -1 with O. */
int readiness_report(app *a, json_t **answer, outcome *o);

#endif
