"""Places and prices (API.md "Places and prices"): catalog prices and the
business currency, the quote in availability and the one kept in a booking
whatever changes later, a package and a service it contains counted once,
GET /geocode against a local Nominatim stand-in (cached, spaced, identified,
off when unset), /coverage and postal codes of the business's country, the
next free day in one query, a manage token's own booking not blocking its
reschedule, and readiness naming what can never be staffed."""
import os
import sys

from bookseed import API, MON, TUE, at, book, business, calendar, ok, package, service, settings, skill, slots, staff

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
from nominatim_standin import NominatimStandin  # noqa: E402


def priced(admin):
    ids = business(admin, currency="EUR")
    ok(admin.patch(API + f"/services/{ids['photos']}", json={
        "price": 20000, "tiers": [{"max_sqft": 2000, "duration_minutes": 60, "price": 20000},
                                  {"max_sqft": 4000, "duration_minutes": 90, "price": 27500}]}))
    ok(admin.patch(API + f"/services/{ids['film']}", json={"price": 30000}))
    ids["pkg"] = package(admin, "Listing", 150, services=[ids["photos"], ids["film"]])
    ok(admin.patch(API + f"/packages/{ids['pkg']}", json={"price": 45000}))
    staff(admin, "Ana", skills=[ids["video"]])
    return ids


def test_prices_are_validated_and_public(admin, anon):
    ids = priced(admin)
    for body, field in (({"price": -1}, "price"), ({"price": 1.5}, "price"), ({"price": "10"}, "price"),
                        ({"tiers": [{"max_sqft": 10, "duration_minutes": 30, "price": -5}]}, "tiers[0].price")):
        r = admin.patch(API + f"/services/{ids['photos']}", json=body)
        assert r.status_code == 422 and r.json()["field"] == field, r.text
    assert admin.put(API + "/settings", json={"currency": "euro"}).json()["field"] == "currency"
    cat = ok(anon.get(API + "/catalog"))
    assert cat["currency"] == "EUR" and cat["country"] == "US"
    photos = next(s for s in cat["services"] if s["id"] == ids["photos"])
    assert photos["price"] == 20000 and photos["tiers"][1]["price"] == 27500
    assert next(p for p in cat["packages"] if p["id"] == ids["pkg"])["price"] == 45000
    assert cat["geocoder"] is False and cat["tiles"] is None


def test_quote_tiers_and_a_package_with_its_own_service_counted_once(admin, anon):
    ids = priced(admin)
    body = ok(slots(anon, [ids["photos"]], postal_code="10001", sqft="3000"))
    assert body["price"] == {"currency": "EUR", "total": 27500,
                             "lines": [{"name": "Photos", "amount": 27500}]}
    both = ok(slots(anon, [ids["photos"]], [ids["pkg"]], postal_code="10001"))
    assert both["duration_minutes"] == 150, "the package's length alone"
    assert both["price"]["total"] == 45000
    assert {"name": "Photos", "amount": 0, "included_in": "Listing"} in both["price"]["lines"]
    alone = ok(slots(anon, [ids["photos"], ids["film"]], postal_code="10001"))
    assert alone["duration_minutes"] == 120 and alone["price"]["total"] == 50000
    # An item without a price: no quote at all rather than a wrong total.
    other = service(admin, "Floor plan", 30)
    assert ok(slots(anon, [other], postal_code="10001"))["price"] is None


def test_booking_keeps_its_quote_whatever_changes_later(admin, anon):
    ids = priced(admin)
    b = ok(book(anon, at(TUE, "10:00"), [ids["photos"]], [ids["pkg"]]), 201)
    assert b["price"]["total"] == 45000 and b["duration_minutes"] == 150
    ok(admin.patch(API + f"/packages/{ids['pkg']}", json={"price": 99900}))
    ok(admin.put(API + "/settings", json={"currency": "USD"}))
    token = b["manage_token"]
    again = ok(anon.get(API + "/manage", headers={"Authorization": "Bearer " + token}))
    assert again["price"] == b["price"]
    moved = ok(anon.patch(API + f"/bookings/{b['id']}", json={"start": at(TUE, "10:30")},
                          headers={"Authorization": "Bearer " + token}))
    assert moved["price"] == b["price"], "a reschedule keeps the quote"
    listed = ok(admin.get(API + "/bookings"))["bookings"]
    assert listed[0]["price"]["currency"] == "EUR"


def test_own_booking_does_not_block_its_reschedule(admin, anon):
    ids = priced(admin)
    b = ok(book(anon, at(TUE, "10:00"), [ids["photos"]]), 201)
    plain = [s["start"] for s in ok(slots(anon, [ids["photos"]], day=TUE, postal_code="10001"))["slots"]]
    assert at(TUE, "10:30") not in plain and at(TUE, "10:00") not in plain
    mine = ok(anon.get(API + "/availability", params={
        "services": ids["photos"], "postal_code": "10001", "from": TUE, "to": TUE},
        headers={"Authorization": "Bearer " + b["manage_token"]}))
    got = [s["start"] for s in mine["slots"]]
    assert at(TUE, "10:30") in got and at(TUE, "10:00") in got, got
    # Another booking's token, or a made-up one, changes nothing.
    r = anon.get(API + "/availability", params={"services": ids["photos"], "postal_code": "10001",
                                                 "from": TUE, "to": TUE},
                 headers={"Authorization": "Bearer not-a-token"})
    assert [s["start"] for s in ok(r)["slots"]] == plain
    ok(anon.patch(API + f"/bookings/{b['id']}", json={"start": at(TUE, "10:30")},
                  headers={"Authorization": "Bearer " + b["manage_token"]}))


def test_next_free_day_in_one_query(admin, anon):
    ids = priced(admin)
    ok(admin.patch(API + "/staff/" + ok(admin.get(API + "/staff"))[0]["id"],
                   json={"exceptions": [{"date": d, "off": True} for d in
                                        ("2030-06-03", "2030-06-04", "2030-06-05", "2030-06-06")]}))
    r = ok(anon.get(API + "/availability", params={"services": ids["photos"], "postal_code": "10001",
                                                    "from": MON, "next": "1"}))
    assert r["next_free"] == "2030-06-07"
    assert r["slots"] and all(s["start"].startswith("2030-06-07") for s in r["slots"])
    settings(admin, horizon_days=2)
    r = ok(anon.get(API + "/availability", params={"services": ids["photos"], "postal_code": "10001",
                                                    "from": MON, "next": "1"}))
    assert r["next_free"] is None and r["slots"] == [] and "horizon" in r["message"]
    bad = anon.get(API + "/availability", params={"services": ids["photos"], "next": "yes"})
    assert bad.status_code == 422 and bad.json()["field"] == "next"


def test_coverage_and_postal_codes_of_the_country(admin, anon):
    ids = business(admin, outside_area_message="We only shoot in Manhattan.")
    zone = ok(admin.post(API + "/zones", json={"name": "M", "postal_codes": ["10001"], "polygon": {
        "type": "Polygon", "coordinates": [[[-74.02, 40.70], [-73.93, 40.70], [-73.93, 40.80],
                                            [-74.02, 40.80], [-74.02, 40.70]]]}}), 201)["id"]
    staff(admin, "Ana", zones=[zone])
    assert ok(anon.get(API + "/coverage", params={"postal_code": "10001"})) == {"covered": True, "message": None}
    out = ok(anon.get(API + "/coverage", params={"postal_code": "33139"}))
    assert out == {"covered": False, "message": "We only shoot in Manhattan."}
    # A point in the polygon with a postal code no zone lists.
    assert ok(anon.get(API + "/coverage", params={"postal_code": "10024", "lat": "40.7834",
                                                  "lon": "-73.9791"}))["covered"]
    for code in ("1234", "ABCDE", "10001-12"):
        for r in (anon.get(API + "/coverage", params={"postal_code": code}),
                  slots(anon, [ids["photos"]], postal_code=code),
                  book(anon, at(TUE, "10:00"), [ids["photos"]], postal_code=code)):
            assert r.status_code == 422, (code, r.text)
            assert r.json()["field"] in ("postal_code", "property.postal_code"), r.text
    assert anon.get(API + "/coverage").status_code == 422
    settings(admin, country="GB")
    assert ok(anon.get(API + "/coverage", params={"postal_code": "SW1A 1AA"}))["covered"] is False
    assert anon.get(API + "/coverage", params={"postal_code": "10001"}).status_code == 422


def test_geocode_off_without_a_service(anon):
    r = anon.get(API + "/geocode", params={"q": "12 Elm Street"})
    assert r.status_code == 503 and r.json()["error"] == "geocoder_off"


def test_geocode_through_a_nominatim_stand_in(make_server):
    g = NominatimStandin().start()
    try:
        srv = make_server(env={"TRIPOD_GEOCODER_URL": g.url + "/", "TRIPOD_GEOCODER_EMAIL": "ops@example.com",
                               "TRIPOD_GEOCODER_INTERVAL_MS": "50"})
        anon = srv.client()
        admin = srv.client(srv.token)
        places = ok(anon.get(API + "/geocode", params={"q": "350 5th Avenue"}))
        assert places == [{"label": "350, 5th Avenue, New York, New York, 10118, United States",
                           "lat": 40.7484, "lon": -73.9857, "postal_code": "10118"}]
        sent = g.requests()[-1]
        assert sent["path"] == "/search" and sent["args"]["format"] == "jsonv2"
        assert sent["args"]["addressdetails"] == "1" and sent["args"]["countrycodes"] == "us"
        assert sent["args"]["email"] == "ops@example.com" and sent["user_agent"].startswith("Tripod/")
        # The same text again (any case and spacing) comes from the store.
        n = len(g.requests())
        assert ok(anon.get(API + "/geocode", params={"q": "  350   5TH avenue "})) == places
        assert len(g.requests()) == n
        # Only the business's country: the London address is not offered.
        assert ok(anon.get(API + "/geocode", params={"q": "10 Downing Street"})) == []
        settings(admin, country="GB")
        assert ok(anon.get(API + "/geocode", params={"q": "10 Downing Street"}))[0]["postal_code"] == "SW1A 2AA"
        for q in ("", "ab", "x" * 201):
            r = anon.get(API + "/geocode", params={"q": q})
            assert r.status_code == 422 and r.json()["field"] == "q"
    finally:
        g.stop()
    r = anon.get(API + "/geocode", params={"q": "1 Ocean Drive"})
    assert r.status_code == 502 and r.json()["error"] == "geocoder_failed"


def test_geocode_is_rate_limited_like_other_public_endpoints(make_server):
    srv = make_server(env={"TRIPOD_RATE_LIMIT": "3"})
    anon = srv.client()
    codes = [anon.get(API + "/geocode", params={"q": "12 Elm"}).status_code for _ in range(6)]
    assert codes[0] == 503 and codes[-1] == 429, codes


def test_readiness_names_what_can_never_be_staffed(admin):
    ids = business(admin)
    drone = skill(admin, "drone")
    pkg = package(admin, "Aerial duo", 120, services=[ids["film"]], skills=[drone], two=True)
    staff(admin, "Ana", skills=[ids["video"], drone])
    staff(admin, "Ben", skills=[ids["video"]])
    r = ok(admin.get(API + "/readiness"))
    problems = r["staffing"]["problems"]
    assert not r["staffing"]["ok"] and any("Aerial duo" in p and "2 active people" in p for p in problems), problems
    assert not any("Photos" in p for p in problems)
    ok(admin.patch(API + "/staff/" + next(s["id"] for s in ok(admin.get(API + "/staff")) if s["name"] == "Ben"),
                   json={"skills": [ids["video"], drone]}))
    assert ok(admin.get(API + "/readiness"))["staffing"]["ok"]
    assert pkg


def test_demo_offers_everything_in_both_zones(make_server):
    srv = make_server(start=False)
    srv.tripod("demo")
    srv.start()
    anon = srv.client()
    admin = srv.client(srv.token)
    cat = ok(anon.get(API + "/catalog"))
    assert cat["contact_email"] and cat["contact_phone"] and cat["currency"] == "USD"
    assert ok(admin.get(API + "/readiness"))["staffing"]["ok"]
    for code in ("10118", "11201"):  # Manhattan (polygon and a few codes), Brooklyn
        for kind in ("services", "packages"):
            for item in cat[kind]:
                params = {kind: item["id"], "postal_code": code, "from": "2030-06-04", "next": "1"}
                r = ok(anon.get(API + "/availability", params=params))
                assert r["slots"], (code, item["name"], r)
                assert r["price"]["total"] > 0


def test_leaflet_is_built_in_and_the_csp_allows_the_tile_origin_for_images(make_server):
    srv = make_server(env={"TRIPOD_TILE_URL": "https://{s}.tiles.example.org/{z}/{x}/{y}.png"})
    import requests
    r = requests.get(srv.url + "/vendor/leaflet/leaflet.js", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/javascript")
    assert "Leaflet" in r.text[:400]
    assert requests.get(srv.url + "/vendor/leaflet/images/marker-icon.png", timeout=10).status_code == 200
    csp = requests.get(srv.url + "/book", timeout=10).headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.org;" in csp, csp
    assert csp.startswith("default-src 'self';") and "script-src" not in csp
    cat = requests.get(srv.api + "/catalog", timeout=10).json()
    assert cat["tiles"]["url"] == "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    assert "OpenStreetMap" in cat["tiles"]["attribution"]
