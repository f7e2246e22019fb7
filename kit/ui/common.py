"""What every facilitator view shares: store, workshop from the page's query string, join link,
theme, and a poller that redraws when the store's change counter moves."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from pathlib import Path
from urllib.parse import parse_qs

import ipywidgets as w

from kit import sample
from kit.config import LANGUAGES, default_data_dir
from kit.errors import KitError
from kit.i18n import t
from kit.render import element
from kit.store import Store

POLL_SECONDS = 0.5
SCREENS = ("desk", "light", "dark")
SCREEN_KEYS = {"desk": "ui.screen_desk", "light": "ui.screen_light", "dark": "ui.screen_dark"}
THEME = (Path(__file__).parent / "theme.css").read_text(encoding="utf-8")


def open_store() -> Store:
    from kit.store import configured

    return configured(os.environ.get("KIT_DATA") or default_data_dir())


def query() -> dict[str, str]:
    """Voila hands the page's query string to the kernel as QUERY_STRING."""
    return {k: v[0] for k, v in parse_qs(os.environ.get("QUERY_STRING", "")).items()}


def resolve_workshop(store: Store, code: str | None = None) -> dict:
    """The workshop named by ?workshop=CODE, else the newest one, else a fresh demo workshop
    (so a notebook opened on Binder or by nbmake always has something to show)."""
    code = code or query().get("workshop")
    if code:
        return store.workshop_by_code(code)
    existing = store.workshops()
    if existing:
        return existing[-1]
    return sample.load_demo(store)


def participant_url(code: str, env=None) -> str:
    """The join link shown on the projector and in the QR code.

    `kit serve` sets KIT_PARTICIPANT_URL (the LAN address). Under another server (Binder, a hub)
    the link is built from the request Voila hands the kernel: the forwarded protocol and host
    (the proxy's, as the browser saw them), else SERVER_NAME/SERVER_PORT, and the hub's prefix."""
    env = os.environ if env is None else env
    base = env.get("KIT_PARTICIPANT_URL", "").rstrip("/")
    if base:
        return f"{base}/kit/join/{code}"
    hub = env.get("JUPYTERHUB_SERVICE_PREFIX", "").strip("/")
    prefix = f"/{hub}/" if hub else "/"
    host = env.get("HTTP_X_FORWARDED_HOST", "").split(",")[0].strip()
    if not host and env.get("SERVER_NAME"):
        port = env.get("SERVER_PORT", "")
        host = env["SERVER_NAME"] + (f":{port}" if port and port not in ("80", "443") else "")
    if not host:
        return f"{prefix}kit/join/{code}"
    proto = env.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip() or "http"
    return f"{proto}://{host}{prefix}kit/join/{code}"


def desk_only(widget):
    """A form or a dense table that projector mode leaves off the big screen."""
    widget.add_class("kit-desk-only")
    return widget


def theme() -> w.HTML:
    return w.HTML(f"<style>{THEME}</style>")


def error_text(err: Exception, lang: str) -> str:
    return err.message(lang) if isinstance(err, KitError) else t("error.server_error", lang)


def _monotonic() -> float:
    import time

    return time.monotonic()


class Poller:
    """Calls `on_change()` whenever the workshop's version in the store changes (every 0.5 s).

    Runs as an asyncio task on the kernel's loop (widget updates then go out like any cell's);
    falls back to a thread where no loop runs (plain Python)."""

    def __init__(self, store: Store, workshop_id: int, on_change, interval: float = POLL_SECONDS,
                 heartbeat: float | None = None):
        self.store, self.workshop_id, self.on_change, self.interval = store, workshop_id, on_change, interval
        self.seen = store.version(workshop_id)
        self._stop = False
        # also redraw every `heartbeat` seconds without a change (what moves without one: who is present)
        self.heartbeat = heartbeat
        self._last = _monotonic()

    def check(self) -> bool:
        v = self.store.version(self.workshop_id)
        if v != self.seen or (self.heartbeat and _monotonic() - self._last >= self.heartbeat):
            self.seen = v
            self._last = _monotonic()
            self.on_change()
            return True
        return False

    async def _run_async(self):
        while not self._stop:
            await asyncio.sleep(self.interval)
            try:
                self.check()
            except Exception:  # a passing lock or a bad row must not stop the projector
                pass

    def _run_thread(self):
        import time

        while not self._stop:
            time.sleep(self.interval)
            try:
                self.check()
            except Exception:
                pass

    def start(self, in_thread: bool = False):
        """Poll on the running asyncio loop (a kernel's), else, or when asked, in a daemon thread."""
        try:
            loop = None if in_thread else asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            self.task = loop.create_task(self._run_async())
        else:
            threading.Thread(target=self._run_thread, daemon=True).start()
        return self

    def stop(self):
        self._stop = True


class KitApp(w.VBox):
    """What every facilitator page shares: a message line, actions guarded so that a refusal is shown
    in the facilitator's language and changes nothing, and redraws that do not count as the
    facilitator's own changes to the widgets (`_drawing`). Subclasses set `message` and `lang` and
    write `_draw`."""

    _drawing = False

    def __init__(self, store: Store | None = None, code: str | None = None, lang: str | None = None):
        super().__init__()
        self.add_class("kit-app")
        self.store = store or open_store()
        self.ws = resolve_workshop(self.store, code)
        asked_lang = query().get("lang")
        self.lang = lang or (asked_lang if asked_lang in LANGUAGES else self.ws["language"])
        # the "Screen" switch: desk view, or projector mode in a light or a dark theme (?screen=light|dark)
        self.screen = w.ToggleButtons(options=[(t(SCREEN_KEYS[m], self.lang), m) for m in SCREENS],
                                      description=t("ui.screen", self.lang),
                                      style={"description_width": "initial", "button_width": "auto"})
        self.screen.add_class("kit-screen")
        self.screen.observe(lambda ch: self.set_screen(ch["new"]), names="value")
        asked = query().get("screen")
        self.set_screen(asked if asked in SCREENS else "desk")
        self._page_language()

    def _page_language(self) -> None:
        """Voila's page says <html> with no language: give it the view's (WCAG 3.1.1), so screen
        readers read Finnish as Finnish. Voila runs a cell's JavaScript output; plain Python has none."""
        try:
            from IPython import get_ipython
            from IPython.display import Javascript, display
        except ImportError:
            return
        if get_ipython() is not None and getattr(get_ipython(), "kernel", None) is not None:
            display(Javascript(f"document.documentElement.lang = {json.dumps(self.lang)};"))

    def set_screen(self, mode: str) -> None:
        """desk: everything; light / dark: projector mode (see theme.css)."""
        if mode not in SCREENS:
            raise KitError("bad_field", field="screen")
        for cls in ("kit-projector", "kit-light", "kit-dark"):
            self.remove_class(cls)
        if mode != "desk":
            self.add_class("kit-projector")
            self.add_class("kit-" + mode)
        if self.screen.value != mode:
            self.screen.value = mode

    def _guard(self, fn, *args):
        try:
            self.message.value = ""
            fn(*args)
        except Exception as err:  # shown to the facilitator in their language, nothing lost
            self.message.value = element("message", error_text(err, self.lang), "kit-msg", "alert")

    def _ok(self, text: str) -> None:
        self.refresh()
        self.message.value = element("message", text, "kit-ok", "status")

    def refresh(self) -> None:
        self._drawing = True
        try:
            self._draw()
        finally:
            self._drawing = False

    def _draw(self) -> None:
        raise NotImplementedError
