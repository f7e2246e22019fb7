"""Issue 16, item 5: the event stream (GET /workshops/{code}/events) served in-process on a real store.
200 open streams cost one store read per change (per language), not one per stream; a change of what
phones show reaches every stream, coalesced; a burst of ballots in a vote whose totals are hidden sends
nothing; a stream that reconnects with the last event id gets only what is new."""

import json
import socket
import threading
import time

import pytest

from kit.server.events import hub_for
from tests.unit.inprocess import SERVER_TOKEN, InProcessServer

STREAMS = 200


class Stream:
    """One raw HTTP connection reading the stream (what EventSource does), on a thread of its own."""

    def __init__(self, port: int, code: str, last_id: str | None = None):
        self.events: list[dict] = []
        self.ids: list[str] = []
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        head = f"GET /kit/api/workshops/{code}/events?lang=fi HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
        if last_id:
            head += f"Last-Event-ID: {last_id}\r\n"
        self.sock.sendall((head + "\r\n").encode())
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        buf = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                buf += chunk
                while b"\n\n" in buf:
                    block, buf = buf.split(b"\n\n", 1)
                    fields = dict(line.split(": ", 1) for line in block.decode().splitlines() if ": " in line
                                  and not line.startswith(":"))
                    if fields.get("event") == "change":
                        self.ids.append(fields["id"])
                        self.events.append(json.loads(fields["data"]))
        except OSError:
            return

    def close(self):
        self.sock.close()


def wait(cond, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


@pytest.fixture
def served(tmp_path):
    server = InProcessServer(tmp_path)
    yield server
    server.stop()


def move(server, position):
    status, _ = server.api("PUT", f"/workshops/{server.code}/agenda/current", {"position": position},
                           auth=f"token {SERVER_TOKEN}")
    assert status == 200


def test_two_hundred_streams_cost_one_store_read_per_change(served):
    streams = [Stream(served.port, served.code) for _ in range(STREAMS)]
    try:
        assert wait(lambda: all(s.events for s in streams))
        assert all(s.events[0]["full"] and "agenda" in s.events[0]["parts"] for s in streams)
        hub = hub_for(served._store)
        assert wait(lambda: hub.count == STREAMS)
        builds = hub.builds
        for position in (2, 3, 4):
            move(served, position)
            assert wait(lambda: all(len(s.events) >= position for s in streams)), position
            time.sleep(0.3)  # past the 4-a-second gap
        assert hub.builds - builds == 3  # one build of the shared part per change, for 200 streams
        last = [s.events[-1] for s in streams]
        assert len({json.dumps(e["parts"], sort_keys=True) for e in last}) == 1  # serialised once, the same to all
        assert last[0]["parts"]["agenda"]["current"]["position"] == 4 and not last[0]["full"]
        # only the parts that changed: a move changes the agenda and the facilitator's last action, not the tray
        assert {"agenda", "mod"} <= set(last[0]["parts"]) and "tray" not in last[0]["parts"]
    finally:
        for s in streams:
            s.close()


def test_changes_are_coalesced_and_a_hidden_vote_sends_nothing(served):
    store = served._store
    ws = store.workshop_by_code(served.code)
    idea = store.add_idea(ws["id"], "Luontopolku")
    rnd = store.open_round(store.create_round(ws["id"], "Äänestys", "fixed5", idea_ids=[idea["id"]])["id"])
    s = Stream(served.port, served.code)
    try:
        assert wait(lambda: s.events)
        hub = hub_for(store)
        assert wait(lambda: hub.count >= 1)
        time.sleep(0.4)
        n = len(s.events)
        for _ in range(30):  # ballots while totals are hidden: nothing any phone shows changes
            p, _ = store.add_participant(ws["id"])
            store.save_dot_ballot(rnd["id"], p["id"], {idea["id"]: 1})
        time.sleep(1.0)
        assert len(s.events) == n, [list(e["parts"]) for e in s.events[n:]]
        start = time.monotonic()
        for pos in range(2, 7):  # five moves in quick succession
            move(served, pos)
        assert wait(lambda: s.events[-1]["parts"].get("agenda", {}).get("current", {}).get("position") == 6)
        took = time.monotonic() - start
        assert len(s.events) - n <= 1 + took / 0.25 + 1  # at most 4 a second
    finally:
        s.close()


def test_a_stream_that_reconnects_with_the_last_id_gets_only_whats_new(served):
    s = Stream(served.port, served.code)
    assert wait(lambda: s.events)
    last = s.ids[-1]
    s.close()
    again = Stream(served.port, served.code, last_id=last)  # nothing missed: no full copy
    try:
        time.sleep(0.6)
        assert again.events == []
        move(served, 2)
        assert wait(lambda: again.events)
        assert not again.events[0]["full"]
    finally:
        again.close()
    behind = Stream(served.port, served.code, last_id=last)  # missed the move: everything once
    try:
        assert wait(lambda: behind.events)
        assert behind.events[0]["full"] and behind.events[0]["parts"]["agenda"]["current"]["position"] == 2
    finally:
        behind.close()
    move(served, 1)


def test_an_unknown_workshop_answers_404_in_words(served):
    status, body = served.api("GET", "/workshops/ZZZZZZ/events", lang="en")
    assert status == 404 and body["error"] == "unknown_workshop"


def test_own_part_is_the_devices_part_of_poll_and_nothing_every_device_shares(served):
    """Item 5: a device on the stream fetches only its own part (its ballot, its ideas' status, its
    words), and it is exactly what the whole /poll says of it."""
    code, store = served.code, served._store
    ws = store.workshop_by_code(code)
    _, me = served.api("POST", f"/workshops/{code}/participants", {"nickname": "Oma"})
    _, other = served.api("POST", f"/workshops/{code}/participants", {"nickname": "Toinen"})
    mine, theirs = me["token"], other["token"]
    served.api("POST", f"/workshops/{code}/ideas", {"text": "Oma idea <b>"}, token=mine)
    served.api("POST", f"/workshops/{code}/ideas", {"text": "Toisen idea"}, token=theirs)
    idea = store.add_idea(ws["id"], "Yhteinen")
    rnd = store.open_round(store.create_round(ws["id"], "Äänestys", "fixed5", idea_ids=[idea["id"]])["id"])
    assert served.api("PUT", f"/workshops/{code}/rounds/{rnd['id']}/ballot", {"dots": {str(idea["id"]): 3}},
                      token=mine)[0] == 200
    move(served, 2)  # the words warm-up
    assert served.api("POST", f"/workshops/{code}/words", {"text": "Ilo"}, token=mine)[0] == 201

    status, own = served.api("GET", f"/workshops/{code}/poll?own=1", token=mine)
    assert status == 200 and own["own"] is True
    _, whole = served.api("GET", f"/workshops/{code}/poll", token=mine)
    assert own["current"]["round"] == {"id": rnd["id"], "ballot": whole["current"]["round"]["ballot"]}
    assert own["current"]["round"]["ballot"]["dots"] == {str(idea["id"]): 3}
    assert [i["text"] for i in own["ideas"]] == ["Oma idea <b>"] == [i["text"] for i in whole["ideas"]]
    assert own["words"] == {"activity": whole["words"]["activity"], "mine": whole["words"]["mine"]}
    assert own["words"]["mine"] == ["Ilo"]
    assert own["map"]["mine"] == whole["map"]["mine"] and own["tasks"]["mine"] == whole["tasks"]["mine"]
    # nothing of what every device shares: no agenda, no round items, no map, no tray activities
    assert "agenda" not in own and set(own["current"]["round"]) == {"id", "ballot"}
    assert set(own["map"]) == {"mine"} and set(own["tray"]) == {"marks", "mine"}
    assert len(json.dumps(own)) < len(json.dumps(whole)) / 3

    _, theirs_own = served.api("GET", f"/workshops/{code}/poll?own=1", token=theirs)
    assert theirs_own["current"]["round"]["ballot"] is None and [i["text"] for i in theirs_own["ideas"]] == ["Toisen idea"]
    assert theirs_own["words"]["mine"] == []
    status, err = served.api("GET", f"/workshops/{code}/poll?own=1", lang="en")
    assert status == 401 and err["error"] == "not_joined" and err["message"]


def test_on_postgresql_a_change_made_by_another_process_reaches_the_streams_by_notify(tmp_path):
    """Issue 18: PostgreSQL's LISTEN/NOTIFY carries the change across processes; the change counter is
    then read about once a second, not ten times (the fallback when a notice is lost)."""
    from kit.store import Store
    from tests import pg

    url = pg.fresh_database()
    server = InProcessServer(tmp_path, store_url=url)
    other = Store.connect(url)  # another kit process's store
    try:
        ws = other.workshop_by_code(server.code)
        other.save_agenda(ws["id"], [{"type": "join"}, {"type": "slide", "title": "Tervetuloa"}])
        streams = [Stream(server.port, server.code) for _ in range(3)]
        assert wait(lambda: all(s.events for s in streams))  # each got its full first message
        hub = hub_for(server._store)
        assert wait(lambda: hub._listener is not None and hub._listener.healthy)
        reads = hub.reads
        time.sleep(2.0)
        assert hub.reads - reads <= 4  # idle: about one look a second, not twenty
        heard = hub._listener.heard
        other.move_room(ws["id"], position=2)  # the other process moves the room
        assert wait(lambda: all(any(e["parts"].get("agenda", {}).get("current") and
                                    e["parts"]["agenda"]["current"]["type"] == "slide" for e in s.events)
                                for s in streams), timeout=10)
        assert hub._listener.heard > heard
        for s in streams:
            s.close()
    finally:
        other.close()
        server.stop()
        pg.drop_database(url)
