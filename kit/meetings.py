"""A network's meetings: "since last time", which opens each meeting after the first. Pure: the
network's tasks, holders, letters, the meetings and their reviews in; the rows a facilitator ticks
and the minutes record out (kit/store/networks.py keeps the words; kit/ui/run.py shows them).

Seed 000: "Yhdessä sovitaan, mitä asioita seuraavaan kertaan työstetään, kuka tekee mitäkin ja miten
toimintaa taas seuraavalla kerralla jatketaan." An action item is a stage-3 task with who (its R and
A letters) and by when (its date), agreed at a meeting; the next meeting ticks it done, moves it
(a new date, or a later meeting) or drops it, and that word is recorded in that meeting's minutes."""

from __future__ import annotations

from dataclasses import dataclass, field

OUTCOMES = ("done", "moved", "dropped")


@dataclass
class ActionRow:
    """One earlier action item as the meeting sees it."""
    id: int
    title: str
    who: list[str]
    due: str | None
    agreed_at: int | None  # the meeting number
    outcome: str | None = None  # this meeting's word: done | moved | dropped | None (not yet)
    moved_to: int | None = None  # a moved item's meeting number
    was_due: str | None = None
    done_between: bool = False  # ticked done on the desk between meetings, not in a meeting
    history: list[tuple[int, str]] = field(default_factory=list)  # (meeting number, outcome) before this one

    def state(self, t) -> str:
        """Where it stands, in words (`t` a translator of kit.i18n): the projector, the Run view and
        the minutes say it alike."""
        if self.outcome == "moved":
            return t("since.moved", due=self.due or "–") + (f", {t('since.to_meeting', number=self.moved_to)}"
                                                            if self.moved_to else "")
        return t("since." + (self.outcome or ("done_between" if self.done_between else "open")))


def who(task_id: int, holders: list[dict], letters: dict) -> list[str]:
    """The names holding R or A on a task, A first."""
    by_id = {h["id"]: h for h in holders}
    named = [(0 if "A" in lt else 1, by_id[hid]["name"]) for (tid, hid), lt in letters.items()
             if tid == task_id and hid in by_id and not by_id[hid].get("removed") and ("R" in lt or "A" in lt)]
    return [n for _, n in sorted(named)]


def action_items(tasks: list[dict], holders: list[dict], letters: dict, meetings: list[dict], current_id: int,
                 reviews: dict[int, dict[int, dict]]) -> list[ActionRow]:
    """The action items the meeting `current_id` goes through: those agreed at earlier meetings that
    are still open, with this meeting's word on each; an item done or dropped at an earlier meeting
    is not shown again; one done on the desk since the previous meeting is shown done.
    `reviews` is {meeting id: {task id: review}} for the network's meetings."""
    number = {m["id"]: m["number"] for m in meetings}
    now_no = number[current_id]
    prev_id = next((m["id"] for m in meetings if m["number"] == now_no - 1), None)
    rows = []
    for t in tasks:
        agreed = number.get(t.get("meeting_id"))
        if agreed is None or agreed >= now_no:
            continue
        mine = reviews.get(current_id, {}).get(t["id"])
        earlier = sorted((number[mid], r["outcome"]) for mid, rs in reviews.items()
                         if mid in number and number[mid] < now_no for tid, r in rs.items() if tid == t["id"])
        closed_before = any(o in ("done", "dropped") for _, o in earlier)
        if closed_before and mine is None:
            continue
        # done on the desk since the previous meeting, where it was still open (agreed or moved there)
        on_prev = t.get("meeting_id") == prev_id or any(n == now_no - 1 for n, _ in earlier)
        done_between = bool(t.get("done")) and mine is None and on_prev
        if (t.get("done") or t.get("dropped")) and mine is None and not done_between:
            continue
        rows.append(ActionRow(
            id=t["id"], title=t["title"], who=who(t["id"], holders, letters), due=t.get("due"), agreed_at=agreed,
            outcome=mine["outcome"] if mine else None,
            moved_to=number.get(mine.get("to_meeting")) if mine else None,
            was_due=mine.get("was_due") if mine else None, done_between=done_between, history=earlier))
    rows.sort(key=lambda r: (r.outcome is not None, r.due or "9999", r.id))
    return rows


def as_they_stood(tasks: list[dict], meetings: list[dict], number: int,
                  reviews: dict[int, dict[int, dict]]) -> list[dict]:
    """The tasks as they stood at meeting `number`, for its minutes: those agreed there or before (a
    later meeting's are not its), each with the first later meeting's word put back (not done, not
    dropped, a moved one at its date before the move)."""
    upto = {m["id"] for m in meetings if m["number"] <= number}
    words: dict[int, dict] = {}
    for m in sorted((m for m in meetings if m["number"] > number), key=lambda m: m["number"]):
        for tid, r in reviews.get(m["id"], {}).items():
            words.setdefault(tid, r)
    out = []
    for x in tasks:
        if x.get("meeting_id") is not None and x["meeting_id"] not in upto:
            continue
        w = words.get(x["id"])
        if w is not None:
            x = {**x, "done": False, "dropped": False, "due": w["was_due"] if w["outcome"] == "moved" else x["due"]}
        out.append(x)
    return out


@dataclass
class Between:
    """What changed on the network's shared data between two meetings."""
    since: str | None  # when the previous meeting last did something (ISO time)
    new_tasks: list[dict]
    new_activities: list[dict]
    indicator_values: list[tuple[str, dict]]  # (indicator name, {value, date, source})

    @property
    def empty(self) -> bool:
        return not (self.new_tasks or self.new_activities or self.indicator_values)


def between(since: str | None, tasks: list[dict], activities: list[dict], indicators: list[dict],
            since_day: str | None = None, until: str | None = None) -> Between:
    """New tasks and tray activities made after `since` (an ISO time: the previous meeting's last
    recorded action) and before `until` (when this meeting began: its first join or its first step
    of the run of show; None while it has not begun), and indicator values dated on or after
    `since_day` (the previous meeting's date; else `since`'s day) and not after `until`'s day.
    Nothing before the previous meeting, nor what this meeting itself adds, counts as between."""
    if since is None:
        return Between(None, [], [], [])
    day = since_day or since[:10]
    end = until or "9999"
    new_tasks = [t for t in tasks if since < (t.get("created_at") or "") < end]
    new_acts = [a for a in activities if since < (a.get("created_at") or "") < end]
    values = [(i.get("name") or "", r) for i in indicators for r in (i.get("results") or [])
              if day <= (r.get("date") or "") <= end[:10]]
    values.sort(key=lambda x: (x[1].get("date") or "", x[0]))
    return Between(since, new_tasks, new_acts, values)
