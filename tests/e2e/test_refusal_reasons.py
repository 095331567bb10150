"""Every 409 slot_unavailable says, per staff member, which rule failed in
words (API.md "Daily operations": reasons [{staff: {id, name}, reasons:
[text]}]) — one test per reason, for create, move and reassign — and the
explain view names skills and zones. The business writes times on a 24-hour
clock here, in its own zone (New York)."""
import pytest

from bookseed import (API, MON, TUE, at, book, business, calendar, hours, ok, package, service,
                      settings, skill, staff)
from feedseed import ev, feeds, ics_calendar  # noqa: F401  (feeds is a fixture)


def refused(resp):
    """The reasons of a 409 slot_unavailable, as {staff name: [text]}."""
    assert resp.status_code == 409, resp.text
    body = resp.json()
    assert body["error"] == "slot_unavailable", body
    return {r["staff"]["name"]: r["reasons"] for r in body["reasons"]}


@pytest.fixture
def ids(admin):
    return business(admin, clock_format="24h")


def test_outside_the_zones_names_them(admin, anon, ids):
    zone = ok(admin.post(API + "/zones", json={"name": "Manhattan", "postal_codes": ["10001"]}), 201)
    staff(admin, "Pat", zones=[zone["id"]])
    r = book(anon, at(MON, "10:00"), [ids["photos"]], postal_code="11201")
    assert refused(r) == {"Pat": ["outside their zones (Manhattan)"]}


def test_a_day_off_in_the_weekly_hours_and_on_a_dated_exception(admin, anon, ids):
    staff(admin, "Pat", hours=hours(days=("mon", "wed")), exceptions=[{"date": MON, "off": True}])
    assert refused(book(anon, at(MON, "10:00"), [ids["photos"]])) == {"Pat": ["day off"]}
    assert refused(book(anon, at(TUE, "10:00"), [ids["photos"]])) == {"Pat": ["day off"]}


def test_outside_working_hours_in_the_business_zone(admin, anon, ids):
    # 09:00–17:00 in Chicago is 10:00–18:00 in New York.
    staff(admin, "Pat", timezone="America/Chicago")
    assert refused(book(anon, at(MON, "09:00"), [ids["photos"]])) == {
        "Pat": ["outside working hours (10:00–18:00)"]}


def test_no_time_to_drive_inside_the_working_hours(admin, anon, ids):
    staff(admin, "Pat")
    assert refused(book(anon, at(MON, "09:00"), [ids["photos"]])) == {
        "Pat": ["no time to drive within working hours (09:00–17:00)"]}


def test_a_missing_skill_by_name(admin, anon, ids):
    staff(admin, "Pat")
    assert refused(book(anon, at(MON, "10:00"), [ids["film"]])) == {"Pat": ["missing the skill video"]}


def test_busy_in_the_calendar_without_its_title(admin, anon, ids, feeds):
    feeds.put("/pat.ics", ev("pat-1", "Dentist", "20300603T130000", "20300603T140000"))
    pat = staff(admin, "Pat", with_calendar=False)
    ics_calendar(admin, feeds, pat, "/pat.ics")
    r = book(anon, at(MON, "13:00"), [ids["photos"]])
    assert refused(r) == {"Pat": ["busy 13:00–14:00 (calendar)"]}
    assert "Dentist" not in r.text  # a refusal reaches the agent: no private titles
    r = book(anon, at(MON, "14:00"), [ids["photos"]])
    assert refused(r) == {"Pat": ["busy 13:00–14:00 (calendar), too close to drive (30 min)"]}


def test_another_shoot_with_its_drive_time(admin, anon, ids):
    staff(admin, "Pat")
    ok(book(anon, at(MON, "13:00"), [ids["photos"]]), 201)
    assert refused(book(anon, at(MON, "14:00"), [ids["photos"]])) == {
        "Pat": ["busy with another shoot 12:30–14:30 incl. drive time"]}


def test_too_soon_too_far_and_off_the_grid(admin, anon):
    ids = business(admin, clock_format="24h", min_notice_minutes=180, horizon_days=30)
    staff(admin, "Pat")
    assert refused(book(anon, at(MON, "10:00"), [ids["photos"]])) == {
        "Pat": ["too soon (bookings need 180 min notice)"]}
    assert refused(book(anon, at("2030-07-10", "10:00"), [ids["photos"]])) == {
        "Pat": ["too far ahead (bookable up to 30 days ahead)"]}
    assert refused(book(anon, at(TUE, "10:10"), [ids["photos"]])) == {
        "Pat": ["not on the booking grid (a start every 30 min)"]}


def test_no_connected_calendar(admin, anon, ids):
    staff(admin, "Pat", with_calendar=False)
    assert refused(book(anon, at(MON, "10:00"), [ids["photos"]])) == {"Pat": ["no connected calendar"]}


def test_no_second_photographer(admin, anon):
    ids = business(admin, clock_format="24h", two_photographers={"enabled": True, "threshold_minutes": 60})
    staff(admin, "Pat")
    assert refused(book(anon, at(MON, "10:00"), [ids["photos"]])) == {
        "Pat": ["a second photographer is needed and none is free"]}


def test_every_person_is_listed_with_their_own_reasons(admin, anon, ids):
    zone = ok(admin.post(API + "/zones", json={"name": "Brooklyn", "postal_codes": ["11201"]}), 201)
    staff(admin, "Pat", hours=hours(days=("tue",)))
    staff(admin, "Val", zones=[zone["id"]])
    staff(admin, "Off", active=False)  # never offered: not listed
    assert refused(book(anon, at(MON, "10:00"), [ids["photos"], ids["film"]])) == {
        "Pat": ["missing the skill video", "day off"],
        "Val": ["outside their zones (Brooklyn)", "missing the skill video"]}


def test_a_twelve_hour_business_reads_twelve_hour_times(admin, anon):
    ids = business(admin)  # the default clock: 12 h
    staff(admin, "Pat")
    ok(book(anon, at(MON, "13:00"), [ids["photos"]]), 201)
    assert refused(book(anon, at(MON, "14:00"), [ids["photos"]])) == {
        "Pat": ["busy with another shoot 12:30 PM–2:30 PM incl. drive time"]}


def test_a_move_and_a_reassign_say_why(admin, anon, ids):
    pat = staff(admin, "Pat")
    val = staff(admin, "Val", hours=hours(days=("tue",)))
    b = ok(book(anon, at(MON, "10:00"), [ids["photos"]]), 201)
    ok(book(anon, at(MON, "13:00"), [ids["photos"]]), 201)  # Pat again (Val is off on Monday)
    # Move: the crew may change when Pat is not free then, so everyone says why.
    r = admin.patch(API + f"/bookings/{b['id']}", json={"start": at(MON, "13:30")})
    assert refused(r) == {"Pat": ["busy with another shoot 12:30–14:30 incl. drive time"], "Val": ["day off"]}
    assert r.json()["alternatives"]
    # Reassign: only the person asked for.
    r = admin.patch(API + f"/bookings/{b['id']}", json={"staff": [val]})
    assert refused(r) == {"Val": ["day off"]}
    # The agent's reschedule may go to anyone: everyone's reasons.
    agent = anon.__class__(anon.base, b["manage_token"])
    r = agent.patch(API + f"/bookings/{b['id']}", json={"start": at(MON, "13:30")})
    assert refused(r) == {"Pat": ["busy with another shoot 12:30–14:30 incl. drive time"], "Val": ["day off"]}
    # Force overrides the rules, never another booking of the same person.
    r = admin.patch(API + f"/bookings/{b['id']}", json={"start": at(MON, "13:30"), "force": True})
    assert refused(r) == {"Pat": ["busy with another shoot 12:30–14:30 incl. drive time"]}
    assert ok(admin.patch(API + f"/bookings/{b['id']}", json={"staff": [val], "force": True}))[
        "staff"] == [{"id": val, "name": "Val"}]
    assert pat


def test_the_explain_view_names_skills_and_zones(admin, ids):
    zone = ok(admin.post(API + "/zones", json={"name": "Manhattan", "postal_codes": ["10001"]}), 201)
    pat = staff(admin, "Pat", zones=[zone["id"]])
    body = ok(admin.get(API + "/availability/explain", params={
        "services": ids["film"], "postal_code": "11201", "at": at(MON, "10:00")}))
    reasons = {r["code"]: r for r in body["staff"][0]["reasons"]}
    assert body["staff"][0]["id"] == pat
    assert reasons["missing_skill"]["message"] == "missing the skill video"
    assert reasons["missing_skill"]["skill_name"] == "video"
    assert reasons["outside_zone"]["message"] == "outside their zones (Manhattan)"
    assert reasons["outside_zone"]["zones"] == [{"id": zone["id"], "name": "Manhattan"}]
