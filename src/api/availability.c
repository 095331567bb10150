/* availability.c — GET /availability (offered starts and their price,
 * public, with what shoot windows add: each day's sunset, why no time is
 * left), GET /coverage (is the property in the service area, public) and
 * GET /availability/explain (why each staff member is or is not offered). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "app/availability.h"

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
    int64_t local = t + off, day = tz_day_of(local);
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
 * price, outside_area, [next_free,] AV's extra members (reason, windows, …),
 * slots:[{start, end, crew_size}], message}. Sets RES (500 on no memory). */
static void answer(api_res *res, const availability *av, int next)
{
    const snapshot *m = av->s;
    const avail_result *ar = av->result;
    const char *message = av->message;
    json_t *head =
        json_pack("{s:i, s:i, s:s, s:O, s:b}", "duration_minutes", ar->duration_min,
                  "buffer_minutes", m->rules.buffer_min, "timezone", tz_zone_name(m->rules.tz),
                  "price", av->price, "outside_area", ar->status == AVAIL_OUTSIDE_AREA);
    if (head && next) {
        char day[16] = "";
        if (av->next_free >= 0) tz_format_date(av->next_free, day, sizeof day);
        json_object_set_new(head, "next_free", *day ? json_string(day) : json_null());
    }
    if (head && av->extra) json_object_update(head, av->extra);
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

/* The request's query string as the application takes it. */
static availability_ask ask_of(const api_req *r)
{
    return (availability_ask){api_query(r, "services"),    api_query(r, "packages"),
                              api_query(r, "postal_code"), api_query(r, "lat"),
                              api_query(r, "lon"),         api_query(r, "sqft"),
                              api_query(r, "from"),        api_query(r, "to"),
                              api_query(r, "next"),        r->bearer};
}

static void availability_get(api_req *r, api_res *res)
{
    outcome o = {0};
    availability av;
    availability_ask ask = ask_of(r);
    if (availability_find(r->app, &ask, &av, &o) != 0) {
        api_outcome(res, &o);
        return;
    }
    answer(res, &av, ask.next != NULL);
    availability_done(r->app, &av);
}

static void availability_explain_get(api_req *r, api_res *res)
{
    outcome o = {0};
    json_t *out = NULL;
    availability_ask ask = ask_of(r);
    int rc = availability_explain(r->app, &ask, api_query(r, "at"), &out, &o);
    api_answer(res, rc, 200, out, &o);
}

/* GET /coverage?postal_code=&lat=&lon=: whether anyone serves the property,
 * before any dates are asked: {covered, message}. */
static void coverage_get(api_req *r, api_res *res)
{
    outcome o = {0};
    int covered = 0;
    json_t *message = NULL;
    availability_ask ask = ask_of(r);
    if (availability_coverage(r->app, &ask, &covered, &message, &o) == 0)
        api_json(res, 200, json_pack("{s:b, s:o}", "covered", covered, "message", message));
    else
        api_outcome(res, &o);
}

const api_route api_routes_avail[] = {
    {"GET", "/api/v1/availability", API_PUBLIC, availability_get},
    {"GET", "/api/v1/coverage", API_PUBLIC, coverage_get},
    {"GET", "/api/v1/availability/explain", API_ADMIN, availability_explain_get},
    {0},
};
