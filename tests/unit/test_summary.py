"""Issue 17, item 7: a summary for the organisations that root the work, in Innokylä's headings as the
seeds themselves follow them, drafted only from what the meetings recorded; each section names its
sources, and one without data says so instead of filling in text. HTML and DOCX."""

import io

import docx

from kit import report, sample, summary

HEADINGS_FI = ["Ratkaisun perusidea", "Toimintaympäristö", "Kohderyhmä ja asiakasymmärrys", "Toteutus",
               "Toimivuuden ja käyttöönoton ehdot", "Arvioinnin tulokset tiivistettynä",
               "Vinkit toimintamallin soveltajille"]


def test_an_empty_meeting_fills_in_nothing_and_says_so_in_every_section(store):
    ws = store.create_workshop("Tyhjä verkosto", "osallisuusverkosto", "fi")
    s = summary.build(report.Report(store, ws["id"], "fi"))
    assert [p.heading for p in s.parts] == HEADINGS_FI
    # the agenda alone is what a new meeting has recorded: only "implementation" may say anything
    said = {p.key for p in s.parts if p.sources}
    assert said <= {"implementation"} and all(not p.lines for p in s.parts if p.key != "implementation")
    html = summary.html(s, "fi")
    assert html.count("Tästä ei ole kirjattua aineistoa.") >= 6


def test_each_section_is_drafted_from_the_recorded_data_and_names_it(store):
    ws = sample.load_demo(store)
    wid = ws["id"]
    store.set_plan(wid, need_for_change="<b>Yksinäisyys</b> kylässä", target_groups="Kuntoutujat ja asukkaat")
    # a feedback form of the THL dimensions, with enough answers to be shown, and one under the threshold
    form = store.create_form(wid, "Palaute", [{"kind": "scale", "text": "Sain päättää itse", "thl": "own_life"},
                                              {"kind": "scale", "text": "Kuuluin joukkoon",
                                               "thl": "communities_influence"}], 5)
    store.set_form_status(form["id"], "open")
    qs = store.forms(wid)[-1]["questions"]
    for n in range(6):
        p, _ = store.add_participant(wid)
        answers = {qs[0]["id"]: 4 if n % 2 else 5}
        if n < 3:
            answers[qs[1]["id"]] = 2
        store.save_response(form["id"], p["id"], answers)
    s = summary.build(report.Report(store, wid, "fi"))
    parts = {p.key: p for p in s.parts}
    assert parts["idea"].lines[0] == "<b>Yksinäisyys</b> kylässä" and "esisuunnitelma" in parts["idea"].sources
    assert any("Tasaosuusmenetelmä (Add1): rahoitetaan" in x for x in parts["idea"].lines)  # the binding result
    assert "toimijakartta" in parts["environment"].sources and "Toimijakartalla: toimijoita" in parts["environment"].lines[0]
    assert parts["target_group"].lines[0] == "Kuntoutujat ja asukkaat"
    assert "tehtävät ja vastuut" in parts["implementation"].sources
    results = dict(parts["results"].sub)
    assert results["Osallisuus omassa elämässä"] == ["Sain päättää itse – keskiarvo 4,5 / 5 (vastauksia 6)"]
    assert results["Osallisuus yhteisöissä ja vaikuttamisen prosesseissa"] == []  # 3 answers: under 5, not shown
    assert "palautelomakkeet" in parts["results"].sources
    assert not parts["tips"].sources  # nothing recorded: no made-up tips
    html = summary.html(s, "fi")
    assert "&lt;b&gt;Yksinäisyys&lt;/b&gt;" in html and "<b>Yksinäisyys</b>" not in html
    d = docx.Document(io.BytesIO(summary.docx(s, "fi")))
    texts = [p.text for p in d.paragraphs]
    assert "<b>Yksinäisyys</b> kylässä" in texts and "Ratkaisun perusidea" in texts
    assert "Tästä ei ole kirjattua aineistoa." in texts


def test_the_summary_reads_in_swedish_and_english(store):
    ws = sample.load_demo(store)
    assert summary.build(report.Report(store, ws["id"], "sv")).parts[0].heading == "Lösningens grundidé"
    content, name = report.export(store, ws["id"], "summary", "en")
    assert name.endswith("-summary.html") and b"The basic idea" in content
