#!/usr/bin/python3
"""google_standin.py — a local stand-in for Google's OAuth 2.0 and Calendar
API v3, for tests only (never part of the product). Written from Google's
published references; behaviour → document:

  OAuth 2.0 for web server apps (authorization endpoint, code exchange with
  PKCE, refresh, invalid_grant for revoked consent, revocation endpoint):
    https://developers.google.com/identity/protocols/oauth2/web-server
  events.list (singleEvents, timeMin/timeMax, maxResults ≤ 2500, pageToken,
  syncToken incompatible with timeMin/timeMax, deleted events included in an
  incremental result, "may contain fewer than maxResults" per page):
    https://developers.google.com/calendar/api/v3/reference/events/list
  Synchronize resources efficiently (nextPageToken on every page but the
  last, nextSyncToken only on the last, 410 Gone → full sync):
    https://developers.google.com/calendar/api/guides/sync
  events.insert (client-supplied id: base32hex, 5–1024 characters, 409 when
  it exists; sendUpdates=all mails the attendees), events.patch,
  events.delete (410 when already deleted):
    https://developers.google.com/calendar/api/v3/reference/events/insert
    https://developers.google.com/calendar/api/v3/reference/events/patch
    https://developers.google.com/calendar/api/v3/reference/events/delete
  calendarList.list (accessRole owner/writer/reader, primary, paging):
    https://developers.google.com/calendar/api/v3/reference/calendarList/list
  Errors (JSON {"error": {code, message, errors[{reason}]}}, 401, 403, 409,
  410, 429 rateLimitExceeded, 503) and exponential backoff / Retry-After:
    https://developers.google.com/calendar/api/guides/errors

Endpoints (base http://127.0.0.1:PORT): /o/oauth2/v2/auth, /token, /revoke,
/calendar/v3/… (TRIPOD_GOOGLE_AUTH_URL, _TOKEN_URL, _API_URL). Control:
POST /_control/NAME (see Standin.control and control_more).
"""
import base64
import json
import re
import sys
from datetime import datetime, timezone

from oauth_standin import Reply, Standin, form_of, serve_main

API = "/calendar/v3"
SCOPES = {"https://www.googleapis.com/auth/calendar.calendarlist.readonly",
          "https://www.googleapis.com/auth/calendar.events"}


def instant(t):
    """An event time {dateTime} / {date} as a UTC datetime (dates: midnight UTC,
    enough to place them in a window)."""
    v = t.get("dateTime") or t.get("date")
    if "T" not in v:
        v += "T00:00:00+00:00"
    return datetime.fromisoformat(v.replace("Z", "+00:00")).astimezone(timezone.utc)


class GoogleStandin(Standin):
    NAME = "google"
    PAGE_CAP = 2  # events per page whatever maxResults says, so paging is exercised

    def __init__(self, port=None):
        super().__init__(port)
        self.cals = {}   # user → {calendar id → {summary, accessRole, primary, events, log}}
        self.seq = 0
        self.token_floor = 0

    # ---- URLs / environment for tripod ----

    def env(self):
        return {"TRIPOD_GOOGLE_CLIENT_ID": self.CLIENT_ID,
                "TRIPOD_GOOGLE_CLIENT_SECRET": self.CLIENT_SECRET,
                "TRIPOD_GOOGLE_AUTH_URL": self.base + "/o/oauth2/v2/auth",
                "TRIPOD_GOOGLE_TOKEN_URL": self.base + "/token",
                "TRIPOD_GOOGLE_API_URL": self.base + API}

    # ---- errors ----

    def oauth_error(self, code):
        return {"error": code, "error_description": {
            "invalid_grant": "Token has been expired or revoked.",
            "invalid_client": "The OAuth client was not found."}.get(code, code)}

    def api_error(self, status, message, reason=None):
        reasons = {401: "authError", 403: "forbidden", 404: "notFound", 409: "duplicate",
                   410: "deleted", 429: "rateLimitExceeded", 503: "backendError"}
        return {"error": {"code": status, "message": message,
                          "errors": [{"domain": "global", "reason": reason or reasons.get(status, "invalid"),
                                      "message": message}]}}

    def check_scope(self, scopes):
        if not SCOPES <= set(scopes):
            raise Reply(400, {"error": "invalid_scope", "missing": sorted(SCOPES - set(scopes))})

    # ---- calendar data ----

    def calendars_of(self, user):
        if user not in self.cals:
            self.cals[user] = {user: {"summary": user, "accessRole": "owner", "primary": True,
                                      "events": {}, "log": []}}
        return self.cals[user]

    def touch(self, cal, ev):
        self.seq += 1
        ev["updated"] = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
        cal["events"][ev["id"]] = ev
        cal["log"].append((self.seq, ev["id"]))

    def calendar(self, user, cid):
        cal = self.calendars_of(user).get(cid if cid != "primary" else user)
        if cal is None:
            raise Reply(404, self.api_error(404, "Not Found"))
        return cal

    def notify(self, attendees, kind, ev):
        for a in attendees:
            self.sent.append({"to": a["email"], "kind": kind, "event": ev["id"],
                              "summary": ev.get("summary")})

    def mirror(self, ev, removed=()):
        """Attendees who are users here get the event on their primary calendar."""
        for a in ev.get("attendees", []):
            if a["email"] in self.cals and a["email"] != ev["organizer"]["email"]:
                copy = json.loads(json.dumps(ev))
                for b in copy.get("attendees", []):
                    b["self"] = b["email"] == a["email"]
                self.touch(self.calendars_of(a["email"])[a["email"]], copy)
        for email in removed:
            if email in self.cals and ev["id"] in self.cals[email][email]["events"]:
                self.touch(self.cals[email][email], {"id": ev["id"], "status": "cancelled",
                                                      "iCalUID": ev.get("iCalUID")})

    # ---- control ----

    def control_more(self, name, body):
        if name == "user":  # {user, calendars: [{id, summary, accessRole, primary}]}
            cals = self.calendars_of(body["user"])
            for c in body.get("calendars", []):
                cals.setdefault(c["id"], {"summary": c.get("summary", c["id"]),
                                          "accessRole": c.get("accessRole", "owner"),
                                          "primary": bool(c.get("primary")), "events": {}, "log": []})
            return {}
        if name == "event":  # {user, calendar?, event}: create or replace
            ev = dict(body["event"])
            ev.setdefault("status", "confirmed")
            ev.setdefault("iCalUID", ev["id"] + "@google.com")
            self.touch(self.calendar(body["user"], body.get("calendar", body["user"])), ev)
            return {}
        if name == "delete_event":
            cal = self.calendar(body["user"], body.get("calendar", body["user"]))
            self.touch(cal, {"id": body["id"], "status": "cancelled"})
            return {}
        if name == "invalidate_sync":
            self.token_floor = self.seq + 1
            return {}
        if name == "events":  # the events of a calendar as stored
            return self.calendar(body["user"], body.get("calendar", body["user"]))["events"]
        raise Reply(404, {"error": "no such control " + name})

    # ---- routing ----

    def route(self, method, path, q, raw, headers):
        if path == "/o/oauth2/v2/auth" and method == "GET":
            self.authorize(q)
        if path == "/token" and method == "POST":
            if self.down:
                raise Reply(503, self.oauth_error("temporarily_unavailable"))
            return self.token(form_of(raw))
        if path == "/revoke" and method == "POST":
            token = q.get("token") or form_of(raw).get("token", "")
            with self.lock:
                user = self.refresh.get(token) or (self.access.get(token) or {}).get("user")
                if not user:
                    raise Reply(400, self.oauth_error("invalid_token"))
                self.revoked.add(user)
            return {}
        if not path.startswith(API + "/"):
            raise Reply(404, self.api_error(404, "Not Found"))
        self.gate()
        user = self.bearer(headers)
        self.log(method, path, q)
        parts = path[len(API) + 1:].split("/")
        with self.lock:
            if parts == ["users", "me", "calendarList"] and method == "GET":
                return self.calendar_list(user, q)
            if len(parts) >= 3 and parts[0] == "calendars" and parts[2] == "events":
                cal = self.calendar(user, parts[1])
                if len(parts) == 3 and method == "GET":
                    return self.events_list(cal, q)
                if len(parts) == 3 and method == "POST":
                    return self.events_insert(user, cal, q, json.loads(raw))
                if len(parts) == 4:
                    return self.event_one(user, cal, parts[3], method, q, raw)
        raise Reply(404, self.api_error(404, "Not Found"))

    def calendar_list(self, user, q):
        items = [{"kind": "calendar#calendarListEntry", "id": cid, "summary": c["summary"],
                  "accessRole": c["accessRole"], **({"primary": True} if c["primary"] else {})}
                 for cid, c in sorted(self.calendars_of(user).items())]
        start = int(q.get("pageToken") or 0)
        out = {"kind": "calendar#calendarList", "items": items[start:start + 1]}
        if start + 1 < len(items):
            out["nextPageToken"] = str(start + 1)
        else:
            out["nextSyncToken"] = "cl" + str(self.seq)
        return out

    def events_list(self, cal, q):
        sync = q.get("syncToken")
        if sync and (q.get("timeMin") or q.get("timeMax")):
            raise Reply(400, self.api_error(400, "timeMin/timeMax cannot be used with syncToken", "invalid"))
        max_results = int(q.get("maxResults") or 250)
        if not 1 <= max_results <= 2500:
            raise Reply(400, self.api_error(400, "Invalid maxResults", "invalid"))
        # A page token is bound to the query and the moment of its first page.
        if q.get("pageToken"):
            page = json.loads(base64.urlsafe_b64decode(q["pageToken"].encode()))
            if page["sync"] != sync or page["window"] != [q.get("timeMin"), q.get("timeMax")]:
                raise Reply(400, self.api_error(400, "Invalid pageToken", "invalid"))
            at, offset = page["at"], page["offset"]
        else:
            at, offset = self.seq, 0
        if sync:
            since = int(sync[1:]) if re.fullmatch(r"s\d+", sync) else -1
            if since < self.token_floor:
                raise Reply(410, self.api_error(410, "Sync token is no longer valid, a full sync is required.",
                                                "fullSyncRequired"))
            ids = []
            for s, eid in cal["log"]:
                if since < s <= at and eid not in ids:
                    ids.append(eid)
            items = [self.shown(cal["events"][i]) for i in ids]
        else:
            lo = instant({"dateTime": q["timeMin"]}) if q.get("timeMin") else None
            hi = instant({"dateTime": q["timeMax"]}) if q.get("timeMax") else None
            items = [self.shown(e) for _, e in sorted(cal["events"].items())
                     if e.get("status") != "cancelled"
                     and (lo is None or instant(e["end"]) > lo) and (hi is None or instant(e["start"]) < hi)]
        n = min(max_results, self.PAGE_CAP)
        out = {"kind": "calendar#events", "items": items[offset:offset + n]}
        if offset + n < len(items):
            out["nextPageToken"] = base64.urlsafe_b64encode(json.dumps(
                {"at": at, "offset": offset + n, "sync": sync,
                 "window": [q.get("timeMin"), q.get("timeMax")]}).encode()).decode()
        else:
            out["nextSyncToken"] = "s" + str(at)
        return out

    @staticmethod
    def shown(ev):
        if ev.get("status") == "cancelled":
            return {"kind": "calendar#event", "id": ev["id"], "status": "cancelled"}
        return {"kind": "calendar#event", **ev}

    def writable(self, cal):
        if cal["accessRole"] not in ("owner", "writer"):
            raise Reply(403, self.api_error(403, "You need to have writer access to this calendar.",
                                            "requiredAccessLevel"))

    def events_insert(self, user, cal, q, body):
        self.writable(cal)
        eid = body.get("id")
        if eid is None:
            eid = "ev" + str(self.seq + 1) + "x"
        if not re.fullmatch(r"[0-9a-v]{5,1024}", eid):
            raise Reply(400, self.api_error(400, "Invalid resource id value.", "invalid"))
        if eid in cal["events"]:
            raise Reply(409, self.api_error(409, "The requested identifier already exists."))
        for k in ("start", "end"):
            if k not in body:
                raise Reply(400, self.api_error(400, "Missing " + k, "required"))
        ev = dict(body, id=eid, status=body.get("status", "confirmed"), iCalUID=eid + "@google.com",
                  organizer={"email": user, "self": True})
        ev["attendees"] = [dict(a, responseStatus="needsAction") for a in body.get("attendees", [])]
        self.touch(cal, ev)
        if q.get("sendUpdates") == "all":
            self.notify(ev["attendees"], "invitation", ev)
        self.mirror(ev)
        return ev

    def event_one(self, user, cal, eid, method, q, raw):
        ev = cal["events"].get(eid)
        if ev is None:
            raise Reply(404, self.api_error(404, "Not Found"))
        if method == "GET":
            return self.shown(ev)
        self.writable(cal)
        if ev.get("status") == "cancelled":
            raise Reply(410, self.api_error(410, "Resource has been deleted"))
        if method == "DELETE":
            gone = dict(ev, status="cancelled")
            self.touch(cal, gone)
            if q.get("sendUpdates") == "all":
                self.notify(ev.get("attendees", []), "cancellation", ev)
            self.mirror({"id": eid, "organizer": ev["organizer"], "attendees": []},
                        [a["email"] for a in ev.get("attendees", [])])
            raise Reply(204)
        if method == "PATCH":
            patch = json.loads(raw)
            new = dict(ev, **{k: v for k, v in patch.items() if k not in ("id", "iCalUID")})
            before = {a["email"] for a in ev.get("attendees", [])}
            if "attendees" in patch:
                new["attendees"] = [dict(a, responseStatus="needsAction") for a in patch["attendees"]]
            after = {a["email"] for a in new.get("attendees", [])}
            self.touch(cal, new)
            if q.get("sendUpdates") == "all":
                self.notify([a for a in new.get("attendees", []) if a["email"] in before], "update", new)
                self.notify([a for a in new.get("attendees", []) if a["email"] not in before],
                            "invitation", new)
                self.notify([{"email": e} for e in sorted(before - after)], "cancellation", new)
            self.mirror(new, sorted(before - after))
            return new
        raise Reply(405, self.api_error(405, "Method not allowed"))


if __name__ == "__main__":
    sys.exit(serve_main(GoogleStandin))
