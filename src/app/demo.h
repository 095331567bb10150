/* demo.h — `tripod demo`: a small, realistic business to try Tripod with. */
#ifndef TRIPOD_DEMO_H
#define TRIPOD_DEMO_H

#include <stddef.h>

#include "app/config.h"
#include "cal/caldav.h"
#include "store/store.h"

/* Loads the demo business (settings, skills, services, packages, zones, staff,
 * a primary calendar and one calendar per staff member) into DB in one
 * transaction when it holds no catalog or staff yet; *LOADED says whether it
 * did. The calendars are collections under DAV->url (e.g. a local Radicale's
 * "http://127.0.0.1:5232/tripod/"), its password sealed with DATA_DIR's key;
 * with DAV NULL they point at http://127.0.0.1:5232/tripod/ without
 * credentials. Returns 0, or -1 with the reason in ERR (nothing is written). */
int demo_load(store *db, const char *data_dir, const caldav_target *dav, int *loaded, char *err,
              size_t errlen);

/* `tripod demo`: demo_load(), and when CFG's demo_caldav_url (with its user
 * and password) names a running CalDAV server, calendars there with
 * demo_fill_calendars() for the weeks after CFG's clock (TRIPOD_NOW, else
 * now). Returns 0 or -1 with ERR. */
int demo_run(store *db, const tripod_config *cfg, const char *data_dir, int *loaded, char *err,
             size_t errlen);

/* Creates the demo's collections on DAV (MKCALENDAR; existing ones are kept)
 * and puts a few realistic busy events into the staff calendars for the
 * weeks after NOW (weekly team meeting, a dentist visit, a day off, a school
 * run, another client's shoot). Returns 0, or -1 with the reason in ERR. */
int demo_fill_calendars(store *db, const caldav_target *dav, tp_time now, char *err, size_t errlen);

#endif
