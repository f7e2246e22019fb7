"""The store: the only shared truth of a workshop, and the only module that talks to the database.

SQLAlchemy Core over a SQLite file in WAL mode by default (every Voila kernel and the participant
extension open the same file); a PostgreSQL URL can replace it later, so no SQLite-only SQL lives
outside this module. Every write is one transaction; callers tell a participant "saved" only after
the method has returned, i.e. after the commit.

Writes start with BEGIN IMMEDIATE on SQLite: a deferred transaction that reads and then writes can
fail at once with SQLITE_BUSY under WAL instead of waiting, and kernels write at the same time as
the server.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import StatementError

from kit import voting
from kit.config import LANGUAGES, LIMITS
from kit.errors import KitError

SCHEMA_VERSION = 1
STORE_FILE = "kit.sqlite"
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud from a projector
JOIN_CODE_LENGTH = 6

metadata = MetaData()

meta = Table(
    "kit_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

workshops = Table(
    "workshops",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("template", String(64), nullable=False),
    Column("language", String(2), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("ideas_open", Boolean, nullable=False, default=True),
    # bumped by every write that touches the workshop: views poll it to know when to redraw
    Column("version", Integer, nullable=False, default=0),
    Column("settings", JSON, nullable=False, default=dict),
)

participants = Table(
    "participants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    # only a hash: the token itself lives on the participant's device
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("nickname", Text),
    Column("stakeholder_group", String(64)),
    Column("language", String(2), nullable=False),
    Column("created_at", String(40), nullable=False),
)

ideas = Table(
    "ideas",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="SET NULL")),
    Column("text", Text, nullable=False),
    Column("status", String(16), nullable=False, default="visible"),  # visible | hidden
    Column("created_at", String(40), nullable=False),
)

rounds = Table(
    "rounds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("method", String(16), nullable=False),  # dots (approval, ranking, pb: stage 2 issue)
    Column("status", String(16), nullable=False, default="draft"),  # draft | open | closed
    Column("rules", JSON, nullable=False, default=dict),
    Column("results_visible", Boolean, nullable=False, default=False),
    Column("created_at", String(40), nullable=False),
    Column("opened_at", String(40)),
    Column("closed_at", String(40)),
)

round_items = Table(
    "round_items",
    metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False),
)

ballots = Table(
    "ballots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False, default=1),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    UniqueConstraint("round_id", "participant_id", name="one_ballot_per_round"),
)

ballot_dots = Table(
    "ballot_dots",
    metadata,
    Column("ballot_id", ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True),
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
    Column("dots", Integer, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", String(40), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("payload", JSON, nullable=False, default=dict),
)

V1_TABLES = [meta, workshops, participants, ideas, rounds, round_items, ballots, ballot_dots, events]


def _migrate_v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=V1_TABLES)


# (version reached, function). Append; never edit a released step.
MIGRATIONS = [(1, _migrate_v1)]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we send BEGIN ourselves (see the module docstring)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        write = conn.get_execution_options().get("kit_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _row(r) -> dict | None:
    return dict(r._mapping) if r is not None else None


class Store:
    """All reads and writes of workshops, participants, ideas, rounds and ballots."""

    def __init__(self, url: str):
        self.url = url
        self.engine = _sqlite_engine(url) if url.startswith("sqlite") else create_engine(url)
        # Writers of this process queue here rather than in SQLite's busy handler, which sleeps in
        # growing steps (up to 100 ms) and so turns a burst of votes into long waits. Other
        # processes (Voila kernels) still meet the busy timeout, as they must.
        self._write_lock = threading.Lock()
        self.migrate()

    @classmethod
    def open(cls, data_dir: str | Path) -> "Store":
        path = Path(data_dir)
        path.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{(path / STORE_FILE).resolve()}")

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self, write: bool = False) -> Iterator[Connection]:
        if not write:
            with self.engine.connect() as conn, conn.begin():
                yield conn
            return
        with self._write_lock, self.engine.connect() as conn:
            conn = conn.execution_options(kit_write=True)
            with conn.begin():
                yield conn

    # -- schema ---------------------------------------------------------------------------
    def migrate(self) -> None:
        with self._tx(write=True) as conn:
            meta.create(conn, checkfirst=True)
            found = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
            current = int(found) if found is not None else 0
            if current > SCHEMA_VERSION:
                raise KitError("schema_newer", status=500, found=current, supported=SCHEMA_VERSION)
            for version, step in MIGRATIONS:
                if version > current:
                    step(conn)
                    current = version
            if found is None:
                conn.execute(meta.insert().values(key="schema_version", value=str(current)))
            else:
                conn.execute(
                    meta.update().where(meta.c.key == "schema_version").values(value=str(current))
                )

    def schema_version(self) -> int:
        with self._tx() as conn:
            return int(conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar())

    # -- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _bump(conn: Connection, workshop_id: int) -> None:
        conn.execute(
            workshops.update()
            .where(workshops.c.id == workshop_id)
            .values(version=workshops.c.version + 1)
        )

    @staticmethod
    def _log(conn: Connection, workshop_id: int, kind: str, **payload) -> None:
        conn.execute(events.insert().values(workshop_id=workshop_id, at=now(), kind=kind, payload=payload))

    # -- workshops --------------------------------------------------------------------------
    def create_workshop(self, title: str, template: str, language: str = "fi", settings: dict | None = None) -> dict:
        if language not in LANGUAGES:
            raise KitError("unknown_language", language=language)
        title = (title or "").strip()
        if not title:
            raise KitError("title_required")
        with self._tx(write=True) as conn:
            for _ in range(50):
                code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
                if conn.execute(select(workshops.c.id).where(workshops.c.code == code)).first() is None:
                    break
            res = conn.execute(
                workshops.insert().values(
                    code=code, title=title, template=template, language=language,
                    created_at=now(), ideas_open=True, version=1, settings=settings or {},
                )
            )
            wid = res.inserted_primary_key[0]
            self._log(conn, wid, "workshop_created", template=template)
            return _row(conn.execute(select(workshops).where(workshops.c.id == wid)).first())

    def workshop(self, workshop_id: int) -> dict:
        with self._tx() as conn:
            row = _row(conn.execute(select(workshops).where(workshops.c.id == workshop_id)).first())
        if row is None:
            raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
        return row

    def workshop_by_code(self, code: str) -> dict:
        code = (code or "").strip().upper()
        with self._tx() as conn:
            row = _row(conn.execute(select(workshops).where(workshops.c.code == code)).first())
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

    # -- participants -----------------------------------------------------------------------
    def add_participant(self, workshop_id: int, nickname: str | None = None, group: str | None = None,
                        language: str = "fi") -> tuple[dict, str]:
        """Register a device; returns (participant, token). Only the token's hash is stored."""
        nickname = (nickname or "").strip() or None
        if nickname and len(nickname) > LIMITS.nickname_chars:
            raise KitError("nickname_too_long", max=LIMITS.nickname_chars)
        if language not in LANGUAGES:
            language = "fi"
        token = secrets.token_urlsafe(24)
        with self._tx(write=True) as conn:
            res = conn.execute(
                participants.insert().values(
                    workshop_id=workshop_id, token_hash=hash_token(token), nickname=nickname,
                    stakeholder_group=group or None, language=language, created_at=now(),
                )
            )
            self._bump(conn, workshop_id)
            pid = res.inserted_primary_key[0]
            row = _row(conn.execute(select(participants).where(participants.c.id == pid)).first())
        return row, token

    def participant_by_token(self, workshop_id: int, token: str | None) -> dict:
        if not token:
            raise KitError("not_joined", status=401)
        with self._tx() as conn:
            row = _row(conn.execute(
                select(participants).where(
                    participants.c.token_hash == hash_token(token),
                    participants.c.workshop_id == workshop_id,
                )
            ).first())
        if row is None:
            raise KitError("not_joined", status=401)
        return row

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

    # -- ideas ------------------------------------------------------------------------------
    def add_idea(self, workshop_id: int, text: str, participant_id: int | None = None) -> dict:
        text = voting.clean_idea_text(text)
        with self._tx(write=True) as conn:
            is_open = conn.execute(select(workshops.c.ideas_open).where(workshops.c.id == workshop_id)).scalar()
            if is_open is None:
                raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
            if not is_open and participant_id is not None:
                raise KitError("ideas_closed", status=409)
            res = conn.execute(
                ideas.insert().values(
                    workshop_id=workshop_id, participant_id=participant_id, text=text,
                    status="visible", created_at=now(),
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

    def ideas_of(self, participant_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(ideas).where(ideas.c.participant_id == participant_id).order_by(ideas.c.id)
            )]

    def set_idea_status(self, idea_id: int, status: str) -> None:
        if status not in ("visible", "hidden"):
            raise KitError("bad_status", status_value=status)
        with self._tx(write=True) as conn:
            wid = conn.execute(select(ideas.c.workshop_id).where(ideas.c.id == idea_id)).scalar()
            if wid is None:
                raise KitError("unknown_idea", status=404, idea=idea_id)
            conn.execute(ideas.update().where(ideas.c.id == idea_id).values(status=status))
            self._bump(conn, wid)
            self._log(conn, wid, "idea_" + status, idea_id=idea_id)

    # -- rounds -----------------------------------------------------------------------------
    def create_round(self, workshop_id: int, title: str, preset: str = "n3",
                     dots: int | None = None, cap: int | None = None) -> dict:
        """A dot-voting round in draft; its rules are fixed when it opens (when N is known)."""
        voting.check_preset(preset, dots, cap)
        with self._tx(write=True) as conn:
            res = conn.execute(
                rounds.insert().values(
                    workshop_id=workshop_id, title=(title or "").strip() or "Dots", method="dots",
                    status="draft", rules={"preset": preset, "dots": dots, "cap": cap},
                    results_visible=False, created_at=now(),
                )
            )
            self._bump(conn, workshop_id)
            rid = res.inserted_primary_key[0]
            self._log(conn, workshop_id, "round_created", round_id=rid, preset=preset)
            return _row(conn.execute(select(rounds).where(rounds.c.id == rid)).first())

    def round(self, round_id: int) -> dict:
        with self._tx() as conn:
            row = _row(conn.execute(select(rounds).where(rounds.c.id == round_id)).first())
        if row is None:
            raise KitError("unknown_round", status=404, round=round_id)
        return row

    def rounds(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(rounds).where(rounds.c.workshop_id == workshop_id).order_by(rounds.c.id)
            )]

    def open_round(self, round_id: int) -> dict:
        """Open a draft round: its items are the ideas visible now; the dot rules are fixed now."""
        with self._tx(write=True) as conn:
            r = _row(conn.execute(select(rounds).where(rounds.c.id == round_id)).first())
            if r is None:
                raise KitError("unknown_round", status=404, round=round_id)
            if r["status"] != "draft":
                raise KitError("round_not_draft", status=409)
            items = [row.id for row in conn.execute(
                select(ideas.c.id).where(ideas.c.workshop_id == r["workshop_id"], ideas.c.status == "visible")
                .order_by(ideas.c.id)
            )]
            rules = voting.dot_rules(r["rules"]["preset"], len(items), r["rules"].get("dots"), r["rules"].get("cap"))
            for pos, iid in enumerate(items):
                conn.execute(round_items.insert().values(round_id=round_id, idea_id=iid, position=pos))
            conn.execute(
                rounds.update().where(rounds.c.id == round_id).values(
                    status="open", opened_at=now(),
                    rules={**r["rules"], "dots": rules.dots_per_person, "cap": rules.per_item_cap},
                )
            )
            self._bump(conn, r["workshop_id"])
            self._log(conn, r["workshop_id"], "round_opened", round_id=round_id, items=len(items))
        return self.round(round_id)

    def close_round(self, round_id: int) -> dict:
        with self._tx(write=True) as conn:
            r = _row(conn.execute(select(rounds).where(rounds.c.id == round_id)).first())
            if r is None:
                raise KitError("unknown_round", status=404, round=round_id)
            if r["status"] != "open":
                raise KitError("round_not_open", status=409)
            conn.execute(rounds.update().where(rounds.c.id == round_id).values(status="closed", closed_at=now()))
            self._bump(conn, r["workshop_id"])
            self._log(conn, r["workshop_id"], "round_closed", round_id=round_id)
        return self.round(round_id)

    def set_results_visible(self, round_id: int, visible: bool) -> None:
        with self._tx(write=True) as conn:
            wid = conn.execute(select(rounds.c.workshop_id).where(rounds.c.id == round_id)).scalar()
            if wid is None:
                raise KitError("unknown_round", status=404, round=round_id)
            conn.execute(rounds.update().where(rounds.c.id == round_id).values(results_visible=bool(visible)))
            self._bump(conn, wid)
            self._log(conn, wid, "results_shown" if visible else "results_hidden", round_id=round_id)

    def round_items(self, round_id: int) -> list[dict]:
        """The ideas of a round in their order (hidden ones too: moderation after opening hides text only)."""
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(ideas.c.id, ideas.c.text, ideas.c.status)
                .select_from(round_items.join(ideas, ideas.c.id == round_items.c.idea_id))
                .where(round_items.c.round_id == round_id)
                .order_by(round_items.c.position)
            )]

    def current_round(self, workshop_id: int) -> dict | None:
        """The round participants see: the open one, else the latest closed one."""
        with self._tx() as conn:
            row = conn.execute(
                select(rounds).where(rounds.c.workshop_id == workshop_id, rounds.c.status != "draft")
                .order_by((rounds.c.status == "open").desc(), rounds.c.id.desc())
            ).first()
        return _row(row)

    # -- ballots ----------------------------------------------------------------------------
    def save_dot_ballot(self, round_id: int, participant_id: int, dots: dict, workshop_id: int | None = None) -> dict:
        """Replace the participant's ballot in the round (the last one counts). Validated inside the
        same transaction that checks the round is open, so a close can never let a late vote in."""
        with self._tx(write=True) as conn:
            r = _row(conn.execute(select(rounds).where(rounds.c.id == round_id)).first())
            if r is None or (workshop_id is not None and r["workshop_id"] != workshop_id):
                raise KitError("unknown_round", status=404, round=round_id)
            p_wid = conn.execute(select(participants.c.workshop_id).where(participants.c.id == participant_id)).scalar()
            if p_wid != r["workshop_id"]:
                raise KitError("not_joined", status=401)
            if r["status"] == "closed":
                raise KitError("round_closed", status=409)
            if r["status"] != "open":
                raise KitError("round_not_open", status=409)
            # ideas hidden by moderation after the round opened can no longer receive dots
            items = [row.idea_id for row in conn.execute(
                select(round_items.c.idea_id)
                .select_from(round_items.join(ideas, ideas.c.id == round_items.c.idea_id))
                .where(round_items.c.round_id == round_id, ideas.c.status == "visible")
            )]
            rules = voting.DotRules(r["rules"]["dots"], r["rules"]["cap"])
            clean = voting.validate_dot_ballot(rules, items, dots)
            ts = now()
            existing = conn.execute(
                select(ballots.c.id, ballots.c.revision).where(
                    ballots.c.round_id == round_id, ballots.c.participant_id == participant_id
                )
            ).first()
            if existing is None:
                bid = conn.execute(
                    ballots.insert().values(round_id=round_id, participant_id=participant_id,
                                            revision=1, created_at=ts, updated_at=ts)
                ).inserted_primary_key[0]
                revision = 1
            else:
                bid, revision = existing.id, existing.revision + 1
                conn.execute(ballots.update().where(ballots.c.id == bid).values(revision=revision, updated_at=ts))
                conn.execute(ballot_dots.delete().where(ballot_dots.c.ballot_id == bid))
            rows = [{"ballot_id": bid, "idea_id": k, "dots": v} for k, v in clean.items() if v > 0]
            if rows:
                conn.execute(ballot_dots.insert(), rows)
            self._bump(conn, r["workshop_id"])
        return {"round_id": round_id, "dots": {k: v for k, v in clean.items() if v > 0},
                "revision": revision, "saved_at": ts, "dots_per_person": rules.dots_per_person}

    def ballot_of(self, round_id: int, participant_id: int) -> dict | None:
        with self._tx() as conn:
            b = conn.execute(
                select(ballots).where(ballots.c.round_id == round_id, ballots.c.participant_id == participant_id)
            ).first()
            if b is None:
                return None
            dots = {r.idea_id: r.dots for r in conn.execute(
                select(ballot_dots).where(ballot_dots.c.ballot_id == b.id))}
        return {"round_id": round_id, "dots": dots, "revision": b.revision, "saved_at": b.updated_at}

    def dot_ballots(self, round_id: int) -> list[dict]:
        """Every ballot of a round as {participant_id, group, dots{idea_id: n}} (empty ballots too)."""
        with self._tx() as conn:
            out: dict[int, dict] = {}
            for b in conn.execute(
                select(ballots.c.id, ballots.c.participant_id, participants.c.stakeholder_group)
                .select_from(ballots.join(participants, participants.c.id == ballots.c.participant_id))
                .where(ballots.c.round_id == round_id)
            ):
                out[b.id] = {"participant_id": b.participant_id, "group": b.stakeholder_group, "dots": {}}
            if out:
                for d in conn.execute(
                    select(ballot_dots).where(ballot_dots.c.ballot_id.in_(list(out)))
                ):
                    out[d.ballot_id]["dots"][d.idea_id] = d.dots
        return list(out.values())

    def ballot_count(self, round_id: int) -> int:
        with self._tx() as conn:
            return conn.execute(
                select(func.count()).select_from(ballots).where(ballots.c.round_id == round_id)
            ).scalar()

    def dump_workshop(self, workshop_id: int) -> dict:
        """Everything of one workshop as plain data, read in one transaction (a consistent copy even
        while participants vote). Device tokens are left out: not even their hashes leave the store."""
        with self._tx() as conn:
            ws = _row(conn.execute(select(workshops).where(workshops.c.id == workshop_id)).first())
            if ws is None:
                raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
            tables = _workshop_rows(conn, workshop_id)
        for p in tables["participants"]:
            p.pop("token_hash")
        return {"format": BACKUP_FORMAT, "schema_version": SCHEMA_VERSION, "saved_at": now(),
                "workshop": ws, "tables": tables}

    def restore_workshop(self, doc: dict, replace: bool = False) -> dict:
        """Put a backup back, in one transaction. Ids are kept where they are free (so a restore into
        an empty folder is identical to the original) and renumbered where they are taken. A workshop
        with the same join code is replaced only when asked; otherwise the restore is refused."""
        check_backup(doc)
        src = doc["workshop"]
        with self._tx(write=True) as conn:
            existing = conn.execute(select(workshops.c.id).where(workshops.c.code == src["code"])).scalar()
            if existing is not None:
                if not replace:
                    raise KitError("backup_exists", status=409, join_code=src["code"])
                conn.execute(workshops.delete().where(workshops.c.id == existing))
            try:
                ids = self._restore_rows(conn, doc)
            except (KeyError, TypeError, ValueError, AttributeError, StatementError):
                # a row that points at a missing parent or does not fit the schema: damaged; the
                # transaction rolls back, so nothing of it is left in the store
                raise KitError("not_a_backup") from None
            wid = ids["workshops"][src["id"]]
            self._log(conn, wid, "workshop_restored", saved_at=doc.get("saved_at"))
            return _row(conn.execute(select(workshops).where(workshops.c.id == wid)).first())

    def _restore_rows(self, conn: Connection, doc: dict) -> dict[str, dict]:
        """Insert the backup's rows, parents first; returns {table: {id in backup: id here}}."""
        src = doc["workshop"]
        ids: dict[str, dict] = {"workshops": {}}
        ids["workshops"][src["id"]] = self._insert_keeping_id(conn, workshops, src)
        for name in BACKUP_TABLES:
            table = _TABLES[name]
            ids[name] = {}
            for row in doc["tables"].get(name, []):
                row = dict(row)
                for col, parent in _REFS.items():
                    if col in row and row[col] is not None:
                        row[col] = ids[parent][row[col]]
                if name == "participants":  # devices join again after a restore
                    row["token_hash"] = "restored:" + secrets.token_hex(16)
                new_id = self._insert_keeping_id(conn, table, row)
                if "id" in row:
                    ids[name][row["id"]] = new_id
        return ids

    @staticmethod
    def _insert_keeping_id(conn: Connection, table: Table, row: dict):
        cols = {k: v for k, v in row.items() if k in table.c}
        if "id" in table.c and "id" in cols:
            taken = conn.execute(select(table.c.id).where(table.c.id == cols["id"])).first() is not None
            if taken:
                cols.pop("id")
            res = conn.execute(table.insert().values(**cols))
            return res.inserted_primary_key[0]
        conn.execute(table.insert().values(**cols))
        return None

    def event_log(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(events).where(events.c.workshop_id == workshop_id).order_by(events.c.id)
            )]


# -- backup and restore ---------------------------------------------------------------------------
BACKUP_FORMAT = "codesign-kit-backup"
# a workshop's tables in the order a restore inserts them (parents first)
BACKUP_TABLES = ("participants", "ideas", "rounds", "round_items", "ballots", "ballot_dots", "events")
_TABLES = {t.name: t for t in V1_TABLES}
_REFS = {  # column -> table whose id it holds
    "workshop_id": "workshops", "participant_id": "participants", "idea_id": "ideas",
    "round_id": "rounds", "ballot_id": "ballots",
}


def _workshop_rows(conn: Connection, workshop_id: int) -> dict[str, list[dict]]:
    rid = select(rounds.c.id).where(rounds.c.workshop_id == workshop_id)
    bid = select(ballots.c.id).where(ballots.c.round_id.in_(rid))
    queries = {
        "participants": select(participants).where(participants.c.workshop_id == workshop_id),
        "ideas": select(ideas).where(ideas.c.workshop_id == workshop_id),
        "rounds": select(rounds).where(rounds.c.workshop_id == workshop_id),
        "round_items": select(round_items).where(round_items.c.round_id.in_(rid)),
        "ballots": select(ballots).where(ballots.c.round_id.in_(rid)),
        "ballot_dots": select(ballot_dots).where(ballot_dots.c.ballot_id.in_(bid)),
        "events": select(events).where(events.c.workshop_id == workshop_id),
    }
    out = {}
    for name, q in queries.items():
        out[name] = [_row(r) for r in conn.execute(q.order_by(*_TABLES[name].primary_key.columns))]
    return out


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


def check_backup(doc) -> None:
    """Refuse what is not a kit backup, or one from a newer schema, before anything is written."""
    if not isinstance(doc, dict) or doc.get("format") != BACKUP_FORMAT:
        raise KitError("not_a_backup")
    found = doc.get("schema_version")
    if not isinstance(found, int):
        raise KitError("not_a_backup")
    if found > SCHEMA_VERSION:
        raise KitError("schema_newer", status=409, found=found, supported=SCHEMA_VERSION)
    ws = doc.get("workshop")
    if not isinstance(ws, dict) or not {"id", "code", "title", "template", "language"} <= set(ws) \
            or not isinstance(doc.get("tables"), dict):
        raise KitError("not_a_backup")
