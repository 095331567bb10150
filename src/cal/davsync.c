/* davsync.c — reads a CalDAV collection for a sync, whole or incrementally
 * (RFC 6578 sync-collection + calendar-multiget), one busy list per resource. */
#include "cal/davsync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"

void davsync_set_free(davsync_set *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].href);
        free(s->v[i].etag);
        ics_list_free(&s->v[i].l);
    }
    free(s->v);
    free(s->sync_token);
    memset(s, 0, sizeof *s);
}

int davsync_known_add(davsync_known *k, const char *href, const char *etag)
{
    if (ARRAY_RESERVE(k->v, k->cap, k->n + 1, 64) != 0) return -1;
    char *h = strdup(href), *e = etag ? strdup(etag) : NULL;
    if (!h || (etag && !e)) {
        free(h);
        free(e);
        return -1;
    }
    k->v[k->n++] = (struct davsync_etag){h, e};
    return 0;
}

static int etag_cmp(const void *a, const void *b)
{
    return strcmp(((const struct davsync_etag *)a)->href, ((const struct davsync_etag *)b)->href);
}

void davsync_known_sort(davsync_known *k)
{
    if (k->n > 1) qsort(k->v, k->n, sizeof *k->v, etag_cmp);
}

void davsync_known_free(davsync_known *k)
{
    if (!k) return;
    for (size_t i = 0; i < k->n; i++) {
        free(k->v[i].href);
        free(k->v[i].etag);
    }
    free(k->v);
    memset(k, 0, sizeof *k);
}

/* The stored ETag of HREF in sorted K, or NULL when it has none. */
static const char *known_etag(const davsync_known *k, const char *href)
{
    struct davsync_etag key = {(char *)href, NULL};
    const struct davsync_etag *hit =
        k && k->n ? bsearch(&key, k->v, k->n, sizeof *k->v, etag_cmp) : NULL;
    return hit ? hit->etag : NULL;
}

/* Appends an empty resource to S; NULL when memory ran out. */
static davsync_res *res_add(davsync_set *s, const char *href, const char *etag)
{
    if (ARRAY_RESERVE(s->v, s->cap, s->n + 1, 16) != 0) return NULL;
    davsync_res *r = &s->v[s->n];
    memset(r, 0, sizeof *r);
    r->href = strdup(href);
    r->etag = etag ? strdup(etag) : NULL;
    if (!r->href || (etag && !r->etag)) {
        free(r->href);
        free(r->etag);
        return NULL;
    }
    s->n++;
    return r;
}

typedef struct {
    davsync_set *set;
    const ics_opts *o;
    size_t answered; /* resources the server answered (multiget) */
    char err[256];
} read_ctx;

/* caldav_item_cb: one resource read (or, DATA NULL, found removed). */
static int on_item(void *ctx, const char *href, const char *etag, const char *data, size_t len)
{
    read_ctx *c = ctx;
    davsync_set *s = c->set;
    c->answered++;
    davsync_res *r = res_add(s, href, data ? etag : NULL);
    if (!r) {
        snprintf(c->err, sizeof c->err, "out of memory");
        return 1;
    }
    if (!data) {
        r->gone = 1;
        return 0;
    }
    if (ics_parse(data, len, c->o, &r->l, c->err, sizeof c->err) != 0) return 1;
    ics_list_sort(&r->l);
    s->instances += r->l.n;
    s->events += r->l.events;
    if (s->instances > c->o->max_instances) {
        snprintf(c->err, sizeof c->err, "more than %zu busy instances", c->o->max_instances);
        return 1;
    }
    if (s->events > c->o->max_events) {
        snprintf(c->err, sizeof c->err, "more than %zu events", c->o->max_events);
        return 1;
    }
    return 0;
}

int davsync_full(const caldav_target *t, const ics_opts *o, davsync_set *out, char *err,
                 size_t errlen)
{
    read_ctx c = {.set = out, .o = o};
    int rc = caldav_query(t, o->from, o->to, on_item, &c, err, errlen);
    if (rc > 0) snprintf(err, errlen, "%s", c.err);
    return rc == 0 ? 0 : -1;
}

/* An entry of a change list and its place in it. */
typedef struct {
    const char *href;
    size_t at;
} placed;

static int placed_cmp(const void *a, const void *b)
{
    const placed *x = a, *y = b;
    int c = strcmp(x->href, y->href);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* *KEEP[0..*N) gets the index of the last entry of each href in CH (the
 * server's final word on it). Returns 0 or -1 when memory ran out. */
static int last_per_href(const caldav_changes *ch, size_t **keep, size_t *n)
{
    placed *p = ch->n ? malloc(ch->n * sizeof *p) : NULL;
    *keep = ch->n ? malloc(ch->n * sizeof **keep) : NULL;
    *n = 0;
    if (ch->n && (!p || !*keep)) {
        free(p);
        free(*keep);
        *keep = NULL;
        return -1;
    }
    for (size_t i = 0; i < ch->n; i++)
        p[i] = (placed){ch->v[i].href, i};
    if (ch->n > 1) qsort(p, ch->n, sizeof *p, placed_cmp);
    for (size_t i = 0; i < ch->n; i++)
        if (i + 1 == ch->n || strcmp(p[i].href, p[i + 1].href) != 0) (*keep)[(*n)++] = p[i].at;
    free(p);
    return 0;
}

int davsync_changes(const caldav_target *t, const char *token, const davsync_known *known,
                    const ics_opts *o, davsync_set *out, char *err, size_t errlen)
{
    caldav_changes ch;
    size_t *keep = NULL, nkeep = 0, nget = 0;
    const char **get = NULL;
    int rc = caldav_sync_collection(t, token, &ch, err, errlen);
    if (rc != 0) return rc;
    rc = -1;
    if (last_per_href(&ch, &keep, &nkeep) != 0 || (nkeep && !(get = malloc(nkeep * sizeof *get)))) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nkeep; i++) {
        const caldav_change *c = &ch.v[keep[i]];
        if (c->gone) {
            davsync_res *r = res_add(out, c->href, NULL);
            if (!r) {
                snprintf(err, errlen, "out of memory");
                goto out;
            }
            r->gone = 1;
            continue;
        }
        const char *have = known_etag(known, c->href);
        if (!(have && c->etag && strcmp(have, c->etag) == 0)) get[nget++] = c->href;
    }
    read_ctx rd = {.set = out, .o = o};
    int mg = nget ? caldav_multiget(t, get, nget, on_item, &rd, err, errlen) : 0;
    if (mg > 0) snprintf(err, errlen, "%s", rd.err);
    if (mg != 0) goto out;
    if (rd.answered != nget) {
        snprintf(err, errlen, "multiget answered %zu of %zu resources", rd.answered, nget);
        goto out;
    }
    out->sync_token = ch.token;
    ch.token = NULL;
    rc = 0;
out:
    free(get);
    free(keep);
    caldav_changes_free(&ch);
    return rc;
}
