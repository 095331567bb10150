"""Calendars end to end: a real Radicale (staff and primary calendars) and a
real SMTP sink, started here, with the real `tripod serve`: sync turns events
into busy time, a failing calendar keeps its error to itself, and a booking
puts its event on the primary calendar and mails one REQUEST per attendee."""
import time

import pytest
from icalendar import Calendar

from bookseed import API, MON, at, hours, ok, service, settings
from calseed import cal_env, put_event, radicale, sink  # noqa: F401  (fixtures)


@pytest.fixture
def cal_server(make_server, sink):
    return make_server(env=cal_env(sink))


def setup_business(admin, radicale, ann_password="annpw"):
    settings(admin)
    ok(admin.post(API + "/calendars", json={
        "owner": "business", "kind": "caldav", "url": radicale.url("biz", "primary"),
        "username": "biz", "password": "bizpw", "primary": True}), 201)
    photos = service(admin, "Photos", 60)
    ann = ok(admin.post(API + "/staff", json={"name": "Ann", "email": "ann@example.com",
                                              "hours": hours()}), 201)["id"]
    cal = ok(admin.post(API + "/calendars", json={
        "owner": ann, "kind": "caldav", "url": radicale.url("ann", "work"),
        "username": "ann", "password": ann_password}), 201)["id"]
    return photos, ann, cal


def starts(anon, photos):
    body = ok(anon.get(API + "/availability", params={"services": photos, "from": MON, "to": MON}))
    return [s["start"] for s in body["slots"]]


def test_sync_blocks_busy_time_and_failures_keep_last_good(cal_server, radicale):
    admin = cal_server.client(cal_server.token)
    anon = cal_server.client()
    photos, ann, cal = setup_business(admin, radicale)
    put_event(radicale, "ann", "dentist", "Dentist", "20300603T110000", "20300603T120000")
    put_event(radicale, "ann", "reminder", "Reminder", "20300603T140000", "20300603T150000",
              "TRANSP:TRANSPARENT\r\n")
    r = ok(admin.post(API + f"/calendars/{cal}/sync"))
    assert r["events"] == 1
    got = starts(anon, photos)
    # 11:00-12:00 busy with 30 min buffers: 10:00 (ends 11:30) and 11:30 are gone.
    assert at(MON, "09:30") in got and at(MON, "12:30") in got
    assert at(MON, "10:00") not in got and at(MON, "11:30") not in got
    assert at(MON, "14:00") in got  # transparent

    # The server breaks: a wrong password now. The busy time from the last good sync stays.
    ok(admin.patch(API + f"/calendars/{cal}", json={"password": "wrong"}))
    r = admin.post(API + f"/calendars/{cal}/sync")
    assert r.status_code == 502 and "401" in r.json()["message"]
    doc = ok(admin.get(API + f"/calendars/{cal}"))
    assert "401" in doc["last_error"] and doc["last_sync"] is not None and doc["events"] == 1
    assert at(MON, "10:00") not in starts(anon, photos)


def test_booking_writes_event_and_mails_request(cal_server, radicale, sink):
    admin = cal_server.client(cal_server.token)
    anon = cal_server.client()
    photos, ann, cal = setup_business(admin, radicale)
    ok(admin.post(API + f"/calendars/{cal}/sync"))
    b = ok(anon.post(API + "/bookings", json={
        "agent": {"name": "Ava Agent", "email": "ava@realty.test", "phone": "555"},
        "property": {"address": "1 Main St", "postal_code": "10001"},
        "services": [photos], "start": at(MON, "13:00"), "notes": "Gate code 42"}), 201)
    msgs = sink.wait_for(2)
    assert sorted(m["X-Rcpt-To"] for m in msgs) == ["ann@example.com", "ava@realty.test"]
    for m in msgs:
        parts = [p for p in m.walk() if p.get_content_type() == "text/calendar"]
        assert len(parts) == 1 and parts[0].get_param("method") == "REQUEST"
        ical = Calendar.from_ical(parts[0].get_content())
        assert str(ical["METHOD"]) == "REQUEST"
    text = None
    for _ in range(50):
        text = radicale.get("biz", "primary", f"tripod-booking-{b['id']}@tripod.ics")
        if text:
            break
        time.sleep(0.2)
    ev = next(c for c in Calendar.from_ical(text).walk("VEVENT"))
    assert str(ev["ORGANIZER"]).lower() == "mailto:office@media.test"
    attendees = sorted(str(a).lower() for a in ev["ATTENDEE"])
    assert attendees == ["mailto:ann@example.com", "mailto:ava@realty.test"]
    assert "1 Main St" in str(ev["LOCATION"]) and int(ev["SEQUENCE"]) == 0
    assert ev["DTSTART"].dt.isoformat() == "2030-06-03T17:00:00+00:00"
    for _ in range(50):
        state = ok(admin.get(API + f"/bookings/{b['id']}"))["calendar"]["state"]
        if state == "synced":
            break
        time.sleep(0.2)
    assert state == "synced"
