"""Issue 16: the Run view's actions (kit/ui/run.py) on a real store, without a browser: stepping the
room, each activity's controls, editing, the pairing code only on the desk, and what the projector's
stage shows for each activity type (everything typed escaped)."""

import pytest

from kit import sample
from kit.errors import KitError
from kit.ui.run import RunApp, stage_html


@pytest.fixture
def app(store):
    ws = sample.load_demo(store)
    return RunApp(store, ws["code"], "fi", poll=False)


def kinds(app):
    return [a["type"] for a in app.state["activities"]]


def test_next_and_previous_step_the_room_and_refuse_past_the_ends(app):
    assert app.state["position"] == 1 and app.prev_btn.disabled
    app.next()
    assert app.state["current"]["type"] == kinds(app)[1]
    app.previous()
    with pytest.raises(KitError) as err:
        app.previous()
    assert err.value.code == "agenda_start"
    app.go(len(kinds(app)))
    assert app.next_btn.disabled
    app._guard(app.next)
    assert "viimeinen" in app.message.value


def test_a_vote_started_from_the_run_view_belongs_to_its_activity_and_closes_when_left(app):
    app.go(kinds(app).index("vote") + 1)
    assert [c for c in app.controls.children if "kit-run-start-vote" in getattr(c, "_dom_classes", ())]
    rnd = app.start_vote()
    assert app.state["current"]["config"]["round_id"] == rnd["id"] and rnd["status"] == "open"
    assert "data-activity='vote'" in app.stage.value
    app.reveal(True)
    app.next()
    assert app.store.round(rnd["id"])["status"] == "closed"


def test_the_form_activity_opens_the_ready_questions_and_its_results_show(app):
    app.go(kinds(app).index("form") + 1)
    form = app.open_form()
    assert form["status"] == "open" and len(form["questions"]) >= 3
    assert app.store.open_form(app.ws["id"])["id"] == form["id"]
    app.next()
    assert app.store.forms(app.ws["id"])[-1]["status"] == "closed"


def test_editing_adds_after_the_current_one_moves_duplicates_and_removes(app):
    app.go(2)
    added = app.add_activity("questions")
    assert kinds(app)[2] == "questions"
    app.shift(added["id"], -1)
    assert kinds(app)[1] == "questions"
    app.save_activity(added["id"], "Kysy meiltä", 7)
    act = next(a for a in app.state["activities"] if a["id"] == added["id"])
    assert act["title"] == {"fi": "Kysy meiltä"} and act["minutes"] == 7
    app.duplicate(added["id"])
    assert kinds(app).count("questions") == 3
    app.remove(added["id"])
    assert added["id"] not in [a["id"] for a in app.state["activities"]]


def test_the_pairing_code_is_shown_on_the_desk_only(app):
    code = app.pair()
    assert code.isdigit() and code in app.pair_box.value and "/kit/remote/" in app.pair_box.value
    app.set_screen("dark")
    with pytest.raises(KitError) as err:
        app.pair()
    assert err.value.code == "pair_on_desk"


def test_the_stage_escapes_what_participants_typed(app):
    store, wid = app.store, app.ws["id"]
    p, _ = store.add_participant(wid)
    app.go(kinds(app).index("words") + 1)
    store.add_word(wid, p["id"], "<img src=x>")
    assert "<img src=x>" not in str(stage_html(store, app.ws, "fi")) and "&lt;img src=x&gt;" in str(stage_html(store, app.ws, "fi"))
    app.go(kinds(app).index("questions") + 1)
    store.add_question(wid, p["id"], "<script>alert(1)</script>")
    html = str(stage_html(store, app.ws, "sv"))
    assert "<script>" not in html and "&lt;script&gt;" in html and "data-activity='questions'" in html
    app.go(kinds(app).index("ideas") + 1)
    store.add_idea(wid, "<b>lihava</b>")
    assert "&lt;b&gt;lihava&lt;/b&gt;" in str(stage_html(store, app.ws, "en"))
    for position in range(1, len(kinds(app)) + 1):  # every activity of the demo draws
        app.go(position)
        assert f"data-activity='{app.state['current']['type']}'" in app.stage.value


def _find(box, cls):
    """Every widget under `box` carrying the CSS class `cls` (the controls nest boxes)."""
    out = []
    for c in getattr(box, "children", ()):
        if cls in getattr(c, "_dom_classes", ()):
            out.append(c)
        out += _find(c, cls)
    return out


def test_a_budgeting_vote_is_set_up_and_started_from_the_run_view_over_the_ticked_projects(app):
    store, wid = app.store, app.ws["id"]
    app.go(kinds(app).index("vote") + 1)
    setup = app.vote_setup
    setup.method.value = "pb"
    assert setup.start_btn.description == "Aloita budjetointi" and setup.method_box.children == (setup.pb_box,)
    costed = sorted(i["id"] for i in store.ideas(wid) if i["status"] == "visible" and i.get("cost"))
    assert sorted(setup.chosen) == costed and len(costed) >= 3  # budgeting starts from the costed projects
    # a budget that is not an amount: refused in Finnish, no round made, the activity still waits
    setup.budget.value = "paljon"
    before = len(store.rounds(wid))
    _find(app.controls, "kit-run-start-vote")[0].click()
    assert "kit-msg" in app.message.value and len(store.rounds(wid)) == before
    assert not app.state["current"]["config"].get("round_id")
    # one project unticked on the checklist, a real budget: the vote opens over exactly the ticked ones
    setup.item_boxes[costed[0]].value = False
    setup.budget.value = "50000"
    _find(app.controls, "kit-run-start-vote")[0].click()
    rnd = store.round(app.state["current"]["config"]["round_id"])
    assert rnd["method"] == "pb" and rnd["status"] == "open" and float(rnd["rules"]["budget"]) == 50000
    assert sorted(i["id"] for i in store.round_items(rnd["id"])) == costed[1:]
    # its title is the activity's in each reader's language, and the controls now reveal and close it
    assert rnd["rules"]["titles"] == {"fi": "Äänestys", "sv": "Omröstning", "en": "Vote"}
    assert _find(app.controls, "kit-run-reveal") and _find(app.controls, "kit-run-close-vote")
    assert not _find(app.controls, "kit-run-start-vote")


def test_another_vote_activity_starts_its_setup_again_from_its_own_method(app):
    app.go(kinds(app).index("vote") + 1)
    app.vote_setup.method.value = "ranking"
    app.vote_setup.choose_items("none")
    added = app.add_activity("vote")
    app.store.update_agenda_item(app.ws["id"], added["id"], config={"method": "approval"})
    app.go(next(i for i, a in enumerate(app.state["activities"]) if a["id"] == added["id"]) + 1)
    assert app.vote_setup.method.value == "approval" and app.vote_setup.chosen  # the default items again


def test_suggestions_from_the_room_are_accepted_or_rejected_while_the_room_is_at_the_map(app):
    store, wid = app.store, app.ws["id"]
    p, _ = store.add_participant(wid)
    sector = store.actors(wid)[0]["sector"]
    good = store.add_actor(wid, "Nuorisotila <Kipinä>", sector, participant_id=p["id"])
    bad = store.add_actor(wid, "Väärä ehdotus", sector, participant_id=p["id"])
    app.go(kinds(app).index("map") + 1)
    rows = _find(app.controls, "kit-suggestion-row")
    assert len(rows) == 2 and "Nuorisotila &lt;Kipinä&gt;" in rows[0].children[0].value  # escaped as typed
    _find(app.controls, "kit-accept")[0].click()
    assert "Lisätty kartalle" in app.message.value
    _find(app.controls, "kit-reject")[0].click()
    status = {a["id"]: a["status"] for a in store.actors(wid, None)}
    assert status[good["id"]] == "active" and status[bad["id"]] == "rejected"
    assert not _find(app.controls, "kit-suggestion-row")
    # pressing Accept on a row drawn before another window decided it: a message, nothing changes
    app._guard(app.decide_suggestion, "actor", bad["id"], True)
    assert "kit-msg" in app.message.value and store.actors(wid, None)[-1]["status"] == "rejected"


def test_a_hurtful_idea_is_taken_off_the_projectors_wall_from_the_run_view(app):
    store, wid = app.store, app.ws["id"]
    p, _ = store.add_participant(wid)
    bad = store.add_idea(wid, "Loukkaava <i>juttu</i>", p["id"])
    app.go(kinds(app).index("ideas") + 1)
    assert "Loukkaava &lt;i&gt;juttu&lt;/i&gt;" in app.stage.value  # on the wall, escaped
    row = next(r for r in _find(app.controls, "kit-idea-row") if "Loukkaava" in r.children[0].value)
    row.children[2].click()  # Piilota
    assert store.idea(bad["id"])["status"] == "hidden" and "Loukkaava" not in app.stage.value
    # waiting ideas come first with their approve button, and one press approves once
    store.set_setting(wid, "premoderate", True)
    waiting = store.add_idea(wid, "Odottava idea", p["id"])
    app.refresh()
    first = _find(app.controls, "kit-idea-row")[0]
    assert "Odottava idea" in first.children[0].value and not first.children[1].disabled
    first.children[1].click()
    first.children[1].click()
    assert store.idea(waiting["id"])["status"] == "visible" and "Odottava idea" in app.stage.value


def test_volunteers_offers_are_accepted_from_the_run_view_while_the_room_is_at_the_tasks(app):
    store, wid = app.store, app.ws["id"]
    p, _ = store.add_participant(wid, "Aino <3")
    task = store.tasks(wid)[0]
    offer = store.add_offer(wid, task["id"], p["id"], "can_do")
    app.go(kinds(app).index("tasks") + 1)
    rows = _find(app.controls, "kit-offer-row")
    assert len(rows) == 1 and "Aino &lt;3" in rows[0].children[0].value and task["title"] in rows[0].children[0].value
    _find(app.controls, "kit-offer-accept")[0].click()
    assert store.offers(wid)[0]["status"] == "accepted" and not _find(app.controls, "kit-offer-row")
    assert "hyväksytty" in app.message.value.lower()
    app._guard(app.decide_offer, offer["id"], False)  # decided already, from another window: said, unchanged
    assert "kit-msg" in app.message.value and store.offers(wid)[0]["status"] == "accepted"


def test_the_projector_shows_the_tasks_to_volunteer_for_with_their_offers_counted_not_named(app):
    store, wid = app.store, app.ws["id"]
    task = store.tasks(wid)[0]
    for n in range(3):
        p, _ = store.add_participant(wid, f"Vapaaehtoinen{n}")
        offer = store.add_offer(wid, task["id"], p["id"], "can_help")
    store.decide_offer(offer["id"], True)
    app.go(kinds(app).index("tasks") + 1)
    html = str(stage_html(store, app.ws, "fi"))
    assert f"data-task='{task['id']}'" in html and "3 tarjousta, vahvistettu 1" in html
    assert "Vapaaehtoinen" not in html  # who offered stays on the desk
    assert len(store.tasks(wid)) == html.count("data-task=")
