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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

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
    inspect,
    or_,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import StatementError

from kit import voting
from kit.config import LANGUAGES, LIMITS
from kit.errors import KitError

SCHEMA_VERSION = 7
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
    # v2: device (own phone) | kiosk (a voter on a shared tablet) | paper (a paper ballot entered)
    Column("kind", String(16), default="device"),
)

ideas = Table(
    "ideas",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="SET NULL")),
    Column("text", Text, nullable=False),
    # visible | hidden (v1); pending (waits for the facilitator) | rejected | merged (v2)
    Column("status", String(16), nullable=False, default="visible"),
    Column("created_at", String(40), nullable=False),
    # v2: moderation and tags
    Column("reject_reason", Text),
    Column("merged_into", Integer),  # the idea this one was merged into (ideas.id)
    Column("tags", JSON),  # {target_groups: [..], pore_level: 1..3, thl: [..], step_level: n}
    Column("cost", String(32)),  # cost estimate in euros, exact decimal text ("1200", "99.50")
)

rounds = Table(
    "rounds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("method", String(16), nullable=False),  # dots | approval | ranking | choose_one | pb
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
    Column("source", String(16), default="device"),  # v2: device | kiosk | paper
    UniqueConstraint("round_id", "participant_id", name="one_ballot_per_round"),
)

# One row per marked item of a ballot. `dots` is the mark's value: dots placed (dots), 1 (approval,
# choose one, pb) or the rank, 1 = first (ranking). The name stays from schema v1.
ballot_dots = Table(
    "ballot_dots",
    metadata,
    Column("ballot_id", ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True),
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
    Column("dots", Integer, nullable=False),
)

# v2: a paper ballot is typed in twice (double entry); it counts once both entries agree.
paper_entries = Table(
    "paper_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("serial", String(32), nullable=False),  # the number written on the paper
    Column("marks", JSON, nullable=False),  # {idea_id: mark} as entered first
    Column("stakeholder_group", String(64)),
    Column("created_at", String(40), nullable=False),
    Column("ballot_id", ForeignKey("ballots.id", ondelete="SET NULL")),  # set when the 2nd entry agreed
    UniqueConstraint("round_id", "serial", name="one_paper_per_serial"),
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

# v3: stage 1, the stakeholder map (domain spec §2.2)
actors = Table(
    "actors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("sector", String(64), nullable=False),
    Column("organisation", Text),
    Column("is_person", Boolean, nullable=False, default=False),
    Column("notes", Text),
    Column("influence", Integer),  # Net-Map tower 0..10, relative within the workshop
    Column("interest", Integer),  # 0..10 for the power-interest grid; None = not asked
    Column("goals", JSON),
    Column("status", String(16), nullable=False, default="active"),  # active | suggested | rejected
    Column("suggested_by", ForeignKey("participants.id", ondelete="SET NULL")),
    Column("created_at", String(40), nullable=False),
)

links = Table(
    "links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("source_id", ForeignKey("actors.id", ondelete="CASCADE"), nullable=False),
    Column("target_id", ForeignKey("actors.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(32), nullable=False),
    Column("bidirectional", Boolean, nullable=False, default=False),
    Column("weight", Integer, nullable=False, default=1),
    Column("informal", Boolean, nullable=False, default=False),
    Column("status", String(16), nullable=False, default="active"),  # active | suggested | rejected
    Column("suggested_by", ForeignKey("participants.id", ondelete="SET NULL")),
    Column("created_at", String(40), nullable=False),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("label", Text, nullable=False),
    Column("taken_at", String(40), nullable=False),
    Column("data", JSON, nullable=False),  # {"actors": [...], "links": [...]} frozen as they were
)

# v4: stage 3, plan and roles (domain spec §4.3); the plan canvas itself is the workshop setting "plan"
holders = Table(
    "holders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),  # participant | actor | person | group
    Column("participant_id", ForeignKey("participants.id", ondelete="SET NULL")),
    Column("actor_id", ForeignKey("actors.id", ondelete="SET NULL")),
    Column("chair", Text),  # a group's named chair
    Column("unpaid", Boolean, nullable=False, default=False),  # resident, expert by experience, volunteer
    Column("removed", Boolean, nullable=False, default=False),  # kept so their tasks are flagged, not lost
    Column("created_at", String(40), nullable=False),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("section", String(32), nullable=False),
    Column("effort", Integer),  # hours, when known
    Column("due", String(10)),  # ISO date
    Column("idea_id", ForeignKey("ideas.id", ondelete="SET NULL")),
    Column("role", String(64)),  # a standard role of the template
    Column("a_implies_r", Boolean, nullable=False, default=False),
    Column("deputy_id", ForeignKey("holders.id", ondelete="SET NULL")),
    Column("done", Boolean, nullable=False, default=False),
    Column("created_at", String(40), nullable=False),
)

assignments = Table(
    "assignments",
    metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("holder_id", ForeignKey("holders.id", ondelete="CASCADE"), primary_key=True),
    Column("letters", String(2), nullable=False),  # R | A | C | I | AR
)

competence_levels = Table(
    "competence_levels",
    metadata,
    Column("holder_id", ForeignKey("holders.id", ondelete="CASCADE"), primary_key=True),
    Column("competence", String(64), primary_key=True),
    Column("level", Integer, nullable=False),  # 0 none, 1 basic, 2 strong
)

terms = Table(
    "terms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("holder_id", ForeignKey("holders.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(32), nullable=False),  # responsible_person | budget_owner | coordinator
    Column("start", String(10), nullable=False),
    Column("end", String(10)),
)

offers = Table(
    "offers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # can_do | can_help
    Column("competences", JSON),  # {competence: level} the participant says they have
    Column("status", String(16), nullable=False, default="pending"),  # pending | accepted | declined
    Column("created_at", String(40), nullable=False),
)

# v5: stage 4, evaluation (domain spec §6)
lm_nodes = Table(
    "lm_nodes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("level", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("thl", JSON),
    Column("task_id", ForeignKey("tasks.id", ondelete="SET NULL")),
    Column("idea_id", ForeignKey("ideas.id", ondelete="SET NULL")),
)

lm_edges = Table(
    "lm_edges",
    metadata,
    Column("source_id", ForeignKey("lm_nodes.id", ondelete="CASCADE"), primary_key=True),
    Column("target_id", ForeignKey("lm_nodes.id", ondelete="CASCADE"), primary_key=True),
)

indicators = Table(
    "indicators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("node_id", ForeignKey("lm_nodes.id", ondelete="SET NULL")),
    Column("data", JSON, nullable=False),  # name, kind, unit, baseline, target, target_date, method, ...
)

forms = Table(
    "forms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("questions", JSON, nullable=False),
    Column("min_answers", Integer, nullable=False, default=5),
    Column("status", String(16), nullable=False, default="draft"),  # draft | open | closed
    Column("approved", JSON),  # open answers approved for showing: ["<response id>:<question id>", ...]
    Column("created_at", String(40), nullable=False),
)

responses = Table(
    "responses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("form_id", ForeignKey("forms.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("answers", JSON, nullable=False),
    Column("updated_at", String(40), nullable=False),
    UniqueConstraint("form_id", "participant_id", name="one_response_per_form"),
)

V1_TABLES = [meta, workshops, participants, ideas, rounds, round_items, ballots, ballot_dots, events]
V3_TABLES = [actors, links, snapshots]
V4_TABLES = [holders, tasks, assignments, competence_levels, terms, offers]
V5_TABLES = [lm_nodes, lm_edges, indicators, forms, responses]

# v6: the activity log kept after the event (the Kulttuurifoorumi's statistics)
activity_log = Table(
    "activity_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("date", String(10), nullable=False),
    Column("type", Text, nullable=False),
    Column("participants", JSON, nullable=False),  # {stakeholder group: count}
    Column("staff_hours", Integer),
    Column("node_id", ForeignKey("lm_nodes.id", ondelete="SET NULL")),  # the activity of the logic model
    Column("created_at", String(40), nullable=False),
)
V6_TABLES = [activity_log]

# v7: the service tray and the step model (seed 002, kit/tray.py)
activities = Table(
    "activities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("organiser_id", ForeignKey("actors.id", ondelete="SET NULL")),  # the organiser on the stakeholder map
    Column("data", JSON, nullable=False),  # the rest of kit.tray's activity: organiser, place, days, cost, ...
    Column("step_level", Integer, nullable=False),
    Column("status", String(16), nullable=False, default="active"),  # active | suggested | declined | removed
    Column("suggested_by", ForeignKey("participants.id", ondelete="SET NULL")),
    Column("created_at", String(40), nullable=False),
)
tray_interests = Table(
    "tray_interests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # interested | organise
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("activity_id", "participant_id", "kind"),
)
V7_TABLES = [activities, tray_interests]


def _migrate_v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=V1_TABLES)


def _migrate_v2(conn: Connection) -> None:
    """Stage 2: moderation and tags on ideas, kiosk and paper voters, paper double entry."""
    have = {t: {c["name"] for c in inspect(conn).get_columns(t)} for t in ("ideas", "participants", "ballots")}
    add = [
        ("participants", "kind", "VARCHAR(16)"), ("ideas", "reject_reason", "TEXT"),
        ("ideas", "merged_into", "INTEGER"), ("ideas", "tags", "JSON"), ("ideas", "cost", "VARCHAR(32)"),
        ("ballots", "source", "VARCHAR(16)"),
    ]
    for table, column, sqltype in add:
        if column not in have[table]:  # a store created at v2 already has them from step 1
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {sqltype}")
    metadata.create_all(conn, tables=[paper_entries])


def _migrate_v3(conn: Connection) -> None:
    """Stage 1: actors, links and snapshots of the stakeholder map."""
    metadata.create_all(conn, tables=V3_TABLES)


def _migrate_v4(conn: Connection) -> None:
    """Stage 3: holders, tasks, RACI letters, competences, terms, volunteers' offers."""
    metadata.create_all(conn, tables=V4_TABLES)


def _migrate_v5(conn: Connection) -> None:
    """Stage 4: logic model, indicators, feedback forms and their responses."""
    metadata.create_all(conn, tables=V5_TABLES)


# (version reached, function). Append; never edit a released step.
def _migrate_v6(conn: Connection) -> None:
    """The activity log."""
    metadata.create_all(conn, tables=V6_TABLES)


def _migrate_v7(conn: Connection) -> None:
    """The service tray: activities and participants' interest in them."""
    metadata.create_all(conn, tables=V7_TABLES)


MIGRATIONS = [(1, _migrate_v1), (2, _migrate_v2), (3, _migrate_v3), (4, _migrate_v4), (5, _migrate_v5),
              (6, _migrate_v6), (7, _migrate_v7)]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


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

    data_dir: Path | None = None

    @classmethod
    def open(cls, data_dir: str | Path) -> Store:
        path = Path(data_dir)
        path.mkdir(parents=True, exist_ok=True)
        store = cls(f"sqlite:///{(path / STORE_FILE).resolve()}")
        store.data_dir = path.resolve()
        return store

    def instrument_packs(self) -> tuple[dict, list[str]]:
        """Licensed instrument packs in <data folder>/instruments/*.yaml (local, never committed)."""
        from kit import evaluation

        return evaluation.load_packs(self.data_dir / "instruments") if self.data_dir else ({}, [])

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
                        language: str = "fi", kind: str = "device") -> tuple[dict, str]:
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
                    stakeholder_group=group or None, language=language, created_at=now(), kind=kind,
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

    def set_idea_status(self, idea_id: int, status: str) -> None:
        """Approve (visible), hide, or put back to waiting. Rejecting and merging have their own
        methods because they keep a reason or a destination."""
        if status not in ("visible", "hidden", "pending"):
            raise KitError("bad_status", status_value=str(status)[:20])
        with self._tx(write=True) as conn:
            idea = self._idea_for_update(conn, idea_id)
            conn.execute(ideas.update().where(ideas.c.id == idea_id)
                         .values(status=status, reject_reason=None, merged_into=None))
            self._bump(conn, idea["workshop_id"])
            self._log(conn, idea["workshop_id"], "idea_" + status, idea_id=idea_id, was=idea["status"])

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

    def set_setting(self, workshop_id: int, key: str, value) -> None:
        with self._tx(write=True) as conn:
            cur = conn.execute(select(workshops.c.settings).where(workshops.c.id == workshop_id)).scalar()
            if cur is None:
                raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
            new = dict(cur)
            if value is None:
                new.pop(key, None)
            else:
                new[key] = value
            conn.execute(workshops.update().where(workshops.c.id == workshop_id).values(settings=new))
            self._bump(conn, workshop_id)
            if not key.startswith("kiosk"):
                self._log(conn, workshop_id, "setting", key=key, value=value)

    # -- rounds -----------------------------------------------------------------------------
    def create_round(self, workshop_id: int, title: str, preset: str = "n3",
                     dots: int | None = None, cap: int | None = None, method: str = "dots",
                     options: dict | None = None, idea_ids=None) -> dict:
        """A round in draft. Its rules are fixed when it opens (when N is known). `idea_ids` limits
        the ballot to those ideas (a run-off, or the projects of a budgeting vote); else every
        visible idea at opening time is on it."""
        if method == "dots":
            voting.check_preset(preset, dots, cap)
            rules = {"preset": preset, "dots": dots, "cap": cap}
        else:
            rules = voting.check_options(method, options)
        if idea_ids is not None:
            rules["items"] = [int(i) for i in idea_ids]
            if not rules["items"]:
                raise KitError("no_items_to_vote", status=409)
        default_title = "Dots" if method == "dots" else method
        with self._tx(write=True) as conn:
            res = conn.execute(
                rounds.insert().values(
                    workshop_id=workshop_id, title=(title or "").strip() or default_title, method=method,
                    status="draft", rules=rules, results_visible=False, created_at=now(),
                )
            )
            self._bump(conn, workshop_id)
            rid = res.inserted_primary_key[0]
            self._log(conn, workshop_id, "round_created", round_id=rid, method=method,
                      preset=preset if method == "dots" else None)
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
        """Open a draft round: its items are fixed now, and so are its rules (dots per person, the
        budget and every project's cost, the lot that breaks full ties). Nothing is stored when a
        check fails (a project without a cost or over the whole budget, two projects named alike)."""
        with self._tx(write=True) as conn:
            r = _row(conn.execute(select(rounds).where(rounds.c.id == round_id)).first())
            if r is None:
                raise KitError("unknown_round", status=404, round=round_id)
            if r["status"] != "draft":
                raise KitError("round_not_draft", status=409)
            q = select(ideas).where(ideas.c.workshop_id == r["workshop_id"], ideas.c.status == "visible")
            chosen = r["rules"].get("items")
            if chosen is not None:
                q = q.where(ideas.c.id.in_(chosen))
            rows = [_row(x) for x in conn.execute(q.order_by(ideas.c.id))]
            if chosen is not None:
                missing = sorted(set(chosen) - {i["id"] for i in rows})
                if missing:
                    raise KitError("item_not_votable", idea=missing[0])
            items = [i["id"] for i in rows]
            if r["method"] == "dots":
                d = voting.dot_rules(r["rules"]["preset"], len(items), r["rules"].get("dots"), r["rules"].get("cap"))
                rules = {**r["rules"], "dots": d.dots_per_person, "cap": d.per_item_cap}
            else:
                rules = {**r["rules"], **voting.fix_rules(r["method"], r["rules"], len(items))}
            if r["method"] == "pb":
                rules["costs"] = pb_costs(rows, rules["budget"])
            if r["method"] in ("pb", "choose_one", "approval", "ranking", "dots"):
                lot = list(items)
                secrets.SystemRandom().shuffle(lot)  # drawn before any vote, kept for every count
                rules["lot"] = lot
            for pos, iid in enumerate(items):
                conn.execute(round_items.insert().values(round_id=round_id, idea_id=iid, position=pos))
            conn.execute(rounds.update().where(rounds.c.id == round_id).values(
                status="open", opened_at=now(), rules=rules))
            self._bump(conn, r["workshop_id"])
            self._log(conn, r["workshop_id"], "round_opened", round_id=round_id, items=len(items),
                      method=r["method"])
        return self.round(round_id)

    def delete_draft_round(self, round_id: int) -> None:
        with self._tx(write=True) as conn:
            r = _row(conn.execute(select(rounds).where(rounds.c.id == round_id)).first())
            if r is None or r["status"] != "draft":
                return
            conn.execute(rounds.delete().where(rounds.c.id == round_id))
            self._bump(conn, r["workshop_id"])
            self._log(conn, r["workshop_id"], "round_discarded", round_id=round_id)

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
                select(ideas.c.id, ideas.c.text, ideas.c.status, ideas.c.cost)
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
        return self.save_ballot(round_id, participant_id, {"dots": dots}, workshop_id)

    def save_ballot(self, round_id: int, participant_id: int, body: dict, workshop_id: int | None = None,
                    source: str = "device") -> dict:
        """Replace the participant's ballot in the round (the last one counts; never two). Validated
        inside the same transaction that checks the round is open, so a close can never let a late
        vote in. An empty ballot of a choice method withdraws the vote."""
        with self._tx(write=True) as conn:
            r = self._open_round_for_ballot(conn, round_id, participant_id, workshop_id)
            return self._write_ballot(conn, r, participant_id, body, source)

    def _open_round_for_ballot(self, conn: Connection, round_id: int, participant_id: int,
                               workshop_id: int | None) -> dict:
        r = _row(conn.execute(select(rounds).where(rounds.c.id == round_id)).first())
        if r is None or (workshop_id is not None and r["workshop_id"] != workshop_id):
            raise KitError("unknown_round", status=404, round=round_id)
        if participant_id is not None:
            p_wid = conn.execute(select(participants.c.workshop_id)
                                 .where(participants.c.id == participant_id)).scalar()
            if p_wid != r["workshop_id"]:
                raise KitError("not_joined", status=401)
        if r["status"] == "closed":
            raise KitError("round_closed", status=409)
        if r["status"] != "open":
            raise KitError("round_not_open", status=409)
        return r

    def _votable(self, conn: Connection, round_id: int) -> list[int]:
        # ideas hidden, rejected or merged after the round opened can no longer receive votes
        return [row.idea_id for row in conn.execute(
            select(round_items.c.idea_id)
            .select_from(round_items.join(ideas, ideas.c.id == round_items.c.idea_id))
            .where(round_items.c.round_id == round_id, ideas.c.status == "visible")
        )]

    def _write_ballot(self, conn: Connection, r: dict, participant_id: int, body: dict, source: str) -> dict:
        round_id = r["id"]
        marks = voting.validate_ballot(r["method"], r["rules"], self._votable(conn, round_id), body)
        ts = now()
        existing = conn.execute(
            select(ballots.c.id, ballots.c.revision).where(
                ballots.c.round_id == round_id, ballots.c.participant_id == participant_id
            )
        ).first()
        withdrawn = r["method"] != "dots" and not marks
        if withdrawn:
            if existing is not None:
                conn.execute(ballots.delete().where(ballots.c.id == existing.id))
            revision = (existing.revision + 1) if existing else 0
        elif existing is None:
            bid = conn.execute(
                ballots.insert().values(round_id=round_id, participant_id=participant_id,
                                        revision=1, created_at=ts, updated_at=ts, source=source)
            ).inserted_primary_key[0]
            revision = 1
        else:
            bid, revision = existing.id, existing.revision + 1
            conn.execute(ballots.update().where(ballots.c.id == bid).values(revision=revision, updated_at=ts))
            conn.execute(ballot_dots.delete().where(ballot_dots.c.ballot_id == bid))
        if not withdrawn:
            rows = [{"ballot_id": bid, "idea_id": k, "dots": v} for k, v in marks.items() if v > 0]
            if rows:
                conn.execute(ballot_dots.insert(), rows)
        self._bump(conn, r["workshop_id"])
        out = ballot_view(r["method"], {k: v for k, v in marks.items() if v > 0})
        out.update({"round_id": round_id, "revision": revision, "saved_at": ts, "withdrawn": withdrawn,
                    "method": r["method"], "rules": r["rules"]})
        if r["method"] == "dots":
            out["dots_per_person"] = r["rules"]["dots"]
        return out

    def ballot_of(self, round_id: int, participant_id: int) -> dict | None:
        with self._tx() as conn:
            b = conn.execute(
                select(ballots, rounds.c.method)
                .select_from(ballots.join(rounds, rounds.c.id == ballots.c.round_id))
                .where(ballots.c.round_id == round_id, ballots.c.participant_id == participant_id)
            ).first()
            if b is None:
                return None
            marks = {r.idea_id: r.dots for r in conn.execute(
                select(ballot_dots).where(ballot_dots.c.ballot_id == b.id))}
        out = ballot_view(b.method, marks)
        out.update({"round_id": round_id, "revision": b.revision, "saved_at": b.updated_at})
        return out

    def dot_ballots(self, round_id: int) -> list[dict]:
        """Every ballot of a round as {participant_id, group, source, marks{idea_id: mark}} (`dots`
        is the same dict, the v1 name), empty ballots too."""
        with self._tx() as conn:
            out: dict[int, dict] = {}
            for b in conn.execute(
                select(ballots.c.id, ballots.c.participant_id, ballots.c.source, participants.c.stakeholder_group)
                .select_from(ballots.join(participants, participants.c.id == ballots.c.participant_id))
                .where(ballots.c.round_id == round_id)
                .order_by(ballots.c.id)
            ):
                marks: dict = {}
                out[b.id] = {"participant_id": b.participant_id, "group": b.stakeholder_group,
                             "source": b.source or "device", "dots": marks, "marks": marks}
            if out:
                for d in conn.execute(
                    select(ballot_dots).where(ballot_dots.c.ballot_id.in_(list(out)))
                ):
                    out[d.ballot_id]["marks"][d.idea_id] = d.dots
        return list(out.values())

    def ballot_count(self, round_id: int) -> int:
        with self._tx() as conn:
            return conn.execute(
                select(func.count()).select_from(ballots).where(ballots.c.round_id == round_id)
            ).scalar()

    def election(self, round_id: int):
        """A budgeting round as a kit.budgeting.Election: the costs and lot fixed at opening, one
        approval ballot per voter (paper and kiosk voters included)."""
        from fractions import Fraction

        from kit import budgeting

        r = self.round(round_id)
        if r["method"] != "pb" or r["status"] == "draft":
            raise KitError("not_a_pb_round", status=409)
        items = self.round_items(round_id)
        costs = r["rules"]["costs"]
        projects = [budgeting.Project(str(i["id"]), Fraction(costs[str(i["id"])]), i["text"]) for i in items]
        ballots_ = [{str(k): 1 for k in b["marks"]} for b in self.dot_ballots(round_id)]
        return budgeting.Election(Fraction(r["rules"]["budget"]), projects, ballots_, "approval",
                                  meta={"description": r["title"]},
                                  lot=[str(i) for i in r["rules"].get("lot", [])])

    def pb_file(self, round_id: int) -> str:
        """A budgeting round as a pabulib .pb file (voters numbered 1..n, nothing else about them)."""
        from kit import budgeting

        e = self.election(round_id)
        ws = self.workshop(self.round(round_id)["workshop_id"])
        e.meta = {"description": e.meta.get("description", ""), "country": "Finland", "unit": ws["title"],
                  "instance": ws["created_at"][:10], "language": ws["language"], "currency": "EUR",
                  "rule": "equalshares/add1"}
        return budgeting.write_pb(e)

    def import_pb(self, workshop_id: int, text: str, title: str | None = None) -> dict:
        """A .pb file as a closed budgeting round of this workshop: its projects become ideas (with
        their costs), its votes ballots of imported voters; then the projector, the report and the
        exports show it like a vote taken here. All or nothing."""
        from kit import budgeting

        e = budgeting.read_pb(text)
        if e.vote_type not in ("approval", "choose-1"):
            raise KitError("pb_vote_type", vote_type=e.vote_type)
        budgeting.check_election(e)
        too_big = budgeting.not_fundable(e)
        if too_big:
            raise KitError("project_over_budget", status=409, project=e.project(too_big[0]).label[:80],
                           budget=voting._amount_text(e.budget))
        title = (title or e.meta.get("description") or "PB").strip()[:200]
        with self._tx(write=True) as conn:
            ts = now()
            idea_of = {}
            for proj in e.projects:
                idea_of[proj.id] = conn.execute(ideas.insert().values(
                    workshop_id=workshop_id, participant_id=None, text=voting.clean_idea_text(proj.label),
                    status="visible", created_at=ts, cost=voting._amount_text(proj.cost),
                )).inserted_primary_key[0]
            items = list(idea_of.values())
            rules = {"budget": voting._amount_text(e.budget), "max": None, "items": items,
                     "costs": {str(idea_of[p.id]): voting._amount_text(p.cost) for p in e.projects},
                     "lot": items, "imported": True}
            rid = conn.execute(rounds.insert().values(
                workshop_id=workshop_id, title=title, method="pb", status="closed", rules=rules,
                results_visible=False, created_at=ts, opened_at=ts, closed_at=ts,
            )).inserted_primary_key[0]
            for pos, iid in enumerate(items):
                conn.execute(round_items.insert().values(round_id=rid, idea_id=iid, position=pos))
            marks_rows = []
            for b in e.ballots:
                pid = conn.execute(participants.insert().values(
                    workshop_id=workshop_id, token_hash="import:" + secrets.token_hex(16),
                    language="fi", created_at=ts, kind="import",
                )).inserted_primary_key[0]
                bid = conn.execute(ballots.insert().values(
                    round_id=rid, participant_id=pid, revision=1, created_at=ts, updated_at=ts, source="import",
                )).inserted_primary_key[0]
                marks_rows += [{"ballot_id": bid, "idea_id": idea_of[k], "dots": 1} for k, v in b.items() if v > 0]
            if marks_rows:
                conn.execute(ballot_dots.insert(), marks_rows)
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "pb_imported", round_id=rid, projects=len(items), ballots=len(e.ballots))
        return self.round(rid)

    # -- paper ballots and the shared tablet -----------------------------------------------------
    def enter_paper_ballot(self, round_id: int, serial: str, body: dict, group: str | None = None) -> dict:
        """Double entry: the first entry of a paper ballot is kept aside; the second must agree with
        it, and then the ballot counts (as a paper voter). A second entry that differs is refused and
        nothing changes: check the paper, then enter it again or clear the first entry."""
        serial = (serial or "").strip()[:32] if isinstance(serial, str) else ""
        if not serial:
            raise KitError("paper_serial_required")
        with self._tx(write=True) as conn:
            r = self._open_round_for_ballot(conn, round_id, None, None)
            marks = voting.validate_ballot(r["method"], r["rules"], self._votable(conn, round_id), body)
            stored = {str(k): v for k, v in marks.items() if v > 0}
            first = _row(conn.execute(select(paper_entries).where(
                paper_entries.c.round_id == round_id, paper_entries.c.serial == serial)).first())
            if first is None:
                conn.execute(paper_entries.insert().values(round_id=round_id, serial=serial, marks=stored,
                                                           stakeholder_group=group, created_at=now()))
                self._bump(conn, r["workshop_id"])
                return {"status": "first", "serial": serial}
            if first["ballot_id"] is not None:
                raise KitError("paper_already_counted", status=409, serial=serial)
            if first["marks"] != stored or (first["stakeholder_group"] or None) != (group or None):
                raise KitError("paper_mismatch", status=409, serial=serial)
            pid = conn.execute(participants.insert().values(
                workshop_id=r["workshop_id"], token_hash="paper:" + secrets.token_hex(16), nickname=None,
                stakeholder_group=group, language="fi", created_at=now(), kind="paper",
            )).inserted_primary_key[0]
            saved = self._write_ballot(conn, r, pid, body, "paper")
            bid = conn.execute(select(ballots.c.id).where(
                ballots.c.round_id == round_id, ballots.c.participant_id == pid)).scalar()
            conn.execute(paper_entries.update().where(paper_entries.c.id == first["id"]).values(ballot_id=bid))
            self._log(conn, r["workshop_id"], "paper_ballot", round_id=round_id, serial=serial)
            return {"status": "counted", "serial": serial, "ballot": saved}

    def clear_paper_entry(self, round_id: int, serial: str) -> None:
        with self._tx(write=True) as conn:
            row = _row(conn.execute(select(paper_entries).where(
                paper_entries.c.round_id == round_id, paper_entries.c.serial == serial)).first())
            if row is None:
                return
            if row["ballot_id"] is not None:
                raise KitError("paper_already_counted", status=409, serial=serial)
            conn.execute(paper_entries.delete().where(paper_entries.c.id == row["id"]))
            wid = conn.execute(select(rounds.c.workshop_id).where(rounds.c.id == round_id)).scalar()
            self._bump(conn, wid)

    def paper_entries(self, round_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(paper_entries).where(paper_entries.c.round_id == round_id).order_by(paper_entries.c.id))]

    def start_kiosk(self, workshop_id: int) -> str:
        """Shared-tablet mode: returns a fresh 6-digit PIN that only the facilitator sees; each next
        voter on the tablet needs it. Starting again makes the old PIN useless."""
        pin = f"{secrets.randbelow(10**6):06d}"
        self.set_setting(workshop_id, "kiosk_pin", hash_token("kiosk:" + pin))
        return pin

    def stop_kiosk(self, workshop_id: int) -> None:
        self.set_setting(workshop_id, "kiosk_pin", None)

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

    # -- stage 1: the stakeholder map ------------------------------------------------------------
    def _sectors(self, conn: Connection, workshop_id: int) -> tuple[list[str], list[str]]:
        from kit import network
        from kit import workshop as wsmod

        tid = conn.execute(select(workshops.c.template).where(workshops.c.id == workshop_id)).scalar()
        if tid is None:
            raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
        tpl = wsmod.template(tid)
        return tpl["sectors"], [x["id"] for x in network.link_types(tpl)]

    def add_actor(self, workshop_id: int, name: str, sector: str, organisation: str | None = None,
                  is_person: bool = False, notes: str | None = None, influence: int | None = None,
                  interest: int | None = None, goals=None, participant_id: int | None = None) -> dict:
        """An actor on the map; from a participant's device it is a suggestion that waits for the
        facilitator (and one already on the map is refused with a kind word)."""
        values = clean_actor(name, organisation, notes, influence, interest, goals)
        with self._tx(write=True) as conn:
            sectors, _ = self._sectors(conn, workshop_id)
            if sector not in sectors:
                raise KitError("unknown_sector", sector=str(sector)[:40])
            if participant_id is not None:
                same = conn.execute(select(actors.c.id).where(
                    actors.c.workshop_id == workshop_id, actors.c.status != "rejected",
                    func.lower(actors.c.name) == values["name"].lower())).first()
                if same is not None:
                    raise KitError("actor_exists", status=409, name=values["name"][:80])
            aid = conn.execute(actors.insert().values(
                workshop_id=workshop_id, sector=sector, is_person=bool(is_person),
                status="suggested" if participant_id is not None else "active",
                suggested_by=participant_id, created_at=now(), **values,
            )).inserted_primary_key[0]
            self._bump(conn, workshop_id)
            if participant_id is not None:
                self._log(conn, workshop_id, "actor_suggested", actor_id=aid)
            return _row(conn.execute(select(actors).where(actors.c.id == aid)).first())

    def update_actor(self, actor_id: int, **fields) -> dict:
        allowed = {"name", "sector", "organisation", "is_person", "notes", "influence", "interest", "goals"}
        unknown = set(fields) - allowed
        if unknown:
            raise KitError("bad_field", field=min(unknown))
        with self._tx(write=True) as conn:
            cur = _row(conn.execute(select(actors).where(actors.c.id == actor_id)).first())
            if cur is None:
                raise KitError("unknown_actor", status=404, actor=actor_id)
            merged = {**cur, **fields}
            values = clean_actor(merged["name"], merged["organisation"], merged["notes"], merged["influence"],
                                 merged["interest"], merged["goals"])
            sectors, _ = self._sectors(conn, cur["workshop_id"])
            if merged["sector"] not in sectors:
                raise KitError("unknown_sector", sector=str(merged["sector"])[:40])
            conn.execute(actors.update().where(actors.c.id == actor_id).values(
                sector=merged["sector"], is_person=bool(merged["is_person"]), **values))
            self._bump(conn, cur["workshop_id"])
            return _row(conn.execute(select(actors).where(actors.c.id == actor_id)).first())

    def remove_actor(self, actor_id: int) -> None:
        with self._tx(write=True) as conn:
            wid = conn.execute(select(actors.c.workshop_id).where(actors.c.id == actor_id)).scalar()
            if wid is None:
                raise KitError("unknown_actor", status=404, actor=actor_id)
            conn.execute(links.delete().where((links.c.source_id == actor_id) | (links.c.target_id == actor_id)))
            conn.execute(actors.delete().where(actors.c.id == actor_id))
            self._bump(conn, wid)
            self._log(conn, wid, "actor_removed", actor_id=actor_id)

    def merge_actors(self, keep_id: int, other_id: int) -> dict:
        """Two cards for the same actor: the other's links move to the one kept (duplicates merge)."""
        if keep_id == other_id:
            raise KitError("merge_needs_two")
        with self._tx(write=True) as conn:
            keep = _row(conn.execute(select(actors).where(actors.c.id == keep_id)).first())
            other = _row(conn.execute(select(actors).where(actors.c.id == other_id)).first())
            if keep is None or other is None or keep["workshop_id"] != other["workshop_id"]:
                raise KitError("unknown_actor", status=404, actor=other_id if keep else keep_id)
            for row in [_row(r) for r in conn.execute(select(links).where(
                    (links.c.source_id == other_id) | (links.c.target_id == other_id)))]:
                src = keep_id if row["source_id"] == other_id else row["source_id"]
                dst = keep_id if row["target_id"] == other_id else row["target_id"]
                conn.execute(links.delete().where(links.c.id == row["id"]))
                if src != dst:
                    self._put_link(conn, keep["workshop_id"], src, dst, row["type"], row["bidirectional"],
                                   row["informal"], row["weight"], row["status"], row["suggested_by"])
            conn.execute(actors.delete().where(actors.c.id == other_id))
            self._bump(conn, keep["workshop_id"])
            self._log(conn, keep["workshop_id"], "actors_merged", kept=keep_id, merged=other_id)
            return _row(conn.execute(select(actors).where(actors.c.id == keep_id)).first())

    def actors(self, workshop_id: int, status: str | None = "active") -> list[dict]:
        q = select(actors).where(actors.c.workshop_id == workshop_id)
        if status:
            q = q.where(actors.c.status == status)
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(q.order_by(actors.c.id))]

    def add_link(self, workshop_id: int, source_id: int, target_id: int, link_type: str,
                 bidirectional: bool = False, informal: bool = False, weight: int = 1,
                 participant_id: int | None = None) -> dict:
        """A link between two actors; self-links are refused, a duplicate (same ends and type) is
        merged into the existing link by summing weights (spec §2.2)."""
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            raise KitError("bad_field", field="weight")
        with self._tx(write=True) as conn:
            _, types = self._sectors(conn, workshop_id)
            if link_type not in types:
                raise KitError("unknown_link_type", link_type=str(link_type)[:40])
            ends = {r.id: r for r in conn.execute(select(actors.c.id, actors.c.status).where(
                actors.c.workshop_id == workshop_id, actors.c.id.in_([source_id, target_id])))}
            for end in (source_id, target_id):
                if end not in ends or ends[end].status == "rejected":
                    raise KitError("unknown_actor", status=404, actor=end)
            if source_id == target_id:
                raise KitError("self_link_store")
            status = "suggested" if participant_id is not None else "active"
            lid = self._put_link(conn, workshop_id, source_id, target_id, link_type, bidirectional, informal,
                                 weight, status, participant_id)
            self._bump(conn, workshop_id)
            if participant_id is not None:
                self._log(conn, workshop_id, "link_suggested", link_id=lid)
            return _row(conn.execute(select(links).where(links.c.id == lid)).first())

    def _put_link(self, conn, workshop_id, source_id, target_id, link_type, bidirectional, informal, weight,
                  status, suggested_by) -> int:
        same = _row(conn.execute(select(links).where(
            links.c.source_id == source_id, links.c.target_id == target_id, links.c.type == link_type,
            links.c.status == status)).first())
        if same is not None and status == "active":
            conn.execute(links.update().where(links.c.id == same["id"]).values(
                weight=same["weight"] + weight, bidirectional=same["bidirectional"] or bool(bidirectional)))
            return same["id"]
        return conn.execute(links.insert().values(
            workshop_id=workshop_id, source_id=source_id, target_id=target_id, type=link_type,
            bidirectional=bool(bidirectional), informal=bool(informal), weight=weight, status=status,
            suggested_by=suggested_by, created_at=now(),
        )).inserted_primary_key[0]

    def remove_link(self, link_id: int) -> None:
        with self._tx(write=True) as conn:
            wid = conn.execute(select(links.c.workshop_id).where(links.c.id == link_id)).scalar()
            if wid is None:
                raise KitError("unknown_link", status=404, link=link_id)
            conn.execute(links.delete().where(links.c.id == link_id))
            self._bump(conn, wid)

    def links(self, workshop_id: int, status: str | None = "active") -> list[dict]:
        q = select(links).where(links.c.workshop_id == workshop_id)
        if status:
            q = q.where(links.c.status == status)
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(q.order_by(links.c.id))]

    def decide_suggestion(self, kind: str, item_id: int, accept: bool) -> None:
        """Accept or reject what a participant suggested. Accepting a link whose actor is itself a
        suggestion accepts that actor too; a duplicate link merges into the one already there."""
        table = {"actor": actors, "link": links}.get(kind)
        if table is None:
            raise KitError("bad_field", field="kind")
        with self._tx(write=True) as conn:
            row = _row(conn.execute(select(table).where(table.c.id == item_id)).first())
            if row is None or row["status"] != "suggested":
                raise KitError("not_a_suggestion", status=409)
            wid = row["workshop_id"]
            if not accept:
                conn.execute(table.update().where(table.c.id == item_id).values(status="rejected"))
                if kind == "actor":  # links hanging on a rejected actor go with it
                    conn.execute(links.update().where(
                        ((links.c.source_id == item_id) | (links.c.target_id == item_id))
                        & (links.c.status == "suggested")).values(status="rejected"))
            elif kind == "actor":
                conn.execute(actors.update().where(actors.c.id == item_id).values(status="active"))
            else:
                for end in (row["source_id"], row["target_id"]):
                    conn.execute(actors.update().where(actors.c.id == end, actors.c.status == "suggested")
                                 .values(status="active"))
                conn.execute(links.delete().where(links.c.id == item_id))
                self._put_link(conn, wid, row["source_id"], row["target_id"], row["type"], row["bidirectional"],
                               row["informal"], row["weight"], "active", row["suggested_by"])
            self._bump(conn, wid)
            self._log(conn, wid, f"{kind}_{'accepted' if accept else 'rejected'}", item=item_id)

    def take_snapshot(self, workshop_id: int, label: str | None = None) -> dict:
        """The map as it is now, dated and frozen: evaluation compares two of these."""
        from kit import network

        with self._tx(write=True) as conn:
            acts = [_row(r) for r in conn.execute(select(actors).where(
                actors.c.workshop_id == workshop_id, actors.c.status == "active").order_by(actors.c.id))]
            lks = [_row(r) for r in conn.execute(select(links).where(
                links.c.workshop_id == workshop_id, links.c.status == "active").order_by(links.c.id))]
            data = network.snapshot([map_actor(a) for a in acts], [map_link(x) for x in lks])
            ts = now()
            sid = conn.execute(snapshots.insert().values(
                workshop_id=workshop_id, label=(label or "").strip()[:120] or ts[:16].replace("T", " "),
                taken_at=ts, data=data)).inserted_primary_key[0]
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "snapshot", snapshot_id=sid)
            return _row(conn.execute(select(snapshots).where(snapshots.c.id == sid)).first())

    def snapshots(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(snapshots).where(snapshots.c.workshop_id == workshop_id).order_by(snapshots.c.id))]

    def import_network(self, workshop_id: int, actor_rows: list[dict], link_rows: list[dict]) -> dict:
        """Checked rows (kit.network.read_rows) onto the map, all or nothing."""
        with self._tx(write=True) as conn:
            sectors, types = self._sectors(conn, workshop_id)
            idmap = {}
            for a in actor_rows:
                if a["sector"] not in sectors:
                    raise KitError("unknown_sector", sector=a["sector"][:40])
                values = clean_actor(a["name"], a.get("organisation"), a.get("notes"), a.get("influence"),
                                     a.get("interest"), a.get("goals"))
                idmap[a["key"]] = conn.execute(actors.insert().values(
                    workshop_id=workshop_id, sector=a["sector"], is_person=bool(a.get("is_person")),
                    status="active", created_at=now(), **values)).inserted_primary_key[0]
            for x in link_rows:
                if x["type"] not in types:
                    raise KitError("unknown_link_type", link_type=x["type"][:40])
                self._put_link(conn, workshop_id, idmap[x["source"]], idmap[x["target"]], x["type"],
                               x.get("bidirectional"), x.get("informal"), x.get("weight", 1), "active", None)
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "network_imported", actors=len(actor_rows), links=len(link_rows))
        return {"actors": len(actor_rows), "links": len(link_rows)}

    def map_data(self, workshop_id: int) -> tuple[list[dict], list[dict]]:
        """The active map as kit.network reads it."""
        return ([map_actor(a) for a in self.actors(workshop_id)], [map_link(x) for x in self.links(workshop_id)])

    # -- stage 3: plan and roles -------------------------------------------------------------------
    def _competences(self, conn: Connection, workshop_id: int) -> list[str]:
        from kit import workshop as wsmod

        ws = conn.execute(select(workshops.c.template, workshops.c.settings).where(workshops.c.id == workshop_id)).first()
        if ws is None:
            raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
        extra = ((ws.settings or {}).get("plan") or {}).get("extra_competences") or []
        return [c["id"] for c in wsmod.template(ws.template)["competences"]] + list(extra)

    def competences(self, workshop_id: int) -> list[str]:
        with self._tx() as conn:
            return self._competences(conn, workshop_id)

    def add_holder(self, workshop_id: int, name: str, kind: str = "person", participant_id: int | None = None,
                   actor_id: int | None = None, chair: str | None = None, unpaid: bool = False) -> dict:
        if kind not in ("participant", "actor", "person", "group"):
            raise KitError("bad_field", field="kind")
        values = clean_actor(name, None, None)
        chair = chair.strip()[:ACTOR_NAME_CHARS] if isinstance(chair, str) and chair.strip() else None
        with self._tx(write=True) as conn:
            for ref, table in ((participant_id, participants), (actor_id, actors)):
                if ref is not None and conn.execute(select(table.c.workshop_id).where(table.c.id == ref)).scalar() != workshop_id:
                    raise KitError("bad_field", field=table.name)
            hid = conn.execute(holders.insert().values(
                workshop_id=workshop_id, name=values["name"], kind=kind, participant_id=participant_id,
                actor_id=actor_id, chair=chair, unpaid=bool(unpaid), removed=False, created_at=now(),
            )).inserted_primary_key[0]
            self._bump(conn, workshop_id)
            return _row(conn.execute(select(holders).where(holders.c.id == hid)).first())

    def update_holder(self, holder_id: int, **fields) -> dict:
        allowed = {"name", "chair", "unpaid", "removed"}
        if set(fields) - allowed:
            raise KitError("bad_field", field=min(set(fields) - allowed))
        if "name" in fields:
            fields["name"] = clean_actor(fields["name"])["name"]
        with self._tx(write=True) as conn:
            wid = conn.execute(select(holders.c.workshop_id).where(holders.c.id == holder_id)).scalar()
            if wid is None:
                raise KitError("unknown_holder", status=404, holder=holder_id)
            conn.execute(holders.update().where(holders.c.id == holder_id).values(**fields))
            self._bump(conn, wid)
            if fields.get("removed"):
                self._log(conn, wid, "holder_removed", holder_id=holder_id)
            return _row(conn.execute(select(holders).where(holders.c.id == holder_id)).first())

    def holders(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(holders).where(holders.c.workshop_id == workshop_id).order_by(holders.c.id))]

    def add_task(self, workshop_id: int, title: str, section: str = "implementation", effort: int | None = None,
                 due: str | None = None, idea_id: int | None = None, role: str | None = None) -> dict:
        from kit.roles import SECTIONS

        title = voting.clean_idea_text(title)
        if section not in SECTIONS:
            raise KitError("bad_field", field="section")
        effort, due = clean_effort(effort), clean_date(due)
        with self._tx(write=True) as conn:
            tid = conn.execute(tasks.insert().values(
                workshop_id=workshop_id, title=title, section=section, effort=effort, due=due, idea_id=idea_id,
                role=role, a_implies_r=False, done=False, created_at=now(),
            )).inserted_primary_key[0]
            self._bump(conn, workshop_id)
            return _row(conn.execute(select(tasks).where(tasks.c.id == tid)).first())

    def update_task(self, task_id: int, **fields) -> dict:
        from kit.roles import SECTIONS

        allowed = {"title", "section", "effort", "due", "a_implies_r", "deputy_id", "done"}
        if set(fields) - allowed:
            raise KitError("bad_field", field=min(set(fields) - allowed))
        if "title" in fields:
            fields["title"] = voting.clean_idea_text(fields["title"])
        if "section" in fields and fields["section"] not in SECTIONS:
            raise KitError("bad_field", field="section")
        if "effort" in fields:
            fields["effort"] = clean_effort(fields["effort"])
        if "due" in fields:
            fields["due"] = clean_date(fields["due"])
        with self._tx(write=True) as conn:
            wid = conn.execute(select(tasks.c.workshop_id).where(tasks.c.id == task_id)).scalar()
            if wid is None:
                raise KitError("unknown_task", status=404, task=task_id)
            conn.execute(tasks.update().where(tasks.c.id == task_id).values(**fields))
            self._bump(conn, wid)
            return _row(conn.execute(select(tasks).where(tasks.c.id == task_id)).first())

    def tasks(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(tasks).where(tasks.c.workshop_id == workshop_id).order_by(tasks.c.id))]

    def remove_task(self, task_id: int) -> None:
        with self._tx(write=True) as conn:
            wid = conn.execute(select(tasks.c.workshop_id).where(tasks.c.id == task_id)).scalar()
            if wid is None:
                raise KitError("unknown_task", status=404, task=task_id)
            conn.execute(tasks.delete().where(tasks.c.id == task_id))
            self._bump(conn, wid)

    def set_letter(self, task_id: int, holder_id: int, letters: str | None) -> None:
        """One letter per holder per task (A with R allowed); empty clears it. The RACI checks run on
        the whole matrix afterwards: a second A is stored and shown as an error, not silently lost."""
        from kit.roles import LETTERS

        letters = (letters or "").upper().replace("+", "").replace(" ", "")
        if letters == "RA":
            letters = "AR"
        if letters and letters not in LETTERS:
            raise KitError("bad_letter", letters=letters[:4])
        with self._tx(write=True) as conn:
            t_wid = conn.execute(select(tasks.c.workshop_id).where(tasks.c.id == task_id)).scalar()
            h_wid = conn.execute(select(holders.c.workshop_id).where(holders.c.id == holder_id)).scalar()
            if t_wid is None or t_wid != h_wid:
                raise KitError("unknown_task", status=404, task=task_id)
            conn.execute(assignments.delete().where(assignments.c.task_id == task_id,
                                                    assignments.c.holder_id == holder_id))
            if letters:
                conn.execute(assignments.insert().values(task_id=task_id, holder_id=holder_id, letters=letters))
            self._bump(conn, t_wid)

    def assignments(self, workshop_id: int) -> dict:
        with self._tx() as conn:
            return {(r.task_id, r.holder_id): r.letters for r in conn.execute(
                select(assignments).select_from(assignments.join(tasks, tasks.c.id == assignments.c.task_id))
                .where(tasks.c.workshop_id == workshop_id))}

    def set_level(self, holder_id: int, competence: str, level: int) -> None:
        if isinstance(level, bool) or level not in (0, 1, 2):
            raise KitError("bad_field", field="level")
        with self._tx(write=True) as conn:
            wid = conn.execute(select(holders.c.workshop_id).where(holders.c.id == holder_id)).scalar()
            if wid is None:
                raise KitError("unknown_holder", status=404, holder=holder_id)
            if competence not in self._competences(conn, wid):
                raise KitError("unknown_competence", competence=str(competence)[:40])
            conn.execute(competence_levels.delete().where(competence_levels.c.holder_id == holder_id,
                                                          competence_levels.c.competence == competence))
            if level:
                conn.execute(competence_levels.insert().values(holder_id=holder_id, competence=competence, level=level))
            self._bump(conn, wid)

    def levels(self, workshop_id: int) -> dict:
        with self._tx() as conn:
            return {(r.holder_id, r.competence): r.level for r in conn.execute(
                select(competence_levels).select_from(
                    competence_levels.join(holders, holders.c.id == competence_levels.c.holder_id))
                .where(holders.c.workshop_id == workshop_id))}

    def add_competence(self, workshop_id: int, competence: str) -> None:
        """A competence the template does not name, added explicitly for this network."""
        cid = "".join(ch for ch in (competence or "").strip().lower().replace(" ", "_") if ch.isalnum() or ch == "_")[:40]
        if not cid:
            raise KitError("bad_field", field="competence")
        plan = dict((self.workshop(workshop_id)["settings"] or {}).get("plan") or {})
        extra = list(plan.get("extra_competences") or [])
        if cid not in extra and cid not in self.competences(workshop_id):
            extra.append(cid)
        plan["extra_competences"] = extra
        self.set_setting(workshop_id, "plan", plan)

    def add_term(self, holder_id: int, role: str, start: str, end: str | None = None) -> dict:
        if role not in ("responsible_person", "budget_owner", "coordinator"):
            raise KitError("bad_field", field="role")
        start, end = clean_date(start), clean_date(end)
        if start is None:
            raise KitError("bad_date", value="")
        with self._tx(write=True) as conn:
            wid = conn.execute(select(holders.c.workshop_id).where(holders.c.id == holder_id)).scalar()
            if wid is None:
                raise KitError("unknown_holder", status=404, holder=holder_id)
            tid = conn.execute(terms.insert().values(holder_id=holder_id, role=role, start=start, end=end)).inserted_primary_key[0]
            self._bump(conn, wid)
            return _row(conn.execute(select(terms).where(terms.c.id == tid)).first())

    def terms(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(terms).select_from(terms.join(holders, holders.c.id == terms.c.holder_id))
                .where(holders.c.workshop_id == workshop_id).order_by(terms.c.id))]

    def set_plan(self, workshop_id: int, **fields) -> dict:
        """The plan canvas: need for change, target groups, competences and networks needed, budget and
        its owner, operating model, description, chosen ideas and actors, the responsible person."""
        allowed = {"need_for_change", "target_groups", "competences_needed", "networks", "budget",
                   "operating_model", "description", "idea_ids", "actor_ids", "responsible_person",
                   "budget_owner"}
        if set(fields) - allowed:
            raise KitError("bad_field", field=min(set(fields) - allowed))
        for key in ("need_for_change", "target_groups", "competences_needed", "networks", "operating_model",
                    "description"):
            if key in fields:
                v = fields[key]
                if v is not None and (not isinstance(v, str) or len(v) > 4000):
                    raise KitError("bad_field", field=key)
        if fields.get("budget") not in (None, ""):
            from kit.budgeting import to_amount

            fields["budget"] = voting._amount_text(to_amount(fields["budget"], "budget"))
        current = dict((self.workshop(workshop_id)["settings"] or {}).get("plan") or {})
        current.update(fields)
        self.set_setting(workshop_id, "plan", current)
        return current

    def plan(self, workshop_id: int) -> dict:
        return dict((self.workshop(workshop_id)["settings"] or {}).get("plan") or {})

    def add_offer(self, workshop_id: int, task_id: int, participant_id: int, kind: str,
                  competences: dict | None = None) -> dict:
        """A participant volunteers from their device ("I can do this" / "I can help"), saying which
        competences they bring; the facilitator confirms."""
        if kind not in ("can_do", "can_help"):
            raise KitError("bad_field", field="kind")
        comps = competences or {}
        if not isinstance(comps, dict) or any(v not in (1, 2) or isinstance(v, bool) for v in comps.values()):
            raise KitError("bad_field", field="competences")
        with self._tx(write=True) as conn:
            if conn.execute(select(tasks.c.workshop_id).where(tasks.c.id == task_id)).scalar() != workshop_id:
                raise KitError("unknown_task", status=404, task=task_id)
            known = self._competences(conn, workshop_id)
            unknown = [c for c in comps if c not in known]
            if unknown:
                raise KitError("unknown_competence", competence=str(unknown[0])[:40])
            conn.execute(offers.delete().where(offers.c.task_id == task_id, offers.c.participant_id == participant_id,
                                               offers.c.status == "pending"))
            oid = conn.execute(offers.insert().values(
                workshop_id=workshop_id, task_id=task_id, participant_id=participant_id, kind=kind,
                competences=comps, status="pending", created_at=now())).inserted_primary_key[0]
            self._bump(conn, workshop_id)
            return _row(conn.execute(select(offers).where(offers.c.id == oid)).first())

    def offers(self, workshop_id: int, participant_id: int | None = None) -> list[dict]:
        q = select(offers).where(offers.c.workshop_id == workshop_id)
        if participant_id is not None:
            q = q.where(offers.c.participant_id == participant_id)
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(q.order_by(offers.c.id))]

    def decide_offer(self, offer_id: int, accept: bool, name: str | None = None) -> dict | None:
        """Accepting makes the participant a holder (once), marks R for "I can do this" and C for
        "I can help" (unless they already hold a letter on the task), and records their competences."""
        unpaid_groups = ("resident", "expert_by_experience")
        with self._tx(write=True) as conn:
            o = _row(conn.execute(select(offers).where(offers.c.id == offer_id)).first())
            if o is None or o["status"] != "pending":
                raise KitError("not_a_suggestion", status=409)
            conn.execute(offers.update().where(offers.c.id == offer_id).values(
                status="accepted" if accept else "declined"))
            holder = None
            if accept:
                p = _row(conn.execute(select(participants).where(participants.c.id == o["participant_id"])).first())
                holder = _row(conn.execute(select(holders).where(holders.c.participant_id == p["id"])).first())
                if holder is None:
                    n = conn.execute(select(func.count()).select_from(holders).where(
                        holders.c.workshop_id == o["workshop_id"])).scalar() + 1
                    hid = conn.execute(holders.insert().values(
                        workshop_id=o["workshop_id"], name=(name or p["nickname"] or f"#{n}")[:ACTOR_NAME_CHARS],
                        kind="participant", participant_id=p["id"], unpaid=p["stakeholder_group"] in unpaid_groups,
                        removed=False, created_at=now())).inserted_primary_key[0]
                    holder = _row(conn.execute(select(holders).where(holders.c.id == hid)).first())
                has = conn.execute(select(assignments.c.letters).where(
                    assignments.c.task_id == o["task_id"], assignments.c.holder_id == holder["id"])).scalar()
                if not has:
                    conn.execute(assignments.insert().values(task_id=o["task_id"], holder_id=holder["id"],
                                                             letters="R" if o["kind"] == "can_do" else "C"))
                for comp, level in (o["competences"] or {}).items():
                    cur = conn.execute(select(competence_levels.c.level).where(
                        competence_levels.c.holder_id == holder["id"], competence_levels.c.competence == comp)).scalar()
                    if cur is None:
                        conn.execute(competence_levels.insert().values(holder_id=holder["id"], competence=comp, level=level))
                    elif level > cur:
                        conn.execute(competence_levels.update().where(
                            competence_levels.c.holder_id == holder["id"],
                            competence_levels.c.competence == comp).values(level=level))
            self._bump(conn, o["workshop_id"])
            self._log(conn, o["workshop_id"], "offer_" + ("accepted" if accept else "declined"), offer_id=offer_id)
            return holder

    def roles_data(self, workshop_id: int) -> dict:
        """Stage 3 as kit.roles reads it."""
        plan = self.plan(workshop_id)
        ts = [{"id": x["id"], "title": x["title"], "section": x["section"], "effort": x["effort"], "due": x["due"],
               "a_implies_r": x["a_implies_r"], "deputy": x["deputy_id"], "done": x["done"], "idea_id": x["idea_id"],
               "role": x["role"]} for x in self.tasks(workshop_id)]
        hs = [{"id": h["id"], "name": h["name"], "kind": h["kind"], "chair": h["chair"], "unpaid": h["unpaid"],
               "removed": h["removed"], "actor_id": h["actor_id"], "participant_id": h["participant_id"]}
              for h in self.holders(workshop_id)]
        return {"tasks": ts, "holders": hs, "assignments": self.assignments(workshop_id),
                "levels": self.levels(workshop_id), "terms": [{"holder": x["holder_id"], "role": x["role"],
                                                               "start": x["start"], "end": x["end"]}
                                                              for x in self.terms(workshop_id)],
                "plan": plan, "competences": self.competences(workshop_id)}

    # -- the service tray (kit/tray.py) --------------------------------------------------------
    def _tray_vocab(self, conn: Connection, workshop_id: int):
        from kit import tray
        from kit import workshop as wsmod

        tid = conn.execute(select(workshops.c.template).where(workshops.c.id == workshop_id)).scalar()
        if tid is None:
            raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
        tpl = wsmod.template(tid)
        return tray.levels(tpl), tray.groups(tpl)

    @staticmethod
    def _with_organiser(conn: Connection, workshop_id: int, a: dict, organiser_id) -> dict:
        """An activity whose organiser is an actor of this workshop's map carries the actor's name."""
        if organiser_id is None:
            return a
        org = _row(conn.execute(select(actors).where(actors.c.id == organiser_id)).first())
        if org is None or org["workshop_id"] != workshop_id:
            raise KitError("unknown_actor", status=404, actor=organiser_id)
        return {**a, "organiser": org["name"]}

    def _activity_row(self, conn: Connection, workshop_id: int, a: dict, organiser_id, status: str,
                      suggested_by=None) -> int:
        a = self._with_organiser(conn, workshop_id, a, organiser_id)
        data = {k: v for k, v in a.items() if k not in ("name", "step_level")}
        return conn.execute(activities.insert().values(
            workshop_id=workshop_id, name=a["name"], organiser_id=organiser_id, data=data,
            step_level=a["step_level"], status=status, suggested_by=suggested_by,
            created_at=now())).inserted_primary_key[0]

    def add_activity(self, workshop_id: int, data: dict, organiser_id: int | None = None,
                     participant_id: int | None = None) -> dict:
        """An activity on the tray. From a participant's device it is a suggestion the facilitator
        accepts or declines; the facilitator's own go on the tray at once."""
        from kit import tray

        with self._tx(write=True) as conn:
            lv, gr = self._tray_vocab(conn, workshop_id)
            a = tray.clean_activity(data, lv, gr)
            aid = self._activity_row(conn, workshop_id, a, organiser_id,
                                     "suggested" if participant_id is not None else "active", participant_id)
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "activity_added", activity_id=aid)
            return self._activity(conn, aid)

    def update_activity(self, activity_id: int, data: dict, organiser_id: int | None = None) -> dict:
        from kit import tray

        with self._tx(write=True) as conn:
            cur = self._activity(conn, activity_id)
            lv, gr = self._tray_vocab(conn, cur["workshop_id"])
            a = self._with_organiser(conn, cur["workshop_id"], tray.clean_activity(data, lv, gr), organiser_id)
            conn.execute(activities.update().where(activities.c.id == activity_id).values(
                name=a["name"], step_level=a["step_level"], organiser_id=organiser_id,
                data={k: v for k, v in a.items() if k not in ("name", "step_level")}))
            self._bump(conn, cur["workshop_id"])
            self._log(conn, cur["workshop_id"], "activity_edited", activity_id=activity_id)
            return self._activity(conn, activity_id)

    def set_activity_status(self, activity_id: int, status: str) -> dict:
        """Accept (active) or decline a suggestion, or take an activity off the tray (removed)."""
        if status not in ("active", "declined", "removed"):
            raise KitError("bad_field", field="status")
        with self._tx(write=True) as conn:
            cur = self._activity(conn, activity_id)
            conn.execute(activities.update().where(activities.c.id == activity_id).values(status=status))
            self._bump(conn, cur["workshop_id"])
            self._log(conn, cur["workshop_id"], "activity_" + status, activity_id=activity_id)
            return self._activity(conn, activity_id)

    @staticmethod
    def _activity(conn: Connection, activity_id: int) -> dict:
        r = _row(conn.execute(select(activities).where(activities.c.id == activity_id)).first())
        if r is None:
            raise KitError("unknown_activity", status=404, activity=activity_id)
        return _activity_view(r)

    def activity(self, activity_id: int) -> dict:
        with self._tx() as conn:
            return self._activity(conn, activity_id)

    def activities(self, workshop_id: int, status: str | None = "active") -> list[dict]:
        q = select(activities).where(activities.c.workshop_id == workshop_id)
        if status is not None:
            q = q.where(activities.c.status == status)
        q = q.add_columns(actors.c.name.label("organiser_now")).outerjoin(
            actors, actors.c.id == activities.c.organiser_id)
        with self._tx() as conn:
            out = []
            for r in conn.execute(q.order_by(activities.c.step_level, activities.c.id)):
                row = _row(r)
                a = _activity_view(row)
                if row["organiser_now"]:  # an organiser from the map shows under its current name
                    a["organiser"] = row["organiser_now"]
                out.append(a)
            return out

    def import_activities(self, workshop_id: int, rows: list[dict]) -> list[dict]:
        """Clean activities (from kit.tray.import_rows) onto the tray in one transaction: all or none."""
        from kit import tray

        with self._tx(write=True) as conn:
            lv, gr = self._tray_vocab(conn, workshop_id)
            ids = [self._activity_row(conn, workshop_id, tray.clean_activity(a, lv, gr), None, "active")
                   for a in rows]
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "activities_imported", n=len(ids))
            return [self._activity(conn, i) for i in ids]

    def set_interest(self, workshop_id: int, activity_id: int, participant_id: int, kind: str, on: bool) -> None:
        """"I'm interested" / "I'd like to organise this": on or off, once per person and kind."""
        if kind not in ("interested", "organise"):
            raise KitError("bad_field", field="kind")
        with self._tx(write=True) as conn:
            a = _row(conn.execute(select(activities.c.workshop_id, activities.c.status)
                                  .where(activities.c.id == activity_id)).first())
            if a is None or a["workshop_id"] != workshop_id or a["status"] != "active":
                raise KitError("unknown_activity", status=404, activity=activity_id)
            conn.execute(tray_interests.delete().where(
                tray_interests.c.activity_id == activity_id, tray_interests.c.participant_id == participant_id,
                tray_interests.c.kind == kind))
            if on:
                conn.execute(tray_interests.insert().values(activity_id=activity_id, participant_id=participant_id,
                                                            kind=kind, created_at=now()))
            self._bump(conn, workshop_id)

    def interest_counts(self, workshop_id: int) -> dict[int, dict[str, int]]:
        """{activity id: {"interested": n, "organise": n}}"""
        q = (select(tray_interests.c.activity_id, tray_interests.c.kind, func.count())
             .where(tray_interests.c.activity_id.in_(select(activities.c.id).where(activities.c.workshop_id == workshop_id)))
             .group_by(tray_interests.c.activity_id, tray_interests.c.kind))
        out: dict[int, dict[str, int]] = {}
        with self._tx() as conn:
            for aid, kind, n in conn.execute(q):
                out.setdefault(aid, {"interested": 0, "organise": 0})[kind] = n
        return out

    def interests_of(self, participant_id: int) -> dict[int, list[str]]:
        with self._tx() as conn:
            out: dict[int, list[str]] = {}
            for r in conn.execute(select(tray_interests.c.activity_id, tray_interests.c.kind)
                                  .where(tray_interests.c.participant_id == participant_id)):
                out.setdefault(r.activity_id, []).append(r.kind)
            return out

    def suggested_activities_of(self, participant_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_activity_view(_row(r)) for r in conn.execute(
                select(activities).where(activities.c.suggested_by == participant_id).order_by(activities.c.id))]

    def gap_to_idea(self, workshop_id: int, gap_key: str, text: str, tags: dict | None) -> dict:
        """A gap on the tray becomes an idea for stage 2, once: the idea's id is kept under the gap's key."""
        with self._tx() as conn:
            settings = conn.execute(select(workshops.c.settings).where(workshops.c.id == workshop_id)).scalar() or {}
        made = dict(settings.get("tray_gap_ideas") or {})
        if gap_key in made:
            raise KitError("gap_already_idea", status=409)
        idea = self.add_idea(workshop_id, text, tags=tags)
        made[gap_key] = idea["id"]
        self.set_setting(workshop_id, "tray_gap_ideas", made)
        return idea

    # -- stage 4: evaluation -------------------------------------------------------------------
    def add_node(self, workshop_id: int, level: str, text: str, thl=None, task_id=None, idea_id=None) -> dict:
        from kit import evaluation

        if level not in evaluation.LEVELS:
            raise KitError("bad_field", field="level")
        thl = list(thl or [])
        if any(d not in evaluation.THL for d in thl):
            raise KitError("bad_tags")
        text = voting.clean_idea_text(text)
        with self._tx(write=True) as conn:
            nid = conn.execute(lm_nodes.insert().values(workshop_id=workshop_id, level=level, text=text, thl=thl,
                                                        task_id=task_id, idea_id=idea_id)).inserted_primary_key[0]
            self._bump(conn, workshop_id)
            return _row(conn.execute(select(lm_nodes).where(lm_nodes.c.id == nid)).first())

    def remove_node(self, node_id: int) -> None:
        with self._tx(write=True) as conn:
            wid = conn.execute(select(lm_nodes.c.workshop_id).where(lm_nodes.c.id == node_id)).scalar()
            if wid is None:
                raise KitError("bad_lm_link")
            conn.execute(lm_edges.delete().where((lm_edges.c.source_id == node_id) | (lm_edges.c.target_id == node_id)))
            conn.execute(lm_nodes.delete().where(lm_nodes.c.id == node_id))
            self._bump(conn, wid)

    def add_lm_edge(self, source_id: int, target_id: int) -> None:
        from kit import evaluation

        with self._tx(write=True) as conn:
            rows = {r.id: r for r in conn.execute(select(lm_nodes).where(lm_nodes.c.id.in_([source_id, target_id])))}
            if len(rows) != 2 or rows[source_id].workshop_id != rows[target_id].workshop_id:
                raise KitError("bad_lm_link")
            evaluation.check_edge({k: v.level for k, v in rows.items()}, source_id, target_id)
            conn.execute(lm_edges.delete().where(lm_edges.c.source_id == source_id, lm_edges.c.target_id == target_id))
            conn.execute(lm_edges.insert().values(source_id=source_id, target_id=target_id))
            self._bump(conn, rows[source_id].workshop_id)

    def logic_model(self, workshop_id: int) -> tuple[list[dict], list[tuple[int, int]]]:
        with self._tx() as conn:
            nodes = [_row(r) for r in conn.execute(
                select(lm_nodes).where(lm_nodes.c.workshop_id == workshop_id).order_by(lm_nodes.c.id))]
            ids = [n["id"] for n in nodes]
            edges = [(r.source_id, r.target_id) for r in conn.execute(
                select(lm_edges).where(lm_edges.c.source_id.in_(ids)))] if ids else []
        for n in nodes:
            n["thl"] = n["thl"] or []
        return nodes, edges

    def save_indicator(self, workshop_id: int, data: dict, indicator_id: int | None = None) -> dict:
        from kit import evaluation

        allowed = {"name", "kind", "unit", "baseline", "target", "target_date", "source", "method", "frequency",
                   "owner_task", "thl", "target_group", "realistic", "node"}
        if set(data) - allowed:
            raise KitError("bad_field", field=min(set(data) - allowed))
        clean = dict(data)
        clean["name"] = voting.clean_idea_text(data.get("name"))
        if clean.get("kind", "quantitative") not in ("quantitative", "qualitative"):
            raise KitError("bad_field", field="kind")
        if clean.get("method") not in (None, "", *evaluation.METHODS):
            raise KitError("bad_field", field="method")
        clean["target_date"] = clean_date(clean.get("target_date"))
        if any(d not in evaluation.THL for d in clean.get("thl") or []):
            raise KitError("bad_tags")
        for k in ("unit", "baseline", "target", "source", "frequency", "target_group"):
            if clean.get(k) is not None and (not isinstance(clean[k], str) or len(clean[k]) > 500):
                raise KitError("bad_field", field=k)
        with self._tx(write=True) as conn:
            if indicator_id is None:
                iid = conn.execute(indicators.insert().values(workshop_id=workshop_id, node_id=clean.get("node"),
                                                              data=clean)).inserted_primary_key[0]
            else:
                iid = indicator_id
                conn.execute(indicators.update().where(indicators.c.id == iid).values(node_id=clean.get("node"), data=clean))
            self._bump(conn, workshop_id)
            row = _row(conn.execute(select(indicators).where(indicators.c.id == iid)).first())
        return {"id": row["id"], **row["data"], "node": row["node_id"]}

    def indicators(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [{"id": r.id, **r.data, "node": r.node_id} for r in conn.execute(
                select(indicators).where(indicators.c.workshop_id == workshop_id).order_by(indicators.c.id))]

    def create_form(self, workshop_id: int, title: str, questions, min_answers: int = 5) -> dict:
        from kit import evaluation

        qs = evaluation.check_form(questions)
        if isinstance(min_answers, bool) or not isinstance(min_answers, int) or not 1 <= min_answers <= 100:
            raise KitError("bad_field", field="min_answers")
        with self._tx(write=True) as conn:
            fid = conn.execute(forms.insert().values(
                workshop_id=workshop_id, title=(title or "").strip()[:200] or "Palaute", questions=qs,
                min_answers=min_answers, status="draft", approved=[], created_at=now())).inserted_primary_key[0]
            self._bump(conn, workshop_id)
            return _row(conn.execute(select(forms).where(forms.c.id == fid)).first())

    def set_form_status(self, form_id: int, status: str) -> dict:
        if status not in ("draft", "open", "closed"):
            raise KitError("bad_field", field="status")
        with self._tx(write=True) as conn:
            f = _row(conn.execute(select(forms).where(forms.c.id == form_id)).first())
            if f is None:
                raise KitError("unknown_form", status=404)
            if status == "open":  # one form open at a time
                conn.execute(forms.update().where(forms.c.workshop_id == f["workshop_id"], forms.c.status == "open")
                             .values(status="closed"))
            conn.execute(forms.update().where(forms.c.id == form_id).values(status=status))
            self._bump(conn, f["workshop_id"])
            self._log(conn, f["workshop_id"], "form_" + status, form_id=form_id)
            return _row(conn.execute(select(forms).where(forms.c.id == form_id)).first())

    def forms(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(forms).where(forms.c.workshop_id == workshop_id).order_by(forms.c.id))]

    def open_form(self, workshop_id: int) -> dict | None:
        with self._tx() as conn:
            return _row(conn.execute(select(forms).where(forms.c.workshop_id == workshop_id,
                                                         forms.c.status == "open")).first())

    def save_response(self, form_id: int, participant_id: int, answers: dict, workshop_id: int | None = None) -> dict:
        """A participant's answers (the last ones count); only while the form is open."""
        from kit import evaluation

        with self._tx(write=True) as conn:
            f = _row(conn.execute(select(forms).where(forms.c.id == form_id)).first())
            if f is None or (workshop_id is not None and f["workshop_id"] != workshop_id):
                raise KitError("unknown_form", status=404)
            if f["status"] != "open":
                raise KitError("form_closed", status=409)
            packs = self.instrument_packs()[0] if evaluation.uses_instruments(f["questions"]) else {}
            clean = evaluation.check_answers(f["questions"], answers, packs)
            if not clean:
                raise KitError("no_answers")
            conn.execute(responses.delete().where(responses.c.form_id == form_id,
                                                  responses.c.participant_id == participant_id))
            conn.execute(responses.insert().values(form_id=form_id, participant_id=participant_id, answers=clean,
                                                   updated_at=now()))
            self._bump(conn, f["workshop_id"])
            return clean

    def save_paper_response(self, form_id: int, answers: dict, group: str | None = None) -> dict:
        """A paper form typed in by the facilitator: a paper participant and their answers, in one
        transaction (a refused form leaves no empty participant behind)."""
        from kit import evaluation

        with self._tx(write=True) as conn:
            f = _row(conn.execute(select(forms).where(forms.c.id == form_id)).first())
            if f is None:
                raise KitError("unknown_form", status=404)
            if f["status"] != "open":
                raise KitError("form_closed", status=409)
            if group is not None and group not in self._groups(conn, f["workshop_id"]):
                raise KitError("unknown_group_named", group=str(group)[:40])
            questions = evaluation.paper_questions(f["questions"])
            clean = evaluation.check_answers(questions, answers)
            if not clean:
                raise KitError("no_answers")
            pid = conn.execute(participants.insert().values(
                workshop_id=f["workshop_id"], token_hash="paper:" + secrets.token_hex(16), nickname=None,
                stakeholder_group=group, language="fi", created_at=now(), kind="paper")).inserted_primary_key[0]
            conn.execute(responses.insert().values(form_id=form_id, participant_id=pid, answers=clean,
                                                   updated_at=now()))
            self._bump(conn, f["workshop_id"])
            self._log(conn, f["workshop_id"], "paper_form_entered", form_id=form_id)
            return clean

    def suggested_by(self, participant_id: int, what: str) -> list[dict]:
        """The actors or links one participant suggested (any status), oldest first."""
        table = {"actors": actors, "links": links}[what]
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(table).where(table.c.suggested_by == participant_id).order_by(table.c.id))]

    def response_of(self, form_id: int, participant_id: int) -> dict | None:
        """One participant's answers to a form (None if they have not answered)."""
        with self._tx() as conn:
            return conn.execute(select(responses.c.answers).where(
                responses.c.form_id == form_id, responses.c.participant_id == participant_id)).scalar()

    def responses(self, form_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(responses).where(responses.c.form_id == form_id).order_by(responses.c.id))]

    def add_indicator_result(self, indicator_id: int, value: float, source: str, day: str | None = None) -> dict:
        """A measured value for an indicator (a survey import, a count); the latest is shown as now."""
        with self._tx(write=True) as conn:
            row = _row(conn.execute(select(indicators).where(indicators.c.id == indicator_id)).first())
            if row is None:
                raise KitError("bad_field", field="indicator")
            data = dict(row["data"])
            data["results"] = list(data.get("results") or []) + [
                {"value": value, "source": str(source)[:120], "date": clean_date(day) or now()[:10]}]
            conn.execute(indicators.update().where(indicators.c.id == indicator_id).values(data=data))
            self._bump(conn, row["workshop_id"])
        return {"id": indicator_id, **data}

    def approve_answer(self, form_id: int, response_id: int, question_id: str, approved: bool = True) -> None:
        """Open answers are shown only after the facilitator has read and approved them."""
        with self._tx(write=True) as conn:
            f = _row(conn.execute(select(forms).where(forms.c.id == form_id)).first())
            if f is None:
                raise KitError("unknown_form", status=404)
            key = f"{response_id}:{question_id}"
            keys = [k for k in (f["approved"] or []) if k != key] + ([key] if approved else [])
            conn.execute(forms.update().where(forms.c.id == form_id).values(approved=keys))
            self._bump(conn, f["workshop_id"])

    def log_activity(self, workshop_id: int, day: str, kind: str, participants: dict, staff_hours: int | None = None,
                     node_id: int | None = None) -> dict:
        """One implemented activity: date, type, participants by stakeholder group, staff hours."""
        day = clean_date(day)
        if day is None:
            raise KitError("bad_date", value="")
        kind = voting.clean_idea_text(kind)
        with self._tx(write=True) as conn:
            groups = self._groups(conn, workshop_id)
            if not isinstance(participants, dict):
                raise KitError("bad_field", field="participants")
            for g, n in participants.items():
                if g not in groups:
                    raise KitError("unknown_group_named", group=str(g)[:40])
                if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 100000:
                    raise KitError("bad_count", group=str(g)[:40])
            if staff_hours is not None and (isinstance(staff_hours, bool) or not isinstance(staff_hours, int)
                                            or not 0 <= staff_hours <= 100000):
                raise KitError("bad_field", field="staff_hours")
            aid = conn.execute(activity_log.insert().values(
                workshop_id=workshop_id, date=day, type=kind, participants=participants, staff_hours=staff_hours,
                node_id=node_id, created_at=now())).inserted_primary_key[0]
            self._bump(conn, workshop_id)
            return _row(conn.execute(select(activity_log).where(activity_log.c.id == aid)).first())

    def _groups(self, conn: Connection, workshop_id: int) -> list[str]:
        from kit import workshop as wsmod

        tid = conn.execute(select(workshops.c.template).where(workshops.c.id == workshop_id)).scalar()
        if tid is None:
            raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
        return [g["id"] for g in wsmod.template(tid)["stakeholder_groups"]]

    def set_criterion(self, workshop_id: int, criterion: str, status: str, evidence: str = "") -> None:
        """The promising-practice checklist: a status and the evidence for one criterion."""
        if status not in ("not_started", "partly", "met"):
            raise KitError("bad_field", field="status")
        if not isinstance(evidence, str) or len(evidence) > 2000:
            raise KitError("bad_field", field="evidence")
        plan = self.plan(workshop_id)
        crit = dict(plan.get("criteria") or {})
        crit[str(criterion)[:40]] = {"status": status, "evidence": evidence.strip()}
        plan["criteria"] = crit
        self.set_setting(workshop_id, "plan", plan)

    def activity_log(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(activity_log).where(activity_log.c.workshop_id == workshop_id)
                .order_by(activity_log.c.date, activity_log.c.id))]

    def withdraw_participant(self, workshop_id: int, participant_id: int) -> dict:
        """A participant takes back what they sent, from their own page, until the facilitator closes
        the workshop. Removed: ideas nobody has voted on yet, ballots in open rounds, answers to open
        forms, pending suggestions and offers, marks on the tray, the nickname; the device's token
        stops working. Kept without anything pointing at them: ideas already in a vote, ballots in
        closed rounds and answers to closed forms (decided results do not change afterwards), and
        suggestions or offers the facilitator had already accepted. Returns the counts of both."""
        with self._tx(write=True) as conn:
            settings = conn.execute(select(workshops.c.settings).where(workshops.c.id == workshop_id)).scalar()
            if settings is None:
                raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
            if settings.get("closed"):
                raise KitError("workshop_closed", status=409)
            p = _row(conn.execute(select(participants).where(participants.c.id == participant_id)).first())
            if p is None or p["workshop_id"] != workshop_id:
                raise KitError("not_joined", status=401)
            removed = dict.fromkeys(("ideas", "ballots", "answers", "suggestions", "offers", "marks"), 0)
            kept = dict.fromkeys(("ideas", "ballots", "answers", "suggestions", "offers"), 0)
            voted_on = select(round_items.c.idea_id).join(rounds, rounds.c.id == round_items.c.round_id).where(
                rounds.c.status != "draft")
            merged_into = select(ideas.c.merged_into).where(ideas.c.merged_into.is_not(None))
            mine = [r.id for r in conn.execute(select(ideas.c.id).where(ideas.c.participant_id == participant_id))]
            keep_ids = {r[0] for r in conn.execute(select(ideas.c.id).where(
                ideas.c.id.in_(mine), or_(ideas.c.id.in_(voted_on), ideas.c.id.in_(merged_into))))}
            for iid in mine:
                if iid in keep_ids:
                    conn.execute(ideas.update().where(ideas.c.id == iid).values(participant_id=None))
                    kept["ideas"] += 1
                else:
                    conn.execute(round_items.delete().where(round_items.c.idea_id == iid))
                    conn.execute(ideas.delete().where(ideas.c.id == iid))
                    removed["ideas"] += 1
            for eid, payload in conn.execute(select(events.c.id, events.c.payload).where(
                    events.c.workshop_id == workshop_id, events.c.kind == "idea_edited")).all():
                if (payload or {}).get("idea_id") in mine:  # old wordings of their ideas go too
                    conn.execute(events.update().where(events.c.id == eid).values(
                        payload={"idea_id": payload.get("idea_id")}))
            for b in conn.execute(select(ballots.c.id, rounds.c.status).join(rounds, rounds.c.id == ballots.c.round_id)
                                  .where(ballots.c.participant_id == participant_id)).all():
                if b.status == "open":
                    conn.execute(ballot_dots.delete().where(ballot_dots.c.ballot_id == b.id))
                    conn.execute(ballots.delete().where(ballots.c.id == b.id))
                    removed["ballots"] += 1
                else:
                    kept["ballots"] += 1
            for r in conn.execute(select(responses.c.id, forms.c.status).join(forms, forms.c.id == responses.c.form_id)
                                  .where(responses.c.participant_id == participant_id)).all():
                if r.status == "open":
                    conn.execute(responses.delete().where(responses.c.id == r.id))
                    removed["answers"] += 1
                else:
                    kept["answers"] += 1
            for table in (links, actors, activities):  # links first: an actor that goes takes its links
                pending = table.c.status.in_(("suggested", "rejected", "declined"))
                mine_q = table.c.suggested_by == participant_id
                removed["suggestions"] += conn.execute(table.delete().where(mine_q, pending)).rowcount
                kept["suggestions"] += conn.execute(table.update().where(mine_q).values(suggested_by=None)).rowcount
            removed["offers"] = conn.execute(offers.delete().where(
                offers.c.participant_id == participant_id, offers.c.status == "pending")).rowcount
            kept["offers"] = conn.execute(select(func.count()).select_from(offers).where(
                offers.c.participant_id == participant_id, offers.c.status == "accepted")).scalar()
            for h in conn.execute(select(holders.c.id).where(holders.c.participant_id == participant_id)).all():
                conn.execute(holders.update().where(holders.c.id == h.id).values(name=f"#{h.id}", participant_id=None))
            removed["marks"] = conn.execute(tray_interests.delete().where(
                tray_interests.c.participant_id == participant_id)).rowcount
            conn.execute(participants.update().where(participants.c.id == participant_id).values(
                nickname=None, token_hash="withdrawn:" + secrets.token_hex(16)))
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "participant_withdrew", removed=removed, kept=kept)
            return {"removed": removed, "kept": kept}

    def purge_personal_data(self, workshop_id: int) -> dict:
        """Remove what could point at a person and keep the aggregate results: nicknames go, devices
        can no longer come back, ideas and suggestions lose who sent them, the event log forgets
        old idea wordings. Ballots stay (anonymous) so every count and result is unchanged."""
        with self._tx(write=True) as conn:
            if conn.execute(select(workshops.c.id).where(workshops.c.id == workshop_id)).first() is None:
                raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
            pids = [r.id for r in conn.execute(select(participants.c.id).where(participants.c.workshop_id == workshop_id))]
            for pid in pids:
                conn.execute(participants.update().where(participants.c.id == pid).values(
                    nickname=None, token_hash="purged:" + secrets.token_hex(16)))
            conn.execute(ideas.update().where(ideas.c.workshop_id == workshop_id).values(participant_id=None))
            for h in conn.execute(select(holders.c.id).where(holders.c.workshop_id == workshop_id,
                                                             holders.c.kind == "participant")).all():
                conn.execute(holders.update().where(holders.c.id == h.id).values(name=f"#{h.id}"))
            conn.execute(actors.update().where(actors.c.workshop_id == workshop_id).values(suggested_by=None))
            conn.execute(links.update().where(links.c.workshop_id == workshop_id).values(suggested_by=None))
            conn.execute(activities.update().where(activities.c.workshop_id == workshop_id).values(suggested_by=None))
            edited = conn.execute(select(events.c.id, events.c.payload).where(
                events.c.workshop_id == workshop_id, events.c.kind == "idea_edited")).all()
            for ev in edited:
                conn.execute(events.update().where(events.c.id == ev.id).values(
                    payload={"idea_id": ev.payload.get("idea_id")}))
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "personal_data_purged", participants=len(pids))
        return {"participants": len(pids)}

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
        """Insert the backup's rows, parents first; returns {table: {id in backup: id here}}.
        Idea ids held inside values (a merge's destination, a round's items, costs and lot, a paper
        entry's marks) follow a renumbering too."""
        src = doc["workshop"]
        ids: dict[str, dict] = {"workshops": {}}
        ids["workshops"][src["id"]] = self._insert_keeping_id(conn, workshops, src)
        merges: list[tuple[int, int]] = []
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
                if name == "ideas" and row.get("merged_into") is not None:
                    merges.append((row["id"], row.pop("merged_into")))  # may point at a later idea
                if name == "rounds":
                    row["rules"] = _remap_rules(row.get("rules") or {}, ids["ideas"])
                if name == "paper_entries":
                    row["marks"] = {str(ids["ideas"][int(k)]): v for k, v in row["marks"].items()}
                new_id = self._insert_keeping_id(conn, table, row)
                if "id" in row:
                    ids[name][row["id"]] = new_id
        for old_id, into in merges:
            conn.execute(ideas.update().where(ideas.c.id == ids["ideas"][old_id])
                         .values(merged_into=ids["ideas"][into]))
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
BACKUP_TABLES = ("participants", "ideas", "rounds", "round_items", "ballots", "ballot_dots",
                 "paper_entries", "actors", "links", "snapshots", "holders", "tasks", "assignments",
                 "competence_levels", "terms", "offers", "lm_nodes", "lm_edges", "indicators", "forms",
                 "responses", "activity_log", "activities", "tray_interests", "events")
_TABLES = {t.name: t for t in V1_TABLES + [paper_entries] + V3_TABLES + V4_TABLES + V5_TABLES + V6_TABLES
           + V7_TABLES}
_REFS = {  # column -> table whose id it holds
    "workshop_id": "workshops", "participant_id": "participants", "idea_id": "ideas",
    "round_id": "rounds", "ballot_id": "ballots", "suggested_by": "participants",
    "source_id": "actors", "target_id": "actors", "actor_id": "actors", "holder_id": "holders",
    "task_id": "tasks", "deputy_id": "holders", "node_id": "lm_nodes", "form_id": "forms",
    "organiser_id": "actors", "activity_id": "activities",
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
        "paper_entries": select(paper_entries).where(paper_entries.c.round_id.in_(rid)),
        "actors": select(actors).where(actors.c.workshop_id == workshop_id),
        "links": select(links).where(links.c.workshop_id == workshop_id),
        "snapshots": select(snapshots).where(snapshots.c.workshop_id == workshop_id),
        "holders": select(holders).where(holders.c.workshop_id == workshop_id),
        "tasks": select(tasks).where(tasks.c.workshop_id == workshop_id),
        "assignments": select(assignments).where(assignments.c.task_id.in_(
            select(tasks.c.id).where(tasks.c.workshop_id == workshop_id))),
        "competence_levels": select(competence_levels).where(competence_levels.c.holder_id.in_(
            select(holders.c.id).where(holders.c.workshop_id == workshop_id))),
        "terms": select(terms).where(terms.c.holder_id.in_(
            select(holders.c.id).where(holders.c.workshop_id == workshop_id))),
        "offers": select(offers).where(offers.c.workshop_id == workshop_id),
        "lm_nodes": select(lm_nodes).where(lm_nodes.c.workshop_id == workshop_id),
        "lm_edges": select(lm_edges).where(lm_edges.c.source_id.in_(
            select(lm_nodes.c.id).where(lm_nodes.c.workshop_id == workshop_id))),
        "indicators": select(indicators).where(indicators.c.workshop_id == workshop_id),
        "forms": select(forms).where(forms.c.workshop_id == workshop_id),
        "responses": select(responses).where(responses.c.form_id.in_(
            select(forms.c.id).where(forms.c.workshop_id == workshop_id))),
        "activity_log": select(activity_log).where(activity_log.c.workshop_id == workshop_id),
        "activities": select(activities).where(activities.c.workshop_id == workshop_id),
        "tray_interests": select(tray_interests).where(tray_interests.c.activity_id.in_(
            select(activities.c.id).where(activities.c.workshop_id == workshop_id))),
        "events": select(events).where(events.c.workshop_id == workshop_id),
    }
    out = {}
    for name, q in queries.items():
        out[name] = [_row(r) for r in conn.execute(q.order_by(*_TABLES[name].primary_key.columns))]
    return out


def _remap_rules(rules: dict, idea_ids: dict) -> dict:
    out = dict(rules)
    if out.get("items") is not None:
        out["items"] = [idea_ids[int(i)] for i in out["items"]]
    if out.get("lot") is not None:
        out["lot"] = [idea_ids[int(i)] for i in out["lot"]]
    if out.get("costs") is not None:
        out["costs"] = {str(idea_ids[int(k)]): v for k, v in out["costs"].items()}
    return out


def _activity_view(r: dict) -> dict:
    """An activity row as kit.tray reads it: the JSON fields beside name and step level."""
    data = r.get("data") or {}
    out = {"id": r["id"], "workshop_id": r["workshop_id"], "name": r["name"], "step_level": r["step_level"],
           "organiser_id": r["organiser_id"], "status": r["status"], "suggested_by": r["suggested_by"],
           "created_at": r["created_at"]}
    for k in ("organiser", "place", "accessibility", "schedule", "cost", "contact", "description"):
        out[k] = data.get(k)
    for k in ("days", "target_groups", "languages"):
        out[k] = list(data.get(k) or [])
    return out


def map_actor(a: dict) -> dict:
    return {k: a[k] for k in ("id", "name", "sector", "organisation", "is_person", "notes", "influence",
                              "interest")} | {"goals": a.get("goals") or []}


def map_link(x: dict) -> dict:
    return {"id": x["id"], "source": x["source_id"], "target": x["target_id"], "type": x["type"],
            "bidirectional": bool(x["bidirectional"]), "weight": x["weight"], "informal": bool(x["informal"])}


ACTOR_NAME_CHARS = 120


def clean_actor(name, organisation=None, notes=None, influence=None, interest=None, goals=None) -> dict:
    from kit.network import MAX_TOWER

    name = name.replace("\x00", "").strip() if isinstance(name, str) else ""
    if not name:
        raise KitError("actor_name_required")
    if len(name) > ACTOR_NAME_CHARS:
        raise KitError("actor_name_too_long", max=ACTOR_NAME_CHARS)
    out = {"name": name}
    for key, value, limit in (("organisation", organisation, ACTOR_NAME_CHARS), ("notes", notes, LIMITS.idea_chars)):
        value = value.replace("\x00", "").strip() if isinstance(value, str) else None
        if value and len(value) > limit:
            raise KitError("idea_too_long", max=limit, given=len(value))
        out[key] = value or None
    for key, value in (("influence", influence), ("interest", interest)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TOWER):
            raise KitError("bad_tower", field=key, max=MAX_TOWER)
        out[key] = value
    goals = goals or []
    if not isinstance(goals, list) or not all(isinstance(g, str) and g.strip() for g in goals):
        raise KitError("bad_field", field="goals")
    out["goals"] = [g.strip()[:60] for g in goals]
    return out


def clean_effort(value) -> int | None:
    if value in (None, "", 0):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 10000:
        raise KitError("bad_field", field="effort")
    return value


def clean_date(value) -> str | None:
    if value in (None, ""):
        return None
    from datetime import date

    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise KitError("bad_date", value=str(value)[:20]) from None


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

    return voting._amount_text(to_amount(cost, "cost"))


def pb_costs(rows: list[dict], budget: str) -> dict[str, str]:
    """The costs a budgeting vote opens with; refuses what would make its count meaningless."""
    from fractions import Fraction

    missing = [r["text"] for r in rows if r.get("cost") is None]
    if missing:
        raise KitError("cost_missing", status=409, project=missing[0][:80])
    over = [r["text"] for r in rows if Fraction(r["cost"]) > Fraction(budget)]
    if over:
        raise KitError("project_over_budget", status=409, project=over[0][:80], budget=budget)
    seen: dict = {}
    for r in rows:
        key = " ".join(r["text"].split()).casefold()
        if key in seen:
            raise KitError("duplicate_project", status=409, name=r["text"][:80])
        seen[key] = r["id"]
    return {str(r["id"]): r["cost"] for r in rows}


def ballot_view(method: str, marks: dict) -> dict:
    """A ballot as the API shows it: marks, plus dots / choices / ranking by method."""
    out: dict = {"marks": marks}
    if method == "dots":
        out["dots"] = marks
    elif method == "ranking":
        out["ranking"] = [i for i, _ in sorted(marks.items(), key=lambda kv: kv[1])]
    else:
        out["choices"] = sorted(marks)
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
