"""Issue 19, items 2, 4 and 5 in the browser, on a real `kit serve`: a hybrid meeting (a phone in the room,
a phone joining by the remote link), a public vote with one-time voting codes (a wrong code refused, a
right one unlocking the ballot, the same code refused on the other phone), and the network's public
service tray with feedback on an activity. Every page is axe-checked and photographed."""

import pytest

from kit.launch import start_server
from tests.e2e.conftest import PHONE, run_axe, shot

pytestmark = pytest.mark.e2e


def test_a_hybrid_meeting_votes_with_codes_and_the_public_tray_takes_feedback(tmp_path, browser):
    server = start_server(tmp_path)
    try:
        store = server.store()
        ws = store.workshop_by_code(server.code)
        store.set_setting(ws["id"], "hybrid", True)
        ids = [store.add_idea(ws["id"], t)["id"] for t in ("Valot rantaan", "Penkit puistoon")]
        rnd = store.create_round(ws["id"], "Kaikille avoin äänestys", method="approval", idea_ids=ids)
        codes = store.issue_codes(rnd["id"], 3)
        store.open_round(rnd["id"])

        room = browser.new_context(viewport=PHONE, locale="fi-FI").new_page()
        room.goto(server.participants + "?lang=fi")
        room.check("#where-room")
        assert run_axe(room) == []
        shot(room, "hybrid-join-room")
        room.click("#join-form button[type=submit]")
        remote = browser.new_context(viewport=PHONE, locale="en-GB").new_page()
        remote.goto(server.participants + "?lang=en&where=remote")
        assert "You are taking part remotely" in remote.inner_text("#where-note")
        remote.click("#join-form button[type=submit]")
        for page in (room, remote):
            page.wait_for_selector("#vote-code-form:not([hidden])", timeout=30_000)
        assert store.presence_counts(ws["id"]) == {"room": 1, "remote": 1, "unsaid": 0}

        # the ballot waits for a code; a wrong one is refused and nothing is used
        assert room.locator("#vote-items input.choice:enabled").count() == 0
        room.fill("#vote-code", "AAAA-BBBB")
        room.click("#vote-code-use")
        room.wait_for_selector("#alert:not([hidden])", timeout=30_000)
        assert "ei ole tämän äänestyksen koodi" in room.inner_text("#alert")
        assert room.get_attribute("#vote-code", "aria-invalid") == "true"
        assert run_axe(room) == []
        shot(room, "codes-phone-wrong-code")
        room.fill("#vote-code", codes[0].lower())
        room.click("#vote-code-use")
        room.wait_for_selector("#vote-code-form", state="hidden", timeout=30_000)
        room.locator("#vote-items input.choice").first.check()
        room.wait_for_function("() => document.getElementById('status').textContent.includes('Tallennettu')",
                               timeout=30_000)
        shot(room, "codes-phone-voted")
        # the same code on the remote phone: refused
        remote.fill("#vote-code", codes[0])
        remote.click("#vote-code-use")
        remote.wait_for_selector("#alert:not([hidden])", timeout=30_000)
        assert "already used on another device" in remote.inner_text("#alert")
        remote.fill("#vote-code", codes[1])
        remote.click("#vote-code-use")
        remote.wait_for_selector("#vote-code-form", state="hidden", timeout=30_000)
        remote.locator("#vote-items input.choice").nth(1).check()
        remote.wait_for_function("() => document.getElementById('status').textContent.includes('Saved')",
                                 timeout=30_000)
        assert store.ballot_count(rnd["id"]) == 2 and store.code_counts(rnd["id"]) == {"issued": 3, "used": 2}

        # the public tray: published, filtered, and feedback on an activity
        store.add_activity(ws["id"], {"name": "Luontokävely <b>kaikille</b>", "step_level": 1, "place": "Kirjasto",
                                      "days": ["tue"], "languages": ["fi", "sv"], "cost": "0"})
        store.add_activity(ws["id"], {"name": "Kuoro", "step_level": 3, "place": "Seurakuntatalo",
                                      "languages": ["fi"], "cost": "5"})
        store.publish_tray(ws["id"], True)
        nid = store.network_of(ws["id"])["id"]
        public = browser.new_context(viewport=PHONE, locale="sv-FI").new_page()
        public.goto(f"{server.base}/kit/public/tray/{nid}?lang=sv")
        assert public.locator("article.activity").count() == 2 and "Luontokävely <b>kaikille</b>" in public.inner_text("main")
        assert run_axe(public) == []
        public.select_option("#f-place", "Kirjasto")
        public.click("form.filters button[type=submit]")
        public.wait_for_url("**place=Kirjasto**")
        assert public.locator("article.activity").count() == 1
        public.click("article.activity details.feedback summary")
        public.check("article.activity input[value=good]")
        public.fill("article.activity textarea", "Tack, <i>fint</i>!")
        public.click("article.activity form button[type=submit]")
        public.wait_for_selector("article.activity p.ok", timeout=30_000)
        assert "Tack för responsen!" in public.inner_text("article.activity p.ok") and "place=Kirjasto" in public.url
        assert run_axe(public) == []
        shot(public, "public-tray-phone-sv")
        walk = [a for a in store.activities(ws["id"]) if a["place"] == "Kirjasto"][0]
        assert store.tray_feedback(ws["id"])[walk["id"]]["n"] == 1
        store.close()
    finally:
        server.stop()
