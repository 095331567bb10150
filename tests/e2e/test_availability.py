"""GET /availability and /availability/explain against the real server:
prerequisites, the seed's scenario, skills, zones, notice, horizon."""
from bookseed import (API, MON, TUE, at, book, business, calendar, grid, ok, package, service,
                      settings, skill, slots, staff, starts)


def test_booking_disabled_is_409(admin, anon):
    ids = business(admin, integrated_booking=False)
    staff(admin, "Pat")
    r = slots(anon, [ids["photos"]])
    assert r.status_code == 409
    assert r.json()["error"] == "booking_disabled"
    assert book(anon, at(MON, "10:00"), [ids["photos"]]).json()["error"] == "booking_disabled"


def test_no_primary_calendar(admin, anon):
    settings(admin)
    photos = service(admin, "Photos", 60)
    staff(admin, "Pat")
    r = slots(anon, [photos])
    assert (r.status_code, r.json()["error"]) == (409, "no_primary_calendar")
    calendar(admin, "business", primary=True)
    assert starts(slots(anon, [photos]))


def test_item_without_duration_is_not_schedulable(admin, anon):
    ids = business(admin)
    staff(admin, "Pat")
    bare = ok(admin.post(API + "/services", json={"name": "Floor plan"}), 201)["id"]
    r = slots(anon, [ids["photos"], bare])
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "not_schedulable" and "Floor plan" in body["message"]
    assert body["field"] == "services"


def test_validation_names_the_field(admin, anon):
    ids = business(admin)
    staff(admin, "Pat")
    cases = [({"services": "x"}, "services"), ({"services": "999"}, "services"),
             ({"from": "2030-13-01"}, "from"), ({"from": TUE, "to": MON}, "to"),
             ({"lat": "91", "lon": "0"}, "lat"), ({"lat": "40"}, "lon"), ({"sqft": "-5"}, "sqft")]
    for params, field in cases:
        q = {"services": ids["photos"], "from": MON, "to": MON}
        q.update(params)
        r = anon.get(API + "/availability", params=q)
        assert r.status_code == 422, (params, r.text)
        assert r.json()["field"] == field, (params, r.text)
    r = anon.get(API + "/availability", params={"from": MON})
    assert (r.status_code, r.json()["error"]) == (422, "no_items")


def test_seed_scenario_exact_slots_then_a_booking_blocks_neighbours(admin, anon):
    ids = business(admin)
    staff(admin, "Pat", skills=[ids["video"]])
    r = slots(anon, [ids["photos"], ids["film"]])
    body = ok(r)
    assert body["duration_minutes"] == 120 and body["buffer_minutes"] == 30
    assert body["timezone"] == "America/New_York" and body["message"] is None
    # [s-30, s+150) inside 09:00-17:00: 09:30 … 14:30.
    assert starts(r) == grid("09:30", "14:30")
    assert body["slots"][0] == {"start": at(MON, "09:30"), "end": at(MON, "11:30"), "crew_size": 1}
    ok(book(anon, at(MON, "12:00"), [ids["photos"], ids["film"]]), 201)
    # The 12:00-14:00 shoot leaves only starts whose buffered window misses it.
    assert starts(slots(anon, [ids["photos"], ids["film"]])) == ["09:30", "14:30"]


def test_default_range_is_a_week_and_capped_at_the_horizon(admin, anon):
    ids = business(admin, horizon_days=2)
    staff(admin, "Pat")
    body = ok(anon.get(API + "/availability", params={"services": ids["photos"]}))
    days = sorted({s["start"][:10] for s in body["slots"]})
    # Now is Monday 08:00; the horizon ends Wednesday 08:00, before Wednesday's
    # first start (09:30), though the default range runs to Sunday.
    assert days == [MON, TUE]
    assert max(s["start"] for s in body["slots"]) == at(TUE, "15:30")
    far = ok(slots(anon, [ids["photos"]], day="2030-07-01"))
    assert far["slots"] == [] and far["message"]


def test_skills_filter_staff(admin, anon):
    ids = business(admin)
    staff(admin, "Pat")  # no video skill
    assert ok(slots(anon, [ids["film"]]))["slots"] == []
    assert starts(slots(anon, [ids["photos"]]))
    staff(admin, "Val", skills=[ids["video"]], hours={"mon": [["13:00", "17:00"]]})
    assert starts(slots(anon, [ids["film"]])) == grid("13:30", "15:30")


def test_package_needs_its_services_skills(admin, anon):
    ids = business(admin)
    staff(admin, "Pat")
    pkg = package(admin, "Photo+Video", 90, services=[ids["photos"], ids["film"]])
    assert ok(slots(anon, packages=[pkg]))["slots"] == []
    staff(admin, "Val", skills=[ids["video"]])
    body = ok(slots(anon, packages=[pkg]))
    assert body["duration_minutes"] == 90 and body["slots"]


def test_size_tiers_change_the_duration(admin, anon):
    business(admin)
    staff(admin, "Pat")
    tiered = service(admin, "Tiered", 60, tiers=[{"max_sqft": 2000, "duration_minutes": 60},
                                                 {"max_sqft": 4000, "duration_minutes": 90}])
    assert ok(slots(anon, [tiered], sqft="1500"))["duration_minutes"] == 60
    assert ok(slots(anon, [tiered], sqft="3000"))["duration_minutes"] == 90


SQUARE = {"type": "Polygon", "coordinates": [[[-74.1, 40.6], [-73.8, 40.6], [-73.8, 40.9],
                                               [-74.1, 40.9], [-74.1, 40.6]]]}


def test_zones_polygon_postal_and_outside_message(admin, anon):
    ids = business(admin, outside_area_message="We only shoot in Manhattan.")
    zone = ok(admin.post(API + "/zones", json={"name": "NYC", "polygon": SQUARE,
                                               "postal_codes": ["10001"]}), 201)["id"]
    staff(admin, "Pat", zones=[zone])
    inside = ok(slots(anon, [ids["photos"]], lat="40.75", lon="-73.99"))
    assert inside["slots"] and inside["message"] is None
    by_code = ok(slots(anon, [ids["photos"]], postal_code="10001"))
    assert by_code["slots"]
    outside = ok(slots(anon, [ids["photos"]], lat="34.05", lon="-118.24"))
    assert outside["slots"] == [] and outside["message"] == "We only shoot in Manhattan."
    other_code = ok(slots(anon, [ids["photos"]], postal_code="90210"))
    assert other_code["slots"] == [] and other_code["message"] == "We only shoot in Manhattan."
    # Someone without zones serves everywhere.
    staff(admin, "Roamer")
    assert ok(slots(anon, [ids["photos"]], postal_code="90210"))["slots"]


def test_minimum_notice(admin, anon):
    ids = business(admin, min_notice_minutes=180)
    staff(admin, "Pat")
    # Now 08:00 + 3 h notice: the first start is 11:00.
    assert starts(slots(anon, [ids["photos"]]))[0] == "11:00"


def test_staff_without_calendar_or_inactive_is_never_offered(admin, anon):
    ids = business(admin)
    staff(admin, "Nocal", with_calendar=False)
    off = staff(admin, "Off", active=False)
    assert ok(slots(anon, [ids["photos"]]))["slots"] == []
    ok(admin.patch(API + f"/staff/{off}", json={"active": True}))
    assert starts(slots(anon, [ids["photos"]]))


def test_explain_gives_reasons(admin, anon):
    ids = business(admin)
    pat = staff(admin, "Pat")
    val = staff(admin, "Val", skills=[ids["video"]])
    ok(book(anon, at(MON, "10:00"), [ids["photos"], ids["film"]]), 201)  # only Val can
    q = {"services": ",".join([ids["photos"], ids["film"]]), "at": at(MON, "10:30")}
    assert anon.get(API + "/availability/explain", params=q).status_code == 401
    body = ok(admin.get(API + "/availability/explain", params=q))
    assert body["duration_minutes"] == 120
    people = {p["id"]: p for p in body["staff"]}
    assert "missing_skill" in [r["code"] for r in people[pat]["reasons"]]
    val_codes = [r["code"] for r in people[val]["reasons"]]
    assert "busy" in val_codes or "buffer_busy" in val_codes
    busy = [r for r in people[val]["reasons"] if "busy" in r]
    assert busy and busy[0]["busy"]["what"].startswith("Booking ")
    free = ok(admin.get(API + "/availability/explain",
                        params={"services": ids["photos"], "at": at(MON, "14:00")}))
    assert all(p["eligible"] for p in free["staff"])
    early = ok(admin.get(API + "/availability/explain",
                         params={"services": ids["photos"], "at": at(MON, "09:00")}))
    assert "buffer_hours" in [r["code"] for r in early["staff"][0]["reasons"]]
