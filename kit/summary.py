"""A summary for the organisations that root the work (issue 17, item 7): the network's operating model
and its evaluation in the structure the seeds themselves follow, Innokylä's headings (perusidea,
toimintaympäristö, kohderyhmä, toteutus, toimivuuden ehdot, arvioinnin tulokset per THL dimension,
vinkit soveltajille). Each section is drafted only from what the meetings recorded and names what
it was drafted from; a section with no data says so instead of filling in text. HTML and an
editable DOCX, since the organisations finish it in their own words."""

from __future__ import annotations

from dataclasses import dataclass, field

from kit import evaluation as ev
from kit import workshop as wsmod
from kit.numbers import number
from kit.render import render
from kit.report_minutes import docx_bytes, docx_document, docx_text

SECTIONS = ("idea", "environment", "target_group", "implementation", "conditions", "results", "tips")


@dataclass
class Part:
    key: str
    heading: str
    lines: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # what it was drafted from; nothing: says so
    sub: list[tuple[str, list[str]]] = field(default_factory=list)  # the results per THL dimension


@dataclass
class Summary:
    title: str
    facts: list[tuple[str, str]]
    parts: list[Part]
    labels: dict


def build(rep) -> Summary:
    """The summary of the meeting(s) `rep` (a kit.report.Report) reports on."""
    t, ws, store, wid = rep.t, rep.ws, rep.store, rep.ws["id"]
    plan = store.plan(wid)
    parts = {k: Part(k, t(f"summary.{k}")) for k in SECTIONS}

    # the basic idea: why (the plan's need for change) and what the network chose
    if plan.get("need_for_change"):
        parts["idea"].lines.append(plan["need_for_change"])
        parts["idea"].sources.append(t("summary.src_plan"))
    chosen = [line for r in rep.rounds if r["status"] == "closed" and (line := rep.decision_line(r))]
    if chosen:
        parts["idea"].lines += chosen
        parts["idea"].sources.append(t("summary.src_votes"))

    # the operating environment: who is on the map, and the tray's places
    actors, links = store.map_data(wid)
    if actors:
        sectors = sorted({a["sector"] for a in actors})
        parts["environment"].lines.append(t("summary.map_line", actors=len(actors), links=len(links),
                                            sectors=", ".join(wsmod.sector_label(ws["template"], s, rep.lang)
                                                              for s in sectors)))
        parts["environment"].sources.append(t("summary.src_map"))
    places = sorted({a["place"] for a in store.activities(wid) if a.get("place")})
    if places:
        parts["environment"].lines.append(t("summary.places", places=", ".join(places)))
        parts["environment"].sources.append(t("summary.src_tray"))

    # the target group: the plan's words and who took part (groups under the threshold together)
    if plan.get("target_groups"):
        parts["target_group"].lines.append(plan["target_groups"])
        parts["target_group"].sources.append(t("summary.src_plan"))
    counts = rep.group_counts()
    if counts:
        parts["target_group"].lines.append(t("summary.took_part", groups=", ".join(f"{g} {n}" for g, n in counts)))
        parts["target_group"].sources.append(t("summary.src_participants"))

    # implementation: what the meeting did, and the agreed tasks
    held = [a for a in store.agenda(wid) if a["type"] not in ("join", "slide")]
    if held:
        from kit.agenda import activity_title

        parts["implementation"].lines.append(t("summary.agenda", items=", ".join(activity_title(a, rep.lang)
                                                                                  for a in held)))
        parts["implementation"].sources.append(t("summary.src_agenda"))
    actions = rep.action_lines()
    if actions:
        parts["implementation"].lines += actions
        parts["implementation"].sources.append(t("summary.src_tasks"))

    # the conditions for it to work: competences, networks, who answers for it, the checklist
    for key in ("competences_needed", "networks", "operating_model"):
        if plan.get(key):
            parts["conditions"].lines.append(f"{t('plan.' + key)}: {plan[key]}")
    if any(plan.get(k) for k in ("competences_needed", "networks", "operating_model")):
        parts["conditions"].sources.append(t("summary.src_plan"))
    holders = {h["id"]: h["name"] for h in rep.roles_data()["holders"]}
    for role in ("responsible_person", "budget_owner"):
        if plan.get(role) in holders:
            parts["conditions"].lines.append(t(f"summary.{role}", name=holders[plan[role]]))
            if t("summary.src_roles") not in parts["conditions"].sources:
                parts["conditions"].sources.append(t("summary.src_roles"))
    saved = plan.get("criteria") or {}
    if saved:
        from kit.render.evaluation import criteria

        listed = criteria()
        met = [c for c in listed if (saved.get(c["id"]) or {}).get("status") == "met"]
        parts["conditions"].lines.append(t("summary.criteria", n=len(met), total=len(listed)))
        parts["conditions"].sources.append(t("summary.src_criteria"))

    # the results, per THL dimension: the feedback forms' questions of that dimension (only above the
    # threshold, as in the report) and the indicators' latest values
    res = parts["results"]
    for dim in ev.THL:
        lines = []
        for f in store.forms(wid):
            if f["status"] == "draft":
                continue
            resp = store.responses(f["id"])
            least = max(f["min_answers"], rep.min_group)
            rows = {r["id"]: r for r in ev.aggregate(f["questions"], resp, least)}
            for q in f["questions"]:
                row = rows.get(q["id"])
                if q.get("thl") == dim and q["kind"] == "scale" and row and row["shown"]:
                    lines.append(t("summary.mean", question=q["text"], mean=number(row["mean"], rep.lang, 1), n=row["n"]))
        res.sub.append((t(f"thl.{dim}"), lines))
        if lines and t("summary.src_forms") not in res.sources:
            res.sources.append(t("summary.src_forms"))
    from kit.render.evaluation import current_values

    inds = store.indicators(wid)
    now_ = current_values(inds, store.activity_log(wid))
    for i in inds:
        value = now_.get(i["id"])
        if value is not None:
            res.lines.append(t("summary.indicator", name=i["name"], value=number(value, rep.lang)))
    if res.lines:
        res.sources.append(t("summary.src_indicators"))
    if not res.sources:
        res.sub = []  # nothing at all to show per dimension: the section says so once

    net = store.network_of(wid)  # the network's details (item 1) and how many times it has met
    info = net["info"] or {}
    facts = [(t("summary.network"), net["name"] or rep.title)]
    facts += [(t(f"network.{k}"), info[k]) for k in ("organisation", "municipality", "funder", "project_code")
              if info.get(k)]
    facts += [(t("summary.model"), wsmod.template_name(ws["template"], rep.lang)),
              (t("summary.meetings"), str(len(net["meetings"])))]
    labels = {"sources": t("summary.sources"), "no_data": t("summary.no_data"), "draft": t("summary.draft")}
    return Summary(t("summary.title", title=rep.title), facts, [parts[k] for k in SECTIONS], labels)


def html(s: Summary, lang: str) -> str:
    return render("report/summary.html", lang, s=s)


def docx(s: Summary, lang: str) -> bytes:
    clean = docx_text
    d = docx_document(s.title, lang)
    d.add_paragraph(clean(s.labels["draft"])).runs[0].italic = True
    for k, v in s.facts:
        p = d.add_paragraph()
        p.add_run(clean(k) + ": ").bold = True
        p.add_run(clean(v))
    for part in s.parts:
        d.add_heading(clean(part.heading), level=2)
        if not part.sources:
            d.add_paragraph(clean(s.labels["no_data"])).runs[0].italic = True
            continue
        for line in part.lines:
            d.add_paragraph(clean(line))
        for dim, lines in part.sub:
            d.add_heading(clean(dim), level=3)
            for line in lines or [s.labels["no_data"]]:
                d.add_paragraph(clean(line), style="List Bullet")
        d.add_paragraph(clean(f"{s.labels['sources']}: {', '.join(part.sources)}")).runs[0].italic = True
    return docx_bytes(d)
