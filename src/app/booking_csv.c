/* booking_csv.c — the CSV export of booking_csv.h: one column table, each
 * column reading the booking object the list answers, cells quoted and
 * guarded against formulas in one place. */
#include "app/booking_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/price.h"
#include "core/array.h"

/* A growable text. */
typedef struct {
    char *p;
    size_t n, cap;
} csv_text;

struct booking_csv {
    const snapshot *s;
    csv_text rows; /* every row without its price cells, each ending in CRLF */
    size_t *ends;  /* offset in rows just after each row's CRLF */
    size_t nrows, ends_cap;
    csv_text prices; /* each row's price cells (",total,currency"), NUL-terminated, in order */
    csv_text cell;   /* the cell being built */
    int any_price;   /* some row has a price: the export has price columns */
    int failed;      /* memory ran out */
};

static void put(booking_csv *x, csv_text *t, const char *s, size_t n)
{
    if (x->failed || ARRAY_RESERVE(t->p, t->cap, t->n + n + 1, 256) != 0) {
        x->failed = 1;
        return;
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = '\0';
}

static void puts_(booking_csv *x, csv_text *t, const char *s)
{
    put(x, t, s, strlen(s));
}

/* Appends TEXT to T as one field (after a comma unless FIRST): a leading
 * apostrophe before what a spreadsheet would run as a formula, quotes
 * around a field holding a quote, comma, CR or LF, inner quotes doubled. */
static void field(booking_csv *x, csv_text *t, const char *text, int first)
{
    if (!first) put(x, t, ",", 1);
    int formula = text[0] && strchr("=+-@\t\r", text[0]);
    int quote = strpbrk(text, "\",\r\n") != NULL;
    if (quote) put(x, t, "\"", 1);
    if (formula) put(x, t, "'", 1);
    for (const char *p = text; *p;) {
        size_t run = strcspn(p, "\"");
        put(x, t, p, run);
        p += run;
        if (*p == '"') {
            put(x, t, "\"\"", 2);
            p++;
        }
    }
    if (quote) put(x, t, "\"", 1);
}

/* ---- the columns ---- */

static const char *str(const json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : "";
}

/* "YYYY-MM-DD HH:MM" of an RFC 3339 time in the business zone, into the cell. */
static const char *local_time(booking_csv *x, const json_t *v)
{
    const char *t = str(v);
    if (strlen(t) < 16) return t;
    put(x, &x->cell, t, 10);
    put(x, &x->cell, " ", 1);
    put(x, &x->cell, t + 11, 5);
    return x->failed ? "" : x->cell.p;
}

static const char *col_start(booking_csv *x, const json_t *b)
{
    return local_time(x, json_object_get(b, "start"));
}
static const char *col_end(booking_csv *x, const json_t *b)
{
    return local_time(x, json_object_get(b, "end"));
}
static const char *col_created(booking_csv *x, const json_t *b)
{
    return local_time(x, json_object_get(b, "created"));
}
static const char *col_updated(booking_csv *x, const json_t *b)
{
    return local_time(x, json_object_get(b, "updated"));
}
static const char *col_timezone(booking_csv *x, const json_t *b)
{
    (void)b;
    return tz_zone_name(x->s->rules.tz);
}
static const char *col_minutes(booking_csv *x, const json_t *b)
{
    char n[24];
    snprintf(n, sizeof n, "%lld",
             (long long)json_integer_value(json_object_get(b, "duration_minutes")));
    puts_(x, &x->cell, n);
    return x->failed ? "" : x->cell.p;
}
static const char *col_staff(booking_csv *x, const json_t *b)
{
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(b, "staff"), i, p)
    {
        if (i) puts_(x, &x->cell, "; ");
        const char *name = str(json_object_get(p, "name"));
        puts_(x, &x->cell, *name ? name : str(json_object_get(p, "id")));
    }
    return x->failed || !x->cell.p ? "" : x->cell.p;
}
/* Names of the items in list KEY ("services" or "packages"), "; "-separated. */
static const char *items(booking_csv *x, const json_t *b, const char *key)
{
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(b, key), i, v)
    {
        int64_t id = 0;
        snapshot_json_id(v, &id);
        const snapshot_item *it =
            key[0] == 's' ? snapshot_service(x->s, id) : snapshot_package(x->s, id);
        char unknown[32];
        snprintf(unknown, sizeof unknown, "#%lld", (long long)id);
        if (i) puts_(x, &x->cell, "; ");
        puts_(x, &x->cell, it ? it->name : unknown);
    }
    return x->failed || !x->cell.p ? "" : x->cell.p;
}
static const char *col_services(booking_csv *x, const json_t *b)
{
    return items(x, b, "services");
}
static const char *col_packages(booking_csv *x, const json_t *b)
{
    return items(x, b, "packages");
}

/* Each column: its header, and either the string member KEY (in object
 * member IN when set) of the booking, or what CELL writes. */
static const struct {
    const char *header;
    const char *in, *key;
    const char *(*cell)(booking_csv *x, const json_t *b);
} columns[] = {
    {"id", NULL, "id", NULL},
    {"status", NULL, "status", NULL},
    {"start", NULL, NULL, col_start},
    {"end", NULL, NULL, col_end},
    {"timezone", NULL, NULL, col_timezone},
    {"duration_minutes", NULL, NULL, col_minutes},
    {"staff", NULL, NULL, col_staff},
    {"agent_name", "agent", "name", NULL},
    {"agent_email", "agent", "email", NULL},
    {"agent_phone", "agent", "phone", NULL},
    {"address", "property", "address", NULL},
    {"postal_code", "property", "postal_code", NULL},
    {"services", NULL, NULL, col_services},
    {"packages", NULL, NULL, col_packages},
    {"notes", NULL, "notes", NULL},
    {"calendar", "calendar", "state", NULL},
    {"created", NULL, NULL, col_created},
    {"updated", NULL, NULL, col_updated},
};

/* Column I's text for booking B. */
static const char *column_text(booking_csv *x, size_t i, const json_t *b)
{
    if (columns[i].cell) return columns[i].cell(x, b);
    const json_t *in = columns[i].in ? json_object_get(b, columns[i].in) : b;
    return str(json_object_get(in, columns[i].key));
}

/* ---- prices (the `price` member a booking keeps once prices exist) ---- */

/* ",total,currency" of booking B into X's price cells; ",," without a price. */
static void price_cells(booking_csv *x, const json_t *b)
{
    const json_t *price = json_object_get(b, "price");
    const json_t *total = json_object_get(price, "total");
    char amount[48] = "";
    const char *currency = str(json_object_get(price, "currency"));
    if (json_is_integer(total)) {
        price_decimal(currency, json_integer_value(total), amount, sizeof amount);
        x->any_price = 1;
    }
    field(x, &x->prices, amount, 0);
    field(x, &x->prices, json_is_integer(total) ? currency : "", 0);
    put(x, &x->prices, "", 1); /* the NUL ending this row's cells */
}

/* ---- the export ---- */

booking_csv *booking_csv_new(const snapshot *s)
{
    booking_csv *x = calloc(1, sizeof *x);
    if (x) x->s = s;
    return x;
}

void booking_csv_free(booking_csv *x)
{
    if (!x) return;
    free(x->rows.p);
    free(x->ends);
    free(x->prices.p);
    free(x->cell.p);
    free(x);
}

int booking_csv_add(booking_csv *x, const json_t *b)
{
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++) {
        x->cell.n = 0;
        if (x->cell.p) x->cell.p[0] = '\0';
        field(x, &x->rows, column_text(x, i, b), i == 0);
    }
    put(x, &x->rows, "\r\n", 2);
    price_cells(x, b);
    if (!x->failed && ARRAY_RESERVE(x->ends, x->ends_cap, x->nrows + 1, 64) != 0) x->failed = 1;
    if (x->failed) return -1;
    x->ends[x->nrows++] = x->rows.n;
    return 0;
}

char *booking_csv_finish(const booking_csv *x, size_t *len)
{
    booking_csv out = {0};
    if (x->failed) return NULL;
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++)
        field(&out, &out.rows, columns[i].header, i == 0);
    if (x->any_price) {
        field(&out, &out.rows, "price_total", 0);
        field(&out, &out.rows, "currency", 0);
    }
    put(&out, &out.rows, "\r\n", 2);
    if (!x->any_price) {
        put(&out, &out.rows, x->rows.p ? x->rows.p : "", x->rows.n);
    } else {
        const char *cells = x->prices.p;
        for (size_t r = 0, from = 0; r < x->nrows; r++) {
            put(&out, &out.rows, x->rows.p + from, x->ends[r] - from - 2); /* without CRLF */
            puts_(&out, &out.rows, cells);
            put(&out, &out.rows, "\r\n", 2);
            cells += strlen(cells) + 1;
            from = x->ends[r];
        }
    }
    if (out.failed) {
        free(out.rows.p);
        return NULL;
    }
    *len = out.rows.n;
    return out.rows.p;
}
