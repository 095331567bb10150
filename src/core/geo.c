/* geo.c — service-zone geometry: GeoJSON polygon parsing and validation,
 * point-in-polygon with boundary-inclusive edges, centroids, haversine,
 * postal codes. */
#include "core/geo.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEO_EARTH_RADIUS_KM 6371.0088
#define GEO_EPS 1e-12
/* Positions over all rings: bounds the quadratic self-intersection check. */
#define GEO_MAX_POSITIONS 5000

static int fail(char *err, size_t errlen, const char *msg)
{
    if (err && errlen) snprintf(err, errlen, "%s", msg);
    return -1;
}

/* Sign of the cross product (b − a) × (c − a): >0 left turn, <0 right, 0 collinear. */
static double cross(geo_point a, geo_point b, geo_point c)
{
    return (b.lon - a.lon) * (c.lat - a.lat) - (b.lat - a.lat) * (c.lon - a.lon);
}

/* 1 when P lies on segment [A, B]. */
static int on_segment(geo_point a, geo_point b, geo_point p)
{
    if (fabs(cross(a, b, p)) > GEO_EPS) return 0;
    return p.lon >= fmin(a.lon, b.lon) && p.lon <= fmax(a.lon, b.lon) &&
           p.lat >= fmin(a.lat, b.lat) && p.lat <= fmax(a.lat, b.lat);
}

static int sign(double v)
{
    return v > GEO_EPS ? 1 : v < -GEO_EPS ? -1 : 0;
}

/* 1 when segments [A, B] and [C, D] share at least one point. */
static int segments_meet(geo_point a, geo_point b, geo_point c, geo_point d)
{
    int d1 = sign(cross(c, d, a)), d2 = sign(cross(c, d, b));
    int d3 = sign(cross(a, b, c)), d4 = sign(cross(a, b, d));
    if (d1 * d2 < 0 && d3 * d4 < 0) return 1;
    return on_segment(c, d, a) || on_segment(c, d, b) || on_segment(a, b, c) || on_segment(a, b, d);
}

/* 1 when two non-adjacent edges of the (implicitly closed) ring meet. */
static int ring_self_intersects(const geo_ring *r)
{
    size_t n = r->n;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            if (j == i + 1 || (i == 0 && j == n - 1)) continue;
            if (segments_meet(r->pts[i], r->pts[(i + 1) % n], r->pts[j], r->pts[(j + 1) % n]))
                return 1;
        }
    }
    return 0;
}

/* Reads one GeoJSON ring (an array of [lon, lat] positions, first == last)
 * into OUT without the repeated closing point. */
static int parse_ring(json_t *arr, geo_ring *out, char *err, size_t errlen)
{
    if (!json_is_array(arr))
        return fail(err, errlen, "each ring must be an array of [lon, lat] positions");
    size_t n = json_array_size(arr);
    if (n < 4) return fail(err, errlen, "each ring needs at least 4 positions");
    geo_point *pts = calloc(n, sizeof *pts);
    if (!pts) return fail(err, errlen, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *pos = json_array_get(arr, i);
        json_t *jlon = json_array_get(pos, 0), *jlat = json_array_get(pos, 1);
        if (!json_is_array(pos) || json_array_size(pos) < 2 || !json_is_number(jlon) ||
            !json_is_number(jlat)) {
            free(pts);
            return fail(err, errlen, "each position must be [lon, lat] numbers");
        }
        double lon = json_number_value(jlon), lat = json_number_value(jlat);
        if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90) {
            free(pts);
            return fail(err, errlen, "longitude must be in [-180, 180] and latitude in [-90, 90]");
        }
        pts[i].lon = lon;
        pts[i].lat = lat;
    }
    if (pts[0].lon != pts[n - 1].lon || pts[0].lat != pts[n - 1].lat) {
        free(pts);
        return fail(err, errlen, "each ring must be closed (last position equal to the first)");
    }
    out->pts = pts;
    out->n = n - 1;
    return 0;
}

int geo_polygon_parse(const char *geojson, geo_polygon *out, char *err, size_t errlen)
{
    geo_polygon p = {0};
    int rc = -1;
    json_error_t jerr;
    json_t *root = geojson ? json_loads(geojson, 0, &jerr) : NULL;
    if (!root) {
        fail(err, errlen, "the zone is not valid JSON");
        goto out;
    }
    const char *type = json_string_value(json_object_get(root, "type"));
    if (!type || strcmp(type, "Polygon") != 0) {
        fail(err, errlen, "the zone must be a GeoJSON object with \"type\": \"Polygon\"");
        goto out;
    }
    json_t *coords = json_object_get(root, "coordinates");
    if (!json_is_array(coords) || json_array_size(coords) == 0) {
        fail(err, errlen, "\"coordinates\" must be a non-empty array of rings");
        goto out;
    }
    size_t nrings = json_array_size(coords), total = 0;
    for (size_t i = 0; i < nrings; i++)
        total += json_array_size(json_array_get(coords, i));
    if (total > GEO_MAX_POSITIONS) {
        fail(err, errlen, "a zone may have at most 5000 positions; simplify the polygon");
        goto out;
    }
    p.rings = calloc(nrings, sizeof *p.rings);
    if (!p.rings) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nrings; i++) {
        if (parse_ring(json_array_get(coords, i), &p.rings[i], err, errlen) != 0) goto out;
        p.nrings++;
    }
    if (ring_self_intersects(&p.rings[0])) {
        fail(err, errlen, "the outer ring crosses itself");
        goto out;
    }
    *out = p;
    rc = 0;
out:
    if (rc != 0) geo_polygon_free(&p);
    json_decref(root);
    return rc;
}

void geo_polygon_free(geo_polygon *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->nrings; i++)
        free(p->rings[i].pts);
    free(p->rings);
    p->rings = NULL;
    p->nrings = 0;
}

/* 1 inside, 0 outside, 2 on the boundary of ring R. */
static int ring_locate(const geo_ring *r, geo_point q)
{
    int inside = 0;
    for (size_t i = 0, j = r->n - 1; i < r->n; j = i++) {
        geo_point a = r->pts[j], b = r->pts[i];
        if (on_segment(a, b, q)) return 2;
        if ((b.lat > q.lat) != (a.lat > q.lat)) {
            double x = a.lon + (q.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat);
            if (q.lon < x) inside = !inside;
        }
    }
    return inside;
}

int geo_contains(const geo_polygon *p, double lat, double lon)
{
    if (!p || p->nrings == 0 || p->rings[0].n < 3 || !isfinite(lat) || !isfinite(lon)) return 0;
    geo_point q = {.lon = lon, .lat = lat};
    int outer = ring_locate(&p->rings[0], q);
    if (outer != 1) return outer == 2;
    for (size_t i = 1; i < p->nrings; i++)
        if (p->rings[i].n >= 3 && ring_locate(&p->rings[i], q) == 1) return 0;
    return 1;
}

int geo_centroid(const geo_polygon *p, geo_point *out)
{
    if (!p || p->nrings == 0 || p->rings[0].n < 3) return -1;
    const geo_ring *r = &p->rings[0];
    size_t n = r->n;
    if (r->pts[0].lon == r->pts[n - 1].lon && r->pts[0].lat == r->pts[n - 1].lat) n--;
    /* Shoelace sums relative to the first point, which keeps them precise. */
    const geo_point o = r->pts[0];
    double a2 = 0, cx = 0, cy = 0, mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        double x0 = r->pts[i].lon - o.lon, y0 = r->pts[i].lat - o.lat;
        double x1 = r->pts[(i + 1) % n].lon - o.lon, y1 = r->pts[(i + 1) % n].lat - o.lat;
        double cross = x0 * y1 - x1 * y0;
        a2 += cross;
        cx += (x0 + x1) * cross;
        cy += (y0 + y1) * cross;
        mx += x0;
        my += y0;
    }
    if (fabs(a2) < 1e-12) { /* degenerate (no area): the mean of the vertices */
        out->lon = o.lon + mx / (double)n;
        out->lat = o.lat + my / (double)n;
    } else {
        out->lon = o.lon + cx / (3 * a2);
        out->lat = o.lat + cy / (3 * a2);
    }
    return 0;
}

double geo_distance_km(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * GEO_EARTH_RADIUS_KM * asin(fmin(1.0, sqrt(a)));
}

char *geo_postal_norm(const char *in, char *out, size_t len)
{
    if (!len) return out;
    size_t k = 0;
    for (; in && *in && k + 1 < len; in++) {
        unsigned char c = (unsigned char)*in;
        if (c == ' ' || c == '-' || c == '\t') continue;
        out[k++] = (char)toupper(c);
    }
    out[k] = '\0';
    return out;
}
