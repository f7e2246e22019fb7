"""Backup and restore of a whole workshop: `kit backup` / `kit restore` and the store methods behind them."""

import json
import subprocess
import sys

import pytest

from kit import sample
from kit.errors import KitError
from kit.store import SCHEMA_VERSION, Store


@pytest.fixture
def demo(tmp_path):
    store = Store.open(tmp_path / "original")
    ws = sample.load_demo(store)
    p, _ = store.add_participant(ws["id"], "<b>Nimi</b>", "resident", "sv")
    idea = store.add_idea(ws["id"], "<img src=x onerror=alert(1)>", p["id"])
    store.set_idea_status(idea["id"], "hidden")
    rnd = store.open_round(store.create_round(ws["id"], "Toinen", "fixed5")["id"])
    first = store.round_items(rnd["id"])[0]["id"]
    store.save_dot_ballot(rnd["id"], p["id"], {first: 3})
    for _ in range(2):  # a paper ballot, entered twice alike
        store.enter_paper_ballot(rnd["id"], "P-1", {"dots": {str(first): 2}}, "resident")
    store.enter_paper_ballot(rnd["id"], "P-2", {"dots": {str(first): 1}})  # entered once: not counted yet
    a = store.add_idea(ws["id"], "Retki suolle")
    b = store.add_idea(ws["id"], "Suoretki")
    store.merge_ideas(a["id"], [b["id"]])
    store.reject_idea(store.add_idea(ws["id"], "Kuu")["id"], "Ei toteutettavissa")
    x = store.add_actor(ws["id"], "Kirjasto", "culture_practitioner", influence=4)
    y = store.add_actor(ws["id"], "<b>Seurakunta</b>", "parish", participant_id=p["id"])
    store.add_link(ws["id"], x["id"], y["id"], "cooperation", bidirectional=True)
    store.take_snapshot(ws["id"], "Alku")
    h = store.add_holder(ws["id"], "Koordinaatioryhmä", "group", chair="Puheenjohtaja")
    task = store.add_task(ws["id"], "Budjetti", "budget", effort=3, due="2026-12-01")
    store.set_letter(task["id"], h["id"], "AR")
    store.set_level(h["id"], "co_development", 2)
    store.add_term(h["id"], "budget_owner", "2026-01-01")
    offer = store.add_offer(ws["id"], task["id"], p["id"], "can_help", {"facilitation": 1})
    store.decide_offer(offer["id"], True)
    store.update_task(task["id"], deputy_id=h["id"])
    a = store.add_node(ws["id"], "activity", "Luontoiltapäivät", task_id=task["id"])
    o = store.add_node(ws["id"], "outcome_short", "Kuuluminen", thl=["communities_influence"])
    store.add_lm_edge(a["id"], o["id"])
    store.save_indicator(ws["id"], {"name": "Kuuluminen", "node": o["id"], "owner_task": task["id"]})
    form = store.create_form(ws["id"], "Palaute", [{"kind": "scale", "text": "Kuuluin ryhmään"},
                                                    {"kind": "text", "text": "Kerro"}], 3)
    store.set_form_status(form["id"], "open")
    store.save_response(form["id"], p["id"], {"q1": 4, "q2": "<b>Hyvä</b>"})
    store.approve_answer(form["id"], store.responses(form["id"])[0]["id"], "q2")
    store.log_activity(ws["id"], "2027-05-12", "Luontoiltapäivä", {"resident": 5}, 6, node_id=a["id"])
    store.set_interest(ws["id"], store.activities(ws["id"])[0]["id"], p["id"], "organise", True)
    # the run of show: a vote tied to its round, a form to its form, the warm-up's words, a question and its vote
    acts = {a["type"]: a["id"] for a in store.agenda(ws["id"])}
    store.update_agenda_item(ws["id"], acts["vote"], config={"round_id": rnd["id"]})
    store.update_agenda_item(ws["id"], acts["form"], config={"form_id": form["id"]})
    store.move_room(ws["id"], position=[a["type"] for a in store.agenda(ws["id"])].index("words") + 1)
    store.add_word(ws["id"], p["id"], "Yhteisö")
    store.move_room(ws["id"], position=[a["type"] for a in store.agenda(ws["id"])].index("questions") + 1)
    q = store.add_question(ws["id"], p["id"], "<b>Milloin?</b>")
    store.vote_question(ws["id"], q["id"], p["id"])
    # a public vote with voting codes, one used; feedback on a published tray's activity
    coded = store.create_round(ws["id"], "Koodeilla", method="approval", idea_ids=[first])
    codes = store.issue_codes(coded["id"], 2)
    store.open_round(coded["id"])
    store.save_ballot(coded["id"], p["id"], {"choices": [first], "code": codes[0]})
    store.publish_tray(ws["id"], True)
    store.add_tray_feedback(store.network_of(ws["id"])["id"], store.activities(ws["id"])[0]["id"], "good", "<i>Kiva</i>")
    yield store, ws
    store.close()


def without_tokens(doc):
    doc = json.loads(json.dumps(doc))
    doc.pop("saved_at")
    doc["tables"]["events"] = [e for e in doc["tables"]["events"] if e["kind"] != "workshop_restored"]
    return doc


def test_restoring_into_an_empty_folder_gives_an_identical_workshop(tmp_path, demo):
    store, ws = demo
    doc = store.dump_workshop(ws["id"])
    rounds = store.rounds(ws["id"])
    assert {k: len(v) for k, v in doc["tables"].items()} == {
        "participants": len(store.participants(ws["id"])), "ideas": len(store.ideas(ws["id"])),
        "rounds": len(rounds), "round_items": sum(len(store.round_items(r["id"])) for r in rounds),
        "ballots": sum(store.ballot_count(r["id"]) for r in rounds),
        "ballot_marks": sum(len(b["marks"]) for r in rounds for b in store.round_ballots(r["id"])),
        "paper_entries": sum(len(store.paper_entries(r["id"])) for r in rounds),
        "actors": len(store.actors(ws["id"], None)), "links": len(store.links(ws["id"], None)),
        "snapshots": len(store.snapshots(ws["id"])),
        "holders": len(store.holders(ws["id"])), "tasks": len(store.tasks(ws["id"])),
        "assignments": len(store.assignments(ws["id"])), "competence_levels": len(store.levels(ws["id"])),
        "terms": len(store.terms(ws["id"])), "offers": len(store.offers(ws["id"])),
        "lm_nodes": len(store.logic_model(ws["id"])[0]), "lm_edges": len(store.logic_model(ws["id"])[1]),
        "indicators": len(store.indicators(ws["id"])), "forms": len(store.forms(ws["id"])),
        "responses": sum(len(store.responses(f["id"])) for f in store.forms(ws["id"])),
        "activity_log": len(store.activity_log(ws["id"])),
        "activities": len(store.activities(ws["id"], None)),
        "tray_interests": sum(sum(c.values()) for c in store.interest_counts(ws["id"]).values()),
        "events": len(store.event_log(ws["id"])), "agenda_items": len(store.agenda(ws["id"])),
        "words": len(store.words(ws["id"])), "questions": len(store.questions(ws["id"])),
        "question_votes": sum(q["votes"] for q in store.questions(ws["id"])),
        "action_reviews": len(store.action_reviews(ws["id"])),
        "voting_codes": sum(store.code_counts(r["id"])["issued"] for r in rounds),
        "code_uses": sum(store.code_counts(r["id"])["used"] for r in rounds),
        "tray_feedback": sum(f["n"] for f in store.tray_feedback(ws["id"]).values())}
    assert doc["tables"]["voting_codes"] and doc["tables"]["code_uses"] and doc["tables"]["tray_feedback"]
    assert doc["tables"]["words"] and doc["tables"]["question_votes"]
    assert doc["tables"]["activities"] and doc["tables"]["tray_interests"]
    assert doc["tables"]["actors"] and doc["tables"]["links"] and doc["tables"]["snapshots"]
    assert doc["tables"]["paper_entries"] and any(i["merged_into"] for i in doc["tables"]["ideas"])
    assert any(p["nickname"] == "<b>Nimi</b>" for p in doc["tables"]["participants"])
    assert [p["kind"] for p in doc["tables"]["participants"]].count("paper") == 1
    target = Store.open(tmp_path / "restored")
    restored = target.restore_workshop(json.loads(json.dumps(doc)))
    assert without_tokens(target.dump_workshop(restored["id"])) == without_tokens(doc)
    assert target.event_log(restored["id"])[-1]["kind"] == "workshop_restored"


def test_a_backup_holds_no_device_tokens_and_restored_devices_join_again(tmp_path, demo):
    store, ws = demo
    p, token = store.add_participant(ws["id"])
    doc = store.dump_workshop(ws["id"])
    text = json.dumps(doc)
    assert "token" not in text and p["token_hash"] not in text
    target = Store.open(tmp_path / "restored")
    target.restore_workshop(doc)
    with pytest.raises(KitError) as e:
        target.participant_by_token(ws["id"], token)
    assert e.value.code == "not_joined"


def test_restoring_next_to_other_workshops_renumbers_and_keeps_the_links(tmp_path, demo):
    store, ws = demo
    doc = store.dump_workshop(ws["id"])
    target = Store.open(tmp_path / "busy")
    target.create_workshop("Ensimmäinen paja", "pore", "fi")  # ids 1 and 2 taken
    other = target.create_workshop("Toinen paja", "pore", "fi")
    target.add_participant(other["id"])
    target.add_idea(other["id"], "Vie id 1")
    restored = target.restore_workshop(doc)
    assert restored["id"] != ws["id"]
    closed = target.rounds(restored["id"])[0]
    ballots = target.round_ballots(closed["id"])
    texts = {i["id"]: i["text"] for i in target.round_items(closed["id"])}
    got = sorted((texts[i], n) for b in ballots for i, n in b["marks"].items())
    orig_texts = {i["id"]: i["text"] for i in store.round_items(store.rounds(ws["id"])[0]["id"])}
    want = sorted((orig_texts[i], n) for b in store.round_ballots(store.rounds(ws["id"])[0]["id"])
                  for i, n in b["marks"].items())
    assert got == want and got
    assert len(target.ideas(other["id"])) == 1  # the other workshop is untouched


def test_a_workshop_already_there_is_never_overwritten_silently(tmp_path, demo):
    store, ws = demo
    doc = store.dump_workshop(ws["id"])
    before = store.dump_workshop(ws["id"])
    with pytest.raises(KitError) as e:
        store.restore_workshop(doc)
    assert e.value.code == "backup_exists" and ws["code"] in e.value.message("fi")
    assert without_tokens(store.dump_workshop(ws["id"])) == without_tokens(before)
    restored = store.restore_workshop(doc, replace=True)
    # the meeting comes back as a network of its own; the demo's first meeting is untouched
    assert len(store.workshops()) == 2 and restored["code"] == ws["code"]
    assert store.network_of(restored["id"])["home_id"] == restored["id"]


@pytest.mark.parametrize("doc, code", [
    ([1, 2], "not_a_backup"),
    ({"format": "something-else"}, "not_a_backup"),
    ({"format": "codesign-kit-backup", "schema_version": SCHEMA_VERSION + 1, "workshop": {}, "tables": {}},
     "schema_newer"),
    ({"format": "codesign-kit-backup", "schema_version": SCHEMA_VERSION, "workshop": {"id": 1}, "tables": {}},
     "not_a_backup"),
])
def test_a_foreign_or_newer_backup_is_refused_and_nothing_changes(tmp_path, doc, code):
    target = Store.open(tmp_path)
    with pytest.raises(KitError) as e:
        target.restore_workshop(doc)
    assert e.value.code == code
    assert target.workshops() == []


def kit(*args, env_lang="fi"):
    import os

    return subprocess.run([sys.executable, "-m", "kit", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "KIT_LANG": env_lang})


def test_kit_backup_and_restore_commands_round_trip(tmp_path, demo):
    store, ws = demo
    out = tmp_path / "paja.json"
    done = kit("backup", "--data", tmp_path / "original", "--out", out)
    assert done.returncode == 0, done.stderr
    again = kit("backup", "--data", tmp_path / "original", "--out", out, env_lang="en")
    assert again.returncode == 1 and "already exists" in again.stderr
    done = kit("restore", "--data", tmp_path / "copy", out)
    assert done.returncode == 0 and ws["code"] in done.stdout and "2 meeting(s)" in done.stdout
    copy = Store.open(tmp_path / "copy")  # the whole network, both meetings
    assert without_tokens(copy.dump_network(copy.workshops()[0]["id"])) == \
        without_tokens(store.dump_network(ws["id"]))
    twice = kit("restore", "--data", tmp_path / "copy", out, env_lang="sv")
    assert twice.returncode == 1 and "--replace" in twice.stderr and "finns redan" in twice.stderr


def test_kit_restore_refuses_a_damaged_file_in_the_users_language(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "codesign-kit-backup", "schema_ver')
    done = kit("restore", "--data", tmp_path / "d", bad)
    assert done.returncode == 1 and "vioittunut" in done.stderr
    assert Store.open(tmp_path / "d").workshops() == []


def test_workshop_is_picked_by_join_code_even_when_the_code_is_all_digits(tmp_path):
    from kit.__main__ import pick_workshop
    from kit.store.schema import workshops

    store = Store.open(tmp_path)
    a = store.create_workshop("A", "pore", "fi")
    b = store.create_workshop("B", "pore", "fi")
    with store._tx(write=True) as conn:  # make B's code look like A's id
        conn.execute(workshops.update().where(workshops.c.id == b["id"]).values(code=f"{a['id']:06d}"))
    assert pick_workshop(store, f"{a['id']:06d}")["id"] == b["id"]
    assert pick_workshop(store, str(a["id"]))["id"] == a["id"]
    with pytest.raises(KitError) as e:
        pick_workshop(store, None)
    assert e.value.code == "which_workshop"


@pytest.mark.parametrize("damage", [
    lambda d: d["tables"]["ballots"][0].update(participant_id=9999),   # a ballot of nobody
    lambda d: d["tables"]["ideas"][0].update(text=None),               # a required field missing
    lambda d: d["tables"]["rounds"].append("not a row"),
])
def test_a_damaged_backup_is_refused_whole_and_nothing_is_left_behind(tmp_path, demo, damage):
    store, ws = demo
    doc = json.loads(json.dumps(store.dump_workshop(ws["id"])))
    damage(doc)
    target = Store.open(tmp_path / "target")
    with pytest.raises(KitError) as e:
        target.restore_workshop(doc)
    assert e.value.code == "not_a_backup"
    assert target.workshops() == []
    with target._tx() as conn:
        from sqlalchemy import func, select

        from kit.store.schema import ideas, participants
        assert conn.execute(select(func.count()).select_from(participants)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(ideas)).scalar() == 0


def test_a_backup_written_before_v8_restores_its_ballot_marks(tmp_path, demo):
    """Schema v1-v7 kept every method's marks in ballot_dots(dots); such a backup still restores."""
    store, ws = demo
    doc = json.loads(json.dumps(store.dump_workshop(ws["id"])))
    marks = doc["tables"].pop("ballot_marks")
    assert marks
    doc["tables"]["ballot_dots"] = [{"ballot_id": m["ballot_id"], "idea_id": m["idea_id"], "dots": m["mark"]}
                                    for m in marks]
    doc["schema_version"] = 7
    target = Store.open(tmp_path / "restored")
    restored = target.restore_workshop(doc)
    again = target.dump_workshop(restored["id"])
    assert sorted((m["ballot_id"], m["idea_id"], m["mark"]) for m in again["tables"]["ballot_marks"]) == \
        sorted((m["ballot_id"], m["idea_id"], m["mark"]) for m in marks)


def test_a_v7_store_renames_ballot_dots_and_keeps_every_mark(tmp_path, demo):
    store, ws = demo
    before = {r["id"]: store.round_ballots(r["id"]) for r in store.rounds(ws["id"])}
    with store._tx(write=True) as conn:  # put the store back as v7 had it
        conn.exec_driver_sql("ALTER TABLE ballot_marks RENAME COLUMN mark TO dots")
        conn.exec_driver_sql("ALTER TABLE ballot_marks RENAME TO ballot_dots")
        conn.exec_driver_sql("UPDATE kit_meta SET value = '7' WHERE key = 'schema_version'")
    store.close()
    again = Store.open(tmp_path / "original")
    assert again.schema_version() == SCHEMA_VERSION
    assert {r["id"]: again.round_ballots(r["id"]) for r in again.rounds(ws["id"])} == before


def test_a_v10_store_gains_the_name_for_the_minutes_and_keeps_its_participants(tmp_path, demo):
    store, ws = demo
    before = store.participants(ws["id"])
    with store._tx(write=True) as conn:  # put the store back as v10 had it
        conn.exec_driver_sql("ALTER TABLE participants DROP COLUMN minutes_name")
        conn.exec_driver_sql("UPDATE kit_meta SET value = '10' WHERE key = 'schema_version'")
    store.close()
    again = Store.open(tmp_path / "original")
    assert again.schema_version() == SCHEMA_VERSION
    after = again.participants(ws["id"])
    assert after == [{**p, "minutes_name": None} for p in before]
    again.set_minutes_name(ws["id"], after[0]["id"], "Aino")
    assert again.participants(ws["id"])[0]["minutes_name"] == "Aino"
    again.close()
