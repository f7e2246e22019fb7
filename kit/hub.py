"""The kit hosted for an organisation (`kit hub`, issue 19, item 1): JupyterHub (from PyPI) with its proxy
configurable-http-proxy (from npm) terminating HTTPS, each facilitator's own Jupyter server with the kit
(the local-process spawner, as their system user), and the participant pages as a hub service anyone
reaches without a login. PostgreSQL with row-level security keeps each facilitator to their own
networks (kit/store/rls.py). deploy/jupyterhub_config.py is the hub's configuration; this module prepares
what it needs (the store, a certificate, the proxy, the kit's Jupyter settings) and runs it.

    kit hub [--data DIR] [--store URL] [--port 8443] [--host 127.0.0.1] [--public-url URL]
            [--admin NAME,...] [--test-users NAME,...]

Without --store the kit makes a PostgreSQL cluster of its own in DIR/postgres, as `kit deploy` does."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from kit import pgcluster
from kit.launch import free_port

CHP_VERSION = "4.6.3"


def hub_config_file() -> Path:
    from kit.deploy import deploy_dir

    return deploy_dir() / "jupyterhub_config.py"


def proxy_command(folder: Path) -> str:
    """configurable-http-proxy: on PATH, else installed from npm into `folder` once."""
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    local = folder / "node_modules" / ".bin" / "configurable-http-proxy"
    if not local.exists():
        if not shutil.which("npm"):
            raise RuntimeError("configurable-http-proxy needs npm (Debian: apt-get install npm)")
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(folder),
                        f"configurable-http-proxy@{CHP_VERSION}"], check=True)
    return str(local)


def self_signed(folder: Path, host: str) -> tuple[Path, Path]:
    """A self-signed certificate for `host` (and localhost), made once with openssl: for a first try and
    the tests. An organisation gives its own (--ssl-cert/--ssl-key in deploy/README.md)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    if not cert.exists():
        folder.mkdir(parents=True, exist_ok=True)
        alt = "subjectAltName=DNS:localhost,IP:127.0.0.1" + (f",IP:{host}" if host[:1].isdigit() else f",DNS:{host}")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825",
                        "-subj", f"/CN={host}", "-addext", alt, "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True)
        key.chmod(0o600)
    return cert, key


def reachable_by_all(path: Path) -> bool:
    """Whether another system user can run this file (every folder above it searchable by others)."""
    path = Path(path).resolve()
    return all(p.stat().st_mode & 0o001 for p in path.parents) and bool(path.stat().st_mode & 0o005)


def facilitator_python(folder: Path) -> str:
    """A Python the facilitators' own system users can run, with the kit and its libraries. The kit's
    own when they can reach it; else (a Python built under /root, as pyenv does) a virtual environment
    of the system's Python of the same version that reads the kit's installed packages."""
    import site
    import sysconfig

    if reachable_by_all(Path(sys.executable)) and all(reachable_by_all(Path(p)) for p in site.getsitepackages()):
        return sys.executable
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    system = shutil.which(f"python{version}", path="/usr/local/bin:/usr/bin:/bin")
    if not system:
        raise RuntimeError(f"the facilitators' servers need a Python {version} they can run (e.g. /usr/bin/python{version})")
    venv = folder / "python"
    if not (venv / "bin" / "python").exists():
        subprocess.run([system, "-m", "venv", "--without-pip", str(venv)], check=True)
    packages = sysconfig.get_paths()["purelib"]
    inner = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           check=True, capture_output=True, text=True).stdout.strip()
    (Path(inner) / "kit-packages.pth").write_text(f"import site; site.addsitedir({packages!r})\n", encoding="utf-8")
    for p in [venv, *venv.rglob("*")]:
        p.chmod(p.stat().st_mode | (0o055 if p.is_dir() else 0o044))
    return str(venv / "bin" / "python")


def jupyter_settings(folder: Path) -> Path:
    """The kit's Jupyter server settings (extensions, Voila's template) where every facilitator's server
    reads them (JUPYTER_CONFIG_PATH)."""
    from kit.__main__ import shared_jupyter_config

    conf = folder / "jupyter_server_config.d"
    conf.mkdir(parents=True, exist_ok=True)
    settings = shared_jupyter_config()
    # under a hub each server has a prefix (/user/<name>/): the MathJax stand-in is found relative to it
    settings.get("ServerApp", {}).get("tornado_settings", {}).pop("mathjax_url", None)
    (conf / "kit.json").write_text(json.dumps(settings, indent=1), encoding="utf-8")
    for p in (folder, conf, conf / "kit.json"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    return folder


@dataclass
class Hub:
    data: Path
    store: str | None = None
    port: int = 8443
    host: str = "127.0.0.1"
    public_url: str | None = None
    admins: list[str] = field(default_factory=list)
    test_users: list[str] = field(default_factory=list)
    test_password: str | None = None
    admin_password: str | None = None
    cluster: pgcluster.Cluster | None = None
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return (self.public_url or f"https://{self.host}:{self.port}").rstrip("/")

    @property
    def participants(self) -> str:
        return f"{self.base}/services/kit/kit/join/"

    def start(self, wait: float = 120) -> Hub:
        from kit.__main__ import PKG, notebooks_root
        from kit.store import Store, rls

        self.data = Path(self.data).resolve()
        self.data.mkdir(parents=True, exist_ok=True)
        for needed in (self.data, notebooks_root(), PKG):  # before anything starts
            if not all(p.stat().st_mode & 0o001 for p in [needed, *needed.parents]):
                raise RuntimeError(f"the facilitators' system users cannot reach {needed}: use folders others may "
                                   "read and search (e.g. --data /srv/kit-hub, the kit installed under /opt)")
        state = self.data / "hub"
        state.mkdir(exist_ok=True)
        state.chmod(0o700)  # the hub's database, cookie secret and key: the hub's only
        if self.store is None:
            self.cluster, self.store = pgcluster.own_store(self.data / "postgres")
        store = Store.connect(self.store)  # made or upgraded by the tables' owner, then locked per facilitator
        with store.engine.begin() as conn:
            rls.enable(conn)
        store.close()
        cert, key = self_signed(state / "tls", self.host)
        public = self.data / "hub-shared"  # what facilitators' servers read (their own system users)
        public.mkdir(exist_ok=True)
        public.chmod(0o755)
        env = {
            **os.environ,
            "KIT_HUB_STORE": self.store, "KIT_HUB_PUBLIC_URL": self.base, "KIT_HUB_STATE": str(state),
            "KIT_HUB_PYTHON": facilitator_python(public), "KIT_HUB_BIND_URL": f"https://{self.host}:{self.port}",
            "KIT_HUB_API_PORT": str(free_port()), "KIT_HUB_PROXY_API_PORT": str(free_port()),
            "KIT_HUB_SERVICE_PORT": str(free_port()), "KIT_HUB_SSL_CERT": str(cert), "KIT_HUB_SSL_KEY": str(key),
            "KIT_HUB_CHP": proxy_command(self.data / "hub-proxy"),
            "KIT_HUB_NOTEBOOKS": str(notebooks_root()),
            "KIT_HUB_JUPYTER_CONFIG": str(jupyter_settings(public / "jupyter-config")),
            # the kit's Voila template, and the templates it builds on where the kit's libraries are
            "KIT_HUB_JUPYTER_PATH": os.pathsep.join([str(PKG / "share"), str(Path(sys.prefix) / "share" / "jupyter")]),
            "KIT_HUB_ADMINS": ",".join(self.admins), "KIT_HUB_USERS": ",".join(self.test_users),
        }
        if self.test_password:
            env["KIT_HUB_TEST_PASSWORD"] = self.test_password
            if self.admins:
                import secrets

                self.admin_password = self.admin_password or secrets.token_urlsafe(32)
                env["KIT_HUB_TEST_ADMIN_PASSWORD"] = self.admin_password
        self.log = open(state / "jupyterhub.log", "ab")  # noqa: SIM115 (open while the hub runs)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(hub_config_file())], cwd=state, env=env,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait(wait)
        return self

    def _wait(self, seconds: float) -> None:
        import ssl
        import urllib.request

        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE  # our own certificate, just made
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterHub stopped (see {self.data / 'hub' / 'jupyterhub.log'})")
            try:
                with urllib.request.urlopen(f"https://127.0.0.1:{self.port}/services/kit/kit/api/openapi.json",
                                            timeout=5, context=ctx) as r:
                    if r.status == 200:
                        return
            except Exception:  # not up yet  # noqa: BLE001
                time.sleep(0.5)
        raise RuntimeError(f"JupyterHub did not answer in {seconds:.0f} s (see {self.data / 'hub' / 'jupyterhub.log'})")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the hub stops its proxy, service and servers
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        if getattr(self, "log", None):
            self.log.close()
        if self.cluster is not None:
            self.cluster.stop()


def main(args) -> int:
    hub = Hub(Path(args.data), args.store, args.port, args.host, args.public_url,
              [u for u in (args.admin or "").split(",") if u], [u for u in (args.test_users or "").split(",") if u])
    if hub.test_users:
        import secrets

        hub.test_password = os.environ.get("KIT_HUB_TEST_PASSWORD") or secrets.token_urlsafe(12)
    hub.start()
    print(f"Facilitators log in: {hub.base}/hub/login", flush=True)
    if hub.test_password:
        print(f"Test users {', '.join(hub.test_users)}, password: {hub.test_password}", flush=True)
        if hub.admins:
            print(f"Admins {', '.join(hub.admins)}, password: {hub.admin_password}", flush=True)
    print(f"Participants join: {hub.participants}<code>", flush=True)
    print(f"Log: {hub.data / 'hub' / 'jupyterhub.log'}. Ctrl-C stops everything.", flush=True)
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    try:
        while not stop["now"] and hub.process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()
    return 0
