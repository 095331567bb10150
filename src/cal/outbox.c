/* outbox.c — turns a booking change into outbox items (event PUT, iTIP
 * mails) inside the booking's transaction, and delivers them in order (per
 * lane: the event, each recipient's mails) with retries: a calendar or mail
 * outage delays delivery, never loses it. */
#include "cal/outbox.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal/event.h"
#include "cal/google.h"
#include "cal/graph.h"
#include "cal/mail.h"
#include "cal/worker.h"

#define LEASE_S 120 /* default lease (outbox_config.lease_s) */

typedef struct {
    char name[160];
    char email[256];
} who;

/* ---- building the items ---- */

static void who_set(who *w, const char *name, const char *email)
{
    snprintf(w->name, sizeof w->name, "%s", name ? name : "");
    snprintf(w->email, sizeof w->email, "%s", email ? email : "");
}

/* Staff member ID as FACTS name them (empty when unknown). */
static void who_staff(who *w, const outbox_facts *f, int64_t id)
{
    for (int i = 0; i < f->npeople; i++)
        if (f->people[i].id == id) {
            who_set(w, f->people[i].name, f->people[i].email);
            return;
        }
    who_set(w, NULL, NULL);
}

/* "Mon 2030-06-03 09:00–11:00 (America/New_York)" in the business zone. */
static void human_time(const tz_zone *tz, tp_time start, tp_time end, char *out, size_t len)
{
    static const char *const wd[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    int64_t ls = tz_utc_to_local(tz, start), le = tz_utc_to_local(tz, end);
    int64_t days = ls / 86400 - (ls % 86400 < 0);
    int y, m, d;
    tz_civil_from_days(days, &y, &m, &d);
    int s = (int)(ls - days * 86400), e = (int)((le % 86400 + 86400) % 86400);
    snprintf(out, len, "%s %04d-%02d-%02d %02d:%02d-%02d:%02d (%s)", wd[tz_weekday(days)], y, m, d,
             s / 3600, s / 60 % 60, e / 3600, e / 60 % 60, tz_zone_name(tz));
}

typedef struct {
    const store_booking *b;
    const outbox_facts *f;
    json_t *items; /* array of {kind, payload} */
    char when[128], location[512], description[4096], summary[1100];
    who agent, staff[STORE_MAX_CREW];
    event_info ev;
    char uid[64];
    const char *manage_sealed;
} change;

static int change_load(change *x, const store_booking *b, const outbox_facts *f, tp_time now)
{
    x->b = b;
    x->f = f;
    who_set(&x->agent, f->agent_name, f->agent_email);
    for (int i = 0; i < b->nstaff; i++)
        who_staff(&x->staff[i], f, b->staff[i]);
    human_time(f->tz, b->start, b->end, x->when, sizeof x->when);
    snprintf(x->location, sizeof x->location, "%s%s%s", f->address, *f->postal_code ? " " : "",
             f->postal_code);
    snprintf(x->description, sizeof x->description,
             "Booking %lld: %s\nAgent: %s <%s>%s%s\nNotes: %s", (long long)b->id, f->what,
             x->agent.name, x->agent.email, *f->agent_phone ? ", " : "", f->agent_phone,
             *f->notes ? f->notes : "-");

    event_info *e = &x->ev;
    memset(e, 0, sizeof *e);
    e->uid = event_uid(b->id, x->uid, sizeof x->uid);
    e->sequence = b->sequence;
    e->cancelled = strcmp(b->status, "cancelled") == 0;
    e->start = b->start;
    e->end = b->end;
    e->stamp = now;
    snprintf(x->summary, sizeof x->summary, "%s: %s", x->f->what, x->location);
    e->summary = x->summary;
    e->location = x->location;
    e->description = x->description;
    e->organizer.name = f->business;
    e->organizer.email = f->organizer && *f->organizer ? f->organizer : "bookings@tripod.invalid";
    e->attendees[e->nattendees++] = (event_person){x->agent.name, x->agent.email, 0};
    for (int i = 0; i < b->nstaff; i++)
        e->attendees[e->nattendees++] = (event_person){x->staff[i].name, x->staff[i].email, 0};
    return (x->items = json_array()) ? STORE_OK : STORE_ERROR;
}

static void change_free(change *x)
{
    json_decref(x->items);
}

icalcomponent *outbox_booking_vevent(const store_booking *b, const outbox_facts *facts, tp_time now)
{
    change x;
    memset(&x, 0, sizeof x);
    icalcomponent *ev = change_load(&x, b, facts, now) == STORE_OK ? event_vevent(&x.ev) : NULL;
    change_free(&x);
    return ev;
}

static int add_item(change *x, const char *kind, json_t *payload)
{
    if (!payload) return STORE_ERROR;
    json_object_set_new(payload, "sequence", json_integer(x->b->sequence));
    return json_array_append_new(x->items,
                                 json_pack("{s:s, s:o}", "kind", kind, "payload", payload)) == 0
               ? STORE_OK
               : STORE_ERROR;
}

/* One iTIP mail to TO: METHOD "REQUEST" or "CANCEL"; the CANCEL to a removed
 * staff member lists only them. */
static int add_mail(change *x, const who *to, const char *method, int is_agent, int removed)
{
    char subject[700], text[8192], tail[200];
    event_info e = x->ev;
    int cancel = strcmp(method, "CANCEL") == 0;
    if (!*to->email) return STORE_OK;
    if (removed) {
        e.nattendees = 1;
        e.attendees[0] = (event_person){to->name, to->email, 0};
    }
    if (cancel) e.cancelled = 1;
    char *ics = event_ics(&e, method);
    if (!ics) return STORE_ERROR;
    const char *verb = cancel                ? (removed ? "Removed from" : "Cancelled")
                       : x->b->sequence == 0 ? "Booked"
                                             : "Updated";
    snprintf(subject, sizeof subject, "%s: %s, %s", verb, x->f->what, x->when);
    char crew[400] = "";
    for (int i = 0; i < x->b->nstaff; i++) {
        size_t u = strlen(crew);
        snprintf(crew + u, sizeof crew - u, "%s%s", i ? ", " : "", x->staff[i].name);
    }
    /* The manage link goes between TEXT and TAIL at delivery (mail_body). */
    snprintf(text, sizeof text,
             "Hello %s,\n\n%s.\n\nWhat: %s\nWhen: %s\nWhere: %s\nCrew: %s\n%s%s%s\n%s\n",
             *to->name ? to->name : to->email,
             cancel ? (removed ? "You are no longer assigned to this shoot"
                               : "This shoot has been cancelled")
                    : (x->b->sequence == 0 ? "This shoot is booked" : "This shoot has changed"),
             x->f->what, x->when, x->location, *crew ? crew : "-", *x->f->price ? "Price: " : "",
             x->f->price, *x->f->price ? "\n" : "", x->description);
    snprintf(tail, sizeof tail, "\n%s\n", x->f->business);
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "to", to->email, "subject", subject,
                          "text", text, "text_tail", tail, "ics", ics, "method", method);
    free(ics);
    if (p && is_agent && x->manage_sealed && !cancel) {
        json_object_set_new(p, "link_base", json_string(x->f->link_base ? x->f->link_base : ""));
        json_object_set_new(p, "manage_sealed", json_string(x->manage_sealed));
    }
    return add_item(x, "mail", p);
}

/* The event as provider APIs take it (google_write, graph_write). */
static json_t *event_json(const change *x)
{
    const event_info *e = &x->ev;
    json_t *att = json_array();
    for (int i = 0; att && i < e->nattendees; i++)
        if (e->attendees[i].email && *e->attendees[i].email)
            json_array_append_new(att, json_pack("{s:s, s:s}", "name",
                                                 e->attendees[i].name ? e->attendees[i].name : "",
                                                 "email", e->attendees[i].email));
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:b, s:i}", "uid", e->uid, "summary",
                     e->summary, "location", e->location, "description", e->description, "start",
                     (json_int_t)e->start, "end", (json_int_t)e->end, "attendees", att, "cancelled",
                     e->cancelled, "sequence", e->sequence);
}

static int add_event(change *x)
{
    char name[80];
    char *ics = event_ics(&x->ev, NULL);
    if (!ics) return STORE_ERROR;
    snprintf(name, sizeof name, "%s.ics", x->uid);
    json_t *p = json_pack("{s:s, s:s, s:o}", "resource", name, "ics", ics, "event", event_json(x));
    free(ics);
    return add_item(x, "event_put", p);
}

/* The delivery lane of an item (store_outbox_add): "event", or "mail:" and
 * the recipient's address in lower case. */
static void lane_of(const char *kind, const json_t *payload, char *out, size_t len)
{
    const char *to = json_string_value(json_object_get(payload, "to"));
    if (strcmp(kind, "mail") != 0 || !to) {
        snprintf(out, len, "event");
        return;
    }
    int n = snprintf(out, len, "mail:%s", to);
    for (int i = 5; i < n && (size_t)i < len; i++)
        out[i] = (char)tolower((unsigned char)out[i]);
}

static int in_crew(const store_booking *b, int64_t id)
{
    for (int i = 0; b && i < b->nstaff; i++)
        if (b->staff[i] == id) return 1;
    return 0;
}

int outbox_booking_changed(store_conn *c, const store_booking *before, const store_booking *after,
                           const outbox_facts *facts, const char *manage_sealed, tp_time now)
{
    change x;
    memset(&x, 0, sizeof x);
    x.manage_sealed = manage_sealed;
    int rc = change_load(&x, after, facts, now);
    int cancelled = strcmp(after->status, "cancelled") == 0;
    const char *method = cancelled ? "CANCEL" : "REQUEST";
    int mails = !facts->provider_primary; /* else the provider invites (no duplicates) */
    if (rc == STORE_OK) rc = add_event(&x);
    if (rc == STORE_OK && mails) rc = add_mail(&x, &x.agent, method, 1, 0);
    for (int i = 0; rc == STORE_OK && mails && i < after->nstaff; i++)
        rc = add_mail(&x, &x.staff[i], method, 0, 0);
    for (int i = 0; rc == STORE_OK && mails && before && !cancelled && i < before->nstaff; i++) {
        if (in_crew(after, before->staff[i])) continue;
        who gone;
        who_staff(&gone, facts, before->staff[i]);
        rc = add_mail(&x, &gone, "CANCEL", 0, 1);
    }
    size_t n = json_array_size(x.items);
    for (size_t i = 0; rc == STORE_OK && i < n; i++) {
        json_t *it = json_array_get(x.items, i);
        const char *kind = json_string_value(json_object_get(it, "kind"));
        char *text = json_dumps(json_object_get(it, "payload"), JSON_COMPACT), lane[320];
        lane_of(kind, json_object_get(it, "payload"), lane, sizeof lane);
        rc = text ? store_outbox_add(c, after->id, kind, lane, text, now) : STORE_ERROR;
        free(text);
    }
    change_free(&x);
    return rc;
}

/* ---- delivery ---- */

/* Zeroes S (it held a secret) in a way the compiler keeps. */
static void wipe(char *s)
{
    for (volatile char *p = s; *p; p++)
        *p = 0;
}

int outbox_backoff(const outbox_config *cfg, int attempts)
{
    int max = cfg->backoff_max_s > 0 ? cfg->backoff_max_s : 3600;
    int s = cfg->backoff_base_s > 0 ? cfg->backoff_base_s : 5;
    for (int i = 0; i < attempts && s < max; i++)
        s *= 2;
    return s < max ? s : max;
}

/* Writes the event through the Google Calendar API or Microsoft Graph. */
static int deliver_provider(const outbox_config *cfg, const calsrc *src, int64_t booking,
                            tp_time now, const json_t *p, long *retry_after, char *err,
                            size_t errlen)
{
    oauth_env env = {cfg->db, &cfg->opener, cfg->timeout_s, cfg->abort};
    provider_session s;
    const json_t *ev = json_object_get(p, "event");
    int rc = -1;
    if (!json_is_object(ev)) {
        snprintf(err, errlen, "the outbox item has no event for the provider");
        return -1;
    }
    if (provider_open(&s, &env, src->account, now, err, errlen) != 0) return -1;
    if (src->kind == CALSRC_GOOGLE)
        rc = google_write(&s, src->remote_id, booking, ev, retry_after, err, errlen);
    else
        rc = graph_write(&s, cfg->db, src->id, src->remote_id, booking, ev, retry_after, err,
                         errlen);
    provider_close(&s);
    return rc;
}

/* PUTs the event: updated under If-Match when it exists, created with
 * If-None-Match otherwise, so a repeated delivery converges. A Google or
 * Microsoft 365 primary calendar gets it through its API instead. */
static int deliver_event(const outbox_config *cfg, store_conn *c, int64_t booking, tp_time now,
                         const json_t *p, long *retry_after, char *err, size_t errlen)
{
    calsrc src;
    int rc = calsrc_primary(c, &cfg->opener, &src);
    if (rc == STORE_NOTFOUND) {
        snprintf(err, errlen, "no primary calendar is connected");
        return -1;
    }
    if (rc != STORE_OK) {
        snprintf(err, errlen, "the primary calendar cannot be read (credentials?)");
        return -1;
    }
    char *url = NULL, *etag = NULL;
    caldav_response r;
    long status = 0;
    rc = -1;
    if (src.kind == CALSRC_GOOGLE || src.kind == CALSRC_MICROSOFT) {
        rc = deliver_provider(cfg, &src, booking, now, p, retry_after, err, errlen);
        goto out;
    }
    if (src.kind == CALSRC_ICS) {
        snprintf(err, errlen, "the primary calendar is a read-only ICS feed");
        goto out;
    }
    src.target.timeout_s = cfg->timeout_s;
    src.target.abort = cfg->abort;
    url = caldav_resource_url(&src.target, json_string_value(json_object_get(p, "resource")));
    if (!url) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    const char *ics = json_string_value(json_object_get(p, "ics"));
    if (caldav_request(&src.target, "GET", url, NULL, NULL, &r, err, errlen) != 0) goto out;
    long got = r.status;
    char *current = r.etag ? strdup(r.etag) : NULL;
    caldav_response_free(&r);
    if (got == 200 && current)
        rc = caldav_put(&src.target, url, ics, current, 0, &etag, &status, err, errlen);
    else if (got == 404)
        rc = caldav_put(&src.target, url, ics, NULL, 1, &etag, &status, err, errlen);
    else
        snprintf(err, errlen, "HTTP %ld reading the event before writing it", got);
    free(current);
out:
    free(url);
    free(etag);
    calsrc_clear(&src);
    return rc;
}

/* The mail's text: TEXT, the agent's manage link (opened from its sealed
 * form; left out when it cannot be opened), TEXT_TAIL. Malloc'ed; the caller
 * wipes and frees it. NULL when memory ran out. */
static char *mail_body(const outbox_config *cfg, const json_t *p)
{
    const char *head = json_string_value(json_object_get(p, "text"));
    const char *tail = json_string_value(json_object_get(p, "text_tail"));
    const char *sealed = json_string_value(json_object_get(p, "manage_sealed"));
    const char *base = json_string_value(json_object_get(p, "link_base"));
    char *token =
        sealed && base && cfg->opener.open ? cfg->opener.open(cfg->opener.ctx, sealed) : NULL;
    head = head ? head : "";
    tail = tail ? tail : "";
    size_t n = strlen(head) + strlen(tail) + (token ? strlen(base) + strlen(token) + 64 : 0) + 1;
    char *out = malloc(n);
    if (out && token)
        snprintf(out, n, "%s\nChange or cancel this booking: %s/manage/%s\n%s", head, base, token,
                 tail);
    else if (out)
        snprintf(out, n, "%s%s", head, tail);
    if (token) {
        wipe(token);
        free(token);
    }
    return out;
}

static int deliver_mail(const outbox_config *cfg, const store_outbox_item *it, const json_t *p,
                        char *err, size_t errlen)
{
    char mid[96];
    char *text = mail_body(cfg, p);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(mid, sizeof mid, "tripod-outbox-%lld-%lld@tripod", (long long)it->booking,
             (long long)it->id);
    mail_msg m = {
        .smtp_url = cfg->smtp_url,
        .from = cfg->mail_from && *cfg->mail_from ? cfg->mail_from : "bookings@tripod.invalid",
        .to = json_string_value(json_object_get(p, "to")),
        .subject = json_string_value(json_object_get(p, "subject")),
        .text = text,
        .ics = json_string_value(json_object_get(p, "ics")),
        .method = json_string_value(json_object_get(p, "method")),
        .message_id = mid,
        .timeout_s = cfg->timeout_s,
        .abort = cfg->abort,
    };
    int rc = mail_send(&m, err, errlen);
    wipe(text);
    free(text);
    return rc;
}

static int in_tx(store_conn *c, int rc_of_write)
{
    if (rc_of_write != STORE_OK) {
        store_rollback(c);
        return rc_of_write;
    }
    return store_commit(c);
}

/* What one pass of run_one did. (Not STORE_* codes: STORE_NOTFOUND is 1,
 * which once made every delivery look like "nothing due".) */
enum { RUN_IDLE = -2, RUN_ERROR = -1, RUN_FAILED = 0, RUN_DELIVERED = 1 };

/* Claims and delivers one item: RUN_DELIVERED, RUN_FAILED (rescheduled with
 * backoff), RUN_IDLE (nothing due) or RUN_ERROR (the store failed). */
static int run_one(const outbox_config *cfg, store_conn *c, tp_time now)
{
    store_outbox_item it;
    char err[512] = "";
    memset(&it, 0, sizeof it);
    int rc = store_begin(c, STORE_WRITE_LAZY);
    if (rc == STORE_OK)
        rc = store_outbox_claim(c, cfg->kind, now, cfg->lease_s > 0 ? cfg->lease_s : LEASE_S, &it);
    if (rc == STORE_NOTFOUND) {
        store_rollback(c);
        return RUN_IDLE;
    }
    if (rc != STORE_OK || (rc = store_commit(c)) != STORE_OK) {
        store_rollback(c);
        store_outbox_clear(&it);
        return RUN_ERROR;
    }
    json_t *p = json_loads(it.payload ? it.payload : "", 0, NULL);
    int ok;
    long retry_after = 0;
    if (!p) {
        snprintf(err, sizeof err, "unreadable outbox payload");
        ok = -1;
    } else if (strcmp(it.kind, "event_put") == 0) {
        ok = deliver_event(cfg, c, it.booking, now, p, &retry_after, err, sizeof err);
    } else if (strcmp(it.kind, "mail") == 0) {
        ok = deliver_mail(cfg, &it, p, err, sizeof err);
    } else {
        snprintf(err, sizeof err, "unknown outbox item kind %s", it.kind);
        ok = -1;
    }
    int result = ok == 0 ? RUN_DELIVERED : RUN_FAILED;
    int abandoned = ok != 0 && net_aborted(&cfg->abort);
    rc = store_begin(c, STORE_WRITE_LAZY);
    if (rc == STORE_OK && abandoned) {
        rc = store_outbox_release(c, it.id); /* not an attempt: due again at once */
        if (rc == STORE_NOTFOUND) rc = STORE_OK;
    } else if (rc == STORE_OK && ok == 0) {
        rc = store_outbox_done(c, it.id);
    } else if (rc == STORE_OK) {
        /* A provider's Retry-After (429/503) is honoured when longer than the backoff. */
        long wait = outbox_backoff(cfg, it.attempts);
        rc = store_outbox_fail(c, it.id, err, now + (retry_after > wait ? retry_after : wait));
        if (rc == STORE_OK) rc = store_booking_set_cal(c, it.booking, "failing", err);
        if (rc == STORE_NOTFOUND) rc = STORE_OK;
    }
    rc = rc == STORE_OK ? in_tx(c, rc) : (store_rollback(c), rc);
    json_decref(p);
    store_outbox_clear(&it);
    return rc == STORE_OK ? result : RUN_ERROR;
}

int outbox_run(const outbox_config *cfg, tp_time now, int max, int *attempted, int *delivered)
{
    store_conn *c = store_acquire(cfg->db);
    int rc = 0;
    *attempted = *delivered = 0;
    if (!c) return -1;
    for (int i = 0; i < max; i++) {
        int r = run_one(cfg, c, now);
        if (r == RUN_IDLE) break;
        if (r == RUN_ERROR) {
            rc = -1;
            break;
        }
        ++*attempted;
        *delivered += r == RUN_DELIVERED;
    }
    store_release(c);
    return rc;
}

#define OUTBOX_BATCH 50 /* items per pass before the stop flag is looked at */

/* One delivery thread per kind: a calendar server that holds requests open
 * does not hold back mail, nor a slow mail server the calendar. */
static const char *const worker_kinds[] = {"event_put", "mail"};
#define NKINDS (sizeof worker_kinds / sizeof worker_kinds[0])

struct outbox_worker {
    outbox_config cfg[NKINDS];
    worker *thread[NKINDS];
};

/* Up to OUTBOX_BATCH items of CTX's kind, one at a time so that a stop
 * (SIGTERM) is not kept waiting behind a batch of slow deliveries; a stop
 * abandons the delivery in flight. */
static int outbox_pass(void *ctx, tp_time now, worker *self)
{
    outbox_config cfg = *(const outbox_config *)ctx;
    cfg.abort = worker_abort(self);
    for (int i = 0; i < OUTBOX_BATCH; i++) {
        int tried, delivered;
        if (worker_stopping(self) || outbox_run(&cfg, now, 1, &tried, &delivered) != 0 || !tried)
            return 0;
    }
    return 1; /* a full batch: more may be due at once */
}

outbox_worker *outbox_worker_start(const outbox_config *cfg)
{
    outbox_worker *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    for (size_t k = 0; k < NKINDS; k++) {
        o->cfg[k] = *cfg;
        o->cfg[k].kind = worker_kinds[k];
        o->thread[k] = worker_start(outbox_pass, &o->cfg[k], cfg->now_base,
                                    cfg->poll_ms > 0 ? cfg->poll_ms : 500);
        if (!o->thread[k]) {
            outbox_worker_stop(o);
            return NULL;
        }
    }
    return o;
}

void outbox_worker_stop(outbox_worker *o)
{
    if (!o) return;
    for (size_t k = 0; k < NKINDS; k++)
        worker_stop(o->thread[k]);
    free(o);
}
