"""Issue 19, item 3 in the browser: a vote scheduled a few seconds ahead opens and closes on its own,
by the store's clock, on a real `kit serve`; a phone in another time zone (New York) reads the times in
its own; the phone votes while it is open and is refused after; the facilitator publishes the results
and the public results page shows them."""

import datetime as dt
import json
import time
from zoneinfo import ZoneInfo

import pytest

from kit.launch import start_server
from tests.e2e.conftest import PHONE, run_axe, shot

pytestmark = pytest.mark.e2e


def test_a_vote_opens_and_closes_on_its_own_and_the_phone_reads_its_own_time_zone(tmp_path, browser):
    server = start_server(tmp_path)
    try:
        store = server.store()
        ws = store.workshop_by_code(server.code)
        ids = [store.add_idea(ws["id"], t)["id"] for t in ("Valot", "Penkit")]
        rnd = store.create_round(ws["id"], "Verkkoäänestys", method="approval", idea_ids=ids)
        helsinki = ZoneInfo("Europe/Helsinki")
        # seconds ahead, not minutes (the facilitator's form takes minutes: tests/unit/test_period.py), so
        # the test waits seconds; the same store path as schedule_round after its parsing
        start = dt.datetime.now(helsinki).replace(microsecond=0) + dt.timedelta(seconds=8)
        end = start + dt.timedelta(seconds=10)
        store.open_round(rnd["id"], opens_at=start.astimezone(dt.UTC).isoformat(timespec="seconds"),
                         closes_at=end.astimezone(dt.UTC).isoformat(timespec="seconds"))
        ctx = browser.new_context(viewport=PHONE, locale="en-US", timezone_id="America/New_York")
        phone = ctx.new_page()
        phone.goto(server.participants + "?lang=en")
        phone.click("#join-form button[type=submit]")
        phone.wait_for_selector("#vote-period:not([hidden])", timeout=30_000)
        period = phone.inner_text("#vote-period")
        in_new_york = start.astimezone(ZoneInfo("America/New_York"))
        assert period.startswith("The vote opens") and in_new_york.strftime("%H:%M") in period  # the device's zone
        assert phone.locator("#vote-items input.choice:enabled").count() == 0  # not open yet
        assert run_axe(phone) == []
        shot(phone, "period-phone-scheduled-new-york")
        # it opens on its own at its time: nobody presses anything
        wait = (start - dt.datetime.now(helsinki)).total_seconds()
        time.sleep(max(0.0, wait))
        phone.wait_for_selector("#vote-items input.choice:enabled", timeout=30_000)
        assert phone.inner_text("#vote-period").startswith("The vote is open until")
        phone.locator("#vote-items input.choice").first.check()
        phone.wait_for_function("() => document.getElementById('status').textContent.includes('Saved')", timeout=30_000)
        # ... and closes on its own
        time.sleep(max(0.0, (end - dt.datetime.now(helsinki)).total_seconds()))
        phone.wait_for_selector("#vote-closed:not([hidden])", timeout=30_000)
        r = store.current_round(ws["id"])
        assert r["status"] == "closed" and r["closed_at"] == end.astimezone(dt.UTC).isoformat(timespec="seconds")
        status, body = server.api("POST", f"/workshops/{server.code}/participants", {})
        status, body = server.api("PUT", f"/workshops/{server.code}/rounds/{rnd['id']}/ballot",
                                  {"choices": [ids[1]]}, token=body["token"], lang="en")
        assert status == 409 and body["error"] == "round_closed"
        assert store.ballot_count(rnd["id"]) == 1
        store.set_results_visible(rnd["id"], True)  # the facilitator publishes
        public = ctx.new_page()
        public.goto(f"{server.base}/kit/public/{server.code}/results?lang=en")
        assert "Verkkoäänestys" in public.inner_text("main") and "Valot: 1 votes" in public.inner_text("main")
        assert json.dumps("1 person voted.")[1:-1] in public.inner_text("main")
        store.close()
        ctx.close()
    finally:
        server.stop()
