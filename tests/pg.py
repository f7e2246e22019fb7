"""A throwaway PostgreSQL for the tests (kit/pgcluster.py): a cluster made with `initdb` in a fresh
folder and started with `pg_ctl` on a free loopback port, fsync off, one per test process.
`KIT_TEST_PG` (a server URL such as `postgresql://user@host:5432/postgres`) points at an existing
server instead.

Each test gets a database of its own (`fresh_database`), copied from a template database that was
migrated once, and dropped after."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import uuid
from pathlib import Path

from kit import pgcluster

_LOCK = threading.RLock()
_SERVER: dict = {}


def start_cluster(durable: bool = False) -> pgcluster.Cluster:
    """A new cluster of its own (a test that crashes its server uses one, `durable` as in production:
    without it, fsync and synchronous commit are off and a crash may lose the last commits)."""
    cluster = pgcluster.Cluster(Path(tempfile.mkdtemp(prefix="kit-pg-")), pgcluster.free_port(), durable=durable)
    cluster.init()
    cluster.start()
    return cluster


def stop_cluster(cluster: pgcluster.Cluster) -> None:
    cluster.stop("immediate")
    shutil.rmtree(cluster.folder, ignore_errors=True)


def server_url() -> str:
    """The tests' PostgreSQL server: KIT_TEST_PG, else one cluster per test process, started once."""
    given = os.environ.get("KIT_TEST_PG")
    if given:
        return given
    with _LOCK:
        if "cluster" not in _SERVER:
            _SERVER["cluster"] = start_cluster()
            atexit.register(stop_cluster, _SERVER["cluster"])
        return _SERVER["cluster"].url


def _template() -> str:
    """A database with the kit's schema, made once per test process: a test's database is a copy of
    it (much faster than migrating each one)."""
    with _LOCK:
        if "template" not in _SERVER:
            from kit.store import Store

            base = server_url()
            name = f"kit_template_{os.getpid()}"
            pgcluster.admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            Store.connect(pgcluster.database(base, name)).close()
            _SERVER["template"] = name
        return _SERVER["template"]


def fresh_database(empty: bool = False, server: str | None = None) -> str:
    """A new database on the tests' server (or `server`), with the kit's schema (or `empty`); returns
    its URL (drop it with drop_database)."""
    base = server or server_url()
    return pgcluster.database(base, "kit_" + uuid.uuid4().hex[:12],
                              "template0" if empty or server else _template())


def drop_database(url: str) -> None:
    pgcluster.admin(url.rsplit("/", 1)[0] + "/postgres", f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
