import pytest

from kit.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path)
    yield s
    s.close()


@pytest.fixture(scope="module")
def kit_server(tmp_path_factory):
    """The participant routes served in-process on a real store (tests/unit/inprocess.py)."""
    from tests.unit.inprocess import InProcessServer

    server = InProcessServer(tmp_path_factory.mktemp("kit-data"))
    yield server
    server.stop()
