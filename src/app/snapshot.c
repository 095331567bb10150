/* snapshot.c — builds the availability snapshot from the store (settings,
 * catalog, zones, staff, busy time) and answers lookups in it; keeping the
 * current snapshot is snapshot_cache.c's. */
#include "app/snapshot.h"

#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/settings.h"
#include "app/shoot_window.h"
#include "app/validate.h"
#include "cal/calsrc.h"
#include "core/array.h"

#define SNAPSHOT_ARENA_BLOCK 65536

/* Bump allocator for the snapshot's many small strings and arrays. */
typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} arena_block;

/* Per-staff busy being collected while building. */
typedef struct {
    avail_busy *v;
    size_t n, cap;
} busy_vec;

struct snapshot_priv {
    atomic_int refs;
    arena_block *arena;
    busy_vec *busy; /* one per staff; the arrays behind staff[i].busy */
    avail_week *weeks;
    geo_polygon *polygons; /* one per zone (zeroed when none) */
};

static void *arena_alloc(struct snapshot_priv *p, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    arena_block *b = p->arena;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > SNAPSHOT_ARENA_BLOCK ? n : SNAPSHOT_ARENA_BLOCK;
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = p->arena;
        b->used = 0;
        b->cap = cap;
        p->arena = b;
    }
    void *out = b->data + b->used;
    b->used += n;
    return out;
}

static const char *arena_strdup(struct snapshot_priv *p, const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *out = arena_alloc(p, n);
    if (out) memcpy(out, s ? s : "", n);
    return out;
}

int snapshot_json_id(const json_t *v, int64_t *id)
{
    val_error e;
    return val_id(v, "id", id, &e);
}

char *snapshot_booking_uid(int64_t id, char *buf, size_t len)
{
    snprintf(buf, len, "tripod-booking-%lld@tripod", (long long)id);
    return buf;
}

int snapshot_uid_is_booking(const char *uid, int64_t *id)
{
    static const char prefix[] = "tripod-booking-";
    if (!uid || strncmp(uid, prefix, sizeof prefix - 1) != 0) return 0;
    const char *p = uid + sizeof prefix - 1;
    int64_t v = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 18) {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    if (!digits || *p != '@') return 0;
    *id = v;
    return 1;
}

static int busy_cmp(const void *a, const void *b)
{
    const avail_busy *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

int snapshot_has_id(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id) return 1;
    return 0;
}

int64_t snapshot_local_day(const snapshot *s, tp_time t)
{
    return tz_day_of(tz_utc_to_local(s->rules.tz, t));
}

void snapshot_sort_busy(avail_busy *busy, size_t n)
{
    if (n > 1) qsort(busy, n, sizeof *busy, busy_cmp);
}

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts and de-duplicates IDS[0..n); returns the new count. */
static size_t ids_unique(int64_t *ids, size_t n)
{
    if (n < 2) return n;
    qsort(ids, n, sizeof *ids, id_cmp);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (ids[i] != ids[k - 1]) ids[k++] = ids[i];
    return k;
}

/* Copies a JSON array of ids into the arena, sorted and unique. Entries that
 * are not ids are skipped (stored documents were validated on write). */
static int64_t *ids_from_json(struct snapshot_priv *p, const json_t *arr, size_t extra, size_t *n)
{
    size_t cap = (json_is_array(arr) ? json_array_size(arr) : 0) + extra;
    int64_t *ids = arena_alloc(p, (cap ? cap : 1) * sizeof *ids);
    *n = 0;
    if (!ids) return NULL;
    size_t i;
    json_t *v;
    if (!json_is_array(arr)) return ids;
    json_array_foreach(arr, i, v)
    {
        if (snapshot_json_id(v, &ids[*n]) == 0) (*n)++;
    }
    return ids;
}

static int json_int_or(const json_t *obj, const char *key, int dflt)
{
    const json_t *v = json_object_get(obj, key);
    if (json_is_integer(v)) return (int)json_integer_value(v);
    if (json_is_real(v)) return (int)json_real_value(v);
    return dflt;
}

static double json_num_or_nan(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static avail_policy policy_from(const char *s)
{
    if (s && strcmp(s, "priority") == 0) return AVAIL_PRIORITY;
    if (s && strcmp(s, "nearest") == 0) return AVAIL_NEAREST;
    return AVAIL_BALANCED;
}

static int build_rules(snapshot *m)
{
    json_t *s = m->settings;
    avail_rules *r = &m->rules;
    r->tz = tz_zone_get(json_string_value(json_object_get(s, "timezone")));
    if (!r->tz) r->tz = tz_zone_get("UTC");
    if (!r->tz) return -1;
    m->integrated_booking = json_is_true(json_object_get(s, "integrated_booking"));
    r->buffer_min = json_int_or(s, "drive_buffer_minutes", 30);
    r->step_min = json_int_or(s, "slot_step_minutes", 30);
    if (r->step_min <= 0) r->step_min = 30;
    r->notice_min = json_int_or(s, "min_notice_minutes", 0);
    r->horizon_days = json_int_or(s, "horizon_days", 60);
    val_error e;
    if (val_week(json_object_get(s, "default_hours"), "default_hours", &r->default_hours, &e) != 0)
        memset(&r->default_hours, 0, sizeof r->default_hours);
    const json_t *two = json_object_get(s, "two_photographers");
    r->two.enabled = json_is_true(json_object_get(two, "enabled"));
    r->two.threshold_min = json_int_or(two, "threshold_minutes", 180);
    r->two.reduction_pct = json_int_or(two, "reduction_percent", 0);
    r->two.senior_required = json_is_true(json_object_get(two, "senior_required"));
    double kmh = json_num_or_nan(s, "travel_speed_kmh");
    r->travel_kmh = isfinite(kmh) && kmh > 0 ? kmh : 0;
    r->policy = policy_from(json_string_value(json_object_get(s, "assignment")));
    const char *msg = json_string_value(json_object_get(s, "outside_area_message"));
    m->outside_message =
        arena_strdup(m->priv, msg ? msg : "Sorry, this property is outside our service area.");
    const char *cur = json_string_value(json_object_get(s, "currency"));
    const char *country = json_string_value(json_object_get(s, "country"));
    m->currency = arena_strdup(m->priv, cur ? cur : "USD");
    m->country = arena_strdup(m->priv, country ? country : "");
    return m->outside_message && m->currency && m->country ? 0 : -1;
}

/* ---- Documents → snapshot ---- */

typedef struct {
    snapshot *m;
    snapshot_cache *mc;
    store_kind kind;
    json_t **docs; /* parsed documents, parallel to ids */
    int64_t *ids;
    size_t n, cap;
} doc_list;

static int doc_collect(void *ctx, int64_t id, const char *json)
{
    doc_list *l = ctx;
    json_t *doc = json_loads(json, 0, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return 0;
    }
    size_t ids_cap = l->cap; /* the two arrays grow alike; cap is the docs' */
    if (ARRAY_RESERVE(l->ids, ids_cap, l->n + 1, 16) != 0 ||
        ARRAY_RESERVE(l->docs, l->cap, l->n + 1, 16) != 0) {
        json_decref(doc);
        return 100;
    }
    l->docs[l->n] = doc;
    l->ids[l->n++] = id;
    return 0;
}

static void doc_list_clear(doc_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        json_decref(l->docs[i]);
    free(l->docs);
    free(l->ids);
    memset(l, 0, sizeof *l);
}

static int load_docs(store_conn *c, store_kind k, doc_list *l)
{
    memset(l, 0, sizeof *l);
    return store_doc_list(c, k, doc_collect, l) == STORE_OK ? 0 : -1;
}

/* A stored price (validated on write): minor units, or -1 when none. */
static int64_t price_of(const json_t *obj)
{
    const json_t *v = json_object_get(obj, "price");
    return json_is_integer(v) && json_integer_value(v) >= 0 ? (int64_t)json_integer_value(v) : -1;
}

static int build_services(snapshot *m, const doc_list *l)
{
    struct snapshot_priv *p = m->priv;
    m->services = arena_alloc(p, (l->n ? l->n : 1) * sizeof *m->services);
    if (!m->services) return -1;
    for (size_t i = 0; i < l->n; i++) {
        const json_t *d = l->docs[i];
        snapshot_item *it = &m->services[i];
        memset(it, 0, sizeof *it);
        it->id = l->ids[i];
        it->name = arena_strdup(p, json_string_value(json_object_get(d, "name")));
        it->item.minutes = json_int_or(d, "duration_minutes", 0);
        it->item.window = shoot_window_stored(json_object_get(d, "window"));
        const json_t *tiers = json_object_get(d, "tiers");
        size_t nt = json_is_array(tiers) ? json_array_size(tiers) : 0;
        avail_tier *t = arena_alloc(p, (nt ? nt : 1) * sizeof *t);
        int64_t *tp = arena_alloc(p, (nt ? nt : 1) * sizeof *tp);
        int64_t *skills = ids_from_json(p, json_object_get(d, "skills"), 0, &it->item.nskills);
        if (!it->name || !t || !tp || !skills) return -1;
        for (size_t k = 0; k < nt; k++) {
            const json_t *tier = json_array_get(tiers, k);
            t[k].max_sqft = json_int_or(tier, "max_sqft", 0);
            t[k].minutes = json_int_or(tier, "duration_minutes", 0);
            tp[k] = price_of(tier);
        }
        it->item.service_id = it->id;
        it->price = price_of(d);
        it->tier_prices = tp;
        it->item.tiers = t;
        it->item.ntiers = nt;
        it->item.nskills = ids_unique(skills, it->item.nskills);
        it->item.skills = skills;
    }
    m->nservices = l->n;
    return 0;
}

static int build_packages(snapshot *m, const doc_list *l)
{
    struct snapshot_priv *p = m->priv;
    m->packages = arena_alloc(p, (l->n ? l->n : 1) * sizeof *m->packages);
    if (!m->packages) return -1;
    for (size_t i = 0; i < l->n; i++) {
        const json_t *d = l->docs[i];
        snapshot_item *it = &m->packages[i];
        memset(it, 0, sizeof *it);
        it->id = l->ids[i];
        it->name = arena_strdup(p, json_string_value(json_object_get(d, "name")));
        it->item.minutes = json_int_or(d, "duration_minutes", 0);
        it->item.force_two = json_is_true(json_object_get(d, "two_photographers"));
        it->price = price_of(d);
        it->item.window = shoot_window_stored(json_object_get(d, "window"));
        /* A package's skills: its own plus those of its services. */
        const json_t *svcs = json_object_get(d, "services");
        size_t extra = 0, k;
        json_t *v;
        int64_t sid;
        json_array_foreach(svcs, k, v)
        {
            const snapshot_item *s =
                snapshot_json_id(v, &sid) == 0 ? snapshot_service(m, sid) : NULL;
            extra += s ? s->item.nskills : 0;
        }
        size_t n;
        int64_t *skills = ids_from_json(p, json_object_get(d, "skills"), extra, &n);
        int64_t *contains = ids_from_json(p, svcs, 0, &it->item.ncontains);
        if (!it->name || !skills || !contains) return -1;
        it->item.ncontains = ids_unique(contains, it->item.ncontains);
        it->item.contains = contains;
        json_array_foreach(svcs, k, v)
        {
            const snapshot_item *s =
                snapshot_json_id(v, &sid) == 0 ? snapshot_service(m, sid) : NULL;
            for (size_t j = 0; s && j < s->item.nskills; j++)
                skills[n++] = s->item.skills[j];
        }
        it->item.skills = skills;
        it->item.nskills = ids_unique(skills, n);
    }
    m->npackages = l->n;
    return 0;
}

static int build_skills(snapshot *m, const doc_list *l)
{
    m->skills = arena_alloc(m->priv, (l->n ? l->n : 1) * sizeof *m->skills);
    if (!m->skills) return -1;
    for (size_t i = 0; i < l->n; i++) {
        m->skills[i].id = l->ids[i];
        m->skills[i].name =
            arena_strdup(m->priv, json_string_value(json_object_get(l->docs[i], "name")));
        if (!m->skills[i].name) return -1;
    }
    m->nskills = l->n;
    return 0;
}

static int build_zones(snapshot *m, const doc_list *l)
{
    struct snapshot_priv *p = m->priv;
    m->zones = arena_alloc(p, (l->n ? l->n : 1) * sizeof *m->zones);
    m->zone_names = arena_alloc(p, (l->n ? l->n : 1) * sizeof *m->zone_names);
    p->polygons = calloc(l->n ? l->n : 1, sizeof *p->polygons);
    if (!m->zones || !m->zone_names || !p->polygons) return -1;
    for (size_t i = 0; i < l->n; i++) {
        const json_t *d = l->docs[i];
        avail_zone *z = &m->zones[i];
        memset(z, 0, sizeof *z);
        z->id = l->ids[i];
        if (!(m->zone_names[i] = arena_strdup(p, json_string_value(json_object_get(d, "name")))))
            return -1;
        const json_t *poly = json_object_get(d, "polygon");
        if (json_is_object(poly)) {
            char *text = json_dumps(poly, JSON_COMPACT);
            char err[160];
            if (text && geo_polygon_parse(text, &p->polygons[i], err, sizeof err) == 0)
                z->polygon = &p->polygons[i];
            free(text);
        }
        const json_t *codes = json_object_get(d, "postal_codes");
        size_t nc = json_is_array(codes) ? json_array_size(codes) : 0;
        const char **postal = arena_alloc(p, (nc ? nc : 1) * sizeof *postal);
        if (!postal) return -1;
        for (size_t k = 0; k < nc; k++) {
            char norm[64];
            const char *code = json_string_value(json_array_get(codes, k));
            if (!code) continue;
            geo_postal_norm(code, norm, sizeof norm);
            if (!(postal[z->npostal++] = arena_strdup(p, norm))) return -1;
        }
        z->postal = postal;
    }
    m->nzones = l->n;
    return 0;
}

/* A calendar's owner field: "business" → 0, a staff id → that id. */
static int64_t calendar_owner(const json_t *doc)
{
    int64_t id;
    return snapshot_json_id(json_object_get(doc, "owner"), &id) == 0 ? id : 0;
}

static int build_calendars(snapshot *m, const doc_list *l)
{
    m->calendars = arena_alloc(m->priv, (l->n ? l->n : 1) * sizeof *m->calendars);
    if (!m->calendars) return -1;
    for (size_t i = 0; i < l->n; i++) {
        snapshot_calendar *cal = &m->calendars[i];
        cal->id = l->ids[i];
        cal->owner = calendar_owner(l->docs[i]);
        cal->primary = json_is_true(json_object_get(l->docs[i], "primary"));
        const char *kind = json_string_value(json_object_get(l->docs[i], "kind"));
        cal->provider = calsrc_provider_kind(kind) >= 0;
        cal->live = cal->provider || (kind && strcmp(kind, "caldav") == 0);
        if (cal->primary) m->has_primary = 1;
        if (cal->primary) m->provider_primary = cal->provider;
    }
    m->ncalendars = l->n;
    return 0;
}

/* Stored exceptions (validated on write) copied into the snapshot. */
static int build_exceptions(struct snapshot_priv *p, const json_t *arr, avail_staff *s)
{
    avail_exception *ex = NULL;
    size_t n = 0;
    val_error e;
    s->exceptions = NULL;
    s->nexceptions = 0;
    if (!json_is_array(arr) || val_exceptions(arr, "exceptions", &ex, &n, &e) != 0) return 0;
    avail_exception *copy = arena_alloc(p, (n ? n : 1) * sizeof *copy);
    if (copy && n) memcpy(copy, ex, n * sizeof *copy);
    free(ex);
    if (!copy) return -1;
    s->exceptions = copy;
    s->nexceptions = n;
    return 0;
}

static int build_staff(snapshot *m, const doc_list *l)
{
    struct snapshot_priv *p = m->priv;
    size_t n = l->n ? l->n : 1;
    m->staff = arena_alloc(p, n * sizeof *m->staff);
    m->people = arena_alloc(p, n * sizeof *m->people);
    p->weeks = calloc(n, sizeof *p->weeks);
    p->busy = calloc(n, sizeof *p->busy);
    if (!m->staff || !m->people || !p->weeks || !p->busy) return -1;
    for (size_t i = 0; i < l->n; i++) {
        const json_t *d = l->docs[i];
        avail_staff *s = &m->staff[i];
        memset(s, 0, sizeof *s);
        memset(&m->people[i], 0, sizeof m->people[i]);
        s->id = l->ids[i];
        s->tz = tz_zone_get(json_string_value(json_object_get(d, "timezone")));
        val_error e;
        const json_t *hours = json_object_get(d, "hours");
        /* null hours: the business's default booking hours. */
        if (json_is_object(hours) && val_week(hours, "hours", &p->weeks[i], &e) == 0)
            s->hours = &p->weeks[i];
        int64_t *skills = ids_from_json(p, json_object_get(d, "skills"), 0, &s->nskills);
        int64_t *zones = ids_from_json(p, json_object_get(d, "zones"), 0, &s->nzones);
        if (!skills || !zones || build_exceptions(p, json_object_get(d, "exceptions"), s) != 0)
            return -1;
        s->nskills = ids_unique(skills, s->nskills);
        s->nzones = ids_unique(zones, s->nzones);
        s->skills = skills;
        s->zones = zones;
        const json_t *active = json_object_get(d, "active");
        s->active = active ? json_is_true(active) : 1;
        s->senior = json_is_true(json_object_get(d, "senior"));
        s->rank = json_int_or(d, "rank", 0);
        const json_t *home = json_object_get(d, "home");
        s->home_lat = json_num_or_nan(home, "lat");
        s->home_lon = json_num_or_nan(home, "lon");
        for (size_t c = 0; c < m->ncalendars; c++)
            if (m->calendars[c].owner == s->id) s->has_calendar = 1;
        m->people[i].name = arena_strdup(p, json_string_value(json_object_get(d, "name")));
        m->people[i].email = arena_strdup(p, json_string_value(json_object_get(d, "email")));
        if (!m->people[i].name || !m->people[i].email) return -1;
    }
    m->nstaff = l->n;
    return 0;
}

static int busy_push(busy_vec *v, const avail_busy *b)
{
    if (ARRAY_RESERVE(v->v, v->cap, v->n + 1, 32) != 0) return -1;
    v->v[v->n++] = *b;
    return 0;
}

static int busy_from_calendar(void *ctx, int64_t calendar, const store_busy *ev)
{
    snapshot *m = ctx;
    int64_t booking;
    const snapshot_calendar *cal = snapshot_calendar_find(m, calendar);
    if (!cal || !cal->owner || snapshot_uid_is_booking(ev->uid, &booking)) return 0;
    long idx = snapshot_staff_index(m, cal->owner);
    if (idx < 0) return 0;
    avail_busy b = {ev->start, ev->end, NULL, NAN, NAN, 0};
    b.what = arena_strdup(m->priv, ev->summary && *ev->summary ? ev->summary : "Busy");
    if (!b.what || busy_push(&m->priv->busy[idx], &b) != 0) return 100;
    return 0;
}

static int busy_from_booking(void *ctx, const store_booking *bk)
{
    snapshot *m = ctx;
    char label[40];
    snprintf(label, sizeof label, "Booking %lld", (long long)bk->id);
    for (int k = 0; k < bk->nstaff; k++) {
        long idx = snapshot_staff_index(m, bk->staff[k]);
        if (idx < 0) continue;
        avail_busy b = {bk->start, bk->end, arena_strdup(m->priv, label), bk->lat, bk->lon, bk->id};
        if (!b.what || busy_push(&m->priv->busy[idx], &b) != 0) return 100;
        if (bk->created > m->people[idx].last_booked) m->people[idx].last_booked = bk->created;
    }
    return 0;
}

static void snapshot_destroy(snapshot *m)
{
    struct snapshot_priv *p = m->priv;
    if (p) {
        for (size_t i = 0; p->busy && i < m->nstaff; i++)
            free(p->busy[i].v);
        free(p->busy);
        free(p->weeks);
        for (size_t i = 0; p->polygons && i < m->nzones; i++)
            geo_polygon_free(&p->polygons[i]);
        free(p->polygons);
        while (p->arena) {
            arena_block *next = p->arena->next;
            free(p->arena);
            p->arena = next;
        }
        free(p);
    }
    json_decref(m->settings);
    free(m);
}

snapshot *snapshot_build(store_conn *c, tp_time now)
{
    snapshot *m = calloc(1, sizeof *m);
    doc_list docs[STORE_NKINDS];
    memset(docs, 0, sizeof docs);
    if (!m || !(m->priv = calloc(1, sizeof *m->priv))) goto fail;
    atomic_init(&m->priv->refs, 1);
    if (store_begin(c, 0) != STORE_OK || store_generation(c, &m->generation) != STORE_OK ||
        store_config_generation(c, &m->config_generation) != STORE_OK)
        goto fail;
    if (!(m->settings = settings_effective(c)) || build_rules(m) != 0) goto fail;
    for (int k = STORE_SKILL; k < STORE_NKINDS; k++)
        if (load_docs(c, (store_kind)k, &docs[k]) != 0) goto fail;
    if (build_skills(m, &docs[STORE_SKILL]) != 0 || build_services(m, &docs[STORE_SERVICE]) != 0 ||
        build_packages(m, &docs[STORE_PACKAGE]) != 0 || build_zones(m, &docs[STORE_ZONE]) != 0 ||
        build_calendars(m, &docs[STORE_CALENDAR]) != 0 || build_staff(m, &docs[STORE_STAFF]) != 0)
        goto fail;
    m->built_now = now;
    m->busy_from = now - 2 * 86400;
    m->busy_to = now + ((tp_time)m->rules.horizon_days + 3) * 86400;
    store_booking_filter f = {m->busy_from, m->busy_to, 0, "confirmed", 1};
    if (store_busy_list(c, 0, m->busy_from, m->busy_to, busy_from_calendar, m) != STORE_OK)
        goto fail;
    for (size_t i = 0; i < m->nstaff; i++) {
        busy_vec *v = &m->priv->busy[i];
        avail_busy *cal = arena_alloc(m->priv, (v->n ? v->n : 1) * sizeof *cal);
        if (!cal) goto fail;
        if (v->n) memcpy(cal, v->v, v->n * sizeof *cal);
        snapshot_sort_busy(cal, v->n);
        m->people[i].cal_busy = cal;
        m->people[i].ncal_busy = v->n;
    }
    if (store_booking_list(c, &f, busy_from_booking, m) != STORE_OK) goto fail;
    for (size_t i = 0; i < m->nstaff; i++) {
        busy_vec *v = &m->priv->busy[i];
        snapshot_sort_busy(v->v, v->n);
        m->staff[i].busy = v->v;
        m->staff[i].nbusy = v->n;
    }
    store_rollback(c);
    for (int k = 0; k < STORE_NKINDS; k++)
        doc_list_clear(&docs[k]);
    return m;
fail:
    store_rollback(c);
    for (int k = 0; k < STORE_NKINDS; k++)
        doc_list_clear(&docs[k]);
    if (m) snapshot_destroy(m);
    return NULL;
}

snapshot *snapshot_ref(snapshot *m)
{
    if (m) atomic_fetch_add(&m->priv->refs, 1);
    return m;
}

void snapshot_release(snapshot *m)
{
    if (m && atomic_fetch_sub(&m->priv->refs, 1) == 1) snapshot_destroy(m);
}

/* ---- Lookups ---- */

/* Index of the element of BASE[0..n) (SIZE bytes each, ascending by the
 * int64_t id at OFFSET) whose id is ID; -1 when none. */
static long id_index(const void *base, size_t n, size_t size, size_t offset, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int64_t v;
        memcpy(&v, (const char *)base + mid * size + offset, sizeof v);
        if (v == id) return (long)mid;
        if (v < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

#define ID_INDEX(arr, n, type, id) id_index((arr), (n), sizeof(type), offsetof(type, id), (id))

const snapshot_item *snapshot_service(const snapshot *m, int64_t id)
{
    long i = ID_INDEX(m->services, m->nservices, snapshot_item, id);
    return i >= 0 ? &m->services[i] : NULL;
}

const snapshot_item *snapshot_package(const snapshot *m, int64_t id)
{
    long i = ID_INDEX(m->packages, m->npackages, snapshot_item, id);
    return i >= 0 ? &m->packages[i] : NULL;
}

long snapshot_staff_index(const snapshot *m, int64_t id)
{
    return ID_INDEX(m->staff, m->nstaff, avail_staff, id);
}

const char *snapshot_skill_name(const snapshot *m, int64_t id)
{
    long i = ID_INDEX(m->skills, m->nskills, snapshot_skill, id);
    return i >= 0 ? m->skills[i].name : NULL;
}

const char *snapshot_zone_name(const snapshot *m, int64_t id)
{
    long i = ID_INDEX(m->zones, m->nzones, avail_zone, id);
    return i >= 0 ? m->zone_names[i] : NULL;
}

const snapshot_calendar *snapshot_calendar_find(const snapshot *m, int64_t id)
{
    long i = ID_INDEX(m->calendars, m->ncalendars, snapshot_calendar, id);
    return i >= 0 ? &m->calendars[i] : NULL;
}

const char *snapshot_time(const snapshot *s, tp_time t, char *buf, size_t len)
{
    return tz_format_rfc3339(s->rules.tz, t, buf, len);
}
