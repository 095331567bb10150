"""Two photographers (threshold, reduction, senior, package forcing it) and
the assignment policies (balanced, priority, nearest) through the real API."""
from bookseed import API, MON, TUE, at, book, business, ok, package, service, slots, staff, starts

TWO = {"enabled": True, "threshold_minutes": 180, "reduction_percent": 40, "senior_required": False}


def test_two_photographers_threshold_and_reduction(admin, anon):
    ids = business(admin, two_photographers=TWO)
    long_shoot = service(admin, "Estate", 180)
    staff(admin, "Pat")
    # 180 min >= threshold: two people needed, only one exists.
    body = ok(slots(anon, [long_shoot]))
    assert body["duration_minutes"] == 110  # ceil5(180 * 0.6) = 108 -> 110
    assert body["slots"] == []
    assert ok(slots(anon, [ids["photos"], ids["film"]]))["duration_minutes"] == 120  # below threshold
    staff(admin, "Val")
    body = ok(slots(anon, [long_shoot]))
    assert body["slots"] and all(s["crew_size"] == 2 for s in body["slots"])
    assert starts(slots(anon, [long_shoot]))[0] == "09:30"
    b = ok(book(anon, at(MON, "09:30"), [long_shoot]), 201)
    assert len(b["staff"]) == 2 and b["end"] == at(MON, "11:20")
    # Both are busy until 11:20: the next start s needs s - 30 min >= 11:20.
    assert starts(slots(anon, [long_shoot]))[0] == "12:00"


def test_senior_required(admin, anon):
    business(admin, two_photographers=dict(TWO, senior_required=True))
    long_shoot = service(admin, "Estate", 180)
    staff(admin, "Pat")
    val = staff(admin, "Val")
    assert ok(slots(anon, [long_shoot]))["slots"] == []
    ok(admin.patch(API + f"/staff/{val}", json={"senior": True}))
    assert ok(slots(anon, [long_shoot]))["slots"]
    b = ok(book(anon, at(MON, "10:00"), [long_shoot]), 201)
    assert val in [s["id"] for s in b["staff"]]


def test_package_forces_two_photographers(admin, anon):
    ids = business(admin)  # two photographers disabled
    duo = package(admin, "Duo", 60, services=[ids["photos"]], two=True)
    staff(admin, "Pat")
    assert ok(slots(anon, packages=[duo]))["slots"] == []
    staff(admin, "Val")
    body = ok(slots(anon, packages=[duo]))
    assert body["slots"] and body["slots"][0]["crew_size"] == 2
    b = ok(book(anon, at(MON, "10:00"), packages=[duo]), 201)
    assert len(b["staff"]) == 2


def test_balanced_fewest_minutes_that_week(admin, anon):
    ids = business(admin, assignment="balanced")
    pat = staff(admin, "Pat", skills=[ids["video"]])
    val = staff(admin, "Val", skills=[ids["video"]])
    first = ok(book(anon, at(MON, "10:00"), [ids["photos"], ids["film"]]), 201)
    assert first["staff"][0]["id"] == pat  # tie: lower id
    second = ok(book(anon, at(TUE, "10:00"), [ids["photos"]]), 201)
    assert second["staff"][0]["id"] == val  # 0 < 120 minutes
    third = ok(book(anon, at(TUE, "14:00"), [ids["photos"]]), 201)
    assert third["staff"][0]["id"] == val  # 60 < 120 minutes


def test_priority_asks_rank_one_first(admin, anon):
    ids = business(admin, assignment="priority")
    pat = staff(admin, "Pat", rank=2)
    val = staff(admin, "Val", rank=1)
    staff(admin, "Unranked")
    assert ok(book(anon, at(MON, "10:00"), [ids["photos"]]), 201)["staff"][0]["id"] == val
    assert ok(book(anon, at(MON, "10:00"), [ids["photos"]]), 201)["staff"][0]["id"] == pat
    third = ok(book(anon, at(MON, "10:00"), [ids["photos"]]), 201)
    assert third["staff"][0]["name"] == "Unranked"


def test_nearest_home_then_previous_shoot_that_day(admin, anon):
    ids = business(admin, assignment="nearest")
    pat = staff(admin, "Pat", home={"lat": 40.0, "lon": -74.0})
    val = staff(admin, "Val", home={"lat": 44.0, "lon": -74.0})
    near_val = ok(book(anon, at(MON, "10:00"), [ids["photos"]], lat=42.2, lon=-74.0), 201)
    assert near_val["staff"][0]["id"] == val  # 1.8° from Val's home, 2.2° from Pat's
    # At 41.9 Pat's home (1.9°) beats Val's home (2.1°), but Val's previous
    # shoot that day (42.2, 0.3°) is nearer still.
    later = ok(book(anon, at(MON, "14:00"), [ids["photos"]], lat=41.9, lon=-74.0), 201)
    assert later["staff"][0]["id"] == val
    # Another day Val has no previous shoot: home distance decides.
    other_day = ok(book(anon, at(TUE, "14:00"), [ids["photos"]], lat=41.9, lon=-74.0), 201)
    assert other_day["staff"][0]["id"] == pat
