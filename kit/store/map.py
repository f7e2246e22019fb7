"""Stage 1: actors, links, suggestions and snapshots of the stakeholder map."""

from __future__ import annotations

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.engine import Connection

from kit.config import LIMITS
from kit.errors import KitError
from kit.store.base import BaseStore, _row, now
from kit.store.schema import actors, links, snapshots, workshops
from kit.text import clean_text


def map_actor(a: dict) -> dict:
    return {k: a[k] for k in ("id", "name", "sector", "organisation", "is_person", "notes", "influence",
                              "interest")} | {"goals": a.get("goals") or []}


def map_link(x: dict) -> dict:
    return {"id": x["id"], "source": x["source_id"], "target": x["target_id"], "type": x["type"],
            "bidirectional": bool(x["bidirectional"]), "weight": x["weight"], "informal": bool(x["informal"])}


ACTOR_NAME_CHARS = 120


def clean_actor(name, organisation=None, notes=None, influence=None, interest=None, goals=None) -> dict:
    from kit.network import MAX_TOWER

    name = clean_text(name, ACTOR_NAME_CHARS, "actor_name_too_long") if isinstance(name, str) else ""
    if not name:
        raise KitError("actor_name_required")
    out = {"name": name}
    for key, value, limit in (("organisation", organisation, ACTOR_NAME_CHARS), ("notes", notes, LIMITS.idea_chars)):
        out[key] = (clean_text(value, limit, field=key) if isinstance(value, str) else "") or None
    for key, value in (("influence", influence), ("interest", interest)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TOWER):
            raise KitError("bad_tower", field=key, max=MAX_TOWER)
        out[key] = value
    goals = goals or []
    if not isinstance(goals, list) or not all(isinstance(g, str) and g.strip() for g in goals):
        raise KitError("bad_field", field="goals")
    out["goals"] = [g.strip()[:60] for g in goals]
    return out



class MapStore(BaseStore):
    """Stage 1: actors, links, suggestions and snapshots of the stakeholder map."""

    def _sectors(self, conn: Connection, workshop_id: int) -> tuple[list[str], list[str]]:
        from kit import network
        from kit import workshop as wsmod

        tid = conn.execute(select(workshops.c.template).where(workshops.c.id == workshop_id)).scalar()
        if tid is None:
            raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
        tpl = wsmod.template(tid)
        return tpl["sectors"], [x["id"] for x in network.link_types(tpl)]

    def add_actor(self, workshop_id: int, name: str, sector: str, organisation: str | None = None,
                  is_person: bool = False, notes: str | None = None, influence: int | None = None,
                  interest: int | None = None, goals=None, participant_id: int | None = None) -> dict:
        """An actor on the map; from a participant's device it is a suggestion that waits for the
        facilitator (and one already on the map is refused with a kind word)."""
        values = clean_actor(name, organisation, notes, influence, interest, goals)
        with self._tx(write=True) as conn:
            sectors, _ = self._sectors(conn, workshop_id)
            if sector not in sectors:
                raise KitError("unknown_sector", sector=str(sector)[:40])
            if participant_id is not None:
                same = conn.execute(select(actors.c.id).where(
                    actors.c.workshop_id == workshop_id, actors.c.status != "rejected",
                    func.lower(actors.c.name) == values["name"].lower())).first()
                if same is not None:
                    raise KitError("actor_exists", status=409, name=values["name"][:80])
            aid = conn.execute(actors.insert().values(
                workshop_id=workshop_id, sector=sector, is_person=bool(is_person),
                status="suggested" if participant_id is not None else "active",
                suggested_by=participant_id, created_at=now(), **values,
            )).inserted_primary_key[0]
            self._bump(conn, workshop_id)
            if participant_id is not None:
                self._log(conn, workshop_id, "actor_suggested", actor_id=aid)
            return _row(conn.execute(select(actors).where(actors.c.id == aid)).first())

    def update_actor(self, actor_id: int, **fields) -> dict:
        allowed = {"name", "sector", "organisation", "is_person", "notes", "influence", "interest", "goals"}
        unknown = set(fields) - allowed
        if unknown:
            raise KitError("bad_field", field=min(unknown))
        with self._tx(write=True) as conn:
            cur = _row(conn.execute(select(actors).where(actors.c.id == actor_id)).first())
            if cur is None:
                raise KitError("unknown_actor", status=404, actor=actor_id)
            merged = {**cur, **fields}
            values = clean_actor(merged["name"], merged["organisation"], merged["notes"], merged["influence"],
                                 merged["interest"], merged["goals"])
            sectors, _ = self._sectors(conn, cur["workshop_id"])
            if merged["sector"] not in sectors:
                raise KitError("unknown_sector", sector=str(merged["sector"])[:40])
            conn.execute(actors.update().where(actors.c.id == actor_id).values(
                sector=merged["sector"], is_person=bool(merged["is_person"]), **values))
            self._bump(conn, cur["workshop_id"])
            return _row(conn.execute(select(actors).where(actors.c.id == actor_id)).first())

    def remove_actor(self, actor_id: int) -> None:
        with self._tx(write=True) as conn:
            wid = conn.execute(select(actors.c.workshop_id).where(actors.c.id == actor_id)).scalar()
            if wid is None:
                raise KitError("unknown_actor", status=404, actor=actor_id)
            conn.execute(links.delete().where((links.c.source_id == actor_id) | (links.c.target_id == actor_id)))
            conn.execute(actors.delete().where(actors.c.id == actor_id))
            self._bump(conn, wid)
            self._log(conn, wid, "actor_removed", actor_id=actor_id)

    def merge_actors(self, keep_id: int, other_id: int) -> dict:
        """Two cards for the same actor: the other's links move to the one kept (duplicates merge)."""
        if keep_id == other_id:
            raise KitError("merge_needs_two")
        with self._tx(write=True) as conn:
            keep = _row(conn.execute(select(actors).where(actors.c.id == keep_id)).first())
            other = _row(conn.execute(select(actors).where(actors.c.id == other_id)).first())
            if keep is None or other is None or keep["workshop_id"] != other["workshop_id"]:
                raise KitError("unknown_actor", status=404, actor=other_id if keep else keep_id)
            for row in [_row(r) for r in conn.execute(select(links).where(
                    (links.c.source_id == other_id) | (links.c.target_id == other_id)))]:
                src = keep_id if row["source_id"] == other_id else row["source_id"]
                dst = keep_id if row["target_id"] == other_id else row["target_id"]
                conn.execute(links.delete().where(links.c.id == row["id"]))
                if src != dst:
                    self._put_link(conn, keep["workshop_id"], src, dst, row["type"], row["bidirectional"],
                                   row["informal"], row["weight"], row["status"], row["suggested_by"])
            conn.execute(actors.delete().where(actors.c.id == other_id))
            self._bump(conn, keep["workshop_id"])
            self._log(conn, keep["workshop_id"], "actors_merged", kept=keep_id, merged=other_id)
            return _row(conn.execute(select(actors).where(actors.c.id == keep_id)).first())

    def actors(self, workshop_id: int, status: str | None = "active") -> list[dict]:
        q = select(actors).where(actors.c.workshop_id == workshop_id)
        if status:
            q = q.where(actors.c.status == status)
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(q.order_by(actors.c.id))]

    def add_link(self, workshop_id: int, source_id: int, target_id: int, link_type: str,
                 bidirectional: bool = False, informal: bool = False, weight: int = 1,
                 participant_id: int | None = None) -> dict:
        """A link between two actors; self-links are refused, a duplicate (same ends and type) is
        merged into the existing link by summing weights (spec §2.2)."""
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            raise KitError("bad_field", field="weight")
        with self._tx(write=True) as conn:
            _, types = self._sectors(conn, workshop_id)
            if link_type not in types:
                raise KitError("unknown_link_type", link_type=str(link_type)[:40])
            ends = {r.id: r for r in conn.execute(select(actors.c.id, actors.c.status).where(
                actors.c.workshop_id == workshop_id, actors.c.id.in_([source_id, target_id])))}
            for end in (source_id, target_id):
                if end not in ends or ends[end].status == "rejected":
                    raise KitError("unknown_actor", status=404, actor=end)
            if source_id == target_id:
                raise KitError("self_link_store")
            status = "suggested" if participant_id is not None else "active"
            lid = self._put_link(conn, workshop_id, source_id, target_id, link_type, bidirectional, informal,
                                 weight, status, participant_id)
            self._bump(conn, workshop_id)
            if participant_id is not None:
                self._log(conn, workshop_id, "link_suggested", link_id=lid)
            return _row(conn.execute(select(links).where(links.c.id == lid)).first())

    def _put_link(self, conn, workshop_id, source_id, target_id, link_type, bidirectional, informal, weight,
                  status, suggested_by) -> int:
        same = _row(conn.execute(select(links).where(
            links.c.source_id == source_id, links.c.target_id == target_id, links.c.type == link_type,
            links.c.status == status)).first())
        if same is not None and status == "active":
            conn.execute(links.update().where(links.c.id == same["id"]).values(
                weight=same["weight"] + weight, bidirectional=same["bidirectional"] or bool(bidirectional)))
            return same["id"]
        return conn.execute(links.insert().values(
            workshop_id=workshop_id, source_id=source_id, target_id=target_id, type=link_type,
            bidirectional=bool(bidirectional), informal=bool(informal), weight=weight, status=status,
            suggested_by=suggested_by, created_at=now(),
        )).inserted_primary_key[0]

    def remove_link(self, link_id: int) -> None:
        with self._tx(write=True) as conn:
            wid = conn.execute(select(links.c.workshop_id).where(links.c.id == link_id)).scalar()
            if wid is None:
                raise KitError("unknown_link", status=404, link=link_id)
            conn.execute(links.delete().where(links.c.id == link_id))
            self._bump(conn, wid)

    def links(self, workshop_id: int, status: str | None = "active") -> list[dict]:
        q = select(links).where(links.c.workshop_id == workshop_id)
        if status:
            q = q.where(links.c.status == status)
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(q.order_by(links.c.id))]

    def decide_suggestion(self, kind: str, item_id: int, accept: bool) -> None:
        """Accept or reject what a participant suggested. Accepting a link whose actor is itself a
        suggestion accepts that actor too; a duplicate link merges into the one already there."""
        table = {"actor": actors, "link": links}.get(kind)
        if table is None:
            raise KitError("bad_field", field="kind")
        with self._tx(write=True) as conn:
            row = _row(conn.execute(select(table).where(table.c.id == item_id)).first())
            if row is None or row["status"] != "suggested":
                raise KitError("not_a_suggestion", status=409)
            wid = row["workshop_id"]
            if not accept:
                conn.execute(table.update().where(table.c.id == item_id).values(status="rejected"))
                if kind == "actor":  # links hanging on a rejected actor go with it
                    conn.execute(links.update().where(
                        ((links.c.source_id == item_id) | (links.c.target_id == item_id))
                        & (links.c.status == "suggested")).values(status="rejected"))
            elif kind == "actor":
                conn.execute(actors.update().where(actors.c.id == item_id).values(status="active"))
            else:
                for end in (row["source_id"], row["target_id"]):
                    conn.execute(actors.update().where(actors.c.id == end, actors.c.status == "suggested")
                                 .values(status="active"))
                conn.execute(links.delete().where(links.c.id == item_id))
                self._put_link(conn, wid, row["source_id"], row["target_id"], row["type"], row["bidirectional"],
                               row["informal"], row["weight"], "active", row["suggested_by"])
            self._bump(conn, wid)
            self._log(conn, wid, f"{kind}_{'accepted' if accept else 'rejected'}", item=item_id)

    def take_snapshot(self, workshop_id: int, label: str | None = None) -> dict:
        """The map as it is now, dated and frozen: evaluation compares two of these."""
        from kit import network

        with self._tx(write=True) as conn:
            acts = [_row(r) for r in conn.execute(select(actors).where(
                actors.c.workshop_id == workshop_id, actors.c.status == "active").order_by(actors.c.id))]
            lks = [_row(r) for r in conn.execute(select(links).where(
                links.c.workshop_id == workshop_id, links.c.status == "active").order_by(links.c.id))]
            data = network.snapshot([map_actor(a) for a in acts], [map_link(x) for x in lks])
            ts = now()
            sid = conn.execute(snapshots.insert().values(
                workshop_id=workshop_id, label=(label or "").strip()[:120] or ts[:16].replace("T", " "),
                taken_at=ts, data=data)).inserted_primary_key[0]
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "snapshot", snapshot_id=sid)
            return _row(conn.execute(select(snapshots).where(snapshots.c.id == sid)).first())

    def snapshots(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(snapshots).where(snapshots.c.workshop_id == workshop_id).order_by(snapshots.c.id))]

    def import_network(self, workshop_id: int, actor_rows: list[dict], link_rows: list[dict]) -> dict:
        """Checked rows (kit.network.read_rows) onto the map, all or nothing."""
        with self._tx(write=True) as conn:
            sectors, types = self._sectors(conn, workshop_id)
            idmap = {}
            for a in actor_rows:
                if a["sector"] not in sectors:
                    raise KitError("unknown_sector", sector=a["sector"][:40])
                values = clean_actor(a["name"], a.get("organisation"), a.get("notes"), a.get("influence"),
                                     a.get("interest"), a.get("goals"))
                idmap[a["key"]] = conn.execute(actors.insert().values(
                    workshop_id=workshop_id, sector=a["sector"], is_person=bool(a.get("is_person")),
                    status="active", created_at=now(), **values)).inserted_primary_key[0]
            for x in link_rows:
                if x["type"] not in types:
                    raise KitError("unknown_link_type", link_type=x["type"][:40])
                self._put_link(conn, workshop_id, idmap[x["source"]], idmap[x["target"]], x["type"],
                               x.get("bidirectional"), x.get("informal"), x.get("weight", 1), "active", None)
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "network_imported", actors=len(actor_rows), links=len(link_rows))
        return {"actors": len(actor_rows), "links": len(link_rows)}

    def map_data(self, workshop_id: int) -> tuple[list[dict], list[dict]]:
        """The active map as kit.network reads it."""
        return ([map_actor(a) for a in self.actors(workshop_id)], [map_link(x) for x in self.links(workshop_id)])

    def map_by_origin(self, workshop_id: int) -> dict:
        """The active map as a snapshot whose actors carry their first meeting's ids: two meetings'
        maps compare actor by actor (kit.network.by_origin)."""
        from kit import network as nw

        actors = [map_actor(a) | {"origin_id": a["origin_id"]} for a in self.actors(workshop_id)]
        return nw.by_origin(actors, [map_link(x) for x in self.links(workshop_id)])

    def suggested_by(self, participant_id: int, what: str) -> list[dict]:
        """The actors or links one participant suggested (any status), oldest first."""
        table = {"actors": actors, "links": links}[what]
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(table).where(table.c.suggested_by == participant_id).order_by(table.c.id))]

