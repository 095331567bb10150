/* snapshot.h — the in-memory availability snapshot: an immutable, refcounted
 * snapshot of settings, catalog, zones, staff and busy time built from the
 * store, so availability never reads the database per request. */
#ifndef TRIPOD_SNAPSHOT_H
#define TRIPOD_SNAPSHOT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/avail.h"
#include "store/store.h"

/* A Service or Package, ready for the engine, with its prices (minor units
 * of the business currency; -1 where none is set). */
typedef struct {
    int64_t id;
    const char *name;
    avail_item item; /* its arrays belong to the snapshot */
    int64_t price;
    const int64_t *tier_prices; /* parallel to item.tiers; -1: the item's price */
} snapshot_item;

/* Who a staff member is (parallel to snapshot.staff). */
typedef struct {
    const char *name;
    const char *email;
    tp_time last_booked;        /* latest creation time of their loaded bookings; 0 = none */
    const avail_busy *cal_busy; /* their calendars' synced busy time alone, sorted */
    size_t ncal_busy;
} snapshot_person;

typedef struct {
    int64_t id;
    int64_t owner; /* staff id; 0 = the business */
    int primary;
    int provider; /* a Google or Microsoft 365 calendar (written through its API) */
    int live;     /* CalDAV, Google or Microsoft 365: can be read live (not an ICS feed) */
} snapshot_calendar;

/* A skill's name, for the words of explain and refusals. */
typedef struct {
    int64_t id;
    const char *name;
} snapshot_skill;

/* One snapshot. Every field is read-only once published; strings and arrays
 * belong to the snapshot and live until its last reference is released. */
typedef struct snapshot {
    int64_t generation;         /* store generation it was built from */
    int64_t config_generation;  /* store_config_generation it was built from */
    tp_time built_now;          /* server clock when built */
    tp_time busy_from, busy_to; /* busy time is loaded for this window */
    json_t *settings;           /* effective settings (API.md names) */
    int integrated_booking;
    int has_primary;      /* a primary calendar is configured */
    int provider_primary; /* … and it is a Google or Microsoft 365 calendar */
    const char *outside_message;
    const char *currency;               /* ISO 4217 code of the prices */
    const char *country;                /* ISO 3166-1 alpha-2: how postal codes look */
    avail_rules rules;                  /* rules.tz is the business zone */
    snapshot_item *services, *packages; /* ascending id */
    size_t nservices, npackages;
    avail_zone *zones;       /* ascending id */
    const char **zone_names; /* parallel to zones */
    size_t nzones;
    snapshot_skill *skills; /* ascending id */
    size_t nskills;
    avail_staff *staff;      /* ascending id; busy sorted by start */
    snapshot_person *people; /* parallel to staff */
    size_t nstaff;
    snapshot_calendar *calendars; /* ascending id */
    size_t ncalendars;
    struct snapshot_priv *priv; /* allocation bookkeeping */
} snapshot;

typedef struct snapshot_cache snapshot_cache;

/* Creates the cache for DB (borrowed; must outlive the cache). NULL when
 * memory runs out. Nothing is read until the first snapshot_cache_get(). */
snapshot_cache *snapshot_cache_new(store *db);
void snapshot_cache_free(snapshot_cache *mc); /* accepts NULL; no snapshot may still be held */

/* The current snapshot with a new reference (release with snapshot_release).
 * Checks the store generation on every call on SQLite; on PostgreSQL only
 * after snapshot_cache_touch() or when the cache's watcher thread (which reads
 * it every ~200 ms) saw it move, so requests do not wait on the database to
 * learn that nothing changed. When it changed, this thread rebuilds unless
 * another one already is, in which case the previous snapshot is returned
 * at once. NOW is the server clock. NULL when no
 * snapshot exists and none can be built (store unreachable). */
snapshot *snapshot_cache_get(snapshot_cache *mc, tp_time now);
/* The current snapshot with a new reference, without any check or rebuild
 * (NULL before the first build). */
snapshot *snapshot_cache_peek(snapshot_cache *mc);
/* Rebuilds now, waiting for a rebuild in progress. 0, or -1 (the previous
 * snapshot stays current). */
int snapshot_cache_refresh(snapshot_cache *mc, tp_time now);
/* A transaction found snapshot *M stale: rebuilds, releases *M and puts the
 * new current snapshot (a new reference) in its place. 0, or -1 when no
 * snapshot can be had (*M is then NULL). */
int snapshot_cache_renew(snapshot_cache *mc, tp_time now, snapshot **m);
/* Makes the next snapshot_cache_get() check the generation at once (after this
 * process's own writes). */
void snapshot_cache_touch(snapshot_cache *mc);

/* Inside a write transaction: 1 when snapshot M's settings, catalog, staff
 * and calendar busy time are those of configuration generation GEN
 * (store_config_generation; bookings may have changed since, they are re-read
 * in the transaction), else 0 (rebuild before relying on M). */
int snapshot_config_fresh(const snapshot *m, int64_t gen);

/* Reusable engine results (avail_result buffers), one per request at a time. */
avail_result *snapshot_cache_result_take(snapshot_cache *mc); /* NULL when memory runs out */
void snapshot_cache_result_give(snapshot_cache *mc, avail_result *r); /* accepts NULL */

/* Builds a snapshot from the store in one read transaction (NOW places the
 * busy-time window). A new reference, or NULL on failure (nothing is left
 * allocated). The cache calls this; tools may too. */
snapshot *snapshot_build(store_conn *c, tp_time now);
snapshot *snapshot_ref(snapshot *m);
void snapshot_release(snapshot *m); /* accepts NULL; frees on the last reference */

/* T as RFC 3339 in the business zone of S into BUF (32 bytes); returns BUF. */
const char *snapshot_time(const snapshot *s, tp_time t, char *buf, size_t len);

/* Lookups by id: NULL / -1 when absent. */
const snapshot_item *snapshot_service(const snapshot *m, int64_t id);
const snapshot_item *snapshot_package(const snapshot *m, int64_t id);
long snapshot_staff_index(const snapshot *m, int64_t id);
const char *snapshot_skill_name(const snapshot *m, int64_t id);
const char *snapshot_zone_name(const snapshot *m, int64_t id);
const snapshot_calendar *snapshot_calendar_find(const snapshot *m, int64_t id);

/* Parses an id given as a JSON string ("12") or integer. 0, or -1. */
int snapshot_json_id(const json_t *v, int64_t *id);

/* The iCalendar UID Tripod gives the event of booking ID; synced calendar
 * events carrying such a UID are the booking itself and are not counted twice.
 * Writes into BUF (≥ 48 bytes) and returns it. */
char *snapshot_booking_uid(int64_t id, char *buf, size_t len);
/* 1 when UID is a Tripod booking's event UID (then *ID is set), else 0. */
int snapshot_uid_is_booking(const char *uid, int64_t *id);

/* Sorts BUSY[0..n) by start, then end. */
void snapshot_sort_busy(avail_busy *busy, size_t n);

/* 1 when ID is among IDS[0..n) (a list of staff or booking ids). */
int snapshot_has_id(const int64_t *ids, size_t n, int64_t id);

/* The business-zone calendar day (days since 1970-01-01) of instant T. */
int64_t snapshot_local_day(const snapshot *s, tp_time t);

#endif
