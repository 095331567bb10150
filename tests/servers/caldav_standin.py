#!/usr/bin/python3
"""A stand-in CalDAV server on 127.0.0.1 that lays out an account the way
Nextcloud (SabreDAV) does, for the discovery tests. A test server only,
never part of the product; it answers PROPFIND and nothing else.

Written from the published documents:
  RFC 6764 §5 and §6 (https://www.rfc-editor.org/rfc/rfc6764): the
      /.well-known/caldav URI redirects (301) to the "context path";
  RFC 5397 §3 (https://www.rfc-editor.org/rfc/rfc5397): DAV:current-user-principal;
  RFC 4791 §6.2.1 (https://www.rfc-editor.org/rfc/rfc4791): CALDAV:calendar-home-set
      on the principal, §4.2 the calendar collection (resourcetype C:calendar),
      §5.2.3 supported-calendar-component-set;
  RFC 6638 §2.2-2.3 (https://www.rfc-editor.org/rfc/rfc6638): schedule inbox/outbox;
  RFC 3744 §5.4 (https://www.rfc-editor.org/rfc/rfc3744): current-user-privilege-set;
  RFC 4918 §9.1 and §8.3 (https://www.rfc-editor.org/rfc/rfc4918): PROPFIND,
      Depth, 207 multistatus, propstat 200/404, hrefs as relative references
      resolved against the request URI.
The layout follows Nextcloud's documented URLs (https://docs.nextcloud.com/
server/latest/admin_manual/issues/general_troubleshooting.html#service-discovery:
/.well-known/caldav → /remote.php/dav/): principal
/remote.php/dav/principals/users/ann/, home /remote.php/dav/calendars/ann/.

Modes: "normal"; "malformed" (the principal's answer is not XML); "loop"
(the well-known URI redirects in a circle); "nodav" (404 for everything);
"cross_http" (the well-known URI redirects to http://localhost:PORT, another
host name over plain http); "huge" (the home's listing is over 4 MiB);
"many" (250 calendars). cup_everywhere=False answers current-user-principal
only at the context path, like servers that have it nowhere else.
folder="/nextcloud" serves everything, the well-known URI included, below
that folder, as a Nextcloud installed in a folder does.

As a module: srv = CalDavStandin({"ann": "pw"}).start(); srv.base; srv.log; srv.stop()
"""
import base64
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from ports import free_port

DAV, CAL, CARD, CS, APPLE = ("DAV:", "urn:ietf:params:xml:ns:caldav", "urn:ietf:params:xml:ns:carddav",
                             "http://calendarserver.org/ns/", "http://apple.com/ns/ical/")
# Prefixes unlike the ones Tripod sends, and DAV: as the default namespace.
PREFIX = {DAV: "", CAL: "cal", CARD: "card", CS: "cs", APPLE: "x1"}
CONTEXT = "/remote.php/dav/"
PRINCIPAL = "/remote.php/dav/principals/users/%s/"
HOME = "/remote.php/dav/calendars/%s/"
OWNER = ["read", "write", "write-properties", "write-content", "bind", "unbind", "read-acl",
         "read-current-user-privilege-set"]
READ_ONLY = ["read", "write-properties", "read-acl", "read-current-user-privilege-set"]


def q(ns, name):
    return "{%s}%s" % (ns, name)


class Resource:
    """A resource: its resourcetype members [(ns, name)] and properties
    {clark name: ("text", str) | ("href", path) | ("comps", [names]) | ("privs", [names])}."""

    def __init__(self, types, props=None):
        self.types = types
        self.props = props or {}
        self.cup = None  # the current-user-principal it answers with, if any


def calendar(name=None, comps=("VEVENT", "VTODO"), privs=OWNER, color=None):
    props = {}
    if name is not None:
        props[q(DAV, "displayname")] = ("text", name)
    if comps is not None:
        props[q(CAL, "supported-calendar-component-set")] = ("comps", list(comps))
    if privs is not None:
        props[q(DAV, "current-user-privilege-set")] = ("privs", list(privs))
    if color:
        props[q(APPLE, "calendar-color")] = ("text", color)
    return Resource([(DAV, "collection"), (CAL, "calendar")], props)


class CalDavStandin:
    def __init__(self, users, mode="normal", cup_everywhere=True, folder=""):
        self.users = dict(users)
        self.folder = folder
        self.mode = mode
        self.cup_everywhere = cup_everywhere
        self.port = free_port()
        self.log = []  # (host header, method, path, depth, sent credentials)
        self.httpd = None
        self.thread = None

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.port

    def tree(self, user):
        """{path: Resource} of USER's account (paths percent-encoded as served)."""
        home = HOME % user
        t = {
            CONTEXT: Resource([(DAV, "collection")]),
            PRINCIPAL % user: Resource([(DAV, "principal")], {
                q(DAV, "displayname"): ("text", user.capitalize()),
                # An absolute URL, as servers whose homes live elsewhere send it.
                q(CAL, "calendar-home-set"): ("href", self.base + self.folder + home),
            }),
            home: Resource([(DAV, "collection")]),
            home + "personal/": calendar("Personal", color="#0082C9FF"),
            home + "tasks/": calendar("Tasks", comps=("VTODO",)),
            home + "team%20shoots/": calendar("Team Shoots", comps=("VEVENT",), privs=READ_ONLY),
            home + "caf%C3%A9/": calendar(None, comps=None, privs=None),
            home + "inbox/": Resource([(DAV, "collection"), (CAL, "schedule-inbox")]),
            home + "outbox/": Resource([(DAV, "collection"), (CAL, "schedule-outbox")]),
            home + "contacts/": Resource([(DAV, "collection"), (CARD, "addressbook")]),
            home + "holidays/": Resource([(DAV, "collection"), (CS, "subscribed")]),
        }
        if self.mode == "many":
            for i in range(250):
                t[home + "cal-%03d/" % i] = calendar("Calendar %d" % i)
        return t

    def start(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _el(parent, ns, name):
    return ET.SubElement(parent, q(ns, name))


def _multistatus(entries, href_of):
    """A multistatus of ENTRIES [(path, Resource, [wanted clark names] | None)]."""
    for ns, p in PREFIX.items():
        ET.register_namespace(p, ns)
    root = ET.Element(q(DAV, "multistatus"))
    for path, res, wanted in entries:
        resp = _el(root, DAV, "response")
        _el(resp, DAV, "href").text = href_of(path)
        have = {q(DAV, "resourcetype"): None, **res.props}
        names = wanted if wanted is not None else list(have)
        found = [n for n in names
                 if n in have or (n == q(DAV, "current-user-principal") and res.cup)]
        missing = [n for n in names if n not in found]
        for group, status in ((found, "HTTP/1.1 200 OK"), (missing, "HTTP/1.1 404 Not Found")):
            if not group:
                continue
            ps = _el(resp, DAV, "propstat")
            prop = _el(ps, DAV, "prop")
            for n in group:
                v = ET.SubElement(prop, n)
                if n == q(DAV, "resourcetype"):
                    for ns, t in res.types:
                        _el(v, ns, t)
                elif n == q(DAV, "current-user-principal") and n not in have:
                    _el(v, DAV, "href").text = res.cup
                elif n in have:
                    kind, val = have[n]
                    if kind == "text":
                        v.text = val
                    elif kind == "href":
                        _el(v, DAV, "href").text = val
                    elif kind == "comps":
                        for c in val:
                            _el(v, CAL, "comp").set("name", c)
                    elif kind == "privs":
                        for p in val:
                            _el(_el(v, DAV, "privilege"), DAV, p)
            _el(ps, DAV, "status").text = status
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root)


def _handler(srv):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _send(self, status, body=b"", headers=None):
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            if body:
                self.send_header("Content-Type", "application/xml; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def _user(self):
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Basic "):
                return None
            try:
                name, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return None
            return name if srv.users.get(name) == pw else None

        def do_PROPFIND(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urlsplit(self.path).path
            depth = self.headers.get("Depth", "infinity")
            srv.log.append((self.headers.get("Host", ""), "PROPFIND", path, depth,
                            "Authorization" in self.headers))
            self._propfind(path, depth, body)

        def do_GET(self):
            srv.log.append((self.headers.get("Host", ""), "GET", self.path, "", False))
            self._propfind(urlsplit(self.path).path, "0", b"", only_redirects=True)

        def _propfind(self, path, depth, body, only_redirects=False):
            mode, folder = srv.mode, srv.folder
            if mode == "nodav" or not path.startswith(folder):
                return self._send(404)
            path = path[len(folder):]
            if path == "/.well-known/caldav":
                if mode == "loop":
                    return self._send(301, headers={"Location": "/loop/a"})
                if mode == "cross_http":
                    return self._send(301, headers={
                        "Location": "http://localhost:%d%s" % (srv.port, CONTEXT)})
                return self._send(301, headers={"Location": srv.base + folder + CONTEXT})
            if path == "/loop/a" and mode == "loop":
                return self._send(302, headers={"Location": srv.base + "/loop/b"})
            if path == "/loop/b" and mode == "loop":
                return self._send(307, headers={"Location": "/loop/a"})
            if only_redirects or not path.startswith(CONTEXT):
                return self._send(404)
            user = self._user()
            if not user:
                return self._send(401, headers={"WWW-Authenticate": 'Basic realm="Nextcloud"'})
            tree = srv.tree(user)
            key = path if path in tree else path + "/"
            res = tree.get(key)
            if res is None:
                return self._send(404)
            if mode == "malformed" and key == PRINCIPAL % user:
                return self._send(207, b'<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">'
                                       b'<d:response><d:href>/remote.php/</d:hre')
            for r in tree.values():
                r.cup = folder + PRINCIPAL % user if srv.cup_everywhere else None
            tree[CONTEXT].cup = folder + PRINCIPAL % user
            try:
                req = ET.fromstring(body) if body else None
            except ET.ParseError:
                return self._send(400)
            prop = req.find(q(DAV, "prop")) if req is not None else None
            wanted = [c.tag for c in prop] if prop is not None else None
            entries = [(key, res, wanted)]
            if depth == "1":
                entries += [(p, r, wanted) for p, r in tree.items()
                             if p != key and p.startswith(key) and "/" not in p[len(key):-1]]
            home = HOME % user
            if depth == "1" and key == home:
                # Relative references (RFC 4918 §8.3), resolved against the request URI.
                href_of = lambda p: p[len(home):] or "./"  # noqa: E731
            else:
                href_of = lambda p: folder + p  # noqa: E731
            out = _multistatus(entries, href_of)
            if mode == "huge" and depth == "1":
                pad = b"<!--" + b"x" * (5 << 20) + b"-->"
                out = out.replace(b"<multistatus", pad + b"<multistatus", 1)
            self._send(207, out)

    return Handler
