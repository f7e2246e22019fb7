"""Issue 19, item 2: a hybrid meeting. Remote participants join the same meeting with the same code; the
join page asks "in the room or remote" when the facilitator says the meeting is hybrid, the link shared
on a video call says it already, and the projector counts each. Nothing else about where anyone is."""

import pytest

from kit.errors import KitError
from kit.ui import ProjectorApp, StartApp
from kit.ui.run import stage_html


def test_the_store_counts_who_said_room_or_remote_and_refuses_anything_else(store):
    ws = store.create_workshop("Hybridi", "osallisuusverkosto", "fi")
    for where in ("room", "room", "remote", None):
        store.add_participant(ws["id"], presence=where)
    store.add_participant(ws["id"], kind="kiosk")  # a voter on the shared tablet is no device of its own
    with pytest.raises(KitError) as err:
        store.add_participant(ws["id"], presence="kitchen")
    assert err.value.code == "bad_field"
    assert store.presence_counts(ws["id"]) == {"room": 2, "remote": 1, "unsaid": 1}
    assert store.participant_count(ws["id"]) == 5  # the refused one was not added


def test_joining_says_where_through_the_api_and_a_wrong_value_is_a_400_that_adds_no_one(kit_server):
    store = kit_server.store()
    ws = store.workshop_by_code(kit_server.code)
    before = store.presence_counts(ws["id"])
    path = f"/workshops/{kit_server.code}/participants"
    assert kit_server.api("POST", path, {"where": "remote"})[0] == 201
    assert kit_server.api("POST", path, {"where": "room"})[0] == 201
    status, body = kit_server.api("POST", path, {"where": "<b>moon</b>"}, lang="sv")
    assert status == 400 and body["error"] == "bad_field" and "<b>" not in body["message"]
    after = store.presence_counts(ws["id"])
    assert (after["room"] - before["room"], after["remote"] - before["remote"]) == (1, 1)
    assert sum(after.values()) == sum(before.values()) + 2
    store.close()


def test_the_join_page_asks_only_in_a_hybrid_meeting_and_the_remote_link_says_it(kit_server):
    store = kit_server.store()
    ws = store.workshop_by_code(kit_server.code)
    store.set_setting(ws["id"], "hybrid", None)
    status, _, page = kit_server.request("GET", f"/kit/join/{kit_server.code}?lang=en")
    assert status == 200 and b'name="where"' not in page and b"where-note" not in page
    store.set_setting(ws["id"], "hybrid", True)
    page = kit_server.request("GET", f"/kit/join/{kit_server.code}?lang=en")[2].decode()
    assert 'id="where-room"' in page and 'id="where-remote"' in page and "Where are you taking part?" in page
    page = kit_server.request("GET", f"/kit/join/{kit_server.code}?lang=fi&where=remote")[2].decode()
    assert 'data-where="remote"' in page and 'name="where"' not in page and "Osallistut etänä" in page
    assert "where=remote" in page  # the language links keep it
    store.set_setting(ws["id"], "hybrid", None)
    store.close()


def test_the_facilitator_turns_hybrid_on_shares_the_remote_link_and_the_projector_counts(store):
    ws = store.create_workshop("Hybridi", "osallisuusverkosto", "fi")
    start = StartApp(store, code=ws["code"], lang="en")
    start.poller.stop()
    assert "Addresses are never used" in start.remote_link.value
    start.hybrid.value = True
    assert store.workshop(ws["id"])["settings"]["hybrid"] is True
    assert start.remote_url().endswith(f"/kit/join/{ws['code']}?where=remote")
    assert "?where=remote" in start.remote_link.value and "In the room 0 · remote 0" in start.remote_link.value
    store.add_participant(ws["id"], presence="remote")
    store.add_participant(ws["id"], presence="room")
    store.add_participant(ws["id"], presence="remote")
    app = ProjectorApp(store, code=ws["code"], lang="en", poll=False)
    assert "kit-room" in app.stats.value and "kit-remote" in app.stats.value
    assert ">2<" in app.stats.value.split("kit-remote")[1][:40]
    store.move_room(ws["id"], position=[a["type"] for a in store.agenda(ws["id"])].index("join") + 1)
    assert "In the room 1 · remote 2" in stage_html(store, store.workshop(ws["id"]), "en")
    start.hybrid.value = False
    assert "kit-remote" not in ProjectorApp(store, code=ws["code"], lang="en", poll=False).stats.value
