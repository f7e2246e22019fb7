"""Issue 19, item 4: one person, one vote, online too. One-time voting codes unlock one ballot each; the
store keeps only their hashes; a used code is refused on a second device by the database's key; paper,
the shared tablet and devices are counted in one tally and the report says how many came each way."""

import csv
import io
import json
import subprocess
import sys

import pytest
from sqlalchemy.exc import IntegrityError

from kit import report, voting
from kit.errors import KitError
from kit.store.schema import code_uses, voting_codes
from tests.unit.test_rounds import ideas, people

CODE = "K7QM-4TZP"


@pytest.fixture
def ws(store):
    return store.create_workshop("Julkinen äänestys", "pore", "fi")


def open_vote(store, ws, n_codes=3):
    ids = [i["id"] for i in ideas(store, ws, ["Valot", "Penkit", "Polku"])]
    r = store.create_round(ws["id"], "Kaikille avoin", method="approval", options={"max": 2})
    codes = store.issue_codes(r["id"], n_codes)
    store.open_round(r["id"])
    return store.round(r["id"]), ids, codes


def refused(fn, *args) -> KitError:
    with pytest.raises(KitError) as err:
        fn(*args)
    return err.value


def test_codes_are_written_once_and_stored_only_as_hashes(store, ws):
    r, _, codes = open_vote(store, ws, 40)
    assert len(set(codes)) == 40
    assert all(voting.voting_code(c) == c and len(c) == 9 and c[4] == "-" for c in codes)
    assert store.round(r["id"])["rules"]["codes"] is True
    with store._tx() as conn:
        stored = [row.code_hash for row in conn.execute(voting_codes.select())]
    everything = json.dumps(store.dump_workshop(ws["id"]), default=str)
    assert len(stored) == 40 and stored[0] == voting.voting_code_hash(codes[0])
    assert not any(c in everything or c.replace("-", "") in everything for c in codes)
    assert store.code_counts(r["id"]) == {"issued": 40, "used": 0}


def test_a_device_votes_only_with_a_code_of_this_vote_and_keeps_it_until_the_close(store, ws):
    r, ids, codes = open_vote(store, ws)
    (a, b), other = people(store, ws, 2), store.create_round(ws["id"], "Toinen", method="approval")
    other_codes = store.issue_codes(other["id"], 1)
    assert refused(store.save_ballot, r["id"], a["id"], {"choices": [ids[0]]}).code == "voting_code_required"
    assert refused(store.save_ballot, r["id"], a["id"], {"choices": [ids[0]], "code": "abc"}).code == "voting_code_bad"
    assert refused(store.save_ballot, r["id"], a["id"], {"choices": [ids[0]], "code": other_codes[0]}).status == 403
    assert refused(store.save_ballot, r["id"], a["id"], {"choices": [ids[0]], "code": CODE}).code == "voting_code_unknown"
    assert store.ballot_count(r["id"]) == 0 and store.code_counts(r["id"])["used"] == 0  # refusals changed nothing
    # typed any way: lower case, a space for the dash
    store.save_ballot(r["id"], a["id"], {"choices": [ids[0]], "code": codes[0].lower().replace("-", " ")})
    assert store.has_code(r["id"], a["id"]) and not store.has_code(r["id"], b["id"])
    changed = store.save_ballot(r["id"], a["id"], {"choices": [ids[1], ids[2]]})  # no code needed again
    assert changed["revision"] == 2 and changed["choices"] == sorted([ids[1], ids[2]])
    used = refused(store.save_ballot, r["id"], b["id"], {"choices": [ids[0]], "code": codes[0]})
    assert (used.code, used.status) == ("voting_code_used", 409)
    store.save_ballot(r["id"], b["id"], {"choices": [ids[0]], "code": codes[1]})
    assert store.code_counts(r["id"]) == {"issued": 3, "used": 2}
    assert [x.score for x in sorted(store.results(r["id"]).results, key=lambda x: x.idea_id)] == [1, 1, 1]
    store.close_round(r["id"])
    assert refused(store.save_ballot, r["id"], a["id"], {"choices": [ids[0]]}).code == "round_closed"


def test_the_code_alone_is_used_without_counting_an_empty_ballot(store, ws):
    r, ids, codes = open_vote(store, ws)
    (a,) = people(store, ws, 1)
    out = store.save_ballot(r["id"], a["id"], {"choices": [], "code": codes[2]})
    assert out["revision"] == 0 and store.ballot_count(r["id"]) == 0 and store.has_code(r["id"], a["id"])
    dots = store.create_round(ws["id"], "Pisteet", method="dots")
    dot_codes = store.issue_codes(dots["id"], 1)
    store.open_round(dots["id"])
    store.save_ballot(dots["id"], a["id"], {"dots": {}, "code": dot_codes[0]})
    assert store.ballot_count(dots["id"]) == 0 and store.has_code(dots["id"], a["id"])
    # a ballot refused for another reason leaves the code unused
    (b,) = people(store, ws, 1)
    err = refused(store.save_ballot, r["id"], b["id"], {"choices": [ids[0], ids[1], ids[2]], "code": codes[0]})
    assert err.code == "too_many_choices" and not store.has_code(r["id"], b["id"])


def test_a_second_use_of_a_code_is_refused_by_the_database_itself(store, ws):
    r, ids, codes = open_vote(store, ws)
    a, b = people(store, ws, 2)
    store.save_ballot(r["id"], a["id"], {"choices": [ids[0]], "code": codes[0]})
    with store._tx(write=True) as conn:
        code_id = conn.execute(voting_codes.select().where(
            voting_codes.c.code_hash == voting.voting_code_hash(codes[0]))).first().id
    with pytest.raises(IntegrityError):  # past the store's check: the key refuses it
        with store._tx(write=True) as conn:
            conn.execute(code_uses.insert().values(code_id=code_id, round_id=r["id"], participant_id=b["id"],
                                                   used_at="2026-12-02T10:00:00+00:00"))
    with pytest.raises(IntegrityError):  # and one device uses one code in a vote
        with store._tx(write=True) as conn:
            other = conn.execute(voting_codes.select().where(
                voting_codes.c.code_hash == voting.voting_code_hash(codes[1]))).first().id
            conn.execute(code_uses.insert().values(code_id=other, round_id=r["id"], participant_id=a["id"],
                                                   used_at="2026-12-02T10:00:00+00:00"))
    assert store.code_counts(r["id"])["used"] == 1


def test_paper_and_the_shared_tablet_are_counted_with_coded_votes_in_one_tally_and_the_report_says_how(store, ws):
    r, ids, codes = open_vote(store, ws)
    (a,) = people(store, ws, 1)
    store.save_ballot(r["id"], a["id"], {"choices": [ids[0]], "code": codes[0]})
    pin, _ = store.start_kiosk(ws["id"])
    voter, _ = store.kiosk_voter(ws["id"], pin)
    store.save_ballot(r["id"], voter["id"], {"choices": [ids[0]]}, source="kiosk")  # the room checked this voter
    for _ in range(2):
        store.enter_paper_ballot(r["id"], "7", {"choices": [ids[0], ids[1]]})
    res = {x.idea_id: x.score for x in store.results(r["id"]).results}
    assert res[ids[0]] == 3 and res[ids[1]] == 1
    html = report.Report(store, ws["id"], "en").rounds_section()
    assert "1 on their own device" in html and "1 on paper" in html and "1 on a shared tablet" in html
    assert "Voting codes made: 3; 1 of them unlocked a vote on a device." in html


def test_codes_are_refused_for_a_closed_vote_and_after_votes_without_codes(store, ws):
    ids = [i["id"] for i in ideas(store, ws, ["Valot", "Penkit"])]
    r = store.create_round(ws["id"], "Avoin", method="approval")
    store.open_round(r["id"])
    (a,) = people(store, ws, 1)
    store.save_ballot(r["id"], a["id"], {"choices": [ids[0]]})
    assert refused(store.issue_codes, r["id"], 5).code == "codes_after_votes"
    assert refused(store.issue_codes, r["id"], 0).code == "bad_code_count"
    assert refused(store.issue_codes, r["id"], voting.MAX_CODES + 1).code == "bad_code_count"
    store.close_round(r["id"])
    assert refused(store.issue_codes, r["id"], 5).code == "codes_round_closed"
    assert store.code_counts(r["id"]) == {"issued": 0, "used": 0} and "codes" not in store.round(r["id"])["rules"]


def test_withdrawing_frees_the_code_of_an_open_vote(store, ws):
    r, ids, codes = open_vote(store, ws)
    (a,) = people(store, ws, 1)
    store.save_ballot(r["id"], a["id"], {"choices": [ids[0]], "code": codes[0]})
    store.withdraw_participant(ws["id"], a["id"])
    assert store.ballot_count(r["id"]) == 0 and store.code_counts(r["id"])["used"] == 0
    (b,) = people(store, ws, 1)  # the holder, on a new device
    store.save_ballot(r["id"], b["id"], {"choices": [ids[1]], "code": codes[0]})
    assert store.ballot_count(r["id"]) == 1


def test_a_backup_keeps_the_codes_and_their_uses(store, ws):
    r, ids, codes = open_vote(store, ws)
    (a,) = people(store, ws, 1)
    store.save_ballot(r["id"], a["id"], {"choices": [ids[0]], "code": codes[0]})
    restored = store.restore_workshop(store.dump_workshop(ws["id"]), replace=True)
    (r2,) = [x for x in store.rounds(restored["id"]) if x["title"] == "Kaikille avoin"]
    assert store.code_counts(r2["id"]) == {"issued": 3, "used": 1}


def test_the_phone_sends_its_code_once_and_hears_why_a_code_is_refused(kit_server):
    store = kit_server.store()
    ws = store.workshop_by_code(kit_server.code)
    iid = store.add_idea(ws["id"], "Koodilla äänestetään")["id"]
    r = store.create_round(ws["id"], "Koodit", method="approval", idea_ids=[iid])
    codes = store.issue_codes(r["id"], 2)
    store.open_round(r["id"])
    tokens = []
    for _ in range(2):
        _, body = kit_server.api("POST", f"/workshops/{kit_server.code}/participants", {"language": "sv"})
        tokens.append(body["token"])
    path = f"/workshops/{kit_server.code}/rounds/{r['id']}/ballot"
    status, cur = kit_server.api("GET", f"/workshops/{kit_server.code}/rounds/current", token=tokens[0])
    assert cur["round"]["codes"] is True and cur["round"]["code_ok"] is False
    status, body = kit_server.api("PUT", path, {"choices": [iid]}, token=tokens[0], lang="sv")
    assert status == 403 and body["error"] == "voting_code_required" and "röstkod" in body["message"]
    status, body = kit_server.api("PUT", path, {"choices": [iid], "code": "12"}, token=tokens[0], lang="fi")
    assert status == 400 and "K7QM-4TZP" in body["message"]
    status, body = kit_server.api("PUT", path, {"choices": [], "code": codes[0]}, token=tokens[0], lang="en")
    assert status == 200
    status, cur = kit_server.api("GET", f"/workshops/{kit_server.code}/rounds/current", token=tokens[0])
    assert cur["round"]["code_ok"] is True and cur["round"]["ballot"] is None
    assert kit_server.api("PUT", path, {"choices": [iid]}, token=tokens[0])[0] == 200
    status, body = kit_server.api("PUT", path, {"choices": [iid], "code": codes[0]}, token=tokens[1], lang="en")
    assert status == 409 and body["error"] == "voting_code_used" and "another device" in body["message"]
    assert store.ballot_count(r["id"]) == 1
    store.close()


def test_trying_codes_one_after_another_is_held_back(kit_server):
    from kit.server.api.voting import BallotApi

    store = kit_server.store()
    ws = store.workshop_by_code(kit_server.code)
    iid = store.add_idea(ws["id"], "Arvaus")["id"]
    r = store.create_round(ws["id"], "Arvaajat", method="approval", idea_ids=[iid])
    store.issue_codes(r["id"], 1)
    store.open_round(r["id"])
    _, body = kit_server.api("POST", f"/workshops/{kit_server.code}/participants", {})
    path = f"/workshops/{kit_server.code}/rounds/{r['id']}/ballot"
    lim = BallotApi.code_limiter
    saved, lim.per_minute = lim.per_minute, 3
    lim.hits.clear()
    if store.postgres:  # counted in the store for every kit process: start from none (earlier tests sent codes)
        with store._tx(write=True) as conn:
            conn.exec_driver_sql("DELETE FROM rate_hits")
    try:
        answers = [kit_server.api("PUT", path, {"choices": [iid], "code": f"AAAA-AAA{ch}"}, token=body["token"],
                                  lang="en") for ch in "ABCD"]
        assert [s for s, _ in answers] == [403, 403, 403, 429]
        assert "Too many code attempts" in answers[3][1]["message"]
    finally:
        lim.per_minute = saved
        lim.hits.clear()
        store.close()


def run_kit(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kit", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "KIT_LANG": "en", "HOME": str(cwd)})


def test_kit_codes_writes_a_sheet_or_a_csv_and_the_codes_work(tmp_path):
    from kit.store import Store

    store = Store.open(tmp_path)
    ws = store.create_workshop("Komentorivi", "pore", "fi")
    iid = store.add_idea(ws["id"], "Valot")["id"]
    r = store.create_round(ws["id"], "Julkinen <äänestys>", method="approval")
    store.close()
    common = ["--data", str(tmp_path), "--workshop", ws["code"], "--round", str(r["id"])]
    out = run_kit("codes", *common, "--count", "4", "--out", str(tmp_path / "codes.csv"), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "codes.csv").read_text())))
    assert len(rows) == 4 and all(row["address"].endswith(f"/kit/join/{ws['code']}") for row in rows)
    out = run_kit("codes", *common, "--count", "2", "--out", str(tmp_path / "sheet.html"),
                  "--public-url", "https://kit.example.org", "--lang", "en", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    page = (tmp_path / "sheet.html").read_text()
    assert "Julkinen &lt;äänestys&gt;" in page and "https://kit.example.org/kit/join/" + ws["code"] in page
    assert page.count('class="code"') == 2 and "<svg" in page and "Your voting code" in page
    # refusals say why and write nothing
    again = run_kit("codes", *common, "--count", "2", "--out", str(tmp_path / "codes.csv"), cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr
    wrong = run_kit("codes", *common, "--count", "2", "--out", str(tmp_path / "codes.txt"), cwd=tmp_path)
    assert wrong.returncode == 1 and ".csv" in wrong.stderr and not (tmp_path / "codes.txt").exists()
    store = Store.open(tmp_path)
    assert store.code_counts(r["id"]) == {"issued": 6, "used": 0}
    store.open_round(r["id"])
    p, _ = store.add_participant(ws["id"])
    store.save_ballot(r["id"], p["id"], {"choices": [iid], "code": rows[0]["code"]})
    assert store.code_counts(r["id"])["used"] == 1
    store.close()


def test_the_projector_page_makes_codes_offers_the_sheet_and_the_csv_once_and_counts_their_use(store):
    import base64
    import re

    from kit.ui import ProjectorApp, StartApp

    ws = store.create_workshop("Paja", "osallisuusverkosto", "fi")
    for x in ("A", "B"):
        store.add_idea(ws["id"], x)
    start = StartApp(store, code=ws["code"], lang="en")
    start.poller.stop()
    rnd = start.start_round("Kaikille", "approval")
    app = ProjectorApp(store, code=ws["code"], lang="en", poll=False)
    assert "no codes" in app.codes_status.value and not app.codes_btn.disabled
    app.codes_count.value = 3
    app.codes_btn.click()
    assert "3 voting codes made." in app.message.value
    assert "Codes made 3, used 0" in app.codes_status.value
    hrefs = dict(re.findall(r"download='[^']+\.(html|csv)' href='data:[^;]+;charset=utf-8;base64,([^']+)'",
                            app.codes_download.value))
    sheet, table = (base64.b64decode(hrefs[k]).decode() for k in ("html", "csv"))
    codes = [line.split(",")[0] for line in table.splitlines()[1:]]
    assert len(codes) == 3 and all(c in sheet for c in codes)
    p, _ = store.add_participant(ws["id"])
    store.save_ballot(rnd["id"], p["id"], {"choices": [], "code": codes[1]})
    app.refresh()
    assert "Codes made 3, used 1" in app.codes_status.value
    store.close_round(rnd["id"])
    app.refresh()
    assert app.codes_btn.disabled
