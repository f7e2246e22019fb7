"""Issue 19, item 1: a hosted kit's isolation holds in the database. Each facilitator reaches PostgreSQL
with a role of their own; row-level security shows that role only the networks it owns and everything in
them, whatever code runs with its credentials (a kernel can run any query): facilitator B's queries
against A's network get nothing, and B's writes into it are refused. The tables' owner (the participant
service, the hub's admins) sees every network."""

import secrets

import pytest
from sqlalchemy.exc import DBAPIError

from kit.errors import KitError
from kit.store import Store, rls
from kit.store.schema import metadata
from tests import pg


@pytest.fixture
def hosted():
    url = pg.fresh_database()
    admin = Store.connect(url)
    with admin.engine.begin() as conn:
        rls.enable(conn)
    names = [f"alice{secrets.token_hex(3)}", f"bob{secrets.token_hex(3)}"]
    a = Store.connect(rls.facilitator_url(url, names[0]))
    b = Store.connect(rls.facilitator_url(url, names[1]))
    yield admin, a, b, names
    for s in (a, b, admin):
        s.close()
    pg.drop_database(url)


def test_every_table_has_a_policy_that_ends_at_a_networks_owner():
    for table in metadata.sorted_tables:
        if table.name in rls.SHARED:
            continue
        assert "IN (SELECT id FROM" in rls.policy_expression(table) or table.name == "networks"
    sql = "\n".join(rls.statements())
    assert sql.count("CREATE POLICY kit_own") == len(metadata.tables) - len(rls.SHARED)
    assert rls.role_name("Alice") == rls.role_name("alice") and rls.role_name("a.b") != rls.role_name("a_b")
    assert rls.role_name("x'; DROP TABLE networks; --").replace("kit_u_", "").replace("_", "").isalnum()


def test_facilitator_b_gets_nothing_of_as_network_whatever_the_query(hosted):
    admin, a, b, names = hosted
    ws = a.create_workshop("A:n verkosto", "pore", "fi")
    idea = a.add_idea(ws["id"], "A:n idea")
    rnd = a.create_round(ws["id"], "A:n äänestys", method="approval")
    a.open_round(rnd["id"])
    p, _ = a.add_participant(ws["id"])
    a.save_ballot(rnd["id"], p["id"], {"choices": [idea["id"]]})
    mine = b.create_workshop("B:n verkosto", "pore", "fi")
    assert [n["name"] for n in a.networks()] == ["A:n verkosto"]
    assert [n["name"] for n in b.networks()] == ["B:n verkosto"] and [w["id"] for w in b.workshops()] == [mine["id"]]
    assert {n["name"] for n in admin.networks()} == {"A:n verkosto", "B:n verkosto"}  # the owner sees all
    with pytest.raises(KitError):  # by the kit's own methods ...
        b.workshop(ws["id"])
    with pytest.raises(KitError):
        b.workshop_by_code(ws["code"])
    with b.engine.connect() as conn:  # ... and by any query a kernel could run with B's credentials
        for table in ("networks", "workshops", "participants", "ideas", "rounds", "round_items", "ballots",
                      "ballot_marks", "agenda_items", "events"):
            rows = conn.exec_driver_sql(f"SELECT * FROM {table}").all()
            assert all(ws["id"] not in (getattr(r, "workshop_id", None), getattr(r, "id", None)) or table in
                       ("round_items", "ballot_marks", "ballots") for r in rows), table
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM ballots").scalar() == 0
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM ideas").scalar() == 0
        assert conn.exec_driver_sql(f"SELECT COUNT(*) FROM workshops WHERE id = {ws['id']}").scalar() == 0
        assert conn.exec_driver_sql("SELECT current_user").scalar() == rls.role_name(names[1])
    with pytest.raises(DBAPIError):  # a write into A's meeting is refused by the database
        with b.engine.begin() as conn:
            conn.exec_driver_sql(f"INSERT INTO ideas (workshop_id, text, status, created_at) "
                                 f"VALUES ({ws['id']}, 'B was here', 'visible', 'now')")
    with b.engine.begin() as conn:  # an update or a delete finds nothing to change
        assert conn.exec_driver_sql(f"UPDATE workshops SET title = 'B' WHERE id = {ws['id']}").rowcount == 0
        assert conn.exec_driver_sql(f"DELETE FROM ballots WHERE round_id = {rnd['id']}").rowcount == 0
    with pytest.raises(DBAPIError):  # and B cannot give itself A's network
        with b.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE networks SET owner = current_user WHERE id = {ws['network_id']}")
            conn.exec_driver_sql("SET ROLE postgres")
    assert admin.ballot_count(rnd["id"]) == 1 and admin.workshop(ws["id"])["title"] == "A:n verkosto"


def test_a_facilitators_own_network_works_whole_under_row_security(hosted):
    admin, a, b, names = hosted
    ws = a.create_workshop("Oma", "osallisuusverkosto", "fi")
    later, made = a.next_meeting(ws["id"])
    assert made and [m["id"] for m in a.network_of(later["id"])["meetings"]] == [ws["id"], later["id"]]
    a.add_activity(ws["id"], {"name": "Kävely", "step_level": 1})
    a.publish_tray(ws["id"], True)
    doc = a.dump_network(ws["id"])
    restored = a.restore_workshop(doc, replace=True)
    assert restored["title"] == "Oma" and len(a.networks()) == 1
    assert b.networks() == []
    # the participant service (the tables' owner) serves A's meeting by its code
    # (restored under new ids: a facilitator's role cannot see which ids are free elsewhere)
    assert admin.workshop_by_code(later["code"])["network_id"] == restored["network_id"]
    assert admin.workshop_by_code(later["code"])["id"] != later["id"]
