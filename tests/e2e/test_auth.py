"""Admin endpoints refuse missing and wrong tokens (401); public endpoints are
rate-limited per client address (429 with Retry-After)."""
import pytest

from conftest import API

# Every admin endpoint with a request that would be valid for an admin.
ADMIN_CALLS = [
    ("GET", "/readiness", None),
    ("GET", "/settings", None),
    ("PUT", "/settings", {"integrated_booking": True}),
    *[(m, f"/{coll}", body) for coll, body in [
        ("skills", {"name": "x"}), ("services", {"name": "x"}), ("packages", {"name": "x"}),
        ("zones", {"name": "x", "postal_codes": ["10001"]}),
        ("staff", {"name": "x", "email": "x@example.com"}),
        ("calendars", {"owner": "business", "kind": "ics", "url": "https://example.com/a.ics"}),
    ] for m in ("GET", "POST")],
    *[(m, f"/{coll}/1", {"name": "x"}) for coll in
      ("skills", "services", "packages", "zones", "staff", "calendars")
      for m in ("GET", "PUT", "PATCH", "DELETE")],
    ("GET", "/availability/explain", None),
    ("GET", "/bookings", None),
]


@pytest.mark.parametrize("token", [None, "wrong-token", "", "Bearer"])
def test_admin_endpoints_need_a_valid_token(server, token):
    with server.client() as s:
        if token is not None:
            s.headers["Authorization"] = f"Bearer {token}"
        for method, path, body in ADMIN_CALLS:
            r = s.request(method, API + path, json=body)
            assert r.status_code == 401, (method, path, r.status_code, r.text)
            assert r.json()["error"] == "unauthorized"
            assert r.json()["message"]
    with server.client(server.token) as admin:
        assert admin.get(API + "/skills").json() == []
        assert admin.get(API + "/settings").json()["integrated_booking"] is False


def test_other_auth_schemes_are_refused(server):
    with server.client() as s:
        s.headers["Authorization"] = f"Basic {server.token}"
        assert s.get(API + "/settings").status_code == 401
        s.headers["Authorization"] = f"Bearer {server.token}x"
        assert s.get(API + "/settings").status_code == 401
        s.headers["Authorization"] = f"bearer {server.token}"
        assert s.get(API + "/settings").status_code == 200


def test_tokens_survive_restart_and_are_stored_hashed(server, admin):
    import sqlite3
    server.restart()
    assert admin.get(API + "/settings").status_code == 200
    db = sqlite3.connect(f"{server.data_dir}/tripod.db")
    dump = "\n".join(db.iterdump())
    db.close()
    assert server.token not in dump


def test_public_endpoints_are_rate_limited(make_server):
    srv = make_server(env={"TRIPOD_RATE_LIMIT": "30"})
    with srv.client() as anon:
        statuses = [anon.get(API + "/health").status_code for _ in range(60)]
        assert 429 in statuses
        first = statuses.index(429)
        assert 15 <= first <= 30, statuses  # the start-up health probes used a few
        r = anon.get(API + "/health")
        assert r.status_code == 429
        assert r.json()["error"] == "rate_limited"
        assert 1 <= int(r.headers["Retry-After"]) <= 60
    # Admin endpoints are not counted against the public limit.
    with srv.client(srv.token) as admin:
        assert all(admin.get(API + "/settings").status_code == 200 for _ in range(40))


def test_rate_limit_zero_turns_it_off(make_server):
    srv = make_server(env={"TRIPOD_RATE_LIMIT": "0"})
    with srv.client() as anon:
        assert all(anon.get(API + "/health").status_code == 200 for _ in range(200))


def test_bad_rate_limit_is_refused(make_server):
    srv = make_server(env={"TRIPOD_RATE_LIMIT": "lots"}, start=False)
    r = srv.tripod("serve", "--port", str(srv.port), check=False)
    assert r.returncode == 2 and "TRIPOD_RATE_LIMIT" in r.stderr
