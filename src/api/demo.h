/* demo.h — `tripod demo`: a small, realistic business to try Tripod with. */
#ifndef TRIPOD_DEMO_H
#define TRIPOD_DEMO_H

#include <stddef.h>

#include "store/store.h"

/* Loads the demo business (settings, skills, services, packages, zones, staff,
 * calendars without credentials) into DB in one transaction when it holds no
 * catalog or staff yet; *LOADED says whether it did. Returns 0, or -1 with the
 * reason in ERR (nothing is written then). */
int demo_load(store *db, int *loaded, char *err, size_t errlen);

#endif
