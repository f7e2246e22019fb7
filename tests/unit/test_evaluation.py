"""Logic model checks, SMART, feedback aggregation with suppression (domain spec §6)."""

import pytest

from kit import evaluation as ev
from kit.errors import KitError
from kit.workshop import data_path


def node(i, level, thl=()):
    return {"id": i, "level": level, "text": f"N{i}", "thl": list(thl)}


def model():
    nodes = [node(1, "input"), node(2, "activity"), node(3, "output"), node(4, "outcome_short", ["own_life"]),
             node(5, "impact")]
    return nodes, [(1, 2), (2, 3), (3, 4), (4, 5)]


def codes(findings):
    return sorted((f.code, f.node) for f in findings)


def test_a_complete_model_passes():
    nodes, edges = model()
    assert ev.check_model(nodes, edges, [{"node": 4}], ["own_life"]) == []


def test_an_activity_needs_an_input_and_an_output():
    nodes, edges = model()
    out = ev.check_model(nodes, [(3, 4), (4, 5)], [{"node": 4}], [])
    assert ("activity_without_input", 2) in codes(out) and ("activity_without_output", 2) in codes(out)
    assert ("outcome_without_activity", 4) in codes(out)


def test_an_outcome_needs_an_indicator_and_the_chosen_dimensions_are_reached():
    nodes, edges = model()
    out = ev.check_model(nodes, edges, [], ["own_life", "common_good"])
    assert ("outcome_without_indicator", 4) in codes(out)
    assert [f.params for f in out if f.code == "dimension_not_reached"] == [{"dimension": "common_good"}]


def test_cycles_are_found_and_links_only_go_rightwards():
    nodes, edges = model()
    assert ("lm_cycle", None) in codes(ev.check_model(nodes, edges + [(5, 1)], [{"node": 4}], []))
    levels = {n["id"]: n["level"] for n in nodes}
    with pytest.raises(KitError) as err:
        ev.check_edge(levels, 4, 2)
    assert err.value.code == "lm_left_to_right"
    ev.check_edge(levels, 2, 4)


def test_smart_names_each_missing_letter():
    full = {"name": "Osallistujien kokema kuuluminen", "target_group": "kuntoutujat", "kind": "quantitative",
            "unit": "keskiarvo 1-5", "baseline": "2.8", "target": "3.5", "owner_task": 7, "realistic": True,
            "target_date": "2027-06-30"}
    assert ev.smart(full) == {"letters": "SMART", "missing": {}}
    partial = {**full, "baseline": "", "owner_task": None, "target_date": None}
    assert ev.smart(partial)["letters"] == "SR" and set(ev.smart(partial)["missing"]) == {"M", "A", "T"}
    assert ev.smart({"name": "Tarinat", "kind": "qualitative", "target": "10 tarinaa"})["missing"].keys() == {"S", "A", "R", "T"}


QUESTIONS = [{"id": "q1", "kind": "scale", "text": "Kuuluin ryhmään"},
             {"id": "q2", "kind": "choice", "text": "Tulisitko?", "choices": ["Kyllä", "En"]},
             {"id": "q3", "kind": "text", "text": "Kerro"}]


def test_answers_below_the_threshold_are_not_shown():
    answers = [{"answers": {"q1": 4, "q2": "Kyllä"}} for _ in range(4)]
    out = ev.aggregate(QUESTIONS, answers, min_answers=5)
    assert [(r["n"], r["shown"], "mean" in r) for r in out] == [(4, False, False), (4, False, False), (0, False, False)]
    answers.append({"answers": {"q1": 2, "q2": "En"}})
    out = ev.aggregate(QUESTIONS, answers, min_answers=5)
    assert out[0]["mean"] == pytest.approx(3.6) and out[0]["distribution"][4] == 4
    assert out[1]["counts"] == {"Kyllä": 4, "En": 1}


@pytest.mark.parametrize("answers,code", [({"q1": 6}, "scale_out_of_range"), ({"q1": 0}, "scale_out_of_range"),
                                          ({"q1": True}, "scale_out_of_range"), ({"q2": "Ehkä"}, "unknown_choice"),
                                          ({"q9": 1}, "unknown_question"), ("kaikki", "bad_answers")])
def test_bad_answers_are_refused(answers, code):
    with pytest.raises(KitError) as err:
        ev.check_answers(QUESTIONS, answers)
    assert err.value.code == code


def test_forms_need_questions():
    with pytest.raises(KitError) as err:
        ev.check_form([])
    assert err.value.code == "form_empty"
    with pytest.raises(KitError):
        ev.check_form([{"kind": "choice", "text": "Vain yksi", "choices": ["a"]}])
    assert [q["id"] for q in ev.check_form(QUESTIONS)] == ["q1", "q2", "q3"]


def test_ready_question_sets_in_three_languages():
    path = data_path("templates") / "evaluation" / "questions.yaml"
    for lang in ("fi", "sv", "en"):
        sets = ev.question_sets(path, lang)
        assert set(sets) == set(ev.THL)
        assert all(q["text"] for qs in sets.values() for q in qs)
        ev.check_form([q for qs in sets.values() for q in qs])


def test_own_questions_one_per_line():
    qs = ev.own_questions("Liked it?\n\ntext: Tell more\nchoice: Again? | Yes | No")
    assert [(q["id"], q["kind"], q.get("choices")) for q in qs] == [
        ("c0", "scale", None), ("c2", "text", None), ("c3", "choice", ["Yes", "No"])]
    assert not ev.uses_instruments(qs) and ev.uses_instruments(qs + [{"kind": "instrument"}])


def test_an_indicator_over_time_is_a_small_chart_of_its_dated_values_in_order():
    """Issue 17, item 6: indicators with their values over time as a small chart."""
    from kit.evaluation import value_chart

    assert value_chart([{"value": 3, "date": "2026-10-01"}]) is None  # one value is no change
    c = value_chart([{"value": 18, "date": "2026-12-01"}, {"value": 12, "date": "2026-10-01"},
                     {"value": "x", "date": "2026-11-01"}], baseline="10", target="20")
    assert [p["date"] for p in c["points"]] == ["2026-10-01", "2026-12-01"]  # in date order, no non-numbers
    first, last = c["points"]
    assert first["x"] < last["x"] and last["y"] < first["y"]  # later and higher: right and up
    assert c["target"] < last["y"] < first["y"] < c["baseline"]  # 20 above 18 above 12 above 10
    assert c["lo"] == 10 and c["hi"] == 20
    flat = value_chart([{"value": 5, "date": "2026-10-01"}, {"value": 5, "date": "2026-11-01"}])
    assert flat["points"][0]["y"] == flat["points"][1]["y"]  # no division by zero on a flat line


def test_the_report_draws_each_indicators_values_over_time(store):
    from kit import report

    ws = store.create_workshop("Mittarit", "osallisuusverkosto", "fi")
    ind = store.save_indicator(ws["id"], {"name": "Mukana <b>olleet</b>", "baseline": "10", "target": "20"})
    for value, day in ((12, "2026-10-01"), (18, "2026-12-01")):
        store.add_indicator_result(ind["id"], value, "laskenta", day)
    html = report.Report(store, ws["id"], "fi").evaluation_section()
    assert "class='kit-trend'" in html and "kit-trend-target" in html and "kit-trend-baseline" in html
    assert "Mukana &lt;b&gt;olleet&lt;/b&gt; ajan mittaan: 2026-10-01: 12, 2026-12-01: 18" in html


def test_the_change_from_a_baseline_to_its_follow_up_at_group_level_and_paired(store):
    """Issue 17, item 6: a feedback form repeated as a follow-up; the change per question above the
    threshold, and where the same person answered both, the paired change (also only above it)."""
    from kit import evaluation as ev
    from kit import report

    ws = store.create_workshop("Muutos", "osallisuusverkosto", "fi")
    base = store.create_form(ws["id"], "Alku", [{"kind": "scale", "text": "Kuulun joukkoon", "thl": "communities_influence"},
                                                {"kind": "text", "text": "Mitä jäi mieleen?"}], 5)
    store.set_form_status(base["id"], "open")
    q = store.forms(ws["id"])[0]["questions"][0]["id"]
    people = [store.add_participant(ws["id"])[0] for _ in range(8)]
    for p in people[:6]:
        store.save_response(base["id"], p["id"], {q: 2})
    with pytest.raises(KitError):
        store.repeat_form(store.create_form(ws["id"], "Luonnos", [{"kind": "scale", "text": "x"}])["id"])  # never opened
    follow = store.repeat_form(base["id"], "Alku (seuranta)")
    assert follow["baseline_id"] == base["id"] and follow["status"] == "open"
    assert follow["questions"] == store.forms(ws["id"])[0]["questions"]  # the same questions, the same ids
    assert store.forms(ws["id"])[0]["status"] == "closed"  # one form open at a time
    for p in people[:5] + people[6:]:  # five answer both; two answer only the follow-up
        store.save_response(follow["id"], p["id"], {q: 4})
    rows = ev.change(follow["questions"], store.responses(base["id"]), store.responses(follow["id"]), 5)
    assert len(rows) == 1  # scale questions only
    r = rows[0]
    assert (r["before"], r["after"], r["change"], r["paired"], r["paired_change"]) == (2, 4, 2, 5, 2)
    r6 = ev.change(follow["questions"], store.responses(base["id"]), store.responses(follow["id"]), 6)[0]
    assert r6["before"] == 2 and r6["after"] == 4 and r6["paired_change"] is None  # 5 pairs < 6: not shown
    html = report.Report(store, ws["id"], "fi").evaluation_section()
    assert "Muutos: Alku → Alku (seuranta)" in html and "<td>+2,0</td>" in html and "+2,0 (vastaajia 5)" in html


def test_page_04_repeats_an_answered_form_as_a_follow_up(store):
    from kit.ui.evaluation import EvaluationApp

    ws = store.create_workshop("Muutos", "osallisuusverkosto", "fi")
    app = EvaluationApp(store, ws["code"], "fi", poll=False)
    assert app.repeat_btn.disabled  # nothing answered yet
    first = app.open_form("Alkukysely", sets=("own_life",))
    app.refresh()
    app.repeat_pick.value = first["id"]
    app.repeat_btn.click()
    forms_ = store.forms(ws["id"])
    assert forms_[-1]["baseline_id"] == first["id"] and forms_[-1]["title"] == "Alkukysely (seuranta)"
    assert "Seurantalomake avattu" in app.message.value
