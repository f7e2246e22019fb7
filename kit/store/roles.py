"""Stage 3: the plan, holders, tasks, RACI letters, competences, terms and volunteers' offers."""

from __future__ import annotations

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.engine import Connection

from kit import roles as roles_mod
from kit import voting
from kit.errors import KitError
from kit.numbers import amount_text
from kit.store.base import BaseStore, _row, now
from kit.text import clean_date  # noqa: F401 (kit.store.evaluation takes it from here too)
from kit.store.map import ACTOR_NAME_CHARS, clean_actor
from kit.store.schema import (
    actors,
    assignments,
    competence_levels,
    holders,
    offers,
    participants,
    tasks,
    terms,
    workshops,
)


def clean_effort(value) -> int | None:
    if value in (None, "", 0):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 10000:
        raise KitError("bad_field", field="effort")
    return value



class RolesStore(BaseStore):
    """Stage 3: the plan, holders, tasks, RACI letters, competences, terms and volunteers' offers."""

    def _competences(self, conn: Connection, workshop_id: int) -> list[str]:
        from kit import workshop as wsmod

        ws = conn.execute(select(workshops.c.template, workshops.c.settings)
                          .where(workshops.c.id == self._home(conn, workshop_id))).first()
        if ws is None:
            raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
        extra = ((ws.settings or {}).get("plan") or {}).get("extra_competences") or []
        return [c["id"] for c in wsmod.template(ws.template)["competences"]] + list(extra)

    def competences(self, workshop_id: int) -> list[str]:
        with self._tx() as conn:
            return self._competences(conn, workshop_id)

    def add_holder(self, workshop_id: int, name: str, kind: str = "person", participant_id: int | None = None,
                   actor_id: int | None = None, chair: str | None = None, unpaid: bool = False) -> dict:
        if kind not in ("participant", "actor", "person", "group"):
            raise KitError("bad_field", field="kind")
        values = clean_actor(name, None, None)
        chair = chair.strip()[:ACTOR_NAME_CHARS] if isinstance(chair, str) and chair.strip() else None
        with self._tx(write=True) as conn:
            meetings = self._meeting_ids(conn, workshop_id)  # a person or actor of any meeting of the network
            for ref, table in ((participant_id, participants), (actor_id, actors)):
                if ref is not None and conn.execute(select(table.c.workshop_id).where(table.c.id == ref)).scalar() \
                        not in meetings:
                    raise KitError("bad_field", field=table.name)
            hid = conn.execute(holders.insert().values(
                workshop_id=self._home(conn, workshop_id), name=values["name"], kind=kind, participant_id=participant_id,
                actor_id=actor_id, chair=chair, unpaid=bool(unpaid), removed=False, created_at=now(),
            )).inserted_primary_key[0]
            self._bump_network(conn, workshop_id)
            return _row(conn.execute(select(holders).where(holders.c.id == hid)).first())

    def update_holder(self, holder_id: int, **fields) -> dict:
        allowed = {"name", "chair", "unpaid", "removed"}
        if set(fields) - allowed:
            raise KitError("bad_field", field=min(set(fields) - allowed))
        if "name" in fields:
            fields["name"] = clean_actor(fields["name"])["name"]
        with self._tx(write=True) as conn:
            wid = conn.execute(select(holders.c.workshop_id).where(holders.c.id == holder_id)).scalar()
            if wid is None:
                raise KitError("unknown_holder", status=404, holder=holder_id)
            conn.execute(holders.update().where(holders.c.id == holder_id).values(**fields))
            self._bump_network(conn, wid)
            if fields.get("removed"):
                self._log_network(conn, wid, "holder_removed", holder_id=holder_id)
            return _row(conn.execute(select(holders).where(holders.c.id == holder_id)).first())

    def holders(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(holders).where(holders.c.workshop_id == self._home(conn, workshop_id)).order_by(holders.c.id))]

    def add_task(self, workshop_id: int, title: str, section: str = "implementation", effort: int | None = None,
                 due: str | None = None, idea_id: int | None = None, role: str | None = None) -> dict:
        from kit.roles import SECTIONS

        title = voting.clean_idea_text(title)
        if section not in SECTIONS:
            raise KitError("bad_field", field="section")
        effort, due = clean_effort(effort), clean_date(due)
        with self._tx(write=True) as conn:
            tid = conn.execute(tasks.insert().values(  # the network's; agreed at this meeting
                workshop_id=self._home(conn, workshop_id), title=title, section=section, effort=effort, due=due,
                idea_id=idea_id, role=role, a_implies_r=False, done=False, created_at=now(), meeting_id=workshop_id,
            )).inserted_primary_key[0]
            self._bump_network(conn, workshop_id)
            return _row(conn.execute(select(tasks).where(tasks.c.id == tid)).first())

    def update_task(self, task_id: int, **fields) -> dict:
        from kit.roles import SECTIONS

        allowed = {"title", "section", "effort", "due", "a_implies_r", "deputy_id", "done"}
        if set(fields) - allowed:
            raise KitError("bad_field", field=min(set(fields) - allowed))
        if "title" in fields:
            fields["title"] = voting.clean_idea_text(fields["title"])
        if "section" in fields and fields["section"] not in SECTIONS:
            raise KitError("bad_field", field="section")
        if "effort" in fields:
            fields["effort"] = clean_effort(fields["effort"])
        if "due" in fields:
            fields["due"] = clean_date(fields["due"])
        with self._tx(write=True) as conn:
            wid = conn.execute(select(tasks.c.workshop_id).where(tasks.c.id == task_id)).scalar()
            if wid is None:
                raise KitError("unknown_task", status=404, task=task_id)
            conn.execute(tasks.update().where(tasks.c.id == task_id).values(**fields))
            self._bump_network(conn, wid)
            return _row(conn.execute(select(tasks).where(tasks.c.id == task_id)).first())

    def tasks(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(tasks).where(tasks.c.workshop_id == self._home(conn, workshop_id)).order_by(tasks.c.id))]

    def remove_task(self, task_id: int) -> None:
        with self._tx(write=True) as conn:
            wid = conn.execute(select(tasks.c.workshop_id).where(tasks.c.id == task_id)).scalar()
            if wid is None:
                raise KitError("unknown_task", status=404, task=task_id)
            conn.execute(tasks.delete().where(tasks.c.id == task_id))
            self._bump_network(conn, wid)

    def set_letter(self, task_id: int, holder_id: int, letters: str | None) -> None:
        """One letter per holder per task (A with R allowed); empty clears it. The RACI checks run on
        the whole matrix afterwards: a second A is stored and shown as an error, not silently lost."""
        from kit.roles import LETTERS

        letters = (letters or "").upper().replace("+", "").replace(" ", "")
        if letters == "RA":
            letters = "AR"
        if letters and letters not in LETTERS:
            raise KitError("bad_letter", letters=letters[:4])
        with self._tx(write=True) as conn:
            t_wid = conn.execute(select(tasks.c.workshop_id).where(tasks.c.id == task_id)).scalar()
            h_wid = conn.execute(select(holders.c.workshop_id).where(holders.c.id == holder_id)).scalar()
            if t_wid is None or t_wid != h_wid:
                raise KitError("unknown_task", status=404, task=task_id)
            conn.execute(assignments.delete().where(assignments.c.task_id == task_id,
                                                    assignments.c.holder_id == holder_id))
            if letters:
                conn.execute(assignments.insert().values(task_id=task_id, holder_id=holder_id, letters=letters))
            self._bump_network(conn, t_wid)

    def assignments(self, workshop_id: int) -> dict:
        with self._tx() as conn:
            return {(r.task_id, r.holder_id): r.letters for r in conn.execute(
                select(assignments).select_from(assignments.join(tasks, tasks.c.id == assignments.c.task_id))
                .where(tasks.c.workshop_id == self._home(conn, workshop_id)))}

    def set_level(self, holder_id: int, competence: str, level: int) -> None:
        if isinstance(level, bool) or level not in (0, 1, 2):
            raise KitError("bad_field", field="competence_level")
        with self._tx(write=True) as conn:
            wid = conn.execute(select(holders.c.workshop_id).where(holders.c.id == holder_id)).scalar()
            if wid is None:
                raise KitError("unknown_holder", status=404, holder=holder_id)
            if competence not in self._competences(conn, wid):
                raise KitError("unknown_competence", competence=str(competence)[:40])
            conn.execute(competence_levels.delete().where(competence_levels.c.holder_id == holder_id,
                                                          competence_levels.c.competence == competence))
            if level:
                conn.execute(competence_levels.insert().values(holder_id=holder_id, competence=competence, level=level))
            self._bump_network(conn, wid)

    def levels(self, workshop_id: int) -> dict:
        with self._tx() as conn:
            return {(r.holder_id, r.competence): r.level for r in conn.execute(
                select(competence_levels).select_from(
                    competence_levels.join(holders, holders.c.id == competence_levels.c.holder_id))
                .where(holders.c.workshop_id == self._home(conn, workshop_id)))}

    def add_competence(self, workshop_id: int, competence: str) -> None:
        """A competence the template does not name, added explicitly for this network."""
        cid = "".join(ch for ch in (competence or "").strip().lower().replace(" ", "_") if ch.isalnum() or ch == "_")[:40]
        if not cid:
            raise KitError("bad_field", field="competence")
        plan = self.plan(workshop_id)
        extra = list(plan.get("extra_competences") or [])
        if cid not in extra and cid not in self.competences(workshop_id):
            extra.append(cid)
        plan["extra_competences"] = extra
        self.set_setting(workshop_id, "plan", plan)

    def add_term(self, holder_id: int, role: str, start: str, end: str | None = None) -> dict:
        if role not in ("responsible_person", "budget_owner", "coordinator"):
            raise KitError("bad_field", field="role")
        start, end = clean_date(start), clean_date(end)
        if start is None:
            raise KitError("bad_date", value="")
        with self._tx(write=True) as conn:
            wid = conn.execute(select(holders.c.workshop_id).where(holders.c.id == holder_id)).scalar()
            if wid is None:
                raise KitError("unknown_holder", status=404, holder=holder_id)
            tid = conn.execute(terms.insert().values(holder_id=holder_id, role=role, start=start, end=end)).inserted_primary_key[0]
            self._bump_network(conn, wid)
            return _row(conn.execute(select(terms).where(terms.c.id == tid)).first())

    def terms(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(terms).select_from(terms.join(holders, holders.c.id == terms.c.holder_id))
                .where(holders.c.workshop_id == self._home(conn, workshop_id)).order_by(terms.c.id))]

    def set_plan(self, workshop_id: int, **fields) -> dict:
        """The plan canvas: need for change, target groups, competences and networks needed, budget and
        its owner, operating model, description, chosen ideas and actors, the responsible person."""
        allowed = {"need_for_change", "target_groups", "competences_needed", "networks", "budget",
                   "operating_model", "description", "idea_ids", "actor_ids", "responsible_person",
                   "budget_owner"}
        if set(fields) - allowed:
            raise KitError("bad_field", field=min(set(fields) - allowed))
        for key in ("need_for_change", "target_groups", "competences_needed", "networks", "operating_model",
                    "description"):
            if key in fields:
                v = fields[key]
                if v is not None and (not isinstance(v, str) or len(v) > 4000):
                    raise KitError("bad_field", field=key)
        if fields.get("budget") not in (None, ""):
            from kit.budgeting import to_amount

            fields["budget"] = amount_text(to_amount(fields["budget"], "budget"))
        current = self.plan(workshop_id)
        current.update(fields)
        self.set_setting(workshop_id, "plan", current)
        return current

    def plan(self, workshop_id: int) -> dict:
        """The network's plan canvas (kept in its first meeting's settings), from any of its meetings."""
        return dict((self.workshop(self.home_id(workshop_id))["settings"] or {}).get("plan") or {})

    def add_offer(self, workshop_id: int, task_id: int, participant_id: int, kind: str,
                  competences: dict | None = None) -> dict:
        """A participant volunteers from their device ("I can do this" / "I can help"), saying which
        competences they bring; the facilitator confirms."""
        if kind not in ("can_do", "can_help"):
            raise KitError("bad_field", field="kind")
        comps = competences or {}
        if not isinstance(comps, dict) or any(v not in (1, 2) or isinstance(v, bool) for v in comps.values()):
            raise KitError("bad_field", field="competences")
        with self._tx(write=True) as conn:
            if conn.execute(select(tasks.c.workshop_id).where(tasks.c.id == task_id)).scalar() \
                    != self._home(conn, workshop_id):
                raise KitError("unknown_task", status=404, task=task_id)
            known = self._competences(conn, workshop_id)
            unknown = [c for c in comps if c not in known]
            if unknown:
                raise KitError("unknown_competence", competence=str(unknown[0])[:40])
            conn.execute(offers.delete().where(offers.c.task_id == task_id, offers.c.participant_id == participant_id,
                                               offers.c.status == "pending"))
            oid = conn.execute(offers.insert().values(
                workshop_id=workshop_id, task_id=task_id, participant_id=participant_id, kind=kind,
                competences=comps, status="pending", created_at=now())).inserted_primary_key[0]
            self._bump(conn, workshop_id)
            return _row(conn.execute(select(offers).where(offers.c.id == oid)).first())

    def offers(self, workshop_id: int, participant_id: int | None = None) -> list[dict]:
        q = select(offers).where(offers.c.workshop_id == workshop_id)
        if participant_id is not None:
            q = q.where(offers.c.participant_id == participant_id)
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(q.order_by(offers.c.id))]

    def decide_offer(self, offer_id: int, accept: bool, name: str | None = None) -> dict | None:
        """Accepting makes the participant a holder (once), marks R for "I can do this" and C for
        "I can help" (unless they already hold a letter on the task), and records their competences."""
        unpaid_groups = roles_mod.UNPAID_GROUPS
        with self._tx(write=True) as conn:
            o = _row(conn.execute(select(offers).where(offers.c.id == offer_id)).first())
            if o is None or o["status"] != "pending":
                raise KitError("not_a_suggestion", status=409)
            conn.execute(offers.update().where(offers.c.id == offer_id).values(
                status="accepted" if accept else "declined"))
            holder = None
            home = self._home(conn, o["workshop_id"])
            if accept:
                p = _row(conn.execute(select(participants).where(participants.c.id == o["participant_id"])).first())
                holder = _row(conn.execute(select(holders).where(holders.c.participant_id == p["id"])).first())
                if holder is None:
                    n = conn.execute(select(func.count()).select_from(holders).where(
                        holders.c.workshop_id == home)).scalar() + 1
                    hid = conn.execute(holders.insert().values(
                        workshop_id=home, name=(name or p["nickname"] or f"#{n}")[:ACTOR_NAME_CHARS],
                        kind="participant", participant_id=p["id"], unpaid=p["stakeholder_group"] in unpaid_groups,
                        removed=False, created_at=now())).inserted_primary_key[0]
                    holder = _row(conn.execute(select(holders).where(holders.c.id == hid)).first())
                has = conn.execute(select(assignments.c.letters).where(
                    assignments.c.task_id == o["task_id"], assignments.c.holder_id == holder["id"])).scalar()
                if not has:
                    conn.execute(assignments.insert().values(task_id=o["task_id"], holder_id=holder["id"],
                                                             letters="R" if o["kind"] == "can_do" else "C"))
                for comp, level in (o["competences"] or {}).items():
                    cur = conn.execute(select(competence_levels.c.level).where(
                        competence_levels.c.holder_id == holder["id"], competence_levels.c.competence == comp)).scalar()
                    if cur is None:
                        conn.execute(competence_levels.insert().values(holder_id=holder["id"], competence=comp, level=level))
                    elif level > cur:
                        conn.execute(competence_levels.update().where(
                            competence_levels.c.holder_id == holder["id"],
                            competence_levels.c.competence == comp).values(level=level))
            self._bump_network(conn, o["workshop_id"])
            self._log(conn, o["workshop_id"], "offer_" + ("accepted" if accept else "declined"), offer_id=offer_id)
            return holder

    def roles_data(self, workshop_id: int) -> dict:
        """Stage 3 as kit.roles reads it."""
        plan = self.plan(workshop_id)
        ts = [{"id": x["id"], "title": x["title"], "section": x["section"], "effort": x["effort"], "due": x["due"],
               "a_implies_r": x["a_implies_r"], "deputy": x["deputy_id"], "done": x["done"], "idea_id": x["idea_id"],
               "role": x["role"], "meeting_id": x["meeting_id"], "dropped": x["dropped"]}
              for x in self.tasks(workshop_id)]
        hs = [{"id": h["id"], "name": h["name"], "kind": h["kind"], "chair": h["chair"], "unpaid": h["unpaid"],
               "removed": h["removed"], "actor_id": h["actor_id"], "participant_id": h["participant_id"]}
              for h in self.holders(workshop_id)]
        return {"tasks": ts, "holders": hs, "assignments": self.assignments(workshop_id),
                "levels": self.levels(workshop_id), "terms": [{"holder": x["holder_id"], "role": x["role"],
                                                               "start": x["start"], "end": x["end"]}
                                                              for x in self.terms(workshop_id)],
                "plan": plan, "competences": self.competences(workshop_id)}

