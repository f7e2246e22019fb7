"""The engine, transactions, the change counter and the event log: what every stage's store shares.

SQLAlchemy Core over a SQLite file in WAL mode by default (every Voila kernel and the participant
extension open the same file), or a PostgreSQL server by URL (`Store.connect`, `kit serve --store
postgresql://...`): the same code and the same migrations on both. Every write is one transaction;
callers tell a participant "saved" only after the method has returned, i.e. after the commit.

Writes start with BEGIN IMMEDIATE on SQLite: a deferred transaction that reads and then writes can
fail at once with SQLITE_BUSY under WAL instead of waiting, and kernels write at the same time as
the server."""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Future
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
from kit.store.migrations import MIGRATIONS
from kit.store.schema import SCHEMA_VERSION, events, meta, workshops

STORE_FILE = "kit.sqlite"
BATCH_MAX = 500  # writes committed together at most
_BATCH = threading.local()  # the writer thread's batch connection while it runs a batch


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


def engine_url(url: str) -> str:
    """A store URL as SQLAlchemy takes it: `postgresql://` (or `postgres://`) uses psycopg 3."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql", "postgres:"))


# Every write transaction on PostgreSQL first takes this transaction-scoped advisory lock: writes are
# one at a time across every kit process on the server, exactly as SQLite's BEGIN IMMEDIATE makes
# them across a laptop's processes. So every read-then-write of the store (a ballot replaced, the
# room moved only while it is still where the remote saw it, "next meeting" made once, a setting
# changed in the JSON of settings) stays as safe with several processes as with one, by the
# database's own lock, without a second copy of each rule. Group commit keeps this fast: a burst of
# ballots is one transaction (kit/store/base.py submit). The lock is released at commit or rollback,
# also when a process dies (its connection closes).
WRITE_LOCK = 0x6B6974  # "kit"


def _postgres_engine(url: str) -> Engine:
    # pre-ping: a connection the server dropped (a restart) is replaced before it is used, so the
    # first request after PostgreSQL comes back works; a write cut while it was away is refused
    # cleanly (the caller says "not saved" and the phone retries)
    engine = create_engine(engine_url(url), pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=10,
                           connect_args={"connect_timeout": 5, "application_name": "codesign-kit"})

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("kit_write"):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    return engine


CHANNEL = "kit_changes"  # LISTEN/NOTIFY channel: the id of a workshop whose version moved


def _notify(conn: Connection, workshop_id: int) -> None:
    """On PostgreSQL, tell every kit process that a workshop changed (delivered at commit, once per
    workshop per transaction; nothing when the transaction rolls back). Their event-stream hubs
    look at once instead of at their next poll of the change counter (kit/server/events.py)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_notify('{CHANNEL}', %(w)s)", {"w": str(workshop_id)})


def _row(r) -> dict | None:
    return dict(r._mapping) if r is not None else None



class BaseStore:
    """The engine, transactions, the change counter and the event log: what every stage's store shares."""

    def __init__(self, url: str):
        self.url = url
        self.postgres = is_postgres(url)
        self.engine = _postgres_engine(url) if self.postgres else _sqlite_engine(url)
        # Writers of this process queue here rather than in SQLite's busy handler, which sleeps in
        # growing steps (up to 100 ms) and so turns a burst of votes into long waits. Other
        # processes (Voila kernels) still meet the busy timeout, as they must.
        self._write_lock = threading.Lock()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._writer_lock = threading.Lock()
        self.commits = 0  # batches committed by the writer (the benchmark and the tests read them)
        self.batched = 0  # writes in them
        self.migrate()
        # a facilitator's role in a hosted kit (kit/store/rls.py): it sees only its own networks, so it
        # cannot know which ids are free elsewhere; new rows always take the database's next id then
        self.restricted = self.postgres and self._is_facilitator_role()

    def _is_facilitator_role(self) -> bool:
        with self.engine.connect() as conn:
            return bool(conn.exec_driver_sql(
                "SELECT EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = 'kit_facilitator' AND "
                "pg_has_role(current_user, g.oid, 'member')) AND NOT (SELECT rolsuper OR rolbypassrls "
                "FROM pg_roles WHERE rolname = current_user)").scalar())

    data_dir: Path | None = None
    # the store's clock: the real time, unless a test sets `clock` (a function giving an ISO UTC time).
    # A vote open for a period is opened and closed by it, at each request, in whichever process.
    clock = None

    def now_utc(self) -> str:
        return self.clock() if self.clock is not None else now()

    @classmethod
    def open(cls, data_dir: str | Path):
        path = Path(data_dir)
        path.mkdir(parents=True, exist_ok=True)
        store = cls(f"sqlite:///{(path / STORE_FILE).resolve()}")
        store.data_dir = path.resolve()
        return store

    @classmethod
    def connect(cls, url: str | None = None, data_dir: str | Path | None = None):
        """The store at a database URL (`postgresql://user@host/db`), else the SQLite file in
        `data_dir`. `data_dir` still holds exports and instrument packs."""
        if not url:
            return cls.open(data_dir or ".")
        store = cls(url)
        if data_dir is not None:
            Path(data_dir).mkdir(parents=True, exist_ok=True)
            store.data_dir = Path(data_dir).resolve()
        return store

    @property
    def where(self) -> str:
        """The store's address for logs and messages: a server URL without its password."""
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True) if self.postgres else self.url

    def instrument_packs(self) -> tuple[dict, list[str]]:
        """Licensed instrument packs in <data folder>/instruments/*.yaml (local, never committed)."""
        from kit import evaluation

        return evaluation.load_packs(self.data_dir / "instruments") if self.data_dir else ({}, [])

    def close(self) -> None:
        hub = getattr(self, "_events_hub", None)  # the event stream's listener on PostgreSQL
        if hub is not None and hub._listener is not None:
            hub._listener.stop()
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join(10)
            self._writer = None
        self.engine.dispose()

    @contextmanager
    def _tx(self, write: bool = False) -> Iterator[Connection]:
        batch = getattr(_BATCH, "conn", None)
        if batch is not None:
            # inside the writer's batch: its transaction (each write of the batch already has a savepoint
            # of its own, which a refusal rolls back; a read needs none)
            yield batch
            return
        if not write:
            with self.engine.connect() as conn, conn.begin():
                yield conn
            return
        with self._write_lock, self.engine.connect() as conn:
            conn = conn.execution_options(kit_write=True)
            with conn.begin():
                yield conn

    # -- group commit ---------------------------------------------------------------------------------
    def submit(self, fn, *args, **kwargs) -> Future:
        """Run a participant's write on the store's one writer thread (datasette's write thread is the
        model): what arrived together is committed in one transaction, each write in a savepoint of
        its own, so one refused write (a closed round, a bad ballot) rolls back alone and its
        neighbours commit. The future is set only after the commit that holds the write: a
        participant is told "saved" only then."""
        fut: Future = Future()
        with self._writer_lock:
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, name="kit-writer", daemon=True)
                self._writer.start()
        self._queue.put((fn, args, kwargs, fut))
        return fut

    def _write_loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < BATCH_MAX:  # what is already waiting goes in the same commit
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                batch.append(item)
            self._commit_batch(batch)

    def _commit_batch(self, batch: list) -> None:
        outcomes: list = []
        try:
            with self._write_lock, self.engine.connect() as conn:
                conn = conn.execution_options(kit_write=True)
                with conn.begin():
                    _BATCH.conn, _BATCH.memo, _BATCH.bumps = conn, {}, set()
                    try:
                        for fn, args, kwargs, _ in batch:
                            _BATCH.keeps = getattr(fn, "keeps_batch_memo", False)
                            savepoint = conn.begin_nested()
                            try:
                                result = fn(*args, **kwargs)
                            except BaseException as err:  # noqa: BLE001 (handed to its own caller)
                                savepoint.rollback()
                                outcomes.append((False, err))
                            else:
                                savepoint.commit()
                                outcomes.append((True, result))
                            if not _BATCH.keeps:
                                _BATCH.memo.clear()
                        # one version bump per workshop for the whole batch (a refused write's bump
                        # too: a bump only makes screens look again)
                        for wid in sorted(_BATCH.bumps):
                            conn.execute(workshops.update().where(workshops.c.id == wid)
                                         .values(version=workshops.c.version + 1))
                            _notify(conn, wid)
                    finally:
                        _BATCH.conn, _BATCH.memo, _BATCH.bumps, _BATCH.keeps = None, None, None, False
            self.commits += 1
            self.batched += len(batch)
        except BaseException as err:  # noqa: BLE001 (the commit failed: nothing of the batch is stored)
            for *_, fut in batch:
                fut.set_exception(err)
            return
        for (ok, value), (*_, fut) in zip(outcomes, batch):
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)

    def migrate(self) -> None:
        with self._tx(write=True) as conn:
            meta.create(conn, checkfirst=True)
            found = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
            current = int(found) if found is not None else 0
            if current > SCHEMA_VERSION:
                raise KitError("schema_newer", status=500, found=current, supported=SCHEMA_VERSION)
            if current == SCHEMA_VERSION:  # nothing to do (a facilitator's role in a hosted kit may not write here)
                return
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
    def _once_per_batch(key, compute):
        """compute(), read once per writer's batch for what stays true through it (a round's row and its
        votable ideas while only ballots are written); the memo is emptied after any write not marked
        `keeps_batch_memo`. Only such writes read from the memo (a write that changes what it read
        reads it fresh); outside a batch, compute() each time."""
        memo = getattr(_BATCH, "memo", None)
        if memo is None or not getattr(_BATCH, "keeps", False):
            return compute()
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    def hit_rate(self, name: str, key: str, per_minute: int) -> bool:
        """One more request of `key` under the limiter `name`; False when it is over `per_minute`
        (a sliding minute: this minute's hits and the last minute's, weighted by how much of it is
        still inside the window). One atomic upsert, outside the write lock: counting a request
        never waits for a ballot. Used on PostgreSQL, where kit processes share the counts."""
        import time

        from sqlalchemy import text

        t = time.time()
        minute, frac = int(t // 60), (t % 60) / 60
        k = hashlib.sha256(f"{name}\x00{key}".encode()).hexdigest()
        with self.engine.begin() as conn:
            cur, prev = conn.execute(text(
                "WITH up AS (INSERT INTO rate_hits (key, minute, hits) VALUES (:k, :m, 1) "
                "ON CONFLICT (key, minute) DO UPDATE SET hits = rate_hits.hits + 1 RETURNING hits) "
                "SELECT (SELECT hits FROM up), COALESCE((SELECT hits FROM rate_hits WHERE key = :k AND minute = :p), 0)"),
                {"k": k, "m": minute, "p": minute - 1}).one()
            if cur == 1 and hash(k) % 50 == 0:  # now and then, forget minutes that no window reaches
                conn.execute(text("DELETE FROM rate_hits WHERE minute < :p"), {"p": minute - 1})
        return cur + prev * (1 - frac) <= per_minute

    # -- things open for a period (votes, forms): moved by the store's clock, at each request -------------
    def _settle_due(self, table, workshop_id: int, moved) -> int:
        """Move the workshop's rows of `table` (rounds or forms: status scheduled / open, opens_at,
        closes_at) whose time has come, by the store's clock: decided at each request that reads them,
        by whichever process answers, never by a timer. A cheap read first; the write only when due.
        `moved(conn, row, new status)` writes one row's move; every move is logged and versioned as a
        move by hand, so every screen and phone looks again. Returns how many moved."""
        from sqlalchemy import and_, or_

        at = self.now_utc()
        c = table.c
        with self._tx() as conn:
            due = conn.execute(select(c.id).where(c.workshop_id == workshop_id, or_(
                and_(c.status == "scheduled", c.opens_at <= at),
                and_(c.status == "open", c.closes_at.is_not(None), c.closes_at <= at)))).first()
        if due is None:
            return 0
        with self._tx(write=True) as conn:
            return self._settle_now(conn, table, workshop_id, at, moved)

    def _settle_now(self, conn: Connection, table, workshop_id: int, at: str, moved) -> int:
        from kit import voting

        n = 0
        for row in conn.execute(select(table).where(table.c.workshop_id == workshop_id,
                                                    table.c.status.in_(("scheduled", "open")))
                                .order_by(table.c.id)).all():
            st = voting.status_at(row.status, row.opens_at, row.closes_at, at)
            if st != row.status:
                moved(conn, row, st)
                n += 1
        if n:
            self._bump(conn, workshop_id)
        return n

    def _resync_ids(self, conn: Connection) -> None:
        """After rows were written with their own ids (a restore into an empty store keeps them), the
        next new row's id comes after them: PostgreSQL's sequences do not follow such rows by
        themselves (SQLite's rowids do)."""
        if not self.postgres or self.restricted:
            return
        from kit.store.schema import metadata

        for table in metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement in (True, "auto"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"GREATEST((SELECT MAX(id) FROM {table.name}), 1), (SELECT MAX(id) FROM {table.name}) IS NOT NULL)")

    @staticmethod
    def _bump(conn: Connection, workshop_id: int) -> None:
        bumps = getattr(_BATCH, "bumps", None)
        if bumps is not None and getattr(_BATCH, "conn", None) is conn:
            bumps.add(workshop_id)  # applied once at the end of the batch
            return
        conn.execute(
            workshops.update()
            .where(workshops.c.id == workshop_id)
            .values(version=workshops.c.version + 1)
        )
        _notify(conn, workshop_id)

    @staticmethod
    def _log(conn: Connection, workshop_id: int, kind: str, **payload) -> None:
        conn.execute(events.insert().values(workshop_id=workshop_id, at=now(), kind=kind, payload=payload))

    def event_log(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(events).where(events.c.workshop_id == workshop_id).order_by(events.c.id)
            )]

