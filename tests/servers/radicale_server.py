#!/usr/bin/python3
"""A throwaway Radicale CalDAV server on 127.0.0.1 for tests and the demo:
temp (or given) storage dir, htpasswd auth (plain), owner-only rights.

As a module:  srv = Radicale(users={"ann": "pw"}); srv.start(); srv.mkcalendar("ann", "work")
As a command: radicale_server.py --dir D [--port P] --user ann:pw --calendar ann/work
              (prints "ready http://127.0.0.1:P" and serves until killed; a password
              written as @FILE is read from FILE, so it never shows in `ps`)
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import requests

from ports import free_port


class Radicale:
    def __init__(self, users, root=None, port=None, log_level="warning"):
        """LOG_LEVEL "debug" logs every request with its body (see requests())."""
        self.users = dict(users)
        self.log_level = log_level
        self.own_root = root is None
        self.root = root or tempfile.mkdtemp(prefix="tripod-radicale-")
        self.port = port or free_port()
        self.proc = None

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.port

    def url(self, user, cal):
        return "%s/%s/%s/" % (self.base, user, cal)

    def _write_config(self):
        os.makedirs(os.path.join(self.root, "collections"), exist_ok=True)
        users = os.path.join(self.root, "users")
        with open(os.open(users, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            for u, p in self.users.items():
                f.write("%s:%s\n" % (u, p))
        with open(os.path.join(self.root, "config"), "w") as f:
            f.write(
                "[server]\nhosts = 127.0.0.1:%d\n"
                "[auth]\ntype = htpasswd\nhtpasswd_filename = %s\n"
                "htpasswd_encryption = plain\ndelay = 0\n"
                "[rights]\ntype = owner_only\n"
                "[storage]\nfilesystem_folder = %s\n"
                "[logging]\nlevel = %s\nmask_passwords = True\n"
                % (self.port, os.path.join(self.root, "users"),
                   os.path.join(self.root, "collections"), self.log_level))

    def start(self, timeout=20):
        self._write_config()
        log = open(os.path.join(self.root, "radicale.log"), "ab")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", "-m", "radicale", "--config",
             os.path.join(self.root, "config")],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("radicale exited: see %s/radicale.log" % self.root)
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("radicale did not start on port %d" % self.port)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def close(self):
        self.stop()
        if self.own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def _auth(self, user):
        return (user, self.users[user])

    def mkcalendar(self, user, cal):
        r = requests.request("MKCALENDAR", self.url(user, cal), auth=self._auth(user), timeout=10)
        if r.status_code not in (201, 405):
            raise RuntimeError("MKCALENDAR %s/%s: %d %s" % (user, cal, r.status_code, r.text))
        return self.url(user, cal)

    def put(self, user, cal, name, ics):
        r = requests.put(self.url(user, cal) + name, data=ics.encode(), auth=self._auth(user),
                         headers={"Content-Type": "text/calendar"}, timeout=10)
        if r.status_code not in (201, 204):
            raise RuntimeError("PUT %s: %d %s" % (name, r.status_code, r.text))
        return r.headers.get("ETag")

    def delete(self, user, cal, name):
        requests.delete(self.url(user, cal) + name, auth=self._auth(user), timeout=10)

    def get(self, user, cal, name):
        """The resource's text, or None when it does not exist."""
        r = requests.get(self.url(user, cal) + name, auth=self._auth(user), timeout=10)
        return r.text if r.status_code == 200 else None

    def log_size(self):
        """The log's current length: pass it to requests() to see what came later."""
        return os.path.getsize(os.path.join(self.root, "radicale.log"))

    def requests(self, since=0):
        """[(method, path, body)] of the requests logged after offset SINCE
        (bodies need log_level="debug"; "" when none was logged)."""
        with open(os.path.join(self.root, "radicale.log"), "rb") as f:
            f.seek(since)
            text = f.read().decode("utf-8", "replace")
        out = []
        for entry in re.split(r"\n(?=\[\d{4}-\d\d-\d\d )", text):
            m = re.search(r"\] (\w+) request for '([^']*)'", entry)
            if m and "received from" in entry.split("\n", 1)[0]:
                out.append([m.group(1), m.group(2), ""])
            elif out and "Request content:" in entry:
                out[-1][2] = entry.split("Request content:", 1)[1].strip()
        return [tuple(r) for r in out]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--user", action="append", default=[], help="name:password")
    ap.add_argument("--calendar", action="append", default=[], help="user/calendar")
    a = ap.parse_args()
    users = dict(u.split(":", 1) for u in a.user)
    for name, pw in users.items():
        if pw.startswith("@"):
            with open(pw[1:]) as f:
                users[name] = f.read().strip()
    srv = Radicale(users, root=a.dir, port=a.port or None).start()
    for c in a.calendar:
        user, cal = c.split("/", 1)
        srv.mkcalendar(user, cal)
    print("ready %s" % srv.base, flush=True)
    proc = srv.proc
    # The handler only forwards the signal: Popen.wait() is not reentrant.
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    parent = os.getppid()

    def orphan_watch():
        while proc.poll() is None:
            if os.getppid() != parent:
                proc.terminate()
                return
            time.sleep(0.5)

    threading.Thread(target=orphan_watch, daemon=True).start()
    try:
        proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait()
    sys.exit(0)


if __name__ == "__main__":
    main()
