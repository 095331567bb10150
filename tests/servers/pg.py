#!/usr/bin/python3
"""pg.py — a throwaway PostgreSQL cluster for tests: initdb into a temp dir,
pg_ctl on a free port on 127.0.0.1 (trust auth), one fresh database per test.

As root, the cluster runs as the unprivileged `postgres` user of the Debian
package (PostgreSQL refuses to run as root). Used as a module by the tests and
as a command by tests/tests.cmake and `tripod bench` (bench/bench_http.c):

  pg.py start DIR           start a cluster in DIR, print its URL
  pg.py stop DIR            stop it and remove DIR
  pg.py createdb DIR        create a fresh database in DIR's cluster, print its URL
  pg.py run DIR -- CMD...   run CMD with TRIPOD_TEST_DB = a fresh database of DIR's cluster
"""
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
import time

from ports import free_port

PG_BIN = os.environ.get("TRIPOD_PG_BIN", "/usr/lib/postgresql/15/bin")
PSQL = "/usr/bin/psql"


def _as_owner(cmd, owner):
    """CMD run as OWNER (a pwd entry) when we are root, else as ourselves."""
    if owner is None:
        return cmd
    return ["runuser", "-u", owner.pw_name, "--"] + cmd


class Cluster:
    """A running cluster: .url (database `postgres`), .port, .dir."""

    def __init__(self, directory, port, owner):
        self.dir = directory
        self.port = port
        self.owner = owner
        self.url = "postgres://postgres@127.0.0.1:%d/postgres" % port

    @property
    def data(self):
        return os.path.join(self.dir, "data")

    def _ctl(self, *args, check=True):
        cmd = _as_owner([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data] + list(args), self.owner)
        return subprocess.run(cmd, check=check, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=120)

    def start(self):
        opts = ("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=%s "
                "-c fsync=off -c full_page_writes=off "
                "-c max_connections=300 -c shared_buffers=64MB" % (self.port, self.dir))
        self._ctl("-l", os.path.join(self.dir, "log"), "-o", opts, "-w", "-t", "60", "start")

    def stop(self, mode="fast"):
        self._ctl("-m", mode, "-w", "-t", "60", "stop", check=False)

    def restart(self, mode="fast"):
        """Stops the server (MODE fast or immediate) and starts it again on the same port."""
        self.stop(mode)
        self.start()

    def psql(self, sql, url=None):
        """Runs SQL, returns its rows as lists of strings (unaligned, tab separated)."""
        out = subprocess.run([PSQL, url or self.url, "-X", "-q", "-A", "-t", "-F", "\t",
                              "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True, timeout=60)
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def create_db(self):
        """A new empty database; returns its URL."""
        return create_db(self.url)

    def destroy(self):
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def create_db(url):
    """Creates a fresh database on the server of URL; returns the new URL."""
    name = "t_" + secrets.token_hex(6)
    subprocess.run([PSQL, url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                    "CREATE DATABASE " + name], check=True, capture_output=True, timeout=60)
    return url.rsplit("/", 1)[0] + "/" + name


def start(directory=None):
    """Initialises and starts a cluster in DIRECTORY (a new temp dir when None)."""
    owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    directory = directory or tempfile.mkdtemp(prefix="tripod-pg-")
    os.makedirs(directory, exist_ok=True)
    os.chmod(directory, 0o700)
    if owner is not None:
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    subprocess.run(_as_owner([os.path.join(PG_BIN, "initdb"), "-D", os.path.join(directory, "data"),
                              "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8",
                              "--locale=C"], owner),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
    for attempt in range(5):
        c = Cluster(directory, free_port(), owner)
        try:
            c.start()
            break
        except subprocess.CalledProcessError:
            if attempt == 4:
                raise
            time.sleep(0.2)
    with open(os.path.join(directory, "url"), "w") as f:
        f.write(c.url + "\n")
    with open(os.path.join(directory, "port"), "w") as f:
        f.write("%d\n" % c.port)
    return c


def attach(directory):
    """The cluster already started in DIRECTORY by start()."""
    with open(os.path.join(directory, "port")) as f:
        port = int(f.read())
    owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    return Cluster(directory, port, owner)


def main(argv):
    if len(argv) >= 3 and argv[1] == "start":
        if os.path.exists(os.path.join(argv[2], "port")):
            attach(argv[2]).destroy()  # left over from an interrupted run
        shutil.rmtree(argv[2], ignore_errors=True)
        print(start(argv[2]).url)
        return 0
    if len(argv) >= 3 and argv[1] == "stop":
        if os.path.exists(os.path.join(argv[2], "port")):
            attach(argv[2]).destroy()
        return 0
    if len(argv) >= 3 and argv[1] == "createdb":
        print(attach(argv[2]).create_db())
        return 0
    if len(argv) >= 5 and argv[1] == "run" and argv[3] == "--":
        env = dict(os.environ, TRIPOD_TEST_DB=attach(argv[2]).create_db())
        return subprocess.run(argv[4:], env=env).returncode
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
