"""One cleaning for everything a person types (kit/text.py), and the exports that never fail on a
cell: a NUL byte in a nickname or an activity, a formula typed as an idea."""

import io

import pytest

from kit import report, sample
from kit import workshop as wsmod
from kit.errors import KitError
from kit.text import clean_text


@pytest.mark.parametrize("typed, stored", [
    ("  Retki\x00 suolle \x07", "Retki suolle"),
    ("rivi 1\r\nrivi 2\tsarake", "rivi 1\nrivi 2\tsarake"),
    ("\x1b[31m<b>punainen</b>", "[31m<b>punainen</b>"),
    (None, ""),
])
def test_control_characters_go_newlines_and_tabs_stay_markup_is_kept_as_typed(typed, stored):
    assert clean_text(typed, 100) == stored


def test_the_length_is_checked_after_cleaning_and_names_the_numbers():
    assert clean_text("x" * 10 + "\x00" * 50, 10) == "x" * 10
    with pytest.raises(KitError) as e:
        clean_text("y" * 11, 10, "answer_too_long", field="answers")
    assert e.value.code == "answer_too_long" and "11" in e.value.message("fi") and "10" in e.value.message("fi")
    with pytest.raises(KitError) as e:
        clean_text(["a"], 10, field="nickname")
    assert e.value.code == "bad_field" and "nimimerkki" in e.value.message("fi")


def test_every_participant_text_goes_through_the_same_cleaning(store):
    ws = store.create_workshop("T", "pore", "fi")
    p, _ = store.add_participant(ws["id"], "Ai\x00no\x0c", None, "fi")
    assert p["nickname"] == "Aino"
    assert store.add_idea(ws["id"], "Idea\x00 \x08yksi")["text"] == "Idea yksi"
    sector = wsmod.template(ws["template"])["sectors"][0]
    assert store.add_actor(ws["id"], "Kirjasto\x00", sector, organisation="Kunta\x0b")["name"] == "Kirjasto"
    assert store.actors(ws["id"])[0]["organisation"] == "Kunta"
    form = store.create_form(ws["id"], "F", [{"kind": "text", "text": "Kerro"}], 1)
    store.set_form_status(form["id"], "open")
    assert store.save_response(form["id"], p["id"], {"q1": "hyvä\x00 päivä"}) == {"q1": "hyvä päivä"}
    with pytest.raises(KitError) as e:
        store.save_response(form["id"], p["id"], {"q1": "z" * 1001})
    assert e.value.code == "answer_too_long" and "Vastaus" in e.value.message("fi")


def test_the_spreadsheet_export_never_fails_on_a_cell_and_never_writes_a_formula(tmp_path):
    import sqlite3

    from openpyxl import load_workbook

    from kit.store import STORE_FILE, Store

    store = Store.open(tmp_path)
    ws = sample.load_demo(store)
    p, _ = store.add_participant(ws["id"], "Nimi", "resident", "fi")
    store.add_idea(ws["id"], "=HYPERLINK(\"http://x\",\"klikkaa\")", p["id"])
    store.add_idea(ws["id"], "@SUM(1+1)", p["id"])
    # data from before the cleaning: a NUL byte in a nickname and in an activity's field
    con = sqlite3.connect(tmp_path / STORE_FILE)
    con.execute("UPDATE participants SET nickname = 'Ai' || char(0) || 'no' WHERE id = ?", (p["id"],))
    con.execute("UPDATE activities SET name = 'Kerho' || char(0) || char(7) WHERE id = (SELECT min(id) FROM activities)")
    con.commit()
    con.close()
    data = report.xlsx(store, ws["id"], include_nicknames=True)
    book = load_workbook(io.BytesIO(data))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # nothing typed runs as a formula
    typed = {c.value: c for c in cells if isinstance(c.value, str)}
    for text in ("=HYPERLINK(\"http://x\",\"klikkaa\")", "@SUM(1+1)"):  # as typed, a text cell with the quote prefix
        assert typed[text].data_type == "s" and typed[text].quotePrefix
    names = [c.value for row in book["activities"].iter_rows() for c in row]
    assert "Kerho" in names
