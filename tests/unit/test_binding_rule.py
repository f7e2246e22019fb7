"""Issue 17, item 4: one binding result per budgeting round. The rule (equal shares with Add1, or most
votes first) is fixed when the round opens; the phones, the minutes, the report and the .pb file state
that result, and the other rule appears only labelled as a comparison. Before the vote, each costed
project shows about how many supporters it needs under equal shares (equalshares.net's advice)."""

import pytest

from kit import budgeting, report, voting
from kit.errors import KitError
from kit.server.api.voting import round_view
from tests.unit.test_rounds import EXAMPLE1, PB_COSTS, pb_round

GREEDY = ["Pyöräpolku", "Ulkokuntosali"]  # equalshares.net Example 1, most votes first
MES = ["Pyöräpolku", "Leikkipaikka", "Lastenkirjasto"]  # ... by equal shares


@pytest.fixture
def ws(store):
    return store.create_workshop("Budjettipaja", "osallisuusverkosto", "fi")


def voted(store, ws, rule=None):
    """Example 1's eleven voters in a round whose rule is `rule` (None: as the kit defaults)."""
    rnd, ids = pb_round(store, ws, **({"rule": rule} if rule else {}))
    for n in range(1, 12):
        p, _ = store.add_participant(ws["id"], None, "resident")
        store.save_ballot(rnd["id"], p["id"], {"choices": [ids[k] for k, who in EXAMPLE1.items() if n in who]})
    return store.round(rnd["id"]), ids


def test_the_rule_is_fixed_when_the_round_opens_and_an_unknown_one_is_refused_in_the_readers_language(store, ws):
    assert voting.check_options("pb", {"budget": "100"})["rule"] == "mes"
    assert voting.check_options("pb", {"budget": "100", "rule": "greedy"})["rule"] == "greedy"
    assert voting.pb_rule({"budget": "100"}) == "mes"  # a round stored before the rule was fixed
    before = len(store.rounds(ws["id"]))
    with pytest.raises(KitError) as err:
        store.create_round(ws["id"], "Budjetti", method="pb", options={"budget": "1100", "rule": "<b>arpa</b>"})
    assert err.value.code == "unknown_pb_rule" and "rahoitussääntö" in err.value.message("fi")
    assert "<b>" not in err.value.message("fi") and len(store.rounds(ws["id"])) == before
    rnd, _ = voted(store, ws, "greedy")
    assert rnd["rules"]["rule"] == "greedy" and rnd["status"] == "open"


@pytest.mark.parametrize("rule, funded", [("greedy", GREEDY), ("mes", MES)])
def test_the_phone_is_told_the_rule_and_gets_the_one_result(store, ws, rule, funded):
    rnd, ids = voted(store, ws, rule)
    view = round_view(store, rnd, None, "sv")
    assert view["rule"] == rule and view["rule_name"] == {"greedy": "Flest röster först", "mes": "Lika andelar (Add1)"}[rule]
    assert "funded" not in view  # nothing until the facilitator reveals it
    store.set_results_visible(rnd["id"], True)
    view = round_view(store, store.round(rnd["id"]), None, "sv")
    assert view["funded"] == [ids[k] for k in funded]


@pytest.mark.parametrize("rule, funded, other", [("greedy", GREEDY, "mes"), ("mes", MES, "greedy")])
def test_the_minutes_decide_once_and_the_report_labels_the_other_rule_a_comparison(store, ws, rule, funded, other):
    rnd, ids = voted(store, ws, rule)
    store.close_round(rnd["id"])
    rep = report.Report(store, ws["id"], "fi")
    lines = [x for x in rep.decisions() if x.startswith("Budjetti")]
    name = {"greedy": "Eniten ääniä saaneet ensin", "mes": "Tasaosuusmenetelmä (Add1)"}
    assert lines == [f"Budjetti, {name[rule]}: rahoitetaan {', '.join(funded)}; "
                     f"rahaa jää {lines[0].rsplit('jää ', 1)[1]}"]
    html = rep.rounds_section()
    assert html.index(f"Päätös: {name[rule]}") < html.index(f"Vertailuksi, ei päätös: {name[other]}")
    assert f"rahoituksen ratkaisee {name[rule]}" in html


@pytest.mark.parametrize("rule, written", [("greedy", "greedy"), ("mes", "equalshares/add1")])
def test_the_pb_file_states_the_rule_and_an_imported_file_keeps_it(store, ws, rule, written):
    rnd, _ = voted(store, ws, rule)
    text = store.pb_file(rnd["id"])
    assert f"rule;{written}" in text
    back = store.import_pb(ws["id"], text, "Tuotu")
    assert voting.pb_rule(back["rules"]) == rule


def test_about_how_many_supporters_a_project_needs_under_equal_shares():
    # equalshares.net: a project costing 10 % of the budget needs about 10 % of the voters
    assert budgeting.supporters_needed("5000", "50000", 40) == 4
    assert budgeting.supporters_needed("5001", "50000", 40) == 5  # rounded up
    assert budgeting.supporters_needed("1", "50000", 40) == 1  # never none
    assert budgeting.supporters_needed("50000", "50000", 40) == 40  # the whole budget: everyone
    assert budgeting.supporters_needed("100", "50000", 0) is None  # nobody to count yet


def test_the_vote_setup_shows_the_supporters_needed_under_equal_shares_only(store, ws):
    from kit.ui import StartApp

    for text, cost in PB_COSTS.items():
        store.add_idea(ws["id"], text, cost=cost)
    for _ in range(11):
        store.add_participant(ws["id"])
    app = StartApp(store, code=ws["code"], lang="en")
    app.poller.stop()
    app.method.value = "pb"
    app.budget.value = "1100"
    labels = {b.description.split(": ", 1)[1].split(" · ")[0]: b.description for b in app.items_box.children}
    assert labels["Pyöräpolku"].endswith("needs about 7 supporters")  # 700 of 1100 with 11 voters: 7.0
    assert labels["Lastenkirjasto"].endswith("needs about 1 supporter")  # 100 of 1100: 1.0
    assert "estimated here with 11 voters" in app.items_note.value
    app.setup.pb_rule.value = "greedy"  # most votes first: cost does not ask for supporters
    assert not any("supporter" in b.description for b in app.items_box.children)
    app.setup.pb_rule.value = "mes"
    app.budget.value = "paljon"  # while the budget is not an amount: no estimate, no error
    assert not any("supporter" in b.description for b in app.items_box.children)
    app.budget.value = "1100"
    app.setup.pb_rule.value = "greedy"
    app.start_round_btn.click()
    assert store.current_round(ws["id"])["rules"]["rule"] == "greedy"


def test_pores_vote_between_plans_funds_the_one_with_most_votes_and_a_tie_goes_by_the_lot(store, ws):
    """Domain spec §3.4 (c): two complete plans, one to fund; each voter picks one; an exact tie is
    decided by the lot drawn when the vote opened; a plan over the whole budget cannot be on the ballot."""
    plans = {"Vimpelinlampi": "48000", "Pieni-Vimpeli": "45000"}
    ids = {k: store.add_idea(ws["id"], k, cost=v)["id"] for k, v in plans.items()}
    rnd = store.open_round(store.create_round(ws["id"], "Äänestys", method="pb",
                                              options={"budget": "50000", "rule": "choose1"})["id"])
    assert rnd["rules"]["max"] == 1 and rnd["rules"]["rule"] == "choose1"
    voters = [store.add_participant(ws["id"])[0] for _ in range(5)]
    with pytest.raises(KitError):  # one plan each
        store.save_ballot(rnd["id"], voters[0]["id"], {"choices": list(ids.values())})
    for p, plan in zip(voters, ["Vimpelinlampi"] * 3 + ["Pieni-Vimpeli"] * 2):
        store.save_ballot(rnd["id"], p["id"], {"choices": [ids[plan]]})
    store.set_results_visible(rnd["id"], True)
    view = round_view(store, store.round(rnd["id"]), None, "fi")
    assert view["rule_name"] == "Yksi suunnitelma valitaan (eniten ääniä)" and view["funded"] == [ids["Vimpelinlampi"]]
    # a tie: the plan first in the lot drawn at the opening
    store.save_ballot(rnd["id"], voters[2]["id"], {"choices": []})  # one voter takes their vote back: 2 against 2
    lot = [str(i) for i in store.round(rnd["id"])["rules"]["lot"]]
    e = store.election(rnd["id"])
    assert budgeting.choose_one(e).funded == [min(e.projects, key=lambda p: lot.index(p.id)).id]
    store.close_round(rnd["id"])
    rep = report.Report(store, ws["id"], "fi")
    html = rep.rounds_section()
    assert "Päätös: Yksi suunnitelma valitaan" in html and "Vertailuksi" not in html  # no approval comparison
    assert "rule;choose-1" in store.pb_file(rnd["id"])
    # a plan over the whole budget is refused when the vote opens, naming it
    store.add_idea(ws["id"], "Linna", cost="90000")
    with pytest.raises(KitError) as err:
        store.open_round(store.create_round(ws["id"], "Toinen", method="pb",
                                            options={"budget": "50000", "rule": "choose1"})["id"])
    assert err.value.code == "project_over_budget" and "Linna" in err.value.message("fi")
