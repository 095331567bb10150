"""An admin books for an agent (a phone order, API.md "Daily operations"):
POST /bookings with an admin token follows the agent's rules, may name the
crew and force past the rules (never past another booking of the same
person), is recorded as the admin's in the history, and the agent still gets
the manage link by e-mail."""
from bookseed import API, MON, TUE, at, business, hours, ok, staff
from calseed import (agent_booking, cal_env, mails_to, radicale, sink, wait,  # noqa: F401
                     business as cal_business, sync)


def test_the_agent_gets_the_link_and_the_history_names_the_admin(make_server, radicale, sink):
    srv = make_server(env=cal_env(sink))
    admin = srv.client(srv.token)
    photos, people = cal_business(admin, radicale)
    sync(admin, people["ann"][1])
    b = ok(admin.post(API + "/bookings", json=agent_booking(photos, at(MON, "10:00"))), 201)
    assert b["staff"] == [{"id": people["ann"][0], "name": "Ann"}]
    got = ok(admin.get(API + f"/bookings/{b['id']}"))
    assert [(h["actor"], h["change"]["action"]) for h in got["history"]] == [("admin", "created")]
    mail = wait(lambda: mails_to(sink, "ava@realty.test"))
    assert mail, "the agent is mailed"
    assert f"/manage/{b['manage_token']}" in mail[0].get_body(("plain",)).get_content()


def test_named_staff_must_be_free_unless_forced(admin, anon):
    ids = business(admin, clock_format="24h")
    pat = staff(admin, "Pat")
    val = staff(admin, "Val", hours=hours(days=("tue",)))
    # Named and free: that person.
    b = ok(admin.post(API + "/bookings", json=body(ids, at(TUE, "10:00"), staff=[val])), 201)
    assert [s["id"] for s in b["staff"]] == [val]
    # Named and off that day: refused with that person's reason only.
    r = admin.post(API + "/bookings", json=body(ids, at(MON, "10:00"), staff=[val]))
    assert r.status_code == 409 and r.json()["reasons"] == [
        {"staff": {"id": val, "name": "Val"}, "reasons": ["day off"]}]
    # Forced: booked on Val's day off, at a time off the grid, and the history says so.
    forced = ok(admin.post(API + "/bookings",
                           json=body(ids, at(MON, "10:10"), staff=[val], force=True)), 201)
    assert forced["start"] == at(MON, "10:10") and [s["id"] for s in forced["staff"]] == [val]
    h = ok(admin.get(API + f"/bookings/{forced['id']}"))["history"]
    assert h[0]["actor"] == "admin" and h[0]["change"]["force"] is True
    # Never a double booking of the same person, forced or not.
    r = admin.post(API + "/bookings", json=body(ids, at(MON, "10:30"), staff=[val], force=True))
    assert r.status_code == 409 and r.json()["reasons"] == [
        {"staff": {"id": val, "name": "Val"}, "reasons": ["busy with another shoot 09:40–11:40 incl. drive time"]}]
    # Without staff the policy picks, as for an agent.
    assert [s["id"] for s in ok(admin.post(API + "/bookings",
                                           json=body(ids, at(MON, "13:00"))), 201)["staff"]] == [pat]


def test_only_an_admin_names_staff_or_forces(admin, anon, server):
    ids = business(admin)
    pat = staff(admin, "Pat")
    for extra, field in [({"force": True, "staff": [pat]}, "force"), ({"staff": [pat]}, "staff")]:
        r = anon.post(API + "/bookings", json=body(ids, at(MON, "10:00"), **extra))
        assert (r.status_code, r.json()["error"], r.json()["field"]) == (403, "forbidden", field)
    # A token that is not an admin's is refused rather than taken for an agent.
    r = server.client("not-a-token").post(API + "/bookings", json=body(ids, at(MON, "10:00")))
    assert r.status_code == 401
    for extra, field in [({"force": True}, "staff"), ({"staff": []}, "staff"),
                         ({"staff": ["999"]}, "staff"), ({"force": "yes", "staff": [pat]}, "force")]:
        r = admin.post(API + "/bookings", json=body(ids, at(MON, "10:00"), **extra))
        assert (r.status_code, r.json()["field"]) == (422, field), (extra, r.text)
    assert ok(admin.get(API + "/bookings"))["bookings"] == []


def body(ids, start, **extra):
    b = {"agent": {"name": "Phone Caller", "email": "caller@realty.test", "phone": "555-0101"},
         "property": {"address": "3 Pier Rd", "postal_code": "10001"},
         "services": [ids["photos"]], "start": start, "notes": "Booked by phone"}
    b.update(extra)
    return b
