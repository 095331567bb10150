"""What the Google / Microsoft 365 e2e tests share: the two stand-ins
(tests/servers/google_standin.py, microsoft_standin.py) as fixtures, a
server wired to them and to an SMTP sink, connecting an account the way a
browser does (following the redirects), and waiting helpers.

The server clock is conftest.DEFAULT_NOW (Monday 2030-06-03 08:00 New York).
"""
import os
import sys
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
from google_standin import GoogleStandin  # noqa: E402
from microsoft_standin import MicrosoftStandin  # noqa: E402

from bookseed import API, MON, hours, ok, service, settings  # noqa: E402
from calseed import cal_env, sink, wait  # noqa: E402,F401


@pytest.fixture
def google():
    s = GoogleStandin().start()
    yield s
    s.stop()


@pytest.fixture
def microsoft():
    s = MicrosoftStandin().start()
    yield s
    s.stop()


def control(standin, name, **body):
    r = requests.post(standin.base + "/_control/" + name, json=body, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def settle(standin, quiet=1.0, timeout=30):
    """Waits until the background sync passes a calendar change woke are
    over: STANDIN saw no API request for QUIET seconds."""
    deadline = time.time() + timeout
    seen, since = None, time.time()
    while time.time() < deadline:
        n = len(control(standin, "stats")["requests"])
        if n != seen:
            seen, since = n, time.time()
        elif time.time() - since >= quiet:
            return
        time.sleep(0.1)


def provider_server(make_server, sink, *standins, **extra):
    """A started tripod whose redirect URI is its own URL, wired to STANDINS."""
    env = cal_env(sink, TRIPOD_OUTBOX_BACKOFF_BASE="1", **extra)
    for s in standins:
        env.update(s.env())
    srv = make_server(env=env, start=False)
    srv.env["TRIPOD_PUBLIC_URL"] = srv.url
    return srv.start()


def connect(srv, admin, standin, user, owner="business"):
    """Connects USER's account of STANDIN for OWNER like a browser: start,
    the provider's consent redirect, Tripod's callback redirect. Returns the
    account id from the console URL the browser lands on."""
    control(standin, "login", user=user)
    url = ok(admin.post(API + f"/oauth/{standin.NAME}/start", json={"owner": owner}))["authorize_url"]
    q = parse_qs(urlsplit(url).query)
    assert q["code_challenge_method"] == ["S256"] and q["state"][0] and q["code_challenge"][0]
    r = requests.get(url, allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text
    back = r.headers["Location"]
    assert back.startswith(srv.url + f"/oauth/{standin.NAME}/callback?")
    r = requests.get(back, allow_redirects=False, timeout=30)
    assert r.status_code == 302, r.text
    loc = r.headers["Location"]
    assert loc.startswith("/admin#calendars/pick/"), loc
    return loc.rsplit("/", 1)[1]


def pick(admin, account, owner, primary=False, want=None):
    """Adds the account's calendar WANT (default: its primary) for OWNER."""
    cals = ok(admin.get(API + f"/accounts/{account}/calendars"))
    cal = next(c for c in cals if (c["remote_id"] == want if want else c["primary"]))
    acc = next(a for a in ok(admin.get(API + "/accounts")) if a["id"] == account)
    body = {"owner": owner, "kind": acc["provider"], "account": account,
            "remote_id": cal["remote_id"], "primary": primary}
    return ok(admin.post(API + "/calendars", json=body), 201)["id"]


def staff_member(admin, name):
    return ok(admin.post(API + "/staff", json={"name": name.capitalize(), "email": f"{name}@team.test",
                                               "hours": hours()}), 201)["id"]


def basics(admin):
    settings(admin)
    return service(admin, "Photos", 60)


def sync(admin, cal):
    return ok(admin.post(API + f"/calendars/{cal}/sync"))


def booking_body(photos, start):
    return {"agent": {"name": "Ava Agent", "email": "ava@realty.test", "phone": "555"},
            "property": {"address": "1 Main St", "postal_code": "10001"},
            "services": [photos], "start": start}


def booking_state(admin, bid):
    return ok(admin.get(API + f"/bookings/{bid}"))["calendar"]["state"]


def starts(anon, photos, day=MON):
    """The starts offered for PHOTOS on DAY."""
    body = ok(anon.get(API + "/availability", params={"services": photos, "from": day, "to": day}))
    return [s["start"] for s in body["slots"]]
