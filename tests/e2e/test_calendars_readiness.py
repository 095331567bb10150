"""Readiness names the calendars whose sync is not working: never synced
(with the last error), or failing for more than an hour since the last
good sync. A short failure is not reported; booking readiness is unchanged."""
import re

from bookseed import API, ok
from calseed import business, cal_env, radicale, sink, sync  # noqa: F401
from conftest import DEFAULT_NOW

LATER = "2030-06-03T10:00:00-04:00"  # two hours after DEFAULT_NOW


def readiness(admin):
    return ok(admin.get(API + "/readiness"))


def test_readiness_names_unsynced_and_long_failing_calendars(make_server, radicale, sink):
    srv = make_server(env=cal_env(sink), now=DEFAULT_NOW)
    admin = srv.client(srv.token)
    radicale.stop()  # connected calendars are read at once: keep them unread
    _, people = business(admin, radicale, ("ann", "bob"))
    cals = {c["owner"]: c["id"] for c in ok(admin.get(API + "/calendars"))}
    body = readiness(admin)
    assert body["ready"] is True
    never = body["calendar_sync"]["problems"]
    assert body["calendar_sync"]["ok"] is False and len(never) == 3
    assert all("never synced" in p for p in never)
    assert any("Ann's calendar" in p and people["ann"][1] in p for p in never)

    radicale.start()
    for cid in cals.values():
        sync(admin, cid)
    assert readiness(admin)["calendar_sync"] == {"ok": True, "problems": []}

    cid = ok(admin.post(API + "/staff", json={"name": "Cid", "email": "cid@example.com"}), 201)["id"]
    dead = ok(admin.post(API + "/calendars", json={
        "owner": cid, "kind": "ics", "url": "http://127.0.0.1:9/cid.ics"}), 201)["id"]
    assert admin.post(API + f"/calendars/{dead}/sync").status_code == 502
    ok(admin.patch(API + f"/calendars/{people['bob'][1]}", json={"password": "wrong"}))
    assert admin.post(API + f"/calendars/{people['bob'][1]}/sync").status_code == 502
    problems = readiness(admin)["calendar_sync"]["problems"]
    # Bob's calendar failed only just now: not reported yet. Cid's never worked.
    assert len(problems) == 1, problems
    assert "Cid's calendar" in problems[0] and dead in problems[0]
    assert "never synced" in problems[0] and "connect" in problems[0].lower()

    # Two hours later Bob's calendar is still failing; Ann's still works.
    srv.env["TRIPOD_NOW"] = LATER
    srv.restart()
    admin = srv.client(srv.token)
    sync(admin, people["ann"][1])
    assert admin.post(API + f"/calendars/{people['bob'][1]}/sync").status_code == 502
    body = readiness(admin)
    problems = body["calendar_sync"]["problems"]
    assert len(problems) == 2, problems
    bob = next(p for p in problems if "Bob's calendar" in p)
    # Requests see TRIPOD_NOW itself while the background sync's clock runs on
    # from it, so Bob's last good sync may be a background one seconds later.
    assert people["bob"][1] in bob and "401" in bob
    assert re.search(r"failed to sync for 1(19|20) minutes", bob), bob
    assert not any("Ann" in p for p in problems)
    assert body["ready"] is True
