"""HTTP robustness: slow clients, many idle connections, oversized headers and
bodies, invalid UTF-8, huge numbers, deep nesting and plain garbage. Each
attack runs while a probe keeps asking for /health and /availability on fresh
connections; every probe answer must come back 200, answers must keep
arriving while an attack lasts (a starved server would answer only after
it), and each bad request must get a 4xx JSON error (or a closed
connection), never a crash. No latency bound: speed is the benchmarks' job."""
import json
import socket
import threading
import time

import pytest
import requests

from bookseed import API, MON, business, staff

TRIED = {"bad inputs": 0}


class Probe:
    """Asks the server for health and availability every 50 ms on a new connection."""

    def __init__(self, server, services):
        self.urls = [server.api + "/health",
                     server.api + f"/availability?services={services}&from={MON}&to={MON}"]
        self.results = []  # (status, finished at)
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        i = 0
        while not self.stop_flag.is_set():
            url = self.urls[i % 2]
            try:
                status = requests.get(url, timeout=15, headers={"Connection": "close"}).status_code
            except requests.RequestException as e:
                status = repr(e)
            self.results.append((status, time.monotonic()))
            i += 1
            time.sleep(0.05)

    def __enter__(self):
        self.started = time.monotonic()
        self.thread.start()
        return self

    def __exit__(self, *exc):
        attack_end = time.monotonic()
        deadline = attack_end + 20
        while len(self.results) < 4 and time.monotonic() < deadline and exc[0] is None:
            time.sleep(0.05)  # quick attacks: the probe still asks a few times
        self.stop_flag.set()
        self.thread.join()
        if exc[0] is not None:
            return False  # the attack's own failure is the story
        assert len(self.results) >= 4, "the probe did not get answers"
        bad = [r for r in self.results if r[0] != 200]
        assert not bad, f"other clients were hurt: {bad[:5]} of {len(self.results)}"
        if attack_end - self.started >= 1.0:
            during = [r for r in self.results if r[1] <= attack_end]
            assert during, "nobody else was answered while the attack lasted"


@pytest.fixture
def shop(server, admin):
    ids = business(admin)
    staff(admin, "Pat")
    return ids


def raw(server, data, read=True, timeout=10):
    """Sends DATA on a new connection; returns the status line and body (b"" when closed)."""
    TRIED["bad inputs"] += 1
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-way: the server closed on us, which is fine
        if not read:
            return b"", b""
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    head, _, body = out.partition(b"\r\n\r\n")
    return head.split(b"\r\n", 1)[0], body


def status_of(line):
    parts = line.split()
    return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None


def test_slowloris_clients_do_not_block_others(server, shop):
    socks = []
    with Probe(server, shop["photos"]):
        for _ in range(150):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            s.sendall(b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        # Trickle one header byte per connection per round, never finishing.
        for round_ in range(6):
            for s in socks:
                try:
                    s.sendall(b"X-Slow-%d: a\r\n" % round_)
                except OSError:
                    pass
            time.sleep(0.5)
        # A body that trickles in after complete headers.
        slow_body = []
        for _ in range(50):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            s.sendall(b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
            slow_body.append(s)
        time.sleep(2)
    TRIED["bad inputs"] += len(socks) + len(slow_body)
    for s in socks + slow_body:
        s.close()


def test_many_idle_connections(server, shop):
    socks = []
    with Probe(server, shop["photos"]):
        for _ in range(400):
            socks.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
        time.sleep(3)
    TRIED["bad inputs"] += len(socks)
    for s in socks:
        s.close()


def test_oversized_headers_urls_and_bodies(server, shop):
    with Probe(server, shop["photos"]):
        big = b"a" * (200 * 1024)
        cases = [
            b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + big + b"\r\n\r\n",
            b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 20000 + b"\r\n",
            b"GET /api/v1/availability?services=" + big + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /" + big + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + big + b"\r\n\r\n",
        ]
        for data in cases * 3:
            line, _ = raw(server, data)
            status = status_of(line)
            assert status is None or 400 <= status < 500, line  # refused, or connection closed

        # Bodies above 1 MiB: declared, chunked, and a lie about the length.
        body = b'{"x":"' + b"a" * (2 * 1024 * 1024) + b'"}'
        line, resp = raw(server, b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body) + body)
        assert status_of(line) == 413 and json.loads(resp)["error"] == "payload_too_large"
        chunks = b"".join(b"%x\r\n%s\r\n" % (65536, b"a" * 65536) for _ in range(40)) + b"0\r\n\r\n"
        line, resp = raw(server, b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n" + chunks)
        assert status_of(line) == 413, line
        line, _ = raw(server, b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Length: 99999999999999999999\r\n\r\n{}", timeout=3)
        assert status_of(line) in (None, 400, 413), line
        r = requests.post(server.api + "/bookings", data=b"{" * 10, timeout=10)
        assert r.status_code == 400  # the server still parses normal-sized requests


def test_invalid_utf8_huge_numbers_and_deep_nesting(server, shop, admin):
    photos = shop["photos"]
    good = {"agent": {"name": "A", "email": "a@example.com"},
            "property": {"address": "1 Main St", "postal_code": "10001"},
            "services": [photos], "start": "2030-06-03T10:00:00-04:00"}
    bodies = [
        b'{"agent":{"name":"\xff\xfe\xc3","email":"a@example.com"}}',
        b'{"agent":{"name":"\xed\xa0\x80","email":"a@example.com"}}',  # UTF-16 surrogate
        b'{"agent":{"name":"\\ud800","email":"a@example.com"}}',
        b'{"name":"\xc0\xaf"}',
        b"[" * 100000 + b"]" * 100000,
        b'{"a":' * 50000 + b"1" + b"}" * 50000,
        b'{"services":[' + b",".join([b'"1"'] * 100000) + b"]}",
        b"\x00\x01\x02",
        b"",
        b"null",
        b'"just a string"',
        b"1e999999",
    ]
    numbers = ["1e999", "-1e999", "123456789012345678901234567890", "1e308", "-1e308",
               "9223372036854775808", "-9223372036854775809", "NaN", "Infinity"]
    for n in numbers:
        text = json.dumps(good)
        for field in ('"postal_code": "10001", "sqft": %s' % n, '"lat": %s, "lon": 0' % n,
                      '"lat": 40.7, "lon": %s' % n):
            changed = text.replace('"postal_code": "10001"', field)
            assert changed != text
            bodies.append(changed.encode())
        bodies.append(b'{"name":"x","duration_minutes":%s}' % n.encode())
    with Probe(server, photos):
        for b in bodies:
            TRIED["bad inputs"] += 2
            for path, client in (("/bookings", requests), ("/services", admin)):
                r = client.post(server.api + path if client is requests else API + path, data=b,
                                headers={"Content-Type": "application/json"}, timeout=30)
                assert 400 <= r.status_code < 500, (path, b[:80], r.status_code, r.text[:200])
                assert r.json()["error"] and r.json()["message"]
        queries = ["services=%ff%fe", "services=" + photos + "&from=%c0%af", "lat=1e999&lon=-1e999",
                   "sqft=99999999999999999999", "services=" + ",".join(["1"] * 5000),
                   "from=0000-00-00&to=9999-99-99", "services=" + photos + "&postal_code=%00",
                   "services=" + photos + "&from=2030-06-03&to=2099-12-31"]
        for q in queries:
            TRIED["bad inputs"] += 1
            r = requests.get(server.api + "/availability?" + q, timeout=30)
            assert r.status_code in (200, 422), (q, r.status_code, r.text[:200])
            r.json()
    # Nothing half-written: the refused bodies left no bookings and no services behind.
    assert admin.get(API + "/bookings").json()["bookings"] == []
    assert [s["id"] for s in admin.get(API + "/services").json()] == [shop["photos"], shop["film"]]


def test_garbage_and_broken_requests(server, shop):
    cases = [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 200,  # a TLS hello
        b"GARBAGE\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /api/v1/health HTTP/1.1\r\n\r\n",  # no Host
        b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        b"GET /%00%ff%c0 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /api/v1/bookings/%00 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\n\r\n",
        b"\r\n" * 5000,
    ]
    with Probe(server, shop["photos"]):
        for data in cases:
            line, _ = raw(server, data, timeout=5)
            status = status_of(line)
            assert status is None or 200 <= status < 500 or status == 505, (data[:40], line)
        # Half a request, then the client vanishes.
        for _ in range(50):
            raw(server, b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"a",
                read=False)
    print(f"\nrobustness: {TRIED['bad inputs']} bad inputs tried")
