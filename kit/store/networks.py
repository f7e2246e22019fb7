"""Networks and their meetings: the series a working group holds, the next meeting made from the last,
and "since last time" (what a meeting decided about the earlier meetings' action items).

A network's shared data (plan, holders, tasks, tray, logic model, indicators, activity log) stays under
its first meeting's id, `networks.home_id`: `_home()` turns any meeting's id into it, so every stage's
store reads and writes the same rows from every meeting, and a store from before networks needed no
data rewritten to upgrade (each workshop became a network of one meeting, its own home)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from kit.errors import KitError
from kit.store.base import BaseStore, _row, now
from kit.store.schema import action_reviews, actors, links, networks, participants, tasks, workshops
from kit.text import clean_date, clean_text

NETWORK_FIELDS = ("name", "organisation", "municipality", "funder", "project_code", "timezone")
NETWORK_CHARS = 200
OUTCOMES = ("done", "moved", "dropped")
# what a next meeting takes from the last one's settings (the rest is the meeting's own)
CARRIED_SETTINGS = ("titles", "premoderate", "welcome")


def check_network_info(info: dict) -> dict:
    """The network's facts as typed (all optional but the name); a time zone must be one Python knows."""
    if not isinstance(info, dict) or set(info) - set(NETWORK_FIELDS):
        raise KitError("bad_field", field=next(iter(set(info or {}) - set(NETWORK_FIELDS)), "network"))
    out = {}
    for f in NETWORK_FIELDS:
        v = clean_text(info.get(f) or "", NETWORK_CHARS, "too_long", f)
        if v:
            out[f] = v
    if out.get("timezone"):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(out["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise KitError("bad_field", field="timezone") from None
    return out


NOT_IN_INFO_FORM = ("tray_public",)


class NetworksStore(BaseStore):
    """Networks, their meetings, the next meeting, and the review of action items."""

    # -- where a network's shared data lives ---------------------------------------------------------
    def _home(self, conn: Connection, workshop_id: int) -> int:
        """The id the network's shared rows are kept under, for any of its meetings."""
        def read():
            return conn.execute(select(networks.c.home_id).join(workshops, workshops.c.network_id == networks.c.id)
                                .where(workshops.c.id == workshop_id)).scalar()

        home = self._once_per_batch(("home", workshop_id), read)
        return home if home is not None else workshop_id

    def _meeting_ids(self, conn: Connection, workshop_id: int) -> list[int]:
        nid = conn.execute(select(workshops.c.network_id).where(workshops.c.id == workshop_id)).scalar()
        if nid is None:
            return [workshop_id]
        return [r[0] for r in conn.execute(select(workshops.c.id).where(workshops.c.network_id == nid)
                                           .order_by(workshops.c.meeting_no, workshops.c.id))]

    def _bump_network(self, conn: Connection, workshop_id: int) -> None:
        """A change to shared data: every meeting's screens look again."""
        for wid in self._meeting_ids(conn, workshop_id):
            self._bump(conn, wid)

    def _log_network(self, conn: Connection, workshop_id: int, kind: str, **payload) -> None:
        """A facilitator's change to shared data, logged in every meeting of the network: each
        meeting's phones look again at their own parts (a suggestion accepted onto the tray)."""
        for wid in self._meeting_ids(conn, workshop_id):
            self._log(conn, wid, kind, **payload)

    def home_id(self, workshop_id: int) -> int:
        with self._tx() as conn:
            return self._home(conn, workshop_id)

    # -- reading ----------------------------------------------------------------------------------------
    def network_of(self, workshop_id: int) -> dict:
        """The network a meeting belongs to, with its meetings in order (each with id, code, number,
        title, created_at and the date and place its minutes give)."""
        with self._tx() as conn:
            nid = conn.execute(select(workshops.c.network_id).where(workshops.c.id == workshop_id)).scalar()
            if nid is None:
                raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
            return self._network(conn, nid)

    @staticmethod
    def _network(conn: Connection, nid: int) -> dict:
        net = _row(conn.execute(select(networks).where(networks.c.id == nid)).first())
        rows = conn.execute(select(workshops).where(workshops.c.network_id == nid)
                            .order_by(workshops.c.meeting_no, workshops.c.id)).all()
        net["meetings"] = [_meeting(_row(r)) for r in rows]
        return net

    def networks(self) -> list[dict]:
        with self._tx() as conn:
            ids = [r[0] for r in conn.execute(select(networks.c.id).order_by(networks.c.id))]
            return [self._network(conn, nid) for nid in ids]

    def previous_meeting(self, workshop_id: int) -> dict | None:
        """The meeting before this one in its network (None for the first)."""
        return _before(self.network_of(workshop_id)["meetings"], workshop_id)

    # -- writing ------------------------------------------------------------------------------------------
    def set_network_info(self, workshop_id: int, info: dict) -> dict:
        """The network's name, organisation, municipality or wellbeing services county, funder, project
        code and time zone, from any of its meetings. A blank name keeps the one it has."""
        clean = check_network_info(info)
        with self._tx(write=True) as conn:
            nid = conn.execute(select(workshops.c.network_id).where(workshops.c.id == workshop_id)).scalar()
            if nid is None:
                raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
            name = clean.pop("name", None)
            kept = conn.execute(select(networks.c.info).where(networks.c.id == nid)).scalar() or {}
            # what the network's form does not edit stays (the public tray's switch)
            values = {"info": {**clean, **{k: kept[k] for k in NOT_IN_INFO_FORM if k in kept}}}
            if name:
                values["name"] = name
            conn.execute(networks.update().where(networks.c.id == nid).values(**values))
            self._bump_network(conn, workshop_id)
            self._log(conn, workshop_id, "network_info", fields=sorted(clean) + (["name"] if name else []))
            return self._network(conn, nid)

    def next_meeting(self, from_id: int, date: str | None = None, place: str | None = None) -> tuple[dict, bool]:
        """The next meeting of `from_id`'s network, made from the last one: its title, template,
        language and carried settings, the template's agenda, and a copy of the last meeting's map (so
        the two maps can be compared). Only one can follow a meeting: asked again (a button pressed
        twice, a second window), it returns the meeting already made and False."""
        day = clean_date(date)
        place = clean_text(place or "", 120, "too_long", "place")
        from kit.store.agenda import seed_agenda

        with self._tx(write=True) as conn:
            src = _row(conn.execute(select(workshops).where(workshops.c.id == from_id)).first())
            if src is None:
                raise KitError("unknown_workshop", status=404, join_code=str(from_id))
            nid = src["network_id"]
            later = _row(conn.execute(select(workshops).where(
                workshops.c.network_id == nid, workshops.c.meeting_no > src["meeting_no"])
                .order_by(workshops.c.meeting_no)).first())
            if later is not None:
                return later, False
            last_no = conn.execute(select(func.max(workshops.c.meeting_no)).where(workshops.c.network_id == nid)).scalar()
            settings = {k: v for k, v in (src["settings"] or {}).items() if k in CARRIED_SETTINGS}
            minutes = {k: v for k, v in (("date", day), ("place", place)) if v}
            if minutes:
                settings["minutes"] = minutes
            code = self._new_code(conn)
            wid = conn.execute(workshops.insert().values(
                code=code, title=src["title"], template=src["template"], language=src["language"], created_at=now(),
                ideas_open=True, version=1, settings=settings, network_id=nid, meeting_no=(last_no or 0) + 1,
            )).inserted_primary_key[0]
            seed_agenda(conn, wid, src["template"], since=True)
            self._copy_map(conn, from_id, wid)
            self._log(conn, wid, "workshop_created", template=src["template"], after=from_id)
            self._bump_network(conn, from_id)
            return _row(conn.execute(select(workshops).where(workshops.c.id == wid)).first()), True

    @staticmethod
    def _copy_map(conn: Connection, from_id: int, to_id: int) -> None:
        """The map as the last meeting left it (its accepted actors and links), each actor keeping its
        first meeting's id as origin_id."""
        ids = {}
        for a in conn.execute(select(actors).where(actors.c.workshop_id == from_id, actors.c.status == "active")
                              .order_by(actors.c.id)).all():
            a = _row(a)
            row = {k: v for k, v in a.items() if k not in ("id", "workshop_id", "suggested_by", "created_at")}
            row.update(workshop_id=to_id, created_at=now(), origin_id=a["origin_id"] or a["id"])
            ids[a["id"]] = conn.execute(actors.insert().values(**row)).inserted_primary_key[0]
        for x in conn.execute(select(links).where(links.c.workshop_id == from_id, links.c.status == "active")
                              .order_by(links.c.id)).all():
            x = _row(x)
            if x["source_id"] in ids and x["target_id"] in ids:
                row = {k: v for k, v in x.items() if k not in ("id", "workshop_id", "suggested_by", "created_at")}
                row.update(workshop_id=to_id, created_at=now(), source_id=ids[x["source_id"]],
                           target_id=ids[x["target_id"]])
                conn.execute(links.insert().values(**row))

    # -- since last time -----------------------------------------------------------------------------------
    def review_action(self, meeting_id: int, task_id: int, outcome: str | None, due: str | None = None,
                      to_meeting: int | None = None) -> dict | None:
        """A meeting's word on an earlier action item: done, moved (to a new date, or to a meeting of
        the same network that exists) or dropped; None takes the word back. Recorded per meeting, so
        the minutes say which meeting decided it."""
        if outcome is not None and outcome not in OUTCOMES:
            raise KitError("bad_field", field="outcome")
        day = clean_date(due) if outcome == "moved" else None
        with self._tx(write=True) as conn:
            t = _row(conn.execute(select(tasks).where(tasks.c.id == task_id)).first())
            if t is None or t["workshop_id"] != self._home(conn, meeting_id):
                raise KitError("unknown_task", status=404)
            if to_meeting is not None and (outcome != "moved" or to_meeting not in self._meeting_ids(conn, meeting_id)):
                raise KitError("unknown_meeting", status=404)
            before = _row(conn.execute(select(action_reviews).where(
                action_reviews.c.workshop_id == meeting_id, action_reviews.c.task_id == task_id)).first())
            conn.execute(action_reviews.delete().where(action_reviews.c.workshop_id == meeting_id,
                                                      action_reviews.c.task_id == task_id))
            values = {"done": outcome == "done", "dropped": outcome == "dropped"}
            if before and before["outcome"] == "moved":
                values["due"] = before["was_due"]
            if outcome == "moved" and day:
                values["due"] = day
            conn.execute(tasks.update().where(tasks.c.id == task_id).values(**values))
            row = None
            if outcome is not None:
                conn.execute(action_reviews.insert().values(
                    workshop_id=meeting_id, task_id=task_id, outcome=outcome, due=day, to_meeting=to_meeting,
                    was_due=before["was_due"] if before else t["due"], created_at=now()))
                row = {"task_id": task_id, "outcome": outcome, "due": day, "to_meeting": to_meeting,
                       "was_due": t["due"]}
            self._bump_network(conn, meeting_id)
            self._log(conn, meeting_id, "action_reviewed", task_id=task_id, outcome=outcome, due=day,
                      was_due=t["due"], to_meeting=to_meeting)
            return row

    def since_last_time(self, meeting_id: int):
        """What opens a meeting after the first: the earlier action items with this meeting's word on
        each (kit.meetings.action_items) and what changed on the shared data between the two (from
        the previous meeting's last moment in the room to this one's first: kit.meetings.between). None for a network's first meeting."""
        from kit import meetings as mt

        net = self.network_of(meeting_id)
        prev = _before(net["meetings"], meeting_id)
        if prev is None:
            return None
        with self._tx() as conn:
            # the previous meeting's last moment in the room; for one held without devices, the
            # moment this meeting was made from it (shared data written later is not "in its room")
            since = self._room_span(conn, prev["id"])[1] or conn.execute(
                select(workshops.c.created_at).where(workshops.c.id == meeting_id)).scalar()
            begun = self._room_span(conn, meeting_id)[0]
        tasks = self.tasks(meeting_id)
        rows = mt.action_items(tasks, self.holders(meeting_id), self.assignments(meeting_id), net["meetings"],
                               meeting_id, self.network_reviews(net["meetings"]))
        listed = {r.id for r in rows}  # an item listed above, or agreed here, is not "new between"
        fresh = [t for t in tasks if t["id"] not in listed and t["meeting_id"] != meeting_id]
        changed = mt.between(since, fresh, self.activities(meeting_id), self.indicators(meeting_id), prev.get("date"),
                             begun)
        return {"previous": prev, "items": rows, "between": changed}

    @staticmethod
    def _room_span(conn: Connection, meeting_id: int) -> tuple[str | None, str | None]:
        """When a meeting was held: its first and last moment in the room (a device joining, the run
        of show moving, a vote or a form opened or closed). Shared data changed from its pages later
        (a tray activity added the week after) does not stretch it. (None, None) before it begins."""
        from kit.store.schema import events

        joined = select(participants.c.created_at.label("at")).where(
            participants.c.workshop_id == meeting_id, or_(participants.c.kind.is_(None), participants.c.kind != "paper"))
        moved = select(events.c.at).where(events.c.workshop_id == meeting_id, events.c.kind.in_(ROOM_EVENTS))
        both = joined.union_all(moved).subquery()
        return tuple(conn.execute(select(func.min(both.c.at), func.max(both.c.at))).one())

    def network_reviews(self, meetings: list[dict]) -> dict[int, dict[int, dict]]:
        """{meeting id: {task id: that meeting's word on it}} for these meetings, in one read."""
        out: dict[int, dict[int, dict]] = {}
        with self._tx() as conn:
            for r in conn.execute(select(action_reviews).where(
                    action_reviews.c.workshop_id.in_([m["id"] for m in meetings]))):
                out.setdefault(r.workshop_id, {})[r.task_id] = _row(r)
        return out

    def action_reviews(self, meeting_id: int) -> dict[int, dict]:
        """{task id: this meeting's word on it}."""
        with self._tx() as conn:
            return {r.task_id: _row(r) for r in conn.execute(
                select(action_reviews).where(action_reviews.c.workshop_id == meeting_id))}


ROOM_EVENTS = ("agenda_moved", "round_opened", "round_closed", "form_open", "form_closed", "results_shown",
               "ideas_open", "paper_ballot", "paper_form_entered")


def _before(meetings: list[dict], workshop_id: int) -> dict | None:
    pos = [m["id"] for m in meetings].index(workshop_id)
    return meetings[pos - 1] if pos > 0 else None


def _meeting(ws: dict) -> dict:
    m = (ws.get("settings") or {}).get("minutes") or {}
    return {"id": ws["id"], "code": ws["code"], "number": ws["meeting_no"], "title": ws["title"],
            "created_at": ws["created_at"], "date": m.get("date"), "place": m.get("place"),
            "closed": bool((ws.get("settings") or {}).get("closed"))}
