"""Google Calendar end to end against the local stand-in
(tests/servers/google_standin.py): connect by following the OAuth redirects,
pick calendars, busy time in full and incrementally (paging, sync tokens,
410 → full resync, all-day, transparent, declined, cancelled), the booking's
event written through the API with the attendees (no iTIP mails), reassign
and cancel, token refresh once per account, revoked consent, an outage."""
import concurrent.futures as cf

from bookseed import API, MON, at, ok
from conftest import TripodServer
from provseed import (basics, booking_body, booking_state, connect, control, google, pick,  # noqa: F401
                      provider_server, settle, sink, staff_member, starts, sync, wait)


def gev(eid, start, end, **kw):
    ev = {"id": eid, "summary": kw.pop("summary", eid), "start": {"dateTime": start},
          "end": {"dateTime": end}}
    ev.update(kw)
    return ev


def test_connect_sync_book_reassign_cancel(make_server, sink, google):
    srv = provider_server(make_server, sink, google)
    admin, anon = srv.client(srv.token), srv.client()
    photos = basics(admin)
    ann, bob = staff_member(admin, "ann"), staff_member(admin, "bob")
    control(google, "user", user="office@biz.test",
            calendars=[{"id": "holidays@group.test", "summary": "Holidays", "accessRole": "reader"}])
    control(google, "user", user="ann@team.test")
    control(google, "user", user="bob@team.test")

    biz = connect(srv, admin, google, "office@biz.test")
    accounts = ok(admin.get(API + "/accounts"))
    assert accounts == [{"id": biz, "provider": "google", "email": "office@biz.test",
                         "owner": "business", "state": "ok", "error": None}]
    cals = {c["remote_id"]: c for c in ok(admin.get(API + f"/accounts/{biz}/calendars"))}
    assert cals["office@biz.test"]["primary"] and cals["office@biz.test"]["can_write"]
    assert not cals["holidays@group.test"]["can_write"]
    primary = pick(admin, biz, "business", primary=True)
    a_acc = connect(srv, admin, google, "ann@team.test", owner=ann)
    b_acc = connect(srv, admin, google, "bob@team.test", owner=bob)

    # Busy time: 5 events on Ann's calendar, read over several pages.
    for ev in [gev("dentist", "2030-06-03T11:00:00-04:00", "2030-06-03T12:00:00-04:00"),
               gev("gym", "2030-06-03T14:00:00-04:00", "2030-06-03T15:00:00-04:00", transparency="transparent"),
               gev("lunch", "2030-06-03T13:00:00-04:00", "2030-06-03T13:30:00-04:00",
                   attendees=[{"email": "ann@team.test", "self": True, "responseStatus": "declined"}]),
               {"id": "offsite", "summary": "Offsite", "start": {"date": "2030-06-04"}, "end": {"date": "2030-06-05"}},
               gev("later", "2030-06-05T09:00:00-04:00", "2030-06-05T10:00:00-04:00")]:
        control(google, "event", user="ann@team.test", event=ev)
    a_cal, b_cal = pick(admin, a_acc, ann), pick(admin, b_acc, bob)
    doc = ok(admin.get(API + f"/calendars/{a_cal}"))
    assert doc["kind"] == "google" and doc["account"] == a_acc and "password" not in doc
    ok(admin.patch(API + f"/staff/{bob}", json={"active": False}))  # Ann alone is offered
    settle(google)  # the syncs the new calendars woke are over
    r = sync(admin, a_cal)
    assert r["events"] == 3  # dentist, offsite (all day), later
    got = starts(anon, photos)
    assert at(MON, "10:00") not in got and at(MON, "11:30") not in got  # dentist + buffers
    assert at(MON, "13:00") in got and at(MON, "14:00") in got  # declined lunch, transparent gym: free
    lists = [q for m, p, q in control(google, "stats")["requests"] if p.endswith("/events") and m == "GET"]
    assert all(q["singleEvents"] == "true" for q in lists)
    assert any("pageToken" in q for q in lists), "several pages were read"

    # Incremental: the dentist is cancelled, a new event appears.
    control(google, "delete_event", user="ann@team.test", id="dentist")
    control(google, "event", user="ann@team.test",
            event=gev("call", "2030-06-03T15:00:00-04:00", "2030-06-03T16:00:00-04:00"))
    r = sync(admin, a_cal)
    assert r["mode"] == "incremental" and r["deleted"] == 1 and r["events"] == 3
    got = starts(anon, photos)
    assert at(MON, "11:00") in got and at(MON, "15:00") not in got
    last = [q for m, p, q in control(google, "stats")["requests"] if p.endswith("/events") and m == "GET"][-1]
    assert "syncToken" in last and "timeMin" not in last

    # A stale sync token: 410 Gone, then a full read that drops what went.
    control(google, "invalidate_sync")
    r = sync(admin, a_cal)
    assert r["mode"] == "full" and "410" in (r["fallback"] or "") and r["events"] == 3

    # The Tuesday all-day event blocks Ann's whole local day.
    assert starts(anon, photos, "2030-06-04") == []
    ok(admin.patch(API + f"/staff/{bob}", json={"active": True}))
    sync(admin, b_cal)

    # Booking: the event goes on the Google primary calendar, the provider invites.
    b = ok(anon.post(API + "/bookings", json=booking_body(photos, at(MON, "10:00"))), 201)
    assert wait(lambda: booking_state(admin, b["id"]) == "synced")
    events = control(google, "events", user="office@biz.test")
    eid = f"tripodbooking{b['id']}"
    ev = events[eid]
    crew = [s["id"] for s in b["staff"]]
    emails = sorted(a["email"] for a in ev["attendees"])
    who = "ann@team.test" if crew == [ann] else "bob@team.test"
    assert emails == sorted(["ava@realty.test", who])
    assert ev["start"]["dateTime"] == "2030-06-03T14:00:00+00:00" and ev["status"] == "confirmed"
    sent = control(google, "stats")["sent"]
    assert {s["to"] for s in sent if s["event"] == eid and s["kind"] == "invitation"} == set(emails)
    writes = [q for m, p, q in control(google, "stats")["requests"] if m in ("POST", "PATCH", "DELETE")]
    assert writes and all(q.get("sendUpdates") == "all" for q in writes)
    assert sink.messages() == [], "no iTIP mail from Tripod when Google invites"

    # The invited staff member's own copy (same id) is the booking itself, not extra busy time.
    sync(admin, a_cal if who == "ann@team.test" else b_cal)

    # Reassign to the other person: Google updates the attendees and cancels the removed one.
    other = bob if crew == [ann] else ann
    ok(admin.patch(API + f"/bookings/{b['id']}", json={"staff": [other]}))
    assert wait(lambda: booking_state(admin, b["id"]) == "synced")
    ev = control(google, "events", user="office@biz.test")[eid]
    other_email = "bob@team.test" if other == bob else "ann@team.test"
    assert sorted(a["email"] for a in ev["attendees"]) == sorted(["ava@realty.test", other_email])
    sent = control(google, "stats")["sent"]
    assert any(s["to"] == who and s["kind"] == "cancellation" and s["event"] == eid for s in sent)
    # Reschedule moves it.
    ok(admin.patch(API + f"/bookings/{b['id']}", json={"start": at(MON, "16:00"), "force": True}))
    assert wait(lambda: booking_state(admin, b["id"]) == "synced")
    assert control(google, "events", user="office@biz.test")[eid]["start"]["dateTime"] == "2030-06-03T20:00:00+00:00"
    # Cancel deletes it.
    assert admin.delete(API + f"/bookings/{b['id']}").status_code in (200, 204)
    assert wait(lambda: booking_state(admin, b["id"]) == "synced")
    assert control(google, "events", user="office@biz.test")[eid]["status"] == "cancelled"
    assert sink.messages() == []
    # Secrets never come back.
    for a in ok(admin.get(API + "/accounts")):
        assert not any("token" in k for k in a)
    assert "at-" not in srv.log() and "rt-" not in srv.log()


def test_refresh_once_revoked_consent_and_outage(make_server, sink, google):
    srv = provider_server(make_server, sink, google)
    admin, anon = srv.client(srv.token), srv.client()
    photos = basics(admin)
    ann = staff_member(admin, "ann")
    control(google, "user", user="office@biz.test")
    control(google, "user", user="ann@team.test",
            calendars=[{"id": "ann-jobs@group.test", "summary": "Jobs", "accessRole": "writer"}])
    biz = connect(srv, admin, google, "office@biz.test")
    pick(admin, biz, "business", primary=True)
    a_acc = connect(srv, admin, google, "ann@team.test", owner=ann)
    a_cal = pick(admin, a_acc, ann)
    a_jobs = pick(admin, a_acc, ann, want="ann-jobs@group.test")
    sync(admin, a_cal)
    sync(admin, a_jobs)
    settle(google)

    # Expired access tokens while two calendars of the account sync at once
    # on two instances sharing the store: one refresh for the account.
    srv2 = TripodServer(srv.data_dir, env=srv.env)
    srv2.start()
    try:
        admin2 = srv2.client(srv2.token)
        control(google, "expire_tokens")
        jobs = [(admin, a_cal), (admin, a_jobs), (admin2, a_cal), (admin2, a_jobs)]
        with cf.ThreadPoolExecutor(4) as pool:
            codes = list(pool.map(lambda j: j[0].post(API + f"/calendars/{j[1]}/sync").status_code, jobs))
        assert all(c in (200, 409) for c in codes) and codes.count(200) >= 2, codes
        assert control(google, "stats")["refreshes"].get("ann@team.test") == 1
    finally:
        srv2.stop()

    # Throttled: 429 with Retry-After is waited out, the sync succeeds.
    control(google, "throttle", count=1, retry_after=1)
    assert sync(admin, a_cal)["mode"] in ("incremental", "unchanged", "full")
    assert control(google, "stats")["throttled"] >= 1

    # An outage delays the booking's event; nothing is lost.
    control(google, "down", down=True)
    b = ok(anon.post(API + "/bookings", json=booking_body(photos, at(MON, "10:00"))), 201)
    assert wait(lambda: booking_state(admin, b["id"]) == "failing")
    assert "503" in ok(admin.get(API + f"/bookings/{b['id']}"))["calendar"]["error"]
    control(google, "down", down=False)
    assert wait(lambda: booking_state(admin, b["id"]) == "synced", timeout=60)
    assert f"tripodbooking{b['id']}" in control(google, "events", user="office@biz.test")

    # A create whose answer was lost is retried without a second event: the
    # client-supplied id makes the retried insert a 409, then a patch.
    control(google, "lose_reply", method="POST", count=1)
    b2 = ok(anon.post(API + "/bookings", json=booking_body(photos, at(MON, "13:00"))), 201)
    assert wait(lambda: booking_state(admin, b2["id"]) == "synced", timeout=60)
    mine = [e for e in control(google, "events", user="office@biz.test") if e == f"tripodbooking{b2['id']}"]
    assert len(mine) == 1
    posts = [q for m, p, q in control(google, "stats")["requests"] if m == "POST" and p.endswith("/events")]
    assert len(posts) >= 2, "the insert was sent again"

    # Revoked consent: the refresh gets invalid_grant, the account fails,
    # readiness names it, the calendar's sync says why.
    control(google, "revoke", user="ann@team.test")
    control(google, "expire_tokens", user="ann@team.test")
    r = admin.post(API + f"/calendars/{a_cal}/sync")
    assert r.status_code == 502 and "reconnect" in r.json()["message"]
    acc = next(a for a in ok(admin.get(API + "/accounts")) if a["id"] == a_acc)
    assert acc["state"] == "failing" and "invalid_grant" in acc["error"]
    problems = ok(admin.get(API + "/readiness"))["calendar_sync"]["problems"]
    assert any("ann@team.test" in p and "Reconnect" in p for p in problems), problems
    # Reconnecting makes it ok again.
    control(google, "restore", user="ann@team.test")
    assert connect(srv, admin, google, "ann@team.test", owner=ann) == a_acc
    acc = next(a for a in ok(admin.get(API + "/accounts")) if a["id"] == a_acc)
    assert acc["state"] == "ok"
    assert sync(admin, a_cal)["events"] == 2  # the two bookings' invitations on her calendar


def test_bad_state_and_staff_link(make_server, sink, google):
    srv = provider_server(make_server, sink, google)
    admin = srv.client(srv.token)
    import requests
    ann = staff_member(admin, "ann")
    control(google, "user", user="ann@team.test")
    control(google, "login", user="ann@team.test")
    # A forged state: 400, nothing stored.
    r = requests.get(srv.url + "/oauth/google/callback?code=x&state=forged", timeout=10)
    assert r.status_code == 400 and "text/html" in r.headers["Content-Type"]
    assert ok(admin.get(API + "/accounts")) == []
    # A reused state: the second callback is refused.
    url = ok(admin.post(API + "/oauth/google/start", json={"owner": "business"}))["authorize_url"]
    back = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
    assert requests.get(back, allow_redirects=False, timeout=30).status_code == 302
    assert requests.get(back, allow_redirects=False, timeout=30).status_code == 400
    assert len(ok(admin.get(API + "/accounts"))) == 1
    # Bad owners and providers.
    assert admin.post(API + "/oauth/google/start", json={"owner": "999"}).status_code == 422
    assert admin.post(API + "/oauth/yahoo/start", json={"owner": "business"}).status_code == 404
    assert srv.client().post(API + "/oauth/google/start", json={"owner": "business"}).status_code == 401

    # The staff connect link: no admin token; shows whom it is for; one time.
    link = ok(admin.post(API + f"/staff/{ann}/connect-link"), 201)
    token = link["url"].rsplit("/", 1)[1]
    assert link["url"].startswith(srv.url + "/connect/")
    anon = srv.client()
    view = ok(anon.get(API + f"/connect/{token}"))
    assert view["staff"]["name"] == "Ann" and view["connected"] is None and "google" in view["providers"]
    page = requests.get(link["url"], timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    start = ok(anon.post(API + f"/connect/{token}/start", json={"provider": "google"}))
    back = requests.get(start["authorize_url"], allow_redirects=False, timeout=10).headers["Location"]
    r = requests.get(back, allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"].startswith("/connect/done")
    accounts = ok(admin.get(API + "/accounts"))
    mine = [a for a in accounts if a["owner"] == ann]
    assert len(mine) == 1 and mine[0]["email"] == "ann@team.test"
    cals = [c for c in ok(admin.get(API + "/calendars")) if c["owner"] == ann]
    assert len(cals) == 1 and cals[0]["kind"] == "google" and cals[0]["remote_id"] == "ann@team.test"
    assert ok(anon.get(API + f"/connect/{token}"))["connected"]["email"] == "ann@team.test"
    assert anon.post(API + f"/connect/{token}/start", json={"provider": "google"}).status_code == 409
    assert anon.get(API + "/connect/nope").status_code == 404
    # Readiness: Ann has a calendar now.
    assert not any("Ann" in p for p in ok(admin.get(API + "/readiness"))["prerequisites"]["staff_calendars"]["problems"])
    # Disconnect: the account and its calendars go.
    assert admin.delete(API + f"/accounts/{mine[0]['id']}").status_code == 204
    assert [c for c in ok(admin.get(API + "/calendars")) if c["owner"] == ann] == []
