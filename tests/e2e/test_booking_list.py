"""The admin's daily operations on bookings (API.md "Daily operations"):
GET /bookings newest first in pages with an opaque cursor that stays right
while bookings are added, search by agent name/e-mail and address, the
filters, and GET /bookings.csv holding exactly what the list holds (RFC 4180,
business-zone times, formula cells defused)."""
import csv
import io

from bookseed import API, MON, TUE, at, business, grid, listed, ok, staff

AGENTS = [("Zoë Zimmer", "zoe@realty.test", "1 Main St, Brooklyn", "11201"),
          ("Al Ortega", "al@homes.test", "9 Oak Ave", "10001"),
          ("Bea Main", "bea@realty.test", "77 Elm St", "10001")]


def book_as(client, start, photos, agent, **extra):
    name, email, address, postal = agent
    body = {"agent": {"name": name, "email": email, "phone": "+1 555 0100"},
            "property": {"address": address, "postal_code": postal},
            "services": [photos], "start": start, "notes": ""}
    body.update(extra)
    return client.post(API + "/bookings", json=body)


def fill(admin, anon, n=7):
    ids = business(admin)
    staff(admin, "Pat")
    staff(admin, "Val")
    made = []
    for i, t in enumerate(grid("09:30", "14:30", 30)[:n]):
        made.append(ok(book_as(anon, at(TUE if i % 2 else MON, t), ids["photos"], AGENTS[i % 3]), 201))
    return ids, made


def test_pages_newest_first_with_a_cursor_that_survives_new_bookings(admin, anon):
    ids, made = fill(admin, anon)
    first = ok(admin.get(API + "/bookings", params={"limit": 3}))
    assert [b["id"] for b in first["bookings"]] == [b["id"] for b in made[::-1][:3]]
    assert first["next_cursor"]
    # A booking made meanwhile does not shift the next page.
    late = ok(book_as(anon, at(TUE, "15:30"), ids["photos"], AGENTS[0]), 201)
    second = ok(admin.get(API + "/bookings", params={"limit": 3, "cursor": first["next_cursor"]}))
    assert [b["id"] for b in second["bookings"]] == [b["id"] for b in made[::-1][3:6]]
    third = ok(admin.get(API + "/bookings", params={"limit": 3, "cursor": second["next_cursor"]}))
    assert [b["id"] for b in third["bookings"]] == [made[0]["id"]]
    assert third["next_cursor"] is None
    # Without a limit: 50 a page; the new booking is first.
    everything = ok(admin.get(API + "/bookings"))
    assert everything["next_cursor"] is None and everything["bookings"][0]["id"] == late["id"]
    assert len(everything["bookings"]) == len(made) + 1
    # Rows are the booking objects of GET /bookings/{id} without their history.
    one = ok(admin.get(API + f"/bookings/{made[0]['id']}"))
    del one["history"]
    assert everything["bookings"][-1] == one


def test_bad_paging_arguments_are_refused(admin):
    for params, field in [({"limit": 0}, "limit"), ({"limit": 201}, "limit"), ({"limit": "ten"}, "limit"),
                          ({"cursor": "not-ours"}, "cursor"), ({"cursor": "Ym9va2luZzp4"}, "cursor"),
                          ({"q": "x" * 201}, "q"), ({"status": "maybe"}, "status"),
                          ({"staff": "abc"}, "staff"), ({"from": "June"}, "from")]:
        r = admin.get(API + "/bookings", params=params)
        assert (r.status_code, r.json()["field"]) == (422, field), (params, r.text)


def test_search_by_agent_email_address_and_postal_code(admin, anon):
    _, made = fill(admin, anon)
    zoe = [b["id"] for b in made if b["agent"]["email"] == "zoe@realty.test"][::-1]
    assert [b["id"] for b in listed(admin, q="zoë")] == zoe
    assert [b["id"] for b in listed(admin, q="ZIMMER")] == zoe
    assert [b["id"] for b in listed(admin, q="realty.test")] == [
        b["id"] for b in made[::-1] if b["agent"]["email"].endswith("realty.test")]
    # "main" is in Zoë's street and Bea's name: both; two words must both match.
    mains = [b["id"] for b in made[::-1] if b["agent"]["name"] != "Al Ortega"]
    assert [b["id"] for b in listed(admin, q="main")] == mains
    assert [b["id"] for b in listed(admin, q="main brooklyn")] == zoe
    assert [b["id"] for b in listed(admin, q="oak 10001")] == [
        b["id"] for b in made[::-1] if b["agent"]["name"] == "Al Ortega"]
    # Wildcards are just characters that separate words, never patterns.
    assert listed(admin, q="%") == listed(admin)
    assert listed(admin, q="nobody@nowhere") == []
    # Search with the filters, in pages.
    page = ok(admin.get(API + "/bookings", params={"q": "realty", "from": TUE, "to": TUE, "limit": 1}))
    tue = [b["id"] for b in made[::-1] if b["start"].startswith(TUE) and "realty" in b["agent"]["email"]]
    assert [b["id"] for b in page["bookings"]] == tue[:1] and page["next_cursor"]
    assert [b["id"] for b in listed(admin, q="realty", **{"from": TUE, "to": TUE})] == tue


def test_cancelled_bookings_are_found_by_status(admin, anon):
    _, made = fill(admin, anon, 3)
    ok(admin.delete(API + f"/bookings/{made[1]['id']}"))
    assert [b["id"] for b in listed(admin, status="cancelled")] == [made[1]["id"]]
    assert [b["id"] for b in listed(admin, q="al ortega", status="confirmed")] == []


def parse_csv(resp):
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("text/csv; charset=utf-8")
    assert 'filename="bookings.csv"' in resp.headers["Content-Disposition"]
    text = resp.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    # CRLF ends every record (a LF alone only inside a quoted field).
    assert text.count("\r\n") == len(rows) and text.endswith("\r\n")
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_csv_holds_exactly_the_list(admin, anon):
    ids, made = fill(admin, anon)
    ok(admin.delete(API + f"/bookings/{made[2]['id']}"))
    tricky = ok(book_as(anon, at(MON, "15:30"), ids["photos"],
                        ("=HYPERLINK(\"http://x\")", "eve@realty.test", "5 \"Quoted\" Rd, Apt 2", "10001"),
                        notes="Ring twice,\nthen wait"), 201)
    for params in [{}, {"q": "realty"}, {"status": "confirmed", "from": MON, "to": MON}]:
        rows = parse_csv(admin.get(API + "/bookings.csv", params=params))
        books = listed(admin, **params)
        assert [r["id"] for r in rows] == [b["id"] for b in books], params
        for r, b in zip(rows, books):
            assert r["status"] == b["status"]
            assert r["start"] == b["start"][:10] + " " + b["start"][11:16]  # New York time
            assert r["end"] == b["end"][:10] + " " + b["end"][11:16]
            assert r["timezone"] == "America/New_York"
            assert int(r["duration_minutes"]) == b["duration_minutes"]
            assert r["staff"] == "; ".join(s["name"] for s in b["staff"])
            assert r["agent_email"] == b["agent"]["email"]
            assert r["address"] == b["property"]["address"]
            assert r["postal_code"] == b["property"]["postal_code"]
            assert r["services"] == "Photos" and r["packages"] == ""
            assert r["calendar"] == b["calendar"]["state"]
            # The agent's phone "+1 …" would be a formula: it is text.
            assert r["agent_phone"] == "'" + b["agent"]["phone"]
            if b["id"] == tricky["id"]:
                assert r["agent_name"] == "'=HYPERLINK(\"http://x\")"
                assert r["notes"] == "Ring twice,\nthen wait"
            else:
                assert r["agent_name"] == b["agent"]["name"]
            assert "price_total" not in r  # no booking has a price: no price columns
    header = admin.get(API + "/bookings.csv").content.decode().split("\r\n")[0]
    assert header == ("id,status,start,end,timezone,duration_minutes,staff,agent_name,agent_email,"
                      "agent_phone,address,postal_code,services,packages,notes,calendar,created,updated")
    assert anon.get(API + "/bookings.csv").status_code == 401
    assert admin.get(API + "/bookings.csv", params={"status": "maybe"}).status_code == 422


def test_an_empty_csv_is_its_header(admin):
    business(admin)
    rows = parse_csv(admin.get(API + "/bookings.csv"))
    assert rows == []
