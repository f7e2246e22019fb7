"""Stakeholder mapping (toimijaverkoston kartoitus): Net-Map analysis on networkx graphs, flags a
facilitator can read out, the power-interest grid, snapshots compared, and the map's files.

Pure: lists of actor and link dicts in, data out (domain spec §2). Actor dict keys: id, name, sector,
organisation, is_person, notes, influence (0..max), interest (0..max), goals (list). Link dict
keys: id, source, target, type, bidirectional, weight, informal.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

import networkx as nx

from kit.errors import KitError

MAX_TOWER = 10  # Net-Map influence tower height (relative within one session)
TAU = 0.5  # power-interest threshold: a value exactly on the midline counts as high
TOP_BROKERS = 3
ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")
CROSS_ROLES = ("gatekeeper", "representative", "liaison")

# default link types (spec §2.2); a template may give its own under `link_types`
LINK_TYPES = [
    {"id": "information", "colour": "#005a9c", "dash": False, "directed": True, "sign": "+"},
    {"id": "funding", "colour": "#1e6b30", "dash": False, "directed": True, "sign": "+"},
    {"id": "referral", "colour": "#6a3d9a", "dash": True, "directed": True, "sign": "+"},
    {"id": "cooperation", "colour": "#8a4b00", "dash": False, "directed": False, "sign": "+"},
    {"id": "decision", "colour": "#1a1a1a", "dash": True, "directed": True, "sign": "+"},
    {"id": "conflict", "colour": "#a4000f", "dash": True, "directed": False, "sign": "-"},
]
# sector colours (also told by shape in the static map, and by name in every table)
PALETTE = ["#005a9c", "#1e6b30", "#8a4b00", "#6a3d9a", "#a4000f", "#00686b", "#5c5c5c", "#7a2e5e",
           "#3d5a00", "#00457a", "#6b4e00", "#4a2a7a"]
SHAPES = ["circle", "square", "diamond", "triangle", "hexagon", "star"]


def link_types(template: dict | None = None) -> list[dict]:
    return (template or {}).get("link_types") or LINK_TYPES


# -- graphs ---------------------------------------------------------------------------------------------
def graph(actors: list[dict], links: list[dict], types: list[dict] | None = None) -> nx.MultiDiGraph:
    """One directed multigraph: a bidirectional link is two directed edges (the double-headed arrow),
    and so is any link of a type without direction (cooperation, conflict: spec §2.4)."""
    undirected = {x["id"] for x in (types or LINK_TYPES) if not x.get("directed", True)}
    g = nx.MultiDiGraph()
    for a in actors:
        g.add_node(a["id"], **{k: v for k, v in a.items() if k != "id"})
    for link in links:
        attrs = {"type": link["type"], "weight": link.get("weight", 1), "link_id": link.get("id")}
        g.add_edge(link["source"], link["target"], **attrs)
        if link.get("bidirectional") or link["type"] in undirected:
            g.add_edge(link["target"], link["source"], **attrs)
    return g


def union(g: nx.MultiDiGraph) -> nx.DiGraph:
    """All link types together; weight = how many link types join the pair."""
    d = nx.DiGraph()
    d.add_nodes_from(g.nodes(data=True))
    for u, v, data in g.edges(data=True):
        if d.has_edge(u, v):
            d[u][v]["types"].add(data["type"])
            d[u][v]["weight"] = len(d[u][v]["types"])
        else:
            d.add_edge(u, v, types={data["type"]}, weight=1)
    return d


def brokerage(d: nx.DiGraph, group: dict) -> dict:
    """Gould-Fernandez brokerage roles of every node: open two-paths a -> v -> b (no a -> b), by the
    groups of a, v and b (spec §2.4)."""
    out = {v: dict.fromkeys(ROLES, 0) for v in d.nodes}
    for v in d.nodes:
        for a in d.predecessors(v):
            for b in d.successors(v):
                if a == b or a == v or b == v or d.has_edge(a, b):
                    continue
                ga, gv, gb = group.get(a), group.get(v), group.get(b)
                if ga == gv == gb:
                    role = "coordinator"
                elif ga == gb:
                    role = "itinerant"
                elif gv == gb:
                    role = "gatekeeper"
                elif ga == gv:
                    role = "representative"
                else:
                    role = "liaison"
                out[v][role] += 1
    return out


def _num(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


@dataclass
class Flag:
    kind: str  # cross_sector_broker | within_sector_broker | isolated | peripheral | silo | missing_sector | weak_sector
    actor: int | None = None
    sector: str | None = None
    params: dict = field(default_factory=dict)


@dataclass
class Analysis:
    too_small: bool
    measures: dict  # actor id -> {degree, in_degree, out_degree, betweenness, constraint, effective_size, component}
    brokerage: dict  # actor id -> {role: count}
    components: list  # lists of actor ids (isolates excluded), largest first
    isolates: list
    quadrants: dict  # actor id -> manage_closely | keep_satisfied | keep_informed | monitor | unclassified
    missing_sectors: list
    weak_sectors: list
    flags: list


def quadrant(influence, interest, max_influence: int, max_interest: int = MAX_TOWER, tau: float = TAU) -> str:
    if interest is None or influence is None:
        return "unclassified"
    power = influence / max_influence if max_influence else 0.0
    inter = interest / max_interest if max_interest else 0.0
    hi_p, hi_i = power >= tau, inter >= tau
    if hi_p and hi_i:
        return "manage_closely"
    if hi_p:
        return "keep_satisfied"
    if hi_i:
        return "keep_informed"
    return "monitor"


def analyse(actors: list[dict], links: list[dict], required_sectors=(), tau: float = TAU,
            types: list[dict] | None = None) -> Analysis:
    g = graph(actors, links, types)
    d = union(g)
    n = d.number_of_nodes()
    group = {a["id"]: a.get("sector") for a in actors}
    heights = [a.get("influence") or 0 for a in actors]
    max_h = max(heights) if heights else 0
    quadrants = {a["id"]: quadrant(a.get("influence"), a.get("interest"), max_h, MAX_TOWER, tau) for a in actors}
    isolates = sorted(nx.isolates(d))
    comps = sorted((sorted(c) for c in nx.weakly_connected_components(d) if len(c) > 1), key=lambda c: (-len(c), c))
    present = {a.get("sector") for a in actors}
    missing = [s for s in required_sectors if s not in present]
    too_small = n < 3
    measures: dict = {}
    roles: dict = {}
    flags: list[Flag] = []
    if not too_small:
        deg = nx.degree_centrality(d)
        indeg, outdeg = nx.in_degree_centrality(d), nx.out_degree_centrality(d)
        betw = nx.betweenness_centrality(d, normalized=True)
        cons = nx.constraint(d)
        eff = nx.effective_size(d)
        comp_of = {v: i for i, c in enumerate(comps) for v in c}
        for v in d.nodes:
            measures[v] = {"degree": deg[v], "in_degree": indeg[v], "out_degree": outdeg[v],
                           "betweenness": betw[v], "constraint": _num(cons.get(v)),
                           "effective_size": _num(eff.get(v)), "component": comp_of.get(v),
                           "links": d.degree(v)}
        roles = brokerage(d, group)
        ranked = sorted((v for v in d.nodes if betw[v] > 0), key=lambda v: -betw[v])[:TOP_BROKERS]
        for v in ranked:
            cross = sum(roles[v][r] for r in CROSS_ROLES)
            kind = "cross_sector_broker" if cross > 0 else "within_sector_broker"
            flags.append(Flag(kind, actor=v, params={"paths": cross or roles[v]["coordinator"] + roles[v]["itinerant"]}))
    # how many other actors each one is linked with, either way (a mutual link counts once)
    total_degree = {v: len(set(d.predecessors(v)) | set(d.successors(v))) for v in d.nodes}
    for v in isolates:
        flags.append(Flag("isolated", actor=v))
    for v in sorted(d.nodes):
        if total_degree[v] == 1:
            flags.append(Flag("peripheral", actor=v))
    if len(comps) > 1:
        flags.append(Flag("silo", params={"n": len(comps)}))
    for s in missing:
        flags.append(Flag("missing_sector", sector=s))
    weak = []
    for s in sorted(x for x in present if x):
        members = [a["id"] for a in actors if a.get("sector") == s]
        if members and all(total_degree[m] <= 1 for m in members):
            weak.append(s)
            flags.append(Flag("weak_sector", sector=s))
    return Analysis(too_small, measures, roles, comps, isolates, quadrants, missing, weak, flags)


def flag_sentence(f: Flag, actors_by_id: dict, sector_label, lang: str) -> str:
    """A sentence a facilitator can read out."""
    from kit.i18n import t

    name = actors_by_id[f.actor]["name"] if f.actor is not None else ""
    sector = sector_label(f.sector) if f.sector else (sector_label(actors_by_id[f.actor].get("sector"))
                                                       if f.actor is not None else "")
    return t("flag." + f.kind, lang, actor=name, sector=sector, **f.params)


# -- snapshots ------------------------------------------------------------------------------------------
def snapshot(actors: list[dict], links: list[dict]) -> dict:
    return {"actors": [dict(a) for a in actors], "links": [dict(x) for x in links]}


def by_origin(actors: list[dict], links: list[dict]) -> dict:
    """A meeting's map as a snapshot whose actor ids are their first meeting's (origin_id), so two
    meetings' maps (a later one starts from a copy) compare actor by actor."""
    key = {a["id"]: a.get("origin_id") or a["id"] for a in actors}
    return {"actors": [{**a, "id": key[a["id"]]} for a in actors],
            "links": [{**x, "source": key.get(x["source"], x["source"]), "target": key.get(x["target"], x["target"])}
                      for x in links]}


def compare(before: dict, after: dict) -> dict:
    """What changed between two snapshots, as evaluation reads it: new links, new cross-sector
    links, actors no longer isolated, sectors filled. Actors are matched by id."""
    def pairs(snap):
        sec = {a["id"]: a.get("sector") for a in snap["actors"]}
        out = set()
        for link in snap["links"]:
            out.add((link["source"], link["target"], link["type"]))
        return out, sec

    p0, _ = pairs(before)
    p1, sec1 = pairs(after)
    new = sorted(p1 - p0)
    cross = [x for x in new if sec1.get(x[0]) != sec1.get(x[1])]
    iso0 = set(analyse(before["actors"], before["links"]).isolates)
    iso1 = set(analyse(after["actors"], after["links"]).isolates)
    ids1 = {a["id"] for a in after["actors"]}
    no_longer = sorted(v for v in iso0 - iso1 if v in ids1)
    s0 = {a.get("sector") for a in before["actors"]}
    s1 = {a.get("sector") for a in after["actors"]}
    return {"new_links": new, "new_cross_sector_links": cross, "no_longer_isolated": no_longer,
            "sectors_filled": sorted(x for x in s1 - s0 if x), "removed_links": sorted(p0 - p1),
            "actors_added": sorted(ids1 - {a["id"] for a in before["actors"]})}


# -- files: CSV, Kumu, GraphML ----------------------------------------------------------------------------
ACTOR_COLUMNS = ["id", "name", "sector", "organisation", "is_person", "influence", "interest", "goals", "notes"]
LINK_COLUMNS = ["source", "target", "type", "bidirectional", "weight", "informal"]


def _bool(text) -> bool:
    return str(text).strip().lower() in ("1", "true", "yes", "kyllä", "ja", "x")


def _int_or_none(text, row: int, column: str, table: str):
    text = "" if text is None else str(text).strip()
    if text == "" or text.lower() in ("nan", "none"):
        return None
    try:
        value = int(float(text))
    except ValueError:
        raise KitError("import_cell", table=table, row=row, column=column, value=text[:20]) from None
    if not 0 <= value <= MAX_TOWER:
        raise KitError("import_cell", table=table, row=row, column=column, value=text[:20])
    return value


def read_rows(actor_rows: list[dict], link_rows: list[dict], sectors, link_type_ids,
              table_names=("actors", "links")) -> tuple[list[dict], list[dict]]:
    """Check imported rows (CSV, Kumu or GraphML alike). Rows are numbered as a spreadsheet shows
    them (header = row 1). Actor ids may be any text; links name actors by id or by name."""
    ta, tl = table_names
    actors, by_key = [], {}
    for n, r in enumerate(actor_rows, start=2):
        name = str(r.get("name") or "").strip()
        if not name:
            raise KitError("import_cell", table=ta, row=n, column="name", value="")
        sector = str(r.get("sector") or "").strip()
        if sector not in sectors:
            raise KitError("import_sector", table=ta, row=n, column="sector", value=sector[:40])
        key = str(r.get("id") or "").strip() or name
        goals = r.get("goals") or ""
        a = {"key": key, "name": name, "sector": sector,
             "organisation": str(r.get("organisation") or "").strip() or None,
             "is_person": _bool(r.get("is_person")), "notes": str(r.get("notes") or "").strip() or None,
             "influence": _int_or_none(r.get("influence"), n, "influence", ta),
             "interest": _int_or_none(r.get("interest"), n, "interest", ta),
             "goals": [g.strip() for g in (goals if isinstance(goals, list) else str(goals).split("|")) if g.strip()]}
        actors.append(a)
        by_key.setdefault(key, a)
        by_key.setdefault(name, a)
    links = []
    for n, r in enumerate(link_rows, start=2):
        ends = []
        for col in ("source", "target"):
            ref = str(r.get(col) or "").strip()
            if ref not in by_key:
                raise KitError("import_missing_actor", table=tl, row=n, column=col, value=ref[:40])
            ends.append(by_key[ref]["key"])
        typ = str(r.get("type") or "").strip()
        if typ not in link_type_ids:
            raise KitError("import_link_type", table=tl, row=n, column="type", value=typ[:40])
        if ends[0] == ends[1]:
            raise KitError("self_link", table=tl, row=n)
        weight = r.get("weight")
        links.append({"source": ends[0], "target": ends[1], "type": typ,
                      "bidirectional": _bool(r.get("bidirectional")), "informal": _bool(r.get("informal")),
                      "weight": int(float(weight)) if str(weight or "").strip() not in ("", "nan", "None") else 1})
    return actors, links


def _plain(a: dict, col: str):
    v = a.get(col)
    if col == "goals":
        return "|".join(v or [])
    if col == "is_person":
        return "1" if v else "0"
    if isinstance(v, bool):
        return "1" if v else "0"
    return "" if v is None else v


def _safe_cell(v):
    """Spreadsheet programs run a cell that starts with = + - @ as a formula: never from a participant."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def _unsafe_cell(v):
    if isinstance(v, str) and v[:2] in ("'=", "'+", "'-", "'@"):
        return v[1:]
    return v


def to_csv(actors: list[dict], links: list[dict]) -> tuple[str, str]:
    out = []
    for cols, rows in ((ACTOR_COLUMNS, actors), (LINK_COLUMNS, links)):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([_safe_cell(_plain(r, c)) for c in cols])
        out.append(buf.getvalue())
    return out[0], out[1]


def csv_rows(text: str, table: str) -> list[dict]:
    """The rows of actors.csv or links.csv, headings in lower case, cells as the export wrote them."""
    from kit.tables import read_table

    header, rows = read_table(text.encode("utf-8"), table)
    keys = [h.lower() for h in header]
    return [{k: _unsafe_cell(r[h]) for k, h in zip(keys, header)} for r in rows if any(v.strip() for v in r.values())]


KUMU_ELEMENT = {"Label": "name", "Type": "sector", "Organisation": "organisation", "Person": "is_person",
                "Influence": "influence", "Interest": "interest", "Goals": "goals", "Description": "notes", "ID": "id"}
KUMU_CONNECTION = {"From": "source", "To": "target", "Type": "type", "Direction": "direction",
                   "Weight": "weight", "Informal": "informal"}


def to_kumu(actors: list[dict], links: list[dict]) -> bytes:
    """A Kumu-style workbook: Elements and Connections sheets (Kumu's own column names)."""
    import pandas as pd

    el = pd.DataFrame([{k: _safe_cell(_plain(a, v)) for k, v in KUMU_ELEMENT.items()} for a in actors],
                      columns=list(KUMU_ELEMENT))
    names = {a["id"]: a["name"] for a in actors}
    co = pd.DataFrame([{"From": _safe_cell(names[x["source"]]), "To": _safe_cell(names[x["target"]]),
                        "Type": x["type"],
                        "Direction": "mutual" if x.get("bidirectional") else "directed",
                        "Weight": x.get("weight", 1), "Informal": "1" if x.get("informal") else "0"} for x in links],
                      columns=list(KUMU_CONNECTION))
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        el.to_excel(xl, sheet_name="Elements", index=False)
        co.to_excel(xl, sheet_name="Connections", index=False)
    return buf.getvalue()


def kumu_rows(data: bytes) -> tuple[list[dict], list[dict]]:
    import pandas as pd

    try:
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, engine="openpyxl")
    except Exception:  # not a workbook at all: say so in the user's words
        raise KitError("import_not_workbook") from None
    for need in ("Elements", "Connections"):
        if need not in sheets:
            raise KitError("import_sheet_missing", sheet=need)

    def rows(df, mapping):
        out = []
        for rec in df.fillna("").to_dict("records"):
            r = {mapping[k]: _unsafe_cell(v) for k, v in rec.items() if k in mapping}
            if "direction" in r:
                r["bidirectional"] = str(r.pop("direction")).strip().lower() in ("mutual", "undirected")
            out.append(r)
        return out

    el = rows(sheets["Elements"], KUMU_ELEMENT)
    for r in el:  # Kumu names elements by label; our ids follow
        r["id"] = r.get("id") or r.get("name")
    return el, rows(sheets["Connections"], KUMU_CONNECTION)


def to_graphml(actors: list[dict], links: list[dict]) -> str:
    g = nx.MultiDiGraph()
    for a in actors:
        g.add_node(str(a["id"]), **{c: _plain(a, c) for c in ACTOR_COLUMNS if c != "id"})
    for x in links:
        g.add_edge(str(x["source"]), str(x["target"]), **{c: _plain(x, c) for c in LINK_COLUMNS[2:]})
    return "\n".join(nx.generate_graphml(g))


def graphml_rows(text: str) -> tuple[list[dict], list[dict]]:
    try:
        g = nx.parse_graphml(text, force_multigraph=True)
    except Exception:  # malformed XML or not GraphML
        raise KitError("import_not_graphml") from None
    actors = [{"id": n, **{k: ("" if v is None else str(v)) for k, v in d.items()}} for n, d in g.nodes(data=True)]
    links = [{"source": u, "target": v, **{k: str(val) for k, val in d.items() if k != "id"}}
             for u, v, d in g.edges(data=True)]
    return actors, links


# -- views ----------------------------------------------------------------------------------------------
def sector_style(sectors: list[str]) -> dict:
    return {s: {"colour": PALETTE[i % len(PALETTE)], "shape": SHAPES[i % len(SHAPES)]} for i, s in enumerate(sectors)}


def layout(actors: list[dict], links: list[dict]) -> dict:
    g = union(graph(actors, links)).to_undirected()
    if g.number_of_nodes() == 0:
        return {}
    # the same picture every time for the same network (the report and the projector agree)
    return nx.spring_layout(g, seed=7) if g.number_of_nodes() > 2 and g.number_of_edges() else nx.circular_layout(g)


def _f(x: float) -> str:
    return f"{x:.1f}"


# Labels: every actor is numbered on the picture and named in a key beside it, so no name can cover
# another or run off the edge; the numbers are placed one by one where they cover no other number and
# no other actor (estimated text boxes; kit/render/map.py draws them).
NUM_FONT, KEY_FONT, KEY_LINE = 13, 13, 19
CHAR_W = 0.62  # width of a character in ems, DejaVu Sans at its widest common letters


def _box_overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(anchors: list[tuple[float, float, float, str]], bounds: tuple, taken: list | None = None) -> list[dict]:
    """Greedy label placement: for each (x, y, radius, text), the first spot around it, at a growing
    distance, whose box stays inside `bounds` and overlaps no box taken before (other labels, other
    actors). Returns {x, y (baseline), box} per anchor."""
    import math

    taken = list(taken or [])
    out = []
    h = NUM_FONT
    for i, (x, y, r, text) in enumerate(anchors):
        w = CHAR_W * NUM_FONT * len(text) + 4
        others = [(ax - ar, ay - ar, ax + ar, ay + ar) for ax, ay, ar, _ in anchors]  # its own actor too
        chosen = None
        for step in range(12):
            dist = r + 2 + h / 2 + step * 7
            for k in range(12):
                ang = -math.pi / 4 + k * math.pi / 6  # upper right first, then around
                cx, cy = x + math.cos(ang) * (dist + w / 2 - h / 2), y - math.sin(ang) * dist
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                if box[0] < bounds[0] or box[1] < bounds[1] or box[2] > bounds[2] or box[3] > bounds[3]:
                    continue
                if any(_box_overlap(box, b) for b in taken + others):
                    continue
                chosen = (cx, cy, box)
                break
            if chosen:
                break
        if chosen is None:  # crowded beyond any free spot: on the actor itself
            chosen = (x, y, (x - w / 2, y - h / 2, x + w / 2, y + h / 2))
        cx, cy, box = chosen
        taken.append(box)
        out.append({"x": _f(cx), "y": _f(cy + h * 0.36), "box": box})
    return out


def _key(names: list[str], x: float, y: float) -> list[dict]:
    return [{"x": _f(x), "name_x": _f(x + 30), "y": _f(y + i * KEY_LINE), "n": i + 1, "name": name}
            for i, name in enumerate(names)]


def map_geometry(actors: list[dict], links: list[dict], sectors: list[str], types: list[dict], sector_label,
                 type_label) -> dict:
    """Where everything of the static map goes (kit/render/map.py draws it): shape and colour by
    sector, size by influence, line colour and dash by link type; each actor numbered, and beside the
    drawing a legend of what is used and the key of numbers to names."""
    style = sector_style(sectors)
    tstyle = {t_["id"]: t_ for t_ in types}
    pos = layout(actors, links)
    DW, M, RMAX = 560, 20, 24  # the drawing's width, its margin, the largest actor's radius
    COL = DW + 30  # the legend and key column
    W = COL + 340
    shown = [a for a in actors if a["id"] in pos]
    legend_n = sum(1 for s in sectors if any(a.get("sector") == s for a in actors)) + sum(
        1 for t_ in types if any(x["type"] == t_["id"] for x in links))
    H = max(640, 40 + legend_n * 22 + 30 + len(shown) * KEY_LINE + 20)
    DH = min(H, 640)
    xs = [p[0] for p in pos.values()] or [0]
    ys = [p[1] for p in pos.values()] or [0]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    pad = M + RMAX + NUM_FONT + 4  # room for the biggest actor and its number on every side

    def sx(x):
        return pad + (x - minx) / ((maxx - minx) or 1) * (DW - 2 * pad)

    def sy(y):
        return pad + (y - miny) / ((maxy - miny) or 1) * (DH - 2 * pad)

    lines = []
    for x in links:
        if x["source"] not in pos or x["target"] not in pos:
            continue
        (x1, y1), (x2, y2) = pos[x["source"]], pos[x["target"]]
        st = tstyle.get(x["type"], {"colour": "#333", "dash": False})
        lines.append({"x1": _f(sx(x1)), "y1": _f(sy(y1)), "x2": _f(sx(x2)), "y2": _f(sy(y2)), "colour": st["colour"],
                      "width": _f(1.5 + x.get("weight", 1)), "dash": bool(st.get("dash")),
                      "both": bool(x.get("bidirectional"))})
    max_h = max([a.get("influence") or 0 for a in actors] or [0]) or 1
    anchors = []
    for n, a in enumerate(shown, 1):
        cx, cy = sx(pos[a["id"]][0]), sy(pos[a["id"]][1])
        anchors.append((cx, cy, 10 + 14 * (a.get("influence") or 0) / max_h, str(n)))
    numbers = place_labels(anchors, (M, M, DW - M, DH - M))
    nodes = []
    for a, (cx, cy, r, num), lab in zip(shown, anchors, numbers):
        sty = style.get(a.get("sector"), {"colour": "#5c5c5c", "shape": "circle"})
        nodes.append({"shape": _shape(sty["shape"], cx, cy, r, sty["colour"]), "n": num, "label_x": lab["x"],
                      "label_y": lab["y"], "box": lab["box"], "name": a["name"][:40]})
    lx, ly = COL, 20
    legend_sectors, legend_types = [], []
    for s in sectors:
        if any(a.get("sector") == s for a in actors):
            legend_sectors.append({"shape": _shape(style[s]["shape"], lx + 10, ly + 8, 8, style[s]["colour"]),
                                   "text_x": lx + 26, "text_y": ly + 13, "label": sector_label(s)})
            ly += 22
    ly += 10
    for t_ in types:
        if any(x["type"] == t_["id"] for x in links):
            legend_types.append({"x1": lx, "x2": lx + 20, "y": ly + 8, "colour": t_["colour"], "dash": bool(t_.get("dash")),
                                 "text_x": lx + 26, "text_y": ly + 13, "label": type_label(t_["id"])})
            ly += 22
    names = {a["id"]: a["name"] for a in actors}
    return {"width": W, "height": H, "lines": lines, "nodes": nodes, "legend_sectors": legend_sectors,
            "legend_types": legend_types, "key": _key([a["name"][:40] for a in shown], lx, ly + 30),
            "desc": "; ".join(f"{names[x['source']]} → {names[x['target']]} ({type_label(x['type'])})" for x in links)}


def _shape(shape: str, cx: float, cy: float, r: float, colour: str) -> dict:
    if shape == "square":
        return {"kind": "rect", "x": _f(cx - r), "y": _f(cy - r), "size": _f(2 * r), "colour": colour}
    if shape == "circle":
        return {"kind": "circle", "x": _f(cx), "y": _f(cy), "r": _f(r), "colour": colour}
    k = {"diamond": 4, "triangle": 3, "hexagon": 6, "star": 10}[shape]
    pts = []
    for i in range(k):
        ang = -math.pi / 2 + 2 * math.pi * i / k
        rr = r if shape != "star" or i % 2 == 0 else r / 2
        pts.append(f"{cx + rr * math.cos(ang):.1f},{cy + rr * math.sin(ang):.1f}")
    return {"kind": "polygon", "points": " ".join(pts), "colour": colour}


def grid_geometry(actors: list[dict], quadrants: dict, quadrant_label) -> dict:
    """Where the power-interest grid puts its four labelled quadrants and each actor's numbered dot;
    the key of numbers to names goes beside the grid."""
    G, M = 560, 60
    W = G + 320
    half = M + (G - 2 * M) / 2
    quads = [{"x": x, "y": y, "w": (G - 2 * M) / 2, "h": (G - 2 * M) / 2, "label": quadrant_label(q)}
             for x, y, q in ((M, M, "keep_satisfied"), (half, M, "manage_closely"), (M, half, "monitor"),
                             (half, half, "keep_informed"))]
    placed = [a for a in actors if quadrants.get(a["id"]) != "unclassified"]
    H = max(G, 40 + len(placed) * KEY_LINE + 20)
    max_h = max([a.get("influence") or 0 for a in actors] or [0]) or 1
    # the quadrants' own labels are taken space too
    taken = [(q["x"], q["y"], q["x"] + 8 + CHAR_W * 14 * len(q["label"]), q["y"] + 26) for q in quads]
    anchors = []
    for n, a in enumerate(placed, 1):
        x = M + (a["interest"] / MAX_TOWER) * (G - 2 * M)
        y = G - M - ((a.get("influence") or 0) / max_h) * (G - 2 * M)
        anchors.append((x, y, 6, str(n)))
    numbers = place_labels(anchors, (M - 30, M - 30, G - 10, G - 30), taken)
    points = [{"x": _f(x), "y": _f(y), "n": num, "label_x": lab["x"], "label_y": lab["y"], "box": lab["box"],
               "name": a["name"][:40]} for a, (x, y, _, num), lab in zip(placed, anchors, numbers)]
    return {"width": W, "height": H, "quadrants": quads, "points": points,
            "key": _key([a["name"][:40] for a in placed], G + 10, 40)}


def interactive_map(actors: list[dict], links: list[dict], sectors: list[str], types: list[dict],
                    sector_label, type_label) -> str:
    """The pyvis map as one self-contained HTML page: vis-network inlined, the CDN links pyvis still
    writes (bootstrap) removed, so it works in a venue without internet."""
    import re

    from pyvis.network import Network

    style = sector_style(sectors)
    tstyle = {t_["id"]: t_ for t_ in types}
    net = Network(height="600px", width="100%", directed=True, cdn_resources="in_line", notebook=False)
    max_h = max([a.get("influence") or 0 for a in actors] or [0]) or 1
    shapes = {"circle": "dot", "square": "square", "diamond": "diamond", "triangle": "triangle",
              "hexagon": "hexagon", "star": "star"}
    for a in actors:
        sty = style.get(a.get("sector"), {"colour": "#5c5c5c", "shape": "circle"})
        # vis-network draws labels on a canvas and shows titles as text, so neither can run markup
        net.add_node(a["id"], label=a["name"], title=f"{a['name']} – {sector_label(a.get('sector'))}",
                     color=sty["colour"], shape=shapes[sty["shape"]], size=12 + 18 * (a.get("influence") or 0) / max_h)
    for x in links:
        st = tstyle.get(x["type"], {"colour": "#333", "dash": False})
        net.add_edge(x["source"], x["target"], color=st["colour"], dashes=bool(st.get("dash")),
                     title=type_label(x["type"]), width=1 + x.get("weight", 1),
                     arrows="to, from" if x.get("bidirectional") else "to")
    page = net.generate_html()
    page = re.sub(r'<link[^>]+href="https?://[^"]+"[^>]*>', "", page)
    page = re.sub(r'<script[^>]+src="https?://[^"]+"[^>]*>\s*</script>', "", page)
    return page
