"""A table of bad inputs: each gets the right 4xx JSON error (error, message,
field where one applies) and leaves every resource exactly as it was."""
import socket

import pytest

from bookseed import without_worker_fields
from conftest import API

UNCLOSED = {"type": "Polygon", "coordinates": [[[-74.0, 40.7], [-73.9, 40.7], [-73.9, 40.8]]]}

# (method, path, raw body or JSON, status, error, field)
CASES = [
    ("POST", "/skills", b'{"name": "drone"', 400, "invalid_json", None),
    ("POST", "/skills", b'{"name": "a", "name": "b"}', 400, "invalid_json", None),
    ("POST", "/skills", b"", 400, "invalid_json", None),
    ("POST", "/skills", b"[1, 2]", 400, "invalid_json", None),
    ("POST", "/skills", b'"drone"', 400, "invalid_json", None),
    ("POST", "/skills", b'{"name": "\xff\xfe"}', 400, "invalid_json", None),
    ("POST", "/skills", b"[" * 100000 + b"]" * 100000, 400, "invalid_json", None),
    ("POST", "/skills", b'{"name": ' + b'{"a":' * 5000 + b"1" + b"}" * 5001, 400, "invalid_json", None),
    ("POST", "/services", b'{"name": "x", "duration_minutes": 1' + b"0" * 400 + b"}", 400,
     "invalid_json", None),
    ("POST", "/services", b'{"name": "x", "duration_minutes": 1e999}', 400, "invalid_json", None),
    ("POST", "/skills", {"name": 42}, 422, "validation", "name"),
    ("POST", "/skills", {"name": None}, 422, "validation", "name"),
    ("POST", "/skills", {"name": "x" * 201}, 422, "validation", "name"),
    ("POST", "/skills", {"name": "bell\u0007"}, 422, "validation", "name"),
    ("POST", "/services", {"name": "x", "duration_minutes": 9223372036854775807}, 422, "validation",
     "duration_minutes"),
    ("POST", "/services", {"name": "x", "duration_minutes": 60.5}, 422, "validation", "duration_minutes"),
    ("POST", "/services", {"name": "x", "duration_minutes": True}, 422, "validation", "duration_minutes"),
    ("POST", "/services", {"name": "x", "skills": [1e300]}, 422, "validation", "skills[0]"),
    ("POST", "/services", {"name": "x", "skills": ["99999999999999999999"]}, 422, "validation",
     "skills[0]"),
    ("POST", "/services", {"name": "x", "tiers": [{"max_sqft": 10 ** 12, "duration_minutes": 60}]},
     422, "validation", "tiers[0].max_sqft"),
    ("POST", "/staff", {"name": "x", "email": "x@example.com", "timezone": "Europe/Nowhere"}, 422,
     "validation", "timezone"),
    ("POST", "/staff", {"name": "x", "email": "x@example.com", "timezone": "../../etc/passwd"}, 422,
     "validation", "timezone"),
    ("POST", "/staff", {"name": "x", "email": "x@example.com", "hours": {"mon": [["25:00", "26:00"]]}},
     422, "validation", "hours.mon[0]"),
    ("POST", "/staff", {"name": "x", "email": "x@example.com", "skills": ["404"]}, 422, "validation",
     "skills"),
    ("POST", "/zones", {"name": "z", "polygon": UNCLOSED}, 422, "validation", "polygon"),
    ("POST", "/zones", {"name": "z", "polygon": {"type": "Polygon"}}, 422, "validation", "polygon"),
    ("PUT", "/settings", {"timezone": "Not/AZone"}, 422, "validation", "timezone"),
    ("PUT", "/settings", {"default_hours": {"mon": [["09:00"]]}}, 422, "validation",
     "default_hours.mon[0]"),
    ("PUT", "/settings", {"slot_step_minutes": 1e300}, 422, "validation", "slot_step_minutes"),
    ("PUT", "/settings", b"not json at all", 400, "invalid_json", None),
    ("PUT", "/skills/987654", {"name": "x"}, 404, "not_found", None),
    ("PATCH", "/staff/987654", {"name": "x"}, 404, "not_found", None),
    ("DELETE", "/zones/987654", None, 404, "not_found", None),
    ("PUT", "/settings", b'{"horizon_days": 30' + b" " * (1024 * 1024) + b"}", 413,
     "payload_too_large", None),
]


def snapshot(admin):
    return {c: without_worker_fields(c, admin.get(API + f"/{c}").json())
            for c in ("settings", "skills", "services", "packages", "zones", "staff", "calendars")}


def seed(admin):
    skill = admin.post(API + "/skills", json={"name": "photo"}).json()
    admin.post(API + "/services", json={"name": "Photos", "duration_minutes": 60, "skills": [skill["id"]]})
    admin.post(API + "/zones", json={"name": "Z", "postal_codes": ["10001"]})
    admin.post(API + "/staff", json={"name": "Ann", "email": "ann@example.com"})


def test_bad_inputs_get_clear_errors_and_change_nothing(admin):
    seed(admin)
    before = snapshot(admin)
    for method, path, body, status, error, field in CASES:
        if isinstance(body, (bytes, type(None))):
            r = admin.request(method, API + path, data=body,
                              headers={"Content-Type": "application/json"})
        else:
            r = admin.request(method, API + path, json=body)
        label = (method, path, str(body)[:80])
        assert r.status_code == status, (label, r.status_code, r.text[:300])
        j = r.json()
        assert j["error"] == error, (label, j)
        assert isinstance(j["message"], str) and j["message"], (label, j)
        assert j.get("field") == field, (label, j)
        assert r.headers["Content-Type"].startswith("application/json")
    assert snapshot(admin) == before
    assert admin.get(API + "/health").json() == {"status": "ok"}


def test_oversized_body_without_admin_token_is_refused(anon):
    r = anon.post(API + "/bookings", data=b"x" * (3 * 1024 * 1024),
                  headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "payload_too_large"
    assert anon.get(API + "/health").status_code == 200


def test_body_of_exactly_one_mib_is_accepted(admin):
    body = b'{"name": "' + b"x" * 10 + b'"}'
    padded = body + b" " * (1024 * 1024 - len(body))
    r = admin.post(API + "/skills", data=padded, headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text


def test_garbage_on_the_socket_does_not_hurt_the_server(server, admin):
    for junk in (b"\x00\x01\x02garbage\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                 b"POST /api/v1/skills HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
                 b"POST /api/v1/skills HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"na"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(junk)
            s.shutdown(socket.SHUT_WR)
            try:
                while s.recv(65536):
                    pass
            except (ConnectionResetError, socket.timeout):
                pass
    assert admin.get(API + "/health").status_code == 200
    assert admin.get(API + "/skills").json() == []


@pytest.mark.parametrize("query", ["", "?id=1", "?x=%00"])
def test_query_strings_do_not_change_routing(admin, query):
    assert admin.get(API + "/skills" + query).status_code == 200
