"""Three instances on one PostgreSQL database, 200 concurrent booking attempts
over 20 contested slots: exactly one winner per slot, every loser a 409, and a
direct query finds no two active assignments of one person too close."""
import collections
import concurrent.futures
import threading

import pytest
import requests

import pg_fleet

SLOTS = 20
ATTEMPTS = 200


@pytest.fixture(scope="module")
def cluster():
    c = pg_fleet.pg.start()
    yield c
    c.destroy()


def test_one_winner_per_slot(cluster, make_server):
    db = cluster.create_db()
    servers = pg_fleet.fleet(make_server, db, 3)
    with servers[0].client(servers[0].token) as admin:
        service = pg_fleet.setup_business(admin, staff_count=1)
    starts = pg_fleet.slot_starts(SLOTS)
    go = threading.Barrier(ATTEMPTS)

    def attempt(i):
        srv = servers[i % len(servers)]
        with requests.Session() as s:
            body = pg_fleet.booking(service, starts[i % SLOTS], i)
            go.wait()
            r = s.post(srv.api + "/bookings", json=body, timeout=120)
            return starts[i % SLOTS], r.status_code, r.json()

    with concurrent.futures.ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        results = list(pool.map(attempt, range(ATTEMPTS)))

    statuses = collections.Counter(code for _, code, _ in results)
    assert set(statuses) <= {201, 409}, statuses
    wins = collections.Counter(start for start, code, _ in results if code == 201)
    assert sorted(wins) == sorted(starts) and set(wins.values()) == {1}, wins
    for _, code, body in results:
        if code == 409:
            assert body["error"] == "slot_unavailable", body

    with servers[1].client(servers[1].token) as admin:
        listed = admin.get(pg_fleet.API + "/bookings", params={"status": "confirmed"}).json()
    rows = listed["bookings"] if isinstance(listed, dict) else listed
    assert sorted(b["start"] for b in rows) == sorted(starts)
    assert pg_fleet.too_close_pairs(cluster, db) == []
    assert cluster.psql("SELECT count(*) FROM assignments WHERE active = 1", db) == [[str(SLOTS)]]
