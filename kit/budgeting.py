"""Participatory budgeting (osallistuva budjetointi): the rules, their explanation, and the `.pb` format.

Pure: an `Election` in, an `Outcome` out. The rules themselves run in pabutools 1.2.2 (domain spec
§3.4-§3.6); this module adds what the kit promises on top of it:

* greedy by votes never funds a project nobody voted for (pabutools' additive greedy would);
* the Method of Equal Shares with the standard Add1 completion (per-voter budget raised one currency
  unit at a time, `voter_budget_increment=1`), or none;
* the spec's tie-breaking for both rules: lowest cost, then more raw votes, then a lot drawn before
  counting (kept the same through every Add1 rerun);
* projects costing more than the whole budget are reported as not fundable, never dropped silently;
* an explanation of each step (who paid how much for what, money left) that the projector, the
  report and `kit pb` all print from the same `Outcome`.

Costs and the budget are exact fractions (`fractions.Fraction`) so that a shown sum is the real sum.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from kit.errors import KitError
from kit.numbers import money, number

RULES = ("greedy", "mes")
COMPLETIONS = ("add1", "none")
VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring")  # what the rules here can count


@dataclass
class Project:
    id: str
    cost: Fraction
    name: str = ""
    meta: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass
class Election:
    budget: Fraction
    projects: list[Project]
    ballots: list[dict[str, int]]  # per voter: {project id: points} (1 for an approval)
    vote_type: str = "approval"
    meta: dict = field(default_factory=dict)
    lot: list[str] | None = None  # drawn before counting; first in the list wins a full tie
    selected: set[str] | None = None  # the `selected` column of an imported file, if any
    currency: str = "€"  # an imported file's own unit (pabulib files rarely say; then none is shown)

    def project(self, pid: str) -> Project:
        return self._by_id()[pid]

    def _by_id(self) -> dict[str, Project]:
        return {p.id: p for p in self.projects}


@dataclass
class Step:
    kind: str  # funded | skipped_money | no_votes | not_fundable | not_enough_support
    project: str
    cost: Fraction
    votes: int | Fraction = 0
    left: Fraction | None = None  # money left after this step (greedy) or in the end (mes)
    payments: list[tuple[Fraction, int]] = field(default_factory=list)  # (amount, how many voters paid it)
    effective_votes: Fraction | None = None


@dataclass
class Outcome:
    rule: str
    completion: str | None
    budget: Fraction
    voters: int
    funded: list[str]  # in the order the rule chose them
    steps: list[Step]
    not_fundable: list[str]
    per_voter: Fraction | None = None  # mes: each voter's share in the final run
    base_per_voter: Fraction | None = None  # mes: budget / voters
    selected_differs: dict | None = None  # {"only_file": [...], "only_computed": [...]} when a file says otherwise

    @property
    def spent(self) -> Fraction:
        return sum((s.cost for s in self.steps if s.kind == "funded"), Fraction(0))

    @property
    def left(self) -> Fraction:
        return self.budget - self.spent

    @property
    def has_result(self) -> bool:
        return self.voters > 0


# -- checks -----------------------------------------------------------------------------------------
def to_amount(value, what: str = "cost") -> Fraction:
    """A money amount from a number or text ("1 200,50" too); refuses negatives and non-numbers."""
    if isinstance(value, bool) or value is None:
        raise KitError("bad_amount", what=what, value=str(value)[:20])
    if isinstance(value, (int, Fraction)):
        amount = Fraction(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            amount = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise KitError("bad_amount", what=what, value=str(value)[:20]) from None
    if amount < 0:
        raise KitError("negative_amount", what=what, value=str(value)[:20])
    return amount


def check_election(e: Election) -> None:
    if e.budget <= 0:
        raise KitError("budget_not_positive")
    if e.vote_type not in VOTE_TYPES:
        raise KitError("pb_vote_type", vote_type=str(e.vote_type)[:20])
    seen_ids, seen_names = set(), {}
    for p in e.projects:
        if p.id in seen_ids:
            raise KitError("duplicate_project", projects=[p.id], n=1)
        seen_ids.add(p.id)
        key = p.label.strip().casefold()
        if key in seen_names:
            raise KitError("duplicate_project", projects=[p.label], n=1)
        seen_names[key] = p.id
        if p.cost < 0:
            raise KitError("negative_amount", what="cost", value=str(p.cost))
    for b in e.ballots:
        for pid in b:
            if pid not in seen_ids:
                raise KitError("unknown_project", project=str(pid)[:40])


def not_fundable(e: Election) -> list[str]:
    """Projects that cost more than the whole budget: flagged before voting, shown in every result."""
    return [p.id for p in e.projects if p.cost > e.budget]


def supporters(e: Election) -> dict[str, int]:
    count = Counter()
    for b in e.ballots:
        for pid, points in b.items():
            if points > 0:
                count[pid] += 1
    return {p.id: count.get(p.id, 0) for p in e.projects}


def supporters_needed(cost, budget, voters: int) -> int | None:
    """Roughly how many supporters a project needs to be funded under equal shares: its share of the
    budget is the share of the voters it needs (equalshares.net's advice to proposers: a project
    costing 10 % of the budget needs about 10 % of the voters). A rule of thumb: completion can fund
    one with somewhat fewer, and enough supporters guarantee nothing if others get more. None
    without voters or a budget."""
    import math

    cost, budget = to_amount(cost), to_amount(budget, "budget")
    if voters <= 0 or budget <= 0:
        return None
    return max(1, math.ceil(cost * voters / budget))


def scores(e: Election) -> dict[str, int]:
    """Approvals for approval ballots; total points for cumulative and scoring ballots."""
    total = Counter()
    for b in e.ballots:
        for pid, points in b.items():
            total[pid] += points
    return {p.id: total.get(p.id, 0) for p in e.projects}


def lot_rank(e: Election) -> dict[str, int]:
    order = e.lot or [p.id for p in e.projects]
    rank = {pid: i for i, pid in enumerate(order)}
    return {p.id: rank.get(p.id, len(rank) + i) for i, p in enumerate(e.projects)}


def tie_key(e: Election):
    """The spec's tie-breaking as a sort key: lowest cost, then more raw votes, then the lot."""
    raw, rank = scores(e), lot_rank(e)
    return lambda pid: (e.project(pid).cost, -raw[pid], rank[pid])


# -- the rules (pabutools) -------------------------------------------------------------------------
def _pabutools(e: Election, ids: list[str]):
    from pabutools.election import (
        ApprovalBallot,
        ApprovalProfile,
        CumulativeBallot,
        CumulativeProfile,
        Instance,
    )
    from pabutools.election import Project as PbProject
    from pabutools.fractions import frac

    projects = {pid: PbProject(pid, frac(e.project(pid).cost.numerator, e.project(pid).cost.denominator))
                for pid in ids}
    inst = Instance(projects.values(), budget_limit=frac(e.budget.numerator, e.budget.denominator))
    if e.vote_type in ("approval", "choose-1"):
        prof = ApprovalProfile(
            [ApprovalBallot({projects[pid] for pid, v in b.items() if v > 0 and pid in projects}) for b in e.ballots],
            instance=inst,
        )
    else:
        prof = CumulativeProfile(
            [CumulativeBallot({projects[pid]: v for pid, v in b.items() if v > 0 and pid in projects})
             for b in e.ballots],
            instance=inst,
        )
    return inst, prof, projects


def _tie_breaking(e: Election):
    from pabutools.tiebreaking import TieBreakingRule

    key = tie_key(e)
    return TieBreakingRule(lambda inst, prof, p: key(p.name))


def _points_sat():
    """A satisfaction whose greedy density (satisfaction / cost) is the project's total points, so
    pabutools' greedy orders cumulative ballots by points as it orders approvals by votes."""
    from pabutools.election.satisfaction import AdditiveSatisfaction

    class Points_Sat(AdditiveSatisfaction):
        def __init__(self, instance, profile, ballot):
            super().__init__(instance, profile, ballot,
                             lambda inst, prof, b, p, pre: b[p] * p.cost if p in b else 0)

    return Points_Sat


def greedy(e: Election) -> Outcome:
    """Greedy by votes: in order of votes (ties by the spec's rule), fund what still fits."""
    from pabutools.election import Cost_Sat
    from pabutools.rules import greedy_utilitarian_welfare

    check_election(e)
    raw, key = scores(e), tie_key(e)
    too_big = not_fundable(e)
    # only projects somebody voted for, and that could fit at all, go to pabutools
    ids = [p.id for p in e.projects if raw[p.id] > 0 and p.id not in too_big]
    funded: list[str] = []
    if e.ballots and ids:
        inst, prof, _ = _pabutools(e, ids)
        sat = Cost_Sat if e.vote_type in ("approval", "choose-1") else _points_sat()
        chosen = greedy_utilitarian_welfare(inst, prof, sat_class=sat, tie_breaking=_tie_breaking(e))
        funded_set = {p.name for p in chosen}
    else:
        funded_set = set()
    steps, left = [], e.budget
    for pid in sorted((p.id for p in e.projects), key=lambda pid: (-raw[pid], *key(pid))):
        p = e.project(pid)
        if pid in too_big:
            steps.append(Step("not_fundable", pid, p.cost, raw[pid], left))
        elif raw[pid] == 0:
            steps.append(Step("no_votes", pid, p.cost, 0, left))
        elif pid in funded_set:
            left -= p.cost
            funded.append(pid)
            steps.append(Step("funded", pid, p.cost, raw[pid], left))
        else:
            if p.cost <= left:  # pabutools and the walk above disagree: never show a wrong story
                raise RuntimeError(f"greedy explanation out of step at {pid}")
            steps.append(Step("skipped_money", pid, p.cost, raw[pid], left))
    if funded_set != set(funded):
        raise RuntimeError("greedy explanation out of step")
    return Outcome("greedy", None, e.budget, len(e.ballots), funded, steps, too_big,
                   selected_differs=_differs(e, funded))


def mes(e: Election, completion: str = "add1") -> Outcome:
    """Method of Equal Shares with cost utilities (approval) or points (cumulative), with Add1 or
    no completion. Payments are read from pabutools' own record of its final run."""
    from pabutools.election import Additive_Cardinal_Sat, Cost_Sat
    from pabutools.rules import method_of_equal_shares

    if completion not in COMPLETIONS:
        raise KitError("unknown_completion", completion=str(completion)[:20])
    check_election(e)
    raw = scores(e)
    too_big = not_fundable(e)
    ids = [p.id for p in e.projects if raw[p.id] > 0 and p.id not in too_big]
    n = len(e.ballots)
    out = Outcome("mes", completion, e.budget, n, [], [], too_big,
                  base_per_voter=(e.budget / n) if n else None)
    if not n or not ids:
        out.steps = [Step("no_votes" if raw[p.id] == 0 else "not_fundable", p.id, p.cost, raw[p.id])
                     for p in e.projects if p.id not in ids]
        return out
    inst, prof, _ = _pabutools(e, ids)
    approval = e.vote_type in ("approval", "choose-1")
    chosen = method_of_equal_shares(
        inst, prof.as_multiprofile(), sat_class=Cost_Sat if approval else Additive_Cardinal_Sat,
        tie_breaking=_tie_breaking(e), voter_budget_increment=1 if completion == "add1" else None,
        analytics=True,
    )
    details = chosen.details
    mult = details.voter_multiplicity
    steps: list[Step] = []
    for it in details.iterations:
        p = it.selected_project
        if p is None:
            continue
        if out.per_voter is None:
            out.per_voter = Fraction(str(it.voters_budget[0]))
        paid = Counter()
        for before, after, m in zip(it.voters_budget, it.voters_budget_after_selection, mult):
            amount = Fraction(str(before)) - Fraction(str(after))
            if amount > 0:
                paid[amount] += m
        top = max(paid) if paid else Fraction(0)
        cost = e.project(p.name).cost
        steps.append(Step("funded", p.name, cost, raw[p.name],
                          payments=sorted(paid.items(), key=lambda x: -x[0]),
                          effective_votes=(cost / top) if top else None))
        out.funded.append(p.name)
    if set(out.funded) != {p.name for p in chosen}:
        raise RuntimeError("MES explanation out of step")
    left = e.budget - sum((s.cost for s in steps), Fraction(0))
    for s in steps:
        s.left = left
    key = tie_key(e)
    for pid in sorted((p.id for p in e.projects if p.id not in out.funded), key=lambda pid: (-raw[pid], *key(pid))):
        p = e.project(pid)
        kind = "not_fundable" if pid in too_big else "no_votes" if raw[pid] == 0 else "not_enough_support"
        steps.append(Step(kind, pid, p.cost, raw[pid], left))
    out.steps = steps
    out.selected_differs = _differs(e, out.funded)
    return out


def choose_one(e: Election) -> Outcome:
    """PORE's vote between complete plans (domain spec §3.4 c): each voter picks one plan, and the plan
    with the most votes is funded; an exact tie goes by the lot drawn when the vote opened. A plan over
    the whole budget could not be on the ballot (refused when the round opens)."""
    check_election(e)
    raw, rank = scores(e), lot_rank(e)
    too_big = not_fundable(e)
    order = sorted((p.id for p in e.projects), key=lambda pid: (-raw[pid], rank[pid]))
    winner = next((pid for pid in order if raw[pid] > 0 and pid not in too_big), None)
    steps, funded, left = [], [], e.budget
    for pid in order:
        p = e.project(pid)
        if pid in too_big:
            steps.append(Step("not_fundable", pid, p.cost, raw[pid], left))
        elif raw[pid] == 0:
            steps.append(Step("no_votes", pid, p.cost, 0, left))
        elif pid == winner:
            left -= p.cost
            funded.append(pid)
            steps.append(Step("funded", pid, p.cost, raw[pid], left))
        else:
            steps.append(Step("not_chosen", pid, p.cost, raw[pid], left))
    return Outcome("choose1", None, e.budget, len(e.ballots), funded, steps, too_big)


def compute(e: Election, rule: str, completion: str = "add1") -> Outcome:
    if rule == "choose1":
        return choose_one(e)
    if rule == "greedy":
        return greedy(e)
    if rule == "mes":
        return mes(e, completion)
    raise KitError("unknown_rule", rule=str(rule)[:20])


def _differs(e: Election, funded: list[str]) -> dict | None:
    if e.selected is None:
        return None
    only_file = sorted(e.selected - set(funded), key=_natural)
    only_computed = sorted(set(funded) - e.selected, key=_natural)
    if not only_file and not only_computed:
        return None
    return {"only_file": only_file, "only_computed": only_computed}


def _natural(s: str):
    return (0, int(s), "") if s.isdigit() else (1, 0, s)


# -- explanation ------------------------------------------------------------------------------------
def explain(o: Outcome, e: Election, lang: str = "fi") -> list[str]:
    """The outcome as sentences a facilitator can read out, in order."""
    from kit.i18n import t

    cur = e.currency

    def name(pid):
        return e.project(pid).label

    def m(x):
        return money(x, lang, cur)
    lines = [t(f"pb.rule.{o.rule}", lang)]
    if not o.has_result:
        return lines + [t("pb.no_ballots", lang)]
    lines.append(t("pb.budget_voters", lang, budget=m(o.budget), n=o.voters))
    if o.rule == "mes":
        if o.completion == "add1" and o.per_voter is not None and o.base_per_voter is not None \
                and o.per_voter != o.base_per_voter:
            lines.append(t("pb.mes_add1", lang, base=m(o.base_per_voter), share=m(o.per_voter)))
        else:
            lines.append(t("pb.mes_share", lang, share=m(o.base_per_voter)))
    for s in o.steps:
        kw = {"project": name(s.project), "cost": m(s.cost), "votes": number(s.votes, lang), "left": m(s.left)}
        if s.kind == "funded" and o.rule == "mes":
            paid = "; ".join(t("pb.paid_each", lang, n=k, amount=m(a)) for a, k in s.payments)
            lines.append(t("pb.step.mes_funded", lang, paid=paid,
                           effective=number(s.effective_votes or Fraction(0), lang), **kw))
        else:
            lines.append(t(f"pb.step.{s.kind}", lang, **kw))
    lines.append(t("pb.total", lang, spent=m(o.spent), left=m(o.left), n=len(o.funded)))
    if o.selected_differs:
        lines.append(t("pb.file_differs", lang,
                       only_file=", ".join(o.selected_differs["only_file"]) or "–",
                       only_computed=", ".join(o.selected_differs["only_computed"]) or "–"))
    return lines


def as_json(o: Outcome, e: Election, lang: str = "fi") -> dict:
    def num(x):
        if x is None:
            return None
        x = Fraction(x)
        return int(x) if x.denominator == 1 else float(x)

    return {
        "rule": o.rule, "completion": o.completion, "budget": num(o.budget), "voters": o.voters,
        "funded": list(o.funded), "spent": num(o.spent), "left": num(o.left),
        "not_fundable": list(o.not_fundable),
        "per_voter": num(o.per_voter), "base_per_voter": num(o.base_per_voter),
        "steps": [{"kind": s.kind, "project": s.project, "name": e.project(s.project).label,
                   "cost": num(s.cost), "votes": num(s.votes), "left": num(s.left),
                   "effective_votes": num(s.effective_votes),
                   "payments": [{"amount": num(a), "voters": m} for a, m in s.payments]}
                  for s in o.steps],
        "selected_differs": o.selected_differs,
        "explanation": explain(o, e, lang),
    }


# -- the .pb format (pabulib) -----------------------------------------------------------------------
SECTIONS = ("META", "PROJECTS", "VOTES")


def read_pb(text: str) -> Election:
    """Parse a pabulib file; every refusal names the line (1-based) and what is wrong with it."""
    text = text.removeprefix("\ufeff")
    meta: dict[str, str] = {}
    projects: list[Project] = []
    raw_votes: list[tuple[int, dict]] = []
    section, header = None, None
    for lineno, row in enumerate(csv.reader(io.StringIO(text), delimiter=";"), start=1):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        first = row[0].strip()
        if len(row) == 1 and first.upper() in SECTIONS:
            section, header = first.upper(), None
            continue
        if section is None:
            raise KitError("pb_line", line=lineno, reason="no META/PROJECTS/VOTES section before this line")
        if header is None:
            header = [h.strip() for h in row]
            if section == "META" and header[:2] != ["key", "value"]:
                raise KitError("pb_line", line=lineno, reason="the META header must be key;value")
            if section == "PROJECTS" and ("project_id" not in header or "cost" not in header):
                raise KitError("pb_line", line=lineno, reason="the PROJECTS header needs project_id and cost")
            if section == "VOTES" and ("voter_id" not in header or "vote" not in header):
                raise KitError("pb_line", line=lineno, reason="the VOTES header needs voter_id and vote")
            continue
        if len(row) != len(header):
            raise KitError("pb_line", line=lineno,
                           reason=f"{len(row)} fields where the header has {len(header)}")
        rec = dict(zip(header, (c.strip() for c in row)))
        if section == "META":
            meta[rec["key"]] = rec["value"]
        elif section == "PROJECTS":
            try:
                cost = to_amount(rec["cost"])
            except KitError:
                raise KitError("pb_line", line=lineno, reason=f"cost {rec['cost'][:20]!r} is not a number ≥ 0") from None
            pid = rec["project_id"]
            if any(p.id == pid for p in projects):
                raise KitError("pb_line", line=lineno, reason=f"project {pid!r} appears twice")
            extra = {k: v for k, v in rec.items() if k not in ("project_id", "cost", "name")}
            projects.append(Project(pid, cost, rec.get("name", ""), extra))
        else:
            raw_votes.append((lineno, rec))
    for key in ("budget", "vote_type"):
        if key not in meta:
            raise KitError("pb_missing_meta", key=key)
    try:
        budget = to_amount(meta["budget"], "budget")
    except KitError:
        raise KitError("pb_line", line=0, reason=f"budget {meta['budget'][:20]!r} is not a number") from None
    vote_type = meta["vote_type"]
    if vote_type not in VOTE_TYPES:
        raise KitError("pb_vote_type", vote_type=vote_type[:20])
    known = {p.id for p in projects}
    ballots = []
    for lineno, rec in raw_votes:
        ids = [x.strip() for x in rec["vote"].split(",") if x.strip()]
        if vote_type in ("cumulative", "scoring"):
            pts_text = [x.strip() for x in rec.get("points", "").split(",") if x.strip()]
            if len(pts_text) != len(ids):
                raise KitError("pb_line", line=lineno, reason="vote and points have different lengths")
            try:
                pts = [int(x) for x in pts_text]
            except ValueError:
                raise KitError("pb_line", line=lineno, reason="points must be whole numbers") from None
        else:
            pts = [1] * len(ids)
        b: dict[str, int] = {}
        for pid, pt in zip(ids, pts):
            if pid not in known:
                raise KitError("pb_line", line=lineno, reason=f"unknown project {pid[:20]!r}")
            if pid in b:
                raise KitError("pb_line", line=lineno, reason=f"project {pid[:20]!r} twice in one vote")
            b[pid] = pt
        ballots.append(b)
    selected = None
    if projects and all("selected" in p.meta for p in projects):
        selected = {p.id for p in projects if p.meta["selected"] not in ("0", "", "none")}
    e = Election(budget, projects, ballots, vote_type, meta, selected=selected,
                 currency=meta.get("currency", "").strip()[:8])
    if budget <= 0:
        raise KitError("budget_not_positive")
    return e


def write_pb(e: Election) -> str:
    """The election as a pabulib file (voters numbered 1..n, nothing else about them)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    meta = {**e.meta, "num_projects": str(len(e.projects)), "num_votes": str(len(e.ballots)),
            "budget": _plain(e.budget), "vote_type": e.vote_type}
    w.writerow(["META"])
    w.writerow(["key", "value"])
    for k, v in meta.items():
        w.writerow([k, v])
    w.writerow(["PROJECTS"])
    extra = sorted({k for p in e.projects for k in p.meta})
    w.writerow(["project_id", "cost", "name", *extra])
    for p in e.projects:
        w.writerow([p.id, _plain(p.cost), p.name, *(p.meta.get(k, "") for k in extra)])
    w.writerow(["VOTES"])
    cumulative = e.vote_type in ("cumulative", "scoring")
    w.writerow(["voter_id", "vote", *(["points"] if cumulative else [])])
    for i, b in enumerate(e.ballots, start=1):
        ids = [pid for pid, v in b.items() if v > 0]
        row = [str(i), ",".join(ids)]
        if cumulative:
            row.append(",".join(str(b[pid]) for pid in ids))
        w.writerow(row)
    return buf.getvalue()


def _plain(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    return f"{float(x):.2f}"


# -- counting once per distinct election --------------------------------------------------------------
_CACHE: dict = {}
_CACHE_SIZE = 32


def _key(e: Election, rule: str, completion: str) -> tuple:
    return (rule, completion, e.budget, e.vote_type, tuple(e.lot or ()),
            tuple((p.id, p.cost, p.name) for p in e.projects),
            tuple(sorted(tuple(sorted(b.items())) for b in e.ballots)))


def cached(e: Election, rule: str, completion: str = "add1") -> Outcome:
    """`compute`, remembered for the same election: the projector redraws and every participant's
    poll ask again, and a large imported file (thousands of ballots) takes seconds to count."""
    key = _key(e, rule, completion)
    hit = _CACHE.get(key)
    if hit is None:
        hit = compute(e, rule, completion)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = hit
    return hit
