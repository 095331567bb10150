"""Synced busy time end to end: a staff calendar in a real Radicale holding
single, recurring (EXDATE and an overridden instance), all-day, transparent
and cancelled events across the March DST change in New York gives exactly
the expected slots; a malformed feed, a server answering 500 and one that
hangs each keep the last good busy time, say what happened in last_error,
and never stop the other calendars from syncing."""
import http.server
import threading
import time

import pytest

from bookseed import API, grid, hours, ok, settings, slots
from calseed import cal_env, person, primary, put_event, radicale, sink, wait  # noqa: F401
from bookseed import service

NOW = "2030-03-04T08:00:00-05:00"  # Monday; DST starts Sunday 2030-03-10


def vcal(*events):
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n" + "".join(
        "BEGIN:VEVENT\r\nDTSTAMP:20300101T000000Z\r\n" + e.strip().replace("\n", "\r\n")
        + "\r\nEND:VEVENT\r\n" for e in events) + "END:VCALENDAR\r\n"


RECURRING = vcal("""UID:weekly@test
SUMMARY:Team call
DTSTART;TZID=America/New_York:20300304T100000
DTEND;TZID=America/New_York:20300304T110000
RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6
EXDATE;TZID=America/New_York:20300306T100000""", """UID:weekly@test
RECURRENCE-ID;TZID=America/New_York:20300311T100000
SUMMARY:Team call (moved)
DTSTART;TZID=America/New_York:20300311T140000
DTEND;TZID=America/New_York:20300311T150000""")


def by_day(body):
    out = {}
    for s in body["slots"]:
        out.setdefault(s["start"][:10], []).append(s["start"][11:16])
    return out


def test_busy_time_across_dst_gives_exact_slots(make_server, radicale, sink):
    srv = make_server(env=cal_env(sink), now=NOW)
    admin, anon = srv.client(srv.token), srv.client()
    settings(admin)
    primary(admin, radicale)
    photos = service(admin, "Photos", 60)
    _, cal, _ = person(admin, radicale, "ann")
    put_event(radicale, "ann", "single", "Viewing", "20300305T110000", "20300305T120000")
    radicale.put("ann", "work", "weekly.ics", RECURRING)
    radicale.put("ann", "work", "allday.ics", vcal("""UID:allday@test
SUMMARY:Day off
DTSTART;VALUE=DATE:20300307
DTEND;VALUE=DATE:20300308"""))
    put_event(radicale, "ann", "transparent", "Reminder", "20300308T100000", "20300308T110000",
              "TRANSP:TRANSPARENT\r\n")
    put_event(radicale, "ann", "cancelled", "Called off", "20300312T100000", "20300312T110000",
              "STATUS:CANCELLED\r\n")
    radicale.put("ann", "work", "utc.ics", vcal("""UID:utc@test
SUMMARY:Early call
DTSTART:20300314T130000Z
DTEND:20300314T140000Z"""))
    r = ok(admin.post(API + f"/calendars/{cal}/sync"))
    # single 1 + team call 5 (03-04, 03-11 moved, 03-13, 03-18, 03-20) + all-day 1 + utc 1
    assert r["events"] == 8, r
    body = ok(slots(anon, [photos], day="2030-03-04", to="2030-03-15"))
    # 60 min + 30 min buffers inside 09:00-17:00: starts 09:30..15:30 on a free day.
    free = grid("09:30", "15:30")
    expected = {
        "2030-03-04": grid("11:30", "15:30"),                     # team call 10-11 EST
        "2030-03-05": ["09:30"] + grid("12:30", "15:30"),         # viewing 11-12
        "2030-03-06": free,                                       # EXDATE
        "2030-03-07": None,                                       # all-day
        "2030-03-08": free,                                       # transparent
        "2030-03-11": grid("09:30", "12:30") + ["15:30"],         # moved to 14-15 EDT
        "2030-03-12": free,                                       # cancelled
        "2030-03-13": grid("11:30", "15:30"),                     # team call 10-11 EDT
        "2030-03-14": grid("10:30", "15:30"),                     # 13:00Z = 09:00 EDT
        "2030-03-15": free,
    }
    assert by_day(body) == {d: v for d, v in expected.items() if v}
    # Offsets follow the DST change.
    assert body["slots"][0]["start"] == "2030-03-04T11:30:00-05:00"
    assert body["slots"][-1]["start"] == "2030-03-15T15:30:00-04:00"


class Feed:
    """A tiny ICS feed server whose behaviour the test switches: good,
    malformed, error (HTTP 500) or hang (answers after 5 s)."""

    def __init__(self):
        self.mode = "good"
        feed = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                mode = feed.mode
                if mode == "hang":
                    time.sleep(5)
                if mode == "error":
                    self.send_response(500)
                    self.end_headers()
                    return
                text = GOOD if mode == "good" else MALFORMED
                data = text.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:
                    pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/bob.ics" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


GOOD = vcal("""UID:bob-busy@test
SUMMARY:Bob busy
DTSTART;TZID=America/New_York:20300305T110000
DTEND;TZID=America/New_York:20300305T120000""")
MALFORMED = vcal("""UID:bob-busy@test
SUMMARY:Bob busy
DTSTART;TZID=America/New_York:20300305T110000
DTEND;TZID=America/New_York:20300305T120000""", """UID:broken@test
SUMMARY:Broken
DTSTART:2030-13-45 nonsense
DTEND:20300305T160000Z""")


@pytest.fixture
def feed():
    f = Feed()
    yield f
    f.close()


def test_failing_calendars_keep_last_good_busy_time_and_never_block_others(
        make_server, radicale, sink, feed):
    srv = make_server(env=cal_env(sink, TRIPOD_SYNC_INTERVAL="1", TRIPOD_SYNC_TIMEOUT="2"),
                      now=NOW)
    admin, anon = srv.client(srv.token), srv.client()
    settings(admin)
    primary(admin, radicale)
    photos = service(admin, "Photos", 60)
    # Ann works Mondays (Radicale), Bob Tuesdays (the feed): each day shows one calendar.
    person(admin, radicale, "ann", hours=hours(days=("mon",)))
    bob = ok(admin.post(API + "/staff", json={"name": "Bob", "email": "bob@example.com",
                                              "hours": hours(days=("tue",))}), 201)["id"]
    bob_cal = ok(admin.post(API + "/calendars", json={"owner": bob, "kind": "ics",
                                                      "url": feed.url}), 201)["id"]

    def mon():
        return ok(slots(anon, [photos], day="2030-03-04"))["slots"]

    def tue():
        return [s["start"][11:16] for s in ok(slots(anon, [photos], day="2030-03-05"))["slots"]]

    def bob_doc():
        return ok(admin.get(API + f"/calendars/{bob_cal}"))

    bob_busy = ["09:30"] + grid("12:30", "15:30")
    assert wait(lambda: tue() == bob_busy), tue()
    assert bob_doc()["last_error"] is None and bob_doc()["events"] == 1

    n = 0
    for mode, says in (("malformed", "broken@test"), ("error", "HTTP 500"),
                       ("hang", "timed out")):
        feed.mode = mode
        doc = wait(lambda: (lambda d: d if d["last_error"] and says in d["last_error"] else None)(
            bob_doc()), timeout=40)
        assert doc, (mode, bob_doc())
        assert doc["events"] == 1 and doc["last_sync"] is not None
        assert tue() == bob_busy, mode  # the last good busy time stands
        # Ann's calendar still syncs while Bob's fails: a new event shows up.
        n += 1
        put_event(radicale, "ann", f"ann-{n}", f"Ann {n}", f"20300304T{9 + 2 * n:02d}0000",
                  f"20300304T{9 + 2 * n:02d}3000")
        start = f"2030-03-04T{9 + 2 * n:02d}:00:00-05:00"
        assert wait(lambda: start not in [s["start"] for s in mon()], timeout=40), (mode, mon())
