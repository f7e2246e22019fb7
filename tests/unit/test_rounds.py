"""Stage 2 in the store: moderation, every voting method, budgeting rounds, paper ballots, the
shared tablet, results by stakeholder group, and the upgrade of a v1 store."""

import sqlite3
from fractions import Fraction

import pytest

from kit import budgeting, numbers, voting
from kit.errors import KitError
from kit.store import SCHEMA_VERSION, STORE_FILE, Store


@pytest.fixture
def ws(store):
    return store.create_workshop("Budjettipaja", "pore", "fi")


def people(store, ws, n, group="resident"):
    return [store.add_participant(ws["id"], None, group)[0] for _ in range(n)]


def ideas(store, ws, texts, costs=None):
    return [store.add_idea(ws["id"], t, cost=(costs or {}).get(t)) for t in texts]


# -- moderation -------------------------------------------------------------------------------------
def test_premoderated_ideas_wait_and_the_facilitator_approves(store, ws):
    store.set_setting(ws["id"], "premoderate", True)
    p = people(store, ws, 1)[0]
    idea = store.add_idea(ws["id"], "Laavu", p["id"])
    assert idea["status"] == "pending"
    assert store.ideas(ws["id"], include_hidden=False) == []
    store.set_idea_status(idea["id"], "visible")
    assert [i["text"] for i in store.ideas(ws["id"], include_hidden=False)] == ["Laavu"]


def test_reject_keeps_the_reason_and_needs_one(store, ws):
    idea = ideas(store, ws, ["Kuu-retki"])[0]
    with pytest.raises(KitError) as err:
        store.reject_idea(idea["id"], "  ")
    assert err.value.code == "reason_required"
    store.reject_idea(idea["id"], "Ei mahdu budjettiin")
    got = store.idea(idea["id"])
    assert got["status"] == "rejected" and got["reject_reason"] == "Ei mahdu budjettiin"


def test_edit_keeps_the_old_text_in_the_log(store, ws):
    idea = ideas(store, ws, ["Metsäkävly"])[0]
    store.edit_idea(idea["id"], "Metsäkävely")
    assert store.idea(idea["id"])["text"] == "Metsäkävely"
    ev = [e for e in store.event_log(ws["id"]) if e["kind"] == "idea_edited"][-1]
    assert ev["payload"] == {"idea_id": idea["id"], "old": "Metsäkävly", "new": "Metsäkävely"}


def test_merge_keeps_proposers_and_where_each_idea_went(store, ws):
    a, b, c = people(store, ws, 3)
    x = store.add_idea(ws["id"], "Suoretki", a["id"])
    y = store.add_idea(ws["id"], "Retki suolle", b["id"])
    z = store.add_idea(ws["id"], "Suokävely", c["id"])
    store.merge_ideas(y["id"], [z["id"]])
    merged = store.merge_ideas(x["id"], [y["id"]], text="Retki suolle (yhdistetty)")
    assert merged["text"] == "Retki suolle (yhdistetty)"
    # z followed y into x; each keeps its own proposer
    into = {i["id"]: (i["status"], i["merged_into"], i["participant_id"]) for i in store.ideas(ws["id"])}
    assert into[y["id"]] == ("merged", x["id"], b["id"])
    assert into[z["id"]] == ("merged", x["id"], c["id"])
    assert {i["id"] for i in store.merged_from(x["id"])} == {y["id"], z["id"]}
    with pytest.raises(KitError):
        store.merge_ideas(x["id"], [x["id"]])


def test_tags_and_cost_are_checked(store, ws):
    idea = ideas(store, ws, ["Kota"])[0]
    got = store.set_idea_tags(idea["id"], {"pore_level": 2, "thl": ["common_good", "own_life"],
                                           "target_groups": ["youth"], "step_level": 1}, cost="1 200,50")
    assert got["tags"] == {"pore_level": 2, "thl": ["own_life", "common_good"], "target_groups": ["youth"],
                           "step_level": 1}
    assert got["cost"] == "1200.50"
    for bad in ({"pore_level": 4}, {"thl": ["happiness"]}, {"step_level": "x"}):
        with pytest.raises(KitError):
            store.set_idea_tags(idea["id"], bad)
    for cost in ("-1", "kallis"):
        with pytest.raises(KitError):
            store.set_idea_tags(idea["id"], None, cost=cost)
    assert store.idea(idea["id"])["cost"] == "1200.50"  # nothing changed


# -- methods --------------------------------------------------------------------------------------------
def open_round(store, ws, method, options=None, n=4, **kw):
    its = ideas(store, ws, [f"Vaihtoehto {i}" for i in range(n)])
    rnd = store.open_round(store.create_round(ws["id"], method, method=method, options=options, **kw)["id"])
    return rnd, [i["id"] for i in its]


def test_approval_min_max_and_last_ballot_counts(store, ws):
    rnd, ids = open_round(store, ws, "approval", {"min": 2, "max": 3})
    p = people(store, ws, 1)[0]
    for bad, code in (([ids[0]], "too_few_choices"), (ids, "too_many_choices"),
                      ([ids[0], ids[0]], "choice_repeat"), ([999], "unknown_item")):
        with pytest.raises(KitError) as err:
            store.save_ballot(rnd["id"], p["id"], {"choices": bad})
        assert err.value.code == code
    store.save_ballot(rnd["id"], p["id"], {"choices": ids[:2]})
    saved = store.save_ballot(rnd["id"], p["id"], {"choices": ids[1:4]})
    assert saved["revision"] == 2 and saved["choices"] == ids[1:4]
    assert store.ballot_count(rnd["id"]) == 1
    res = voting.tally_marks("approval", rnd["rules"], ids, [b["marks"] for b in store.round_ballots(rnd["id"])])
    assert {r.idea_id: r.score for r in res} == {ids[0]: 0, ids[1]: 1, ids[2]: 1, ids[3]: 1}


def test_ranking_points_and_repeats(store, ws):
    rnd, ids = open_round(store, ws, "ranking", {"k": 3})
    a, b = people(store, ws, 2)
    with pytest.raises(KitError) as err:
        store.save_ballot(rnd["id"], a["id"], {"ranking": [ids[0], ids[1], ids[0]]})
    assert err.value.code == "ranking_repeat"
    with pytest.raises(KitError) as err:
        store.save_ballot(rnd["id"], a["id"], {"ranking": ids})
    assert err.value.code == "too_many_ranked"
    store.save_ballot(rnd["id"], a["id"], {"ranking": [ids[2], ids[0], ids[1]]})
    assert store.ballot_of(rnd["id"], a["id"])["ranking"] == [ids[2], ids[0], ids[1]]
    store.save_ballot(rnd["id"], b["id"], {"ranking": [ids[0]]})  # truncated
    res = voting.tally_marks("ranking", rnd["rules"], ids, [x["marks"] for x in store.round_ballots(rnd["id"])])
    assert {r.idea_id: r.score for r in res} == {ids[2]: 3, ids[0]: 2 + 3, ids[1]: 1, ids[3]: 0}


def test_choose_one_and_withdrawing(store, ws):
    rnd, ids = open_round(store, ws, "choose_one", n=2)
    p = people(store, ws, 1)[0]
    with pytest.raises(KitError):
        store.save_ballot(rnd["id"], p["id"], {"choices": ids})
    store.save_ballot(rnd["id"], p["id"], {"choices": [ids[1]]})
    assert store.ballot_count(rnd["id"]) == 1
    out = store.save_ballot(rnd["id"], p["id"], {"choices": []})
    assert out["withdrawn"] and store.ballot_count(rnd["id"]) == 0


def test_vote_after_close_changes_nothing(store, ws):
    rnd, ids = open_round(store, ws, "approval")
    p = people(store, ws, 1)[0]
    store.save_ballot(rnd["id"], p["id"], {"choices": [ids[0]]})
    store.close_round(rnd["id"])
    with pytest.raises(KitError) as err:
        store.save_ballot(rnd["id"], p["id"], {"choices": [ids[1]]})
    assert err.value.code == "round_closed"
    assert store.ballot_of(rnd["id"], p["id"])["choices"] == [ids[0]]


def test_runoff_round_only_offers_the_tied_ideas(store, ws):
    its = ideas(store, ws, ["A", "B", "C", "D"])
    rnd = store.open_round(store.create_round(ws["id"], "Uusinta", "fixed5",
                                              idea_ids=[its[1]["id"], its[3]["id"]])["id"])
    assert [i["text"] for i in store.round_items(rnd["id"])] == ["B", "D"]


# -- participatory budgeting ----------------------------------------------------------------------------
PB_COSTS = {"Pyöräpolku": "700", "Ulkokuntosali": "400", "Puisto": "250", "Leikkipaikka": "200", "Lastenkirjasto": "100"}
EXAMPLE1 = {  # equalshares.net Example 1: voters 1..11
    "Pyöräpolku": {1, 2, 3, 4, 5, 6, 11}, "Ulkokuntosali": {1, 2, 3, 4, 5, 6}, "Puisto": {2, 4, 5, 7, 10},
    "Leikkipaikka": {7, 8, 9, 10}, "Lastenkirjasto": {7, 9, 10},
}


def pb_round(store, ws, costs=PB_COSTS, budget="1100", **kw):
    its = ideas(store, ws, list(costs), costs)
    rnd = store.create_round(ws["id"], "Budjetti", method="pb", options={"budget": budget, **kw})
    return store.open_round(rnd["id"]), {i["text"]: i["id"] for i in its}


def test_pb_round_counts_example1_with_both_rules(store, ws):
    rnd, ids = pb_round(store, ws)
    assert sorted(rnd["rules"]["lot"]) == sorted(ids.values())
    voters = people(store, ws, 11)
    for n, p in enumerate(voters, start=1):
        store.save_ballot(rnd["id"], p["id"], {"choices": [ids[k] for k, who in EXAMPLE1.items() if n in who]})
    e = store.election(rnd["id"])
    name = {str(v): k for k, v in ids.items()}
    assert [name[x] for x in budgeting.greedy(e).funded] == ["Pyöräpolku", "Ulkokuntosali"]
    assert [name[x] for x in budgeting.mes(e, "none").funded] == ["Pyöräpolku", "Leikkipaikka", "Lastenkirjasto"]
    # the costs are those fixed at opening, whatever the ideas say later
    store.set_idea_tags(ids["Puisto"], None, cost="5")
    assert store.election(rnd["id"]).project(str(ids["Puisto"])).cost == 250


@pytest.mark.parametrize("costs,budget,code", [
    ({**PB_COSTS, "Linna": "5000"}, "1100", "project_over_budget"),
    ({"Kota": "10", "Laavu": None}, "1100", "cost_missing"),
])
def test_pb_round_refuses_to_open_and_stores_nothing(store, ws, costs, budget, code):
    its = ideas(store, ws, list(costs), costs)
    rnd = store.create_round(ws["id"], "Budjetti", method="pb", options={"budget": budget})
    with pytest.raises(KitError) as err:
        store.open_round(rnd["id"])
    assert err.value.code == code
    assert store.round(rnd["id"])["status"] == "draft" and store.round_items(rnd["id"]) == []
    assert len(its) == len(costs)


def test_pb_duplicate_project_names_are_refused(store, ws):
    store.add_idea(ws["id"], "Kota", cost="10")
    store.add_idea(ws["id"], "kota ", cost="20")
    rnd = store.create_round(ws["id"], "B", method="pb", options={"budget": "100"})
    with pytest.raises(KitError) as err:
        store.open_round(rnd["id"])
    assert err.value.code == "duplicate_project"


@pytest.mark.parametrize("budget", ["-100", "paljon", "0", None])
def test_pb_budget_must_be_a_positive_number(store, ws, budget):
    with pytest.raises(KitError):
        store.create_round(ws["id"], "B", method="pb", options={"budget": budget})
    assert store.rounds(ws["id"]) == []


def test_pb_with_zero_ballots_has_no_outcome(store, ws):
    rnd, _ = pb_round(store, ws)
    store.close_round(rnd["id"])
    o = budgeting.mes(store.election(rnd["id"]))
    assert not o.has_result and o.funded == []


# -- paper ballots and the shared tablet --------------------------------------------------------------
def test_paper_ballot_counts_only_when_two_entries_agree(store, ws):
    rnd, ids = open_round(store, ws, "approval")
    assert store.enter_paper_ballot(rnd["id"], "7", {"choices": [ids[0], ids[2]]}, "resident")["status"] == "first"
    assert store.ballot_count(rnd["id"]) == 0
    with pytest.raises(KitError) as err:
        store.enter_paper_ballot(rnd["id"], "7", {"choices": [ids[0], ids[3]]}, "resident")
    assert err.value.code == "paper_mismatch"
    assert store.ballot_count(rnd["id"]) == 0
    out = store.enter_paper_ballot(rnd["id"], "7", {"choices": [ids[2], ids[0]]}, "resident")
    assert out["status"] == "counted"
    ballots = store.round_ballots(rnd["id"])
    assert len(ballots) == 1 and ballots[0]["source"] == "paper" and ballots[0]["group"] == "resident"
    with pytest.raises(KitError) as err:
        store.enter_paper_ballot(rnd["id"], "7", {"choices": [ids[2], ids[0]]}, "resident")
    assert err.value.code == "paper_already_counted"
    assert store.ballot_count(rnd["id"]) == 1


def test_paper_first_entry_can_be_cleared(store, ws):
    rnd, ids = open_round(store, ws, "approval")
    store.enter_paper_ballot(rnd["id"], "8", {"choices": [ids[1]]})
    store.clear_paper_entry(rnd["id"], "8")
    store.enter_paper_ballot(rnd["id"], "8", {"choices": [ids[2]]})
    store.enter_paper_ballot(rnd["id"], "8", {"choices": [ids[2]]})
    assert store.round_ballots(rnd["id"])[0]["marks"] == {ids[2]: 1}


def test_kiosk_needs_the_facilitators_pin_for_each_voter(store, ws):
    with pytest.raises(KitError) as err:
        store.kiosk_voter(ws["id"], "000000")
    assert err.value.code == "kiosk_off"
    pin, tablet = store.start_kiosk(ws["id"])
    assert len(pin) == 6 and pin not in str(store.workshop(ws["id"])["settings"])
    assert tablet not in str(store.workshop(ws["id"])["settings"]) and store.kiosk_tablet_ok(ws["id"], tablet)
    # another token and another PIN: the first character changed (never to itself)
    wrong_tablet = ("y" if tablet[0] == "x" else "x") + tablet[1:]
    wrong_pin = ("1" if pin[0] == "0" else "0") + pin[1:]
    assert not store.kiosk_tablet_ok(ws["id"], wrong_tablet) and not store.kiosk_tablet_ok(ws["id"], None)
    with pytest.raises(KitError) as err:
        store.kiosk_voter(ws["id"], wrong_pin)
    assert err.value.code == "kiosk_pin"
    a, ta = store.kiosk_voter(ws["id"], pin, "resident")
    b, tb = store.kiosk_voter(ws["id"], pin, None)
    assert a["id"] != b["id"] and ta != tb and a["kind"] == "kiosk"
    store.start_kiosk(ws["id"])  # a new PIN: the old one stops working
    with pytest.raises(KitError):
        store.kiosk_voter(ws["id"], pin)


# -- results by stakeholder group ---------------------------------------------------------------------
def test_results_by_group_suppress_small_groups_and_find_single_group_ideas():
    ballots = ([{"group": "resident", "marks": {1: 1}} for _ in range(5)]
               + [{"group": "sote_professional", "marks": {1: 1, 2: 1}} for _ in range(6)]
               + [{"group": "parish", "marks": {3: 1}} for _ in range(2)])
    out = voting.by_group("approval", {}, [1, 2, 3], ballots, min_group=5)
    assert set(out["groups"]) == {"resident", "sote_professional"}
    assert out["groups"]["resident"] == {1: 5, 2: 0, 3: 0}
    assert out["suppressed_voters"] == 2
    assert out["single_group"] == [{"item": 2, "group": "sote_professional"}]  # 3's backers are hidden


# -- upgrade of a store made by schema v1 --------------------------------------------------------------
def test_a_v1_store_is_upgraded_in_place_keeping_its_data(tmp_path):
    s = Store.open(tmp_path)
    ws = s.create_workshop("Vanha", "pore", "fi")
    s.add_idea(ws["id"], "Vanha idea")
    s.close()
    con = sqlite3.connect(tmp_path / STORE_FILE)
    for table, col in (("ideas", "cost"), ("ideas", "tags"), ("ideas", "merged_into"), ("ideas", "reject_reason"),
                       ("participants", "kind"), ("ballots", "source")):
        con.execute(f"ALTER TABLE {table} DROP COLUMN {col}")
    con.execute("DROP TABLE paper_entries")
    con.execute("UPDATE kit_meta SET value='1' WHERE key='schema_version'")
    con.commit()
    con.close()
    s = Store.open(tmp_path)
    assert s.schema_version() == SCHEMA_VERSION
    idea = s.ideas(ws["id"])[0]
    assert idea["text"] == "Vanha idea" and idea["cost"] is None
    s.set_idea_tags(idea["id"], None, cost="10")
    assert s.idea(idea["id"])["cost"] == "10"
    s.close()


def test_amount_text_is_exact():
    assert numbers.amount_text(Fraction(2401, 2)) == "1200.50"


def test_pb_export_reads_back_and_counts_the_same(store, ws):
    rnd, ids = pb_round(store, ws)
    for n, p in enumerate(people(store, ws, 11), start=1):
        store.save_ballot(rnd["id"], p["id"], {"choices": [ids[k] for k, who in EXAMPLE1.items() if n in who]})
    text = store.pb_file(rnd["id"])
    e = budgeting.read_pb(text)
    assert len(e.ballots) == 11 and e.budget == 1100 and e.currency == "EUR"
    assert budgeting.mes(e, "none").funded == budgeting.mes(store.election(rnd["id"]), "none").funded
    # and into another workshop, as a closed round counted the same way
    other = store.create_workshop("Toinen", "pore", "fi")
    imported = store.import_pb(other["id"], text, "Tuotu")
    assert imported["status"] == "closed" and store.ballot_count(imported["id"]) == 11
    again = store.election(imported["id"])

    def names(el, o):
        return [el.project(x).label for x in o.funded]

    assert names(again, budgeting.greedy(again)) == names(e, budgeting.greedy(e))
    assert names(again, budgeting.mes(again)) == names(e, budgeting.mes(e))


def test_a_malformed_pb_import_changes_nothing(store, ws):
    before = (len(store.ideas(ws["id"])), len(store.rounds(ws["id"])))
    bad = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n1;10;A\nVOTES\nvoter_id;vote\n1;1,7\n"
    with pytest.raises(KitError) as err:
        store.import_pb(ws["id"], bad)
    assert err.value.code == "pb_line" and err.value.params["line"] == 10
    cumulative = ("META\nkey;value\nbudget;100\nvote_type;cumulative\nPROJECTS\nproject_id;cost\n1;10\n"
                  "VOTES\nvoter_id;vote;points\n1;1;3\n")
    with pytest.raises(KitError):
        store.import_pb(ws["id"], cumulative)
    assert (len(store.ideas(ws["id"])), len(store.rounds(ws["id"]))) == before
