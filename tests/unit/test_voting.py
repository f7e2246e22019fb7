import pytest

from kit import voting
from kit.errors import KitError
from kit.voting import DotRules


@pytest.mark.parametrize("n, dots", [(14, 4), (70, 20), (2, 1), (3, 1), (60, 20), (9, 3)])
def test_n3_preset_follows_the_spec_fixture(n, dots):
    rules = voting.dot_rules("n3", n)
    assert rules.dots_per_person == dots
    assert rules.per_item_cap == min(3, dots)


@pytest.mark.parametrize("n, dots", [(12, 3), (6, 2), (5, 1), (1, 1), (10, 3)])
def test_n4_preset_rounds_half_up(n, dots):
    assert voting.dot_rules("n4", n).dots_per_person == dots


def test_fixed5_and_custom_presets():
    assert voting.dot_rules("fixed5", 2) == DotRules(5, None)
    assert voting.dot_rules("custom", 8, dots=7, cap=2) == DotRules(7, 2)


def test_when_there_are_no_items_then_voting_is_refused():
    with pytest.raises(KitError) as e:
        voting.dot_rules("n3", 0)
    assert e.value.code == "no_items_to_vote"


def test_when_custom_preset_has_no_dots_then_it_is_refused():
    with pytest.raises(KitError) as e:
        voting.check_preset("custom", None)
    assert e.value.code == "custom_dots_required"


def test_unknown_preset_is_refused():
    with pytest.raises(KitError):
        voting.dot_rules("n7", 10)


def test_valid_ballot_may_leave_dots_unused():
    assert voting.validate_dot_ballot(DotRules(4, 3), [1, 2, 3], {"1": 2, "3": 1}) == {1: 2, 3: 1}


@pytest.mark.parametrize("dots, code", [
    ({1: 3, 2: 2}, "too_many_dots"),
    ({1: 4}, "over_item_cap"),
    ({9: 1}, "unknown_item"),
    ({"x": 1}, "unknown_item"),
    ({1: -1}, "bad_dots"),
    ({1: 1.5}, "bad_dots"),
    ({1: True}, "bad_dots"),
    ([1, 2], "bad_ballot"),
])
def test_bad_ballots_are_refused_with_a_reason(dots, code):
    with pytest.raises(KitError) as e:
        voting.validate_dot_ballot(DotRules(4, 3), [1, 2, 3], dots)
    assert e.value.code == code


def test_tally_uses_competition_ranking():
    res = voting.tally([1, 2, 3, 4], [{1: 2, 2: 1}, {2: 1, 3: 2}, {4: 1}])
    assert [(r.idea_id, r.score, r.rank) for r in res] == [(1, 2, 1), (2, 2, 1), (3, 2, 1), (4, 1, 4)]
    assert res[1].voters == 2


def test_tally_keeps_items_without_dots():
    res = voting.tally([1, 2], [{1: 1}])
    assert [(r.idea_id, r.score, r.rank) for r in res] == [(1, 1, 1), (2, 0, 2)]


def test_zero_dots_means_no_result():
    assert not voting.has_result(voting.tally([1, 2], [{}, {}]))
    assert voting.ties_at_cutoff(voting.tally([1, 2, 3], []), 1) == []


def test_ties_at_the_cutoff_are_flagged():
    res = voting.tally([1, 2, 3, 4], [{1: 3}, {2: 1}, {3: 1}, {4: 0}])
    assert sorted(voting.ties_at_cutoff(res, 2)) == [2, 3]
    assert voting.ties_at_cutoff(res, 1) == []


@pytest.mark.parametrize("text, code", [("", "idea_required"), ("   ", "idea_required"), (None, "idea_required"),
                                        ("x" * 501, "idea_too_long")])
def test_idea_text_is_bounded(text, code):
    with pytest.raises(KitError) as e:
        voting.clean_idea_text(text)
    assert e.value.code == code


def test_idea_text_is_kept_as_typed():
    hostile = "<img src=x onerror=alert(1)> '; DROP TABLE ideas; --"
    assert voting.clean_idea_text("  " + hostile + " ") == hostile


def test_round_ties_follow_the_method():
    from kit.voting import Result, round_ties

    res = [Result(1, 3, 1, 3), Result(2, 3, 1, 3), Result(3, 1, 3, 1)]
    assert round_ties("choose_one", res, 3) == [1, 2]
    assert round_ties("approval", res, 3) == []  # top 2 of 3: a clean cut
    assert round_ties("pb", res, 3) == []
