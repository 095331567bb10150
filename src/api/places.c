/* places.c — GET /geocode?q= (public, rate-limited): address suggestions
 * from the configured Nominatim-compatible service (app/geocode.h). */
#include "api/api.h"
#include "app/geocode.h"

static void geocode_get(api_req *r, api_res *res)
{
    outcome o = {0};
    json_t *out = NULL;
    int rc = geocode_search(r->app, api_query(r, "q"), &out, &o);
    api_answer(res, rc, 200, out, &o);
}

const api_route api_routes_places[] = {
    {"GET", "/api/v1/geocode", API_PUBLIC, geocode_get},
    {0},
};
