"""The evaluation page driven without a browser."""

import pytest

from kit.ui.evaluation import EvaluationApp


@pytest.fixture
def ws(store):
    return store.create_workshop("Arviointi", "osallisuusverkosto", "en")


def test_logic_model_checks_update_as_it_is_built(store, ws):
    app = EvaluationApp(store, code=ws["code"], lang="en", poll=False)
    act = app.add_node("activity", "Nature afternoons")
    out = app.add_node("outcome_short", "<b>Belonging</b>", ["communities_influence"])
    assert "has no input" in app.checks.value and "&lt;b&gt;Belonging&lt;/b&gt;" in app.checks.value
    inp = app.add_node("input", "Volunteers")
    res = app.add_node("output", "12 afternoons")
    for a, b in ((inp, act), (act, res), (res, out)):
        app.link(a["id"], b["id"])
    app._guard(app.link, out["id"], act["id"])
    assert "left to right" in app.message.value
    assert "has no indicator" in app.checks.value
    app.add_indicator(name="Belonging", node=out["id"], target_group="rehabilitees", unit="mean 1-5",
                      baseline="2.8", target="3.5", target_date="2027-06-30", realistic=True)
    assert "has no indicator" not in app.checks.value
    assert "<strong>SMRT</strong>" in app.ind_html.value and "an owner" in app.ind_html.value


def test_a_form_without_questions_is_refused(store, ws):
    app = EvaluationApp(store, code=ws["code"], lang="en", poll=False)
    app.form_sets.value = ()
    app.form_custom.value = ""
    app.form_btn.click()
    assert "no questions" in app.message.value and store.forms(ws["id"]) == []


def test_ready_sets_open_a_form_and_results_wait_for_the_threshold(store, ws):
    app = EvaluationApp(store, code=ws["code"], lang="en", poll=False)
    form = app.open_form("Feedback", ["own_life"], "How was the weather?", 2)
    assert [q["kind"] for q in form["questions"]] == ["scale", "scale", "text", "scale"]
    p1, _ = store.add_participant(ws["id"])
    store.save_response(form["id"], p1["id"], {"own_choice": 5})
    app.refresh()
    assert "kit-mean" not in app.results.value and "1 answer; the result shows once there are at least 2" in app.results.value
    p2, _ = store.add_participant(ws["id"])
    store.save_response(form["id"], p2["id"], {"own_choice": 3})
    app.refresh()
    assert "data-mean='4.00'" in app.results.value


def test_responses_one_per_participant_and_none_after_close(store, ws):
    from kit.errors import KitError

    form = store.create_form(ws["id"], "F", [{"kind": "scale", "text": "Q"}], 1)
    p, _ = store.add_participant(ws["id"])
    with pytest.raises(KitError) as err:
        store.save_response(form["id"], p["id"], {"q1": 3})
    assert err.value.code == "form_closed"  # a draft takes no answers
    store.set_form_status(form["id"], "open")
    store.save_response(form["id"], p["id"], {"q1": 3})
    store.save_response(form["id"], p["id"], {"q1": 5})
    assert [r["answers"] for r in store.responses(form["id"])] == [{"q1": 5}]
    with pytest.raises(KitError) as err:
        store.save_response(form["id"], p["id"], {"q1": 9})
    assert err.value.code == "scale_out_of_range"
    store.set_form_status(form["id"], "closed")
    with pytest.raises(KitError):
        store.save_response(form["id"], p["id"], {"q1": 1})
    assert [r["answers"] for r in store.responses(form["id"])] == [{"q1": 5}]


def test_activity_log_feeds_attendance_indicators(store, ws):
    app = EvaluationApp(store, code=ws["code"], lang="en", poll=False)
    app.add_indicator(name="Participations", method="attendance")
    app.log("2027-05-12", "Nature afternoon", "Resident 5, expert_by_experience 2", 6)
    app.log("2027-05-19", "Nature afternoon", "Resident 4", 6)
    assert "Activities: 2, participations: 11, staff hours: 12" in app.log_html.value
    assert "<td>11</td>" in app.ind_html.value
    app._guard(app.log, "2027-05-26", "Walk", "Aliens 3", None)
    assert "not a stakeholder group" in app.message.value and len(store.activity_log(ws["id"])) == 2
    app._guard(app.log, "26.5.2027", "Walk", "Resident 3", None)
    assert "not a date" in app.message.value


def test_ideas_and_tasks_are_offered_as_activities(store, ws):
    task = store.add_task(ws["id"], "Kesäkeidas")
    app = EvaluationApp(store, code=ws["code"], lang="en", poll=False)
    assert ("Task: Kesäkeidas", f"task:{task['id']}") in app.from_stages.options
    node = app.add_activity_from(f"task:{task['id']}")
    assert node["level"] == "activity" and node["task_id"] == task["id"]
    assert f"task:{task['id']}" not in [v for _, v in app.from_stages.options]


def test_promising_practice_checklist_is_kept(store, ws, tmp_path):
    from kit import evaluation as ev
    from kit.errors import KitError

    app = EvaluationApp(store, code=ws["code"], lang="en", poll=False)
    status, evidence = app.crit_rows["in_practice"]
    status.value, evidence.value = "met", "Run 12 times in 2027"
    app.crit_btn.click()
    assert store.plan(ws["id"])["criteria"]["in_practice"] == {"status": "met", "evidence": "Run 12 times in 2027"}
    bad = tmp_path / "criteria.yaml"
    bad.write_text("criteria: [oops")
    with pytest.raises(KitError) as err:
        ev.criteria(bad)
    assert err.value.code == "criteria_unreadable"


def test_own_questions_of_every_kind(store, ws):
    app = EvaluationApp(store, code=ws["code"], lang="en", poll=False)
    form = app.open_form("Own", [], "Did you enjoy it?\ntext: Tell us more\nchoice: Come again? | Yes | No", 5)
    assert [(q["kind"], q.get("choices")) for q in form["questions"]] == [
        ("scale", None), ("text", None), ("choice", ["Yes", "No"])]
    app._guard(app.open_form, "Bad", [], "choice: Only one option | Yes", 5)
    assert "incomplete" in app.message.value
