"""The service tray (palvelutarjotin): activities and participants' interest in them."""

from __future__ import annotations

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.engine import Connection

from kit.errors import KitError
from kit.store.base import BaseStore, _row, now
from kit.store.schema import activities, actors, networks, tray_feedback, tray_interests, workshops

FEEDBACK_RATINGS = ("good", "ok", "bad")


def _activity_view(r: dict) -> dict:
    """An activity row as kit.tray reads it: the JSON fields beside name and step level."""
    data = r.get("data") or {}
    out = {"id": r["id"], "workshop_id": r["workshop_id"], "name": r["name"], "step_level": r["step_level"],
           "organiser_id": r["organiser_id"], "status": r["status"], "suggested_by": r["suggested_by"],
           "created_at": r["created_at"]}
    for k in ("organiser", "place", "accessibility", "schedule", "cost", "contact", "description"):
        out[k] = data.get(k)
    for k in ("days", "target_groups", "languages"):
        out[k] = list(data.get(k) or [])
    return out



class TrayStore(BaseStore):
    """The service tray (palvelutarjotin): activities and participants' interest in them."""

    def _tray_vocab(self, conn: Connection, workshop_id: int):
        from kit import tray
        from kit import workshop as wsmod

        tid = conn.execute(select(workshops.c.template).where(workshops.c.id == workshop_id)).scalar()
        if tid is None:
            raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
        tpl = wsmod.template(tid)
        return tray.levels(tpl), tray.groups(tpl)

    def _with_organiser(self, conn: Connection, workshop_id: int, a: dict, organiser_id) -> dict:
        """An activity whose organiser is an actor of a map of this network carries the actor's name."""
        if organiser_id is None:
            return a
        org = _row(conn.execute(select(actors).where(actors.c.id == organiser_id)).first())
        if org is None or org["workshop_id"] not in self._meeting_ids(conn, workshop_id):
            raise KitError("unknown_actor", status=404, actor=organiser_id)
        return {**a, "organiser": org["name"]}

    def _activity_row(self, conn: Connection, workshop_id: int, a: dict, organiser_id, status: str,
                      suggested_by=None) -> int:
        a = self._with_organiser(conn, workshop_id, a, organiser_id)
        data = {k: v for k, v in a.items() if k not in ("name", "step_level")}
        return conn.execute(activities.insert().values(  # the network's tray
            workshop_id=self._home(conn, workshop_id), name=a["name"], organiser_id=organiser_id, data=data,
            step_level=a["step_level"], status=status, suggested_by=suggested_by,
            created_at=now())).inserted_primary_key[0]

    def add_activity(self, workshop_id: int, data: dict, organiser_id: int | None = None,
                     participant_id: int | None = None) -> dict:
        """An activity on the tray. From a participant's device it is a suggestion the facilitator
        accepts or declines; the facilitator's own go on the tray at once."""
        from kit import tray

        with self._tx(write=True) as conn:
            lv, gr = self._tray_vocab(conn, workshop_id)
            a = tray.clean_activity(data, lv, gr)
            aid = self._activity_row(conn, workshop_id, a, organiser_id,
                                     "suggested" if participant_id is not None else "active", participant_id)
            self._bump_network(conn, workshop_id)
            self._log(conn, workshop_id, "activity_added", activity_id=aid)
            return self._activity(conn, aid)

    def update_activity(self, activity_id: int, data: dict, organiser_id: int | None = None) -> dict:
        from kit import tray

        with self._tx(write=True) as conn:
            cur = self._activity(conn, activity_id)
            lv, gr = self._tray_vocab(conn, cur["workshop_id"])
            a = self._with_organiser(conn, cur["workshop_id"], tray.clean_activity(data, lv, gr), organiser_id)
            conn.execute(activities.update().where(activities.c.id == activity_id).values(
                name=a["name"], step_level=a["step_level"], organiser_id=organiser_id,
                data={k: v for k, v in a.items() if k not in ("name", "step_level")}))
            self._bump_network(conn, cur["workshop_id"])
            self._log_network(conn, cur["workshop_id"], "activity_edited", activity_id=activity_id)
            return self._activity(conn, activity_id)

    def set_activity_status(self, activity_id: int, status: str) -> dict:
        """Accept (active) or decline a suggestion, or take an activity off the tray (removed)."""
        if status not in ("active", "declined", "removed"):
            raise KitError("bad_field", field="status")
        with self._tx(write=True) as conn:
            cur = self._activity(conn, activity_id)
            conn.execute(activities.update().where(activities.c.id == activity_id).values(status=status))
            self._bump_network(conn, cur["workshop_id"])
            self._log_network(conn, cur["workshop_id"], "activity_" + status, activity_id=activity_id)
            return self._activity(conn, activity_id)

    @staticmethod
    def _activity(conn: Connection, activity_id: int) -> dict:
        r = _row(conn.execute(select(activities).where(activities.c.id == activity_id)).first())
        if r is None:
            raise KitError("unknown_activity", status=404, activity=activity_id)
        return _activity_view(r)

    def activity(self, activity_id: int) -> dict:
        with self._tx() as conn:
            return self._activity(conn, activity_id)

    def activities(self, workshop_id: int, status: str | None = "active") -> list[dict]:
        with self._tx() as conn:
            q = select(activities).where(activities.c.workshop_id == self._home(conn, workshop_id))
            if status is not None:
                q = q.where(activities.c.status == status)
            q = q.add_columns(actors.c.name.label("organiser_now")).outerjoin(
                actors, actors.c.id == activities.c.organiser_id)
            out = []
            for r in conn.execute(q.order_by(activities.c.step_level, activities.c.id)):
                row = _row(r)
                a = _activity_view(row)
                if row["organiser_now"]:  # an organiser from the map shows under its current name
                    a["organiser"] = row["organiser_now"]
                out.append(a)
            return out

    def import_activities(self, workshop_id: int, rows: list[dict]) -> list[dict]:
        """Clean activities (from kit.tray.import_rows) onto the tray in one transaction: all or none."""
        from kit import tray

        with self._tx(write=True) as conn:
            lv, gr = self._tray_vocab(conn, workshop_id)
            ids = [self._activity_row(conn, workshop_id, tray.clean_activity(a, lv, gr), None, "active")
                   for a in rows]
            self._bump_network(conn, workshop_id)
            self._log(conn, workshop_id, "activities_imported", n=len(ids))
            return [self._activity(conn, i) for i in ids]

    def set_interest(self, workshop_id: int, activity_id: int, participant_id: int, kind: str, on: bool) -> None:
        """"I'm interested" / "I'd like to organise this": on or off, once per person and kind."""
        if kind not in ("interested", "organise"):
            raise KitError("bad_field", field="kind")
        with self._tx(write=True) as conn:
            a = _row(conn.execute(select(activities.c.workshop_id, activities.c.status)
                                  .where(activities.c.id == activity_id)).first())
            if a is None or a["workshop_id"] != self._home(conn, workshop_id) or a["status"] != "active":
                raise KitError("unknown_activity", status=404, activity=activity_id)
            conn.execute(tray_interests.delete().where(
                tray_interests.c.activity_id == activity_id, tray_interests.c.participant_id == participant_id,
                tray_interests.c.kind == kind))
            if on:
                conn.execute(tray_interests.insert().values(activity_id=activity_id, participant_id=participant_id,
                                                            kind=kind, created_at=now()))
            self._bump_network(conn, workshop_id)

    def interest_counts(self, workshop_id: int) -> dict[int, dict[str, int]]:
        """{activity id: {"interested": n, "organise": n}}"""
        out: dict[int, dict[str, int]] = {}
        with self._tx() as conn:
            home = self._home(conn, workshop_id)
            q = (select(tray_interests.c.activity_id, tray_interests.c.kind, func.count())
                 .where(tray_interests.c.activity_id.in_(select(activities.c.id).where(activities.c.workshop_id == home)))
                 .group_by(tray_interests.c.activity_id, tray_interests.c.kind))
            for aid, kind, n in conn.execute(q):
                out.setdefault(aid, {"interested": 0, "organise": 0})[kind] = n
        return out

    def interests_of(self, participant_id: int) -> dict[int, list[str]]:
        with self._tx() as conn:
            out: dict[int, list[str]] = {}
            for r in conn.execute(select(tray_interests.c.activity_id, tray_interests.c.kind)
                                  .where(tray_interests.c.participant_id == participant_id)):
                out.setdefault(r.activity_id, []).append(r.kind)
            return out

    def suggested_activities_of(self, participant_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_activity_view(_row(r)) for r in conn.execute(
                select(activities).where(activities.c.suggested_by == participant_id).order_by(activities.c.id))]

    def gap_to_idea(self, workshop_id: int, gap_key: str, text: str, tags: dict | None) -> dict:
        """A gap on the tray becomes an idea for stage 2, once: the idea's id is kept under the gap's key."""
        with self._tx() as conn:
            settings = conn.execute(select(workshops.c.settings).where(workshops.c.id == workshop_id)).scalar() or {}
        made = dict(settings.get("tray_gap_ideas") or {})
        if gap_key in made:
            raise KitError("gap_already_idea", status=409)
        idea = self.add_idea(workshop_id, text, tags=tags)
        made[gap_key] = idea["id"]
        self.set_setting(workshop_id, "tray_gap_ideas", made)
        return idea


    # -- the public tray (issue 19, item 5) -------------------------------------------------------------
    def publish_tray(self, workshop_id: int, on: bool) -> dict:
        """The network's tray as a public read-only page /kit/public/tray/{network id}, or not."""
        with self._tx(write=True) as conn:
            nid = conn.execute(select(workshops.c.network_id).where(workshops.c.id == workshop_id)).scalar()
            if nid is None:
                raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
            info = dict(conn.execute(select(networks.c.info).where(networks.c.id == nid)).scalar() or {})
            info["tray_public"] = bool(on)
            conn.execute(networks.update().where(networks.c.id == nid).values(info=info))
            self._bump_network(conn, workshop_id)
            self._log(conn, workshop_id, "tray_published" if on else "tray_unpublished")
        return self.network_of(workshop_id)

    def public_tray(self, network_id) -> tuple[dict, list[dict]]:
        """(network, its active activities) when the network has published its tray; else unknown_tray
        (404: a tray not published and a network that does not exist look the same)."""
        try:
            nid = int(str(network_id))
        except ValueError:
            raise KitError("unknown_tray", status=404) from None
        with self._tx() as conn:
            net = _row(conn.execute(select(networks).where(networks.c.id == nid)).first())
        if net is None or not (net["info"] or {}).get("tray_public"):
            raise KitError("unknown_tray", status=404)
        return net, self.activities(net["home_id"])

    def add_tray_feedback(self, network_id: int, activity_id, rating, comment=None, language: str = "fi") -> None:
        """Short feedback on an activity of a published tray, from anyone (nothing about the person is
        kept): good, ok or bad, and a comment if they like."""
        from kit.config import LANGUAGES
        from kit.text import clean_text

        if rating not in FEEDBACK_RATINGS:
            raise KitError("feedback_rating")
        comment = clean_text(comment, 500, "too_long", field="comment") or None
        net, acts = self.public_tray(network_id)
        try:
            aid = int(activity_id)
        except (TypeError, ValueError):
            raise KitError("unknown_activity", status=404, activity=str(activity_id)[:20]) from None
        if aid not in {a["id"] for a in acts}:
            raise KitError("unknown_activity", status=404, activity=aid)
        with self._tx(write=True) as conn:
            conn.execute(tray_feedback.insert().values(activity_id=aid, rating=rating, comment=comment,
                                                       language=language if language in LANGUAGES else "fi",
                                                       created_at=now()))
            self._bump_network(conn, net["home_id"])

    def tray_feedback(self, workshop_id: int, min_answers: int = 5) -> dict[int, dict]:
        """{activity id: {"n", "good", "ok", "bad", "comments"}} for the network's organisers. Below
        `min_answers` answers only "n" is given (suppressed): a handful of answers could be told apart."""
        with self._tx() as conn:
            home = self._home(conn, workshop_id)
            rows = conn.execute(select(tray_feedback.c.activity_id, tray_feedback.c.rating, tray_feedback.c.comment)
                                .where(tray_feedback.c.activity_id.in_(
                                    select(activities.c.id).where(activities.c.workshop_id == home)))
                                .order_by(tray_feedback.c.id)).all()
        out: dict[int, dict] = {}
        for aid, rating, comment in rows:
            d = out.setdefault(aid, {"n": 0, "good": 0, "ok": 0, "bad": 0, "comments": []})
            d["n"] += 1
            d[rating] += 1
            if comment:
                d["comments"].append(comment)
        for d in out.values():
            if d["n"] < min_answers:
                d.update(good=None, ok=None, bad=None, comments=[], suppressed=True)
        return out
