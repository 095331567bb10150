"""The outbox across crashes: agents book and cancel while `tripod serve` is
killed with SIGKILL at random moments (50 cycles), with a real Radicale
(primary and staff calendars) and a real SMTP sink up throughout. After a
clean restart the outbox drains and every change of every booking has
reached the calendar and the attendees exactly once: the primary event has
the booking's final SEQUENCE and STATUS, and each (booking, change,
recipient) has exactly one message. A message resent because the process
died between the mail server's "250" and the outbox's "done" carries the
same Message-ID (receivers drop it), and is counted and reported."""
import collections
import random
import time

from bookseed import API, listed, ok
from calseed import business, cal_env, itip, primary_event, radicale, sink, sync, wait  # noqa: F401
from test_crash import Load, kill9

CYCLES = 50
# Short retries, and a short lease so that items a killed process had claimed
# are delivered soon after (the default lease is 2 minutes).
FAST = {"TRIPOD_OUTBOX_BACKOFF_BASE": "1", "TRIPOD_OUTBOX_BACKOFF_MAX": "2",
        "TRIPOD_OUTBOX_LEASE": "5"}


def all_bookings(admin):
    return listed(admin)


def drained(admin):
    """Every booking's calendar state is synced (the outbox is empty)."""
    bookings = all_bookings(admin)
    return all(b["calendar"]["state"] == "synced" for b in bookings) and bookings


def expected_messages(b, staff_email):
    """{(uid, sequence, method, recipient)} the booking's history must have sent."""
    uid = f"tripod-booking-{b['id']}@tripod"
    people = ["load@example.com"] + [staff_email[s["id"]] for s in b["staff"]]
    out = {(uid, 0, "REQUEST", p) for p in people}
    if b["status"] == "cancelled":
        out |= {(uid, b["sequence"], "CANCEL", p) for p in people}
    return out


def test_sigkill_never_loses_or_repeats_a_calendar_change(make_server, radicale, sink):
    srv = make_server(env=cal_env(sink, **FAST))
    admin = srv.client(srv.token)
    photos, people = business(admin, radicale, people=("ann", "bob"))
    for _, cal, _ in people.values():
        sync(admin, cal)
    staff_email = {sid: f"{user}@example.com" for user, (sid, _, _) in people.items()}

    rnd = random.Random(11)
    # Paced: every booking means three deliveries to check afterwards.
    with Load(srv, photos, threads=2, pause=0.05) as load:
        for _ in range(CYCLES):
            time.sleep(rnd.uniform(0.05, 0.3))
            kill9(srv)
            srv.start()
        time.sleep(0.3)
    assert not load.errors, load.errors[:5]
    assert load.acked, "no booking was acknowledged"

    srv.restart()
    bookings = wait(lambda: drained(admin), timeout=240, step=1)
    assert bookings, "the outbox did not drain: " + str(
        collections.Counter(b["calendar"]["state"] for b in all_bookings(admin)))
    acked = {b["id"] for b in load.acked}
    assert acked <= {b["id"] for b in bookings}, "an acknowledged booking is missing"

    # The calendar: one event per booking, at its final SEQUENCE and STATUS.
    for b in bookings:
        ev = primary_event(radicale, b["id"])
        assert ev is not None, f"booking {b['id']} has no event on the primary calendar"
        assert int(ev.get("SEQUENCE", 0)) == b["sequence"], (b["id"], ev.get("SEQUENCE"))
        cancelled = str(ev.get("STATUS", "")).upper() == "CANCELLED"
        assert cancelled == (b["status"] == "cancelled"), (b["id"], ev.get("STATUS"))

    # The mail: each change to each attendee exactly once (by Message-ID).
    ids = collections.defaultdict(set)
    copies = 0
    for msg in sink.messages():
        method, ev = itip(msg)
        key = (str(ev["UID"]), int(ev.get("SEQUENCE", 0)), method, msg["X-Rcpt-To"])
        if msg["Message-ID"] in ids[key]:
            copies += 1
        ids[key].add(msg["Message-ID"])
    expected = set().union(*(expected_messages(b, staff_email) for b in bookings))
    assert set(ids) == expected, (sorted(set(ids) - expected)[:5], sorted(expected - set(ids))[:5])
    twice = {k: v for k, v in ids.items() if len(v) != 1}
    assert not twice, f"changes delivered as different messages: {list(twice.items())[:3]}"
    print(f"\ncrash outbox: {CYCLES} SIGKILL cycles, {len(bookings)} bookings "
          f"({sum(b['status'] == 'cancelled' for b in bookings)} cancelled), "
          f"{len(expected)} changes x recipients delivered once each; "
          f"{copies} same-Message-ID resends after a kill")
