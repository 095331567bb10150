"""Access control and secrets, table-driven: every admin endpoint of API.md
refuses no token, a wrong token and a manage token, with real ids so that a
missing check would answer 2xx, and nothing changes; a manage token reaches
only its own booking; calendar passwords are never returned or logged; pages
carry the security headers; no cross-origin grant; manage tokens carry at
least 128 bits."""
import base64
import math
import os
import sqlite3

from bookseed import API, MON, at, book, business, ok, staff, without_worker_fields

PASSWORD = "Pa55-w0rd-that-must-never-leak"


def seed(admin, anon):
    """A bookable business with one of everything and two bookings."""
    ids = business(admin)
    pat = staff(admin, "Pat")
    zone = ok(admin.post(API + "/zones", json={"name": "Z", "postal_codes": ["10001"]}), 201)["id"]
    pkg = ok(admin.post(API + "/packages", json={"name": "P", "duration_minutes": 60,
                                                "services": [ids["photos"]]}), 201)["id"]
    cal = ok(admin.post(API + "/calendars", json={
        "owner": pat, "kind": "caldav", "url": "http://127.0.0.1:9/dav/pat/", "username": "pat",
        "password": PASSWORD}), 201)["id"]
    mine = ok(book(anon, at(MON, "10:00"), [ids["photos"]]), 201)
    other = ok(book(anon, at(MON, "14:00"), [ids["photos"]]), 201)
    return dict(ids, pat=pat, zone=zone, pkg=pkg, cal=cal, mine=mine, other=other)


def admin_calls(s):
    """(method, path, body) for every admin-only endpoint, aimed at real rows."""
    calls = [
        ("GET", "/readiness", None),
        ("GET", "/settings", None),
        ("PUT", "/settings", {"integrated_booking": False}),
        ("GET", "/availability/explain",
         {"params": {"services": s["photos"], "from": MON, "at": at(MON, "10:00")}}),
        ("GET", "/bookings", None),
        ("POST", f"/calendars/{s['cal']}/sync", None),
        ("GET", "/metrics", None),
    ]
    rows = {"skills": (s["video"], {"name": "hacked"}),
            "services": (s["photos"], {"name": "hacked", "duration_minutes": 5}),
            "packages": (s["pkg"], {"name": "hacked", "duration_minutes": 5}),
            "zones": (s["zone"], {"name": "hacked", "postal_codes": ["99999"]}),
            "staff": (s["pat"], {"name": "hacked", "email": "h@example.com"}),
            "calendars": (s["cal"], {"owner": "business", "kind": "ics",
                                     "url": "http://127.0.0.1:9/evil.ics"})}
    for coll, (rid, body) in rows.items():
        calls += [("GET", f"/{coll}", None), ("POST", f"/{coll}", body),
                  ("GET", f"/{coll}/{rid}", None), ("PUT", f"/{coll}/{rid}", body),
                  ("PATCH", f"/{coll}/{rid}", {"name": "hacked"}), ("DELETE", f"/{coll}/{rid}", None)]
    # Admin-only powers on a booking the manage token does own.
    mine = s["mine"]["id"]
    calls += [("PATCH", f"/bookings/{mine}", {"staff": [s["pat"]], "force": True})]
    return calls


def snapshot(admin):
    """Everything an admin can read, to prove refused calls changed nothing."""
    out = {}
    for coll in ("settings", "skills", "services", "packages", "zones", "staff", "calendars",
                 "bookings"):
        r = admin.get(API + "/" + coll)
        assert r.status_code == 200, (coll, r.text)
        out[coll] = without_worker_fields(coll, r.json())  # the sync and the outbox move on
    return out


def call(client, method, path, body):
    if body and "params" in body:
        return client.request(method, API + path, params=body["params"])
    return client.request(method, API + path, json=body)


def test_every_admin_endpoint_refuses_no_wrong_and_manage_tokens(server, admin, anon):
    s = seed(admin, anon)
    before = snapshot(admin)
    manage = s["mine"]["manage_token"]
    credentials = {"none": None, "wrong": "x" * 43, "empty": "", "manage": manage,
                   "admin+1": server.token + "A", "prefix": server.token[:-1]}
    tried = 0
    for label, token in credentials.items():
        with server.client() as c:
            if token is not None:
                c.headers["Authorization"] = f"Bearer {token}"
            for method, path, body in admin_calls(s):
                r = call(c, method, path, body)
                tried += 1
                if label == "manage" and path.startswith("/bookings/"):
                    assert r.status_code == 403, (label, method, path, r.status_code, r.text)
                else:
                    assert r.status_code == 401, (label, method, path, r.status_code, r.text)
                assert r.json()["error"] in ("unauthorized", "forbidden"), r.text
                assert "hacked" not in r.text and PASSWORD not in r.text
    assert tried >= 6 * 40
    assert snapshot(admin) == before
    # The same calls succeed with the admin token (so the table is not testing 404s).
    for method, path, body in admin_calls(s):
        if method == "GET":
            assert call(admin, method, path, body).status_code == 200, path


def test_manage_token_reaches_only_its_own_booking(server, admin, anon):
    s = seed(admin, anon)
    mine, other = s["mine"], s["other"]
    agent = server.client(mine["manage_token"])
    assert ok(agent.get(API + f"/bookings/{mine['id']}"))["id"] == mine["id"]
    for bid in (other["id"], "999999", "0", "-1", "abc", mine["id"] + "0", "%20" + mine["id"]):
        for method, body in (("GET", None), ("PATCH", {"start": at(MON, "16:00")}),
                             ("DELETE", None)):
            r = agent.request(method, API + f"/bookings/{bid}", json=body)
            assert r.status_code in (404, 401), (method, bid, r.status_code, r.text)
            assert other["manage_token"] not in r.text and "alice@example.com" not in r.text
    # Another booking's token cannot reach mine either, and neither touched the other.
    theirs = server.client(other["manage_token"])
    assert theirs.delete(API + f"/bookings/{mine['id']}").status_code == 404
    assert ok(admin.get(API + f"/bookings/{other['id']}"))["status"] == "confirmed"
    assert ok(admin.get(API + f"/bookings/{mine['id']}"))["status"] == "confirmed"
    # A booking read never echoes the manage token back.
    assert mine["manage_token"] not in agent.get(API + f"/bookings/{mine['id']}").text


def test_manage_tokens_are_unguessable(admin, anon):
    photos = business(admin)["photos"]
    for name in ("Ann", "Bob"):
        staff(admin, name)
    tokens = []
    for day in ("2030-06-03", "2030-06-04", "2030-06-05", "2030-06-06", "2030-06-07"):
        for hhmm in ("09:30", "11:30", "13:30", "15:30"):
            for _ in range(2):
                tokens.append(ok(book(anon, at(day, hhmm), [photos]), 201)["manage_token"])
    assert len(set(tokens)) == len(tokens) == 40
    for t in tokens:
        # URL-safe base64 of random bytes: at least 128 bits of entropy.
        raw = base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))
        assert len(raw) * 8 >= 128, t
    # Different tokens share no long prefix (not a counter or a timestamp).
    longest = max(len(os.path.commonprefix([a, b])) for a in tokens for b in tokens if a != b)
    assert longest < 8
    # Symbols are used about evenly across tokens: about 6 bits per character.
    symbols = "".join(tokens)
    counts = [symbols.count(ch) for ch in set(symbols)]
    entropy = -sum(c / len(symbols) * math.log2(c / len(symbols)) for c in counts)
    assert entropy > 5.5, entropy


def test_calendar_password_is_never_returned_stored_plain_or_logged(server, admin, anon):
    s = seed(admin, anon)
    texts = [admin.get(API + p).text for p in
             ("/calendars", f"/calendars/{s['cal']}", "/readiness", "/staff", f"/staff/{s['pat']}")]
    texts.append(admin.post(API + f"/calendars/{s['cal']}/sync").text)  # fails: nothing listens
    texts.append(admin.get(API + "/calendars").text)  # with last_error set
    for t in texts:
        assert PASSWORD not in t
    db = sqlite3.connect(os.path.join(server.data_dir, "tripod.db"))
    dump = "\n".join(db.iterdump())
    db.close()
    assert PASSWORD not in dump and server.token not in dump
    # The key sealing the password lives outside the database, readable only by us.
    key = os.path.join(server.data_dir, "secret.key")
    assert os.stat(key).st_mode & 0o077 == 0
    with open(key, "rb") as f:
        assert f.read() not in dump.encode()
    server.restart()
    assert PASSWORD not in admin.get(API + "/calendars").text
    log = server.log()
    for secret in (PASSWORD, server.token, s["mine"]["manage_token"], s["other"]["manage_token"]):
        assert secret not in log


def test_pages_carry_security_headers_and_no_cross_origin_grant(server, anon, admin):
    for path in ("/", "/book", "/admin", "/manage/abc"):
        r = anon.get(path, headers={"Origin": "https://evil.example"})
        assert r.status_code == 200, path
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert "Access-Control-Allow-Origin" not in r.headers
    # The API never grants another origin access (no CORS headers, preflight refused).
    evil = {"Origin": "https://evil.example"}
    for r in (admin.get(API + "/settings", headers=evil), anon.get(API + "/health", headers=evil)):
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "Access-Control-Allow-Origin" not in r.headers
        assert "Access-Control-Allow-Credentials" not in r.headers
    pre = anon.options(API + "/settings", headers=dict(evil, **{
        "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization"}))
    assert pre.status_code in (401, 404, 405), pre.status_code
    assert "Access-Control-Allow-Origin" not in pre.headers


def test_manage_tokens_are_not_stored_in_clear(server, admin, anon):
    """Only the token's hash may be at rest: a copy of the database must not
    hand out manage links (bookings, idempotency replays, outbox mails)."""
    s = seed(admin, anon)
    db = sqlite3.connect(os.path.join(server.data_dir, "tripod.db"))
    dump = "\n".join(db.iterdump())
    db.close()
    for b in (s["mine"], s["other"]):
        assert b["manage_token"] not in dump, "a manage token is stored in clear"
