"""Issue 16, item 6: participants' writes go through one writer that commits what arrived together in
one transaction (a real SQLite file). A burst costs a few commits, not one per ballot; one refused write
inside a batch fails alone, its partial changes rolled back, its neighbours committed; a write is
reported done only once a separate connection can read it."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from kit.errors import KitError
from kit.store import Store


@pytest.fixture
def vote(tmp_path):
    store = Store.open(tmp_path)
    ws = store.create_workshop("Työpaja", "osallisuusverkosto")
    idea = store.add_idea(ws["id"], "Luontopolku")
    rnd = store.open_round(store.create_round(ws["id"], "Äänestys", "fixed5", idea_ids=[idea["id"]])["id"])
    people = [store.add_participant(ws["id"])[0] for _ in range(300)]
    yield store, ws, idea, rnd, people
    store.close()


def hold_writer(store, seconds: float):
    """Keep the writer busy for a moment, so that what is submitted meanwhile arrives together."""
    started = threading.Event()

    def busy():
        started.set()
        time.sleep(seconds)

    fut = store.submit(busy)
    started.wait(5)
    return fut


def test_a_burst_of_ballots_costs_a_few_commits(vote):
    store, ws, idea, rnd, people = vote
    with ThreadPoolExecutor(32) as pool:
        futures = list(pool.map(lambda p: store.submit(store.save_dot_ballot, rnd["id"], p["id"], {idea["id"]: 1},
                                                       ws["id"]), people))
        for f in futures:
            f.result(30)
    assert store.ballot_count(rnd["id"]) == 300
    assert store.batched >= 300 and store.commits < 60, (store.commits, store.batched)


def test_one_refused_write_in_a_batch_fails_alone_and_leaves_nothing(vote):
    store, ws, idea, rnd, people = vote
    before = store.commits
    gate = hold_writer(store, 0.3)

    def half_then_refuse():
        store.add_idea(ws["id"], "Tämä ei jää")  # written inside the batch, then the write is refused
        raise KitError("round_closed", status=409)

    good_before = store.submit(store.save_dot_ballot, rnd["id"], people[0]["id"], {idea["id"]: 1}, ws["id"])
    bad = store.submit(half_then_refuse)
    too_many = store.submit(store.save_dot_ballot, rnd["id"], people[1]["id"], {idea["id"]: 99}, ws["id"])
    good_after = store.submit(store.save_dot_ballot, rnd["id"], people[2]["id"], {idea["id"]: 1}, ws["id"])
    gate.result(5)
    assert good_before.result(5)["dots"] and good_after.result(5)["dots"]
    with pytest.raises(KitError) as err:
        bad.result(5)
    assert err.value.code == "round_closed"
    with pytest.raises(KitError) as err:
        too_many.result(5)
    assert err.value.status == 400
    assert store.commits - before == 2  # the writer's busy moment, then the four that arrived together
    assert "Tämä ei jää" not in [i["text"] for i in store.ideas(ws["id"])]
    assert store.ballot_count(rnd["id"]) == 2


def test_a_write_is_done_only_once_another_connection_can_read_it(vote, tmp_path):
    store, ws, idea, rnd, people = vote
    other = Store.open(tmp_path)  # a second engine on the same file: another process's view
    seen = []
    called = threading.Event()

    def check(fut):
        try:
            seen.append(other.ballot_of(rnd["id"], people[5]["id"]) is not None)
        except Exception as err:  # noqa: BLE001 (shown in the assertion below)
            seen.append(repr(err))
        called.set()

    gate = hold_writer(store, 0.2)
    fut = store.submit(store.save_dot_ballot, rnd["id"], people[5]["id"], {idea["id"]: 1}, ws["id"])
    fut.add_done_callback(check)
    gate.result(5)
    fut.result(5)
    called.wait(5)  # the callback runs on the writer's thread, as the future is set
    assert seen == [True]
    other.close()


def test_a_closed_round_refuses_what_comes_after_and_keeps_what_was_acknowledged(vote):
    store, ws, idea, rnd, people = vote
    early = [store.submit(store.save_dot_ballot, rnd["id"], p["id"], {idea["id"]: 1}, ws["id"]) for p in people[:50]]
    acked = sum(1 for f in early if f.result(10))
    closed = store.submit(store.close_round, rnd["id"])
    late = [store.submit(store.save_dot_ballot, rnd["id"], p["id"], {idea["id"]: 1}, ws["id"]) for p in people[50:60]]
    closed.result(10)
    refused = 0
    for f in late:
        with pytest.raises(KitError) as err:
            f.result(10)
        refused += err.value.code == "round_closed"
    assert acked == 50 and refused == 10 and store.ballot_count(rnd["id"]) == 50


def test_ballots_over_http_are_acknowledged_after_their_commit(kit_server):
    code = kit_server.code
    store = kit_server._store
    ws = store.workshop_by_code(code)
    idea = store.add_idea(ws["id"], "Yhteislaulu")
    rnd = store.open_round(store.create_round(ws["id"], "Toinen", "fixed5", idea_ids=[idea["id"]])["id"])
    tokens = [kit_server.api("POST", f"/workshops/{code}/participants", {})[1]["token"] for _ in range(40)]
    before = store.commits
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda tk: kit_server.api("PUT", f"/workshops/{code}/rounds/{rnd['id']}/ballot",
                                                           {"dots": {str(idea["id"]): 1}}, token=tk)[0], tokens))
    assert answers == [200] * 40
    assert store.ballot_count(rnd["id"]) == 40 and store.commits - before <= 40
    store.close_round(rnd["id"])


def test_only_writes_that_keep_the_batch_memo_read_from_it_so_a_write_sees_its_own_changes(vote):
    """A burst of ballots reads the workshop once per batch; a write that changes the workshop and
    reads it again, in the same batch, sees what it changed."""
    store, ws, idea, rnd, people = vote

    def ballot(p):
        store.workshop_by_code(ws["code"])
        return store.save_ballot(rnd["id"], p["id"], {"dots": {str(idea["id"]): 1}}, ws["id"])

    ballot.keeps_batch_memo = True

    def close_and_read():
        store.workshop_by_code(ws["code"])
        store.set_setting(ws["id"], "closed", True)
        return store.workshop_by_code(ws["code"])["settings"].get("closed")

    blocker = hold_writer(store, 0.3)
    futs = [store.submit(ballot, people[0]), store.submit(close_and_read), store.submit(ballot, people[1])]
    blocker.result(5)
    assert futs[1].result(5) is True  # not the row the ballot before it read
    assert [f.result(5)["revision"] for f in (futs[0], futs[2])] == [1, 1]
    assert store.ballot_count(rnd["id"]) == 2
