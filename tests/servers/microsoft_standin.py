#!/usr/bin/python3
"""microsoft_standin.py — a local stand-in for the Microsoft identity platform
(OAuth 2.0 v2.0 endpoints) and Microsoft Graph v1.0 calendars, for tests only
(never part of the product). Written from Microsoft's published references;
behaviour → document:

  Authorization code flow with PKCE, refresh (a new refresh token with each
  refresh), invalid_grant (AADSTS70000 / 700082) for revoked or expired grants:
    https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
  Scopes offline_access Calendars.ReadWrite User.Read:
    https://learn.microsoft.com/en-us/graph/permissions-reference
  GET /me (mail, userPrincipalName):
    https://learn.microsoft.com/en-us/graph/api/user-get
  GET /me/calendars (canEdit, isDefaultCalendar, @odata.nextLink):
    https://learn.microsoft.com/en-us/graph/api/user-list-calendars
  calendarView/delta: startDateTime and endDateTime required on the first
  call, then only the links; Prefer: odata.maxpagesize; @odata.nextLink on
  every page but the last, @odata.deltaLink on the last; removed items (and
  events moved out of the window) as {"id", "@removed": {"reason"}}; a stale
  delta token answered 410 (resync required):
    https://learn.microsoft.com/en-us/graph/api/event-delta
    https://learn.microsoft.com/en-us/graph/delta-query-events
    https://learn.microsoft.com/en-us/graph/delta-query-overview
  Event resource (showAs free/tentative/busy/oof/workingElsewhere/unknown,
  isAllDay, isCancelled, responseStatus, iCalUId, dateTimeTimeZone, the
  Prefer: outlook.timezone header):
    https://learn.microsoft.com/en-us/graph/api/resources/event
  Create (transactionId: a retried create returns the first event), update,
  delete (the organizer's delete cancels the meeting for the attendees):
    https://learn.microsoft.com/en-us/graph/api/calendar-post-events
    https://learn.microsoft.com/en-us/graph/api/event-update
    https://learn.microsoft.com/en-us/graph/api/event-delete
  Throttling (429 with Retry-After) and errors ({"error": {code, message}}):
    https://learn.microsoft.com/en-us/graph/throttling
    https://learn.microsoft.com/en-us/graph/errors

Endpoints (base http://127.0.0.1:PORT): /{tenant}/oauth2/v2.0/authorize and
/token (TRIPOD_MS_LOGIN_URL = base), /v1.0/… (TRIPOD_MS_GRAPH_URL). Control:
POST /_control/NAME.
"""
import base64
import json
import secrets
import sys
from datetime import datetime, timezone
from urllib.parse import urlencode

from oauth_standin import Reply, Standin, form_of, serve_main

GRAPH = "/v1.0"
SCOPES = {"offline_access", "Calendars.ReadWrite", "User.Read"}


def parse_dt(t):
    """dateTimeTimeZone (UTC only here) or RFC 3339 → aware datetime."""
    if isinstance(t, dict):
        v = t["dateTime"]
        if t.get("timeZone", "UTC") != "UTC":
            raise ValueError("only UTC times are kept by this stand-in")
        return datetime.fromisoformat(v[:19]).replace(tzinfo=timezone.utc)
    return datetime.fromisoformat(t.replace("Z", "+00:00")).astimezone(timezone.utc)


def dtz(dt):
    return {"dateTime": dt.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


class MicrosoftStandin(Standin):
    NAME = "microsoft"
    ROTATES_REFRESH = True
    PAGE_CAP = 2  # the server may send fewer than odata.maxpagesize asks

    def __init__(self, port=None):
        super().__init__(port)
        self.cals = {}    # user → {calendar id → {name, canEdit, default, events: {id: ev}, log}}
        self.seq = 0
        self.token_floor = 0
        self.transactions = {}  # (user, transactionId) → event id

    def env(self):
        return {"TRIPOD_MS_CLIENT_ID": self.CLIENT_ID, "TRIPOD_MS_CLIENT_SECRET": self.CLIENT_SECRET,
                "TRIPOD_MS_TENANT": "common", "TRIPOD_MS_LOGIN_URL": self.base,
                "TRIPOD_MS_GRAPH_URL": self.base + GRAPH}

    def oauth_error(self, code):
        desc = {"invalid_grant": "AADSTS70000: The provided value for the 'code' or 'refresh_token' "
                                 "is invalid or has been revoked."}.get(code, code)
        return {"error": code, "error_description": desc, "error_codes": [70000]}

    def api_error(self, status, message, code=None):
        codes = {401: "InvalidAuthenticationToken", 403: "ErrorAccessDenied",
                 404: "ErrorItemNotFound", 410: "SyncStateNotFound", 429: "TooManyRequests",
                 503: "ServiceNotAvailable"}
        return {"error": {"code": code or codes.get(status, "BadRequest"), "message": message}}

    def check_scope(self, scopes):
        if not SCOPES <= set(scopes):
            raise Reply(400, {"error": "invalid_scope", "missing": sorted(SCOPES - set(scopes))})

    def token_answer(self, grant, form):
        if not SCOPES <= set(form.get("scope", "").split()) | {"offline_access"}:
            raise Reply(400, self.oauth_error("invalid_scope"))
        return dict(grant, scope="Calendars.ReadWrite User.Read", ext_expires_in=3599)

    # ---- data ----

    def calendars_of(self, user):
        if user not in self.cals:
            self.cals[user] = {"cal-" + user.split("@")[0]: {
                "name": "Calendar", "canEdit": True, "default": True, "events": {}, "log": []}}
        return self.cals[user]

    def default_id(self, user):
        return next(cid for cid, c in self.calendars_of(user).items() if c["default"])

    def calendar(self, user, cid):
        cal = self.calendars_of(user).get(cid)
        if cal is None:
            raise Reply(404, self.api_error(404, "The specified object was not found in the store."))
        return cal

    def touch(self, cal, ev):
        self.seq += 1
        cal["events"][ev["id"]] = ev
        cal["log"].append((self.seq, ev["id"]))

    def find(self, user, eid):
        for cal in self.calendars_of(user).values():
            if eid in cal["events"] and not cal["events"][eid].get("_deleted"):
                return cal, cal["events"][eid]
        raise Reply(404, self.api_error(404, "The specified object was not found in the store."))

    def notify(self, emails, kind, ev):
        for e in emails:
            self.sent.append({"to": e, "kind": kind, "event": ev["id"], "subject": ev.get("subject")})

    def mirror(self, ev, organizer, removed=()):
        """Attendees who are users here see the meeting (same iCalUId) as tentative."""
        for a in ev.get("attendees", []):
            email = a["emailAddress"]["address"]
            if email in self.cals and email != organizer:
                cal = self.calendars_of(email)[self.default_id(email)]
                copy = {k: v for k, v in ev.items() if k not in ("transactionId",)}
                copy["id"] = "copy-" + ev["id"] + "-" + email.split("@")[0]
                copy["showAs"] = "tentative"
                copy["responseStatus"] = {"response": "notResponded"}
                self.touch(cal, copy)
        for email in removed:
            if email in self.cals:
                cal = self.calendars_of(email)[self.default_id(email)]
                cid = "copy-" + ev["id"] + "-" + email.split("@")[0]
                if cid in cal["events"]:
                    self.touch(cal, {"id": cid, "_deleted": True})

    # ---- control ----

    def control_more(self, name, body):
        if name == "user":  # {user, calendars: [{id, name, canEdit, default}]}
            cals = self.calendars_of(body["user"])
            for c in body.get("calendars", []):
                cals.setdefault(c["id"], {"name": c.get("name", c["id"]), "canEdit": c.get("canEdit", True),
                                          "default": False, "events": {}, "log": []})
            return {}
        if name == "event":  # {user, calendar?, event: {id, subject, start, end (RFC 3339), showAs, …}}
            user = body["user"]
            ev = dict(body["event"])
            ev["start"], ev["end"] = dtz(parse_dt(ev["start"])), dtz(parse_dt(ev["end"]))
            ev.setdefault("iCalUId", "040000008200E00074C5B7101A82E008" + secrets.token_hex(16))
            ev.setdefault("showAs", "busy")
            self.touch(self.calendar(user, body.get("calendar") or self.default_id(user)), ev)
            return {}
        if name == "delete_event":
            user = body["user"]
            cal = self.calendar(user, body.get("calendar") or self.default_id(user))
            self.touch(cal, {"id": body["id"], "_deleted": True})
            return {}
        if name == "invalidate_sync":
            self.token_floor = self.seq + 1
            return {}
        if name == "events":
            user = body["user"]
            cal = self.calendar(user, body.get("calendar") or self.default_id(user))
            return {k: v for k, v in cal["events"].items() if not v.get("_deleted")}
        raise Reply(404, {"error": "no such control " + name})

    # ---- routing ----

    def route(self, method, path, q, raw, headers):
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[1:3] == ["oauth2", "v2.0"]:
            if parts[3] == "authorize" and method == "GET":
                self.authorize(q)
            if parts[3] == "token" and method == "POST":
                if self.down:
                    raise Reply(503, self.oauth_error("temporarily_unavailable"))
                return self.token(form_of(raw))
        if not path.startswith(GRAPH + "/"):
            raise Reply(404, self.api_error(404, "Resource not found"))
        self.gate()
        user = self.bearer(headers)
        self.log(method, path, q)
        p = path[len(GRAPH) + 1:].split("/")
        with self.lock:
            if p == ["me"] and method == "GET":
                return {"id": "id-" + user, "displayName": user.split("@")[0].capitalize(),
                        "mail": user, "userPrincipalName": user}
            if p == ["me", "calendars"] and method == "GET":
                return self.list_calendars(user, q)
            if len(p) == 5 and p[:2] == ["me", "calendars"] and p[3:] == ["calendarView", "delta"]:
                return self.delta(user, p[2], q, headers)
            if len(p) == 4 and p[:2] == ["me", "calendars"] and p[3] == "events" and method == "POST":
                return self.create(user, self.calendar(user, p[2]), json.loads(raw))
            if len(p) == 3 and p[:2] == ["me", "events"]:
                return self.event_one(user, p[2], method, raw)
        raise Reply(404, self.api_error(404, "Resource not found"))

    def list_calendars(self, user, q):
        items = [{"id": cid, "name": c["name"], "canEdit": c["canEdit"], "isDefaultCalendar": c["default"],
                  "owner": {"address": user}} for cid, c in sorted(self.calendars_of(user).items())]
        skip = int(q.get("$skip") or 0)
        out = {"@odata.context": self.base + GRAPH + "/$metadata#me/calendars", "value": items[skip:skip + 1]}
        if skip + 1 < len(items):
            out["@odata.nextLink"] = self.base + GRAPH + "/me/calendars?" + urlencode({"$skip": skip + 1})
        return out

    def token_of(self, state):
        return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()

    def delta(self, user, cid, q, headers):
        cal = self.calendar(user, cid)
        base = f"{self.base}{GRAPH}/me/calendars/{cid}/calendarView/delta?"
        if "$skiptoken" in q:
            st = json.loads(base64.urlsafe_b64decode(q["$skiptoken"].encode()))
        elif "$deltatoken" in q:
            st = json.loads(base64.urlsafe_b64decode(q["$deltatoken"].encode()))
            if st["seq"] < self.token_floor:
                raise Reply(410, self.api_error(410, "The sync state is no longer valid; resync required.",
                                                "SyncStateNotFound"))
            st = {"window": st["window"], "since": st["seq"], "at": self.seq, "offset": 0}
        else:
            if not q.get("startDateTime") or not q.get("endDateTime"):
                raise Reply(400, self.api_error(400, "startDateTime and endDateTime are required",
                                                "ErrorInvalidParameter"))
            st = {"window": [q["startDateTime"], q["endDateTime"]], "since": None, "at": self.seq,
                  "offset": 0}
        lo, hi = parse_dt(st["window"][0]), parse_dt(st["window"][1])

        def inside(ev):
            return parse_dt(ev["end"]) > lo and parse_dt(ev["start"]) < hi

        items = []
        if st["since"] is None:
            items = [self.shown(e) for _, e in sorted(cal["events"].items())
                     if not e.get("_deleted") and inside(e)]
        else:
            seen = []
            for s, eid in cal["log"]:
                if st["since"] < s <= st["at"] and eid not in seen:
                    seen.append(eid)
            for eid in seen:
                e = cal["events"][eid]
                if e.get("_deleted") or not inside(e):
                    items.append({"@odata.type": "#microsoft.graph.event", "id": eid,
                                  "@removed": {"reason": "deleted" if e.get("_deleted") else "changed"}})
                else:
                    items.append(self.shown(e))
        size = self.PAGE_CAP
        pref = headers.get("Prefer", "")
        if "odata.maxpagesize=" in pref:
            size = min(size, int(pref.split("odata.maxpagesize=")[1].split(",")[0].strip()))
        page = items[st["offset"]:st["offset"] + size]
        out = {"@odata.context": self.base + GRAPH + "/$metadata#Collection(event)", "value": page}
        if st["offset"] + size < len(items):
            out["@odata.nextLink"] = base + urlencode({"$skiptoken": self.token_of(dict(st, offset=st["offset"] + size))})
        else:
            out["@odata.deltaLink"] = base + urlencode({"$deltatoken": self.token_of({"window": st["window"], "seq": st["at"]})})
        return out

    @staticmethod
    def shown(ev):
        out = {"@odata.type": "#microsoft.graph.event", "isAllDay": False, "isCancelled": False,
               "responseStatus": {"response": "organizer"}}
        out.update({k: v for k, v in ev.items() if k not in ("transactionId",) and not k.startswith("_")})
        return out

    def create(self, user, cal, body):
        if not cal["canEdit"]:
            raise Reply(403, self.api_error(403, "Access is denied."))
        tx = body.get("transactionId")
        if tx and (user, tx) in self.transactions:
            _, ev = self.find(user, self.transactions[(user, tx)])
            raise Reply(201, self.shown(ev))
        ev = dict(body)
        ev["id"] = "AAMk" + secrets.token_hex(12)
        ev["iCalUId"] = "040000008200E00074C5B7101A82E008" + secrets.token_hex(16)
        ev["start"], ev["end"] = dtz(parse_dt(body["start"])), dtz(parse_dt(body["end"]))
        ev["organizer"] = {"emailAddress": {"address": user}}
        ev.setdefault("showAs", "busy")
        self.touch(cal, ev)
        if tx:
            self.transactions[(user, tx)] = ev["id"]
        self.notify([a["emailAddress"]["address"] for a in ev.get("attendees", [])], "invitation", ev)
        self.mirror(ev, user)
        raise Reply(201, self.shown(ev))

    def event_one(self, user, eid, method, raw):
        cal, ev = self.find(user, eid)
        if method == "GET":
            return self.shown(ev)
        before = [a["emailAddress"]["address"] for a in ev.get("attendees", [])]
        if method == "DELETE":
            self.touch(cal, {"id": eid, "_deleted": True})
            if ev.get("organizer", {}).get("emailAddress", {}).get("address") == user:
                self.notify(before, "cancellation", ev)
                self.mirror({"id": eid, "attendees": []}, user, before)
            raise Reply(204)
        if method == "PATCH":
            patch = json.loads(raw)
            new = dict(ev, **{k: v for k, v in patch.items() if k not in ("id", "iCalUId", "transactionId")})
            for k in ("start", "end"):
                if k in patch:
                    new[k] = dtz(parse_dt(patch[k]))
            self.touch(cal, new)
            after = [a["emailAddress"]["address"] for a in new.get("attendees", [])]
            self.notify([e for e in after if e in before], "update", new)
            self.notify([e for e in after if e not in before], "invitation", new)
            self.notify([e for e in before if e not in after], "cancellation", new)
            self.mirror(new, user, [e for e in before if e not in after])
            return self.shown(new)
        raise Reply(405, self.api_error(405, "Method not allowed"))


if __name__ == "__main__":
    sys.exit(serve_main(MicrosoftStandin))
