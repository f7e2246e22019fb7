"""/poll: everything a participant's page shows in one answer, composed of the stages' views."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from kit.errors import KitError
from kit.server.api.agenda import agenda_view, questions_view, words_view
from kit.server.api.evaluation import form_view
from kit.server.api.map import map_mine, map_view
from kit.server.api.roles import tasks_mine, tasks_view
from kit.server.api.tray import tray_view
from kit.server.api.voting import round_view
from kit.server.api.workshops import idea_view
from kit.server.base import ApiHandler, guarded
from kit.store import Store

_SEEN: dict = {}  # token hash -> when its device's presence was last written (in memory, per process)
SEEN_EVERY = 60.0  # seconds: presence is written at most once a minute per device
_SHARED: OrderedDict = OrderedDict()  # (workshop, version, language, tray filters) -> the parts for everyone
_SHARED_LOCK = threading.Lock()


def shared_view(store: Store, ws: dict, lang: str, filters: dict) -> dict:
    """The parts of /poll that are the same for every device, computed once per workshop version (and
    language and tray filters) and shared."""
    key = (store.url, ws["id"], ws["version"], lang, tuple(sorted(filters.items())))
    with _SHARED_LOCK:
        shared = _SHARED.get(key)
    if shared is None:
        rnd = store.current_round(ws["id"])
        state = store.agenda_state(ws["id"])
        shared = {"round": rnd, "state": state, "agenda": agenda_view(store, ws, lang, None, state),
                  "words": words_view(store, ws, lang, None, state),
                  "questions": questions_view(store, ws, lang, None, state),
                  "current": {"round": round_view(store, rnd, None, lang), "ideas_open": bool(ws["ideas_open"]),
                              "version": ws["version"]},
                  "map": map_view(store, ws, lang, None), "tasks": tasks_view(store, ws, lang, None),
                  "form": form_view(store, ws, lang, None), "tray": tray_view(store, ws, lang, None, filters)}
        with _SHARED_LOCK:
            _SHARED[key] = shared
            while len(_SHARED) > 32:
                _SHARED.popitem(last=False)
    return shared


def own_view(store: Store, ws: dict, lang: str, pid: int, shared: dict) -> dict:
    """This device's own part, and nothing of what every device sees alike (`?own=1`, which a page on
    the event stream asks after its own writes): its ballot in the current round, its map suggestions,
    task offers, form answers, tray marks and suggestions, words, questions and question votes, ideas."""
    rnd, form = shared["round"], shared["form"]["form"]
    words, questions = shared["words"], shared["questions"]
    out = {
        "version": ws["version"], "own": True,
        "current": {"round": {"id": rnd["id"], "ballot": store.ballot_of(rnd["id"], pid)}} if rnd else {"round": None},
        "map": {"mine": map_mine(store, ws, lang, pid)},
        "tasks": {"mine": tasks_mine(store, ws, pid)},
        "form": {"form": {"id": form["id"]} if form else None,
                 "mine": store.response_of(form["id"], pid) if form else None,
                 "paired": store.is_paired(pid) if form and form.get("pairing") else False},
        "tray": {"marks": {str(aid): {"interested": "interested" in kinds, "organise": "organise" in kinds}
                           for aid, kinds in store.interests_of(pid).items()},
                 "mine": [{"name": a["name"], "status": a["status"]} for a in store.suggested_activities_of(pid)]},
        "words": {"activity": words["activity"],
                  "mine": store.words_of(ws["id"], words["activity"], pid) if words["activity"] else []},
        "questions": {"activity": questions["activity"], "voted": [], "mine": []},
        "ideas": [idea_view(store, i) for i in store.ideas_of(pid)],
    }
    if questions["activity"]:
        mine = questions_view(store, ws, lang, pid, shared["state"])
        out["questions"].update(voted=mine["voted"], mine=mine["mine"])
    return out


def poll_view(store: Store, ws: dict, lang: str, pid: int | None, filters: dict) -> dict:
    """What /poll answers: the five parts exactly as their own paths answer them, and for a joined
    device its own ideas as /me lists them. The parts that are the same for every device come from
    shared_view; only each device's own bits (its ballot, suggestions, offers, answers, marks) are read
    per request, with a few small queries."""
    shared = shared_view(store, ws, lang, filters)
    current, mp, tasks, form, tray = (shared["current"], shared["map"], shared["tasks"], shared["form"],
                                      shared["tray"])
    words, questions = shared["words"], shared["questions"]
    if pid is not None:
        own = own_view(store, ws, lang, pid, shared)
        if current["round"] is not None:
            current = {**current, "round": {**current["round"], "ballot": own["current"]["round"]["ballot"]}}
        mp = {**mp, "mine": own["map"]["mine"]}
        tasks = {**tasks, "mine": own["tasks"]["mine"]}
        if form["form"] is not None:
            form = {**form, "mine": own["form"]["mine"], "paired": own["form"]["paired"]}
        marks = own["tray"]["marks"]
        tray = {**tray, "activities": [{**a, **marks.get(str(a["id"]), {"interested": False, "organise": False})}
                                       for a in tray["activities"]],
                "mine": own["tray"]["mine"]}
        if words["activity"]:
            words = {**words, "mine": own["words"]["mine"]}
        if questions["activity"]:
            questions = {**questions, "voted": own["questions"]["voted"], "mine": own["questions"]["mine"]}
    out = {"version": ws["version"], "now": round(time.time(), 3), "agenda": shared["agenda"], "current": current,
           "map": mp, "tasks": tasks, "form": form, "tray": tray, "words": words, "questions": questions}
    if pid is not None:  # the device's own ideas, so "waiting" turns to shown, merged or declined without a reload
        out["ideas"] = own["ideas"]
    return out


def _due(key: str) -> bool:
    import time

    now = time.monotonic()
    if now - _SEEN.get(key, -SEEN_EVERY) < SEEN_EVERY:
        return False
    if len(_SEEN) > 20000:  # devices long gone
        for k in [k for k, t in _SEEN.items() if now - t > 10 * SEEN_EVERY]:
            del _SEEN[k]
    _SEEN[key] = now
    return True


class PollApi(ApiHandler):
    """Everything a participant's page shows, in one answer: what /rounds/current, /map, /tasks,
    /form and /tray answer. With ?since=<version> and nothing changed since, only
    {"version", "unchanged": true} (one small query): an idle room costs the server little."""

    path = "/workshops/{code}/poll"

    async def mark_seen(self, ws: dict) -> None:
        """A joined device that polls is in the room: note it once a minute (the projector counts the
        devices seen in the last five minutes). A bad token is left to the answer below."""
        from kit.store import hash_token

        token = self.token()
        if not token or not _due(hash_token(token)):
            return
        try:
            pid = await self.participant_id(ws)
        except Exception:  # an unknown token: the request itself answers 401
            return
        if pid is not None:
            await self.run(self.store.seen, pid)

    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        await self.mark_seen(ws)
        since = self.get_query_argument("since", "")
        if since.isdigit() and int(since) == ws["version"]:
            self.send({"version": ws["version"], "unchanged": True})
            return
        pid = await self.participant_id(ws)
        if self.get_query_argument("own", "") == "1":  # this device's part only (a page on the event stream)
            if pid is None:
                raise KitError("not_joined", status=401)

            def own():
                return own_view(self.store, ws, lang, pid, shared_view(self.store, ws, lang, {}))

            self.send(await self.run(own))
            return
        self.send(await self.run(poll_view, self.store, ws, lang, pid, self.tray_filters()))
