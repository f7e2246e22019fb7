"""What a person can take back and what leaves the store: withdrawal, purge, backup and restore."""

from __future__ import annotations

import json
import secrets

from sqlalchemy import (
    Table,
    func,
    or_,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import StatementError

from kit.errors import KitError
from kit.store.base import BaseStore, _row, now
from kit.store.schema import (
    _TABLES,
    SCHEMA_VERSION,
    action_reviews,
    activities,
    activity_log,
    actors,
    agenda_items,
    code_uses,
    assignments,
    ballot_marks,
    ballots,
    competence_levels,
    events,
    forms,
    holders,
    ideas,
    indicators,
    links,
    networks,
    lm_edges,
    lm_nodes,
    offers,
    paper_entries,
    participants,
    question_votes,
    questions,
    responses,
    round_items,
    rounds,
    snapshots,
    tasks,
    terms,
    tray_feedback,
    tray_interests,
    voting_codes,
    words,
    workshops,
)

# -- backup and restore ---------------------------------------------------------------------------
BACKUP_FORMAT = "codesign-kit-backup"


# a meeting's tables in the order a restore inserts them (parents first)
BACKUP_TABLES = ("participants", "ideas", "rounds", "round_items", "ballots", "ballot_marks",
                 "paper_entries", "actors", "links", "snapshots", "holders", "tasks", "assignments",
                 "competence_levels", "terms", "offers", "lm_nodes", "lm_edges", "indicators", "forms",
                 "responses", "activity_log", "activities", "tray_interests", "events",
                 "agenda_items", "words", "questions", "question_votes", "action_reviews",
                 "voting_codes", "code_uses", "tray_feedback")
# the network's shared tables: kept under its first meeting (kit/store/networks.py)
SHARED_TABLES = ("holders", "tasks", "lm_nodes", "indicators", "activity_log", "activities")


_REFS = {  # column -> table whose id it holds
    "workshop_id": "workshops", "participant_id": "participants", "idea_id": "ideas",
    "round_id": "rounds", "ballot_id": "ballots", "suggested_by": "participants",
    "source_id": "actors", "target_id": "actors", "actor_id": "actors", "holder_id": "holders",
    "task_id": "tasks", "deputy_id": "holders", "node_id": "lm_nodes", "form_id": "forms", "baseline_id": "forms",
    "organiser_id": "actors", "activity_id": "activities", "question_id": "questions",
    "meeting_id": "workshops", "to_meeting": "workshops", "origin_id": "actors", "code_id": "voting_codes",
}


# where a column names another table's rows than _REFS says (a logic model's edges join its nodes)
_TABLE_REFS = {"lm_edges": {"source_id": "lm_nodes", "target_id": "lm_nodes"}}


def _refs(table: str) -> dict:
    return {**_REFS, **_TABLE_REFS.get(table, {})}


def _workshop_rows(conn: Connection, meeting_ids: list[int], home: int) -> dict[str, list[dict]]:
    """The rows of these meetings, with the network's shared rows (kept under `home`)."""
    def mine(table):
        return table.c.workshop_id.in_(meeting_ids)

    rid = select(rounds.c.id).where(mine(rounds))
    bid = select(ballots.c.id).where(ballots.c.round_id.in_(rid))
    pid = select(participants.c.id).where(mine(participants))
    queries = {
        "participants": select(participants).where(mine(participants)),
        "ideas": select(ideas).where(mine(ideas)),
        "rounds": select(rounds).where(mine(rounds)),
        "round_items": select(round_items).where(round_items.c.round_id.in_(rid)),
        "ballots": select(ballots).where(ballots.c.round_id.in_(rid)),
        "ballot_marks": select(ballot_marks).where(ballot_marks.c.ballot_id.in_(bid)),
        "paper_entries": select(paper_entries).where(paper_entries.c.round_id.in_(rid)),
        "actors": select(actors).where(mine(actors)),
        "links": select(links).where(mine(links)),
        "snapshots": select(snapshots).where(mine(snapshots)),
        "holders": select(holders).where(holders.c.workshop_id == home),
        "tasks": select(tasks).where(tasks.c.workshop_id == home),
        "assignments": select(assignments).where(assignments.c.task_id.in_(
            select(tasks.c.id).where(tasks.c.workshop_id == home))),
        "competence_levels": select(competence_levels).where(competence_levels.c.holder_id.in_(
            select(holders.c.id).where(holders.c.workshop_id == home))),
        "terms": select(terms).where(terms.c.holder_id.in_(
            select(holders.c.id).where(holders.c.workshop_id == home))),
        "offers": select(offers).where(mine(offers)),
        "lm_nodes": select(lm_nodes).where(lm_nodes.c.workshop_id == home),
        "lm_edges": select(lm_edges).where(lm_edges.c.source_id.in_(
            select(lm_nodes.c.id).where(lm_nodes.c.workshop_id == home))),
        "indicators": select(indicators).where(indicators.c.workshop_id == home),
        "forms": select(forms).where(mine(forms)),
        "responses": select(responses).where(responses.c.form_id.in_(select(forms.c.id).where(mine(forms)))),
        "activity_log": select(activity_log).where(activity_log.c.workshop_id == home),
        "activities": select(activities).where(activities.c.workshop_id == home),
        "tray_interests": select(tray_interests).where(tray_interests.c.activity_id.in_(
            select(activities.c.id).where(activities.c.workshop_id == home)), tray_interests.c.participant_id.in_(pid)),
        "events": select(events).where(mine(events)),
        "agenda_items": select(agenda_items).where(mine(agenda_items)),
        "words": select(words).where(mine(words)),
        "questions": select(questions).where(mine(questions)),
        "question_votes": select(question_votes).where(question_votes.c.question_id.in_(
            select(questions.c.id).where(mine(questions)))),
        "action_reviews": select(action_reviews).where(mine(action_reviews)),
        "voting_codes": select(voting_codes).where(voting_codes.c.round_id.in_(rid)),
        "code_uses": select(code_uses).where(code_uses.c.round_id.in_(rid)),
        "tray_feedback": select(tray_feedback).where(tray_feedback.c.activity_id.in_(
            select(activities.c.id).where(activities.c.workshop_id == home))),
    }
    out = {}
    for name, q in queries.items():
        out[name] = [_row(r) for r in conn.execute(q.order_by(*_TABLES[name].primary_key.columns))]
    return out


def _alone(tables: dict[str, list[dict]], meeting_id: int, home: int) -> dict[str, list[dict]]:
    """One meeting's rows made to stand alone: the network's shared rows become its own, and a
    reference to a row of another meeting (a holder who joined there, an actor of an earlier map, a
    baseline form) is left empty, or the row left out where it cannot be empty."""
    ids = {name: {r["id"] for r in rows if "id" in r} for name, rows in tables.items()}
    ids["workshops"] = {meeting_id}
    out = {}
    for name in BACKUP_TABLES:
        table = _TABLES[name]
        rows = []
        for r in tables.get(name, []):
            r = dict(r)
            if name in SHARED_TABLES and r.get("workshop_id") == home:
                r["workshop_id"] = meeting_id
            keep = True
            for col, parent in _refs(name).items():
                if col in r and r[col] is not None and r[col] not in ids[parent] and col != "workshop_id":
                    if col == "meeting_id":  # agreed at an earlier meeting: standing alone, at this one
                        r[col] = meeting_id
                    elif table.c[col].nullable:
                        r[col] = None
                    else:
                        keep = False
            if keep:
                rows.append(r)
            elif "id" in r:
                ids[name].discard(r["id"])
        out[name] = rows
    return out


def _remap_rules(rules: dict, idea_ids: dict) -> dict:
    out = dict(rules)
    if out.get("items") is not None:
        out["items"] = [idea_ids[int(i)] for i in out["items"]]
    if out.get("lot") is not None:
        out["lot"] = [idea_ids[int(i)] for i in out["lot"]]
    if out.get("costs") is not None:
        out["costs"] = {str(idea_ids[int(k)]): v for k, v in out["costs"].items()}
    return out


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


def check_backup(doc) -> None:
    """Refuse what is not a kit backup, or one from a newer schema, before anything is written. A
    backup holds one meeting (`workshop`) or a whole network (`network` with its `workshops`)."""
    if not isinstance(doc, dict) or doc.get("format") != BACKUP_FORMAT:
        raise KitError("not_a_backup")
    found = doc.get("schema_version")
    if not isinstance(found, int):
        raise KitError("not_a_backup")
    if found > SCHEMA_VERSION:
        raise KitError("schema_newer", status=409, found=found, supported=SCHEMA_VERSION)
    meetings = doc.get("workshops") if "workshops" in doc else [doc.get("workshop")]
    if not isinstance(meetings, list) or not meetings or not isinstance(doc.get("tables"), dict):
        raise KitError("not_a_backup")
    for ws in meetings:
        if not isinstance(ws, dict) or not {"id", "code", "title", "template", "language"} <= set(ws):
            raise KitError("not_a_backup")
    if "workshops" in doc and (not isinstance(doc.get("network"), dict)
                               or doc["network"].get("home_id") not in {ws["id"] for ws in meetings}):
        raise KitError("not_a_backup")


class PrivacyStore(BaseStore):
    """What a person can take back and what leaves the store: withdrawal, purge, backup and restore."""

    def withdraw_participant(self, workshop_id: int, participant_id: int) -> dict:
        """A participant takes back what they sent, from their own page, until the facilitator closes
        the workshop. Removed: ideas nobody has voted on yet, ballots in open rounds, answers to open
        forms, pending suggestions and offers, marks on the tray, the nickname; the device's token
        stops working. Kept without anything pointing at them: ideas already in a vote, ballots in
        closed rounds and answers to closed forms (decided results do not change afterwards), and
        suggestions or offers the facilitator had already accepted. Returns the counts of both."""
        with self._tx(write=True) as conn:
            settings = conn.execute(select(workshops.c.settings).where(workshops.c.id == workshop_id)).scalar()
            if settings is None:
                raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
            if settings.get("closed"):
                raise KitError("workshop_closed", status=409)
            p = _row(conn.execute(select(participants).where(participants.c.id == participant_id)).first())
            if p is None or p["workshop_id"] != workshop_id:
                raise KitError("not_joined", status=401)
            removed = dict.fromkeys(("ideas", "ballots", "answers", "suggestions", "offers", "marks"), 0)
            kept = dict.fromkeys(("ideas", "ballots", "answers", "suggestions", "offers"), 0)
            voted_on = select(round_items.c.idea_id).join(rounds, rounds.c.id == round_items.c.round_id).where(
                rounds.c.status != "draft")
            merged_into = select(ideas.c.merged_into).where(ideas.c.merged_into.is_not(None))
            mine = [r.id for r in conn.execute(select(ideas.c.id).where(ideas.c.participant_id == participant_id))]
            keep_ids = {r[0] for r in conn.execute(select(ideas.c.id).where(
                ideas.c.id.in_(mine), or_(ideas.c.id.in_(voted_on), ideas.c.id.in_(merged_into))))}
            for iid in mine:
                if iid in keep_ids:
                    conn.execute(ideas.update().where(ideas.c.id == iid).values(participant_id=None))
                    kept["ideas"] += 1
                else:
                    conn.execute(round_items.delete().where(round_items.c.idea_id == iid))
                    conn.execute(ideas.delete().where(ideas.c.id == iid))
                    removed["ideas"] += 1
            for eid, payload in conn.execute(select(events.c.id, events.c.payload).where(
                    events.c.workshop_id == workshop_id, events.c.kind == "idea_edited")).all():
                if (payload or {}).get("idea_id") in mine:  # old wordings of their ideas go too
                    conn.execute(events.update().where(events.c.id == eid).values(
                        payload={"idea_id": payload.get("idea_id")}))
            for b in conn.execute(select(ballots.c.id, rounds.c.status).join(rounds, rounds.c.id == ballots.c.round_id)
                                  .where(ballots.c.participant_id == participant_id)).all():
                if b.status == "open":  # its voting code is free again: the holder may vote anew
                    conn.execute(code_uses.delete().where(code_uses.c.participant_id == participant_id,
                                                          code_uses.c.round_id == select(ballots.c.round_id).where(
                                                              ballots.c.id == b.id).scalar_subquery()))
                    conn.execute(ballot_marks.delete().where(ballot_marks.c.ballot_id == b.id))
                    conn.execute(ballots.delete().where(ballots.c.id == b.id))
                    removed["ballots"] += 1
                else:
                    kept["ballots"] += 1
            for r in conn.execute(select(responses.c.id, forms.c.status).join(forms, forms.c.id == responses.c.form_id)
                                  .where(responses.c.participant_id == participant_id)).all():
                if r.status == "open":
                    conn.execute(responses.delete().where(responses.c.id == r.id))
                    removed["answers"] += 1
                else:
                    kept["answers"] += 1
            for table in (links, actors, activities):  # links first: an actor that goes takes its links
                pending = table.c.status.in_(("suggested", "rejected", "declined"))
                mine_q = table.c.suggested_by == participant_id
                removed["suggestions"] += conn.execute(table.delete().where(mine_q, pending)).rowcount
                kept["suggestions"] += conn.execute(table.update().where(mine_q).values(suggested_by=None)).rowcount
            removed["offers"] = conn.execute(offers.delete().where(
                offers.c.participant_id == participant_id, offers.c.status == "pending")).rowcount
            kept["offers"] = conn.execute(select(func.count()).select_from(offers).where(
                offers.c.participant_id == participant_id, offers.c.status == "accepted")).scalar()
            for h in conn.execute(select(holders.c.id).where(holders.c.participant_id == participant_id)).all():
                conn.execute(holders.update().where(holders.c.id == h.id).values(name=f"#{h.id}", participant_id=None))
            removed["marks"] = conn.execute(tray_interests.delete().where(
                tray_interests.c.participant_id == participant_id)).rowcount
            # the warm-up's words, their questions and their upvotes go with them
            removed["marks"] += conn.execute(question_votes.delete().where(
                question_votes.c.participant_id == participant_id)).rowcount
            mine_q = select(questions.c.id).where(questions.c.participant_id == participant_id)
            conn.execute(question_votes.delete().where(question_votes.c.question_id.in_(mine_q)))
            removed["suggestions"] += conn.execute(questions.delete().where(
                questions.c.participant_id == participant_id)).rowcount
            removed["suggestions"] += conn.execute(words.delete().where(words.c.participant_id == participant_id)).rowcount
            conn.execute(participants.update().where(participants.c.id == participant_id).values(
                nickname=None, last_seen=None, minutes_name=None, pair_code=None, token_hash="withdrawn:" + secrets.token_hex(16)))
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "participant_withdrew", removed=removed, kept=kept)
            return {"removed": removed, "kept": kept}

    def purge_personal_data(self, workshop_id: int) -> dict:
        """Remove what could point at a person and keep the aggregate results: nicknames go, devices
        can no longer come back, ideas and suggestions lose who sent them, the event log forgets
        old idea wordings. Ballots stay (anonymous) so every count and result is unchanged."""
        with self._tx(write=True) as conn:
            if conn.execute(select(workshops.c.id).where(workshops.c.id == workshop_id)).first() is None:
                raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
            pids = [r.id for r in conn.execute(select(participants.c.id).where(participants.c.workshop_id == workshop_id))]
            for pid in pids:
                conn.execute(participants.update().where(participants.c.id == pid).values(
                    nickname=None, last_seen=None, minutes_name=None, pair_code=None, token_hash="purged:" + secrets.token_hex(16)))
            conn.execute(ideas.update().where(ideas.c.workshop_id == workshop_id).values(participant_id=None))
            for h in conn.execute(select(holders.c.id).where(holders.c.participant_id.in_(pids),
                                                             holders.c.kind == "participant")).all():
                conn.execute(holders.update().where(holders.c.id == h.id).values(name=f"#{h.id}"))
            conn.execute(actors.update().where(actors.c.workshop_id == workshop_id).values(suggested_by=None))
            conn.execute(links.update().where(links.c.workshop_id == workshop_id).values(suggested_by=None))
            conn.execute(activities.update().where(activities.c.suggested_by.in_(pids)).values(suggested_by=None))
            conn.execute(words.update().where(words.c.workshop_id == workshop_id).values(participant_id=None))
            conn.execute(questions.update().where(questions.c.workshop_id == workshop_id).values(participant_id=None))
            edited = conn.execute(select(events.c.id, events.c.payload).where(
                events.c.workshop_id == workshop_id, events.c.kind == "idea_edited")).all()
            for ev in edited:
                conn.execute(events.update().where(events.c.id == ev.id).values(
                    payload={"idea_id": ev.payload.get("idea_id")}))
            self._bump(conn, workshop_id)
            self._log(conn, workshop_id, "personal_data_purged", participants=len(pids))
        return {"participants": len(pids)}

    def dump_workshop(self, workshop_id: int) -> dict:
        """Everything of one meeting as plain data, standing alone (the network's plan, roles, tray
        and logic model as they are now come with it), read in one transaction (a consistent copy
        even while participants vote). Device tokens are left out: not even their hashes leave the
        store."""
        with self._tx() as conn:
            ws = _row(conn.execute(select(workshops).where(workshops.c.id == workshop_id)).first())
            if ws is None:
                raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
            home = self._home(conn, workshop_id)
            tables = _alone(_workshop_rows(conn, [workshop_id], home), workshop_id, home)
            net = _row(conn.execute(select(networks).where(networks.c.id == ws["network_id"])).first())
            net["home_id"], ws["meeting_no"] = workshop_id, 1  # standing alone: a network of one meeting
            if home != workshop_id:  # the plan is the network's, kept in its first meeting
                plan = (conn.execute(select(workshops.c.settings).where(workshops.c.id == home)).scalar() or {}).get("plan")
                ws["settings"] = {**(ws["settings"] or {}), **({"plan": plan} if plan else {})}
        for p in tables["participants"]:
            p.pop("token_hash")
        return {"format": BACKUP_FORMAT, "schema_version": SCHEMA_VERSION, "saved_at": now(),
                "workshop": ws, "network": net, "tables": tables}

    def dump_network(self, workshop_id: int) -> dict:
        """A whole network, every meeting of it, as plain data (one transaction)."""
        with self._tx() as conn:
            nid = conn.execute(select(workshops.c.network_id).where(workshops.c.id == workshop_id)).scalar()
            if nid is None:
                raise KitError("unknown_workshop", status=404, join_code=str(workshop_id))
            net = _row(conn.execute(select(networks).where(networks.c.id == nid)).first())
            meetings = [_row(r) for r in conn.execute(select(workshops).where(workshops.c.network_id == nid)
                                                      .order_by(workshops.c.meeting_no, workshops.c.id))]
            tables = _workshop_rows(conn, [m["id"] for m in meetings], net["home_id"])
        for p in tables["participants"]:
            p.pop("token_hash")
        return {"format": BACKUP_FORMAT, "schema_version": SCHEMA_VERSION, "saved_at": now(),
                "network": net, "workshops": meetings, "tables": tables}

    def restore_workshop(self, doc: dict, replace: bool = False) -> dict:
        """Put a backup back, in one transaction: one meeting (it comes back as a network of its own)
        or a whole network. Ids are kept where they are free (so a restore into an empty folder is
        identical to the original) and renumbered where they are taken. A meeting with the same join
        code is replaced only when asked; otherwise the restore is refused. Returns the first
        meeting restored."""
        check_backup(doc)
        doc = upgrade_backup(doc)
        whole = "workshops" in doc
        meetings = doc["workshops"] if whole else [doc["workshop"]]
        with self._tx(write=True) as conn:
            for src in meetings:
                existing = conn.execute(select(workshops.c.id, workshops.c.network_id)
                                        .where(workshops.c.code == src["code"])).first()
                if existing is not None:
                    if not replace:
                        raise KitError("backup_exists", status=409, join_code=src["code"])
                    self._delete_meeting(conn, existing.id, existing.network_id)
            try:
                ids = self._restore_rows(conn, doc)
            except (KeyError, TypeError, ValueError, AttributeError, StatementError):
                # a row that points at a missing parent or does not fit the schema: damaged; the
                # transaction rolls back, so nothing of it is left in the store
                raise KitError("not_a_backup") from None
            self._resync_ids(conn)
            wid = ids["workshops"][meetings[0]["id"]]
            self._log(conn, wid, "workshop_restored", saved_at=doc.get("saved_at"), meetings=len(meetings))
            return _row(conn.execute(select(workshops).where(workshops.c.id == wid)).first())

    @staticmethod
    def _delete_meeting(conn: Connection, workshop_id: int, network_id: int | None) -> None:
        """A meeting replaced by a restore; its network goes with its last meeting, and a network
        whose first meeting goes keeps its shared data under its next meeting."""
        net = _row(conn.execute(select(networks).where(networks.c.id == network_id)).first()) if network_id else None
        if net is not None and net["home_id"] == workshop_id:
            nxt = conn.execute(select(workshops.c.id).where(workshops.c.network_id == network_id,
                                                            workshops.c.id != workshop_id)
                               .order_by(workshops.c.meeting_no)).scalar()
            if nxt is not None:
                for t in SHARED_TABLES:
                    conn.execute(_TABLES[t].update().where(_TABLES[t].c.workshop_id == workshop_id)
                                 .values(workshop_id=nxt))
                conn.execute(networks.update().where(networks.c.id == network_id).values(home_id=nxt))
        # the meeting before its network: under row-level security a meeting is reached through its network
        conn.execute(workshops.delete().where(workshops.c.id == workshop_id))
        if net is not None and net["home_id"] == workshop_id and nxt is None:
            conn.execute(networks.delete().where(networks.c.id == network_id))

    def _restore_rows(self, conn: Connection, doc: dict) -> dict[str, dict]:
        """Insert the backup's rows, parents first; returns {table: {id in backup: id here}}.
        Idea ids held inside values (a merge's destination, a round's items, costs and lot, a paper
        entry's marks) follow a renumbering too."""
        whole = "workshops" in doc
        meetings = doc["workshops"] if whole else [doc["workshop"]]
        net = doc.get("network") or {}
        ids: dict[str, dict] = {"workshops": {}}
        nid = self._insert_keeping_id(conn, self.restricted, networks, {
            "id": net.get("id") if whole else None, "name": net.get("name") or meetings[0]["title"],
            "info": net.get("info") or {}, "created_at": net.get("created_at") or meetings[0]["created_at"],
            "home_id": 0})
        for n, src in enumerate(meetings, start=1):
            row = {**src, "network_id": nid, "meeting_no": (src.get("meeting_no") or n) if whole else 1}
            ids["workshops"][src["id"]] = self._insert_keeping_id(conn, self.restricted, workshops, row)
        home = ids["workshops"][net["home_id"]] if whole else ids["workshops"][meetings[0]["id"]]
        conn.execute(networks.update().where(networks.c.id == nid).values(home_id=home))
        merges: list[tuple[int, int]] = []
        for name in BACKUP_TABLES:
            table = _TABLES[name]
            ids[name] = {}
            for row in doc["tables"].get(name, []):
                row = dict(row)
                for col, parent in _refs(name).items():
                    if col in row and row[col] is not None:
                        row[col] = ids[parent][row[col]]
                if name == "participants":  # devices join again after a restore
                    row["token_hash"] = "restored:" + secrets.token_hex(16)
                if name == "ideas" and row.get("merged_into") is not None:
                    merges.append((row["id"], row.pop("merged_into")))  # may point at a later idea
                if name == "rounds":
                    row["rules"] = _remap_rules(row.get("rules") or {}, ids["ideas"])
                if name == "paper_entries":
                    row["marks"] = {str(ids["ideas"][int(k)]): v for k, v in row["marks"].items()}
                if name == "agenda_items":  # a vote's round and a form's id follow a renumbering
                    cfg = dict(row.get("config") or {})
                    for key, parent in (("round_id", "rounds"), ("form_id", "forms")):
                        if cfg.get(key) is not None:
                            cfg[key] = ids[parent].get(cfg[key])
                    row["config"] = {k: v for k, v in cfg.items() if v is not None}
                new_id = self._insert_keeping_id(conn, self.restricted, table, row)
                if "id" in row:
                    ids[name][row["id"]] = new_id
        for old_id, into in merges:
            conn.execute(ideas.update().where(ideas.c.id == ids["ideas"][old_id])
                         .values(merged_into=ids["ideas"][into]))
        if not doc["tables"].get("agenda_items"):  # a backup from before agendas: the template's default
            from kit.store.agenda import seed_agenda

            for src in meetings:
                seed_agenda(conn, ids["workshops"][src["id"]], src.get("template"))
        if not whole:  # a backup from before networks: its action items were agreed at this meeting
            conn.execute(tasks.update().where(tasks.c.workshop_id == home, tasks.c.meeting_id.is_(None))
                         .values(meeting_id=home))
        return ids

    @staticmethod
    def _insert_keeping_id(conn: Connection, restricted: bool, table: Table, row: dict):
        cols = {k: v for k, v in row.items() if k in table.c}
        if restricted and "id" in cols:  # a facilitator's role cannot see which ids are taken: a new one
            cols["id"] = None
        if "id" in cols and cols["id"] is None:
            cols.pop("id")
            return conn.execute(table.insert().values(**cols)).inserted_primary_key[0]
        if "id" in table.c and "id" in cols:
            taken = conn.execute(select(table.c.id).where(table.c.id == cols["id"])).first() is not None
            if taken:
                cols.pop("id")
            res = conn.execute(table.insert().values(**cols))
            return res.inserted_primary_key[0]
        conn.execute(table.insert().values(**cols))
        return None



def upgrade_backup(doc: dict) -> dict:
    """A backup written by an earlier schema, in the names of this one (a copy; the input is kept).
    v1-v7 kept ballot marks in `ballot_dots` with the value in `dots`."""
    tables = doc["tables"]
    if "ballot_dots" not in tables:
        return doc
    tables = {k: v for k, v in tables.items() if k != "ballot_dots"}
    tables["ballot_marks"] = [{"ballot_id": m.get("ballot_id"), "idea_id": m.get("idea_id"), "mark": m.get("dots")}
                              if isinstance(m, dict) else m for m in doc["tables"]["ballot_dots"]]
    return {**doc, "tables": tables}
