"""What every participant route shares: the handler base, the error path, rate limits, headers.

Plain tornado handlers, not JupyterHandler: they never see the facilitator's token or a kernel.
Participants are identified by a bearer token they got when joining (kept in the device's local
storage); no cookies, so no cross-site form can act for them. Store calls run in a thread pool so
that a write waiting on SQLite's lock never stalls the server's event loop.
"""

from __future__ import annotations

import functools
import json
import time
from collections import defaultdict, deque
from typing import NamedTuple

import tornado.web
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, PendingRollbackError
from tornado.ioloop import IOLoop

from kit.config import LIMITS
from kit.errors import KitError
from kit.i18n import negotiate, t
from kit.server import requests
from kit.store import Store, hash_token

SECURITY_HEADERS = {
    # nothing from outside the server: venues have no internet, and nothing typed can run
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# statuses tornado itself gives (a method the route lacks, an unreadable request) and their codes
HTTP_ERRORS = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large_request"}


class RateLimiter:
    """Sliding one-minute window per key (a participant token hash). On SQLite (one kit process) kept
    in this process's memory; on PostgreSQL, where several kit processes serve one workshop, counted in
    the store (Store.hit_rate), so a device cannot get more by reaching another process."""

    def __init__(self, per_minute: int, name: str = ""):
        self.per_minute = per_minute
        self.name = name  # the store's counters are per limiter: the same name in every process
        self.hits: dict[str, deque] = defaultdict(deque)
        self._swept = time.monotonic()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        q = self.hits[key]
        while q and now - q[0] > 60:
            q.popleft()
        if len(q) >= self.per_minute:
            return False
        q.append(now)
        self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        # keys whose window has emptied are dropped, so the table does not grow with every device ever
        # seen; once a minute at most, so a busy room does not pay a sweep on every request
        if now - self._swept > 60:
            self._swept = now
            for key in [k for k, q in self.hits.items() if not q or now - q[-1] > 60]:
                del self.hits[key]


class KitHandler(tornado.web.RequestHandler):
    store: Store
    base: str

    def initialize(self, store: Store, base: str, server_token=None):
        self.store = store
        self.base = base
        # the Jupyter server's token (its identity provider's), asked when needed: the facilitator's key
        self.server_token = server_token
        # Participants are told no IP address is kept: the join limit reads it once, in memory only
        # (source_key), and the server's request log (Jupyter's log_request) gets a dash instead.
        self._source = self.request.remote_ip or ""
        self.request.remote_ip = "-"

    def set_default_headers(self):
        for k, v in SECURITY_HEADERS.items():
            self.set_header(k, v)
        if self.request.protocol == "https":  # behind a proxy with HTTPS (its X-Forwarded-Proto): only HTTPS
            self.set_header("Strict-Transport-Security", "max-age=31536000")

    def check_xsrf_cookie(self):
        # No cookie carries identity here (bearer token in a header), so there is nothing to forge.
        return None

    async def run(self, fn, *args, **kwargs):
        return await IOLoop.current().run_in_executor(None, lambda: fn(*args, **kwargs))

    async def allowed(self, limiter: RateLimiter, key) -> bool:
        """One more request of `key` under `limiter`: in the store when kit processes share it."""
        if getattr(self.store, "postgres", False):
            return await self.run(self.store.hit_rate, limiter.name, repr(key), limiter.per_minute)
        return limiter.allow(key)

    async def commit(self, fn, *args, **kwargs):
        """A participant's write through the store's writer (group commit): answered once the commit
        that holds it is done; a refusal comes back as it was raised."""
        import asyncio

        return await asyncio.wrap_future(self.store.submit(fn, *args, **kwargs))

    def lang(self, default: str = "fi") -> str:
        return negotiate(self.get_query_argument("lang", None), self.request.headers.get("Accept-Language"), default)

    @property
    def plain(self) -> bool:
        """Plain language (selkokieli) asked with ?plain=1: messages and pages in short, concrete words."""
        return self.get_query_argument("plain", "") == "1"

    def t(self, key: str, lang: str, **kw) -> str:
        return t(key, lang, plain=self.plain, **kw)

    def source_key(self) -> str:
        """The address the request came from, hashed, for a limit held in this process's memory only:
        never stored, never logged, forgotten a minute after its last request."""
        return hash_token("source:" + self._source)

    def token(self) -> str | None:
        auth = self.request.headers.get("Authorization", "")
        return auth[7:].strip() if auth.lower().startswith("bearer ") else None


@tornado.web.stream_request_body
class ApiHandler(KitHandler):
    """A JSON route of the participant API. `path` is its path in the OpenAPI document: the request
    body is checked against that operation's schema, so the document and the server agree.

    The body is streamed in and kept only up to the limit: one that declares more is refused before
    any of it is read, and a chunked one stops being kept at the limit (a 50 MB post costs the
    server 16 KB, not 50 MB)."""

    path: str = ""

    def prepare(self):
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self._chunks: list[bytes] = []
        self._size = 0
        declared = self.request.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > LIMITS.body_bytes:
            self.fail(KitError("too_large", status=413, max=LIMITS.body_bytes), self.lang())

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size <= LIMITS.body_bytes:
            self._chunks.append(chunk)
        else:
            self._chunks = []  # over the limit: nothing more is kept, and body() refuses it

    def send(self, obj, status: int = 200):
        self.set_status(status)
        self.finish(json.dumps(obj, ensure_ascii=False))

    def fail(self, err: KitError, lang: str):
        self.send({"error": err.code, "message": err.message(lang, self.plain)}, err.status)

    def body(self) -> dict:
        """The request's JSON body, checked against the document's schema for this operation."""
        if self._size > LIMITS.body_bytes:
            raise KitError("too_large", status=413, max=LIMITS.body_bytes)
        return requests.read_body(b"".join(self._chunks), self.request.headers.get("Content-Type"),
                                  self.path, self.request.method.lower())

    async def workshop_and_lang(self, code: str):
        ws = await self.run(self.store.workshop_by_code, code)
        return ws, self.lang(ws["language"])

    async def participant(self, ws) -> dict:
        return await self.run(self.store.participant_by_token, ws["id"], self.token())

    async def participant_id(self, ws) -> int | None:
        """The caller's participant id when a token came with the request (a bad token is refused);
        None for a device that has not joined: the views are then the same for everyone."""
        return (await self.participant(ws))["id"] if self.token() else None

    async def require_facilitator(self, ws: dict) -> str:
        """Only the facilitator may go on: `Authorization: token <the server's token>` as Jupyter's own
        API takes it, or `Authorization: remote <key>` from a paired presenter remote. A participant's
        bearer token, or nothing, is refused (403) before anything changes. Returns how."""
        import hmac

        auth = self.request.headers.get("Authorization", "")
        scheme, _, given = auth.partition(" ")
        given = given.strip()
        if scheme.lower() == "token" and given:
            want = self.server_token() if self.server_token else ""
            if want and hmac.compare_digest(given.encode(), want.encode()):
                return "token"
        elif scheme.lower() == "remote" and given:
            if await self.run(self.store.remote_ok, ws["id"], given):
                return "remote"
        raise KitError("not_facilitator", status=403)

    def tray_filters(self) -> dict:
        """The service tray's filters from the query (the tray and /poll take the same)."""
        return {k: self.get_query_argument(k, "")[:80] for k in ("level", "day", "place", "language", "free")}

    @staticmethod
    def require_open(ws: dict, setting: str, error: str) -> None:
        """Refuse (409, in words) what participants may send only while the facilitator allows it."""
        if not (ws["settings"] or {}).get(setting):
            raise KitError(error, status=409)

    def write_error(self, status_code, **kwargs):
        # unexpected failures still answer JSON, in the language asked, without internals
        lang = self.lang()
        code = HTTP_ERRORS.get(status_code, "server_error")
        if status_code == 405:
            self.set_header("Allow", ", ".join(m for m in ("GET", "POST", "PUT", "DELETE") if self.allows(m)))
        self.finish(json.dumps({"error": code, "message": self.t("error." + code, lang)}, ensure_ascii=False))

    def _store_away(self, err) -> None:
        self.set_header("Retry-After", "2")
        self.fail(KitError("store_unavailable", status=503), self.lang())

    @classmethod
    def allows(cls, method: str) -> bool:
        """Whether this route answers the HTTP method (the handler defines it)."""
        name = method.lower()
        return getattr(cls, name) is not getattr(tornado.web.RequestHandler, name)


def guarded(method):
    """Run an API method; a KitError becomes a 4xx JSON answer in the participant's language."""

    @functools.wraps(method)
    async def wrapper(self, *args):
        try:
            await method(self, *args)
        except KitError as err:
            self.fail(err, self.lang())
        except (OperationalError, InterfaceError, PendingRollbackError) as err:
            # the database is out of reach (PostgreSQL restarting, a connection cut, or a transaction a
            # cut left behind): nothing was saved; the phone keeps what it sent and tries again (503)
            self._store_away(err)
        except DBAPIError as err:
            if not err.connection_invalidated:  # a real error of the statement: a 500 as any other
                raise
            self._store_away(err)  # the driver's other words for a connection cut (SQLAlchemy's is_disconnect)

    return wrapper


class Write(NamedTuple):
    """What a participant's write starts from: the workshop, the reader's language, who, what."""

    ws: dict
    lang: str
    participant: dict
    data: dict


def participant_write(setting: str | None = None, closed: str | None = None, per_minute: int | None = None):
    """The preamble every participant write shares, in one place: the workshop by its code, the
    participant by their token, the body checked against the document, the stage open (`setting`,
    else 409 `closed`), and a per-device rate limit. The method gets a `Write` and the path's other
    parts."""
    limiter = RateLimiter(per_minute) if per_minute else None

    def decorate(method):
        if limiter is not None:
            limiter.name = method.__qualname__
        @guarded
        @functools.wraps(method)
        async def wrapper(self, code, *args):
            ws, lang = await self.workshop_and_lang(code)
            p = await self.participant(ws)
            data = self.body()
            if setting:
                self.require_open(ws, setting, closed)
            if limiter and not await self.allowed(limiter, p["token_hash"]):
                raise KitError("slow_down", status=429)
            await method(self, Write(ws, lang, p, data), *args)

        wrapper.limiter = limiter
        return wrapper

    return decorate


class ViewApi(ApiHandler):
    """GET a part of the participant page: `view(store, workshop, language, participant id or None)`."""

    view = None

    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        self.send(await self.run(type(self).view, self.store, ws, lang, await self.participant_id(ws)))


class ApiNotFound(ApiHandler):
    def prepare(self):
        super().prepare()
        if self._finished:
            return
        self.send({"error": "not_found", "message": self.t("error.not_found", self.lang())}, 404)
