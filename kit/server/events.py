"""Push, not poll: GET /workshops/{code}/events, a server-sent event stream per device.

One hub per process watches the store for every workshop with an open stream: one small query a tick
(the versions of those workshops), never a store read per connection. When a workshop's version moves,
the hub builds the part of the page that is the same for everyone (what /poll answers without a token)
once per language, compares it with what it sent before, and sends each stream only the parts that
changed, serialised once: during a vote with hidden totals nothing the phones show changes, so a burst
of ballots sends nothing at all. At most 4 messages a second per workshop (changes in between are
coalesced into the next one). Each event's id is the workshop's version; a stream that reconnects
(EventSource does so by itself, with the last id) gets a full copy when it missed something.

What is a device's own (its ballot, what became of its ideas and suggestions) is not in the stream:
the page fetches /poll with its token when the part `mod` (the facilitator's last action) changes and
it has something waiting, and after its own writes. Polling /poll stays the fallback when the stream
breaks (a proxy that buffers, a sleeping tablet)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.exc import InterfaceError, OperationalError, PendingRollbackError
from tornado.ioloop import IOLoop, PeriodicCallback
from tornado.iostream import StreamClosedError

from kit.errors import KitError
from kit.server.base import ApiHandler, guarded

TICK_MS = 100  # how often the hub looks at the versions of the watched workshops
MIN_GAP = 0.25  # seconds between two messages of one workshop: at most 4 a second
PARTICIPANT_GAP = 1.0  # when only participants wrote since the last look
KEEPALIVE = 20.0  # a comment line this often keeps proxies and sleeping radios from dropping the stream
MAX_STREAMS = 20_000  # per process; past it, devices poll
FALLBACK_S = 1.0  # on PostgreSQL, with LISTEN working: the change counter is still read this often
PARTS = ("agenda", "current", "map", "tasks", "form", "tray", "words", "questions", "mod")


def shared_parts(store, ws: dict, lang: str) -> dict:
    """What every device's page shows alike, by part (as /poll answers it without a token), and `mod`:
    the id of the facilitator's last logged action (moderation, a setting, a move)."""
    from kit.server.poll import poll_view
    from kit.store.schema import events

    view = poll_view(store, ws, lang, None, {})
    with store._tx() as conn:
        mod = conn.execute(select(func.max(events.c.id)).where(events.c.workshop_id == ws["id"])).scalar() or 0
    out = {name: view[name] for name in PARTS if name in view}
    # the round's part without the workshop's version in it: a ballot moves the version, not what phones show
    out["current"] = {k: v for k, v in out["current"].items() if k != "version"}
    if out["agenda"]["current"]:  # the countdown: each page counts from `started` with the server's clock
        out["agenda"] = {**out["agenda"], "current": {k: v for k, v in out["agenda"]["current"].items()
                                                     if k != "remaining"}}
    out["mod"] = mod
    return out


def message(version: int, parts: dict, full: bool = False) -> bytes:
    data = json.dumps({"version": version, "now": round(time.time(), 3), "full": full, "parts": parts},
                      ensure_ascii=False, separators=(",", ":"))
    return f"id: {version}\nevent: change\ndata: {data}\n\n".encode()


class Hub:
    """The process's one store watcher and its streams (kept in this process's memory only: a stream
    is a connection; nothing a participant needs lives here)."""

    def __init__(self, store):
        self.store = store
        self.streams: dict[int, set] = defaultdict(set)  # workshop id -> its open streams
        self.versions: dict[int, int] = {}  # workshop id -> the version last sent
        self.sent_at: dict[int, float] = defaultdict(float)
        self.last: dict[tuple, dict] = {}  # (workshop id, language) -> the parts last sent, as JSON text
        self.snapshots: dict[tuple, tuple] = {}  # (workshop id, language) -> (version, full message)
        self.reads = 0  # store reads for the streams: one per tick (versions) and one per change and language
        self.builds = 0
        self._timer: PeriodicCallback | None = None
        self._busy = False
        self._keepalive = time.monotonic()
        # on PostgreSQL a notice from any kit process wakes the hub at once; the change counter is
        # then read only every FALLBACK_S (in case a notice is lost), not every tick
        self._listener: Listener | None = None
        self._loop: IOLoop | None = None
        self._wanted = True  # look at the versions on the next tick
        self._last_read = 0.0
        self._last_settle = 0.0  # a vote open for a period opens and closes by the store's clock

    @property
    def count(self) -> int:
        return sum(len(s) for s in self.streams.values())

    def add(self, stream) -> None:
        self.streams[stream.ws_id].add(stream)
        if self._timer is None:
            self._loop = IOLoop.current()
            self._timer = PeriodicCallback(self._tick, TICK_MS)
            self._timer.start()
            if getattr(self.store, "postgres", False):
                self._listener = Listener(self.store.url, self._heard)
                self._listener.start()

    def _heard(self, ws_id: int) -> None:
        """A notice (on the listener's thread): a workshop changed in some kit process."""
        if ws_id in self.streams and self._loop is not None:
            self._wanted = True
            self._loop.add_callback(self._tick)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    def remove(self, stream) -> None:
        s = self.streams.get(stream.ws_id)
        if s is not None:
            s.discard(stream)
            if not s:
                del self.streams[stream.ws_id]

    def _read_versions(self, ids: list[int]) -> dict[int, tuple[int, int]]:
        """{workshop id: (version, the facilitator's last logged action)} in one query."""
        from kit.store.schema import events, workshops

        self.reads += 1
        last = select(func.max(events.c.id)).where(events.c.workshop_id == workshops.c.id).scalar_subquery()
        with self.store._tx() as conn:
            return {r.id: (r.version, r.mod or 0) for r in conn.execute(
                select(workshops.c.id, workshops.c.version, last.label("mod")).where(workshops.c.id.in_(ids)))}

    def _build(self, ws_id: int, langs: set[str]) -> dict[str, tuple[int, dict, dict]]:
        """For each language: (version, the parts that changed since the last message, all parts)."""
        ws = self.store.workshop(ws_id)
        out = {}
        for lang in langs:
            self.reads += 1
            self.builds += 1
            parts = shared_parts(self.store, ws, lang)
            text = {k: json.dumps(v, sort_keys=True, ensure_ascii=False) for k, v in parts.items()}
            before = self.last.get((ws_id, lang), {})
            changed = {k: parts[k] for k in parts if text[k] != before.get(k)}
            self.last[(ws_id, lang)] = text
            out[lang] = (ws["version"], changed, parts)
        return out

    async def snapshot(self, ws_id: int, lang: str) -> tuple[int, bytes]:
        """The full message for a stream that starts (or missed something), made once per version."""
        have = self.snapshots.get((ws_id, lang))
        version = (await IOLoop.current().run_in_executor(None, self._read_versions, [ws_id])).get(ws_id, (None,))[0]
        if have is not None and have[0] == version:
            return have
        ws = await IOLoop.current().run_in_executor(None, self.store.workshop, ws_id)
        self.reads += 1
        parts = await IOLoop.current().run_in_executor(None, shared_parts, self.store, ws, lang)
        snap = (ws["version"], message(ws["version"], parts, full=True))
        self.snapshots[(ws_id, lang)] = snap
        if (ws_id, lang) not in self.last:  # the first stream of its kind: what it got is the baseline
            self.last[(ws_id, lang)] = {k: json.dumps(v, sort_keys=True, ensure_ascii=False) for k, v in parts.items()}
            self.versions.setdefault(ws_id, (ws["version"], parts["mod"]))
        return snap

    async def _tick(self) -> None:
        if self._busy or not self.streams:
            return
        listening = self._listener is not None and self._listener.healthy
        if listening and not self._wanted and time.monotonic() - self._last_read < FALLBACK_S \
                and time.monotonic() - self._last_settle < FALLBACK_S:
            return  # nothing heard, and the last look was recent
        self._busy = True
        try:
            self._wanted = False
            self._last_read = time.monotonic()
            loop = IOLoop.current()
            ids = list(self.streams)
            try:
                if time.monotonic() - self._last_settle >= FALLBACK_S:  # a period's time may have come: the
                    self._last_settle = time.monotonic()  # first look after it moves the vote (any process)
                    await loop.run_in_executor(None, lambda: [(self.store.settle_rounds(w), self.store.settle_forms(w))
                                                              for w in ids])
                versions = await loop.run_in_executor(None, self._read_versions, ids)
            except (OperationalError, InterfaceError, PendingRollbackError):
                self._wanted = True  # the database is away (restarting): look again on the next tick
                return
            now = time.monotonic()
            for ws_id in ids:
                v = versions.get(ws_id)
                if v is None or v == self.versions.get(ws_id):
                    continue
                # the facilitator acted (a move, a reveal, moderation): at once, at most 4 a second; only
                # participants wrote (ballots, words, questions): at most once a second, since most of
                # it (a ballot while totals are hidden) changes nothing any phone shows
                facilitator = v[1] != (self.versions.get(ws_id) or (None, None))[1]
                if now - self.sent_at[ws_id] < (MIN_GAP if facilitator else PARTICIPANT_GAP):
                    self._wanted = True  # coalesced into a later message: look again on the next tick
                    continue
                streams = list(self.streams.get(ws_id, ()))
                if not streams:
                    continue
                self.sent_at[ws_id] = now
                self.versions[ws_id] = v
                langs = {s.stream_lang for s in streams}
                built = await loop.run_in_executor(None, self._build, ws_id, langs)
                messages = {lang: message(ver, changed) for lang, (ver, changed, _) in built.items() if changed}
                for s in streams:
                    if s.stream_lang in messages:
                        s.push(messages[s.stream_lang])
            if now - self._keepalive > KEEPALIVE:
                self._keepalive = now
                for group in list(self.streams.values()):
                    for s in list(group):
                        s.push(b": keepalive\n\n")
        finally:
            self._busy = False


class Listener(threading.Thread):
    """LISTEN for the store's change notices on PostgreSQL (kit/store/base.py _notify) on a connection
    of its own, and hand each workshop id to `on_change` (on the listener's thread). A dropped
    connection (PostgreSQL restarting) is opened again; while it is down `healthy` is False and the
    hub polls the change counter as often as on SQLite."""

    def __init__(self, url: str, on_change):
        super().__init__(name="kit-listen", daemon=True)
        from sqlalchemy.engine import make_url

        from kit.store.base import engine_url

        self.conninfo = make_url(engine_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)
        self.on_change = on_change
        self.healthy = False
        self.heard = 0  # notices received (the tests read it)
        self.stopped = threading.Event()

    def run(self) -> None:
        import psycopg

        from kit.store.base import CHANNEL

        while not self.stopped.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.healthy = True
                    while not self.stopped.is_set():
                        for n in conn.notifies(timeout=1.0):
                            self.heard += 1
                            if n.payload.isdigit():
                                self.on_change(int(n.payload))
            except Exception:  # noqa: BLE001 (the server is away: poll meanwhile, try again)
                self.healthy = False
                self.stopped.wait(1.0)
        self.healthy = False

    def stop(self) -> None:
        self.stopped.set()


def hub_for(store) -> Hub:
    """The process's hub for this store (kept on the store object itself, so a new store is a new hub)."""
    hub = getattr(store, "_events_hub", None)
    if hub is None:
        hub = store._events_hub = Hub(store)
    return hub


class EventsApi(ApiHandler):
    """The event stream of a workshop (text/event-stream). No token: it carries only what every
    device's page shows alike."""

    path = "/workshops/{code}/events"

    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        hub = hub_for(self.store)
        if hub.count >= MAX_STREAMS:
            raise KitError("slow_down", status=503)
        self.ws_id, self.stream_lang = ws["id"], lang
        self._done = asyncio.get_running_loop().create_future()
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        self.set_header("X-Accel-Buffering", "no")  # nginx: pass each event on at once
        last = self.request.headers.get("Last-Event-ID", "")
        version, snap = await hub.snapshot(ws["id"], lang)
        self.write(b"retry: 3000\n\n")
        if last != str(version):  # a new stream, or one that missed something: everything once
            self.write(snap)
        await self.flush()
        hub.add(self)
        try:
            await self._done
        finally:
            hub.remove(self)

    def push(self, data: bytes) -> None:
        if self._done.done():
            return
        try:
            self.write(data)
            self.flush().add_done_callback(self._flushed)
        except StreamClosedError:
            self._finish_stream()

    def _flushed(self, fut) -> None:
        if fut.exception() is not None:  # the device went away mid-write
            self._finish_stream()

    def _finish_stream(self) -> None:
        if not self._done.done():
            self._done.set_result(None)

    def on_connection_close(self) -> None:
        if hasattr(self, "_done"):
            self._finish_stream()
