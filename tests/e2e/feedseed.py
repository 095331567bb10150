"""ICS feeds served on 127.0.0.1 for the e2e tests that need synced busy
time without CalDAV: the `feeds` fixture (PATH → calendar text, changeable
between syncs), events in New York wall time, and a staff calendar on one."""
import http.server
import threading

import pytest

from bookseed import API, ok

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
        """PATH serves EVENTS: ev() dicts, or VEVENT texts such as allday()'s."""
        self.files[path] = FEED.format(
            events="".join(e if isinstance(e, str) else EVENT.format(**e) for e in events))

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


def allday(uid, summary, first, end):
    """An all-day VEVENT from date FIRST to END (exclusive, RFC 5545), "YYYYMMDD"."""
    return (f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20300101T000000Z\r\nSUMMARY:{summary}\r\n"
            f"DTSTART;VALUE=DATE:{first}\r\nDTEND;VALUE=DATE:{end}\r\nEND:VEVENT\r\n")


def ics_calendar(admin, feeds, owner, path, primary=False):
    body = {"owner": owner, "kind": "ics", "url": feeds.url(path), "primary": primary}
    cal = ok(admin.post(API + "/calendars", json=body), 201)["id"]
    ok(admin.post(API + f"/calendars/{cal}/sync"))
    return cal
