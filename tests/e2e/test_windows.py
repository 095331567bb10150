"""Shoot windows through the API: the `window` of services and packages and the
`location` setting (validation), where the sun is computed (the property, its
zone's centre, the business), the offered starts around each day's sunset,
the messages and reasons when windows leave no time, the next free day,
bookings and reschedules inside and outside a window, and the explain view.

The clock is Monday 2030-06-03 08:00 in New York (conftest.DEFAULT_NOW)."""
from datetime import datetime, timedelta

from bookseed import (API, MON, TUE, at, book, business, hours, ok, package, service, settings,
                      slots, staff, starts)

NYC = {"lat": "40.7128", "lon": "-74.006"}
LA = {"lat": "34.0522", "lon": "-118.2437"}
SVALBARD = {"lat": "78.2232", "lon": "15.6267"}  # Longyearbyen: the sun never sets in June
EVENING = hours("09:00", "23:00", days=("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
# A rectangle around Midtown: its centre is 40.75, -73.99.
MIDTOWN = {"type": "Polygon", "coordinates": [[[-74.01, 40.74], [-73.97, 40.74], [-73.97, 40.76],
                                                [-74.01, 40.76], [-74.01, 40.74]]]}


def sunset_window(before=60, after=30, kind="sunset"):
    return {"kind": kind, "before_minutes": before, "after_minutes": after}


def windowed(admin, name, minutes, window, skills=()):
    body = {"name": name, "duration_minutes": minutes, "skills": list(skills), "window": window}
    return ok(admin.post(API + "/services", json=body), 201)["id"]


def twilight(admin, minutes=30, **kw):
    return windowed(admin, "Twilight photos", minutes, sunset_window(**kw))


def aligned_starts(event, before, after, minutes, step=30):
    """The HH:MM starts on the step (New York wall clock) whose shoot lies in
    [event - before, event + after]."""
    ev = datetime.fromisoformat(event)
    lo, hi = ev - timedelta(minutes=before), ev + timedelta(minutes=after - minutes)
    t = lo.replace(minute=0, second=0)
    out = []
    while t <= hi:
        if t >= lo:
            out.append(t.strftime("%Y-%m-%dT%H:%M"))
        t += timedelta(minutes=step)
    return out


def only_window(body):
    (w,) = body["windows"]
    return w


# ---- the API: validation, storage, the public catalog ----

def test_window_validation_names_the_field_and_changes_nothing(admin):
    business(admin)
    before = ok(admin.get(API + "/services"))
    bad = [
        ("nope", "window"),
        ({"kind": "noon"}, "window.kind"),
        ({"from": "09:00", "to": "17:00"}, "window.kind"),
        ({"kind": "local", "from": "9:00", "to": "17:00"}, "window.from"),
        ({"kind": "local", "from": "09:00", "to": "25:00"}, "window.to"),
        ({"kind": "local", "from": "24:00", "to": "24:00"}, "window.from"),
        ({"kind": "local", "from": "17:00", "to": "09:00"}, "window.to"),
        ({"kind": "local", "from": "09:00"}, "window.to"),
        ({"kind": "local", "from": "09:00", "to": "17:00", "before_minutes": 5}, "window.before_minutes"),
        ({"kind": "sunset", "before_minutes": 30}, "window.after_minutes"),
        ({"kind": "sunset", "before_minutes": "30", "after_minutes": 30}, "window.before_minutes"),
        ({"kind": "sunrise", "before_minutes": 601, "after_minutes": 0}, "window.before_minutes"),
        ({"kind": "sunset", "before_minutes": 30, "after_minutes": -30}, "window.after_minutes"),
        ({"kind": "sunset", "before_minutes": 10.5, "after_minutes": 60}, "window.before_minutes"),
        ({"kind": "sunset", "before_minutes": 30, "after_minutes": 30, "from": "09:00"}, "window.from"),
        # A 30-minute window cannot hold a 60-minute shoot.
        ({"kind": "local", "from": "09:00", "to": "09:30"}, "window"),
        ({"kind": "sunset", "before_minutes": 20, "after_minutes": 10}, "window"),
    ]
    for window, field in bad:
        r = admin.post(API + "/services", json={"name": "Twilight", "duration_minutes": 60,
                                                "window": window})
        assert r.status_code == 422, (window, r.text)
        assert (r.json()["error"], r.json()["field"]) == ("validation", field), (window, r.json())
        assert r.json()["message"]
        r = admin.post(API + "/packages", json={"name": "Dusk", "duration_minutes": 60,
                                                "window": window})
        assert (r.status_code, r.json()["field"]) == (422, field), (window, r.text)
    assert ok(admin.get(API + "/services")) == before
    assert ok(admin.get(API + "/packages")) == []


def test_windows_are_stored_canonically_and_shown_publicly(admin, anon):
    business(admin)
    tw = windowed(admin, "Twilight photos", 30, {"before_minutes": 45.0, "kind": "sunset",
                                                 "after_minutes": 15})
    inside = windowed(admin, "Interiors", 60, {"kind": "local", "from": "09:00", "to": "24:00"})
    dawn = ok(admin.post(API + "/packages", json={
        "name": "Dawn drone", "duration_minutes": 45,
        "window": {"kind": "sunrise", "before_minutes": -10, "after_minutes": 70}}), 201)
    assert ok(admin.get(API + f"/services/{tw}"))["window"] == sunset_window(45, 15)
    assert ok(admin.get(API + f"/services/{inside}"))["window"] == {"kind": "local", "from": "09:00",
                                                                    "to": "24:00"}
    assert dawn["window"] == {"kind": "sunrise", "before_minutes": -10, "after_minutes": 70}
    catalog = ok(anon.get(API + "/catalog"))
    public = {s["name"]: s.get("window") for s in catalog["services"] + catalog["packages"]}
    assert public == {"Photos": None, "Video": None, "Twilight photos": sunset_window(45, 15),
                      "Interiors": {"kind": "local", "from": "09:00", "to": "24:00"},
                      "Dawn drone": dawn["window"]}
    # null removes a window; a longer duration must still fit the window.
    assert ok(admin.patch(API + f"/services/{inside}", json={"window": None}))["window"] is None
    r = admin.patch(API + f"/services/{tw}", json={"duration_minutes": 90})
    assert (r.status_code, r.json()["field"]) == (422, "window")
    r = admin.patch(API + f"/services/{tw}", json={"tiers": [{"max_sqft": 2000,
                                                               "duration_minutes": 61}]})
    assert r.status_code == 200, r.text  # the shortest length (30 min) still fits
    assert ok(admin.get(API + f"/services/{tw}"))["duration_minutes"] == 30


def test_location_setting_is_validated(admin):
    assert ok(admin.get(API + "/settings"))["location"] is None
    before = ok(admin.get(API + "/settings"))
    for loc, field in [("NYC", "location"), ({"lat": 91, "lon": 0}, "location.lat"),
                       ({"lat": 40}, "location.lon"), ({"lat": 40, "lon": -181}, "location.lon"),
                       ({"lat": "40", "lon": 0}, "location.lat"),
                       ({"lat": 40, "lon": 0, "alt": 3}, "location.alt")]:
        r = admin.put(API + "/settings", json={"location": loc})
        assert (r.status_code, r.json()["field"]) == (422, field), (loc, r.text)
    assert ok(admin.get(API + "/settings")) == before
    s = ok(admin.put(API + "/settings", json={"location": {"lat": 40.7128, "lon": -74.006}}))
    assert s["location"] == {"lat": 40.7128, "lon": -74.006}
    assert ok(admin.put(API + "/settings", json={"location": None}))["location"] is None


# ---- offered starts ----

def test_twilight_starts_lie_around_each_days_sunset(admin, anon):
    business(admin)
    staff(admin, "Pat", hours=EVENING)
    tw = twilight(admin, minutes=30, before=60, after=30)
    body = ok(slots(anon, [tw], day=TUE, to="2030-06-08", **NYC))
    w = only_window(body)
    assert w["item"] == {"id": tw, "kind": "service", "name": "Twilight photos"}
    assert (w["kind"], w["before_minutes"], w["after_minutes"]) == ("sunset", 60, 30)
    assert [d["date"] for d in w["days"]] == ["2030-06-04", "2030-06-05", "2030-06-06",
                                              "2030-06-07", "2030-06-08"]
    assert body["sun_place"] == {"lat": 40.7128, "lon": -74.006, "source": "property"}
    assert body["reason"] is None and body["message"] is None
    got = [s["start"][:16] for s in body["slots"]]
    want = [s for d in w["days"] for s in aligned_starts(d["event"], 60, 30, 30)]
    assert got == want and len(got) >= 5
    for d in w["days"]:  # New York's June sunsets: after 8 PM, a little later each day
        assert d["event"].startswith(d["date"] + "T20:2") and d["event"].endswith(":00-04:00")
    assert [d["event"] for d in w["days"]] == sorted(d["event"] for d in w["days"])
    # Further west the sun sets later (in the business zone's clock).
    west = ok(slots(anon, [tw], day=TUE, lat="40.7128", lon="-80.0"))
    assert only_window(west)["days"][0]["event"] > w["days"][0]["event"]


def test_local_window_keeps_the_shoot_inside_its_hours(admin, anon):
    ids = business(admin)
    staff(admin, "Pat")
    interiors = windowed(admin, "Interiors", 60, {"kind": "local", "from": "10:00", "to": "12:30"})
    assert starts(slots(anon, [interiors], day=TUE)) == ["10:00", "10:30", "11:00", "11:30"]
    both = ok(slots(anon, [interiors, ids["photos"]], day=TUE))  # 120 min inside 10:00-12:30
    assert [s["start"][11:16] for s in both["slots"]] == ["10:00", "10:30"]
    assert only_window(both) == {"item": {"id": interiors, "kind": "service", "name": "Interiors"},
                                 "kind": "local", "from": "10:00", "to": "12:30"}
    assert "sun_place" not in both


def test_package_window_applies_to_the_package(admin, anon):
    ids = business(admin)
    staff(admin, "Pat", hours=EVENING)
    dusk = ok(admin.post(API + "/packages", json={
        "name": "Dusk package", "duration_minutes": 60, "services": [ids["photos"]],
        "window": sunset_window(90, 30)}), 201)["id"]
    body = ok(slots(anon, packages=[dusk], day=TUE, **NYC))
    w = only_window(body)
    assert w["item"] == {"id": dusk, "kind": "package", "name": "Dusk package"}
    assert [s["start"][:16] for s in body["slots"]] == aligned_starts(w["days"][0]["event"], 90, 30, 60)


# ---- where the sun is computed ----

def test_sun_place_property_then_zone_centre_then_business(admin, anon):
    business(admin)
    staff(admin, "Pat", hours=EVENING)
    tw = twilight(admin)
    ok(admin.post(API + "/zones", json={"name": "Midtown", "polygon": MIDTOWN,
                                        "postal_codes": ["10018"]}), 201)
    ok(admin.post(API + "/zones", json={"name": "Brooklyn", "polygon": None,
                                        "postal_codes": ["11201"]}), 201)
    # 1. The property's own position.
    own = ok(slots(anon, [tw], day=TUE, postal_code="10018", **LA))
    assert own["sun_place"]["source"] == "property" and own["sun_place"]["lat"] == 34.0522
    # 2. No position: the centre of the zone its postal code is in.
    zone = ok(slots(anon, [tw], day=TUE, postal_code="10018"))
    assert zone["sun_place"]["source"] == "zone"
    assert abs(zone["sun_place"]["lat"] - 40.75) < 1e-9 and abs(zone["sun_place"]["lon"] + 73.99) < 1e-9
    at_centre = ok(slots(anon, [tw], day=TUE, lat="40.75", lon="-73.99"))
    assert only_window(zone)["days"] == only_window(at_centre)["days"]
    assert [s["start"] for s in zone["slots"]] == [s["start"] for s in at_centre["slots"]]
    assert zone["slots"]
    # 3. A postal-code-only zone has no centre: the business's location.
    settings(admin, location={"lat": 34.0522, "lon": -118.2437})
    biz = ok(slots(anon, [tw], day=TUE, postal_code="11201"))
    assert biz["sun_place"] == {"lat": 34.0522, "lon": -118.2437, "source": "business"}
    assert only_window(biz)["days"] == only_window(own)["days"]  # Los Angeles' sunset
    # 4. Nowhere: no slot, and the page is told why.
    settings(admin, location=None)
    none = ok(slots(anon, [tw], day=TUE, postal_code="11201"))
    assert none["slots"] == [] and none["sun_place"] is None and only_window(none)["days"] == []
    assert none["reason"] == {"code": "no_place", "other": None,
                              "item": {"id": tw, "kind": "service", "name": "Twilight photos"}}
    assert none["message"].startswith("Twilight photos need the property's location")
    r = book(anon, at(TUE, "20:00"), [tw], postal_code="11201")
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (422, "no_place", "property")
    assert ok(admin.get(API + "/bookings"))["bookings"] == []


# ---- why there is no time ----

def test_messages_say_why_windows_leave_no_time(admin, anon):
    ids = business(admin)
    pat = staff(admin, "Pat", hours=EVENING)
    tw = twilight(admin, minutes=30, before=60, after=30)
    interiors = windowed(admin, "Interiors", 60, {"kind": "local", "from": "09:00", "to": "17:00"})
    ref = {"id": tw, "kind": "service", "name": "Twilight photos"}
    # Windows that never meet, in either order.
    for items in ([interiors, tw], [tw, interiors]):
        body = ok(slots(anon, items, day=TUE, **NYC))
        assert body["slots"] == []
        assert body["reason"] == {"code": "window_conflict", "item": ref,
                                  "other": {"id": interiors, "kind": "service", "name": "Interiors"}}
        assert body["message"].startswith("Twilight photos must be booked on their own")
        assert "9:00 AM and 5:00 PM" in body["message"]
    # The whole shoot does not fit the twilight window (150 min > 90 min).
    long = service(admin, "Long photos", 120)
    body = ok(slots(anon, [tw, long], day=TUE, **NYC))
    assert body["slots"] == [] and body["reason"]["code"] == "window_too_short"
    assert body["message"].startswith("Twilight photos must be booked on their own")
    # No sunset at all: the midnight sun.
    body = ok(slots(anon, [tw], day=TUE, to="2030-06-06", **SVALBARD))
    assert body["slots"] == [] and body["reason"] == {"code": "no_sun", "item": ref, "other": None}
    assert body["message"].startswith("There is no sunset at this place on these dates")
    assert [d["event"] for d in only_window(body)["days"]] == [None, None, None]
    # Today's window has passed (now is 08:00).
    dawn = windowed(admin, "Dawn", 30, {"kind": "local", "from": "06:00", "to": "07:30"})
    body = ok(slots(anon, [dawn], day=MON))
    assert body["reason"]["code"] == "window_closed" and "Dawn" in body["message"]
    assert starts(slots(anon, [dawn], day=TUE)) == []  # staff start at 09:00 …
    # … so nobody is free inside the window while times outside it are free.
    body = ok(slots(anon, [dawn], day=TUE))
    assert body["reason"]["code"] == "window_no_staff"
    assert body["message"] == ("Nobody is free between 6:00 AM and 7:30 AM on these dates for "
                               "Dawn; please try other dates.")
    ok(admin.patch(API + f"/staff/{pat}", json={"hours": hours()}))
    body = ok(slots(anon, [tw], day=TUE, **NYC))
    assert body["reason"]["code"] == "window_no_staff" and "around sunset" in body["message"]
    # Without windows, the reasons that were there before.
    body = ok(slots(anon, [ids["photos"]], day="2030-06-08"))  # a Saturday: nobody works
    assert body["reason"] == {"code": "no_free_time"} and "windows" not in body



def test_window_sentences_use_the_business_clock(admin, anon):
    business(admin, clock_format="24h")
    staff(admin, "Pat")
    dawn = windowed(admin, "Dawn", 30, {"kind": "local", "from": "06:00", "to": "07:30"})
    body = ok(slots(anon, [dawn], day=TUE))  # staff start at 09:00
    assert body["reason"]["code"] == "window_no_staff"
    assert body["message"] == ("Nobody is free between 06:00 and 07:30 on these dates for "
                               "Dawn; please try other dates.")


def test_next_free_day_finds_a_day_with_time_inside_the_window(admin, anon):
    """GET /availability?next=1 with a twilight item: the first day someone is
    free around sunset, only that day's starts, the sunsets from `from` up to
    that day; with none before the horizon, the window's reason."""
    business(admin)
    pat = staff(admin, "Pat", hours=hours("09:00", "23:00", days=("fri",)))
    tw = twilight(admin, minutes=30, before=60, after=30)
    q = {"services": tw, "from": MON, "next": "1", **NYC}
    body = ok(anon.get(API + "/availability", params=q))
    assert body["next_free"] == "2030-06-07" and body["reason"] is None and body["message"] is None
    w = only_window(body)
    assert [d["date"] for d in w["days"]] == ["2030-06-03", "2030-06-04", "2030-06-05",
                                              "2030-06-06", "2030-06-07"]
    got = [s["start"][:16] for s in body["slots"]]
    assert got and got == aligned_starts(w["days"][-1]["event"], 60, 30, 30)
    # Hours that never reach the sunset: no free day, and the window says why.
    ok(admin.patch(API + f"/staff/{pat}", json={"hours": hours()}))
    body = ok(anon.get(API + "/availability", params=q))
    assert body["next_free"] is None and body["slots"] == []
    assert body["reason"]["code"] == "window_no_staff" and "around sunset" in body["message"]

# ---- bookings ----

def test_booking_inside_and_outside_the_window(server, admin, anon):
    business(admin)
    staff(admin, "Pat", hours=EVENING)
    tw = twilight(admin, minutes=30, before=60, after=30)
    tue = ok(slots(anon, [tw], day=TUE, **NYC))
    event = only_window(tue)["days"][0]["event"]
    inside = tue["slots"][-1]["start"]
    # Outside the window: the usual 409 with alternatives, all inside windows.
    r = book(anon, at(TUE, "10:00"), [tw], **{k: float(v) for k, v in NYC.items()})
    assert (r.status_code, r.json()["error"]) == (409, "slot_unavailable")
    err = r.json()
    assert err["alternatives"] and inside in [a["start"] for a in err["alternatives"]]
    for alt in err["alternatives"]:
        assert alt["start"][11:16] in ("19:30", "20:00"), alt
    assert err["window"]["item"]["name"] == "Twilight photos"
    assert err["window"]["window"]["event"] == event
    assert "Twilight photos" in err["message"] and "sunset" in err["message"]
    assert ok(admin.get(API + "/bookings"))["bookings"] == []
    # Inside: booked.
    b = ok(book(anon, inside, [tw], **{k: float(v) for k, v in NYC.items()}), 201)
    assert b["start"] == inside
    # The agent's reschedule to the morning is refused the same way; to the
    # next evening's window it is made.
    agent = server.client(b["manage_token"])
    r = agent.patch(API + f"/bookings/{b['id']}", json={"start": at("2030-06-05", "09:30")})
    assert (r.status_code, r.json()["error"]) == (409, "slot_unavailable")
    assert r.json()["window"]["code"] == "outside_item_window" and r.json()["alternatives"]
    wed = ok(slots(anon, [tw], day="2030-06-05", **NYC))["slots"][0]["start"]
    moved = ok(agent.patch(API + f"/bookings/{b['id']}", json={"start": wed}))
    assert moved["start"] == wed
    # An admin's forced move skips the windows like every availability rule.
    forced = ok(admin.patch(API + f"/bookings/{b['id']}",
                            json={"start": at("2030-06-05", "11:00"), "force": True}))
    assert forced["start"] == at("2030-06-05", "11:00")


# ---- explain ----

def test_explain_names_the_item_and_shows_the_sunset(admin, anon):
    business(admin)
    pat = staff(admin, "Pat", hours=EVENING)
    tw = twilight(admin, minutes=30, before=60, after=30)
    event = only_window(ok(slots(anon, [tw], day=TUE, **NYC)))["days"][0]["event"]
    q = {"services": tw, "at": at(TUE, "10:00"), **NYC}
    body = ok(admin.get(API + "/availability/explain", params=q))
    assert only_window(body)["days"] == [{"date": TUE, "event": event}]
    assert body["sun_place"]["source"] == "property"
    (person,) = body["staff"]
    assert person["id"] == pat and person["eligible"] is False
    (why,) = [r for r in person["reasons"] if r["code"] == "outside_item_window"]
    assert why["item"] == {"id": tw, "kind": "service", "name": "Twilight photos"}
    ev = datetime.fromisoformat(event)
    assert why["window"] == {
        "kind": "sunset", "event": event,
        "start": (ev - timedelta(minutes=60)).isoformat(),
        "end": (ev + timedelta(minutes=30)).isoformat()}
    clock = ev.strftime("%I:%M %p").lstrip("0")
    assert "Twilight photos" in why["message"] and f"around sunset ({clock})" in why["message"]
    # Inside the window Pat is free.
    inside = ok(admin.get(API + "/availability/explain",
                          params={**q, "at": at(TUE, "20:00")}))
    assert inside["staff"][0]["eligible"] is True
    # Without a place, the reason names the item.
    nowhere = ok(admin.get(API + "/availability/explain",
                           params={"services": tw, "at": at(TUE, "20:00"), "postal_code": "99999"}))
    (why,) = [r for r in nowhere["staff"][0]["reasons"] if r["code"] == "no_place"]
    assert why["item"]["id"] == tw and why["message"].startswith("Twilight photos need")
    assert nowhere["sun_place"] is None


def test_long_item_names_stay_whole_in_messages(admin, anon):
    business(admin)
    staff(admin, "Pat", hours=EVENING)
    dusk, day = ("Crépuscule ✨ " * 13)[:163], ("Intérieurs ☀ " * 13)[:163]  # 200 bytes each
    tw = windowed(admin, dusk, 30, sunset_window())
    inside = windowed(admin, day, 60, {"kind": "local", "from": "09:00", "to": "17:00"})
    body = ok(slots(anon, [tw, inside], day=TUE, **NYC))
    assert body["reason"]["code"] == "window_conflict"
    assert body["message"].startswith(dusk + " must be booked on their own") and day in body["message"]
    r = book(anon, at(TUE, "10:00"), [tw], **{k: float(v) for k, v in NYC.items()})
    assert r.status_code == 409 and dusk in r.json()["message"]
    why = ok(admin.get(API + "/availability/explain",
                       params={"services": tw, "at": at(TUE, "10:00"), **NYC}))
    assert dusk in why["staff"][0]["reasons"][0]["message"]
