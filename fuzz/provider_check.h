/* provider_check.h — what fuzz_google.c and fuzz_graph.c require of a parsed
 * provider page: a failure says why and hands back no link; what was kept
 * respects the bounds, removed events carry no instance, and every instance
 * is non-empty, inside the window and named. Aborts otherwise. */
#ifndef TRIPOD_FUZZ_PROVIDER_CHECK_H
#define TRIPOD_FUZZ_PROVIDER_CHECK_H

#include <stdlib.h>

#include "cal/davsync.h"
#include "cal/ics.h"

static inline void fz_check_set(int rc, const char *err, const char *link1, const char *link2,
                                const davsync_set *set, const ics_opts *o)
{
    if (rc != 0 && (err[0] == '\0' || link1 || link2)) abort();
    if (set->instances > o->max_instances || set->events > o->max_events + 1) abort();
    for (size_t r = 0; rc == 0 && r < set->n; r++) {
        if (!set->v[r].href || (set->v[r].gone && set->v[r].l.n)) abort();
        for (size_t i = 0; i < set->v[r].l.n; i++) {
            const ics_busy *b = &set->v[r].l.v[i];
            if (b->start >= b->end || b->end <= o->from || b->start >= o->to || !b->uid ||
                !b->summary)
                abort();
        }
    }
}

#endif
