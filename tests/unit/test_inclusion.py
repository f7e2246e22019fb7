"""Inclusion: plain-language catalogs cover everything a participant reads, and a participant can
withdraw what they sent until the workshop closes (what goes, what stays anonymous)."""

import json
import re
from pathlib import Path

import pytest

from kit import sample
from kit.config import LANGUAGES
from kit.errors import KitError
from kit.i18n import catalog, placeholders, plain_catalog, t

KIT = Path(__file__).resolve().parents[2] / "kit"
# errors the store and the vote checks give a participant's device (besides those the handlers raise)
PARTICIPANT_ERRORS = ["actor_exists", "actor_name_required", "actor_name_too_long", "bad_answers", "bad_ballot",
                      "choice_repeat", "consent_required", "form_closed", "idea_required", "idea_too_long",
                      "ideas_closed", "item_not_votable", "kiosk_off", "kiosk_pin", "nickname_too_long", "no_answers",
                      "not_joined", "over_item_cap", "ranking_repeat", "round_closed", "round_not_open",
                      "scale_out_of_range", "too_few_choices", "too_many_choices", "too_many_dots", "too_many_ranked",
                      "unknown_choice", "unknown_workshop", "workshop_closed", "activity_name_missing",
                      "unknown_step_level", "unknown_activity", "unknown_competence", "unknown_task", "unknown_form",
                      "too_long", "answer_too_long"]


def participant_keys() -> set[str]:
    """Every key the participant pages, their script and the participant API put in front of people."""
    en = catalog("en")
    keys = set()
    for page in (KIT / "server" / "pages").glob("*.html"):
        keys |= set(re.findall(r"t\('([a-z_.0-9]+)'", page.read_text(encoding="utf-8")))
    js = "\n".join(f.read_text(encoding="utf-8") for f in sorted((KIT / "server" / "static").glob("*.js")))
    keys |= {k for k in re.findall(r'"([a-z_]+\.[a-z_0-9.]+)"', js) if k in en}
    handlers = "\n".join(f.read_text(encoding="utf-8") for f in sorted((KIT / "server").rglob("*.py")))
    keys |= {k for k in re.findall(r't\("([a-z_]+\.[a-z_0-9.]+)"', handlers) if k in en}
    keys |= {"error." + k for k in re.findall(r'KitError\("([a-z_]+)"', handlers)}
    keys |= {"error." + k for k in re.findall(r'require_open\(ws, "[a-z_]+", "([a-z_]+)"\)', handlers)}
    keys |= {"error." + k for k in re.findall(r'participant_write\("[a-z_]+", "([a-z_]+)"', handlers)}
    return {k for k in keys if k in en} | {"error." + e for e in PARTICIPANT_ERRORS}


def test_plain_catalogs_cover_every_participant_string_in_three_languages():
    keys = participant_keys()
    assert len(keys) > 150
    for lang in LANGUAGES:
        assert sorted(keys - set(plain_catalog(lang))) == [], lang
    assert set(plain_catalog("fi")) == set(plain_catalog("sv")) == set(plain_catalog("en"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plain_wording_keeps_the_placeholders_and_is_shorter_where_it_matters(lang):
    other = lambda v: v["other"] if isinstance(v, dict) else v  # noqa: E731 (a plural's general form)
    plain = {k: other(v) for k, v in plain_catalog(lang).items()}
    std = {k: other(v) for k, v in catalog(lang).items()}
    for key, text in plain.items():
        assert key in std, key
        assert text.strip(), key
        assert placeholders(text) <= placeholders(std[key]), key  # plain may leave a detail out
    rewritten = [k for k in plain if plain[k] != std[k]]
    assert len(rewritten) > 100
    # the long explanations become short sentences
    long_ones = [k for k in plain if len(std[k]) > 80]
    avg = lambda numbers: sum(numbers) / len(numbers)
    sentence = lambda text: max(len(s) for s in re.split(r"(?<=[.!?])\s+", text))
    assert avg([sentence(plain[k]) for k in long_ones]) < avg([sentence(std[k]) for k in long_ones])


def test_t_and_errors_speak_plainly_when_asked():
    assert t("vote.waiting", "fi", plain=True) == "Äänestys ei ole vielä alkanut. Odota. Sivu muuttuu itse."
    assert t("vote.waiting", "fi") != t("vote.waiting", "fi", plain=True)
    assert t("ui.accept", "fi", plain=True) == t("ui.accept", "fi")  # facilitator words fall back
    err = KitError("too_many_dots", max=3, given=5)
    assert err.message("sv", plain=True) == "För många prickar. Du har 3. Du gav 5. Rösten sparades inte."


def test_plain_catalog_files_are_sorted_json():
    for lang in LANGUAGES:
        path = KIT / "locales" / "plain" / f"{lang}.json"
        text = path.read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), indent=1, ensure_ascii=False, sort_keys=True) + "\n"


# -- withdrawal ---------------------------------------------------------------------------------
@pytest.fixture
def session(store):
    """A demo workshop where one participant has sent something of every kind."""
    ws = sample.load_demo(store)
    me, _ = store.add_participant(ws["id"], "Minä", "resident")
    other, _ = store.add_participant(ws["id"], "Toinen", "resident")
    voted = store.add_idea(ws["id"], "Äänestetty idea", me["id"])
    free = store.add_idea(ws["id"], "Vapaa idea", me["id"])
    store.edit_idea(free["id"], "Vapaa idea, korjattu")
    closed_round = store.create_round(ws["id"], "Suljettu", "n3", idea_ids=[voted["id"]])
    store.open_round(closed_round["id"])
    store.save_ballot(closed_round["id"], me["id"], {"dots": {voted["id"]: 1}})
    store.close_round(closed_round["id"])
    open_round = store.create_round(ws["id"], "Auki", "n3", idea_ids=[voted["id"]])
    store.open_round(open_round["id"])
    store.save_ballot(open_round["id"], me["id"], {"dots": {voted["id"]: 1}})
    store.save_ballot(open_round["id"], other["id"], {"dots": {voted["id"]: 1}})
    store.set_setting(ws["id"], "map_open", True)
    pending_actor = store.add_actor(ws["id"], "Ehdottamani yhdistys", "third_sector", participant_id=me["id"])
    accepted_actor = store.add_actor(ws["id"], "Hyväksytty yhdistys", "third_sector", participant_id=me["id"])
    store.decide_suggestion("actor", accepted_actor["id"], True)
    store.add_link(ws["id"], pending_actor["id"], accepted_actor["id"], "information", participant_id=me["id"])
    act = store.activities(ws["id"])[0]
    store.set_interest(ws["id"], act["id"], me["id"], "interested", True)
    store.add_activity(ws["id"], {"name": "Ehdotettu kerho", "step_level": 2}, participant_id=me["id"])
    form = store.create_form(ws["id"], "Palaute", [{"kind": "scale", "text": "Hyvä?"}], 3)
    store.set_form_status(form["id"], "open")
    store.save_response(form["id"], me["id"], {"q1": 4})
    return store, ws, me, other, {"voted": voted, "free": free, "closed": closed_round, "open": open_round,
                                  "pending_actor": pending_actor, "accepted_actor": accepted_actor, "form": form}


def test_withdraw_removes_what_is_not_decided_and_anonymises_the_rest(session):
    store, ws, me, other, x = session
    before_closed = store.round_ballots(x["closed"]["id"])
    out = store.withdraw_participant(ws["id"], me["id"])
    # suggestions: the pending actor, the link to it (counted, not lost to the cascade), the activity
    assert out["removed"] == {"ideas": 1, "ballots": 1, "answers": 1, "suggestions": 3, "offers": 0, "marks": 1}
    assert out["kept"]["ideas"] == 1 and out["kept"]["ballots"] == 1 and out["kept"]["suggestions"] == 1
    texts = {i["text"]: i for i in store.ideas(ws["id"])}
    assert "Vapaa idea, korjattu" not in texts and texts["Äänestetty idea"]["participant_id"] is None
    assert store.round_ballots(x["closed"]["id"]) == before_closed  # a decided result does not change
    assert [b["participant_id"] for b in store.round_ballots(x["open"]["id"])] == [other["id"]]
    assert store.responses(x["form"]["id"]) == []
    names = {a["name"]: a for a in store.actors(ws["id"], None)}
    assert "Ehdottamani yhdistys" not in names and names["Hyväksytty yhdistys"]["suggested_by"] is None
    assert store.interests_of(me["id"]) == {} and store.suggested_activities_of(me["id"]) == []
    with pytest.raises(KitError) as e:  # the device is out
        store.participant_by_token(ws["id"], "anything")
    assert e.value.code == "not_joined"
    p = next(p for p in store.participants(ws["id"]) if p["id"] == me["id"])
    assert p["nickname"] is None and p["token_hash"].startswith("withdrawn:")
    # the old wording of the removed idea is gone from the event log too
    edits = [e for e in store.event_log(ws["id"]) if e["kind"] == "idea_edited"
             and e["payload"].get("idea_id") == x["free"]["id"]]
    assert edits and all(set(e["payload"]) == {"idea_id"} for e in store.event_log(ws["id"]) if e["kind"] == "idea_edited"
               and e["payload"].get("idea_id") == x["free"]["id"])


def test_withdraw_is_refused_once_the_workshop_is_closed_and_nothing_changes(session):
    store, ws, me, _, x = session
    store.set_setting(ws["id"], "closed", True)
    before = store.dump_workshop(ws["id"])["tables"]
    with pytest.raises(KitError) as e:
        store.withdraw_participant(ws["id"], me["id"])
    assert e.value.code == "workshop_closed" and e.value.status == 409
    assert "perua" in e.value.message("fi")
    after = store.dump_workshop(ws["id"])["tables"]
    assert {k: len(v) for k, v in after.items() if k != "events"} == {k: len(v) for k, v in before.items() if k != "events"}


def test_withdraw_keeps_accepted_offers_but_drops_the_name(store):
    ws = sample.load_demo(store)
    me, _ = store.add_participant(ws["id"], "Nimimerkki")
    task = store.tasks(ws["id"])[0]
    o1 = store.add_offer(ws["id"], task["id"], me["id"], "can_do")
    store.decide_offer(o1["id"], True)
    task2 = store.tasks(ws["id"])[1]
    store.add_offer(ws["id"], task2["id"], me["id"], "can_help")
    out = store.withdraw_participant(ws["id"], me["id"])
    assert out["removed"]["offers"] == 1 and out["kept"]["offers"] == 1
    h = [h for h in store.holders(ws["id"]) if h["name"].startswith("#")]
    assert len(h) == 1 and h[0]["participant_id"] is None
    assert "Nimimerkki" not in [x["name"] for x in store.holders(ws["id"])]


def test_start_page_closes_the_workshop(store):
    from kit.ui.start import StartApp

    ws = sample.load_demo(store)
    app = StartApp(store, ws["code"])
    app.closed.value = True
    assert store.workshop(ws["id"])["settings"]["closed"] is True
    app.closed.value = False
    assert "closed" not in store.workshop(ws["id"])["settings"]


# -- paper forms ------------------------------------------------------------------------------
def test_paper_form_prints_the_questions_numbered_as_they_are_entered(store):
    from kit import evaluation as ev
    from kit.render.evaluation import paper_form_html
    from kit.ui.evaluation import EvaluationApp

    ws = sample.load_demo(store)
    app = EvaluationApp(store, ws["code"], poll=False)
    form = app.open_form("Palaute <b>", custom="Mikä oli parasta?\nchoice: Tuletko uudelleen? | Kyllä | Ehkä | En",
                         sets=["own_life"], min_answers=1)
    qs = ev.paper_questions(form["questions"])
    page = paper_form_html(form, "sv")
    assert "<html lang='sv'>" in page and "Palaute &lt;b&gt;" in page and "<b>" not in page
    heads = re.findall(r"<h2>(\d+)\. ", page)
    assert heads == [str(n) for n in range(1, len(qs) + 1)]
    assert "Kryssa i" in page
    # the entry fields follow the same numbering
    assert [b.description.split(".")[0] for b in app.paper_fields.children] == heads
    assert "kit-paper-form-print" in app.paper_print.value


def test_a_paper_form_is_counted_with_the_devices_and_an_empty_one_leaves_nothing(store):
    from kit.ui.evaluation import EvaluationApp

    ws = sample.load_demo(store)
    app = EvaluationApp(store, ws["code"], poll=False)
    form = app.open_form("Palaute", custom="choice: Tuletko uudelleen? | Kyllä | Ehkä\ntext: Mikä oli parasta?", min_answers=1)
    before = len(store.participants(ws["id"]))
    app._guard(app.enter_paper_form_from_fields)  # nothing ticked: refused in words
    assert "Vastaa" in app.message.value and len(store.participants(ws["id"])) == before
    import ipywidgets as w

    (choice,) = [b for b in app.paper_widgets.values() if isinstance(b, w.Dropdown)]
    (text,) = [b for b in app.paper_widgets.values() if isinstance(b, w.Textarea)]
    choice.value = "Ehkä"
    text.value = "<script>Luonto</script>"
    app.paper_group.value = "resident"
    app.enter_paper_form_from_fields()
    (resp,) = store.responses(form["id"])
    assert set(resp["answers"].values()) == {"Ehkä", "<script>Luonto</script>"}
    paper = [p for p in store.participants(ws["id"]) if p["kind"] == "paper"]
    assert len(paper) == 1 and paper[0]["stakeholder_group"] == "resident"
    assert choice.value is None and text.value == ""  # ready for the next sheet
    assert "<script>Luonto" not in app.results.value
    app.close_form()
    with pytest.raises(KitError):
        store.save_paper_response(form["id"], {"q1": "Kyllä"})


def test_poll_gives_each_device_exactly_what_the_separate_paths_give(session):
    """/poll shares the parts that are the same for everyone and adds each device's own: the result
    must equal the five separate answers, for a device with something of every kind and one without."""
    from kit.server import poll as H
    from kit.server.api.evaluation import form_view
    from kit.server.api.map import map_view
    from kit.server.api.roles import tasks_view
    from kit.server.api.tray import tray_view
    from kit.server.api.voting import round_view

    store, ws, me, other, x = session
    task = store.tasks(ws["id"])[0]
    store.add_offer(ws["id"], task["id"], me["id"], "can_help")
    store.add_link(ws["id"], x["accepted_actor"]["id"], store.actors(ws["id"])[0]["id"], "information",
                   participant_id=me["id"])
    ws = store.workshop(ws["id"])
    for pid in (me["id"], other["id"], None):
        for filters in ({}, {"level": "1", "free": "1"}):
            full = {k: "" for k in ("level", "day", "place", "language", "free")} | filters
            got = H.poll_view(store, ws, "sv", pid, full)
            assert got["current"]["round"] == round_view(store, store.current_round(ws["id"]), pid)
            assert got["map"] == map_view(store, ws, "sv", pid)
            assert got["tasks"] == tasks_view(store, ws, "sv", pid)
            assert got["form"] == form_view(store, ws, "sv", pid)
            assert got["tray"] == tray_view(store, ws, "sv", pid, full)
    mine = H.poll_view(store, ws, "sv", me["id"], {})
    assert mine["map"]["mine"]["links"] and mine["tasks"]["mine"] and mine["form"]["mine"] == {"q1": 4}
    assert any(a["interested"] for a in mine["tray"]["activities"]) and mine["current"]["round"]["ballot"]
