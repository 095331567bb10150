#!/usr/bin/python3
"""bench_pg.py — HTTP figures of `tripod bench`: availability req/s and p99,
and bookings/s, with SQLite (one instance) and with PostgreSQL (one and three
instances on one database of a throwaway cluster). Load comes from wrk; with
three instances each wrk thread talks to its own. Prints `bench NAME VALUE UNIT`.

  bench_pg.py TRIPOD_BIN"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import conftest  # noqa: E402  (TripodServer)
import pg_fleet  # noqa: E402  (business setup, pg helper)

STAFF = 20
SECONDS = 4
CONNECTIONS = 12
AVAIL_QUERY = "from=2030-06-10&to=2030-06-16&postal_code=10001&services="

# Spreads wrk's threads over the instances (one address each) and, for
# bookings, posts a new start each time and counts the 201s.
LUA = r"""
local ports = {%(ports)s}
local starts = {%(starts)s}
local body_tmpl = [[%(body)s]]
local threads, n = {}, 0
function setup(thread)
  n = n + 1
  thread.addr = wrk.lookup("127.0.0.1", tostring(ports[(n - 1) %% #ports + 1]))[1]
  thread:set("id", n)
  table.insert(threads, thread)
end
function init(args)
  count, created = 0, 0
end
function request()
  if not posting then return wrk.request() end
  count = count + 1
  local k = ((count - 1) * %(nthreads)d + id - 1) %% #starts + 1
  return wrk.format("POST", "/api/v1/bookings", {["Content-Type"] = "application/json"},
                    string.format(body_tmpl, starts[k]))
end
function response(status, headers, body)
  if status == 201 then created = created + 1 end
end
function done(summary, latency, requests)
  local c = 0
  for _, t in ipairs(threads) do c = c + t:get("created") end
  io.write(string.format("created %%d\n", c))
end
posting = %(posting)s
"""


def wrk(ports, url_path, posting, service, starts):
    nthreads = max(2, len(ports))
    body = ('{"agent":{"name":"Bench","email":"bench@example.com","phone":"555"},'
            '"property":{"address":"1 Main St","postal_code":"10001","lat":40.75,"lon":-73.99},'
            '"services":["%s"],"packages":[],"start":"%%s","notes":""}' % service)
    script = LUA % {"ports": ",".join(str(p) for p in ports),
                    "starts": ",".join('"%s"' % s for s in starts),
                    "body": body, "nthreads": nthreads, "posting": "true" if posting else "false"}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(["wrk", "-t%d" % nthreads, "-c%d" % CONNECTIONS, "-d%ds" % SECONDS,
                              "--latency", "-s", f.name, "http://127.0.0.1:%d%s" % (ports[0], url_path)],
                             check=True, capture_output=True, text=True, timeout=SECONDS + 60).stdout
    finally:
        os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p99_ms = float(p99.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[p99.group(2)]
    created = int(re.search(r"created (\d+)", out).group(1))
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if failed and not posting:
        raise RuntimeError("%s answers were errors:\n%s" % (failed.group(1), out))
    return rps, p99_ms, created


def run(label, servers):
    admin = servers[0].client(servers[0].token)
    service = pg_fleet.setup_business(admin, STAFF)
    ports = [s.port for s in servers]
    rps, p99, _ = wrk(ports, "/api/v1/availability?" + AVAIL_QUERY + service, False, service, [])
    print("bench http_availability_%s_rps %.1f req/s" % (label, rps))
    print("bench http_availability_%s_p99_ms %.2f ms" % (label, p99))
    starts = pg_fleet.slot_starts(160)
    _, _, created = wrk(ports, "/api/v1/bookings", True, service, starts)
    print("bench http_bookings_%s_per_s %.1f bookings/s" % (label, created / SECONDS))
    sys.stdout.flush()
    admin.close()


def fleet(n, tmp, env):
    servers = []
    os.makedirs(tmp)
    for i in range(n):
        srv = conftest.TripodServer(os.path.join(tmp, "data%d" % i), env=dict(env))
        servers.append(srv)
        srv.start()
    return servers


def main(argv):
    os.environ["TRIPOD_BIN"] = argv[1]
    os.environ.pop("TRIPOD_TEST_DB", None)
    with tempfile.TemporaryDirectory(prefix="tripod-bench-") as tmp:
        cluster = None
        configs = [("sqlite_1x", 1, {})]
        try:
            cluster = pg_fleet.pg.start()  # its own temp dir, which the postgres user can reach
            configs += [("pg_1x", 1, "db"), ("pg_3x", 3, "db")]
        except (OSError, subprocess.CalledProcessError) as e:
            sys.stderr.write("bench: no PostgreSQL cluster, PostgreSQL figures skipped (%s)\n" % e)
        try:
            for k, (label, n, env) in enumerate(configs):
                if env == "db":
                    env = {"TRIPOD_DB": cluster.create_db()}
                servers = fleet(n, os.path.join(tmp, "run%d" % k), env)
                try:
                    run(label, servers)
                finally:
                    for s in servers:
                        s.stop()
        finally:
            if cluster:
                cluster.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
