"""What the calendar e2e tests share: a real Radicale and a real SMTP sink as
pytest fixtures (import them into a test module), a server wired to both,
and helpers to put events into Radicale and wait for mail and events.

The server clock is conftest.DEFAULT_NOW (Monday 2030-06-03 08:00 New York).
"""
import os
import sys
import tempfile
import time

import pytest
from icalendar import Calendar

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
from radicale_server import Radicale  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

from bookseed import API, hours, ok, service, settings  # noqa: E402

USERS = {"biz": "bizpw", "ann": "annpw", "bob": "bobpw"}

EVENT = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//tests//EN\r
BEGIN:VEVENT\r
UID:{uid}\r
DTSTAMP:20300101T000000Z\r
SUMMARY:{summary}\r
DTSTART;TZID=America/New_York:{start}\r
DTEND;TZID=America/New_York:{end}\r
{extra}END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture
def radicale():
    srv = Radicale(USERS).start()
    srv.mkcalendar("biz", "primary")
    srv.mkcalendar("ann", "work")
    srv.mkcalendar("bob", "work")
    yield srv
    srv.close()


@pytest.fixture
def sink():
    with tempfile.TemporaryDirectory(prefix="tripod-sink-") as d:
        s = SmtpSink(d).start()
        yield s
        s.stop()


def cal_env(sink, **extra):
    env = {"TRIPOD_SMTP_URL": sink.url, "TRIPOD_MAIL_FROM": "office@media.test",
           "TRIPOD_SYNC_INTERVAL": "3600"}
    env.update(extra)
    return env


def put_event(radicale, user, uid, summary, start, end, extra=""):
    """An event in USER's "work" calendar; START/END are New York wall times."""
    radicale.put(user, "work", uid + ".ics",
                 EVENT.format(uid=uid, summary=summary, start=start, end=end, extra=extra))


def primary(admin, radicale):
    return ok(admin.post(API + "/calendars", json={
        "owner": "business", "kind": "caldav", "url": radicale.url("biz", "primary"),
        "username": "biz", "password": USERS["biz"], "primary": True}), 201)["id"]


def person(admin, radicale, user, **kw):
    """Staff member USER with their Radicale calendar.
    Returns (staff id, calendar id, private feed URL)."""
    body = {"name": user.capitalize(), "email": f"{user}@example.com", "hours": hours()}
    body.update(kw)
    staff = ok(admin.post(API + "/staff", json=body), 201)
    cal = ok(admin.post(API + "/calendars", json={
        "owner": staff["id"], "kind": "caldav", "url": radicale.url(user, "work"),
        "username": user, "password": USERS[user]}), 201)["id"]
    return staff["id"], cal, staff["feed_url"]


def business(admin, radicale, people=("ann",)):
    """Booking on, the primary calendar, Photos (60 min) and PEOPLE with calendars.
    Returns (photos id, {user: (staff id, calendar id, feed URL)})."""
    settings(admin)
    primary(admin, radicale)
    photos = service(admin, "Photos", 60)
    return photos, {u: person(admin, radicale, u) for u in people}


def sync(admin, cal):
    return ok(admin.post(API + f"/calendars/{cal}/sync"))


def agent_booking(photos, start, address="1 Main St"):
    return {"agent": {"name": "Ava Agent", "email": "ava@realty.test", "phone": "555"},
            "property": {"address": address, "postal_code": "10001"},
            "services": [photos], "start": start, "notes": "Gate code 42"}


def wait(fn, timeout=30, step=0.2):
    """FN() until it returns something true; that value, or the last one."""
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() > deadline:
            return v
        time.sleep(step)


def primary_event(radicale, booking_id):
    """The booking's VEVENT on the primary calendar, or None."""
    text = radicale.get("biz", "primary", f"tripod-booking-{booking_id}@tripod.ics")
    if not text:
        return None
    return next(iter(Calendar.from_ical(text).walk("VEVENT")))


def itip(msg):
    """(METHOD, VEVENT) of a mail's text/calendar part."""
    parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, msg
    cal = Calendar.from_ical(parts[0].get_content())
    return str(cal["METHOD"]), next(iter(cal.walk("VEVENT")))


def mails_to(sink, addr):
    return [m for m in sink.messages() if m["X-Rcpt-To"] == addr]
