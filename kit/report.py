"""Session outputs: the report (HTML through nbconvert with templates/report, A4 PDF printed by
Debian's chromium through Playwright), the minutes, and `export()`, which hands out every format:
the data tables (XLSX, a CSV bundle, kit/opendata.py), .pb, GraphML, Kumu, the JSON backup.
Everything renders at any time, not only after the event.

What leaves the kit here: never tokens or device data; nicknames only when asked for; stakeholder
groups smaller than the threshold are not shown on their own.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import nbformat

from kit import budgeting, tray, voting
from kit import network as nw
from kit import workshop as wsmod
from kit.config import FORMATS  # noqa: F401 (kit export --format: one list for the CLI and the page)
from kit.errors import KitError
from kit.i18n import t
from kit.numbers import money, number
from kit.opendata import COLUMNS, MIN_GROUP, csv_zip, pb_files, tables, xlsx  # noqa: F401 (report.xlsx and friends)
from kit.render import render
from kit.render.evaluation import (
    CHECK_KEYS,
    CRITERION_KEYS,
    THL_KEYS,
    criteria,
    current_values,
    form_results_html,
    indicators_html,
    log_html,
    model_html,
)
from kit.render.map import map_svg
from kit.render.voting import RULE_TITLE
from kit.render.roles import COVERAGE_KEYS, PLAN_KEYS
from kit.store import Store, now

CHROMIUM = Path(os.environ.get("KIT_CHROMIUM", "/usr/bin/chromium"))


def template_dir() -> Path:
    return wsmod.data_path("templates") / "report"


# -- the report's content -------------------------------------------------------------------------------
def network_proposals(store: Store, ws: dict, known_rounds: dict | None = None, earlier_only: bool = False) -> list[dict]:
    """Budgeting proposals with their phase (kit/proposals.py), across the network's meetings up to
    `ws` (only those before it with `earlier_only`), each with the number of the meeting it came
    from: each costed or developed idea, where it is between the idea and its implementation; funded
    means funded by a closed round's rule, at whichever meeting voted on it."""
    from kit import proposals as pr

    here = ws.get("meeting_no") or 1
    out = []
    for m in store.network_of(ws["id"])["meetings"]:
        if m["number"] > here or (earlier_only and m["id"] == ws["id"]):
            continue
        rounds = (known_rounds or {}).get(m["id"])
        if rounds is None:
            rounds = [r for r in store.rounds(m["id"]) if r["status"] != "draft"]
        on_ballot, funded = set(), set()
        for r in rounds:
            if r["method"] != "pb":  # budgeting ballots only: a dot vote holds ideas
                continue
            on_ballot |= {i["id"] for i in store.round_items(r["id"])}
            if r["status"] == "closed":
                e = store.election(r["id"])
                funded |= {int(x) for x in budgeting.cached(e, voting.pb_rule(r["rules"])).funded}
        for idea in store.ideas(m["id"]):
            if idea["status"] in ("rejected", "merged"):
                continue
            ph = pr.phase(idea, idea["id"] in on_ballot, idea["id"] in funded)
            if ph != "idea":
                out.append({**idea, "phase": ph, "meeting": m["number"]})
    return out


class Report:
    """Reads a workshop once and writes each section as escaped HTML in the workshop's language."""

    def __init__(self, store: Store, workshop_id: int, lang: str | None = None, min_group: int | None = None):
        self.store = store
        self.ws = store.workshop(workshop_id)
        self.lang = lang or self.ws["language"]
        self.title = wsmod.title(self.ws, self.lang)
        self.min_group = min_group or wsmod.min_group(self.ws)  # the meeting's own, 5 unless it agreed otherwise
        self.tpl = wsmod.template(self.ws["template"])
        self.participants = store.participants(workshop_id)
        self.ideas = store.ideas(workshop_id)
        self.rounds = [r for r in store.rounds(workshop_id) if r["status"] != "draft"]
        self.actors, self.links = store.map_data(workshop_id)
        self.snapshots = store.snapshots(workshop_id)

    def t(self, key: str, **kw) -> str:
        return t(key, self.lang, **kw)

    def group(self, gid) -> str:
        return wsmod.sector_label(self.ws["template"], gid, self.lang) if gid else self.t("report.no_group")

    def sector(self, sid) -> str:
        return wsmod.sector_label(self.ws["template"], sid, self.lang)

    def proposer(self, participant_id) -> str:
        """Who sent an idea, as the report may say it: the stakeholder group only where that group has
        at least the threshold's number of participants (as the group counts), never a nickname."""
        if not participant_id:
            return self.t("report.by_facilitator")
        gid = next((p["stakeholder_group"] for p in self.participants if p["id"] == participant_id), None)
        size = sum(1 for p in self.participants if p["stakeholder_group"] == gid and p.get("kind") != "import")
        return self.group(gid) if gid and size >= self.min_group else self.t("report.small_group")

    def roles_data(self) -> dict:
        """Stage 3 for the report, volunteers under "Volunteer N" (roles.volunteer_names)."""
        from kit import roles

        d = self.store.roles_data(self.ws["id"])
        return {**d, "holders": roles.volunteer_names(d["holders"], self.participants, self.lang)}

    def link_type(self, tid) -> str:
        return t("link." + tid, self.lang)

    # sections ------------------------------------------------------------------------------------
    def render(self, name: str, **ctx) -> str:
        return render(f"report/{name}.html", self.lang, **ctx)

    def header(self) -> str:
        return self.render("header", ws=self.ws, title=self.title, template_name=wsmod.template_name(self.ws["template"], self.lang),
                           made=now()[:16].replace("T", " "), min_group=self.min_group)

    def group_counts(self, unnamed: bool = False) -> list[tuple[str, int]]:
        """Participants by stakeholder group; groups under the threshold counted together. `unnamed`:
        only those not named in the minutes by their own wish (the minutes list those by name)."""
        counts: dict = {}
        for p in self.participants:
            if p.get("kind") == "import" or (unnamed and p.get("minutes_name")):
                continue
            counts[p["stakeholder_group"]] = counts.get(p["stakeholder_group"], 0) + 1
        shown = [(self.group(g), n) for g, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n >= self.min_group]
        small = sum(n for n in counts.values() if n < self.min_group)
        if small:
            shown.append((self.t("report.small_groups", n=self.min_group), small))
        return shown

    def participants_section(self) -> str:
        rows = self.group_counts()
        kinds: dict = {}
        for p in self.participants:
            kinds[p.get("kind") or "device"] = kinds.get(p.get("kind") or "device", 0) + 1
        how = ", ".join(self.t(KINDS[k], n=n) for k, n in sorted(kinds.items()) if k in KINDS)
        return self.render("participants", rows=rows, total=sum(n for _, n in rows), how=how)

    def map_section(self, interactive: bool = True) -> str:
        if not self.actors:
            return self.render("map", actors=0)
        types = nw.link_types(self.tpl)
        a = nw.analyse(self.actors, self.links, self.tpl.get("required_sectors", []), types=types)
        by_id = {x["id"]: x for x in self.actors}
        svg = map_svg(self.actors, self.links, self.tpl["sectors"], types, self.sector, self.link_type,
                      self.t("map.title", title=self.title), self.lang)
        flags = ([self.t("map.too_small")] if a.too_small else []) + [
            nw.flag_sentence(f, by_id, self.sector, self.lang) for f in a.flags
            if not a.too_small or f.kind in ("missing_sector", "isolated")]
        page = (nw.interactive_map(self.actors, self.links, self.tpl["sectors"], types, self.sector, self.link_type)
                if interactive else "")
        rows = []
        for x in sorted(self.actors, key=lambda x: (x["sector"], x["name"])):
            m = a.measures.get(x["id"], {})
            rows.append([x["name"], self.sector(x["sector"]), "" if x["influence"] is None else x["influence"],
                         "" if x["interest"] is None else x["interest"], t("quadrant." + a.quadrants[x["id"]], self.lang),
                         number(m["betweenness"], self.lang, 2) if m else "–"])
        since = None
        if self.snapshots:
            first = self.snapshots[0]
            d = nw.compare(first["data"], nw.snapshot(self.actors, self.links))
            since = {"label": first["label"], "date": first["taken_at"][:10], "links": len(d["new_links"]),
                     "cross": len(d["new_cross_sector_links"]), "isolated": len(d["no_longer_isolated"]),
                     "sectors": len(d["sectors_filled"])}
        meeting = None
        prev = self.store.previous_meeting(self.ws["id"])
        if prev is not None:  # this meeting's map against the previous meeting's (issue 17, item 6)
            d = nw.compare(self.store.map_by_origin(prev["id"]), self.store.map_by_origin(self.ws["id"]))
            meeting = {"number": prev["number"], "links": len(d["new_links"]), "cross": len(d["new_cross_sector_links"]),
                       "isolated": len(d["no_longer_isolated"]), "sectors": len(d["sectors_filled"])}
        return self.render("map", actors=len(self.actors), links=len(self.links), svg=svg, interactive=page,
                           flags=flags, rows=rows, since=since, meeting=meeting)

    def ideas_section(self) -> str:
        texts = {i["id"]: i["text"] for i in self.ideas}
        rows = []
        for i in self.ideas:
            status = self.t("status." + i["status"])
            if i["status"] == "rejected":
                status = self.t("ui.status_rejected", reason=i["reject_reason"] or "")
            elif i["status"] == "merged":
                status = self.t("report.merged_into", idea=texts.get(i["merged_into"], ""))
            by = self.proposer(i["participant_id"])
            tags = i.get("tags") or {}
            tag_text = ", ".join([t(f"pore.{tags['pore_level']}", self.lang)] if tags.get("pore_level") else []
                                 + [t("thl." + d, self.lang) for d in tags.get("thl", [])])
            cost = money(budgeting.to_amount(i["cost"]), self.lang) if i.get("cost") else ""
            rows.append([i["text"], by, status, tag_text, cost])
        return self.render("ideas", rows=rows)

    def round_results(self, r: dict):
        counted = self.store.results(r["id"])
        return counted.items, counted.ballots, counted.results

    def rounds_section(self) -> str:
        out = []
        for r in self.rounds:
            items, ballots, res = self.round_results(r)
            text = {i["id"]: i["text"] for i in items}
            sources: dict = {}
            for b in ballots:
                sources[b["source"]] = sources.get(b["source"], 0) + 1
            view = {"title": voting.round_title(r, self.lang), "method": r["method"], "status": r["status"], "rules": self.rules_text(r),
                    "ballots": len(ballots), "has_result": voting.has_result(res),
                    "how": ", ".join(self.t(KINDS[k], n=n) for k, n in sorted(sources.items()) if k in KINDS)}
            codes = self.store.code_counts(r["id"])
            if codes["issued"]:  # one person, one vote: how many codes were made and how many unlocked a ballot
                view["codes"] = self.t("report.codes", issued=codes["issued"], used=codes["used"])
            out.append(view)
            if not view["has_result"]:
                continue
            view["unit"] = self.t({"dots": "ui.unit_dots", "ranking": "ui.unit_points"}.get(r["method"], "ui.unit_votes"))
            view["rows"] = [[x.rank, text.get(x.idea_id, ""), x.score] for x in res]
            ties = voting.round_ties(r["method"], res, len(items))
            view["tie"] = ", ".join(text[i] for i in ties) if ties else ""
            view["pb"] = []
            if r["method"] == "pb":
                e = self.store.election(r["id"])
                binding = voting.pb_rule(r["rules"])  # the one result first, the other only as a comparison
                view["pb"] = [{"heading": self.t("ui.pb_binding" if rule == binding else "ui.pb_compare",
                                                 rule=self.t(RULE_TITLE[rule])),
                               "steps": budgeting.explain(budgeting.cached(e, rule), e, self.lang)}
                              for rule in (binding, *voting.pb_comparisons(binding))]
            g = voting.by_group(r["method"], r["rules"], [i["id"] for i in items], ballots, self.min_group)
            view["groups"] = {
                "head": [f"{self.group(gid) if gid != 'other' else self.t('ui.group_other')} ({g['sizes'][gid]})"
                         for gid in g["groups"]],
                "rows": [[text.get(x.idea_id, "")] + [g["groups"][gid][x.idea_id] for gid in g["groups"]] for x in res],
            } if g["groups"] else None
            view["suppressed"] = g["suppressed_voters"]
        return self.render("rounds", rounds=out, min_group=self.min_group)

    def rules_text(self, r: dict) -> str:
        rules = r["rules"]
        if r["method"] == "dots":
            return self.t("report.rules_dots", dots=rules.get("dots"), cap=rules.get("cap") or "–")
        if r["method"] == "pb":
            return self.t("report.rules_pb", budget=money(budgeting.to_amount(rules["budget"]), self.lang),
                          rule=self.t(RULE_TITLE[voting.pb_rule(rules)]))
        if r["method"] == "ranking":
            return self.t("report.rules_ranking", k=rules.get("k"))
        if r["method"] == "approval":
            return self.t("report.rules_approval", min=rules.get("min") or 0, max=rules.get("max") or "–")
        return ""

    def roles_section(self) -> str:
        from kit import roles
        from kit.i18n import label as tlabel

        d = self.roles_data()
        plan, tasks, holders, assign = d["plan"], d["tasks"], d["holders"], d["assignments"]
        if not tasks and not holders and not any(plan.get(k) for k in PLAN_KEYS):
            return self.render("roles", empty_stage=True)
        names = {x["id"]: x["name"] for x in holders}
        terms = [(self.t(key), plan[k]) for k, key in PLAN_KEYS.items() if plan.get(k)]
        if plan.get("budget"):
            terms.append((self.t("section.budget"), money(budgeting.to_amount(plan["budget"]), self.lang)))
        for key, label_key in (("responsible_person", "ui.responsible_person"), ("budget_owner", "ui.budget_owner")):
            if plan.get(key) in names:
                terms.append((self.t(label_key), names[plan[key]]))
        shown = [x for x in holders if not x["removed"] or any(k[1] == x["id"] for k in assign)]
        raci = {"head": [x["name"] for x in shown],
                "rows": [[task["title"]] + [assign.get((task["id"], x["id"]), "").replace("AR", "A+R") for x in shown]
                         for task in tasks]} if tasks and shown else None
        findings = roles.check_raci(tasks, holders, assign, plan.get("responsible_person"), plan.get("budget_owner"))
        work = roles.workload(tasks, holders, assign)
        findings += work["findings"]
        by_task, by_holder = {x["id"]: x for x in tasks}, {x["id"]: x for x in holders}
        labels = {c["id"]: c["label"] for c in self.tpl["competences"]}
        cov = roles.coverage(holders, d["competences"], d["levels"])
        coverage = [self.t(COVERAGE_KEYS[v["status"]], competence=tlabel(labels[c], self.lang) if c in labels else c,
                           n=len(v["holders"])) for c, v in cov.items()]
        workload = (self.t("ui.workload_summary", gini=number(work["gini"], self.lang, 2),
                           ratio=number(work["max_mean"], self.lang, 1))
                    if work["load"] else "")
        actions = [[a["task"], ", ".join(a["responsible"]), ", ".join(a["accountable"]), a["due"] or ""]
                   for a in roles.action_list(tasks, holders, assign)]
        return self.render("roles", empty_stage=False, plan=terms, raci=raci,
                           findings=[roles.sentence(f, by_task, by_holder, self.lang) for f in findings],
                           coverage=coverage, workload=workload, actions=actions)

    def evaluation_section(self) -> str:
        from kit import evaluation as ev

        nodes, edges = self.store.logic_model(self.ws["id"])
        inds = self.store.indicators(self.ws["id"])
        forms_ = [f for f in self.store.forms(self.ws["id"]) if f["status"] != "draft"]
        log = self.store.activity_log(self.ws["id"])
        if not nodes and not inds and not forms_ and not log:
            return self.render("evaluation", empty_stage=True)
        text = {n["id"]: n["text"] for n in nodes}
        findings = []
        if nodes:
            dims = self.store.plan(self.ws["id"]).get("thl_dimensions") or []
            findings = [self.t(CHECK_KEYS[f.code], node=text.get(f.node, ""),
                               dimension=self.t(THL_KEYS[f.params["dimension"]]) if "dimension" in f.params else "")
                        for f in ev.check_model(nodes, edges, inds, dims)]
        names = {g["id"]: g["label"] for g in wsmod.groups(self.ws["template"], self.lang)}
        saved = self.store.plan(self.ws["id"]).get("criteria") or {}
        crit = [(c["text"].get(self.lang) or c["text"]["fi"],
                 self.t(CRITERION_KEYS[(saved.get(c["id"]) or {}).get("status", "not_started")]),
                 (saved.get(c["id"]) or {}).get("evidence", "")) for c in criteria()] if saved else []
        forms_html = []
        for f in forms_:
            resp = self.store.responses(f["id"])
            least = max(f["min_answers"], self.min_group)
            forms_html.append(form_results_html(f, resp, ev.aggregate(f["questions"], resp, least), self.lang, least))
            base = self.store.form(f["baseline_id"]) if f.get("baseline_id") else None
            if base is not None:  # a follow-up: the change from its baseline (perhaps at an earlier meeting)
                rows = ev.change(f["questions"], self.store.responses(base["id"]), resp, least,
                                 self._person(base["workshop_id"]))
                forms_html.append(render("evaluation/change.html", self.lang, rows=rows, least=least,
                                         baseline=base["title"], followup=f["title"]))
        return self.render("evaluation", empty_stage=False, model=model_html(nodes, edges, self.lang) if nodes else "",
                           findings=findings, indicators=indicators_html(inds, text, self.lang, current_values(inds, log))
                           if inds else "",
                           log=log_html(log, names, self.lang) if log else "", criteria=crit, forms=forms_html)

    def _person(self, baseline_meeting: int):
        """Who answered, for pairing a baseline with its follow-up here: the hash of the pairing code
        a participant kept; within one meeting, else the participant themself; across meetings,
        without a code, nobody (counted unpaired)."""
        keys = self.store.pair_keys(sorted({baseline_meeting, self.ws["id"]}))
        same = baseline_meeting == self.ws["id"]
        return lambda pid: keys.get(pid) or (pid if same else None)

    def later_stages(self) -> str:
        return self.roles_section() + self.evaluation_section()

    def tray_section(self) -> str:
        """The service tray in brief: activities by step level, gaps, interest (only when there is a tray)."""
        acts = self.store.activities(self.ws["id"])
        if not acts:
            return ""
        lv, gr = tray.levels(self.tpl), tray.groups(self.tpl)
        counts = self.store.interest_counts(self.ws["id"])
        feedback = self.store.tray_feedback(self.ws["id"])
        rows = []
        for level, items in tray.catalogue_rows(acts, lv):
            for a in items:
                c = counts.get(a["id"], {"interested": 0, "organise": 0})
                rows.append([a["name"], a["organiser"] or "", tray.level_label(lv, level["id"], self.lang),
                             c["interested"], c["organise"], tray.feedback_text(feedback.get(a["id"]), self.lang)])
        gaps = tray.gaps(acts, lv, gr, tray.languages_wanted(self.tpl))
        return self.render("tray", total=len(acts), rows=rows,
                           gaps=[tray.gap_text(g, lv, gr, self.lang) for g in gaps],
                           narrow=[tray.narrow_text(n, lv, self.lang) for n in tray.narrow_organisers(acts)])

    def run_section(self) -> str:
        """The run of show: the agenda as planned and how far the room went, each warm-up's words, and
        the questions from the room by votes (answered or still open)."""
        from kit.agenda import activity_title

        items = self.store.agenda(self.ws["id"])
        reached = {e["payload"].get("to") for e in self.store.event_log(self.ws["id"]) if e["kind"] == "agenda_moved"}
        state = self.store.agenda_state(self.ws["id"])
        if state["current"] is not None:  # where the room is now, and the first activity, where it began
            reached.add(state["current"]["id"])
        if items and (reached or state["current"] is not None):
            reached.add(items[0]["id"])
        acts, clouds, asked = [], [], []
        for i, a in enumerate(items):
            title = activity_title(a, self.lang)
            acts.append({"position": i + 1, "title": title, "minutes": a["minutes"], "reached": a["id"] in reached})
            if a["type"] == "words":
                cloud = self.store.word_cloud(self.ws["id"], a["id"], self.lang, top=30)
                if cloud:
                    clouds.append({"title": title, "words": cloud})
            if a["type"] == "questions":
                qs = [q for q in self.store.questions(self.ws["id"], a["id"]) if q["status"] in ("visible", "answered")]
                if qs:
                    asked.append({"title": title, "questions": qs})
        return self.render("run", acts=acts, clouds=clouds, asked=asked)

    def proposals(self) -> list[dict]:
        """Budgeting proposals with their phase across the network's meetings up to this one."""
        return network_proposals(self.store, self.ws, {self.ws["id"]: self.rounds})

    def proposals_section(self) -> str:
        rows = []
        found = self.proposals()
        several = len({x["meeting"] for x in found}) > 1 or any(x["meeting"] != (self.ws.get("meeting_no") or 1)
                                                                 for x in found)
        for x in found:
            prop = x.get("proposal") or {}
            cost = lambda v: money(budgeting.to_amount(v), self.lang) if v else ""  # noqa: E731
            impl = " ".join(v for v in (self.t(f"proposal.impl_{prop['implementation']}") if prop.get("implementation")
                                        else "", prop.get("implemented_on", ""), prop.get("implementation_note", "")) if v)
            row = [x["text"], self.t(f"proposal.phase_{x['phase']}"), cost(prop.get("preliminary_cost")),
                   cost(x.get("cost")), prop.get("feasibility", ""), impl]
            rows.append(([str(x["meeting"])] if several else []) + row)
        return self.render("proposals", rows=rows, several=several) if rows else ""

    def sections(self, interactive: bool = True) -> list[str]:
        out = [self.header(), self.participants_section(), self.run_section(), self.map_section(interactive),
               self.ideas_section(), self.rounds_section()]
        proposals_html = self.proposals_section()
        out += ([proposals_html] if proposals_html else []) + [self.later_stages()]
        tray_html = self.tray_section()
        return out + [tray_html] if tray_html else out

    # minutes -------------------------------------------------------------------------------------
    def decisions(self) -> list[str]:
        return [line for r in self.rounds if r["status"] == "closed" and (line := self.decision_line(r))]

    def decision_line(self, r: dict) -> str:
        """A vote's result as the minutes record it: a budgeting round's one binding result (by the rule
        fixed when it opened), else what came first."""
        items, ballots, res = self.round_results(r)
        text = {i["id"]: i["text"] for i in items}
        if not voting.has_result(res):
            return self.t("minutes.no_result", title=voting.round_title(r, self.lang))
        if r["method"] == "pb":
            e = self.store.election(r["id"])
            rule = voting.pb_rule(r["rules"])
            o = budgeting.cached(e, rule)
            return self.t("minutes.pb", title=voting.round_title(r, self.lang), rule=self.t(RULE_TITLE[rule]),
                          projects=", ".join(e.project(x).label for x in o.funded) or "–", left=money(o.left, self.lang))
        top = [x for x in res if x.rank == 1]
        return self.t("minutes.top", title=voting.round_title(r, self.lang), ideas=", ".join(text[x.idea_id] for x in top),
                      score=top[0].score, n=len(ballots))

    def action_lines(self) -> list[str]:
        from kit import roles

        from kit import meetings as mt

        d = self.roles_data()
        meetings = self.store.network_of(self.ws["id"])["meetings"]  # the tasks as they stood at this meeting
        d["tasks"] = mt.as_they_stood(d["tasks"], meetings, self.ws["meeting_no"] or 1,
                                      self.store.network_reviews(meetings))
        return [self.t("minutes.action", task=a["task"], who=", ".join(a["responsible"] or a["accountable"]) or "–",
                       due=a["due"] or "–")
                for a in roles.action_list(d["tasks"], d["holders"], d["assignments"])]

    def minutes(self):
        """The minutes (pöytäkirja) in the form a working group files them (kit/report_minutes.py)."""
        from kit import report_minutes

        return report_minutes.build(self)

    def minutes_html(self) -> str:
        from kit import report_minutes

        return report_minutes.html(self.minutes(), self.lang)

    def minutes_text(self) -> str:
        from kit import report_minutes

        return report_minutes.text(self.minutes())

    # the notebook nbconvert renders ---------------------------------------------------------------
    def notebook(self, interactive: bool = True) -> nbformat.NotebookNode:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kit"] = {"lang": self.lang, "title": self.t("report.title", title=self.title)}
        for html in self.sections(interactive):
            cell = nbformat.v4.new_code_cell(source="")
            cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html})]
            nb.cells.append(cell)
        return nb


KINDS = {"device": "report.kind_device", "kiosk": "report.kind_kiosk", "paper": "report.kind_paper",
         "import": "report.kind_import"}


def _exporter(cls):
    e = cls(template_name="kit_report", extra_template_basedirs=[str(template_dir())])
    e.exclude_input = True
    return e


def report_html(store: Store, workshop_id: int, lang: str | None = None, min_group: int | None = None) -> str:
    from nbconvert import HTMLExporter

    body, _ = _exporter(HTMLExporter).from_notebook_node(Report(store, workshop_id, lang, min_group).notebook())
    return body


def tray_catalogue_html(store: Store, workshop_id: int, lang: str | None = None) -> str:
    """The printable tray for service guidance: one page-friendly document, ordered by step level,
    in the language asked; a self-contained file (no web fonts, no scripts)."""
    ws = store.workshop(workshop_id)
    lang = lang or ws["language"]
    tpl = wsmod.template(ws["template"])
    lv, gr = tray.levels(tpl), tray.groups(tpl)
    acts = store.activities(workshop_id)
    levels = []
    for level, items in tray.catalogue_rows(acts, lv):
        shown = []
        for a in items:
            shown.append({"name": a["name"], "fields": tray.activity_fields(a, gr, lang)})
        levels.append({"heading": t("tray.step", lang, n=level["id"], level=tray.level_label(lv, level["id"], lang)),
                       "activities": shown})
    return render("tray/catalogue.html", lang, title=t("tray.catalogue_title", lang, title=wsmod.title(ws, lang)),
                  count=len(acts), date=now()[:10], levels=levels)


def _footer(title: str, lang: str) -> str:
    """Chromium's print footer: the workshop's name and "page N / M", in 8 pt (its default is 0)."""
    from markupsafe import escape

    page = escape(t("report.page", lang))
    return ("<div style='font-family:DejaVu Sans,sans-serif;font-size:8pt;color:#3d3d3d;width:100%;"
            "margin:0 15mm;display:flex;justify-content:space-between'>"
            f"<span>{escape(title)}</span><span>{page} <span class='pageNumber'></span> / "
            "<span class='totalPages'></span></span></div>")


def html_to_pdf(page: str, title: str = "", lang: str = "fi") -> bytes:
    """A self-contained HTML page printed by Debian's chromium through Playwright: A4 with margins, the
    workshop's name and the page number in every footer, as a municipality files it. (nbconvert's
    webpdf exporter prints US Letter with no footer and has no setting for either.) Runs in a thread
    of its own, so it works inside a running event loop (a kernel, a server handler) too."""
    import concurrent.futures
    import tempfile

    if not CHROMIUM.exists():
        raise KitError("pdf_unavailable", status=503)

    def run() -> bytes:
        from playwright.sync_api import sync_playwright

        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "page.html"
            src.write_text(page, encoding="utf-8")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
                    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
                try:
                    tab = browser.new_page()
                    tab.emulate_media(media="print")
                    tab.goto(src.as_uri(), wait_until="load")
                    return tab.pdf(format="A4", print_background=True, display_header_footer=True,
                                   header_template="<span></span>", footer_template=_footer(title, lang),
                                   margin={"top": "15mm", "bottom": "18mm", "left": "15mm", "right": "15mm"})
                finally:
                    browser.close()

    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(run).result(timeout=180)
    except Exception as err:  # no browser, a crash, a timeout: say so, in words
        if isinstance(err, KitError):
            raise
        raise KitError("pdf_unavailable", status=503) from None


def report_pdf(store: Store, workshop_id: int, lang: str | None = None, min_group: int | None = None) -> bytes:
    """The report as A4 PDF: the same HTML as the report download, printed (see html_to_pdf)."""
    from nbconvert import HTMLExporter

    rep = Report(store, workshop_id, lang, min_group)
    body, _ = _exporter(HTMLExporter).from_notebook_node(rep.notebook(interactive=False))
    return html_to_pdf(body, rep.title, rep.lang)


def export(store: Store, workshop_id: int, fmt: str, lang: str | None = None,
           include_nicknames: bool = False) -> tuple[bytes, str]:
    """(content, suggested file name) of one export."""
    ws = store.workshop(workshop_id)
    code = ws["code"]
    if fmt == "html":
        return report_html(store, workshop_id, lang).encode("utf-8"), f"{code}-report.html"
    if fmt == "pdf":
        return report_pdf(store, workshop_id, lang), f"{code}-report.pdf"
    if fmt == "minutes":
        return Report(store, workshop_id, lang).minutes_html().encode("utf-8"), f"{code}-minutes.html"
    if fmt == "minutes_pdf":
        rep = Report(store, workshop_id, lang)
        return html_to_pdf(rep.minutes_html(), rep.title, rep.lang), f"{code}-minutes.pdf"
    if fmt in ("summary", "summary_docx"):
        from kit import summary

        rep = Report(store, workshop_id, lang)
        doc = summary.build(rep)
        if fmt == "summary":
            return summary.html(doc, rep.lang).encode("utf-8"), f"{code}-summary.html"
        return summary.docx(doc, rep.lang), f"{code}-summary.docx"
    if fmt == "minutes_docx":
        from kit import report_minutes

        rep = Report(store, workshop_id, lang)
        return report_minutes.docx(rep.minutes(), rep.lang), f"{code}-minutes.docx"
    if fmt == "xlsx":
        return xlsx(store, workshop_id, include_nicknames), f"{code}.xlsx"
    if fmt == "csv":
        return csv_zip(store, workshop_id, include_nicknames), f"{code}-csv.zip"
    if fmt == "pb":
        files = pb_files(store, workshop_id)
        if not files:
            raise KitError("no_pb_rounds", status=409)
        if len(files) == 1:
            ((name, text),) = files.items()
            return text.encode("utf-8"), f"{code}-{name}"
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in files.items():
                z.writestr(name, text)
        return buf.getvalue(), f"{code}-pb.zip"
    if fmt in ("graphml", "kumu"):
        actors, links = store.map_data(workshop_id)
        if fmt == "graphml":
            return nw.to_graphml(actors, links).encode("utf-8"), f"{code}.graphml"
        return nw.to_kumu(actors, links), f"{code}-kumu.xlsx"
    if fmt == "tray":
        return tray_catalogue_html(store, workshop_id, lang).encode("utf-8"), f"{code}-tray.html"
    if fmt == "tray_pdf":
        ws = store.workshop(workshop_id)
        return (html_to_pdf(tray_catalogue_html(store, workshop_id, lang), wsmod.title(ws, lang or ws["language"]),
                            lang or ws["language"]),
                f"{code}-tray.pdf")
    if fmt == "json":
        return json.dumps(store.dump_workshop(workshop_id), ensure_ascii=False, indent=1).encode("utf-8"), \
            f"{code}-backup.json"
    if fmt == "network_json":  # every meeting of the network
        return json.dumps(store.dump_network(workshop_id), ensure_ascii=False, indent=1).encode("utf-8"), \
            f"{code}-network-backup.json"
    raise KitError("unknown_format", fmt=str(fmt)[:20], known=", ".join(FORMATS))


def write_atomically(path: Path, content: bytes) -> None:
    if path.exists():
        raise KitError("out_exists", path=str(path))
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(content)
        tmp.replace(path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise KitError("cannot_write", path=str(path), reason=err.strerror or str(err)) from None


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M")
