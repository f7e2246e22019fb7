import pytest

from kit.store import Store

# The store's unit tests and the in-process API tests run against both databases the kit supports: the
# SQLite file every laptop uses, and a real PostgreSQL (tests/pg.py starts a throwaway one, or
# KIT_TEST_PG names a server).
BACKENDS = ["sqlite", "postgresql"]


def open_store(kind: str, folder):
    """(store, its PostgreSQL database URL or None) on a fresh database of `kind`."""
    if kind == "sqlite":
        return Store.open(folder), None
    from tests import pg

    url = pg.fresh_database()
    return Store.connect(url, folder), url


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    s, url = open_store(request.param, tmp_path)
    yield s
    s.close()
    if url:
        from tests import pg

        pg.drop_database(url)


@pytest.fixture(scope="module", params=BACKENDS)
def kit_server(request, tmp_path_factory):
    """The participant routes served in-process on a real store (tests/unit/inprocess.py), on each database."""
    from tests.unit.inprocess import InProcessServer

    url = None
    if request.param == "postgresql":
        from tests import pg

        url = pg.fresh_database()
    server = InProcessServer(tmp_path_factory.mktemp("kit-data"), store_url=url)
    yield server
    server.stop()
    if url:
        from tests import pg

        pg.drop_database(url)
