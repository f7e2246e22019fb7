"""Stage 3 on a participant's device: volunteer for tasks with one's competences."""

from __future__ import annotations

from kit import workshop as wsmod
from kit.config import LIMITS
from kit.i18n import label
from kit.server.base import ApiHandler, ViewApi, Write, participant_write
from kit.store import Store


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
    path = "/workshops/{code}/tasks"
    view = staticmethod(tasks_view)


class OffersApi(ApiHandler):
    path = "/workshops/{code}/offers"

    @participant_write("tasks_open", "tasks_closed", per_minute=LIMITS.ideas_per_minute * 3)
    async def post(self, w: Write):
        d = w.data
        offer = await self.commit(self.store.add_offer, w.ws["id"], d.get("task_id"), w.participant["id"], d.get("kind"),
                               d.get("competences") or {})
        self.send({"offer": {"id": offer["id"], "status": offer["status"]}, "message": self.t("tasks.thanks", w.lang)},
                  201)
