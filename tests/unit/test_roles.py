"""RACI rules (spec §4.3, fixtures §9.5), coverage, workload, rooting and the action list."""

import pytest

from kit import roles

P = [{"id": 1, "name": "Sote", "kind": "participant"}, {"id": 2, "name": "Artist", "kind": "person"},
     {"id": 3, "name": "Resident", "kind": "participant", "unpaid": True},
     {"id": 4, "name": "Coordination group", "kind": "group", "chair": ""}]


def task(i, **kw):
    return {"id": i, "title": f"Task {i}", "section": "implementation", "deputy": 99, **kw}


def codes(findings):
    return sorted((f.code, f.task) for f in findings)


def test_a_task_with_two_a_is_an_error():
    out = roles.check_raci([task(1)], P, {(1, 1): "A", (1, 2): "A", (1, 3): "R"}, responsible_person=1)
    assert ("many_a", 1) in codes(out) and all(f.level == "error" for f in out if f.code == "many_a")


def test_a_task_with_only_c_and_i_has_no_r_and_no_a():
    out = roles.check_raci([task(1)], P, {(1, 1): "C", (1, 2): "I"}, responsible_person=1)
    assert codes(out) == [("no_a", 1), ("no_r", 1)]


def test_a_implies_r_only_when_ticked():
    assign = {(1, 1): "A"}
    assert ("no_r", 1) in codes(roles.check_raci([task(1)], P, assign, responsible_person=1))
    assert codes(roles.check_raci([task(1, a_implies_r=True)], P, assign, responsible_person=1)) == []


def test_budget_tasks_are_accountable_to_the_budget_owner():
    assign = {(1, 1): "A", (1, 2): "R"}
    t = [task(1, section="budget")]
    assert ("no_budget_owner", 1) in codes(roles.check_raci(t, P, assign, responsible_person=1))
    assert ("budget_not_owner", 1) in codes(roles.check_raci(t, P, assign, 1, budget_owner=2))
    assert codes(roles.check_raci(t, P, assign, 1, budget_owner=1)) == []


def test_one_responsible_person_overall_and_c_inflation_and_group_chair():
    holders = P + [{"id": i, "name": f"H{i}", "kind": "person"} for i in range(5, 10)]
    assign = {(1, 4): "A", (1, 1): "R", **{(1, i): "C" for i in range(5, 9)}}
    out = roles.check_raci([task(1)], holders, assign)
    assert ("no_responsible_person", None) in codes(out)
    assert ("c_inflation", 1) in codes(out) and ("group_without_chair", 1) in codes(out)


def test_every_a_needs_a_deputy():
    out = roles.check_raci([task(1, deputy=None)], P, {(1, 1): "AR"}, responsible_person=1)
    assert [(f.code, f.level) for f in out] == [("no_deputy", "warning")]


def test_a_removed_holder_flags_their_tasks():
    holders = [dict(P[0]), {**P[1], "removed": True}]
    out = roles.check_raci([task(1)], holders, {(1, 1): "A", (1, 2): "R"}, responsible_person=1)
    assert ("removed_holder", 1) in codes(out)


def test_coverage_gaps_and_single_points_of_failure():
    levels = {(1, "social_health"): 2, (2, "creative_methods"): 1, (3, "creative_methods"): 1}
    c = roles.coverage(P, ["social_health", "creative_methods", "nature_methods"], levels)
    assert c["nature_methods"]["status"] == "gap"
    assert c["social_health"]["status"] == "single"
    assert c["creative_methods"]["status"] == "no_strong" and c["creative_methods"]["holders"] == [2, 3]
    assert roles.coverage([], ["x"], {})["x"]["status"] == "gap"


def test_suggestions_for_a_gap_come_from_the_map():
    actors = [{"id": 10, "name": "Green care farm", "sector": "green_care_practitioner"},
              {"id": 11, "name": "Library", "sector": "culture_practitioner"}]
    assert [a["id"] for a in roles.suggest_for_gap("nature_methods", actors, set())] == [10]
    assert roles.suggest_for_gap("nature_methods", actors, {10}) == []


@pytest.mark.parametrize("values,expected", [([], 0.0), ([5], 0.0), ([0, 0], 0.0), ([1, 1, 1], 0.0),
                                              ([0, 0, 0, 4], 0.75)])
def test_gini_edge_cases(values, expected):
    assert roles.gini(values) == pytest.approx(expected)


def test_workload_weights_and_unpaid_protection():
    tasks = [task(1, effort=4), task(2), task(3)]
    assign = {(1, 3): "R", (2, 3): "AR", (3, 3): "R", (1, 1): "A", (2, 2): "C"}
    w = roles.workload(tasks, P[:3], assign)
    assert w["load"] == {1: 2.0, 2: 0.25, 3: 4 + 1.5 + 1}
    kinds = {f.code for f in w["findings"]}
    assert {"uneven_load", "unpaid_overload"} <= kinds
    assert roles.workload([], [], {})["gini"] == 0.0  # an empty group: no division by zero


def test_rooting_flags_long_terms_and_many_a():
    terms = [{"holder": 1, "role": "responsible_person", "start": "2025-01-01", "end": None}]
    assert [f.code for f in roles.term_findings(terms, "2026-11-25")] == ["term_too_long"]
    assert roles.term_findings(terms, "2025-06-01") == []
    w = roles.workload([task(1), task(2)], P[:2], {(1, 1): "A", (2, 1): "A"})
    assert "too_many_a" in {f.code for f in w["findings"]}


def test_action_list_orders_by_date():
    tasks = [task(1, due="2026-12-10"), task(2, due="2026-12-01"), task(3, done=True)]
    out = roles.action_list(tasks, P, {(1, 1): "A", (1, 2): "R", (2, 3): "AR"})
    assert [(a["task"], a["responsible"], a["accountable"]) for a in out] == [
        ("Task 2", ["Resident"], ["Resident"]), ("Task 1", ["Artist"], ["Sote"])]


def test_findings_read_out_in_three_languages():
    out = roles.check_raci([task(1)], P, {(1, 1): "C"}) + roles.workload([task(1)], P, {(1, 3): "R"})["findings"]
    for lang in ("fi", "sv", "en"):
        lines = [roles.sentence(f, {1: task(1)}, {h["id"]: h for h in P}, lang) for f in out]
        assert all(line and not line.startswith("raci.") and "{" not in line for line in lines), lines
