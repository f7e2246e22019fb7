"""Stakeholder mapping analysis (domain spec §2, fixture §9.6), its edge cases, and the map's files."""

import math

import pytest

from kit import network as nw
from kit.errors import KitError
from kit.render.map import grid_svg, map_svg


def actor(i, sector, **kw):
    return {"id": i, "name": kw.pop("name", f"Actor {i}"), "sector": sector, **kw}


def link(s, t, typ="information", **kw):
    return {"source": s, "target": t, "type": typ, **kw}


def test_gould_fernandez_fixture_from_the_spec():
    # A->B, A->C, B->C, B->D, C->D, D->A; groups A,B = 1 and C,D = 2
    d = nw.union(nw.graph([actor(x, g) for x, g in (("A", 1), ("B", 1), ("C", 2), ("D", 2))],
                          [link(*e) for e in ("AB", "AC", "BC", "BD", "CD", "DA")]))
    roles = nw.brokerage(d, {"A": 1, "B": 1, "C": 2, "D": 2})
    nonzero = {v: {r: n for r, n in c.items() if n} for v, c in roles.items()}
    assert nonzero == {
        "A": {"itinerant": 1, "gatekeeper": 1},
        "B": {"representative": 1},
        "C": {"gatekeeper": 1},
        "D": {"itinerant": 1, "representative": 1},
    }


def test_liaison_and_coordinator():
    d = nw.union(nw.graph([actor(1, "a"), actor(2, "b"), actor(3, "c"), actor(4, "a"), actor(5, "a")],
                          [link(1, 2), link(2, 3), link(4, 5), link(5, 1)]))
    roles = nw.brokerage(d, {1: "a", 2: "b", 3: "c", 4: "a", 5: "a"})
    assert roles[2]["liaison"] == 1 and roles[5]["coordinator"] == 1


def network():
    actors = [actor(1, "sote_professional", influence=8, interest=9), actor(2, "culture_practitioner", influence=3, interest=8),
              actor(3, "resident", influence=2, interest=2), actor(4, "third_sector", influence=10, interest=1),
              actor(5, "resident", influence=0), actor(6, "parish", influence=1, interest=5),
              actor(7, "parish", influence=1, interest=1)]
    links = [link(1, 2), link(2, 3, "cooperation", bidirectional=True), link(4, 1, "funding"), link(6, 7)]
    return actors, links


def test_analysis_flags_brokers_isolates_silos_missing_and_weak_sectors():
    actors, links = network()
    a = nw.analyse(actors, links, ["sote_professional", "green_care_practitioner", "resident"])
    kinds = {(f.kind, f.actor, f.sector) for f in a.flags}
    assert ("cross_sector_broker", 1, None) in kinds and ("cross_sector_broker", 2, None) in kinds
    assert ("isolated", 5, None) in kinds
    assert ("peripheral", 3, None) in kinds  # one partner, even over a mutual link
    assert ("silo", None, None) in kinds  # {1,2,3,4} and {6,7}
    assert a.missing_sectors == ["green_care_practitioner"]
    assert ("weak_sector", None, "parish") in kinds
    assert a.isolates == [5]
    assert a.measures[5]["constraint"] is None  # NaN from networkx shown as n/a
    assert a.measures[1]["betweenness"] > 0


def test_power_interest_quadrants_and_unclassified():
    actors, links = network()
    q = nw.analyse(actors, links).quadrants
    assert q[1] == "manage_closely" and q[4] == "keep_satisfied" and q[2] == "keep_informed"
    assert q[3] == "monitor" and q[5] == "unclassified"
    assert nw.quadrant(5, 5, 10) == "manage_closely"  # on the midline counts as high


def test_a_network_under_three_actors_is_too_small_not_zeros():
    a = nw.analyse([actor(1, "x"), actor(2, "y")], [link(1, 2)])
    assert a.too_small and a.measures == {} and not any(f.kind.endswith("broker") for f in a.flags)


def test_flag_sentences_in_three_languages():
    actors, links = network()
    a = nw.analyse(actors, links, ["green_care_practitioner"])
    by_id = {x["id"]: x for x in actors}
    for lang in ("fi", "sv", "en"):
        lines = [nw.flag_sentence(f, by_id, lambda s: s or "?", lang) for f in a.flags]
        assert all(line and "{" not in line for line in lines)
    assert any("Actor 5" in line for line in
               (nw.flag_sentence(f, by_id, str, "en") for f in a.flags if f.kind == "isolated"))


def test_compare_snapshots():
    actors, links = network()
    before = nw.snapshot(actors, links)
    after = nw.snapshot(actors + [actor(8, "green_care_practitioner")],
                        links + [link(5, 1, "referral"), link(8, 6, "cooperation")])
    c = nw.compare(before, after)
    assert c["new_links"] == [(5, 1, "referral"), (8, 6, "cooperation")]
    assert c["new_cross_sector_links"] == c["new_links"]
    assert c["no_longer_isolated"] == [5]
    assert c["sectors_filled"] == ["green_care_practitioner"]


SECTORS = ["sote_professional", "culture_practitioner", "resident", "third_sector", "parish"]
TYPES = [t["id"] for t in nw.LINK_TYPES]
HOSTILE = '=HYPERLINK("http://x")<script>alert(1)</script>'


def full():
    actors = [actor(1, "sote_professional", name=HOSTILE, organisation="Hyvinvointialue", is_person=False,
                    influence=7, interest=4, goals=["supports", "funds"], notes="muistiinpano; with, commas"),
              actor(2, "culture_practitioner", name="Taiteilija", is_person=True, influence=None, interest=None,
                    goals=[], notes=None, organisation=None),
              actor(3, "resident", name="Asukasyhdistys", influence=2, interest=9, goals=["supports"],
                    organisation=None, is_person=False, notes=None)]
    links = [link(1, 2, "funding", bidirectional=False, weight=2, informal=False),
             link(2, 3, "cooperation", bidirectional=True, weight=1, informal=True)]
    return actors, links


def comparable(actors, links):
    keep = ("name", "sector", "organisation", "is_person", "influence", "interest", "goals", "notes")
    key = {a.get("key", a.get("id")): a["name"] for a in actors}
    return ([{k: (a.get(k) or None) if k != "goals" else a.get("goals") or [] for k in keep} for a in actors],
            [(key[x["source"]], key[x["target"]], x["type"], bool(x["bidirectional"]), x["weight"], bool(x["informal"]))
             for x in links])


@pytest.mark.parametrize("fmt", ["csv", "kumu", "graphml"])
def test_round_trip_keeps_every_attribute(fmt):
    actors, links = full()
    if fmt == "csv":
        a_text, l_text = nw.to_csv(actors, links)
        assert "'=HYPERLINK" in a_text  # a spreadsheet will not run it
        rows = nw.csv_rows(a_text, "actors"), nw.csv_rows(l_text, "links")
    elif fmt == "kumu":
        rows = nw.kumu_rows(nw.to_kumu(actors, links))
    else:
        rows = nw.graphml_rows(nw.to_graphml(actors, links))
    back_a, back_l = nw.read_rows(*rows, SECTORS, TYPES)
    assert comparable(back_a, back_l) == comparable(actors, links)


def test_unknown_sector_names_row_and_column():
    text = "name,sector\nKirjasto,culture_practitioner\nSeurakunta,church\n"
    with pytest.raises(KitError) as err:
        nw.read_rows(nw.csv_rows(text, "actors.csv"), [], SECTORS, TYPES, ("actors.csv", "links.csv"))
    assert err.value.code == "import_sector"
    assert err.value.params == {"table": "actors.csv", "row": 3, "column": "sector", "value": "church"}
    assert "row 3" in err.value.message("en") and "sector" in err.value.message("en")


@pytest.mark.parametrize("links_text,code", [
    ("source,target,type\nA,Z,information\n", "import_missing_actor"),
    ("source,target,type\nA,A,information\n", "self_link"),
    ("source,target,type\nA,B,gossip\n", "import_link_type"),
    ("source,target,type\nA,B\n", "import_columns"),
])
def test_bad_links_are_refused(links_text, code):
    actors = nw.csv_rows("name,sector\nA,resident\nB,parish\n", "actors")
    with pytest.raises(KitError) as err:
        nw.read_rows(actors, nw.csv_rows(links_text, "links"), SECTORS, TYPES)
    assert err.value.code == code


def test_malformed_files_get_a_clear_message():
    for fn, data, code in ((nw.kumu_rows, b"not a workbook", "import_not_workbook"),
                           (nw.graphml_rows, "<graphml><oops", "import_not_graphml")):
        with pytest.raises(KitError) as err:
            fn(data)
        assert err.value.code == code


def test_static_map_and_grid_escape_names_and_describe_everything():
    actors, links = full()
    svg = map_svg(actors, links, SECTORS, nw.LINK_TYPES, str, str, "Kartta")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<desc" in svg and "Taiteilija → Asukasyhdistys" in svg
    q = nw.analyse(actors, links).quadrants
    grid = grid_svg(actors, q, str, "Valta ja kiinnostus")
    assert "manage_closely" in grid and "Asukasyhdistys" in grid and "<script>" not in grid


def test_interactive_map_is_offline():
    import re

    actors, links = full()
    page = nw.interactive_map(actors, links, SECTORS, nw.LINK_TYPES, str, str)
    assert re.findall(r'(?:src|href)="https?://', page) == []
    assert "vis.DataSet" in page and "<script>alert(1)</script>" not in page
    assert not math.isnan(len(page))


def test_links_of_a_type_without_direction_count_both_ways():
    actors = [actor(1, "a"), actor(2, "b"), actor(3, "c")]
    one_way = nw.union(nw.graph(actors, [link(1, 2, "information"), link(2, 3, "information")]))
    assert not one_way.has_edge(2, 1)
    mutual = nw.union(nw.graph(actors, [link(1, 2, "cooperation"), link(2, 3, "cooperation")]))
    assert mutual.has_edge(2, 1) and mutual.has_edge(3, 2)
    # 2 now brokers both ways between 1 and 3
    assert nw.brokerage(mutual, {1: "a", 2: "b", 3: "c"})[2]["liaison"] == 2


def _no_label_collides(labels, actor_boxes, width, height):
    from kit.network import _box_overlap

    for i, a in enumerate(labels):
        assert 0 <= a[0] and 0 <= a[1] and a[2] <= width and a[3] <= height, a
        assert not any(_box_overlap(a, b) for b in labels[i + 1:]), "two numbers overlap"
        assert not any(_box_overlap(a, b) for b in actor_boxes), "a number covers an actor"


@pytest.mark.parametrize("n", [4, 14, 30])
def test_map_and_grid_number_every_actor_without_overlap_and_name_each_in_the_key(n):
    """Issue 15, item 7: the map picture and the power-interest grid had overlapping and clipped
    labels. Every actor is numbered where its number covers no other number or actor, inside the
    picture, and the key beside it names each one in full."""
    actors = [{"id": i, "name": f"Toimija numero {i} jolla on pitkä nimi", "sector": ["sote", "culture"][i % 2],
               "influence": (i * 3) % 11, "interest": (i * 7) % 11} for i in range(1, n + 1)]
    links = [{"source": i, "target": i + 1, "type": "info", "weight": 1} for i in range(1, n)]
    g = nw.map_geometry(actors, links, ["sote", "culture"], [{"id": "info", "colour": "#005a9c"}],
                        lambda s: s, lambda t: t)
    assert [k["name"] for k in g["key"]] == [a["name"] for a in actors]
    assert [int(x["n"]) for x in g["nodes"]] == list(range(1, n + 1))
    boxes = []
    for x in g["nodes"]:
        s = x["shape"]
        r = float(s.get("r") or float(s.get("size", 0)) / 2 or 0)
        if s["kind"] in ("circle",):
            cx, cy = float(s["x"]), float(s["y"])
        elif s["kind"] == "rect":
            cx, cy = float(s["x"]) + r, float(s["y"]) + r
        else:
            continue
        boxes.append((cx - r + 1, cy - r + 1, cx + r - 1, cy + r - 1))
    _no_label_collides([x["box"] for x in g["nodes"]], boxes, 560, g["height"])
    assert float(g["key"][-1]["y"]) <= g["height"] - 10  # the key's last line is inside the picture
    quad = {a["id"]: "monitor" for a in actors}
    grid = nw.grid_geometry(actors, quad, lambda q: q)
    assert [k["name"] for k in grid["key"]] == [a["name"] for a in actors]
    dots = [(float(p["x"]) - 6, float(p["y"]) - 6, float(p["x"]) + 6, float(p["y"]) + 6) for p in grid["points"]]
    # thirty on an 11 x 11 grid share spots: then a number may sit on a dot, never on another number
    _no_label_collides([p["box"] for p in grid["points"]], dots if n < 30 else [], 560, grid["height"])
