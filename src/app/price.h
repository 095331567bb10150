/* price.h — what a request costs in the business currency: one line per
 * requested item at its price (a size tier's price when the property's size
 * picks that tier), a service that a requested package already contains at
 * no charge, and the total. The one quote availability, bookings and the
 * pages share; a booking keeps the quote it was made with. */
#ifndef TRIPOD_PRICE_H
#define TRIPOD_PRICE_H

#include <jansson.h>

#include "app/avail_request.h"

/* The quote of Q's items and property: {currency, total, lines:[{name,
 * amount, included_in?}]} with amounts in minor units; a covered service
 * (avail_item_covered) has amount 0 and names the package in included_in,
 * one asked for twice appears once. JSON null when an item that counts has
 * no price. New reference; NULL when memory ran out. */
json_t *price_quote(const avail_request *q);

/* Decimal places of ISO 4217 currency CURRENCY's minor unit: 0 (JPY, KRW,
 * …) and 3 (BHD, KWD, …) for the currencies listed in price.c, 2 for every
 * other: the decimals of the major unit an amount in minor units has. */
int price_digits(const char *currency);

/* AMOUNT minor units of CURRENCY in its major unit as plain decimal text
 * ("1234.50", "-0.25", "1234" for JPY: price_digits decimals),
 * as exports write it. Writes into OUT (LEN bytes) and returns OUT. */
const char *price_decimal(const char *currency, int64_t amount, char *out, size_t len);

/* AMOUNT minor units of CURRENCY as mails show it: "$1,234.50" ($, € and £
 * by symbol, other currencies by code: "1,234.50 CHF", "1,234 JPY";
 * price_digits decimals). Writes into OUT (LEN bytes) and returns OUT. */
const char *price_text(const char *currency, int64_t amount, char *out, size_t len);

#endif
