/* booking_view.c — bookings as API objects, and their history entries. */
#include "app/booking_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/price.h"
#include "app/validate.h"

json_t *booking_view_staff(const snapshot *s, const int64_t *ids, int n)
{
    json_t *arr = json_array();
    for (int k = 0; arr && k < n; k++) {
        long idx = snapshot_staff_index(s, ids[k]);
        json_array_append_new(arr,
                              json_pack("{s:o, s:o}", "id", val_id_json(ids[k]), "name",
                                        idx >= 0 ? json_string(s->people[idx].name) : json_null()));
    }
    return arr;
}

json_t *booking_view_state(const snapshot *s, const store_booking *b)
{
    char st[32], e[32];
    return json_pack("{s:s, s:s, s:o}", "start", snapshot_time(s, b->start, st, sizeof st), "end",
                     snapshot_time(s, b->end, e, sizeof e), "staff",
                     booking_view_staff(s, b->staff, b->nstaff));
}

typedef struct {
    json_t *arr;
    const snapshot *s;
} history_walk;

static int history_row(void *ctx, tp_time at, const char *actor, const char *change_json)
{
    history_walk *w = ctx;
    char buf[32];
    json_t *change = json_loads(change_json, 0, NULL);
    json_array_append_new(w->arr, json_pack("{s:s, s:s, s:o}", "at",
                                            snapshot_time(w->s, at, buf, sizeof buf), "actor",
                                            actor, "change", change ? change : json_object()));
    return 0;
}

json_t *booking_view(store_conn *c, const snapshot *s, const store_booking *b, int with_history)
{
    char st[32], e[32], cr[32], up[32];
    json_t *o = json_pack(
        "{s:o, s:s, s:s, s:s, s:i, s:i, s:o, s:i, s:{s:s, s:o}, s:s, s:s}", "id",
        val_id_json(b->id), "status", b->status, "start", snapshot_time(s, b->start, st, sizeof st),
        "end", snapshot_time(s, b->end, e, sizeof e), "duration_minutes",
        (int)((b->end - b->start) / 60), "buffer_minutes", b->buffer_min, "staff",
        booking_view_staff(s, b->staff, b->nstaff), "sequence", b->sequence, "calendar", "state",
        b->cal_state, "error", b->cal_error ? json_string(b->cal_error) : json_null(), "created",
        snapshot_time(s, b->created, cr, sizeof cr), "updated",
        snapshot_time(s, b->updated, up, sizeof up));
    if (!o) return NULL;
    json_t *body = b->body ? json_loads(b->body, 0, NULL) : NULL;
    const char *keys[] = {"agent", "property",  "services", "packages",
                          "notes", "crew_size", "price"};
    for (size_t k = 0; body && k < sizeof keys / sizeof keys[0]; k++) {
        json_t *v = json_object_get(body, keys[k]);
        if (v) json_object_set(o, keys[k], v);
    }
    json_decref(body);
    if (with_history) {
        history_walk w = {json_array(), s};
        if (!w.arr || store_history_list(c, b->id, history_row, &w) != STORE_OK) {
            json_decref(w.arr);
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, "history", w.arr);
    }
    return o;
}

int booking_view_history_add(store_conn *c, int64_t id, tp_time at, const char *actor,
                             const json_t *change)
{
    char *text = json_dumps(change, JSON_COMPACT);
    if (!text) return STORE_ERROR;
    int rc = store_history_add(c, id, at, actor, text);
    free(text);
    return rc;
}

void booking_view_fold(char *text)
{
    for (char *p = text; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
}

char *booking_view_search(const json_t *body)
{
    const json_t *agent = json_object_get(body, "agent"), *prop = json_object_get(body, "property");
    const json_t *parts[] = {json_object_get(agent, "name"), json_object_get(agent, "email"),
                             json_object_get(prop, "address"),
                             json_object_get(prop, "postal_code")};
    size_t n = 0;
    for (size_t i = 0; i < 4; i++)
        n += (json_is_string(parts[i]) ? strlen(json_string_value(parts[i])) : 0) + 1;
    char *out = malloc(n);
    if (!out) return NULL;
    out[0] = '\0';
    for (size_t i = 0, used = 0; i < 4; i++) {
        const char *v = json_is_string(parts[i]) ? json_string_value(parts[i]) : "";
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? "\n" : "", v);
    }
    booking_view_fold(out);
    return out;
}

/* The string V into OUT (LEN bytes), "" when V is not a string. */
static void copy_text(char *out, size_t len, const json_t *v)
{
    snprintf(out, len, "%s", json_is_string(v) ? json_string_value(v) : "");
}

/* Appends staff ID of S to F unless F has them. */
static void facts_person(const snapshot *s, outbox_facts *f, int64_t id)
{
    for (int i = 0; i < f->npeople; i++)
        if (f->people[i].id == id) return;
    long idx = snapshot_staff_index(s, id);
    if (idx < 0 || f->npeople == OUTBOX_MAX_PEOPLE) return;
    f->people[f->npeople++] = (outbox_person){id, s->people[idx].name, s->people[idx].email};
}

void booking_view_facts(const snapshot *s, const tripod_config *cfg, const store_booking *before,
                        const store_booking *after, outbox_facts *f)
{
    static const char *const lists[] = {"packages", "services"};
    const char *biz = json_string_value(json_object_get(s->settings, "business_name"));
    memset(f, 0, sizeof *f);
    f->business = biz && *biz ? biz : "Tripod";
    f->organizer = cfg->mail_from;
    f->link_base = cfg->public_url;
    f->tz = s->rules.tz;
    f->provider_primary = s->provider_primary; /* the provider invites: no iTIP mails */
    json_t *body = after->body ? json_loads(after->body, 0, NULL) : NULL;
    size_t used = 0;
    for (size_t l = 0; l < 2; l++) {
        const json_t *arr = json_object_get(body, lists[l]);
        for (size_t i = 0; i < json_array_size(arr); i++) {
            int64_t id = 0;
            snapshot_json_id(json_array_get(arr, i), &id);
            const snapshot_item *it = l == 0 ? snapshot_package(s, id) : snapshot_service(s, id);
            int k = snprintf(f->what + used, sizeof f->what - used, "%s%s", used ? ", " : "",
                             it ? it->name : "shoot");
            if (k > 0 && (size_t)k < sizeof f->what - used) used += (size_t)k;
        }
    }
    const json_t *agent = json_object_get(body, "agent"), *prop = json_object_get(body, "property");
    copy_text(f->agent_name, sizeof f->agent_name, json_object_get(agent, "name"));
    copy_text(f->agent_email, sizeof f->agent_email, json_object_get(agent, "email"));
    copy_text(f->agent_phone, sizeof f->agent_phone, json_object_get(agent, "phone"));
    copy_text(f->address, sizeof f->address, json_object_get(prop, "address"));
    copy_text(f->postal_code, sizeof f->postal_code, json_object_get(prop, "postal_code"));
    copy_text(f->notes, sizeof f->notes, json_object_get(body, "notes"));
    const json_t *price = json_object_get(body, "price");
    if (json_is_object(price))
        price_text(json_string_value(json_object_get(price, "currency")),
                   (int64_t)json_integer_value(json_object_get(price, "total")), f->price,
                   sizeof f->price);
    json_decref(body);
    if (!used) snprintf(f->what, sizeof f->what, "Shoot");
    for (int k = 0; k < after->nstaff; k++)
        facts_person(s, f, after->staff[k]);
    for (int k = 0; before && k < before->nstaff; k++)
        facts_person(s, f, before->staff[k]);
}
