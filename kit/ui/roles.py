"""03_roles: the plan canvas, tasks and holders, the RACI grid with live checks, competence coverage,
workload and rooting, the action list, and volunteers' offers from their devices."""

from __future__ import annotations

from datetime import date

import ipywidgets as w

from kit import roles
from kit import workshop as wsmod
from kit.errors import KitError
from kit.i18n import label, t
from kit.numbers import number
from kit.render import element
from kit.render.roles import COVERAGE_KEYS, PLAN_KEYS
from kit.store import Store
from kit.ui.common import KitApp, Poller, theme
from kit.ui.start import join_panel_html

CELL = [("–", ""), ("R", "R"), ("A", "A"), ("C", "C"), ("I", "I"), ("A+R", "AR")]
LEVEL = [("–", 0), ("1", 1), ("2", 2)]
PLAN_TEXTS = ("need_for_change", "target_groups", "competences_needed", "networks", "operating_model", "description")
SECTION_KEYS = {s: f"section.{s}" for s in roles.SECTIONS}
HOLDER_KEYS = {"person": "holder.person", "group": "holder.group"}
TERM_KEYS = {"responsible_person": "term.responsible_person", "budget_owner": "term.budget_owner",
             "coordinator": "term.coordinator"}
OFFER_KEYS = {"can_do": "offer.can_do", "can_help": "offer.can_help"}
LEVEL_KEYS = {"error": "level.error", "warning": "level.warning"}
PLAN_SECTIONS = ("need_for_change", "target_groups", "competences", "networks", "budget")  # spec §4.2
ROLE_SECTION = {"budget_owner": "budget", "coordination_group": "implementation", "responsible_person": "implementation",
                "unit_contact": "networks", "facilitator": "implementation"}


def offer_rows(store: Store, ws: dict, lang: str, decide) -> list[w.HBox]:
    """Volunteers' offers that wait, each with Accept and Reject: `decide(offer_id, accept)` (page 03, and
    the Run view while the room is at the tasks)."""
    tpl = wsmod.template(ws["template"])
    comp = {c["id"]: label(c["label"], lang) for c in tpl["competences"]}
    titles = {x["id"]: x["title"] for x in store.tasks(ws["id"])}
    who = {p["id"]: p for p in store.participants(ws["id"])}
    rows = []
    for o in store.offers(ws["id"]):
        if o["status"] != "pending":
            continue
        comps = ", ".join(f"{comp.get(c, c.replace('_', ' '))} {v}" for c, v in (o["competences"] or {}).items())
        text = t("ui.offer_row", lang, who=(who.get(o["participant_id"]) or {}).get("nickname") or f"#{o['participant_id']}",
                 kind=t(OFFER_KEYS[o["kind"]], lang), task=titles.get(o["task_id"], ""), competences=comps or "–")
        yes = w.Button(description=t("ui.accept", lang), button_style="success")
        yes.add_class("kit-offer-accept")
        yes.on_click(lambda _, oid=o["id"]: decide(oid, True))
        no = w.Button(description=t("ui.reject", lang))
        no.add_class("kit-offer-reject")
        no.on_click(lambda _, oid=o["id"]: decide(oid, False))
        box = w.HBox([w.HTML(element("tagged", "div", [("offer", o["id"])], text, cls="kit-offer"),
                             layout=w.Layout(flex="1 1 auto")), yes, no])
        box.add_class("kit-offer-row")
        rows.append(box)
    return rows


class RolesApp(KitApp):
    """Every action is a method; buttons and grid cells only call them."""

    def __init__(self, store: Store | None = None, code: str | None = None, lang: str | None = None,
                 poll: bool = True):
        super().__init__(store, code, lang)
        self.tpl = wsmod.template(self.ws["template"])
        L, sty = self.lang, {"description_width": "initial"}
        self.join = w.HTML()
        self.join.add_class("kit-join-box")  # stays on screen in projector mode
        self.message = w.HTML()
        self.open_box = w.Checkbox(description=t("ui.tasks_open", L), indent=False, layout=w.Layout(width="auto"))
        self.open_box.add_class("kit-tasks-open")
        self.open_box.observe(lambda ch: not self._drawing and self._guard(self.set_open, ch["new"]), names="value")

        # plan canvas
        self.plan_texts = {k: w.Textarea(description=t(PLAN_KEYS[k], L), style=sty, layout=w.Layout(width="100%"))
                           for k in PLAN_TEXTS}
        self.plan_budget = w.Text(description=t("ui.budget", L), style=sty)
        self.plan_ideas = w.SelectMultiple(description=t("ui.plan_ideas", L), style=sty, rows=5, layout=w.Layout(width="100%"))
        self.plan_actors = w.SelectMultiple(description=t("ui.plan_actors", L), style=sty, rows=5, layout=w.Layout(width="100%"))
        self.responsible = w.Dropdown(description=t("ui.responsible_person", L), style=sty)
        self.responsible.add_class("kit-responsible")
        self.budget_owner = w.Dropdown(description=t("ui.budget_owner", L), style=sty)
        self.budget_owner.add_class("kit-budget-owner")
        self.plan_btn = w.Button(description=t("ui.plan_save", L), button_style="primary")
        self.plan_btn.add_class("kit-plan-save")
        self.plan_btn.on_click(lambda _: self._guard(self.save_plan_from_form))
        plan_box = w.VBox([*self.plan_texts.values(), self.plan_budget, self.plan_ideas, self.plan_actors,
                           w.HBox([self.responsible, self.budget_owner], layout=w.Layout(flex_flow="row wrap")),
                           self.plan_btn])

        # holders and tasks
        self.holder_name = w.Text(description=t("ui.holder_name", L), style=sty)
        self.holder_name.add_class("kit-holder-name")
        self.holder_kind = w.Dropdown(options=[(t(HOLDER_KEYS[k], L), k) for k in ("person", "group")],
                                      description=t("ui.holder_kind", L), style=sty)
        self.holder_chair = w.Text(description=t("ui.chair", L), style=sty)
        self.holder_unpaid = w.Checkbox(description=t("ui.unpaid", L), indent=False, layout=w.Layout(width="auto"))
        self.holder_btn = w.Button(description=t("ui.holder_add", L), button_style="primary")
        self.holder_btn.add_class("kit-holder-add")
        self.holder_btn.on_click(lambda _: self._guard(self.add_holder_from_form))
        self.from_map = w.Dropdown(description=t("ui.holder_from_map", L), style=sty)
        self.from_map_btn = w.Button(description=t("ui.holder_add", L))
        self.from_map_btn.on_click(lambda _: self._guard(self.add_actor_holder, self.from_map.value))
        self.holder_pick = w.Dropdown(description=t("ui.holder_pick", L), style=sty)
        self.holder_remove_btn = w.Button(description=t("ui.holder_remove", L), button_style="danger")
        self.holder_remove_btn.on_click(lambda _: self._guard(self.remove_holder, self.holder_pick.value))
        self.task_title = w.Text(description=t("ui.task_title", L), style=sty, layout=w.Layout(width="100%"))
        self.task_title.add_class("kit-task-title")
        self.task_section = w.Dropdown(options=[(t(SECTION_KEYS[s], L), s) for s in roles.SECTIONS],
                                       value="implementation", description=t("ui.section", L), style=sty)
        self.task_effort = w.BoundedIntText(value=0, min=0, max=10000, description=t("ui.effort", L), style=sty)
        self.task_due = w.Text(description=t("ui.due", L), style=sty, placeholder="2026-12-31")
        self.task_btn = w.Button(description=t("ui.task_add", L), button_style="primary")
        self.task_btn.add_class("kit-task-add")
        self.task_btn.on_click(lambda _: self._guard(self.add_task_from_form))
        self.standard_btn = w.Button(description=t("ui.standard_tasks", L), layout=w.Layout(width="auto"))
        self.standard_btn.add_class("kit-standard-tasks")
        self.standard_btn.on_click(lambda _: self._guard(self.add_standard_tasks))
        self.task_pick = w.Dropdown(description=t("ui.task_pick", L), style=sty, layout=w.Layout(width="100%"))
        self.deputy = w.Dropdown(description=t("ui.deputy", L), style=sty)
        self.a_is_r = w.Checkbox(description=t("ui.a_implies_r", L), indent=False, layout=w.Layout(width="auto"))
        self.done = w.Checkbox(description=t("ui.task_done", L), indent=False, layout=w.Layout(width="auto"))
        self.task_save_btn = w.Button(description=t("ui.actor_save", L))
        self.task_save_btn.on_click(lambda _: self._guard(self.save_task_from_form))
        self.task_pick.observe(lambda ch: not self._drawing and self._load_task(), names="value")

        self.offers_box = w.VBox()
        self.offers_box.add_class("kit-offers")
        self.grid = w.GridBox()
        self.grid.add_class("kit-raci")
        self.checks = w.HTML()
        self.checks.add_class("kit-raci-checks")
        self.level_grid = w.GridBox()
        self.level_grid.add_class("kit-levels")
        self.coverage_html = w.HTML()
        self.coverage_html.add_class("kit-coverage")
        self.new_competence = w.Text(description=t("ui.new_competence", L), style=sty)
        self.new_competence_btn = w.Button(description=t("ui.add", L))
        self.new_competence_btn.on_click(lambda _: self._guard(self.add_competence, self.new_competence.value))
        self.workload_html = w.HTML()
        self.term_holder = w.Dropdown(description=t("ui.holder_pick", L), style=sty)
        self.term_role = w.Dropdown(options=[(t(TERM_KEYS[r], L), r) for r in TERM_KEYS],
                                    description=t("ui.term_role", L), style=sty)
        self.term_start = w.Text(description=t("ui.term_start", L), style=sty, placeholder="2026-01-01")
        self.term_btn = w.Button(description=t("ui.add", L))
        self.term_btn.on_click(lambda _: self._guard(self.add_term, self.term_holder.value, self.term_role.value,
                                                     self.term_start.value))
        self.actions_html = w.HTML()
        self.actions_html.add_class("kit-action-list")
        self._grid_sig = None
        self._level_sig = None
        self.cells: dict = {}
        self.level_cells: dict = {}

        self.tools = w.Accordion(children=[plan_box])
        self.tools.set_title(0, t("ui.plan_canvas", L))
        self.tools.selected_index = None
        row = {"flex_flow": "row wrap"}
        self.children = [
            theme(), self.screen, self.join, self.message, self.open_box, self.tools,
            w.HTML(element("heading", 2, t('ui.offers', L))), self.offers_box,
            w.HTML(element("heading", 2, t('ui.holders', L))),
            w.HBox([self.holder_name, self.holder_kind, self.holder_chair, self.holder_unpaid, self.holder_btn], layout=w.Layout(**row)),
            w.HBox([self.from_map, self.from_map_btn, self.holder_pick, self.holder_remove_btn], layout=w.Layout(**row)),
            w.HTML(element("heading", 2, t('ui.tasks', L))),
            w.HBox([self.task_title], layout=w.Layout(**row)),
            w.HBox([self.task_section, self.task_effort, self.task_due, self.task_btn, self.standard_btn], layout=w.Layout(**row)),
            w.HBox([self.task_pick], layout=w.Layout(**row)),
            w.HBox([self.deputy, self.a_is_r, self.done, self.task_save_btn], layout=w.Layout(**row)),
            w.HTML(element("heading", 2, t("ui.raci", L)) + element("note", t("ui.raci_help", L))),
            self.grid, self.checks,
            w.HTML(element("heading", 2, t('ui.coverage', L))), self.level_grid,
            w.HBox([self.new_competence, self.new_competence_btn], layout=w.Layout(**row)), self.coverage_html,
            w.HTML(element("heading", 2, t('ui.workload', L))), self.workload_html,
            w.HBox([self.term_holder, self.term_role, self.term_start, self.term_btn], layout=w.Layout(**row)),
            w.HTML(element("heading", 2, t('ui.action_list', L))), self.actions_html,
        ]
        self.refresh()
        self.poller = Poller(self.store, self.ws["id"], self.refresh).start() if poll else None

    # -- labels -------------------------------------------------------------------------------
    def competence_label(self, cid: str) -> str:
        for c in self.tpl["competences"]:
            if c["id"] == cid:
                return label(c["label"], self.lang)
        return cid.replace("_", " ")

    def role_label(self, rid: str) -> str:
        for r in self.tpl["roles"]:
            if r["id"] == rid:
                return label(r["label"], self.lang)
        return t(TERM_KEYS[rid], self.lang) if rid in TERM_KEYS else rid

    # -- actions ------------------------------------------------------------------------------
    def set_open(self, on: bool) -> None:
        self.store.set_setting(self.ws["id"], "tasks_open", True if on else None)

    def save_plan(self, **fields) -> dict:
        plan = self.store.set_plan(self.ws["id"], **fields)
        self._ok(t("ui.saved", self.lang))
        return plan

    def save_plan_from_form(self) -> dict:
        fields = {k: box.value for k, box in self.plan_texts.items()}
        return self.save_plan(**fields, budget=self.plan_budget.value, idea_ids=list(self.plan_ideas.value),
                              actor_ids=list(self.plan_actors.value), responsible_person=self.responsible.value,
                              budget_owner=self.budget_owner.value)

    def add_holder(self, name: str, kind: str = "person", chair: str | None = None, unpaid: bool = False, **refs) -> dict:
        h = self.store.add_holder(self.ws["id"], name, kind, chair=chair, unpaid=unpaid, **refs)
        self._ok(t("ui.actor_added", self.lang, name=h["name"]))
        return h

    def add_holder_from_form(self) -> dict:
        h = self.add_holder(self.holder_name.value, self.holder_kind.value, self.holder_chair.value,
                            self.holder_unpaid.value)
        self.holder_name.value = self.holder_chair.value = ""
        return h

    def add_actor_holder(self, actor_id) -> dict:
        a = next((x for x in self.store.actors(self.ws["id"]) if x["id"] == actor_id), None)
        if a is None:
            raise KitError("unknown_actor", status=404, actor="–")
        return self.add_holder(a["name"], "actor", actor_id=a["id"],
                               unpaid=a["sector"] in roles.UNPAID_GROUPS)

    def remove_holder(self, holder_id) -> None:
        if holder_id is None:
            raise KitError("unknown_holder", status=404, holder="–")
        self.store.update_holder(holder_id, removed=True)
        self._ok(t("ui.holder_removed", self.lang))

    def add_task(self, title: str, section: str = "implementation", effort: int | None = None,
                 due: str | None = None, **kw) -> dict:
        task = self.store.add_task(self.ws["id"], title, section, effort or None, due or None, **kw)
        self._ok(t("ui.task_added", self.lang, title=task["title"]))
        return task

    def add_task_from_form(self) -> dict:
        task = self.add_task(self.task_title.value, self.task_section.value, self.task_effort.value, self.task_due.value)
        self.task_title.value = ""
        return task

    def add_standard_tasks(self) -> list[dict]:
        """The template's standard roles, the preliminary plan's sections and the ideas chosen in the
        plan, as tasks (once each)."""
        have = {(x["role"], x["idea_id"]) for x in self.store.tasks(self.ws["id"])}
        made = []
        for r in self.tpl["roles"]:
            if (r["id"], None) not in have:
                made.append(self.store.add_task(self.ws["id"], label(r["label"], self.lang),
                                                ROLE_SECTION.get(r["id"], "implementation"), role=r["id"]))
        have_sections = {x["section"] for x in self.store.tasks(self.ws["id"]) if x["role"] is None and x["idea_id"] is None}
        for section in PLAN_SECTIONS:  # the preliminary plan's sections, each somebody's task
            if section not in have_sections:
                made.append(self.store.add_task(self.ws["id"], t(SECTION_KEYS[section], self.lang), section))
        ideas = {i["id"]: i for i in self.store.ideas(self.ws["id"])}
        for iid in self.store.plan(self.ws["id"]).get("idea_ids") or []:
            if iid in ideas and (None, iid) not in have:
                made.append(self.store.add_task(self.ws["id"], ideas[iid]["text"][:200], "implementation", idea_id=iid))
        self._ok(t("ui.tasks_added", self.lang, n=len(made)))
        return made

    def save_task_from_form(self) -> dict:
        if self.task_pick.value is None:
            raise KitError("unknown_task", status=404, task="–")
        task = self.store.update_task(self.task_pick.value, deputy_id=self.deputy.value, a_implies_r=self.a_is_r.value,
                                      done=self.done.value)
        self._ok(t("ui.saved", self.lang))
        return task

    def set_letter(self, task_id: int, holder_id: int, letters: str) -> None:
        self.store.set_letter(task_id, holder_id, letters)
        self.refresh()

    def set_level(self, holder_id: int, competence: str, level: int) -> None:
        self.store.set_level(holder_id, competence, level)
        self.refresh()

    def add_competence(self, name: str) -> None:
        self.store.add_competence(self.ws["id"], name)
        self.new_competence.value = ""
        self._ok(t("ui.saved", self.lang))

    def add_term(self, holder_id, role: str, start: str) -> None:
        if holder_id is None:
            raise KitError("unknown_holder", status=404, holder="–")
        self.store.add_term(holder_id, role, start)
        self._ok(t("ui.saved", self.lang))

    def decide(self, offer_id: int, accept: bool) -> None:
        self.store.decide_offer(offer_id, accept)
        self._ok(t("ui.offer_accepted" if accept else "ui.offer_declined", self.lang))

    # -- drawing ------------------------------------------------------------------------------
    def _load_task(self) -> None:
        task = next((x for x in self.store.tasks(self.ws["id"]) if x["id"] == self.task_pick.value), None)
        if task is None:
            return
        self.deputy.value = task["deputy_id"] if task["deputy_id"] in [v for _, v in self.deputy.options] else None
        self.a_is_r.value = bool(task["a_implies_r"])
        self.done.value = bool(task["done"])

    def _cell(self, task_id: int, holder_id: int, label: str = "") -> w.Dropdown:
        # the label names the cell for screen readers (task – holder); on screen the grid's headings do
        dd = w.Dropdown(options=CELL, value="", description=label, layout=w.Layout(width="auto"))
        dd.add_class("kit-sr-label")
        dd.add_class(f"kit-cell-{task_id}-{holder_id}")
        dd.observe(lambda ch, tid=task_id, hid=holder_id: not self._drawing and self._guard(self.set_letter, tid, hid, ch["new"]),
                   names="value")
        return dd

    def _level_cell(self, holder_id: int, comp: str, label: str = "") -> w.Dropdown:
        dd = w.Dropdown(options=LEVEL, value=0, description=label, layout=w.Layout(width="auto"))
        dd.add_class("kit-sr-label")
        dd.add_class(f"kit-level-{holder_id}-{comp}")
        dd.observe(lambda ch, hid=holder_id, c=comp: not self._drawing and self._guard(self.set_level, hid, c, ch["new"]),
                   names="value")
        return dd

    def _draw(self) -> None:
        L = self.lang
        self.ws = self.store.workshop(self.ws["id"])
        self.join.value = (element("heading", 1, f"{t('ui.roles_title', L)}: {wsmod.title(self.ws, L)}")
                           + join_panel_html(self.ws["code"], L, scale=4, small=True))
        self.open_box.value = bool((self.ws["settings"] or {}).get("tasks_open"))
        d = self.data = self.store.roles_data(self.ws["id"])
        plan = d["plan"]
        tasks, holders, assign = d["tasks"], d["holders"], d["assignments"]
        active = [h for h in holders if not h["removed"]]
        shown = active + [h for h in holders if h["removed"] and any(k[1] == h["id"] for k in assign)]
        hopts = [(h["name"], h["id"]) for h in active]
        for dd, key in ((self.responsible, "responsible_person"), (self.budget_owner, "budget_owner")):
            dd.options = [("–", None)] + hopts
            dd.value = plan.get(key) if plan.get(key) in [v for _, v in hopts] else None
        for k, box in self.plan_texts.items():
            box.value = plan.get(k) or ""
        self.plan_budget.value = plan.get("budget") or ""
        ideas = [i for i in self.store.ideas(self.ws["id"]) if i["status"] == "visible"]
        self.plan_ideas.options = [(i["text"][:80], i["id"]) for i in ideas]
        self.plan_ideas.value = tuple(x for x in plan.get("idea_ids") or [] if x in [i["id"] for i in ideas])
        actors = self.store.actors(self.ws["id"])
        self.plan_actors.options = [(a["name"], a["id"]) for a in actors]
        self.plan_actors.value = tuple(x for x in plan.get("actor_ids") or [] if x in [a["id"] for a in actors])
        held_actors = {h["actor_id"] for h in holders if h["actor_id"]}
        self.from_map.options = [(a["name"], a["id"]) for a in actors if a["id"] not in held_actors]
        for dd in (self.holder_pick, self.term_holder, self.deputy):
            keep = dd.value
            dd.options = ([("–", None)] if dd is self.deputy else []) + hopts
            dd.value = keep if keep in [v for _, v in dd.options] else (None if dd is self.deputy or not hopts else hopts[0][1])
        keep = self.task_pick.value
        self.task_pick.options = [(x["title"][:80], x["id"]) for x in tasks]
        self.task_pick.value = keep if keep in [x["id"] for x in tasks] else (tasks[0]["id"] if tasks else None)
        self._load_task()

        # offers
        rows = offer_rows(self.store, self.ws, L, lambda *a: self._guard(self.decide, *a))
        self.offers_box.children = rows or [w.HTML(element("note", t('ui.no_offers', L)))]

        # the RACI grid: rebuilt when tasks or holders change, else only its values
        sig = (tuple(x["id"] for x in tasks), tuple(h["id"] for h in shown))
        if sig != self._grid_sig:
            self._grid_sig = sig
            self.cells = {(x["id"], h["id"]): self._cell(x["id"], h["id"], f"{x['title']} – {h['name']}")
                          for x in tasks for h in shown}
            head = [w.HTML(element("strong", t("ui.task", L)))] + [
                w.HTML(element("strong", h["name"], cls="kit-removed" if h["removed"] else None,
                               note=t("ui.removed", L) if h["removed"] else None)) for h in shown]
            body = []
            for x in tasks:
                body.append(w.HTML(element("tagged", "span", [("task", x["id"])], x["title"])))
                body += [self.cells[(x["id"], h["id"])] for h in shown]
            self.grid.children = head + body
            self.grid.layout = w.Layout(grid_template_columns=f"minmax(12rem, 2fr) repeat({len(shown)}, minmax(5rem, 1fr))",
                                        grid_gap="4px", overflow_x="auto")
        for key, dd in self.cells.items():
            dd.value = assign.get(key, "")
        by_task, by_holder = {x["id"]: x for x in tasks}, {h["id"]: h for h in holders}
        findings = roles.check_raci(tasks, holders, assign, plan.get("responsible_person"), plan.get("budget_owner"))
        work = roles.workload(tasks, holders, assign)
        findings += work["findings"] + roles.term_findings(d["terms"], date.today().isoformat())
        findings.sort(key=lambda f: f.level != "error")
        self.checks.value = (element("findings", [
            (f.level, f.code, t(LEVEL_KEYS[f.level], L), roles.sentence(f, by_task, by_holder, L, self.role_label))
            for f in findings]) if findings else element("msg", t('ui.raci_ok', L), "kit-ok"))

        # competences: a grid of levels, then coverage with suggestions from the map
        comps = d["competences"]
        lsig = (tuple(comps), tuple(h["id"] for h in active))
        if lsig != self._level_sig:
            self._level_sig = lsig
            self.level_cells = {(h["id"], c): self._level_cell(h["id"], c, f"{h['name']} – {self.competence_label(c)}")
                                for h in active for c in comps}
            head = [w.HTML("")] + [w.HTML(element("strong", self.competence_label(c))) for c in comps]
            body = []
            for h in active:
                body.append(w.HTML(element("text", h["name"])))
                body += [self.level_cells[(h["id"], c)] for c in comps]
            self.level_grid.children = head + body
            self.level_grid.layout = w.Layout(grid_template_columns=f"minmax(10rem, 2fr) repeat({len(comps)}, minmax(5rem, 1fr))",
                                              grid_gap="4px", overflow_x="auto")
        for (hid, c), dd in self.level_cells.items():
            dd.value = d["levels"].get((hid, c), 0)
        cov = roles.coverage(holders, comps, d["levels"])
        lines = []
        for c, v in cov.items():
            line = t(COVERAGE_KEYS[v["status"]], L, competence=self.competence_label(c), n=len(v["holders"]))
            if v["status"] in ("gap", "single"):
                sugg = roles.suggest_for_gap(c, actors, held_actors)
                if sugg:
                    line += " " + t("coverage.suggest", L, actors=", ".join(a["name"] for a in sugg[:4]))
            lines.append(("error" if v["status"] == "gap" else "warning" if v["status"] == "single" else "ok", line))
        self.coverage_html.value = element("flags", lines)

        # workload
        load = [[by_holder[h]["name"], number(v, L, 2), t("ui.yes", L) if by_holder[h]["unpaid"] else ""]
                for h, v in sorted(work["load"].items(), key=lambda kv: -kv[1])]
        summary = t("ui.workload_summary", L, gini=number(work["gini"], L, 2), ratio=number(work["max_mean"], L, 1))
        self.workload_html.value = (element("p", summary) + element(
            "table", [t("ui.holder_name", L), t("ui.load", L), t("ui.unpaid", L)], load, row_header=True,
            cls="kit-groups")) if work["load"] else ""

        acts = roles.action_list(tasks, holders, assign)
        self.actions_html.value = element(
            "table", [t(k, L) for k in ("ui.task", "ui.responsible", "ui.accountable", "ui.due")],
            [[a["task"], ", ".join(a["responsible"]), ", ".join(a["accountable"]), a["due"] or ""] for a in acts],
            cls="kit-groups") if acts else element("note", t("ui.no_tasks", L))
