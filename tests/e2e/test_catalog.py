"""CRUD of skills, services, packages and zones: shapes, references that must
exist, objects in use that cannot be deleted, unknown ids."""
import pytest

from conftest import API

SQUARE = {"type": "Polygon",
          "coordinates": [[[-74.0, 40.7], [-73.9, 40.7], [-73.9, 40.8], [-74.0, 40.8], [-74.0, 40.7]]]}


def test_skills_crud(admin):
    r = admin.post(API + "/skills", json={"name": "drone"})
    assert r.status_code == 201
    skill = r.json()
    assert skill == {"id": skill["id"], "name": "drone"} and skill["id"].isdigit()
    assert admin.get(API + f"/skills/{skill['id']}").json() == skill
    r = admin.put(API + f"/skills/{skill['id']}", json={"name": "aerial"})
    assert r.status_code == 200 and r.json()["name"] == "aerial"
    r = admin.patch(API + f"/skills/{skill['id']}", json={"name": "drone"})
    assert r.status_code == 200 and r.json() == skill
    assert admin.get(API + "/skills").json() == [skill]
    r = admin.delete(API + f"/skills/{skill['id']}")
    assert r.status_code == 204 and r.content == b""
    assert admin.get(API + f"/skills/{skill['id']}").status_code == 404
    assert admin.get(API + "/skills").json() == []


def test_services_with_tiers_and_skills(admin):
    video = admin.post(API + "/skills", json={"name": "video"}).json()
    r = admin.post(API + "/services", json={
        "name": "Photos", "duration_minutes": 60,
        "tiers": [{"max_sqft": 2000, "duration_minutes": 60}, {"max_sqft": 4000, "duration_minutes": 90}],
        "skills": [int(video["id"])]})
    assert r.status_code == 201, r.text
    svc = r.json()
    assert svc["skills"] == [video["id"]]
    assert svc["tiers"][1] == {"max_sqft": 4000, "duration_minutes": 90}
    assert admin.get(API + f"/services/{svc['id']}").json() == svc
    bare = admin.post(API + "/services", json={"name": "Floor plan", "duration_minutes": None}).json()
    assert bare["duration_minutes"] is None and bare["tiers"] == [] and bare["skills"] == []
    assert [s["id"] for s in admin.get(API + "/services").json()] == [svc["id"], bare["id"]]


@pytest.mark.parametrize("body,field", [
    ({"name": "x", "tiers": [{"max_sqft": 4000, "duration_minutes": 90},
                             {"max_sqft": 2000, "duration_minutes": 60}]}, "tiers[1].max_sqft"),
    ({"name": "x", "tiers": [{"max_sqft": 2000}]}, "tiers[0].duration_minutes"),
    ({"name": "x", "tiers": "big"}, "tiers"),
    ({"name": "x", "skills": ["999"]}, "skills"),
    ({"name": "x", "skills": ["abc"]}, "skills[0]"),
    ({"name": "x", "skills": "1"}, "skills"),
    ({"name": "x", "duration_minutes": 0}, "duration_minutes"),
    ({"name": "x", "duration_minutes": "60"}, "duration_minutes"),
    ({"name": ""}, "name"),
    ({"duration_minutes": 60}, "name"),
    ({"name": "x", "price": -100}, "price"),
    ({"name": "x", "colour": "red"}, "colour"),
])
def test_service_validation(admin, body, field):
    r = admin.post(API + "/services", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "validation" and r.json()["field"] == field
    assert admin.get(API + "/services").json() == []


def test_packages(admin):
    drone = admin.post(API + "/skills", json={"name": "drone"}).json()
    a = admin.post(API + "/services", json={"name": "Photos", "duration_minutes": 60}).json()
    b = admin.post(API + "/services", json={"name": "Drone", "duration_minutes": 30}).json()
    r = admin.post(API + "/packages", json={"name": "Premium", "duration_minutes": 180,
                                            "services": [b["id"], a["id"]], "skills": [drone["id"]],
                                            "two_photographers": True})
    assert r.status_code == 201, r.text
    pkg = r.json()
    assert pkg["services"] == sorted([a["id"], b["id"]], key=int)
    assert pkg["two_photographers"] is True and pkg["duration_minutes"] == 180
    r = admin.post(API + "/packages", json={"name": "Bad", "services": [a["id"], "424242"]})
    assert r.status_code == 422 and r.json()["field"] == "services"
    assert "424242" in r.json()["message"]
    r = admin.post(API + "/packages", json={"name": "Dup", "services": [a["id"], a["id"]]})
    assert r.status_code == 422 and r.json()["field"] == "services"
    r = admin.post(API + "/packages", json={"name": "Two", "two_photographers": "yes"})
    assert r.status_code == 422 and r.json()["field"] == "two_photographers"
    assert admin.get(API + "/packages").json() == [pkg]


def test_zones_polygon_and_postal_codes(admin):
    r = admin.post(API + "/zones", json={"name": "Manhattan", "polygon": SQUARE})
    assert r.status_code == 201, r.text
    z = r.json()
    assert z["polygon"] == SQUARE and z["postal_codes"] == []
    r = admin.post(API + "/zones", json={"name": "Brooklyn", "polygon": None,
                                         "postal_codes": ["11201", "11211"]})
    assert r.status_code == 201 and r.json()["polygon"] is None
    assert len(admin.get(API + "/zones").json()) == 2


@pytest.mark.parametrize("polygon", [
    {"type": "Polygon", "coordinates": [[[-74.0, 40.7], [-73.9, 40.7], [-73.9, 40.8], [-74.0, 40.8]]]},
    {"type": "Point", "coordinates": [-74.0, 40.7]},
    {"type": "Polygon", "coordinates": [[[-74.0, 40.7], [-73.9, 40.7], [-74.0, 40.7]]]},
    {"type": "Polygon", "coordinates": [[[-74.0, 40.7], [-73.9, 40.8], [-73.9, 40.7], [-74.0, 40.8],
                                         [-74.0, 40.7]]]},
    {"type": "Polygon", "coordinates": [[[-274.0, 40.7], [-73.9, 40.7], [-73.9, 40.8], [-274.0, 40.7]]]},
    "POLYGON((0 0, 1 0, 1 1, 0 0))",
])
def test_bad_polygons_are_refused(admin, polygon):
    r = admin.post(API + "/zones", json={"name": "Z", "polygon": polygon})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "polygon" and r.json()["message"]
    assert admin.get(API + "/zones").json() == []


def test_zone_needs_an_area(admin):
    r = admin.post(API + "/zones", json={"name": "Nowhere"})
    assert r.status_code == 422 and r.json()["field"] == "polygon"
    r = admin.post(API + "/zones", json={"name": "Z", "postal_codes": ["10001", "<script>"]})
    assert r.status_code == 422 and r.json()["field"] == "postal_codes[1]"


def test_referenced_objects_cannot_be_deleted(admin):
    skill = admin.post(API + "/skills", json={"name": "video"}).json()
    svc = admin.post(API + "/services", json={"name": "Video", "duration_minutes": 60,
                                              "skills": [skill["id"]]}).json()
    pkg = admin.post(API + "/packages", json={"name": "P", "duration_minutes": 90,
                                              "services": [svc["id"]]}).json()
    zone = admin.post(API + "/zones", json={"name": "Z", "postal_codes": ["10001"]}).json()
    staff = admin.post(API + "/staff", json={"name": "Ann", "email": "a@example.com",
                                             "zones": [zone["id"]]}).json()

    r = admin.delete(API + f"/skills/{skill['id']}")
    assert r.status_code == 409 and r.json()["error"] == "in_use"
    assert "Video" in r.json()["message"]
    r = admin.delete(API + f"/services/{svc['id']}")
    assert r.status_code == 409 and '"P"' in r.json()["message"]
    r = admin.delete(API + f"/zones/{zone['id']}")
    assert r.status_code == 409 and "Ann" in r.json()["message"]

    assert admin.delete(API + f"/staff/{staff['id']}").status_code == 204
    assert admin.delete(API + f"/zones/{zone['id']}").status_code == 204
    assert admin.delete(API + f"/packages/{pkg['id']}").status_code == 204
    assert admin.delete(API + f"/services/{svc['id']}").status_code == 204
    assert admin.delete(API + f"/skills/{skill['id']}").status_code == 204


@pytest.mark.parametrize("coll", ["skills", "services", "packages", "zones", "staff", "calendars"])
def test_unknown_ids_are_404(admin, coll):
    for bad in ("999", "0", "abc", "-1", "1.5", "99999999999999999999999"):
        for method in ("GET", "PUT", "PATCH", "DELETE"):
            r = admin.request(method, API + f"/{coll}/{bad}", json={"name": "x"})
            assert r.status_code == 404, (coll, bad, method, r.text)
            assert r.json()["error"] == "not_found"


def test_ids_are_not_reused_and_client_ids_ignored(admin):
    a = admin.post(API + "/skills", json={"name": "a", "id": "77"})
    assert a.status_code == 201 and a.json()["id"] == "1"
    a = a.json()
    r = admin.put(API + f"/skills/{a['id']}", json={"id": a["id"], "name": "b"})
    assert r.status_code == 200 and r.json() == {"id": a["id"], "name": "b"}
    admin.delete(API + f"/skills/{a['id']}")
    b = admin.post(API + "/skills", json={"name": "b"}).json()
    assert int(b["id"]) > int(a["id"])


def test_public_catalog_shows_bookable_items_and_rules(server, admin, anon):
    r = anon.get(API + "/catalog")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == {"timezone": "America/New_York", "now": "2030-06-03T08:00:00-04:00",
                    "min_notice_minutes": 0, "horizon_days": 60, "integrated_booking": False,
                    "services": [], "packages": [],
                    # Places and prices: currency and country, no address search, no map.
                    "currency": "USD", "country": "US", "geocoder": False, "tiles": None}
    video = admin.post(API + "/skills", json={"name": "video"}).json()["id"]
    tiers = [{"max_sqft": 2000, "duration_minutes": 60}, {"max_sqft": 4000, "duration_minutes": 90}]
    photos = admin.post(API + "/services", json={"name": "Photos", "duration_minutes": 60,
                                                 "tiers": tiers}).json()["id"]
    film = admin.post(API + "/services", json={"name": "Video", "duration_minutes": 45,
                                               "skills": [video]}).json()["id"]
    admin.post(API + "/services", json={"name": "Floor plan", "duration_minutes": None})
    premium = admin.post(API + "/packages", json={"name": "Premium", "duration_minutes": 150,
                                                  "services": [photos, film], "skills": [video],
                                                  "two_photographers": True}).json()["id"]
    r = admin.put(API + "/settings", json={"timezone": "Europe/Paris", "min_notice_minutes": 120,
                                          "horizon_days": 30, "integrated_booking": True,
                                          "business_name": "Lumen Media"})
    assert r.status_code == 200 and r.json()["business_name"] == "Lumen Media"
    body = anon.get(API + "/catalog").json()
    assert body["business_name"] == "Lumen Media"
    assert body["timezone"] == "Europe/Paris"
    assert body["now"] == "2030-06-03T14:00:00+02:00"  # the server clock, in the business zone
    assert body["min_notice_minutes"] == 120 and body["horizon_days"] == 30
    assert body["integrated_booking"] is True
    # Only schedulable items, with their public fields (no skills).
    assert body["services"] == [
        {"id": photos, "name": "Photos", "duration_minutes": 60, "tiers": tiers},
        {"id": film, "name": "Video", "duration_minutes": 45, "tiers": []}]
    assert body["packages"] == [{"id": premium, "name": "Premium", "duration_minutes": 150,
                                 "services": [photos, film], "two_photographers": True}]
    # Clearing the name removes it from the catalog and the settings.
    r = admin.put(API + "/settings", json={"business_name": ""})
    assert r.status_code == 200 and "business_name" not in r.json()
    assert "business_name" not in anon.get(API + "/catalog").json()
    r = admin.put(API + "/settings", json={"business_name": "x" * 201})
    assert r.status_code == 422 and r.json()["field"] == "business_name"


def test_public_catalog_is_rate_limited_and_read_only(make_server):
    srv = make_server(env={"TRIPOD_RATE_LIMIT": "30"})
    with srv.client() as anon:
        assert anon.post(API + "/catalog", json={}).status_code == 405
        statuses = [anon.get(API + "/catalog").status_code for _ in range(40)]
        assert 429 in statuses and statuses[0] == 200
        r = anon.get(API + "/catalog")
        assert r.status_code == 429 and r.json()["error"] == "rate_limited"
