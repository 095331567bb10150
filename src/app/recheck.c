/* recheck.c — a booking's live re-check of its chosen staff: a time-range
 * query on their CalDAV calendars, a sync of their Google / Microsoft 365
 * calendars' changes, and a sync of those found busy. */
#include "app/recheck.h"

#include <stdlib.h>

#include "app/workers.h"
#include "cal/sync.h"

/* Ids of STAFF's calendars in snapshot M into IDS (room for M's calendars). */
static size_t staff_calendars(const snapshot *m, int64_t staff, int64_t *ids)
{
    size_t n = 0;
    for (size_t i = 0; i < m->ncalendars; i++)
        if (m->calendars[i].owner == staff) ids[n++] = m->calendars[i].id;
    return n;
}

int recheck_needed(const recheck *lc, const snapshot *m, int64_t staff)
{
    if (lc->nchecked == RECHECK_MAX || snapshot_has_id(lc->checked, lc->nchecked, staff)) return 0;
    for (size_t i = 0; i < m->ncalendars; i++)
        if (m->calendars[i].owner == staff && m->calendars[i].live) return 1;
    return 0;
}

int recheck_run(recheck *lc, app *a, const snapshot *m, int64_t staff, tp_time from, tp_time to)
{
    sync_config cfg;
    char what[256], err[512];
    int busy = 0;
    if (lc->nchecked == RECHECK_MAX || snapshot_has_id(lc->checked, lc->nchecked, staff))
        return snapshot_has_id(lc->busy, lc->nbusy, staff);
    lc->checked[lc->nchecked++] = staff;
    int64_t *ids = malloc((m->ncalendars ? m->ncalendars : 1) * sizeof *ids);
    if (!ids) return 0;
    size_t n = staff_calendars(m, staff, ids);
    app_sync_config(a, a->cfg->recheck_timeout_s, &cfg);
    tp_time now = app_now(a);
    if (sync_recheck(&cfg, ids, n, now, from, to, &busy, what, sizeof what) != 0) busy = 0;
    if (busy) {
        lc->busy[lc->nbusy++] = staff;
        /* A background sync of these calendars may be running and may have
         * read them before the event: wait for it, then read them again. */
        cfg.claim_wait_ms = 1000 * (int)cfg.timeout_s;
        for (size_t i = 0; i < n; i++) {
            sync_result res;
            sync_calendar(&cfg, ids[i], now, &res, err, sizeof err);
        }
        app_wrote(a);
    }
    free(ids);
    return busy;
}

size_t recheck_filter(const recheck *lc, const snapshot *m, uint32_t *idx, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (!snapshot_has_id(lc->busy, lc->nbusy, m->staff[idx[i]].id)) idx[kept++] = idx[i];
    return kept;
}
