/* array.c — array_reserve (array.h). */
#include "core/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int array_reserve(void *ptr_addr, size_t *cap, size_t need, size_t size, size_t min_cap)
{
    void *old, *grown;
    if (need <= *cap) return 0;
    size_t n = *cap ? *cap : (min_cap ? min_cap : 1);
    while (n < need) {
        if (n > SIZE_MAX / 2) return -1;
        n *= 2;
    }
    if (size && n > SIZE_MAX / size) return -1;
    /* The pointer is read and written as bytes: PTR_ADDR may be the
     * address of any object pointer type. */
    memcpy(&old, ptr_addr, sizeof old);
    if (!(grown = realloc(old, n * size))) return -1;
    memcpy(ptr_addr, &grown, sizeof grown);
    *cap = n;
    return 0;
}
