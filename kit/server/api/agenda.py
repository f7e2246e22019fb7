"""The run of show on the participant side: the agenda and the room's current activity, moving the room
(the facilitator only), the one-word warm-up and questions from the room, and pairing a facilitator's
phone as a presenter remote."""

from __future__ import annotations

import time

from kit import agenda as ag
from kit.agenda import activity_title
from kit.config import LIMITS
from kit.errors import KitError
from kit.i18n import t
from kit.server.base import ApiHandler, RateLimiter, Write, guarded, participant_write
from kit.store import Store


def agenda_view(store: Store, ws: dict, lang: str, pid: int | None = None, state: dict | None = None) -> dict:
    """The agenda as phones and scripts see it: every activity (id, type, title, 1-based position,
    minutes), the current one with the seconds left of its countdown, and whether the facilitator
    runs the show (has moved the room at least once: phones then show the current activity alone)."""
    state = state or store.agenda_state(ws["id"])
    acts = [ag.public(a, i + 1, lang, activity_title(a, lang)) for i, a in enumerate(state["activities"])]
    cur = None
    if state["current"] is not None:
        a = state["current"]
        cur = {**acts[state["position"] - 1], "started": state["started"],
               "remaining": ag.remaining(a["minutes"], state["started"], time.time()),
               "open": not a["config"].get("closed")}
        if a["type"] in ("ideas", "questions"):
            cur["moderate"] = bool(a["config"].get("moderate"))
    return {"activities": acts, "current": cur, "running": state.get("running", False)}


def words_view(store: Store, ws: dict, lang: str, pid: int | None, state: dict | None = None) -> dict:
    """The room's warm-up: its prompt, the cloud so far, and the words this device sent."""
    state = state or store.agenda_state(ws["id"])
    act = state["current"]
    if act is None or act["type"] != "words":
        return {"activity": None}
    out = {"activity": act["id"], "open": not act["config"].get("closed"),
           "prompt": ag.text_in(act["config"].get("prompt"), lang) or t("words.prompt", lang),
           "per_person": act["config"].get("per_person") or ag.WORDS_PER_PERSON, "max": ag.WORD_CHARS,
           "cloud": store.word_cloud(ws["id"], act["id"], lang)}
    if pid is not None:
        out["mine"] = store.words_of(ws["id"], act["id"], pid)
    return out


def question_public(q: dict) -> dict:
    return {"id": q["id"], "text": q["text"], "votes": q["votes"], "status": q["status"]}


def questions_view(store: Store, ws: dict, lang: str, pid: int | None, state: dict | None = None) -> dict:
    """The room's Q&A: the questions shown (by votes), which this device upvoted, and its own waiting ones."""
    state = state or store.agenda_state(ws["id"])
    act = state["current"]
    if act is None or act["type"] != "questions":
        return {"activity": None}
    shown = store.questions(ws["id"], act["id"], pid, ("visible", "answered"))
    out = {"activity": act["id"], "open": not act["config"].get("closed"), "max": ag.QUESTION_CHARS,
           "questions": [question_public(q) for q in shown]}
    if pid is not None:
        out["voted"] = [q["id"] for q in shown if q["voted"]]
        out["mine"] = [{"id": q["id"], "text": q["text"], "status": q["status"]}
                       for q in store.questions(ws["id"], act["id"]) if q["participant_id"] == pid]
    return out


class AgendaApi(ApiHandler):
    """The agenda and the current activity (for phones and for scripts)."""

    path = "/workshops/{code}/agenda"

    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        self.send(await self.run(agenda_view, self.store, ws, lang))


class CurrentActivityApi(ApiHandler):
    """Move the room: the facilitator only (the server's token, a paired remote's key)."""

    path = "/workshops/{code}/agenda/current"

    @guarded
    async def put(self, code):
        ws, lang = await self.workshop_and_lang(code)
        await self.require_facilitator(ws)
        data = self.body()
        if ("position" in data) == ("move" in data):
            raise KitError("agenda_position_or_move")
        state = await self.run(self.store.move_room, ws["id"], data.get("position"), data.get("move"), data.get("from"))
        self.send(await self.run(agenda_view, self.store, ws, lang, None, state))


class WordsApi(ApiHandler):
    path = "/workshops/{code}/words"

    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        self.send(await self.run(words_view, self.store, ws, lang, await self.participant_id(ws)))

    @participant_write(per_minute=LIMITS.ideas_per_minute)
    async def post(self, w: Write):
        word = await self.commit(self.store.add_word, w.ws["id"], w.participant["id"], w.data.get("text"))
        self.send({"word": word["text"], "message": self.t("words.saved", w.lang)}, 201)


class QuestionsApi(ApiHandler):
    path = "/workshops/{code}/questions"

    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        self.send(await self.run(questions_view, self.store, ws, lang, await self.participant_id(ws)))

    @participant_write(per_minute=LIMITS.ideas_per_minute)
    async def post(self, w: Write):
        q = await self.commit(self.store.add_question, w.ws["id"], w.participant["id"], w.data.get("text"))
        msg = self.t("questions.waiting" if q["status"] == "pending" else "questions.saved", w.lang)
        self.send({"question": {"id": q["id"], "text": q["text"], "status": q["status"]}, "message": msg}, 201)


class QuestionVoteApi(ApiHandler):
    path = "/workshops/{code}/questions/{question_id}/vote"

    @participant_write(per_minute=LIMITS.ideas_per_minute * 6)
    async def put(self, w: Write, question_id):
        q = await self.commit(self.store.vote_question, w.ws["id"], int(question_id), w.participant["id"], w.data["up"])
        self.send({"question": question_public(q), "voted": q["voted"],
                   "message": self.t("questions.voted" if q["voted"] else "questions.unvoted", w.lang)})


class RemotePairApi(ApiHandler):
    """A facilitator's phone becomes a presenter remote with the short code shown on their desk view."""

    path = "/workshops/{code}/remote"
    limiter = RateLimiter(10, "remote_pair")  # a six-digit code valid for minutes cannot be guessed by trying

    @guarded
    async def post(self, code):
        ws, lang = await self.workshop_and_lang(code)
        data = self.body()
        if not await self.allowed(self.limiter, self.source_key()):
            raise KitError("slow_down", status=429)
        key = await self.run(self.store.pair_remote, ws["id"], data.get("pairing"))
        self.send({"key": key, "message": self.t("remote.paired", lang)}, 201)
