"""The service tray: pure rules (coverage, gaps, narrow organisers, filters, import checks), the
store (suggestions, interest, gap ideas, backup), the facilitator view and the printable catalogue."""

import csv
import io
import re
import zipfile

import pytest
import yaml

from kit import report, sample, tray
from kit.errors import KitError
from kit.tables import read_table
from kit.workshop import data_path

LV, GR = tray.DEFAULT_LEVELS, tray.DEFAULT_GROUPS


def act(i, level, groups=(), langs=("fi",), cost="0", organiser=None, days=(), place=None, name=None):
    return {"id": i, "name": name or f"A{i}", "step_level": level, "target_groups": list(groups),
            "languages": list(langs), "cost": cost, "organiser": organiser, "days": list(days), "place": place}


# -- pure rules ---------------------------------------------------------------------------------
def test_coverage_counts_open_activities_for_every_group():
    acts = [act(1, 1), act(2, 1, ["young_adults"]), act(3, 2, ["immigrants", "older_people"])]
    cov = tray.coverage(acts, LV, GR)
    assert cov[1] == {"young_adults": 2, "long_term_unemployed": 1, "immigrants": 1, "rehabilitees": 1,
                      "older_people": 1}
    assert cov[2] == {"young_adults": 0, "long_term_unemployed": 0, "immigrants": 1, "rehabilitees": 0,
                      "older_people": 1}
    assert cov[3] == dict.fromkeys(cov[3], 0)


def test_gaps_name_empty_levels_cells_languages_and_paid_only_levels():
    acts = [act(1, 1, ["rehabilitees"], langs=["fi"]), act(2, 2, cost="20")]
    keys = {g["key"] for g in tray.gaps(acts, LV, GR, ["fi", "sv"])}
    # level 1: only rehabilitees covered, so the four others are gaps; it has a free activity
    assert {f"cell:1:{g}" for g in ("young_adults", "long_term_unemployed", "immigrants", "older_people")} <= keys
    assert "cell:1:rehabilitees" not in keys and "free:1" not in keys
    # level 2 is open to everyone but costs money
    assert not any(k.startswith("cell:2:") for k in keys) and "free:2" in keys
    assert {"level:3", "level:4"} <= keys and not any(k.startswith(("cell:3", "free:3")) for k in keys)
    assert "language:sv" in keys and "language:fi" not in keys


def test_the_issue_examples_are_gaps_in_words():
    acts = [act(1, 1, ["older_people"]), act(2, 2, ["young_adults"])]
    texts = [tray.gap_text(g, LV, GR, "en") for g in tray.gaps(acts, LV, GR)]
    assert "No \u201cOpen low-threshold activity\u201d for Young adults." in texts
    assert "No activity at all in Swedish." in texts
    texts_fi = [tray.gap_text(g, LV, GR, "fi") for g in tray.gaps(acts, LV, GR)]
    assert "Ei yhtään toimintaa kielellä: ruotsi." in texts_fi


def test_a_full_tray_has_no_gaps():
    acts = [act(n, lv["id"], langs=["fi", "sv"]) for n, lv in enumerate(LV)]
    assert tray.gaps(acts, LV, GR) == []


def test_narrow_organisers_are_those_on_one_level_of_a_wider_tray():
    acts = [act(1, 1, organiser="Kirjasto"), act(2, 1, organiser="Kirjasto"), act(3, 2, organiser="Opisto"),
            act(4, 3, organiser="Opisto"), act(5, 4, organiser=None)]
    assert tray.narrow_organisers(acts) == [{"organiser": "Kirjasto", "level": 1, "activities": 2}]
    assert tray.narrow_organisers([act(1, 1, organiser="Kirjasto")]) == []  # one level only: nothing to say


def test_gap_becomes_an_idea_with_tags():
    gap = {"kind": "cell", "key": "cell:1:young_adults", "level": 1, "group": "young_adults"}
    text, tags = tray.gap_idea(gap, LV, GR, "fi")
    assert text == "Tarjottimelta puuttuu: Ei toimintaa tasolla \u201dAvoin matalan kynnyksen toiminta\u201d ryhmälle Nuoret aikuiset."
    assert tags == {"step_level": 1, "target_groups": ["Nuoret aikuiset"]}


def test_filters_combine_and_sort_by_step_level():
    acts = [act(1, 2, days=["mon"], place="Kirjasto", langs=["fi", "sv"], name="B"),
            act(2, 1, days=["tue"], place="Kirjasto", langs=["fi"], cost="5", name="A"),
            act(3, 1, days=["mon"], place="Seurakuntatalo", langs=["sv"], name="C")]
    ids = lambda xs: [a["id"] for a in xs]
    assert ids(tray.filter_activities(acts)) == [2, 3, 1]
    assert ids(tray.filter_activities(acts, level="1")) == [2, 3]
    assert ids(tray.filter_activities(acts, day="mon")) == [3, 1]
    assert ids(tray.filter_activities(acts, place="kirjasto")) == [2, 1]
    assert ids(tray.filter_activities(acts, language="sv", free=True)) == [3, 1]
    assert ids(tray.filter_activities(acts, day="mon", place="kirj", language="sv", level=2)) == [1]
    assert tray.filter_activities(acts, day="sun") == []


@pytest.mark.parametrize(("value", "level"), [(1, 1), ("2", 2), ("Ryhmätoiminta", 2), ("group activity", 2),
                                              ("Kurser och utbildning", 3), (4.0, 4)])
def test_step_level_by_number_or_name(value, level):
    assert tray.parse_level(value, LV) == level


@pytest.mark.parametrize("value", [0, 5, "kurssi", "", None, True])
def test_unknown_step_level_is_refused_with_the_levels(value):
    with pytest.raises(KitError) as e:
        tray.clean_activity({"name": "X", "step_level": value}, LV, GR)
    assert e.value.code == "unknown_step_level"
    assert "1, 2, 3, 4" in e.value.message("en")


def test_clean_activity_reads_free_days_languages_and_groups():
    a = tray.clean_activity({"name": "  Avoin   olohuone ", "step_level": "1", "cost": "maksuton",
                             "days": "ma, ke; pe", "languages": "suomi, svenska, selkosuomi",
                             "target_groups": "Nuoret aikuiset; Invandrare, omat kaverit"}, LV, GR)
    assert a["name"] == "Avoin olohuone" and a["cost"] == "0" and tray.is_free(a)
    assert a["days"] == ["mon", "wed", "fri"]
    assert a["languages"] == ["fi", "sv", "fi-plain"]
    assert a["target_groups"] == ["young_adults", "immigrants", "omat kaverit"]
    assert tray.clean_activity({"name": "K", "step_level": 3, "cost": "12,50 €"}, LV, GR)["cost"] == "12.50"
    assert tray.clean_activity({"name": "K", "step_level": 3, "cost": ""}, LV, GR)["cost"] is None


@pytest.mark.parametrize(("data", "code"), [({"step_level": 1}, "activity_name_missing"),
                                            ({"name": "   ", "step_level": 1}, "activity_name_missing"),
                                            ({"name": "x" * 121, "step_level": 1}, "too_long"),
                                            ({"name": "X", "step_level": 1, "days": "monday, someday"}, "unknown_day"),
                                            ({"name": "X", "step_level": 1, "cost": "-5"}, None),
                                            ({"name": "X", "step_level": 1, "cost": "lots"}, None)])
def test_bad_activities_are_refused(data, code):
    with pytest.raises(KitError) as e:
        tray.clean_activity(data, LV, GR)
    if code:
        assert e.value.code == code


def test_duplicates_ignore_case_and_punctuation():
    acts = [act(1, 1, name="Avoin olohuone", organiser="Yhdistys"), act(2, 1, name="avoin olohuone!", organiser="yhdistys"),
            act(3, 1, name="Avoin olohuone", organiser="Kirjasto")]
    assert tray.duplicates(acts) == [[1, 2]]


def test_phone_numbers_are_recognised():
    assert tray.has_phone_number("soita 040 123 4567") and tray.has_phone_number("+358 40 1234567")
    assert not tray.has_phone_number("Kansalaisopiston verkkoilmoittautuminen, klo 17–19.15")


def test_sample_data_gives_no_private_phone_numbers():
    spec = yaml.safe_load((data_path("sample_data") / "demo.yaml").read_text(encoding="utf-8"))
    for a in spec["tray"]["activities"]:
        assert not any(tray.has_phone_number(str(v)) for v in a.values()), a["name"]


# -- import -------------------------------------------------------------------------------------
CSV_FI = ("Nimi;Järjestäjä;Askeltaso;Hinta;Kieli;Päivät;Kohderyhmät\n"
          "Avoin olohuone;Yhdistys;1;maksuton;suomi, ruotsi;ma, ke;\n"
          "Kädentaidot;Opisto;Kurssit ja koulutus;45;suomi;ma;Ikääntyneet\n")


def test_import_guesses_the_mapping_and_reads_semicolon_csv():
    rows = read_table(CSV_FI.encode("utf-8"), "tarjotin.csv")[1]
    mapping = tray.guess_mapping(list(rows[0]))
    assert mapping["name"] == "Nimi" and mapping["step_level"] == "Askeltaso" and mapping["place"] is None
    res = tray.import_rows(rows, mapping, LV, GR)
    assert res.errors == [] and [a["name"] for a in res.rows] == ["Avoin olohuone", "Kädentaidot"]
    assert res.rows[1]["step_level"] == 3 and res.rows[1]["target_groups"] == ["older_people"]
    assert res.rows[0]["languages"] == ["fi", "sv"]


def test_import_names_each_bad_row_and_flags_duplicates():
    text = ("name,step_level,organiser\n"
            "Good,1,A\n"
            ",2,B\n"          # row 3: no name
            "Kurssi,7,C\n"    # row 4: unknown level
            "good,1,a\n"      # row 5: duplicate of row 2
            ",,\n"            # an empty line is skipped quietly
            "On tray,2,D\n")  # row 7: already on the tray
    rows = read_table(text.encode(), "x.csv")[1]
    res = tray.import_rows(rows, tray.guess_mapping(list(rows[0])), LV, GR,
                           existing=[{"name": "On tray", "organiser": "D"}])
    assert [(n, e.code) for n, e in res.errors] == [(3, "activity_name_missing"), (4, "unknown_step_level")]
    assert "7" in res.errors[1][1].message("fi")
    assert res.duplicates == [(5, "good"), (7, "On tray")]
    assert [a["name"] for a in res.rows] == ["Good"]


def test_import_needs_a_name_and_level_column():
    rows = read_table(b"Nimi,Paikka\nX,Y\n", "x.csv")[1]
    with pytest.raises(KitError) as e:
        tray.import_rows(rows, tray.guess_mapping(list(rows[0])), LV, GR, lang="fi")
    assert e.value.code == "mapping_missing" and "Askeltaso" in e.value.message("fi")


def test_malformed_and_non_utf8_files_get_a_clear_message():
    with pytest.raises(KitError) as e:
        read_table("Nimi;Taso\nÄäkkönen;1\n".encode("latin-1"), "x.csv")
    assert e.value.code == "file_not_utf8"
    with pytest.raises(KitError) as e:
        read_table(b"PK\x03\x04 not really", "x.xlsx")
    assert e.value.code == "bad_table" and "x.xlsx" in e.value.message("en")


def test_xlsx_import(tmp_path):
    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame([{"Namn": "Öppet vardagsrum", "Stegnivå": "Öppen lågtröskelverksamhet", "Språk": "svenska"}]).to_excel(
        buf, index=False)
    rows = read_table(buf.getvalue(), "utbud.xlsx")[1]
    mapping = tray.guess_mapping(list(rows[0]))
    assert mapping["name"] == "Namn" and mapping["languages"] == "Språk"
    mapping["step_level"] = "Stegnivå"
    res = tray.import_rows(rows, mapping, LV, GR)
    assert res.rows[0]["step_level"] == 1 and res.rows[0]["languages"] == ["sv"]


def test_export_and_import_round_trip(store):
    ws = sample.load_demo(store)
    before = store.activities(ws["id"])
    z = zipfile.ZipFile(io.BytesIO(report.csv_zip(store, ws["id"])))
    text = z.read("activities.csv").decode("utf-8")
    assert list(csv.reader(io.StringIO(text)))[0][:4] == ["id", "name", "organiser", "place"]
    rows = read_table(text.encode("utf-8"), "activities.csv")[1]
    res = tray.import_rows(rows, tray.guess_mapping(list(rows[0])), LV, GR)
    assert res.errors == [] and res.duplicates == []
    other = store.create_workshop("Toinen", "osallisuusverkosto")
    store.import_activities(other["id"], res.rows)
    fields = ("name", "organiser", "place", "accessibility", "schedule", "days", "cost", "step_level",
              "target_groups", "languages", "contact", "description")
    strip = lambda xs: sorted(({f: a[f] for f in fields} for a in xs), key=lambda a: a["name"])
    assert strip(store.activities(other["id"])) == strip(before)


# -- store --------------------------------------------------------------------------------------
def test_suggestions_wait_for_the_facilitator(store):
    ws = store.create_workshop("T", "satelliitti")
    p, _ = store.add_participant(ws["id"], "Maija")
    a = store.add_activity(ws["id"], {"name": "Shakkikerho", "step_level": 2}, participant_id=p["id"])
    assert a["status"] == "suggested" and store.activities(ws["id"]) == []
    assert [x["name"] for x in store.suggested_activities_of(p["id"])] == ["Shakkikerho"]
    store.set_activity_status(a["id"], "active")
    assert [x["name"] for x in store.activities(ws["id"])] == ["Shakkikerho"]
    with pytest.raises(KitError):
        store.set_activity_status(a["id"], "bogus")


def test_interest_is_once_per_person_and_kind_and_can_be_taken_back(store):
    ws = store.create_workshop("T", "satelliitti")
    a = store.add_activity(ws["id"], {"name": "Kävely", "step_level": 1})
    p1, _ = store.add_participant(ws["id"])
    p2, _ = store.add_participant(ws["id"])
    for _ in range(3):
        store.set_interest(ws["id"], a["id"], p1["id"], "interested", True)
    store.set_interest(ws["id"], a["id"], p2["id"], "interested", True)
    store.set_interest(ws["id"], a["id"], p2["id"], "organise", True)
    assert store.interest_counts(ws["id"]) == {a["id"]: {"interested": 2, "organise": 1}}
    store.set_interest(ws["id"], a["id"], p1["id"], "interested", False)
    assert store.interest_counts(ws["id"])[a["id"]]["interested"] == 1
    assert store.interests_of(p2["id"]) == {a["id"]: ["interested", "organise"]}
    with pytest.raises(KitError) as e:
        store.set_interest(ws["id"], a["id"], p1["id"], "love", True)
    assert e.value.code == "bad_field"
    store.set_activity_status(a["id"], "removed")
    with pytest.raises(KitError) as e:
        store.set_interest(ws["id"], a["id"], p1["id"], "interested", True)
    assert e.value.status == 404


def test_organiser_from_the_map_and_from_another_workshop(store):
    ws = store.create_workshop("T", "satelliitti")
    other = store.create_workshop("U", "satelliitti")
    actor = store.add_actor(ws["id"], "Kirjasto", "culture_practitioner")
    a = store.add_activity(ws["id"], {"name": "Lukupiiri", "step_level": 2, "organiser": "ignored"}, actor["id"])
    assert a["organiser"] == "Kirjasto" and a["organiser_id"] == actor["id"]
    with pytest.raises(KitError):
        store.add_activity(other["id"], {"name": "X", "step_level": 1}, actor["id"])
    store.update_actor(actor["id"], name="Kaupunginkirjasto")
    assert store.activities(ws["id"])[0]["organiser"] == "Kaupunginkirjasto"  # follows the map
    edited = store.update_activity(a["id"], {"name": "Lukupiiri selkokielellä", "step_level": "2", "days": ["tue"]})
    assert edited["organiser_id"] is None and edited["days"] == ["tue"]


def test_a_gap_becomes_an_idea_once(store):
    ws = store.create_workshop("T", "satelliitti")
    idea = store.gap_to_idea(ws["id"], "level:4", "Tarjottimelta puuttuu: työllisyyspalvelut", {"step_level": 4})
    assert idea["status"] == "visible" and idea["tags"] == {"step_level": 4}
    with pytest.raises(KitError) as e:
        store.gap_to_idea(ws["id"], "level:4", "again", None)
    assert e.value.code == "gap_already_idea"
    assert len(store.ideas(ws["id"])) == 1


def test_backup_carries_the_tray_and_purge_forgets_who_suggested(store, tmp_path):
    ws = sample.load_demo(store)
    p, _ = store.add_participant(ws["id"])
    sug = store.add_activity(ws["id"], {"name": "Ehdotus", "step_level": 1}, participant_id=p["id"])
    first = store.activities(ws["id"])[0]
    store.set_interest(ws["id"], first["id"], p["id"], "interested", True)
    doc = store.dump_workshop(ws["id"])
    from kit.store import Store

    fresh = Store.open(tmp_path / "other")
    fresh.create_workshop("taking ids", "satelliitti")  # so ids are renumbered
    fresh.add_actor(1, "takes actor id 1", "resident")
    back = fresh.restore_workshop(doc)
    acts = fresh.activities(back["id"])
    assert [a["name"] for a in acts] == [a["name"] for a in store.activities(ws["id"])]
    org_names = {a["name"]: a["organiser_id"] for a in acts}
    assert {x["id"]: x["name"] for x in fresh.actors(back["id"])}[org_names["Avoin olohuone"]] == "Mielenterveysyhdistys"
    assert sum(c["interested"] for c in fresh.interest_counts(back["id"]).values()) == 1
    store.purge_personal_data(ws["id"])
    assert store.activity(sug["id"])["suggested_by"] is None
    fresh.close()


# -- facilitator view and outputs ----------------------------------------------------------------
HOSTILE = '<img src=x onerror="alert(1)">'


def test_tray_app_turns_a_gap_into_an_idea_and_escapes_names(store):
    from kit.ui.tray import TrayApp

    ws = store.create_workshop("T", "satelliitti")
    app = TrayApp(store, ws["code"], poll=False)
    assert "tyhjä" in app.table.value  # an empty tray says so
    app.add({"name": HOSTILE, "step_level": 1, "languages": "fi"})
    assert HOSTILE not in app.table.value and "&lt;img" in app.table.value
    gap = next(g for g in app.view.gaps if g["kind"] == "language")
    app.make_idea(gap)
    (idea,) = store.ideas(ws["id"])
    assert "ruotsi" in idea["text"]
    shown = [x.value for row in app.gaps_box.children for x in row.children if hasattr(x, "value")]
    assert any(gap_text in v for v in shown for gap_text in ["ruotsi"]) and any("Idea tehty" in v for v in shown)
    app._guard(app.make_idea, gap)  # a second click is refused in words, nothing new
    assert "jo tehty" in app.message.value and len(store.ideas(ws["id"])) == 1


def test_tray_app_import_with_mapping_refuses_bad_rows_and_keeps_nothing(store):
    from kit.ui.tray import TrayApp

    ws = store.create_workshop("T", "satelliitti")
    app = TrayApp(store, ws["code"], poll=False)
    bad = "Toiminta;Taso\nKävely;1\n;2\nKurssi;9\n".encode()
    guess = app.read_file(bad, "lista.csv")
    assert guess["name"] == "Toiminta" and guess["step_level"] == "Taso"
    res = app.import_mapped()
    assert len(res.errors) == 2 and store.activities(ws["id"]) == []
    assert "Rivi 3" in app.message.value and "Rivi 4" in app.message.value and "Mitään ei tuotu" in app.message.value
    app.read_file("Toiminta;Taso\nKävely;1\nKurssi;Kurssit ja koulutus\n".encode(), "lista.csv")
    app.import_mapped()
    assert [a["name"] for a in store.activities(ws["id"])] == ["Kävely", "Kurssi"]
    assert "Tuotiin 2" in app.message.value


def test_suggestion_accept_and_interest_counts_show(store):
    from kit.ui.tray import TrayApp

    ws = store.create_workshop("T", "satelliitti")
    p, _ = store.add_participant(ws["id"])
    sug = store.add_activity(ws["id"], {"name": "Kuoro", "step_level": 2}, participant_id=p["id"])
    app = TrayApp(store, ws["code"], poll=False)
    app.decide(sug["id"], True)
    store.set_interest(ws["id"], sug["id"], p["id"], "organise", True)
    app.refresh()
    row = re.search(r"<tr data-activity='%d'>.*?</tr>" % sug["id"], app.table.value).group(0)
    assert "<td class='kit-interested'>0</td><td class='kit-organise'>1</td>" in row


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_catalogue_is_ordered_by_step_level_and_escaped(store, lang):
    ws = sample.load_demo(store)
    store.add_activity(ws["id"], {"name": HOSTILE, "step_level": 4, "contact": "<script>x</script>"})
    page = report.tray_catalogue_html(store, ws["id"], lang)
    assert f"<html lang='{lang}'>" in page and "<script" not in page and HOSTILE not in page
    heads = re.findall(r"<h2>(.*?)</h2>", page)
    assert [h.split(":")[0] for h in heads] == [{"fi": "Askel", "sv": "Steg", "en": "Step"}[lang] + f" {n}"
                                                for n in (1, 2, 3, 4)]
    assert page.index("Avoin olohuone") < page.index("Lukupiiri") < page.index("Kädentaitojen kurssi")


def test_report_has_a_tray_section_only_when_there_is_a_tray(store):
    ws = sample.load_demo(store)
    html = "".join(report.Report(store, ws["id"], "en").sections())
    assert "Activities in the area (service tray)" in html and "8 activities on the tray." in html
    empty = store.create_workshop("T", "satelliitti")
    assert "Activities in the area" not in "".join(report.Report(store, empty["id"], "en").sections())


def test_a_v6_store_gains_the_tray_and_keeps_its_data(tmp_path):
    import sqlite3

    from kit.store import SCHEMA_VERSION, STORE_FILE, Store

    s = Store.open(tmp_path)
    ws = s.create_workshop("Vanha", "satelliitti", "fi")
    s.add_idea(ws["id"], "Vanha idea")
    s.close()
    con = sqlite3.connect(tmp_path / STORE_FILE)
    con.execute("DROP TABLE tray_interests")
    con.execute("DROP TABLE activities")
    con.execute("UPDATE kit_meta SET value='6' WHERE key='schema_version'")
    con.commit()
    con.close()
    s = Store.open(tmp_path)
    assert s.schema_version() == SCHEMA_VERSION
    assert [i["text"] for i in s.ideas(ws["id"])] == ["Vanha idea"]
    s.add_activity(ws["id"], {"name": "Uusi", "step_level": 1})
    assert [a["name"] for a in s.activities(ws["id"])] == ["Uusi"]
    s.close()
