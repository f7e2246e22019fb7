"""Issue 19, item 3: a vote open for a period. Entered in the network's time zone, kept in UTC, opened
and closed by the store's clock at each request (the tests set the clock), by whichever process
answers; a ballot at the closing moment is refused as after a close by hand; participants see when."""

import pytest

from kit import voting
from kit.errors import KitError


def test_local_times_become_utc_in_the_networks_time_zone_and_bad_ones_are_refused():
    # Helsinki is UTC+2 in winter, UTC+3 in summer
    assert voting.period("2026-12-14 09:00", "2026-12-21 18:00", None, "2026-12-01T00:00:00+00:00") == (
        "2026-12-14T07:00:00+00:00", "2026-12-21T16:00:00+00:00")
    assert voting.period("2027-06-01 09:00", "2027-06-02 09:00", "Europe/Stockholm", "2026-12-01") == (
        "2027-06-01T07:00:00+00:00", "2027-06-02T07:00:00+00:00")
    for opens, closes, code in (("huomenna", "2026-12-21 18:00", "bad_time"), ("2026-12-14 09:00", "2026-13-01 10:00", "bad_time"),
                                ("2026-12-14 09:00", "2026-12-14 09:00", "close_before_open"),
                                ("2026-11-01 09:00", "2026-11-02 09:00", "close_in_past")):
        with pytest.raises(KitError) as e:
            voting.period(opens, closes, None, "2026-12-01T00:00:00+00:00")
        assert e.value.code == code and e.value.message("fi")


def test_status_by_the_clock():
    o, c = "2026-12-14T07:00:00+00:00", "2026-12-21T16:00:00+00:00"
    assert voting.status_at("scheduled", o, c, "2026-12-14T06:59:59+00:00") == "scheduled"
    assert voting.status_at("scheduled", o, c, "2026-12-14T07:00:00.000+00:00") == "open"
    assert voting.status_at("open", o, c, "2026-12-21T15:59:59.999+00:00") == "open"
    assert voting.status_at("open", o, c, "2026-12-21T16:00:00.000+00:00") == "closed"
    assert voting.status_at("scheduled", o, c, "2027-01-01T00:00:00+00:00") == "closed"
    assert voting.status_at("open", None, None, "2099-01-01") == "open" and voting.status_at("draft", o, c, "2099") == "draft"


def test_a_vote_opens_and_closes_on_its_own_by_the_stores_clock(store, tmp_path):
    from kit.store import Store

    ws = store.create_workshop("Verkkoäänestys", "pore", "fi")
    ids = [store.add_idea(ws["id"], t)["id"] for t in ("Valot", "Penkit")]
    rnd = store.create_round(ws["id"], "Kaupunkilaisten äänestys", method="approval", idea_ids=ids)
    clock = {"now": "2026-12-01T10:00:00.000+00:00"}
    store.clock = lambda: clock["now"]
    r = store.schedule_round(rnd["id"], "2026-12-14 09:00", "2026-12-21 18:00")
    assert (r["status"], r["opens_at"], r["closes_at"]) == ("scheduled", "2026-12-14T07:00:00+00:00",
                                                           "2026-12-21T16:00:00+00:00")
    p, _ = store.add_participant(ws["id"])
    with pytest.raises(KitError) as e:
        store.save_ballot(rnd["id"], p["id"], {"choices": [ids[0]]})
    assert e.value.code == "round_not_yet_open" and e.value.status == 409
    assert store.ballot_count(rnd["id"]) == 0
    version = store.workshop(ws["id"])["version"]
    clock["now"] = "2026-12-14T07:00:01.000+00:00"
    assert store.current_round(ws["id"])["status"] == "open"  # opened by the first request after the time
    assert store.workshop(ws["id"])["version"] > version  # ... so every screen looks again
    assert [x["kind"] for x in store.event_log(ws["id"])][-1] == "round_opened"
    store.save_ballot(rnd["id"], p["id"], {"choices": [ids[0]]})
    clock["now"] = "2026-12-21T15:59:59.999+00:00"
    store.save_ballot(rnd["id"], p["id"], {"choices": [ids[1]]})  # changed until the close
    # another process's store, with its own clock, at the closing moment: the close holds there too
    other = Store.connect(store.url if store.postgres else None, tmp_path)
    other.clock = lambda: "2026-12-21T16:00:00.000+00:00"
    q, _ = other.add_participant(ws["id"])
    with pytest.raises(KitError) as e:
        other.save_ballot(rnd["id"], q["id"], {"choices": [ids[0]]})
    assert e.value.code == "round_closed"
    other.close()
    clock["now"] = "2026-12-22T08:00:00.000+00:00"
    assert store.round(rnd["id"])["status"] == "closed"  # by the clock, even before anything is written
    store.current_round(ws["id"])  # the next request writes the close down, at the closing time
    r = store.round(rnd["id"])
    assert r["status"] == "closed" and r["closed_at"] == "2026-12-21T16:00:00+00:00"
    assert store.ballot_count(rnd["id"]) == 1 and store.ballot_of(rnd["id"], p["id"])["choices"] == [ids[1]]
    with pytest.raises(KitError):
        store.schedule_round(store.create_round(ws["id"], "Myöhässä", method="approval", idea_ids=ids)["id"],
                             "2026-12-01 09:00", "2026-12-02 09:00")  # closes in the past by the clock


def test_the_phone_api_says_when_a_vote_opens_and_closes(kit_server):
    store = kit_server.store()
    ws = store.workshop_by_code(kit_server.code)
    ids = [store.add_idea(ws["id"], t)["id"] for t in ("Valot", "Penkit")]
    rnd = store.create_round(ws["id"], "Ajastettu", method="approval", idea_ids=ids)
    store.schedule_round(rnd["id"], "2099-01-01 09:00", "2099-01-08 18:00")
    status, tok = kit_server.api("POST", f"/workshops/{kit_server.code}/participants", {})
    status, body = kit_server.api("GET", f"/workshops/{kit_server.code}/rounds/current", token=tok["token"])
    assert body["round"]["status"] == "scheduled" and body["round"]["opens_at"] == "2099-01-01T07:00:00+00:00"
    status, body = kit_server.api("PUT", f"/workshops/{kit_server.code}/rounds/{rnd['id']}/ballot",
                                  {"choices": [ids[0]]}, token=tok["token"], lang="en")
    assert status == 409 and body["error"] == "round_not_yet_open" and "not open yet" in body["message"]
    store.close()


def test_the_start_page_schedules_a_vote_and_refuses_a_time_that_is_no_time(store):
    from kit.ui import StartApp

    ws = store.create_workshop("Verkkoäänestys", "pore", "fi")
    for text in ("Valot", "Penkit"):
        store.add_idea(ws["id"], text)
    app = StartApp(store, code=ws["code"], lang="fi")
    app.poller.stop()
    app.setup.method.value = "approval"
    app.setup.opens.value = "ensi viikolla"
    app.setup.closes.value = "2099-01-08 18:00"
    app.start_round_btn.click()
    assert "VVVV-KK-PP TT:MM" in app.message.value and store.rounds(ws["id"]) == []  # nothing left behind
    app.setup.opens.value = "2099-01-01 09:00"
    app.start_round_btn.click()
    (rnd,) = store.rounds(ws["id"])
    assert rnd["status"] == "scheduled" and rnd["closes_at"] == "2099-01-08T16:00:00+00:00"
    assert "ajastettu" in app.message.value and app.setup.opens.value == ""


def test_a_feedback_form_opens_and_closes_on_its_own_too(store):
    from kit.ui.evaluation import EvaluationApp

    ws = store.create_workshop("Palaute", "osallisuusverkosto", "fi")
    clock = {"now": "2026-12-01T10:00:00.000+00:00"}
    store.clock = lambda: clock["now"]
    app = EvaluationApp(store, ws["code"], "fi", poll=False)
    app.form_sets.value = ("own_life",)
    app.form_opens.value = "2026-12-14 09:00"
    app.form_closes.value = "2026-12-13 09:00"  # before it opens: refused, no form left behind
    app.form_btn.click()
    assert "kit-msg" in app.message.value and store.forms(ws["id"]) == []
    app.form_closes.value = "2026-12-21 18:00"
    app.form_btn.click()
    (f,) = store.forms(ws["id"])
    assert f["status"] == "scheduled" and f["closes_at"] == "2026-12-21T16:00:00+00:00" and "ajastettu" in app.message.value
    assert store.open_form(ws["id"]) is None  # phones see nothing yet
    p, _ = store.add_participant(ws["id"])
    q = f["questions"][0]["id"]
    with pytest.raises(KitError) as e:
        store.save_response(f["id"], p["id"], {q: 3})
    assert e.value.code == "form_closed"
    clock["now"] = "2026-12-14T07:00:00.500+00:00"
    assert store.open_form(ws["id"])["id"] == f["id"]  # opened by the clock at the first request after
    store.save_response(f["id"], p["id"], {q: 4})
    clock["now"] = "2026-12-21T16:00:00.000+00:00"
    with pytest.raises(KitError) as e:
        store.save_response(f["id"], p["id"], {q: 5})  # at the closing moment: as closed by hand
    assert e.value.code == "form_closed"
    assert store.open_form(ws["id"]) is None and store.forms(ws["id"])[0]["status"] == "closed"
    assert store.response_of(f["id"], p["id"]) == {q: 4}
