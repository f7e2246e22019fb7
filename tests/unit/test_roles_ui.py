"""The roles page driven without a browser: the grid, the checks, coverage and workload update."""

import pytest

from kit.ui.roles import RolesApp

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def ws(store):
    return store.create_workshop("Roolit", "osallisuusverkosto", "en")


def test_grid_letters_drive_the_checks(store, ws):
    app = RolesApp(store, code=ws["code"], lang="en", poll=False)
    app.holder_name.value = "Sote A"
    app.holder_btn.click()
    app.holder_name.value, app.holder_kind.value = "Coordination group", "group"
    app.holder_btn.click()
    app.task_title.value = HOSTILE
    app.task_btn.click()
    (task,) = store.tasks(ws["id"])
    h1, h2 = store.holders(ws["id"])
    assert "nobody is accountable" in app.checks.value and HOSTILE not in app.checks.value
    app.cells[(task["id"], h2["id"])].value = "A"
    assert "has no named chair" in app.checks.value
    app.cells[(task["id"], h1["id"])].value = "A"
    assert "2 accountable" in app.checks.value
    app.cells[(task["id"], h2["id"])].value = "R"
    assert store.assignments(ws["id"]) == {(task["id"], h1["id"]): "A", (task["id"], h2["id"]): "R"}
    assert "nobody is accountable" not in app.checks.value and "no responsible person" in app.checks.value
    app.responsible.value = h1["id"]
    app.plan_btn.click()
    assert "no responsible person" not in app.checks.value


def test_standard_tasks_coverage_and_workload(store, ws):
    app = RolesApp(store, code=ws["code"], lang="en", poll=False)
    app.add_standard_tasks()
    assert len(store.tasks(ws["id"])) == 10 and "10 tasks added" in app.message.value
    assert {x["section"] for x in store.tasks(ws["id"])} >= {"need_for_change", "budget", "networks"}
    app.add_standard_tasks()
    assert len(store.tasks(ws["id"])) == 10  # once each
    assert "nobody has it (a gap)" in app.coverage_html.value
    h = app.add_holder("Resident", unpaid=True)
    app.level_cells[(h["id"], "nature_methods")].value = 2
    assert store.levels(ws["id"]) == {(h["id"], "nature_methods"): 2}
    assert "Nature-based methods: only one holder" in app.coverage_html.value
    first = store.tasks(ws["id"])[0]
    app.cells[(first["id"], h["id"])].value = "AR"
    assert "Resident" in app.workload_html.value and "Resident" in app.actions_html.value


def test_offers_from_devices_are_accepted_into_the_grid(store, ws):
    p, _ = store.add_participant(ws["id"], "Ville", "resident")
    t = store.add_task(ws["id"], "Retki")
    store.add_offer(ws["id"], t["id"], p["id"], "can_do", {"nature_methods": 1})
    app = RolesApp(store, code=ws["code"], lang="en", poll=False)
    assert "Ville: can do this" in app.offers_box.children[0].children[0].value
    app.offers_box.children[0].children[1].click()
    h = store.holders(ws["id"])[0]
    assert app.cells[(t["id"], h["id"])].value == "R"
    assert "No offers waiting" in app.offers_box.children[0].value


def test_accepting_an_offer_confirms_what_it_did_not_the_map(store, ws):
    """Accepting a volunteer said "Added to the map." (issue 15, item 5)."""
    p, _ = store.add_participant(ws["id"], "Ville", "resident")
    t = store.add_task(ws["id"], "Retki")
    offer = store.add_offer(ws["id"], t["id"], p["id"], "can_do")
    app = RolesApp(store, code=ws["code"], lang="fi", poll=False)
    app.decide(offer["id"], True)
    assert "Tarjous hyväksytty" in app.message.value and "kartalle" not in app.message.value
    other = store.add_offer(ws["id"], t["id"], store.add_participant(ws["id"])[0]["id"], "can_help")
    app.decide(other["id"], False)
    assert "Tarjous hylätty" in app.message.value and "Ehdotus" not in app.message.value


def test_a_removed_holder_stays_in_the_grid_until_their_tasks_move(store, ws):
    app = RolesApp(store, code=ws["code"], lang="en", poll=False)
    h = app.add_holder("Leaving")
    t = app.add_task("Keep going")
    app.cells[(t["id"], h["id"])].value = "AR"
    app.remove_holder(h["id"])
    assert (t["id"], h["id"]) in app.cells and "was removed but still holds" in app.checks.value
