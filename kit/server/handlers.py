"""Tornado handlers for participant pages (/kit/join/...) and the participant API (/kit/api/...).

Plain tornado handlers, not JupyterHandler: they never see the facilitator's token or a kernel.
Participants are identified by a bearer token they got when joining (kept in the device's local
storage); no cookies, so no cross-site form can act for them. Store calls run in a thread pool so
that a write waiting on SQLite's lock never stalls the server's event loop.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict, defaultdict, deque
from pathlib import Path

import tornado.web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from tornado.ioloop import IOLoop

from kit import evaluation, tray
from kit import workshop as wsmod
from kit.config import LANGUAGES, LIMITS
from kit.errors import KitError
from kit.i18n import label, negotiate, page_catalog, t
from kit.server.openapi import openapi_document
from kit.store import Store

HERE = Path(__file__).parent
PAGES = Environment(loader=FileSystemLoader(HERE / "pages"), autoescape=select_autoescape(["html"]))

SECURITY_HEADERS = {
    # nothing from outside the server: venues have no internet, and nothing typed can run
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class RateLimiter:
    """Sliding one-minute window per key (a participant token hash); kept in memory only."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self.hits: dict[str, deque] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        q = self.hits[key]
        while q and now - q[0] > 60:
            q.popleft()
        if len(q) >= self.per_minute:
            return False
        q.append(now)
        return True


class KitHandler(tornado.web.RequestHandler):
    store: Store
    base: str

    def initialize(self, store: Store, base: str, limits: dict):
        self.store = store
        self.base = base
        self.limits = limits
        # Participants are told no IP address is kept: the kit never reads it, and the server's request
        # log (Jupyter's log_request) gets a dash instead.
        self.request.remote_ip = "-"

    def set_default_headers(self):
        for k, v in SECURITY_HEADERS.items():
            self.set_header(k, v)

    def check_xsrf_cookie(self):
        # No cookie carries identity here (bearer token in a header), so there is nothing to forge.
        return None

    async def run(self, fn, *args, **kwargs):
        return await IOLoop.current().run_in_executor(None, lambda: fn(*args, **kwargs))

    def lang(self, default: str = "fi") -> str:
        return negotiate(self.get_query_argument("lang", None), self.request.headers.get("Accept-Language"), default)

    @property
    def plain(self) -> bool:
        """Plain language (selkokieli) asked with ?plain=1: messages and pages in short, concrete words."""
        return self.get_query_argument("plain", "") == "1"

    def t(self, key: str, lang: str, **kw) -> str:
        return t(key, lang, plain=self.plain, **kw)

    def token(self) -> str | None:
        auth = self.request.headers.get("Authorization", "")
        return auth[7:].strip() if auth.lower().startswith("bearer ") else None


class ApiHandler(KitHandler):
    def prepare(self):
        self.set_header("Content-Type", "application/json; charset=utf-8")

    def send(self, obj, status: int = 200):
        self.set_status(status)
        self.finish(json.dumps(obj, ensure_ascii=False))

    def fail(self, err: KitError, lang: str):
        self.send({"error": err.code, "message": err.message(lang, self.plain)}, err.status)

    def body(self) -> dict:
        if len(self.request.body or b"") > LIMITS.body_bytes:
            raise KitError("too_large", status=413, max=LIMITS.body_bytes)
        try:
            data = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise KitError("bad_json") from None
        if not isinstance(data, dict):
            raise KitError("bad_json")
        return data

    async def workshop_and_lang(self, code: str):
        ws = await self.run(self.store.workshop_by_code, code)
        return ws, self.lang(ws["language"])

    async def participant(self, ws) -> dict:
        return await self.run(self.store.participant_by_token, ws["id"], self.token())

    async def participant_id(self, ws) -> int | None:
        """The caller's participant id when a token came with the request (a bad token is refused);
        None for a device that has not joined: the views are then the same for everyone."""
        return (await self.participant(ws))["id"] if self.token() else None

    @staticmethod
    def require_open(ws: dict, setting: str, error: str) -> None:
        """Refuse (409, in words) what participants may send only while the facilitator allows it."""
        if not (ws["settings"] or {}).get(setting):
            raise KitError(error, status=409)

    def write_error(self, status_code, **kwargs):
        # unexpected failures still answer JSON, in the language asked, without internals
        lang = self.lang()
        self.finish(json.dumps({"error": "server_error", "message": self.t("error.server_error", lang)}))


def guarded(method):
    """Run an API method; a KitError becomes a 4xx JSON answer in the participant's language."""

    async def wrapper(self, *args):
        try:
            await method(self, *args)
        except KitError as err:
            ws_lang = self.lang()
            self.fail(err, ws_lang)

    wrapper.__name__ = method.__name__
    return wrapper


def round_view(store: Store, rnd: dict | None, participant_id: int | None) -> dict | None:
    """What a participant may see of a round: visible items, rules, their own ballot, and results
    only once the facilitator has revealed them."""
    if rnd is None:
        return None
    items = store.round_items(rnd["id"])
    rules = rnd["rules"]
    costs = rules.get("costs") or {}
    visible = [{"id": i["id"], "text": i["text"], **({"cost": costs.get(str(i["id"]))} if costs else {})}
               for i in items if i["status"] == "visible"]
    view = {
        "id": rnd["id"],
        "title": rnd["title"],
        "method": rnd["method"],
        "status": rnd["status"],
        "dots_per_person": rules.get("dots"),
        "per_item_cap": rules.get("cap"),
        "min_choices": rules.get("min"),
        "max_choices": rules.get("max"),
        "max_ranked": rules.get("k"),
        "budget": rules.get("budget"),
        "items": visible,
        "ballot": store.ballot_of(rnd["id"], participant_id) if participant_id else None,
        "results": None,
    }
    if rnd["results_visible"]:
        res = store.results(rnd["id"]).results
        shown = {i["id"] for i in visible}
        view["results"] = [{"id": r.idea_id, "score": r.score, "rank": r.rank} for r in res if r.idea_id in shown]
        if rnd["method"] == "pb":
            from kit import budgeting

            e = store.election(rnd["id"])
            view["funded"] = {"greedy": [int(x) for x in budgeting.cached(e, "greedy").funded],
                              "mes": [int(x) for x in budgeting.cached(e, "mes").funded]}
    return view


def idea_view(store: Store, idea: dict) -> dict:
    out = {"id": idea["id"], "text": idea["text"], "status": idea["status"]}
    if idea["status"] == "rejected":
        out["reason"] = idea["reject_reason"]
    if idea["status"] == "merged" and idea["merged_into"]:
        out["merged_into"] = store.idea(idea["merged_into"])["text"]
    return out


class OpenApiHandler(ApiHandler):
    def get(self):
        self.send(openapi_document(self.base))


class WorkshopApi(ApiHandler):
    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        self.send({
            "code": ws["code"],
            "title": ws["title"],
            "language": ws["language"],
            "languages": list(LANGUAGES),
            "ideas_open": bool(ws["ideas_open"]),
            "idea_prompt": wsmod.prompt(ws["template"], "idea", lang),
            "groups": wsmod.groups(ws["template"], lang),
            "limits": {"idea_chars": LIMITS.idea_chars, "nickname_chars": LIMITS.nickname_chars},
            "version": ws["version"],
        })


class JoinApi(ApiHandler):
    @guarded
    async def post(self, code):
        ws, lang = await self.workshop_and_lang(code)
        data = self.body()
        group = data.get("group") or None
        known = {g["id"] for g in wsmod.template(ws["template"])["stakeholder_groups"]}
        if group is not None and group not in known:
            raise KitError("unknown_group")
        nickname = data.get("nickname")
        if nickname is not None and not isinstance(nickname, str):
            raise KitError("bad_field", field="nickname")
        language = negotiate(data.get("language"), None, lang)
        p, token = await self.run(self.store.add_participant, ws["id"], nickname, group, language)
        self.send({"token": token, "participant": {"id": p["id"], "nickname": p["nickname"],
                                                   "group": p["stakeholder_group"], "language": p["language"]}}, 201)


class MeApi(ApiHandler):
    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        p = await self.participant(ws)
        mine = await self.run(self.store.ideas_of, p["id"])
        self.send({
            "participant": {"id": p["id"], "nickname": p["nickname"], "group": p["stakeholder_group"],
                            "language": p["language"]},
            "ideas": [idea_view(self.store, i) for i in mine],
        })


    @guarded
    async def delete(self, code):
        """Withdraw: take back what this device sent (see Store.withdraw_participant)."""
        ws, lang = await self.workshop_and_lang(code)
        p = await self.participant(ws)
        out = await self.run(self.store.withdraw_participant, ws["id"], p["id"])
        r, k = out["removed"], out["kept"]
        msg = self.t("withdraw.done", lang, removed=sum(r.values()))
        if sum(k.values()):
            msg += " " + self.t("withdraw.kept", lang, kept=sum(k.values()))
        self.send({**out, "message": msg})


class IdeasApi(ApiHandler):
    limiter = RateLimiter(LIMITS.ideas_per_minute)

    @guarded
    async def post(self, code):
        ws, lang = await self.workshop_and_lang(code)
        p = await self.participant(ws)
        data = self.body()
        if not self.limiter.allow(p["token_hash"]):
            raise KitError("slow_down", status=429)
        idea = await self.run(self.store.add_idea, ws["id"], data.get("text"), p["id"])
        msg = self.t("idea.waiting" if idea["status"] == "pending" else "idea.saved", lang)
        self.send({"idea": idea_view(self.store, idea), "message": msg}, 201)


class CurrentRoundApi(ApiHandler):
    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        pid = await self.participant_id(ws)

        def load():
            return round_view(self.store, self.store.current_round(ws["id"]), pid)

        self.send({"round": await self.run(load), "ideas_open": bool(ws["ideas_open"]), "version": ws["version"]})


class BallotApi(ApiHandler):
    @guarded
    async def put(self, code, round_id):
        data = self.body()
        token = self.token()

        def save():  # one trip to the thread pool: the store checks round, workshop and participant
            ws = self.store.workshop_by_code(code)
            p = self.store.participant_by_token(ws["id"], token)
            return ws, self.store.save_ballot(int(round_id), p["id"], data, ws["id"],
                                              source="kiosk" if p.get("kind") == "kiosk" else "device")

        ws, saved = await self.run(save)
        lang = self.lang(ws["language"])
        method, rules = saved.pop("method"), saved.pop("rules")
        reply = {"ballot": saved}
        if method == "dots":
            left = saved.pop("dots_per_person") - sum(saved["dots"].values())
            reply.update(dots_left=left, message=self.t("vote.saved", lang, left=left))
        elif saved["withdrawn"]:
            reply["message"] = self.t("vote.withdrawn", lang)
        elif method == "ranking":
            reply["message"] = self.t("vote.saved_ranking", lang, n=len(saved["ranking"]), max=rules["k"])
        else:
            hi = rules.get("max")
            reply["message"] = (self.t("vote.saved_choices_max", lang, n=len(saved["choices"]), max=hi) if hi
                                else self.t("vote.saved_choices", lang, n=len(saved["choices"])))
        self.send(reply)

    @guarded
    async def get(self, code, round_id):
        ws, lang = await self.workshop_and_lang(code)
        p = await self.participant(ws)
        self.send({"ballot": await self.run(self.store.ballot_of, int(round_id), p["id"])})


class KioskVoterApi(ApiHandler):
    """Shared tablet: the facilitator types the PIN on the tablet for each next voter."""

    limiter = RateLimiter(10)  # a PIN cannot be guessed by trying

    @guarded
    async def post(self, code):
        ws, lang = await self.workshop_and_lang(code)
        data = self.body()
        if not self.limiter.allow(ws["code"]):
            raise KitError("slow_down", status=429)
        group = data.get("group") or None
        known = {g["id"] for g in wsmod.template(ws["template"])["stakeholder_groups"]}
        if group is not None and group not in known:
            raise KitError("unknown_group")
        language = negotiate(data.get("language"), None, lang)
        p, token = await self.run(self.store.kiosk_voter, ws["id"], data.get("pin"), group, language)
        self.send({"token": token, "participant": {"id": p["id"], "group": p["stakeholder_group"],
                                                   "kind": "kiosk"}}, 201)


def map_mine(store: Store, ws: dict, lang: str, participant_id: int) -> dict:
    """The actors and links this participant suggested, and what became of them."""
    tpl = wsmod.template(ws["template"])
    mine_a = [{"id": a["id"], "name": a["name"], "sector": a["sector"], "status": a["status"]}
              for a in store.suggested_by(participant_id, "actors")]
    mine_links = store.suggested_by(participant_id, "links")
    names = {a["id"]: a["name"] for a in store.actors(ws["id"], None)} if mine_links else {}
    mine_l = [{"id": x["id"], "source": names.get(x["source_id"], ""), "target": names.get(x["target_id"], ""),
               "type": t("link." + x["type"], lang) if "link_types" not in tpl else x["type"],
               "status": x["status"]} for x in mine_links]
    return {"actors": mine_a, "links": mine_l}


def map_view(store: Store, ws: dict, lang: str, participant_id: int | None) -> dict:
    """What a participant's page needs to suggest actors and links: the sectors and link types to
    choose from, the actors on the map, and what this participant suggested."""
    from kit import network

    tpl = wsmod.template(ws["template"])
    on_map = store.actors(ws["id"])
    return {
        "open": bool((ws["settings"] or {}).get("map_open")),
        "sectors": [{"id": sid, "label": wsmod.sector_label(ws["template"], sid, lang)} for sid in tpl["sectors"]],
        "link_types": [{"id": lt["id"], "label": t("link." + lt["id"], lang) if "link_types" not in tpl
                        else label(lt.get("label"), lang)} for lt in network.link_types(tpl)],
        "actors": [{"id": a["id"], "name": a["name"], "sector": a["sector"]} for a in on_map],
        "mine": map_mine(store, ws, lang, participant_id) if participant_id is not None else {"actors": [], "links": []},
    }


class ViewApi(ApiHandler):
    """GET a part of the participant page: `view(store, workshop, language, participant id or None)`."""

    view = None

    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        self.send(await self.run(type(self).view, self.store, ws, lang, await self.participant_id(ws)))


class MapApi(ViewApi):
    view = staticmethod(map_view)


class SuggestApi(ApiHandler):
    limiter = RateLimiter(LIMITS.ideas_per_minute)

    @guarded
    async def post(self, code, kind):
        ws, lang = await self.workshop_and_lang(code)
        p = await self.participant(ws)
        data = self.body()
        self.require_open(ws, "map_open", "map_closed")
        if not self.limiter.allow(p["token_hash"]):
            raise KitError("slow_down", status=429)
        if kind == "actors":
            if not isinstance(data.get("sector"), str):
                raise KitError("bad_field", field="sector")
            row = await self.run(self.store.add_actor, ws["id"], data.get("name"), data["sector"],
                                 participant_id=p["id"])
            out = {"actor": {"id": row["id"], "name": row["name"], "sector": row["sector"], "status": row["status"]}}
        else:
            try:
                source, target = int(data.get("source")), int(data.get("target"))
            except (TypeError, ValueError):
                raise KitError("bad_field", field="source/target") from None
            if not isinstance(data.get("type"), str):
                raise KitError("bad_field", field="type")
            row = await self.run(self.store.add_link, ws["id"], source, target, data["type"],
                                 participant_id=p["id"])
            out = {"link": {"id": row["id"], "status": row["status"]}}
        self.send({**out, "message": self.t("map.thanks", lang)}, 201)


def tasks_mine(store: Store, ws: dict, participant_id: int) -> list[dict]:
    """What became of this participant's offers."""
    offers = store.offers(ws["id"], participant_id)
    titles = {x["id"]: x["title"] for x in store.tasks(ws["id"])} if offers else {}
    return [{"task": titles.get(o["task_id"], ""), "kind": o["kind"], "status": o["status"]} for o in offers]


def tasks_view(store: Store, ws: dict, lang: str, participant_id: int | None) -> dict:
    """Stage 3 on a participant's page: open tasks to volunteer for, the competences to say one has,
    and what became of this participant's offers."""
    tpl = wsmod.template(ws["template"])
    labels = {c["id"]: label(c["label"], lang) for c in tpl["competences"]}
    comps = [{"id": c, "label": labels.get(c, c.replace("_", " "))} for c in store.competences(ws["id"])]
    open_tasks = [{"id": x["id"], "title": x["title"]} for x in store.tasks(ws["id"]) if not x["done"]]
    mine = tasks_mine(store, ws, participant_id) if participant_id is not None else []
    return {"open": bool((ws["settings"] or {}).get("tasks_open")), "tasks": open_tasks, "competences": comps,
            "mine": mine}


class TasksApi(ViewApi):
    view = staticmethod(tasks_view)


class OffersApi(ApiHandler):
    limiter = RateLimiter(LIMITS.ideas_per_minute * 3)

    @guarded
    async def post(self, code):
        ws, lang = await self.workshop_and_lang(code)
        p = await self.participant(ws)
        data = self.body()
        self.require_open(ws, "tasks_open", "tasks_closed")
        if not self.limiter.allow(p["token_hash"]):
            raise KitError("slow_down", status=429)
        try:
            task_id = int(data.get("task_id"))
        except (TypeError, ValueError):
            raise KitError("bad_field", field="task_id") from None
        comps = data.get("competences") or {}
        if not isinstance(comps, dict):
            raise KitError("bad_field", field="competences")
        offer = await self.run(self.store.add_offer, ws["id"], task_id, p["id"], data.get("kind"), comps)
        self.send({"offer": {"id": offer["id"], "status": offer["status"]}, "message": self.t("tasks.thanks", lang)}, 201)


def form_view(store: Store, ws: dict, lang: str, pid: int | None) -> dict:
    """Stage 4 on a participant's page: the open form (or None) and this participant's answers."""
    f = store.open_form(ws["id"])
    if f is None:
        return {"form": None, "mine": None}
    mine = store.response_of(f["id"], pid) if pid is not None else None
    packs = store.instrument_packs()[0] if evaluation.uses_instruments(f["questions"]) else {}
    questions = []
    for q in f["questions"]:
        q = dict(q)
        pack = packs.get(q.get("pack")) if q["kind"] == "instrument" else None
        if q["kind"] == "instrument":
            if pack is None:
                continue  # the pack is not on this computer: the rest of the form works
            q["items"] = [{"id": i["id"], "text": label(i["text"], lang)} for i in pack["items"]]
            q["responses"] = [{"value": r["value"], "label": label(r.get("label"), lang)} for r in pack["responses"]]
            q["copyright"] = pack["copyright"]
            q["consent"] = label(pack.get("consent"), lang) or t("form.consent", lang)
        questions.append(q)
    return {"form": {"id": f["id"], "title": f["title"], "questions": questions}, "mine": mine}


class FormApi(ViewApi):
    """Stage 4: the open feedback form and the caller's answers to it."""

    view = staticmethod(form_view)


_SHARED: OrderedDict = OrderedDict()  # (workshop, version, language, tray filters) -> the parts for everyone
_SHARED_LOCK = threading.Lock()


def poll_view(store: Store, ws: dict, lang: str, pid: int | None, filters: dict) -> dict:
    """What /poll answers: the five parts exactly as their own paths answer them. The parts that are
    the same for every device are computed once per workshop version (and language and tray
    filters) and shared; only each device's own bits (its ballot, suggestions, offers, answers,
    marks) are read per request, with a few small queries."""
    key = (ws["id"], ws["version"], lang, tuple(sorted(filters.items())))
    with _SHARED_LOCK:
        shared = _SHARED.get(key)
    if shared is None:
        rnd = store.current_round(ws["id"])
        shared = {"round": rnd, "current": {"round": round_view(store, rnd, None), "ideas_open": bool(ws["ideas_open"]),
                                            "version": ws["version"]},
                  "map": map_view(store, ws, lang, None), "tasks": tasks_view(store, ws, lang, None),
                  "form": form_view(store, ws, lang, None), "tray": tray_view(store, ws, lang, None, filters)}
        with _SHARED_LOCK:
            _SHARED[key] = shared
            while len(_SHARED) > 32:
                _SHARED.popitem(last=False)
    current, mp, tasks, form, tr = (shared["current"], shared["map"], shared["tasks"], shared["form"],
                                    shared["tray"])
    if pid is not None:
        if current["round"] is not None:
            current = {**current, "round": {**current["round"], "ballot": store.ballot_of(shared["round"]["id"], pid)}}
        mp = {**mp, "mine": map_mine(store, ws, lang, pid)}
        tasks = {**tasks, "mine": tasks_mine(store, ws, pid)}
        if form["form"] is not None:
            form = {**form, "mine": store.response_of(form["form"]["id"], pid)}
        marks = store.interests_of(pid)
        tr = {**tr, "activities": [{**a, "interested": "interested" in marks.get(a["id"], []),
                                    "organise": "organise" in marks.get(a["id"], [])} for a in tr["activities"]],
              "mine": [{"name": a["name"], "status": a["status"]} for a in store.suggested_activities_of(pid)]}
    return {"version": ws["version"], "current": current, "map": mp, "tasks": tasks, "form": form, "tray": tr}


class PollApi(ApiHandler):
    """Everything a participant's page shows, in one answer: what /rounds/current, /map, /tasks,
    /form and /tray answer. With ?since=<version> and nothing changed since, only
    {"version", "unchanged": true} (one small query): an idle room costs the server little."""

    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        since = self.get_query_argument("since", "")
        if since.isdigit() and int(since) == ws["version"]:
            self.send({"version": ws["version"], "unchanged": True})
            return
        pid = await self.participant_id(ws)
        filters = {k: self.get_query_argument(k, "")[:80] for k in ("level", "day", "place", "language", "free")}
        self.send(await self.run(poll_view, self.store, ws, lang, pid, filters))


class ResponseApi(ApiHandler):
    @guarded
    async def put(self, code, form_id):
        ws, lang = await self.workshop_and_lang(code)
        p = await self.participant(ws)
        data = self.body()
        saved = await self.run(self.store.save_response, int(form_id), p["id"], data.get("answers"), ws["id"])
        self.send({"answers": saved, "message": self.t("form.saved", lang)})


def tray_view(store: Store, ws: dict, lang: str, participant_id: int | None, filters: dict) -> dict:
    """The service tray on a participant's page: the activities the filters leave, what the filters
    can offer, this participant's marks and what became of their suggestions."""
    tpl = wsmod.template(ws["template"])
    lv, gr = tray.levels(tpl), tray.groups(tpl)
    acts = store.activities(ws["id"])
    mine = store.interests_of(participant_id) if participant_id is not None else {}
    try:
        shown = tray.filter_activities(acts, level=filters.get("level") or None, day=filters.get("day") or None,
                                       place=filters.get("place") or None, language=filters.get("language") or None,
                                       free=filters.get("free") in ("1", "true"))
    except ValueError:
        raise KitError("bad_field", field="level") from None

    def view(a):
        return {"id": a["id"], "name": a["name"], "organiser": a["organiser"], "place": a["place"],
                "accessibility": a["accessibility"], "schedule": a["schedule"],
                "days": [tray.day_label(d, lang) for d in a["days"]], "cost": a["cost"], "free": tray.is_free(a),
                "step_level": a["step_level"], "level": tray.level_label(lv, a["step_level"], lang),
                "target_groups": [tray.group_label(gr, g, lang) for g in a["target_groups"]],
                "languages": [tray.language_label(c, lang) for c in a["languages"]],
                "contact": a["contact"], "description": a["description"],
                "interested": "interested" in mine.get(a["id"], []), "organise": "organise" in mine.get(a["id"], [])}

    suggested = store.suggested_activities_of(participant_id) if participant_id is not None else []
    return {
        "open": bool((ws["settings"] or {}).get("tray_open")),
        "total": len(acts),
        "levels": [{"id": x["id"], "label": label(x["label"], lang)} for x in lv],
        "days": [{"id": d, "label": tray.day_label(d, lang)} for d in tray.DAYS],
        "places": sorted({a["place"] for a in acts if a["place"]}, key=str.casefold),
        "languages": [{"id": c, "label": tray.language_label(c, lang)}
                      for c in sorted({c for a in acts for c in a["languages"]})],
        "activities": [view(a) for a in shown],
        "mine": [{"name": a["name"], "status": a["status"]} for a in suggested],
    }


class TrayApi(ApiHandler):
    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        pid = await self.participant_id(ws)
        filters = {k: self.get_query_argument(k, "")[:80] for k in ("level", "day", "place", "language", "free")}
        self.send(await self.run(tray_view, self.store, ws, lang, pid, filters))


class TraySuggestApi(ApiHandler):
    limiter = RateLimiter(LIMITS.ideas_per_minute)

    @guarded
    async def post(self, code):
        ws, lang = await self.workshop_and_lang(code)
        p = await self.participant(ws)
        data = self.body()
        self.require_open(ws, "tray_open", "tray_closed")
        if not self.limiter.allow(p["token_hash"]):
            raise KitError("slow_down", status=429)
        fields = {k: data.get(k) for k in ("name", "step_level", "place", "schedule", "description")}
        a = await self.run(self.store.add_activity, ws["id"], fields, None, p["id"])
        self.send({"activity": {"id": a["id"], "name": a["name"], "status": a["status"]},
                   "message": self.t("tray.thanks", lang)}, 201)


class InterestApi(ApiHandler):
    @guarded
    async def put(self, code, activity_id):
        ws, lang = await self.workshop_and_lang(code)
        p = await self.participant(ws)
        data = self.body()
        self.require_open(ws, "tray_open", "tray_closed")
        on = data.get("on")
        if not isinstance(on, bool):
            raise KitError("bad_field", field="on")
        kind = data.get("kind")
        await self.run(self.store.set_interest, ws["id"], int(activity_id), p["id"], kind, on)
        key = {("interested", True): "tray.marked_interested", ("organise", True): "tray.marked_organise",
               ("interested", False): "tray.unmarked", ("organise", False): "tray.unmarked"}[(kind, on)]
        self.send({"kind": kind, "on": on, "message": self.t(key, lang)})


class ApiNotFound(ApiHandler):
    def prepare(self):
        super().prepare()
        self.send({"error": "not_found", "message": self.t("error.not_found", self.lang())}, 404)


# -- pages ----------------------------------------------------------------------------------


JS_PREFIXES = ("js.", "vote.", "idea.", "error.", "kiosk.", "map.", "tasks.", "offer.", "form.", "tray.", "withdraw.")


class PageHandler(KitHandler):
    def render_page(self, name: str, status: int = 200, **ctx):
        lang = ctx.setdefault("lang", self.lang())
        plain = self.plain
        ctx.setdefault("title", t("app.name", lang, plain=plain))
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        tr = lambda key, **kw: t(key, lang, plain=plain, **kw)
        # the strings the page's script needs, in the page's language (and plain wording when asked)
        js_keys = {k: v for k, v in page_catalog(lang, plain).items() if k.startswith(JS_PREFIXES)}
        keep = ctx.pop("keep_query", "")  # what the language links and the plain toggle carry along
        self.finish(PAGES.get_template(name).render(
            t=tr, base=self.base, languages=LANGUAGES, plain=plain, js_strings=json.dumps(js_keys, ensure_ascii=False),
            extra_query=keep + ("&plain=1" if plain else ""), plain_query=keep + ("" if plain else "&plain=1"),
            **ctx))


class JoinPage(PageHandler):
    async def get(self, code=None):
        code = (code or self.get_query_argument("code", "") or "").strip().upper()
        if not code:
            self.render_page("enter_code.html")
            return
        try:
            ws = await self.run(self.store.workshop_by_code, code)
        except KitError as err:
            lang = self.lang()
            self.render_page("enter_code.html", status=404, error=err.message(lang, self.plain), code=code[:16])
            return
        lang = self.lang(ws["language"])
        kiosk = self.get_query_argument("kiosk", "") == "1"
        self.render_page(
            "join.html", lang=lang, ws=ws, title=ws["title"], kiosk=kiosk,
            keep_query="&kiosk=1" if kiosk else "",
            groups=wsmod.groups(ws["template"], lang),
            welcome=wsmod.prompt(ws["template"], "welcome", lang),
            idea_prompt=wsmod.prompt(ws["template"], "idea", lang),
            limits=LIMITS,
        )


def make_handlers(store: Store, base_url: str):
    base = base_url if base_url.endswith("/") else base_url + "/"
    kw = {"store": store, "base": base, "limits": {}}
    p = base + "kit/"
    code = r"([A-Za-z0-9]{1,16})"
    return [
        (p + r"api/openapi\.json", OpenApiHandler, kw),
        (p + rf"api/workshops/{code}", WorkshopApi, kw),
        (p + rf"api/workshops/{code}/participants", JoinApi, kw),
        (p + rf"api/workshops/{code}/me", MeApi, kw),
        (p + rf"api/workshops/{code}/ideas", IdeasApi, kw),
        (p + rf"api/workshops/{code}/rounds/current", CurrentRoundApi, kw),
        (p + rf"api/workshops/{code}/rounds/([0-9]{{1,12}})/ballot", BallotApi, kw),
        (p + rf"api/workshops/{code}/kiosk/voters", KioskVoterApi, kw),
        (p + rf"api/workshops/{code}/map", MapApi, kw),
        (p + rf"api/workshops/{code}/(actors|links)", SuggestApi, kw),
        (p + rf"api/workshops/{code}/tasks", TasksApi, kw),
        (p + rf"api/workshops/{code}/offers", OffersApi, kw),
        (p + rf"api/workshops/{code}/form", FormApi, kw),
        (p + rf"api/workshops/{code}/forms/([0-9]{{1,12}})/response", ResponseApi, kw),
        (p + rf"api/workshops/{code}/poll", PollApi, kw),
        (p + rf"api/workshops/{code}/tray", TrayApi, kw),
        (p + rf"api/workshops/{code}/tray/activities", TraySuggestApi, kw),
        (p + rf"api/workshops/{code}/tray/activities/([0-9]{{1,12}})/interest", InterestApi, kw),
        (p + r"api/.*", ApiNotFound, kw),
        (p + r"join/?", JoinPage, kw),
        (p + rf"join/{code}/?", JoinPage, kw),
        (p + r"static/(.*)", tornado.web.StaticFileHandler, {"path": str(HERE / "static")}),
    ]
