"""The stakeholder map page driven without a browser: actions are methods, buttons only call them."""

import base64
import re

import pytest

from kit import network as nw
from kit.ui import StakeholderApp

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def ws(store):
    return store.create_workshop("Kartta", "osallisuusverkosto", "en")


def app_for(store, ws):
    return StakeholderApp(store, code=ws["code"], lang="en", poll=False)


def add(app, name, sector, influence=0, interest=-1):
    app.pick.value = None
    app.name.value, app.sector.value = name, sector
    app.influence.value, app.interest.value = influence, interest
    app.add_btn.click()


def test_too_small_then_flags_as_the_map_grows(store, ws):
    app = app_for(store, ws)
    assert "No actors on the map yet" in app.map.value
    add(app, "Library", "culture_practitioner", 5, 8)
    add(app, "Parish", "parish", 3, 2)
    assert "too small to analyse" in app.flags.value
    add(app, HOSTILE, "resident", 1, 9)
    ids = {a["name"]: a["id"] for a in store.actors(ws["id"])}
    app.source.value, app.target.value, app.link_type.value = ids["Library"], ids["Parish"], "cooperation"
    app.link_btn.click()
    assert "Link added" in app.message.value
    flags = app.flags.value
    assert "linked to nobody" in flags and "&lt;img src=x" in flags and HOSTILE not in flags
    assert "Missing from the map altogether" in flags  # sote, green care, experts by experience
    assert HOSTILE not in app.table.value and "Key players" in app.table.value  # Library: 5/5 power, 8 interest
    assert "<iframe" in app.map.value and HOSTILE not in app.map.value.replace("&amp;", "&").split("srcdoc")[0]
    # the self link is refused with a message, nothing stored
    app.source.value = app.target.value = ids["Parish"]
    app.link_btn.click()
    assert "cannot be linked to itself" in app.message.value and len(store.links(ws["id"])) == 1


def test_suggestions_are_accepted_from_the_queue(store, ws):
    p, _ = store.add_participant(ws["id"])
    a = store.add_actor(ws["id"], "Library", "culture_practitioner")
    s = store.add_actor(ws["id"], "Youth club", "third_sector", participant_id=p["id"])
    store.add_link(ws["id"], s["id"], a["id"], "information", participant_id=p["id"])
    app = app_for(store, ws)
    rows = app.suggestions.children
    assert len(rows) == 2
    link_row = next(r for r in rows if "data-kind='link'" in r.children[0].value)
    link_row.children[1].click()  # accept the link: its suggested actor comes with it
    assert {x["name"] for x in store.actors(ws["id"])} == {"Library", "Youth club"}
    assert len(store.links(ws["id"])) == 1
    assert "No suggestions waiting" in app.suggestions.children[0].value


def test_edit_merge_and_snapshot_comparison(store, ws):
    app = app_for(store, ws)
    for name, sector in (("Library", "culture_practitioner"), ("City library", "culture_practitioner"),
                         ("Parish", "parish"), ("Residents", "resident")):
        add(app, name, sector)
    ids = {a["name"]: a["id"] for a in store.actors(ws["id"])}
    store.add_link(ws["id"], ids["City library"], ids["Parish"], "information")
    app.take_snapshot("Start")
    app.pick.value = ids["Library"]
    app.influence.value = 7
    app.save_btn.click()
    assert store.actors(ws["id"])[0]["influence"] == 7
    app.pick.value = ids["City library"]
    app.merge_into.value = ids["Library"]
    app.merge_btn.click()
    store.add_link(ws["id"], ids["Residents"], ids["Library"], "referral")
    first = store.snapshots(ws["id"])[0]["id"]
    c = app.show_comparison(first, "now")
    assert c["diff"]["new_links"] == [(ids["Library"], ids["Parish"], "information"),
                                      (ids["Residents"], ids["Library"], "referral")]
    assert "Residents" in app.comparison.value and "no longer isolated" in app.comparison.value


def test_downloads_round_trip_through_import(store, ws):
    app = app_for(store, ws)
    add(app, "Library", "culture_practitioner", 4, 6)
    add(app, "Parish", "parish", 2)
    ids = {a["name"]: a["id"] for a in store.actors(ws["id"])}
    store.add_link(ws["id"], ids["Library"], ids["Parish"], "funding", bidirectional=True)
    app.refresh()
    links = dict(re.findall(r"download='([^']+)' href='data:[^;]+;base64,([^']+)'", app.downloads.value))
    files = {name: base64.b64decode(data) for name, data in links.items()}
    assert {n.split("-", 1)[-1] for n in files} >= {"actors.csv", "links.csv", "kumu.xlsx", "map.svg"}
    other = store.create_workshop("Toinen", "osallisuusverkosto", "en")
    app2 = StakeholderApp(store, code=other["code"], lang="en", poll=False)
    kumu = next(n for n in files if n.endswith(".xlsx"))
    app2.import_files({kumu: files[kumu]})
    assert "Imported: actors 2, links 1." in app2.message.value
    a2, l2 = store.map_data(other["id"])
    assert [(a["name"], a["influence"], a["interest"]) for a in a2] == [("Library", 4, 6), ("Parish", 2, None)]
    assert [(x["type"], x["bidirectional"]) for x in l2] == [("funding", True)]
    # a bad CSV names its row and column and changes nothing
    app2._guard(app2.import_files, {"actors.csv": b"name,sector\nSchool,education\nChurch,church\n"})
    assert "actors.csv, row 3, column sector" in app2.message.value
    assert len(store.actors(other["id"])) == 2


def test_map_open_toggle_is_a_workshop_setting(store, ws):
    app = app_for(store, ws)
    app.open_box.value = True
    assert store.workshop(ws["id"])["settings"]["map_open"] is True


def test_interactive_map_has_no_outside_links(store, ws):
    app = app_for(store, ws)
    add(app, "Library", "culture_practitioner")
    page = nw.interactive_map(*store.map_data(ws["id"]), ["culture_practitioner"], nw.LINK_TYPES, str, str)
    assert not re.findall(r'(?:src|href)="https?://', page)
