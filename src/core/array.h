/* array.h — the one growable-array helper (curl's dynbuf is the model):
 * makes room in a malloc'ed array of any element type, doubling its
 * capacity, so no file writes its own grow-by-doubling loop. */
#ifndef TRIPOD_ARRAY_H
#define TRIPOD_ARRAY_H

#include <stddef.h>

/* Makes room for NEED elements of SIZE bytes in the array whose pointer is
 * stored at PTR_ADDR (a T ** passed as void *) and whose capacity is *CAP:
 * when NEED > *CAP, the capacity becomes MIN_CAP doubled (or *CAP doubled)
 * until it holds NEED, and the array is realloc'ed. Returns 0, or -1 when
 * memory ran out or the size would overflow (array and *CAP are then
 * untouched). The caller frees the array with free(). */
int array_reserve(void *ptr_addr, size_t *cap, size_t need, size_t size, size_t min_cap);

/* ARRAY_RESERVE(a, cap, need, min): array_reserve for pointer lvalue A with
 * size_t lvalue CAP. 0 or -1. The check that there is room already is made
 * in place, so an append in a hot loop costs no call (NEED and CAP are
 * evaluated twice: pass expressions without side effects). */
#define ARRAY_RESERVE(a, cap, need, min)                                                       \
    ((size_t)(need) <= (cap) ? 0 : array_reserve(&(a), &(cap), (need), sizeof *(a), (min)))

#endif
