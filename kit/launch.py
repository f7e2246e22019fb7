"""Start a real `kit serve` as a child process and read the two lines it prints for scripts.

Used by the end-to-end tests and the benchmarks, so both talk to the same server a facilitator
starts: nothing of the kit is replaced. `kit serve` prints `Facilitator: <url>` and
`Participants: <url>`; this module waits for both and for the participant API to answer.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


def status_of(url: str) -> int:
    """The HTTP status a URL answers with, redirects not followed (a 302 to a login page is a 302)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class KitServer:
    proc: subprocess.Popen
    data: Path
    port: int
    facilitator: str
    participants: str
    token: str
    code: str
    log: list = field(default_factory=list)
    store_url: str | None = None  # --store: the PostgreSQL database it serves (else the SQLite file in data)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def voila(self, notebook: str, **query) -> str:
        q = "&".join(f"{k}={v}" for k, v in {**query, "token": self.token}.items())
        return f"http://localhost:{self.port}/voila/render/notebooks/{notebook}?{q}"

    def api(self, method: str, path: str, body=None, token: str | None = None, lang: str | None = None,
            raw: bytes | None = None, auth: str | None = None) -> tuple[int, dict]:
        """One participant API call; returns (HTTP status, decoded JSON)."""
        url = f"{self.base}/kit/api{path}"
        if lang:
            url += ("&" if "?" in url else "?") + f"lang={lang}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        if auth:  # another scheme: "token <the server's token>" (the facilitator), "remote <key>"
            req.add_header("Authorization", auth)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def store(self):
        from kit.store import Store

        return Store.connect(self.store_url, self.data)

    def rss_bytes(self) -> int:
        """Resident memory of the server process (Linux /proc)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the server (SIGKILL plays a crash or a pulled plug)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)


def start_server(data: Path, *extra: str, port: int | None = None, timeout: float = 60,
                 store: str | None = None, env: dict | None = None) -> KitServer:
    """`python -m kit serve --data DATA [--store URL]` on loopback; returns once the participant API
    answers. `env`: more environment for the process (KIT_TOKEN, a token shared by several)."""
    port = port or free_port()
    if store:
        extra = ("--store", store, *extra)
    # every device of a test or a benchmark joins from this one address: the join limit per address
    # (120 a minute) is for a room, and is tested in-process (tests/unit/test_requests.py)
    env = {"KIT_JOINS_PER_MINUTE": "100000", **os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    env.pop("KIT_DATA", None)
    if not store:
        env.pop("KIT_STORE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kit", "serve", "--data", str(data), "--host", "127.0.0.1",
         "--port", str(port), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True,
    )
    log: list[str] = []
    found: dict[str, str] = {}

    def reader():
        for line in proc.stdout:
            log.append(line)
            m = re.match(r"(Facilitator|Participants): (\S+)", line)
            if m:
                found[m.group(1)] = m.group(2)

    threading.Thread(target=reader, daemon=True).start()
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("kit serve exited:\n" + "".join(log))
        if len(found) == 2:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/kit/api/openapi.json", timeout=2)
                break
            except OSError:
                pass
        time.sleep(0.2)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        raise RuntimeError("kit serve did not start:\n" + "".join(log))
    token = re.search(r"token=([0-9a-f]+)", found["Facilitator"]).group(1)
    code = found["Participants"].rstrip("/").rsplit("/", 1)[1]
    return KitServer(proc, Path(data), port, found["Facilitator"], found["Participants"], token, code, log, store)
