"""Facilitator views driven without a browser: actions are methods, buttons only call them."""

import pytest

from kit.store import Store
from kit.ui import ProjectorApp, StartApp
from kit.ui.projector import board_data

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def ws(store):
    return store.create_workshop("Paja", "osallisuusverkosto", "fi")


def test_an_empty_store_opens_the_demo_workshop(store):
    app = ProjectorApp(store, poll=False)
    assert app.ws["title"].startswith("Demo")
    # the demo shows both a dot round and a budgeting round with ballots from the first start
    rounds = store.rounds(app.ws["id"])
    assert [r["method"] for r in rounds] == ["dots", "pb"]
    assert [store.ballot_count(r["id"]) for r in rounds] == [6, 12]
    assert app.data["round"]["method"] == "pb" and app.data["ballots"] == 12
    assert "kit-pb-greedy" in app.results.value and "kit-pb-mes" in app.results.value
    assert app.data["pb"]["greedy"].funded != app.data["pb"]["mes"].funded
    # the demo's votes are closed: no "close the vote" beside a round marked closed
    assert app.close_btn.layout.display == "none"


def test_projector_shows_hostile_idea_text_escaped(store, ws):
    store.add_idea(ws["id"], HOSTILE)
    app = ProjectorApp(store, code=ws["code"], poll=False)
    html = "".join(c.children[0].value for c in app.ideas_box.children)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and HOSTILE not in html


def test_hide_button_hides_the_idea_in_the_store(store, ws):
    idea = store.add_idea(ws["id"], "Piilota minut")
    app = ProjectorApp(store, code=ws["code"], poll=False)
    app.ideas_box.children[0].children[2].click()
    assert store.ideas(ws["id"])[0]["status"] == "hidden"
    assert "kit-show-idea" in app.ideas_box.children[0].children[2]._dom_classes
    app.show_idea(idea["id"])
    assert store.ideas(ws["id"])[0]["status"] == "visible"


def test_results_stay_hidden_until_revealed(store, ws):
    a = store.add_idea(ws["id"], "A")
    store.add_idea(ws["id"], "B")
    start = StartApp(store, code=ws["code"])
    start.poller.stop()
    rnd = start.start_dot_round("Kierros", "fixed5")
    p, _ = store.add_participant(ws["id"])
    store.save_dot_ballot(rnd["id"], p["id"], {a["id"]: 3})
    app = ProjectorApp(store, code=ws["code"], poll=False)
    assert "kit-results-hidden" in app.results.value and "data-score" not in app.results.value
    app.reveal_btn.value = True
    assert store.round(rnd["id"])["results_visible"]
    assert f"data-idea='{a['id']}' data-score='3'" in app.results.value
    assert app.close_btn.layout.display is None  # an open vote can be closed from here
    assert "1 / 1" in app.stats.value


def test_start_button_opens_a_round_and_close_button_closes_it(store, ws):
    for i in range(7):
        store.add_idea(ws["id"], f"Idea {i}")
    app = StartApp(store, code=ws["code"])
    app.poller.stop()
    app.start_round_btn.click()
    rnd = store.current_round(ws["id"])
    assert rnd["status"] == "open" and rnd["rules"]["dots"] == 2
    app.close_btn.click()
    assert store.round(rnd["id"])["status"] == "closed"


def test_a_refused_action_shows_a_message_and_changes_nothing(store, ws):
    app = StartApp(store, code=ws["code"])
    app.poller.stop()
    app.start_round_btn.click()  # no ideas yet
    assert "Äänestettäviä ideoita ei vielä ole" in app.message.value
    assert store.rounds(ws["id"]) == []  # a refused round leaves no trace


def test_poller_redraws_when_another_process_writes(store, ws, tmp_path):
    app = ProjectorApp(store, code=ws["code"], poll=False)
    from kit.ui.common import Poller

    poller = Poller(store, ws["id"], app.refresh)
    other = Store.connect(store.url if store.postgres else None, tmp_path)  # as a second kernel would
    other.add_idea(ws["id"], "Toisesta prosessista")
    assert poller.check() is True
    assert "Toisesta prosessista" in app.ideas_box.children[0].children[0].value
    assert poller.check() is False


def test_start_page_shows_join_code_and_qr(store, ws, monkeypatch):
    monkeypatch.setenv("KIT_PARTICIPANT_URL", "http://192.0.2.10:8866")
    app = StartApp(store, code=ws["code"])
    app.poller.stop()
    assert f"http://192.0.2.10:8866/kit/join/{ws['code']}" in app.join.value
    assert "<svg" in app.join.value and ws["code"] in app.join.value


def test_creating_a_workshop_switches_to_it(store, ws):
    app = StartApp(store, code=ws["code"])
    app.poller.stop()
    new = app.create_workshop("pore", "Asukasbudjetti", "sv")
    assert app.ws["id"] == new["id"] and new["language"] == "sv"


def test_board_data_counts_ballots_against_participants(store, ws):
    a = store.add_idea(ws["id"], "A")
    rnd = store.open_round(store.create_round(ws["id"], "R", "fixed5")["id"])
    for _ in range(3):
        store.add_participant(ws["id"])
    p, _ = store.add_participant(ws["id"])
    store.save_dot_ballot(rnd["id"], p["id"], {a["id"]: 5})
    data = board_data(store, ws["id"])
    assert (data["participants"], data["ballots"], data["results"][0].score) == (4, 1, 5)


@pytest.mark.parametrize("env, url", [
    ({"KIT_PARTICIPANT_URL": "http://192.0.2.10:8866/"}, "http://192.0.2.10:8866/kit/join/ABC234"),
    ({"JUPYTERHUB_SERVICE_PREFIX": "/user/team-x/", "HTTP_X_FORWARDED_PROTO": "https",
      "HTTP_X_FORWARDED_HOST": "hub.example.org", "SERVER_NAME": "10.0.0.5", "SERVER_PORT": "8888"},
     "https://hub.example.org/user/team-x/kit/join/ABC234"),
    ({"SERVER_NAME": "192.0.2.7", "SERVER_PORT": "8866"}, "http://192.0.2.7:8866/kit/join/ABC234"),
    ({}, "/kit/join/ABC234"),
])
def test_join_link_is_absolute_behind_a_proxy_and_on_the_lan(env, url):
    from kit.ui.common import participant_url

    assert participant_url("ABC234", env) == url


def test_every_jupyter_server_of_the_kit_uses_the_offline_voila_template(tmp_path):
    from kit.__main__ import server_config

    c = server_config("0.0.0.0", 8866, "t")
    assert c.VoilaConfiguration.template == "kit"
    assert c.ServerApp.jpserver_extensions["kit.server"] is True
    assert c.ServerApp.tornado_settings["mathjax_url"].startswith("/kit/static/")


# -- stage 2 on the projector ---------------------------------------------------------------------------
def test_a_budgeting_round_shows_its_one_decision_and_the_other_rule_only_as_a_labelled_comparison(store, ws):
    from tests.unit.test_rounds import EXAMPLE1, PB_COSTS

    for text, cost in PB_COSTS.items():
        store.add_idea(ws["id"], text, cost=cost)
    start = StartApp(store, code=ws["code"], lang="en")
    start.poller.stop()
    start.method.value = "pb"
    start.budget.value = "1100"
    start.start_round_btn.click()
    rnd = store.current_round(ws["id"])
    assert rnd["method"] == "pb" and rnd["status"] == "open", start.message.value
    ids = {i["text"]: i["id"] for i in store.round_items(rnd["id"])}
    for n in range(1, 12):
        p, _ = store.add_participant(ws["id"], None, "resident")
        store.save_ballot(rnd["id"], p["id"], {"choices": [ids[k] for k, who in EXAMPLE1.items() if n in who]})
    app = ProjectorApp(store, code=ws["code"], lang="en", poll=False)
    assert "kit-pb" not in app.results.value  # hidden until revealed
    app.reveal(True)
    html = app.results.value
    # the rule fixed at the opening (equal shares by default) is the decision and comes first; the other
    # is labelled a comparison and stays on the desk (kit-desk-only: never on the projector's view)
    assert rnd["rules"]["rule"] == "mes" and html.index("kit-pb-mes") < html.index("kit-pb-greedy")
    mes = html[html.index("kit-pb-mes"):html.index("kit-pb-greedy")]
    greedy = html[html.index("kit-pb-greedy"):]
    assert "kit-pb-binding" in mes and "Decision: Equal shares (Add1)" in mes
    assert "kit-pb-compare kit-desk-only" in greedy and "For comparison, not the decision: Most votes first" in greedy
    assert f"data-funded='{ids['Pyöräpolku']}'" in greedy and f"data-funded='{ids['Ulkokuntosali']}'" in greedy
    assert f"data-funded='{ids['Leikkipaikka']}'" in mes and f"data-funded='{ids['Ulkokuntosali']}'" not in mes
    assert "voters paid" in mes and "Money left" in greedy


def test_a_refused_budgeting_round_keeps_the_running_vote_open(store, ws):
    store.add_idea(ws["id"], "Linna", cost="5000")
    start = StartApp(store, code=ws["code"], lang="en")
    start.poller.stop()
    dots = start.start_dot_round("Dots", "fixed5")
    start.method.value = "pb"
    start.budget.value = "1000"
    start.start_round_btn.click()
    assert "costs more than the whole budget" in start.message.value
    assert store.round(dots["id"])["status"] == "open"
    assert [r["id"] for r in store.rounds(ws["id"])] == [dots["id"]]


def test_runoff_is_one_click_among_the_tied_ideas(store, ws):
    a, b, _ = (store.add_idea(ws["id"], x) for x in ("A", "B", "C"))
    start = StartApp(store, code=ws["code"])
    start.poller.stop()
    rnd = start.start_round("Yksi", "choose_one")
    for idea in (a, b):
        p, _ = store.add_participant(ws["id"])
        store.save_ballot(rnd["id"], p["id"], {"choices": [idea["id"]]})
    app = ProjectorApp(store, code=ws["code"], poll=False)
    assert sorted(app.data["ties"]) == [a["id"], b["id"]] and not app.runoff_btn.disabled
    app.runoff_btn.click()
    new = store.current_round(ws["id"])
    assert new["id"] != rnd["id"] and new["method"] == "choose_one"
    assert [i["id"] for i in store.round_items(new["id"])] == [a["id"], b["id"]]
    assert store.round(rnd["id"])["status"] == "closed"


def test_moderation_panel_rejects_merges_and_tags(store, ws):
    x = store.add_idea(ws["id"], "Suoretki")
    y = store.add_idea(ws["id"], "Retki suolle")
    z = store.add_idea(ws["id"], HOSTILE)
    app = ProjectorApp(store, code=ws["code"], lang="en", poll=False)
    app.pick.value = z["id"]
    app.reject_btn.click()
    assert "reason" in app.message.value and store.idea(z["id"])["status"] == "visible"
    app.reason.value = "Not safe"
    app.reject_btn.click()
    assert store.idea(z["id"])["reject_reason"] == "Not safe"
    app.pick.value = x["id"]
    app.merge_from.value = (y["id"],)
    app.merge_btn.click()
    assert store.idea(y["id"])["merged_into"] == x["id"]
    app.cost.value = "abc"
    app.tags_btn.click()
    assert "not a number" in app.message.value and store.idea(x["id"])["cost"] is None
    app.cost.value = "300"
    app.pore.value = 2
    app.tags_btn.click()
    assert store.idea(x["id"])["cost"] == "300" and store.idea(x["id"])["tags"] == {"pore_level": 2}
    html = "".join(c.children[0].value for c in app.ideas_box.children)
    assert "rejected: Not safe" in html and HOSTILE not in html


def test_paper_ballot_entered_twice_differently_is_caught_in_the_panel(store, ws):
    for x in ("A", "B", "C"):
        store.add_idea(ws["id"], x)
    start = StartApp(store, code=ws["code"], lang="en")
    start.poller.stop()
    rnd = start.start_round("Hyväksyntä", "approval")
    app = ProjectorApp(store, code=ws["code"], lang="en", poll=False)
    assert "data:text/html" in app.paper_print.value
    app.paper_serial.value, app.paper_marks.value = "12", "1, 3"
    app.paper_btn.click()
    assert "first entry kept" in app.message.value and store.ballot_count(rnd["id"]) == 0
    app.paper_marks.value = "1, 2"
    app.paper_btn.click()
    assert "differs from the first" in app.message.value and store.ballot_count(rnd["id"]) == 0
    app.paper_marks.value = "3 1"
    app.paper_btn.click()
    assert "counted" in app.message.value and store.ballot_count(rnd["id"]) == 1
    assert store.round_ballots(rnd["id"])[0]["source"] == "paper"
    app.paper_serial.value, app.paper_marks.value = "13", "9"
    app.paper_btn.click()
    assert "could not be read" in app.message.value


def test_round_title_follows_the_method_until_the_facilitator_writes_one(store, ws):
    start = StartApp(store, code=ws["code"], lang="en")
    start.poller.stop()
    start.method.value = "ranking"
    assert start.round_title.value == "Ranking"
    start.round_title.value = "Our own title"
    start.method.value = "pb"
    assert start.round_title.value == "Our own title"


def test_pb_file_download_and_import_on_the_projector(store, ws):
    import base64
    from pathlib import Path

    pabulib = Path(__file__).resolve().parents[1] / "data" / "pabulib"
    text = (pabulib / "poland_warszawa_2017_anin.pb").read_text(encoding="utf-8")
    app = ProjectorApp(store, code=ws["code"], lang="en", poll=False)
    app.pb_upload.value = ({"name": "anin.pb", "content": memoryview(text.encode("utf-8")), "type": "", "size": 1,
                            "last_modified": __import__("datetime").datetime(2026, 1, 1)},)
    assert "510 ballots" in app.message.value, app.message.value
    rnd = store.current_round(ws["id"])
    assert rnd["title"] == "anin" and store.ballot_count(rnd["id"]) == 510
    href = app.pb_download.value.split("href='")[1].split("'")[0]
    exported = base64.b64decode(href.split(",", 1)[1]).decode("utf-8")
    assert exported.count("\n") > 510 and "vote_type;approval" in exported
    app.pb_upload.value = ({"name": "bad.pb", "content": memoryview(b"budget;1\n"), "type": "", "size": 1,
                            "last_modified": __import__("datetime").datetime(2026, 1, 1)},)
    assert ".pb file, line 1" in app.message.value
    assert len(store.rounds(ws["id"])) == 1


def test_with_premoderation_pending_ideas_never_reach_the_projector_only_their_number(store, ws):
    """Issue 15, item 2: the projector listed every pending idea (struck through) while the sender's
    phone said others would see it once approved."""
    store.set_setting(ws["id"], "premoderate", True)
    p, _ = store.add_participant(ws["id"], "Aino", "resident")
    secret = store.add_idea(ws["id"], "Odottava <b>salaisuus</b>", p["id"])
    assert secret["status"] == "pending"
    app = ProjectorApp(store, code=ws["code"], lang="fi", poll=False)
    app.refresh()
    desk = " ".join(c.children[0].value for c in app.ideas_box.children if hasattr(c, "children"))
    assert "salaisuus" in desk  # the desk view moderates it
    app.set_screen("dark")
    shown = " ".join(getattr(c, "value", "") or " ".join(getattr(x, "value", "") for x in getattr(c, "children", []))
                     for c in app.ideas_box.children)
    assert "salaisuus" not in shown and all("salaisuus" not in label for label, _ in app.pick.options)
    assert "kit-waiting'>1<" in app.stats.value and "odottaa hyväksyntää" in app.stats.value
    store.set_idea_status(secret["id"], "visible")
    app.refresh()
    assert any("salaisuus" in " ".join(getattr(x, "value", "") for x in getattr(c, "children", []))
               for c in app.ideas_box.children)
    assert "kit-waiting" not in app.stats.value


def test_moderation_buttons_act_once_on_the_idea_they_were_shown_for(store, ws):
    """Issue 15, item 4: approving six ideas took ten clicks, one stayed pending, and a double click
    on "Hyväksy" hid the idea just approved ("Piilota" took its place)."""
    store.set_setting(ws["id"], "premoderate", True)
    p, _ = store.add_participant(ws["id"], "Aino", "resident")
    ideas = [store.add_idea(ws["id"], f"Idea {n}", p["id"]) for n in range(6)]
    app = ProjectorApp(store, code=ws["code"], lang="fi", poll=False)
    rows = list(app.ideas_box.children)
    approve = rows[0].children[1]
    assert approve.description == "Hyväksy" and "kit-approve-idea" in approve._dom_classes
    approve.click()
    approve.click()  # a double click: the second press does nothing
    assert store.idea(ideas[0]["id"])["status"] == "visible"
    assert approve.disabled and approve.description == "Hyväksytty"
    # the rows are the same widgets after every redraw, in the same order: nothing moves under the pointer
    store.add_participant(ws["id"], "Eero", "resident")
    app.refresh()
    assert list(app.ideas_box.children) == rows
    # a press on a row another desk has changed since it was drawn does nothing
    app._rows[ideas[1]["id"]][3]["status"] = "pending"
    store.set_idea_status(ideas[1]["id"], "hidden")
    assert app.approve_idea(ideas[1]["id"]) is False
    assert store.idea(ideas[1]["id"])["status"] == "hidden"
    # hide, then a second press right after on the button now saying "Näytä": still hidden
    app.refresh()
    toggle = rows[2].children[2]
    toggle.click()
    assert toggle.description == "Näytä"
    toggle.click()
    assert store.idea(ideas[2]["id"])["status"] == "hidden"
    # approve all that still wait, in one click
    assert app.approve_all_btn.description == "Hyväksy kaikki odottavat (3)"
    app.approve_all_btn.click()
    assert [store.idea(i["id"])["status"] for i in ideas] == ["visible", "hidden", "hidden"] + ["visible"] * 3
    assert "Hyväksytty odottaneita ideoita: 3." in app.message.value
    assert app.approve_all_btn.disabled


def test_the_projector_shows_the_devices_here_now_beside_everyone_who_joined(store, ws):
    """Issue 15, item 19: "äänestäneet / liittyneet" counted the demo's seeded participants as present."""
    a, _ = store.add_participant(ws["id"], "A")
    store.add_participant(ws["id"], "B")  # joined once, not polling now
    store.seen(a["id"])
    app = ProjectorApp(store, code=ws["code"], poll=False)
    assert "kit-participants'>2<" in app.stats.value and "kit-present'>1<" in app.stats.value
    assert store.present_count(ws["id"], minutes=0) == 0


def test_a_new_workshop_takes_the_templates_title_in_every_language_and_a_typed_one_per_language(store, ws):
    """Issue 15, item 21: a Swedish-speaking network saw the Finnish template title on its Swedish pages."""
    from kit import workshop as wsmod

    app = StartApp(store, code=ws["code"], lang="sv")
    app.poller.stop()
    new = app.create_workshop("satelliitti", "", "sv")
    assert new["language"] == "sv" and new["title"] == wsmod.template_name("satelliitti", "sv")
    names = {lang: wsmod.title(store.workshop(new["id"]), lang) for lang in ("fi", "sv", "en")}
    assert names == wsmod.template_titles("satelliitti") and names["fi"] != names["sv"]
    assert app.titles["fi"].value == names["fi"]
    app.save_titles({"fi": "Vaasan satelliitit", "sv": "Vasa satelliter", "en": ""})
    saved = store.workshop(new["id"])
    assert [wsmod.title(saved, lang) for lang in ("fi", "sv", "en")] == ["Vaasan satelliitit", "Vasa satelliter",
                                                                         saved["title"]]
    typed = app.create_workshop("satelliitti", "Oma <b>nimi</b>", "fi")
    assert {wsmod.title(typed, lang) for lang in ("fi", "sv", "en")} == {"Oma <b>nimi</b>"}  # as typed


def test_language_pickers_show_the_languages_names_and_the_ideas_heading_is_a_heading(store, ws):
    """Issue 15, item 19: "Kieli: fi"; the projector's heading "ideat" in lower case."""
    start = StartApp(store, code=ws["code"], lang="fi")
    start.poller.stop()
    assert [label for label, _ in start.language.options] == ["Suomi", "Svenska", "English"]
    app = ProjectorApp(store, code=ws["code"], lang="fi", poll=False)
    headings = [c.value for c in app.children if hasattr(c, "value") and isinstance(c.value, str) and "<h2" in c.value]
    assert any(">Ideat</h2>" in h for h in headings)
