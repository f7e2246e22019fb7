"""Stage 4 on a participant's device: the open feedback form and one's answers to it."""

from __future__ import annotations

from kit import evaluation
from kit.i18n import label, t
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
    return {"form": {"id": f["id"], "title": f["title"], "questions": questions}, "mine": mine}


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
