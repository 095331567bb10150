"""CRUD of connected calendars: owners, URLs, one primary (the business's),
write-only passwords sealed at rest, sync bookkeeping fields."""
import os
import sqlite3
import stat

import pytest

from conftest import API

PASSWORD = "s3cret-Pa55word-never-shown"


def dump_db(server):
    db = sqlite3.connect(os.path.join(server.data_dir, "tripod.db"))
    try:
        return "\n".join(db.iterdump())
    finally:
        db.close()


def test_calendar_crud_and_password_is_write_only(server, admin):
    r = admin.post(API + "/calendars", json={
        "owner": "business", "kind": "caldav", "url": "https://dav.example.com/cal/",
        "username": "office", "password": PASSWORD, "primary": True})
    assert r.status_code == 201, r.text
    cal = r.json()
    assert cal["owner"] == "business" and cal["kind"] == "caldav" and cal["primary"] is True
    assert cal["username"] == "office" and cal["has_password"] is True
    assert cal["last_sync"] is None and cal["last_error"] is None
    assert "password" not in cal and PASSWORD not in r.text
    for resp in (admin.get(API + "/calendars"), admin.get(API + f"/calendars/{cal['id']}")):
        assert PASSWORD not in resp.text and '"_password"' not in resp.text
    # Sealed at rest, never in the log, and the key file is private.
    assert PASSWORD not in dump_db(server)
    assert PASSWORD not in server.log()
    key = os.path.join(server.data_dir, "secret.key")
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600 and os.path.getsize(key) == 32

    # An update without a password keeps it; null removes it.
    r = admin.put(API + f"/calendars/{cal['id']}", json={
        "owner": "business", "kind": "caldav", "url": "https://dav.example.com/other/",
        "username": "office", "primary": True})
    assert r.status_code == 200 and r.json()["has_password"] is True
    r = admin.patch(API + f"/calendars/{cal['id']}", json={"password": None})
    assert r.status_code == 200 and r.json()["has_password"] is False
    r = admin.patch(API + f"/calendars/{cal['id']}", json={"password": "another"})
    assert r.json()["has_password"] is True and r.json()["url"] == "https://dav.example.com/other/"
    assert admin.delete(API + f"/calendars/{cal['id']}").status_code == 204
    assert admin.get(API + "/calendars").json() == []


def test_only_one_primary_and_only_the_business(admin):
    staff = admin.post(API + "/staff", json={"name": "Ann", "email": "ann@example.com"}).json()
    a = admin.post(API + "/calendars", json={"owner": "business", "kind": "ics",
                                             "url": "https://example.com/a.ics", "primary": True}).json()
    b = admin.post(API + "/calendars", json={"owner": "business", "kind": "ics",
                                             "url": "https://example.com/b.ics", "primary": True}).json()
    cals = {c["id"]: c for c in admin.get(API + "/calendars").json()}
    assert cals[a["id"]]["primary"] is False and cals[b["id"]]["primary"] is True
    r = admin.patch(API + f"/calendars/{a['id']}", json={"primary": True})
    assert r.status_code == 200
    cals = {c["id"]: c for c in admin.get(API + "/calendars").json()}
    assert cals[a["id"]]["primary"] is True and cals[b["id"]]["primary"] is False
    r = admin.post(API + "/calendars", json={"owner": staff["id"], "kind": "ics",
                                             "url": "https://example.com/s.ics", "primary": True})
    assert r.status_code == 422 and r.json()["field"] == "primary"
    r = admin.post(API + "/calendars", json={"owner": int(staff["id"]), "kind": "ics",
                                             "url": "https://example.com/s.ics"})
    assert r.status_code == 201 and r.json()["owner"] == staff["id"] and r.json()["primary"] is False


@pytest.mark.parametrize("body,field", [
    ({"kind": "ics", "url": "https://example.com/a.ics"}, "owner"),
    ({"owner": "everyone", "kind": "ics", "url": "https://example.com/a.ics"}, "owner"),
    ({"owner": "4242", "kind": "ics", "url": "https://example.com/a.ics"}, "owner"),
    ({"owner": "business", "kind": "exchange", "url": "https://example.com/a.ics"}, "kind"),
    ({"owner": "business", "kind": "ics", "url": "ftp://example.com/a.ics"}, "url"),
    ({"owner": "business", "kind": "ics", "url": "file:///etc/passwd"}, "url"),
    ({"owner": "business", "kind": "ics", "url": "https://"}, "url"),
    ({"owner": "business", "kind": "ics", "url": "https://exa mple.com/"}, "url"),
    ({"owner": "business", "kind": "ics"}, "url"),
    ({"owner": "business", "kind": "ics", "url": "https://example.com/a", "username": 5}, "username"),
    ({"owner": "business", "kind": "ics", "url": "https://example.com/a", "password": 5}, "password"),
    ({"owner": "business", "kind": "ics", "url": "https://example.com/a", "primary": "yes"}, "primary"),
    ({"owner": "business", "kind": "ics", "url": "https://example.com/a", "_password": "x"}, "_password"),
])
def test_calendar_validation(admin, body, field):
    r = admin.post(API + "/calendars", json=body)
    assert r.status_code == 422, (body, r.text)
    assert r.json()["error"] == "validation" and r.json()["field"] == field
    assert admin.get(API + "/calendars").json() == []


def test_passwords_survive_restart_sealed(server, admin):
    r = admin.post(API + "/calendars", json={"owner": "business", "kind": "caldav",
                                             "url": "http://127.0.0.1:5232/x/", "username": "u",
                                             "password": PASSWORD})
    cal = r.json()
    server.restart()
    got = admin.get(API + f"/calendars/{cal['id']}").json()
    # serve syncs every calendar at start; the sync bookkeeping may have moved.
    sync_keys = ("last_sync", "last_attempt", "last_error", "events")
    same = {k: v for k, v in got.items() if k not in sync_keys}
    assert got["has_password"] is True and same == {k: v for k, v in cal.items() if k not in sync_keys}
    assert PASSWORD not in dump_db(server)
