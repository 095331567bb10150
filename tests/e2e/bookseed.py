"""Builds small businesses through the real admin API for the availability and
booking tests (no direct database access).

The clock of every server is conftest.DEFAULT_NOW: Monday 2030-06-03 08:00 in
New York. Times below are in that zone (EDT, -04:00).
"""
API = "/api/v1"
TZ = "America/New_York"
MON = "2030-06-03"
TUE = "2030-06-04"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


# Fields that background workers change on their own, at any moment: the
# calendar sync (a calendar's bookkeeping) and the outbox (a booking's
# calendar state: pending, failing, synced). A before/after comparison must
# leave them out, or wait for the workers to settle.
WORKER_FIELDS = {"calendars": ("last_sync", "last_attempt", "last_error", "events"),
                 "bookings": ("calendar",)}


def without_worker_fields(coll, rows):
    """ROWS (COLL's list of objects, one object, or a page {COLL: [...], …})
    without WORKER_FIELDS[COLL]."""
    drop = WORKER_FIELDS.get(coll)
    if not drop:
        return rows
    if isinstance(rows, dict) and isinstance(rows.get(coll), list):
        return {**rows, coll: without_worker_fields(coll, rows[coll])}
    if isinstance(rows, dict):
        return {k: v for k, v in rows.items() if k not in drop}
    return [{k: v for k, v in row.items() if k not in drop} for row in rows]


def at(day, hhmm):
    """RFC 3339 of DAY at HH:MM in New York (June: -04:00)."""
    return f"{day}T{hhmm}:00-04:00"


def ok(resp, status=200):
    assert resp.status_code == status, f"{resp.request.method} {resp.url}: {resp.status_code} {resp.text}"
    return resp.json()


def hours(start="09:00", end="17:00", days=WEEKDAYS):
    return {d: ([[start, end]] if d in days else []) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def settings(admin, **kw):
    body = {"integrated_booking": True, "timezone": TZ, "drive_buffer_minutes": 30,
            "slot_step_minutes": 30, "min_notice_minutes": 0, "horizon_days": 60}
    body.update(kw)
    return ok(admin.put(API + "/settings", json=body))


def skill(admin, name):
    return ok(admin.post(API + "/skills", json={"name": name}), 201)["id"]


def service(admin, name, minutes, skills=(), tiers=None):
    body = {"name": name, "duration_minutes": minutes, "skills": list(skills)}
    if tiers:
        body["tiers"] = tiers
    return ok(admin.post(API + "/services", json=body), 201)["id"]


def package(admin, name, minutes, services=(), skills=(), two=False):
    body = {"name": name, "duration_minutes": minutes, "services": list(services),
            "skills": list(skills), "two_photographers": two}
    return ok(admin.post(API + "/packages", json=body), 201)["id"]


def calendar(admin, owner, primary=False):
    body = {"owner": owner, "kind": "ics", "url": "http://127.0.0.1:9/cal.ics", "primary": primary}
    return ok(admin.post(API + "/calendars", json=body), 201)["id"]


def staff(admin, name, with_calendar=True, **kw):
    body = {"name": name, "email": f"{name.lower()}@example.com", "hours": hours()}
    body.update(kw)
    sid = ok(admin.post(API + "/staff", json=body), 201)["id"]
    if with_calendar:
        calendar(admin, sid)
    return sid


def business(admin, **kw):
    """The seed's scenario: booking on, a primary calendar, photos 1 h and
    video 1 h (needs skill video), 30 min buffers. Returns the ids."""
    settings(admin, **kw)
    calendar(admin, "business", primary=True)
    video = skill(admin, "video")
    photos = service(admin, "Photos", 60)
    film = service(admin, "Video", 60, skills=[video])
    return {"video": video, "photos": photos, "film": film}


def slots(client, services=(), packages=(), day=MON, to=None, **params):
    q = {"from": day, "to": to or day}
    if services:
        q["services"] = ",".join(services)
    if packages:
        q["packages"] = ",".join(packages)
    q.update(params)
    return client.get(API + "/availability", params=q)


def starts(resp):
    """The offered starts as HH:MM strings (all on one day)."""
    body = ok(resp)
    return [s["start"][11:16] for s in body["slots"]]


def book(client, start, services=(), packages=(), headers=None, **prop):
    prop.setdefault("address", "1 Main St")
    prop.setdefault("postal_code", "10001")
    body = {"agent": {"name": "Alice Agent", "email": "alice@example.com", "phone": "555-0100"},
            "property": prop, "services": list(services), "packages": list(packages),
            "start": start, "notes": ""}
    return client.post(API + "/bookings", json=body, headers=headers or {})


def listed(admin, **params):
    """Every booking GET /bookings selects with PARAMS, newest first, following
    next_cursor across pages."""
    out, cursor = [], None
    while True:
        page = ok(admin.get(API + "/bookings", params={**params, **({"cursor": cursor} if cursor else {})}))
        out += page["bookings"]
        cursor = page["next_cursor"]
        if not cursor:
            return out


def grid(first, last, step=30):
    """HH:MM strings from FIRST to LAST inclusive every STEP minutes."""
    h, m = map(int, first.split(":"))
    end_h, end_m = map(int, last.split(":"))
    out = []
    t, end = h * 60 + m, end_h * 60 + end_m
    while t <= end:
        out.append(f"{t // 60:02d}:{t % 60:02d}")
        t += step
    return out
