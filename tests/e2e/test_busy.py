"""GET /busy: the synced calendar busy time of each staff member for the admin
schedule, from real ICS feeds served here and synced by the real server."""
import time

import pytest

from bookseed import API, MON, TUE, ok, settings, staff
from calseed import wait
from feedseed import allday, ev, feeds, ics_calendar  # noqa: F401  (feeds is a fixture)


def test_busy_lists_each_staff_members_synced_events(admin, feeds):
    settings(admin)
    feeds.put("/biz.ics", ev("biz-1", "Office party", "20300603T120000", "20300603T130000"))
    feeds.put("/ann.ics",
              ev("ann-1", "Dentist", "20300603T100000", "20300603T110000"),
              ev("tripod-booking-7@tripod", "Shoot at 1 Main St", "20300603T140000", "20300603T150000"),
              ev("ann-2", "Late call", "20300603T233000", "20300604T003000"),
              ev("ann-3", "School run", "20300605T080000", "20300605T090000"))
    feeds.put("/bob.ics", ev("bob-1", "Gym", "20300604T070000", "20300604T080000"))
    ics_calendar(admin, feeds, "business", "/biz.ics", primary=True)
    ann = staff(admin, "Ann", with_calendar=False)
    bob = staff(admin, "Bob", with_calendar=False)
    ann_cal = ics_calendar(admin, feeds, ann, "/ann.ics")
    bob_cal = ics_calendar(admin, feeds, bob, "/bob.ics")

    body = ok(admin.get(API + "/busy", params={"from": MON, "to": MON}))
    # The business calendar and Tripod's own booking events are not staff busy time.
    assert body == {"busy": [
        {"staff": ann, "calendar": ann_cal, "start": "2030-06-03T10:00:00-04:00",
         "end": "2030-06-03T11:00:00-04:00", "summary": "Dentist"},
        {"staff": ann, "calendar": ann_cal, "start": "2030-06-03T23:30:00-04:00",
         "end": "2030-06-04T00:30:00-04:00", "summary": "Late call"}]}
    # Tuesday holds the end of the late call and Bob's gym; the staff filter keeps one person.
    tue = ok(admin.get(API + "/busy", params={"from": TUE, "to": TUE}))["busy"]
    assert [(b["staff"], b["summary"]) for b in tue] == [(ann, "Late call"), (bob, "Gym")]
    week = ok(admin.get(API + "/busy", params={"from": MON, "to": "2030-06-09", "staff": ann}))["busy"]
    assert [b["summary"] for b in week] == ["Dentist", "Late call", "School run"]
    assert ok(admin.get(API + "/busy", params={"from": "2030-06-10", "to": "2030-06-16"})) == {"busy": []}
    # With no dates: today (the server clock's business day, Monday).
    assert ok(admin.get(API + "/busy")) == body

    # A resync replaces the busy time.
    feeds.put("/ann.ics", ev("ann-4", "Viewing", "20300603T150000", "20300603T153000"))
    ok(admin.post(API + f"/calendars/{ann_cal}/sync"))
    body = ok(admin.get(API + "/busy", params={"from": MON, "staff": ann}))
    assert [(b["summary"], b["start"]) for b in body["busy"]] == [("Viewing", "2030-06-03T15:00:00-04:00")]


@pytest.mark.parametrize("params, status, field", [
    ({"from": "2030-6-3"}, 422, "from"),
    ({"from": MON, "to": "tomorrow"}, 422, "to"),
    ({"from": TUE, "to": MON}, 422, "to"),
    ({"from": MON, "to": "2030-09-30"}, 422, "to"),
    ({"from": MON, "staff": "abc"}, 422, "staff"),
    ({"from": MON, "staff": "999"}, 404, "staff"),
])
def test_busy_refuses_bad_queries(admin, params, status, field):
    r = admin.get(API + "/busy", params=params)
    assert r.status_code == status, r.text
    assert r.json()["field"] == field


def test_busy_needs_an_admin_token(anon):
    assert anon.get(API + "/busy").status_code == 401


def test_a_new_calendar_is_synced_at_once_without_waiting_for_the_interval(make_server, feeds):
    srv = make_server(env={"TRIPOD_SYNC_INTERVAL": "3600"})
    admin = srv.client(srv.token)
    settings(admin)
    time.sleep(1)  # the sync loop's first pass (no calendars yet) is over
    ann = staff(admin, "Ann", with_calendar=False)
    feeds.put("/ann.ics", ev("ann-1", "Dentist", "20300603T100000", "20300603T110000"))
    cal = ok(admin.post(API + "/calendars", json={
        "owner": ann, "kind": "ics", "url": feeds.url("/ann.ics")}), 201)["id"]
    got = wait(lambda: ok(admin.get(API + f"/calendars/{cal}"))["last_sync"], timeout=10)
    assert got, "a new calendar waited for the hourly sync"
    body = ok(admin.get(API + "/busy", params={"from": MON, "to": MON}))
    assert [b["summary"] for b in body["busy"]] == ["Dentist"]


def test_an_all_day_event_covers_its_own_dates_in_the_staff_members_zone(admin, feeds):
    """A Thursday "Day off" is Thursday in the person's own zone: from their
    midnight to the next, marked all-day with that one date, whatever the
    business zone's clock says (the schedule draws it on that date only)."""
    settings(admin)
    feeds.put("/ann.ics", allday("ann-off", "Day off", "20300606", "20300607"))
    feeds.put("/lee.ics", allday("lee-off", "Day off", "20300606", "20300607"))
    ann = staff(admin, "Ann", with_calendar=False)
    lee = staff(admin, "Lee", with_calendar=False, timezone="America/Los_Angeles")
    ics_calendar(admin, feeds, ann, "/ann.ics")
    ics_calendar(admin, feeds, lee, "/lee.ics")
    week = ok(admin.get(API + "/busy", params={"from": MON, "to": "2030-06-09"}))["busy"]
    assert week == [
        {"staff": ann, "calendar": week[0]["calendar"], "start": "2030-06-06T00:00:00-04:00",
         "end": "2030-06-07T00:00:00-04:00", "summary": "Day off", "all_day": True,
         "from_date": "2030-06-06", "to_date": "2030-06-06"},
        {"staff": lee, "calendar": week[1]["calendar"], "start": "2030-06-06T03:00:00-04:00",
         "end": "2030-06-07T03:00:00-04:00", "summary": "Day off", "all_day": True,
         "from_date": "2030-06-06", "to_date": "2030-06-06"}]
    # Friday in New York holds only the last three hours of Lee's Thursday.
    fri = ok(admin.get(API + "/busy", params={"from": "2030-06-07", "to": "2030-06-07"}))["busy"]
    assert [(b["staff"], b["to_date"]) for b in fri] == [(lee, "2030-06-06")]
