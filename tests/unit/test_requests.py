"""What a request to the participant API may contain: the OpenAPI document is the one place, the
routes are its paths, and every malformed request answers 4xx with the field named in the reader's
language, never 500, changing nothing."""

import json
import re

import pytest

from kit.server import requests
from kit.server.openapi import openapi_document
from kit.server.routes import API, OpenApiHandler, pattern


@pytest.fixture(scope="module")
def joined(kit_server):
    status, body = kit_server.api("POST", f"/workshops/{kit_server.code}/participants", {"language": "fi"})
    assert status == 201
    return body["token"]


def test_the_documents_paths_and_methods_are_exactly_the_routes():
    doc = openapi_document("/")
    routes = {h.path: h for h in API}
    assert set(doc["paths"]) == set(routes)
    for path, item in doc["paths"].items():
        handler = routes[path]
        assert {m for m in item} == {m for m in ("get", "post", "put", "delete") if handler.allows(m)}, path
    assert OpenApiHandler.allows("get")


def test_a_document_path_becomes_a_tornado_pattern_that_matches_only_its_own_urls():
    rx = re.compile(pattern("/workshops/{code}/rounds/{round_id}/ballot") + "$")
    assert rx.match("/workshops/AB12CD/rounds/7/ballot").groups() == ("AB12CD", "7")
    assert not rx.match("/workshops/AB12CD/rounds/ 1/ballot")
    assert not rx.match("/workshops/AB 12/rounds/1/ballot")


def test_every_request_body_is_closed_and_every_operation_lists_its_errors():
    for path, item in openapi_document("/")["paths"].items():
        for method, op in item.items():
            assert "400" in op["responses"] and "404" in op["responses"], (path, method)
            if "requestBody" in op:
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                assert schema["additionalProperties"] is False, (path, method)
                assert {"413", "415"} <= set(op["responses"]), (path, method)
                assert requests.validator(path, method) is not None


@pytest.mark.parametrize("raw, code", [
    (b'{"text": "a", "text": "b"}', "duplicate_key"),
    (b"[" * 5000 + b"]" * 5000, "bad_json"),
    (json.dumps({"text": [[[[[[[[["deep"]]]]]]]]]}).encode(), "bad_json"),
    (b'"just a string"', "bad_json"),
    (b"\xff\xfe", "bad_json"),
])
def test_unreadable_bodies_are_refused_with_400(raw, code):
    with pytest.raises(Exception) as e:
        requests.parse(raw, "application/json")
    assert e.value.code == code and e.value.status == 400


def test_a_body_that_is_not_json_is_refused_with_415_and_nothing_is_stored(kit_server, joined):
    store = kit_server.store()
    ws = store.workshop_by_code(kit_server.code)
    before = len(store.ideas(ws["id"]))
    status, body = kit_server.api("POST", f"/workshops/{kit_server.code}/ideas", raw=b'{"text": "from elsewhere"}',
                                  token=joined, lang="en", content_type="text/plain")
    assert status == 415 and body["error"] == "unsupported_media_type" and "JSON" in body["message"]
    assert len(store.ideas(ws["id"])) == before


@pytest.mark.parametrize("path, body, field, words", [
    ("/participants", {"language": ["fi"]}, "language", "kieli"),
    ("/participants", {"group": {"id": "resident"}}, "group", "ryhmä"),
    ("/participants", {"nickname": 5}, "nickname", "nimimerkki"),
    ("/participants", {"nickname": "A", "admin": True}, "unknown", "jota palvelu ei tunne"),
    ("/ideas", {"text": ["a", "b"]}, "text", "teksti"),
    ("/ideas", {"text": {"x": 1}}, "text", "teksti"),
    ("/offers", {"task_id": "1 ", "kind": "can_do"}, "task_id", "tehtävä"),
    ("/links", {"source": " 1", "target": 2, "type": "information"}, "source", "ensimmäinen toimija"),
])
def test_malformed_fields_answer_400_naming_the_field_in_the_readers_words(kit_server, joined, path, body, field,
                                                                          words):
    store = kit_server.store()
    ws = store.workshop_by_code(kit_server.code)
    before = (len(store.participants(ws["id"])), len(store.ideas(ws["id"])), store.version(ws["id"]))
    store.set_setting(ws["id"], "tasks_open", True)
    store.set_setting(ws["id"], "map_open", True)
    version = store.version(ws["id"])
    status, out = kit_server.api("POST", f"/workshops/{kit_server.code}{path}", body, token=joined, lang="fi")
    assert status == 400 and out["error"] == "bad_field", out
    assert words in out["message"] and f" {field}." not in out["message"]
    assert store.version(ws["id"]) == version and len(store.ideas(ws["id"])) == before[1]
    status, out = kit_server.api("POST", f"/workshops/{kit_server.code}{path}", body, token=joined, lang="sv")
    assert status == 400 and field not in out["message"].split()


def test_a_ballot_id_with_a_space_is_not_idea_1(kit_server, joined):
    store = kit_server.store()
    ws = store.workshop_by_code(kit_server.code)
    idea = store.add_idea(ws["id"], "Yksi")
    rnd = store.open_round(store.create_round(ws["id"], "R", "fixed5", idea_ids=[idea["id"]])["id"])
    status, out = kit_server.api("PUT", f"/workshops/{kit_server.code}/rounds/{rnd['id']}/ballot",
                                 {"dots": {f" {idea['id']}": 1}}, token=joined, lang="en")
    assert status == 400 and out["error"] == "unknown_item"
    assert store.ballot_count(rnd["id"]) == 0
    store.close_round(rnd["id"])


def test_a_method_the_route_does_not_have_answers_405_with_allow(kit_server):
    status, headers, body = kit_server.request("DELETE", f"/kit/api/workshops/{kit_server.code}/ideas",
                                               headers={"Accept-Language": "sv"})
    assert status == 405 and headers["Allow"] == "POST"
    out = json.loads(body)
    assert out["error"] == "method_not_allowed" and "Allow" in out["message"]


def test_a_static_path_with_a_nul_byte_is_not_found_not_an_error(kit_server):
    status, _, _ = kit_server.request("GET", "/kit/static/participant.js%00.html")
    assert status == 404
    status, _, _ = kit_server.request("GET", "/kit/static/participant.js")
    assert status == 200


def test_the_internal_field_name_never_reaches_the_reader():
    from kit.errors import KitError

    assert KitError("too_long", field="name", max=120).message("fi") == "Liian pitkä: nimi (enintään 120 merkkiä)."
    assert "task_id" not in KitError("bad_field", field="task_id").message("en")


def _raw_post(server, path: str, headers: dict, chunks) -> tuple[int, dict]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest("POST", path)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.endheaders()
    try:
        for c in chunks:
            conn.send(c)
    except (BrokenPipeError, ConnectionResetError):  # the server answered and stopped reading: as it should
        pass
    r = conn.getresponse()
    out = r.status, json.loads(r.read() or b"{}")
    conn.close()
    return out


def test_an_oversized_body_is_refused_before_it_is_read(kit_server, joined):
    """Issue 15, item 13: a 50 MB post was read whole into memory before the 16 KB check."""
    path = f"/kit/api/workshops/{kit_server.code}/ideas?lang=en"
    auth = {"Authorization": f"Bearer {joined}", "Content-Type": "application/json"}
    status, body = _raw_post(kit_server, path, {**auth, "Content-Length": str(50_000_000)}, [b'{"text": "'])
    assert status == 413 and body["error"] == "too_large" and "16384" in body["message"]
    # chunked, no length declared: kept only up to the limit, then refused
    chunk = b'{"text": "' + b"x" * 40_000 + b'"}'
    framed = [f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n", b"0\r\n\r\n"]
    status, body = _raw_post(kit_server, path, {**auth, "Transfer-Encoding": "chunked"}, framed)
    assert status == 413 and body["error"] == "too_large"
    small = b'{"text": "pieni idea"}'
    framed = [f"{len(small):x}\r\n".encode() + small + b"\r\n", b"0\r\n\r\n"]
    assert _raw_post(kit_server, path, {**auth, "Transfer-Encoding": "chunked"}, framed)[0] == 201


def test_joining_is_limited_per_network_address_and_the_start_page_says_when(tmp_path):
    """Issue 15, item 12: one client made 300 participants in 1.4 s. The limit counts per source
    address (held in memory), so a second address still joins, and the facilitator is told."""
    import http.client

    from kit.server.api.workshops import JoinApi
    from kit.ui import StartApp
    from tests.unit.inprocess import InProcessServer

    server = InProcessServer(tmp_path)
    saved = JoinApi.limiter.per_minute
    JoinApi.limiter.per_minute = 5
    JoinApi.limiter.hits.clear()

    def join(source: str) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30, source_address=(source, 0))
        conn.request("POST", f"/kit/api/workshops/{server.code}/participants?lang=fi", body=b"{}",
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        out = r.status, json.loads(r.read())
        conn.close()
        return out

    try:
        store = server.store()
        ws = store.workshop_by_code(server.code)
        assert [join("127.0.0.1")[0] for _ in range(5)] == [201] * 5
        status, body = join("127.0.0.1")
        assert status == 429 and body["error"] == "join_slow_down" and "Odota" in body["message"]
        assert store.participant_count(ws["id"]) == 5  # the refused join changed nothing
        assert join("127.0.0.2")[0] == 201  # another address in the room still joins
        assert all(len(k) == 64 for k in JoinApi.limiter.hits)  # only hashes, in memory
        app = StartApp(store, code=server.code, lang="en")
        assert "Joins were refused" in app.join.value and "KIT_JOINS_PER_MINUTE" in app.join.value
        assert "127.0.0" not in json.dumps(store.workshop(ws["id"])["settings"])
    finally:
        JoinApi.limiter.per_minute = saved
        JoinApi.limiter.hits.clear()
        server.stop()


def test_a_level_is_named_for_what_it_is_a_level_of():
    """Issue 15, item 15: a bad logic-model level was refused as a bad "step level"."""
    from kit.errors import KitError

    assert "logiikkamallin taso" in KitError("bad_field", field="lm_level").message("fi")
    assert "the competence level" in KitError("bad_field", field="competence_level").message("en")
    assert "askeltaso" in KitError("bad_field", field="level").message("fi")  # the tray's step level


def test_a_cut_connection_in_any_of_the_drivers_words_is_a_503_and_a_real_database_error_is_not():
    import asyncio

    from sqlalchemy.exc import DBAPIError, PendingRollbackError

    from kit.server.base import ApiHandler, guarded

    class Handler:
        _store_away = ApiHandler._store_away

        def __init__(self):
            self.headers, self.failed = {}, None

        def set_header(self, k, v):
            self.headers[k] = v

        def fail(self, err, lang):
            self.failed = (err.code, err.status)

        def lang(self):
            return "fi"

    def raising(err):
        @guarded
        async def method(self):
            raise err
        return method

    cut = DBAPIError("UPDATE ballots", {}, Exception("server closed the connection unexpectedly"),
                     connection_invalidated=True)
    for err in (cut, PendingRollbackError("the transaction a cut left behind")):
        h = Handler()
        asyncio.run(raising(err)(h))
        assert h.failed == ("store_unavailable", 503) and h.headers["Retry-After"] == "2"
    real = DBAPIError("INSERT", {}, Exception("duplicate key"), connection_invalidated=False)
    with pytest.raises(DBAPIError):
        asyncio.run(raising(real)(Handler()))
