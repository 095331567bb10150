"""CRUD of staff: defaults, hours and exceptions normalised, references that
must exist, the private ICS feed (key shown once, 401 without it)."""
import pytest
from icalendar import Calendar

from conftest import API


def test_staff_defaults(admin):
    r = admin.post(API + "/staff", json={"name": "Ann", "email": "ann@example.com"})
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["timezone"] is None  # the business zone
    assert s["hours"] is None  # the business default hours
    assert s["exceptions"] == [] and s["skills"] == [] and s["zones"] == []
    assert s["senior"] is False and s["active"] is True and s["rank"] == 0 and s["home"] is None
    assert s["feed_url"].startswith("http://") and "key=" in s["feed_url"]
    got = admin.get(API + f"/staff/{s['id']}").json()
    assert "feed_url" not in got and "_feed_key" not in got
    s.pop("feed_url")
    assert got == s


def test_staff_full_document(admin):
    drone = admin.post(API + "/skills", json={"name": "drone"}).json()
    zone = admin.post(API + "/zones", json={"name": "Z", "postal_codes": ["10001"]}).json()
    body = {
        "name": "Ben", "email": "ben@example.com", "timezone": "America/Chicago", "senior": True,
        "skills": [drone["id"]], "zones": [int(zone["id"])],
        "hours": {"mon": [["13:00", "24:00"], ["08:00", "12:00"]], "sat": [["10:00", "14:00"]]},
        "exceptions": [{"date": "2030-06-05", "off": True},
                       {"date": "2030-06-04", "hours": [["10:00", "14:00"]]}],
        "home": {"lat": 40.75, "lon": -73.98}, "rank": 2, "active": False}
    r = admin.post(API + "/staff", json=body)
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["zones"] == [zone["id"]] and s["skills"] == [drone["id"]]
    assert s["hours"]["mon"] == [["08:00", "12:00"], ["13:00", "24:00"]]
    assert s["hours"]["tue"] == [] and s["hours"]["sat"] == [["10:00", "14:00"]]
    assert s["exceptions"] == [{"date": "2030-06-04", "hours": [["10:00", "14:00"]]},
                               {"date": "2030-06-05", "off": True}]
    assert s["home"] == {"lat": 40.75, "lon": -73.98}
    assert (s["senior"], s["active"], s["rank"], s["timezone"]) == (True, False, 2, "America/Chicago")

    r = admin.patch(API + f"/staff/{s['id']}", json={"active": True, "hours": None})
    assert r.status_code == 200
    assert r.json()["active"] is True and r.json()["hours"] is None
    assert r.json()["skills"] == [drone["id"]]
    r = admin.put(API + f"/staff/{s['id']}", json={"name": "Ben", "email": "ben@example.com"})
    assert r.status_code == 200 and r.json()["skills"] == [] and r.json()["timezone"] is None


@pytest.mark.parametrize("patch,field", [
    ({"email": "not-an-email"}, "email"),
    ({"email": "a@b"}, "email"),
    ({"email": None}, "email"),
    ({"name": ""}, "name"),
    ({"timezone": "Atlantis/Capital"}, "timezone"),
    ({"hours": {"mon": [["09:00", "17:00"], ["16:00", "18:00"]]}}, "hours.mon"),
    ({"hours": {"mon": [["9:00", "17:00"]]}}, "hours.mon[0]"),
    ({"hours": {"mon": [["24:00", "24:00"]]}}, "hours.mon[0]"),
    ({"hours": {"mon": [["09:00", "09:00"]]}}, "hours.mon[0]"),
    ({"hours": {"mon": [["09:60", "10:00"]]}}, "hours.mon[0]"),
    ({"hours": {"mon": "09:00-17:00"}}, "hours.mon"),
    ({"hours": {"mon": [["00:00", "01:00"]] * 9}}, "hours.mon"),
    ({"hours": []}, "hours"),
    ({"exceptions": [{"date": "2030-02-30", "off": True}]}, "exceptions[0].date"),
    ({"exceptions": [{"date": "2030-06-04"}]}, "exceptions[0]"),
    ({"exceptions": [{"date": "2030-06-04", "off": True, "hours": []}]}, "exceptions[0]"),
    ({"exceptions": [{"date": "2030-06-04", "off": False}]}, "exceptions[0]"),
    ({"exceptions": [{"date": "2030-06-04", "off": True}, {"date": "2030-06-04", "off": True}]},
     "exceptions"),
    ({"exceptions": [{"date": "2030-06-04", "hours": [["14:00", "10:00"]]}]},
     "exceptions[0].hours[0]"),
    ({"skills": ["12345"]}, "skills"),
    ({"zones": ["12345"]}, "zones"),
    ({"home": {"lat": 91, "lon": 0}}, "home.lat"),
    ({"home": {"lat": 0}}, "home.lon"),
    ({"home": [40, -73]}, "home"),
    ({"rank": -1}, "rank"),
    ({"rank": "first"}, "rank"),
    ({"senior": 1}, "senior"),
    ({"nickname": "B"}, "nickname"),
])
def test_staff_validation_changes_nothing(admin, patch, field):
    s = admin.post(API + "/staff", json={"name": "Ann", "email": "ann@example.com"}).json()
    s.pop("feed_url")
    r = admin.patch(API + f"/staff/{s['id']}", json=patch)
    assert r.status_code == 422, (patch, r.text)
    assert r.json()["error"] == "validation" and r.json()["field"] == field, r.json()
    body = {"name": "New", "email": "new@example.com", **patch}
    r = admin.post(API + "/staff", json=body)
    assert r.status_code == 422 and r.json()["field"] == field
    assert admin.get(API + "/staff").json() == [s]


def test_staff_with_a_calendar_cannot_be_deleted(admin):
    s = admin.post(API + "/staff", json={"name": "Ann", "email": "ann@example.com"}).json()
    cal = admin.post(API + "/calendars", json={"owner": s["id"], "kind": "ics",
                                               "url": "https://example.com/ann.ics"}).json()
    r = admin.delete(API + f"/staff/{s['id']}")
    assert r.status_code == 409 and r.json()["error"] == "in_use" and "calendar" in r.json()["message"]
    assert admin.delete(API + f"/calendars/{cal['id']}").status_code == 204
    assert admin.delete(API + f"/staff/{s['id']}").status_code == 204
    assert admin.get(API + "/staff").json() == []


def test_feed_needs_its_key(admin, anon):
    a = admin.post(API + "/staff", json={"name": "Ann", "email": "ann@example.com"}).json()
    b = admin.post(API + "/staff", json={"name": "Bob", "email": "bob@example.com"}).json()
    key_a = a["feed_url"].split("key=")[1]
    key_b = b["feed_url"].split("key=")[1]
    assert key_a != key_b
    path = API + f"/staff/{a['id']}/calendar.ics"
    assert anon.get(path).status_code == 401
    assert anon.get(path, params={"key": "nope"}).status_code == 401
    assert anon.get(path, params={"key": key_b}).status_code == 401
    assert anon.get(API + "/staff/999/calendar.ics", params={"key": key_a}).status_code == 404
    r = anon.get(path, params={"key": key_a})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    assert cal["VERSION"] == "2.0" and not cal.walk("VEVENT")
    # The key survives edits of the staff member.
    admin.put(API + f"/staff/{a['id']}", json={"name": "Ann B", "email": "ann@example.com"})
    assert anon.get(path, params={"key": key_a}).status_code == 200


def test_feed_lists_the_staff_members_bookings(server, admin, anon):
    admin.put(API + "/settings", json={"integrated_booking": True})
    svc = admin.post(API + "/services", json={"name": "Photos", "duration_minutes": 60}).json()
    ann = admin.post(API + "/staff", json={"name": "Ann", "email": "ann@example.com"}).json()
    admin.post(API + "/calendars", json={"owner": ann["id"], "kind": "ics",
                                         "url": "https://example.com/ann.ics"})
    admin.post(API + "/calendars", json={"owner": "business", "kind": "ics",
                                         "url": "https://example.com/biz.ics", "primary": True})
    r = anon.post(API + "/bookings", json={
        "agent": {"name": "Agent", "email": "agent@example.com", "phone": "555"},
        "property": {"address": "1 Main St", "postal_code": "10001"},
        "services": [svc["id"]], "start": "2030-06-04T10:00:00-04:00"})
    assert r.status_code == 201, r.text
    key = ann["feed_url"].split("key=")[1]
    cal = Calendar.from_ical(anon.get(API + f"/staff/{ann['id']}/calendar.ics",
                                      params={"key": key}).content)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    assert "1 Main St" in str(events[0]["SUMMARY"])
    assert events[0].decoded("DTSTART").isoformat() == "2030-06-04T14:00:00+00:00"


def test_the_feed_link_can_be_shown_again_and_replaced(admin, anon):
    """The console shows each member's feed link (kept sealed, not only in the
    create answer) and can replace it: the old key stops working at once."""
    s = admin.post(API + "/staff", json={"name": "Ann", "email": "ann@example.com"}).json()
    shown = admin.get(API + f"/staff/{s['id']}/feed-key")
    assert shown.status_code == 200 and shown.json() == {"url": s["feed_url"]}
    assert anon.get(API + f"/staff/{s['id']}/feed-key").status_code == 401
    new = admin.post(API + f"/staff/{s['id']}/feed-key")
    assert new.status_code == 200 and new.json()["url"] != s["feed_url"]
    assert admin.get(API + f"/staff/{s['id']}/feed-key").json() == new.json()
    path = lambda url: url.split("/api/v1")[1]  # noqa: E731
    assert anon.get(API + path(s["feed_url"])).status_code == 401
    assert anon.get(API + path(new.json()["url"])).status_code == 200
    # Editing the member keeps the link.
    assert admin.patch(API + f"/staff/{s['id']}", json={"senior": True}).status_code == 200
    assert admin.get(API + f"/staff/{s['id']}/feed-key").json() == new.json()
    got = admin.get(API + f"/staff/{s['id']}").json()
    assert not any(k.startswith("_") or k == "feed_url" for k in got)
    for method in ("get", "post"):
        assert getattr(admin, method)(API + "/staff/999/feed-key").status_code == 404
