"""A network and its meetings: the next meeting, what is shared and what is the meeting's own, "since
last time" and its carry-over, backups of a whole network and of one meeting, the upgrade in place."""

import json

import pytest

from kit import meetings as mt
from kit.errors import KitError
from kit.store import SCHEMA_VERSION, Store


def first_meeting(store):
    ws = store.create_workshop("Kulttuurifoorumi", "kulttuurifoorumi")
    h = store.add_holder(ws["id"], "Aino", "person")
    t1 = store.add_task(ws["id"], "Varaa sali", "implementation", due="2027-02-01")
    t2 = store.add_task(ws["id"], "Kysy Kelalta", "implementation", due="2027-02-10")
    t3 = store.add_task(ws["id"], "Tee juliste", "communication")
    for t in (t1, t2, t3):
        store.set_letter(t["id"], h["id"], "AR")
    a = store.add_actor(ws["id"], "Kirjasto", "culture_practitioner")
    b = store.add_actor(ws["id"], "Järjestö", "third_sector")
    store.add_link(ws["id"], a["id"], b["id"], "cooperation")
    return ws, h, (t1, t2, t3)


def test_a_new_workshop_is_the_first_meeting_of_a_network_of_its_own(store):
    ws = store.create_workshop("Foorumi", "kulttuurifoorumi")
    net = store.network_of(ws["id"])
    assert net["name"] == "Foorumi" and net["home_id"] == ws["id"]
    assert [(m["id"], m["number"]) for m in net["meetings"]] == [(ws["id"], 1)]
    assert store.previous_meeting(ws["id"]) is None and store.since_last_time(ws["id"]) is None


def test_next_meeting_shares_the_network_and_copies_the_map(store):
    ws, h, (t1, _, _) = first_meeting(store)
    store.set_plan(ws["id"], need_for_change="Yksinäisyys")
    store.add_idea(ws["id"], "Kuoro")
    nxt, made = store.next_meeting(ws["id"], date="2027-03-01", place="Kirjasto")
    assert made and nxt["meeting_no"] == 2 and nxt["network_id"] == ws["network_id"] and nxt["code"] != ws["code"]
    assert nxt["settings"]["minutes"] == {"date": "2027-03-01", "place": "Kirjasto"}
    # shared: the plan, holders and tasks are the same rows from both meetings
    assert store.plan(nxt["id"])["need_for_change"] == "Yksinäisyys"
    assert store.tasks(nxt["id"]) == store.tasks(ws["id"]) and store.holders(nxt["id"]) == store.holders(ws["id"])
    t4 = store.add_task(nxt["id"], "Uusi tehtävä")
    assert t4["meeting_id"] == nxt["id"] and [t["id"] for t in store.tasks(ws["id"])][-1] == t4["id"]
    # the meeting's own: ideas and the agenda
    assert store.ideas(nxt["id"]) == [] and store.agenda(nxt["id"])
    # the map is a copy, each actor knowing its first meeting's actor
    a0, a1 = store.actors(ws["id"]), store.actors(nxt["id"])
    assert [a["name"] for a in a1] == [a["name"] for a in a0]
    assert {a["id"] for a in a1}.isdisjoint({a["id"] for a in a0})
    assert [a["origin_id"] for a in a1] == [a["id"] for a in a0]
    assert len(store.links(nxt["id"])) == 1
    store.remove_actor(a1[0]["id"])  # a change to the new map leaves the old one as it was
    assert len(store.actors(ws["id"])) == 2


def test_next_meeting_pressed_twice_makes_one_meeting(store):
    ws, _, _ = first_meeting(store)
    one, made1 = store.next_meeting(ws["id"])
    two, made2 = store.next_meeting(ws["id"])
    assert made1 and not made2 and one["id"] == two["id"]
    assert len(store.network_of(ws["id"])["meetings"]) == 2
    three, made3 = store.next_meeting(one["id"])
    assert made3 and three["meeting_no"] == 3


def test_a_shared_change_moves_every_meetings_screens(store):
    ws, _, _ = first_meeting(store)
    nxt, _ = store.next_meeting(ws["id"])
    v0, v1 = store.version(ws["id"]), store.version(nxt["id"])
    store.add_task(nxt["id"], "Jotain")
    assert store.version(ws["id"]) > v0 and store.version(nxt["id"]) > v1
    v1 = store.version(nxt["id"])
    store.add_idea(ws["id"], "Vain ensimmäisen kokouksen")
    assert store.version(nxt["id"]) == v1


def test_an_offer_in_the_next_meeting_lands_on_the_shared_task(store):
    ws, _, (t1, _, _) = first_meeting(store)
    nxt, _ = store.next_meeting(ws["id"])
    p, _ = store.add_participant(nxt["id"], "Eero", "client", "fi")
    offer = store.add_offer(nxt["id"], t1["id"], p["id"], "can_do")
    holder = store.decide_offer(offer["id"], True)
    assert holder["workshop_id"] == ws["id"]  # the network's holder
    assert store.assignments(nxt["id"])[(t1["id"], holder["id"])] == "R"


def test_since_last_time_done_moved_dropped_and_taken_back(store):
    ws, _, (t1, t2, t3) = first_meeting(store)
    nxt, _ = store.next_meeting(ws["id"])
    rows = store.since_last_time(nxt["id"])["items"]
    assert [r.title for r in rows] == ["Varaa sali", "Kysy Kelalta", "Tee juliste"]
    assert rows[0].who == ["Aino"] and rows[0].agreed_at == 1 and rows[0].outcome is None
    store.review_action(nxt["id"], t1["id"], "done")
    store.review_action(nxt["id"], t2["id"], "moved", due="2027-04-01")
    store.review_action(nxt["id"], t3["id"], "dropped")
    by = {r.id: r for r in store.since_last_time(nxt["id"])["items"]}
    assert by[t1["id"]].outcome == "done" and by[t2["id"]].outcome == "moved" and by[t3["id"]].outcome == "dropped"
    assert by[t2["id"]].due == "2027-04-01" and by[t2["id"]].was_due == "2027-02-10"
    tasks = {t["id"]: t for t in store.tasks(nxt["id"])}
    assert tasks[t1["id"]]["done"] and tasks[t3["id"]]["dropped"] and tasks[t2["id"]]["due"] == "2027-04-01"
    # the word taken back puts the item back as it was
    store.review_action(nxt["id"], t2["id"], None)
    assert {t["id"]: t for t in store.tasks(nxt["id"])}[t2["id"]]["due"] == "2027-02-10"
    store.review_action(nxt["id"], t2["id"], "moved", due="2027-04-01")
    # the third meeting: done and dropped are not shown again; the moved one is, with its history
    third, _ = store.next_meeting(nxt["id"])
    rows = store.since_last_time(third["id"])["items"]
    assert [r.id for r in rows] == [t2["id"]] and rows[0].history == [(2, "moved")]


def test_an_item_moved_to_a_meeting_that_does_not_exist_is_refused_and_changes_nothing(store):
    ws, _, (t1, _, _) = first_meeting(store)
    nxt, _ = store.next_meeting(ws["id"])
    other = store.create_workshop("Toinen verkosto", "kulttuurifoorumi")
    before = store.tasks(nxt["id"])
    for bad in (999999, other["id"]):
        with pytest.raises(KitError) as err:
            store.review_action(nxt["id"], t1["id"], "moved", due="2027-05-01", to_meeting=bad)
        assert err.value.code == "unknown_meeting" and err.value.status == 404
    with pytest.raises(KitError):
        store.review_action(nxt["id"], t1["id"], "forgotten")
    assert store.tasks(nxt["id"]) == before and store.action_reviews(nxt["id"]) == {}
    third, _ = store.next_meeting(nxt["id"])
    store.review_action(nxt["id"], t1["id"], "moved", to_meeting=third["id"])
    assert store.since_last_time(nxt["id"])["items"][-1].moved_to == 3


def test_a_task_of_another_network_cannot_be_reviewed(store):
    ws, _, _ = first_meeting(store)
    nxt, _ = store.next_meeting(ws["id"])
    other = store.create_workshop("Toinen", "kulttuurifoorumi")
    t = store.add_task(other["id"], "Muiden")
    with pytest.raises(KitError) as err:
        store.review_action(nxt["id"], t["id"], "done")
    assert err.value.code == "unknown_task"


def test_action_items_pure_done_between_meetings_and_agreed_here():
    meetings = [{"id": 10, "number": 1}, {"id": 11, "number": 2}, {"id": 12, "number": 3}]
    tasks = [{"id": 1, "title": "a", "meeting_id": 10, "done": True},  # done on the desk since meeting 1
             {"id": 2, "title": "b", "meeting_id": 11},  # agreed here: not "since last time"
             {"id": 3, "title": "c", "meeting_id": 10, "dropped": True}]  # dropped without a word: gone
    rows = mt.action_items(tasks, [], {}, meetings, 11, {})
    assert [(r.id, r.done_between) for r in rows] == [(1, True)]
    assert mt.action_items(tasks, [], {}, meetings, 12, {}) == [r for r in mt.action_items(
        tasks, [], {}, meetings, 12, {}) if r.id == 2]  # meeting 3: only b, agreed at 2, still open


def test_who_names_a_then_r_and_leaves_out_removed_holders():
    holders = [{"id": 1, "name": "R-henkilö"}, {"id": 2, "name": "A-henkilö"}, {"id": 3, "name": "Pois", "removed": True},
               {"id": 4, "name": "Kysytty"}]
    letters = {(7, 1): "R", (7, 2): "A", (7, 3): "R", (7, 4): "C"}
    assert mt.who(7, holders, letters) == ["A-henkilö", "R-henkilö"]


def test_between_counts_what_came_after_the_previous_meeting():
    tasks = [{"id": 1, "created_at": "2027-01-01T10:00"}, {"id": 2, "created_at": "2027-01-20T10:00"}]
    acts = [{"id": 5, "created_at": "2027-01-21T09:00"}]
    inds = [{"name": "Kävijät", "results": [{"value": 3, "date": "2026-12-31"}, {"value": 9, "date": "2027-01-15"}]}]
    b = mt.between("2027-01-10T12:00", tasks, acts, inds)
    assert [t["id"] for t in b.new_tasks] == [2] and [a["id"] for a in b.new_activities] == [5]
    assert b.indicator_values == [("Kävijät", {"value": 9, "date": "2027-01-15"})] and not b.empty
    assert mt.between(None, tasks, acts, inds).empty
    # what this meeting itself adds once it has begun is not "between"
    b = mt.between("2027-01-10T12:00", tasks, acts, inds, until="2027-01-21T08:00")
    assert [t["id"] for t in b.new_tasks] == [2] and b.new_activities == []
    b = mt.between("2027-01-10T12:00", tasks, acts, inds, until="2027-01-14T08:00")
    assert b.new_tasks == [] and b.indicator_values == [] and b.empty


def test_since_last_time_ends_when_this_meeting_begins(store):
    first = store.create_workshop("Foorumi", "kulttuurifoorumi")
    store.add_participant(first["id"], "Eka", None, "fi")
    second, _ = store.next_meeting(first["id"])
    week_after = store.add_activity(first["id"], {"name": "Kävely välissä", "step_level": 1})
    store.add_participant(second["id"], "Toka", None, "fi")  # the second meeting begins
    store.add_activity(second["id"], {"name": "Uusi kävely", "step_level": 1})
    b = store.since_last_time(second["id"])["between"]
    assert [a["id"] for a in b.new_activities] == [week_after["id"]]


def test_network_info_is_checked(store):
    ws = store.create_workshop("Foorumi", "kulttuurifoorumi")
    net = store.set_network_info(ws["id"], {"name": "Kajaanin kulttuurifoorumi", "organisation": "Kajaanin kaupunki",
                                            "municipality": "Kainuun hyvinvointialue", "funder": "STEA",
                                            "project_code": "<b>K-1</b>", "timezone": "Europe/Helsinki"})
    assert net["name"] == "Kajaanin kulttuurifoorumi" and net["info"]["project_code"] == "<b>K-1</b>"
    for bad in ({"timezone": "Mars/Olympus"}, {"colour": "red"}, {"funder": "x" * 500}):
        with pytest.raises(KitError):
            store.set_network_info(ws["id"], bad)
    assert store.network_of(ws["id"])["info"]["timezone"] == "Europe/Helsinki"


def test_a_whole_network_backs_up_and_restores_identically(tmp_path, store):
    ws, _, (t1, _, _) = first_meeting(store)
    nxt, _ = store.next_meeting(ws["id"])
    p, _ = store.add_participant(nxt["id"], "Eero", "client", "fi")
    store.add_offer(nxt["id"], t1["id"], p["id"], "can_help")
    store.review_action(nxt["id"], t1["id"], "done")
    doc = json.loads(json.dumps(store.dump_network(nxt["id"])))
    assert [m["meeting_no"] for m in doc["workshops"]] == [1, 2]
    empty = Store.open(tmp_path / "restored")
    first = empty.restore_workshop(doc)
    assert first["code"] == ws["code"]
    again = json.loads(json.dumps(empty.dump_network(first["id"])))
    for d in (doc, again):
        d.pop("saved_at")
        d["tables"]["events"] = [e for e in d["tables"]["events"] if e["kind"] != "workshop_restored"]
        for p_ in d["tables"]["participants"]:
            p_.pop("token_hash", None)
    assert again == doc
    with pytest.raises(KitError) as err:  # the same meetings again: refused unless replacing
        empty.restore_workshop(doc)
    assert err.value.code == "backup_exists"
    empty.restore_workshop(doc, replace=True)
    assert len(empty.networks()) == 1 and len(empty.networks()[0]["meetings"]) == 2
    empty.close()


def test_one_later_meeting_exports_alone_with_the_shared_data(tmp_path, store):
    ws, _, (t1, _, _) = first_meeting(store)
    store.set_plan(ws["id"], need_for_change="Yksinäisyys")
    nxt, _ = store.next_meeting(ws["id"])
    store.review_action(nxt["id"], t1["id"], "done")
    doc = store.dump_workshop(nxt["id"])
    other = Store.open(tmp_path / "alone")
    alone = other.restore_workshop(json.loads(json.dumps(doc)))
    assert other.network_of(alone["id"])["home_id"] == alone["id"]
    assert [t["title"] for t in other.tasks(alone["id"])] == [t["title"] for t in store.tasks(nxt["id"])]
    assert other.plan(alone["id"])["need_for_change"] == "Yksinäisyys"
    assert len(other.actors(alone["id"])) == 2 and all(a["origin_id"] is None for a in other.actors(alone["id"]))
    assert len(other.action_reviews(alone["id"])) == 1
    other.close()


def test_a_v13_store_becomes_networks_of_one_meeting_keeping_everything(tmp_path):
    store = Store.open(tmp_path / "old")
    one, _, _ = first_meeting(store)
    store.add_idea(one["id"], "Kuoro")
    two = store.create_workshop("Toinen", "kulttuurifoorumi")
    before = {w["id"]: (store.tasks(w["id"]), store.holders(w["id"]), store.actors(w["id"]))
              for w in (one, two)}
    with store._tx(write=True) as conn:  # put the store back as v13 had it
        conn.exec_driver_sql("DROP TABLE networks")
        conn.exec_driver_sql("DROP TABLE action_reviews")
        conn.exec_driver_sql("DROP INDEX ix_workshops_network_id")
        conn.exec_driver_sql("DROP INDEX uq_participants_pair")
        conn.exec_driver_sql("DROP INDEX uq_workshops_meeting")
        conn.exec_driver_sql("DROP TABLE rate_hits")
        for table, column in (("workshops", "network_id"), ("workshops", "meeting_no"), ("participants", "pair_code"),
                              ("tasks", "meeting_id"), ("tasks", "dropped"), ("actors", "origin_id"),
                              ("forms", "pairing")):
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
        conn.exec_driver_sql("UPDATE kit_meta SET value = '13' WHERE key = 'schema_version'")
    store.close()
    again = Store.open(tmp_path / "old")
    assert again.schema_version() == SCHEMA_VERSION
    nets = again.networks()
    assert [(n["home_id"], [m["number"] for m in n["meetings"]]) for n in nets] == [(one["id"], [1]), (two["id"], [1])]
    for w in (one, two):
        tasks, holders, actors = before[w["id"]]
        assert again.tasks(w["id"]) == [{**t, "meeting_id": w["id"]} for t in tasks]
        assert again.holders(w["id"]) == holders and again.actors(w["id"]) == actors
    nxt, made = again.next_meeting(one["id"])  # and the upgraded store goes on
    assert made and again.since_last_time(nxt["id"])["items"]
    again.close()


def test_the_second_meetings_minutes_approve_the_first_and_record_each_items_word(store):
    from kit import report

    ws, _, (t1, t2, t3) = first_meeting(store)
    store.set_minutes_info(ws["id"], {"date": "2027-01-15"})
    nxt, _ = store.next_meeting(ws["id"], date="2027-02-15", place="Kirjasto")
    store.review_action(nxt["id"], t1["id"], "done")
    store.review_action(nxt["id"], t2["id"], "moved", due="2027-04-01")
    store.review_action(nxt["id"], t3["id"], "dropped")
    later = store.add_task(nxt["id"], "Kutsu kuoro", due="2027-03-01")
    text = report.Report(store, nxt["id"], "fi").minutes_text()
    assert "(2. kokous)" in text.splitlines()[0] and "Paikka: Kirjasto" in text and "Aika: 15.2.2027" in text
    assert "EDELLISEN KOKOUKSEN PÖYTÄKIRJA" in text and "Kokous 1, 15.1.2027" in text
    assert "Varaa sali (Aino): Tehty" in text and "Kysy Kelalta (Aino): Siirretty: 2027-04-01" in text
    assert "Tee juliste (Aino): Luovuttu" in text
    actions = text.split("SOVITUT TEHTÄVÄT")[1]
    assert "Kutsu kuoro" in actions and "Kysy Kelalta" in actions and "Tee juliste" not in actions
    # the first meeting's minutes do not take the second meeting's action items
    first = report.Report(store, ws["id"], "fi").minutes_text()
    assert later["title"] not in first and "EDELLISEN KOKOUKSEN" not in first


def test_two_meetings_maps_compare_actor_by_actor(store):
    from kit import network as nw
    from kit import report

    ws, _, _ = first_meeting(store)
    lonely = store.add_actor(ws["id"], "Yksin", "expert_by_experience")
    nxt, _ = store.next_meeting(ws["id"])
    by_name = {a["name"]: a for a in store.actors(nxt["id"])}
    store.add_link(nxt["id"], by_name["Kirjasto"]["id"], by_name["Yksin"]["id"], "cooperation")
    store.add_actor(nxt["id"], "Uusi", "municipality")
    d = nw.compare(store.map_by_origin(ws["id"]), store.map_by_origin(nxt["id"]))
    assert len(d["new_links"]) == 1 and len(d["new_cross_sector_links"]) == 1
    assert d["no_longer_isolated"] == [lonely["id"]] and d["sectors_filled"] == ["municipality"]
    assert d["removed_links"] == []
    html = report.Report(store, nxt["id"], "fi").map_section()
    assert "Muutos edellisen kokouksen (nro 1) kartasta" in html


def test_the_summary_names_the_network_and_counts_its_meetings(store):
    from kit import report

    ws, _, _ = first_meeting(store)
    store.set_network_info(ws["id"], {"name": "Kajaanin <b>foorumi</b>", "organisation": "Kajaanin kaupunki",
                                      "project_code": "K-17"})
    nxt, _ = store.next_meeting(ws["id"])
    html = report.export(store, nxt["id"], "summary", "fi", False)[0].decode("utf-8")
    assert "Kajaanin &lt;b&gt;foorumi&lt;/b&gt;" in html and "Kajaanin kaupunki" in html and "K-17" in html
    assert "<dt>Kokouksia</dt><dd>2</dd>" in html.replace("\n", "")


def test_the_database_itself_refuses_a_second_meeting_with_the_same_number(store):
    """Issue 18: besides the write lock, a constraint: one meeting per number in a network."""
    import sqlalchemy

    from kit.store.schema import workshops

    first = store.create_workshop("Foorumi", "kulttuurifoorumi")
    second, _ = store.next_meeting(first["id"])
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        with store._tx(write=True) as conn:
            conn.execute(workshops.update().where(workshops.c.id == second["id"]).values(meeting_no=1))
    assert store.workshop(second["id"])["meeting_no"] == 2
