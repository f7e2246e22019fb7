"""Budgeting proposals through their phases, as in PORE and Decidim (issue 17, item 5): an idea becomes
a developed proposal (a description, a preliminary cost, the municipality's feasibility note, a final
cost: the one that goes on the ballot), goes on the ballot, is funded by the round's binding rule, and
is implemented (a status, a date, a note). Pure functions: the facts in, the phase out."""

from __future__ import annotations

from kit.errors import KitError
from kit.text import clean_date, clean_text

PHASES = ("idea", "developed", "on_ballot", "funded", "implemented")
IMPLEMENTATION = ("planned", "in_progress", "done", "dropped")
TEXT_CHARS = 2000
FIELDS = ("description", "preliminary_cost", "feasibility", "implementation", "implemented_on", "implementation_note")


def check(proposal: dict, clean_cost) -> dict:
    """A proposal's development as typed, cleaned (empty fields dropped); `clean_cost` reads an amount
    as the store keeps it. A status not in the list, a date that is no date: refused, nothing saved."""
    if not isinstance(proposal, dict) or set(proposal) - set(FIELDS):
        raise KitError("bad_field", field=next(iter(set(proposal or {}) - set(FIELDS)), "proposal"))
    out = {}
    for f in ("description", "feasibility", "implementation_note"):
        v = clean_text(proposal.get(f) or "", TEXT_CHARS, "too_long", f)
        if v:
            out[f] = v
    cost = clean_cost(proposal.get("preliminary_cost"))
    if cost is not None:
        out["preliminary_cost"] = cost
    status = proposal.get("implementation") or None
    if status is not None:
        if status not in IMPLEMENTATION:
            raise KitError("bad_field", field="implementation")
        out["implementation"] = status
    day = clean_date(proposal.get("implemented_on"))
    if day:
        out["implemented_on"] = day
    return out


def phase(idea: dict, on_ballot: bool, funded: bool) -> str:
    """Where a proposal is now: implemented once its implementation is done; funded when a closed
    budgeting round funded it (by that round's rule); on the ballot once a round holds it; developed
    once it has a description, a cost or the municipality's note; else still an idea."""
    p = idea.get("proposal") or {}
    if p.get("implementation") == "done":
        return "implemented"
    if funded:
        return "funded"
    if on_ballot:
        return "on_ballot"
    if idea.get("cost") or any(p.get(k) for k in ("description", "preliminary_cost", "feasibility")):
        return "developed"
    return "idea"
