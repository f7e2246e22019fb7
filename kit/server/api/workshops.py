"""Joining a workshop, the participant's own page data and withdrawal, ideas, the shared tablet."""

from __future__ import annotations

from kit import workshop as wsmod
from kit.config import LANGUAGES, LIMITS
from kit.errors import KitError
from kit.i18n import negotiate
from kit.server.base import ApiHandler, RateLimiter, Write, guarded, participant_write
from kit.store import Store


def idea_view(store: Store, idea: dict) -> dict:
    out = {"id": idea["id"], "text": idea["text"], "status": idea["status"]}
    if idea["status"] == "rejected":
        out["reason"] = idea["reject_reason"]
    if idea["status"] == "merged" and idea["merged_into"]:
        out["merged_into"] = store.idea(idea["merged_into"])["text"]
    return out


class WorkshopApi(ApiHandler):
    path = "/workshops/{code}"

    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        self.send({
            "code": ws["code"],
            "title": wsmod.title(ws, lang),
            "language": ws["language"],
            "languages": list(LANGUAGES),
            "ideas_open": bool(ws["ideas_open"]),
            "idea_prompt": wsmod.prompt(ws["template"], "idea", lang),
            "groups": wsmod.groups(ws["template"], lang),
            "limits": {"idea_chars": LIMITS.idea_chars, "nickname_chars": LIMITS.nickname_chars},
            "version": ws["version"],
        })


def note_join_limit(store: Store, ws: dict) -> None:
    """Tell the facilitator's start page that joining was refused for going too fast (when, not who);
    written at most once a minute."""
    from datetime import UTC, datetime, timedelta

    last = (ws["settings"] or {}).get("join_limit_hit")
    now = datetime.now(UTC)
    if last is None or now - datetime.fromisoformat(last) > timedelta(minutes=1):
        store.set_setting(ws["id"], "join_limit_hit", now.isoformat(timespec="seconds"))


def known_group(ws: dict, group: str | None) -> str | None:
    """A stakeholder group id of the workshop's template, or None; anything else is refused."""
    if group and group not in {g["id"] for g in wsmod.template(ws["template"])["stakeholder_groups"]}:
        raise KitError("unknown_group")
    return group or None


class JoinApi(ApiHandler):
    path = "/workshops/{code}/participants"
    # per network address, not per workshop: one hostile client cannot use up the room's joins
    limiter = RateLimiter(LIMITS.joins_per_minute, "join")

    @guarded
    async def post(self, code):
        ws, lang = await self.workshop_and_lang(code)
        data = self.body()
        if not await self.allowed(self.limiter, self.source_key()):
            await self.run(note_join_limit, self.store, ws)
            raise KitError("join_slow_down", status=429, n=self.limiter.per_minute)
        group = known_group(ws, data.get("group"))
        nickname = data.get("nickname")
        language = negotiate(data.get("language"), None, lang)
        where = data.get("where") or None  # a hybrid meeting: "room" or "remote", as the participant said
        p, token = await self.commit(self.store.add_participant, ws["id"], nickname, group, language, "device", where)
        self.send({"token": token, "participant": {"id": p["id"], "nickname": p["nickname"],
                                                   "group": p["stakeholder_group"], "language": p["language"]}}, 201)


class MeApi(ApiHandler):
    path = "/workshops/{code}/me"

    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        p = await self.participant(ws)
        mine = await self.run(self.store.ideas_of, p["id"])
        self.send({
            "participant": {"id": p["id"], "nickname": p["nickname"], "group": p["stakeholder_group"],
                            "language": p["language"], "minutes_name": p.get("minutes_name")},
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


class MinutesNameApi(ApiHandler):
    """Name me in the minutes: a participant who agrees to be named types the name on their own device;
    everyone else stands in the minutes by their group only."""

    path = "/workshops/{code}/me/minutes-name"

    @participant_write(per_minute=LIMITS.ideas_per_minute)
    async def put(self, w: Write):
        name = await self.commit(self.store.set_minutes_name, w.ws["id"], w.participant["id"], w.data.get("name"))
        self.send({"minutes_name": name, "message": self.t("named.saved" if name else "named.removed", w.lang,
                                                               name=name or "")})


class IdeasApi(ApiHandler):
    path = "/workshops/{code}/ideas"

    @participant_write(per_minute=LIMITS.ideas_per_minute)
    async def post(self, w: Write):
        idea = await self.commit(self.store.add_idea, w.ws["id"], w.data.get("text"), w.participant["id"])
        msg = self.t("idea.waiting" if idea["status"] == "pending" else "idea.saved", w.lang)
        self.send({"idea": idea_view(self.store, idea), "message": msg}, 201)


class KioskVoterApi(ApiHandler):
    """Shared tablet: the facilitator types the PIN on the tablet for each next voter."""

    path = "/workshops/{code}/kiosk/voters"
    limiter = RateLimiter(10, "kiosk_pin")  # a PIN cannot be guessed by trying

    @guarded
    async def post(self, code):
        ws, lang = await self.workshop_and_lang(code)
        data = self.body()
        # only the tablet the facilitator started may try PINs; its tries are counted by its key, so
        # anyone else on the network is refused without using up the tablet's tries
        tablet = data.get("tablet")
        if not (ws["settings"] or {}).get("kiosk_pin"):
            raise KitError("kiosk_off", status=409)
        if not await self.run(self.store.kiosk_tablet_ok, ws["id"], tablet):
            raise KitError("kiosk_tablet", status=403)
        if not await self.allowed(self.limiter, (ws["code"], tablet)):
            raise KitError("slow_down", status=429)
        group = known_group(ws, data.get("group"))
        language = negotiate(data.get("language"), None, lang)
        p, token = await self.commit(self.store.kiosk_voter, ws["id"], data.get("pin"), group, language)
        self.send({"token": token, "participant": {"id": p["id"], "group": p["stakeholder_group"],
                                                   "kind": "kiosk"}}, 201)
