"""06_service_tray: build the area's service tray with its organisers, see coverage by step level
and target group, the gaps and the organisers who know only their own slice, turn a gap into an
idea for stage 2 in one click, accept what participants suggest, and see who is interested."""

from __future__ import annotations

import ipywidgets as w

from kit import tray
from kit import workshop as wsmod
from kit.errors import KitError
from kit.i18n import label, t
from kit.render import element, render
from kit.store import Store
from kit.tables import read_table
from kit.ui.common import KitApp, Poller, theme
from kit.ui.stakeholders import data_uri
from kit.ui.start import join_panel_html

NO_COLUMN = ""


class TrayView:
    """Everything the tray views show, computed once per change (pure data for tests)."""

    def __init__(self, store: Store, ws: dict, lang: str):
        self.ws, self.lang = ws, lang
        tpl = wsmod.template(ws["template"])
        self.levels, self.groups = tray.levels(tpl), tray.groups(tpl)
        self.wanted = tray.languages_wanted(tpl)
        self.activities = store.activities(ws["id"])
        self.suggested = store.activities(ws["id"], status="suggested")
        self.counts = store.interest_counts(ws["id"])
        self.feedback = store.tray_feedback(ws["id"])  # from the public page, small counts held back
        self.made = dict((ws["settings"] or {}).get("tray_gap_ideas") or {})
        self.coverage = tray.coverage(self.activities, self.levels, self.groups)
        self.gaps = tray.gaps(self.activities, self.levels, self.groups, self.wanted)
        self.narrow = tray.narrow_organisers(self.activities)
        self.duplicates = tray.duplicates(self.activities)

    def level(self, lid) -> str:
        return tray.level_label(self.levels, lid, self.lang)

    def gap_text(self, gap: dict) -> str:
        return tray.gap_text(gap, self.levels, self.groups, self.lang)

    def coverage_html(self) -> str:
        """Levels by target group: the count in each cell, and the word "gap" (not colour alone)."""
        L = self.lang
        rows = [{"id": lv["id"], "label": label(lv["label"], L),
                 "counts": [self.coverage[lv["id"]][g["id"]] for g in self.groups]} for lv in self.levels]
        return render("tray/coverage.html", L, groups=[label(g["label"], L) for g in self.groups], rows=rows)

    def table_html(self) -> str:
        L = self.lang
        dup = {i for ids in self.duplicates for i in ids}
        rows = []
        for a in self.activities:
            c = self.counts.get(a["id"], {"interested": 0, "organise": 0})
            when = ", ".join(tray.day_label(d, L) for d in a["days"])
            rows.append({"id": a["id"], "name": a["name"], "duplicate": a["id"] in dup, "organiser": a["organiser"] or "",
                         "level": self.level(a["step_level"]), "place": a["place"] or "",
                         "when": " – ".join(x for x in (when, a["schedule"] or "") if x),
                         "cost": t("tray.free", L) if tray.is_free(a) else (f"{a['cost']} €" if a["cost"] else ""),
                         "languages": ", ".join(tray.language_label(x, L) for x in a["languages"]),
                         "interested": c["interested"], "organise": c["organise"],
                         "feedback": tray.feedback_text(self.feedback.get(a["id"]), L)})
        return render("tray/table.html", L, rows=rows)


class TrayApp(KitApp):
    def __init__(self, store: Store | None = None, code: str | None = None, lang: str | None = None,
                 poll: bool = True):
        super().__init__(store, code, lang)
        L, sty = self.lang, {"description_width": "initial"}
        tpl = wsmod.template(self.ws["template"])
        self.levels, self.groups = tray.levels(tpl), tray.groups(tpl)
        self.join = w.HTML()
        self.join.add_class("kit-join-box")  # stays on screen in projector mode
        self.message = w.HTML()
        self.open_box = w.Checkbox(description=t("tray.ui_open", L), indent=False, layout=w.Layout(width="auto"))
        self.open_box.add_class("kit-tray-open")
        self.open_box.observe(lambda ch: not self._drawing and self._guard(self.set_open, ch["new"]), names="value")
        # the tray as a public page for outreach: the same address in every meeting, with its QR code
        self.public_box = w.Checkbox(description=t("tray.ui_publish", L), indent=False, layout=w.Layout(width="auto"))
        self.public_box.add_class("kit-tray-publish")
        self.public_box.observe(lambda ch: not self._drawing and self._guard(self.publish, ch["new"]), names="value")
        self.public_link = w.HTML()

        # the activity form: add, or edit the one picked
        self.pick = w.Dropdown(description=t("tray.ui_pick", L), style=sty, layout=w.Layout(width="100%"))
        self.pick.observe(lambda ch: not self._drawing and self._load(), names="value")
        self.f = {
            "name": w.Text(description=t("tray.field_name", L), style=sty, layout=w.Layout(width="100%")),
            "organiser": w.Text(description=t("tray.field_organiser", L), style=sty),
            "place": w.Text(description=t("tray.field_place", L), style=sty),
            "accessibility": w.Text(description=t("tray.field_accessibility", L), style=sty),
            "schedule": w.Text(description=t("tray.field_schedule", L), style=sty, placeholder="10–12"),
            "cost": w.Text(description=t("tray.field_cost", L), style=sty, placeholder="0"),
            "contact": w.Text(description=t("tray.field_contact", L), style=sty),
            "description": w.Textarea(description=t("tray.field_description", L), style=sty, layout=w.Layout(width="100%")),
        }
        self.f["name"].add_class("kit-tray-name")
        self.organiser_actor = w.Dropdown(description=t("tray.ui_organiser_actor", L), style=sty)
        self.level = w.Dropdown(options=[(f"{x['id']}. {label(x['label'], L)}", x["id"]) for x in self.levels],
                                description=t("tray.field_step_level", L), style=sty)
        self.level.add_class("kit-tray-level")
        self.days = w.SelectMultiple(options=[(tray.day_label(d, L), d) for d in tray.DAYS],
                                     description=t("tray.field_days", L), style=sty, rows=7)
        self.target = w.SelectMultiple(options=[(label(g["label"], L), g["id"]) for g in self.groups],
                                       description=t("tray.field_target_groups", L), style=sty, rows=5)
        self.langs = w.Text(description=t("tray.field_languages", L), style=sty, placeholder="fi, sv")
        self.add_btn = w.Button(description=t("tray.ui_add", L), button_style="primary")
        self.add_btn.add_class("kit-tray-add")
        self.add_btn.on_click(lambda _: self._guard(self.add_from_form))
        self.save_btn = w.Button(description=t("ui.actor_save", L))
        self.save_btn.on_click(lambda _: self._guard(self.save_from_form))
        self.remove_btn = w.Button(description=t("tray.ui_remove", L), button_style="danger")
        self.remove_btn.on_click(lambda _: self._guard(self.remove, self.pick.value))

        # import with a mapping step
        self.upload = w.FileUpload(accept=".csv,.xlsx", multiple=False, description=t("tray.ui_import", L))
        self.upload.observe(lambda ch: self._guard(self.read_upload), names="value")
        self.mapping_box = w.VBox()
        self.import_btn = w.Button(description=t("tray.ui_import_go", L), button_style="primary",
                                   layout=w.Layout(display="none"))
        self.import_btn.add_class("kit-tray-import")
        self.import_btn.on_click(lambda _: self._guard(self.import_mapped))
        self._rows: list[dict] = []
        self._columns: list[str] = []
        self.map_dd: dict[str, w.Dropdown] = {}

        self.suggestions = w.VBox()
        self.suggestions.add_class("kit-tray-suggestions")
        self.table = w.HTML()
        self.table.add_class("kit-tray")
        self.coverage = w.HTML()
        self.gaps_box = w.VBox()
        self.gaps_box.add_class("kit-tray-gaps")
        self.narrow = w.HTML()
        self.catalogue = w.HTML()
        self._catalogue_sig = None
        row = {"flex_flow": "row wrap"}
        form = w.VBox([
            self.pick, self.f["name"],
            w.HBox([self.f["organiser"], self.organiser_actor, self.level], layout=w.Layout(**row)),
            w.HBox([self.f["place"], self.f["accessibility"], self.f["schedule"]], layout=w.Layout(**row)),
            w.HBox([self.days, self.target], layout=w.Layout(**row)),
            w.HBox([self.f["cost"], self.langs, self.f["contact"]], layout=w.Layout(**row)),
            self.f["description"],
            w.HBox([self.add_btn, self.save_btn, self.remove_btn], layout=w.Layout(**row)),
        ])
        imp = w.VBox([w.HTML(element("note", t("tray.ui_import_help", L))), self.upload,
                      self.mapping_box, self.import_btn])
        self.tools = w.Accordion(children=[form, imp])
        self.tools.set_title(0, t("tray.ui_form", L))
        self.tools.set_title(1, t("tray.ui_import", L))
        self.tools.selected_index = 0
        self.children = [
            theme(), self.screen, self.join, self.message, self.open_box, self.public_box, self.public_link, self.tools,
            w.HTML(element("heading", 2, t("tray.ui_suggestions", L))), self.suggestions,
            w.HTML(element("heading", 2, t("tray.heading", L))), self.table, self.catalogue,
            w.HTML(element("heading", 2, t("tray.coverage", L))), self.coverage,
            w.HTML(element("heading", 2, t("tray.gaps", L))), self.gaps_box, self.narrow,
        ]
        self.refresh()
        self.poller = Poller(self.store, self.ws["id"], self.refresh).start() if poll else None

    # -- actions ------------------------------------------------------------------------------
    def set_open(self, on: bool) -> None:
        self.store.set_setting(self.ws["id"], "tray_open", True if on else None)

    def publish(self, on: bool) -> None:
        self.store.publish_tray(self.ws["id"], on)
        self.refresh()

    def public_url(self) -> str:
        from kit.ui.common import participant_url

        nid = self.store.network_of(self.ws["id"])["id"]
        return participant_url(self.ws["code"]).replace(f"/kit/join/{self.ws['code']}", f"/kit/public/tray/{nid}")

    def _form_data(self) -> dict:
        data = {k: box.value for k, box in self.f.items()}
        data.update(step_level=self.level.value, days=list(self.days.value), target_groups=list(self.target.value),
                    languages=self.langs.value)
        return data

    def add(self, data: dict, organiser_id: int | None = None) -> dict:
        a = self.store.add_activity(self.ws["id"], data, organiser_id)
        self._ok(t("tray.ui_added", self.lang, name=a["name"]))
        return a

    def add_from_form(self) -> dict:
        a = self.add(self._form_data(), self.organiser_actor.value)
        for box in self.f.values():
            box.value = ""
        return a

    def save_from_form(self) -> dict:
        if self.pick.value is None:
            raise KitError("unknown_activity", status=404, activity="–")
        a = self.store.update_activity(self.pick.value, self._form_data(), self.organiser_actor.value)
        self._ok(t("ui.saved", self.lang))
        return a

    def remove(self, activity_id) -> None:
        if activity_id is None:
            raise KitError("unknown_activity", status=404, activity="–")
        self.store.set_activity_status(activity_id, "removed")
        self._ok(t("tray.ui_removed", self.lang))

    def decide(self, activity_id: int, accept: bool) -> None:
        self.store.set_activity_status(activity_id, "active" if accept else "declined")
        self._ok(t("ui.saved", self.lang))

    def make_idea(self, gap: dict) -> dict:
        text, tags = tray.gap_idea(gap, self.levels, self.groups, self.lang)
        idea = self.store.gap_to_idea(self.ws["id"], gap["key"], text, tags)
        self._ok(t("tray.ui_idea_made", self.lang, text=idea["text"]))
        return idea

    def read_file(self, content: bytes, filename: str) -> dict:
        """Read a CSV/XLSX and show the mapping step: one dropdown per field, guessed from the headings."""
        rows = read_table(content, filename)[1]
        if not rows:
            raise KitError("import_empty", table=filename[:80])
        self._rows, self._columns = rows, list(rows[0].keys())
        guess = tray.guess_mapping(self._columns)
        L = self.lang
        opts = [(t("tray.ui_no_column", L), NO_COLUMN)] + [(c, c) for c in self._columns]
        self.map_dd = {}
        for f in tray.FIELDS:
            dd = w.Dropdown(options=opts, value=guess[f] or NO_COLUMN, style={"description_width": "12rem"},
                            description=t(tray.FIELD_KEYS[f], L) + (" *" if f in tray.REQUIRED else ""))
            dd.add_class("kit-map-" + f)
            self.map_dd[f] = dd
        self.mapping_box.children = [w.HTML(element("p", t("tray.ui_mapping", L, n=len(rows), file=filename))),
                                     *self.map_dd.values()]
        self.import_btn.layout.display = None
        return guess

    def read_upload(self) -> None:
        if not self.upload.value:
            return
        f = self.upload.value[0]
        try:
            self.read_file(bytes(f["content"]), f["name"])
        finally:
            self.upload.value = ()

    def import_mapped(self, mapping: dict | None = None) -> tray.ImportResult:
        """Check every row with the mapping; import all or nothing; name each bad row."""
        mapping = mapping or {f: (dd.value or None) for f, dd in self.map_dd.items()}
        res = tray.import_rows(self._rows, mapping, self.levels, self.groups,
                               self.store.activities(self.ws["id"]), self.lang)
        L = self.lang
        if res.errors:
            lines = [t("tray.import_row_error", L, row=n, message=err.message(L)) for n, err in res.errors[:20]]
            more = [t("tray.import_more", L, n=len(res.errors) - 20)] if len(res.errors) > 20 else []
            self.message.value = element("box", "kit-msg", "alert", t("tray.import_refused", L), lines + more)
            return res
        self.store.import_activities(self.ws["id"], res.rows)
        self._rows, self.map_dd = [], {}
        self.mapping_box.children = []
        self.import_btn.layout.display = "none"
        dups = [t("tray.import_duplicate", L, row=n, name=name) for n, name in res.duplicates]
        self.refresh()
        self.message.value = element("box", "kit-ok", "status", t("tray.imported", L, n=len(res.rows)), dups)
        return res

    # -- drawing ------------------------------------------------------------------------------
    def _load(self) -> None:
        a = next((x for x in self.view.activities if x["id"] == self.pick.value), None)
        if a is None:
            return
        for k, box in self.f.items():
            box.value = a.get(k) or ""
        self.level.value = a["step_level"] if a["step_level"] in [x["id"] for x in self.levels] else self.levels[0]["id"]
        self.days.value = tuple(a["days"])
        self.target.value = tuple(g for g in a["target_groups"] if g in [x["id"] for x in self.groups])
        self.langs.value = ", ".join(a["languages"])
        actor_ids = [v for _, v in self.organiser_actor.options]
        self.organiser_actor.value = a["organiser_id"] if a["organiser_id"] in actor_ids else None

    def _draw(self) -> None:
        L = self.lang
        self.ws = self.store.workshop(self.ws["id"])
        self.join.value = (element("heading", 1, f"{t('tray.ui_title', L)}: {wsmod.title(self.ws, L)}")
                           + join_panel_html(self.ws["code"], L, scale=4, small=True))
        self.open_box.value = bool((self.ws["settings"] or {}).get("tray_open"))
        published = bool((self.store.network_of(self.ws["id"])["info"] or {}).get("tray_public"))
        self.public_box.value = published
        if published:
            from markupsafe import Markup

            from kit.qr import qr_svg

            url = self.public_url()
            self.public_link.value = render("tray/public_link.html", L, url=url, qr=Markup(qr_svg(url, scale=4)))
        else:
            self.public_link.value = element("note", t("tray.ui_publish_help", L))
        v = self.view = TrayView(self.store, self.ws, L)
        self.organiser_actor.options = [("–", None)] + [(a["name"], a["id"]) for a in self.store.actors(self.ws["id"])]
        keep = self.pick.value
        self.pick.options = [(t("tray.ui_new", L), None)] + [(a["name"][:80], a["id"]) for a in v.activities]
        self.pick.value = keep if keep in [a["id"] for a in v.activities] else None

        rows = []
        for a in v.suggested:
            text = w.HTML(element("suggestion", a["name"], v.level(a["step_level"]), a["place"], a["description"]))
            ok = w.Button(description=t("ui.accept", L), button_style="success")
            ok.add_class("kit-tray-accept")
            no = w.Button(description=t("ui.reject", L))
            ok.on_click(lambda _, i=a["id"]: self._guard(self.decide, i, True))
            no.on_click(lambda _, i=a["id"]: self._guard(self.decide, i, False))
            rows.append(w.HBox([text, ok, no], layout=w.Layout(flex_flow="row wrap", align_items="center")))
        self.suggestions.children = rows or [w.HTML(element("note", t("tray.ui_no_suggestions", L)))]

        self.table.value = v.table_html()
        self.coverage.value = v.coverage_html()
        sig = repr(v.activities)
        if sig != self._catalogue_sig:  # made again only when the tray changed, not on every vote
            self._catalogue_sig = sig
            if v.activities:
                from kit import report

                page = report.tray_catalogue_html(self.store, self.ws["id"], L)
                self.catalogue.value = element("p", element("download", f"tray_{self.ws['code']}.html",
                                                            data_uri(page, "text/html"), t("tray.ui_catalogue", L)))
            else:
                self.catalogue.value = ""
        gap_rows = []
        for gap in v.gaps:
            text = w.HTML(element("p", v.gap_text(gap)), layout=w.Layout(flex="1 1 20rem"))
            if gap["key"] in v.made:
                gap_rows.append(w.HBox([text, w.HTML(element("note", t("tray.ui_idea_exists", L)))],
                                       layout=w.Layout(flex_flow="row wrap")))
                continue
            btn = w.Button(description=t("tray.ui_make_idea", L), layout=w.Layout(width="auto"))
            btn.add_class("kit-gap-idea")
            btn.on_click(lambda _, g=gap: self._guard(self.make_idea, g))
            gap_rows.append(w.HBox([text, btn], layout=w.Layout(flex_flow="row wrap", align_items="center")))
        self.gaps_box.children = gap_rows or [w.HTML(element("p", t("tray.no_gaps", L)))]
        self.narrow.value = (element("heading", 3, t("tray.narrow_heading", L))
                             + element("items", [tray.narrow_text(n, self.levels, L) for n in v.narrow])) if v.narrow else ""
