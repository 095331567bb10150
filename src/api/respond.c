/* respond.c — shaping answers: JSON bodies, error bodies, and the one
 * mapping of application outcomes and store errors to HTTP status codes. */
#include <stdio.h>
#include <stdlib.h>

#include "api/api.h"

void api_error(api_res *res, int status, const char *code, const char *message, const char *field)
{
    json_t *j = json_pack("{s:s, s:s}", "error", code, "message", message ? message : code);
    if (j && field) json_object_set_new(j, "field", json_string(field));
    api_json(res, status, j);
}

void api_json(api_res *res, int status, json_t *json)
{
    json_decref(res->json);
    free(res->raw);
    res->raw = NULL;
    res->raw_len = 0;
    res->json = json;
    res->status = status;
}

static int outcome_status(outcome_kind k)
{
    switch (k) {
    case OUT_OK:
        return 200;
    case OUT_BAD_REQUEST:
        return 400;
    case OUT_UNAUTHORIZED:
        return 401;
    case OUT_FORBIDDEN:
        return 403;
    case OUT_NOT_FOUND:
        return 404;
    case OUT_CONFLICT:
        return 409;
    case OUT_INVALID:
        return 422;
    case OUT_INTERNAL:
        return 500;
    case OUT_UPSTREAM:
        return 502;
    case OUT_UNAVAILABLE:
        return 503;
    }
    return 500;
}

void api_outcome(api_res *res, outcome *o)
{
    api_error(res, outcome_status(o->kind), o->code ? o->code : "internal", o->message,
              o->field[0] ? o->field : NULL);
    if (res->json && o->detail) json_object_update(res->json, o->detail);
    res->retry_after = o->retry_after;
    outcome_clear(o);
}

void api_answer(api_res *res, int rc, int status, json_t *answer, outcome *o)
{
    if (rc == 0)
        api_json(res, status, answer);
    else
        api_outcome(res, o);
}

void api_store_error(api_res *res, int rc)
{
    outcome o = {0};
    outcome_store(&o, rc, NULL);
    api_outcome(res, &o);
}

void api_invalid(api_res *res, const val_error *e)
{
    outcome o = {0};
    outcome_invalid(&o, e);
    api_outcome(res, &o);
}

store_conn *api_conn(const api_req *r, api_res *res)
{
    store_conn *c = store_acquire(r->app->db);
    if (!c) api_store_error(res, STORE_ERROR);
    return c;
}

json_t *api_body_object(const api_req *r, api_res *res)
{
    json_error_t err;
    if (r->body_len == 0) {
        api_error(res, 400, "invalid_json", "the request body must be a JSON object", NULL);
        return NULL;
    }
    json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
    if (!j) {
        char msg[256];
        snprintf(msg, sizeof msg, "malformed JSON at line %d, column %d: %s", err.line, err.column,
                 err.text);
        api_error(res, 400, "invalid_json", msg, NULL);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        api_error(res, 400, "invalid_json", "the request body must be a JSON object", NULL);
        return NULL;
    }
    return j;
}
