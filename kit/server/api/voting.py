"""Voting on a participant's device: the current round as they may see it, and their ballot."""

from __future__ import annotations

from kit import voting
from kit.errors import KitError
from kit.i18n import t
from kit.render.voting import RULE_TITLE
from kit.config import LIMITS
from kit.server.base import ApiHandler, RateLimiter, guarded
from kit.store import Store


def round_view(store: Store, rnd: dict | None, participant_id: int | None, lang: str = "fi") -> dict | None:
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
        "title": voting.round_title(rnd, lang),
        "method": rnd["method"],
        "status": rnd["status"],
        "dots_per_person": rules.get("dots"),
        "per_item_cap": rules.get("cap"),
        "min_choices": rules.get("min"),
        "max_choices": rules.get("max"),
        "max_ranked": rules.get("k"),
        "budget": rules.get("budget"),
        # budgeting: the rule that decides it, fixed when the round opened, named in the reader's language
        **({"rule": voting.pb_rule(rules), "rule_name": t(RULE_TITLE[voting.pb_rule(rules)], lang)}
           if rnd["method"] == "pb" else {}),
        "items": visible,
        # a vote open for a period: when it opens and closes (UTC; the page shows them in the device's time zone)
        "opens_at": rnd.get("opens_at"),
        "closes_at": rnd.get("closes_at"),
        "ballot": store.ballot_of(rnd["id"], participant_id) if participant_id else None,
        # one person, one vote: the round needs a voting code, and whether this device has used one
        "codes": bool(rules.get("codes")),
        "code_ok": bool(rules.get("codes")) and bool(participant_id) and store.has_code(rnd["id"], participant_id),
        "results": None,
    }
    if rnd["results_visible"]:
        res = store.results(rnd["id"]).results
        shown = {i["id"] for i in visible}
        view["results"] = [{"id": r.idea_id, "score": r.score, "rank": r.rank} for r in res if r.idea_id in shown]
        if rnd["method"] == "pb":
            from kit import budgeting

            e = store.election(rnd["id"])
            view["funded"] = [int(x) for x in budgeting.cached(e, voting.pb_rule(rules)).funded]
    return view


class CurrentRoundApi(ApiHandler):
    path = "/workshops/{code}/rounds/current"

    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        pid = await self.participant_id(ws)

        def load():
            return round_view(self.store, self.store.current_round(ws["id"]), pid, lang)

        self.send({"round": await self.run(load), "ideas_open": bool(ws["ideas_open"]), "version": ws["version"]})


class BallotApi(ApiHandler):
    path = "/workshops/{code}/rounds/{round_id}/ballot"
    # ballots that bring a voting code, per network address: trying codes one after another is held back
    code_limiter = RateLimiter(LIMITS.codes_per_minute, "voting_code")

    @guarded
    async def put(self, code, round_id):
        data = self.body()
        token = self.token()
        if isinstance(data, dict) and data.get("code") is not None:
            if not await self.allowed(self.code_limiter, self.source_key()):
                raise KitError("code_slow_down", status=429, n=self.code_limiter.per_minute)

        def write():  # one trip to the writer: who it is, and the ballot, in the batch's transaction
            ws = self.store.workshop_by_code(code)
            p = self.store.participant_by_token(ws["id"], token)
            saved = self.store.save_ballot(int(round_id), p["id"], data, ws["id"], participant_checked=True,
                                           source="kiosk" if p.get("kind") == "kiosk" else "device")
            return ws, saved

        write.keeps_batch_memo = True  # it writes a ballot only: the round and its ideas stay as they were
        ws, saved = await self.commit(write)
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

        def load():  # a round of another workshop is unknown here, for reading as for writing
            if self.store.round(int(round_id))["workshop_id"] != ws["id"]:
                raise KitError("unknown_round", status=404, round=int(round_id))
            return self.store.ballot_of(int(round_id), p["id"])

        self.send({"ballot": await self.run(load)})
