"""Session outputs: report sections, minutes, data exports re-read by the tools they are for,
personal data left out, purge keeps the results."""

import io
import json
import zipfile

import networkx as nx
import pandas as pd
import pytest

from kit import budgeting, report, sample
from kit.errors import KitError
from kit.ui.report import ReportApp


@pytest.fixture
def demo(store):
    ws = sample.load_demo(store)
    p, _ = store.add_participant(ws["id"], "Salainen Nimimerkki", "resident")
    store.add_idea(ws["id"], "=HYPERLINK(\"http://x\") <script>alert(1)</script>", p["id"])
    return store, ws


def test_report_has_every_section_in_the_language_asked_and_names_nobody(demo):
    store, ws = demo
    for lang, words in (("fi", ["Osallistujat", "Toimijaverkosto", "Ideat", "Äänestykset", "Tasaosuusmenetelmä"]),
                        ("sv", ["Deltagare", "Aktörsnätverk", "Idéer", "Omröstningar"]),
                        ("en", ["Participants", "Stakeholder network", "Ideas", "Votes", "Equal shares"])):
        html = report.report_html(store, ws["id"], lang)
        assert f'<html lang="{lang}">' in html
        for word in words:
            assert word in html, (lang, word)
    assert "Salainen Nimimerkki" not in html and "Sote A" not in html  # nicknames never in the report
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "cdn." not in html and "require.js" not in html and "mathjax" not in html.lower()


def test_an_empty_workshop_gives_a_valid_mostly_empty_report(store):
    ws = store.create_workshop("Tyhjä", "pore", "en")
    html = report.report_html(store, ws["id"])
    assert html.count("Nothing yet in this workshop.") == 4
    assert report.Report(store, ws["id"]).minutes_text().startswith("Minutes: Tyhjä")


def test_minutes_list_decisions_and_votes(demo):
    store, ws = demo
    text = report.Report(store, ws["id"], "en").minutes_text()
    # the demo's votes were started on the voting page, not from the agenda: they get an item of their own
    assert "RESULTS OF THE VOTES" in text and "equal shares" in text.lower()
    assert "Lähipuiston penkit ja valaistus" in text and "Nuorten bänditila kylätalolle" in text
    html = report.Report(store, ws["id"], "fi").minutes_html()
    assert "Äänestysten tulokset</h2>" in html


def test_xlsx_and_csv_have_one_table_per_entity_without_personal_data(demo):
    store, ws = demo
    sheets = pd.read_excel(io.BytesIO(report.xlsx(store, ws["id"])), sheet_name=None)
    assert set(sheets) == {"participants", "ideas", "rounds", "ballot_marks", "results", "actors", "links",
                           "activities", "plan", "holders", "tasks", "raci", "competence_levels", "offers", "terms",
                           "logic_model_nodes", "logic_model_links", "indicators", "indicator_values", "forms",
                           "form_results", "form_open_answers", "activity_log", "agenda", "words", "questions"}
    assert list(sheets["agenda"]["type"])[:3] == ["join", "since", "words"] and list(sheets["words"].columns) == \
        ["activity_id", "word", "count"]
    assert list(sheets["offers"].columns) == list(report.COLUMNS["offers"])  # an empty table keeps its headers
    assert "nickname" not in sheets["participants"].columns and "token_hash" not in sheets["participants"].columns
    assert len(sheets["participants"]) == 13 and len(sheets["actors"]) == 13
    assert sheets["ideas"]["text"].str.startswith("=HYPERLINK").any()  # as typed, as text (see test_text.py)
    with_names = pd.read_excel(io.BytesIO(report.xlsx(store, ws["id"], include_nicknames=True)), sheet_name="participants")
    assert "Salainen Nimimerkki" in set(with_names["nickname"])
    z = zipfile.ZipFile(io.BytesIO(report.csv_zip(store, ws["id"])))
    assert sorted(z.namelist()) == sorted(f"{n}.csv" for n in sheets)
    marks = pd.read_csv(z.open("ballot_marks.csv"))
    assert len(marks) == sum(len(b["marks"]) for r in store.rounds(ws["id"]) for b in store.round_ballots(r["id"]))


def test_pb_export_recounts_the_same_in_pabutools(demo):
    from pabutools.election import Cost_Sat
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import method_of_equal_shares

    store, ws = demo
    content, name = report.export(store, ws["id"], "pb")
    assert name.endswith(".pb")
    inst, prof = parse_pabulib_from_string(content.decode("utf-8"))
    theirs = method_of_equal_shares(inst, prof, sat_class=Cost_Sat, voter_budget_increment=1)
    rnd = [r for r in store.rounds(ws["id"]) if r["method"] == "pb"][0]
    ours = budgeting.mes(store.election(rnd["id"]), "add1")
    assert sorted(p.name for p in theirs) == sorted(ours.funded)


def test_graphml_reads_back_as_the_same_graph(demo):
    store, ws = demo
    content, _ = report.export(store, ws["id"], "graphml")
    g = nx.parse_graphml(content.decode("utf-8"), force_multigraph=True)
    actors, links = store.map_data(ws["id"])
    assert g.number_of_nodes() == len(actors) and g.number_of_edges() == len(links)
    assert {(int(u), int(v)) for u, v, _ in g.edges(keys=True)} == {(x["source"], x["target"]) for x in links}


def test_json_export_is_the_full_backup(demo):
    store, ws = demo
    content, _ = report.export(store, ws["id"], "json")
    doc = json.loads(content)
    assert doc["format"] == "codesign-kit-backup" and doc["tables"]["actors"]


def test_export_refuses_what_it_cannot_do(store):
    ws = store.create_workshop("Ei budjettia", "pore", "en")
    with pytest.raises(KitError) as err:
        report.export(store, ws["id"], "pb")
    assert err.value.code == "no_pb_rounds"
    with pytest.raises(KitError):
        report.export(store, ws["id"], "docx")


def test_purge_removes_personal_data_and_keeps_results(demo):
    store, ws = demo
    before = report.tables(store, ws["id"])["results"]
    idea = store.ideas(ws["id"])[0]
    store.edit_idea(idea["id"], "Korjattu teksti")
    store.purge_personal_data(ws["id"])
    assert all(p["nickname"] is None for p in store.participants(ws["id"]))
    assert all(i["participant_id"] is None for i in store.ideas(ws["id"]))
    assert "old" not in [e for e in store.event_log(ws["id"]) if e["kind"] == "idea_edited"][0]["payload"]
    assert report.tables(store, ws["id"])["results"] == before


def test_report_page_makes_downloads_with_progress_and_restores(demo, tmp_path):
    store, ws = demo
    app = ReportApp(store, code=ws["code"], lang="en")
    app.out_lang.value = "sv"
    app.buttons[list(report.FORMATS).index("minutes")].click()
    assert "Ready:" in app.message.value and "kit-download-minutes" in app.links.value
    assert app.progress.layout.visibility == "hidden"
    app.buttons[list(report.FORMATS).index("json")].click()
    doc = json.loads(app.made["json"][0])
    from kit.store import Store

    other = Store.open(tmp_path / "other")
    app2 = ReportApp(other, lang="en")
    app2.restore(doc)
    assert "Restored" in app2.message.value and other.workshop_by_code(ws["code"])
    app2._guard(app2.restore, doc)  # again: refused, nothing changed
    assert "already" in app2.message.value.lower() or "replace" in app2.message.value.lower()


def test_plan_and_roles_reach_the_report_and_the_minutes(store):
    ws = store.create_workshop("Roolit", "osallisuusverkosto", "en")
    h = store.add_holder(ws["id"], "<b>Coordinator</b>")
    task = store.add_task(ws["id"], "Book the venue", due="2026-12-01")
    store.set_letter(task["id"], h["id"], "AR")
    store.set_plan(ws["id"], need_for_change="Loneliness in the village", responsible_person=h["id"])
    html = report.report_html(store, ws["id"])
    assert "Loneliness in the village" in html and "Book the venue" in html and "A+R" in html
    assert "&lt;b&gt;Coordinator&lt;/b&gt;" in html and "<b>Coordinator</b>" not in html
    assert "has no deputy" in html and "nobody has it (a gap)" in html
    text = report.Report(store, ws["id"]).minutes_text()
    assert "Book the venue: <b>Coordinator</b>, by 2026-12-01" in text


def test_evaluation_reaches_the_report_with_suppression(store):
    ws = store.create_workshop("Arviointi", "osallisuusverkosto", "en")
    out = store.add_node(ws["id"], "outcome_short", "Belonging grows")
    store.save_indicator(ws["id"], {"name": "Belonging", "node": out["id"]})
    form = store.create_form(ws["id"], "Feedback", [{"kind": "scale", "text": "I belonged"}], 1)
    store.set_form_status(form["id"], "open")
    for score in (5, 4):
        p, _ = store.add_participant(ws["id"])
        store.save_response(form["id"], p["id"], {"q1": score})
    html = report.report_html(store, ws["id"])
    assert "Belonging grows" in html and "SMART" in html
    # the report never goes under the report's own threshold (5), whatever the form allowed live
    assert "2 answers; the result shows once there are at least 5" in html and "data-mean" not in html


def test_the_report_and_minutes_print_no_nickname_of_a_volunteer_or_a_proposer_of_a_small_group(store):
    """Issue 15, item 7: the report said it names nobody and printed "Asukas Aino", a participant
    accepted as a volunteer in stage 3 (a holder under their nickname); an idea's proposer group was
    shown however small the group."""
    ws = sample.load_demo(store)
    p, _ = store.add_participant(ws["id"], "Asukas Aino", "third_sector")
    store.add_idea(ws["id"], "Aino ehdottaa runopolkua", p["id"])
    task = store.add_task(ws["id"], "Runopolun kyltit")
    offer = store.add_offer(ws["id"], task["id"], p["id"], "can_do")
    store.decide_offer(offer["id"], True)
    assert "Asukas Aino" in [h["name"] for h in store.holders(ws["id"])]  # the desk knows them by nickname
    rep = report.Report(store, ws["id"], "fi")
    html = report.report_html(store, ws["id"], "fi")
    assert "Asukas Aino" not in html and "Asukas Aino" not in rep.minutes_text()
    assert "Vapaaehtoinen 1" in html
    row = html[html.index("Aino ehdottaa runopolkua"):][:300]
    assert "pienestä ryhmästä" in row
    big = html[html.index("Kesäkeidas: avoin"):][:300]
    assert "Asukas" in big  # residents are five or more: their group is named


def test_the_data_export_has_stages_3_and_4_aggregated_as_in_the_report(store):
    """Issue 15, item 8: XLSX and CSV had sheets for stages 1-2 and the tray only."""
    ws = sample.load_demo(store)
    node = store.add_node(ws["id"], "activity", "Kesäkeidas joka tiistai")
    out = store.add_node(ws["id"], "outcome_short", "Yksinäisyys vähenee")
    store.add_lm_edge(node["id"], out["id"])
    ind = store.save_indicator(ws["id"], {"name": "Osallistumiskerrat", "method": "attendance", "unit": "kertaa",
                                          "target": "200", "node": node["id"]})
    store.log_activity(ws["id"], "2026-06-02", "Kesäkeidas", {"resident": 12, "sote_professional": 3}, 4, node["id"])
    form = store.create_form(ws["id"], "Palaute", [{"kind": "scale", "text": "Tunsin kuuluvani joukkoon"},
                                                    {"kind": "text", "text": "Mikä oli parasta?"}], 5)
    store.set_form_status(form["id"], "open")
    for n in range(6):
        p, _ = store.add_participant(ws["id"], None, "resident")
        store.save_response(form["id"], p["id"], {"q1": 3 + n % 3, "q2": f"Vastaus {n}"})
    first = min(store.responses(form["id"]), key=lambda r: r["id"])
    store.approve_answer(form["id"], first["id"], "q2")
    sheets = pd.read_excel(io.BytesIO(report.xlsx(store, ws["id"])), sheet_name=None)
    assert len(sheets["tasks"]) == len(store.tasks(ws["id"])) > 0
    raci = sheets["raci"]
    assert sorted(raci["letters"]) == sorted(store.assignments(ws["id"]).values())
    assert set(sheets["holders"]["name"]) == {h["name"] for h in store.holders(ws["id"])}
    assert list(sheets["logic_model_nodes"]["text"]) == ["Kesäkeidas joka tiistai", "Yksinäisyys vähenee"]
    assert list(sheets["logic_model_links"].itertuples(index=False, name=None)) == [(node["id"], out["id"])]
    row = sheets["indicators"].iloc[0]
    assert row["name"] == "Osallistumiskerrat" and row["current"] == 15 and row["id"] == ind["id"]
    assert sheets["activity_log"]["total"].tolist() == [15]
    res = sheets["form_results"]
    scale = res[res["question_id"] == "q1"]
    assert scale["answers"].iloc[0] == 6 and abs(scale["mean"].iloc[0] - 4.0) < 1e-9
    assert {int(v): int(c) for v, c in zip(scale["value"], scale["count"])} == {1: 0, 2: 0, 3: 2, 4: 2, 5: 2}
    assert sheets["form_open_answers"]["text"].tolist() == ["Vastaus 0"]  # only the approved one
    assert "participant_id" not in res.columns  # aggregated: nothing per person
    z = zipfile.ZipFile(io.BytesIO(report.csv_zip(store, ws["id"])))
    assert {"raci.csv", "form_results.csv", "logic_model_nodes.csv", "activity_log.csv"} <= set(z.namelist())


def test_numbers_take_the_readers_decimal_mark_throughout(store):
    """Issue 15, item 16: "Gini 0.30 (yli 0,3 ...)" mixed decimal marks in one sentence."""
    import re

    ws = sample.load_demo(store)
    fi = report.report_html(store, ws["id"], "fi")
    en = report.report_html(store, ws["id"], "en")
    assert re.search(r"Gini 0,\d\d \(yli 0,3", fi) and re.search(r"Gini 0\.\d\d \(over 0\.3", en)
    assert not re.search(r"<td>\d+\.\d\d</td>", fi)  # the brokerage column too
    assert "1 ballots" not in en and "1 äänestyslippua" not in fi


def test_feedback_results_are_bar_charts_only_past_the_threshold(store):
    """Issue 15, item 10: feedback results were text only ("3.8 / 5 (1: 0 · 2: 1 ...)")."""
    import re

    from kit import evaluation as ev
    from kit.render.evaluation import form_results_html

    ws = sample.load_demo(store)
    form = store.create_form(ws["id"], "Palaute", [{"kind": "scale", "text": "Tunsin kuuluvani joukkoon"},
                                                    {"kind": "choice", "text": "Tuletko?", "choices": ["Kyllä", "Ei"]}], 5)
    store.set_form_status(form["id"], "open")

    def html():
        f = store.forms(ws["id"])[0]
        resp = store.responses(f["id"])
        return form_results_html(f, resp, ev.aggregate(f["questions"], resp, 5), "fi", 5)

    for n in range(4):
        p, _ = store.add_participant(ws["id"], None, "resident")
        store.save_response(form["id"], p["id"], {"q1": 4, "q2": "Kyllä"})
    assert "kit-bars" not in html()  # four answers: below the threshold nothing but the count
    for value in (2, 5):
        p, _ = store.add_participant(ws["id"], None, "resident")
        store.save_response(form["id"], p["id"], {"q1": value, "q2": "Ei"})
    shown = html()
    assert shown.count("<svg") == 2 and "aria-label='Vastausten jakauma: Tunsin kuuluvani joukkoon – 1: 0, 2: 1, " in shown
    widths = [float(w) for w in re.findall(r"class='kit-bar' x='28' y='\d+' width='([\d.]+)'", shown)]
    assert widths == [0, 330 / 4, 0, 330.0, 330 / 4]  # 1: 0, 2: 1, 3: 0, 4: 4, 5: 1
    assert "kit-bars" in report.report_html(store, ws["id"], "fi")


def test_the_report_and_minutes_say_how_the_workshop_ran(demo):
    """Issue 16: the agenda and how far the room went, each warm-up's words counted, the room's
    questions by votes, and in the minutes the questions left open."""
    store, ws = demo
    wid = ws["id"]
    types = [a["type"] for a in store.agenda(wid)]
    p, _ = store.add_participant(wid)
    store.move_room(wid, position=types.index("words") + 1)
    for w in ("Luonto", "luonto", "<b>Yhteisö</b>"):
        store.add_word(wid, p["id"], w)
    store.move_room(wid, position=types.index("questions") + 1)
    q = store.add_question(wid, p["id"], "Kuka <i>vastaa</i> rahoituksesta?")
    store.vote_question(wid, q["id"], p["id"])
    html = report.report_html(store, wid, "fi")
    assert "Työpajan kulku" in html and "Luonto (2)" in html and "&lt;b&gt;Yhteisö&lt;/b&gt; (1)" in html
    assert "Kuka &lt;i&gt;vastaa&lt;/i&gt; rahoituksesta? – 1 ääni" in html
    text = report.Report(store, wid, "en").minutes_text()
    assert "QUESTIONS\n- Kuka <i>vastaa</i> rahoituksesta? (1 vote)" in text  # in the questions' own item
    store.set_question_status(q["id"], "answered")
    assert "rahoituksesta" not in report.Report(store, wid, "en").minutes_text()
    csv_names = zipfile.ZipFile(io.BytesIO(report.csv_zip(store, wid))).namelist()
    assert {"agenda.csv", "words.csv", "questions.csv"} <= set(csv_names)
