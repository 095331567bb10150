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
    ({"name": "x", "price": 100}, "price"),
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
