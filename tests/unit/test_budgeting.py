"""Participatory budgeting: the spec's fixtures (§9), tie-breaking, the .pb format and bad input."""

from fractions import Fraction
from pathlib import Path

import pytest

from kit import budgeting as pb
from kit.errors import KitError

PABULIB = Path(__file__).resolve().parents[1] / "data" / "pabulib"

COSTS = {"bike": 700, "gym": 400, "park": 250, "playground": 200, "library": 100}
# equalshares.net explanation, Example 1: which voters (1..11) approve each project
APPROVERS_1 = {
    "bike": {1, 2, 3, 4, 5, 6, 11},
    "gym": {1, 2, 3, 4, 5, 6},
    "park": {2, 4, 5, 7, 10},
    "playground": {7, 8, 9, 10},
    "library": {7, 9, 10},
}


def election(approvers, budget=1100, costs=COSTS, voters=11, lot=None):
    projects = [pb.Project(k, Fraction(v)) for k, v in costs.items()]
    ballots = [{p: 1 for p, who in approvers.items() if i in who} for i in range(1, voters + 1)]
    return pb.Election(Fraction(budget), projects, ballots, lot=lot)


def example2():
    a = {k: set(v) for k, v in APPROVERS_1.items()}
    a["bike"].discard(11)
    a["gym"].add(11)
    return a


def test_example1_greedy_funds_the_two_sports_projects():
    o = pb.greedy(election(APPROVERS_1))
    assert o.funded == ["bike", "gym"]
    assert o.left == 0
    kinds = {s.project: s.kind for s in o.steps}
    assert kinds["park"] == "skipped_money"


def test_example1_mes_without_completion():
    o = pb.mes(election(APPROVERS_1), completion="none")
    assert o.funded == ["bike", "playground", "library"]
    bike = o.steps[0]
    assert bike.payments == [(Fraction(100), 7)]  # seven supporters pay their whole share
    library = next(s for s in o.steps if s.project == "library")
    assert library.payments == [(Fraction(100, 3), 3)]
    assert o.left == 1100 - 1000


def test_example2_mes_effective_vote_counts():
    o = pb.mes(election(example2()), completion="none")
    assert o.funded == ["gym", "park", "playground"]
    eff = {s.project: s.effective_votes for s in o.steps if s.kind == "funded"}
    assert eff["gym"] == 7
    assert round(float(eff["park"]), 2) == 4.12
    assert round(float(eff["playground"]), 2) == 3.29


def test_zero_vote_project_is_never_funded_by_greedy():
    costs = {**COSTS, "Z": 50}
    o = pb.greedy(election(APPROVERS_1, budget=1150, costs=costs))
    assert o.funded == ["bike", "gym"]
    assert o.left == 50
    assert {s.project: s.kind for s in o.steps}["Z"] == "no_votes"


def test_mes_add1_spends_more_and_stays_within_budget():
    e = election(APPROVERS_1)
    plain, add1 = pb.mes(e, "none"), pb.mes(e, "add1")
    assert add1.spent >= plain.spent
    assert add1.spent <= e.budget
    assert add1.per_voter >= add1.base_per_voter == 100


def test_ties_lowest_cost_then_votes_then_lot():
    # a and b both 2 votes; b cheaper -> b first; only one of them fits
    costs = {"a": 60, "b": 50}
    appr = {"a": {1, 2}, "b": {1, 2}}
    assert pb.greedy(election(appr, budget=70, costs=costs, voters=2)).funded == ["b"]
    # equal cost and votes: the lot decides, and the same lot decides both rules
    costs = {"a": 50, "b": 50}
    for lot, winner in ((["a", "b"], "a"), (["b", "a"], "b")):
        e = election(appr, budget=70, costs=costs, voters=2, lot=lot)
        assert pb.greedy(e).funded == [winner]
        assert pb.mes(e, "none").funded == [winner]


def test_zero_ballots_give_no_outcome_not_a_random_pick():
    e = election(APPROVERS_1, voters=0)
    for o in (pb.greedy(e), pb.mes(e)):
        assert o.funded == [] and not o.has_result
        assert "No ballots" in " ".join(pb.explain(o, e, "en"))


def test_project_over_the_whole_budget_is_flagged_not_dropped():
    costs = {**COSTS, "castle": 5000}
    appr = {**APPROVERS_1, "castle": {1, 2, 3}}
    e = election(appr, costs=costs)
    assert pb.not_fundable(e) == ["castle"]
    for o in (pb.greedy(e), pb.mes(e)):
        assert "castle" in o.not_fundable
        assert {s.project: s.kind for s in o.steps}["castle"] == "not_fundable"


@pytest.mark.parametrize("value", ["-5", "abc", None, True, "1,2,3"])
def test_bad_amounts_are_refused(value):
    with pytest.raises(KitError) as err:
        pb.to_amount(value)
    assert err.value.code in ("bad_amount", "negative_amount")


def test_amount_accepts_finnish_decimal_comma():
    assert pb.to_amount("1 200,50") == Fraction(240100, 200)


def test_duplicate_project_names_are_refused():
    e = pb.Election(Fraction(100), [pb.Project("1", Fraction(10), "Park"), pb.Project("2", Fraction(20), "park ")], [])
    with pytest.raises(KitError) as err:
        pb.greedy(e)
    assert err.value.code == "duplicate_project"


def test_unknown_project_in_a_ballot_is_refused():
    e = election(APPROVERS_1)
    e.ballots.append({"moon": 1})
    with pytest.raises(KitError) as err:
        pb.mes(e)
    assert err.value.code == "unknown_project"


def test_explanation_in_three_languages_says_who_paid():
    e = election(APPROVERS_1)
    o = pb.mes(e, "none")
    fi = pb.explain(o, e, "fi")
    assert any("7 äänestäjää maksoi kukin 100\u00a0€" in line for line in fi)
    en = pb.explain(o, e, "en")
    assert any("3 voters paid €33.33 each" in line for line in en)
    sv = pb.explain(o, e, "sv")
    assert sv[0].startswith("Metoden med lika andelar")


# -- .pb ---------------------------------------------------------------------------------------------
def test_pb_round_trip_through_pabutools_parser():
    from pabutools.election.pabulib import parse_pabulib_from_string

    e = election(APPROVERS_1)
    e.projects[0].name = 'Bike; "fast" path'
    text = pb.write_pb(e)
    again = pb.read_pb(text)
    assert [(p.id, p.cost, p.name) for p in again.projects] == [(p.id, p.cost, p.name) for p in e.projects]
    assert again.ballots == [b for b in e.ballots]
    inst, prof = parse_pabulib_from_string(text)
    assert len(prof) == 11 and inst.budget_limit == 1100
    assert pb.mes(again, "none").funded == ["bike", "playground", "library"]


@pytest.mark.parametrize("text,line", [
    ("META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;ten\nVOTES\nvoter_id;vote\n", 7),
    ("META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;10\nVOTES\nvoter_id;vote\nv1;1,9\n", 10),
    ("META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;10;extra\n", 7),
    ("budget;100\n", 1),
    ("META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;10\n1;20\n", 8),
])
def test_malformed_pb_names_the_line(text, line):
    with pytest.raises(KitError) as err:
        pb.read_pb(text)
    assert err.value.code == "pb_line"
    assert err.value.params["line"] == line
    assert f"line {line}" in err.value.message("en")


def test_pb_without_budget_is_refused():
    with pytest.raises(KitError) as err:
        pb.read_pb("META\nkey;value\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;10\n")
    assert err.value.code == "pb_missing_meta"


@pytest.mark.parametrize("name", ["poland_warszawa_2017_anin.pb", "france_toulouse_2019_.pb"])
def test_real_pabulib_files_are_read_and_counted(name):
    e = pb.read_pb((PABULIB / name).read_text(encoding="utf-8"))
    assert e.ballots and e.projects
    o = pb.greedy(e)
    assert o.funded and o.spent <= e.budget
    # greedy walks by score; every funded project had at least one vote
    raw = pb.scores(e)
    assert all(raw[pid] > 0 for pid in o.funded)


def test_cached_counts_once_per_distinct_election(monkeypatch):
    calls = []
    real = pb.compute
    monkeypatch.setattr(pb, "compute", lambda *a: calls.append(a[1]) or real(*a))
    e = election(APPROVERS_1)
    first = pb.cached(e, "mes")
    assert pb.cached(election(APPROVERS_1), "mes") is first  # same content, counted once
    e2 = election(APPROVERS_1)
    e2.ballots[0] = {}
    assert pb.cached(e2, "mes") is not first
    assert calls == ["mes", "mes"]
