"""The service tray on a participant's device: filter, mark interest, suggest an activity."""

from __future__ import annotations

from kit import tray
from kit import workshop as wsmod
from kit.config import LIMITS
from kit.errors import KitError
from kit.i18n import label
from kit.server.base import ApiHandler, Write, guarded, participant_write
from kit.store import Store


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
    path = "/workshops/{code}/tray"

    @guarded
    async def get(self, code):
        ws, lang = await self.workshop_and_lang(code)
        pid = await self.participant_id(ws)
        self.send(await self.run(tray_view, self.store, ws, lang, pid, self.tray_filters()))


class TraySuggestApi(ApiHandler):
    path = "/workshops/{code}/tray/activities"

    @participant_write("tray_open", "tray_closed", per_minute=LIMITS.ideas_per_minute)
    async def post(self, w: Write):
        fields = {k: w.data.get(k) for k in ("name", "step_level", "place", "schedule", "description")}
        a = await self.commit(self.store.add_activity, w.ws["id"], fields, None, w.participant["id"])
        self.send({"activity": {"id": a["id"], "name": a["name"], "status": a["status"]},
                   "message": self.t("tray.thanks", w.lang)}, 201)


class InterestApi(ApiHandler):
    path = "/workshops/{code}/tray/activities/{activity_id}/interest"

    @participant_write("tray_open", "tray_closed")
    async def put(self, w: Write, activity_id):
        kind, on = w.data.get("kind"), w.data.get("on")
        await self.commit(self.store.set_interest, w.ws["id"], int(activity_id), w.participant["id"], kind, on)
        key = {("interested", True): "tray.marked_interested", ("organise", True): "tray.marked_organise",
               ("interested", False): "tray.unmarked", ("organise", False): "tray.unmarked"}[(kind, on)]
        self.send({"kind": kind, "on": on, "message": self.t(key, w.lang)})
