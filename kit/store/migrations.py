"""The store's migrations: each step brings a store of the version before it to its own version, run in
order by Store.migrate (kit/store/base.py) inside one write transaction. The tables themselves are in
kit/store/schema.py."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from kit.store.schema import (
    V10_TABLES,
    V18_TABLES,
    V1_TABLES,
    V3_TABLES,
    V4_TABLES,
    V5_TABLES,
    V6_TABLES,
    V7_TABLES,
    action_reviews,
    agenda_items,
    metadata,
    networks,
    paper_entries,
    rate_hits,
    tasks,
    workshops,
)


def _migrate_v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=V1_TABLES)


def _migrate_v2(conn: Connection) -> None:
    """Stage 2: moderation and tags on ideas, kiosk and paper voters, paper double entry."""
    have = {t: {c["name"] for c in inspect(conn).get_columns(t)} for t in ("ideas", "participants", "ballots")}
    add = [
        ("participants", "kind", "VARCHAR(16)"), ("ideas", "reject_reason", "TEXT"),
        ("ideas", "merged_into", "INTEGER"), ("ideas", "tags", "JSON"), ("ideas", "cost", "VARCHAR(32)"),
        ("ballots", "source", "VARCHAR(16)"),
    ]
    for table, column, sqltype in add:
        if column not in have[table]:  # a store created at v2 already has them from step 1
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {sqltype}")
    metadata.create_all(conn, tables=[paper_entries])


def _migrate_v3(conn: Connection) -> None:
    """Stage 1: actors, links and snapshots of the stakeholder map."""
    metadata.create_all(conn, tables=V3_TABLES)


def _migrate_v4(conn: Connection) -> None:
    """Stage 3: holders, tasks, RACI letters, competences, terms, volunteers' offers."""
    metadata.create_all(conn, tables=V4_TABLES)


def _migrate_v5(conn: Connection) -> None:
    """Stage 4: logic model, indicators, feedback forms and their responses."""
    metadata.create_all(conn, tables=V5_TABLES)


# (version reached, function). Append; never edit a released step.
def _migrate_v6(conn: Connection) -> None:
    """The activity log."""
    metadata.create_all(conn, tables=V6_TABLES)


def _migrate_v7(conn: Connection) -> None:
    """The service tray: activities and participants' interest in them."""
    metadata.create_all(conn, tables=V7_TABLES)


def _migrate_v8(conn: Connection) -> None:
    """ballot_dots held every method's marks, not only dots: it becomes ballot_marks(mark)."""
    if "ballot_dots" in inspect(conn).get_table_names():  # a store created at v8 has ballot_marks already
        conn.exec_driver_sql("ALTER TABLE ballot_dots RENAME TO ballot_marks")
        conn.exec_driver_sql("ALTER TABLE ballot_marks RENAME COLUMN dots TO mark")


def _migrate_v9(conn: Connection) -> None:
    """Presence: when each device last asked for updates."""
    if "last_seen" not in {c["name"] for c in inspect(conn).get_columns("participants")}:
        conn.exec_driver_sql("ALTER TABLE participants ADD COLUMN last_seen VARCHAR(40)")


def _migrate_v10(conn: Connection) -> None:
    """The run of show: agendas, the warm-up's words, questions from the room and their votes. Every
    workshop made before gets its template's default agenda, the room at its first activity."""
    from kit import agenda, workshop

    metadata.create_all(conn, tables=V10_TABLES)
    for wid, tid in conn.execute(workshops.select().with_only_columns(workshops.c.id, workshops.c.template)).all():
        if conn.execute(agenda_items.select().where(agenda_items.c.workshop_id == wid)).first() is not None:
            continue
        try:
            items = agenda.from_template(workshop.template(tid))
        except Exception:  # a template no longer installed: a bare join
            items = agenda.check_agenda([{"type": "join"}])
        for pos, a in enumerate(items):
            conn.execute(agenda_items.insert().values(workshop_id=wid, uid=a["id"], position=pos, type=a["type"],
                                                      title=a["title"], minutes=a["minutes"], config=a["config"]))


def _migrate_v11(conn: Connection) -> None:
    """The minutes: a participant may ask to be named in them, by a name of their own choosing."""
    if "minutes_name" not in {c["name"] for c in inspect(conn).get_columns("participants")}:
        conn.exec_driver_sql("ALTER TABLE participants ADD COLUMN minutes_name VARCHAR(120)")


def _migrate_v12(conn: Connection) -> None:
    """Budgeting proposals through their phases: each idea's development as a proposal."""
    if "proposal" not in {c["name"] for c in inspect(conn).get_columns("ideas")}:
        conn.exec_driver_sql("ALTER TABLE ideas ADD COLUMN proposal JSON")


def _migrate_v13(conn: Connection) -> None:
    """A feedback form repeated as a follow-up of a baseline."""
    if "baseline_id" not in {c["name"] for c in inspect(conn).get_columns("forms")}:
        conn.exec_driver_sql("ALTER TABLE forms ADD COLUMN baseline_id INTEGER")


def _migrate_v14(conn: Connection) -> None:
    """Networks and their meetings: each workshop made before becomes a network of one meeting; the
    action items remember the meeting that agreed them; actors their first meeting's actor; a
    participant may keep a pseudonymous pairing code."""
    metadata.create_all(conn, tables=[networks, action_reviews])
    for table, column, sqltype in (("workshops", "network_id", "INTEGER"), ("workshops", "meeting_no", "INTEGER"),
                                   ("participants", "pair_code", "VARCHAR(16)"), ("tasks", "meeting_id", "INTEGER"),
                                   ("tasks", "dropped", "BOOLEAN NOT NULL DEFAULT FALSE"),
                                   ("actors", "origin_id", "INTEGER")):
        if column not in {c["name"] for c in inspect(conn).get_columns(table)}:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {sqltype}")
    if "ix_workshops_network_id" not in {i["name"] for i in inspect(conn).get_indexes("workshops")}:
        conn.exec_driver_sql("CREATE INDEX ix_workshops_network_id ON workshops (network_id)")
    conn.execute(tasks.update().where(tasks.c.meeting_id.is_(None)).values(meeting_id=tasks.c.workshop_id))
    for wid, title, created in conn.execute(workshops.select().with_only_columns(
            workshops.c.id, workshops.c.title, workshops.c.created_at).where(workshops.c.network_id.is_(None))).all():
        nid = conn.execute(networks.insert().values(name=title, home_id=wid, info={}, created_at=created)
                           ).inserted_primary_key[0]
        conn.execute(workshops.update().where(workshops.c.id == wid).values(network_id=nid, meeting_no=1))


def _migrate_v16(conn: Connection) -> None:
    """Rate limits shared by kit processes; and one meeting per number in a network, by a constraint
    (besides the write lock: "next meeting" pressed twice makes one meeting whatever the engine)."""
    metadata.create_all(conn, tables=[rate_hits])
    have = {i["name"] for i in inspect(conn).get_indexes("workshops")}
    doubled = conn.exec_driver_sql("SELECT 1 FROM workshops WHERE network_id IS NOT NULL GROUP BY network_id, "
                                   "meeting_no HAVING COUNT(*) > 1").first()
    if "uq_workshops_meeting" not in have and doubled is None:
        conn.exec_driver_sql("CREATE UNIQUE INDEX uq_workshops_meeting ON workshops (network_id, meeting_no)")


def _migrate_v17(conn: Connection) -> None:
    """A vote or a feedback form open for a period: its opening and closing times."""
    for table in ("rounds", "forms"):
        have = {c["name"] for c in inspect(conn).get_columns(table)}
        for column in ("opens_at", "closes_at"):
            if column not in have:
                conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR(40)")


def _migrate_v18(conn: Connection) -> None:
    """Voting codes and their uses, feedback on tray activities, in the room or remote, and the owner of a
    network in a hosted kit."""
    metadata.create_all(conn, tables=V18_TABLES)
    if "presence" not in {c["name"] for c in inspect(conn).get_columns("participants")}:
        conn.exec_driver_sql("ALTER TABLE participants ADD COLUMN presence VARCHAR(8)")
    if "owner" not in {c["name"] for c in inspect(conn).get_columns("networks")}:
        conn.exec_driver_sql("ALTER TABLE networks ADD COLUMN owner VARCHAR(64)")


def _migrate_v15(conn: Connection) -> None:
    """Pairing a baseline and its follow-up across meetings: a form may offer a pairing code, and one
    code stands for one person in a meeting."""
    if "pairing" not in {c["name"] for c in inspect(conn).get_columns("forms")}:
        conn.exec_driver_sql("ALTER TABLE forms ADD COLUMN pairing BOOLEAN NOT NULL DEFAULT FALSE")
    if "uq_participants_pair" not in {i["name"] for i in inspect(conn).get_indexes("participants")}:
        conn.exec_driver_sql("CREATE UNIQUE INDEX uq_participants_pair ON participants (workshop_id, pair_code)")


MIGRATIONS = [(1, _migrate_v1), (2, _migrate_v2), (3, _migrate_v3), (4, _migrate_v4), (5, _migrate_v5),
              (6, _migrate_v6), (7, _migrate_v7), (8, _migrate_v8), (9, _migrate_v9), (10, _migrate_v10),
              (11, _migrate_v11), (12, _migrate_v12), (13, _migrate_v13),
              (14, _migrate_v14), (15, _migrate_v15), (16, _migrate_v16),
              (17, _migrate_v17), (18, _migrate_v18)]
