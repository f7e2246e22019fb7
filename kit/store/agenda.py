"""The run of show in the store: a workshop's agenda, the room's current activity, the warm-up's words
and questions from the room with their upvotes.

The current activity is the workshop setting `agenda_current` (an activity's stable id) and when the
room got there, `agenda_started` (epoch seconds, for a countdown). A move is one write transaction: it
reads where the room is, checks a move "from" against it, closes what the activity left behind opened
and opens what the next one needs (kit.agenda.effects), so two facilitator windows pressing Next at
once move the room once, and a ballot either commits before its vote closes or is refused after."""

from __future__ import annotations

import time

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from kit import agenda as ag
from kit.errors import KitError
from kit.store.base import BaseStore, _row, now
from kit.store.schema import (
    agenda_items,
    forms,
    question_votes,
    questions,
    rounds,
    words,
    workshops,
)

PAIRING_SECONDS = 300  # a pairing code works for five minutes, once
REMOTE_HOURS = 12  # a paired remote works for the day


def _activity(row) -> dict:
    return {"id": row.uid, "type": row.type, "title": row.title, "minutes": row.minutes, "config": row.config or {}}


def _read(conn: Connection, workshop_id: int) -> list[dict]:
    return [_activity(r) for r in conn.execute(
        select(agenda_items).where(agenda_items.c.workshop_id == workshop_id).order_by(agenda_items.c.position))]


def _write(conn: Connection, workshop_id: int, items: list[dict]) -> None:
    conn.execute(agenda_items.delete().where(agenda_items.c.workshop_id == workshop_id))
    for pos, a in enumerate(items):
        conn.execute(agenda_items.insert().values(workshop_id=workshop_id, uid=a["id"], position=pos, type=a["type"],
                                                  title=a["title"], minutes=a["minutes"], config=a["config"]))


def _settings(conn: Connection, workshop_id: int) -> dict:
    cur = conn.execute(select(workshops.c.settings).where(workshops.c.id == workshop_id)).scalar()
    if cur is None:
        raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
    return dict(cur)


def seed_agenda(conn: Connection, workshop_id: int, template_id: str | None, since: bool = False) -> list[dict]:
    """A new workshop's agenda: its template's default (a later meeting's opens with "since last
    time"), the room at the first activity."""
    from kit import workshop

    try:
        items = ag.from_template(workshop.template(template_id), since=since)
    except KitError:
        items = ag.check_agenda([{"type": "join"}])
    _write(conn, workshop_id, items)
    settings = _settings(conn, workshop_id)
    settings.update(agenda_current=items[0]["id"], agenda_started=time.time())
    conn.execute(workshops.update().where(workshops.c.id == workshop_id).values(settings=settings))
    return items


class AgendaStore(BaseStore):
    """A workshop's agenda and the room's place in it; the warm-up's words; questions from the room."""

    def agenda(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return _read(conn, workshop_id)

    def save_agenda(self, workshop_id: int, items: list[dict]) -> list[dict]:
        """Replace the agenda (the Run view edits it with kit.agenda's functions and saves the result).
        Removing the room's current activity leaves the room between activities until the next move."""
        items = ag.check_agenda(items)
        with self._tx(write=True) as conn:
            settings = _settings(conn, workshop_id)
            _write(conn, workshop_id, items)
            if ag.index(items, settings.get("agenda_current")) is None and settings.get("agenda_current"):
                settings.pop("agenda_current", None)
                conn.execute(workshops.update().where(workshops.c.id == workshop_id).values(settings=settings))
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "agenda_edited", activities=len(items))
        return items

    def update_agenda_item(self, workshop_id: int, activity_id: str, **changes) -> dict:
        """One activity's title, minutes or config changed (a vote linked to its round, a form to its form)."""
        with self._tx(write=True) as conn:
            items = ag.update(_read(conn, workshop_id), activity_id, **changes)
            _write(conn, workshop_id, items)
            self._bump(conn, workshop_id)
        return ag.find(items, activity_id)

    def set_minutes_info(self, workshop_id: int, info: dict) -> dict:
        """The meeting's facts for the minutes (number, date, times, place, chair, secretary, checkers,
        who is present by name, the previous minutes' approval), cleaned; all or nothing."""
        from kit import minutes

        clean = minutes.check_info(info)
        self.set_setting(workshop_id, "minutes", clean or None)
        return clean

    def set_min_group(self, workshop_id: int, n: int) -> int:
        """The meeting's small-group threshold (1-100; 5 is the default). Lower than 5 only as the
        meeting agreed: the minutes record it as the meeting's decision."""
        from kit import workshop as wsmod

        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= wsmod.MAX_MIN_GROUP:
            raise KitError("bad_min_group", max=wsmod.MAX_MIN_GROUP)
        self.set_setting(workshop_id, "min_group", None if n == wsmod.MIN_GROUP else n)
        return n

    def minute_item(self, workshop_id: int, activity_id: str, note: str = "", decision: str = "") -> dict:
        """What the secretary minuted on one agenda activity: the discussion and the decision ("" clears)."""
        return self.update_agenda_item(workshop_id, activity_id, config={"note": note or "", "decision": decision or ""})

    def agenda_state(self, workshop_id: int) -> dict:
        """{"activities", "current" (the activity or None), "position" (1-based or None), "started"}."""
        with self._tx() as conn:
            items = _read(conn, workshop_id)
            settings = _settings(conn, workshop_id)
        i = ag.index(items, settings.get("agenda_current"))
        return {"activities": items, "current": items[i] if i is not None else None,
                "position": i + 1 if i is not None else None, "started": settings.get("agenda_started"),
                "running": bool(settings.get("agenda_running"))}

    def current_activity(self, workshop_id: int) -> dict | None:
        return self.agenda_state(workshop_id)["current"]

    def move_room(self, workshop_id: int, position: int | None = None, move: str | None = None,
                  from_id: str | None = None) -> dict:
        """Move the room to an activity (1-based `position`, or `move` next / previous), and only while
        it is still at `from_id` when given; returns the new agenda_state. What the activity left
        opened closes, what the next needs opens, all in this one transaction."""
        with self._tx(write=True) as conn:
            items = _read(conn, workshop_id)
            settings = _settings(conn, workshop_id)
            current = settings.get("agenda_current")
            to = ag.target(items, current if ag.index(items, current) is not None else None, position, move, from_id)
            leaving = items[ag.index(items, current)] if ag.index(items, current) is not None else None
            entering = ag.find(items, to)
            if to != current:
                self._apply(conn, workshop_id, settings, ag.effects(leaving, entering))
                # the facilitator runs the show: phones put what is not the room's activity behind their menu
                settings.update(agenda_current=to, agenda_started=time.time(), agenda_running=True)
                conn.execute(workshops.update().where(workshops.c.id == workshop_id).values(settings=settings))
                self._bump(conn, workshop_id)
                self._log(conn, workshop_id, "agenda_moved", to=to, type=entering["type"],
                          **({"from": leaving["id"]} if leaving else {}))
        return self.agenda_state(workshop_id)

    def _apply(self, conn: Connection, workshop_id: int, settings: dict, effects) -> None:
        """What a move opens and closes (kit.agenda.effects), in the move's transaction."""
        for what, which, is_open in effects:
            if what == "ideas":
                conn.execute(workshops.update().where(workshops.c.id == workshop_id).values(ideas_open=is_open))
                if is_open:
                    settings["premoderate"] = bool(which)
            elif what == "setting":
                settings[which] = is_open
            elif what == "round" and not is_open:
                conn.execute(rounds.update().where(rounds.c.id == which, rounds.c.workshop_id == workshop_id,
                                                   rounds.c.status == "open").values(status="closed", closed_at=now()))
                self._log(conn, workshop_id, "round_closed", round_id=which)
            elif what == "form":
                f = conn.execute(select(forms.c.status).where(forms.c.id == which, forms.c.workshop_id == workshop_id)).scalar()
                if f is None:
                    continue
                if is_open:
                    conn.execute(forms.update().where(forms.c.workshop_id == workshop_id, forms.c.status == "open")
                                 .values(status="closed"))
                    conn.execute(forms.update().where(forms.c.id == which).values(status="open"))
                elif f == "open":
                    conn.execute(forms.update().where(forms.c.id == which).values(status="closed"))

    def set_activity_closed(self, workshop_id: int, activity_id: str, closed: bool) -> None:
        """Close (or open again) the warm-up or the questions while the room stays at them."""
        self.update_agenda_item(workshop_id, activity_id, config={"closed": True if closed else None})

    def _room_at(self, conn: Connection, workshop_id: int, kind: str) -> dict:
        """The room's current activity, which must be of `kind` and open, else 409 in words."""
        items = _read(conn, workshop_id)
        i = ag.index(items, _settings(conn, workshop_id).get("agenda_current"))
        if i is None or items[i]["type"] != kind or items[i]["config"].get("closed"):
            raise KitError(f"{kind}_closed", status=409)
        return items[i]

    # -- the presenter remote -------------------------------------------------------------------------
    def pairing_code(self, workshop_id: int) -> tuple[str, float]:
        """A fresh six-digit code for pairing a facilitator's phone (valid PAIRING_SECONDS, once);
        returns (code, valid until as epoch seconds). Shown only on the desk view."""
        import secrets

        from kit.store.base import hash_token

        code = f"{secrets.randbelow(10**6):06d}"
        until = time.time() + PAIRING_SECONDS
        with self._tx(write=True) as conn:
            settings = _settings(conn, workshop_id)
            settings["remote_pairing"] = {"hash": hash_token("pair:" + code), "until": until}
            conn.execute(workshops.update().where(workshops.c.id == workshop_id).values(settings=settings))
        return code, until

    def pair_remote(self, workshop_id: int, code) -> str:
        """The pairing code for a remote key (valid REMOTE_HOURS); the code then stops working."""
        import secrets

        from kit.store.base import hash_token

        with self._tx(write=True) as conn:
            settings = _settings(conn, workshop_id)
            pairing = settings.get("remote_pairing") or {}
            if not isinstance(code, str) or not pairing or pairing["until"] < time.time() \
                    or not secrets.compare_digest(hash_token("pair:" + code.strip()), pairing["hash"]):
                raise KitError("pairing_code", status=403)
            key = secrets.token_urlsafe(24)
            keys = [k for k in settings.get("remote_keys", []) if k["until"] > time.time()][-4:]
            keys.append({"hash": hash_token("remote:" + key), "until": time.time() + REMOTE_HOURS * 3600})
            settings["remote_keys"] = keys
            settings.pop("remote_pairing", None)
            conn.execute(workshops.update().where(workshops.c.id == workshop_id).values(settings=settings))
            self._log(conn, workshop_id, "remote_paired")
        return key

    def remote_ok(self, workshop_id: int, key: str) -> bool:
        import secrets

        from kit.store.base import hash_token

        want = hash_token("remote:" + key)
        keys = (self.workshop(workshop_id)["settings"] or {}).get("remote_keys", [])
        return any(k["until"] > time.time() and secrets.compare_digest(want, k["hash"]) for k in keys)

    def unpair_remotes(self, workshop_id: int) -> None:
        self.set_setting(workshop_id, "remote_keys", None)

    # -- the one-word warm-up -------------------------------------------------------------------------
    def add_word(self, workshop_id: int, participant_id: int | None, text) -> dict:
        """A word for the room's warm-up (a few each: the activity's per_person, default 3)."""
        word = ag.clean_word(text)
        with self._tx(write=True) as conn:
            act = self._room_at(conn, workshop_id, "words")
            if participant_id is not None:
                limit = act["config"].get("per_person") or ag.WORDS_PER_PERSON
                sent = conn.execute(select(func.count()).select_from(words).where(
                    words.c.activity_uid == act["id"], words.c.workshop_id == workshop_id,
                    words.c.participant_id == participant_id)).scalar()
                if sent >= limit:
                    raise KitError("words_limit", status=409, n=limit)
            wid = conn.execute(words.insert().values(workshop_id=workshop_id, activity_uid=act["id"],
                                                     participant_id=participant_id, text=word, hidden=False,
                                                     created_at=now())).inserted_primary_key[0]
            self._bump(conn, workshop_id)
            return _row(conn.execute(select(words).where(words.c.id == wid)).first())

    def words(self, workshop_id: int, activity_id: str | None = None) -> list[dict]:
        with self._tx() as conn:
            q = select(words).where(words.c.workshop_id == workshop_id)
            if activity_id:
                q = q.where(words.c.activity_uid == activity_id)
            return [_row(r) for r in conn.execute(q.order_by(words.c.id))]

    def words_of(self, workshop_id: int, activity_id: str, participant_id: int) -> list[str]:
        with self._tx() as conn:
            return [r.text for r in conn.execute(select(words.c.text).where(
                words.c.workshop_id == workshop_id, words.c.activity_uid == activity_id,
                words.c.participant_id == participant_id).order_by(words.c.id))]

    def word_cloud(self, workshop_id: int, activity_id: str, lang: str | None = None,
                   stop_words: bool = False, top: int = 60) -> list[dict]:
        return ag.cloud([w["text"] for w in self.words(workshop_id, activity_id) if not w["hidden"]], lang, stop_words,
                        top)

    def hide_word(self, word_id: int, hidden: bool = True) -> None:
        """Moderation: a word (and every same word, as the cloud folds them) hidden from the cloud."""
        with self._tx(write=True) as conn:
            w = _row(conn.execute(select(words).where(words.c.id == word_id)).first())
            if w is None:
                raise KitError("unknown_word", status=404)
            same = [r.id for r in conn.execute(select(words.c.id, words.c.text).where(
                words.c.workshop_id == w["workshop_id"], words.c.activity_uid == w["activity_uid"]))
                if ag.fold(r.text) == ag.fold(w["text"])]
            conn.execute(words.update().where(words.c.id.in_(same)).values(hidden=bool(hidden)))
            self._bump(conn, w["workshop_id"])
            self._log(conn, w["workshop_id"], "word_hidden" if hidden else "word_shown", word_id=word_id)

    # -- questions from the room ----------------------------------------------------------------------
    def add_question(self, workshop_id: int, participant_id: int | None, text) -> dict:
        """A question to the room's Q&A; it waits for the facilitator when the activity moderates first."""
        q = ag.clean_question(text)
        with self._tx(write=True) as conn:
            act = self._room_at(conn, workshop_id, "questions")
            status = "pending" if participant_id is not None and act["config"].get("moderate") else "visible"
            qid = conn.execute(questions.insert().values(workshop_id=workshop_id, activity_uid=act["id"],
                                                         participant_id=participant_id, text=q, status=status,
                                                         created_at=now())).inserted_primary_key[0]
            self._bump(conn, workshop_id)
            return _row(conn.execute(select(questions).where(questions.c.id == qid)).first())

    def vote_question(self, workshop_id: int, question_id: int, participant_id: int, up: bool = True) -> dict:
        """One upvote per participant per question (again: still one); `up=False` takes it back."""
        with self._tx(write=True) as conn:
            act = self._room_at(conn, workshop_id, "questions")
            q = _row(conn.execute(select(questions).where(questions.c.id == question_id)).first())
            if q is None or q["workshop_id"] != workshop_id or q["activity_uid"] != act["id"] \
                    or q["status"] not in ("visible", "answered"):
                raise KitError("unknown_question", status=404)
            have = conn.execute(select(question_votes).where(question_votes.c.question_id == question_id,
                                                             question_votes.c.participant_id == participant_id)).first()
            if up and have is None:
                conn.execute(question_votes.insert().values(question_id=question_id, participant_id=participant_id,
                                                            created_at=now()))
            elif not up and have is not None:
                conn.execute(question_votes.delete().where(question_votes.c.question_id == question_id,
                                                           question_votes.c.participant_id == participant_id))
            self._bump(conn, workshop_id)
            n = conn.execute(select(func.count()).select_from(question_votes)
                             .where(question_votes.c.question_id == question_id)).scalar()
        return {**q, "votes": n, "voted": bool(up)}

    def questions(self, workshop_id: int, activity_id: str | None = None, participant_id: int | None = None,
                  statuses=None) -> list[dict]:
        """The questions with their votes (and `voted`: whether this participant upvoted), ranked."""
        with self._tx() as conn:
            votes = func.count(question_votes.c.participant_id)
            q = (select(questions, votes.label("votes"))
                 .select_from(questions.outerjoin(question_votes, question_votes.c.question_id == questions.c.id))
                 .where(questions.c.workshop_id == workshop_id).group_by(questions.c.id))
            if activity_id:
                q = q.where(questions.c.activity_uid == activity_id)
            if statuses:
                q = q.where(questions.c.status.in_(list(statuses)))
            rows = [_row(r) for r in conn.execute(q)]
            mine = set()
            if participant_id is not None:
                mine = {r.question_id for r in conn.execute(select(question_votes.c.question_id).where(
                    question_votes.c.participant_id == participant_id))}
        for r in rows:
            r["voted"] = r["id"] in mine
        return ag.ranked_questions(rows)

    def set_question_status(self, question_id: int, status: str) -> dict:
        """Moderation: visible, hidden or answered (a pending one waits for this)."""
        if status not in ("visible", "hidden", "answered", "pending"):
            raise KitError("bad_field", field="status")
        with self._tx(write=True) as conn:
            q = _row(conn.execute(select(questions).where(questions.c.id == question_id)).first())
            if q is None:
                raise KitError("unknown_question", status=404)
            conn.execute(questions.update().where(questions.c.id == question_id).values(status=status))
            self._bump(conn, q["workshop_id"])
            self._log(conn, q["workshop_id"], "question_" + status, question_id=question_id)
            return {**q, "status": status}

    def approve_waiting_questions(self, workshop_id: int, activity_id: str) -> int:
        with self._tx(write=True) as conn:
            n = conn.execute(questions.update().where(
                questions.c.workshop_id == workshop_id, questions.c.activity_uid == activity_id,
                questions.c.status == "pending").values(status="visible")).rowcount
            if n:
                self._bump(conn, workshop_id)
                self._log(conn, workshop_id, "questions_approved", n=n)
            return n
