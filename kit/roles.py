"""Roles and responsibilities (stage 3): RACI checks, competence coverage, workload and rooting, the
action list. Pure: plain dicts in, findings out (domain spec §4).

Task: {id, title, section, effort (hours or None), due (ISO date or None), a_implies_r, deputy}
Holder: {id, name, kind (person | group | participant | actor), chair (groups), unpaid, removed}
Assignments: {(task_id, holder_id): letters} with letters in LETTERS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

LETTERS = ("R", "A", "C", "I", "AR")  # one letter per holder per task; A with R is the documented exception
WEIGHTS = {"R": 1.0, "A": 0.5, "C": 0.25, "I": 0.05}  # a kit convention (spec §4.5), not from a source
SECTIONS = ("need_for_change", "target_groups", "competences", "networks", "budget", "implementation",
            "evaluation", "communication", "other")
MAX_C = 3
GINI_WARN = 0.3
MAX_MEAN_WARN = 1.5
A_SHARE_WARN = 0.5
TERM_MONTHS = 12
# groups whose members take part unpaid (residents, clients, young people, experts by experience): a
# holder from one of them is marked unpaid, so their workload is read with that in mind
UNPAID_GROUPS = ("resident", "expert_by_experience", "client", "young_person")
# which sectors of the map tend to hold a competence (suggestions for a gap; a network can do otherwise)
COMPETENCE_SECTORS = {
    "social_health": ("sote_professional", "wellbeing_services_county"),
    "mental_health": ("sote_professional", "third_sector", "youth_worker"),
    "creative_methods": ("culture_practitioner", "education"),
    "nature_methods": ("green_care_practitioner",),
    "co_development": ("expert_by_experience", "third_sector", "municipality"),
    "facilitation": ("education", "third_sector", "culture_practitioner"),
    "budgeting": ("municipality", "wellbeing_services_county"),
}


@dataclass
class Finding:
    level: str  # error | warning
    code: str
    task: int | None = None
    holder: int | None = None
    params: dict = field(default_factory=dict)


def letters_of(assignments: dict, task_id: int) -> dict:
    return {h: x for (t, h), x in assignments.items() if t == task_id and x}


def check_raci(tasks: list[dict], holders: list[dict], assignments: dict,
               responsible_person: int | None = None, budget_owner: int | None = None) -> list[Finding]:
    """The RACI rules: exactly one A per task (a person, or a group with a named chair); at least one
    R (or A implying R, when ticked); budget tasks accountable to the budget owner; exactly one
    responsible person; more than three C is a warning; holders removed while holding tasks."""
    by_id = {h["id"]: h for h in holders}
    out: list[Finding] = []
    for task in tasks:
        marks = letters_of(assignments, task["id"])
        accountable = [h for h, x in marks.items() if "A" in x]
        responsible = [h for h, x in marks.items() if "R" in x]
        if len(accountable) != 1:
            out.append(Finding("error", "no_a" if not accountable else "many_a", task["id"],
                               params={"n": len(accountable)}))
        else:
            a = by_id.get(accountable[0], {})
            if a.get("kind") == "group" and not (a.get("chair") or "").strip():
                out.append(Finding("error", "group_without_chair", task["id"], accountable[0]))
            if task.get("deputy") in (None, accountable[0]):
                out.append(Finding("warning", "no_deputy", task["id"], accountable[0]))
        if not responsible:
            if accountable and task.get("a_implies_r"):
                pass
            else:
                out.append(Finding("error" if not accountable else "warning", "no_r", task["id"]))
        consulted = [h for h, x in marks.items() if x == "C"]
        if len(consulted) > MAX_C:
            out.append(Finding("warning", "c_inflation", task["id"], params={"n": len(consulted), "max": MAX_C}))
        if task.get("section") == "budget" and len(accountable) == 1:
            if budget_owner is None:
                out.append(Finding("error", "no_budget_owner", task["id"]))
            elif accountable[0] != budget_owner:
                out.append(Finding("error", "budget_not_owner", task["id"], accountable[0]))
        for h in marks:
            if by_id.get(h, {}).get("removed"):
                out.append(Finding("error", "removed_holder", task["id"], h))
    if tasks and responsible_person is None:
        out.append(Finding("error", "no_responsible_person"))
    return out


def coverage(holders: list[dict], competences: list[str], levels: dict) -> dict:
    """levels: {(holder_id, competence): 0|1|2}. Per competence: holders with any level, with a
    strong level; gaps are errors, a single holder a warning (spec §4.4)."""
    active = [h["id"] for h in holders if not h.get("removed")]
    out = {}
    for k in competences:
        any_ = [h for h in active if levels.get((h, k), 0) >= 1]
        strong = [h for h in active if levels.get((h, k), 0) >= 2]
        status = "gap" if not any_ else "single" if len(any_) == 1 else "ok" if strong else "no_strong"
        out[k] = {"holders": any_, "strong": strong, "status": status}
    return out


def suggest_for_gap(competence: str, actors: list[dict], holder_actor_ids: set) -> list[dict]:
    sectors = COMPETENCE_SECTORS.get(competence, ())
    return [a for a in actors if a.get("sector") in sectors and a["id"] not in holder_actor_ids]


def gini(values: list[float]) -> float:
    """G = sum_i sum_j |x_i - x_j| / (2 n^2 mean); 0 when n <= 1 or the mean is 0."""
    n = len(values)
    if n <= 1:
        return 0.0
    mu = sum(values) / n
    if mu == 0:
        return 0.0
    return sum(abs(a - b) for a in values for b in values) / (2 * n * n * mu)


def workload(tasks: list[dict], holders: list[dict], assignments: dict) -> dict:
    """Load per holder (weights R 1, A 0.5, C 0.25, I 0.05 times the task's effort, 1 when unknown),
    Gini, max/mean, and the findings: inequality, unpaid participants above the professionals'
    median, a holder accountable for more than half of the tasks."""
    effort = {t["id"]: (t.get("effort") or 1) for t in tasks}
    active = [h for h in holders if not h.get("removed")]
    load = {h["id"]: 0.0 for h in active}
    a_count = {h["id"]: 0 for h in active}
    for (tid, hid), x in assignments.items():
        if hid not in load or tid not in effort or not x:
            continue
        load[hid] += sum(WEIGHTS[c] for c in x) * effort[tid]
        if "A" in x:
            a_count[hid] += 1
    values = list(load.values())
    mean = sum(values) / len(values) if values else 0.0
    g = gini(values)
    ratio = (max(values) / mean) if values and mean else 0.0
    findings: list[Finding] = []
    if g > GINI_WARN or ratio > MAX_MEAN_WARN:
        top = max(load, key=load.get) if load else None
        findings.append(Finding("warning", "uneven_load", holder=top,
                                params={"gini": round(g, 2), "ratio": round(ratio, 1)}))
    pros = [load[h["id"]] for h in active if not h.get("unpaid")]
    if pros:
        med = median(pros)
        for h in active:
            if h.get("unpaid") and load[h["id"]] > med:
                findings.append(Finding("warning", "unpaid_overload", holder=h["id"],
                                        params={"load": round(load[h["id"]], 2), "median": round(med, 2)}))
    if tasks:
        for hid, n in a_count.items():
            if n / len(tasks) > A_SHARE_WARN:
                findings.append(Finding("warning", "too_many_a", holder=hid, params={"n": n, "of": len(tasks)}))
    return {"load": load, "gini": g, "max_mean": ratio, "mean": mean, "findings": findings}


def months_between(start: str, end: str) -> int:
    y1, m1 = int(start[:4]), int(start[5:7])
    y2, m2 = int(end[:4]), int(end[5:7])
    return (y2 - y1) * 12 + (m2 - m1)


def term_findings(terms: list[dict], today: str, limit_months: int = TERM_MONTHS) -> list[Finding]:
    """A responsible person or budget owner holding the role longer than the limit: rotate (rooting)."""
    out = []
    for term in terms:
        end = term.get("end") or today
        if months_between(term["start"], end) > limit_months:
            out.append(Finding("warning", "term_too_long", holder=term["holder"],
                               params={"role": term["role"], "months": months_between(term["start"], end),
                                       "limit": limit_months}))
    return out


def action_list(tasks: list[dict], holders: list[dict], assignments: dict) -> list[dict]:
    """What is to be done before the next meeting: open tasks with who does them and by when."""
    names = {h["id"]: h["name"] for h in holders}
    out = []
    for task in sorted(tasks, key=lambda t: (t.get("due") or "9999", t["id"])):
        if task.get("done") or task.get("dropped"):
            continue
        marks = letters_of(assignments, task["id"])
        out.append({"task": task["title"], "due": task.get("due"),
                    "responsible": [names.get(h, "?") for h, x in marks.items() if "R" in x],
                    "accountable": [names.get(h, "?") for h, x in marks.items() if "A" in x]})
    return out


def sentence(f: Finding, tasks_by_id: dict, holders_by_id: dict, lang: str, label=None) -> str:
    from kit.i18n import t

    task = tasks_by_id.get(f.task, {}).get("title", "")
    holder = holders_by_id.get(f.holder, {}).get("name", "")
    params = {k: (str(v).replace(".", ",") if isinstance(v, float) and lang != "en" else v) for k, v in f.params.items()}
    if "role" in params and label:
        params["role"] = label(params["role"])
    return t("raci." + f.code, lang, task=task, holder=holder, **params)


def volunteer_names(holders: list[dict], participants: list[dict], lang: str) -> list[dict]:
    """Holders as outputs may name them: a participant who volunteered and was accepted is a holder
    under their nickname on the desk; reports and exports call them "Volunteer 1", "Volunteer 2"
    instead. A name the facilitator typed for the holder stays."""
    from kit.i18n import t

    nick = {p["id"]: p["nickname"] for p in participants}
    n, out = 0, []
    for h in holders:
        if h["kind"] == "participant":
            n += 1
            if h["name"] == nick.get(h["participant_id"]) or h["name"].startswith("#"):
                h = {**h, "name": t("report.volunteer", lang, n=n)}
        out.append(h)
    return out
