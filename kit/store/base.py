"""The engine, transactions, the change counter and the event log: what every stage's store shares.

SQLAlchemy Core over a SQLite file in WAL mode by default (every Voila kernel and the participant
extension open the same file); a PostgreSQL URL can replace it. Every write is one transaction;
callers tell a participant "saved" only after the method has returned, i.e. after the commit.

Writes start with BEGIN IMMEDIATE on SQLite: a deferred transaction that reads and then writes can
fail at once with SQLITE_BUSY under WAL instead of waiting, and kernels write at the same time as
the server."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import Connection, Engine

from kit.errors import KitError
from kit.store.schema import MIGRATIONS, SCHEMA_VERSION, events, meta, workshops

STORE_FILE = "kit.sqlite"


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



class BaseStore:
    """The engine, transactions, the change counter and the event log: what every stage's store shares."""

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
    def open(cls, data_dir: str | Path):
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

    def event_log(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(events).where(events.c.workshop_id == workshop_id).order_by(events.c.id)
            )]

