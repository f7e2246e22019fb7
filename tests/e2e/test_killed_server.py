"""A killed server loses nothing a participant was told is saved: `kit serve` is killed with
SIGKILL (a laptop lid, a crash, a pulled plug) and started again on the same data folder."""

import signal

import pytest

from kit.launch import start_server
from tests.e2e.conftest import TABLET

pytestmark = pytest.mark.e2e


def test_when_the_server_is_killed_then_saved_ideas_and_dots_survive_and_devices_rejoin(tmp_path):
    first = start_server(tmp_path)
    code = first.code
    try:
        status, joined = first.api("POST", f"/workshops/{code}/participants", {"group": "resident"}, lang="fi")
        assert status == 201
        token = joined["token"]
        status, body = first.api("POST", f"/workshops/{code}/ideas", {"text": "Kuorolaulua pihalla"}, token=token)
        assert status == 201
        idea = body["idea"]["id"]
        store = first.store()
        ws = store.workshop_by_code(code)
        rnd = store.open_round(store.create_round(ws["id"], "Pisteet", "custom", dots=3)["id"])
        store.close()
        status, body = first.api("PUT", f"/workshops/{code}/rounds/{rnd['id']}/ballot", {"dots": {str(idea): 2}},
                                 token=token, lang="fi")
        assert status == 200 and "Tallennettu" in body["message"]
    finally:
        first.stop(signal.SIGKILL)
    assert first.proc.returncode == -signal.SIGKILL

    second = start_server(tmp_path)
    try:
        assert second.code == code  # the same workshop, not a new one
        status, me = second.api("GET", f"/workshops/{code}/me", token=token)
        assert status == 200 and [i["text"] for i in me["ideas"]] == ["Kuorolaulua pihalla"]
        status, body = second.api("GET", f"/workshops/{code}/rounds/current", token=token)
        assert body["round"]["status"] == "open" and body["round"]["ballot"]["dots"] == {str(idea): 2}
        # the device goes on voting where it left off
        status, body = second.api("PUT", f"/workshops/{code}/rounds/{rnd['id']}/ballot", {"dots": {str(idea): 3}},
                                  token=token)
        assert status == 200 and body["ballot"]["revision"] == 2
        assert second.store().ballot_count(rnd["id"]) == 1
    finally:
        second.stop()


def test_dots_placed_while_the_server_is_down_are_sent_when_it_is_back(tmp_path, browser):
    server = start_server(tmp_path)
    code, port = server.code, server.port
    status, helper = server.api("POST", f"/workshops/{code}/participants", {})
    ids = [server.api("POST", f"/workshops/{code}/ideas", {"text": t}, token=helper["token"])[1]["idea"]["id"]
           for t in ("Metsäretki", "Lauluilta")]
    store = server.store()
    ws = store.workshop_by_code(code)
    rnd = store.open_round(store.create_round(ws["id"], "Pisteet", "custom", dots=3)["id"])
    ctx = browser.new_context(viewport=TABLET, locale="en")
    page = ctx.new_page()
    try:
        page.goto(server.participants + "?lang=en")
        page.click("#join-form button[type=submit]")
        plus = f"#vote-items li:has(#idea-{ids[0]}) button.plus"
        page.wait_for_selector(plus, timeout=15_000)
        page.click(plus)
        page.wait_for_function("() => document.getElementById('status').textContent.includes('Saved')")

        server.stop(signal.SIGKILL)
        page.click(plus)
        page.wait_for_function("() => document.getElementById('alert').textContent.includes('Not saved yet')")
        assert page.locator(f"#count-{ids[0]}").inner_text().startswith("2")

        server = start_server(tmp_path, port=port)  # the same address the tablet knows
        page.wait_for_function("() => document.getElementById('alert').hidden"
                               " && document.getElementById('status').textContent.includes('Saved')",
                               timeout=20_000)
        token = page.evaluate(f"() => localStorage.getItem('kit-token:{code}')")
        me = store.participant_by_token(ws["id"], token)
        assert store.ballot_of(rnd["id"], me["id"])["dots"] == {ids[0]: 2}
    finally:
        ctx.close()
        server.stop()


def test_dots_not_sent_survive_closing_the_page_and_are_sent_from_the_next_one(tmp_path, browser):
    server = start_server(tmp_path)
    code, port = server.code, server.port
    status, helper = server.api("POST", f"/workshops/{code}/participants", {})
    idea = server.api("POST", f"/workshops/{code}/ideas", {"text": "Metsäretki"}, token=helper["token"])[1]["idea"]["id"]
    store = server.store()
    ws = store.workshop_by_code(code)
    rnd = store.open_round(store.create_round(ws["id"], "Pisteet", "custom", dots=3)["id"])
    ctx = browser.new_context(viewport=TABLET, locale="en")
    try:
        page = ctx.new_page()
        page.goto(server.participants + "?lang=en")
        page.click("#join-form button[type=submit]")
        plus = f"#vote-items li:has(#idea-{idea}) button.plus"
        page.wait_for_selector(plus, timeout=15_000)
        page.click(plus)
        page.wait_for_function("() => document.getElementById('status').textContent.includes('Saved')")
        server.stop(signal.SIGKILL)
        page.click(plus)
        page.click(plus)
        page.wait_for_function("() => document.getElementById('alert').textContent.includes('Not saved yet')")
        page.close()  # the tab is closed while the server is down

        server = start_server(tmp_path, port=port)
        page = ctx.new_page()
        page.goto(server.participants + "?lang=en")
        page.wait_for_function("() => document.getElementById('status').textContent.includes('Saved')",
                               timeout=20_000)
        assert page.locator(f"#count-{idea}").inner_text().startswith("3")
        token = page.evaluate(f"() => localStorage.getItem('kit-token:{code}')")
        me = store.participant_by_token(ws["id"], token)
        assert store.ballot_of(rnd["id"], me["id"])["dots"] == {idea: 3}
        assert page.evaluate(f"() => localStorage.getItem('kit-pending:{code}')") is None
    finally:
        ctx.close()
        server.stop()
