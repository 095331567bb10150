/* scenario.c — writes the BENCH.md 50-staff scenario into a store through
 * store.h, so `tripod serve` on SQLite or PostgreSQL serves the same data. */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "store/store.h"

#define EVENTS 200

int scenario_load(const char *url, const char *data_dir, char *err, size_t errlen)
{
    static const char week[] = "{\"mon\":[[\"09:00\",\"17:00\"]],\"tue\":[[\"09:00\",\"17:00\"]],"
                               "\"wed\":[[\"09:00\",\"17:00\"]],\"thu\":[[\"09:00\",\"17:00\"]],"
                               "\"fri\":[[\"09:00\",\"17:00\"]],\"sat\":[[\"09:00\",\"17:00\"]],"
                               "\"sun\":[[\"09:00\",\"17:00\"]]}";
    store *db = NULL;
    store_conn *c = NULL;
    char doc[1024];
    int64_t id, cal;
    int rc = -1;
    err[0] = '\0';
    store_busy *ev = calloc(EVENTS, sizeof *ev);
    tz_zone *ny = tz_zone_load("America/New_York");
    if (!ev || !ny) {
        snprintf(err, errlen, "out of memory, or no America/New_York zone");
        goto out;
    }
    if (store_open(url, data_dir, 0, &db, err, errlen) != STORE_OK ||
        store_migrate(db, err, errlen) != STORE_OK || !(c = store_acquire(db)) ||
        store_begin(c, 1) != STORE_OK)
        goto out;
    const tp_time t0 = tz_local_to_utc(ny, tz_days_from_civil(2030, 6, 3) * 86400);
    snprintf(doc, sizeof doc,
             "{\"integrated_booking\":true,\"timezone\":\"America/New_York\","
             "\"drive_buffer_minutes\":30,\"slot_step_minutes\":30,\"min_notice_minutes\":0,"
             "\"horizon_days\":60,\"default_hours\":%s}",
             week);
    if (store_settings_put(c, doc) != STORE_OK ||
        store_doc_insert(c, STORE_SERVICE,
                         "{\"name\":\"Photos\",\"duration_minutes\":60,\"tiers\":[],\"skills\":[]}",
                         &id) ||
        store_doc_insert(c, STORE_SERVICE,
                         "{\"name\":\"Video\",\"duration_minutes\":60,\"tiers\":[],\"skills\":[]}",
                         &id) ||
        store_doc_insert(c, STORE_CALENDAR,
                         "{\"owner\":\"business\",\"kind\":\"ics\","
                         "\"url\":\"http://127.0.0.1:9/b.ics\",\"primary\":true}",
                         &cal))
        goto out;
    for (uint32_t i = 0; i < SCENARIO_STAFF; i++) {
        snprintf(doc, sizeof doc,
                 "{\"name\":\"Staff %u\",\"email\":\"s%u@example.com\",\"timezone\":null,"
                 "\"senior\":false,\"skills\":[],\"zones\":[],\"hours\":%s,\"exceptions\":[],"
                 "\"home\":null,\"rank\":0,\"active\":true}",
                 i, i, week);
        if (store_doc_insert(c, STORE_STAFF, doc, &id) != STORE_OK) goto out;
        snprintf(doc, sizeof doc,
                 "{\"owner\":\"%lld\",\"kind\":\"ics\","
                 "\"url\":\"http://127.0.0.1:9/s%u.ics\",\"primary\":false}",
                 (long long)id, i);
        if (store_doc_insert(c, STORE_CALENDAR, doc, &cal) != STORE_OK) goto out;
        bench_rng g = {i + 1};
        for (size_t k = 0; k < EVENTS; k++) {
            ev[k].start = t0 + 300 * (tp_time)(bench_draw(&g) % 4032);
            ev[k].end = ev[k].start + 60 * (30 + 5 * (tp_time)(bench_draw(&g) % 19));
            ev[k].uid = "bench-event";
            ev[k].summary = "Busy";
        }
        if (store_busy_replace(c, cal, ev, EVENTS) != STORE_OK) goto out;
    }
    if (store_commit(c) != STORE_OK) goto out;
    rc = 0;
out:
    if (rc != 0 && !err[0])
        snprintf(err, errlen, "%s", c ? store_errmsg(c) : "no database connection");
    store_release(c);
    store_close(db);
    tz_zone_free(ny);
    free(ev);
    return rc;
}
