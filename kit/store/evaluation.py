"""Stage 4: logic model, indicators, feedback forms and answers, the activity log."""

from __future__ import annotations

import secrets

from sqlalchemy import (
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from kit import voting
from kit.errors import KitError
from kit.store.base import BaseStore, _row, now
from kit.store.roles import clean_date
from kit.store.schema import (
    activity_log,
    forms,
    indicators,
    lm_edges,
    lm_nodes,
    participants,
    responses,
    workshops,
)


class EvaluationStore(BaseStore):
    """Stage 4: logic model, indicators, feedback forms and answers, the activity log."""

    def add_node(self, workshop_id: int, level: str, text: str, thl=None, task_id=None, idea_id=None) -> dict:
        from kit import evaluation

        if level not in evaluation.LEVELS:
            raise KitError("bad_field", field="lm_level")
        thl = list(thl or [])
        if any(d not in evaluation.THL for d in thl):
            raise KitError("bad_tags")
        text = voting.clean_idea_text(text)
        with self._tx(write=True) as conn:
            nid = conn.execute(lm_nodes.insert().values(workshop_id=self._home(conn, workshop_id), level=level,
                                                        text=text, thl=thl, task_id=task_id, idea_id=idea_id)
                               ).inserted_primary_key[0]
            self._bump_network(conn, workshop_id)
            return _row(conn.execute(select(lm_nodes).where(lm_nodes.c.id == nid)).first())

    def remove_node(self, node_id: int) -> None:
        with self._tx(write=True) as conn:
            wid = conn.execute(select(lm_nodes.c.workshop_id).where(lm_nodes.c.id == node_id)).scalar()
            if wid is None:
                raise KitError("bad_lm_link")
            conn.execute(lm_edges.delete().where((lm_edges.c.source_id == node_id) | (lm_edges.c.target_id == node_id)))
            conn.execute(lm_nodes.delete().where(lm_nodes.c.id == node_id))
            self._bump_network(conn, wid)

    def add_lm_edge(self, source_id: int, target_id: int) -> None:
        from kit import evaluation

        with self._tx(write=True) as conn:
            rows = {r.id: r for r in conn.execute(select(lm_nodes).where(lm_nodes.c.id.in_([source_id, target_id])))}
            if len(rows) != 2 or rows[source_id].workshop_id != rows[target_id].workshop_id:
                raise KitError("bad_lm_link")
            evaluation.check_edge({k: v.level for k, v in rows.items()}, source_id, target_id)
            conn.execute(lm_edges.delete().where(lm_edges.c.source_id == source_id, lm_edges.c.target_id == target_id))
            conn.execute(lm_edges.insert().values(source_id=source_id, target_id=target_id))
            self._bump_network(conn, rows[source_id].workshop_id)

    def logic_model(self, workshop_id: int) -> tuple[list[dict], list[tuple[int, int]]]:
        with self._tx() as conn:
            nodes = [_row(r) for r in conn.execute(
                select(lm_nodes).where(lm_nodes.c.workshop_id == self._home(conn, workshop_id)).order_by(lm_nodes.c.id))]
            ids = [n["id"] for n in nodes]
            edges = [(r.source_id, r.target_id) for r in conn.execute(
                select(lm_edges).where(lm_edges.c.source_id.in_(ids)))] if ids else []
        for n in nodes:
            n["thl"] = n["thl"] or []
        return nodes, edges

    def save_indicator(self, workshop_id: int, data: dict, indicator_id: int | None = None) -> dict:
        from kit import evaluation

        allowed = {"name", "kind", "unit", "baseline", "target", "target_date", "source", "method", "frequency",
                   "owner_task", "thl", "target_group", "realistic", "node"}
        if set(data) - allowed:
            raise KitError("bad_field", field=min(set(data) - allowed))
        clean = dict(data)
        clean["name"] = voting.clean_idea_text(data.get("name"))
        if clean.get("kind", "quantitative") not in ("quantitative", "qualitative"):
            raise KitError("bad_field", field="kind")
        if clean.get("method") not in (None, "", *evaluation.METHODS):
            raise KitError("bad_field", field="method")
        clean["target_date"] = clean_date(clean.get("target_date"))
        if any(d not in evaluation.THL for d in clean.get("thl") or []):
            raise KitError("bad_tags")
        for k in ("unit", "baseline", "target", "source", "frequency", "target_group"):
            if clean.get(k) is not None and (not isinstance(clean[k], str) or len(clean[k]) > 500):
                raise KitError("bad_field", field=k)
        with self._tx(write=True) as conn:
            if indicator_id is None:
                iid = conn.execute(indicators.insert().values(workshop_id=self._home(conn, workshop_id),
                                                              node_id=clean.get("node"), data=clean)).inserted_primary_key[0]
            else:
                iid = indicator_id
                conn.execute(indicators.update().where(indicators.c.id == iid).values(node_id=clean.get("node"), data=clean))
            self._bump_network(conn, workshop_id)
            row = _row(conn.execute(select(indicators).where(indicators.c.id == iid)).first())
        return {"id": row["id"], **row["data"], "node": row["node_id"]}

    def indicators(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [{"id": r.id, **r.data, "node": r.node_id} for r in conn.execute(
                select(indicators).where(indicators.c.workshop_id == self._home(conn, workshop_id))
                .order_by(indicators.c.id))]

    def create_form(self, workshop_id: int, title: str, questions, min_answers: int = 5, pairing: bool = False) -> dict:
        from kit import evaluation

        qs = evaluation.check_form(questions)
        if isinstance(min_answers, bool) or not isinstance(min_answers, int) or not 1 <= min_answers <= 100:
            raise KitError("bad_field", field="min_answers")
        with self._tx(write=True) as conn:
            fid = conn.execute(forms.insert().values(
                workshop_id=workshop_id, title=(title or "").strip()[:200] or "Palaute", questions=qs,
                min_answers=min_answers, status="draft", approved=[], created_at=now(),
                pairing=bool(pairing))).inserted_primary_key[0]
            self._bump(conn, workshop_id)
            return _row(conn.execute(select(forms).where(forms.c.id == fid)).first())

    def repeat_form(self, form_id: int, title: str | None = None, workshop_id: int | None = None) -> dict:
        """The same questions again as a follow-up of `form_id` (its baseline), opened at once, in
        `workshop_id` (a later meeting of the same network; the baseline's own meeting when None); the
        report shows the change per question. A baseline stays as it is (forms are never deleted)."""
        with self._tx(write=True) as conn:
            base = _row(conn.execute(select(forms).where(forms.c.id == form_id)).first())
            if base is None:
                raise KitError("unknown_form", status=404)
            if base["status"] == "draft":
                raise KitError("form_not_answered", status=409)
            target = base["workshop_id"] if workshop_id is None else workshop_id
            if target not in self._meeting_ids(conn, base["workshop_id"]):
                raise KitError("unknown_form", status=404)
            fid = conn.execute(forms.insert().values(
                workshop_id=target, title=(title or base["title"]).strip()[:200], questions=base["questions"],
                min_answers=base["min_answers"], status="draft", approved=[], created_at=now(),
                baseline_id=form_id, pairing=True)).inserted_primary_key[0]
            self._bump(conn, target)
        return self.set_form_status(fid, "open")

    def set_form_status(self, form_id: int, status: str) -> dict:
        if status not in ("draft", "open", "closed"):
            raise KitError("bad_field", field="status")
        with self._tx(write=True) as conn:
            f = _row(conn.execute(select(forms).where(forms.c.id == form_id)).first())
            if f is None:
                raise KitError("unknown_form", status=404)
            if status == "open":  # one form open at a time
                conn.execute(forms.update().where(forms.c.workshop_id == f["workshop_id"], forms.c.status == "open")
                             .values(status="closed"))
            conn.execute(forms.update().where(forms.c.id == form_id).values(status=status))
            self._bump(conn, f["workshop_id"])
            self._log(conn, f["workshop_id"], "form_" + status, form_id=form_id)
            return _row(conn.execute(select(forms).where(forms.c.id == form_id)).first())

    def forms(self, workshop_id: int) -> list[dict]:
        self.settle_forms(workshop_id)
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(forms).where(forms.c.workshop_id == workshop_id).order_by(forms.c.id))]

    def network_forms(self, workshop_id: int) -> list[dict]:
        """The forms of this meeting and the network's earlier ones (each with its meeting's number),
        in order: what a follow-up here can repeat."""
        with self._tx() as conn:
            ids = self._meeting_ids(conn, workshop_id)
            no = dict(conn.execute(select(workshops.c.id, workshops.c.meeting_no).where(workshops.c.id.in_(ids))).all())
            here = no.get(workshop_id) or 1
            return [{**_row(r), "meeting_no": no.get(r.workshop_id) or 1} for r in conn.execute(
                select(forms).where(forms.c.workshop_id.in_(ids)).order_by(forms.c.id))
                if (no.get(r.workshop_id) or 1) <= here]

    def form(self, form_id: int) -> dict | None:
        with self._tx() as conn:
            return _row(conn.execute(select(forms).where(forms.c.id == form_id)).first())

    def schedule_form(self, form_id: int, opens: str, closes: str) -> dict:
        """A draft form open for a period (local "YYYY-MM-DD HH:MM" in the network's time zone): it
        opens and closes on its own by the store's clock, as a vote open for a period does."""
        f = self.form(form_id)
        if f is None:
            raise KitError("unknown_form", status=404)
        if f["status"] != "draft":
            raise KitError("form_not_draft", status=409)
        tz = (self.network_of(f["workshop_id"]).get("info") or {}).get("timezone")
        opens_at, closes_at = voting.period(opens, closes, tz, self.now_utc())
        with self._tx(write=True) as conn:
            conn.execute(forms.update().where(forms.c.id == form_id).values(
                status="scheduled", opens_at=opens_at, closes_at=closes_at))
            self._bump(conn, f["workshop_id"])
            self._log(conn, f["workshop_id"], "form_scheduled", form_id=form_id)
        self.settle_forms(f["workshop_id"])
        return self.form(form_id)

    def delete_draft_form(self, form_id: int) -> None:
        """A form never opened nor scheduled (a refused schedule) leaves no trace; others stay."""
        with self._tx(write=True) as conn:
            conn.execute(forms.delete().where(forms.c.id == form_id, forms.c.status == "draft"))

    def settle_forms(self, workshop_id: int) -> int:
        """Open and close the workshop's forms whose time has come (BaseStore._settle_due); a form that
        opens closes the one open before it (one at a time)."""
        return self._settle_due(forms, workshop_id, self._form_moved)

    def _settle_forms(self, conn: Connection, workshop_id: int, at: str) -> int:
        return self._settle_now(conn, forms, workshop_id, at, self._form_moved)

    def _form_moved(self, conn: Connection, f, st: str) -> None:
        if st == "open":
            conn.execute(forms.update().where(forms.c.workshop_id == f.workshop_id, forms.c.status == "open")
                         .values(status="closed"))
        conn.execute(forms.update().where(forms.c.id == f.id).values(status=st))
        self._log(conn, f.workshop_id, "form_" + st, form_id=f.id, by="clock")

    def open_form(self, workshop_id: int) -> dict | None:
        self.settle_forms(workshop_id)
        with self._tx() as conn:
            return _row(conn.execute(select(forms).where(forms.c.workshop_id == workshop_id,
                                                         forms.c.status == "open")).first())

    def save_response(self, form_id: int, participant_id: int, answers: dict, workshop_id: int | None = None) -> dict:
        """A participant's answers (the last ones count); only while the form is open."""
        from kit import evaluation

        with self._tx(write=True) as conn:
            f = _row(conn.execute(select(forms).where(forms.c.id == form_id)).first())
            if f is None or (workshop_id is not None and f["workshop_id"] != workshop_id):
                raise KitError("unknown_form", status=404)
            at = self.now_utc()
            status = voting.status_at(f["status"], f.get("opens_at"), f.get("closes_at"), at)
            if status != f["status"]:  # its time came: moved now, in this write
                self._settle_forms(conn, f["workshop_id"], at)
            if status != "open":
                raise KitError("form_closed", status=409)
            packs = self.instrument_packs()[0] if evaluation.uses_instruments(f["questions"]) else {}
            clean = evaluation.check_answers(f["questions"], answers, packs)
            if not clean:
                raise KitError("no_answers")
            conn.execute(responses.delete().where(responses.c.form_id == form_id,
                                                  responses.c.participant_id == participant_id))
            conn.execute(responses.insert().values(form_id=form_id, participant_id=participant_id, answers=clean,
                                                   updated_at=now()))
            self._bump(conn, f["workshop_id"])
            return clean

    def save_paper_response(self, form_id: int, answers: dict, group: str | None = None) -> dict:
        """A paper form typed in by the facilitator: a paper participant and their answers, in one
        transaction (a refused form leaves no empty participant behind)."""
        from kit import evaluation

        with self._tx(write=True) as conn:
            f = _row(conn.execute(select(forms).where(forms.c.id == form_id)).first())
            if f is None:
                raise KitError("unknown_form", status=404)
            if f["status"] != "open":
                raise KitError("form_closed", status=409)
            if group is not None and group not in self._groups(conn, f["workshop_id"]):
                raise KitError("unknown_group_named", group=str(group)[:40])
            questions = evaluation.paper_questions(f["questions"])
            clean = evaluation.check_answers(questions, answers)
            if not clean:
                raise KitError("no_answers")
            pid = conn.execute(participants.insert().values(
                workshop_id=f["workshop_id"], token_hash="paper:" + secrets.token_hex(16), nickname=None,
                stakeholder_group=group, language="fi", created_at=now(), kind="paper")).inserted_primary_key[0]
            conn.execute(responses.insert().values(form_id=form_id, participant_id=pid, answers=clean,
                                                   updated_at=now()))
            self._bump(conn, f["workshop_id"])
            self._log(conn, f["workshop_id"], "paper_form_entered", form_id=form_id)
            return clean

    # pairing codes (kit/evaluation.py): a baseline and its follow-up answered by the same person
    def new_pair_code(self, workshop_id: int, participant_id: int) -> str:
        """A new pairing code for this participant (shown once; the store keeps its hash). Asked
        again, a new one replaces it."""
        from kit import evaluation

        for _ in range(5):
            code = evaluation.new_pair_code()
            try:
                self._set_pair(workshop_id, participant_id, evaluation.pair_hash(code))
                return code
            except KitError as err:
                if err.code != "pair_code_taken":
                    raise
        raise KitError("pair_code_taken", status=409)

    def use_pair_code(self, workshop_id: int, participant_id: int, code) -> str:
        """This participant keeps a code they had at an earlier meeting of the network: a code no
        earlier meeting knows is refused (404 pair_code_unknown, most likely mistyped), and so is a
        code another device in this meeting already presented (409 pair_code_taken)."""
        from kit import evaluation

        code = evaluation.pair_code(code)
        h = evaluation.pair_hash(code)
        with self._tx() as conn:
            others = [m for m in self._meeting_ids(conn, workshop_id) if m != workshop_id]
            known = others and conn.execute(select(participants.c.id).where(
                participants.c.workshop_id.in_(others), participants.c.pair_code == h)).first()
        if not known:
            raise KitError("pair_code_unknown", status=404)
        self._set_pair(workshop_id, participant_id, h)
        return code

    def forget_pair_code(self, workshop_id: int, participant_id: int) -> None:
        self._set_pair(workshop_id, participant_id, None)

    def _set_pair(self, workshop_id: int, participant_id: int, h: str | None) -> None:
        with self._tx(write=True) as conn:
            if h is not None and conn.execute(select(participants.c.id).where(
                    participants.c.workshop_id == workshop_id, participants.c.pair_code == h,
                    participants.c.id != participant_id)).first():
                raise KitError("pair_code_taken", status=409)
            try:
                with conn.begin_nested():  # the database has the last word (two processes at once)
                    conn.execute(participants.update().where(participants.c.id == participant_id,
                                                             participants.c.workshop_id == workshop_id)
                                 .values(pair_code=h))
            except IntegrityError:
                raise KitError("pair_code_taken", status=409) from None
            self._bump(conn, workshop_id)

    def is_paired(self, participant_id: int) -> bool:
        with self._tx() as conn:
            return conn.execute(select(participants.c.pair_code).where(participants.c.id == participant_id)
                                ).scalar() is not None

    def pair_keys(self, workshop_ids: list[int]) -> dict[int, str]:
        """{participant id: the hash of their pairing code} for these meetings' paired participants."""
        with self._tx() as conn:
            return {r.id: r.pair_code for r in conn.execute(select(participants.c.id, participants.c.pair_code).where(
                participants.c.workshop_id.in_(workshop_ids), participants.c.pair_code.is_not(None)))}

    def response_of(self, form_id: int, participant_id: int) -> dict | None:
        """One participant's answers to a form (None if they have not answered)."""
        with self._tx() as conn:
            return conn.execute(select(responses.c.answers).where(
                responses.c.form_id == form_id, responses.c.participant_id == participant_id)).scalar()

    def responses(self, form_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(responses).where(responses.c.form_id == form_id).order_by(responses.c.id))]

    def add_indicator_result(self, indicator_id: int, value: float, source: str, day: str | None = None) -> dict:
        """A measured value for an indicator (a survey import, a count); the latest is shown as now."""
        with self._tx(write=True) as conn:
            row = _row(conn.execute(select(indicators).where(indicators.c.id == indicator_id)).first())
            if row is None:
                raise KitError("bad_field", field="indicator")
            data = dict(row["data"])
            data["results"] = list(data.get("results") or []) + [
                {"value": value, "source": str(source)[:120], "date": clean_date(day) or now()[:10]}]
            conn.execute(indicators.update().where(indicators.c.id == indicator_id).values(data=data))
            self._bump_network(conn, row["workshop_id"])
        return {"id": indicator_id, **data}

    def approve_answer(self, form_id: int, response_id: int, question_id: str, approved: bool = True) -> None:
        """Open answers are shown only after the facilitator has read and approved them."""
        with self._tx(write=True) as conn:
            f = _row(conn.execute(select(forms).where(forms.c.id == form_id)).first())
            if f is None:
                raise KitError("unknown_form", status=404)
            key = f"{response_id}:{question_id}"
            keys = [k for k in (f["approved"] or []) if k != key] + ([key] if approved else [])
            conn.execute(forms.update().where(forms.c.id == form_id).values(approved=keys))
            self._bump(conn, f["workshop_id"])

    def log_activity(self, workshop_id: int, day: str, kind: str, participants: dict, staff_hours: int | None = None,
                     node_id: int | None = None) -> dict:
        """One implemented activity: date, type, participants by stakeholder group, staff hours."""
        day = clean_date(day)
        if day is None:
            raise KitError("bad_date", value="")
        kind = voting.clean_idea_text(kind)
        with self._tx(write=True) as conn:
            groups = self._groups(conn, workshop_id)
            if not isinstance(participants, dict):
                raise KitError("bad_field", field="participants")
            for g, n in participants.items():
                if g not in groups:
                    raise KitError("unknown_group_named", group=str(g)[:40])
                if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 100000:
                    raise KitError("bad_count", group=str(g)[:40])
            if staff_hours is not None and (isinstance(staff_hours, bool) or not isinstance(staff_hours, int)
                                            or not 0 <= staff_hours <= 100000):
                raise KitError("bad_field", field="staff_hours")
            aid = conn.execute(activity_log.insert().values(
                workshop_id=self._home(conn, workshop_id), date=day, type=kind, participants=participants, staff_hours=staff_hours,
                node_id=node_id, created_at=now())).inserted_primary_key[0]
            self._bump_network(conn, workshop_id)
            return _row(conn.execute(select(activity_log).where(activity_log.c.id == aid)).first())

    def _groups(self, conn: Connection, workshop_id: int) -> list[str]:
        from kit import workshop as wsmod

        tid = conn.execute(select(workshops.c.template).where(workshops.c.id == workshop_id)).scalar()
        if tid is None:
            raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
        return [g["id"] for g in wsmod.template(tid)["stakeholder_groups"]]

    def set_criterion(self, workshop_id: int, criterion: str, status: str, evidence: str = "") -> None:
        """The promising-practice checklist: a status and the evidence for one criterion."""
        if status not in ("not_started", "partly", "met"):
            raise KitError("bad_field", field="status")
        if not isinstance(evidence, str) or len(evidence) > 2000:
            raise KitError("bad_field", field="evidence")
        plan = self.plan(workshop_id)
        crit = dict(plan.get("criteria") or {})
        crit[str(criterion)[:40]] = {"status": status, "evidence": evidence.strip()}
        plan["criteria"] = crit
        self.set_setting(workshop_id, "plan", plan)

    def activity_log(self, workshop_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(activity_log).where(activity_log.c.workshop_id == self._home(conn, workshop_id))
                .order_by(activity_log.c.date, activity_log.c.id))]

