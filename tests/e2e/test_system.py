"""Health, readiness (each of the four prerequisites), settings, pages, the
command line, restart persistence and the request log."""
import os
import subprocess

from conftest import API


def test_health_is_public(anon):
    r = anon.get(API + "/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert r.headers["Content-Type"].startswith("application/json")


def test_readiness_on_an_empty_business(admin):
    r = admin.get(API + "/readiness")
    assert r.status_code == 200
    body = r.json()
    p = body["prerequisites"]
    assert body["ready"] is False
    assert set(p) == {"integrated_booking", "primary_calendar", "staff_calendars", "durations"}
    assert p["integrated_booking"]["ok"] is False
    assert "Integrated booking" in p["integrated_booking"]["problems"][0]
    assert p["primary_calendar"]["ok"] is False
    assert p["staff_calendars"] == {"ok": True, "problems": []}
    assert p["durations"] == {"ok": True, "problems": []}


def test_readiness_names_each_missing_prerequisite(admin):
    assert admin.put(API + "/settings", json={"integrated_booking": True}).status_code == 200
    svc = admin.post(API + "/services", json={"name": "Floor plan", "duration_minutes": None}).json()
    pkg = admin.post(API + "/packages", json={"name": "Luxury"}).json()
    ok_svc = admin.post(API + "/services", json={"name": "Photos", "duration_minutes": 60}).json()
    ann = admin.post(API + "/staff", json={"name": "Ann", "email": "ann@example.com"}).json()
    bob = admin.post(API + "/staff", json={"name": "Bob", "email": "bob@example.com"}).json()
    admin.post(API + "/staff", json={"name": "Cid", "email": "cid@example.com", "active": False})
    admin.post(API + "/calendars", json={"owner": ann["id"], "kind": "ics",
                                         "url": "https://example.com/ann.ics"})
    p = admin.get(API + "/readiness").json()["prerequisites"]
    assert p["integrated_booking"] == {"ok": True, "problems": []}
    assert p["primary_calendar"]["ok"] is False
    staff_problems = p["staff_calendars"]["problems"]
    assert len(staff_problems) == 1 and "Bob" in staff_problems[0] and bob["id"] in staff_problems[0]
    dur = " ".join(p["durations"]["problems"])
    assert p["durations"]["ok"] is False
    assert "Floor plan" in dur and "Luxury" in dur and "Photos" not in dur
    assert svc["id"] in dur and pkg["id"] in dur and ok_svc["id"] != svc["id"]

    admin.post(API + "/calendars", json={"owner": "business", "kind": "caldav",
                                         "url": "https://dav.example.com/biz/", "primary": True})
    admin.post(API + "/calendars", json={"owner": bob["id"], "kind": "ics",
                                         "url": "https://example.com/bob.ics"})
    admin.put(API + f"/services/{svc['id']}", json={"name": "Floor plan", "duration_minutes": 30})
    admin.patch(API + f"/packages/{pkg['id']}", json={"duration_minutes": 120})
    body = admin.get(API + "/readiness").json()
    assert body["ready"] is True, body
    assert all(v == {"ok": True, "problems": []} for v in body["prerequisites"].values())


def test_settings_defaults(admin):
    s = admin.get(API + "/settings").json()
    assert s["integrated_booking"] is False
    assert s["timezone"] == "America/New_York"
    assert s["drive_buffer_minutes"] == 30
    assert s["min_notice_minutes"] == 0
    assert s["slot_step_minutes"] == 30
    assert s["horizon_days"] == 60
    assert s["default_hours"]["mon"] == [["09:00", "17:00"]]
    assert s["default_hours"]["fri"] == [["09:00", "17:00"]]
    assert s["default_hours"]["sat"] == [] and s["default_hours"]["sun"] == []
    assert s["two_photographers"] == {"enabled": False, "threshold_minutes": 180,
                                      "reduction_percent": 40, "senior_required": False}
    assert s["assignment"] == "balanced"
    assert s["outside_area_message"]
    assert s["travel_speed_kmh"] == 0


def test_settings_partial_update_merges(admin):
    r = admin.put(API + "/settings", json={
        "timezone": "Europe/Paris", "two_photographers": {"enabled": True},
        "default_hours": {"sat": [["13:00", "17:00"], ["08:00", "12:00"]]},
        "assignment": "nearest", "travel_speed_kmh": 40.5})
    assert r.status_code == 200, r.text
    s = admin.get(API + "/settings").json()
    assert s == r.json()
    assert s["timezone"] == "Europe/Paris"
    assert s["two_photographers"]["enabled"] is True
    assert s["two_photographers"]["threshold_minutes"] == 180
    assert s["default_hours"]["sat"] == [["08:00", "12:00"], ["13:00", "17:00"]]
    assert s["default_hours"]["mon"] == []
    assert s["drive_buffer_minutes"] == 30
    assert s["assignment"] == "nearest" and s["travel_speed_kmh"] == 40.5


def test_settings_refuse_bad_values_and_change_nothing(admin):
    before = admin.get(API + "/settings").json()
    bad = [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": 5}, "timezone"),
        ({"integrated_booking": "yes"}, "integrated_booking"),
        ({"drive_buffer_minutes": -1}, "drive_buffer_minutes"),
        ({"drive_buffer_minutes": 12.5}, "drive_buffer_minutes"),
        ({"slot_step_minutes": 7}, "slot_step_minutes"),
        ({"horizon_days": 0}, "horizon_days"),
        ({"default_hours": {"mon": [["17:00", "09:00"]]}}, "default_hours.mon[0]"),
        ({"default_hours": {"funday": []}}, "default_hours.funday"),
        ({"two_photographers": {"reduction_percent": 150}}, "two_photographers.reduction_percent"),
        ({"assignment": "random"}, "assignment"),
        ({"outside_area_message": ""}, "outside_area_message"),
        ({"travel_speed_kmh": -3}, "travel_speed_kmh"),
        ({"colour": "blue"}, "colour"),
        ({"integrated_booking": True, "horizon_days": 9999}, "horizon_days"),
    ]
    for body, field in bad:
        r = admin.put(API + "/settings", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"] == "validation" and r.json()["field"] == field, (body, r.json())
        assert r.json()["message"]
    assert admin.get(API + "/settings").json() == before


def test_one_clock_format_per_business(admin, anon):
    """clock_format says how pages and sentences write times: 12 h by default
    (the public catalog then says nothing), 24 h once set."""
    assert admin.get(API + "/settings").json()["clock_format"] == "12h"
    assert "clock_format" not in anon.get(API + "/catalog").json()
    for bad in ("13h", 24, None, ""):
        r = admin.put(API + "/settings", json={"clock_format": bad})
        assert (r.status_code, r.json()["field"]) == (422, "clock_format"), r.text
    assert admin.put(API + "/settings", json={"clock_format": "24h"}).json()["clock_format"] == "24h"
    assert anon.get(API + "/catalog").json()["clock_format"] == "24h"


def test_restart_keeps_everything(server, admin):
    admin.put(API + "/settings", json={"integrated_booking": True, "horizon_days": 30})
    skill = admin.post(API + "/skills", json={"name": "drone"}).json()
    staff = admin.post(API + "/staff", json={"name": "Ann", "email": "ann@example.com",
                                             "skills": [skill["id"]]}).json()
    staff.pop("feed_url")
    server.restart()
    assert admin.get(API + "/settings").json()["horizon_days"] == 30
    assert admin.get(API + f"/skills/{skill['id']}").json() == skill
    assert admin.get(API + f"/staff/{staff['id']}").json() == staff


def test_pages_and_security_headers(anon, server):
    for path in ("/", "/book", "/admin", "/manage/some-token"):
        r = anon.get(path)
        assert r.status_code == 200, path
        assert r.headers["Content-Type"].startswith("text/html")
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
    assert anon.get("/").text == anon.get("/book").text
    assert anon.get("/manage/abc").text != anon.get("/admin").text
    assert anon.get("/no-such-file.js").status_code == 404
    assert anon.post("/book").status_code == 405


def test_static_files_have_content_types(anon):
    web = os.path.join(os.path.dirname(__file__), "..", "..", "web")
    types = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
    seen = 0
    for name in sorted(os.listdir(web)):
        ext = os.path.splitext(name)[1]
        if ext in types and os.path.isfile(os.path.join(web, name)):
            r = anon.get("/" + name)
            assert r.status_code == 200, name
            assert r.headers["Content-Type"].startswith(types[ext]), name
            with open(os.path.join(web, name), "rb") as f:
                assert r.content == f.read()
            seen += 1
    assert seen >= 3


def test_no_directory_traversal(server):
    import socket
    for raw in ("/../CMakeLists.txt", "/..%2fCMakeLists.txt", "/%2e%2e/CMakeLists.txt",
                "/.hidden", "//etc/passwd", "/../../../../etc/passwd"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(f"GET {raw} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        status = data.split(b"\r\n", 1)[0]
        assert b" 404 " in status or b" 400 " in status, (raw, status)
        assert b"root:" not in data and b"cmake_minimum_required" not in data


def test_unknown_api_path_and_wrong_method(anon, admin):
    r = anon.get(API + "/nothing-here")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = admin.delete(API + "/settings")
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"
    assert "PUT" in r.headers["Allow"] and "GET" in r.headers["Allow"]


def test_one_log_line_per_request_without_secrets(server, admin, anon):
    staff = admin.post(API + "/staff", json={"name": "Ann", "email": "ann@example.com"}).json()
    key = staff["feed_url"].split("key=")[1]
    anon.get(API + "/health?probe=1")
    anon.get("/manage/SECRETMANAGETOKEN")
    anon.get(API + f"/staff/{staff['id']}/calendar.ics?key={key}")
    log = server.log()
    assert server.token not in log
    assert key not in log and "SECRETMANAGETOKEN" not in log and "probe=1" not in log
    import json
    lines = [json.loads(l) for l in log.splitlines() if l.startswith("{")]
    health = [l for l in lines if l["path"] == API + "/health" and l["status"] == 200]
    assert health and all({"method", "path", "status", "ms"} <= set(l) for l in lines)


def test_sigint_also_stops_cleanly(make_server):
    import signal
    srv = make_server()
    proc = srv.proc
    srv.proc = None
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0


def test_command_line_errors(server, tmp_path):
    bin_ = server.bin
    env = dict(server.env)

    def run(*args):
        return subprocess.run([bin_, *args], env=env, capture_output=True, text=True, timeout=60)

    assert run().returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("serve", "--port", "99999", "--data", str(tmp_path / "d")).returncode == 2
    assert run("serve", "--colour", "red").returncode == 2
    assert run("token", "create", "--data", str(tmp_path / "d")).returncode == 2
    afile = tmp_path / "a-file"
    afile.write_text("x")
    r = run("migrate", "--data", str(afile))
    assert r.returncode == 1 and "not a directory" in r.stderr
    r = run("serve", "--port", str(server.port), "--data", str(tmp_path / "busy"))
    assert r.returncode == 1 and "port" in r.stderr
    env["TRIPOD_NOW"] = "yesterday"
    assert run("serve", "--data", str(tmp_path / "d")).returncode == 2
    for out in ("frobnicate",):
        assert "Segmentation" not in run(out).stderr


def test_token_create_prints_only_the_token(server):
    r = server.tripod("token", "create", "--name", "second")
    lines = r.stdout.splitlines()
    assert len(lines) == 1 and len(lines[0]) == 43
    with server.client(lines[0]) as s:
        assert s.get(API + "/settings").status_code == 200


def test_demo_loads_a_ready_business_once(make_server):
    srv = make_server(start=False)
    srv.tripod("demo")
    r = srv.tripod("demo")
    assert "already" in r.stderr
    srv.start()
    with srv.client(srv.token) as admin:
        ready = admin.get(API + "/readiness").json()
        assert ready["ready"] is True, ready
        names = {s["name"] for s in admin.get(API + "/services").json()}
        assert {"Photos", "Video", "Drone", "Twilight photos"} <= names
        pk = {p["name"]: p for p in admin.get(API + "/packages").json()}
        assert pk["Premium"]["two_photographers"] is True and pk["Premium"]["duration_minutes"] == 180
        assert pk["Essentials"]["duration_minutes"] == 90
        staff = admin.get(API + "/staff").json()
        assert len(staff) == 4 and sum(s["senior"] for s in staff) == 1
        zones = {z["name"]: z for z in admin.get(API + "/zones").json()}
        assert zones["Manhattan"]["polygon"]["type"] == "Polygon"
        assert zones["Brooklyn"]["postal_codes"]
        cals = admin.get(API + "/calendars").json()
        assert sum(c["primary"] for c in cals) == 1 and len(cals) == 5
