"""Issue 18, item 2: a limit that holds for the whole service holds across kit processes. On PostgreSQL
the joins per address are counted in the store, so a device reaching the second process behind the
proxy gets no more than from one; the in-memory counts stay empty."""

import http.client
import json

from kit.server.api.workshops import JoinApi
from tests import pg
from tests.unit.inprocess import InProcessServer


def join(port: int, code: str, source: str = "127.0.0.1") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    conn.request("POST", f"/kit/api/workshops/{code}/participants?lang=fi", body=b"{}",
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    json.loads(r.read())
    conn.close()
    return r.status


def test_joins_per_address_are_counted_once_for_every_process_on_postgresql(tmp_path):
    url = pg.fresh_database()
    a = InProcessServer(tmp_path / "a", store_url=url)
    b = InProcessServer(tmp_path / "b", store_url=url)
    saved = JoinApi.limiter.per_minute
    JoinApi.limiter.per_minute = 5
    JoinApi.limiter.hits.clear()
    try:
        answers = [join(server.port, a.code) for server in (a, b, a, b, a)]
        assert answers == [201] * 5
        assert join(b.port, a.code) == 429 and join(a.port, a.code) == 429  # both processes know
        assert join(b.port, a.code, "127.0.0.2") == 201  # another address still joins
        assert not JoinApi.limiter.hits  # nothing was counted in a process's memory
        store = a.store()
        assert store.participant_count(store.workshop_by_code(a.code)["id"]) == 6
        with store._tx() as conn:
            assert conn.exec_driver_sql("SELECT COUNT(*) FROM rate_hits").scalar() >= 2
        store.close()
    finally:
        JoinApi.limiter.per_minute = saved
        a.stop()
        b.stop()
        pg.drop_database(url)
