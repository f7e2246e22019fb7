"""Issue 18 end to end: two `kit serve` processes on one PostgreSQL behind nginx on loopback
(`kit deploy`'s topology, kit/deploy.py). Phones in chromium vote through the proxy; the projector served
by one process sees the ballots sent to the other. Faults: one process killed with SIGKILL in the
middle of a vote of 200 simulated devices with at least 50 writes in flight; PostgreSQL restarted
during a vote (a phone in chromium says "not saved, trying again" and its ballot lands when the
database is back). Each fault test prints its counts: acknowledged, stored, lost, duplicated."""

import asyncio
import signal
import time

from pathlib import Path

import pytest

from kit.deploy import Topology
from tests import pg
from tests.e2e.conftest import ARTIFACTS, PHONE, shot
from tests.e2e.devices import Background, Devices, compare

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    cluster = pg.start_cluster(durable=True)  # a server of its own, as in production: one test crashes it
    url = pg.fresh_database(empty=True, server=cluster.url)
    topo = Topology(tmp_path_factory.mktemp("topology"), processes=2, store=url, host="127.0.0.1").start()
    topo.cluster_for_tests = cluster
    yield topo
    for n, server in enumerate(topo.servers):  # what the kit processes said, for a failure's reader
        (Path(ARTIFACTS) / f"scaleout-kit-{n}.log").write_text("".join(server.log), encoding="utf-8")
    topo.stop()
    pg.stop_cluster(cluster)


def new_vote(topo, title: str, ideas=("Valot", "Penkit", "Polku", "Laituri")) -> tuple[int, list[int]]:
    from kit.store import Store

    store = Store.connect(topo.store)
    ws = store.workshop_by_code(topo.code)
    ids = [store.add_idea(ws["id"], f"{t} ({title})")["id"] for t in ideas]
    rnd = store.create_round(ws["id"], title, method="approval", options={"max_choices": 1}, idea_ids=ids)
    store.open_round(rnd["id"])
    store.close()
    return rnd["id"], ids


def test_phones_vote_through_the_proxy_and_the_projector_on_one_process_sees_the_other(topology, browser):
    from kit.store import Store

    topo = topology
    rid, ids = new_vote(topo, "Selaimet")
    a, b = topo.servers
    fac = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fi")
    projector = fac.new_page()
    projector.goto(a.voila("02_ideas_and_voting.ipynb", workshop=topo.code))  # served by process 1 only
    projector.wait_for_selector(".kit-ballots", timeout=90_000)
    phones = []
    for n in range(4):
        ctx = browser.new_context(viewport=PHONE, locale="fi")
        page = ctx.new_page()
        page.goto(topo.participants)  # through nginx: either process answers
        page.click("#join-form button[type=submit]")
        page.wait_for_selector("#vote-items input.choice", timeout=30_000)
        page.locator("#vote-items input.choice").nth(n % 4).check()
        page.wait_for_function("() => document.getElementById('status').textContent.includes('Tallennettu')",
                               timeout=30_000)
        phones.append(page)
    projector.wait_for_function("() => document.querySelector('.kit-ballots').textContent.trim().startsWith('4 /')",
                                timeout=30_000)
    # one more, sent straight to process 2: the projector of process 1 shows it
    status, joined = b.api("POST", f"/workshops/{topo.code}/participants", {})
    assert status == 201
    status, _ = b.api("PUT", f"/workshops/{topo.code}/rounds/{rid}/ballot", {"choices": [ids[0]]}, token=joined["token"])
    assert status == 200
    projector.wait_for_function("() => document.querySelector('.kit-ballots').textContent.trim().startsWith('5 /')",
                                timeout=30_000)
    shot(projector, "scaleout-projector-process-1")
    store = Store.connect(topo.store)
    assert store.ballot_count(rid) == 5
    store.close()
    for page in phones:
        page.context.close()
    fac.close()


def test_a_kit_process_killed_in_the_middle_of_a_vote_loses_nothing_acknowledged(topology):
    from kit.launch import start_server
    from kit.store import Store

    topo = topology
    rid, ids = new_vote(topo, "Kaatuminen")
    victim = topo.servers[1]
    devices = Devices(topo.base, topo.code, 200)

    async def run():
        await devices.join_all()
        voting = asyncio.ensure_future(devices.vote(rid, ids, writes=8))
        seen = await devices.when_in_flight(50, lambda: victim.stop(signal.SIGKILL))
        await voting
        return seen

    in_flight = Background(run).join()
    assert victim.proc.returncode == -signal.SIGKILL
    store = Store.connect(topo.store)
    counts = compare(store, rid, devices)
    print(f"\nkill -9 of one of two processes, {in_flight} writes in flight: acknowledged {counts['acknowledged']}, "
          f"stored {counts['stored']}, lost {counts['lost']}, duplicated {counts['duplicated']} "
          f"(acks {counts['acks']}, refused or cut and retried {counts['refused_and_retried']}; statuses {devices.statuses})")
    assert in_flight >= 50
    assert counts["acknowledged"] == counts["stored"] == 200 and counts["lost"] == 0 and counts["duplicated"] == 0
    assert devices.acks == 200 * 8  # every device went on through the other process to its last write
    store.close()
    # the killed process comes back on its port, and nginx sends devices to it again
    topo.servers[1] = start_server(victim.data, "--public-url", topo.base, "--behind-proxy", store=topo.store,
                                   port=victim.port, env={"KIT_TOKEN": topo.token}, timeout=120)


def test_postgresql_restarted_during_a_vote_refuses_cleanly_and_nothing_acknowledged_is_lost(topology, browser):
    from kit.store import Store

    topo = topology
    rid, ids = new_vote(topo, "Tietokanta")
    devices = Devices(topo.base, topo.code, 100, seed=11)
    ctx = browser.new_context(viewport=PHONE, locale="fi")
    phone = ctx.new_page()
    phone.goto(topo.participants)
    phone.click("#join-form button[type=submit]")
    phone.wait_for_selector("#vote-items input.choice", timeout=30_000)

    import threading

    started = threading.Event()

    async def run():
        await devices.join_all()
        voting = asyncio.ensure_future(devices.vote(rid, ids, writes=12))
        await devices.when_in_flight(20, started.set)
        await voting

    background = Background(run)
    assert started.wait(120)
    topo.cluster_for_tests.stop("immediate")  # every connection cut, as a crash would
    # the database is away: the phone ticks a project and is told it is not saved, trying again
    phone.locator("#vote-items input.choice").nth(2).check()
    phone.wait_for_function("() => document.getElementById('alert').textContent.includes('yritetään uudelleen') || "
                            "document.getElementById('alert').textContent.includes('Yritetään')", timeout=30_000)
    shot(phone, "scaleout-phone-database-away")
    time.sleep(2.0)
    topo.cluster_for_tests.start()
    background.join()
    phone.wait_for_function("() => document.getElementById('status').textContent.includes('Tallennettu')",
                            timeout=60_000)
    store = Store.connect(topo.store)
    counts = compare(store, rid, devices)
    print(f"\nPostgreSQL restarted during a vote: acknowledged {counts['acknowledged']}, stored {counts['stored']} "
          f"(+1 phone), lost {counts['lost']}, duplicated {counts['duplicated']} (acks {counts['acks']}, refused and "
          f"retried {counts['refused_and_retried']}; statuses {devices.statuses}; said: {sorted(devices.messages)})")
    assert counts["refused_and_retried"] > 0 and devices.statuses.get(503, 0) > 0  # refused cleanly, in words
    assert any("Ei tallennettu" in m for m in devices.messages)
    assert counts["acknowledged"] == 100 and counts["stored"] == 101 and counts["lost"] == 0
    assert counts["duplicated"] == 0 and devices.acks == 100 * 12
    assert store.ballot_count(rid) == 101
    store.close()
    ctx.close()
    time.sleep(0.1)
