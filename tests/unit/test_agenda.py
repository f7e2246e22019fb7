"""Issue 16: the agenda (editing, moving the room, what a move opens and closes), the word cloud, the
questions from the room, and the endpoints that move the room (the facilitator only)."""

import threading

import pytest

from kit import agenda as ag
from kit import workshop as wsmod
from kit.errors import KitError
from tests.unit.inprocess import SERVER_TOKEN

FACILITATOR = f"token {SERVER_TOKEN}"


def acts(*types):
    return ag.check_agenda([{"type": t} for t in types])


# -- pure: editing --------------------------------------------------------------------------------------
def test_every_template_has_a_default_agenda_of_known_types_that_starts_with_join():
    for tid, tpl in wsmod.templates().items():
        items = ag.from_template(tpl)
        assert items[0]["type"] == "join", tid
        assert all(a["type"] in ag.TYPES for a in items)
        assert len({a["id"] for a in items}) == len(items)
    pore = [a["type"] for a in ag.from_template(wsmod.template("pore"))]
    assert pore.index("ideas") < pore.index("slide") < pore.index("vote")  # PORE: ideas, development, vote


def test_add_remove_move_duplicate_keep_ids_and_order():
    a = acts("join", "ideas", "vote")
    ids = [x["id"] for x in a]
    b = ag.add(a, {"type": "words"}, 1)
    assert [x["type"] for x in b] == ["join", "words", "ideas", "vote"] and [x["id"] for x in b if x["id"] in ids] == ids
    c = ag.move(b, ids[2], 0)
    assert [x["type"] for x in c] == ["vote", "join", "words", "ideas"]
    d = ag.remove(c, ids[0])
    assert [x["type"] for x in d] == ["vote", "words", "ideas"]
    linked = ag.update(a, ids[2], config={"round_id": 7, "method": "dots"}, minutes=10)
    e = ag.duplicate(linked, ids[2])
    assert [x["type"] for x in e] == ["join", "ideas", "vote", "vote"]
    assert e[3]["id"] not in ids and e[3]["config"] == {"method": "dots"} and e[3]["minutes"] == 10
    assert e[2]["config"]["round_id"] == 7  # the original keeps its round; the copy is a new vote
    with pytest.raises(KitError) as err:
        ag.remove(a, "zzzzzz")
    assert err.value.code == "unknown_activity" and err.value.status == 404


@pytest.mark.parametrize("bad, code", [
    ({"type": "karaoke"}, "unknown_activity_type"), ({"type": "slide", "minutes": 0}, "bad_minutes"),
    ({"type": "slide", "minutes": 241}, "bad_minutes"), ({"type": "slide", "minutes": True}, "bad_minutes"),
    ({"type": "vote", "config": {"round_id": "1"}}, "bad_field"), ({"type": "ideas", "id": "A B"}, "bad_field"),
    ({"type": "slide", "title": "x" * 121}, "too_long"),
])
def test_a_bad_activity_is_refused_in_words(bad, code):
    with pytest.raises(KitError) as err:
        ag.check_activity(bad)
    assert err.value.code == code
    assert err.value.message("fi") != "error." + code


def test_config_keys_of_another_type_are_dropped_and_texts_are_per_language():
    a = ag.check_activity({"type": "slide", "config": {"text": "Tauko", "round_id": 3}, "title": {"fi": "Tauko", "xx": "?"}})
    assert a["config"] == {"text": {"fi": "Tauko", "sv": "Tauko", "en": "Tauko"}} and a["title"] == {"fi": "Tauko"}
    assert ag.text_in({"fi": "Tauko", "en": "Break"}, "sv") == "Tauko"


# -- pure: moving ---------------------------------------------------------------------------------------
def test_target_next_previous_position_and_from():
    a = acts("join", "ideas", "vote")
    j, i, v = (x["id"] for x in a)
    assert ag.target(a, None, move="next") == j  # a room between activities starts at the first
    assert ag.target(a, j, move="next") == i and ag.target(a, v, move="previous") == i
    assert ag.target(a, j, position=3) == v
    assert ag.target(a, i, move="next", from_id=i) == v
    for kw, code, status in [({"move": "next"}, "agenda_end", 409), ({"move": "next", "from_id": j}, "agenda_moved", 409),
                             ({"position": 4}, "agenda_position", 400), ({"position": 0}, "agenda_position", 400),
                             ({"move": "sideways"}, "bad_field", 400)]:
        with pytest.raises(KitError) as err:
            ag.target(a, v, **kw)
        assert (err.value.code, err.value.status) == (code, status), kw
    with pytest.raises(KitError) as err:
        ag.target(a, j, move="previous")
    assert err.value.code == "agenda_start"


def test_leaving_closes_and_entering_opens():
    ideas = ag.check_activity({"type": "ideas", "config": {"moderate": True}})
    vote = ag.check_activity({"type": "vote", "config": {"round_id": 5}})
    form = ag.check_activity({"type": "form", "config": {"form_id": 2}})
    mp = ag.check_activity({"type": "map"})
    assert ag.effects(ideas, vote) == [("ideas", True, False)]  # the vote opens by its own button
    assert ag.effects(vote, form) == [("round", 5, False), ("form", 2, True)]
    assert ag.effects(form, mp) == [("form", 2, False), ("setting", "map_open", True)]
    assert ag.effects(mp, mp) == []


def test_countdown_remaining():
    assert ag.remaining(5, 1000.0, 1000.0 + 61) == 239
    assert ag.remaining(5, 1000.0, 1000.0 + 999) == 0
    assert ag.remaining(None, 1000.0, 1001.0) is None


# -- pure: word cloud and questions -----------------------------------------------------------------------
def test_word_cloud_folds_case_spacing_and_end_punctuation():
    cloud = ag.cloud(["Yhteisö", " yhteisö!", "YHTEISÖ", "luonto", "Luonto", "kulttuuri", "ja"])
    assert [(c["word"], c["n"]) for c in cloud] == [("Yhteisö", 3), ("luonto", 2), ("kulttuuri", 1), ("ja", 1)]
    assert cloud[0]["size"] == 5 and cloud[-1]["size"] == 1
    assert "ja" not in [c["word"] for c in ag.cloud(["ja", "Ja", "yhteisö"], "fi", stop_words=True)]
    assert [c["word"] for c in ag.cloud(["the", "nature"], "en", stop_words=True)] == ["nature"]
    assert ag.cloud(["Kahvi  kupponen", "kahvi kupponen"])[0] == {"word": "Kahvi kupponen", "n": 2, "size": 5}


@pytest.mark.parametrize("text, code", [("", "word_empty"), ("   ", "word_empty"), ("x" * 41, "word_too_long"),
                                        (5, "bad_field")])
def test_a_bad_word_is_refused(text, code):
    with pytest.raises(KitError) as err:
        ag.clean_word(text)
    assert err.value.code == code


def test_questions_rank_by_votes_then_asked_first_answered_last():
    qs = [{"id": 1, "votes": 2, "status": "visible"}, {"id": 2, "votes": 5, "status": "answered"},
          {"id": 3, "votes": 2, "status": "visible"}, {"id": 4, "votes": 3, "status": "visible"}]
    assert [q["id"] for q in ag.ranked_questions(qs)] == [4, 1, 3, 2]


# -- the store --------------------------------------------------------------------------------------------
@pytest.fixture
def ws(store):
    return store.create_workshop("Työpaja", "osallisuusverkosto")


def position_of(store, ws, kind):
    return [a["type"] for a in store.agenda(ws["id"])].index(kind) + 1


def test_a_new_workshop_has_its_templates_agenda_and_the_room_at_join(store, ws):
    state = store.agenda_state(ws["id"])
    assert [a["type"] for a in state["activities"]] == [a["type"] for a in wsmod.template("osallisuusverkosto")["agenda"]]
    assert state["position"] == 1 and state["current"]["type"] == "join"


def test_moving_through_ideas_map_and_a_vote_opens_and_closes_them(store, ws):
    wid = ws["id"]
    store.set_ideas_open(wid, False)
    store.move_room(wid, position=position_of(store, ws, "map"))
    assert store.workshop(wid)["settings"]["map_open"] is True
    store.move_room(wid, move="next")  # ideas
    w = store.workshop(wid)
    assert w["settings"]["map_open"] is False and w["ideas_open"]
    idea = store.add_idea(wid, "Kesäkeidas")
    rnd = store.open_round(store.create_round(wid, "Äänestys", "fixed5", idea_ids=[idea["id"]])["id"])
    vote = store.agenda(wid)[position_of(store, ws, "vote") - 1]
    store.update_agenda_item(wid, vote["id"], config={"round_id": rnd["id"]})
    p, _ = store.add_participant(wid)
    store.move_room(wid, move="next")  # the vote: ideas close
    assert not store.workshop(wid)["ideas_open"]
    store.save_dot_ballot(rnd["id"], p["id"], {idea["id"]: 1})  # acknowledged before the move: counts
    store.move_room(wid, move="next")  # leaving the vote closes its round
    assert store.round(rnd["id"])["status"] == "closed"
    with pytest.raises(KitError) as err:
        store.save_dot_ballot(rnd["id"], p["id"], {idea["id"]: 2})
    assert err.value.code == "round_closed" or err.value.status == 409
    assert store.ballot_count(rnd["id"]) == 1
    kinds = [e["kind"] for e in store.event_log(wid)]
    assert kinds.count("agenda_moved") == 4


def test_two_windows_pressing_next_at_once_move_the_room_once(store, ws):
    wid = ws["id"]
    start = store.current_activity(wid)["id"]
    outcomes = []

    def press():
        try:
            store.move_room(wid, move="next", from_id=start)
            outcomes.append("moved")
        except KitError as err:
            outcomes.append(err.code)

    threads = [threading.Thread(target=press) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["agenda_moved"] * 5 + ["moved"]
    assert store.agenda_state(wid)["position"] == 2


def test_saving_an_edited_agenda_keeps_the_room_where_it_is(store, ws):
    wid = ws["id"]
    store.move_room(wid, position=3)
    here = store.current_activity(wid)["id"]
    items = ag.move(store.agenda(wid), here, 0)
    store.save_agenda(wid, ag.add(items, {"type": "slide", "config": {"text": "Tauko"}}))
    state = store.agenda_state(wid)
    assert state["current"]["id"] == here and state["position"] == 1 and state["activities"][-1]["type"] == "slide"
    store.save_agenda(wid, ag.remove(store.agenda(wid), here))
    assert store.agenda_state(wid)["current"] is None
    assert store.move_room(wid, move="next")["position"] == 1


def test_words_only_while_the_warm_up_is_the_rooms_and_a_few_each(store, ws):
    wid = ws["id"]
    p, _ = store.add_participant(wid)
    with pytest.raises(KitError) as err:
        store.add_word(wid, p["id"], "luonto")
    assert err.value.code == "words_closed" and err.value.status == 409
    store.move_room(wid, position=position_of(store, ws, "words"))
    for w in ("Luonto", "luonto ", "yhteisö"):
        store.add_word(wid, p["id"], w)
    with pytest.raises(KitError) as err:
        store.add_word(wid, p["id"], "neljäs")
    assert err.value.code == "words_limit"
    act = store.current_activity(wid)["id"]
    assert store.word_cloud(wid, act) == [{"word": "Luonto", "n": 2, "size": 5}, {"word": "yhteisö", "n": 1, "size": 1}]
    store.hide_word(store.words(wid, act)[1]["id"])  # "luonto " hides every spelling of it
    assert [c["word"] for c in store.word_cloud(wid, act)] == ["yhteisö"]
    store.set_activity_closed(wid, act, True)
    q, _ = store.add_participant(wid)
    with pytest.raises(KitError):
        store.add_word(wid, q["id"], "myöhässä")


def test_question_votes_are_one_per_participant_per_question(store, ws):
    wid = ws["id"]
    store.move_room(wid, position=position_of(store, ws, "questions"))
    a, _ = store.add_participant(wid)
    b, _ = store.add_participant(wid)
    q1 = store.add_question(wid, a["id"], "Milloin?")
    q2 = store.add_question(wid, b["id"], "Missä?")
    for _ in range(3):
        store.vote_question(wid, q2["id"], a["id"])
    store.vote_question(wid, q2["id"], b["id"])
    store.vote_question(wid, q1["id"], b["id"])
    store.vote_question(wid, q1["id"], b["id"], up=False)
    ranked = store.questions(wid, participant_id=a["id"])
    assert [(q["text"], q["votes"], q["voted"]) for q in ranked] == [("Missä?", 2, True), ("Milloin?", 0, False)]
    store.set_question_status(q2["id"], "answered")
    assert [q["text"] for q in store.questions(wid)] == ["Milloin?", "Missä?"]
    store.set_question_status(q1["id"], "hidden")
    with pytest.raises(KitError) as err:
        store.vote_question(wid, q1["id"], a["id"])
    assert err.value.code == "unknown_question"


def test_moderated_questions_wait_and_withdrawal_takes_words_questions_and_votes(store, ws):
    wid = ws["id"]
    items = store.agenda(wid)
    qa = items[position_of(store, ws, "questions") - 1]
    store.update_agenda_item(wid, qa["id"], config={"moderate": True})
    store.move_room(wid, position=position_of(store, ws, "questions"))
    a, _ = store.add_participant(wid)
    b, _ = store.add_participant(wid)
    q = store.add_question(wid, a["id"], "Kuka vastaa?")
    assert q["status"] == "pending" and store.questions(wid, statuses=("visible",)) == []
    assert store.approve_waiting_questions(wid, qa["id"]) == 1
    store.vote_question(wid, q["id"], b["id"])
    other = store.add_question(wid, b["id"], "Entä rahoitus?")
    store.approve_waiting_questions(wid, qa["id"])
    store.vote_question(wid, other["id"], a["id"])
    store.withdraw_participant(wid, a["id"])
    left = store.questions(wid)
    assert [(x["text"], x["votes"]) for x in left] == [("Entä rahoitus?", 0)]


# -- the endpoints -----------------------------------------------------------------------------------------
def test_get_agenda_lists_activities_and_the_current_one(kit_server):
    status, body = kit_server.api("GET", f"/workshops/{kit_server.code}/agenda", lang="en")
    assert status == 200
    assert body["activities"][0] == {"id": body["current"]["id"], "type": "join", "title": "Join and welcome",
                                     "position": 1, "minutes": None}
    assert [a["position"] for a in body["activities"]] == list(range(1, len(body["activities"]) + 1))


def test_only_the_facilitator_moves_the_room(kit_server):
    code = kit_server.code
    _, joined = kit_server.api("POST", f"/workshops/{code}/participants", {})
    path = f"/workshops/{code}/agenda/current"
    before = kit_server.api("GET", f"/workshops/{code}/agenda")[1]["current"]["id"]
    for auth, token in [(None, None), (None, joined["token"]), ("token wrong", None), (f"Bearer {SERVER_TOKEN}", None),
                        ("remote nothing", None)]:
        status, body = kit_server.api("PUT", path, {"move": "next"}, token=token, auth=auth, lang="fi")
        assert status == 403 and body["error"] == "not_facilitator", auth
        assert body["message"] == "Vain fasilitaattori voi siirtää ohjelmaa."
    assert kit_server.api("GET", f"/workshops/{code}/agenda")[1]["current"]["id"] == before
    status, body = kit_server.api("PUT", path, {"move": "next", "from": before}, auth=FACILITATOR)
    assert status == 200 and body["current"]["position"] == 2
    status, body = kit_server.api("PUT", path, {"move": "next", "from": before}, auth=FACILITATOR, lang="en")
    assert status == 409 and body["error"] == "agenda_moved"
    n = len(body and kit_server.api("GET", f"/workshops/{code}/agenda")[1]["activities"])
    assert kit_server.api("PUT", path, {"position": n}, auth=FACILITATOR)[0] == 200
    status, body = kit_server.api("PUT", path, {"move": "next"}, auth=FACILITATOR, lang="sv")
    assert status == 409 and body["message"] == "Det här är programmets sista punkt."
    for bad in ({}, {"position": 1, "move": "next"}, {"position": 0}, {"move": "up"}, {"position": "1"},
                {"position": 1, "extra": 1}):
        assert kit_server.api("PUT", path, bad, auth=FACILITATOR)[0] == 400, bad
    assert kit_server.api("PUT", path, {"position": 1}, auth=FACILITATOR)[0] == 200


def test_a_paired_remote_moves_the_room_and_a_pairing_code_works_once(kit_server):
    code = kit_server.code
    store = kit_server._store
    ws = store.workshop_by_code(code)
    pairing, _ = store.pairing_code(ws["id"])
    assert kit_server.api("POST", f"/workshops/{code}/remote", {"pairing": "000000" if pairing != "000000" else "1"})[0] == 403
    status, body = kit_server.api("POST", f"/workshops/{code}/remote", {"pairing": pairing})
    assert status == 201 and body["key"]
    assert kit_server.api("POST", f"/workshops/{code}/remote", {"pairing": pairing})[0] == 403  # once
    start = store.agenda_state(ws["id"])["position"]
    status, moved = kit_server.api("PUT", f"/workshops/{code}/agenda/current", {"move": "next"},
                                   auth=f"remote {body['key']}")
    assert status == 200 and moved["current"]["position"] == start + 1
    # a participant's token is never a remote key
    _, joined = kit_server.api("POST", f"/workshops/{code}/participants", {})
    assert kit_server.api("PUT", f"/workshops/{code}/agenda/current", {"move": "previous"},
                          auth=f"remote {joined['token']}")[0] == 403
    kit_server.api("PUT", f"/workshops/{code}/agenda/current", {"position": 1}, auth=FACILITATOR)


def test_words_and_questions_from_a_phone(kit_server):
    code = kit_server.code
    store = kit_server._store
    ws = store.workshop_by_code(code)
    _, me = kit_server.api("POST", f"/workshops/{code}/participants", {})
    tok = me["token"]
    status, body = kit_server.api("POST", f"/workshops/{code}/words", {"text": "luonto"}, token=tok, lang="en")
    assert status == 409 and body["error"] == "words_closed"
    kit_server.api("PUT", f"/workshops/{code}/agenda/current", {"position": position_of(store, ws, "words")},
                   auth=FACILITATOR)
    assert kit_server.api("POST", f"/workshops/{code}/words", {"text": "<b>Luonto</b>"}, token=tok)[0] == 201
    status, body = kit_server.api("POST", f"/workshops/{code}/words", {"text": "x" * 41}, token=tok, lang="fi")
    assert status == 400 and "41" in body["message"]
    _, poll = kit_server.api("GET", f"/workshops/{code}/poll", token=tok)
    assert poll["agenda"]["current"]["type"] == "words" and poll["words"]["mine"] == ["<b>Luonto</b>"]
    assert poll["words"]["cloud"] == [{"word": "<b>Luonto</b>", "n": 1, "size": 1}]  # stored as typed
    kit_server.api("PUT", f"/workshops/{code}/agenda/current", {"position": position_of(store, ws, "questions")},
                   auth=FACILITATOR)
    status, body = kit_server.api("POST", f"/workshops/{code}/questions", {"text": "Milloin?"}, token=tok)
    assert status == 201
    qid = body["question"]["id"]
    status, body = kit_server.api("PUT", f"/workshops/{code}/questions/{qid}/vote", {"up": True}, token=tok)
    assert status == 200 and body["question"]["votes"] == 1 and body["voted"]
    assert kit_server.api("PUT", f"/workshops/{code}/questions/{qid}/vote", {"up": "yes"}, token=tok)[0] == 400
    assert kit_server.api("PUT", f"/workshops/{code}/questions/{qid}/vote", {"up": True})[0] == 401
    _, poll = kit_server.api("GET", f"/workshops/{code}/poll", token=tok)
    assert poll["questions"]["voted"] == [qid] and poll["questions"]["questions"][0]["votes"] == 1
    kit_server.api("PUT", f"/workshops/{code}/agenda/current", {"position": 1}, auth=FACILITATOR)


def test_the_remote_page_is_a_light_page_that_names_no_token(kit_server):
    status, headers, body = kit_server.request("GET", f"/kit/remote/{kit_server.code}?lang=en")
    page = body.decode()
    assert status == 200 and "Presenter remote" in page and "kit/static/remote.js" in page
    assert SERVER_TOKEN not in page and "token=" not in page
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert kit_server.request("GET", "/kit/remote/ZZZZZZ")[0] == 404
