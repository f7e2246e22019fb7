"""Rounds, ballots and their marks, paper entries, budgeting import and export, results."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import (
    bindparam,
    func,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from kit import voting
from kit.errors import KitError
from kit.numbers import amount_text
from kit.store.base import _BATCH as _BATCH_STATE
from kit.store.base import BaseStore, _row, now
from kit.store.schema import (
    ballot_marks,
    ballots,
    code_uses,
    ideas,
    paper_entries,
    participants,
    round_items,
    rounds,
    voting_codes,
)

# The statements of a ballot, built once: a burst of ballots spends its time on them, and SQLAlchemy
# builds and keys an expression anew on every call otherwise (about half a ballot's cost).
_ROUND = select(rounds).where(rounds.c.id == bindparam("rid"))
_PARTICIPANT_WORKSHOP = select(participants.c.workshop_id).where(participants.c.id == bindparam("pid"))
_VOTABLE = (select(round_items.c.idea_id)
            .select_from(round_items.join(ideas, ideas.c.id == round_items.c.idea_id))
            .where(round_items.c.round_id == bindparam("rid"), ideas.c.status == "visible"))
_BALLOT = select(ballots.c.id, ballots.c.revision).where(
    ballots.c.round_id == bindparam("rid"), ballots.c.participant_id == bindparam("pid"))
_BALLOT_INSERT = ballots.insert()
_BALLOT_REVISE = ballots.update().where(ballots.c.id == bindparam("bid")).values(
    revision=bindparam("rev"), updated_at=bindparam("ts"))
_BALLOT_DELETE = ballots.delete().where(ballots.c.id == bindparam("bid"))
_MARKS_DELETE = ballot_marks.delete().where(ballot_marks.c.ballot_id == bindparam("bid"))
_MARKS_INSERT = ballot_marks.insert()


# a binding rule as pabulib's META `rule` names it
PB_FILE_RULE = {"mes": "equalshares/add1", "greedy": "greedy", "choose1": "choose-1"}


def pb_costs(rows: list[dict], budget: str) -> dict[str, str]:
    """The costs a budgeting vote opens with; refuses what would make its count meaningless, naming
    every project that blocks it (not only the first), so one look shows everything to fix."""
    from fractions import Fraction

    missing = [r["text"][:80] for r in rows if r.get("cost") is None]
    if missing:
        raise KitError("cost_missing", status=409, projects=missing, n=len(missing))
    over = [r["text"][:80] for r in rows if Fraction(r["cost"]) > Fraction(budget)]
    if over:
        raise KitError("project_over_budget", status=409, projects=over, n=len(over), budget=budget)
    seen: dict = {}
    twins: list[str] = []
    for r in rows:
        key = " ".join(r["text"].split()).casefold()
        if key in seen and r["text"][:80] not in twins:
            twins.append(r["text"][:80])
        seen[key] = r["id"]
    if twins:
        raise KitError("duplicate_project", status=409, projects=twins, n=len(twins))
    return {str(r["id"]): r["cost"] for r in rows}


def ballot_view(method: str, marks: dict) -> dict:
    """A ballot as the API shows it: marks, plus dots / choices / ranking by method."""
    out: dict = {"marks": marks}
    if method == "dots":
        out["dots"] = marks
    elif method == "ranking":
        out["ranking"] = [i for i, _ in sorted(marks.items(), key=lambda kv: kv[1])]
    else:
        out["choices"] = sorted(marks)
    return out



@dataclass(frozen=True)
class RoundResults:
    """A round counted: its items in order, every ballot, and the scores with their ranks."""

    round: dict
    items: list[dict]  # {id, text, status, cost}, in the ballot's order
    ballots: list[dict]  # as Store.round_ballots gives them
    results: list[voting.Result]  # sorted by score, competition ranks

    @property
    def item_ids(self) -> list[int]:
        return [i["id"] for i in self.items]


class VotingStore(BaseStore):
    """Rounds, ballots and their marks, paper entries, budgeting import and export, results."""

    def create_round(self, workshop_id: int, title: str, preset: str = "n3",
                     dots: int | None = None, cap: int | None = None, method: str = "dots",
                     options: dict | None = None, idea_ids=None, titles: dict | None = None) -> dict:
        """A round in draft. Its rules are fixed when it opens (when N is known). `idea_ids` limits
        the ballot to those ideas (a run-off, or the projects of a budgeting vote); else every
        visible idea at opening time is on it. `titles` ({fi, sv, en}) is a title per language (a
        default title, the demo's), shown to each reader in theirs (voting.round_title)."""
        if method == "dots":
            voting.check_preset(preset, dots, cap)
            rules = {"preset": preset, "dots": dots, "cap": cap}
        else:
            rules = voting.check_options(method, options)
        if titles:
            from kit.config import LANGUAGES
            from kit.text import clean_text

            rules["titles"] = {k: clean_text(v, 200, "too_long", "title") for k, v in titles.items()
                               if k in LANGUAGES and isinstance(v, str) and v.strip()}
        if idea_ids is not None:
            rules["items"] = [int(i) for i in idea_ids]
            if not rules["items"]:
                raise KitError("no_items_to_vote", status=409)
        default_title = (titles or {}).get("fi") or ""
        with self._tx(write=True) as conn:
            res = conn.execute(
                rounds.insert().values(
                    workshop_id=workshop_id, title=(title or "").strip() or default_title, method=method,
                    status="draft", rules=rules, results_visible=False, created_at=now(),
                )
            )
            self._bump(conn, workshop_id)
            rid = res.inserted_primary_key[0]
            self._log(conn, workshop_id, "round_created", round_id=rid, method=method,
                      preset=preset if method == "dots" else None)
            return _row(conn.execute(select(rounds).where(rounds.c.id == rid)).first())

    def round(self, round_id: int) -> dict:
        with self._tx() as conn:
            row = _row(conn.execute(select(rounds).where(rounds.c.id == round_id)).first())
        if row is None:
            raise KitError("unknown_round", status=404, round=round_id)
        return self._as_now(row)

    def _as_now(self, r: dict) -> dict:
        """A round with its status by the store's clock (a period that began or ended since)."""
        st = voting.status_at(r["status"], r.get("opens_at"), r.get("closes_at"), self.now_utc())
        return r if st == r["status"] else {**r, "status": st}

    def settle_rounds(self, workshop_id: int) -> int:
        """Open and close the workshop's rounds whose time has come (BaseStore._settle_due)."""
        return self._settle_due(rounds, workshop_id, self._round_moved)

    def _settle(self, conn: Connection, workshop_id: int, at: str) -> int:
        return self._settle_now(conn, rounds, workshop_id, at, self._round_moved)

    def _round_moved(self, conn: Connection, r, st: str) -> None:
        values = {"status": st}
        if r.status == "scheduled":
            values["opened_at"] = r.opens_at
        if st == "closed":
            values["closed_at"] = r.closes_at
        conn.execute(rounds.update().where(rounds.c.id == r.id, rounds.c.status == r.status).values(**values))
        self._log(conn, r.workshop_id, "round_" + ("closed" if st == "closed" else "opened"), round_id=r.id, by="clock")

    def schedule_round(self, round_id: int, opens: str, closes: str) -> dict:
        """A draft round open for a period: opens and closes (local "YYYY-MM-DD HH:MM" in the
        network's time zone, default Europe/Helsinki) on its own. Its items and rules are fixed now,
        as when a round opens by hand; participants see when it opens and closes."""
        r = self.round(round_id)
        tz = (self.network_of(r["workshop_id"]).get("info") or {}).get("timezone")
        opens_at, closes_at = voting.period(opens, closes, tz, self.now_utc())
        self.open_round(round_id, opens_at=opens_at, closes_at=closes_at)
        self.settle_rounds(r["workshop_id"])  # a period that began already opens at once
        return self.round(round_id)

    def rounds(self, workshop_id: int) -> list[dict]:
        self.settle_rounds(workshop_id)
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(rounds).where(rounds.c.workshop_id == workshop_id).order_by(rounds.c.id)
            )]

    def open_round(self, round_id: int, opens_at: str | None = None, closes_at: str | None = None) -> dict:
        """Open a draft round: its items are fixed now, and so are its rules (dots per person, the
        budget and every project's cost, the lot that breaks full ties). Nothing is stored when a
        check fails (a project without a cost or over the whole budget, two projects named alike)."""
        with self._tx(write=True) as conn:
            r = _row(conn.execute(select(rounds).where(rounds.c.id == round_id)).first())
            if r is None:
                raise KitError("unknown_round", status=404, round=round_id)
            if r["status"] != "draft":
                raise KitError("round_not_draft", status=409)
            q = select(ideas).where(ideas.c.workshop_id == r["workshop_id"], ideas.c.status == "visible")
            chosen = r["rules"].get("items")
            if chosen is not None:
                q = q.where(ideas.c.id.in_(chosen))
            rows = [_row(x) for x in conn.execute(q.order_by(ideas.c.id))]
            if chosen is not None:
                missing = sorted(set(chosen) - {i["id"] for i in rows})
                if missing:
                    raise KitError("item_not_votable", idea=missing[0])
            items = [i["id"] for i in rows]
            if r["method"] == "dots":
                d = voting.dot_rules(r["rules"]["preset"], len(items), r["rules"].get("dots"), r["rules"].get("cap"))
                rules = {**r["rules"], "dots": d.dots_per_person, "cap": d.per_item_cap}
            else:
                rules = {**r["rules"], **voting.fix_rules(r["method"], r["rules"], len(items))}
            if r["method"] == "pb":
                rules["costs"] = pb_costs(rows, rules["budget"])
            if r["method"] in ("pb", "choose_one", "approval", "ranking", "dots"):
                lot = list(items)
                secrets.SystemRandom().shuffle(lot)  # drawn before any vote, kept for every count
                rules["lot"] = lot
            for pos, iid in enumerate(items):
                conn.execute(round_items.insert().values(round_id=round_id, idea_id=iid, position=pos))
            conn.execute(rounds.update().where(rounds.c.id == round_id).values(
                status="scheduled" if opens_at else "open", opened_at=None if opens_at else now(), rules=rules,
                opens_at=opens_at, closes_at=closes_at))
            self._bump(conn, r["workshop_id"])
            self._log(conn, r["workshop_id"], "round_opened", round_id=round_id, items=len(items),
                      method=r["method"])
        return self.round(round_id)

    def delete_draft_round(self, round_id: int) -> None:
        with self._tx(write=True) as conn:
            r = _row(conn.execute(select(rounds).where(rounds.c.id == round_id)).first())
            if r is None or r["status"] != "draft":
                return
            conn.execute(rounds.delete().where(rounds.c.id == round_id))
            self._bump(conn, r["workshop_id"])
            self._log(conn, r["workshop_id"], "round_discarded", round_id=round_id)

    def close_round(self, round_id: int) -> dict:
        with self._tx(write=True) as conn:
            r = _row(conn.execute(select(rounds).where(rounds.c.id == round_id)).first())
            if r is None:
                raise KitError("unknown_round", status=404, round=round_id)
            if r["status"] != "open":
                raise KitError("round_not_open", status=409)
            conn.execute(rounds.update().where(rounds.c.id == round_id).values(status="closed", closed_at=now()))
            self._bump(conn, r["workshop_id"])
            self._log(conn, r["workshop_id"], "round_closed", round_id=round_id)
        return self.round(round_id)

    def set_results_visible(self, round_id: int, visible: bool) -> None:
        with self._tx(write=True) as conn:
            wid = conn.execute(select(rounds.c.workshop_id).where(rounds.c.id == round_id)).scalar()
            if wid is None:
                raise KitError("unknown_round", status=404, round=round_id)
            conn.execute(rounds.update().where(rounds.c.id == round_id).values(results_visible=bool(visible)))
            self._bump(conn, wid)
            self._log(conn, wid, "results_shown" if visible else "results_hidden", round_id=round_id)

    def round_items(self, round_id: int) -> list[dict]:
        """The ideas of a round in their order (hidden ones too: moderation after opening hides text only)."""
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(ideas.c.id, ideas.c.text, ideas.c.status, ideas.c.cost)
                .select_from(round_items.join(ideas, ideas.c.id == round_items.c.idea_id))
                .where(round_items.c.round_id == round_id)
                .order_by(round_items.c.position)
            )]

    def current_round(self, workshop_id: int) -> dict | None:
        """The round participants see: the open one, else the latest opened, scheduled or closed one."""
        self.settle_rounds(workshop_id)
        with self._tx() as conn:
            row = conn.execute(
                select(rounds).where(rounds.c.workshop_id == workshop_id, rounds.c.status != "draft")
                .order_by((rounds.c.status == "open").desc(), rounds.c.id.desc())
            ).first()
        return _row(row)

    def save_dot_ballot(self, round_id: int, participant_id: int, dots: dict, workshop_id: int | None = None) -> dict:
        return self.save_ballot(round_id, participant_id, {"dots": dots}, workshop_id)

    def save_ballot(self, round_id: int, participant_id: int, body: dict, workshop_id: int | None = None,
                    source: str = "device", participant_checked: bool = False) -> dict:
        """Replace the participant's ballot in the round (the last one counts; never two). Validated
        inside the same transaction that checks the round is open, so a close can never let a late
        vote in. An empty ballot of a choice method withdraws the vote. `participant_checked`: the
        caller found the participant in `workshop_id` in this same transaction (by their token)."""
        with self._tx(write=True) as conn:
            r = self._open_round_for_ballot(conn, round_id, None if participant_checked and workshop_id is not None
                                            else participant_id, workshop_id)
            if r["rules"].get("codes") and source == "device":
                self._use_code(conn, r, participant_id, body.get("code") if isinstance(body, dict) else None)
                marks = voting.validate_ballot(r["method"], r["rules"], self._votable(conn, round_id), body)
                if "code" in body and not any(marks.values()) and conn.execute(
                        _BALLOT, {"rid": round_id, "pid": participant_id}).first() is None:
                    # the code alone (nothing chosen yet): used for this device, and no empty ballot counted
                    self._bump(conn, r["workshop_id"])
                    return self._ballot_reply(r, {}, 0, now(), r["method"] != "dots")
            return self._write_ballot(conn, r, participant_id, body, source)

    # -- one-time voting codes (issue 19, item 4) --------------------------------------------------
    def issue_codes(self, round_id: int, count) -> list[str]:
        """`count` new one-time voting codes for a round, which from now on needs one for a vote from
        a device (a paper ballot or the shared tablet is checked in the room). Returned once, to
        print or mail-merge; the store keeps only their hashes, and nothing links a code to a person.
        Refused: a closed round, and a first batch for a round that already has votes from devices
        (they came without a code: one person, one vote could not hold)."""
        n = voting.code_count(count)
        codes = [voting.new_voting_code() for _ in range(n)]
        with self._tx(write=True) as conn:
            r = _row(conn.execute(select(rounds).where(rounds.c.id == round_id)).first())
            if r is None:
                raise KitError("unknown_round", status=404, round=round_id)
            if voting.status_at(r["status"], r.get("opens_at"), r.get("closes_at"), self.now_utc()) == "closed":
                raise KitError("codes_round_closed", status=409, round=round_id)
            if not r["rules"].get("codes") and conn.execute(
                    select(func.count()).select_from(ballots).where(
                        ballots.c.round_id == round_id, ballots.c.source == "device")).scalar():
                raise KitError("codes_after_votes", status=409)
            ts = now()
            conn.execute(voting_codes.insert(), [{"round_id": round_id, "code_hash": voting.voting_code_hash(c),
                                                  "created_at": ts} for c in codes])
            if not r["rules"].get("codes"):
                conn.execute(rounds.update().where(rounds.c.id == round_id).values(rules={**r["rules"], "codes": True}))
            self._bump(conn, r["workshop_id"])
            self._log(conn, r["workshop_id"], "codes_issued", round_id=round_id, n=n)
        return codes

    def code_counts(self, round_id: int) -> dict:
        """{"issued", "used"}: how many voting codes a round has and how many unlocked a ballot."""
        with self._tx() as conn:
            issued = conn.execute(select(func.count()).select_from(voting_codes)
                                  .where(voting_codes.c.round_id == round_id)).scalar()
            used = conn.execute(select(func.count()).select_from(code_uses)
                                .where(code_uses.c.round_id == round_id)).scalar()
        return {"issued": issued, "used": used}

    def has_code(self, round_id: int, participant_id: int) -> bool:
        with self._tx() as conn:
            return conn.execute(select(code_uses.c.code_id).where(
                code_uses.c.round_id == round_id, code_uses.c.participant_id == participant_id)).first() is not None

    def _use_code(self, conn: Connection, r: dict, participant_id: int, code) -> None:
        """This device's ballot in a round that needs a voting code: the code it used before, else the
        one it sends now, used here once and for all (in the ballot's own transaction: a ballot
        refused for another reason leaves the code unused)."""
        if conn.execute(select(code_uses.c.code_id).where(
                code_uses.c.round_id == r["id"], code_uses.c.participant_id == participant_id)).first():
            return
        if code is None or (isinstance(code, str) and not code.strip()):
            raise KitError("voting_code_required", status=403)
        h = voting.voting_code_hash(code)
        cid = conn.execute(select(voting_codes.c.id).where(
            voting_codes.c.code_hash == h, voting_codes.c.round_id == r["id"])).scalar()
        if cid is None:
            raise KitError("voting_code_unknown", status=403)
        try:
            with conn.begin_nested():  # a used code is refused by the code's key, whichever process answers
                conn.execute(code_uses.insert().values(code_id=cid, round_id=r["id"], participant_id=participant_id,
                                                       used_at=now()))
        except IntegrityError:
            raise KitError("voting_code_used", status=409) from None

    def _open_round_for_ballot(self, conn: Connection, round_id: int, participant_id: int,
                               workshop_id: int | None) -> dict:
        r = self._once_per_batch(("round", round_id), lambda: _row(conn.execute(_ROUND, {"rid": round_id}).first()))
        if r is None or (workshop_id is not None and r["workshop_id"] != workshop_id):
            raise KitError("unknown_round", status=404, round=round_id)
        if participant_id is not None:
            p_wid = conn.execute(_PARTICIPANT_WORKSHOP, {"pid": participant_id}).scalar()
            if p_wid != r["workshop_id"]:
                raise KitError("not_joined", status=401)
        at = self.now_utc()
        status = voting.status_at(r["status"], r.get("opens_at"), r.get("closes_at"), at)
        if status != r["status"]:  # its time came: moved now, in this write, as a close by hand would be
            self._settle(conn, r["workshop_id"], at)
            if getattr(_BATCH_STATE, "memo", None):
                _BATCH_STATE.memo.pop(("round", round_id), None)
        if status == "closed":
            raise KitError("round_closed", status=409)
        if status == "scheduled":
            raise KitError("round_not_yet_open", status=409, opens=r["opens_at"])
        if status != "open":
            raise KitError("round_not_open", status=409)
        return r

    def _votable(self, conn: Connection, round_id: int) -> list[int]:
        # ideas hidden, rejected or merged after the round opened can no longer receive votes
        return self._once_per_batch(("votable", round_id), lambda: [
            row.idea_id for row in conn.execute(_VOTABLE, {"rid": round_id})])

    def _write_ballot(self, conn: Connection, r: dict, participant_id: int, body: dict, source: str) -> dict:
        round_id = r["id"]
        marks = voting.validate_ballot(r["method"], r["rules"], self._votable(conn, round_id), body)
        ts = now()
        existing = conn.execute(_BALLOT, {"rid": round_id, "pid": participant_id}).first()
        withdrawn = r["method"] != "dots" and not marks
        if withdrawn:
            if existing is not None:
                conn.execute(_BALLOT_DELETE, {"bid": existing.id})
            revision = (existing.revision + 1) if existing else 0
        elif existing is None:
            bid = conn.execute(_BALLOT_INSERT, {
                "round_id": round_id, "participant_id": participant_id, "revision": 1,
                "created_at": ts, "updated_at": ts, "source": source}).inserted_primary_key[0]
            revision = 1
        else:
            bid, revision = existing.id, existing.revision + 1
            conn.execute(_BALLOT_REVISE, {"bid": bid, "rev": revision, "ts": ts})
            conn.execute(_MARKS_DELETE, {"bid": bid})
        if not withdrawn:
            rows = [{"ballot_id": bid, "idea_id": k, "mark": v} for k, v in marks.items() if v > 0]
            if rows:
                conn.execute(_MARKS_INSERT, rows)
        self._bump(conn, r["workshop_id"])
        return self._ballot_reply(r, {k: v for k, v in marks.items() if v > 0}, revision, ts, withdrawn)

    @staticmethod
    def _ballot_reply(r: dict, marks: dict, revision: int, ts: str, withdrawn: bool) -> dict:
        out = ballot_view(r["method"], marks)
        out.update({"round_id": r["id"], "revision": revision, "saved_at": ts, "withdrawn": withdrawn,
                    "method": r["method"], "rules": r["rules"]})
        if r["method"] == "dots":
            out["dots_per_person"] = r["rules"]["dots"]
        return out

    def ballot_of(self, round_id: int, participant_id: int) -> dict | None:
        with self._tx() as conn:
            b = conn.execute(
                select(ballots, rounds.c.method)
                .select_from(ballots.join(rounds, rounds.c.id == ballots.c.round_id))
                .where(ballots.c.round_id == round_id, ballots.c.participant_id == participant_id)
            ).first()
            if b is None:
                return None
            marks = {r.idea_id: r.mark for r in conn.execute(
                select(ballot_marks).where(ballot_marks.c.ballot_id == b.id))}
        out = ballot_view(b.method, marks)
        out.update({"round_id": round_id, "revision": b.revision, "saved_at": b.updated_at})
        return out

    def round_ballots(self, round_id: int) -> list[dict]:
        """Every ballot of a round, whatever its method, as {participant_id, group, source,
        marks{idea_id: mark}}, empty ballots too."""
        with self._tx() as conn:
            out: dict[int, dict] = {}
            for b in conn.execute(
                select(ballots.c.id, ballots.c.participant_id, ballots.c.source, participants.c.stakeholder_group)
                .select_from(ballots.join(participants, participants.c.id == ballots.c.participant_id))
                .where(ballots.c.round_id == round_id)
                .order_by(ballots.c.id)
            ):
                marks: dict = {}
                out[b.id] = {"participant_id": b.participant_id, "group": b.stakeholder_group,
                             "source": b.source or "device", "marks": marks}
            if out:
                for d in conn.execute(
                    select(ballot_marks).where(ballot_marks.c.ballot_id.in_(list(out)))
                ):
                    out[d.ballot_id]["marks"][d.idea_id] = d.mark
        return list(out.values())

    def results(self, round_id: int) -> RoundResults:
        """The count of a round by its method, from the ballots as stored now: the one tally that the
        phones, the projector, the report and the exports all show."""
        r = self.round(round_id)
        items = self.round_items(round_id)
        ballots_ = self.round_ballots(round_id)
        res = voting.tally_marks(r["method"], r["rules"], [i["id"] for i in items], [b["marks"] for b in ballots_])
        return RoundResults(r, items, ballots_, res)

    def ballot_count(self, round_id: int) -> int:
        with self._tx() as conn:
            return conn.execute(
                select(func.count()).select_from(ballots).where(ballots.c.round_id == round_id)
            ).scalar()

    def election(self, round_id: int):
        """A budgeting round as a kit.budgeting.Election: the costs and lot fixed at opening, one
        approval ballot per voter (paper and kiosk voters included)."""
        from fractions import Fraction

        from kit import budgeting

        r = self.round(round_id)
        if r["method"] != "pb" or r["status"] == "draft":
            raise KitError("not_a_pb_round", status=409)
        items = self.round_items(round_id)
        costs = r["rules"]["costs"]
        projects = [budgeting.Project(str(i["id"]), Fraction(costs[str(i["id"])]), i["text"]) for i in items]
        ballots_ = [{str(k): 1 for k in b["marks"]} for b in self.round_ballots(round_id)]
        return budgeting.Election(Fraction(r["rules"]["budget"]), projects, ballots_, "approval",
                                  meta={"description": voting.round_title(r, "en")},
                                  lot=[str(i) for i in r["rules"].get("lot", [])])

    def pb_file(self, round_id: int) -> str:
        """A budgeting round as a pabulib .pb file (voters numbered 1..n, nothing else about them)."""
        from kit import budgeting

        e = self.election(round_id)
        ws = self.workshop(self.round(round_id)["workshop_id"])
        e.meta = {"description": e.meta.get("description", ""), "country": "Finland", "unit": ws["title"],
                  "instance": ws["created_at"][:10], "language": ws["language"], "currency": "EUR",
                  "rule": PB_FILE_RULE[voting.pb_rule(self.round(round_id)["rules"])]}
        return budgeting.write_pb(e)

    def import_pb(self, workshop_id: int, text: str, title: str | None = None) -> dict:
        """A .pb file as a closed budgeting round of this workshop: its projects become ideas (with
        their costs), its votes ballots of imported voters; then the projector, the report and the
        exports show it like a vote taken here. All or nothing."""
        from kit import budgeting

        e = budgeting.read_pb(text)
        if e.vote_type not in ("approval", "choose-1"):
            raise KitError("pb_vote_type", vote_type=e.vote_type)
        budgeting.check_election(e)
        too_big = budgeting.not_fundable(e)
        if too_big:
            raise KitError("project_over_budget", status=409, projects=[e.project(p).label[:80] for p in too_big],
                           n=len(too_big), budget=amount_text(e.budget))
        title = (title or e.meta.get("description") or "PB").strip()[:200]
        with self._tx(write=True) as conn:
            ts = now()
            idea_of = {}
            for proj in e.projects:
                idea_of[proj.id] = conn.execute(ideas.insert().values(
                    workshop_id=workshop_id, participant_id=None, text=voting.clean_idea_text(proj.label),
                    status="visible", created_at=ts, cost=amount_text(proj.cost),
                )).inserted_primary_key[0]
            items = list(idea_of.values())
            # the rule the file says it was decided with (pabulib's names), else equal shares
            named = str(e.meta.get("rule", "")).lower()
            rule = "greedy" if named.startswith("greedy") else "choose1" if named.startswith("choose") else "mes"
            rules = {"budget": amount_text(e.budget), "max": None, "items": items, "rule": rule,
                     "costs": {str(idea_of[p.id]): amount_text(p.cost) for p in e.projects},
                     "lot": items, "imported": True}
            rid = conn.execute(rounds.insert().values(
                workshop_id=workshop_id, title=title, method="pb", status="closed", rules=rules,
                results_visible=False, created_at=ts, opened_at=ts, closed_at=ts,
            )).inserted_primary_key[0]
            for pos, iid in enumerate(items):
                conn.execute(round_items.insert().values(round_id=rid, idea_id=iid, position=pos))
            marks_rows = []
            for b in e.ballots:
                pid = conn.execute(participants.insert().values(
                    workshop_id=workshop_id, token_hash="import:" + secrets.token_hex(16),
                    language="fi", created_at=ts, kind="import",
                )).inserted_primary_key[0]
                bid = conn.execute(ballots.insert().values(
                    round_id=rid, participant_id=pid, revision=1, created_at=ts, updated_at=ts, source="import",
                )).inserted_primary_key[0]
                marks_rows += [{"ballot_id": bid, "idea_id": idea_of[k], "mark": 1} for k, v in b.items() if v > 0]
            if marks_rows:
                conn.execute(ballot_marks.insert(), marks_rows)
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "pb_imported", round_id=rid, projects=len(items), ballots=len(e.ballots))
        return self.round(rid)

    def enter_paper_ballot(self, round_id: int, serial: str, body: dict, group: str | None = None) -> dict:
        """Double entry: the first entry of a paper ballot is kept aside; the second must agree with
        it, and then the ballot counts (as a paper voter). A second entry that differs is refused and
        nothing changes: check the paper, then enter it again or clear the first entry."""
        serial = (serial or "").strip()[:32] if isinstance(serial, str) else ""
        if not serial:
            raise KitError("paper_serial_required")
        with self._tx(write=True) as conn:
            r = self._open_round_for_ballot(conn, round_id, None, None)
            marks = voting.validate_ballot(r["method"], r["rules"], self._votable(conn, round_id), body)
            stored = {str(k): v for k, v in marks.items() if v > 0}
            first = _row(conn.execute(select(paper_entries).where(
                paper_entries.c.round_id == round_id, paper_entries.c.serial == serial)).first())
            if first is None:
                conn.execute(paper_entries.insert().values(round_id=round_id, serial=serial, marks=stored,
                                                           stakeholder_group=group, created_at=now()))
                self._bump(conn, r["workshop_id"])
                return {"status": "first", "serial": serial}
            if first["ballot_id"] is not None:
                raise KitError("paper_already_counted", status=409, serial=serial)
            if first["marks"] != stored or (first["stakeholder_group"] or None) != (group or None):
                raise KitError("paper_mismatch", status=409, serial=serial)
            pid = conn.execute(participants.insert().values(
                workshop_id=r["workshop_id"], token_hash="paper:" + secrets.token_hex(16), nickname=None,
                stakeholder_group=group, language="fi", created_at=now(), kind="paper",
            )).inserted_primary_key[0]
            saved = self._write_ballot(conn, r, pid, body, "paper")
            bid = conn.execute(select(ballots.c.id).where(
                ballots.c.round_id == round_id, ballots.c.participant_id == pid)).scalar()
            conn.execute(paper_entries.update().where(paper_entries.c.id == first["id"]).values(ballot_id=bid))
            self._log(conn, r["workshop_id"], "paper_ballot", round_id=round_id, serial=serial)
            return {"status": "counted", "serial": serial, "ballot": saved}

    def clear_paper_entry(self, round_id: int, serial: str) -> None:
        with self._tx(write=True) as conn:
            row = _row(conn.execute(select(paper_entries).where(
                paper_entries.c.round_id == round_id, paper_entries.c.serial == serial)).first())
            if row is None:
                return
            if row["ballot_id"] is not None:
                raise KitError("paper_already_counted", status=409, serial=serial)
            conn.execute(paper_entries.delete().where(paper_entries.c.id == row["id"]))
            wid = conn.execute(select(rounds.c.workshop_id).where(rounds.c.id == round_id)).scalar()
            self._bump(conn, wid)

    def paper_entries(self, round_id: int) -> list[dict]:
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(
                select(paper_entries).where(paper_entries.c.round_id == round_id).order_by(paper_entries.c.id))]

