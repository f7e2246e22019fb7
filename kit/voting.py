"""Dot voting (pisteäänestys): presets, ballot checks and counting. Pure: data in, data out.

Rules from the domain spec §3.2:
  preset "n3":     d = min(20, max(1, floor(N/3))), per-item cap 3 (multivoting)
  preset "n4":     d = max(1, round(N/4))   (round half up), no per-item cap unless set
  preset "fixed5": d = 5
  preset "custom": d given by the facilitator (an integer >= 1)
A ballot may leave dots unused; score(x) = sum of dots on x; equal scores share a rank (1, 2, 2, 4);
zero dots in all -> no result (never a random pick).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kit.config import LIMITS
from kit.errors import KitError
from kit.numbers import amount_text
from kit.text import clean_text

PRESETS = ("n3", "n4", "fixed5", "custom")


@dataclass(frozen=True)
class DotRules:
    dots_per_person: int
    per_item_cap: int | None  # None: a person may put all their dots on one item


@dataclass(frozen=True)
class Result:
    idea_id: int
    score: int
    rank: int
    voters: int  # how many ballots put at least one dot here


def check_preset(preset: str, dots: int | None = None, cap: int | None = None) -> None:
    if preset not in PRESETS:
        raise KitError("unknown_preset", preset=str(preset)[:20])
    if preset == "custom" and not (isinstance(dots, int) and dots >= 1):
        raise KitError("custom_dots_required")
    if cap is not None and not (isinstance(cap, int) and cap >= 1):
        raise KitError("bad_cap")


def dot_rules(preset: str, n_items: int, dots: int | None = None, cap: int | None = None) -> DotRules:
    """The dots each person gets for N items under a preset; an explicit cap overrides the preset's."""
    check_preset(preset, dots, cap)
    if n_items <= 0:
        raise KitError("no_items_to_vote", status=409)
    if preset == "n3":
        d, preset_cap = min(20, max(1, n_items // 3)), 3
    elif preset == "n4":
        d, preset_cap = max(1, math.floor(n_items / 4 + 0.5)), None
    elif preset == "fixed5":
        d, preset_cap = 5, None
    else:
        d, preset_cap = int(dots), None
    c = cap if cap is not None else preset_cap
    if c is not None:
        c = min(c, d)
    return DotRules(d, c)


def item_id(key) -> int:
    """An idea id as a ballot names it: an integer, or its digits as text (JSON object keys are text).
    " 1", "1.0", "+1" or true are not idea 1."""
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    if isinstance(key, str) and key.isascii() and key.isdigit() and len(key) <= 12:
        return int(key)
    raise KitError("unknown_item", item=str(key)[:20])


def validate_dot_ballot(rules: DotRules, items, dots) -> dict[int, int]:
    """Check a ballot {idea_id: dots}; returns it cleaned (int keys) or raises KitError."""
    if not isinstance(dots, dict):
        raise KitError("bad_ballot")
    allowed = set(items)
    clean: dict[int, int] = {}
    for key, value in dots.items():
        idea_id = item_id(key)
        if idea_id not in allowed:
            raise KitError("unknown_item", item=str(idea_id))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise KitError("bad_dots")
        if rules.per_item_cap is not None and value > rules.per_item_cap:
            raise KitError("over_item_cap", cap=rules.per_item_cap)
        clean[idea_id] = clean.get(idea_id, 0) + value
    total = sum(clean.values())
    if total > rules.dots_per_person:
        raise KitError("too_many_dots", max=rules.dots_per_person, given=total)
    return clean


def tally(items, ballots) -> list[Result]:
    """Scores of every item (zero included), sorted by score, with competition ranks.

    `ballots` is an iterable of {idea_id: dots}; each ballot counts once (the store keeps one per
    person and round)."""
    score = {i: 0 for i in items}
    voters = {i: 0 for i in items}
    for b in ballots:
        for idea_id, n in b.items():
            if idea_id in score and n > 0:
                score[idea_id] += n
                voters[idea_id] += 1
    order = sorted(score, key=lambda i: (-score[i], list(items).index(i)))
    out, prev, rank = [], None, 0
    for pos, i in enumerate(order, start=1):
        if score[i] != prev:
            rank, prev = pos, score[i]
        out.append(Result(i, score[i], rank, voters[i]))
    return out


def has_result(results: list[Result]) -> bool:
    return any(r.score > 0 for r in results)


def ties_at_cutoff(results: list[Result], k: int) -> list[int]:
    """Ideas tied across the top-k cut-off (empty when the cut is clean or k covers all)."""
    if k <= 0 or k >= len(results) or not has_result(results):
        return []
    edge = results[k - 1].score
    if results[k].score != edge:
        return []
    return [r.idea_id for r in results if r.score == edge]


def round_ties(method: str, results: list[Result], n_items: int, top_k: int = 5) -> list[int]:
    """Ideas tied at a round's cut-off: the winner of a choose-one vote, else the top `top_k`
    (at most all but one item). Budgeting rounds have no cut-off: their rules decide."""
    if method == "pb":
        return []
    k = 1 if method == "choose_one" else min(top_k, max(1, n_items - 1))
    return ties_at_cutoff(results, k)


def clean_idea_text(text) -> str:
    """Ideas are stored as typed (escaped only when shown); bounded and never empty."""
    if not isinstance(text, str):
        raise KitError("idea_required")
    text = clean_text(text, LIMITS.idea_chars, "idea_too_long")
    if not text:
        raise KitError("idea_required")
    return text


# -- every method of a round ------------------------------------------------------------------------
# dots: cumulative (above). approval: any subset, min..max. ranking: truncated, at most k, points
# k - r + 1 for rank r (spec §3.3). choose_one: exactly one. pb: approval over costed projects with a
# budget, counted by kit.budgeting. Rules are fixed when a round opens and never change after.
METHODS = ("dots", "approval", "ranking", "choose_one", "pb")
# A budgeting round's binding rule, fixed when it opens (issue 17): equal shares with Add1 completion, or
# greedy by votes. A round stored without one was decided by equal shares (the phones' "funded" and the
# .pb file said so), so that is the default.
PB_RULES = ("mes", "greedy", "choose1")  # choose1: PORE's vote between complete plans, one chosen
COMPARABLE = ("mes", "greedy")  # rules over the same approval ballots, shown beside each other


def pb_comparisons(rule: str) -> list[str]:
    """The rules shown beside a round's binding one, labelled a comparison: the other approval rule;
    none for a vote between plans (one choice each is not an approval ballot to share out)."""
    return [x for x in COMPARABLE if x != rule] if rule in COMPARABLE else []


def pb_rule(rules: dict | None) -> str:
    """The rule that decides a budgeting round: the one fixed when it opened."""
    rule = (rules or {}).get("rule")
    return rule if rule in PB_RULES else "mes"


def _int_or_none(value, code: str):
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise KitError(code)
    return value


def check_options(method: str, options: dict | None) -> dict:
    """Check what the facilitator chose for a round before it exists; returns the cleaned options."""
    if method not in METHODS:
        raise KitError("unknown_method", method=str(method)[:20])
    o = dict(options or {})
    if method == "approval":
        lo, hi = _int_or_none(o.get("min"), "bad_min_max"), _int_or_none(o.get("max"), "bad_min_max")
        if (lo is not None and lo < 0) or (hi is not None and hi < 1) or (lo and hi and lo > hi):
            raise KitError("bad_min_max")
        return {"min": lo, "max": hi}
    if method == "ranking":
        k = _int_or_none(o.get("k"), "bad_rank_k")
        if k is not None and k < 1:
            raise KitError("bad_rank_k")
        return {"k": k}
    if method == "pb":
        from kit.budgeting import to_amount

        budget = to_amount(o.get("budget"), "budget")
        if budget <= 0:
            raise KitError("budget_not_positive")
        hi = _int_or_none(o.get("max"), "bad_min_max")
        if hi is not None and hi < 1:
            raise KitError("bad_min_max")
        rule = o.get("rule") or "mes"
        if rule not in PB_RULES:
            raise KitError("unknown_pb_rule")
        if rule == "choose1":
            hi = 1  # each voter picks one plan
        return {"budget": amount_text(budget), "max": hi, "rule": rule}
    return {}


def fix_rules(method: str, options: dict, n_items: int) -> dict:
    """The rules a round opens with, now that N is known (the dot preset case is `dot_rules`)."""
    if n_items <= 0:
        raise KitError("no_items_to_vote", status=409)
    if method == "approval":
        hi = min(options.get("max") or n_items, n_items)
        lo = min(options.get("min") or 0, hi)
        return {"min": lo, "max": hi}
    if method == "ranking":
        return {"k": min(options.get("k") or min(n_items, 5), n_items)}
    if method == "choose_one":
        if n_items < 2:
            raise KitError("need_two_options", status=409)
        return {"min": 1, "max": 1}
    if method == "pb":
        return {"budget": options["budget"], "max": options.get("max")}
    raise KitError("unknown_method", method=str(method)[:20])


def _ids(value, items) -> list[int]:
    if not isinstance(value, list):
        raise KitError("bad_ballot")
    out = []
    allowed = set(items)
    for key in value:
        idea_id = item_id(key)
        if idea_id not in allowed:
            raise KitError("unknown_item", item=str(key)[:20])
        out.append(idea_id)
    return out


def validate_ballot(method: str, rules: dict, items, body: dict) -> dict[int, int]:
    """A ballot as the API receives it -> its marks {idea_id: value}: dots placed; 1 for an approval,
    a choice or a project; the rank (1 = first) for a ranking. An empty result withdraws the ballot."""
    if not isinstance(body, dict):
        raise KitError("bad_ballot")
    if method == "dots":
        if "dots" not in body:
            raise KitError("bad_field", field="dots")
        return validate_dot_ballot(DotRules(rules["dots"], rules.get("cap")), items, body["dots"])
    if method == "ranking":
        if "ranking" not in body:
            raise KitError("bad_field", field="ranking")
        order = _ids(body["ranking"], items)
        if len(set(order)) != len(order):
            raise KitError("ranking_repeat")
        if len(order) > rules["k"]:
            raise KitError("too_many_ranked", max=rules["k"], given=len(order))
        return {idea_id: rank for rank, idea_id in enumerate(order, start=1)}
    if "choices" not in body:
        raise KitError("bad_field", field="choices")
    chosen = _ids(body["choices"], items)
    if len(set(chosen)) != len(chosen):
        raise KitError("choice_repeat")
    hi = rules.get("max")
    if hi is not None and len(chosen) > hi:
        raise KitError("too_many_choices", max=hi, given=len(chosen))
    lo = rules.get("min") or 0
    if chosen and len(chosen) < lo:
        raise KitError("too_few_choices", min=lo, given=len(chosen))
    return {idea_id: 1 for idea_id in chosen}


def marks_score(method: str, rules: dict, value: int) -> int:
    """What one mark adds to an item's score."""
    if method == "ranking":
        return max(0, rules["k"] - value + 1)
    return value


def tally_marks(method: str, rules: dict, items, ballots) -> list[Result]:
    """Scores of a round of any method: dots summed, approvals and choices counted, ranks as
    k - r + 1 points. `ballots` is an iterable of {idea_id: mark}."""
    return tally(items, ({i: marks_score(method, rules, v) for i, v in b.items()} for b in ballots))


def by_group(method: str, rules: dict, items, ballots, min_group: int = 5) -> dict:
    """Which stakeholder groups back which items. `ballots`: [{"group": g, "marks": {...}}].
    Groups with fewer voters than `min_group` are not shown on their own (they are counted together
    as "other", itself hidden if still too small); an item is "carried by one group" when all its
    support comes from one shown group and it has support."""
    size: dict = {}
    for b in ballots:
        size[b["group"]] = size.get(b["group"], 0) + 1
    shown = {g for g, n in size.items() if g is not None and n >= min_group}
    rest = sum(n for g, n in size.items() if g not in shown)
    table: dict = {g: {i: 0 for i in items} for g in sorted(shown)}
    other = {i: 0 for i in items}
    for b in ballots:
        row = table[b["group"]] if b["group"] in shown else other
        for i, v in b["marks"].items():
            if i in row:
                row[i] += marks_score(method, rules, v)
    if rest >= min_group:
        table["other"] = other
    hidden_voters = 0 if rest >= min_group else rest
    single = []
    for i in items:
        backers = [g for g, row in table.items() if row[i] > 0]
        hidden_support = other[i] > 0 and "other" not in table
        if len(backers) == 1 and backers[0] != "other" and not hidden_support:
            single.append({"item": i, "group": backers[0]})
    return {"groups": table, "sizes": {g: size.get(g, 0) if g != "other" else rest for g in table},
            "suppressed_voters": hidden_voters, "single_group": single, "min_group": min_group}


def paper_body(method: str, text: str, items: list[int]) -> dict:
    """What a facilitator types from a paper ballot -> the API's ballot body. Items are numbered as
    on the printed ballot (1, 2, 3 ...). Approval, choose one, pb: "1, 3, 4". Ranking: the numbers
    in ranked order, "3, 1, 2". Dots: number:dots pairs, "1:2, 4:1" (a bare number is one dot)."""
    if not isinstance(text, str):
        raise KitError("paper_unreadable", text="")
    marks: list[tuple[int, int]] = []
    for part in text.replace(";", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        num, _, val = part.partition(":")
        try:
            pos, n = int(num), int(val) if val else 1
        except ValueError:
            raise KitError("paper_unreadable", text=part[:20]) from None
        if not 1 <= pos <= len(items):
            raise KitError("paper_unreadable", text=part[:20])
        marks.append((items[pos - 1], n))
    if method == "dots":
        out: dict = {}
        for idea_id, n in marks:
            out[str(idea_id)] = out.get(str(idea_id), 0) + n
        return {"dots": out}
    if method == "ranking":
        return {"ranking": [i for i, _ in marks]}
    return {"choices": [i for i, _ in marks]}


def round_title(rnd: dict, lang: str) -> str:
    """A round's title for a reader: the title in their language where the round has one per language
    (a default title, the demo's), else the facilitator's own as typed, else the method's name."""
    from kit.i18n import t

    titles = (rnd.get("rules") or {}).get("titles") or {}
    return titles.get(lang) or rnd.get("title") or t("method." + rnd["method"], lang)


# -- what goes into a round ----------------------------------------------------------------------
# The facilitator chooses a round's ideas when opening it, from the visible ones, with quick filters.
ROUND_FILTERS = ("all", "none", "costed", "new")


def idea_tags(idea: dict) -> list[str]:
    """An idea's tags as filter keys: pore_level:2, thl:own_life, target_groups:nuoret, step_level:3."""
    tags = idea.get("tags") or {}
    out = []
    if tags.get("pore_level"):
        out.append(f"pore_level:{tags['pore_level']}")
    out += [f"thl:{d}" for d in tags.get("thl") or ()]
    out += [f"target_groups:{g}" for g in tags.get("target_groups") or ()]
    if tags.get("step_level"):
        out.append(f"step_level:{tags['step_level']}")
    return out


def since_last_round(rounds: list[dict]) -> str | None:
    """When the newest round that ever opened was opened (or made): ideas after it are new."""
    opened = [r.get("opened_at") or r.get("created_at") for r in rounds if r.get("status") != "draft"]
    return max(opened) if opened else None


def round_selection(ideas: list[dict], rule: str, rounds: list[dict] | None = None) -> list[int]:
    """The visible ideas a quick filter picks, in id order: all, none, costed (those with a cost
    estimate, for budgeting), new (sent after the last round opened; all when there was none), or
    tag:<key> (see idea_tags)."""
    visible = sorted((i for i in ideas if i["status"] == "visible"), key=lambda i: i["id"])
    if rule == "all":
        return [i["id"] for i in visible]
    if rule == "none":
        return []
    if rule == "costed":
        return [i["id"] for i in visible if i.get("cost") is not None]
    if rule == "new":
        since = since_last_round(rounds or [])
        return [i["id"] for i in visible if since is None or i["created_at"] > since]
    if rule.startswith("tag:"):
        return [i["id"] for i in visible if rule[4:] in idea_tags(i)]
    raise KitError("bad_field", field="filter")


def default_selection(ideas: list[dict], method: str, rounds: list[dict] | None = None) -> list[int]:
    """What a new round offers before the facilitator changes it: the costed projects for budgeting;
    for the other methods the ideas new since the last round (every visible one when none is new)."""
    if method == "pb":
        return round_selection(ideas, "costed", rounds)
    return round_selection(ideas, "new", rounds) or round_selection(ideas, "all", rounds)


# A vote open for a period (issue 19, item 3): entered in the network's time zone, kept in UTC, and
# decided by the store's clock at each request. Pure: the times in, the status out.
def period(opens: str, closes: str, tz: str | None, now_utc: str) -> tuple[str, str]:
    """(opens_at, closes_at) in UTC ISO from local times "YYYY-MM-DD HH:MM" in the time zone `tz`
    (default Europe/Helsinki). Refused: a time that is no time (bad_time), a close not after the
    open (close_before_open), a close already past (close_in_past)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz or "Europe/Helsinki")
    out = []
    for field, text in (("opens", opens), ("closes", closes)):
        try:
            local = datetime.strptime(str(text).strip().replace("T", " ")[:16], "%Y-%m-%d %H:%M")
        except ValueError:
            raise KitError("bad_time", field=field, value=str(text)[:40]) from None
        out.append(local.replace(tzinfo=zone).astimezone(UTC).isoformat(timespec="seconds"))
    if out[1] <= out[0]:
        raise KitError("close_before_open")
    if out[1] <= now_utc:
        raise KitError("close_in_past")
    return out[0], out[1]


def status_at(status: str, opens_at: str | None, closes_at: str | None, now_utc: str) -> str:
    """Where a scheduled or open round is at `now_utc` by its times: scheduled until it opens, open
    until it closes, then closed. Draft and closed rounds, and rounds without times, stay as they are."""
    if status == "scheduled" and opens_at and now_utc >= opens_at:
        status = "open"
    if status == "open" and closes_at and now_utc >= closes_at:
        status = "closed"
    return status


# One person, one vote, online too (issue 19, item 4): one-time voting codes, printed or mailed. Written
# as the pairing codes are (eight letters and digits that cannot be mistaken for each other, in two
# halves: K7QM-4TZP); the store keeps only a hash. 32^8 codes: guessing one by trying is hopeless
# behind the kit's rate limit on wrong codes.
MAX_CODES = 5000  # in one batch: a municipality's mailing, not a denial of service


def new_voting_code() -> str:
    from kit.evaluation import new_pair_code

    return new_pair_code()


def voting_code(text) -> str:
    """A voting code as typed (any case, spaces or a dash) in its one written form, or KitError
    voting_code_bad."""
    from kit.evaluation import pair_code

    try:
        return pair_code(text)
    except KitError:
        raise KitError("voting_code_bad") from None


def voting_code_hash(code: str) -> str:
    """What the store keeps of a voting code: enough to recognise it, not to print it again."""
    import hashlib

    return hashlib.sha256(("kit-vote:" + voting_code(code)).encode()).hexdigest()


def code_count(value) -> int:
    """How many codes to issue: a whole number from 1 to MAX_CODES, else KitError bad_code_count."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise KitError("bad_code_count", max=MAX_CODES) from None
    if not 1 <= n <= MAX_CODES:
        raise KitError("bad_code_count", max=MAX_CODES)
    return n
