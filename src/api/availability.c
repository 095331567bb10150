/* availability.c — GET /availability (offered starts, public) and
 * GET /availability/explain (why each staff member is or is not offered). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/avq.h"
#include "api/model.h"
#include "api/validate.h"

#define EXPLAIN_MAX_REASONS 16

/* Takes the current snapshot or answers 503. */
static model *snapshot(api_req *r, api_res *res, model_cache **mc)
{
    model *m = NULL;
    *mc = model_cache_of(r->srv);
    if (*mc) m = model_cache_get(*mc, api_now(r->srv));
    if (!m) avq_store_error(res);
    return m;
}

/* Items, property and dates of the query string, shared by both endpoints. */
static int parse_common(api_req *r, api_res *res, avq *a, int *len_min)
{
    if (avq_items_csv(a, api_query(r, "services"), api_query(r, "packages"), res) != 0 ||
        avq_property_query(a, r, res) != 0 || avq_duration(a, res, len_min, NULL) != 0)
        return -1;
    return 0;
}

/* Writes N digits of V into P (zero-padded); returns P + N. */
static char *digits(char *p, int64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + n;
}

/* RFC 3339 of T in zone TZ, as tz_format_rfc3339 writes it ("…-04:00"),
 * without printf: the slot list is the hot path of the public endpoint. */
static char *put_time(char *p, const tz_zone *tz, tp_time t)
{
    int off = tz_offset_at(tz, t), y, mo, d;
    int64_t local = t + off, day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t sec = local - day * 86400;
    tz_civil_from_days(day, &y, &mo, &d);
    p = digits(p, y, 4);
    *p++ = '-';
    p = digits(p, mo, 2);
    *p++ = '-';
    p = digits(p, d, 2);
    *p++ = 'T';
    p = digits(p, sec / 3600, 2);
    *p++ = ':';
    p = digits(p, sec / 60 % 60, 2);
    *p++ = ':';
    p = digits(p, sec % 60, 2);
    *p++ = off < 0 ? '-' : '+';
    off = off < 0 ? -off : off;
    p = digits(p, off / 3600, 2);
    *p++ = ':';
    return digits(p, off / 60 % 60, 2);
}

/* The answer as JSON text: {duration_minutes, buffer_minutes, timezone,
 * slots:[{start, end, crew_size}], message}. Sets RES (500 on no memory). */
static void answer(api_res *res, const model *m, const avail_result *ar, const char *message)
{
    json_t *head =
        json_pack("{s:i, s:i, s:s}", "duration_minutes", ar->duration_min, "buffer_minutes",
                  m->rules.buffer_min, "timezone", tz_zone_name(m->rules.tz));
    json_t *msg = message ? json_string(message) : json_null();
    char *head_text = head ? json_dumps(head, JSON_COMPACT) : NULL;
    char *msg_text = msg ? json_dumps(msg, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    /* Each slot is at most 100 bytes. */
    size_t cap = (head_text ? strlen(head_text) : 0) + (msg_text ? strlen(msg_text) : 0) + 64 +
                 ar->nslots * 100;
    char *buf = head_text && msg_text ? malloc(cap) : NULL;
    if (buf) {
        size_t hl = strlen(head_text) - 1; /* without the closing brace */
        char *p = buf;
        memcpy(p, head_text, hl);
        p += hl;
        p += sprintf(p, ",\"slots\":[");
        for (size_t i = 0; i < ar->nslots; i++) {
            const avail_slot *sl = &ar->slots[i];
            p += sprintf(p, "%s{\"start\":\"", i ? "," : "");
            p = put_time(p, m->rules.tz, sl->start);
            p += sprintf(p, "\",\"end\":\"");
            p = put_time(p, m->rules.tz, sl->end);
            p += sprintf(p, "\",\"crew_size\":%d}", sl->crew);
        }
        p += sprintf(p, "],\"message\":%s}", msg_text);
        res->status = 200;
        res->raw = buf;
        res->raw_len = (size_t)(p - buf);
        res->content_type = "application/json";
    } else {
        api_error(res, 500, "internal", "out of memory", NULL);
    }
    free(head_text);
    free(msg_text);
    json_decref(head);
    json_decref(msg);
}

static void availability_get(api_req *r, api_res *res)
{
    model_cache *mc;
    model *m = snapshot(r, res, &mc);
    avail_result *ar = NULL;
    avq a;
    int len = 0;
    if (!m) return;
    if (avq_prereq(m, res) != 0) goto out;
    avq_init(&a, m, api_now(r->srv));
    if (parse_common(r, res, &a, &len) != 0 ||
        avq_dates(&a, api_query(r, "from"), api_query(r, "to"), res) != 0)
        goto out;
    if (!(ar = model_cache_result_take(mc)) || avail_compute(&a.q, ar) != 0) {
        api_error(res, 500, "internal", "out of memory", NULL);
        goto out;
    }
    const char *message = NULL;
    if (ar->status == AVAIL_OUTSIDE_AREA) {
        message = m->outside_message;
        ar->nslots = 0;
    } else if (ar->nslots == 0) {
        message = "No times are free on these dates for this shoot; please try other dates.";
    }
    answer(res, m, ar, message);
out:
    model_cache_result_give(mc, ar);
    model_release(m);
}

static const char *reason_message(avail_why why)
{
    switch (why) {
    case AVAIL_WHY_INACTIVE:
        return "marked inactive";
    case AVAIL_WHY_NO_CALENDAR:
        return "has no connected calendar";
    case AVAIL_WHY_OUTSIDE_ZONE:
        return "does not serve the property's area";
    case AVAIL_WHY_MISSING_SKILL:
        return "lacks a skill the shoot requires";
    case AVAIL_WHY_NOT_ALIGNED:
        return "the time is not on the booking grid (slot step)";
    case AVAIL_WHY_OUTSIDE_WINDOW:
        return "the time is outside the requested dates";
    case AVAIL_WHY_NOTICE:
        return "too soon: inside the minimum notice";
    case AVAIL_WHY_HORIZON:
        return "too far ahead: beyond the booking horizon";
    case AVAIL_WHY_OUTSIDE_HOURS:
        return "the shoot falls outside working hours";
    case AVAIL_WHY_BUFFER_HOURS:
        return "the drive buffer falls outside working hours";
    case AVAIL_WHY_BUSY:
        return "busy during the shoot";
    case AVAIL_WHY_BUFFER_BUSY:
        return "busy during the drive buffer";
    case AVAIL_WHY_NOT_SCHEDULABLE:
        return "an item has no scheduling duration";
    case AVAIL_WHY_NO_PARTNER:
        return "two photographers are needed and no partner is free";
    case AVAIL_WHY_OUTSIDE_ITEM_WINDOW:
        return "the shoot falls outside an item's shoot window";
    case AVAIL_WHY_NO_PLACE:
        return "the property has no location for its sunrise/sunset window";
    }
    return "not offered";
}

static json_t *reason_json(const model *m, const avail_reason *rs)
{
    char msg[160], s[32], e[32];
    if (rs->why == AVAIL_WHY_MISSING_SKILL)
        snprintf(msg, sizeof msg, "%s (skill %lld)", reason_message(rs->why), (long long)rs->ref);
    else
        snprintf(msg, sizeof msg, "%s", reason_message(rs->why));
    json_t *o = json_pack("{s:s, s:s}", "code", avail_why_code(rs->why), "message", msg);
    if (o && rs->why == AVAIL_WHY_MISSING_SKILL)
        json_object_set_new(o, "skill", val_id_json(rs->ref));
    if (o && (rs->why == AVAIL_WHY_BUSY || rs->why == AVAIL_WHY_BUFFER_BUSY))
        json_object_set_new(o, "busy",
                            json_pack("{s:s, s:s, s:s}", "what", rs->what ? rs->what : "Busy",
                                      "start", avq_time(m, rs->start, s, sizeof s), "end",
                                      avq_time(m, rs->end, e, sizeof e)));
    return o;
}

static void availability_explain(api_req *r, api_res *res)
{
    model_cache *mc;
    model *m = snapshot(r, res, &mc);
    avq a;
    tp_time at;
    int len = 0;
    char buf[32];
    if (!m) return;
    avq_init(&a, m, api_now(r->srv));
    if (avq_parse_time(api_query(r, "at"), &at, "at", res) != 0 ||
        parse_common(r, res, &a, &len) != 0)
        goto out;
    a.q.from = at;
    a.q.to = at + 1;
    json_t *staff = json_array();
    for (size_t i = 0; staff && i < m->nstaff; i++) {
        avail_reason rs[EXPLAIN_MAX_REASONS];
        size_t n = avail_explain(&a.q, i, at, rs, EXPLAIN_MAX_REASONS);
        json_t *reasons = json_array();
        for (size_t k = 0; k < n && k < EXPLAIN_MAX_REASONS; k++)
            json_array_append_new(reasons, reason_json(m, &rs[k]));
        json_array_append_new(
            staff, json_pack("{s:o, s:s, s:b, s:o}", "id", val_id_json(m->staff[i].id), "name",
                             m->people[i].name, "eligible", n == 0, "reasons", reasons));
    }
    api_json(res, 200,
             json_pack("{s:s, s:i, s:i, s:s, s:o}", "at", avq_time(m, at, buf, sizeof buf),
                       "duration_minutes", len, "buffer_minutes", m->rules.buffer_min, "timezone",
                       tz_zone_name(m->rules.tz), "staff", staff));
out:
    model_release(m);
}

const api_route api_routes_avail[] = {
    {"GET", "/api/v1/availability", API_PUBLIC, availability_get},
    {"GET", "/api/v1/availability/explain", API_ADMIN, availability_explain},
    {0},
};
