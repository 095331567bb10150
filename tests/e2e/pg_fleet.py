"""pg_fleet.py — helpers for the scale-out tests (test_pg_*.py): several
`tripod serve` instances on one database of a throwaway PostgreSQL cluster,
a small bookable business, and direct checks on the assignments table."""
import datetime
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
import pg  # noqa: E402  (tests/servers/pg.py)

API = "/api/v1"
ZONE = datetime.timezone(datetime.timedelta(hours=-4))  # New York in June
FIRST_DAY = datetime.date(2030, 6, 4)                    # the day after the fixed clock's Monday
STARTS = ("09:30", "11:30", "13:30", "15:30")            # a 60-min shoot each, 30-min buffers fit


def fleet(make_server, db_url, n):
    """N started instances sharing DB_URL (each with its own data dir and token)."""
    return [make_server(env={"TRIPOD_DB": db_url}) for _ in range(n)]


def setup_business(admin, staff_count):
    """A bookable business: one 60-minute service, STAFF_COUNT people working
    09:00-17:00 Monday to Friday in New York, each with a calendar, and a
    primary calendar. Returns the service id."""
    r = admin.put(API + "/settings", json={"integrated_booking": True, "timezone": "America/New_York",
                                            "min_notice_minutes": 0})
    assert r.status_code == 200, r.text
    service = admin.post(API + "/services", json={"name": "Shoot", "duration_minutes": 60,
                                                  "tiers": [], "skills": []})
    assert service.status_code == 201, service.text
    day = [["09:00", "17:00"]]
    hours = {d: day for d in ("mon", "tue", "wed", "thu", "fri")}
    hours.update(sat=[], sun=[])
    for i in range(staff_count):
        person = admin.post(API + "/staff", json={
            "name": "Shooter %d" % i, "email": "shooter%d@example.com" % i,
            "timezone": "America/New_York", "senior": False, "skills": [], "zones": [],
            "hours": hours, "exceptions": [], "home": {"lat": 40.75, "lon": -73.98},
            "rank": i + 1, "active": True})
        assert person.status_code == 201, person.text
        cal = admin.post(API + "/calendars", json={
            "owner": person.json()["id"], "kind": "ics", "primary": False,
            "url": "http://127.0.0.1:9/shooter%d.ics" % i})
        assert cal.status_code == 201, cal.text
    cal = admin.post(API + "/calendars", json={"owner": "business", "kind": "ics", "primary": True,
                                               "url": "http://127.0.0.1:9/business.ics"})
    assert cal.status_code == 201, cal.text
    return service.json()["id"]


def slot_starts(count):
    """COUNT distinct starts (RFC 3339), four per weekday from FIRST_DAY on,
    far enough apart that one person can do all of them."""
    out, day = [], FIRST_DAY
    while len(out) < count:
        if day.weekday() < 5:
            for hm in STARTS:
                t = datetime.datetime.combine(day, datetime.time.fromisoformat(hm), ZONE)
                out.append(t.isoformat())
        day += datetime.timedelta(days=1)
    return out[:count]


def booking(service, start, n=0):
    return {"agent": {"name": "Agent %d" % n, "email": "agent%d@example.com" % n, "phone": "555"},
            "property": {"address": "%d Main St" % n, "postal_code": "10001",
                         "lat": 40.75, "lon": -73.99},
            "services": [service], "packages": [], "start": start, "notes": ""}


def too_close_pairs(cluster, db_url):
    """Pairs of active assignments of one person closer than the later one's
    drive buffer (or overlapping), found by a direct query."""
    return cluster.psql(
        "SELECT a.booking_id, b.booking_id FROM assignments a JOIN assignments b "
        "ON a.staff_id = b.staff_id AND a.booking_id < b.booking_id "
        "WHERE a.active = 1 AND b.active = 1 "
        "AND a.start_at < b.end_at + 60 * a.buffer_min AND b.start_at < a.end_at + 60 * b.buffer_min",
        db_url)
