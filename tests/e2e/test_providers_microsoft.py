"""Microsoft 365 end to end against the local stand-in
(tests/servers/microsoft_standin.py): connect by following the OAuth
redirects, busy time through calendarView/delta (paged by nextLink,
incremental by deltaLink, @removed, 410 → full resync, showAs, all-day,
declined), the live re-check before a booking commits, the booking's event
created through Graph (transactionId, Graph invites; no iTIP mails),
reassign and cancel, refresh-token rotation, revoked consent, throttling,
a lost create reply."""
from bookseed import API, MON, at, ok
from provseed import (basics, booking_body, booking_state, connect, control, microsoft,  # noqa: F401
                      pick, provider_server, settle, sink, staff_member, starts, sync, wait)


def mev(eid, start, end, **kw):
    ev = {"id": eid, "subject": kw.pop("subject", eid), "start": start, "end": end}
    ev.update(kw)
    return ev


def test_connect_delta_sync_and_booking_event(make_server, sink, microsoft):
    srv = provider_server(make_server, sink, microsoft)
    admin, anon = srv.client(srv.token), srv.client()
    photos = basics(admin)
    ann, bob = staff_member(admin, "ann"), staff_member(admin, "bob")
    for u in ("office@biz.test", "ann@team.test", "bob@team.test"):
        control(microsoft, "user", user=u)
    control(microsoft, "user", user="office@biz.test",
            calendars=[{"id": "cal-shared", "name": "Shared", "canEdit": False}])
    biz = connect(srv, admin, microsoft, "office@biz.test")
    cals = {c["remote_id"]: c for c in ok(admin.get(API + f"/accounts/{biz}/calendars"))}
    assert cals["cal-office"]["primary"] and cals["cal-office"]["can_write"]
    assert not cals["cal-shared"]["can_write"] and not cals["cal-shared"]["primary"]
    assert ok(admin.get(API + "/accounts"))[0]["email"] == "office@biz.test"
    pick(admin, biz, "business", primary=True)
    a_acc = connect(srv, admin, microsoft, "ann@team.test", owner=ann)
    b_acc = connect(srv, admin, microsoft, "bob@team.test", owner=bob)

    for ev in [mev("dentist", "2030-06-03T15:00:00Z", "2030-06-03T16:00:00Z"),
               mev("focus", "2030-06-03T18:00:00Z", "2030-06-03T19:00:00Z", showAs="free"),
               mev("remote", "2030-06-03T19:00:00Z", "2030-06-03T20:00:00Z", showAs="workingElsewhere"),
               mev("maybe", "2030-06-03T20:00:00Z", "2030-06-03T20:30:00Z", showAs="tentative"),
               mev("nope", "2030-06-03T17:00:00Z", "2030-06-03T17:30:00Z",
                   responseStatus={"response": "declined"}),
               mev("offsite", "2030-06-04T00:00:00Z", "2030-06-05T00:00:00Z", isAllDay=True, showAs="oof")]:
        control(microsoft, "event", user="ann@team.test", event=ev)
    ok(admin.patch(API + f"/staff/{bob}", json={"active": False}))
    a_cal, b_cal = pick(admin, a_acc, ann), pick(admin, b_acc, bob)
    settle(microsoft)  # the syncs the new calendars woke are over
    r = sync(admin, a_cal)
    assert r["events"] == 3  # dentist, maybe (tentative blocks), offsite (all day, oof)
    got = starts(anon, photos)
    assert at(MON, "10:00") not in got and at(MON, "11:30") not in got  # dentist 11:00-12:00 EDT
    assert at(MON, "13:00") in got  # declined 13:00-13:30 and free 14:00-15:00: free
    assert at(MON, "15:00") not in got  # workingElsewhere 15-16 is free but "maybe" 16:00 blocks 15:00+buffer
    assert starts(anon, photos, "2030-06-04") == []  # the all-day oof event: her whole local day
    reqs = [(p, q) for m, p, q in control(microsoft, "stats")["requests"] if p.endswith("/delta")]
    assert reqs[0][1].get("startDateTime") and any("$skiptoken" in q for _, q in reqs)

    # Incremental through the deltaLink: one removed, one added.
    control(microsoft, "delete_event", user="ann@team.test", id="dentist")
    control(microsoft, "event", user="ann@team.test", event=mev("call", "2030-06-03T13:00:00Z", "2030-06-03T14:00:00Z"))
    r = sync(admin, a_cal)
    assert r["mode"] == "incremental" and r["deleted"] == 1 and r["events"] == 3
    got = starts(anon, photos)
    assert at(MON, "11:00") in got and at(MON, "09:30") not in got
    assert "$deltatoken" in [q for m, p, q in control(microsoft, "stats")["requests"] if p.endswith("/delta")][-1]
    control(microsoft, "invalidate_sync")
    r = sync(admin, a_cal)
    assert r["mode"] == "full" and "410" in (r["fallback"] or "") and r["events"] == 3

    # The booking: created through Graph on the primary with both attendees.
    ok(admin.patch(API + f"/staff/{bob}", json={"active": True}))
    sync(admin, b_cal)
    ok(admin.patch(API + f"/staff/{ann}", json={"active": False}))
    # The live re-check: an event Bob added a moment ago (not synced yet)
    # refuses the booking it overlaps.
    control(microsoft, "event", user="bob@team.test",
            event=mev("surprise", "2030-06-03T18:00:00Z", "2030-06-03T19:00:00Z"))
    assert at(MON, "14:00") in starts(anon, photos)
    r = anon.post(API + "/bookings", json=booking_body(photos, at(MON, "14:00")))
    assert r.status_code == 409 and r.json()["error"] == "slot_unavailable"
    assert at(MON, "14:00") not in starts(anon, photos)
    b = ok(anon.post(API + "/bookings", json=booking_body(photos, at(MON, "10:00"))), 201)
    ok(admin.patch(API + f"/staff/{ann}", json={"active": True}))
    assert b["staff"][0]["id"] == bob
    assert wait(lambda: booking_state(admin, b["id"]) == "synced")
    events = list(control(microsoft, "events", user="office@biz.test").values())
    assert len(events) == 1
    ev = events[0]
    assert sorted(a["emailAddress"]["address"] for a in ev["attendees"]) == ["ava@realty.test", "bob@team.test"]
    assert ev["start"] == {"dateTime": "2030-06-03T14:00:00.0000000", "timeZone": "UTC"}
    assert ev["transactionId"].startswith(f"tripod-booking-{b['id']}@tripod")
    assert sink.messages() == []
    # Bob's copy of the invitation (same iCalUId) is the booking itself.
    sync(admin, b_cal)
    explain = ok(admin.get(API + "/availability/explain", params={"services": photos, "at": at(MON, "10:00")}))
    assert explain  # answered; the booking is not counted twice (see the reschedule below)

    # Reassign to Ann: Graph updates the attendees and cancels Bob.
    ok(admin.patch(API + f"/bookings/{b['id']}", json={"staff": [ann], "force": True}))
    assert wait(lambda: booking_state(admin, b["id"]) == "synced")
    ev = next(iter(control(microsoft, "events", user="office@biz.test").values()))
    assert sorted(a["emailAddress"]["address"] for a in ev["attendees"]) == ["ann@team.test", "ava@realty.test"]
    sent = control(microsoft, "stats")["sent"]
    assert any(s["to"] == "bob@team.test" and s["kind"] == "cancellation" for s in sent)
    assert len(control(microsoft, "events", user="office@biz.test")) == 1, "updated, not created again"
    # Cancel: the event goes, the attendees get Graph's cancellation.
    assert admin.delete(API + f"/bookings/{b['id']}").status_code in (200, 204)
    assert wait(lambda: booking_state(admin, b["id"]) == "synced")
    assert control(microsoft, "events", user="office@biz.test") == {}
    assert any(s["to"] == "ann@team.test" and s["kind"] == "cancellation" for s in control(microsoft, "stats")["sent"])
    assert sink.messages() == []


def test_rotation_revocation_throttling(make_server, sink, microsoft):
    srv = provider_server(make_server, sink, microsoft)
    admin = srv.client(srv.token)
    photos = basics(admin)
    ann = staff_member(admin, "ann")
    control(microsoft, "user", user="ann@team.test")
    a_acc = connect(srv, admin, microsoft, "ann@team.test", owner=ann)
    a_cal = pick(admin, a_acc, ann)
    sync(admin, a_cal)
    settle(microsoft)
    # Each refresh brings a new refresh token, which is kept and used next time.
    for _ in range(2):
        control(microsoft, "expire_tokens")
        assert sync(admin, a_cal)["mode"] in ("incremental", "unchanged")
    assert control(microsoft, "stats")["refreshes"]["ann@team.test"] == 2
    # 429 + Retry-After is waited out.
    control(microsoft, "throttle", count=1, retry_after=2)
    sync(admin, a_cal)
    assert control(microsoft, "stats")["throttled"] >= 1
    # A long Retry-After fails this sync with the provider's words; the next one works.
    control(microsoft, "throttle", count=1, retry_after=60)
    r = admin.post(API + f"/calendars/{a_cal}/sync")
    assert r.status_code == 502 and "429" in r.json()["message"] and "retry after" in r.json()["message"]
    control(microsoft, "throttle", count=0)
    # A create whose answer was lost: the retry with the same transactionId
    # gets the first event back, not a second one.
    control(microsoft, "user", user="office@biz.test")
    biz = connect(srv, admin, microsoft, "office@biz.test")
    pick(admin, biz, "business", primary=True)
    sync(admin, a_cal)
    control(microsoft, "lose_reply", method="POST", count=1)
    b = ok(srv.client().post(API + "/bookings", json=booking_body(photos, at(MON, "10:00"))), 201)
    assert wait(lambda: booking_state(admin, b["id"]) == "synced", timeout=60)
    assert len(control(microsoft, "events", user="office@biz.test")) == 1
    posts = [m for m, p, q in control(microsoft, "stats")["requests"] if m == "POST" and p.endswith("/events")]
    assert len(posts) == 2, "the create was sent again"
    # Revoked consent.
    control(microsoft, "revoke", user="ann@team.test")
    control(microsoft, "expire_tokens")
    r = admin.post(API + f"/calendars/{a_cal}/sync")
    assert r.status_code == 502 and "reconnect" in r.json()["message"]
    acc = ok(admin.get(API + "/accounts"))[0]
    assert acc["state"] == "failing"
    assert any("ann@team.test" in p for p in ok(admin.get(API + "/readiness"))["calendar_sync"]["problems"])
