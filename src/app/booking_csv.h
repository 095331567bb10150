/* booking_csv.h — bookings as CSV for accounting (RFC 4180: a header row,
 * CRLF line ends, fields quoted when they hold '"', ',', CR or LF), UTF-8,
 * times in the business zone. A cell starting with '=', '+', '-', '@',
 * TAB or CR gets a leading apostrophe, so a spreadsheet shows it as text
 * instead of running it as a formula. Price columns (price_total in the
 * currency's major unit, currency) appear once any booking carries a
 * `price` member. */
#ifndef TRIPOD_BOOKING_CSV_H
#define TRIPOD_BOOKING_CSV_H

#include <jansson.h>
#include <stddef.h>

#include "app/snapshot.h"

typedef struct booking_csv booking_csv;

/* A new export naming items and staff from snapshot S (borrowed; it must
 * outlive the export). NULL when memory ran out. */
booking_csv *booking_csv_new(const snapshot *s);
void booking_csv_free(booking_csv *x); /* accepts NULL */

/* Appends booking B (a booking object as booking_view() makes it, borrowed)
 * as one row. 0, or -1 when memory ran out (the export is then unusable). */
int booking_csv_add(booking_csv *x, const json_t *b);

/* The header and every row added, as one malloc'ed text (the caller frees
 * it; X is left as it was); *LEN gets its length. NULL when memory ran out. */
char *booking_csv_finish(const booking_csv *x, size_t *len);

#endif
