"""A booking re-reads its chosen staff member's calendar live before it
commits: an event added in Radicale after the last sync makes that person
busy (409 with alternatives, or another free person is assigned), while an
unreachable calendar server never fails a booking (cached busy time)."""
from bookseed import API, MON, at, ok, slots, starts
from calseed import (agent_booking, business, cal_env, put_event, radicale, sink,  # noqa: F401
                     sync)


def test_event_added_after_sync_makes_the_slot_409(make_server, radicale, sink):
    srv = make_server(env=cal_env(sink))
    admin, anon = srv.client(srv.token), srv.client()
    photos, people = business(admin, radicale)
    sync(admin, people["ann"][1])
    put_event(radicale, "ann", "walkthrough", "Walkthrough", "20300603T130000", "20300603T140000")
    # The cache has not seen it: 13:00 is still offered.
    assert "13:00" in starts(slots(anon, [photos]))
    r = anon.post(API + "/bookings", json=agent_booking(photos, at(MON, "13:00")))
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["error"] == "slot_unavailable"
    assert body["reasons"] == [{"staff": {"id": people["ann"][0], "name": "Ann"},
                                "reasons": ["busy 1:00 PM–2:00 PM (calendar)"]}]
    alts = [a["start"] for a in body["alternatives"]]
    assert alts and at(MON, "13:00") not in alts
    # 13:00-14:00 busy plus 30 min buffers: starts from 12:00 to 14:00 are gone.
    for a in alts:
        assert a <= at(MON, "11:30") or a >= at(MON, "14:30"), alts
    # The live look also refreshed the cache.
    got = starts(slots(anon, [photos]))
    assert "13:00" not in got and "12:30" not in got and "14:30" in got
    assert ok(admin.get(API + "/bookings"))["bookings"] == []


def test_busy_person_is_skipped_and_another_assigned(make_server, radicale, sink):
    srv = make_server(env=cal_env(sink))
    admin, anon = srv.client(srv.token), srv.client()
    photos, people = business(admin, radicale, ("ann", "bob"))
    for p in people.values():
        sync(admin, p[1])
    # Ann (the lower id) would be chosen on ties; she is now busy at 10:00.
    put_event(radicale, "ann", "dentist", "Dentist", "20300603T100000", "20300603T110000")
    b = ok(anon.post(API + "/bookings", json=agent_booking(photos, at(MON, "10:00"))), 201)
    assert [s["id"] for s in b["staff"]] == [people["bob"][0]]


def test_reschedule_rechecks_live_too(make_server, radicale, sink):
    srv = make_server(env=cal_env(sink))
    admin, anon = srv.client(srv.token), srv.client()
    photos, people = business(admin, radicale)
    sync(admin, people["ann"][1])
    b = ok(anon.post(API + "/bookings", json=agent_booking(photos, at(MON, "09:30"))), 201)
    put_event(radicale, "ann", "lunch", "Lunch", "20300603T150000", "20300603T160000")
    agent = srv.client(b["manage_token"])
    r = agent.patch(API + f"/bookings/{b['id']}", json={"start": at(MON, "15:00")})
    assert r.status_code == 409 and r.json()["error"] == "slot_unavailable", r.text
    r = admin.patch(API + f"/bookings/{b['id']}", json={"start": at(MON, "15:00")})
    assert r.status_code == 409, r.text
    # Forced by an admin: no check at all.
    r = admin.patch(API + f"/bookings/{b['id']}", json={"start": at(MON, "15:00"), "force": True})
    assert r.status_code == 200, r.text


def test_unreachable_calendar_server_never_fails_a_booking(make_server, radicale, sink):
    srv = make_server(env=cal_env(sink))
    admin, anon = srv.client(srv.token), srv.client()
    photos, people = business(admin, radicale)
    sync(admin, people["ann"][1])
    put_event(radicale, "ann", "unseen", "Unseen", "20300603T130000", "20300603T140000")
    radicale.stop()
    b = ok(anon.post(API + "/bookings", json=agent_booking(photos, at(MON, "13:00"))), 201)
    assert [s["id"] for s in b["staff"]] == [people["ann"][0]]
