/* fuzz_geo.c — libFuzzer target for geo_polygon_parse (GeoJSON service zones):
 * any text either parses into a polygon that answers geo_contains, or fails
 * with a message and allocates nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/geo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256] = "";
    geo_polygon p;
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&p, 0, sizeof p);
    if (geo_polygon_parse(text, &p, err, sizeof err) == 0) {
        if (p.nrings == 0 || p.rings[0].n < 3)
            abort(); /* a parsed polygon always has an outer ring of ≥ 3 corners */
        const geo_point *v = &p.rings[0].pts[0];
        if (!geo_contains(&p, v->lat, v->lon))
            abort(); /* vertices are on the boundary, which counts as inside */
        (void)geo_contains(&p, 0.0, 0.0);
        (void)geo_contains(&p, 91.0, 181.0);
        geo_polygon_free(&p);
    } else if (err[0] == '\0' || p.rings != NULL) {
        abort(); /* a refusal says why and leaves OUT untouched */
    }
    free(text);
    return 0;
}
