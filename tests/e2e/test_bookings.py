"""POST/GET/PATCH/DELETE /bookings against the real server: creation,
validation, manage tokens, idempotency, reschedule/reassign/cancel with
conflicts and force, history and sequence, persistence across a restart."""
from bookseed import API, MON, TUE, at, book, business, listed, ok, slots, staff, starts


def test_create_answers_the_booking_once_with_its_token(admin, anon):
    ids = business(admin)
    pat = staff(admin, "Pat")
    b = ok(book(anon, at(MON, "10:00"), [ids["photos"]]), 201)
    assert b["start"] == at(MON, "10:00") and b["end"] == at(MON, "11:00")
    assert b["status"] == "confirmed" and b["staff"] == [{"id": pat, "name": "Pat"}]
    assert len(b["manage_token"]) >= 43 and b["calendar"]["state"] == "pending"
    assert b["history"][0]["change"]["action"] == "created"
    got = ok(admin.get(API + f"/bookings/{b['id']}"))
    assert "manage_token" not in got and got["agent"]["email"] == "alice@example.com"
    assert got["property"]["address"] == "1 Main St" and got["services"] == [ids["photos"]]


def test_create_validation(admin, anon):
    ids = business(admin)
    staff(admin, "Pat")
    good = {"agent": {"name": "A", "email": "a@example.com", "phone": "1"},
            "property": {"address": "1 Main St", "postal_code": "10001"},
            "services": [ids["photos"]], "start": at(MON, "10:00")}
    cases = [
        ({"agent": {"name": "A", "email": "nope"}}, "agent.email"),
        ({"property": {"postal_code": "10001"}}, "property.address"),
        ({"start": "tomorrow"}, "start"),
        ({"services": ["999"]}, "services"),
        ({"property": {"address": "x", "lat": 100, "lon": 0}}, "property.lat"),
        ({"surprise": 1}, "surprise"),
    ]
    for change, field in cases:
        body = dict(good, **change)
        r = anon.post(API + "/bookings", json=body)
        assert r.status_code == 422, (change, r.text)
        assert r.json()["field"] == field, (change, r.text)
    r = anon.post(API + "/bookings", data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    # Nothing was written by the refused requests.
    assert ok(admin.get(API + "/bookings"))["bookings"] == []


def test_taken_or_unaligned_slot_is_409_with_alternatives(admin, anon):
    ids = business(admin)
    staff(admin, "Pat")
    ok(book(anon, at(MON, "12:00"), [ids["photos"]]), 201)
    r = book(anon, at(MON, "12:30"), [ids["photos"]])
    assert r.status_code == 409
    body = r.json()
    assert body["error"] == "slot_unavailable"
    alts = [a["start"] for a in body["alternatives"]]
    # [s-30, s+90) must miss 12:00-13:00: s <= 10:30 or s >= 13:30. The five
    # nearest to 12:30 (ties go to the earlier), in time order:
    assert alts == [at(MON, "10:00"), at(MON, "10:30"), at(MON, "13:30"), at(MON, "14:00"),
                    at(MON, "14:30")]
    assert book(anon, at(MON, "10:10"), [ids["photos"]]).status_code == 409


def test_manage_token_sees_and_changes_only_its_own_booking(server, admin, anon):
    ids = business(admin)
    staff(admin, "Pat")
    mine = ok(book(anon, at(MON, "10:00"), [ids["photos"]]), 201)
    other = ok(book(anon, at(MON, "14:00"), [ids["photos"]]), 201)
    agent = server.client(mine["manage_token"])
    assert ok(agent.get(API + f"/bookings/{mine['id']}"))["id"] == mine["id"]
    assert ok(agent.get(API + "/manage"))["id"] == mine["id"]
    # Another booking looks exactly like one that does not exist.
    for path in (f"/bookings/{other['id']}", "/bookings/999999"):
        r = agent.get(API + path)
        assert (r.status_code, r.json()["error"]) == (404, "not_found")
        assert agent.patch(API + path, json={"start": at(TUE, "10:00")}).status_code == 404
        assert agent.delete(API + path).status_code == 404
    assert agent.get(API + "/bookings").status_code == 401
    assert anon.get(API + f"/bookings/{mine['id']}").status_code == 401
    assert server.client("not-a-token").get(API + f"/bookings/{mine['id']}").status_code == 401
    # The agent may move the time but not the staff.
    assert agent.patch(API + f"/bookings/{mine['id']}", json={"staff": ["1"]}).status_code == 403
    moved = ok(agent.patch(API + f"/bookings/{mine['id']}", json={"start": at(TUE, "11:00")}))
    assert moved["start"] == at(TUE, "11:00") and moved["sequence"] == 1
    assert moved["history"][-1]["actor"] == "agent"
    assert ok(admin.get(API + f"/bookings/{other['id']}"))["start"] == at(MON, "14:00")


def test_idempotency_key_replays_the_first_answer(admin, anon):
    ids = business(admin)
    staff(admin, "Pat")
    key = {"Idempotency-Key": "abc-123"}
    first = book(anon, at(MON, "10:00"), [ids["photos"]], headers=key)
    again = book(anon, at(MON, "10:00"), [ids["photos"]], headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len(ok(admin.get(API + "/bookings"))["bookings"]) == 1
    other = book(anon, at(MON, "14:00"), [ids["photos"]], headers=key)
    assert (other.status_code, other.json()["error"]) == (422, "idempotency_key_reused")


def test_admin_reschedule_reassign_force_and_conflicts(admin, anon):
    ids = business(admin)
    pat = staff(admin, "Pat")
    val = staff(admin, "Val")
    a = ok(book(anon, at(MON, "10:00"), [ids["photos"]]), 201)
    assert a["staff"][0]["id"] == pat
    b = ok(book(anon, at(MON, "10:00"), [ids["photos"]]), 201)
    assert b["staff"][0]["id"] == val
    path = API + f"/bookings/{a['id']}"
    # Val is busy at 10:00 with booking b: reassigning there conflicts.
    r = admin.patch(path, json={"staff": [val]})
    assert (r.status_code, r.json()["error"]) == (409, "slot_unavailable")
    assert "alternatives" in r.json()
    # Moving by 30 min overlaps only the booking itself, which is ignored.
    moved = ok(admin.patch(path, json={"start": at(MON, "10:30")}))
    assert moved["start"] == at(MON, "10:30") and moved["sequence"] == 1
    # Force never double-books: Val still has booking b at 10:00.
    r = admin.patch(path, json={"staff": [val], "force": True})
    assert (r.status_code, r.json()["error"]) == (409, "slot_unavailable") and "alternatives" in r.json()
    # A move with no crew free (07:00 is before working hours) is a conflict; with force it is made.
    r = admin.patch(API + f"/bookings/{b['id']}", json={"start": at(MON, "07:00")})
    assert r.status_code == 409
    ok(admin.patch(API + f"/bookings/{b['id']}", json={"start": at(MON, "07:00"), "force": True}))
    # Val is now free at 10:30: the forced reassignment is made and recorded as forced.
    forced = ok(admin.patch(path, json={"staff": [val], "force": True}))
    assert forced["staff"] == [{"id": val, "name": "Val"}] and forced["sequence"] == 2
    change = forced["history"][-1]["change"]
    assert change["action"] == "reassigned" and change["force"] is True
    assert change["from"]["staff"][0]["id"] == pat and change["to"]["staff"][0]["id"] == val
    # Unknown staff and empty changes are refused.
    assert admin.patch(path, json={"staff": ["999"]}).status_code == 422
    assert admin.patch(path, json={}).status_code == 422


def test_force_skips_the_recheck_but_never_double_books(admin, anon):
    """Force skips hours, busy time and notice, but one person's two active
    bookings never come closer than the drive buffer: their [start − 30 min,
    end) ranges may not overlap (PostgreSQL's exclusion constraint; checked
    explicitly on SQLite)."""
    ids = business(admin)
    staff(admin, "Pat")
    a = ok(book(anon, at(MON, "10:00"), [ids["photos"]]), 201)  # Pat 10:00–11:00
    b = ok(book(anon, at(MON, "13:00"), [ids["photos"]]), 201)  # Pat 13:00–14:00
    pb = API + f"/bookings/{b['id']}"
    # Outside working hours: refused by the re-check, made with force.
    assert admin.patch(pb, json={"start": at(MON, "18:00")}).status_code == 409
    assert ok(admin.patch(pb, json={"start": at(MON, "18:00"), "force": True}))["start"] == at(MON, "18:00")
    # Overlapping a, or closer to it than the buffer on either side: 409 even with force.
    for start in ("10:30", "11:15", "09:00", "09:45"):
        r = admin.patch(pb, json={"start": at(MON, start), "force": True})
        assert (r.status_code, r.json()["error"]) == (409, "slot_unavailable"), (start, r.text)
        assert "alternatives" in r.json()
    assert ok(admin.get(pb))["start"] == at(MON, "18:00")
    # Exactly the buffer between them is not a double booking.
    for start in ("11:30", "08:30"):
        assert ok(admin.patch(pb, json={"start": at(MON, start), "force": True}))["start"] == at(MON, start)
    # A cancelled booking holds nobody.
    ok(admin.delete(API + f"/bookings/{a['id']}"))
    assert ok(admin.patch(pb, json={"start": at(MON, "10:00"), "force": True}))["start"] == at(MON, "10:00")


def test_agent_reschedule_reassigns_when_the_crew_is_busy(server, admin, anon):
    ids = business(admin)
    pat = staff(admin, "Pat")
    val = staff(admin, "Val")
    mine = ok(book(anon, at(MON, "10:00"), [ids["photos"]]), 201)
    assert mine["staff"][0]["id"] == pat
    agent = server.client(mine["manage_token"])
    path = API + f"/bookings/{mine['id']}"
    # Pat is free on Tuesday: the crew stays.
    assert ok(agent.patch(path, json={"start": at(TUE, "10:00")}))["staff"][0]["id"] == pat
    # Pat takes Wednesday off: moving there re-assigns by policy.
    ok(admin.patch(API + f"/staff/{pat}", json={"exceptions": [{"date": "2030-06-05", "off": True}]}))
    moved = ok(agent.patch(path, json={"start": at("2030-06-05", "10:00")}))
    assert moved["staff"] == [{"id": val, "name": "Val"}] and moved["sequence"] == 2
    assert moved["history"][-1]["change"]["action"] == "rescheduled_reassigned"


def test_agent_respects_notice(make_server):
    srv = make_server()
    admin = srv.client(srv.token)
    anon = srv.client()
    ids = business(admin, min_notice_minutes=120)
    staff(admin, "Pat")
    b = ok(book(anon, at(MON, "10:00"), [ids["photos"]]), 201)
    agent = srv.client(b["manage_token"])
    # Now 08:00, notice 2 h: the shoot at 10:00 may still change, not to 09:30.
    r = agent.patch(API + f"/bookings/{b['id']}", json={"start": at(MON, "09:30")})
    assert r.status_code == 409  # 09:30 is inside the notice
    ok(agent.delete(API + f"/bookings/{b['id']}"))
    srv.stop()
    srv.env["TRIPOD_NOW"] = at(MON, "09:00")
    srv.start()
    late = ok(book(anon, at(MON, "14:00"), [ids["photos"]]), 201)
    late_agent = srv.client(late["manage_token"])
    srv.stop()
    srv.env["TRIPOD_NOW"] = at(MON, "13:00")
    srv.start()
    r = late_agent.delete(API + f"/bookings/{late['id']}")
    assert (r.status_code, r.json()["error"]) == (409, "too_late")
    ok(srv.client(srv.token).delete(API + f"/bookings/{late['id']}"))


def test_cancel_frees_the_time_and_keeps_history(admin, anon):
    ids = business(admin)
    staff(admin, "Pat")
    b = ok(book(anon, at(MON, "12:00"), [ids["photos"]]), 201)
    assert "12:00" not in starts(slots(anon, [ids["photos"]]))
    cancelled = ok(admin.delete(API + f"/bookings/{b['id']}"))
    assert cancelled["status"] == "cancelled" and cancelled["sequence"] == 1
    assert [h["change"]["action"] for h in cancelled["history"]] == ["created", "cancelled"]
    assert "12:00" in starts(slots(anon, [ids["photos"]]))
    again = ok(admin.delete(API + f"/bookings/{b['id']}"))
    assert again["sequence"] == 1
    r = admin.patch(API + f"/bookings/{b['id']}", json={"start": at(MON, "14:00")})
    assert (r.status_code, r.json()["error"]) == (409, "cancelled")


def test_list_filters(admin, anon):
    ids = business(admin)
    pat = staff(admin, "Pat")
    val = staff(admin, "Val")
    a = ok(book(anon, at(MON, "10:00"), [ids["photos"]]), 201)
    b = ok(book(anon, at(TUE, "10:00"), [ids["photos"]]), 201)
    ok(admin.delete(API + f"/bookings/{a['id']}"))
    # Newest booked first (API.md "Daily operations": {bookings, next_cursor}).
    assert [x["id"] for x in listed(admin)] == [b["id"], a["id"]]
    assert [x["id"] for x in listed(admin, status="confirmed")] == [b["id"]]
    assert [x["id"] for x in listed(admin, **{"from": TUE})] == [b["id"]]
    assert [x["id"] for x in listed(admin, to=MON)] == [a["id"]]
    who = b["staff"][0]["id"]
    other = val if who == pat else pat
    assert [x["id"] for x in listed(admin, staff=who)] == [b["id"]]
    assert all(x["id"] != b["id"] for x in listed(admin, staff=other))
    assert admin.get(API + "/bookings", params={"status": "maybe"}).status_code == 422


def test_restart_keeps_bookings(server, admin, anon):
    ids = business(admin)
    staff(admin, "Pat")
    b = ok(book(anon, at(MON, "12:00"), [ids["photos"]]), 201)
    server.restart()
    assert ok(admin.get(API + f"/bookings/{b['id']}"))["start"] == at(MON, "12:00")
    assert "12:00" not in starts(slots(anon, [ids["photos"]]))
    assert ok(server.client(b["manage_token"]).get(API + "/manage"))["id"] == b["id"]
