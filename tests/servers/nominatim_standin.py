#!/usr/bin/python3
"""A stand-in for a Nominatim search service on 127.0.0.1, for tests only
(never part of the product): GET /search answers as Nominatim's API
documents, from a fixed set of places.

Written from Nominatim's published API reference:
  https://nominatim.org/release-docs/latest/api/Search/  (parameters: q,
    format=json|jsonv2, addressdetails=0|1, limit (default 10, at most 40),
    countrycodes (comma-separated ISO 3166-1 alpha-2), accept-language, email)
  https://nominatim.org/release-docs/latest/api/Output/  (the place object:
    place_id, licence, osm_type, osm_id, lat and lon as strings, boundingbox,
    display_name, class — "category" in jsonv2, which also adds place_rank,
    addresstype and name — type, importance, and with addressdetails=1 the
    `address` object with house_number, road, city, state, postcode, country,
    country_code)
and its usage policy (https://operations.osmfoundation.org/policies/nominatim/):
requests must identify the application with a User-Agent (a stock library
agent will not do); this stand-in refuses those with 403 as the service may.

Matching is simple: a place matches when every word of q is the start of a
word of its display_name (case and punctuation ignored).

The places: the demo business (New York: Manhattan is a polygon plus a few
postal codes, Brooklyn postal codes only) and the browser tests' business
(Springfield, MA: postal codes 01101 and 01103, plus a polygon "West Side"
that those tests draw): addresses inside the zones, one inside a polygon but
with a postal code no zone lists (polygon-only), and one outside every zone.

As a module:  g = NominatimStandin(); g.start(); g.url; g.requests(); g.stop()
As a command: nominatim_standin.py [--port P]  (prints "ready http://127.0.0.1:P")
"""
import argparse
import json
import re
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from ports import free_port

LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. https://osm.org/copyright"

# (house_number, road, city, state, postcode, country_code, lat, lon)
PLACES = [
    ("350", "5th Avenue", "New York", "New York", "10118", "us", 40.7484, -73.9857),
    ("200", "West 79th Street", "New York", "New York", "10024", "us", 40.7834, -73.9791),
    ("1", "Main Street", "Brooklyn", "New York", "11201", "us", 40.7033, -73.9903),
    ("1", "Ocean Drive", "Miami Beach", "Florida", "33139", "us", 25.7700, -80.1340),
    ("12", "Elm Street", "Springfield", "Massachusetts", "01101", "us", 42.1015, -72.5898),
    ("3", "Pine Road", "Springfield", "Massachusetts", "01103", "us", 42.0990, -72.5870),
    ("40", "Maple Hill Road", "West Springfield", "Massachusetts", "01089", "us", 42.1070, -72.6200),
    ("9", "Harbour Street", "Portland", "Maine", "04101", "us", 43.6560, -70.2530),
    ("10", "Downing Street", "London", "England", "SW1A 2AA", "gb", 51.5034, -0.1276),
]

COUNTRY = {"us": "United States", "gb": "United Kingdom"}
STOCK_AGENTS = re.compile(r"^(python-requests|python-urllib|curl|wget|libcurl|go-http-client)", re.I)


def _words(text):
    return re.findall(r"[0-9a-z]+", text.lower())


def _place(i, p, v2, details):
    num, road, city, state, code, cc, lat, lon = p
    display = f"{num}, {road}, {city}, {state}, {code}, {COUNTRY[cc]}"
    out = {
        "place_id": 100000 + i,
        "licence": LICENCE,
        "osm_type": "node",
        "osm_id": 5000000 + i,
        "lat": f"{lat:.7f}",
        "lon": f"{lon:.7f}",
        ("category" if v2 else "class"): "place",
        "type": "house",
        "importance": 0.5,
        "display_name": display,
        "boundingbox": [f"{lat - 0.0005:.7f}", f"{lat + 0.0005:.7f}", f"{lon - 0.0005:.7f}",
                        f"{lon + 0.0005:.7f}"],
    }
    if v2:
        out.update({"place_rank": 30, "addresstype": "place", "name": ""})
    if details:
        out["address"] = {"house_number": num, "road": road, "city": city, "state": state,
                          "postcode": code, "country": COUNTRY[cc], "country_code": cc}
    return out


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        parts = urlsplit(self.path)
        args = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        agent = self.headers.get("User-Agent", "")
        self.server.log.append({"path": parts.path, "args": args, "user_agent": agent})
        if parts.path != "/search":
            self._send(404, {"error": {"code": 404, "message": "Not found"}})
            return
        if not agent or STOCK_AGENTS.match(agent):
            self._send(403, {"error": {"code": 403, "message": "Access blocked: identify your application (usage policy)"}})
            return
        fmt = args.get("format", "json")
        if fmt not in ("json", "jsonv2"):
            self._send(400, {"error": {"code": 400, "message": "Parameter 'format' must be one of: json, jsonv2"}})
            return
        q = args.get("q", "")
        if not q.strip():
            self._send(400, {"error": {"code": 400, "message": "Nothing to search for."}})
            return
        try:
            limit = max(1, min(40, int(args.get("limit", "10"))))
        except ValueError:
            self._send(400, {"error": {"code": 400, "message": "Integer expected for parameter 'limit'"}})
            return
        countries = [c.strip().lower() for c in args.get("countrycodes", "").split(",") if c.strip()]
        details = args.get("addressdetails", "0") == "1"
        want = _words(q)
        found = []
        for i, p in enumerate(PLACES):
            if countries and p[5] not in countries:
                continue
            have = _words(_place(i, p, False, False)["display_name"])
            if all(any(h.startswith(w) for h in have) for w in want):
                found.append(_place(i, p, fmt == "jsonv2", details))
        self._send(200, found[:limit])


class NominatimStandin:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        self.httpd.log = []
        self.thread = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def requests(self):
        return list(self.httpd.log)

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=None)
    a = ap.parse_args()
    g = NominatimStandin(a.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"ready {g.url}", flush=True)
    try:
        g.httpd.serve_forever()
    finally:
        g.httpd.server_close()


if __name__ == "__main__":
    main()
