"""Issue 17, item 3: minutes in the form a Finnish working group files them (pöytäkirja): the meeting's
facts, who was present, numbered items (§) that follow the agenda with the discussion and the
decision the secretary typed and the votes' binding results, the agreed action items, the approval
of the previous minutes; HTML, A4 PDF and an editable DOCX. Hostile text stays text in every one."""

import io

import docx
import pytest

from kit import minutes as mn
from kit import report, sample
from kit.agenda import check_agenda
from kit.errors import KitError
from kit.ui.report import ReportApp

HOSTILE = "<b>lihava</b> =SUM(A1) & \"lainaus\""


@pytest.fixture
def demo(store):
    return store, sample.load_demo(store)


def kinds(items):
    return [(i.number, i.kind, i.activity["type"] if i.activity else None) for i in items]


def test_the_items_are_numbered_after_the_agenda():
    agenda = check_agenda([{"type": "join"}, {"type": "ideas"}, {"type": "vote"},
                           {"type": "slide", "title": "Kiitos!"},
                           {"type": "slide", "title": "Tauko", "config": {"note": "Kahvitauko 15 min."}}])
    assert kinds(mn.items(agenda, {})) == [(1, "opening", "join"), (2, "activity", "ideas"), (3, "activity", "vote"),
                                           (4, "activity", "slide"), (5, "actions", None), (6, "closing", None)]
    # a slide with nothing minuted on it (the closing "thank you") is no item; the approval of the
    # previous minutes comes second when the secretary wrote one; votes held outside the agenda after the rest
    got = kinds(mn.items(agenda, {"previous": "Hyväksyttiin."}, other_votes=True))
    assert got[:2] == [(1, "opening", "join"), (2, "previous", None)]
    assert got[-3:] == [(6, "votes", None), (7, "actions", None), (8, "closing", None)]
    assert kinds(mn.items([], {}))[0] == (1, "opening", None)  # no agenda: still opened and closed


def test_the_meetings_facts_are_checked_and_a_refusal_changes_nothing(demo):
    store, ws = demo
    saved = store.set_minutes_info(ws["id"], {"number": " 3 ", "date": "2026-12-02", "start": "14.00", "end": "16:05",
                                              "checkers": "Mari\n\nJussi", "present": ["Aino", "  "]})
    assert saved == {"number": "3", "date": "2026-12-02", "start": "14:00", "end": "16:05",
                     "checkers": ["Mari", "Jussi"], "present": ["Aino"]}
    for bad, code in (({"date": "2.12.2026"}, "bad_date"), ({"date": "2026-02-30"}, "bad_date"),
                      ({"start": "25:00"}, "bad_time"), ({"start": "16:00", "end": "14:00"}, "end_before_start"),
                      ({"chair": "x" * 121}, "too_long"), ({"colour": "red"}, "bad_field")):
        with pytest.raises(KitError) as err:
            store.set_minutes_info(ws["id"], bad)
        assert err.value.code == code and err.value.message("fi")
        assert store.workshop(ws["id"])["settings"]["minutes"] == saved


def test_the_minutes_follow_the_agenda_with_the_secretarys_words_and_the_votes_binding_result(demo):
    store, ws = demo
    wid = ws["id"]
    agenda = store.agenda(wid)
    vote = next(a for a in agenda if a["type"] == "vote")
    pb = next(r for r in store.rounds(wid) if r["method"] == "pb")
    store.update_agenda_item(wid, vote["id"], config={"round_id": pb["id"]})  # the budgeting vote was this item
    store.set_minutes_info(wid, {"number": "3", "date": "2026-12-02", "start": "14:00", "end": "16:00",
                                 "place": "Kylätalo", "chair": "Aino Virtanen", "secretary": HOSTILE,
                                 "present": "Aino Virtanen\nEero Koski", "previous": "Hyväksyttiin."})
    store.minute_item(wid, vote["id"], "Keskusteltiin kustannuksista.", HOSTILE)
    text = report.Report(store, wid, "fi").minutes_text()
    assert text.startswith("Pöytäkirja: Demo") and "(3. kokous)" in text.splitlines()[0]
    assert "Aika: 2.12.2026 klo 14:00–16:00" in text and "Puheenjohtaja: Aino Virtanen" in text
    assert "§ 1 KOKOUKSEN AVAUS\n- Aino Virtanen avasi kokouksen klo 14:00." in text
    assert "§ 2 EDELLISEN KOKOUKSEN PÖYTÄKIRJA\n- Kokous 1, 12.11.2026\nPäätös: Hyväksyttiin." in text
    n = [a["id"] for a in agenda if a["type"] != "join"].index(vote["id"]) + 3  # after the opening and § 2
    section = text.split(f"§ {n} ÄÄNESTYS\n", 1)[1].split("\n\n", 1)[0]
    assert "Tasaosuusmenetelmä (Add1): rahoitetaan" in section  # the one binding result, in its item
    assert "Keskustelu: Keskusteltiin kustannuksista." in section and f"Päätös: {HOSTILE}" in section
    assert "SOVITUT TEHTÄVÄT" in text and "päätti kokouksen klo 16:00" in text
    # an item the secretary wrote nothing on still says what the meeting recorded there
    shown = sum(1 for i in store.ideas(wid) if i["status"] == "visible")
    actors, links = store.map_data(wid)
    assert f"IDEAT\n- Esillä olevia ideoita: {shown}." in text
    assert f"TOIMIJAKARTTA\n- Toimijakartalla: toimijoita {len(actors)}, yhteyksiä {len(links)}." in text
    assert text.count("Pöytäkirjan tarkastaja: ____") == 1  # no checkers named: one line to sign
    html = report.Report(store, wid, "fi").minutes_html()
    assert HOSTILE not in html and "&lt;b&gt;lihava&lt;/b&gt; =SUM(A1) &amp; &#34;lainaus&#34;" in html
    assert "<h2>§ 1 Kokouksen avaus</h2>" in html


def test_the_docx_is_editable_and_keeps_hostile_text_as_text(demo):
    store, ws = demo
    store.set_minutes_info(ws["id"], {"chair": HOSTILE, "present": "Aino"})
    # a control character from before the cleaning on the way in cannot break the file
    store.set_setting(ws["id"], "minutes", {**store.workshop(ws["id"])["settings"]["minutes"], "place": "Kylä\x00talo"})
    content, name = report.export(store, ws["id"], "minutes_docx", "sv")
    assert name.endswith("-minutes.docx")
    d = docx.Document(io.BytesIO(content))
    assert d.paragraphs[0].text.startswith("Protokoll: ")
    cells = [c.text for row in d.tables[0].rows for c in row.cells]
    assert HOSTILE in cells and "Kylätalo" in cells  # as typed, a run of text: no markup, no field
    assert any(p.text.startswith("§ 1 Mötets öppnande") for p in d.paragraphs)
    assert d.sections[0].page_width.mm == pytest.approx(210, abs=0.5)  # A4


def test_the_secretary_fills_the_minutes_on_the_outputs_page(demo):
    store, ws = demo
    app = ReportApp(store, ws["code"], "fi")
    app.minutes_fields["date"].value = "huomenna"
    app.minutes_save.click()
    assert "kit-msg" in app.message.value and "huomenna" in app.message.value
    # refused, nothing changed: the date and place the demo's meeting was made with
    assert store.workshop(ws["id"])["settings"]["minutes"] == {"date": "2026-12-10", "place": "Kulttuuritalo, sali 2"}
    app.minutes_fields["date"].value = "2026-12-02"
    app.minutes_fields["chair"].value = "Aino"
    app.minutes_save.click()
    assert store.workshop(ws["id"])["settings"]["minutes"] == {"date": "2026-12-02", "chair": "Aino",
                                                               "place": "Kulttuuritalo, sali 2"}
    ideas = next(a for a in store.agenda(ws["id"]) if a["type"] == "ideas")
    app.minutes_item.value = ideas["id"]
    app.minutes_note.value = "Ideoita tuli 12."
    app.minutes_decision.value = "Äänestetään kolmesta."
    app.minutes_item_save.click()
    assert store.agenda(ws["id"])[[a["id"] for a in store.agenda(ws["id"])].index(ideas["id"])]["config"] == \
        {"note": "Ideoita tuli 12.", "decision": "Äänestetään kolmesta."}
    app.minutes_decision.value = ""
    app.minutes_item_save.click()  # cleared
    assert "decision" not in next(a for a in store.agenda(ws["id"]) if a["id"] == ideas["id"])["config"]
    fmts = [b._dom_classes for b in app.buttons]
    assert ("kit-export-minutes_docx",) in fmts and ("kit-export-minutes_pdf",) in fmts


def test_a_working_group_may_agree_to_be_seen_in_smaller_groups_and_the_minutes_record_it(store):
    """Issue 17, item 9: 2-3 experts by experience in an 8-person forum are never seen under the
    default threshold of 5; the meeting may lower it for itself, down to 1, as a recorded decision."""
    from kit.ui import ProjectorApp

    ws = store.create_workshop("Kulttuurifoorumi", "kulttuurifoorumi", "fi")
    a, b = store.add_idea(ws["id"], "Lauluilta"), store.add_idea(ws["id"], "Maalauspaja")
    rnd = store.open_round(store.create_round(ws["id"], "Valinta", method="approval")["id"])
    for group, n in (("expert_by_experience", 2), ("sote_professional", 6)):
        for _ in range(n):
            p, _ = store.add_participant(ws["id"], None, group)
            store.save_ballot(rnd["id"], p["id"], {"choices": [a["id"] if group == "sote_professional" else b["id"]]})
    store.close_round(rnd["id"])
    store.set_results_visible(rnd["id"], True)
    before = report.Report(store, ws["id"], "fi")
    assert before.min_group == 5 and "Kokemusasiantuntija" not in before.rounds_section()
    assert "RYHMITTÄISTEN" not in before.minutes_text()
    for bad in (0, 101, "2", True):
        with pytest.raises(KitError):
            store.set_min_group(ws["id"], bad)
    app = ProjectorApp(store, code=ws["code"], lang="fi", poll=False)
    assert app.min_group.value == 5
    app.min_group.value = 2  # the meeting agreed; the desk sets it
    assert "kirjataan pöytäkirjaan" in app.message.value
    assert "Kokemusasiantuntija" in app.groups.value  # now seen, here and in the report
    after = report.Report(store, ws["id"], "fi")
    assert after.min_group == 2 and "Kokemusasiantuntija" in after.rounds_section()
    text = after.minutes_text()
    assert "RYHMITTÄISTEN TULOSTEN NÄYTTÄMINEN\nPäätös: Kokous päätti näyttää tulokset ryhmittäin jo 2 osallistujan" in text
    store.set_min_group(ws["id"], 5)  # back to the default: nothing to record
    assert "min_group" not in store.workshop(ws["id"])["settings"]
    assert "RYHMITTÄISTEN" not in report.Report(store, ws["id"], "fi").minutes_text()


def test_a_participant_asks_to_be_named_in_the_minutes_on_their_own_device(kit_server):
    """Only who agrees is named, by the name they typed (stored as typed, shown escaped); everyone else
    is counted by group; taking it back, or withdrawing, removes the name."""
    code = kit_server.code
    join = lambda: kit_server.api("POST", f"/workshops/{code}/participants", {"group": "resident"})[1]["token"]  # noqa: E731
    tok, other = join(), join()
    path = f"/workshops/{code}/me/minutes-name"
    assert kit_server.api("PUT", path, {"name": "Aino"})[0] == 401  # no token: nobody to name
    status, body = kit_server.api("PUT", path, {"name": 5}, token=tok, lang="fi")
    assert status == 400 and body["error"] == "bad_field"
    status, body = kit_server.api("PUT", path, {"name": "x" * 121}, token=tok, lang="fi")
    assert status == 400 and "120" in body["message"]
    status, body = kit_server.api("PUT", path, {"name": HOSTILE}, token=tok, lang="fi")
    assert status == 200 and body["minutes_name"] == HOSTILE and "pöytäkirjaan" in body["message"]
    assert kit_server.api("GET", f"/workshops/{code}/me", token=tok)[1]["participant"]["minutes_name"] == HOSTILE
    store = kit_server.store()
    ws = store.workshop_by_code(code)
    rep = report.Report(store, ws["id"], "fi")
    doc = rep.minutes()
    assert HOSTILE in doc.present  # the other device is not named
    assert sum(int(x.rsplit(": ", 1)[1]) for x in doc.by_group) == \
        sum(n for _, n in rep.group_counts()) - 1  # ... and counted by group
    assert "&lt;b&gt;lihava&lt;/b&gt;" in rep.minutes_html() and HOSTILE not in rep.minutes_html()
    status, body = kit_server.api("PUT", path, {"name": ""}, token=tok, lang="en")
    assert status == 200 and body["minutes_name"] is None and "counted by your group" in body["message"]
    assert HOSTILE not in report.Report(store, ws["id"], "fi").minutes().present
    kit_server.api("PUT", path, {"name": "Eero"}, token=other)
    assert kit_server.api("DELETE", f"/workshops/{code}/me", token=other)[0] == 200  # withdrawn
    assert "Eero" not in report.Report(store, ws["id"], "fi").minutes().present
    assert all(p["minutes_name"] is None for p in store.participants(ws["id"]))
    store.close()
