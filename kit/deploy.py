"""The reference topology on one machine (`kit deploy`): PostgreSQL, N `kit serve` processes on
loopback and nginx in front of them, started and stopped together.

    kit deploy [--processes 2] [--store postgresql://...] [--data DIR] [--port 8080] [--host 0.0.0.0]
               [--public-url URL] [--demo]

Without --store the kit makes a PostgreSQL cluster of its own in DIR/postgres (kept across starts).
Every kit process gets the same facilitator token and the same store; nginx spreads participants over
all of them and keeps one facilitator on one process (deploy/nginx.conf.j2). Nothing here replicates
or elects anything: PostgreSQL is the one truth, nginx a standard proxy. deploy/README.md says how to
spread the same pieces over several machines."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from kit import pgcluster
from kit.launch import KitServer, free_port, start_server


def deploy_dir() -> Path:
    here = Path(__file__).resolve().parent
    for path in (here.parent / "deploy", here / "_data" / "deploy"):
        if (path / "nginx.conf.j2").exists():
            return path
    raise FileNotFoundError("deploy/nginx.conf.j2 is missing from the kit's installation")


def nginx_binary() -> str:
    for path in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if path and Path(path).exists():
            return path
    raise RuntimeError("nginx is not installed (Debian: apt-get install nginx-light)")


def nginx_conf(ports: list[int], listen: str, prefix: Path, worker_connections: int = 4096) -> str:
    env = Environment(loader=FileSystemLoader(deploy_dir()), autoescape=False, keep_trailing_newline=True)
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    return env.get_template("nginx.conf.j2").render(ports=ports, listen=listen, prefix=prefix,
                                                    worker_connections=worker_connections, as_root=as_root,
                                                    user="www-data" if as_root else "")


@dataclass
class Topology:
    data: Path
    processes: int = 2
    store: str | None = None
    port: int | None = None
    host: str = "127.0.0.1"
    public_url: str | None = None
    demo: bool = False
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    servers: list[KitServer] = field(default_factory=list)
    cluster: pgcluster.Cluster | None = None
    nginx: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def code(self) -> str:
        return self.servers[0].code

    @property
    def participants(self) -> str:
        return f"{self.public_url or self.base}/kit/join/{self.code}"

    @property
    def facilitator(self) -> str:
        return f"{self.public_url or self.base}/voila/render/notebooks/00_start.ipynb?token={self.token}"

    def start(self) -> Topology:
        self.data.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        if not self.store:
            self.cluster, self.store = pgcluster.own_store(self.data / "postgres")
        if self.demo:
            from kit import sample
            from kit.store import Store

            store = Store.connect(self.store, self.data)
            if not store.workshops():
                sample.load_demo(store)
            store.close()
        public = self.public_url or f"http://{'127.0.0.1' if self.host in ('0.0.0.0', '') else self.host}:{self.port}"
        env = {"KIT_TOKEN": self.token}
        try:
            # one after the other: the first migrates the store and makes its first workshop
            for n in range(self.processes):
                self.servers.append(start_server(self.data / f"process-{n + 1}", "--public-url", public,
                                                 "--behind-proxy", store=self.store, env=env, timeout=120))
            self.start_proxy()
        except BaseException:
            self.stop()
            raise
        return self

    def start_proxy(self) -> None:
        prefix = self.data / "nginx"
        for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
            (prefix / sub).mkdir(parents=True, exist_ok=True)
            (prefix / sub).chmod(0o777)
        listen = f"{self.host}:{self.port}" if self.host not in ("0.0.0.0", "") else str(self.port)
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_conf([s.port for s in self.servers], listen, prefix.resolve()), encoding="utf-8")
        self.nginx = subprocess.Popen([nginx_binary(), "-p", str(prefix.resolve()), "-c", str(conf.resolve()),
                                       "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      start_new_session=True)
        import urllib.request

        deadline = time.time() + 30
        while time.time() < deadline:
            if self.nginx.poll() is not None:
                raise RuntimeError("nginx did not start: " + (self.nginx.stderr.read() or b"").decode())
            try:
                urllib.request.urlopen(self.base + "/kit/api/openapi.json", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("nginx did not answer")

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            os.killpg(self.nginx.pid, signal.SIGTERM)
            try:
                self.nginx.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.nginx.pid, signal.SIGKILL)
        for s in self.servers:
            s.stop()
        if self.cluster is not None:
            self.cluster.stop()


def main(args) -> int:
    topo = Topology(Path(args.data), args.processes, args.store, args.port, args.host, args.public_url, args.demo)
    topo.start()
    print(f"{args.processes} kit processes on {'PostgreSQL in ' + str(topo.cluster.folder) if topo.cluster else 'the given store'}, "
          f"nginx on port {topo.port}", flush=True)
    print(f"Facilitator: {topo.facilitator}", flush=True)
    print(f"Participants: {topo.participants}", flush=True)
    print("Ctrl-C stops them all.", flush=True)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    try:
        while not stopping:
            for n, s in enumerate(topo.servers):
                if s.proc.poll() is not None:  # a process died: say so; nginx sends its devices to the others
                    print(f"kit process {n + 1} stopped (exit {s.proc.returncode})", flush=True)
                    topo.servers[n] = start_server(s.data, "--public-url", topo.public_url or topo.base,
                                                   "--behind-proxy", store=topo.store, port=s.port,
                                                   env={"KIT_TOKEN": topo.token}, timeout=120)
                    print(f"kit process {n + 1} started again on port {s.port}", flush=True)
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        topo.stop()
    return 0
