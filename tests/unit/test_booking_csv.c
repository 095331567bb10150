/* test_booking_csv.c — the CSV export's rows (app/booking_csv.h): RFC 4180
 * quoting and CRLF, cells a spreadsheet would run as formulas turned into
 * text, names of items, business-zone times, and price columns that appear
 * once a booking carries a `price` member (as bookings will once prices
 * exist), in the currency's major unit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/booking_csv.h"

static const char header[] = "id,status,start,end,timezone,duration_minutes,staff,agent_name,"
                             "agent_email,agent_phone,address,postal_code,services,packages,notes,"
                             "calendar,created,updated";

/* A snapshot holding what the export reads: the zone and two services. */
static snapshot *fake_snapshot(void)
{
    static snapshot_item services[2] = {{.id = 1, .name = "Photos"},
                                        {.id = 3, .name = "Drone, aerial"}};
    static snapshot s;
    memset(&s, 0, sizeof s);
    s.rules.tz = tz_zone_get("America/New_York");
    s.services = services;
    s.nservices = 2;
    return &s;
}

static json_t *booking(const char *json)
{
    json_error_t err;
    json_t *b = json_loads(json, 0, &err);
    assert_non_null(b);
    return b;
}

/* The export of BOOKINGS (JSON texts, NULL-terminated) as one string. */
static char *export(const char *const *bookings, size_t *len)
{
    booking_csv *x = booking_csv_new(fake_snapshot());
    assert_non_null(x);
    for (size_t i = 0; bookings[i]; i++) {
        json_t *b = booking(bookings[i]);
        assert_int_equal(booking_csv_add(x, b), 0);
        json_decref(b);
    }
    char *text = booking_csv_finish(x, len);
    booking_csv_free(x);
    assert_non_null(text);
    return text;
}

static const char plain[] =
    "{\"id\": \"7\", \"status\": \"confirmed\", \"start\": \"2030-06-04T10:00:00-04:00\","
    " \"end\": \"2030-06-04T11:30:00-04:00\", \"duration_minutes\": 90,"
    " \"staff\": [{\"id\": \"1\", \"name\": \"Ana Lima\"}, {\"id\": \"2\", \"name\": \"Ben Ode\"}],"
    " \"agent\": {\"name\": \"Zoë Zimmer\", \"email\": \"zoe@realty.test\", \"phone\": \"555 "
    "0100\"},"
    " \"property\": {\"address\": \"1 Main St\", \"postal_code\": \"10001\"},"
    " \"services\": [\"1\", \"3\"], \"packages\": [], \"notes\": \"\","
    " \"calendar\": {\"state\": \"synced\"}, \"created\": \"2030-06-03T08:00:00-04:00\","
    " \"updated\": \"2030-06-03T09:15:00-04:00\"}";

static void test_header_and_a_plain_row(void **state)
{
    (void)state;
    size_t len;
    const char *const in[] = {plain, NULL};
    char *text = export(in, &len);
    assert_int_equal(len, strlen(text));
    assert_string_equal(text, "id,status,start,end,timezone,duration_minutes,staff,agent_name,"
                              "agent_email,agent_phone,address,postal_code,services,packages,"
                              "notes,calendar,created,updated\r\n"
                              "7,confirmed,2030-06-04 10:00,2030-06-04 11:30,America/New_York,90,"
                              "Ana Lima; Ben Ode,Zoë Zimmer,zoe@realty.test,555 0100,1 Main St,"
                              "10001,\"Photos; Drone, aerial\",,,synced,2030-06-03 08:00,"
                              "2030-06-03 09:15\r\n");
    free(text);
}

static void test_quotes_line_ends_and_formulas(void **state)
{
    (void)state;
    size_t len;
    const char *const in[] = {
        "{\"id\": \"8\", \"agent\": {\"name\": \"=HYPERLINK(\\\"http://x\\\",\\\"y\\\")\","
        " \"email\": \"@evil\", \"phone\": \"+1 555\"},"
        " \"property\": {\"address\": \"-5 \\\"Quoted\\\" Rd\", \"postal_code\": \"\\t01101\"},"
        " \"notes\": \"Ring twice,\\r\\nthen wait\", \"staff\": [], \"services\": [\"99\"]}",
        NULL};
    char *text = export(in, &len);
    const char *row = text + strlen(header) + 2;
    assert_string_equal(row, "8,,,,America/New_York,0,,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","
                             "'@evil,'+1 555,\"'-5 \"\"Quoted\"\" Rd\",'\t01101,#99,,"
                             "\"Ring twice,\r\nthen wait\",,,\r\n");
    free(text);
}

static void test_price_columns_appear_with_the_first_price(void **state)
{
    (void)state;
    size_t len;
    const char *const in[] = {
        "{\"id\": \"1\", \"price\": {\"currency\": \"USD\", \"total\": 15050, \"lines\": []}}",
        "{\"id\": \"2\"}",
        "{\"id\": \"3\", \"price\": {\"currency\": \"JPY\", \"total\": 12000, \"lines\": []}}",
        "{\"id\": \"4\", \"price\": {\"currency\": \"KWD\", \"total\": 7, \"lines\": []}}", NULL};
    char *text = export(in, &len);
    char *eol = strstr(text, "\r\n");
    assert_non_null(eol);
    *eol = '\0';
    assert_string_equal(text, "id,status,start,end,timezone,duration_minutes,staff,agent_name,"
                              "agent_email,agent_phone,address,postal_code,services,packages,"
                              "notes,calendar,created,updated,price_total,currency");
    const char *rows = eol + 2;
    assert_string_equal(rows, "1,,,,America/New_York,0,,,,,,,,,,,,,150.50,USD\r\n"
                              "2,,,,America/New_York,0,,,,,,,,,,,,,,\r\n"
                              "3,,,,America/New_York,0,,,,,,,,,,,,,12000,JPY\r\n"
                              "4,,,,America/New_York,0,,,,,,,,,,,,,0.007,KWD\r\n");
    free(text);
}

static void test_no_bookings_is_the_header(void **state)
{
    (void)state;
    size_t len;
    const char *const in[] = {NULL};
    char *text = export(in, &len);
    assert_int_equal(len, strlen(header) + 2);
    assert_memory_equal(text, header, strlen(header));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_and_a_plain_row),
        cmocka_unit_test(test_quotes_line_ends_and_formulas),
        cmocka_unit_test(test_price_columns_appear_with_the_first_price),
        cmocka_unit_test(test_no_bookings_is_the_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
