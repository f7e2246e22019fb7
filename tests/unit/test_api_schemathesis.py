"""A bounded schemathesis run against the participant API as the OpenAPI document describes it:
a joined participant's token, every stage open (an open round, map, tasks, form and tray), rate
limits raised for the run, at least 30 examples per operation. No answer may be a 5xx, and every
answer must fit the document's own schema (its status listed, its body of the listed shape).

Two checks are left out. positive_data_acceptance expects every schema-valid request to be
accepted: the schema gives the shape, and what a value means is the domain's to judge (a group that
is not the workshop's, a dot on an idea that is not on the ballot), answered by a documented 400 or
409 in words. negative_data_rejection expects every request outside the schema to be refused: the
kit ignores what it does not read (extra headers and query parameters, a `since` that is not a
number means "send everything"), as HTTP servers do; the bodies themselves are closed and
checked."""

import copy

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.generation import GenerationMode

from kit.server.openapi import openapi_document
from kit.server.routes import rate_limiters
from tests.unit.inprocess import InProcessServer

EXAMPLES = 30


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = InProcessServer(tmp_path_factory.mktemp("kit-data"))
    store = server._store
    ws = store.workshop_by_code(server.code)
    for i in range(4):
        store.add_idea(ws["id"], f"Idea {i}")
    rnd = store.open_round(store.create_round(ws["id"], "Kierros", "fixed5")["id"])
    for key in ("map_open", "tasks_open", "tray_open"):
        store.set_setting(ws["id"], key, True)
    store.add_task(ws["id"], "Tehtävä", "implementation")
    form = store.create_form(ws["id"], "Palaute", [{"kind": "scale", "text": "Kuuluin ryhmään"}], 1)
    store.set_form_status(form["id"], "open")
    act = store.add_activity(ws["id"], {"name": "Kävely", "step_level": 1})
    store.add_actor(ws["id"], "Kirjasto", sample_sector(store, ws))
    store.add_actor(ws["id"], "Seurakunta", sample_sector(store, ws))
    # the room at its questions (words answer their documented 409 then), with one question to vote on
    acts = store.agenda(ws["id"])
    store.move_room(ws["id"], position=[a["type"] for a in acts].index("questions") + 1)
    question = store.add_question(ws["id"], None, "Milloin aloitetaan?")
    saved = {lim: lim.per_minute for lim in rate_limiters()}
    for lim in saved:
        lim.per_minute = 10**6
    ids = {"code": server.code, "round_id": rnd["id"], "form_id": form["id"], "activity_id": act["id"],
           "question_id": question["id"]}
    yield server, ids
    for lim, n in saved.items():  # back as they were, with the run's hits forgotten
        lim.per_minute = n
        lim.hits.clear()
    server.stop()


def sample_sector(store, ws):
    from kit import workshop as wsmod

    return wsmod.template(ws["template"])["sectors"][0]


def pinned(ids: dict) -> dict:
    """The served document with its path parameters pinned to what exists, so the examples reach
    the handlers' real work rather than a 404 for an unknown join code."""
    doc = copy.deepcopy(openapi_document("/"))
    for item in doc["paths"].values():
        for op in item.values():
            for p in op.get("parameters", []):
                if p["in"] == "path":
                    p["schema"] = {"type": p["schema"]["type"], "enum": [ids[p["name"]]]}
    return doc


# the event stream stays open for as long as the device listens: tests/unit/test_events.py reads it
OPERATIONS = [(method.upper(), path) for path, item in openapi_document("/")["paths"].items() for method in item
              if not path.endswith("/events")]


def join(server) -> str:
    status, body = server.api("POST", f"/workshops/{server.code}/participants", {"language": "fi"})
    assert status == 201
    return body["token"]


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize("method, path", OPERATIONS)
def test_no_operation_answers_5xx_or_outside_its_document(served, method, path, mode):
    """Positive examples (requests that fit the document) and negative ones (that do not)."""
    server, ids = served
    operation = schemathesis.openapi.from_dict(pinned(ids))[path][method]
    token = join(server)
    calls = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def run(case):
        # withdrawing ends a token: each withdrawal is a device of its own
        who = join(server) if method == "DELETE" else token
        calls.append(case.call_and_validate(base_url=server.base + "/kit/api",
                                            headers={"Authorization": f"Bearer {who}"},
                                            excluded_checks=[positive_data_acceptance, negative_data_rejection]).status_code)

    run()
    assert calls
    print(f"{mode.value} {method} {path}: {len(calls)} examples, statuses {sorted(set(calls))}")
