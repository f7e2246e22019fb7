"""The minutes of a meeting in the form a Finnish working group files them (pöytäkirja): the meeting's
number, date and time, place, chair, secretary and minute checkers, who was present, numbered items
(§) that follow the agenda, each with the discussion note and the decision the secretary typed, and
the closing. Pure functions: the facts in, the numbered items out (kit/report.py renders them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kit.errors import KitError
from kit.text import clean_date, clean_text

NAME_CHARS = 120
TEXT_CHARS = 2000  # a discussion note or a decision
MAX_NAMES = 200
TIME_RE = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
# what the secretary fills in for the meeting (all optional); the notes per item live on the agenda
INFO_FIELDS = ("number", "date", "start", "end", "place", "chair", "secretary", "checkers", "present", "previous")


def _names(value, field: str) -> list[str]:
    """Names one per line (or a list): each cleaned, blank lines dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[\n;]", value)
    if not isinstance(value, list) or len(value) > MAX_NAMES:
        raise KitError("bad_field", field=field)
    out = [clean_text(v, NAME_CHARS, "too_long", field) for v in value if isinstance(v, str)]
    return [v for v in out if v]


def _time(value, field: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    m = TIME_RE.match(value)
    if not m:
        raise KitError("bad_time", field=field, value=value[:20])
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def check_info(info: dict) -> dict:
    """The meeting's facts as typed, cleaned; a date that is no date or a time that is no time is
    refused naming the field (and changes nothing)."""
    if not isinstance(info, dict) or set(info) - set(INFO_FIELDS):
        raise KitError("bad_field", field=next(iter(set(info or {}) - set(INFO_FIELDS)), "minutes"))
    out: dict = {}
    day = clean_date(info.get("date"))
    if day:
        out["date"] = day
    for f in ("start", "end"):
        t = _time(info.get(f), f)
        if t:
            out[f] = t
    if out.get("start") and out.get("end") and out["end"] < out["start"]:
        raise KitError("end_before_start")
    for f in ("number", "place", "chair", "secretary"):
        v = clean_text(info.get(f) or "", NAME_CHARS, "too_long", f)
        if v:
            out[f] = v
    for f in ("checkers", "present"):
        v = _names(info.get(f), f)
        if v:
            out[f] = v
    prev = clean_text(info.get("previous") or "", TEXT_CHARS, "too_long", "previous")
    if prev:
        out["previous"] = prev
    return out


@dataclass
class Item:
    """One numbered item (§) of the minutes."""
    number: int
    kind: str  # opening | previous | threshold | activity | votes | actions | closing
    activity: dict | None = None

    @property
    def note(self) -> str:
        return (self.activity or {}).get("config", {}).get("note") or ""

    @property
    def decision(self) -> str:
        return (self.activity or {}).get("config", {}).get("decision") or ""


def items(agenda: list[dict], info: dict, other_votes: bool = False, threshold: bool = False,
          previous: bool = False) -> list[Item]:
    """The numbered items, in order: § 1 the opening (the join activity's notes, if any); the
    approval of the previous meeting's minutes when there was a previous meeting of the network
    (`previous`) or the secretary wrote one; every activity of the
    agenda after that (a slide only when something was minuted on it: a "thank you" slide is no item);
    the meeting's decision to show smaller groups (`threshold`: a small-group threshold under 5);
    the results of votes that no agenda activity held (`other_votes`: started on the voting page);
    then what was agreed to do next, and the closing."""
    join = next((a for a in agenda if a["type"] == "join"), None)
    out = [Item(1, "opening", join)]
    if info.get("previous") or previous:
        out.append(Item(len(out) + 1, "previous"))
    if threshold:
        out.append(Item(len(out) + 1, "threshold"))
    for a in agenda:
        if a["type"] == "join" or (a["type"] == "slide" and not (a["config"].get("note") or a["config"].get("decision"))):
            continue
        out.append(Item(len(out) + 1, "activity", a))
    if other_votes:
        out.append(Item(len(out) + 1, "votes"))
    out.append(Item(len(out) + 1, "actions"))
    out.append(Item(len(out) + 1, "closing"))
    return out
