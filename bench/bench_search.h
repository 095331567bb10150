/* bench_search.h — `tripod bench`'s figures of the admin's booking list and
 * search (GET /bookings?q=) on 50,000 bookings in the store. */
#ifndef TRIPOD_BENCH_SEARCH_H
#define TRIPOD_BENCH_SEARCH_H

/* Loads the bookings into the store at URL (NULL: SQLite in a temp dir; the
 * database must be empty) and prints one figure per query, its name after
 * PREFIX (median microseconds for one page). Returns 0, or 1 when the store
 * could not be set up or a query failed. */
int bench_search(const char *url, const char *prefix);

#endif
