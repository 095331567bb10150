/* outcome.c — filling the application's outcome (outcome.h). */
#include "app/outcome.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"

int outcome_fail(outcome *o, outcome_kind kind, const char *code, const char *field,
                 const char *fmt, ...)
{
    va_list ap;
    json_decref(o->detail);
    o->detail = NULL;
    o->kind = kind;
    o->code = code;
    o->retry_after = 0;
    snprintf(o->field, sizeof o->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(o->message, sizeof o->message, fmt, ap);
    va_end(ap);
    return -1;
}

int outcome_store(outcome *o, int rc, const char *noun)
{
    if (rc == STORE_NOTFOUND)
        return outcome_fail(o, OUT_NOT_FOUND, "not_found", NULL, "no such %s",
                            noun ? noun : "object");
    if (rc == STORE_CONFLICT)
        return outcome_fail(o, OUT_CONFLICT, "conflict", NULL,
                            "the change conflicts with existing data");
    return outcome_fail(o, OUT_UNAVAILABLE, "store_unavailable", NULL,
                        "the database is not reachable; try again shortly");
}

int outcome_invalid(outcome *o, const val_error *e)
{
    return outcome_fail(o, OUT_INVALID, "validation", e->field[0] ? e->field : NULL, "%s",
                        e->message);
}

void outcome_clear(outcome *o)
{
    json_decref(o->detail);
    memset(o, 0, sizeof *o);
}
