"""Workshops, participants and their devices, ideas and their moderation, settings, the shared tablet."""

from __future__ import annotations

import secrets
from typing import NamedTuple

from sqlalchemy import (
    bindparam,
    func,
    select,
)
from sqlalchemy.engine import Connection

from kit import voting
from kit.config import LANGUAGES, LIMITS
from kit.errors import KitError
from kit.numbers import amount_text
from kit.store.base import BaseStore, _row, hash_token, now
from kit.store.schema import ideas, networks, participants, workshops
from kit.text import clean_text

# built once: every participant request asks these two (see the note on kit.store.voting's statements)
_BY_CODE = select(workshops).where(workshops.c.code == bindparam("code"))
_BY_TOKEN = select(participants).where(participants.c.token_hash == bindparam("hash"),
                                       participants.c.workshop_id == bindparam("wid"))

JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud from a projector


JOIN_CODE_LENGTH = 6


# -- values checked before they are stored ------------------------------------------------------------
THL_DIMENSIONS = ("own_life", "communities_influence", "common_good")  # domain spec §6.4


PORE_LEVELS = (1, 2, 3)  # individual resources, community and culture, societal structures


def clean_tags(tags) -> dict | None:
    if tags is None:
        return None
    if not isinstance(tags, dict):
        raise KitError("bad_tags")
    out: dict = {}
    groups = tags.get("target_groups") or []
    if not isinstance(groups, list) or not all(isinstance(g, str) and 0 < len(g) <= 64 for g in groups):
        raise KitError("bad_tags")
    if groups:
        out["target_groups"] = sorted(set(groups))
    pore = tags.get("pore_level")
    if pore not in (None, *PORE_LEVELS):
        raise KitError("bad_tags")
    if pore:
        out["pore_level"] = pore
    thl = tags.get("thl") or []
    if not isinstance(thl, list) or any(d not in THL_DIMENSIONS for d in thl):
        raise KitError("bad_tags")
    if thl:
        out["thl"] = [d for d in THL_DIMENSIONS if d in thl]
    step = tags.get("step_level")
    if step is not None and (isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= 9):
        raise KitError("bad_tags")
    if step:
        out["step_level"] = step
    return out or None


def clean_cost(cost) -> str | None:
    """A cost estimate as exact decimal text, or None for "not estimated"."""
    if cost is None or (isinstance(cost, str) and not cost.strip()):
        return None
    from kit.budgeting import to_amount

    return amount_text(to_amount(cost, "cost"))




SHARED_SETTINGS = ("plan",)  # settings of the network, not of one meeting


class KioskStart(NamedTuple):
    pin: str  # for the facilitator's eyes only
    tablet: str  # the shared tablet's key, in its link

PRESENCE = (None, "room", "remote")  # a hybrid meeting: where a participant said they take part


class WorkshopsStore(BaseStore):
    """Workshops, participants and their devices, ideas and their moderation, settings, the shared tablet."""

    def create_workshop(self, title: str, template: str, language: str = "fi", settings: dict | None = None,
                        titles: dict | None = None) -> dict:
        """A new workshop. `titles` ({fi, sv, en}) is its title per language (the template's name when
        the facilitator types none); each reader then sees the title in their language."""
        if language not in LANGUAGES:
            raise KitError("unknown_language", language=language)
        titles = {k: clean_text(v, 200, "too_long", "title") for k, v in (titles or {}).items()
                  if k in LANGUAGES and isinstance(v, str) and v.strip()}
        title = clean_text(title, 200, "too_long", "title") if isinstance(title, str) else ""
        title = title or titles.get(language, "")
        if not title:
            raise KitError("title_required")
        settings = dict(settings or {})
        if titles:
            settings["titles"] = titles
        with self._tx(write=True) as conn:
            code = self._new_code(conn)
            created = now()
            # the network first, then its first meeting in it: under row-level security (a hosted kit,
            # kit/store/rls.py) a meeting is only ever written inside a network its facilitator owns
            nid = conn.execute(networks.insert().values(name=title, home_id=0, info={}, created_at=created)
                               ).inserted_primary_key[0]
            res = conn.execute(
                workshops.insert().values(
                    code=code, title=title, template=template, language=language, network_id=nid,
                    created_at=created, ideas_open=True, version=1, settings=settings, meeting_no=1,
                )
            )
            wid = res.inserted_primary_key[0]
            conn.execute(networks.update().where(networks.c.id == nid).values(home_id=wid))
            from kit.store.agenda import seed_agenda

            seed_agenda(conn, wid, template)
            self._log(conn, wid, "workshop_created", template=template)
            return _row(conn.execute(select(workshops).where(workshops.c.id == wid)).first())

    @staticmethod
    def _new_code(conn: Connection) -> str:
        """A join code no workshop has."""
        for _ in range(50):
            code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
            if conn.execute(select(workshops.c.id).where(workshops.c.code == code)).first() is None:
                break
        return code

    def workshop(self, workshop_id: int) -> dict:
        with self._tx() as conn:
            row = _row(conn.execute(select(workshops).where(workshops.c.id == workshop_id)).first())
        if row is None:
            raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
        return row

    def workshop_by_code(self, code: str) -> dict:
        code = (code or "").strip().upper()

        def read():
            with self._tx() as conn:
                return _row(conn.execute(_BY_CODE, {"code": code}).first())

        row = self._once_per_batch(("workshop", code), read)  # a burst of ballots reads it once
        if row is None:
            raise KitError("unknown_workshop", status=404, join_code=code[:16])
        return row

    def workshops(self) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(select(workshops).order_by(workshops.c.id))]

    def version(self, workshop_id: int) -> int:
        with self._tx() as conn:
            v = conn.execute(select(workshops.c.version).where(workshops.c.id == workshop_id)).scalar()
        return int(v or 0)

    def set_ideas_open(self, workshop_id: int, is_open: bool) -> None:
        with self._tx(write=True) as conn:
            conn.execute(workshops.update().where(workshops.c.id == workshop_id).values(ideas_open=bool(is_open)))
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "ideas_open" if is_open else "ideas_closed")

    def add_participant(self, workshop_id: int, nickname: str | None = None, group: str | None = None,
                        language: str = "fi", kind: str = "device", presence: str | None = None) -> tuple[dict, str]:
        """Register a device; returns (participant, token). Only the token's hash is stored. `presence`:
        a hybrid meeting's "room" or "remote", as the participant said (else None)."""
        nickname = clean_text(nickname, LIMITS.nickname_chars, "nickname_too_long", field="nickname") or None
        if presence not in PRESENCE:
            raise KitError("bad_field", field="where")
        if language not in LANGUAGES:
            language = "fi"
        token = secrets.token_urlsafe(24)
        with self._tx(write=True) as conn:
            res = conn.execute(
                participants.insert().values(
                    workshop_id=workshop_id, token_hash=hash_token(token), nickname=nickname,
                    stakeholder_group=group or None, language=language, created_at=now(), kind=kind,
                    presence=presence,
                )
            )
            self._bump(conn, workshop_id)
            pid = res.inserted_primary_key[0]
            row = _row(conn.execute(select(participants).where(participants.c.id == pid)).first())
        return row, token

    def presence_counts(self, workshop_id: int) -> dict[str, int]:
        """A hybrid meeting's people: {"room": n, "remote": n, "unsaid": n} of the devices that joined."""
        with self._tx() as conn:
            rows = conn.execute(select(participants.c.presence, func.count()).where(
                participants.c.workshop_id == workshop_id, participants.c.kind == "device",
                participants.c.token_hash.not_like("withdrawn:%")).group_by(participants.c.presence)).all()
        out = {"room": 0, "remote": 0, "unsaid": 0}
        for where, n in rows:
            out[where or "unsaid"] += n
        return out

    def participant_by_token(self, workshop_id: int, token: str | None) -> dict:
        if not token:
            raise KitError("not_joined", status=401)
        with self._tx() as conn:
            row = _row(conn.execute(_BY_TOKEN, {"hash": hash_token(token), "wid": workshop_id}).first())
        if row is None:
            raise KitError("not_joined", status=401)
        return row

    def set_minutes_name(self, workshop_id: int, participant_id: int, name: str | None) -> str | None:
        """Name me in the minutes: the name this person typed on their own device (at most 120
        characters), or none (""), when they would rather be counted by their group."""
        name = clean_text(name, 120, "too_long", "name") or None
        with self._tx(write=True) as conn:
            conn.execute(participants.update().where(participants.c.id == participant_id,
                                                     participants.c.workshop_id == workshop_id)
                         .values(minutes_name=name))
            self._bump(conn, workshop_id)
        return name

    def seen(self, participant_id: int) -> None:
        """A device asked for updates now. Not a change of the workshop: no version bump, no event."""
        with self._tx(write=True) as conn:
            conn.execute(participants.update().where(participants.c.id == participant_id).values(last_seen=now()))

    def present_count(self, workshop_id: int, minutes: int = 5) -> int:
        """Devices that asked for updates in the last few minutes: who is in the room now."""
        from datetime import UTC, datetime, timedelta

        since = (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat(timespec="milliseconds")
        with self._tx() as conn:
            return conn.execute(select(func.count()).select_from(participants).where(
                participants.c.workshop_id == workshop_id, participants.c.last_seen >= since)).scalar()

    def participant_count(self, workshop_id: int) -> int:
        with self._tx() as conn:
            return conn.execute(
                select(func.count()).select_from(participants).where(participants.c.workshop_id == workshop_id)
            ).scalar()

    def participants(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(participants).where(participants.c.workshop_id == workshop_id).order_by(participants.c.id)
            )]

    def add_idea(self, workshop_id: int, text: str, participant_id: int | None = None,
                 tags: dict | None = None, cost=None) -> dict:
        """A new idea. From a device it waits for the facilitator when the workshop moderates first
        (setting `premoderate`); the facilitator's own ideas are visible at once."""
        text = voting.clean_idea_text(text)
        tags = clean_tags(tags)
        cost_text = clean_cost(cost)
        with self._tx(write=True) as conn:
            ws = conn.execute(select(workshops.c.ideas_open, workshops.c.settings)
                              .where(workshops.c.id == workshop_id)).first()
            if ws is None:
                raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
            if not ws.ideas_open and participant_id is not None:
                raise KitError("ideas_closed", status=409)
            status = "pending" if participant_id is not None and (ws.settings or {}).get("premoderate") else "visible"
            res = conn.execute(
                ideas.insert().values(
                    workshop_id=workshop_id, participant_id=participant_id, text=text,
                    status=status, created_at=now(), tags=tags, cost=cost_text,
                )
            )
            self._bump(conn, workshop_id)
            iid = res.inserted_primary_key[0]
            return _row(conn.execute(select(ideas).where(ideas.c.id == iid)).first())

    def ideas(self, workshop_id: int, include_hidden: bool = True) -> list[dict]:
        q = select(ideas).where(ideas.c.workshop_id == workshop_id)
        if not include_hidden:
            q = q.where(ideas.c.status == "visible")
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(q.order_by(ideas.c.id))]

    def idea(self, idea_id: int) -> dict:
        with self._tx() as conn:
            return self._idea_for_update(conn, idea_id)

    def ideas_of(self, participant_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(ideas).where(ideas.c.participant_id == participant_id).order_by(ideas.c.id)
            )]

    @staticmethod
    def _idea_for_update(conn: Connection, idea_id: int) -> dict:
        row = _row(conn.execute(select(ideas).where(ideas.c.id == idea_id)).first())
        if row is None:
            raise KitError("unknown_idea", status=404, idea=idea_id)
        return row

    def set_idea_status(self, idea_id: int, status: str, expect: str | None = None) -> bool:
        """Approve (visible), hide, or put back to waiting. Rejecting and merging have their own
        methods because they keep a reason or a destination. With `expect`, the change applies only
        while the idea still has that status (the one its button was shown for), so a second click or
        a click on a row another desk has changed does nothing. Returns whether anything changed."""
        if status not in ("visible", "hidden", "pending"):
            raise KitError("bad_status", status_value=str(status)[:20])
        with self._tx(write=True) as conn:
            idea = self._idea_for_update(conn, idea_id)
            if (expect is not None and idea["status"] != expect) or idea["status"] == status:
                return False
            conn.execute(ideas.update().where(ideas.c.id == idea_id)
                         .values(status=status, reject_reason=None, merged_into=None))
            self._bump(conn, idea["workshop_id"])
            self._log(conn, idea["workshop_id"], "idea_" + status, idea_id=idea_id, was=idea["status"])
        return True

    def approve_waiting(self, workshop_id: int) -> int:
        """Approve every idea waiting for approval, in one step. Returns how many."""
        with self._tx(write=True) as conn:
            waiting = [r.id for r in conn.execute(select(ideas.c.id).where(
                ideas.c.workshop_id == workshop_id, ideas.c.status == "pending").order_by(ideas.c.id))]
            if not waiting:
                return 0
            conn.execute(ideas.update().where(ideas.c.id.in_(waiting)).values(status="visible"))
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "ideas_approved", ideas=waiting)
            return len(waiting)

    def edit_idea(self, idea_id: int, text: str) -> dict:
        """Fix a typo; the text before the edit is kept in the event log."""
        text = voting.clean_idea_text(text)
        with self._tx(write=True) as conn:
            idea = self._idea_for_update(conn, idea_id)
            if text == idea["text"]:
                return idea
            conn.execute(ideas.update().where(ideas.c.id == idea_id).values(text=text))
            self._bump(conn, idea["workshop_id"])
            self._log(conn, idea["workshop_id"], "idea_edited", idea_id=idea_id, old=idea["text"], new=text)
            return _row(conn.execute(select(ideas).where(ideas.c.id == idea_id)).first())

    def reject_idea(self, idea_id: int, reason: str) -> None:
        """Reject with a reason that is kept, shown to its proposer and in the report."""
        reason = (reason or "").strip() if isinstance(reason, str) else ""
        if not reason:
            raise KitError("reason_required")
        if len(reason) > LIMITS.idea_chars:
            raise KitError("idea_too_long", max=LIMITS.idea_chars, given=len(reason))
        with self._tx(write=True) as conn:
            idea = self._idea_for_update(conn, idea_id)
            conn.execute(ideas.update().where(ideas.c.id == idea_id)
                         .values(status="rejected", reject_reason=reason, merged_into=None))
            self._bump(conn, idea["workshop_id"])
            self._log(conn, idea["workshop_id"], "idea_rejected", idea_id=idea_id, reason=reason)

    def merge_ideas(self, target_id: int, source_ids, text: str | None = None) -> dict:
        """Merge similar ideas into one: each source keeps its proposer and points at the target
        (`merged_into`); the target may get a new wording. Ideas already on an open ballot keep
        their dots; merging only changes what later rounds offer."""
        source_ids = [int(i) for i in source_ids if int(i) != int(target_id)]
        if not source_ids:
            raise KitError("merge_needs_two")
        clean = voting.clean_idea_text(text) if text is not None else None
        with self._tx(write=True) as conn:
            target = self._idea_for_update(conn, target_id)
            for sid in source_ids:
                src = self._idea_for_update(conn, sid)
                if src["workshop_id"] != target["workshop_id"]:
                    raise KitError("unknown_idea", status=404, idea=sid)
                if src["status"] == "merged":
                    raise KitError("already_merged", idea=sid)
            # ideas merged earlier into a source follow it to the new target
            conn.execute(ideas.update().where(ideas.c.merged_into.in_(source_ids)).values(merged_into=target_id))
            conn.execute(ideas.update().where(ideas.c.id.in_(source_ids))
                         .values(status="merged", merged_into=target_id, reject_reason=None))
            values = {"status": "visible", "merged_into": None}
            if clean is not None and clean != target["text"]:
                values["text"] = clean
                self._log(conn, target["workshop_id"], "idea_edited", idea_id=target_id,
                          old=target["text"], new=clean)
            conn.execute(ideas.update().where(ideas.c.id == target_id).values(**values))
            self._bump(conn, target["workshop_id"])
            self._log(conn, target["workshop_id"], "ideas_merged", into=target_id, merged=source_ids)
            return _row(conn.execute(select(ideas).where(ideas.c.id == target_id)).first())

    def merged_from(self, idea_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(ideas).where(ideas.c.merged_into == idea_id).order_by(ideas.c.id))]

    def set_idea_tags(self, idea_id: int, tags: dict | None = None, cost=...) -> dict:
        """Tags (target groups, PORE level, THL dimensions, step level) and the cost estimate.
        `cost=None` clears the estimate; leaving it out keeps it."""
        tags = clean_tags(tags)
        with self._tx(write=True) as conn:
            idea = self._idea_for_update(conn, idea_id)
            values = {"tags": tags}
            if cost is not ...:
                values["cost"] = clean_cost(cost)
            conn.execute(ideas.update().where(ideas.c.id == idea_id).values(**values))
            self._bump(conn, idea["workshop_id"])
            self._log(conn, idea["workshop_id"], "idea_tagged", idea_id=idea_id)
            return _row(conn.execute(select(ideas).where(ideas.c.id == idea_id)).first())

    def set_proposal(self, idea_id: int, proposal: dict, final_cost=...) -> dict:
        """A budgeting proposal's development (kit/proposals.py): description, preliminary cost, the
        municipality's feasibility note, implementation status, date and note; `final_cost` is the
        idea's cost, the one that goes on the ballot (left out: kept). All or nothing."""
        from kit import proposals

        clean = proposals.check(proposal, clean_cost)
        with self._tx(write=True) as conn:
            idea = self._idea_for_update(conn, idea_id)
            values = {"proposal": clean or None}
            if final_cost is not ...:
                values["cost"] = clean_cost(final_cost)
            conn.execute(ideas.update().where(ideas.c.id == idea_id).values(**values))
            self._bump(conn, idea["workshop_id"])
            self._log(conn, idea["workshop_id"], "proposal_developed", idea_id=idea_id)
            return _row(conn.execute(select(ideas).where(ideas.c.id == idea_id)).first())

    def set_setting(self, workshop_id: int, key: str, value) -> None:
        """One setting of a meeting; a setting of the network (SHARED_SETTINGS: the plan) is kept in
        its first meeting and every meeting's screens look again."""
        shared = key in SHARED_SETTINGS
        asked = workshop_id
        with self._tx(write=True) as conn:
            if shared:
                workshop_id = self._home(conn, workshop_id)
            cur = conn.execute(select(workshops.c.settings).where(workshops.c.id == workshop_id)).scalar()
            if cur is None:
                raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
            new = dict(cur)
            if value is None:
                new.pop(key, None)
            else:
                new[key] = value
            conn.execute(workshops.update().where(workshops.c.id == workshop_id).values(settings=new))
            if shared:
                self._bump_network(conn, asked)
            else:
                self._bump(conn, workshop_id)
            if not key.startswith("kiosk"):
                self._log(conn, workshop_id, "setting", key=key, value=value)

    def set_titles(self, workshop_id: int, titles: dict) -> dict:
        """The facilitator's own title per language ({fi, sv, en}; empty ones fall back to the title)."""
        clean = {k: clean_text(v, 200, "too_long", "title") for k, v in (titles or {}).items()
                 if k in LANGUAGES and isinstance(v, str) and v.strip()}
        self.set_setting(workshop_id, "titles", clean or None)
        return clean

    def start_kiosk(self, workshop_id: int) -> KioskStart:
        """Shared-tablet mode: a fresh 6-digit PIN that only the facilitator sees (each next voter on
        the tablet needs it) and a tablet key that the tablet's link carries. Only requests with the
        key may try PINs, so nobody else on the network can use up the tries and lock the real tablet
        out. Both are stored as hashes; starting again makes the old PIN and link useless."""
        pin = f"{secrets.randbelow(10**6):06d}"
        key = secrets.token_urlsafe(18)
        with self._tx(write=True) as conn:
            cur = dict(conn.execute(select(workshops.c.settings).where(workshops.c.id == workshop_id)).scalar() or {})
            cur.update(kiosk_pin=hash_token("kiosk:" + pin), kiosk_tablet=hash_token("tablet:" + key))
            conn.execute(workshops.update().where(workshops.c.id == workshop_id).values(settings=cur))
            self._bump(conn, workshop_id)
        return KioskStart(pin, key)

    def stop_kiosk(self, workshop_id: int) -> None:
        self.set_setting(workshop_id, "kiosk_pin", None)
        self.set_setting(workshop_id, "kiosk_tablet", None)

    def kiosk_tablet_ok(self, workshop_id: int, key) -> bool:
        """Is this the key of the tablet the facilitator started shared-tablet mode for?"""
        want = (self.workshop(workshop_id)["settings"] or {}).get("kiosk_tablet")
        return bool(want) and isinstance(key, str) and secrets.compare_digest(hash_token("tablet:" + key.strip()), want)

    def kiosk_voter(self, workshop_id: int, pin: str, group: str | None = None,
                    language: str = "fi") -> tuple[dict, str]:
        """The facilitator confirmed the next voter on a shared tablet: a new pseudonymous voter."""
        ws = self.workshop(workshop_id)
        want = (ws["settings"] or {}).get("kiosk_pin")
        if not want:
            raise KitError("kiosk_off", status=409)
        if not isinstance(pin, str) or not secrets.compare_digest(hash_token("kiosk:" + pin.strip()), want):
            raise KitError("kiosk_pin", status=403)
        p, token = self.add_participant(workshop_id, None, group, language, kind="kiosk")
        return p, token

