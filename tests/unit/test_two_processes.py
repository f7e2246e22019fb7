"""Issue 18, item 2: what two kit processes may do at the same moment is made safe by the database, not
by a lock in one process. Two real OS processes, each with its own Store (its own connections) on one
real PostgreSQL database, released together by a barrier, many times over: a ballot replaced from both,
Next pressed on two devices, "next meeting" pressed twice."""

import multiprocessing as mp

import pytest

from kit.errors import KitError
from kit.store import Store
from tests import pg

ROUNDS = 25  # each race is run this many times


@pytest.fixture
def url():
    u = pg.fresh_database()
    yield u
    pg.drop_database(u)


def _race(url: str, barrier, job: str, args: tuple, out) -> None:
    store = Store.connect(url)
    results = []
    for n in range(ROUNDS):
        barrier.wait(30)
        if job == "ballot":
            round_id, pid, ideas = args
            store.save_ballot(round_id, pid, {"choices": [ideas[n % len(ideas)]]})
            results.append(None)
        elif job == "next":
            wid = args[0]
            state = store.agenda_state(wid)
            before = state["current"]["id"] if state["current"] else None
            barrier.wait(30)  # both have seen the same room before either presses
            try:
                after = store.move_room(wid, move="next", from_id=before)["current"]["id"]
            except KitError as err:  # the room moved on from another window: nothing changed
                after = err.code
            results.append((before, after))
        elif job == "meeting":
            ws, made = store.next_meeting(args[n])
            results.append((ws["id"], made))
        elif job == "code":  # two devices present the same voting code at once
            round_id, pid, idea, codes = args
            try:
                store.save_ballot(round_id, pid[n], {"choices": [idea], "code": codes[n]})
                results.append("voted")
            except KitError as err:
                results.append(err.code)
    out.put(results)
    store.close()


def run_twice(url: str, job: str, args_a: tuple, args_b: tuple | None = None) -> list[list]:
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_race, args=(url, barrier, job, a, out)) for a in (args_a, args_b or args_a)]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    return results


def test_a_ballot_replaced_from_two_processes_at_once_is_one_ballot(url):
    store = Store.connect(url)
    ws = store.create_workshop("Kaksi prosessia", "pore", "fi")
    ideas = [store.add_idea(ws["id"], t)["id"] for t in ("Valot", "Penkit", "Polku")]
    rnd = store.create_round(ws["id"], "Hyväksyntä", method="approval", options={"max_choices": 1})
    store.open_round(rnd["id"])
    p, _ = store.add_participant(ws["id"])
    run_twice(url, "ballot", (rnd["id"], p["id"], ideas[:2]), (rnd["id"], p["id"], ideas[1:]))
    assert store.ballot_count(rnd["id"]) == 1  # replaced, never doubled
    (only,) = store.round_ballots(rnd["id"])
    assert len(only["marks"]) == 1  # one ballot with one choice: whole, never two writes mixed
    assert store.ballot_of(rnd["id"], p["id"])["revision"] == 2 * ROUNDS  # each replacement counted, none lost
    store.close()


def test_next_pressed_on_two_devices_at_once_moves_the_room_once(url):
    store = Store.connect(url)
    ws = store.create_workshop("Kaksi kaukosäädintä", "pore", "fi")
    store.save_agenda(ws["id"], [{"type": "slide", "title": f"Dia {n}"} for n in range(ROUNDS + 5)])
    store.move_room(ws["id"], position=1)
    a, b = run_twice(url, "next", (ws["id"],))
    for (before_a, after_a), (before_b, after_b) in zip(a, b):
        assert before_a == before_b  # both saw one room...
        assert sorted([after_a == "agenda_moved", after_b == "agenda_moved"]) == [False, True]  # one moved it,
        # the other was told the room had moved on
        assert {after_a, after_b} - {"agenda_moved"} != {before_a}
    items = [x["id"] for x in store.agenda(ws["id"])]
    assert store.agenda_state(ws["id"])["current"]["id"] == items[ROUNDS]  # 25 double presses, 25 moves
    store.close()


def test_next_meeting_pressed_twice_at_once_makes_one_meeting(url):
    store = Store.connect(url)
    firsts = [store.create_workshop(f"Verkosto {n}", "kulttuurifoorumi", "fi")["id"] for n in range(ROUNDS)]
    a, b = run_twice(url, "meeting", tuple(firsts))
    for (wid_a, made_a), (wid_b, made_b) in zip(a, b):
        assert wid_a == wid_b and made_a != made_b  # one made it, the other was given the same meeting
    assert all(len(n["meetings"]) == 2 for n in store.networks())
    store.close()


def test_a_voting_code_presented_by_two_devices_at_once_unlocks_one_ballot(url):
    store = Store.connect(url)
    ws = store.create_workshop("Koodit", "pore", "fi")
    idea = store.add_idea(ws["id"], "Valot")["id"]
    rnd = store.create_round(ws["id"], "Julkinen", method="approval")
    codes = store.issue_codes(rnd["id"], ROUNDS)
    store.open_round(rnd["id"])
    devices = [[store.add_participant(ws["id"])[0]["id"] for _ in range(ROUNDS)] for _ in range(2)]
    a, b = run_twice(url, "code", (rnd["id"], devices[0], idea, codes), (rnd["id"], devices[1], idea, codes))
    for x, y in zip(a, b):
        assert sorted([x, y]) == ["voted", "voting_code_used"]  # one device voted, the other was refused
    assert store.ballot_count(rnd["id"]) == ROUNDS
    assert store.code_counts(rnd["id"]) == {"issued": ROUNDS, "used": ROUNDS}
    store.close()
