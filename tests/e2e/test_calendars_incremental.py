"""Incremental CalDAV sync end to end (RFC 6578 sync-collection): after a
first full read, adding, changing and deleting events in a real Radicale makes
the next sync ask for the changes and fetch only those resources (checked in
Radicale's own request log), and availability reflects exactly the three
changes; an expired or garbage token falls back to a full read that still ends
right; a sync failing half way keeps the last good busy time."""
import os
import re
import shutil
import sqlite3
import subprocess

import pytest

from bookseed import API, MON, grid, ok, slots, starts
from calseed import USERS, business, cal_env, put_event, sink, sync, wait  # noqa: F401
from radicale_server import Radicale


@pytest.fixture
def radicale():
    srv = Radicale(USERS, log_level="debug").start()
    srv.mkcalendar("biz", "primary")
    srv.mkcalendar("ann", "work")
    yield srv
    srv.close()


def minutes(hhmm):
    h, m = map(int, hhmm.split(":"))
    return h * 60 + m


def expected(busy):
    """Starts offered on MON for a 60 min shoot with 30 min buffers inside
    09:00-17:00 when BUSY ([(start, end)] HH:MM wall times) is taken."""
    out = []
    for s in grid("09:30", "15:30"):
        a, b = minutes(s) - 30, minutes(s) + 90
        if all(not (minutes(x) < b and minutes(y) > a) for x, y in busy):
            out.append(s)
    return out


def wall(hhmm):
    """MON at HH:MM as the iCalendar local time put_event wants."""
    return MON.replace("-", "") + "T" + hhmm.replace(":", "") + "00"


def put(radicale, uid, start, end, extra=""):
    put_event(radicale, "ann", uid, uid.capitalize(), wall(start), wall(end), extra)


def reports(radicale, since):
    """[(kind, hrefs)] of the REPORTs Radicale logged after SINCE, and the
    other methods seen (e.g. PROPFIND) as a list."""
    out, other = [], []
    for method, path, body in radicale.requests(since):
        if method != "REPORT":
            other.append(method)
            continue
        kind = re.search(r"<(?:\w+:)?(sync-collection|calendar-multiget|calendar-query)\b", body)
        hrefs = sorted(h.rsplit("/", 1)[-1] for h in re.findall(r"<(?:\w+:)?href>([^<]*)<", body))
        out.append((kind.group(1) if kind else body, hrefs))
    return out, other


def run_sql(srv, sql):
    """Runs SQL on the server's own database (SQLite file or PostgreSQL)."""
    url = srv.env.get("TRIPOD_DB", "")
    if url.startswith("postgres"):
        subprocess.run(["/usr/bin/psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       check=True, capture_output=True, timeout=60)
        return
    db = sqlite3.connect(os.path.join(srv.data_dir, "tripod.db"), timeout=30)
    try:
        db.execute(sql)
        db.commit()
    finally:
        db.close()


@pytest.fixture
def ann(make_server, radicale, sink):
    """A server and Ann's calendar holding three events, read once in full
    (connecting a calendar reads it at once)."""
    srv = make_server(env=cal_env(sink))
    admin, anon = srv.client(srv.token), srv.client()
    put(radicale, "keep", "10:00", "10:30")
    put(radicale, "move", "12:00", "12:30")
    put(radicale, "drop", "15:00", "15:30")
    photos, people = business(admin, radicale)
    cal = people["ann"][1]
    got = wait(lambda: (lambda c: c if c["last_sync"] else None)(
        ok(admin.get(API + f"/calendars/{cal}"))))
    assert got and got["events"] == 3 and got["last_error"] is None, got
    r = sync(admin, cal)
    assert (r["mode"], r["changed"], r["deleted"], r["events"]) == ("incremental", 0, 0, 3), r
    busy = [("10:00", "10:30"), ("12:00", "12:30"), ("15:00", "15:30")]
    assert starts(slots(anon, [photos])) == expected(busy)
    return srv, admin, anon, photos, cal


def test_changes_fetch_only_the_changed_resources(ann, radicale):
    srv, admin, anon, photos, cal = ann
    put(radicale, "add", "13:30", "14:00")
    put(radicale, "move", "11:00", "11:30")
    radicale.delete("ann", "work", "drop.ics")
    mark = radicale.log_size()
    r = sync(admin, cal)
    assert (r["mode"], r["changed"], r["deleted"], r["events"]) == ("incremental", 2, 1, 3), r
    assert r["fallback"] is None and r["unchanged"] is False
    got, other = reports(radicale, mark)
    # One sync-collection, then one multiget of exactly the two changed resources.
    assert got == [("sync-collection", []), ("calendar-multiget", ["add.ics", "move.ics"])], got
    assert other == [], other
    busy = [("10:00", "10:30"), ("11:00", "11:30"), ("13:30", "14:00")]
    assert starts(slots(anon, [photos])) == expected(busy)
    doc = ok(admin.get(API + f"/calendars/{cal}"))
    assert doc["events"] == 3 and doc["last_error"] is None

    # Nothing changed since: one sync-collection, nothing fetched.
    mark = radicale.log_size()
    r = sync(admin, cal)
    assert (r["mode"], r["changed"], r["deleted"], r["unchanged"]) == ("incremental", 0, 0, True)
    assert reports(radicale, mark) == ([("sync-collection", [])], [])
    assert starts(slots(anon, [photos])) == expected(busy)

    # A change that moves an event out of the window removes its busy time;
    # a recurring one expands into several rows of one resource.
    put(radicale, "keep", "10:00", "10:30", "RRULE:FREQ=DAILY;COUNT=3\r\n")
    put_event(radicale, "ann", "add", "Add", "20300903T133000", "20300903T140000")
    r = sync(admin, cal)
    assert (r["mode"], r["changed"], r["deleted"], r["events"]) == ("incremental", 2, 0, 4), r
    assert starts(slots(anon, [photos])) == expected([("10:00", "10:30"), ("11:00", "11:30")])
    tue = ok(slots(anon, [photos], day="2030-06-04"))
    assert "10:00" not in [s["start"][11:16] for s in tue["slots"]]


@pytest.mark.parametrize("how", ["expired", "garbage"])
def test_refused_token_falls_back_to_a_full_read(ann, radicale, how):
    srv, admin, anon, photos, cal = ann
    put(radicale, "add", "13:30", "14:00")
    radicale.delete("ann", "work", "drop.ics")
    if how == "expired":  # Radicale forgets every token it handed out
        shutil.rmtree(os.path.join(radicale.root, "collections", "collection-root", "ann", "work",
                                   ".Radicale.cache", "sync-token"))
    else:
        run_sql(srv, f"UPDATE calstate SET sync_token = 'garbage' WHERE calendar_id = {cal}")
    mark = radicale.log_size()
    r = sync(admin, cal)
    assert r["mode"] == "full" and r["changed"] == 3 and r["events"] == 3, r
    assert "sync token" in r["fallback"], r
    got, other = reports(radicale, mark)
    assert [k for k, _ in got] == ["sync-collection", "calendar-query"], got
    assert other == ["PROPFIND"], other
    busy = [("10:00", "10:30"), ("12:00", "12:30"), ("13:30", "14:00")]
    assert starts(slots(anon, [photos])) == expected(busy)

    # The full read stored a fresh token: the next sync is incremental again.
    put(radicale, "move", "11:00", "11:30")
    r = sync(admin, cal)
    assert (r["mode"], r["changed"], r["deleted"], r["events"]) == ("incremental", 1, 0, 3), r
    busy = [("10:00", "10:30"), ("11:00", "11:30"), ("13:30", "14:00")]
    assert starts(slots(anon, [photos])) == expected(busy)


def test_failure_half_way_keeps_the_last_good_busy_time(ann, radicale):
    srv, admin, anon, photos, cal = ann
    before = starts(slots(anon, [photos]))
    put(radicale, "add", "13:30", "14:00")
    put(radicale, "move", "11:00", "11:30")
    radicale.delete("ann", "work", "drop.ics")
    # Radicale stores an event ending before it starts; Tripod refuses to read it.
    put(radicale, "broken", "16:00", "15:00")
    r = admin.post(API + f"/calendars/{cal}/sync")
    assert r.status_code == 502 and "DTEND before DTSTART" in r.json()["message"], r.text
    doc = ok(admin.get(API + f"/calendars/{cal}"))
    assert "DTEND before DTSTART" in doc["last_error"] and doc["events"] == 3
    assert starts(slots(anon, [photos])) == before

    # Once the broken event is gone the kept token still brings every change.
    radicale.delete("ann", "work", "broken.ics")
    r = sync(admin, cal)
    assert (r["mode"], r["changed"], r["deleted"], r["events"]) == ("incremental", 2, 2, 3), r
    busy = [("10:00", "10:30"), ("11:00", "11:30"), ("13:30", "14:00")]
    assert starts(slots(anon, [photos])) == expected(busy)
    assert ok(admin.get(API + f"/calendars/{cal}"))["last_error"] is None
