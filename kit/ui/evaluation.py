"""04_evaluation: the logic model with its checks, indicators with their SMART letters, and feedback
forms that participants answer on their devices, counted live with small-group suppression."""

from __future__ import annotations

import ipywidgets as w

from kit import evaluation as ev
from kit import workshop as wsmod
from kit.errors import KitError
from kit.i18n import t
from kit.render import element
from kit.render.evaluation import (
    CHECK_KEYS,
    CRITERION_KEYS,
    LEVEL_KEYS,
    THL_KEYS,
    criteria,
    current_values,
    form_results_html,
    indicators_html,
    log_html,
    model_html,
    paper_form_html,
)
from kit.store import Store
from kit.ui.common import KitApp, Poller, theme
from kit.ui.stakeholders import data_uri
from kit.ui.start import join_panel_html
from kit.workshop import data_path

METHOD_KEYS = {m: f"method_ev.{m}" for m in ev.METHODS}
HOW_KEYS = {"mean": "survey.mean", "count": "survey.count", "share_yes": "survey.share_yes"}


def question_sets(lang: str) -> dict:
    return ev.question_sets(data_path("templates") / "evaluation" / "questions.yaml", lang)


class EvaluationApp(KitApp):
    """Every action is a method; buttons only call them."""

    def __init__(self, store: Store | None = None, code: str | None = None, lang: str | None = None,
                 poll: bool = True):
        super().__init__(store, code, lang)
        L, sty = self.lang, {"description_width": "initial"}
        row = {"flex_flow": "row wrap"}
        self.join = w.HTML()
        self.join.add_class("kit-join-box")  # stays on screen in projector mode
        self.message = w.HTML()
        # logic model
        self.node_level = w.Dropdown(options=[(t(LEVEL_KEYS[lv], L), lv) for lv in ev.LEVELS], description=t("ui.lm_level", L), style=sty)
        self.node_level.add_class("kit-lm-level")
        self.node_text = w.Text(description=t("ui.lm_text", L), style=sty, layout=w.Layout(width="60%"))
        self.node_text.add_class("kit-lm-text")
        self.node_thl = w.SelectMultiple(options=[(t(THL_KEYS[d], L), d) for d in ev.THL], description=t("ui.thl", L),
                                         style=sty, rows=3)
        self.node_btn = w.Button(description=t("ui.add", L), button_style="primary")
        self.node_btn.add_class("kit-lm-add")
        self.node_btn.on_click(lambda _: self._guard(self.add_node_from_form))
        self.edge_from = w.Dropdown(description=t("map.source", L), style=sty)
        self.edge_to = w.Dropdown(description=t("map.target", L), style=sty)
        self.edge_btn = w.Button(description=t("ui.lm_link", L))
        self.edge_btn.add_class("kit-lm-link")
        self.edge_btn.on_click(lambda _: self._guard(self.link, self.edge_from.value, self.edge_to.value))
        self.dimensions = w.SelectMultiple(options=[(t(THL_KEYS[d], L), d) for d in ev.THL],
                                           description=t("ui.lm_dimensions", L), style=sty, rows=3)
        self.dimensions.observe(lambda ch: not self._drawing and self._guard(self.set_dimensions, list(ch["new"])),
                                names="value")
        self.from_stages = w.Dropdown(description=t("ui.lm_from_stages", L), style=sty, layout=w.Layout(width="60%"))
        self.from_stages_btn = w.Button(description=t("ui.lm_add_activity", L))
        self.from_stages_btn.add_class("kit-lm-from-stages")
        self.from_stages_btn.on_click(lambda _: self._guard(self.add_activity_from, self.from_stages.value))
        self.model_html = w.HTML()
        self.model_html.add_class("kit-lm")
        self.checks = w.HTML()
        self.checks.add_class("kit-lm-checks")
        # indicators
        self.ind_name = w.Text(description=t("ui.ind_name", L), style=sty, layout=w.Layout(width="60%"))
        self.ind_node = w.Dropdown(description=t("ui.ind_node", L), style=sty)
        self.ind_kind = w.Dropdown(options=[(t("ind.quantitative", L), "quantitative"), (t("ind.qualitative", L), "qualitative")],
                                   description=t("ui.ind_kind", L), style=sty)
        self.ind_group = w.Text(description=t("ui.ind_group", L), style=sty)
        self.ind_unit = w.Text(description=t("ui.ind_unit", L), style=sty)
        self.ind_base = w.Text(description=t("ui.ind_baseline", L), style=sty)
        self.ind_target = w.Text(description=t("ui.ind_target", L), style=sty)
        self.ind_date = w.Text(description=t("ui.due", L), style=sty, placeholder="2027-06-30")
        self.ind_method = w.Dropdown(options=[(t(METHOD_KEYS[m], L), m) for m in ev.METHODS], description=t("ui.ind_method", L), style=sty)
        self.ind_owner = w.Dropdown(description=t("ui.ind_owner", L), style=sty)
        self.ind_source = w.Text(description=t("ui.ind_source", L), style=sty)
        self.ind_freq = w.Text(description=t("ui.ind_frequency", L), style=sty)
        self.ind_thl = w.SelectMultiple(options=[(t(THL_KEYS[d], L), d) for d in ev.THL], description=t("ui.thl", L),
                                        style=sty, rows=3)
        self.ind_real = w.Checkbox(description=t("ui.ind_realistic", L), indent=False, layout=w.Layout(width="auto"))
        self.ind_btn = w.Button(description=t("ui.add", L), button_style="primary")
        self.ind_btn.add_class("kit-ind-add")
        self.ind_btn.on_click(lambda _: self._guard(self.add_indicator_from_form))
        self.ind_html = w.HTML()
        self.ind_html.add_class("kit-indicators")
        # feedback forms
        self.form_title = w.Text(value=t("ui.form_default", L), description=t("ui.round_title", L), style=sty)
        self.form_sets = w.SelectMultiple(options=[(t(THL_KEYS[d], L), d) for d in ev.THL],
                                          description=t("ui.form_sets", L), style=sty, rows=3)
        self.form_custom = w.Textarea(description=t("ui.form_custom", L), style=sty, layout=w.Layout(width="100%"),
                                      placeholder=t("ui.form_custom_hint", L))
        self.packs, pack_problems = self.store.instrument_packs()
        self.form_pack = w.Dropdown(options=[(t("ui.no_instrument", L), "")] + [(p_["name"], k) for k, p_ in self.packs.items()],
                                    description=t("ui.instrument", L), style=sty)
        self.pack_note = w.HTML("".join(element("msg", x) for x in pack_problems)
                                or element("note", t('ui.instrument_help', L)))
        self.form_min = w.BoundedIntText(value=ev.MIN_ANSWERS, min=1, max=100, description=t("ui.min_group", L), style=sty)
        self.form_min.add_class("kit-form-min")
        self.form_pairing = w.Checkbox(value=False, description=t("ui.form_pairing", L), indent=False,
                                       layout=w.Layout(width="auto"))
        self.form_pairing.add_class("kit-form-pairing")
        # a form open for a period (days or weeks), as a vote can be
        self.form_opens = w.Text(description=t("ui.round_opens", L), style=sty, placeholder="2026-12-14 09:00")
        self.form_opens.add_class("kit-form-opens")
        self.form_closes = w.Text(description=t("ui.round_closes", L), style=sty, placeholder="2026-12-21 18:00")
        self.form_closes.add_class("kit-form-closes")
        self.form_btn = w.Button(description=t("ui.form_open", L), button_style="primary")
        self.form_btn.add_class("kit-form-open")
        self.form_btn.on_click(lambda _: self._guard(self.open_form_from_form))
        self.form_close_btn = w.Button(description=t("ui.form_close", L), button_style="warning")
        self.form_close_btn.add_class("kit-form-close")
        self.form_close_btn.on_click(lambda _: self._guard(self.close_form))
        # a form answered before, asked again as a follow-up: the report shows the change
        self.repeat_pick = w.Dropdown(description=t("ui.form_repeat_pick", L), style=sty)
        self.repeat_pick.add_class("kit-form-repeat-pick")
        self.repeat_btn = w.Button(description=t("ui.form_repeat", L))
        self.repeat_btn.add_class("kit-form-repeat")
        self.repeat_btn.on_click(lambda _: self._guard(self.repeat_form, self.repeat_pick.value))
        self.results = w.HTML()
        self.results.add_class("kit-form-results")
        self.moderation = w.VBox()
        self.moderation.add_class("kit-open-answers")
        # paper forms: print the open form, then type each filled-in sheet in (same numbering)
        self.paper_print = w.HTML()
        self.paper_fields = w.VBox()
        self.paper_group = w.Dropdown(description=t("join.group", L), style=sty, options=[
            (t("join.group_none", L), "")] + [(g["label"], g["id"]) for g in wsmod.groups(self.ws["template"], L)])
        self.paper_btn = w.Button(description=t("ui.paper_form_save", L), button_style="primary")
        self.paper_btn.add_class("kit-paper-form-save")
        self.paper_btn.on_click(lambda _: self._guard(self.enter_paper_form_from_fields))
        self.paper_widgets: dict = {}
        self._paper_form_id = None
        self.paper_tools = w.Accordion(children=[w.VBox([
            w.HTML(element("note", t('ui.paper_form_help', L))), self.paper_print,
            self.paper_fields, self.paper_group, self.paper_btn])])
        self.paper_tools.set_title(0, t("ui.paper_form", L))
        self.paper_tools.selected_index = None
        # the activity log and the promising-practice checklist
        self.log_date = w.Text(description=t("ui.log_date", L), style=sty, placeholder="2027-05-12")
        self.log_type = w.Text(description=t("ui.log_type", L), style=sty)
        self.log_counts = w.Text(description=t("ui.log_counts", L), style=sty, layout=w.Layout(width="60%"),
                                 placeholder=t("ui.log_counts_hint", L))
        self.log_hours = w.BoundedIntText(value=0, min=0, max=100000, description=t("ui.log_hours", L), style=sty)
        self.log_btn = w.Button(description=t("ui.add", L), button_style="primary")
        self.log_btn.add_class("kit-log-add")
        self.log_btn.on_click(lambda _: self._guard(self.log_from_form))
        self.log_html = w.HTML()
        self.log_html.add_class("kit-activity-log")
        self.survey = None
        self.survey_upload = w.FileUpload(accept=".csv,.xlsx", multiple=False, description=t("ui.survey_file", L),
                                          layout=w.Layout(width="auto"))
        self.survey_upload.observe(lambda ch: ch["new"] and self._guard(self.read_survey_upload), names="value")
        self.survey_column = w.Dropdown(description=t("ui.survey_column", L), style=sty)
        self.survey_indicator = w.Dropdown(description=t("ui.ind_name", L), style=sty)
        self.survey_how = w.Dropdown(options=[(t(v, L), k) for k, v in HOW_KEYS.items()], description=t("ui.survey_how", L), style=sty)
        self.survey_btn = w.Button(description=t("ui.survey_import", L), button_style="primary")
        self.survey_btn.add_class("kit-survey-import")
        self.survey_btn.on_click(lambda _: self._guard(self.import_survey, self.survey_indicator.value,
                                                       self.survey_column.value, self.survey_how.value))
        self.crit_rows: dict = {}
        crit_widgets = []
        try:
            self.criteria = criteria()
        except KitError as err:  # the rest of the page works; the message says what is wrong
            self.criteria = []
            crit_widgets.append(w.HTML(element("msg", err.message(L))))
        for c in self.criteria:
            name = (c["text"].get(L) or c["text"]["fi"])[:80]
            status = w.Dropdown(options=[(t(v, L), k) for k, v in CRITERION_KEYS.items()], description=name,
                                layout=w.Layout(width="auto"))
            status.add_class("kit-sr-label")  # named for screen readers; on screen the text beside it names it
            evidence = w.Text(placeholder=t("ui.evidence", L), description=f"{t('ui.evidence', L)}: {name}",
                              layout=w.Layout(width="40%"))
            evidence.add_class("kit-sr-label")
            self.crit_rows[c["id"]] = (status, evidence)
            crit_widgets.append(w.HBox([w.HTML(element("text", c["text"].get(L) or c["text"]["fi"]), layout=w.Layout(flex="1 1 auto")),
                                        status, evidence], layout=w.Layout(flex_flow="row wrap")))
        self.crit_btn = w.Button(description=t("ui.plan_save", L))
        self.crit_btn.add_class("kit-criteria-save")
        self.crit_btn.on_click(lambda _: self._guard(self.save_criteria))
        self.children = [
            theme(), self.screen, self.join, self.message,
            w.HTML(element("heading", 2, t('ui.feedback', L))), self.form_title, self.form_sets, self.form_custom,
            w.HBox([self.form_pack, self.pack_note], layout=w.Layout(**row)),
            self.form_pairing,
            w.HBox([self.form_opens, self.form_closes], layout=w.Layout(**row)),
            w.HBox([self.form_min, self.form_btn, self.form_close_btn], layout=w.Layout(**row)),
            w.HBox([self.repeat_pick, self.repeat_btn], layout=w.Layout(**row)), self.results,
            self.paper_tools,
            w.HTML(element("heading", 3, t('ui.open_answers', L))), self.moderation,
            w.HTML(element("heading", 2, t('ui.logic_model', L))),
            w.HBox([self.node_level, self.node_text, self.node_thl, self.node_btn], layout=w.Layout(**row)),
            w.HBox([self.from_stages, self.from_stages_btn], layout=w.Layout(**row)),
            w.HBox([self.edge_from, self.edge_to, self.edge_btn], layout=w.Layout(**row)),
            self.dimensions, self.model_html, self.checks,
            w.HTML(element("heading", 2, t('ui.indicators', L))),
            w.HBox([self.ind_name, self.ind_node, self.ind_kind], layout=w.Layout(**row)),
            w.HBox([self.ind_group, self.ind_unit, self.ind_base, self.ind_target, self.ind_date], layout=w.Layout(**row)),
            w.HBox([self.ind_method, self.ind_source, self.ind_freq], layout=w.Layout(**row)),
            w.HBox([self.ind_thl, self.ind_owner, self.ind_real, self.ind_btn], layout=w.Layout(**row)),
            self.ind_html,
            w.HTML(element("heading", 3, t('ui.survey', L))),
            w.HBox([self.survey_upload, self.survey_column, self.survey_indicator, self.survey_how, self.survey_btn],
                   layout=w.Layout(**row)),
            w.HTML(element("heading", 2, t('ui.activity_log', L))),
            w.HBox([self.log_date, self.log_type, self.log_hours], layout=w.Layout(**row)),
            w.HBox([self.log_counts, self.log_btn], layout=w.Layout(**row)), self.log_html,
            w.HTML(element("heading", 2, t('ui.criteria', L))), *crit_widgets, self.crit_btn,
        ]
        self.refresh()
        self.poller = Poller(self.store, self.ws["id"], self.refresh).start() if poll else None

    # -- actions ----------------------------------------------------------------------------
    def add_node(self, level: str, text: str, thl=()) -> dict:
        node = self.store.add_node(self.ws["id"], level, text, list(thl))
        self._ok(t("ui.saved", self.lang))
        return node

    def add_node_from_form(self) -> dict:
        node = self.add_node(self.node_level.value, self.node_text.value, self.node_thl.value)
        self.node_text.value = ""
        return node

    def link(self, source, target) -> None:
        if source is None or target is None:
            raise KitError("bad_lm_link")
        self.store.add_lm_edge(source, target)
        self._ok(t("ui.saved", self.lang))

    def add_activity_from(self, ref) -> dict:
        """A task of stage 3 or an idea chosen in stage 2 as an activity of the logic model."""
        if not ref:
            raise KitError("bad_lm_link")
        kind, _, rid = ref.partition(":")
        rid = int(rid)
        if kind == "task":
            task = next(x for x in self.store.tasks(self.ws["id"]) if x["id"] == rid)
            node = self.store.add_node(self.ws["id"], "activity", task["title"], task_id=rid)
        else:
            idea = self.store.idea(rid)
            node = self.store.add_node(self.ws["id"], "activity", idea["text"][:200], idea_id=rid)
        self._ok(t("ui.saved", self.lang))
        return node

    def log(self, day: str, kind: str, counts: str, hours: int | None = None) -> dict:
        groups = {g["id"]: g["label"] for g in wsmod.groups(self.ws["template"], self.lang)}
        row = self.store.log_activity(self.ws["id"], day, kind, ev.parse_counts(counts, groups), hours or None)
        self._ok(t("ui.saved", self.lang))
        return row

    def log_from_form(self) -> dict:
        row = self.log(self.log_date.value, self.log_type.value, self.log_counts.value, self.log_hours.value)
        self.log_type.value = self.log_counts.value = ""
        return row

    def read_survey(self, data: bytes, name: str) -> list[str]:
        columns, rows = ev.read_survey(data, name)
        self.survey = (name, columns, rows)
        self.survey_column.options = columns
        self._ok(t("ui.survey_read", self.lang, name=name, n=len(rows), columns=len(columns)))
        return columns

    def read_survey_upload(self) -> None:
        try:
            f = self.survey_upload.value[0]
            self.read_survey(bytes(f["content"]), f["name"])
        finally:
            self.survey_upload.value = ()

    def import_survey(self, indicator_id, column: str, how: str) -> float:
        if self.survey is None:
            raise KitError("survey_unreadable", name="–")
        if indicator_id is None:
            raise KitError("bad_field", field="indicator")
        name, columns, rows = self.survey
        value = ev.survey_value(columns, rows, column, how)
        self.store.add_indicator_result(indicator_id, value, f"{name}: {column}")
        self._ok(t("ui.survey_imported", self.lang, value=value))
        return value

    def save_criteria(self) -> None:
        for cid, (status, evidence) in self.crit_rows.items():
            self.store.set_criterion(self.ws["id"], cid, status.value, evidence.value)
        self._ok(t("ui.saved", self.lang))

    def set_dimensions(self, dims: list[str]) -> None:
        plan = self.store.plan(self.ws["id"])
        plan["thl_dimensions"] = dims
        self.store.set_setting(self.ws["id"], "plan", plan)

    def add_indicator(self, **data) -> dict:
        ind = self.store.save_indicator(self.ws["id"], data)
        self._ok(t("ui.saved", self.lang))
        return ind

    def add_indicator_from_form(self) -> dict:
        ind = self.add_indicator(name=self.ind_name.value, node=self.ind_node.value, kind=self.ind_kind.value,
                                 target_group=self.ind_group.value, unit=self.ind_unit.value,
                                 baseline=self.ind_base.value, target=self.ind_target.value,
                                 target_date=self.ind_date.value or None, method=self.ind_method.value,
                                 owner_task=self.ind_owner.value, realistic=self.ind_real.value,
                                 source=self.ind_source.value or None, frequency=self.ind_freq.value or None,
                                 thl=list(self.ind_thl.value))
        self.ind_name.value = ""
        return ind

    def open_form(self, title: str, sets=(), custom: str = "", min_answers: int = ev.MIN_ANSWERS,
                  pack: str | None = None, pairing: bool = False, period: tuple[str, str] | None = None) -> dict:
        """A form from the ready question sets and/or the facilitator's own questions, one per line:
        a 1-5 scale; "text: ..." an open question; "choice: question | option | option" a choice.
        `pairing`: a baseline that offers its answerers a pairing code for the follow-up."""
        ready = question_sets(self.lang)
        questions = [q for d in sets for q in ready[d]] + ev.own_questions(custom)
        if pack:
            questions.append({"id": "instrument", "kind": "instrument", "pack": pack, "text": self.packs[pack]["name"]})
        form = self.store.create_form(self.ws["id"], title, questions, min_answers, pairing)
        if period:
            try:
                form = self.store.schedule_form(form["id"], *period)
            except KitError:
                self.store.delete_draft_form(form["id"])  # a refused period leaves no form behind
                raise
            self.form_opens.value = self.form_closes.value = ""
            self._ok(t("ui.form_scheduled", self.lang, opens=period[0], closes=period[1]))
            return form
        form = self.store.set_form_status(form["id"], "open")
        self._ok(t("ui.form_opened", self.lang, n=len(form["questions"])))
        return form

    def open_form_from_form(self) -> dict:
        return self.open_form(self.form_title.value, list(self.form_sets.value), self.form_custom.value,
                              self.form_min.value, self.form_pack.value or None, self.form_pairing.value,
                              (self.form_opens.value.strip(), self.form_closes.value.strip())
                              if self.form_opens.value.strip() or self.form_closes.value.strip() else None)

    def repeat_form(self, form_id: int | None) -> dict:
        """Ask a form's questions again as a follow-up of it (its baseline)."""
        if form_id is None:
            raise KitError("unknown_form", status=404)
        base = next((f for f in self.store.network_forms(self.ws["id"]) if f["id"] == form_id), None)
        if base is None:
            raise KitError("unknown_form", status=404)
        # asked again here, in this meeting (the baseline may be from an earlier meeting of the network)
        form = self.store.repeat_form(form_id, f"{base['title']} {t('ui.followup_suffix', self.lang)}", self.ws["id"])
        self._ok(t("ui.form_repeated", self.lang))
        return form

    def close_form(self) -> None:
        f = self.store.open_form(self.ws["id"])
        if f is None:
            raise KitError("form_closed", status=409)
        self.store.set_form_status(f["id"], "closed")
        self._ok(t("ui.form_closed", self.lang))

    def enter_paper_form(self, answers: dict, group: str | None = None) -> dict:
        """One filled-in paper form, typed in: counted with the devices' answers."""
        f = self.store.open_form(self.ws["id"])
        if f is None:
            raise KitError("form_closed", status=409)
        clean = self.store.save_paper_response(f["id"], answers, group or None)
        self._ok(t("ui.paper_form_saved", self.lang))
        return clean

    def enter_paper_form_from_fields(self) -> dict:
        answers = {qid: box.value for qid, box in self.paper_widgets.items()
                   if box.value not in (None, "") and not (isinstance(box.value, str) and not box.value.strip())}
        clean = self.enter_paper_form(answers, self.paper_group.value)
        for box in self.paper_widgets.values():
            box.value = None if isinstance(box, w.Dropdown) else ""
        self.paper_group.value = ""
        return clean

    def _paper_draw(self, f: dict | None) -> None:
        L = self.lang
        if f is None or f["status"] != "open":
            self.paper_print.value = element("note", t('ui.no_open_form', L))
            self.paper_fields.children, self.paper_widgets, self._paper_form_id = [], {}, None
            self.paper_btn.disabled = True
            return
        self.paper_btn.disabled = False
        doc = paper_form_html(f, L)
        self.paper_print.value = element("download", f"form-{f['id']}.html", data_uri(doc, "text/html"),
                                         t("ui.paper_form_print", L), cls="kit-paper-form-print")
        if self._paper_form_id == f["id"]:
            return  # the fields keep what the facilitator is typing
        self._paper_form_id = f["id"]
        self.paper_widgets = {}
        sty = {"description_width": "initial"}
        for n, q in enumerate(ev.paper_questions(f["questions"]), start=1):
            desc = f"{n}. {q['text'][:60]}"
            if q["kind"] == "scale":
                box = w.Dropdown(options=[("–", None)] + [(str(v), v) for v in range(1, 6)], value=None,
                                 description=desc, style=sty)
            elif q["kind"] == "choice":
                box = w.Dropdown(options=[("–", None)] + [(c, c) for c in q["choices"]], value=None,
                                 description=desc, style=sty)
            else:
                box = w.Textarea(description=desc, style=sty, layout=w.Layout(width="100%"))
            box.add_class(f"kit-paper-q{n}")
            self.paper_widgets[q["id"]] = box
        self.paper_fields.children = list(self.paper_widgets.values())

    def approve(self, form_id: int, response_id: int, qid: str) -> None:
        self.store.approve_answer(form_id, response_id, qid)
        self.refresh()

    # -- drawing ----------------------------------------------------------------------------
    def current_form(self) -> dict | None:
        open_ = self.store.open_form(self.ws["id"])
        if open_:
            return open_
        all_ = self.store.forms(self.ws["id"])
        return all_[-1] if all_ else None

    def _draw(self) -> None:
        L = self.lang
        self.ws = self.store.workshop(self.ws["id"])
        self.join.value = (element("heading", 1, f"{t('ui.evaluation_title', L)}: {wsmod.title(self.ws, L)}")
                           + join_panel_html(self.ws["code"], L, scale=4, small=True))
        f = self.current_form()
        self.form_close_btn.disabled = not (f and f["status"] == "open")
        answered = [x for x in self.store.network_forms(self.ws["id"]) if x["status"] != "draft"]
        keep = self.repeat_pick.value
        here = self.ws.get("meeting_no") or 1
        self.repeat_pick.options = [(f"{x['id']}: {x['title']}" if x["meeting_no"] == here else
                                     f"{x['id']}: {x['title']} {t('minutes.number', L, number=x['meeting_no'])}",
                                     x["id"]) for x in answered]
        self.repeat_pick.value = keep if keep in [x["id"] for x in answered] else (answered[0]["id"] if answered else None)
        self.repeat_btn.disabled = not answered
        self._paper_draw(f)
        if f is None:
            self.results.value = element("note", t('ui.no_forms', L))
            self.moderation.children = []
        else:
            resp = self.store.responses(f["id"])
            agg = ev.aggregate(f["questions"], resp, f["min_answers"], self.packs)
            self.results.value = form_results_html(f, resp, agg, L)
            rows = []
            approved = set(f["approved"] or [])
            for r in resp:
                for q in f["questions"]:
                    if q["kind"] != "text" or q["id"] not in r["answers"]:
                        continue
                    key = f"{r['id']}:{q['id']}"
                    if key in approved:
                        continue
                    b = w.Button(description=t("ui.approve", L))
                    b.add_class("kit-approve-answer")
                    b.on_click(lambda _, fid=f["id"], rid=r["id"], qid=q["id"]: self._guard(self.approve, fid, rid, qid))
                    rows.append(w.HBox([w.HTML(element("answer", r["answers"][q["id"]]),
                                               layout=w.Layout(flex="1 1 auto")), b]))
            self.moderation.children = rows or [w.HTML(element("note", t('ui.no_open_answers', L)))]
        nodes, edges = self.store.logic_model(self.ws["id"])
        inds = self.store.indicators(self.ws["id"])
        tasks = self.store.tasks(self.ws["id"])
        dims = self.store.plan(self.ws["id"]).get("thl_dimensions") or []
        self.dimensions.value = tuple(d for d in dims if d in ev.THL)
        opts = [(f"{t(LEVEL_KEYS[n['level']], L)}: {n['text'][:50]}", n["id"]) for n in nodes]
        for dd in (self.edge_from, self.edge_to):
            k = dd.value
            dd.options = opts
            dd.value = k if k in [v for _, v in opts] else None
        k = self.survey_indicator.value
        self.survey_indicator.options = [("–", None)] + [(i["name"][:60], i["id"]) for i in inds]
        self.survey_indicator.value = k if k in [v for _, v in self.survey_indicator.options] else None
        k = self.ind_node.value
        self.ind_node.options = [("–", None)] + [o for o, n in zip(opts, nodes, strict=True) if n["level"] in ev.OUTCOMES]
        self.ind_node.value = k if k in [v for _, v in self.ind_node.options] else None
        k = self.ind_owner.value
        self.ind_owner.options = [("–", None)] + [(x["title"][:60], x["id"]) for x in tasks]
        self.ind_owner.value = k if k in [v for _, v in self.ind_owner.options] else None
        self.model_html.value = model_html(nodes, edges, L)
        plan = self.store.plan(self.ws["id"])
        chosen = set(plan.get("idea_ids") or [])
        used = {("task", n["task_id"]) for n in nodes if n.get("task_id")} | {("idea", n["idea_id"]) for n in nodes if n.get("idea_id")}
        choices = [(f"{t('ui.task', L)}: {x['title'][:60]}", f"task:{x['id']}") for x in tasks if ("task", x["id"]) not in used]
        choices += [(f"{t('ui.idea', L)}: {i['text'][:60]}", f"idea:{i['id']}") for i in self.store.ideas(self.ws["id"])
                    if i["id"] in chosen and ("idea", i["id"]) not in used]
        self.from_stages.options = choices or [("–", "")]
        log = self.store.activity_log(self.ws["id"])
        names = {g["id"]: g["label"] for g in wsmod.groups(self.ws["template"], L)}
        self.log_html.value = log_html(log, names, L)
        saved = plan.get("criteria") or {}
        for cid, (status, evidence) in self.crit_rows.items():
            status.value = (saved.get(cid) or {}).get("status", "not_started")
            evidence.value = (saved.get(cid) or {}).get("evidence", "")
        findings = ev.check_model(nodes, edges, inds, dims)
        text = {n["id"]: n["text"] for n in nodes}
        self.checks.value = element("flags", [
            (f.level, t(CHECK_KEYS[f.code], L, node=text.get(f.node, ""),
                        dimension=t(THL_KEYS[f.params["dimension"]], L) if "dimension" in f.params else ""))
            for f in findings]) if findings else (element("msg", t('ui.raci_ok', L), "kit-ok") if nodes else "")
        self.ind_html.value = indicators_html(inds, text, L, current_values(inds, log))
