/* system.c — GET /health, GET /readiness (app/readiness.h) and GET/PUT
 * /settings (app/settings.h) over HTTP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "app/readiness.h"
#include "app/settings.h"

static void sys_health(api_req *req, api_res *res)
{
    int64_t gen;
    store_conn *c = store_acquire(req->app->db);
    int ok = c && store_generation(c, &gen) == STORE_OK;
    store_release(c);
    if (ok)
        api_json(res, 200, json_pack("{s:s}", "status", "ok"));
    else
        api_json(res, 503,
                 json_pack("{s:s, s:s, s:s}", "status", "unavailable", "error", "store_unavailable",
                           "message", "the database is not reachable"));
}

static void sys_readiness(api_req *req, api_res *res)
{
    outcome o = {0};
    json_t *answer = NULL;
    int rc = readiness_report(req->app, &answer, &o);
    api_answer(res, rc, 200, answer, &o);
}

static void sys_settings_get(api_req *req, api_res *res)
{
    outcome o = {0};
    json_t *answer = NULL;
    int rc = settings_read(req->app, &answer, &o);
    api_answer(res, rc, 200, answer, &o);
}

static void sys_settings_put(api_req *req, api_res *res)
{
    outcome o = {0};
    json_t *answer = NULL, *patch = api_body_object(req, res);
    if (!patch) return;
    int rc = settings_update(req->app, patch, &answer, &o);
    api_answer(res, rc, 200, answer, &o);
    json_decref(patch);
}

const api_route api_routes_system[] = {
    {"GET", "/api/v1/health", API_PUBLIC, sys_health},
    {"GET", "/api/v1/readiness", API_ADMIN, sys_readiness},
    {"GET", "/api/v1/settings", API_ADMIN, sys_settings_get},
    {"PUT", "/api/v1/settings", API_ADMIN, sys_settings_put},
    {0},
};
