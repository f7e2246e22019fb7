"""The participant extension's routes: each API path of the OpenAPI document and its handler.

The paths are written as the document writes them (`/workshops/{code}/ideas`) and turned into
tornado patterns here, so a unit test can hold the document's paths equal to the routes.
"""

from __future__ import annotations

import re
from pathlib import Path

import tornado.web

from kit.server.api.agenda import (
    AgendaApi,
    CurrentActivityApi,
    QuestionsApi,
    QuestionVoteApi,
    RemotePairApi,
    WordsApi,
)
from kit.server.api.evaluation import FormApi, PairApi, ResponseApi
from kit.server.api.map import ActorSuggestApi, LinkSuggestApi, MapApi
from kit.server.api.roles import OffersApi, TasksApi
from kit.server.api.tray import InterestApi, TrayApi, TraySuggestApi
from kit.server.api.voting import BallotApi, CurrentRoundApi
from kit.server.api.workshops import IdeasApi, JoinApi, KioskVoterApi, MeApi, MinutesNameApi, WorkshopApi
from kit.server.base import ApiHandler, ApiNotFound, RateLimiter
from kit.server.events import EventsApi
from kit.server.join_page import JoinPage, PublicResultsPage, RemotePage
from kit.server.openapi import openapi_document
from kit.server.public_tray import PublicTrayPage
from kit.server.poll import PollApi
from kit.store import Store

STATIC = Path(__file__).parent / "static"
# how a path parameter of the document looks in a URL
PARAMETERS = {"code": r"([A-Za-z0-9]{1,16})"}
ID = r"([0-9]{1,12})"

API: list[type[ApiHandler]] = [
    WorkshopApi, JoinApi, MeApi, MinutesNameApi, IdeasApi, CurrentRoundApi, BallotApi, KioskVoterApi, MapApi, ActorSuggestApi,
    LinkSuggestApi, TasksApi, OffersApi, FormApi, ResponseApi, PairApi, PollApi, TrayApi, TraySuggestApi, InterestApi,
    AgendaApi, CurrentActivityApi, WordsApi, QuestionsApi, QuestionVoteApi, RemotePairApi, EventsApi,
]


class StaticHandler(tornado.web.StaticFileHandler):
    """The pages' script, styles and pictograms. A path no file can have (a NUL byte) is not found,
    rather than an error from the file system."""

    def parse_url_path(self, url_path: str) -> str:
        if "\x00" in url_path:
            raise tornado.web.HTTPError(404)
        return super().parse_url_path(url_path)


class OpenApiHandler(ApiHandler):
    path = "/openapi.json"

    def get(self):
        self.send(openapi_document(self.base))


def pattern(path: str) -> str:
    """A document path (`/workshops/{code}/rounds/{round_id}/ballot`) as a tornado pattern."""
    out = re.escape(path)
    for name in re.findall(r"\\\{([a-z_]+)\\\}", out):
        out = out.replace(r"\{" + name + r"\}", PARAMETERS.get(name, ID))
    return out


def rate_limiters() -> list:
    """Every rate limiter of the participant routes (the benchmarks and the API fuzz run raise them)."""
    found = []
    for h in API:
        for m in ("get", "post", "put", "delete"):
            lim = getattr(getattr(h, m, None), "limiter", None)
            if lim is not None and lim not in found:
                found.append(lim)
        for attr in ("limiter", "code_limiter"):
            lim = getattr(h, attr, None)
            if isinstance(lim, RateLimiter) and lim not in found:
                found.append(lim)
    return found


def make_handlers(store: Store, base_url: str, server_token=None):
    """The participant routes. `server_token()` gives the Jupyter server's token (the facilitator's
    key for moving the room); without it only a paired remote may."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    kw = {"store": store, "base": base, "server_token": server_token}
    p = base + "kit/"
    return [
        (p + r"api/openapi\.json", OpenApiHandler, kw),
        *[(p + "api" + pattern(h.path), h, kw) for h in API],
        (p + r"api/.*", ApiNotFound, kw),
        (p + r"join/?", JoinPage, kw),
        (p + r"join/([A-Za-z0-9]{1,16})/?", JoinPage, kw),
        (p + r"remote/([A-Za-z0-9]{1,16})/?", RemotePage, kw),
        (p + r"public/tray/([0-9]{1,12})/?", PublicTrayPage, kw),
        (p + r"public/tray/([0-9]{1,12})/feedback", PublicTrayPage, kw),
        (p + r"public/([A-Za-z0-9]{1,16})/results/?", PublicResultsPage, kw),
        (p + r"static/(.*)", StaticHandler, {"path": str(STATIC)}),
    ]
