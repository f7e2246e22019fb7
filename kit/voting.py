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


def validate_dot_ballot(rules: DotRules, items, dots) -> dict[int, int]:
    """Check a ballot {idea_id: dots}; returns it cleaned (int keys) or raises KitError."""
    if not isinstance(dots, dict):
        raise KitError("bad_ballot")
    allowed = set(items)
    clean: dict[int, int] = {}
    for key, value in dots.items():
        try:
            idea_id = int(key)
        except (TypeError, ValueError):
            raise KitError("unknown_item", item=str(key)[:20]) from None
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


def clean_idea_text(text) -> str:
    """Ideas are stored as typed (escaped only when shown); bounded and never empty."""
    if not isinstance(text, str):
        raise KitError("idea_required")
    text = text.replace("\x00", "").strip()
    if not text:
        raise KitError("idea_required")
    if len(text) > LIMITS.idea_chars:
        raise KitError("idea_too_long", max=LIMITS.idea_chars, given=len(text))
    return text
