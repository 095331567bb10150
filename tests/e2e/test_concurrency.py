"""Racing agents against the real server: exactly one winner per person and
time, and an Idempotency-Key replayed under concurrency."""
import threading

from bookseed import API, MON, at, book, business, ok, staff


def race(server, n, make_request):
    """Runs MAKE_REQUEST(session) in N threads released together; returns the responses."""
    barrier = threading.Barrier(n)
    out = [None] * n

    def run(i):
        with server.client() as s:
            barrier.wait()
            out[i] = make_request(s)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_fifty_agents_one_free_person_one_winner(server, admin):
    ids = business(admin)
    staff(admin, "Pat")
    replies = race(server, 50, lambda s: book(s, at(MON, "10:00"), [ids["photos"]]))
    codes = sorted(r.status_code for r in replies)
    assert codes == [201] + [409] * 49, codes
    for r in replies:
        if r.status_code == 409:
            body = r.json()
            assert body["error"] == "slot_unavailable"
            assert at(MON, "10:00") not in [a["start"] for a in body["alternatives"]]
    listed = ok(admin.get(API + "/bookings"))["bookings"]
    assert len(listed) == 1 and listed[0]["start"] == at(MON, "10:00")


def test_two_people_two_winners_never_the_same_person(server, admin):
    ids = business(admin)
    staff(admin, "Pat")
    staff(admin, "Val")
    replies = race(server, 20, lambda s: book(s, at(MON, "10:00"), [ids["photos"]]))
    won = [r.json() for r in replies if r.status_code == 201]
    assert len(won) == 2 and sum(r.status_code == 409 for r in replies) == 18
    assert {w["staff"][0]["id"] for w in won} == {s["id"] for s in ok(admin.get(API + "/staff"))}


def test_same_idempotency_key_in_parallel_books_once(server, admin):
    ids = business(admin)
    staff(admin, "Pat")
    key = {"Idempotency-Key": "retry-storm"}
    replies = race(server, 10, lambda s: book(s, at(MON, "10:00"), [ids["photos"]], headers=key))
    assert [r.status_code for r in replies] == [201] * 10
    assert len({r.json()["id"] for r in replies}) == 1
    assert len({r.json()["manage_token"] for r in replies}) == 1
    assert len(ok(admin.get(API + "/bookings"))["bookings"]) == 1
