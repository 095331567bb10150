/* feed.c — a staff member's private ICS feed of their shoots: each booking
 * as the very VEVENT the primary calendar holds (outbox_booking_vevent). */
#include "cal/feed.h"

#include <stdlib.h>
#include <string.h>

#include "cal/outbox.h"
#include "core/array.h"

typedef struct {
    int64_t *ids;
    size_t n, cap;
} feed_ids;

static int feed_collect(void *ctx, const store_booking *b)
{
    feed_ids *x = ctx;
    if (ARRAY_RESERVE(x->ids, x->cap, x->n + 1, 64) != 0) return STORE_ERROR;
    x->ids[x->n++] = b->id;
    return 0;
}

char *feed_staff_ics(store_conn *c, int64_t staff, tp_time now, feed_facts_fn facts, void *ctx,
                     int *rc)
{
    feed_ids x = {0};
    store_booking_filter f = {.staff = staff};
    char *text = NULL;
    icalcomponent *cal = icalcomponent_new_vcalendar();
    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_prodid("-//Tripod//Staff feed//EN"));
    icalcomponent_add_property(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
    *rc = store_booking_list(c, &f, feed_collect, &x);
    for (size_t i = 0; *rc == STORE_OK && i < x.n; i++) {
        store_booking b;
        memset(&b, 0, sizeof b);
        outbox_facts names;
        *rc = store_booking_get(c, x.ids[i], &b);
        if (*rc == STORE_OK) *rc = facts(ctx, &b, &names);
        icalcomponent *ev = *rc == STORE_OK ? outbox_booking_vevent(&b, &names, now) : NULL;
        if (ev)
            icalcomponent_add_component(cal, ev);
        else if (*rc == STORE_OK)
            *rc = STORE_ERROR;
        store_booking_clear(&b);
    }
    if (*rc == STORE_OK && !(text = icalcomponent_as_ical_string_r(cal))) *rc = STORE_ERROR;
    icalcomponent_free(cal);
    free(x.ids);
    return text;
}
