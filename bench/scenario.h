/* scenario.h — the BENCH.md 50-staff scenario written into a real store
 * (SQLite or PostgreSQL), for the HTTP figures of `tripod bench`. */
#ifndef TRIPOD_BENCH_SCENARIO_H
#define TRIPOD_BENCH_SCENARIO_H

#include <stddef.h>

#define SCENARIO_STAFF 50
#define SCENARIO_NOW "2030-06-03T00:00:00-04:00" /* T0: the server's fixed clock */
#define SCENARIO_DAYS 14                         /* busy time covers days 0-13 from T0 */

/* Opens the store at URL (NULL → SQLite in DATA_DIR; "postgres://…"),
 * migrates it and loads, in one transaction: settings (New York, 30-min
 * drive buffer and step, no notice, every day 09:00-17:00), services 1 and 2
 * (60 min each), a primary business calendar, and SCENARIO_STAFF staff, each
 * with a calendar holding the staff member's 200 BENCH.md busy events as
 * synced busy time. Returns 0, or -1 with the reason in ERR. The store is
 * closed again either way. */
int scenario_load(const char *url, const char *data_dir, char *err, size_t errlen);

#endif
