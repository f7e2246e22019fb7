"""Facilitator views driven without a browser: actions are methods, buttons only call them."""

import pytest

from kit.store import Store
from kit.ui import ProjectorApp, StartApp
from kit.ui.projector import board_data

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path)
    yield s
    s.close()


@pytest.fixture
def ws(store):
    return store.create_workshop("Paja", "osallisuusverkosto", "fi")


def test_an_empty_store_opens_the_demo_workshop(store):
    app = ProjectorApp(store, poll=False)
    assert app.ws["title"].startswith("Demo")
    assert app.data["round"]["status"] == "closed" and app.data["ballots"] == 6


def test_projector_shows_hostile_idea_text_escaped(store, ws):
    store.add_idea(ws["id"], HOSTILE)
    app = ProjectorApp(store, code=ws["code"], poll=False)
    html = "".join(c.children[0].value for c in app.ideas_box.children)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and HOSTILE not in html


def test_hide_button_hides_the_idea_in_the_store(store, ws):
    idea = store.add_idea(ws["id"], "Piilota minut")
    app = ProjectorApp(store, code=ws["code"], poll=False)
    app.ideas_box.children[0].children[1].click()
    assert store.ideas(ws["id"])[0]["status"] == "hidden"
    assert "kit-show-idea" in app.ideas_box.children[0].children[1]._dom_classes
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
    assert store.rounds(ws["id"])[0]["status"] == "draft"


def test_poller_redraws_when_another_process_writes(store, ws, tmp_path):
    app = ProjectorApp(store, code=ws["code"], poll=False)
    from kit.ui.common import Poller

    poller = Poller(store, ws["id"], app.refresh)
    other = Store.open(tmp_path)  # as a second kernel would
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

    c = server_config(tmp_path, "0.0.0.0", 8866, "t", "http://x")
    assert c.VoilaConfiguration.template == "kit"
    assert c.ServerApp.jpserver_extensions["kit.server"] is True
    assert c.ServerApp.tornado_settings["mathjax_url"].startswith("/kit/static/")
