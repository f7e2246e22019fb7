"""Stage 1 in the store: actors, links, suggestions from devices, merging, snapshots, imports."""

import pytest

from kit import network as nw
from kit.errors import KitError


@pytest.fixture
def ws(store):
    return store.create_workshop("Verkostopaja", "osallisuusverkosto", "fi")


def test_actor_checks(store, ws):
    a = store.add_actor(ws["id"], "  Kirjasto ", "culture_practitioner", influence=4, interest=7, goals=["tukee"])
    assert a["name"] == "Kirjasto" and a["status"] == "active" and a["goals"] == ["tukee"]
    for kw, code in (({"sector": "church"}, "unknown_sector"), ({"name": " "}, "actor_name_required"),
                     ({"influence": 11}, "bad_tower"), ({"interest": -1}, "bad_tower")):
        args = {"name": "X", "sector": "parish", **kw}
        with pytest.raises(KitError) as err:
            store.add_actor(ws["id"], **args)
        assert err.value.code == code
    assert len(store.actors(ws["id"])) == 1
    # the facilitator may keep two cards of the same name (and merge them later)
    store.add_actor(ws["id"], "Kirjasto", "culture_practitioner")
    assert len(store.actors(ws["id"])) == 2


def test_links_refuse_self_and_missing_actors_and_merge_duplicates(store, ws):
    a = store.add_actor(ws["id"], "A", "parish")
    b = store.add_actor(ws["id"], "B", "resident")
    with pytest.raises(KitError) as err:
        store.add_link(ws["id"], a["id"], a["id"], "information")
    assert err.value.code == "self_link_store"
    with pytest.raises(KitError) as err:
        store.add_link(ws["id"], a["id"], 9999, "information")
    assert err.value.code == "unknown_actor"
    with pytest.raises(KitError):
        store.add_link(ws["id"], a["id"], b["id"], "gossip")
    store.add_link(ws["id"], a["id"], b["id"], "funding")
    store.add_link(ws["id"], a["id"], b["id"], "funding", bidirectional=True)
    (only,) = store.links(ws["id"])
    assert only["weight"] == 2 and only["bidirectional"]


def test_participant_suggestions_wait_for_the_facilitator(store, ws):
    p, _ = store.add_participant(ws["id"])
    a = store.add_actor(ws["id"], "Kirjasto", "culture_practitioner")
    with pytest.raises(KitError) as err:
        store.add_actor(ws["id"], "kirjasto", "culture_practitioner", participant_id=p["id"])
    assert err.value.code == "actor_exists"
    s = store.add_actor(ws["id"], "Nuorisotila", "third_sector", participant_id=p["id"])
    link = store.add_link(ws["id"], a["id"], s["id"], "cooperation", participant_id=p["id"])
    assert s["status"] == link["status"] == "suggested"
    assert store.map_data(ws["id"]) == ([nw_actor(a)], [])
    store.decide_suggestion("link", link["id"], accept=True)  # accepts its suggested actor too
    actors, links = store.map_data(ws["id"])
    assert {x["name"] for x in actors} == {"Kirjasto", "Nuorisotila"} and len(links) == 1
    with pytest.raises(KitError) as err:
        store.decide_suggestion("link", link["id"], accept=True)
    assert err.value.code == "not_a_suggestion"
    r = store.add_actor(ws["id"], "Kuu", "resident", participant_id=p["id"])
    store.decide_suggestion("actor", r["id"], accept=False)
    assert store.actors(ws["id"], "rejected")[0]["name"] == "Kuu"


def nw_actor(a):
    from kit.store import map_actor

    return map_actor(a)


def test_merge_actors_moves_links(store, ws):
    a = store.add_actor(ws["id"], "Kirjasto", "culture_practitioner")
    a2 = store.add_actor(ws["id"], "Kaupunginkirjasto", "culture_practitioner")
    b = store.add_actor(ws["id"], "Seurakunta", "parish")
    store.add_link(ws["id"], a["id"], b["id"], "information")
    store.add_link(ws["id"], a2["id"], b["id"], "information")
    store.add_link(ws["id"], a2["id"], a["id"], "cooperation")  # becomes a self-link: dropped
    store.merge_actors(a["id"], a2["id"])
    actors, links = store.map_data(ws["id"])
    assert [x["name"] for x in actors] == ["Kirjasto", "Seurakunta"]
    assert [(x["source"], x["target"], x["weight"]) for x in links] == [(a["id"], b["id"], 2)]


def test_snapshots_compare(store, ws):
    a = store.add_actor(ws["id"], "A", "parish")
    b = store.add_actor(ws["id"], "B", "resident")
    c = store.add_actor(ws["id"], "C", "resident")
    store.add_link(ws["id"], a["id"], b["id"], "information")
    first = store.take_snapshot(ws["id"], "Alku")
    store.add_link(ws["id"], c["id"], a["id"], "referral")
    second = store.take_snapshot(ws["id"])
    diff = nw.compare(first["data"], second["data"])
    assert diff["new_links"] == [(c["id"], a["id"], "referral")]
    assert diff["no_longer_isolated"] == [c["id"]]
    assert [s["label"] for s in store.snapshots(ws["id"])][0] == "Alku"


def test_import_is_all_or_nothing(store, ws):
    rows = nw.csv_rows("name,sector\nKirjasto,culture_practitioner\nSeurakunta,parish\n", "actors")
    lrows = nw.csv_rows("source,target,type\nKirjasto,Seurakunta,cooperation\n", "links")
    a, l_ = nw.read_rows(rows, lrows, ["culture_practitioner", "parish"], ["cooperation"])
    assert store.import_network(ws["id"], a, l_) == {"actors": 2, "links": 1}
    assert len(store.links(ws["id"])) == 1
    bad = [{**a[0], "sector": "church"}]
    with pytest.raises(KitError):
        store.import_network(ws["id"], a + bad, [])
    assert len(store.actors(ws["id"])) == 2
