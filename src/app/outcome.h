/* outcome.h — the application layer's one answer type: what an operation
 * came to when it did not simply succeed (refused by a rule, invalid input,
 * not found, contention, the store or a calendar server failing), with the
 * error code and sentence the caller shows. src/api maps it to HTTP in one
 * place (api_outcome). */
#ifndef TRIPOD_OUTCOME_H
#define TRIPOD_OUTCOME_H

#include <jansson.h>

#include "app/validate.h"

typedef enum {
    OUT_OK = 0,
    OUT_BAD_REQUEST,  /* the request cannot be read at all (e.g. not JSON) */
    OUT_UNAUTHORIZED, /* no usable credentials */
    OUT_FORBIDDEN,    /* credentials that may not do this */
    OUT_NOT_FOUND,    /* no such object */
    OUT_CONFLICT,     /* refused by a rule of the domain (code says which) */
    OUT_INVALID,      /* input breaks an input rule (field says where) */
    OUT_INTERNAL,     /* a bug or stored data that cannot be read */
    OUT_UPSTREAM,     /* a calendar server failed */
    OUT_UNAVAILABLE   /* the store is unreachable, or contention: try again */
} outcome_kind;

typedef struct {
    outcome_kind kind;
    const char *code;  /* static error code, e.g. "slot_unavailable" */
    char message[512]; /* what happened and what to do */
    char field[128];   /* where in the input; "" = nowhere in particular */
    json_t *detail;    /* owned; extra members of the error answer (e.g. alternatives) */
    int retry_after;   /* > 0: seconds after which trying again makes sense */
} outcome;

/* Fills O (FIELD may be NULL; MESSAGE printf-style) and returns -1, so
 * operations can `return outcome_fail(...)`. Any detail already set is freed. */
int outcome_fail(outcome *o, outcome_kind kind, const char *code, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* O for store code RC (not STORE_OK): NOTFOUND → not_found (NOUN names
 * what, e.g. "booking"; NULL: "object"), CONFLICT → conflict, anything else
 * → store_unavailable. Returns -1. */
int outcome_store(outcome *o, int rc, const char *noun);

/* O for input check E: 422 validation naming E's field. Returns -1. */
int outcome_invalid(outcome *o, const val_error *e);

/* Frees O's detail and makes O "no outcome" (OUT_OK) again, ready for the
 * next operation. Accepts a zeroed O. */
void outcome_clear(outcome *o);

#endif
