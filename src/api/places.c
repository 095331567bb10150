/* places.c — GET /geocode?q= (public, rate-limited): address suggestions
 * from the configured Nominatim-compatible service (app/geocode.h). */
#include "api/api.h"
#include "app/geocode.h"

static void geocode_get(api_req *r, api_res *res)
{
    outcome o = {0};
    json_t *out = NULL;
    if (geocode_search(r->app, api_query(r, "q"), &out, &o) == 0)
        api_json(res, 200, out);
    else
        api_outcome(res, &o);
}

const api_route api_routes_places[] = {
    {"GET", "/api/v1/geocode", API_PUBLIC, geocode_get},
    {0},
};
