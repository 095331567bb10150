"""Fixtures that run the real `tripod serve` (binary from $TRIPOD_BIN) on a free
port with a temporary data dir and a fixed clock, and clients to talk to it.

Fixtures (stable names, other test files rely on them):
  server       a started TripodServer (.url, .api, .token, .data_dir, .port,
               .stop(), .start(), .tripod(*args), .log())
  admin        requests.Session sending the admin token; paths starting with
               "/" are relative to server.url
  anon         the same without a token
  make_server  factory: make_server(env={...}, now="...") → another started
               TripodServer, stopped at teardown

Every stop checks that the server exited with status 0 and that its stderr
holds no AddressSanitizer/UBSan/LeakSanitizer report, so under the ASan build
(TRIPOD_SANITIZE=ON) memory errors fail the test that caused them.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
import pg  # noqa: E402  (tests/servers/pg.py)
from ports import free_port  # noqa: E402  (tests/servers/ports.py)

API = "/api/v1"
# Monday 2030-06-03 08:00 in New York: the week of the benchmark scenario.
DEFAULT_NOW = "2030-06-03T08:00:00-04:00"
SANITIZE = os.environ.get("TRIPOD_SANITIZE", "").upper() in ("ON", "1", "TRUE", "YES")
START_TIMEOUT = 60 if SANITIZE else 20
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "SUMMARY: UndefinedBehaviorSanitizer")


def tripod_bin():
    path = os.environ.get("TRIPOD_BIN")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "..", "..", "build", "tripod")
    if not os.path.exists(path):
        pytest.fail(f"tripod binary not found at {path} (set TRIPOD_BIN)")
    return os.path.abspath(path)


def sanitizer_report(text):
    """The first sanitizer report line in TEXT, or None."""
    for line in text.splitlines():
        if any(mark in line for mark in SANITIZER_MARKS):
            return line
    return None


class Client(requests.Session):
    """A session whose paths starting with "/" are relative to BASE."""

    def __init__(self, base, token=None):
        super().__init__()
        self.base = base
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method, url, *args, **kwargs):
        if url.startswith("/"):
            url = self.base + url
        kwargs.setdefault("timeout", 60)
        return super().request(method, url, *args, **kwargs)


class TripodServer:
    """One `tripod serve` process on its own data dir (kept across restarts)."""

    def __init__(self, data_dir, env=None, now=DEFAULT_NOW):
        self.bin = tripod_bin()
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.api = self.url + API
        self.log_path = os.path.join(os.path.dirname(data_dir), "server.log")
        self.env = dict(os.environ)
        self.env["TRIPOD_RATE_LIMIT"] = "0"
        # Tests name calendars on hosts such as example.com: libcurl sends
        # every non-local request to a closed port here instead, so nothing
        # is resolved or contacted beyond 127.0.0.1.
        self.env["ALL_PROXY"] = "http://127.0.0.1:9"
        self.env["NO_PROXY"] = "127.0.0.1,localhost"
        self.env.pop("TRIPOD_DB", None)
        test_db = os.environ.get("TRIPOD_TEST_DB", "")
        if test_db.startswith("postgres"):  # the suite's PostgreSQL run: a fresh database each
            self.env["TRIPOD_DB"] = pg.create_db(test_db)
        if now:
            self.env["TRIPOD_NOW"] = now
        self.env.update(env or {})
        self.proc = None
        self.token = None

    def tripod(self, *args, check=True):
        """Runs `tripod ARGS --data DATA_DIR`; fails on a sanitizer report."""
        r = subprocess.run([self.bin, *args, "--data", self.data_dir], env=self.env,
                           capture_output=True, text=True, timeout=120)
        report = sanitizer_report(r.stderr)
        assert report is None, f"tripod {' '.join(args)}: {report}\n{r.stderr}"
        if check:
            assert r.returncode == 0, f"tripod {' '.join(args)} exited {r.returncode}: {r.stderr}"
        return r

    def create_token(self, name="tests"):
        return self.tripod("token", "create", "--name", name).stdout.strip()

    def start(self):
        assert self.proc is None, "already running"
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [self.bin, "serve", "--port", str(self.port), "--data", self.data_dir],
            env=self.env, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"tripod serve exited {self.proc.returncode}:\n{self.log()}")
            try:
                if requests.get(self.api + "/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"tripod serve did not become healthy:\n{self.log()}")
            time.sleep(0.05)
        if self.token is None:
            self.token = self.create_token()
        return self

    def stop(self):
        """SIGTERM, then require exit status 0 and a clean stderr."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"tripod serve did not stop on SIGTERM:\n{self.log()}")
        report = sanitizer_report(self.log())
        assert report is None, f"sanitizer report: {report}\n{self.log()}"
        assert rc == 0, f"tripod serve exited {rc} on SIGTERM:\n{self.log()}"

    def restart(self):
        self.stop()
        return self.start()

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def client(self, token=None):
        return Client(self.url, token)


@pytest.fixture
def make_server():
    started = []
    dirs = []

    def make(env=None, now=DEFAULT_NOW, start=True):
        tmp = tempfile.TemporaryDirectory(prefix="tripod-e2e-")
        dirs.append(tmp)
        srv = TripodServer(os.path.join(tmp.name, "data"), env=env, now=now)
        started.append(srv)
        return srv.start() if start else srv

    yield make
    errors = []
    for srv in started:
        try:
            srv.stop()
        except AssertionError as e:
            errors.append(str(e))
    for tmp in dirs:
        tmp.cleanup()
    assert not errors, "\n".join(errors)


@pytest.fixture
def server(make_server):
    return make_server()


@pytest.fixture
def admin(server):
    with server.client(server.token) as s:
        yield s


@pytest.fixture
def anon(server):
    with server.client() as s:
        yield s
