"""The participant API over HTTP, served in-process on a real SQLite store (tests/unit/inprocess.py);
facilitator steps go through the same file, as a Voila kernel would. What needs Jupyter itself (the
token on its routes) stays in tests/e2e/test_api.py."""

import urllib.request

import pytest

from kit import workshop as wsmod
from kit.launch import status_of


@pytest.fixture(scope="module")
def joined(kit_server):
    status, body = kit_server.api("POST", f"/workshops/{kit_server.code}/participants",
                                  {"nickname": "API", "group": "resident", "language": "en"})
    assert status == 201
    return body["token"]




def test_openapi_document_lists_the_participant_paths(kit_server):
    status, doc = kit_server.api("GET", "/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.")
    assert {"/workshops/{code}", "/workshops/{code}/participants", "/workshops/{code}/ideas",
            "/workshops/{code}/rounds/current", "/workshops/{code}/rounds/{round_id}/ballot"} <= set(doc["paths"])



@pytest.mark.parametrize("lang, words", [("fi", "Koodilla"), ("sv", "Ingen workshop"), ("en", "No workshop")])
def test_unknown_join_code_answers_404_in_the_participants_language(kit_server, lang, words):
    status, body = kit_server.api("GET", "/workshops/NOPE42", lang=lang)
    assert status == 404 and body["error"] == "unknown_workshop" and words in body["message"]



def test_unknown_join_code_page_offers_the_code_form(kit_server):
    assert status_of(kit_server.base + "/kit/join/NOPE42?lang=sv") == 404



def test_malformed_json_is_refused_and_nothing_is_stored(kit_server, joined):
    store = kit_server.store()
    ws = store.workshop_by_code(kit_server.code)
    before = len(store.ideas(ws["id"]))
    status, body = kit_server.api("POST", f"/workshops/{kit_server.code}/ideas", raw=b"{not json", token=joined, lang="en")
    assert status == 400 and body["error"] == "bad_json"
    status, body = kit_server.api("POST", f"/workshops/{kit_server.code}/ideas", {}, token=joined, lang="en")
    assert status == 400 and body["error"] == "idea_required"
    assert len(store.ideas(ws["id"])) == before



def test_an_idea_without_joining_is_refused(kit_server):
    status, body = kit_server.api("POST", f"/workshops/{kit_server.code}/ideas", {"text": "x"}, lang="fi")
    assert status == 401 and "Liity uudelleen" in body["message"]



def test_too_long_idea_is_refused_with_the_numbers(kit_server, joined):
    status, body = kit_server.api("POST", f"/workshops/{kit_server.code}/ideas", {"text": "y" * 501},
                                  token=joined, lang="en")
    assert status == 400 and "501" in body["message"] and "500" in body["message"]



def test_huge_body_is_refused(kit_server, joined):
    status, body = kit_server.api("POST", f"/workshops/{kit_server.code}/ideas", {"text": "z" * 40000},
                                  token=joined, lang="en")
    assert status == 413



def test_unknown_group_is_refused(kit_server):
    status, body = kit_server.api("POST", f"/workshops/{kit_server.code}/participants", {"group": "aliens"}, lang="sv")
    assert status == 400 and body["error"] == "unknown_group"



def test_vote_rules_are_enforced_and_a_late_vote_is_refused(kit_server, joined):
    code = kit_server.code
    store = kit_server.store()
    ws = store.workshop_by_code(code)
    status, body = kit_server.api("POST", f"/workshops/{code}/ideas", {"text": "API idea"}, token=joined, lang="en")
    assert status == 201
    rnd = store.open_round(store.create_round(ws["id"], "API round", "custom", dots=3, cap=2)["id"])
    idea = body["idea"]["id"]
    path = f"/workshops/{code}/rounds/{rnd['id']}/ballot"

    status, body = kit_server.api("PUT", path, {"dots": {str(idea): 3}}, token=joined, lang="en")
    assert status == 400 and body["error"] == "over_item_cap"
    status, body = kit_server.api("PUT", path, {"wrong": 1}, token=joined, lang="en")
    assert status == 400 and body["error"] == "bad_field"
    status, body = kit_server.api("PUT", path, {"dots": {str(idea): 2}}, token=joined, lang="en")
    assert status == 200 and body["dots_left"] == 1 and body["ballot"]["dots"] == {str(idea): 2}

    status, body = kit_server.api("GET", f"/workshops/{code}/rounds/current", token=joined)
    assert body["round"]["ballot"]["dots"] == {str(idea): 2} and body["round"]["results"] is None

    store.close_round(rnd["id"])
    status, body = kit_server.api("PUT", path, {"dots": {str(idea): 1}}, token=joined, lang="sv")
    assert status == 409 and body["error"] == "round_closed" and "avslutats" in body["message"]
    me = store.participant_by_token(ws["id"], joined)
    assert store.ballot_of(rnd["id"], me["id"])["dots"] == {idea: 2}
    assert store.ballot_count(rnd["id"]) == 1



def test_pages_forbid_scripts_from_elsewhere(kit_server):
    with urllib.request.urlopen(kit_server.participants, timeout=30) as r:
        csp = r.headers["Content-Security-Policy"]
        html = r.read().decode()
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert "http://" not in html.replace(kit_server.base, "") and "https://" not in html



def test_a_round_of_another_workshop_is_unknown_here(kit_server, joined):
    store = kit_server.store()
    other = store.create_workshop("Toinen", "pore", "fi")
    store.add_idea(other["id"], "Muualla")
    rnd = store.open_round(store.create_round(other["id"], "R", "fixed5")["id"])
    status, body = kit_server.api("PUT", f"/workshops/{kit_server.code}/rounds/{rnd['id']}/ballot",
                                  {"dots": {}}, token=joined, lang="en")
    assert status == 404 and body["error"] == "unknown_round"
    assert store.ballot_count(rnd["id"]) == 0



def test_poll_answers_one_line_when_nothing_changed_and_everything_when_something_did(kit_server, joined):
    code = kit_server.code
    _, ws = kit_server.api("GET", f"/workshops/{code}")
    status, quiet = kit_server.api("GET", f"/workshops/{code}/poll?since={ws['version']}", token=joined)
    assert status == 200 and quiet == {"version": ws["version"], "unchanged": True}
    status, full = kit_server.api("GET", f"/workshops/{code}/poll", token=joined, lang="en")
    assert status == 200 and set(full) == {"version", "now", "agenda", "current", "map", "tasks", "form", "tray",
                                           "words", "questions", "ideas"}
    assert full["ideas"] == kit_server.api("GET", f"/workshops/{code}/me", token=joined, lang="en")[1]["ideas"]
    for part, path in (("current", "/rounds/current"), ("map", "/map"), ("tasks", "/tasks"), ("form", "/form"),
                       ("tray", "/tray")):
        assert kit_server.api("GET", f"/workshops/{code}{path}", token=joined, lang="en")[1] == full[part], part
    status, _ = kit_server.api("POST", f"/workshops/{code}/ideas", {"text": "Uusi idea pollia varten"}, token=joined)
    assert status == 201
    status, after = kit_server.api("GET", f"/workshops/{code}/poll?since={ws['version']}", token=joined)
    assert "unchanged" not in after and after["version"] > ws["version"]
    assert kit_server.api("GET", f"/workshops/{code}/poll", token="not-a-token")[0] == 401



def test_reading_a_ballot_of_another_workshops_round_is_unknown_as_writing_is(kit_server, joined):
    store = kit_server.store()
    other = store.create_workshop("Kolmas", "pore", "fi")
    store.add_idea(other["id"], "Muualla")
    rnd = store.open_round(store.create_round(other["id"], "R", "fixed5")["id"])
    status, body = kit_server.api("GET", f"/workshops/{kit_server.code}/rounds/{rnd['id']}/ballot", token=joined,
                                  lang="en")
    assert status == 404 and body["error"] == "unknown_round"
    assert kit_server.api("GET", f"/workshops/{kit_server.code}/rounds/999999/ballot", token=joined)[0] == 404


def test_an_unknown_link_type_or_sector_is_refused_without_echoing_what_was_sent(kit_server, joined):
    store = kit_server.store()
    ws = store.workshop_by_code(kit_server.code)
    store.set_setting(ws["id"], "map_open", True)
    sector = wsmod.template(ws["template"])["sectors"][0]
    a, b = (store.add_actor(ws["id"], n, sector) for n in ("Yksi", "Kaksi"))
    status, body = kit_server.api("POST", f"/workshops/{kit_server.code}/links",
                                  {"source": a["id"], "target": b["id"], "type": "<b>kaveri</b>"}, token=joined, lang="fi")
    assert status == 400 and body["error"] == "unknown_link_type" and "kaveri" not in body["message"]
    status, body = kit_server.api("POST", f"/workshops/{kit_server.code}/actors", {"name": "X", "sector": "<i>s</i>"},
                                  token=joined, lang="sv")
    assert status == 400 and body["error"] == "unknown_sector" and "<i>" not in body["message"]
    store.set_setting(ws["id"], "map_open", None)


def test_poll_brings_the_devices_own_ideas_so_waiting_turns_to_shown_without_a_reload(kit_server):
    """Issue 15, item 3: "your ideas" said "waiting" after the facilitator approved until a reload."""
    code = kit_server.code
    store = kit_server.store()
    ws = store.workshop_by_code(code)
    store.set_setting(ws["id"], "premoderate", True)
    try:
        _, me = kit_server.api("POST", f"/workshops/{code}/participants", {"nickname": "Odottaja", "language": "fi"})
        _, sent = kit_server.api("POST", f"/workshops/{code}/ideas", {"text": "Odottaa hyväksyntää"}, token=me["token"])
        assert sent["idea"]["status"] == "pending"
        _, before = kit_server.api("GET", f"/workshops/{code}/poll", token=me["token"])
        assert [(i["text"], i["status"]) for i in before["ideas"]] == [("Odottaa hyväksyntää", "pending")]
        store.set_idea_status(sent["idea"]["id"], "visible")
        _, after = kit_server.api("GET", f"/workshops/{code}/poll?since={before['version']}", token=me["token"])
        assert [(i["text"], i["status"]) for i in after["ideas"]] == [("Odottaa hyväksyntää", "visible")]
        assert "ideas" not in kit_server.api("GET", f"/workshops/{code}/poll")[1]  # nobody's ideas without a token
    finally:
        store.set_setting(ws["id"], "premoderate", None)


def test_wrong_pins_from_elsewhere_cannot_lock_the_shared_tablet_out(kit_server):
    """Issue 15, item 11: ten wrong PINs a minute from anyone on the network locked the facilitator
    out too. Only the tablet's key may try PINs, and its tries are counted by that key."""
    code = kit_server.code
    store = kit_server.store()
    ws = store.workshop_by_code(code)
    pin, tablet = store.start_kiosk(ws["id"])
    try:
        for _ in range(30):  # a stranger without the key, trying as fast as it can
            status, body = kit_server.api("POST", f"/workshops/{code}/kiosk/voters", {"pin": "000000", "tablet": "guess"},
                                          lang="fi")
            assert status == 403 and body["error"] == "kiosk_tablet" and "yhteinen tabletti" in body["message"]
        status, _ = kit_server.api("POST", f"/workshops/{code}/kiosk/voters", {"pin": pin})
        assert status == 403  # no key at all
        status, body = kit_server.api("POST", f"/workshops/{code}/kiosk/voters", {"pin": pin, "tablet": tablet})
        assert status == 201 and body["participant"]["kind"] == "kiosk"
        # the tablet's own tries are still limited, so the PIN cannot be guessed on it either
        wrong = "111111" if pin != "111111" else "222222"
        answers = [kit_server.api("POST", f"/workshops/{code}/kiosk/voters", {"pin": wrong, "tablet": tablet})[0]
                   for _ in range(10)]
        assert answers[-1] == 429 and set(answers[:-1]) <= {403}
    finally:
        store.stop_kiosk(ws["id"])
    status, body = kit_server.api("POST", f"/workshops/{code}/kiosk/voters", {"pin": pin, "tablet": tablet})
    assert status == 409 and body["error"] == "kiosk_off"


def test_a_polling_device_is_counted_as_present_without_changing_the_workshop(kit_server):
    """Issue 15, item 19: presence is noted at most once a minute per device and bumps no version."""
    code = kit_server.code
    store = kit_server.store()
    ws = store.workshop_by_code(code)
    _, me = kit_server.api("POST", f"/workshops/{code}/participants", {"nickname": "Läsnä", "language": "fi"})
    before = store.present_count(ws["id"])
    version = store.workshop(ws["id"])["version"]
    for _ in range(3):
        assert kit_server.api("GET", f"/workshops/{code}/poll?since={version}", token=me["token"])[0] == 200
    assert store.present_count(ws["id"]) == before + 1
    assert store.workshop(ws["id"])["version"] == version  # the other devices are not made to fetch again
    assert kit_server.api("GET", f"/workshops/{code}/poll", token="not-a-token")[0] == 401


def test_the_join_page_and_the_api_give_the_workshops_title_in_the_readers_language(kit_server):
    import urllib.request

    from kit import workshop as wsmod

    store = kit_server.store()
    ws = store.create_workshop("", "satelliitti", "sv", titles=wsmod.template_titles("satelliitti"))
    for lang in ("fi", "sv", "en"):
        assert kit_server.api("GET", f"/workshops/{ws['code']}", lang=lang)[1]["title"] == \
            wsmod.template_name("satelliitti", lang)
    with urllib.request.urlopen(f"{kit_server.base}/kit/join/{ws['code']}", timeout=10) as r:
        page = r.read().decode()
    assert f"<h1>{wsmod.template_name('satelliitti', 'sv')}</h1>" in page  # the workshop's own language
