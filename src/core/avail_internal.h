/* avail_internal.h — helpers shared by the availability engine's files
 * (avail.c, avail_rules.c, avail_hours.c, avail_window.c, avail_explain.c,
 * avail_assign.c); not public. */
#ifndef TRIPOD_AVAIL_INTERNAL_H
#define TRIPOD_AVAIL_INTERNAL_H

#include "core/avail.h"

/* A growable array of instants, kept and reused across queries. */
typedef struct {
    tp_time *v;
    size_t n, cap;
} avail__times;

/* Ensures room for N instants; -1 when memory ran out (contents kept). */
int avail__times_reserve(avail__times *t, size_t n);

/* Start-independent facts of a query. */
typedef struct {
    avail_status status;
    size_t bad_item;
    int raw_min, len_min, crew;
    char postal[64];         /* normalised property postal code, "" when unknown */
    int has_latlon;          /* the property has coordinates */
    int has_windows;         /* some item has a shoot window */
    double sun_lat, sun_lon; /* where solar windows are computed; NAN when nowhere */
} avail__plan;

void avail__plan_init(const avail_query *q, avail__plan *p);

/* Each eligibility rule on its own (start-independent). */
int avail__serves(const avail_query *q, const avail__plan *p, const avail_staff *s);
int avail__has_skill(const avail_staff *s, int64_t skill);
int avail__has_all_skills(const avail_query *q, const avail_staff *s);

/* 1 when AT is on the slot step in the business zone. */
int avail__aligned(const avail_query *q, tp_time at);

/* The gap in seconds required between the shoot and busy interval B:
 * the drive buffer, or more with the travel-aware buffer. */
tp_time avail__gap(const avail_query *q, const avail__plan *p, const avail_busy *b);

/* 1 when [at − B, at + len + B) lies in one working span of S. */
int avail__in_hours(const avail_rules *rules, const avail_staff *s, tp_time at, int len_min,
                    int buffer_min);

/* 1 when the buffered window at AT overlaps busy interval B (travel gap included). */
int avail__busy_hits(const avail_query *q, const avail__plan *p, const avail_busy *b, tp_time at);

/* 1 when S is free at AT by every rule for one person (not the crew rule). */
int avail__staff_free(const avail_query *q, const avail__plan *p, const avail_staff *s, tp_time at);

/* Appends S's merged working spans clipped to [from, to) to OUT (pairs of
 * instants). -1 when memory ran out. */
int avail__spans(const avail_rules *rules, const avail_staff *s, tp_time from, tp_time to,
                 avail__times *out);

/* Shoot windows (avail_window.c). Keeps only the candidates CAND whose shoot
 * lies inside every item's window, item by item, using SPANS as scratch.
 * Returns 0; 1 when item *BAD_ITEM's window left no candidate (CAND is then
 * empty); -1 when memory ran out. */
int avail__window_filter(const avail_query *q, const avail__plan *p, avail__times *cand,
                         avail__times *spans, size_t *bad_item);

/* 1 when the shoot at AT lies inside item K's window (or it has none);
 * otherwise 0 and, when START is not NULL, the window nearest AT in
 * *START, *END (0, 0 when there is none that day). */
int avail__window_holds(const avail_query *q, const avail__plan *p, size_t k, tp_time at,
                        tp_time *start, tp_time *end);

#endif
