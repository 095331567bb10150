"""What a booking's changes do outside Tripod, against a real Radicale and a
real SMTP sink: reschedule bumps SEQUENCE on the primary calendar and mails
REQUESTs, reassign CANCELs the removed photographer, cancel cancels the event
for everyone; an outage delays delivery (exactly once later), the manage
token is never stored in the clear, and the staff feed matches the event."""
import os
import sqlite3
import tempfile
import time

import pytest
import requests
from icalendar import Calendar

from bookseed import API, MON, TUE, at, ok
from calseed import (agent_booking, business, cal_env, itip, mails_to, primary_event,  # noqa: F401
                     radicale, sink, sync, wait)
from smtp_sink import SmtpSink, free_port

FAST = {"TRIPOD_OUTBOX_BACKOFF_BASE": "1", "TRIPOD_OUTBOX_BACKOFF_MAX": "2"}
PG = os.environ.get("TRIPOD_TEST_DB", "").startswith("postgres")


def synced(admin, booking_id):
    return wait(lambda: ok(admin.get(API + f"/bookings/{booking_id}"))["calendar"]["state"]
                == "synced")


def event_with(radicale, booking_id, **want):
    """Waits until the primary event has every property in WANT; returns it."""
    def check():
        ev = primary_event(radicale, booking_id)
        if ev is None:
            return None
        return ev if all(str(ev.get(k)) == str(v) for k, v in want.items()) else None
    return wait(check)


def methods(sink, addr):
    return [itip(m)[0] for m in mails_to(sink, addr)]


def test_reschedule_reassign_cancel_and_feed(make_server, radicale, sink):
    srv = make_server(env=cal_env(sink, **FAST))
    admin, anon = srv.client(srv.token), srv.client()
    photos, people = business(admin, radicale, ("ann", "bob"))
    for p in people.values():
        sync(admin, p[1])
    b = ok(anon.post(API + "/bookings", json=agent_booking(photos, at(MON, "10:00"))), 201)
    assert [s["id"] for s in b["staff"]] == [people["ann"][0]]
    assert synced(admin, b["id"])
    assert int(event_with(radicale, b["id"], SEQUENCE=0)["SEQUENCE"]) == 0

    # Reschedule: SEQUENCE 1 on the calendar, a REQUEST with SEQUENCE 1 to both.
    ok(admin.patch(API + f"/bookings/{b['id']}", json={"start": at(TUE, "11:00")}))
    ev = event_with(radicale, b["id"], SEQUENCE=1)
    assert ev is not None and ev.decoded("DTSTART").isoformat() == "2030-06-04T15:00:00+00:00"
    assert synced(admin, b["id"])
    assert methods(sink, "ava@realty.test") == ["REQUEST", "REQUEST"]
    assert methods(sink, "ann@example.com") == ["REQUEST", "REQUEST"]
    method, mev = itip(mails_to(sink, "ann@example.com")[-1])
    assert int(mev["SEQUENCE"]) == 1 and str(mev["UID"]) == str(ev["UID"])

    # Reassign to Bob: CANCEL to Ann only, REQUEST to Bob and the agent.
    ok(admin.patch(API + f"/bookings/{b['id']}", json={"staff": [people["bob"][0]]}))
    ev = event_with(radicale, b["id"], SEQUENCE=2)
    attendees = sorted(str(a).lower() for a in ev["ATTENDEE"])
    assert attendees == ["mailto:ava@realty.test", "mailto:bob@example.com"]
    assert synced(admin, b["id"])
    assert methods(sink, "ann@example.com") == ["REQUEST", "REQUEST", "CANCEL"]
    _, cancel = itip(mails_to(sink, "ann@example.com")[-1])
    assert [str(a).lower() for a in [cancel["ATTENDEE"]]] == ["mailto:ann@example.com"]
    assert methods(sink, "bob@example.com") == ["REQUEST"]
    assert methods(sink, "ava@realty.test") == ["REQUEST"] * 3

    # Bob's private feed holds the very same event (python3-icalendar parses it).
    feed = Calendar.from_ical(requests.get(people["bob"][2], timeout=10).content)
    fev = [e for e in feed.walk("VEVENT")]
    assert len(fev) == 1
    for key in ("UID", "SUMMARY", "LOCATION", "DESCRIPTION", "SEQUENCE", "STATUS"):
        assert str(fev[0][key]) == str(ev[key]), key
    assert fev[0].decoded("DTSTART") == ev.decoded("DTSTART")
    assert fev[0].decoded("DTSTART").utcoffset().total_seconds() == 0
    assert fev[0].decoded("DTEND") == ev.decoded("DTEND")
    assert not Calendar.from_ical(requests.get(people["ann"][2], timeout=10).content).walk("VEVENT")

    # Cancel: the event says CANCELLED, CANCEL to everyone still on it.
    ok(admin.delete(API + f"/bookings/{b['id']}"))
    ev = event_with(radicale, b["id"], STATUS="CANCELLED")
    assert ev is not None and int(ev["SEQUENCE"]) == 3
    assert synced(admin, b["id"])
    assert methods(sink, "bob@example.com") == ["REQUEST", "CANCEL"]
    assert methods(sink, "ava@realty.test") == ["REQUEST"] * 3 + ["CANCEL"]
    assert methods(sink, "ann@example.com") == ["REQUEST", "REQUEST", "CANCEL"]
    feed = Calendar.from_ical(requests.get(people["bob"][2], timeout=10).content)
    assert [str(e["STATUS"]) for e in feed.walk("VEVENT")] == ["CANCELLED"]


def db_text(srv):
    """Every value of every table of the SQLite file, as one string."""
    db = sqlite3.connect(os.path.join(srv.data_dir, "tripod.db"))
    try:
        out = []
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for t in tables:
            for row in db.execute(f'SELECT * FROM "{t}"'):
                out.extend(str(v) for v in row)
        return "\n".join(out)
    finally:
        db.close()


def test_outage_delays_delivery_exactly_once_and_token_is_never_stored(make_server, radicale):
    with tempfile.TemporaryDirectory(prefix="tripod-sink-") as d:
        sink = SmtpSink(d, port=free_port())  # not started yet: mail is down
        srv = make_server(env=cal_env(sink, **FAST))
        admin, anon = srv.client(srv.token), srv.client()
        photos, people = business(admin, radicale)
        sync(admin, people["ann"][1])
        radicale.stop()
        b = ok(anon.post(API + "/bookings", json=agent_booking(photos, at(MON, "10:00"))), 201)
        token = b["manage_token"]
        state = wait(lambda: (lambda c: c if c["state"] == "failing" else None)(
            ok(admin.get(API + f"/bookings/{b['id']}"))["calendar"]))
        assert state and state["state"] == "failing", state
        time.sleep(3)  # several failed attempts under the short backoff
        if not PG:
            text = db_text(srv)
            assert token not in text
            assert "manage_sealed" in text  # the pending mail carries it sealed

        radicale.start()
        sink.start()
        try:
            assert synced(admin, b["id"])
            assert primary_event(radicale, b["id"]) is not None
            time.sleep(3)  # long enough for any duplicate to show up
            msgs = sink.messages()
            assert sorted(m["X-Rcpt-To"] for m in msgs) == ["ann@example.com", "ava@realty.test"]
            agent_mail = mails_to(sink, "ava@realty.test")[0]
            body = agent_mail.get_body(("plain",)).get_content()
            assert f"/manage/{token}" in body
            assert token not in mails_to(sink, "ann@example.com")[0].as_string()
            if not PG:
                text = db_text(srv)
                assert token not in text and "manage_sealed" not in text
        finally:
            sink.stop()
        assert token not in srv.log()


@pytest.mark.skipif(PG, reason="reads the SQLite file")
def test_delivered_items_keep_no_payload(make_server, radicale, sink):
    srv = make_server(env=cal_env(sink, **FAST))
    admin, anon = srv.client(srv.token), srv.client()
    photos, people = business(admin, radicale)
    b = ok(anon.post(API + "/bookings", json=agent_booking(photos, at(MON, "10:00"))), 201)
    assert synced(admin, b["id"])
    db = sqlite3.connect(os.path.join(srv.data_dir, "tripod.db"))
    try:
        rows = db.execute("SELECT state, payload FROM outbox").fetchall()
    finally:
        db.close()
    assert len(rows) == 3 and all(r == ("done", "{}") for r in rows), rows
