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
