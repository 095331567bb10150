"""Crash safety of `tripod serve` on SQLite: a load client books continuously
while the server is killed with SIGKILL at random moments (50 cycles) and
restarted; every booking answered 201 must be there afterwards, complete
(assignments, history, outbox) and without double booking, checked in the
database itself. SIGTERM finishes in-flight requests and exits 0. A read-only
or full data dir at start gives a clear error, not a crash."""
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import threading
import time

import pytest
import requests

from bookseed import API, at, business, hours, ok, staff
from conftest import sanitizer_report

CYCLES = 50
WEEKDAYS = [time.strftime("%Y-%m-%d", time.gmtime(1906675200 + (w * 7 + d) * 86400))
            for w in range(8) for d in range(5)]  # Monday 2030-06-03 and 39 more weekdays
STARTS = ["09:30", "11:30", "13:30", "15:30"]  # 1 h shoots, 30 min buffers: never overlapping


class Load:
    """Threads booking random slots and cancelling some of their bookings with
    the manage token; keeps what was acknowledged and what was only sent."""

    def __init__(self, server, service, threads=4, pause=0.0):
        self.server, self.service, self.pause = server, service, pause
        self.acked, self.errors, self.attempts, self.unanswered = [], [], 0, 0
        self.cancel_sent, self.cancelled = set(), set()
        self.busy = 0
        self.lock = threading.Lock()
        self.stop_flag = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True)
                        for i in range(threads)]

    def run(self, seed):
        rnd = random.Random(seed)
        while not self.stop_flag.is_set():
            time.sleep(self.pause)
            if self.acked and rnd.random() < 0.4:
                self.cancel(rnd.choice(self.acked))
                continue
            start = at(rnd.choice(WEEKDAYS), rnd.choice(STARTS))
            try:
                r = requests.post(self.server.api + "/bookings", json=self.body(start), timeout=10)
            except requests.RequestException:
                with self.lock:
                    self.unanswered += 1
                time.sleep(0.02)  # the server is down: not acknowledged, try again
                continue
            with self.lock:
                self.attempts += 1
                if r.status_code == 201:
                    self.acked.append(r.json())
                elif r.status_code == 503 and r.json().get("error") in ("busy", "stopping"):
                    self.busy += 1  # a clear "try again": not acknowledged, not an error
                elif r.status_code != 409:
                    self.errors.append((r.status_code, r.text[:200]))

    def cancel(self, b):
        with self.lock:
            if b["id"] in self.cancel_sent:
                return
            self.cancel_sent.add(b["id"])
        try:
            r = requests.delete(self.server.api + f"/bookings/{b['id']}", timeout=10,
                                headers={"Authorization": f"Bearer {b['manage_token']}"})
        except requests.RequestException:
            return  # sent, never answered: either outcome is allowed
        with self.lock:
            self.attempts += 1
            if r.status_code in (200, 204):
                self.cancelled.add(b["id"])
            elif r.status_code != 503:  # 503: "try again", not acknowledged
                self.errors.append((r.status_code, r.text[:200]))

    def expected(self, bid):
        """The status booking BID must have, or None when either is allowed."""
        if bid in self.cancelled:
            return "cancelled"
        return None if bid in self.cancel_sent else "confirmed"

    def body(self, start):
        return {"agent": {"name": "Load", "email": "load@example.com"},
                "property": {"address": "1 Main St", "postal_code": "10001"},
                "services": [self.service], "start": start}

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for t in self.threads:
            t.join()


def kill9(server):
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait()
    server.proc = None


def check_database(path, load):
    """Direct checks on the SQLite file; returns the number of bookings."""
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = {r[0]: r for r in db.execute(
            "SELECT id, status, start_at, end_at, staff, buffer_min FROM bookings")}
        for b in load.acked:  # every acknowledged booking, as acknowledged
            row = rows.get(int(b["id"]))
            assert row is not None, f"booking {b['id']} answered 201 but is gone"
            assert load.expected(b["id"]) in (None, row[1]), (b["id"], row[1])
            assert sorted(row[4].split(",")) == sorted(s["id"] for s in b["staff"])
        assign = {}
        for bid, staff_id, s, e, buf, active in db.execute(
                "SELECT booking_id, staff_id, start_at, end_at, buffer_min, active FROM assignments"):
            assign.setdefault(bid, []).append((staff_id, s, e, buf, active))
        history = {r[0] for r in db.execute("SELECT DISTINCT booking_id FROM history")}
        outbox = {r[0] for r in db.execute("SELECT DISTINCT booking_id FROM outbox")}
        for bid, row in rows.items():  # nothing half-written, acknowledged or not
            crew = row[4].split(",")
            got = assign.get(bid, [])
            assert sorted(str(a[0]) for a in got) == sorted(crew), f"booking {bid}: assignments {got}"
            assert all(a[1] == row[2] and a[2] == row[3] for a in got)
            assert all(a[4] == (row[1] == "confirmed") for a in got), f"booking {bid}: {row[1]} {got}"
            assert bid in history, f"booking {bid} has no history"
            if outbox:  # once bookings feed the outbox, each one must have its item
                assert bid in outbox, f"booking {bid} has no outbox item"
        # Each change was enqueued once, in the transaction that made it: no
        # duplicate outbox items, and none for a change that was never committed.
        items = {}
        for bid, kind, payload in db.execute("SELECT booking_id, kind, payload FROM outbox"):
            p = json.loads(payload)
            p.pop("last", None)
            key = (bid, kind, json.dumps(p, sort_keys=True))
            items[key] = items.get(key, 0) + 1
            assert bid in rows, f"outbox item for missing booking {bid}"
        dups = [k[:2] for k, n in items.items() if n > 1]
        assert not dups, f"outbox items enqueued twice: {dups[:5]}"
        by_staff = {}
        for got in assign.values():
            for staff_id, s, e, buf, active in got:
                if active:  # the span PostgreSQL's exclusion constraint keeps disjoint
                    by_staff.setdefault(staff_id, []).append((s - buf * 60, e))
        for staff_id, spans in by_staff.items():  # no double booking survived the crashes
            spans.sort()
            for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
                assert s2 >= e1, (staff_id, (s1, e1), (s2, e2))
        return len(rows)
    finally:
        db.close()


def test_sigkill_at_random_moments_loses_no_acknowledged_booking(server, admin):
    ids = business(admin, horizon_days=60)
    for name in ("Ann", "Bob", "Cy", "Di", "Ed", "Flo"):
        staff(admin, name, hours=hours("09:00", "17:00"))
    rnd = random.Random(8)
    with Load(server, ids["photos"]) as load:
        for _ in range(CYCLES):
            time.sleep(rnd.uniform(0.1, 0.6))
            kill9(server)
            server.start()
        time.sleep(0.3)
    assert not load.errors, load.errors[:5]
    assert len(load.acked) >= CYCLES, f"only {len(load.acked)} bookings acknowledged"
    # Through the API after one more clean restart …
    server.restart()
    for b in load.acked:
        got = ok(admin.get(API + f"/bookings/{b['id']}"))
        assert (got["start"], got["staff"]) == (b["start"], b["staff"])
        assert load.expected(b["id"]) in (None, got["status"]), (b["id"], got["status"])
    server.stop()
    # … and in the database file itself (SQLite; on PostgreSQL the exclusion
    # constraint and tests/e2e/test_pg_*.py cover the database side).
    total = len(load.acked)
    if not os.environ.get("TRIPOD_TEST_DB"):
        total = check_database(os.path.join(server.data_dir, "tripod.db"), load)
    print(f"\ncrash: {CYCLES} SIGKILL cycles, {load.attempts} answered requests, "
          f"{len(load.acked)} acknowledged bookings ({len(load.cancelled)} acknowledged "
          f"cancellations) all as answered; {total} bookings checked in the database; "
          f"{load.busy} answered 503 busy")


def test_sigterm_finishes_the_request_in_flight_and_exits_0(server, admin):
    ids = business(admin)
    staff(admin, "Pat")
    body = json.dumps({"agent": {"name": "A", "email": "a@example.com"},
                       "property": {"address": "1 Main St", "postal_code": "10001"},
                       "services": [ids["photos"]], "start": at("2030-06-03", "10:00")}).encode()
    s = socket.create_connection(("127.0.0.1", server.port), timeout=20)
    s.sendall(b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body[:25])
    time.sleep(0.3)  # the request has begun: headers and part of the body are in
    proc = server.proc
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert proc.poll() is None, "exited with a request in flight"
    with pytest.raises(requests.ConnectionError):  # no longer accepting
        requests.get(server.api + "/health", timeout=5)
    s.sendall(body[25:])
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
        chunk = s.recv(65536)
        if not chunk:
            break
        answer += chunk
    s.close()
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    booked = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert proc.wait(timeout=20) == 0
    assert sanitizer_report(server.log()) is None
    server.proc = None
    server.start()
    assert ok(admin.get(API + f"/bookings/{booked['id']}"))["status"] == "confirmed"


def mount_tmpfs(path, size):
    os.makedirs(path, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({r.stderr.strip()}); needs root with CAP_SYS_ADMIN")


def serve_once(server, data_dir):
    """Runs `tripod serve` on DATA_DIR expecting it to refuse to start."""
    proc = subprocess.run([server.bin, "serve", "--port", str(server.port), "--data", data_dir],
                          env=server.env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, (proc.returncode, proc.stderr)  # an exit, not a signal
    assert sanitizer_report(proc.stderr) is None, proc.stderr
    assert "Segmentation" not in proc.stderr and "Aborted" not in proc.stderr
    return proc.stderr


def test_read_only_data_dir_gives_a_clear_error(make_server, tmp_path):
    srv = make_server(start=False)
    mnt = str(tmp_path / "ro")
    mount_tmpfs(mnt, "4m")
    try:
        data = os.path.join(mnt, "data")
        subprocess.run([srv.bin, "migrate", "--data", data], env=srv.env, check=True,
                       capture_output=True)
        subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
        err = serve_once(srv, data)
        assert "read-only" in err.lower() or "not writable" in err.lower(), err
        err = serve_once(srv, os.path.join(mnt, "missing"))
        assert "read-only" in err.lower() or "cannot create" in err.lower(), err
    finally:
        subprocess.run(["umount", "-l", mnt])


def test_full_disk_at_start_gives_a_clear_error(make_server, tmp_path):
    srv = make_server(start=False)
    mnt = str(tmp_path / "full")
    mount_tmpfs(mnt, "256k")
    try:
        try:
            with open(os.path.join(mnt, "filler"), "wb") as f:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
        except OSError:
            pass  # the disk is full
        err = serve_once(srv, os.path.join(mnt, "data"))
        assert "full" in err.lower() or "no space" in err.lower(), err
    finally:
        subprocess.run(["umount", "-l", mnt])
