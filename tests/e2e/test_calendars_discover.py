"""POST /calendars/discover: from a server address, user name and app
password to the account's calendars, against the real Radicale and a
stand-in laid out like Nextcloud (tests/servers/caldav_standin.py): base URL,
principal, home or calendar URL given; refused credentials, no CalDAV,
malformed XML, redirect loops, bounds, and the password never leaving the
hosts it belongs to nor showing in any answer."""
import os
import sys

import pytest
import requests

from bookseed import API, ok
from calseed import USERS, radicale  # noqa: F401  (fixture)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
from caldav_standin import CalDavStandin  # noqa: E402

PW = "app-Pa55word-standin"

MKCALENDAR_TASKS = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<D:displayname>Chores</D:displayname>
<C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set>
</D:prop></D:set></C:mkcalendar>"""

MKCALENDAR_NAMED = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"
  xmlns:I="http://apple.com/ns/ical/"><D:set><D:prop>
<D:displayname>Shoots</D:displayname><I:calendar-color>#FF8800FF</I:calendar-color>
<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
</D:prop></D:set></C:mkcalendar>"""

MKCOL_BOOK = """<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>
<D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype>
<D:displayname>Contacts</D:displayname></D:prop></D:set></D:mkcol>"""


def discover(admin, url, username="ann", password=PW):
    return admin.post(API + "/calendars/discover",
                      json={"url": url, "username": username, "password": password})


def by_name(cals):
    return {c["name"]: c for c in cals}


@pytest.fixture
def standin():
    with CalDavStandin({"ann": PW}) as s:
        yield s


@pytest.fixture
def rad_account(radicale):  # noqa: F811
    """Ann's Radicale account with an events calendar ("work", no name), a
    named one, a tasks-only one and an address book."""
    auth = ("ann", USERS["ann"])
    for path, method, body in (("/ann/shoots/", "MKCALENDAR", MKCALENDAR_NAMED),
                               ("/ann/chores/", "MKCALENDAR", MKCALENDAR_TASKS),
                               ("/ann/contacts/", "MKCOL", MKCOL_BOOK)):
        r = requests.request(method, radicale.base + path, data=body.encode(), auth=auth,
                             headers={"Content-Type": "application/xml"}, timeout=10)
        assert r.status_code == 201, (path, r.status_code, r.text)
    return radicale


# ---- the real Radicale ----

def test_radicale_base_url_lists_event_calendars(admin, rad_account):
    r = discover(admin, rad_account.base, password=USERS["ann"])
    cals = ok(r)
    urls = {c["url"] for c in cals}
    assert urls == {rad_account.url("ann", "work"), rad_account.base + "/ann/shoots/"}, cals
    shoots = by_name(cals)["Shoots"]
    assert shoots["can_write"] is True and shoots["color"] == "#FF8800"
    assert USERS["ann"] not in r.text


@pytest.mark.parametrize("path", ["/ann/", "/ann"])
def test_radicale_principal_url(admin, rad_account, path):
    cals = ok(discover(admin, rad_account.base + path, password=USERS["ann"]))
    assert {c["url"] for c in cals} == {rad_account.url("ann", "work"),
                                        rad_account.base + "/ann/shoots/"}


def test_radicale_collection_url_is_that_calendar(admin, rad_account):
    cals = ok(discover(admin, rad_account.base + "/ann/shoots/", password=USERS["ann"]))
    assert [(c["url"], c["name"]) for c in cals] == [(rad_account.base + "/ann/shoots/", "Shoots")]
    # A tasks-only calendar takes no events: nothing to offer.
    assert ok(discover(admin, rad_account.base + "/ann/chores/", password=USERS["ann"])) == []


def test_radicale_wrong_password(admin, server, rad_account):
    r = discover(admin, rad_account.base, password="not-" + USERS["ann"])
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "credentials_refused" and body["field"] == "password"
    assert "credentials refused" in body["message"] and body["step"] == "service"
    assert USERS["ann"] not in r.text and USERS["ann"] not in server.log()


def test_radicale_discovered_calendar_connects_and_syncs(admin, rad_account):
    cals = ok(discover(admin, rad_account.base, password=USERS["ann"]))
    shoots = by_name(cals)["Shoots"]
    cal = ok(admin.post(API + "/calendars", json={
        "owner": "business", "kind": "caldav", "url": shoots["url"], "username": "ann",
        "password": USERS["ann"], "primary": True}), 201)
    assert cal["has_password"] is True
    ok(admin.post(API + f"/calendars/{cal['id']}/sync"))


# ---- the Nextcloud-like stand-in ----

def expected(standin):
    home = standin.base + "/remote.php/dav/calendars/ann/"
    return {
        "Personal": {"url": home + "personal/", "name": "Personal", "can_write": True,
                     "color": "#0082C9"},
        "Team Shoots": {"url": home + "team%20shoots/", "name": "Team Shoots",
                        "can_write": False, "color": None},
        "café": {"url": home + "caf%C3%A9/", "name": "café", "can_write": None, "color": None},
    }


def test_standin_base_url_follows_well_known(admin, server, standin):
    r = discover(admin, standin.base)
    assert by_name(ok(r)) == expected(standin)  # no tasks, inbox, outbox, contacts, subscription
    paths = [(m, p, d) for _, m, p, d, _ in standin.log]
    assert paths[:4] == [("PROPFIND", "/.well-known/caldav", "0"),
                         ("PROPFIND", "/remote.php/dav/", "0"),
                         ("PROPFIND", "/remote.php/dav/principals/users/ann/", "0"),
                         ("PROPFIND", "/remote.php/dav/calendars/ann/", "1")], paths
    assert PW not in r.text and PW not in server.log()


def test_standin_bare_host_name_assumes_https(admin, standin):
    r = discover(admin, "127.0.0.1:%d" % standin.port)
    assert r.status_code == 502 and r.json()["step"] == "service", r.text
    assert "https was assumed" in r.json()["message"]


@pytest.mark.parametrize("path", ["/remote.php/dav/principals/users/ann/",
                                  "/remote.php/dav/calendars/ann/",
                                  "/remote.php/dav/"])
def test_standin_principal_home_or_context_given(admin, standin, path):
    assert by_name(ok(discover(admin, standin.base + path))) == expected(standin)


def test_standin_installed_in_a_folder(admin):
    with CalDavStandin({"ann": PW}, folder="/nextcloud") as s:
        cals = ok(discover(admin, s.base + "/nextcloud"))
        assert {c["url"] for c in cals} == {s.base + "/nextcloud/remote.php/dav/calendars/ann/" + p
                                            for p in ("personal/", "team%20shoots/", "caf%C3%A9/")}
        assert [p for _, _, p, _, _ in s.log][:2] == ["/nextcloud", "/nextcloud/.well-known/caldav"]


def test_standin_home_without_principal_is_listed(admin):
    with CalDavStandin({"ann": PW}, cup_everywhere=False) as s:
        r = discover(admin, s.base + "/remote.php/dav/calendars/ann/")
        assert by_name(ok(r)) == expected(s)


@pytest.mark.parametrize("path,name", [("/remote.php/dav/calendars/ann/team%20shoots/", "Team Shoots"),
                                       ("/remote.php/dav/calendars/ann/caf%C3%A9", "café")])
def test_standin_collection_given(admin, standin, path, name):
    assert ok(discover(admin, standin.base + path)) == [expected(standin)[name]]


def test_standin_wrong_password(admin, standin):
    r = discover(admin, standin.base, password="wrong")
    assert r.status_code == 422 and r.json()["error"] == "credentials_refused", r.text
    assert "credentials refused" in r.json()["message"]


def test_no_caldav_anywhere(admin):
    with CalDavStandin({"ann": PW}, mode="nodav") as s:
        r = discover(admin, s.base + "/some/path/")
        assert r.status_code == 422, r.text
        assert r.json()["error"] == "no_caldav" and r.json()["field"] == "url"
        assert "no CalDAV service found at this address" in r.json()["message"]
        assert [p for _, _, p, _, _ in s.log] == ["/some/path/", "/some/path/.well-known/caldav",
                                                  "/.well-known/caldav", "/"]


def test_malformed_xml_is_a_clear_error(admin, server):
    with CalDavStandin({"ann": PW}, mode="malformed") as s:
        r = discover(admin, s.base)
        assert r.status_code == 502, r.text
        assert r.json()["error"] == "discovery_failed" and r.json()["step"] == "principal"
        assert "unreadable reply" in r.json()["message"]
    assert admin.get(API + "/health").status_code == 200


def test_redirect_loop(admin):
    with CalDavStandin({"ann": PW}, mode="loop") as s:
        r = discover(admin, s.base)
        assert r.status_code == 502 and r.json()["step"] == "service", r.text
        assert "redirect loop" in r.json()["message"]
        assert len(s.log) <= 4


def test_password_not_sent_to_another_host_over_http(admin):
    with CalDavStandin({"ann": PW}, mode="cross_http") as s:
        r = discover(admin, s.base)
        assert r.status_code == 502, r.text
        assert "sends it only over https" in r.json()["message"]
        elsewhere = [e for e in s.log if e[0].startswith("localhost")]
        assert elsewhere and not any(sent for *_, sent in elsewhere), s.log
        assert all(sent for host, *_, sent in s.log if host.startswith("127.0.0.1")), s.log


def test_reply_size_and_count_are_bounded(admin):
    with CalDavStandin({"ann": PW}, mode="huge") as s:
        r = discover(admin, s.base)
        assert r.status_code == 502 and r.json()["step"] == "calendars", r.text
        assert "larger than" in r.json()["message"]
    with CalDavStandin({"ann": PW}, mode="many") as s:
        cals = ok(discover(admin, s.base))
        assert len(cals) == 200


@pytest.mark.parametrize("body,field", [
    ({"username": "ann", "password": PW}, "url"),
    ({"url": "", "password": PW}, "url"),
    ({"url": "ftp://example.com/"}, "url"),
    ({"url": "https://ann:pw@example.com/"}, "url"),
    ({"url": "https://example.com/", "username": 5}, "username"),
    ({"url": "https://example.com/", "password": ["x"]}, "password"),
    ({"url": "https://example.com/", "token": "x"}, "token"),
])
def test_discover_validation(admin, body, field):
    r = admin.post(API + "/calendars/discover", json=body)
    assert r.status_code == 422, (body, r.text)
    assert r.json()["field"] == field
    assert "ann:pw" not in r.json()["message"]


def test_discover_needs_the_admin_token(server, standin):
    r = requests.post(server.api + "/calendars/discover", json={"url": standin.base}, timeout=30)
    assert r.status_code == 401
    assert standin.log == []
