/* test_feed.c — the staff ICS feed (src/cal/feed.c) on a real SQLite store:
 * it parses with libical, lists only that person's shoots, and each VEVENT
 * equals the one the outbox puts on the primary calendar (UID, SUMMARY,
 * LOCATION, DESCRIPTION, UTC times, STATUS, SEQUENCE). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <libical/ical.h>

#include "cal/event.h"
#include "cal/feed.h"
#include "cal/outbox.h"
#include "store/store.h"

static char tmpdir[64];

static int setup(void **state)
{
    char err[256];
    store *s = NULL;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tripod-feed-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    assert_int_equal(store_open(NULL, tmpdir, 0, &s, err, sizeof err), STORE_OK);
    assert_int_equal(store_migrate(s, err, sizeof err), STORE_OK);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    store_close(*state);
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static tp_time at(const char *rfc3339)
{
    tp_time t = 0;
    assert_int_equal(tz_parse_rfc3339(rfc3339, &t), 0);
    return t;
}

static int64_t doc(store_conn *c, store_kind k, const char *json)
{
    int64_t id = 0;
    assert_int_equal(store_doc_insert(c, k, json, &id), STORE_OK);
    return id;
}

static int64_t booking(store_conn *c, int64_t staff, int64_t service, const char *start,
                       const char *end, const char *status, int sequence, const char *address)
{
    char body[512];
    store_booking b;
    memset(&b, 0, sizeof b);
    snprintf(body, sizeof body,
             "{\"agent\":{\"name\":\"Ava Agent\",\"email\":\"ava@realty.test\",\"phone\":\"555\"},"
             "\"property\":{\"address\":\"%s\",\"postal_code\":\"10001\"},"
             "\"services\":[\"%lld\"],\"packages\":[],\"notes\":\"Gate; code, 42\"}",
             address, (long long)service);
    snprintf(b.status, sizeof b.status, "%s", status);
    snprintf(b.cal_state, sizeof b.cal_state, "pending");
    b.start = at(start);
    b.end = at(end);
    b.buffer_min = 30;
    b.staff[0] = staff;
    b.nstaff = 1;
    b.body = body;
    b.sequence = sequence;
    b.manage_hash[0] = (uint8_t)sequence; /* unique per booking here */
    b.manage_hash[1] = (uint8_t)address[0];
    b.created = b.updated = at("2030-06-01T00:00:00Z");
    assert_int_equal(store_booking_insert(c, &b), STORE_OK);
    return b.id;
}

/* What the application would say about these bookings (its snapshot names
 * the business, the service and the staff). */
static int test_facts(void *ctx, const store_booking *b, outbox_facts *f)
{
    (void)ctx;
    memset(f, 0, sizeof *f);
    f->business = "Lens & Co";
    f->organizer = "office@lens.test";
    f->link_base = "http://localhost:8080";
    f->tz = tz_zone_get("America/New_York");
    snprintf(f->what, sizeof f->what, "Photos");
    snprintf(f->agent_name, sizeof f->agent_name, "Ava Agent");
    snprintf(f->agent_email, sizeof f->agent_email, "ava@realty.test");
    snprintf(f->agent_phone, sizeof f->agent_phone, "555");
    snprintf(f->address, sizeof f->address, "%s",
             strstr(b->body, "1 Main St")  ? "1 Main St"
             : strstr(b->body, "9 Elm St") ? "9 Elm St"
                                           : "5 Oak St");
    snprintf(f->postal_code, sizeof f->postal_code, "10001");
    snprintf(f->notes, sizeof f->notes, "Gate; code, 42");
    f->people[f->npeople++] = (outbox_person){b->staff[0], "Ann", "ann@example.com"};
    return STORE_OK;
}

static icalcomponent *first_event(icalcomponent *cal)
{
    return icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
}

static icalcomponent *event_with_uid(icalcomponent *cal, const char *uid)
{
    for (icalcomponent *ev = first_event(cal); ev;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
        if (strcmp(icalcomponent_get_uid(ev), uid) == 0) return ev;
    return NULL;
}

/* The event_put payload the outbox queued for BOOKING, parsed. */
static icalcomponent *primary_event(store_conn *c, int64_t booking, tp_time now)
{
    store_outbox_item it;
    icalcomponent *cal = NULL;
    memset(&it, 0, sizeof it);
    while (store_outbox_claim(c, NULL, now, 60, &it) == STORE_OK) {
        json_t *p = json_loads(it.payload, 0, NULL);
        if (it.booking == booking && strcmp(it.kind, "event_put") == 0)
            cal = icalparser_parse_string(json_string_value(json_object_get(p, "ics")));
        assert_int_equal(store_outbox_done(c, it.id), STORE_OK);
        json_decref(p);
        store_outbox_clear(&it);
        if (cal) return cal;
    }
    fail_msg("no event_put for booking %lld", (long long)booking);
    return NULL;
}

static void same_property(icalcomponent *a, icalcomponent *b, icalproperty_kind k)
{
    icalproperty *pa = icalcomponent_get_first_property(a, k);
    icalproperty *pb = icalcomponent_get_first_property(b, k);
    assert_non_null(pa);
    assert_non_null(pb);
    assert_string_equal(icalproperty_get_value_as_string(pa), icalproperty_get_value_as_string(pb));
}

static void feed_equals_primary_and_parses(void **state)
{
    store_conn *c = store_acquire(*state);
    tp_time now = at("2030-06-02T12:00:00Z");
    assert_non_null(c);
    assert_int_equal(store_begin(c, 1), STORE_OK);
    assert_int_equal(store_settings_put(c, "{\"timezone\":\"America/New_York\","
                                           "\"business_name\":\"Lens & Co\"}"),
                     STORE_OK);
    int64_t ann = doc(c, STORE_STAFF, "{\"name\":\"Ann\",\"email\":\"ann@example.com\"}");
    int64_t bob = doc(c, STORE_STAFF, "{\"name\":\"Bob\",\"email\":\"bob@example.com\"}");
    int64_t photos = doc(c, STORE_SERVICE, "{\"name\":\"Photos\",\"duration_minutes\":60}");
    int64_t b1 = booking(c, ann, photos, "2030-06-03T13:00:00-04:00", "2030-06-03T14:00:00-04:00",
                         "confirmed", 2, "1 Main St");
    int64_t b2 = booking(c, ann, photos, "2030-11-04T09:00:00-05:00", "2030-11-04T10:00:00-05:00",
                         "cancelled", 1, "9 Elm St");
    booking(c, bob, photos, "2030-06-03T15:00:00-04:00", "2030-06-03T16:00:00-04:00", "confirmed",
            0, "5 Oak St");
    store_booking b;
    memset(&b, 0, sizeof b);
    assert_int_equal(store_booking_get(c, b1, &b), STORE_OK);
    outbox_facts facts;
    test_facts(NULL, &b, &facts);
    assert_int_equal(outbox_booking_changed(c, NULL, &b, &facts, NULL, now), STORE_OK);
    store_booking_clear(&b);
    assert_int_equal(store_commit(c), STORE_OK);

    int rc = -1;
    char *text = feed_staff_ics(c, ann, now, test_facts, NULL, &rc);
    assert_int_equal(rc, STORE_OK);
    assert_non_null(text);
    icalcomponent *feed = icalparser_parse_string(text);
    assert_non_null(feed);
    assert_int_equal(icalcomponent_isa(feed), ICAL_VCALENDAR_COMPONENT);
    assert_int_equal(icalcomponent_count_errors(feed), 0);
    assert_int_equal(icalcomponent_count_components(feed, ICAL_VEVENT_COMPONENT), 2);
    assert_int_equal(icalcomponent_get_method(feed), ICAL_METHOD_PUBLISH);

    char uid[64];
    icalcomponent *e1 = event_with_uid(feed, event_uid(b1, uid, sizeof uid));
    assert_non_null(e1);
    struct icaltimetype s = icalcomponent_get_dtstart(e1);
    assert_true(icaltime_is_utc(s));
    assert_int_equal(icaltime_as_timet(s), (time_t)at("2030-06-03T17:00:00Z"));
    assert_int_equal(icaltime_as_timet(icalcomponent_get_dtend(e1)),
                     (time_t)at("2030-06-03T18:00:00Z"));
    assert_int_equal(icalcomponent_get_status(e1), ICAL_STATUS_CONFIRMED);
    assert_int_equal(icalcomponent_get_sequence(e1), 2);
    assert_string_equal(icalcomponent_get_summary(e1), "Photos: 1 Main St 10001");
    assert_string_equal(icalcomponent_get_location(e1), "1 Main St 10001");
    assert_non_null(strstr(icalcomponent_get_description(e1), "Gate; code, 42"));

    icalcomponent *pcal = primary_event(c, b1, now);
    icalcomponent *p1 = first_event(pcal);
    assert_non_null(p1);
    static const icalproperty_kind same[] = {
        ICAL_UID_PROPERTY,         ICAL_SUMMARY_PROPERTY, ICAL_LOCATION_PROPERTY,
        ICAL_DESCRIPTION_PROPERTY, ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY,
        ICAL_SEQUENCE_PROPERTY,    ICAL_STATUS_PROPERTY,  ICAL_ORGANIZER_PROPERTY};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        same_property(e1, p1, same[i]);

    /* The cancelled one, across the November DST change: 09:00 EST = 14:00Z. */
    icalcomponent *e2 = event_with_uid(feed, event_uid(b2, uid, sizeof uid));
    assert_non_null(e2);
    assert_int_equal(icalcomponent_get_status(e2), ICAL_STATUS_CANCELLED);
    assert_int_equal(icaltime_as_timet(icalcomponent_get_dtstart(e2)),
                     (time_t)at("2030-11-04T14:00:00Z"));
    assert_int_equal(icalcomponent_get_sequence(e2), 1);
    assert_null(strstr(text, "5 Oak St"));

    icalcomponent_free(pcal);
    icalcomponent_free(feed);
    free(text);

    /* Someone without shoots gets an empty, valid calendar. */
    int64_t cid = 0;
    assert_int_equal(store_begin(c, 1), STORE_OK);
    cid = doc(c, STORE_STAFF, "{\"name\":\"Cid\",\"email\":\"cid@example.com\"}");
    assert_int_equal(store_commit(c), STORE_OK);
    text = feed_staff_ics(c, cid, now, test_facts, NULL, &rc);
    assert_int_equal(rc, STORE_OK);
    feed = icalparser_parse_string(text);
    assert_non_null(feed);
    assert_int_equal(icalcomponent_count_components(feed, ICAL_VEVENT_COMPONENT), 0);
    icalcomponent_free(feed);
    free(text);
    store_release(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(feed_equals_primary_and_parses, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
