"""What a booking's changes do outside Tripod, against a real Radicale and a
real SMTP sink: reschedule bumps SEQUENCE on the primary calendar and mails
REQUESTs, reassign CANCELs the removed photographer, cancel cancels the event
for everyone; an outage delays delivery (exactly once later), the manage
token is never stored in the clear, and the staff feed matches the event."""
import os
import socket
import sqlite3
import tempfile
import threading
import time

import pytest
import requests
from icalendar import Calendar

from bookseed import API, MON, TUE, at, ok, service, settings
from calseed import (agent_booking, business, cal_env, itip, mails_to, person,  # noqa: F401
                     primary_event, radicale, sink, sync, wait)
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


def test_calendar_outage_does_not_hold_back_invitations(make_server, radicale, sink):
    """The event and each recipient's mails travel in lanes of their own: with
    the primary calendar down the invitations still go out at once, and the
    event follows when the calendar is back."""
    srv = make_server(env=cal_env(sink, **FAST))
    admin, anon = srv.client(srv.token), srv.client()
    photos, people = business(admin, radicale)
    sync(admin, people["ann"][1])
    radicale.stop()
    try:
        b = ok(anon.post(API + "/bookings", json=agent_booking(photos, at(MON, "10:00"))), 201)
        assert wait(lambda: len(sink.messages()) == 2), sink.messages()
        assert methods(sink, "ava@realty.test") == ["REQUEST"]
        assert methods(sink, "ann@example.com") == ["REQUEST"]
        # The event's lane fails on its own schedule: wait for it, mails say nothing of it.
        cal = wait(lambda: (lambda c: c if c["state"] == "failing" else None)(
            ok(admin.get(API + f"/bookings/{b['id']}"))["calendar"]))
        assert cal and cal["state"] == "failing" and cal["error"], cal
        # A change while the calendar is still down: its mails go out too, in order.
        agent = srv.client(b["manage_token"])
        ok(agent.patch(API + f"/bookings/{b['id']}", json={"start": at(MON, "13:00")}))
        assert wait(lambda: len(sink.messages()) == 4), sink.messages()
        seqs = [int(itip(m)[1]["SEQUENCE"]) for m in mails_to(sink, "ava@realty.test")]
        assert seqs == [0, 1]
    finally:
        radicale.start()
    assert synced(admin, b["id"])
    assert event_with(radicale, b["id"], SEQUENCE=1) is not None
    time.sleep(2)  # long enough for any duplicate to show up
    assert len(sink.messages()) == 4


class BlackHole:
    """A TCP server on 127.0.0.1 that reads requests and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns, self.data = [], b""
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn = self.sock.accept()[0]
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn):
        while True:
            try:
                chunk = conn.recv(4096)
            except OSError:
                return
            if not chunk:
                return
            self.data += chunk

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


def test_stop_abandons_a_delivery_to_a_silent_calendar(make_server, radicale, sink):
    """SIGTERM while the primary calendar holds a delivery without answering
    (a 300 s request timeout): the server stops at once (srv.stop() allows
    20 s, 60 s under the sanitizers), and the abandoned item is released
    without counting as a failed attempt."""
    hole = BlackHole()
    try:
        srv = make_server(env=cal_env(sink, TRIPOD_SYNC_TIMEOUT="300"))
        admin, anon = srv.client(srv.token), srv.client()
        settings(admin)
        ok(admin.post(API + "/calendars", json={
            "owner": "business", "kind": "caldav", "primary": True,
            "url": f"http://127.0.0.1:{hole.port}/biz/primary/", "username": "biz",
            "password": "secret"}), 201)
        photos = service(admin, "Photos", 60)
        person(admin, radicale, "ann")
        b = ok(anon.post(API + "/bookings", json=agent_booking(photos, at(MON, "10:00"))), 201)
        # Mail has its own delivery thread: the held calendar request does not delay it.
        assert wait(lambda: len(sink.messages()) == 2), sink.messages()
        resource = f"tripod-booking-{b['id']}@tripod.ics".encode()
        assert wait(lambda: resource in hole.data), hole.data  # the delivery is held
        srv.stop()
        if not PG:
            db = sqlite3.connect(os.path.join(srv.data_dir, "tripod.db"))
            try:
                rows = db.execute("SELECT attempts, lease_until FROM outbox WHERE booking_id = ? "
                                  "AND kind = 'event_put'", (int(b["id"]),)).fetchall()
            finally:
                db.close()
            assert all(r == (0, 0) for r in rows), rows
    finally:
        hole.close()


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
