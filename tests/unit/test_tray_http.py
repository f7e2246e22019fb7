"""The service tray's participant API over HTTP, served in-process on the demo's real SQLite store:
filters, marks, suggestions, and refusals in words."""

import pytest

from tests.unit.inprocess import InProcessServer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = InProcessServer(tmp_path_factory.mktemp("tray-data"))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def ws(server):
    """The demo workshop (8 activities on the tray), written into the server's own SQLite file."""
    from kit import sample

    return sample.load_demo(server.store())


def join(server, code, lang="en"):
    status, body = server.api("POST", f"/workshops/{code}/participants", {"language": lang})
    assert status == 201
    return body["token"]


def test_tray_api_filters_marks_and_refuses_in_words(server, ws):
    store = server.store()
    token = join(server, ws["code"])
    path = f"/workshops/{ws['code']}/tray"
    status, body = server.api("GET", path, token=token, lang="en")
    assert status == 200 and body["open"] is False and body["total"] == 8
    first = body["activities"][0]
    # closed: marking and suggesting are refused, nothing stored
    status, err = server.api("PUT", f"{path}/activities/{first['id']}/interest", {"kind": "interested", "on": True},
                             token=token, lang="sv")
    assert status == 409 and "inte öppet" in err["message"]
    store.set_setting(ws["id"], "tray_open", True)
    status, body = server.api("GET", path + "?level=1&free=1&language=sv", token=token, lang="en")
    assert [a["name"] for a in body["activities"]] == ["Avoin olohuone"]
    assert body["activities"][0]["level"] == "Open low-threshold activity"
    assert body["activities"][0]["days"] == ["Mon", "Wed"] and body["activities"][0]["free"] is True
    status, body = server.api("GET", path + "?day=sun", token=token)
    assert status == 200 and body["activities"] == []
    status, err = server.api("GET", path + "?level=abc", token=token, lang="fi")
    assert status == 400 and err["error"] == "bad_field"
    status, ok = server.api("PUT", f"{path}/activities/{first['id']}/interest", {"kind": "interested", "on": True},
                            token=token, lang="en")
    assert status == 200 and "only the count" in ok["message"]
    assert store.interest_counts(ws["id"])[first["id"]]["interested"] == 1
    for bad, code in (({"kind": "love", "on": True}, 400), ({"kind": "interested", "on": "yes"}, 400)):
        assert server.api("PUT", f"{path}/activities/{first['id']}/interest", bad, token=token)[0] == code
    assert server.api("PUT", f"{path}/activities/99999/interest", {"kind": "interested", "on": True}, token=token)[0] == 404
    assert server.api("PUT", f"{path}/activities/{first['id']}/interest", {"kind": "interested", "on": True})[0] == 401
    status, err = server.api("POST", f"{path}/activities", {"name": "X", "step_level": 9}, token=token, lang="fi")
    assert status == 400 and "Tasot: 1, 2, 3, 4" in err["message"]
    status, body = server.api("GET", "/openapi.json")
    assert {"/workshops/{code}/tray", "/workshops/{code}/tray/activities",
            "/workshops/{code}/tray/activities/{activity_id}/interest"} <= set(body["paths"])
    store.set_setting(ws["id"], "tray_open", None)
