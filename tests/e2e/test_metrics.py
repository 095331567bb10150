"""GET /api/v1/metrics: Prometheus text format with request counters by
route and status, latency histograms, bookings, outbox backlog and calendar
sync errors — admin only, no secrets — and the one-line-per-request log."""
import json
import os
import re
import sqlite3

from bookseed import API, MON, at, book, business, ok, staff

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (-?[0-9.e+]+|\+Inf|NaN)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape(admin):
    r = admin.get(API + "/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples, types = [], {}
    for line in r.text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
            continue
        if line.startswith("# HELP ") or not line:
            continue
        m = LINE.match(line)
        assert m, f"not Prometheus text: {line!r}"
        labels = dict(LABEL.findall(m.group(3) or ""))
        samples.append((m.group(1), labels, float(m.group(4))))
    for name, _, _ in samples:  # every sample belongs to a declared family
        family = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in types or family in types, name
    return r.text, samples, types


def value(samples, name, **labels):
    found = [v for n, l, v in samples if n == name and all(l.get(k) == w for k, w in labels.items())]
    assert found, (name, labels)
    return sum(found)


def test_metrics_counts_requests_latency_bookings_and_backlog(server, admin, anon):
    ids = business(admin)
    staff(admin, "Pat")
    for _ in range(5):
        assert anon.get(API + "/health").status_code == 200
    assert anon.get(API + "/nothing").status_code == 404
    assert anon.get("/book").status_code == 200
    b = ok(book(anon, at(MON, "10:00"), [ids["photos"]]), 201)
    assert book(anon, at(MON, "10:00"), [ids["photos"]]).status_code == 409
    text, samples, types = scrape(admin)

    assert types["tripod_http_requests_total"] == "counter"
    assert types["tripod_http_request_duration_seconds"] == "histogram"
    req = "tripod_http_requests_total"
    assert value(samples, req, method="GET", route="/api/v1/health", status="200") >= 5
    assert value(samples, req, method="GET", route="unmatched", status="404") == 1
    assert value(samples, req, method="GET", route="page", status="200") == 1
    assert value(samples, req, method="POST", route="/api/v1/bookings", status="201") == 1
    assert value(samples, req, method="POST", route="/api/v1/bookings", status="409") == 1
    assert value(samples, "tripod_bookings_created_total") == 1
    assert value(samples, "tripod_bookings", status="confirmed") == 1

    # Histogram: cumulative buckets ending in +Inf == _count, and a positive _sum.
    hist = "tripod_http_request_duration_seconds"
    buckets = [(l["le"], v) for n, l, v in samples
               if n == hist + "_bucket" and l["route"] == "/api/v1/bookings" and l["method"] == "POST"]
    counts = [v for _, v in buckets]
    assert counts == sorted(counts) and buckets[-1][0] == "+Inf"
    assert buckets[-1][1] == value(samples, hist + "_count", route="/api/v1/bookings", method="POST") == 2
    assert value(samples, hist + "_sum", route="/api/v1/bookings", method="POST") > 0

    # Gauges agree with the database itself (read directly on SQLite only).
    if not os.environ.get("TRIPOD_TEST_DB"):
        db = sqlite3.connect(os.path.join(server.data_dir, "tripod.db"))
        pending = db.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
        db.close()
        assert value(samples, "tripod_outbox_pending") == pending
    assert value(samples, "tripod_store_up") == 1
    assert "tripod_calendar_sync_errors" in types

    # No secrets, and only admins may read it.
    assert b["manage_token"] not in text and server.token not in text
    assert anon.get(API + "/metrics").status_code == 401
    assert server.client(b["manage_token"]).get(API + "/metrics").status_code == 401


def test_metrics_labels_stay_bounded_under_random_paths_and_methods(server, admin, anon):
    for i in range(300):
        anon.get(API + f"/random-{i}")
        anon.request(f"X{i}", API + "/health")
    text, samples, _ = scrape(admin)
    series = [l for n, l, _ in samples if n == "tripod_http_requests_total"]
    assert len(series) < 20, series  # random paths and methods share labels
    assert "random-" not in text and "X1" not in text
    assert value(samples, "tripod_http_requests_total", route="unmatched") >= 300


def test_one_structured_log_line_per_request(server, admin, anon):
    anon.get(API + "/health")
    admin.get(API + "/settings")
    anon.get(API + "/nothing")
    admin.get(API + "/metrics")
    lines = [json.loads(l) for l in server.log().splitlines() if l.startswith("{")]
    tail = [(l["method"], l["path"], l["status"]) for l in lines[-4:]]
    assert tail == [("GET", API + "/health", 200), ("GET", API + "/settings", 200),
                    ("GET", API + "/nothing", 404), ("GET", API + "/metrics", 200)]
    assert all(isinstance(l["ms"], (int, float)) and l["ms"] >= 0 for l in lines)
    assert server.token not in server.log()
