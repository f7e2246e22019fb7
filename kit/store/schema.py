"""Every table of the store (append-only; the steps that reach this schema are kit/store/migrations.py)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

SCHEMA_VERSION = 18


metadata = MetaData()


meta = Table(
    "kit_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


# v14: a network (a working group, a project) holds a series of meetings; each workshop row is one
# meeting. The network's shared data (the plan, holders and tasks, the tray, the logic model, the
# indicators, the activity log) stays keyed by its first meeting, `home_id`: every meeting of the
# network reads and writes it there (kit/store/networks.py). The map, ideas, votes, answers, the
# agenda and the minutes belong to the meeting where they happened.
networks = Table(
    "networks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("home_id", Integer, nullable=False),  # the first meeting (workshops.id)
    Column("info", JSON, nullable=False, default=dict),  # organisation, municipality, funder, project_code, timezone
    Column("created_at", String(40), nullable=False),
    # v18: a hosted kit: the database role of the facilitator whose network it is (kit/store/rls.py);
    # empty on a laptop
    Column("owner", String(64)),
)


workshops = Table(
    "workshops",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("template", String(64), nullable=False),
    Column("language", String(2), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("ideas_open", Boolean, nullable=False, default=True),
    # bumped by every write that touches the workshop: views poll it to know when to redraw
    Column("version", Integer, nullable=False, default=0),
    Column("settings", JSON, nullable=False, default=dict),
    # v14: the network it is a meeting of, and its number in the series (1, 2, ...)
    Column("network_id", Integer, index=True),
    Column("meeting_no", Integer),
)


participants = Table(
    "participants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    # only a hash: the token itself lives on the participant's device
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("nickname", Text),
    Column("stakeholder_group", String(64)),
    Column("language", String(2), nullable=False),
    Column("created_at", String(40), nullable=False),
    # v2: device (own phone) | kiosk (a voter on a shared tablet) | paper (a paper ballot entered)
    Column("kind", String(16), default="device"),
    # v9: when the device last asked for updates (to the minute): who is in the room now
    Column("last_seen", String(40)),
    # v11: the name this person asked to be named by in the minutes (on their own device; else by group)
    Column("minutes_name", String(120)),
    # v14: the pseudonymous code a participant keeps across meetings, so a baseline and a follow-up
    # answer can be paired without a name (kit/evaluation.py pair_code): only its hash
    Column("pair_code", String(16)),
    # v15: one code, one person per meeting (the database refuses a second device presenting it)
    Index("uq_participants_pair", "workshop_id", "pair_code", unique=True),
    # v18: a hybrid meeting: "room" or "remote", as the participant said when joining (or the remote
    # variant of the link said it); nothing else about where they are
    Column("presence", String(8)),
)


ideas = Table(
    "ideas",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="SET NULL")),
    Column("text", Text, nullable=False),
    # visible | hidden (v1); pending (waits for the facilitator) | rejected | merged (v2)
    Column("status", String(16), nullable=False, default="visible"),
    Column("created_at", String(40), nullable=False),
    # v2: moderation and tags
    Column("reject_reason", Text),
    Column("merged_into", Integer),  # the idea this one was merged into (ideas.id)
    Column("tags", JSON),  # {target_groups: [..], pore_level: 1..3, thl: [..], step_level: n}
    Column("cost", String(32)),  # cost estimate in euros, exact decimal text ("1200", "99.50")
    # v12: a budgeting proposal's development (kit/proposals.py): description, preliminary cost,
    # feasibility, implementation; `cost` above is the final cost, the one that goes on the ballot
    Column("proposal", JSON),
)


rounds = Table(
    "rounds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("method", String(16), nullable=False),  # dots | approval | ranking | choose_one | pb
    Column("status", String(16), nullable=False, default="draft"),  # draft | scheduled | open | closed
    Column("rules", JSON, nullable=False, default=dict),
    Column("results_visible", Boolean, nullable=False, default=False),
    Column("created_at", String(40), nullable=False),
    Column("opened_at", String(40)),
    Column("closed_at", String(40)),
    # v17: a vote open for a period (issue 19): when it opens and closes on its own (UTC, ISO); the
    # store's clock decides at each request (kit/store/voting.py settle_rounds)
    Column("opens_at", String(40)),
    Column("closes_at", String(40)),
)


round_items = Table(
    "round_items",
    metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False),
)


ballots = Table(
    "ballots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False, default=1),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("source", String(16), default="device"),  # v2: device | kiosk | paper
    UniqueConstraint("round_id", "participant_id", name="one_ballot_per_round"),
)


# One row per marked item of a ballot, whatever the method. `mark` is the mark's value: dots placed
# (dots), 1 (approval, choose one, pb) or the rank, 1 = first (ranking). Schema v1-v7 called the
# table ballot_dots and the column dots (v8 renamed them).
ballot_marks = Table(
    "ballot_marks",
    metadata,
    Column("ballot_id", ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True),
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
    Column("mark", Integer, nullable=False),
)


# v2: a paper ballot is typed in twice (double entry); it counts once both entries agree.
paper_entries = Table(
    "paper_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("serial", String(32), nullable=False),  # the number written on the paper
    Column("marks", JSON, nullable=False),  # {idea_id: mark} as entered first
    Column("stakeholder_group", String(64)),
    Column("created_at", String(40), nullable=False),
    Column("ballot_id", ForeignKey("ballots.id", ondelete="SET NULL")),  # set when the 2nd entry agreed
    UniqueConstraint("round_id", "serial", name="one_paper_per_serial"),
)


events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", String(40), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("payload", JSON, nullable=False, default=dict),
)


# v3: stage 1, the stakeholder map (domain spec §2.2)
actors = Table(
    "actors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("sector", String(64), nullable=False),
    Column("organisation", Text),
    Column("is_person", Boolean, nullable=False, default=False),
    Column("notes", Text),
    Column("influence", Integer),  # Net-Map tower 0..10, relative within the workshop
    Column("interest", Integer),  # 0..10 for the power-interest grid; None = not asked
    Column("goals", JSON),
    Column("status", String(16), nullable=False, default="active"),  # active | suggested | rejected
    Column("suggested_by", ForeignKey("participants.id", ondelete="SET NULL")),
    Column("created_at", String(40), nullable=False),
    # v14: the same actor on the first meeting's map (a next meeting's map starts from a copy):
    # two meetings' maps are compared by it
    Column("origin_id", Integer),
)


links = Table(
    "links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("source_id", ForeignKey("actors.id", ondelete="CASCADE"), nullable=False),
    Column("target_id", ForeignKey("actors.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(32), nullable=False),
    Column("bidirectional", Boolean, nullable=False, default=False),
    Column("weight", Integer, nullable=False, default=1),
    Column("informal", Boolean, nullable=False, default=False),
    Column("status", String(16), nullable=False, default="active"),  # active | suggested | rejected
    Column("suggested_by", ForeignKey("participants.id", ondelete="SET NULL")),
    Column("created_at", String(40), nullable=False),
)


snapshots = Table(
    "snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("label", Text, nullable=False),
    Column("taken_at", String(40), nullable=False),
    Column("data", JSON, nullable=False),  # {"actors": [...], "links": [...]} frozen as they were
)


# v4: stage 3, plan and roles (domain spec §4.3); the plan canvas itself is the workshop setting "plan"
holders = Table(
    "holders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),  # participant | actor | person | group
    Column("participant_id", ForeignKey("participants.id", ondelete="SET NULL")),
    Column("actor_id", ForeignKey("actors.id", ondelete="SET NULL")),
    Column("chair", Text),  # a group's named chair
    Column("unpaid", Boolean, nullable=False, default=False),  # resident, expert by experience, volunteer
    Column("removed", Boolean, nullable=False, default=False),  # kept so their tasks are flagged, not lost
    Column("created_at", String(40), nullable=False),
)


tasks = Table(
    "tasks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("section", String(32), nullable=False),
    Column("effort", Integer),  # hours, when known
    Column("due", String(10)),  # ISO date
    Column("idea_id", ForeignKey("ideas.id", ondelete="SET NULL")),
    Column("role", String(64)),  # a standard role of the template
    Column("a_implies_r", Boolean, nullable=False, default=False),
    Column("deputy_id", ForeignKey("holders.id", ondelete="SET NULL")),
    Column("done", Boolean, nullable=False, default=False),
    Column("created_at", String(40), nullable=False),
    # v14: the meeting where it was agreed (an action item), and whether a later meeting dropped it
    Column("meeting_id", Integer),
    Column("dropped", Boolean, nullable=False, default=False),
)


# v14: "since last time": what a meeting decided about an earlier meeting's action item
action_reviews = Table(
    "action_reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
    Column("outcome", String(16), nullable=False),  # done | moved | dropped
    Column("due", String(10)),  # a moved item's new date
    Column("was_due", String(10)),  # its date before (put back when the word is taken back)
    Column("to_meeting", Integer),  # a moved item's meeting (workshops.id of the same network)
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("workshop_id", "task_id"),
)


assignments = Table(
    "assignments",
    metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("holder_id", ForeignKey("holders.id", ondelete="CASCADE"), primary_key=True),
    Column("letters", String(2), nullable=False),  # R | A | C | I | AR
)


competence_levels = Table(
    "competence_levels",
    metadata,
    Column("holder_id", ForeignKey("holders.id", ondelete="CASCADE"), primary_key=True),
    Column("competence", String(64), primary_key=True),
    Column("level", Integer, nullable=False),  # 0 none, 1 basic, 2 strong
)


terms = Table(
    "terms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("holder_id", ForeignKey("holders.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(32), nullable=False),  # responsible_person | budget_owner | coordinator
    Column("start", String(10), nullable=False),
    Column("end", String(10)),
)


offers = Table(
    "offers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # can_do | can_help
    Column("competences", JSON),  # {competence: level} the participant says they have
    Column("status", String(16), nullable=False, default="pending"),  # pending | accepted | declined
    Column("created_at", String(40), nullable=False),
)


# v5: stage 4, evaluation (domain spec §6)
lm_nodes = Table(
    "lm_nodes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("level", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("thl", JSON),
    Column("task_id", ForeignKey("tasks.id", ondelete="SET NULL")),
    Column("idea_id", ForeignKey("ideas.id", ondelete="SET NULL")),
)


lm_edges = Table(
    "lm_edges",
    metadata,
    Column("source_id", ForeignKey("lm_nodes.id", ondelete="CASCADE"), primary_key=True),
    Column("target_id", ForeignKey("lm_nodes.id", ondelete="CASCADE"), primary_key=True),
)


indicators = Table(
    "indicators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("node_id", ForeignKey("lm_nodes.id", ondelete="SET NULL")),
    Column("data", JSON, nullable=False),  # name, kind, unit, baseline, target, target_date, method, ...
)


forms = Table(
    "forms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("questions", JSON, nullable=False),
    Column("min_answers", Integer, nullable=False, default=5),
    Column("status", String(16), nullable=False, default="draft"),  # draft | open | closed
    Column("approved", JSON),  # open answers approved for showing: ["<response id>:<question id>", ...]
    Column("created_at", String(40), nullable=False),
    # v13: a follow-up repeats its baseline's questions; the report shows the change between them
    Column("baseline_id", Integer),
    # v15: a baseline offers its answerers a pairing code (a follow-up always asks for it)
    Column("pairing", Boolean, nullable=False, default=False),
    # v17: a form open for a period (as a vote: kit/store/evaluation.py settle_forms)
    Column("opens_at", String(40)),
    Column("closes_at", String(40)),
)


responses = Table(
    "responses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("form_id", ForeignKey("forms.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("answers", JSON, nullable=False),
    Column("updated_at", String(40), nullable=False),
    UniqueConstraint("form_id", "participant_id", name="one_response_per_form"),
)


V1_TABLES = [meta, workshops, participants, ideas, rounds, round_items, ballots, ballot_marks, events]


V3_TABLES = [actors, links, snapshots]


V4_TABLES = [holders, tasks, assignments, competence_levels, terms, offers]


V5_TABLES = [lm_nodes, lm_edges, indicators, forms, responses]


# v6: the activity log kept after the event (the Kulttuurifoorumi's statistics)
activity_log = Table(
    "activity_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("date", String(10), nullable=False),
    Column("type", Text, nullable=False),
    Column("participants", JSON, nullable=False),  # {stakeholder group: count}
    Column("staff_hours", Integer),
    Column("node_id", ForeignKey("lm_nodes.id", ondelete="SET NULL")),  # the activity of the logic model
    Column("created_at", String(40), nullable=False),
)


V6_TABLES = [activity_log]


# v7: the service tray and the step model (seed 002, kit/tray.py)
activities = Table(
    "activities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("organiser_id", ForeignKey("actors.id", ondelete="SET NULL")),  # the organiser on the stakeholder map
    Column("data", JSON, nullable=False),  # the rest of kit.tray's activity: organiser, place, days, cost, ...
    Column("step_level", Integer, nullable=False),
    Column("status", String(16), nullable=False, default="active"),  # active | suggested | declined | removed
    Column("suggested_by", ForeignKey("participants.id", ondelete="SET NULL")),
    Column("created_at", String(40), nullable=False),
)


tray_interests = Table(
    "tray_interests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # interested | organise
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("activity_id", "participant_id", "kind"),
)


V7_TABLES = [activities, tray_interests]


# v18 (issue 19): one person, one vote, online too. A one-time voting code unlocks one ballot of a
# round; the store keeps only its hash. Using it is a row of code_uses whose key is the code, so a
# second device presenting a used code is refused by the database itself, whichever process answers.
voting_codes = Table(
    "voting_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
)

code_uses = Table(
    "code_uses",
    metadata,
    Column("code_id", ForeignKey("voting_codes.id", ondelete="CASCADE"), primary_key=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("used_at", String(40), nullable=False),
    UniqueConstraint("round_id", "participant_id", name="uq_code_uses_voter"),
)

# v18: short feedback on a tray activity from the public tray page (no login: nothing about the person)
tray_feedback = Table(
    "tray_feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("rating", String(8), nullable=False),  # good | ok | bad
    Column("comment", Text),
    Column("language", String(2), nullable=False),
    Column("created_at", String(40), nullable=False),
)

V18_TABLES = [voting_codes, code_uses, tray_feedback]


# v10: the run of show. One row per activity of a workshop's agenda; `uid` is the activity's stable
# id (what words, questions and a move "from" name); the room's current activity is a setting.
agenda_items = Table(
    "agenda_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("uid", String(12), nullable=False),
    Column("position", Integer, nullable=False),
    Column("type", String(16), nullable=False),
    Column("title", JSON),
    Column("minutes", Integer),
    Column("config", JSON, nullable=False, default=dict),
    UniqueConstraint("workshop_id", "uid"),
)

words = Table(  # the one-word warm-up
    "words",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("activity_uid", String(12), nullable=False),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE")),
    Column("text", Text, nullable=False),
    Column("hidden", Boolean, nullable=False, default=False),
    Column("created_at", String(40), nullable=False),
)

questions = Table(  # questions from the room
    "questions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("activity_uid", String(12), nullable=False),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE")),
    Column("text", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | visible | hidden | answered
    Column("created_at", String(40), nullable=False),
)

question_votes = Table(
    "question_votes",
    metadata,
    Column("question_id", ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", String(40), nullable=False),
)

V10_TABLES = [agenda_items, words, questions, question_votes]


# v16: rate limits shared by every kit process on one PostgreSQL (kit/server/base.py RateLimiter): hits
# of a key (a hash of the limiter's name and a device or address) in a minute; rows older than a minute
# are swept. On SQLite, with one kit process, the limits stay in memory and this table stays empty.
rate_hits = Table(
    "rate_hits",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("minute", Integer, primary_key=True),
    Column("hits", Integer, nullable=False),
)


_TABLES = {t.name: t for t in V1_TABLES + [paper_entries] + V3_TABLES + V4_TABLES + V5_TABLES + V6_TABLES
           + V7_TABLES + V10_TABLES + V18_TABLES + [networks, action_reviews]}

