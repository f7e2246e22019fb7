"""Stage 3 in the store: holders, tasks, letters, competences, offers from devices, the plan."""

import pytest

from kit import roles
from kit.errors import KitError


@pytest.fixture
def ws(store):
    return store.create_workshop("Roolit", "osallisuusverkosto", "fi")


def test_letters_one_per_holder_with_a_plus_r(store, ws):
    h = store.add_holder(ws["id"], "Sote A")
    t = store.add_task(ws["id"], "Kutsu koolle")
    store.set_letter(t["id"], h["id"], "r+a")
    assert store.assignments(ws["id"]) == {(t["id"], h["id"]): "AR"}
    with pytest.raises(KitError) as err:
        store.set_letter(t["id"], h["id"], "RC")
    assert err.value.code == "bad_letter"
    store.set_letter(t["id"], h["id"], "")
    assert store.assignments(ws["id"]) == {}


def test_two_a_are_stored_and_reported_not_lost(store, ws):
    a, b = store.add_holder(ws["id"], "A"), store.add_holder(ws["id"], "B")
    t = store.add_task(ws["id"], "Tehtävä")
    store.set_letter(t["id"], a["id"], "A")
    store.set_letter(t["id"], b["id"], "A")
    d = store.roles_data(ws["id"])
    assert ("many_a", t["id"]) in {(f.code, f.task) for f in roles.check_raci(d["tasks"], d["holders"], d["assignments"])}


def test_a_removed_holder_keeps_their_tasks_flagged(store, ws):
    a = store.add_holder(ws["id"], "Lähtijä")
    t = store.add_task(ws["id"], "Tehtävä")
    store.set_letter(t["id"], a["id"], "AR")
    store.update_holder(a["id"], removed=True)
    d = store.roles_data(ws["id"])
    assert d["assignments"] == {(t["id"], a["id"]): "AR"}
    assert "removed_holder" in {f.code for f in roles.check_raci(d["tasks"], d["holders"], d["assignments"])}


def test_competences_outside_the_template_are_added_explicitly(store, ws):
    h = store.add_holder(ws["id"], "Taiteilija")
    with pytest.raises(KitError) as err:
        store.set_level(h["id"], "sirkus", 2)
    assert err.value.code == "unknown_competence"
    store.add_competence(ws["id"], "Sirkus")
    store.set_level(h["id"], "sirkus", 2)
    assert store.levels(ws["id"]) == {(h["id"], "sirkus"): 2}


def test_offers_from_devices_become_holders_and_letters(store, ws):
    p, _ = store.add_participant(ws["id"], "Ville", "resident")
    t1 = store.add_task(ws["id"], "Retken suunnittelu")
    t2 = store.add_task(ws["id"], "Tiedotus")
    o1 = store.add_offer(ws["id"], t1["id"], p["id"], "can_do", {"nature_methods": 2})
    o2 = store.add_offer(ws["id"], t2["id"], p["id"], "can_help")
    with pytest.raises(KitError):
        store.add_offer(ws["id"], t2["id"], p["id"], "can_help", {"juggling": 1})
    h = store.decide_offer(o1["id"], True)
    assert h["name"] == "Ville" and h["unpaid"]
    assert store.decide_offer(o2["id"], True)["id"] == h["id"]  # one holder per participant
    assert store.assignments(ws["id"]) == {(t1["id"], h["id"]): "R", (t2["id"], h["id"]): "C"}
    assert store.levels(ws["id"]) == {(h["id"], "nature_methods"): 2}
    with pytest.raises(KitError):
        store.decide_offer(o1["id"], True)


def test_a_client_who_volunteers_is_marked_unpaid_as_residents_are_and_a_professional_is_not(store, ws):
    task = store.add_task(ws["id"], "Retken suunnittelu")
    holders = {}
    for group in ("client", "sote_professional"):
        p, _ = store.add_participant(ws["id"], f"Osallistuja {group}", group)
        holders[group] = store.decide_offer(store.add_offer(ws["id"], task["id"], p["id"], "can_help")["id"], True)
    assert holders["client"]["unpaid"] and not holders["sote_professional"]["unpaid"]


def test_plan_canvas_checks_its_fields(store, ws):
    store.set_plan(ws["id"], need_for_change="Yksinäisyys", budget="5 000,50")
    assert store.plan(ws["id"])["budget"] == "5000.50"
    with pytest.raises(KitError):
        store.set_plan(ws["id"], budget="paljon")
    with pytest.raises(KitError):
        store.set_plan(ws["id"], colour="red")


def test_task_fields_are_checked(store, ws):
    with pytest.raises(KitError):
        store.add_task(ws["id"], "X", section="party")
    with pytest.raises(KitError) as err:
        store.add_task(ws["id"], "X", due="31.12.2026")
    assert err.value.code == "bad_date"
    t = store.add_task(ws["id"], "X", effort=3, due="2026-12-31")
    assert store.update_task(t["id"], done=True)["done"]
