"""`make run`'s demo has real calendars: scripts/run.sh starts a local
Radicale and SMTP sink, `tripod demo` creates the primary and staff
calendars there with busy events for the coming weeks, the served
availability is blocked by them, a booking lands on the primary calendar,
and stopping the script (Ctrl-C) stops Radicale and the sink too."""
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

import requests

from conftest import free_port, tripod_bin

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5):
            return True
    except OSError:
        return False


def wait_for(fn, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.2)
    return fn()


def test_make_run_demo_has_real_calendars_and_stops_cleanly():
    web, dav, smtp = free_port(), free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="tripod-run-") as tmp:
        data = os.path.join(tmp, "data")
        log_path = os.path.join(tmp, "run.log")
        env = {k: v for k, v in os.environ.items() if k != "TRIPOD_DB"}
        # Monday 2030-06-03 08:00 New York: Dev's other shoot is on Tuesday 10:00-12:30.
        env.update(RADICALE_PORT=str(dav), SMTP_PORT=str(smtp), TRIPOD_RATE_LIMIT="0",
                   TRIPOD_NOW="2030-06-03T08:00:00-04:00")
        with open(log_path, "w") as log:
            proc = subprocess.Popen(["bash", os.path.join(ROOT, "scripts", "run.sh"), tripod_bin(),
                                     data, str(web)], env=env, stdout=log, stderr=log,
                                    start_new_session=True)
        try:
            def log_text():
                with open(log_path) as f:
                    return f.read()
            assert wait_for(lambda: "serving" in log_text()), log_text()
            token = re.search(r"Admin token:\s+(\S+)", log_text()).group(1)
            api = f"http://127.0.0.1:{web}/api/v1"
            admin = requests.Session()
            admin.headers["Authorization"] = f"Bearer {token}"

            def all_synced():
                cals = admin.get(api + "/calendars").json()
                return cals if all(c["last_sync"] and not c["last_error"] for c in cals) else None
            cals = wait_for(all_synced)
            assert cals and len(cals) == 5, admin.get(api + "/calendars").json()
            assert all(c["has_password"] and c["username"] == "tripod" for c in cals)
            assert all(c["events"] > 0 for c in cals if c["owner"] != "business")
            assert admin.get(api + "/readiness").json()["calendar_sync"]["ok"] is True

            photos = next(s["id"] for s in admin.get(api + "/services").json()
                          if s["name"] == "Photos")
            q = {"services": photos, "postal_code": "10001", "from": "2030-06-04",
                 "to": "2030-06-04"}
            got = [s["start"][11:16] for s in requests.get(api + "/availability", params=q)
                   .json()["slots"]]
            assert got and got[0] == "13:00", got  # Dev (serving 10001) is busy until 12:30
            why = admin.get(api + "/availability/explain",
                            params=dict(q, at="2030-06-04T10:30:00-04:00")).json()
            assert "Shoot for another agency" in str(why), why

            r = requests.post(api + "/bookings", json={
                "agent": {"name": "Ava", "email": "ava@realty.test", "phone": "555"},
                "property": {"address": "350 5th Ave", "postal_code": "10001"},
                "services": [photos], "start": "2030-06-04T13:00:00-04:00"})
            assert r.status_code == 201, r.text
            bid = r.json()["id"]
            with open(os.path.join(data, "radicale", "password")) as f:
                pw = f.read().strip()
            url = f"http://127.0.0.1:{dav}/tripod/business/tripod-booking-{bid}@tripod.ics"
            ev = wait_for(lambda: (lambda x: x.text if x.status_code == 200 else None)(
                requests.get(url, auth=("tripod", pw), timeout=5)))
            assert ev and "350 5th Ave" in ev and "Hudson Media Co." in ev
            assert wait_for(lambda: len([n for n in os.listdir(os.path.join(data, "mail"))
                                         if n.endswith(".eml")]) == 2)
        finally:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
            try:
                rc = proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                raise
        assert wait_for(lambda: not listening(dav) and not listening(smtp) and not listening(web),
                        timeout=15), "Radicale, the sink or tripod still listening after Ctrl-C"
