import multiprocessing as mp
import sqlite3

import pytest

from kit.errors import KitError
from kit.store import SCHEMA_VERSION, STORE_FILE, Store, hash_token


@pytest.fixture
def ws(store):
    return store.create_workshop("Testipaja", "osallisuusverkosto", "fi")


def open_round_with_ideas(store, ws, n=6, preset="n3"):
    ideas = [store.add_idea(ws["id"], f"Idea {i}") for i in range(n)]
    rnd = store.open_round(store.create_round(ws["id"], "Dots", preset)["id"])
    return rnd, ideas


def test_a_new_store_is_a_wal_sqlite_file_or_a_postgresql_database_at_the_current_schema(tmp_path, store):
    assert store.schema_version() == SCHEMA_VERSION
    if store.postgres:
        with store._tx() as conn:
            assert conn.exec_driver_sql("SELECT current_setting('server_version_num')::int").scalar() >= 130000
            tables = {r[0] for r in conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert {"workshops", "ballots", "networks", "participants", "events"} <= tables
        assert not (tmp_path / STORE_FILE).exists()  # nothing on the laptop's disk
        return
    con = sqlite3.connect(tmp_path / STORE_FILE)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_when_the_store_is_from_a_newer_schema_then_opening_is_refused(tmp_path, store):
    with store._tx(write=True) as conn:
        conn.exec_driver_sql("UPDATE kit_meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(KitError) as e:
        Store.connect(store.url if store.postgres else None, tmp_path)
    assert e.value.code == "schema_newer"


def test_workshop_gets_a_short_readable_join_code(store, ws):
    assert len(ws["code"]) == 6 and ws["code"].isalnum() and not set(ws["code"]) & set("0O1IL")
    assert store.workshop_by_code(ws["code"].lower())["id"] == ws["id"]


def test_unknown_join_code_is_a_404(store):
    with pytest.raises(KitError) as e:
        store.workshop_by_code("ZZZZZZ")
    assert e.value.status == 404


def test_only_a_hash_of_the_participant_token_is_stored(tmp_path, store, ws):
    p, token = store.add_participant(ws["id"], "Nick", "resident", "sv")
    if store.postgres:  # every column of every table, as text
        with store._tx() as conn:
            tables = [r[0] for r in conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            raw = "".join(str(conn.exec_driver_sql(f'SELECT * FROM "{t}"').all()) for t in tables).encode()
    else:
        raw = (tmp_path / STORE_FILE).read_bytes() + (tmp_path / (STORE_FILE + "-wal")).read_bytes()
    assert token.encode() not in raw and p["token_hash"].encode() in raw
    assert p["token_hash"] == hash_token(token)
    assert store.participant_by_token(ws["id"], token)["id"] == p["id"]


def test_token_of_another_workshop_is_refused(store, ws):
    other = store.create_workshop("Toinen", "pore", "fi")
    _, token = store.add_participant(other["id"])
    with pytest.raises(KitError) as e:
        store.participant_by_token(ws["id"], token)
    assert e.value.status == 401


def test_hostile_idea_text_is_stored_exactly_as_typed(store, ws):
    for text in ["<img src=x onerror=alert(1)>", "'; DROP TABLE ideas; --"]:
        store.add_idea(ws["id"], text)
    assert [i["text"] for i in store.ideas(ws["id"])] == ["<img src=x onerror=alert(1)>", "'; DROP TABLE ideas; --"]


def test_when_idea_collection_is_closed_then_participant_ideas_are_refused(store, ws):
    p, _ = store.add_participant(ws["id"])
    store.set_ideas_open(ws["id"], False)
    with pytest.raises(KitError) as e:
        store.add_idea(ws["id"], "Myöhäinen", p["id"])
    assert e.value.code == "ideas_closed"
    assert store.ideas(ws["id"]) == []


def test_opening_a_round_fixes_its_items_and_dots(store, ws):
    rnd, ideas = open_round_with_ideas(store, ws, n=14)
    assert rnd["status"] == "open" and rnd["rules"]["dots"] == 4 and rnd["rules"]["cap"] == 3
    store.add_idea(ws["id"], "Late idea")
    assert [i["id"] for i in store.round_items(rnd["id"])] == [i["id"] for i in ideas]


def test_a_round_cannot_open_without_visible_ideas(store, ws):
    rnd = store.create_round(ws["id"], "Dots")
    with pytest.raises(KitError) as e:
        store.open_round(rnd["id"])
    assert e.value.code == "no_items_to_vote"
    assert store.round(rnd["id"])["status"] == "draft"


def test_the_last_ballot_counts_and_is_never_counted_twice(store, ws):
    rnd, ideas = open_round_with_ideas(store, ws)
    p, _ = store.add_participant(ws["id"])
    store.save_dot_ballot(rnd["id"], p["id"], {ideas[0]["id"]: 2})
    saved = store.save_dot_ballot(rnd["id"], p["id"], {ideas[1]["id"]: 1})
    assert saved["revision"] == 2
    assert store.ballot_count(rnd["id"]) == 1
    assert store.round_ballots(rnd["id"])[0]["marks"] == {ideas[1]["id"]: 1}


def test_when_round_closed_then_vote_is_refused_and_store_unchanged(store, ws):
    rnd, ideas = open_round_with_ideas(store, ws)
    p, _ = store.add_participant(ws["id"])
    store.save_dot_ballot(rnd["id"], p["id"], {ideas[0]["id"]: 1})
    store.close_round(rnd["id"])
    with pytest.raises(KitError) as e:
        store.save_dot_ballot(rnd["id"], p["id"], {ideas[1]["id"]: 2})
    assert e.value.code == "round_closed" and e.value.status == 409
    assert store.ballot_of(rnd["id"], p["id"])["dots"] == {ideas[0]["id"]: 1}


def test_when_too_many_dots_then_ballot_is_refused_and_store_unchanged(store, ws):
    rnd, ideas = open_round_with_ideas(store, ws)  # 6 ideas: 2 dots each
    p, _ = store.add_participant(ws["id"])
    with pytest.raises(KitError) as e:
        store.save_dot_ballot(rnd["id"], p["id"], {ideas[0]["id"]: 1, ideas[1]["id"]: 2})
    assert e.value.code == "too_many_dots"
    assert store.ballot_of(rnd["id"], p["id"]) is None
    assert store.ballot_count(rnd["id"]) == 0


def test_an_idea_hidden_after_opening_can_no_longer_get_dots(store, ws):
    rnd, ideas = open_round_with_ideas(store, ws)
    p, _ = store.add_participant(ws["id"])
    store.set_idea_status(ideas[0]["id"], "hidden")
    with pytest.raises(KitError) as e:
        store.save_dot_ballot(rnd["id"], p["id"], {ideas[0]["id"]: 1})
    assert e.value.code == "unknown_item"


def test_every_write_moves_the_change_counter(store, ws):
    v = store.version(ws["id"])
    store.add_idea(ws["id"], "Uusi")
    assert store.version(ws["id"]) == v + 1


def test_moderation_is_kept_in_the_event_log(store, ws):
    idea = store.add_idea(ws["id"], "Piilotettava")
    store.set_idea_status(idea["id"], "hidden")
    assert store.ideas(ws["id"])[0]["status"] == "hidden"
    assert any(e["kind"] == "idea_hidden" and e["payload"]["idea_id"] == idea["id"] for e in store.event_log(ws["id"]))


def _vote_many(args):
    path, round_id, idea_id, n = args
    s = Store.open(path)
    for _ in range(n):
        p, _ = s.add_participant(s.round(round_id)["workshop_id"])
        s.save_dot_ballot(round_id, p["id"], {idea_id: 1})
    s.close()
    return n


def test_several_processes_share_one_store_file_without_losing_a_ballot(tmp_path):
    # what happens during a workshop: the server and several Voila kernels write the same file
    store = Store.open(tmp_path)
    ws = store.create_workshop("Rinnakkain", "pore", "fi")
    rnd, ideas = open_round_with_ideas(store, ws)
    with mp.get_context("spawn").Pool(4) as pool:
        sent = sum(pool.map(_vote_many, [(str(tmp_path), rnd["id"], ideas[0]["id"], 25)] * 4))
    assert store.ballot_count(rnd["id"]) == sent == 100
    assert sum(b["marks"][ideas[0]["id"]] for b in store.round_ballots(rnd["id"])) == 100
