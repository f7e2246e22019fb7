"""The participant extension's handlers served in this test process: the kit's real routes and a real
SQLite store on a tornado server on loopback, without a subprocess, Jupyter or a browser (as
datasette's `ds.client` and jupyter_server's `jp_fetch` test theirs). Its `api()` and `store()` are
those of `kit.launch.KitServer`, so a test reads the same against either."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import tornado.httpserver
import tornado.netutil
import tornado.web

from kit import workshop as wsmod
from kit.config import DEFAULT_TEMPLATE
from kit.server.routes import make_handlers
from kit.store import Store

SERVER_TOKEN = "facilitator-token-for-tests"  # stands for the Jupyter server's token


class InProcessServer:
    def __init__(self, data: Path, template: str = DEFAULT_TEMPLATE, store_url: str | None = None):
        self.data = Path(data)
        self.store_url = store_url  # a PostgreSQL database (tests/pg.py); else the SQLite file in `data`
        self._store = Store.connect(store_url, self.data)
        tpl = wsmod.template(template)
        lang = tpl.get("default_language", "fi")
        self.code = self._store.create_workshop(wsmod.template_name(tpl["id"], lang), tpl["id"], lang)["code"]
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _serve(self):
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        app = tornado.web.Application(make_handlers(self._store, "/", lambda: SERVER_TOKEN))
        self.http = tornado.httpserver.HTTPServer(app)
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self.http.add_sockets(sockets)
        self._ready.set()
        self.loop.run_forever()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def participants(self) -> str:
        return f"{self.base}/kit/join/{self.code}"

    def request(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None):
        """Any request; returns (status, headers, body bytes)."""
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def api(self, method: str, path: str, body=None, token: str | None = None, lang: str | None = None,
            raw: bytes | None = None, content_type: str = "application/json",
            auth: str | None = None) -> tuple[int, dict]:
        """One participant API call; returns (HTTP status, decoded JSON)."""
        url = f"/kit/api{path}"
        if lang:
            url += ("&" if "?" in url else "?") + f"lang={lang}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        headers = {"Content-Type": content_type}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if auth:  # another scheme: "token <server token>", "remote <key>"
            headers["Authorization"] = auth
        status, _, out = self.request(method, url, data, headers)
        return status, json.loads(out or b"{}")

    def store(self) -> Store:
        return Store.connect(self.store_url, self.data)

    def stop(self):
        self.loop.call_soon_threadsafe(self.http.stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self._store.close()
