"""A hosted kit (issue 19, item 1): each facilitator's Jupyter server reaches PostgreSQL with a database
role of its own, and row-level security lets that role see and change only the networks it owns, and
everything in them. The isolation holds against the facilitator's own kernel, which can run any code with
the credentials it has: the database refuses the rest, not the kit's pages.

How it is built:
- `networks.owner` is the role that made the network (a column default of `current_user`).
- Every table of the store has one policy for the group role `kit_facilitator`: a network is visible when
  its owner is the current role; a meeting when its network is visible; a row with a `workshop_id` when
  its meeting is visible; any other row when the row it belongs to is (a ballot's round, a mark's ballot,
  ...). PostgreSQL applies the referenced table's policy inside each check, so the chain ends at the
  network's owner. The same expression checks what is written (WITH CHECK).
- The tables' owner (the role the participant service and the hub's admins use) is not subject to the
  policies: participants join any meeting by its code, and an administrator sees every network.
- Shared bookkeeping: the schema version is readable, the rate-limit counters usable, by everyone.

The SQL is generated from the store's own schema (kit/store/schema.py), so a table added later gets
its policy from its foreign keys; a test holds every table to having one."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

from kit.store.schema import metadata

GROUP = "kit_facilitator"
SHARED = {"kit_meta": "SELECT", "rate_hits": "ALL"}  # not a network's: readable / usable by everyone


def policy_expression(table) -> str:
    """The row check of one table: visible when what it belongs to is visible."""
    if table.name == "networks":
        return "owner = current_user"
    if table.name == "workshops":
        return "network_id IN (SELECT id FROM networks)"
    if "workshop_id" in table.c:
        return "workshop_id IN (SELECT id FROM workshops)"
    for col in table.columns:  # the first foreign key that every row has
        if col.foreign_keys and not col.nullable:
            parent = next(iter(col.foreign_keys)).column.table.name
            return f"{col.name} IN (SELECT id FROM {parent})"
    raise ValueError(f"no owner path for table {table.name}")


def statements() -> list[str]:
    """Everything that turns row-level security on, idempotent (run again after an upgrade)."""
    out = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{GROUP}') THEN "
        f"CREATE ROLE {GROUP} NOLOGIN; END IF; END $$",
        f"GRANT USAGE ON SCHEMA public TO {GROUP}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {GROUP}",
        "ALTER TABLE networks ALTER COLUMN owner SET DEFAULT current_user",
    ]
    for table in metadata.sorted_tables:
        name = table.name
        if name in SHARED:
            grant = "SELECT" if SHARED[name] == "SELECT" else "SELECT, INSERT, UPDATE, DELETE"
            out.append(f"GRANT {grant} ON {name} TO {GROUP}")
            continue
        expr = policy_expression(table)
        out += [
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {name} TO {GROUP}",
            f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS kit_own ON {name}",
            f"CREATE POLICY kit_own ON {name} FOR ALL TO {GROUP} USING ({expr}) WITH CHECK ({expr})",
        ]
    return out


def enable(conn: Connection) -> None:
    """Turn the store's row-level security on (as the tables' owner)."""
    for sql in statements():
        conn.exec_driver_sql(sql)


ROLE_NAME = re.compile(r"[^a-z0-9_]")


def role_name(username: str) -> str:
    """A facilitator's database role: `kit_u_` and their login name in letters, digits and underscores
    (with a short hash when the name had other characters, so two logins never share a role)."""
    import hashlib

    base = ROLE_NAME.sub("_", username.lower())[:40]
    if base != username.lower():
        base += "_" + hashlib.sha256(username.encode()).hexdigest()[:8]
    return "kit_u_" + base


def facilitator_url(admin_url: str, username: str) -> str:
    """The store URL a facilitator's server gets: their own role (made if new, a fresh password each
    time their server starts), member of the facilitators' group. Run with the tables' owner's URL."""
    from kit.store import Store

    role, password = role_name(username), secrets.token_urlsafe(24)
    store = Store.connect(admin_url)
    try:
        with store.engine.begin() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
            verb = "ALTER" if exists else "CREATE"
            # a role name and a password cannot be bound parameters: both are made here, of safe characters
            conn.exec_driver_sql(f"{verb} ROLE {role} LOGIN PASSWORD '{password}'")
            conn.exec_driver_sql(f"GRANT {GROUP} TO {role}")
    finally:
        store.close()
    return make_url(admin_url).set(username=role, password=password).render_as_string(hide_password=False)
