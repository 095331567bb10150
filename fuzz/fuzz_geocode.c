/* fuzz_geocode.c — libFuzzer target for geocode_parse (an address search
 * service's answer) and val_postal_code: any text is either a list of places
 * with a label and coordinates in range, or refused; never a crash. */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/geocode.h"
#include "app/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char hint[160];
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    json_t *places = geocode_parse(text);
    size_t i;
    json_t *p;
    json_array_foreach(places, i, p)
    {
        double lat = json_real_value(json_object_get(p, "lat"));
        double lon = json_real_value(json_object_get(p, "lon"));
        const json_t *code = json_object_get(p, "postal_code");
        if (!json_is_string(json_object_get(p, "label")) || !isfinite(lat) || fabs(lat) > 90 ||
            !isfinite(lon) || fabs(lon) > 180 || !(json_is_null(code) || json_is_string(code)))
            abort(); /* only well-formed places come out */
        if (i >= GEOCODE_LIMIT) abort();
    }
    json_decref(places);
    static const char *const countries[] = {"US", "CA", "GB", "IE", "NL", "XX", ""};
    for (size_t k = 0; k < sizeof countries / sizeof countries[0]; k++)
        if (val_postal_code(countries[k], text, hint, sizeof hint) != 0 && !hint[0]) abort();
    free(text);
    return 0;
}
