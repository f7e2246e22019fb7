"""The kit's jupyter-server extension: participant pages and the participant JSON API.

Served in the same process and port as Voila, without a kernel per device. These routes are the
only ones open without the facilitator's token; they take a workshop join code instead.
"""

from __future__ import annotations

import os
from pathlib import Path


def _jupyter_server_extension_points():
    return [{"module": "kit.server"}]


def _load_jupyter_server_extension(serverapp):
    from kit.server.routes import make_handlers
    from kit.store import configured

    # Kernels start in the notebook's folder, the server in its root: a relative default would give
    # each its own store. Fix the folder once here; every Voila kernel inherits this environment.
    data_dir = os.environ.get("KIT_DATA") or str(Path(serverapp.root_dir) / "kit-data")
    os.environ["KIT_DATA"] = str(Path(data_dir).resolve())
    store = configured(os.environ["KIT_DATA"])  # KIT_STORE (a PostgreSQL URL) when set
    base_url = serverapp.web_app.settings.get("base_url", "/")
    idp = getattr(serverapp, "identity_provider", None)

    def server_token() -> str:  # asked on each move: the identity provider's current token
        return getattr(idp, "token", "") or ""

    serverapp.web_app.add_handlers(".*$", make_handlers(store, base_url, server_token) + version_handlers(base_url))
    # tornado tries the extensions' rules in the order they were added, each a list of patterns: the
    # kit's first, so a phone's request is matched against the kit's few routes, not every extension's
    rules = serverapp.web_app.default_router.rules
    rules.insert(0, rules.pop(len(rules) - 2))
    _quiet_successes(serverapp.web_app)
    serverapp.web_app.settings["kit_store"] = store
    _wider_backlog(serverapp)
    serverapp.log.info("kit: participant pages at %skit/join/<code>, store %s", base_url, store.where)


def _quiet_successes(web_app) -> None:
    """Jupyter logs every request (at debug level for a success) and times it for its Prometheus
    metrics: about a tenth of a ballot's server time, and a room's burst is a thousand ballots. The
    kit's answered requests skip that; its refusals and errors are logged as before."""
    from kit.server.base import KitHandler

    logged = web_app.settings.get("log_function")
    if logged is None:
        return

    def log_function(handler) -> None:
        if isinstance(handler, KitHandler) and handler.get_status() < 400:
            return
        logged(handler)

    web_app.settings["log_function"] = log_function


BACKLOG = 2048  # connections the kernel holds while the server accepts: a room's ballots arrive at once


def _wider_backlog(serverapp) -> None:
    """Tornado listens with a backlog of 128 waiting connections; 300 phones pressing "vote" in the same
    second open more than that, and the kernel resets the rest. Once the server has bound its sockets
    (when its loop runs), listen again on them with room for a room. A listening socket takes a new
    backlog in place; nothing else about it changes."""
    from tornado.ioloop import IOLoop

    def widen(tries: int = 0):
        server = getattr(serverapp, "_http_server", None) or getattr(serverapp, "http_server", None)
        sockets = list(getattr(server, "_sockets", {}).values())
        if not sockets:  # the server binds in a callback of its own, after the extensions load
            if tries < 100:
                IOLoop.current().call_later(0.1, widen, tries + 1)
            return
        for sock in sockets:
            try:
                sock.listen(BACKLOG)
            except OSError:  # a socket that cannot: it keeps tornado's
                pass

    IOLoop.current().add_callback(widen)


def version_handlers(base_url: str) -> list:
    """Jupyter's GET /api tells anyone the server's version; with the kit it asks for the token like
    every other facilitator route. An extension's rules come before the server's own in tornado, so
    this one answers /api instead (403 without the token, the version with it)."""
    from jupyter_server.base.handlers import APIVersionHandler
    from jupyter_server.utils import url_path_join
    from tornado import web

    class TokenApiVersionHandler(APIVersionHandler):
        @web.authenticated
        def get(self) -> None:
            super().get()

    return [(url_path_join(base_url, r"api/?"), TokenApiVersionHandler)]


# the name jupyter_server looks for in older releases
load_jupyter_server_extension = _load_jupyter_server_extension
