"""GET /busy: the synced calendar busy time of each staff member for the admin
schedule, from real ICS feeds served here and synced by the real server."""
import http.server
import threading
import time

import pytest

from bookseed import API, MON, TUE, ok, settings, staff
from calseed import wait

FEED = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//tests//EN\r
{events}END:VCALENDAR\r
"""
EVENT = """BEGIN:VEVENT\r
UID:{uid}\r
DTSTAMP:20300101T000000Z\r
SUMMARY:{summary}\r
DTSTART;TZID=America/New_York:{start}\r
DTEND;TZID=America/New_York:{end}\r
END:VEVENT\r
"""


class Feeds:
    """ICS feeds on 127.0.0.1: PATH → calendar text, changeable between syncs."""

    def __init__(self):
        self.files = {}
        feeds = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = feeds.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def put(self, path, *events):
        self.files[path] = FEED.format(events="".join(EVENT.format(**e) for e in events))

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feeds():
    f = Feeds()
    yield f
    f.close()


def ev(uid, summary, start, end):
    return {"uid": uid, "summary": summary, "start": start, "end": end}


def ics_calendar(admin, feeds, owner, path, primary=False):
    body = {"owner": owner, "kind": "ics", "url": feeds.url(path), "primary": primary}
    cal = ok(admin.post(API + "/calendars", json=body), 201)["id"]
    ok(admin.post(API + f"/calendars/{cal}/sync"))
    return cal


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
