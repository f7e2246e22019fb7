"""01_stakeholders: the stakeholder map, live. Add and edit actors and links quickly, set influence
towers and interest, accept or reject what participants suggest, see the map, the flags and the
power-interest grid redraw within a second; import, export, snapshots and their comparison."""

from __future__ import annotations

import base64

import ipywidgets as w

from kit import network as nw
from kit import workshop as wsmod
from kit.errors import KitError
from kit.i18n import label, t
from kit.numbers import number
from kit.render import element, render
from kit.render.map import grid_svg, map_svg
from kit.store import Store
from kit.ui.common import KitApp, Poller, desk_only, theme
from kit.ui.start import join_panel_html

NOT_ASKED = -1  # the interest dropdown's "not asked" (the grid leaves the actor unclassified)


def data_uri(content: bytes | str, mime: str) -> str:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return f"data:{mime};base64," + base64.b64encode(raw).decode("ascii")


class MapView:
    """Everything the map views show, computed once per change of the map (pure data for tests)."""

    def __init__(self, store: Store, ws: dict, lang: str):
        self.ws, self.lang = ws, lang
        self.tpl = wsmod.template(ws["template"])
        self.actors, self.links = store.map_data(ws["id"])
        self.by_id = {a["id"]: a for a in self.actors}
        self.types = nw.link_types(self.tpl)
        self.analysis = nw.analyse(self.actors, self.links, self.tpl.get("required_sectors", []), types=self.types)

    def sector(self, sid) -> str:
        return wsmod.sector_label(self.ws["template"], sid, self.lang)

    def link_type(self, tid) -> str:
        custom = {x["id"]: x for x in self.tpl.get("link_types") or []}
        return label(custom[tid].get("label"), self.lang) if tid in custom else t("link." + tid, self.lang)

    def quadrant(self, q) -> str:
        return t("quadrant." + q, self.lang)

    def flags(self) -> list[str]:
        return [nw.flag_sentence(f, self.by_id, self.sector, self.lang) for f in self.analysis.flags]

    def svg(self) -> str:
        return map_svg(self.actors, self.links, self.tpl["sectors"], self.types, self.sector, self.link_type,
                          t("map.title", self.lang, title=wsmod.title(self.ws, self.lang)))

    def grid(self) -> str:
        return grid_svg(self.actors, self.analysis.quadrants, self.quadrant, t("quadrant.title", self.lang), self.lang)

    def interactive(self) -> str:
        return nw.interactive_map(self.actors, self.links, self.tpl["sectors"], self.types, self.sector,
                                  self.link_type)

    def table_html(self) -> str:
        """The map as a table: the text alternative beside the picture (WCAG 1.1.1)."""
        L, a = self.lang, self.analysis
        rows = []
        for x in sorted(self.actors, key=lambda x: -(x.get("influence") or 0)):
            m = a.measures.get(x["id"], {})
            rows.append({
                "id": x["id"], "name": x["name"], "sector": self.sector(x["sector"]),
                "influence": "" if x.get("influence") is None else x["influence"],
                "interest": "" if x.get("interest") is None else x["interest"],
                "quadrant": self.quadrant(a.quadrants[x["id"]]),
                "links": sum(1 for y in self.links if x["id"] in (y["source"], y["target"])),
                "betweenness": number(m["betweenness"], L, 2) if m else "–",
                "constraint": number(m["constraint"], L, 2) if m.get("constraint") is not None else t("map.na", L)})
        return render("map/table.html", L, rows=rows)


def suggestion_rows(store: Store, view: MapView, decide) -> list[w.HBox]:
    """Participants' suggested actors and links, each with Accept and Reject: `decide(kind, id, accept)`
    (page 01, and the Run view while the room is at the map)."""
    L = view.lang
    everyone = {a["id"]: a for a in store.actors(view.ws["id"], None)}

    def row(kind: str, item: dict, text: str) -> w.HBox:
        html = w.HTML(element("tagged", "div", [("kind", kind), ("id", item["id"])], text, cls="kit-suggestion"),
                      layout=w.Layout(flex="1 1 auto"))
        yes = w.Button(description=t("ui.accept", L), button_style="success")
        yes.add_class("kit-accept")
        yes.on_click(lambda _: decide(kind, item["id"], True))
        no = w.Button(description=t("ui.reject", L))
        no.add_class("kit-reject")
        no.on_click(lambda _: decide(kind, item["id"], False))
        box = w.HBox([html, yes, no], layout=w.Layout(align_items="center"))
        box.add_class("kit-suggestion-row")
        return box

    rows = [row("actor", a, t("ui.suggested_actor", L, name=a["name"], sector=view.sector(a["sector"])))
            for a in everyone.values() if a["status"] == "suggested"]
    for x in store.links(view.ws["id"], "suggested"):
        rows.append(row("link", x, t("ui.suggested_link", L, source=everyone[x["source_id"]]["name"],
                                     target=everyone[x["target_id"]]["name"], type=view.link_type(x["type"]))))
    return rows


class StakeholderApp(KitApp):
    """The facilitator's map page. Every action is a method; buttons only call them."""

    def __init__(self, store: Store | None = None, code: str | None = None, lang: str | None = None,
                 poll: bool = True):
        super().__init__(store, code, lang)
        L = self.lang
        sty = {"description_width": "initial"}
        tpl = wsmod.template(self.ws["template"])
        self.view: MapView | None = None
        self._map_sig = None

        self.join = w.HTML()
        self.join.add_class("kit-join-box")  # stays on screen in projector mode
        self.message = w.HTML()
        self.open_box = w.Checkbox(description=t("ui.map_open", L), indent=False, layout=w.Layout(width="auto"))
        self.open_box.add_class("kit-map-open")
        self.open_box.observe(lambda ch: not self._drawing and self._guard(self.set_open, ch["new"]), names="value")

        # one actor card: add a new one, or edit the one picked
        sectors = [(wsmod.sector_label(self.ws["template"], s, L), s) for s in tpl["sectors"]]
        self.pick = w.Dropdown(description=t("ui.actor_pick", L), style=sty, layout=w.Layout(width="100%"))
        self.pick.add_class("kit-actor-pick")
        self.pick.observe(lambda ch: not self._drawing and self._load_actor(), names="value")
        self.name = w.Text(description=t("ui.actor_name", L), style=sty, layout=w.Layout(width="100%"))
        self.name.add_class("kit-actor-name")
        self.sector = w.Dropdown(options=sectors, description=t("map.sector", L), style=sty)
        self.sector.add_class("kit-actor-sector")
        self.organisation = w.Text(description=t("ui.organisation", L), style=sty)
        self.is_person = w.Checkbox(description=t("ui.is_person", L), indent=False, layout=w.Layout(width="auto"))
        # a labelled choice of 0-10, like interest (a slider's handle has no accessible name in ipywidgets)
        self.influence = w.Dropdown(options=list(range(nw.MAX_TOWER + 1)), value=0, description=t("ui.influence", L),
                                    style=sty)
        self.influence.add_class("kit-influence")
        self.interest = w.Dropdown(options=[(t("ui.not_asked", L), NOT_ASKED)] + [(str(i), i) for i in range(nw.MAX_TOWER + 1)],
                                   value=NOT_ASKED, description=t("ui.interest", L), style=sty)
        self.interest.add_class("kit-interest")
        self.goals = w.Text(description=t("ui.goals", L), style=sty, placeholder=t("ui.goals_hint", L))
        self.notes = w.Textarea(description=t("ui.notes", L), style=sty, layout=w.Layout(width="100%"))
        self.add_btn = w.Button(description=t("ui.actor_add", L), button_style="primary")
        self.add_btn.add_class("kit-actor-add")
        self.add_btn.on_click(lambda _: self._guard(self.add_actor_from_form))
        self.save_btn = w.Button(description=t("ui.actor_save", L))
        self.save_btn.add_class("kit-actor-save")
        self.save_btn.on_click(lambda _: self._guard(self.save_actor_from_form))
        self.remove_btn = w.Button(description=t("ui.actor_remove", L), button_style="danger")
        self.remove_btn.on_click(lambda _: self._guard(self.remove_actor, self.pick.value))
        self.merge_into = w.Dropdown(description=t("ui.actor_merge_into", L), style=sty)
        self.merge_btn = w.Button(description=t("ui.merge", L))
        self.merge_btn.on_click(lambda _: self._guard(self.merge_actor, self.merge_into.value, self.pick.value))

        # links
        self.source = w.Dropdown(description=t("map.source", L), style=sty)
        self.source.add_class("kit-link-source")
        self.target = w.Dropdown(description=t("map.target", L), style=sty)
        self.target.add_class("kit-link-target")
        self.link_type = w.Dropdown(options=[(self._type_label(x["id"], tpl), x["id"]) for x in nw.link_types(tpl)],
                                    description=t("map.link_type", L), style=sty)
        self.link_type.add_class("kit-link-type")
        self.mutual = w.Checkbox(description=t("ui.mutual", L), indent=False, layout=w.Layout(width="auto"))
        self.link_btn = w.Button(description=t("ui.link_add", L), button_style="primary")
        self.link_btn.add_class("kit-link-add")
        self.link_btn.on_click(lambda _: self._guard(self.add_link, self.source.value, self.target.value,
                                                     self.link_type.value, self.mutual.value))
        self.link_pick = w.Dropdown(description=t("ui.link_pick", L), style=sty, layout=w.Layout(width="100%"))
        self.link_remove_btn = w.Button(description=t("ui.link_remove", L), button_style="danger")
        self.link_remove_btn.on_click(lambda _: self._guard(self.remove_link, self.link_pick.value))

        self.suggestions = w.VBox()
        self.suggestions.add_class("kit-suggestions")
        self.map = w.HTML()
        self.map.add_class("kit-map")
        self.flags = w.HTML()
        self.flags.add_class("kit-flags")
        self.table = w.HTML()
        self.grid = w.HTML()

        # files and snapshots
        self.downloads = w.HTML()
        self.upload = w.FileUpload(accept=".csv,.xlsx,.graphml", multiple=True, description=t("ui.map_import", L),
                                   layout=w.Layout(width="auto"))
        self.upload.add_class("kit-map-upload")
        self.upload.observe(lambda ch: ch["new"] and self._guard(self.import_upload), names="value")
        self.snap_label = w.Text(description=t("ui.snapshot_label", L), style=sty)
        self.snap_btn = w.Button(description=t("ui.snapshot_take", L))
        self.snap_btn.add_class("kit-snapshot")
        self.snap_btn.on_click(lambda _: self._guard(self.take_snapshot, self.snap_label.value))
        self.cmp_a = w.Dropdown(description=t("ui.compare_from", L), style=sty)
        self.cmp_b = w.Dropdown(description=t("ui.compare_to", L), style=sty)
        self.cmp_btn = w.Button(description=t("ui.compare", L))
        self.cmp_btn.on_click(lambda _: self._guard(self.show_comparison, self.cmp_a.value, self.cmp_b.value))
        self.comparison = w.HTML()

        edit = w.VBox([
            self.pick, self.name, w.HBox([self.sector, self.organisation, self.is_person], layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.influence, self.interest], layout=w.Layout(flex_flow="row wrap")), self.goals, self.notes,
            w.HBox([self.add_btn, self.save_btn, self.remove_btn], layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.merge_into, self.merge_btn], layout=w.Layout(flex_flow="row wrap")),
            w.HTML(element("heading", 3, t('ui.links', L))),
            w.HBox([self.source, self.target, self.link_type, self.mutual, self.link_btn], layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.link_pick, self.link_remove_btn], layout=w.Layout(flex_flow="row wrap")),
        ])
        files = w.VBox([self.downloads, self.upload, w.HTML(element("note", t('ui.map_import_help', L))),
                        w.HBox([self.snap_label, self.snap_btn], layout=w.Layout(flex_flow="row wrap")),
                        w.HBox([self.cmp_a, self.cmp_b, self.cmp_btn], layout=w.Layout(flex_flow="row wrap")),
                        self.comparison])
        self.tools = w.Accordion(children=[files])
        self.tools.set_title(0, t("ui.map_files", L))
        self.tools.selected_index = None
        # projector mode: the map itself, right under the join panel and as large as the screen allows,
        # numbered with its key (readable from the back of the room, in the screen's theme)
        self.big_map = w.HTML()
        self.big_map.add_class("kit-projector-only")
        self.big_map.add_class("kit-big-map")
        self.children = [
            theme(), self.screen, self.join, self.big_map, self.message, self.open_box,
            w.HTML(element("heading", 2, t('ui.suggestions', L))), self.suggestions,
            desk_only(w.HTML(element("heading", 2, t('ui.actor_card', L)))), desk_only(edit),
            desk_only(w.HTML(element("heading", 2, t('ui.map', L)))), desk_only(self.map), self.table,
            w.HTML(element("heading", 2, t('ui.flags', L))), self.flags,
            w.HTML(element("heading", 2, t('quadrant.title', L))), self.grid,
            self.tools,
        ]
        self.refresh()
        self.poller = Poller(self.store, self.ws["id"], self.refresh).start() if poll else None

    def _type_label(self, tid, tpl) -> str:
        custom = {x["id"]: x for x in tpl.get("link_types") or []}
        return label(custom[tid].get("label"), self.lang) if tid in custom else t("link." + tid, self.lang)

    # -- actions ----------------------------------------------------------------------------
    def set_open(self, on: bool) -> None:
        self.store.set_setting(self.ws["id"], "map_open", True if on else None)

    def _form(self) -> dict:
        return {"name": self.name.value, "sector": self.sector.value, "organisation": self.organisation.value,
                "is_person": self.is_person.value, "notes": self.notes.value, "influence": self.influence.value,
                "interest": None if self.interest.value == NOT_ASKED else self.interest.value,
                "goals": [g.strip() for g in self.goals.value.split(",") if g.strip()]}

    def add_actor(self, **fields) -> dict:
        same = [a for a in self.store.actors(self.ws["id"]) if a["name"].casefold() == (fields.get("name") or "").strip().casefold()]
        a = self.store.add_actor(self.ws["id"], **fields)
        msg = t("ui.actor_added_duplicate" if same else "ui.actor_added", self.lang, name=a["name"])
        self._ok(msg)
        return a

    def add_actor_from_form(self) -> dict:
        a = self.add_actor(**self._form())
        self.name.value = ""
        return a

    def save_actor_from_form(self) -> dict:
        if self.pick.value is None:
            raise KitError("unknown_actor", status=404, actor="–")
        a = self.store.update_actor(self.pick.value, **self._form())
        self._ok(t("ui.saved", self.lang))
        return a

    def remove_actor(self, actor_id) -> None:
        if actor_id is None:
            raise KitError("unknown_actor", status=404, actor="–")
        self.store.remove_actor(actor_id)
        self._ok(t("ui.actor_removed", self.lang))

    def merge_actor(self, keep_id, other_id) -> None:
        if keep_id is None or other_id is None:
            raise KitError("merge_needs_two")
        self.store.merge_actors(keep_id, other_id)
        self._ok(t("ui.merged", self.lang, n=2))

    def add_link(self, source, target, link_type, mutual=False) -> dict:
        if source is None or target is None:
            raise KitError("self_link_store")
        x = self.store.add_link(self.ws["id"], source, target, link_type, bidirectional=bool(mutual))
        self._ok(t("ui.link_added", self.lang))
        return x

    def remove_link(self, link_id) -> None:
        if link_id is None:
            raise KitError("unknown_link", status=404, link="–")
        self.store.remove_link(link_id)
        self._ok(t("ui.saved", self.lang))

    def decide(self, kind: str, item_id: int, accept: bool) -> None:
        self.store.decide_suggestion(kind, item_id, accept)
        self._ok(t("ui.suggestion_accepted" if accept else "ui.suggestion_rejected", self.lang))

    def take_snapshot(self, label_text: str = "") -> dict:
        snap = self.store.take_snapshot(self.ws["id"], label_text)
        self.snap_label.value = ""
        self._ok(t("ui.snapshot_taken", self.lang, label=snap["label"]))
        return snap

    def comparison_data(self, a_id, b_id) -> dict:
        def snap(sid):
            if sid == "now":
                return nw.snapshot(*self.store.map_data(self.ws["id"]))
            for s in self.store.snapshots(self.ws["id"]):
                if s["id"] == sid:
                    return s["data"]
            raise KitError("unknown_snapshot", status=404)

        before, after = snap(a_id), snap(b_id)
        return {"diff": nw.compare(before, after), "names": {a["id"]: a["name"] for a in before["actors"] + after["actors"]},
                "sectors": {a["id"]: a["sector"] for a in after["actors"]}}

    def show_comparison(self, a_id, b_id) -> dict:
        c = self.comparison_data(a_id, b_id)
        d, names, L = c["diff"], c["names"], self.lang
        tl = self.view.link_type if self.view else str

        sec = self.view.sector if self.view else str
        self.comparison.value = render(
            "map/compare.html", L, cross=len(d["new_cross_sector_links"]),
            new_links=[(names.get(a, a), names.get(b, b), tl(ty)) for a, b, ty in d["new_links"]],
            not_isolated=[names.get(v, str(v)) for v in d["no_longer_isolated"]],
            sectors=[sec(x) for x in d["sectors_filled"]])
        return c

    def import_files(self, files: dict) -> dict:
        """{file name: bytes}: actors/links CSV (names say which), a Kumu .xlsx, or a .graphml."""
        tpl = wsmod.template(self.ws["template"])
        types = [x["id"] for x in nw.link_types(tpl)]
        names = list(files)
        if any(n.lower().endswith(".xlsx") for n in names):
            name = next(n for n in names if n.lower().endswith(".xlsx"))
            rows = nw.kumu_rows(files[name])
            tables = (f"{name}: Elements", f"{name}: Connections")
        elif any(n.lower().endswith(".graphml") for n in names):
            name = next(n for n in names if n.lower().endswith(".graphml"))
            rows = nw.graphml_rows(_text(files[name]))
            tables = (f"{name}: nodes", f"{name}: edges")
        else:
            actor_file = next((n for n in names if "link" not in n.lower()), None)
            link_file = next((n for n in names if "link" in n.lower()), None)
            if actor_file is None:
                raise KitError("import_empty", table="actors.csv")
            rows = (nw.csv_rows(_text(files[actor_file]), actor_file),
                    nw.csv_rows(_text(files[link_file]), link_file) if link_file else [])
            tables = (actor_file, link_file or "links.csv")
        actors, links = nw.read_rows(rows[0], rows[1], tpl["sectors"], types, tables)
        out = self.store.import_network(self.ws["id"], actors, links)
        self._ok(t("ui.map_imported", self.lang, actors=out["actors"], links=out["links"]))
        return out

    def import_upload(self) -> None:
        try:
            self.import_files({f["name"]: bytes(f["content"]) for f in self.upload.value})
        finally:
            self.upload.value = ()

    # -- drawing ----------------------------------------------------------------------------
    def _load_actor(self) -> None:
        a = next((x for x in self.store.actors(self.ws["id"]) if x["id"] == self.pick.value), None)
        if a is None:
            return
        self.name.value = a["name"]
        self.sector.value = a["sector"] if a["sector"] in [v for _, v in self.sector.options] else self.sector.value
        self.organisation.value = a["organisation"] or ""
        self.is_person.value = bool(a["is_person"])
        self.influence.value = a["influence"] or 0
        self.interest.value = NOT_ASKED if a["interest"] is None else a["interest"]
        self.goals.value = ", ".join(a["goals"] or [])
        self.notes.value = a["notes"] or ""
        self.merge_into.options = [(x["name"], x["id"]) for x in self.store.actors(self.ws["id"]) if x["id"] != a["id"]]

    def _draw(self) -> None:
        L = self.lang
        self.ws = self.store.workshop(self.ws["id"])
        self.join.value = (element("heading", 1, f"{t('ui.map', L)}: {wsmod.title(self.ws, L)}")
                           + join_panel_html(self.ws["code"], L, scale=4, small=True))
        self.open_box.value = bool((self.ws["settings"] or {}).get("map_open"))
        view = self.view = MapView(self.store, self.ws, L)
        rows = suggestion_rows(self.store, view, lambda *a: self._guard(self.decide, *a))
        self.suggestions.children = rows or [w.HTML(element("note", t('ui.no_suggestions', L)))]
        options = [(a["name"], a["id"]) for a in view.actors]
        keep = self.pick.value
        self.pick.options = [(t("ui.actor_new", L), None)] + options
        self.pick.value = keep if keep in [v for _, v in options] else None
        for dd in (self.source, self.target):
            k = dd.value
            dd.options = options
            dd.value = k if k in [v for _, v in options] else None
        self.link_pick.options = [(self._link_text(view, x), x["id"]) for x in view.links]
        sig = (tuple(sorted((a["id"], a["name"], a["sector"], a["influence"]) for a in view.actors)),
               tuple(sorted((x["source"], x["target"], x["type"], x["bidirectional"], x["weight"]) for x in view.links)))
        if sig != self._map_sig:  # the interactive map is big: redraw it only when the map changed
            self._map_sig = sig
            if view.actors:
                page = view.interactive()
                self.map.value = element("frame", page, t("ui.map", L), "kit-map-frame",
                                         "width:100%;height:620px;border:1px solid #6b6b6b")
            else:
                self.map.value = element("note", t('ui.map_empty', L))
            self.downloads.value = self._downloads(view)
            self.big_map.value = view.svg() if view.actors else ""
        self.table.value = view.table_html() if view.actors else ""
        if view.analysis.too_small:
            flags = [t("map.too_small", L)] + [s for f, s in zip(view.analysis.flags, view.flags())
                                              if f.kind in ("missing_sector", "isolated")]
        else:
            flags = view.flags()
        self.flags.value = element("items", flags, cls="kit-flag-list") if flags \
            else element("note", t('ui.no_flags', L))
        self.grid.value = view.grid() if view.actors else ""
        snaps = [(f"{s['label']} ({s['taken_at'][:16].replace('T', ' ')})", s["id"]) for s in self.store.snapshots(self.ws["id"])]
        now = [(t("ui.snapshot_now", L), "now")]
        for dd, default in ((self.cmp_a, snaps[0][1] if snaps else "now"), (self.cmp_b, "now")):
            k = dd.value
            dd.options = snaps + now
            dd.value = k if k in [v for _, v in dd.options] else default

    @staticmethod
    def _link_text(view: MapView, x: dict) -> str:
        times = f", ×{x['weight']}" if x["weight"] > 1 else ""
        return (f"{view.by_id[x['source']]['name']} → {view.by_id[x['target']]['name']} "
                f"({view.link_type(x['type'])}{times})")

    def _downloads(self, view: MapView) -> str:
        L = self.lang
        code = self.ws["code"]
        actors_csv, links_csv = nw.to_csv(view.actors, view.links)
        items = [
            (f"{code}-actors.csv", data_uri(actors_csv, "text/csv"), "ui.dl_actors_csv"),
            (f"{code}-links.csv", data_uri(links_csv, "text/csv"), "ui.dl_links_csv"),
            (f"{code}-kumu.xlsx", data_uri(nw.to_kumu(view.actors, view.links),
                                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), "ui.dl_kumu"),
            (f"{code}.graphml", data_uri(nw.to_graphml(view.actors, view.links), "application/xml"), "ui.dl_graphml"),
            (f"{code}-map.svg", data_uri(view.svg(), "image/svg+xml"), "ui.dl_svg"),
        ]
        return element("downloads", [(name, href, t(key, L)) for name, href, key in items])


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")  # Excel's CSV on Windows
