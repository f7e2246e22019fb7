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


def test_a_pairing_code_is_written_one_way_and_kept_only_as_a_hash():
    from kit import evaluation as ev

    code = ev.new_pair_code()
    assert len(code) == 9 and code[4] == "-" and all(ch in ev.PAIR_ALPHABET for ch in code.replace("-", ""))
    assert ev.pair_code(" k7qm 4tzp ") == ev.pair_code("K7QM-4TZP") == "K7QM-4TZP"
    assert ev.pair_hash("k7qm4tzp") == ev.pair_hash("K7QM-4TZP") != ev.pair_hash("K7QM-4TZQ")
    assert "K7QM" not in ev.pair_hash("K7QM-4TZP")
    for bad in ("K7QM-4TZ", "K7QM-4TZPP", "I0QM-4TZP", "<b>QM-4TZP", 12345678, None, "K7QM–4TZP"):
        with pytest.raises(KitError) as e:
            ev.pair_code(bad)
        assert e.value.code == "pair_code_bad" and e.value.status == 400


def test_paired_change_across_meetings_pairs_by_code_and_counts_the_rest_unpaired():
    """Device tokens are per meeting: across meetings only a kept code pairs two answers; below the
    threshold the paired change is not shown; answers without a pair are counted."""
    from kit import evaluation as ev

    qs = [{"id": "q1", "kind": "scale", "text": "Kuulun joukkoon"}]
    before = [{"participant_id": p, "answers": {"q1": 2}} for p in range(1, 8)]  # meeting 1: seven answers
    after = [{"participant_id": p, "answers": {"q1": 4}} for p in range(11, 17)]  # meeting 2: six answers
    codes = {1: "a", 2: "b", 3: "c", 4: "d", 5: "e", 11: "a", 12: "b", 13: "c", 14: "d", 15: "e", 6: "f"}
    r = ev.change(qs, before, after, 5, codes.get)[0]
    assert (r["before"], r["after"], r["change"], r["paired"], r["paired_change"]) == (2, 4, 2, 5, 2)
    assert r["unpaired"] == 7 + 6 - 2 * 5
    r = ev.change(qs, before, after, 6, codes.get)[0]
    assert r["paired"] == 5 and r["paired_change"] is None  # five pairs under a threshold of six: not shown
    # by participant id (the default) nothing pairs across meetings
    assert ev.change(qs, before, after, 5)[0]["paired"] == 0


def test_a_participant_keeps_a_pairing_code_from_the_baseline_to_the_follow_up_at_the_next_meeting(store):
    """Issue 17, item 6: the kit offers a code at the baseline; at the next meeting the participant
    types it (or their device offers the kept one); a code no earlier meeting knows, or one another
    device here already presented, is refused and changes nothing; the report pairs by code."""
    from kit import report

    first = store.create_workshop("Foorumi", "kulttuurifoorumi", "fi")
    qs = [{"kind": "scale", "text": "Kuulun joukkoon"}]
    base = store.set_form_status(store.create_form(first["id"], "Alku", qs, 5, pairing=True)["id"], "open")
    assert base["pairing"] is True
    q = base["questions"][0]["id"]
    people = [store.add_participant(first["id"])[0] for _ in range(6)]
    codes = [store.new_pair_code(first["id"], p["id"]) for p in people[:5]]  # one declines
    for p in people:
        store.save_response(base["id"], p["id"], {q: 2})
    store.set_form_status(base["id"], "closed")
    second, _ = store.next_meeting(first["id"])
    again = [store.add_participant(second["id"])[0] for _ in range(6)]
    with pytest.raises(KitError) as e:
        store.use_pair_code(second["id"], again[0]["id"], "ABCD-EFGH")  # no earlier meeting knows it
    assert e.value.code == "pair_code_unknown" and e.value.status == 404
    with pytest.raises(KitError) as e:
        store.use_pair_code(second["id"], again[0]["id"], "<script>")
    assert e.value.code == "pair_code_bad"
    assert not store.is_paired(again[0]["id"])  # refused: nothing changed
    for p, c in zip(again, codes):
        assert store.use_pair_code(second["id"], p["id"], c.lower().replace("-", " ")) == c
    with pytest.raises(KitError) as e:
        store.use_pair_code(second["id"], again[5]["id"], codes[0])  # a second device, the same code
    assert e.value.code == "pair_code_taken" and e.value.status == 409 and not store.is_paired(again[5]["id"])
    with pytest.raises(KitError) as e:
        store.use_pair_code(first["id"], people[5]["id"], codes[0])  # its own meeting is not "earlier"
    assert e.value.code == "pair_code_taken" or e.value.code == "pair_code_unknown"
    assert store.pair_keys([first["id"]])[people[0]["id"]] == store.pair_keys([second["id"]])[again[0]["id"]]
    assert codes[0] not in str(store.pair_keys([first["id"], second["id"]]))  # only hashes are kept
    follow = store.repeat_form(base["id"], "Alku (seuranta)", second["id"])
    assert follow["workshop_id"] == second["id"] and follow["pairing"] is True
    for p in again:
        store.save_response(follow["id"], p["id"], {q: 5})
    html = report.Report(store, second["id"], "fi").evaluation_section()
    assert "Muutos: Alku → Alku (seuranta)" in html and "+3,0 (vastaajia 5)" in html
    assert "vastauksia ilman paria: 2" in html  # one declined at each meeting
    store.forget_pair_code(second["id"], again[0]["id"])
    html = report.Report(store, second["id"], "fi").evaluation_section()
    assert "vastauksia 4, ei näytetä; vastauksia ilman paria: 4" in html
    # withdrawing leaves nothing pointing at the person: the code's hash goes too
    store.withdraw_participant(first["id"], people[1]["id"])
    assert people[1]["id"] not in store.pair_keys([first["id"]])


def test_page_04_repeats_a_form_of_an_earlier_meeting_here_and_offers_codes_at_a_baseline(store):
    from kit.ui.evaluation import EvaluationApp

    first = store.create_workshop("Foorumi", "kulttuurifoorumi", "fi")
    app = EvaluationApp(store, first["code"], "fi", poll=False)
    app.form_pairing.value = True
    app.form_sets.value = ("own_life",)
    app.form_btn.click()
    base = store.forms(first["id"])[-1]
    assert base["pairing"] is True and base["status"] == "open"
    second, _ = store.next_meeting(first["id"])
    later = EvaluationApp(store, second["code"], "fi", poll=False)
    label = dict((v, k) for k, v in later.repeat_pick.options)[base["id"]]
    assert label.endswith("(1. kokous)")  # a form of an earlier meeting says which
    app.refresh()
    assert "kokous" not in dict((v, k) for k, v in app.repeat_pick.options)[base["id"]]
    later.repeat_pick.value = base["id"]
    later.repeat_btn.click()
    follow = store.forms(second["id"])[-1]
    assert follow["baseline_id"] == base["id"] and follow["status"] == "open" and follow["pairing"] is True
    assert store.forms(first["id"])[-1]["status"] == "open"  # the earlier meeting's form is its own


def test_the_pairing_api_gives_keeps_and_forgets_a_code_and_refuses_bad_ones_with_4xx(kit_server):
    code = kit_server.code
    store = kit_server.store()
    ws = store.workshop_by_code(code)
    join = lambda c: kit_server.api("POST", f"/workshops/{c}/participants", {"group": "resident"})[1]["token"]  # noqa: E731
    tok = join(code)
    path = f"/workshops/{code}/me/pair"
    assert kit_server.api("POST", path, {})[0] == 401
    form = store.set_form_status(store.create_form(ws["id"], "Alku", [{"kind": "scale", "text": "x"}], 5, True)["id"], "open")
    status, body = kit_server.api("GET", f"/workshops/{code}/form", token=tok)
    assert status == 200 and body["form"]["pairing"] is True and body["form"]["followup"] is False and body["paired"] is False
    status, body = kit_server.api("POST", path, {}, token=tok, lang="fi")
    given = body["pair_code"]
    assert status == 200 and body["paired"] and given in body["message"] and len(given) == 9
    assert kit_server.api("GET", f"/workshops/{code}/poll", token=tok)[1]["form"]["paired"] is True
    nxt, _ = store.next_meeting(ws["id"])
    later = join(nxt["code"])
    lpath = f"/workshops/{nxt['code']}/me/pair"
    for bad, st, err in (({"code": 5}, 400, "bad_field"), ({"code": "<b>x</b>"}, 400, "pair_code_bad"),
                         ({"code": "ABCD-EFGH"}, 404, "pair_code_unknown"), ({"code": "x" * 21}, 400, "pair_code_bad")):
        status, body = kit_server.api("POST", lpath, bad, token=later, lang="sv")
        assert (status, body["error"]) == (st, err) and body["message"]
    assert not store.pair_keys([nxt["id"]])  # refused: nothing stored
    status, body = kit_server.api("POST", lpath, {"code": given.lower()}, token=later, lang="en")
    assert status == 200 and body["pair_code"] == given and "compared" in body["message"]
    status, body = kit_server.api("POST", lpath, {"code": given}, token=join(nxt["code"]), lang="fi")
    assert status == 409 and body["error"] == "pair_code_taken"
    status, body = kit_server.api("DELETE", lpath, token=later, lang="en")
    assert status == 200 and body["paired"] is False and not store.pair_keys([nxt["id"]])
    assert form["id"]
    store.close()
