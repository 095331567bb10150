/* calendar_discover.c — checks a discovery request, runs src/cal's
 * discovery with the application's time limit and shapes its answer. */
#include "app/calendar_discover.h"

#include <string.h>

#include "app/validate.h"
#include "cal/discover.h"

/* An optional string field (missing or null: NULL). */
static int optional_string(const json_t *body, const char *key, size_t maxlen, const char **out,
                           val_error *e)
{
    const json_t *v = json_object_get(body, key);
    *out = NULL;
    if (!v || json_is_null(v)) return 0;
    return val_string(v, key, maxlen, 1, out, e);
}

static json_t *calendars_json(const discover_list *l)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < l->n; i++) {
        const discover_calendar *c = &l->v[i];
        json_t *cal = json_pack("{s:s, s:s, s:o, s:o}", "url", c->url, "name", c->name, "can_write",
                                c->can_write < 0 ? json_null() : json_boolean(c->can_write),
                                "color", c->color ? json_string(c->color) : json_null());
        if (!cal || json_array_append_new(arr, cal) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

int app_calendar_discover(app *a, const json_t *body, json_t **answer, outcome *o)
{
    val_error e;
    const char *url, *user, *pass;
    *answer = NULL;
    if (val_known_keys(body, NULL, (const char *const[]){"url", "username", "password", NULL},
                       &e) != 0 ||
        val_string(json_object_get(body, "url"), "url", 2000, 0, &url, &e) != 0 ||
        optional_string(body, "username", 200, &user, &e) != 0 ||
        optional_string(body, "password", 1000, &pass, &e) != 0)
        return outcome_invalid(o, &e);
    discover_request q = {.url = url,
                          .username = user,
                          .password = pass,
                          .timeout_s =
                              2L * (a->cfg->sync_timeout_s > 0 ? a->cfg->sync_timeout_s : 20)};
    discover_list found;
    discover_error err;
    discover_status st = discover_run(&q, &found, &err);
    if (st == DISCOVER_OK) {
        *answer = calendars_json(&found);
        discover_list_free(&found);
        if (*answer) return 0;
        return outcome_fail(o, OUT_INTERNAL, "internal", NULL, "out of memory");
    }
    if (st == DISCOVER_BAD_URL)
        outcome_fail(o, OUT_INVALID, "validation", "url", "%s", err.message);
    else if (st == DISCOVER_AUTH)
        outcome_fail(o, OUT_INVALID, "credentials_refused", "password", "%s", err.message);
    else if (st == DISCOVER_NOT_FOUND)
        outcome_fail(o, OUT_INVALID, "no_caldav", "url", "%s", err.message);
    else
        outcome_fail(o, OUT_UPSTREAM, "discovery_failed", NULL, "%s", err.message);
    o->detail = json_pack("{s:s}", "step", err.step ? err.step : "address");
    return -1;
}
