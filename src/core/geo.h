/* geo.h — service-zone geometry: GeoJSON polygons, point-in-polygon,
 * centroids, great-circle distance, postal-code normalisation. Pure functions. */
#ifndef TRIPOD_GEO_H
#define TRIPOD_GEO_H

#include <stddef.h>

typedef struct {
    double lon, lat;
} geo_point;

/* A ring is closed implicitly (the last point need not repeat the first). */
typedef struct {
    geo_point *pts;
    size_t n;
} geo_ring;

/* rings[0] is the outer boundary; further rings are holes. */
typedef struct {
    geo_ring *rings;
    size_t nrings;
} geo_polygon;

/* Parses a GeoJSON Polygon object given as JSON text. Validates: type
 * "Polygon", each ring closed (first == last), ≥ 4 positions, finite lon in
 * [-180,180] and lat in [-90,90], outer ring not self-intersecting. On success
 * fills *OUT (free with geo_polygon_free) and returns 0; on error returns -1,
 * writes a human sentence into ERR and allocates nothing. */
int geo_polygon_parse(const char *geojson, geo_polygon *out, char *err, size_t errlen);
void geo_polygon_free(geo_polygon *p); /* accepts NULL and zeroed polygons */

/* 1 when (lat, lon) is inside P or on its boundary (edges and vertices count
 * as inside), 0 otherwise; inside a hole is outside. */
int geo_contains(const geo_polygon *p, double lat, double lon);

/* The centre of P: the area centroid of its outer ring (holes ignored), on
 * the lon/lat plane, which is close enough for a zone's size. Returns 0 with
 * *OUT set, or -1 (*OUT untouched) when P has no outer ring. */
int geo_centroid(const geo_polygon *p, geo_point *out);

/* Great-circle distance in kilometres (haversine, mean Earth radius). */
double geo_distance_km(double lat1, double lon1, double lat2, double lon2);

/* Normalises a postal code for comparison: ASCII upper case, spaces and
 * hyphens removed ("sw1a 1aa" → "SW1A1AA"). Writes at most LEN-1 chars plus
 * NUL into OUT; returns OUT. */
char *geo_postal_norm(const char *in, char *out, size_t len);

#endif
