/* settings.h — the business settings of API.md: their defaults, the stored
 * values merged over them, and validated partial updates. */
#ifndef TRIPOD_SETTINGS_H
#define TRIPOD_SETTINGS_H

#include <jansson.h>

#include "app/app.h"
#include "app/validate.h"
#include "store/store.h"

#define SETTINGS_MAX_BUFFER_MIN 480                  /* the largest drive_buffer_minutes accepted */
#define SETTINGS_DEFAULT_TIMEZONE "America/New_York" /* the business zone until one is set */

/* Every setting with its default value. New reference (NULL: out of memory). */
json_t *settings_defaults(void);

/* The stored settings merged over the defaults: every setting present, with
 * API.md's names. New reference; NULL on a store error (nothing allocated). */
json_t *settings_effective(store_conn *c);

/* CURRENT (complete settings, borrowed) with the partial object PATCH applied.
 * Every field of PATCH is validated; on the first bad one NULL is returned, E
 * says which and why, and nothing is allocated. Otherwise a new reference. */
json_t *settings_merge(const json_t *current, const json_t *patch, val_error *e);

/* The business settings as GET /settings shows them. 0 with *ANSWER (new
 * reference), or -1 with O (store_unavailable). */
int settings_read(app *a, json_t **answer, outcome *o);

/* Applies the partial settings PATCH in one write transaction: every field
 * is checked first, so a bad one changes nothing. 0 with *ANSWER (the
 * settings now; new reference), or -1 with O (validation naming the field,
 * store_unavailable). */
int settings_update(app *a, const json_t *patch, json_t **answer, outcome *o);

#endif
