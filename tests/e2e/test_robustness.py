"""HTTP robustness: slow and idle clients, oversized headers and bodies,
invalid UTF-8, huge numbers, deep nesting and plain garbage. Each attack runs
while a probe keeps asking for /health and /availability on fresh
connections; every probe answer must come back 200, answers must keep
arriving while an attack lasts (a starved server would answer only after
it), and each bad request must get a 4xx JSON error (or a closed
connection), never a crash.

Slow clients (thousands of connections from one address trickling headers,
sending bodies slowly, or idle after a request) are what an agent may meet
in production, so there the probe also asserts the user's property: every
ordinary request is answered within PROMPT seconds while the attack runs
(before the connection guard: 15 s to over 60 s). The attackers use
127.0.0.2 and the probe 127.0.0.1: one address's cap must not refuse
another's connections."""
import json
import os
import socket
import threading
import time

import pytest
import requests

from bookseed import API, MON, business, staff
from conftest import SANITIZE
from slow_clients import Attacker

PROMPT = 2.0  # seconds: "answered promptly", generous even for the ASan build on a busy machine

TRIED = {"bad inputs": 0}


class Probe:
    """Asks the server for health and availability every 50 ms on a new connection."""

    def __init__(self, server, services, prompt=None):
        self.urls = [server.api + "/health",
                     server.api + f"/availability?services={services}&from={MON}&to={MON}"]
        self.prompt = prompt  # seconds every answer must come within, or None
        self.results = []  # (status, finished at, seconds taken)
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        i = 0
        while not self.stop_flag.is_set():
            url = self.urls[i % 2]
            t0 = time.monotonic()
            try:
                status = requests.get(url, timeout=60, headers={"Connection": "close"}).status_code
            except requests.RequestException as e:
                status = repr(e)
            self.results.append((status, time.monotonic(), time.monotonic() - t0))
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
        if self.prompt:
            slow = [round(r[2], 2) for r in self.results if r[2] > self.prompt]
            assert not slow, f"{len(slow)} of {len(self.results)} answers took over " \
                             f"{self.prompt} s: {slow[:10]}"

    def figures(self):
        """'n answers, p99 X ms, worst Y ms' of the probe's answers."""
        took = sorted(r[2] * 1000 for r in self.results)
        p99 = took[max(0, -(-len(took) * 99 // 100) - 1)]
        return f"{len(took)} answers, p99 {p99:.0f} ms, worst {took[-1]:.0f} ms"


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


def test_slow_and_idle_clients_from_one_address_do_not_delay_others(server, shop):
    """2,000 connections trickling headers a few bytes every 5 s, 200 sending
    a body as slowly, 500 idle after a request, all from one address that
    reopens whatever the server closes, for longer than the header deadline."""
    with Attacker(server.port, headers=2000, bodies=200, idle=500, interval=5) as attack:
        time.sleep(1.5)  # they are connecting: the probe starts in the thick of it
        with Probe(server, shop["photos"], prompt=PROMPT) as probe:
            time.sleep(14)
    TRIED["bad inputs"] += attack.counts["opened"]
    assert attack.counts["opened"] >= 2700, attack.counts  # the attack did happen
    assert attack.counts["closed"] > 0, attack.counts  # and met the cap and the deadlines
    print(f"\nslow clients: {attack.counts}; ordinary requests meanwhile: {probe.figures()}")


def test_slow_clients_trickling_within_every_timeout_are_still_cut(make_server, shop):
    """Whole-request deadlines: a header byte (or body byte) every 0.3 s would
    reset any inactivity timeout, yet the connection ends soon after its
    deadline; an idle keep-alive connection ends after the idle one."""
    srv = make_server(env={"TRIPOD_HEADER_TIMEOUT": "2", "TRIPOD_BODY_TIMEOUT": "3",
                           "TRIPOD_IDLE_TIMEOUT": "4"})
    results = {}

    def hold(name, opening, trickle):
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.connect(("127.0.0.1", srv.port))
        t0 = time.monotonic()
        s.sendall(opening)
        s.settimeout(0.3)
        got = b""
        try:
            while time.monotonic() - t0 < 30:
                try:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    got += chunk
                except socket.timeout:
                    pass
                if trickle:
                    s.sendall(trickle)
        except OSError:
            pass  # reset: ended all the same
        results[name] = (time.monotonic() - t0, got)
        s.close()

    cases = [("headers", b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n", b"X-a: b\r\n"),
             ("body", b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Length: 9999\r\n\r\n{",
              b"a"),
             ("idle", b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n", b""),
             ("silent", b"", b"")]
    threads = [threading.Thread(target=hold, args=c) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    limits = {"headers": 2, "body": 3, "idle": 4, "silent": 2}
    for name, (took, _) in results.items():
        assert limits[name] - 0.5 <= took < limits[name] + 8, (name, took)
    assert results["idle"][1].startswith(b"HTTP/1.1 200"), results["idle"][1][:100]
    r = requests.get(srv.api + "/health", timeout=10)  # and the server is fine
    assert r.status_code == 200


def test_connections_per_address_are_capped(make_server):
    srv = make_server(env={"TRIPOD_MAX_CONN_PER_CLIENT": "10"})
    held = []

    def connect(source):
        s = socket.socket()
        s.bind((source, 0))
        s.connect(("127.0.0.1", srv.port))
        s.settimeout(10)
        return s

    def served(s):
        """Whether S gets an answer to a keep-alive request (else it was refused)."""
        try:
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            return s.recv(65536).startswith(b"HTTP/1.1 200")
        except OSError:
            return False

    for _ in range(10):
        held.append(connect("127.0.0.2"))
        assert served(held[-1])  # answered: the server counts it as open
    extra = connect("127.0.0.2")
    assert not served(extra), "an 11th connection from one address was served"
    extra.close()
    assert requests.get(srv.api + "/health", timeout=10).status_code == 200  # other addresses
    held.pop().close()
    deadline = time.monotonic() + 20
    while True:  # the closed one is released once the server has seen it go
        s = connect("127.0.0.2")
        ok_now = served(s)
        held.append(s)
        if ok_now or time.monotonic() > deadline:
            break
        held.pop().close()
        time.sleep(0.05)
    assert ok_now, "a freed place was not given back"
    for s in held:
        s.close()


def test_forwarded_client_counts_only_behind_a_trusted_proxy(make_server):
    """Rate limit and cap apply to the X-Forwarded-For client when the peer
    (here 127.0.0.1, playing the proxy) is trusted, to the peer otherwise."""
    url = "/api/v1/availability?services=1&from=" + MON + "&to=" + MON
    for trusted, separate in (("127.0.0.1", True), ("10.0.0.0/8, ::1", False)):
        srv = make_server(env={"TRIPOD_TRUSTED_PROXIES": trusted, "TRIPOD_RATE_LIMIT": "3"})
        fwd = lambda who: {"X-Forwarded-For": f"{who}, 127.0.0.1"}  # noqa: E731
        codes = [requests.get(srv.url + url, headers=fwd("203.0.113.7"), timeout=10).status_code
                 for _ in range(4)]
        other = requests.get(srv.url + url, headers=fwd("198.51.100.8"), timeout=10).status_code
        if separate:  # a bucket of 3 for each forwarded client
            assert 429 not in codes[:3] and codes[3] == 429 and other != 429, (codes, other)
        else:  # one bucket for the peer (its health checks at start included)
            assert 429 in codes and other == 429, (codes, other)
        srv.stop()

    # The cap counts a forwarded client's requests in progress, not the proxy's connections.
    srv = make_server(env={"TRIPOD_TRUSTED_PROXIES": "127.0.0.1", "TRIPOD_MAX_CONN_PER_CLIENT": "2"})
    body = b'{"agent": 1}'

    def begin(who):
        """A POST whose headers the server has taken (it said 100 Continue)."""
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        s.sendall(b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: " + who +
                  b"\r\nExpect: 100-continue\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body))
        assert s.recv(100).startswith(b"HTTP/1.1 100"), "no 100 Continue"
        return s

    def finish(s):
        s.sendall(body)
        answer = s.recv(65536)
        s.close()
        return int(answer.split()[1])

    a, b, c = begin(b"203.0.113.7"), begin(b"203.0.113.7"), begin(b"203.0.113.7")
    d = begin(b"198.51.100.8")  # another client through the same proxy
    assert [finish(s) for s in (a, b, c, d)] == [422, 422, 429, 422]
    held = [begin(b"192.0.2.%d" % i) for i in range(20)]  # 20 proxy connections: all taken
    assert all(finish(s) == 422 for s in held)


def test_many_idle_connections_stay_cheap(server, shop):
    """3,000 keep-alive connections idle after one request each, from 30
    addresses: others are still answered promptly, and an idle connection
    costs no more than libmicrohttpd's buffer (its 32 KiB stay resident after
    a request: for tens of thousands of idle clients, the proxy holds them)."""
    def rss_kb():
        with open(f"/proc/{server.proc.pid}/status") as f:
            return int(f.read().split("VmRSS:")[1].split()[0])

    sources = ",".join(f"127.0.1.{i}" for i in range(1, 31))
    fds = lambda: len(os.listdir(f"/proc/{server.proc.pid}/fd"))  # noqa: E731
    before, base = rss_kb(), fds()
    with Attacker(server.port, source=sources, idle=3000, interval=60, reopen=60) as attack:
        deadline = time.monotonic() + 60
        while fds() < base + 3000 and time.monotonic() < deadline:
            time.sleep(0.1)
        with Probe(server, shop["photos"], prompt=PROMPT) as probe:
            time.sleep(3)
        grown = rss_kb() - before
    TRIED["bad inputs"] += attack.counts["opened"]
    assert attack.counts["max_open"] >= 3000, attack.counts
    per_conn = grown / 3000
    if not SANITIZE:  # AddressSanitizer's redzones and quarantine inflate every allocation
        assert per_conn < 40, f"{per_conn:.1f} KiB per idle connection"
    print(f"\nidle: 3000 connections, {per_conn:.1f} KiB each; ordinary requests: {probe.figures()}")


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


def test_bad_guard_settings_are_refused(make_server):
    for name, value in (("TRIPOD_TRUSTED_PROXIES", "proxy.example.com"),
                        ("TRIPOD_MAX_CONN_PER_CLIENT", "lots"), ("TRIPOD_HEADER_TIMEOUT", "-1"),
                        ("TRIPOD_IDLE_TIMEOUT", "0"), ("TRIPOD_MAX_CONNECTIONS", "5")):
        srv = make_server(env={name: value}, start=False)
        r = srv.tripod("serve", "--port", str(srv.port), check=False)
        assert r.returncode == 2 and name in r.stderr, (name, r.returncode, r.stderr)
