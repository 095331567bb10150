/* price.c — the quote of a request (price.h): items, tiers and packages
 * priced with the same notion of "contained" as the engine's length. */
#include "app/price.h"

#include <stdio.h>
#include <string.h>

/* The package among Q's items that contains service item I, or NULL. */
static const snapshot_item *containing_package(const avail_request *q, size_t i)
{
    for (size_t k = 0; k < q->nitems; k++)
        for (size_t j = 0; q->is_package[k] && j < q->items[k].ncontains; j++)
            if (q->items[k].contains[j] == q->items[i].service_id) return q->refs[k];
    return NULL;
}

/* The price of item I of Q for its property: -1 when none is set. */
static int64_t item_price(const avail_request *q, size_t i)
{
    const snapshot_item *it = q->refs[i];
    int t = q->is_package[i] ? -1 : avail_item_tier(&q->items[i], q->prop.sqft);
    if (t >= 0 && it->tier_prices && it->tier_prices[t] >= 0) return it->tier_prices[t];
    return it->price;
}

json_t *price_quote(const avail_request *q)
{
    json_t *lines = json_array();
    int64_t total = 0;
    if (!lines) return NULL;
    for (size_t i = 0; i < q->nitems; i++) {
        json_t *line;
        if (avail_item_covered(q->items, q->nitems, i)) {
            const snapshot_item *pkg = containing_package(q, i);
            if (!pkg) continue; /* the same service again: already a line */
            line = json_pack("{s:s, s:i, s:s}", "name", q->refs[i]->name, "amount", 0,
                             "included_in", pkg->name);
        } else {
            int64_t amount = item_price(q, i);
            if (amount < 0) {
                json_decref(lines);
                return json_null();
            }
            total += amount;
            line = json_pack("{s:s, s:I}", "name", q->refs[i]->name, "amount", (json_int_t)amount);
        }
        if (!line || json_array_append_new(lines, line) != 0) {
            json_decref(lines);
            return NULL;
        }
    }
    return json_pack("{s:s, s:I, s:o}", "currency", q->m->currency, "total", (json_int_t)total,
                     "lines", lines);
}

int price_digits(const char *currency)
{
    static const char zero[] = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF";
    static const char three[] = "BHD IQD JOD KWD LYD OMR TND";
    if (!currency || strlen(currency) != 3) return 2;
    if (strstr(zero, currency)) return 0;
    if (strstr(three, currency)) return 3;
    return 2;
}

const char *price_decimal(const char *currency, int64_t amount, char *out, size_t len)
{
    int digits = price_digits(currency);
    long long unit = 1, v = (long long)(amount < 0 ? -amount : amount);
    for (int i = 0; i < digits; i++)
        unit *= 10;
    if (digits)
        snprintf(out, len, "%s%lld.%0*lld", amount < 0 ? "-" : "", v / unit, digits, v % unit);
    else
        snprintf(out, len, "%s%lld", amount < 0 ? "-" : "", v);
    return out;
}

const char *price_text(const char *currency, int64_t amount, char *out, size_t len)
{
    const char *cur = currency && *currency ? currency : "USD";
    const char *sym = strcmp(cur, "USD") == 0   ? "$"
                      : strcmp(cur, "EUR") == 0 ? "€"
                      : strcmp(cur, "GBP") == 0 ? "£"
                                                : "";
    char num[48], grouped[72];
    price_decimal(cur, amount < 0 ? -amount : amount, num, sizeof num);
    size_t n = strcspn(num, "."), g = 0;
    for (size_t i = 0; i < n && g + 2 < sizeof grouped; i++) {
        if (i && (n - i) % 3 == 0) grouped[g++] = ',';
        grouped[g++] = num[i];
    }
    snprintf(grouped + g, sizeof grouped - g, "%s", num + n); /* the decimals */
    snprintf(out, len, "%s%s%s%s%s", amount < 0 ? "-" : "", sym, grouped, *sym ? "" : " ",
             *sym ? "" : cur);
    return out;
}
