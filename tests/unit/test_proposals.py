"""Issue 17, item 5: budgeting proposals through their phases, as in PORE and Decidim: idea → developed
proposal (description, preliminary cost, the municipality's feasibility note, a final cost that goes on
the ballot) → on the ballot → funded (by the round's binding rule) → implemented; in the report."""

import pytest

from kit import proposals, report, sample
from kit.errors import KitError
from kit.store.workshops import clean_cost
from kit.ui import ProjectorApp


def test_a_proposal_moves_through_its_phases():
    idea = {"text": "Penkit", "cost": None, "proposal": None}
    assert proposals.phase(idea, False, False) == "idea"
    developed = {**idea, "proposal": {"feasibility": "Mahdollinen kaavan puolesta."}}
    assert proposals.phase(developed, False, False) == "developed"
    assert proposals.phase({**idea, "cost": "12000"}, False, False) == "developed"  # a final cost alone
    assert proposals.phase(developed, True, False) == "on_ballot"
    assert proposals.phase(developed, True, True) == "funded"
    done = {**idea, "proposal": {"implementation": "done", "implemented_on": "2027-05-31"}}
    assert proposals.phase(done, True, True) == "implemented"
    dropped = {**idea, "proposal": {"implementation": "dropped"}}
    assert proposals.phase(dropped, True, True) == "funded"  # funded, then dropped: still what was decided


@pytest.mark.parametrize("bad, code", [({"implementation": "kesken"}, "bad_field"),
                                       ({"implemented_on": "ensi kesänä"}, "bad_date"),
                                       ({"preliminary_cost": "paljon"}, "bad_amount"),
                                       ({"description": "x" * 2001}, "too_long"),
                                       ({"colour": "red"}, "bad_field")])
def test_a_bad_field_is_refused_and_nothing_is_saved(store, bad, code):
    ws = store.create_workshop("Budjetti", "pore", "fi")
    idea = store.set_proposal(store.add_idea(ws["id"], "Lampi")["id"], {"description": "Kunnostus"}, final_cost="5000")
    with pytest.raises(KitError) as err:
        store.set_proposal(idea["id"], {"description": "Uusi", **bad}, final_cost="9000")
    assert err.value.code == code and err.value.message("fi")
    again = store.idea(idea["id"])
    assert again["proposal"] == {"description": "Kunnostus"} and again["cost"] == "5000"
    assert proposals.check({"preliminary_cost": "1 200,50"}, clean_cost) == {"preliminary_cost": "1200.50"}


def test_the_report_follows_each_proposal_to_its_implementation(store):
    ws = sample.load_demo(store)
    wid = ws["id"]
    pb = next(r for r in store.rounds(wid) if r["method"] == "pb")  # closed, decided by equal shares
    rep = report.Report(store, wid, "fi")
    phases = {x["text"]: x["phase"] for x in rep.proposals()}
    funded = set(rep.decision_line(pb).split("rahoitetaan ", 1)[1].split(";")[0].split(", "))
    assert {k for k, v in phases.items() if v == "funded"} == funded
    assert all(phases[i["text"]] == "on_ballot" for i in store.round_items(pb["id"]) if i["text"] not in funded)
    dots = next(r for r in store.rounds(wid) if r["method"] == "dots")
    uncosted = [i["text"] for i in store.round_items(dots["id"]) if not i.get("cost")]
    assert uncosted and not set(uncosted) & set(phases)  # a dot vote's ideas are no budgeting proposals
    first = next(i for i in store.round_items(pb["id"]) if i["text"] in funded)
    store.set_proposal(first["id"], {"feasibility": "<i>Kaupunki</i> puoltaa", "implementation": "done",
                                     "implemented_on": "2027-05-31", "implementation_note": "Avattiin kesäjuhlassa"})
    html = report.report_html(store, wid, "fi")
    assert "Budjetointiehdotukset vaiheittain" in html
    assert "&lt;i&gt;Kaupunki&lt;/i&gt; puoltaa" in html and "<i>Kaupunki</i>" not in html
    assert "valmis 2027-05-31 Avattiin kesäjuhlassa" in html
    assert {x["text"]: x["phase"] for x in report.Report(store, wid, "fi").proposals()}[first["text"]] == "implemented"


def test_page_02_develops_a_proposal_and_refuses_a_bad_date(store):
    ws = store.create_workshop("Budjetti", "pore", "fi")
    idea = store.add_idea(ws["id"], "Vimpelinlammen kunnostus")
    app = ProjectorApp(store, code=ws["code"], lang="fi", poll=False)
    app.pick.value = idea["id"]
    app.proposal["description"].value = "Laiturit ja polku lammen ympäri."
    app.proposal["preliminary_cost"].value = "40 000"
    app.cost.value = "50000"
    app.proposal["implemented_on"].value = "pian"
    app.proposal_btn.click()
    assert "kit-msg" in app.message.value and store.idea(idea["id"])["proposal"] is None
    app.proposal["implemented_on"].value = ""
    app.proposal_btn.click()
    saved = store.idea(idea["id"])
    assert saved["proposal"] == {"description": "Laiturit ja polku lammen ympäri.", "preliminary_cost": "40000"}
    assert saved["cost"] == "50000"


def test_a_proposal_funded_at_one_meeting_is_followed_to_its_implementation_at_the_next(store):
    """Tracked across the network's meetings: meeting 3 lists what meeting 2 funded, marks it
    implemented from its own page 02, and its report says at which meeting each came."""
    demo = sample.load_demo(store)
    pb = next(r for r in store.rounds(demo["id"]) if r["method"] == "pb")
    funded = [x for x in report.Report(store, demo["id"], "fi").proposals() if x["phase"] == "funded"]
    assert funded and all(x["meeting"] == 2 for x in funded)
    third, _ = store.next_meeting(demo["id"], date="2027-02-04")
    app = ProjectorApp(store, code=third["code"], lang="fi", poll=False)
    offered = dict((v, k) for k, v in app.proposal_pick.options)
    target = funded[0]
    assert f"{target['text'][:60]} (2. kokous, rahoitettu)" == offered[target["id"]]
    assert not set(offered) & {i["id"] for i in store.ideas(third["id"])}  # only earlier meetings' ones
    app.proposal_pick.value = target["id"]
    assert app.proposal["description"].value == (target.get("proposal") or {}).get("description", "")
    app.proposal["implementation"].value = "done"
    app.proposal["implemented_on"].value = "2027-01-20"
    app.proposal_btn.click()
    saved = store.idea(target["id"])
    assert saved["proposal"]["implementation"] == "done" and saved["cost"] == target["cost"]  # its ballot cost kept
    rep = report.Report(store, third["id"], "fi")
    assert {x["id"]: (x["phase"], x["meeting"]) for x in rep.proposals()}[target["id"]] == ("implemented", 2)
    html = rep.proposals_section()
    assert "<th scope='col'>Kokous</th>" in html or ">Kokous<" in html
    assert pb["status"] == "closed"
