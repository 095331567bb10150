#!/usr/bin/python3
"""oauth_standin.py — what the Google and Microsoft stand-ins share (test
servers, never part of the product): a threaded HTTP server on 127.0.0.1, the
OAuth 2.0 authorization code flow with PKCE (RFC 6749 4.1, RFC 7636 4.6: S256
checked at the token endpoint, codes single-use), refresh tokens and their
revocation, bearer checks (401 for an expired or revoked access token,
RFC 6750 3.1), throttling (429 with Retry-After, RFC 6585 4 / RFC 9110
10.2.3, enforced: asking again too early is throttled again), an outage
switch (503), and the control API tests drive over HTTP (POST /_control/NAME
with a JSON body), so pytest and the browser tests steer it alike.

Each provider module subclasses Standin with its own paths and error shapes.
"""
import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from ports import free_port


class Reply(Exception):
    """Raised by a handler: answer STATUS with BODY (dict → JSON) and HEADERS."""

    def __init__(self, status, body=None, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def s256(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Standin:
    """Shared state and plumbing. Subclasses set NAME and implement
    oauth_error(...), api_error(...) and route(method, path, query, body, headers)."""

    NAME = "standin"
    CLIENT_ID = "tripod-test-client"
    CLIENT_SECRET = "tripod-test-secret"

    def __init__(self, port=None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.lock = threading.RLock()
        self.user = None             # who "signs in" at the authorization endpoint
        self.deny = False            # the user declines consent
        self.codes = {}              # code → {client_id, redirect_uri, challenge, user, used}
        self.access = {}             # token → {user, expired}
        self.refresh = {}            # token → user
        self.revoked = set()         # users who revoked consent
        self.refreshes = {}          # user → refresh grants served
        self.throttle_left = 0       # the next N API calls are answered 429
        self.throttle_after = 1      # … with this Retry-After
        self.throttled_until = 0.0
        self.throttled = 0           # 429s answered
        self.down = False            # every request is answered 503
        self.lose = {}               # method → N: the next N such API calls are done, then 503
        self.requests = []           # (method, path, query dict) of API calls
        self.sent = []               # invitations the provider mailed: {to, kind, event}
        self.httpd = None

    # ---- tokens ----

    def grant(self, user, with_refresh=True):
        out = {"access_token": "at-" + secrets.token_urlsafe(16), "token_type": "Bearer",
               "expires_in": 3599}
        self.access[out["access_token"]] = {"user": user, "expired": False}
        if with_refresh:
            out["refresh_token"] = "rt-" + secrets.token_urlsafe(16)
            self.refresh[out["refresh_token"]] = user
        return out

    def authorize(self, q):
        """The authorization endpoint: consent at once for self.user, then
        302 back to redirect_uri with code and state (RFC 6749 4.1.2)."""
        need = ("client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge",
                "code_challenge_method")
        missing = [k for k in need if not q.get(k)]
        if missing or q["client_id"] != self.CLIENT_ID or q["response_type"] != "code" \
                or q["code_challenge_method"] != "S256":
            raise Reply(400, {"error": "invalid_request", "missing": missing})
        self.check_scope(q["scope"].split())
        target = q["redirect_uri"]
        with self.lock:
            if self.deny or not self.user:
                params = {"error": "access_denied", "state": q["state"]}
            else:
                code = "code-" + secrets.token_urlsafe(16)
                self.codes[code] = {"client_id": q["client_id"], "redirect_uri": target,
                                    "challenge": q["code_challenge"], "user": self.user,
                                    "used": False}
                params = {"code": code, "state": q["state"]}
        raise Reply(302, None, {"Location": target + ("&" if "?" in target else "?") + urlencode(params)})

    def token(self, form):
        """The token endpoint (RFC 6749 4.1.3, 6): code + PKCE, or refresh."""
        if form.get("client_id") != self.CLIENT_ID or form.get("client_secret") != self.CLIENT_SECRET:
            raise Reply(401, self.oauth_error("invalid_client"))
        kind = form.get("grant_type")
        with self.lock:
            if kind == "authorization_code":
                c = self.codes.get(form.get("code", ""))
                if not c or c["used"] or c["redirect_uri"] != form.get("redirect_uri") \
                        or s256(form.get("code_verifier", "")) != c["challenge"]:
                    if c:
                        c["used"] = True  # a replayed or tampered code is burnt
                    raise Reply(400, self.oauth_error("invalid_grant"))
                c["used"] = True
                return self.token_answer(self.grant(c["user"]), form)
            if kind == "refresh_token":
                user = self.refresh.get(form.get("refresh_token", ""))
                if not user or user in self.revoked:
                    raise Reply(400, self.oauth_error("invalid_grant"))
                self.refreshes[user] = self.refreshes.get(user, 0) + 1
                return self.token_answer(self.grant(user, self.ROTATES_REFRESH), form)
        raise Reply(400, self.oauth_error("unsupported_grant_type"))

    ROTATES_REFRESH = False

    def token_answer(self, grant, form):
        return grant

    def check_scope(self, scopes):
        pass

    def bearer(self, headers):
        """The user of the request's access token, else 401."""
        h = headers.get("Authorization", "")
        tok = h[7:] if h.startswith("Bearer ") else ""
        with self.lock:
            a = self.access.get(tok)
            if not a or a["expired"] or a["user"] in self.revoked:
                raise Reply(401, self.api_error(401, "invalid or expired access token"),
                            {"WWW-Authenticate": 'Bearer error="invalid_token"'})
            return a["user"]

    def gate(self):
        """Outage and throttling, before any API work."""
        with self.lock:
            if self.down:
                raise Reply(503, self.api_error(503, "service unavailable"))
            now = time.monotonic()
            if now < self.throttled_until:
                self.throttled += 1
                raise Reply(429, self.api_error(429, "rate limit exceeded"),
                            {"Retry-After": str(max(1, int(self.throttled_until - now + 0.999)))})
            if self.throttle_left > 0:
                self.throttle_left -= 1
                self.throttled += 1
                self.throttled_until = now + self.throttle_after
                raise Reply(429, self.api_error(429, "rate limit exceeded"),
                            {"Retry-After": str(self.throttle_after)})

    # ---- control (tests) ----

    def control(self, name, body):
        with self.lock:
            if name == "login":
                self.user, self.deny = body.get("user"), bool(body.get("deny"))
                return {}
            if name == "expire_tokens":
                for a in self.access.values():
                    if body.get("user") in (None, a["user"]):
                        a["expired"] = True
                return {}
            if name == "revoke":
                self.revoked.add(body["user"])
                return {}
            if name == "restore":
                self.revoked.discard(body["user"])
                return {}
            if name == "throttle":  # count 0 lifts a throttle in force
                self.throttle_left, self.throttle_after = int(body.get("count", 1)), int(body.get("retry_after", 1))
                self.throttled_until = 0.0
                return {}
            if name == "lose_reply":  # {method, count}: done, but the answer is lost (503)
                self.lose[body["method"]] = int(body.get("count", 1))
                return {}
            if name == "down":
                self.down = bool(body.get("down", True))
                return {}
            if name == "stats":
                return {"refreshes": self.refreshes, "throttled": self.throttled,
                        "requests": self.requests[-500:], "sent": self.sent}
        return self.control_more(name, body)

    def control_more(self, name, body):
        raise Reply(404, {"error": "no such control " + name})

    # ---- serving ----

    def start(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do(self):
                split = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                status, body, headers = 200, {}, {}
                try:
                    if split.path.startswith("/_control/"):
                        body = standin.control(split.path[len("/_control/"):],
                                               json.loads(raw or b"{}"))
                    else:
                        path = unquote(split.path)
                        try:
                            body = standin.route(self.command, path, query, raw, self.headers)
                        except Reply as r:
                            if r.status < 300:
                                standin.maybe_lose(self.command, path)
                            raise
                        standin.maybe_lose(self.command, path)
                except Reply as r:
                    status, body, headers = r.status, r.body, r.headers
                except (ValueError, KeyError) as e:
                    status, body = 400, standin.api_error(400, f"bad request: {e}")
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if data:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def maybe_lose(self, method, path):
        """An API call that was done answers 503 as if its reply had been lost."""
        if path.endswith("/token") or "/oauth2/" in path:
            return
        with self.lock:
            if self.lose.get(method, 0) > 0:
                self.lose[method] -= 1
                raise Reply(503, self.api_error(503, "backend error (the call was done)"))

    def log(self, method, path, query):
        with self.lock:
            self.requests.append([method, path, query])


def form_of(raw):
    return {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}


def serve_main(cls):
    """As a command: serve until killed, printing "ready URL" once listening."""
    import argparse
    import signal
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int)
    args = ap.parse_args()
    s = cls(args.port).start()
    print("ready", s.base, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    s.stop()
