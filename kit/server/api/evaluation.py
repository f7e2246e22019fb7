"""Stage 4 on a participant's device: the open feedback form and one's answers to it."""

from __future__ import annotations

from kit import evaluation
from kit.i18n import label, t
from kit.config import LIMITS
from kit.server.base import ApiHandler, ViewApi, Write, participant_write
from kit.store import Store


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
    return {"form": {"id": f["id"], "title": f["title"], "questions": questions, "pairing": bool(f.get("pairing")),
                     "followup": f.get("baseline_id") is not None, "closes_at": f.get("closes_at")},
            "mine": mine, "paired": store.is_paired(pid) if pid is not None and f.get("pairing") else False}


class FormApi(ViewApi):
    """Stage 4: the open feedback form and the caller's answers to it."""

    path = "/workshops/{code}/form"
    view = staticmethod(form_view)


class ResponseApi(ApiHandler):
    path = "/workshops/{code}/forms/{form_id}/response"

    @participant_write()
    async def put(self, w: Write, form_id):
        saved = await self.commit(self.store.save_response, int(form_id), w.participant["id"], w.data.get("answers"),
                               w.ws["id"])
        self.send({"answers": saved, "message": self.t("form.saved", w.lang)})


class PairApi(ApiHandler):
    """A pseudonymous pairing code, so a baseline and its follow-up answered at two meetings can be
    compared for the same person without a name: POST with no code gets a new one (shown once), POST
    with the code from an earlier meeting keeps it, DELETE forgets it on this meeting's device."""

    path = "/workshops/{code}/me/pair"

    @participant_write(per_minute=LIMITS.ideas_per_minute)
    async def post(self, w: Write):
        given = w.data.get("code")
        if given is None:
            code = await self.commit(self.store.new_pair_code, w.ws["id"], w.participant["id"])
            msg = self.t("pair.given", w.lang, code=code)
        else:
            code = await self.commit(self.store.use_pair_code, w.ws["id"], w.participant["id"], given)
            msg = self.t("pair.kept", w.lang)
        self.send({"pair_code": code, "paired": True, "message": msg})

    @participant_write(per_minute=LIMITS.ideas_per_minute)
    async def delete(self, w: Write):
        await self.commit(self.store.forget_pair_code, w.ws["id"], w.participant["id"])
        self.send({"pair_code": None, "paired": False, "message": self.t("pair.forgotten", w.lang)})
