/* avail.h — the availability engine: which starts are free for which staff
 * under Tripod's rules (PRODUCT.md), who gets assigned, and why someone is
 * not offered. Pure: plain arrays in, plain arrays out; no I/O, no globals,
 * no allocation per candidate slot. */
#ifndef TRIPOD_AVAIL_H
#define TRIPOD_AVAIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/geo.h"
#include "core/tz.h"

#define AVAIL_MAX_RANGES 8 /* working-hour ranges per day */

/* Wall-clock minutes of the day, 0 ≤ start < end ≤ 1440. */
typedef struct {
    int16_t start, end;
} avail_range;

typedef struct {
    avail_range r[AVAIL_MAX_RANGES];
    int n; /* 0 = not working that day */
} avail_day;

typedef struct {
    avail_day day[7]; /* 0 = Monday … 6 = Sunday */
} avail_week;

/* A dated exception: on local date DATE the weekly hours are replaced by HOURS
 * (n == 0: the whole day off; otherwise extra or changed hours). */
typedef struct {
    int64_t date; /* days since 1970-01-01 (tz_days_from_civil) */
    avail_day hours;
} avail_exception;

/* A busy interval [start, end) in UTC. WHAT is a borrowed label shown by
 * explain ("Dentist", "Booking 42", "Time off"); lat/lon are NAN unless the
 * event has a known location (used by the travel-aware buffer); BOOKING is
 * the Tripod booking it is (0: calendar busy time), for explain's words. */
typedef struct {
    tp_time start, end;
    const char *what;
    double lat, lon;
    int64_t booking;
} avail_busy;

typedef struct {
    int64_t id;                        /* ties break by id, ascending */
    const tz_zone *tz;                 /* NULL: the business zone */
    const avail_week *hours;           /* NULL: the business default hours */
    const avail_exception *exceptions; /* sorted by date, unique dates */
    size_t nexceptions;
    const int64_t *skills; /* sorted ascending */
    size_t nskills;
    const int64_t *zones; /* zone ids; none = serves everywhere */
    size_t nzones;
    const avail_busy *busy; /* sorted by start (may overlap) */
    size_t nbusy;
    int active;       /* 0: never offered */
    int has_calendar; /* 0: never offered (prerequisite 3) */
    int senior;
    int rank;                  /* `priority` policy: 1 asked first; 0 = unranked, last */
    double home_lat, home_lon; /* NAN when unknown */
} avail_staff;

/* A size tier: properties up to MAX_SQFT take MINUTES. */
typedef struct {
    int max_sqft;
    int minutes;
} avail_tier;

typedef enum {
    AVAIL_WINDOW_NONE = 0, /* any time */
    AVAIL_WINDOW_LOCAL,    /* fixed wall-clock hours in the business zone */
    AVAIL_WINDOW_SUNRISE,  /* around sunrise at the property */
    AVAIL_WINDOW_SUNSET    /* around sunset at the property */
} avail_window_kind;

/* Where an item's shoot [start, start + scheduled length) may lie; the drive
 * buffer is not constrained. The windows of all items must hold at once.
 * LOCAL: every minute of the shoot has a business-zone wall-clock time in
 * [from_min, to_min), 0 ≤ from < to ≤ 1440 (across DST changes like working
 * hours: a 00:00–24:00 window lets a shoot run past midnight).
 * SUNRISE / SUNSET: the shoot starts no earlier than the event − before_min
 * and ends no later than the same event + after_min, −600 ≤ each ≤ 600
 * (negative before: starts after the event). The event is the solar_event of
 * the property's place, to the minute (solar_to_minute, as pages show it); a
 * day without one (polar day or night) has no room.
 * A window outside these ranges allows no time at all. */
typedef struct {
    avail_window_kind kind;
    int from_min, to_min;      /* LOCAL */
    int before_min, after_min; /* SUNRISE / SUNSET */
} avail_window;

/* A requested Service or Package. A package is one item with its own
 * duration; its skills are its own plus its services'. A service that a
 * requested package already contains (or a service requested twice) is
 * covered: it adds no length (avail_item_covered). */
typedef struct {
    int64_t service_id;      /* a service: its id; a package: 0 */
    const int64_t *contains; /* a package: the ids of its services; else NULL */
    size_t ncontains;
    int minutes;             /* ≤ 0: not schedulable */
    const avail_tier *tiers; /* ascending max_sqft; the first with sqft ≤ max_sqft
                                applies, else MINUTES (also when sqft is unknown) */
    size_t ntiers;
    const int64_t *skills; /* sorted ascending */
    size_t nskills;
    int force_two;       /* a package that always sends two photographers */
    avail_window window; /* zeroed: none */
} avail_item;

typedef struct {
    int64_t id;
    const geo_polygon *polygon; /* NULL: none */
    const char *const *postal;  /* normalised (geo_postal_norm) */
    size_t npostal;
} avail_zone;

typedef struct {
    const char *postal_code; /* NULL or "" when unknown; any form (normalised inside) */
    double lat, lon;         /* NAN when unknown */
    int sqft;                /* 0 when unknown */
    /* Where sunrise/sunset windows are computed when LAT/LON are unknown: the
     * caller's fallback (the matched zone's centre, else the business's
     * location); borrowed; NULL: none. Zones and travel never use it. */
    const geo_point *sun_place;
} avail_property;

typedef enum { AVAIL_BALANCED = 0, AVAIL_PRIORITY, AVAIL_NEAREST } avail_policy;

typedef struct {
    const tz_zone *tz; /* business zone: slot alignment, default staff zone */
    int buffer_min;    /* drive buffer B before and after */
    int step_min;      /* starts whose business wall-clock minute-of-day % step == 0 */
    int notice_min;    /* starts ≥ now + notice */
    int horizon_days;  /* starts ≤ now + horizon */
    avail_week default_hours;
    struct {
        int enabled;
        int threshold_min;   /* D ≥ threshold → two photographers */
        int reduction_pct;   /* length = ceil5(D × (100 − pct) / 100) */
        int senior_required; /* at least one of the pair is senior */
    } two;
    double travel_kmh; /* > 0: travel-aware buffer max(B, km ÷ speed); 0: off */
    avail_policy policy;
} avail_rules;

typedef struct {
    const avail_rules *rules;
    const avail_item *items;
    size_t nitems;
    const avail_property *property;
    const avail_zone *zones; /* every zone the staff refer to */
    size_t nzones;
    const avail_staff *staff;
    size_t nstaff;
    tp_time now;
    tp_time from, to; /* candidate starts s with from ≤ s < to */
} avail_query;

typedef enum {
    AVAIL_OK = 0,
    AVAIL_NOT_SCHEDULABLE, /* an item has no duration */
    AVAIL_NO_ITEMS,        /* nothing requested */
    AVAIL_OUTSIDE_AREA,    /* the property is in no zone any eligible staff serves */
    AVAIL_NOMEM,
    AVAIL_NO_PLACE, /* an item has a sunrise/sunset window and neither the property's
                       lat/lon nor sun_place is known: bad_item is that item */
    AVAIL_NO_WINDOW /* some candidate start exists, none puts the shoot inside every
                       item's window: bad_item is the first item whose window, with
                       those of the items before it, leaves no start (avail_compute only) */
} avail_status;

/* One (staff, start) pair: STAFF indexes query.staff. */
typedef struct {
    tp_time start;
    uint32_t staff;
} avail_pair;

/* An offered start: END = start + scheduled length; CREW = 1 or 2. */
typedef struct {
    tp_time start, end;
    int crew;
} avail_slot;

/* Result buffers are owned by the result and reused across queries: init
 * once, compute many times, free once. */
typedef struct {
    avail_status status;
    size_t bad_item;      /* with NOT_SCHEDULABLE, NO_PLACE, NO_WINDOW: index of the item */
    int duration_min;     /* scheduled length (after any two-photographer reduction) */
    int raw_duration_min; /* D before reduction */
    int crew;             /* 1 or 2 */
    avail_pair *pairs;    /* sorted by staff index, then start */
    size_t npairs, pairs_cap;
    avail_slot *slots; /* distinct offered starts, ascending */
    size_t nslots, slots_cap;
    void *scratch; /* engine-private reusable memory */
    size_t scratch_cap;
} avail_result;

void avail_result_init(avail_result *r);
void avail_result_free(avail_result *r); /* accepts NULL */
/* Appends pair (START, STAFF) / slot [START, END) with CREW to R, growing its
 * arrays. 0, or -1 when memory ran out (R unchanged). */
int avail_result_add_pair(avail_result *r, tp_time start, uint32_t staff);
int avail_result_add_slot(avail_result *r, tp_time start, tp_time end, int crew);

/* Computes every offered start. Returns 0 (look at r->status for the
 * domain answer) or -1 when memory ran out (r stays valid, empty). */
int avail_compute(const avail_query *q, avail_result *r);

/* Duration rules alone: D, crew and scheduled length for the query's items
 * and property. Returns AVAIL_OK, AVAIL_NO_ITEMS or AVAIL_NOT_SCHEDULABLE
 * (then *BAD_ITEM is set). */
avail_status avail_duration(const avail_query *q, int *raw_min, int *sched_min, int *crew,
                            size_t *bad_item);

/* 1 when item I of ITEMS[0..n) is covered: a service that one of the
 * requested packages contains, or one requested again before I. A covered
 * item adds no length (and, in the application, no price). */
int avail_item_covered(const avail_item *items, size_t n, size_t i);

/* The index of the size tier of IT that applies to a property of SQFT square
 * feet (0 = unknown), or -1 when its own duration applies. */
int avail_item_tier(const avail_item *it, int sqft);

/* 1 when some active staff member serves the query's property (or there is
 * no staff at all); 0 means the property is outside the service area. */
int avail_serves_property(const avail_query *q);

/* 1 when staff member S could ever do the query's items: active, with a
 * calendar, and with every skill they require (hours and zones aside). */
int avail_staff_able(const avail_query *q, const avail_staff *s);

/* The staff free for the whole buffered window at instant AT (all rules:
 * eligibility, hours, shoot windows, busy, notice, horizon, alignment). Writes up to MAX
 * staff indexes, ascending, into OUT and returns how many there are in all. */
size_t avail_free_at(const avail_query *q, tp_time at, uint32_t *out, size_t max);

/* Per-staff facts the assignment policy needs, computed by the caller for the
 * chosen start (parallel to query.staff). */
typedef struct {
    int64_t week_minutes; /* booked minutes in the business-local week (Mon–Sun) of the start */
    tp_time last_booked;  /* when they were last assigned a booking; 0 = never */
    double ref_lat, ref_lon; /* previous shoot that day, else home; NAN if unknown */
} avail_stat;

/* Picks the crew among FREE (indexes into query.staff) by rules->policy:
 * balanced (fewest week minutes, then least recently booked), priority (rank,
 * unranked last) or nearest (great-circle distance from ref to the property,
 * unknown last); ties by id. With CREW 2 and senior_required, one of the two is
 * the best senior. Writes the chosen indexes (best first) into OUT[0..crew)
 * and returns how many were chosen (< crew when not enough are free). */
int avail_assign(const avail_query *q, const uint32_t *free_idx, size_t nfree,
                 const avail_stat *stats, int crew, uint32_t out[2]);

typedef enum {
    AVAIL_WHY_INACTIVE,
    AVAIL_WHY_NO_CALENDAR,
    AVAIL_WHY_OUTSIDE_ZONE,
    AVAIL_WHY_MISSING_SKILL,  /* ref = the skill id */
    AVAIL_WHY_NOT_ALIGNED,    /* not on the slot step in the business zone */
    AVAIL_WHY_OUTSIDE_WINDOW, /* before from / after to of the query */
    AVAIL_WHY_NOTICE,
    AVAIL_WHY_HORIZON,
    AVAIL_WHY_OUTSIDE_HOURS, /* the shoot itself is outside working hours */
    AVAIL_WHY_BUFFER_HOURS,  /* the shoot fits, its drive buffer does not */
    AVAIL_WHY_BUSY,          /* the shoot overlaps busy time: what/start/end */
    AVAIL_WHY_BUFFER_BUSY,   /* only the drive buffer overlaps busy time */
    AVAIL_WHY_NOT_SCHEDULABLE,
    AVAIL_WHY_NO_PARTNER,          /* two photographers needed, no free partner */
    AVAIL_WHY_OUTSIDE_ITEM_WINDOW, /* the shoot is outside item REF's window: start/end */
    AVAIL_WHY_NO_PLACE             /* item REF has a solar window and there is no place */
} avail_why;

typedef struct {
    avail_why why;
    int64_t ref;      /* skill id for MISSING_SKILL; item index for OUTSIDE_ITEM_WINDOW
                         and NO_PLACE; else 0 */
    const char *what; /* borrowed busy label for BUSY / BUFFER_BUSY */
    /* BUSY / BUFFER_BUSY: the busy interval. OUTSIDE_ITEM_WINDOW: the item's
     * window nearest the start (local hours that day, or event − before to
     * event + after), or 0, 0 when the sun does not rise or set that day. */
    tp_time start, end;
    int64_t booking; /* BUSY / BUFFER_BUSY: the interval's booking (0: calendar) */
    tp_time gap;     /* BUSY / BUFFER_BUSY: the drive time needed either side, seconds */
} avail_reason;

/* Every reason staff member STAFF_IDX is not offered at AT (none when they are
 * free). Writes up to MAX reasons into OUT; returns how many there are in all. */
size_t avail_explain(const avail_query *q, size_t staff_idx, tp_time at, avail_reason *out,
                     size_t max);

/* Short stable code for a reason ("busy", "outside_hours", …). */
const char *avail_why_code(avail_why why);

/* Expands STAFF's working hours (weekly hours or the rules' default hours,
 * with exceptions) in their zone into UTC intervals overlapping [from, to),
 * merged and ascending. Writes up to MAX spans into OUT (each span is
 * out[2k] = start, out[2k+1] = end) and returns how many spans there are. */
size_t avail_work_spans(const avail_rules *rules, const avail_staff *s, tp_time from, tp_time to,
                        tp_time *out, size_t max);

#endif
