"""A PostgreSQL server of the machine's own, made and started by the kit: for the reference topology
on one machine (`kit deploy` without --store) and for the tests (tests/pg.py). Debian's `postgresql`
package gives the server programs; `initdb` and `pg_ctl` refuse to run as root, so as root they run
as the `postgres` user (`runuser`) in a folder that user owns.

An organisation that runs PostgreSQL already (backed up like its other systems) gives its URL to
`--store` instead; nothing here is then used."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kit.launch import free_port  # noqa: F401 (a port for the cluster; kit deploy and the tests take it from here)


def binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (Debian: apt-get install postgresql)")
    return path


def as_postgres(args: list[str], **kw) -> subprocess.CompletedProcess:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--"] + args
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


@dataclass
class Cluster:
    folder: Path  # holds data/, the socket and the log
    port: int
    durable: bool = True  # False: fsync off (test data only)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def options(self) -> str:
        opts = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=300 "
                "-c shared_buffers=64MB")
        if not self.durable:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        return opts

    def init(self) -> None:
        """A new cluster in the folder (once; a folder that holds one is kept)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        if (self.data / "PG_VERSION").exists():
            return
        args = [binary("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                "--locale", "C.UTF-8"]
        as_postgres(args + ([] if self.durable else ["--no-sync"]))

    def start(self) -> None:
        as_postgres([binary("pg_ctl"), "-D", str(self.data), "-o", self.options(), "-l",
                     str(self.folder / "log"), "-w", "start"], timeout=120)

    def stop(self, mode: str = "fast") -> None:
        """`fast` closes connections and stops cleanly; `immediate` is a crash (recovery at start)."""
        try:
            as_postgres([binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"], timeout=120)
        except subprocess.CalledProcessError:
            pass  # not running

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stop at once (every connection cut, as a crash would) and start again."""
        import time

        self.stop("immediate")
        time.sleep(down_seconds)
        self.start()


def database(server_url: str, name: str, template: str = "template0") -> str:
    """Create a database on a server (given by the URL of any of its databases); returns its URL."""
    admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


def admin(server_url: str, sql: str) -> None:
    """One statement outside a transaction (CREATE/DROP DATABASE)."""
    from sqlalchemy import create_engine

    from kit.store.base import engine_url

    engine = create_engine(engine_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def exists(server_url: str, name: str) -> bool:
    from sqlalchemy import create_engine

    from kit.store.base import engine_url

    engine = create_engine(engine_url(server_url))
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %(n)s", {"n": name}).first() is not None
    finally:
        engine.dispose()


def own_store(folder) -> tuple[Cluster, str]:
    """A PostgreSQL cluster of the kit's own in `folder` (made once, kept across starts), started, with
    its `kit` database: (the cluster, the store's URL). For `kit deploy` and `kit hub` without --store."""
    from pathlib import Path

    cluster = Cluster(Path(folder), free_port())
    cluster.init()
    cluster.start()
    if not exists(cluster.url, "kit"):
        database(cluster.url, "kit")
    return cluster, cluster.url.rsplit("/", 1)[0] + "/kit"
