"""Stage 1 on a participant's device: suggest actors and links for the stakeholder map."""

from __future__ import annotations

from kit import workshop as wsmod
from kit.config import LIMITS
from kit.i18n import label, t
from kit.server.base import ApiHandler, ViewApi, Write, participant_write
from kit.store import Store


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


class MapApi(ViewApi):
    path = "/workshops/{code}/map"
    view = staticmethod(map_view)


class ActorSuggestApi(ApiHandler):
    path = "/workshops/{code}/actors"

    @participant_write("map_open", "map_closed", per_minute=LIMITS.ideas_per_minute)
    async def post(self, w: Write):
        row = await self.commit(self.store.add_actor, w.ws["id"], w.data.get("name"), w.data.get("sector"),
                             participant_id=w.participant["id"])
        self.send({"actor": {"id": row["id"], "name": row["name"], "sector": row["sector"], "status": row["status"]},
                   "message": self.t("map.thanks", w.lang)}, 201)


class LinkSuggestApi(ApiHandler):
    path = "/workshops/{code}/links"

    @participant_write("map_open", "map_closed", per_minute=LIMITS.ideas_per_minute)
    async def post(self, w: Write):
        d = w.data
        row = await self.commit(self.store.add_link, w.ws["id"], d.get("source"), d.get("target"), d.get("type"),
                             participant_id=w.participant["id"])
        self.send({"link": {"id": row["id"], "status": row["status"]}, "message": self.t("map.thanks", w.lang)}, 201)
