"""A throwaway PostgreSQL for the tests: Debian's `postgresql` server binaries, a cluster made with
`initdb` in a fresh folder and started with `pg_ctl` on a free loopback port. `initdb` and `pg_ctl`
refuse to run as root (and CI runs as root), so as root they run as the `postgres` user with
`runuser`, in a folder that user owns. `KIT_TEST_PG` (a server URL such as
`postgresql://user@host:5432/postgres`) points at an existing server instead.

Each test gets a database of its own (`fresh_database`), made from `template0` and dropped after."""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

_LOCK = threading.RLock()
_SERVER: dict = {}


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (Debian package postgresql); "
                           "scripts/test installs it, or set KIT_TEST_PG to a server's URL")
    return path


def _as_postgres(args: list[str], **kw) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--"] + args
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cluster() -> dict:
    """A new cluster on loopback: {url, folder, port, data}. Fast and not durable (fsync off):
    it holds test data only."""
    folder = Path(tempfile.mkdtemp(prefix="kit-pg-"))
    folder.chmod(0o755)
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    _as_postgres([_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale", "C.UTF-8", "--no-sync"])
    port = _free_port()
    opts = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB")
    _as_postgres([_bin("pg_ctl"), "-D", str(data), "-o", opts, "-l", str(folder / "log"), "-w", "start"], timeout=60)
    return {"url": f"postgresql://postgres@127.0.0.1:{port}/postgres", "folder": folder, "port": port,
            "data": data, "opts": opts}


def stop_cluster(server: dict) -> None:
    try:
        _as_postgres([_bin("pg_ctl"), "-D", str(server["data"]), "-m", "immediate", "stop"], timeout=60)
    except subprocess.CalledProcessError:
        pass
    shutil.rmtree(server["folder"], ignore_errors=True)


def restart_cluster(server: dict, down_seconds: float = 0.0) -> None:
    """Stop the server at once (connections cut, as a crash would) and start it again."""
    import time

    _as_postgres([_bin("pg_ctl"), "-D", str(server["data"]), "-m", "immediate", "stop"], timeout=60)
    time.sleep(down_seconds)
    _as_postgres([_bin("pg_ctl"), "-D", str(server["data"]), "-o", server["opts"], "-l",
                  str(server["folder"] / "log"), "-w", "start"], timeout=60)


def server_url() -> str:
    """The tests' PostgreSQL server: KIT_TEST_PG, else one cluster per test process, started once."""
    given = os.environ.get("KIT_TEST_PG")
    if given:
        return given
    with _LOCK:
        if not _SERVER:
            _SERVER.update(start_cluster())
            atexit.register(stop_cluster, dict(_SERVER))
        return _SERVER["url"]


def _admin(url: str, sql: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def _template() -> str:
    """A database with the kit's schema, made once per test process: a test's database is a copy of
    it (much faster than migrating each one)."""
    with _LOCK:
        if "template" not in _SERVER:
            from kit.store import Store

            base = server_url()
            name = f"kit_template_{os.getpid()}"
            _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _admin(base, f'CREATE DATABASE "{name}" TEMPLATE template0')
            Store.connect(base.rsplit("/", 1)[0] + "/" + name).close()
            _SERVER["template"] = name
        return _SERVER["template"]


def fresh_database(empty: bool = False) -> str:
    """A new database on the tests' server, with the kit's schema (or `empty`); returns its URL
    (drop it with drop_database)."""
    base = server_url()
    name = "kit_" + uuid.uuid4().hex[:12]
    _admin(base, f'CREATE DATABASE "{name}" TEMPLATE "{"template0" if empty else _template()}"')
    return base.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    base = server_url()
    name = url.rsplit("/", 1)[1]
    _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
