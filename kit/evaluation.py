"""Evaluation planning (stage 4): the logic model and its checks, SMART indicators, and feedback
forms counted with small-group suppression. Pure: plain data in, findings and numbers out
(domain spec §6.1, §6.2, §6.4).

Node: {id, level, text, thl: [..]}; Edge: (from_id, to_id) left to right.
Indicator: {id, node, name, kind, unit, baseline, target, target_date, source, method, frequency,
            owner_task, thl: [..], target_group, realistic}
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from kit.errors import KitError
from kit.text import clean_text

LEVELS = ("input", "activity", "output", "outcome_short", "outcome_long", "impact")
OUTCOMES = ("outcome_short", "outcome_long")
THL = ("own_life", "communities_influence", "common_good")
METHODS = ("minutes", "attendance", "feedback_form", "survey_import", "interview", "observation",
           "network_remap", "licensed_scale")
QUESTION_KINDS = ("scale", "choice", "text", "instrument")
MIN_ANSWERS = 5  # fewer answers than this are not shown (small-group suppression)


@dataclass
class Finding:
    level: str
    code: str
    node: int | None = None
    params: dict = field(default_factory=dict)


def check_edge(levels: dict, src: int, dst: int) -> None:
    """Links go left to right only (input -> activity -> output -> outcomes -> impact)."""
    if src == dst or src not in levels or dst not in levels:
        raise KitError("bad_lm_link")
    if LEVELS.index(levels[dst]) <= LEVELS.index(levels[src]):
        raise KitError("lm_left_to_right")


def check_model(nodes: list[dict], edges: list[tuple[int, int]], indicators: list[dict],
                dimensions: list[str]) -> list[Finding]:
    """Each activity has an input and an output; each outcome an upstream activity and at least one
    indicator; no cycles; each chosen THL dimension is reached by an outcome."""
    level = {n["id"]: n["level"] for n in nodes}
    preds: dict = {n["id"]: set() for n in nodes}
    succs: dict = {n["id"]: set() for n in nodes}
    for a, b in edges:
        if a in level and b in level:
            preds[b].add(a)
            succs[a].add(b)
    out: list[Finding] = []
    # no cycles (edges only go rightwards, but a stored model is checked as it is)
    state: dict = {}

    def cyclic(v) -> bool:
        state[v] = 1
        for w in succs[v]:
            if state.get(w) == 1 or (w not in state and cyclic(w)):
                return True
        state[v] = 2
        return False

    if any(v not in state and cyclic(v) for v in level):
        out.append(Finding("error", "lm_cycle"))
    for n in nodes:
        if n["level"] == "activity":
            if not any(level[p] == "input" for p in preds[n["id"]]):
                out.append(Finding("error", "activity_without_input", n["id"]))
            if not any(level[s] == "output" for s in succs[n["id"]]):
                out.append(Finding("error", "activity_without_output", n["id"]))
        if n["level"] in OUTCOMES:
            if not _reaches_back(n["id"], preds, level, "activity"):
                out.append(Finding("error", "outcome_without_activity", n["id"]))
            if not any(i.get("node") == n["id"] for i in indicators):
                out.append(Finding("warning", "outcome_without_indicator", n["id"]))
    reached = {d for n in nodes if n["level"] in OUTCOMES for d in n.get("thl") or []}
    for d in dimensions:
        if d not in reached:
            out.append(Finding("warning", "dimension_not_reached", params={"dimension": d}))
    return out


def _reaches_back(v, preds, level, target) -> bool:
    seen, stack = set(), [v]
    while stack:
        x = stack.pop()
        for p in preds[x]:
            if level[p] == target:
                return True
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return False


def smart(ind: dict) -> dict:
    """Doran's SMART letters with the reason for each one missing: S = target group and object of
    change, M = unit, baseline and target, A = an owner (the A of a task), R = confirmed realistic by
    the facilitator, T = a target date."""
    missing = {}
    if not (ind.get("target_group") or "").strip() or not (ind.get("name") or "").strip():
        missing["S"] = "smart.S"
    if ind.get("kind", "quantitative") == "quantitative":
        if not (ind.get("unit") and ind.get("baseline") not in (None, "") and ind.get("target") not in (None, "")):
            missing["M"] = "smart.M"
    elif not (ind.get("target") or ""):
        missing["M"] = "smart.M_qual"
    if not ind.get("owner_task"):
        missing["A"] = "smart.A"
    if not ind.get("realistic"):
        missing["R"] = "smart.R"
    if not ind.get("target_date"):
        missing["T"] = "smart.T"
    return {"letters": "".join(x for x in "SMART" if x not in missing), "missing": missing}


def aggregate(questions: list[dict], answers: list[dict], min_answers: int = MIN_ANSWERS,
              packs: dict | None = None) -> list[dict]:
    """Per question: the number of answers, and when there are at least `min_answers`: the mean and
    the distribution (scale), the counts (choice), or the approved open answers (text). Below the
    threshold nothing but the count is given, so no single person's answer can be read off."""
    out = []
    for q in questions:
        vals = [a["answers"][q["id"]] for a in answers if q["id"] in (a.get("answers") or {})]
        row = {"id": q["id"], "kind": q["kind"], "n": len(vals), "shown": len(vals) >= min_answers}
        if q["kind"] == "instrument":
            pack = (packs or {}).get(q["pack"])
            scored = [x for x in (score(pack, v["items"]) for v in vals) if x is not None] if pack else []
            row.update(scored=len(scored), not_scored=len(vals) - len(scored), shown=len(scored) >= min_answers)
            if row["shown"]:
                row["mean"] = sum(scored) / len(scored)
        elif row["shown"]:
            if q["kind"] == "scale":
                row["mean"] = sum(vals) / len(vals)
                row["distribution"] = {k: vals.count(k) for k in range(1, 6)}
            elif q["kind"] == "choice":
                row["counts"] = {c: vals.count(c) for c in q.get("choices", [])}
        out.append(row)
    return out


def check_answers(questions: list[dict], answers: dict, packs: dict | None = None) -> dict:
    """A participant's answers to a form: a scale is 1-5, a choice one of its options, a text at most
    1000 characters; unknown questions refused; unanswered questions simply left out."""
    if not isinstance(answers, dict):
        raise KitError("bad_answers")
    by_id = {q["id"]: q for q in questions}
    clean = {}
    for key, value in answers.items():
        q = by_id.get(key)
        if q is None:
            raise KitError("unknown_question", question=str(key)[:20])
        if value in (None, ""):
            continue
        if q["kind"] == "instrument":
            pack = (packs or {}).get(q["pack"])
            if pack is None:
                raise KitError("pack_missing", pack=q["pack"][:40])
            if not isinstance(value, dict) or value.get("consent") is not True:
                raise KitError("consent_required")
            allowed = {r["value"] for r in pack["responses"]}
            items = {i["id"] for i in pack["items"]}
            got = value.get("items") or {}
            if not isinstance(got, dict) or any(k not in items or v not in allowed for k, v in got.items()):
                raise KitError("bad_answers")
            value = {"consent": True, "items": dict(got)}
        elif q["kind"] == "scale":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                raise KitError("scale_out_of_range", value=str(value)[:10])
        elif q["kind"] == "choice":
            if value not in q.get("choices", []):
                raise KitError("unknown_choice", value=str(value)[:40])
        else:
            value = clean_text(value, 1000, "answer_too_long", field="answers")
            if not value:
                continue
        clean[key] = value
    return clean


def check_form(questions) -> list[dict]:
    if not isinstance(questions, list) or not questions:
        raise KitError("form_empty")
    out = []
    for n, q in enumerate(questions, start=1):
        if not isinstance(q, dict) or q.get("kind") not in QUESTION_KINDS or not str(q.get("text") or "").strip():
            raise KitError("bad_question", n=n)
        item = {"id": q.get("id") or f"q{n}", "kind": q["kind"], "text": str(q["text"]).strip()[:300]}
        if q["kind"] == "instrument":
            if not str(q.get("pack") or "").strip():
                raise KitError("bad_question", n=n)
            item["pack"] = str(q["pack"])
        if q["kind"] == "choice":
            choices = [str(c).strip()[:100] for c in q.get("choices") or [] if str(c).strip()]
            if len(choices) < 2:
                raise KitError("bad_question", n=n)
            item["choices"] = choices
        if q.get("thl") in THL:
            item["thl"] = q["thl"]
        out.append(item)
    if len({q["id"] for q in out}) != len(out):
        raise KitError("bad_question", n=len(out))
    return out


def own_questions(text: str) -> list[dict]:
    """The facilitator's own questions, one per line: a 1-5 scale; "text: ..." an open question;
    "choice: question | option | option" a choice. Checked with the form by `check_form`."""
    out = []
    for n, line in enumerate(x.strip() for x in (text or "").splitlines()):
        if not line:
            continue
        if line.lower().startswith("text:"):
            out.append({"id": f"c{n}", "kind": "text", "text": line[5:].strip()})
        elif line.lower().startswith("choice:"):
            question, *choices = [x.strip() for x in line[7:].split("|")]
            out.append({"id": f"c{n}", "kind": "choice", "text": question, "choices": choices})
        else:
            out.append({"id": f"c{n}", "kind": "scale", "text": line})
    return out


def uses_instruments(questions: list[dict]) -> bool:
    return any(q.get("kind") == "instrument" for q in questions)


def question_sets(path, lang: str) -> dict[str, list[dict]]:
    """The kit's own ready questions per THL dimension (templates/evaluation/questions.yaml)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = {}
    for dim, items in data["sets"].items():
        out[dim] = [{"id": it["id"], "kind": it["kind"], "thl": dim,
                     "text": it["text"].get(lang) or it["text"]["fi"],
                     **({"choices": [c.get(lang) or c["fi"] for c in it["choices"]]} if it["kind"] == "choice" else {})}
                    for it in items]
    return out


def parse_counts(text: str, groups: dict[str, str]) -> dict[str, int]:
    """"Asukas 5, Kokemusasiantuntija 2" (or group ids) -> {group id: count}; a name that is no group
    of the workshop, or a count that is no number, is refused naming it."""
    out: dict[str, int] = {}
    by_name = {v.casefold(): k for k, v in groups.items()} | {k.casefold(): k for k in groups}
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        name, _, num = part.rpartition(" ")
        if not name:
            name, num = part, ""
        gid = by_name.get(name.strip().rstrip(":=").strip().casefold())
        if gid is None:
            raise KitError("unknown_group_named", group=name.strip()[:40] or part[:40])
        try:
            n = int(num)
        except ValueError:
            raise KitError("bad_count", group=name.strip()[:40]) from None
        out[gid] = out.get(gid, 0) + n
    return out


def log_totals(log: list[dict]) -> dict:
    """Totals of the activity log: activities, participations by group, staff hours."""
    groups: dict = {}
    for a in log:
        for g, n in (a.get("participants") or {}).items():
            groups[g] = groups.get(g, 0) + n
    return {"activities": len(log), "participations": sum(groups.values()), "by_group": groups,
            "staff_hours": sum(a.get("staff_hours") or 0 for a in log)}


def criteria(path) -> list[dict]:
    """The promising-practice checklist from a data file a network can replace with its own list."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = data["criteria"]
        assert isinstance(items, list) and all("id" in c and "text" in c for c in items)
    except (OSError, KeyError, TypeError, AssertionError, yaml.YAMLError):
        raise KitError("criteria_unreadable", path=str(path)) from None
    return items


# -- survey import -----------------------------------------------------------------------------------
AGGREGATIONS = ("mean", "count", "share_yes")
YES = {"1", "yes", "kyllä", "ja", "x", "true"}


def read_survey(data: bytes, name: str) -> tuple[list[str], list[dict]]:
    """A CSV or XLSX from an external survey tool (Webropol, Forms...) as (columns, rows)."""
    from kit.tables import read_table

    return read_table(data, name)


def survey_value(columns: list[str], rows: list[dict], column: str, how: str) -> float:
    """One number for an indicator from one column: the mean of numbers, how many answered, or the
    share answering yes. A column that is not there, or text where numbers are needed, is named."""
    if column not in columns:
        raise KitError("survey_column", column=str(column)[:60], columns=", ".join(columns)[:200])
    if how not in AGGREGATIONS:
        raise KitError("bad_field", field="how")
    values = [str(r.get(column, "")).strip() for r in rows]
    given = [v for v in values if v]
    if how == "count":
        return float(len(given))
    if how == "share_yes":
        return round(sum(v.casefold() in YES for v in given) / len(given), 3) if given else 0.0
    nums = []
    for v in given:
        try:
            nums.append(float(v.replace(",", ".")))
        except ValueError:
            raise KitError("survey_not_numbers", column=column[:60], value=v[:20]) from None
    if not nums:
        raise KitError("survey_empty", column=column[:60])
    return round(sum(nums) / len(nums), 3)


# -- licensed instruments ----------------------------------------------------------------------------
def load_pack(path) -> dict:
    """An instrument pack: a local YAML file the organisation fills from its own licensed copy (never
    in the repository): id, name, copyright, consent, items, responses (value and label) and a
    scoring table from the raw total to the reported score."""
    try:
        pack = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        raise KitError("pack_malformed", name=getattr(path, "name", str(path)), reason="not readable YAML") from None
    need = ("id", "name", "copyright", "items", "responses", "scoring")
    if not isinstance(pack, dict) or any(k not in pack for k in need):
        missing = [k for k in need if not isinstance(pack, dict) or k not in pack]
        raise KitError("pack_malformed", name=getattr(path, "name", str(path)), reason="missing " + ", ".join(missing))
    if not pack["items"] or not all(isinstance(i, dict) and "id" in i and "text" in i for i in pack["items"]):
        raise KitError("pack_malformed", name=path.name, reason="items need id and text")
    values = [r.get("value") for r in pack["responses"] if isinstance(r, dict)]
    if not values or not all(isinstance(v, int) for v in values):
        raise KitError("pack_malformed", name=path.name, reason="responses need whole-number values")
    try:
        pack["scoring"] = {int(k): float(v) for k, v in pack["scoring"].items()}
    except (AttributeError, TypeError, ValueError):
        raise KitError("pack_malformed", name=path.name, reason="scoring must map raw totals to scores") from None
    return pack


def load_packs(folder) -> tuple[dict, list[str]]:
    """Every pack in the data folder's instruments/ (the rest of the kit works without any)."""
    from pathlib import Path

    packs, problems = {}, []
    folder = Path(folder)
    if not folder.is_dir():
        return packs, problems
    for path in sorted(folder.glob("*.yaml")):
        try:
            pack = load_pack(path)
            packs[pack["id"]] = pack
        except KitError as err:
            problems.append(err.message("en"))
    return packs, problems


def score(pack: dict, answers: dict) -> float | None:
    """The scored value of one person's answers, or None when any item is missing (partial answers
    are never scored) or a total falls outside the table."""
    allowed = {r["value"] for r in pack["responses"]}
    vals = []
    for item in pack["items"]:
        v = answers.get(item["id"])
        if v not in allowed:
            return None
        vals.append(v)
    return pack["scoring"].get(sum(vals))


def paper_questions(questions: list[dict]) -> list[dict]:
    """The questions a paper form carries, in the order printed and entered (1, 2, 3 ...).
    Licensed instruments stay on devices: their packs are scored from complete device answers."""
    return [q for q in questions if q["kind"] in ("scale", "choice", "text")]


def value_chart(results: list[dict], baseline=None, target=None, width: int = 420, height: int = 160) -> dict | None:
    """An indicator's values over time as a small line chart's geometry: one point per dated value, in
    date order, scaled into width x height with room for labels; the baseline and the target as flat
    lines where they are numbers. None with fewer than two values (one value is not a change)."""
    pts = sorted((r for r in results or [] if isinstance(r.get("value"), (int, float)) and r.get("date")),
                 key=lambda r: r["date"])
    if len(pts) < 2:
        return None

    def num(x):
        try:
            return float(str(x).replace(",", "."))
        except (TypeError, ValueError):
            return None

    base, goal = num(baseline), num(target)
    values = [p["value"] for p in pts] + [v for v in (base, goal) if v is not None]
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    left, right, top, bottom = 48, 40, 16, 28  # room for the labels, the last date too
    x = lambda i: left + i * (width - left - right) / (len(pts) - 1)  # noqa: E731 (evenly by measurement)
    y = lambda v: top + (hi - v) * (height - top - bottom) / (hi - lo)  # noqa: E731
    return {"width": width, "height": height, "lo": lo, "hi": hi, "y_lo": y(lo), "y_hi": y(hi),
            "points": [{"x": round(x(i), 1), "y": round(y(p["value"]), 1), "value": p["value"], "date": p["date"]}
                       for i, p in enumerate(pts)],
            "baseline": round(y(base), 1) if base is not None else None,
            "target": round(y(goal), 1) if goal is not None else None, "left": left, "right": width - right}


def change(questions: list[dict], before: list[dict], after: list[dict], least: int = MIN_ANSWERS,
           person=None) -> list[dict]:
    """The change from a baseline to its follow-up, per scale question: each side's mean when it has at
    least `least` answers (group level), the difference when both do; and, where the same person
    answered both, the mean of their own changes when at least `least` did. `person(participant id)`
    says who answered (a pairing code's hash; None: unpaired); by default the participant themself,
    which pairs answers within one meeting. Below the threshold nothing but the counts, so no one's
    answers can be read off; the answers that could not be paired are counted as such."""
    person = person or (lambda pid: pid)
    out = []
    for q in questions:
        if q["kind"] != "scale":
            continue
        b = [(person(r["participant_id"]), r["answers"][q["id"]]) for r in before
             if isinstance(r["answers"].get(q["id"]), int)]
        a = [(person(r["participant_id"]), r["answers"][q["id"]]) for r in after
             if isinstance(r["answers"].get(q["id"]), int)]
        mean = lambda xs: sum(xs) / len(xs) if len(xs) >= least else None  # noqa: E731
        mb, ma = mean([v for _, v in b]), mean([v for _, v in a])
        bk, ak = {k: v for k, v in b if k is not None}, {k: v for k, v in a if k is not None}
        both = [ak[k] - bk[k] for k in set(ak) & set(bk)]
        out.append({"id": q["id"], "text": q["text"], "thl": q.get("thl"), "n_before": len(b), "n_after": len(a),
                    "before": mb, "after": ma, "change": ma - mb if mb is not None and ma is not None else None,
                    "paired": len(both), "paired_change": mean(both),
                    "unpaired": len(b) + len(a) - 2 * len(both)})
    return out


# A pseudonymous pairing code (issue 17, item 6): device tokens are per meeting, so a participant who
# wants their baseline and follow-up answers compared keeps a code across meetings. Eight letters and
# digits that cannot be mistaken for each other (no I, O, 0, 1), shown in two halves; the store keeps
# only a hash, and nothing in the kit links the code to a name.
PAIR_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PAIR_LENGTH = 8


def new_pair_code() -> str:
    import secrets

    code = "".join(secrets.choice(PAIR_ALPHABET) for _ in range(PAIR_LENGTH))
    return code[:4] + "-" + code[4:]


def pair_code(text) -> str:
    """A pairing code as typed (any case, spaces or a dash between the halves) in its one written form,
    or KitError pair_code_bad."""
    if not isinstance(text, str):
        raise KitError("pair_code_bad")
    bare = "".join(ch for ch in text.upper() if ch not in " -\t")
    if len(bare) != PAIR_LENGTH or any(ch not in PAIR_ALPHABET for ch in bare):
        raise KitError("pair_code_bad")
    return bare[:4] + "-" + bare[4:]


def pair_hash(code: str) -> str:
    """What the store keeps of a pairing code (enough to match two answers, not to show the code)."""
    import hashlib

    return hashlib.sha256(("kit-pair:" + pair_code(code)).encode()).hexdigest()[:16]
