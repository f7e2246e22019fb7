"""End-to-end fixtures: a real `kit serve` process on a free port with its own data folder, and
Debian's chromium driven by Playwright. Nothing of the kit is mocked here."""

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

import pytest

HERE = Path(__file__).parent
ARTIFACTS = HERE.parents[1] / "test-artifacts"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("KIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}


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

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def voila(self, notebook: str, **query) -> str:
        q = "&".join(f"{k}={v}" for k, v in {**query, "token": self.token}.items())
        return f"http://localhost:{self.port}/voila/render/notebooks/{notebook}?{q}"

    def api(self, method: str, path: str, body=None, token: str | None = None, lang: str | None = None,
            raw: bytes | None = None):
        url = f"{self.base}/kit/api{path}"
        if lang:
            url += ("&" if "?" in url else "?") + f"lang={lang}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def store(self):
        from kit.store import Store

        return Store.open(self.data)


def start_server(data: Path, *extra: str) -> KitServer:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("KIT_DATA", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kit", "serve", "--data", str(data), "--host", "127.0.0.1", "--port", str(port), *extra],
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
    deadline = time.time() + 60
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
        proc.kill()
        raise RuntimeError("kit serve did not start:\n" + "".join(log))
    token = re.search(r"token=([0-9a-f]+)", found["Facilitator"]).group(1)
    code = found["Participants"].rstrip("/").rsplit("/", 1)[1]
    return KitServer(proc, data, port, found["Facilitator"], found["Participants"], token, code, log)


def stop_server(server: KitServer) -> None:
    if server.proc.poll() is None:
        os.killpg(server.proc.pid, signal.SIGTERM)
        try:
            server.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def kit_server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("kit-data"))
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def run_axe(page) -> list[dict]:
    """axe-core (from npm) in the page: violations of WCAG 2.0/2.1 A and AA."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
