"""Licensed instruments with a synthetic pack (made-up items, never a real scale), and survey import."""

import pytest
import yaml

from kit import evaluation as ev
from kit.errors import KitError
from kit.ui.evaluation import EvaluationApp

PACK = {
    "id": "synthetic", "name": "Synthetic wellbeing (test)", "copyright": "© Nobody, made up for tests",
    "consent": {"fi": "Suostun.", "sv": "Jag samtycker.", "en": "I agree."},
    "items": [{"id": f"i{n}", "text": {"fi": f"Keksitty väite {n}", "en": f"Made-up statement {n}"}} for n in (1, 2, 3)],
    "responses": [{"value": v, "label": {"fi": str(v), "en": str(v)}} for v in (1, 2, 3)],
    "scoring": {total: round(10 + 2.5 * total, 1) for total in range(3, 10)},
}


@pytest.fixture
def pack_dir(tmp_path):
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "synthetic.yaml").write_text(yaml.safe_dump(PACK, allow_unicode=True))
    (folder / "broken.yaml").write_text("id: broken\nname: [")
    return folder


def test_scoring_complete_answers_only(pack_dir):
    packs, problems = ev.load_packs(pack_dir)
    assert list(packs) == ["synthetic"] and len(problems) == 1 and "broken.yaml" in problems[0]
    pack = packs["synthetic"]
    assert ev.score(pack, {"i1": 3, "i2": 2, "i3": 1}) == 25.0
    assert ev.score(pack, {"i1": 3, "i2": 2}) is None  # a partial answer is not scored
    assert ev.score(pack, {"i1": 3, "i2": 2, "i3": 9}) is None


def test_a_pack_missing_its_scoring_is_refused_by_name(tmp_path):
    path = tmp_path / "nopoints.yaml"
    path.write_text(yaml.safe_dump({k: v for k, v in PACK.items() if k != "scoring"}))
    with pytest.raises(KitError) as err:
        ev.load_pack(path)
    assert err.value.code == "pack_malformed" and "scoring" in err.value.message("en")


def test_instrument_form_needs_consent_and_aggregates_scored_answers(store, tmp_path):
    import shutil

    ws = store.create_workshop("Mittari", "osallisuusverkosto", "en")
    (store.data_dir / "instruments").mkdir()
    (store.data_dir / "instruments" / "synthetic.yaml").write_text(yaml.safe_dump(PACK, allow_unicode=True))
    app = EvaluationApp(store, code=ws["code"], lang="en", poll=False)
    assert ("Synthetic wellbeing (test)", "synthetic") in app.form_pack.options
    form = app.open_form("Wellbeing", [], "", 2, pack="synthetic")
    ps = [store.add_participant(ws["id"])[0] for _ in range(3)]
    with pytest.raises(KitError) as err:
        store.save_response(form["id"], ps[0]["id"], {"instrument": {"items": {"i1": 1}}})
    assert err.value.code == "consent_required"
    store.save_response(form["id"], ps[0]["id"], {"instrument": {"consent": True, "items": {"i1": 3, "i2": 3, "i3": 3}}})
    store.save_response(form["id"], ps[1]["id"], {"instrument": {"consent": True, "items": {"i1": 1}}})  # partial
    app.refresh()
    assert "kit-mean" not in app.results.value and "incomplete answers not scored: 1" in app.results.value
    store.save_response(form["id"], ps[2]["id"], {"instrument": {"consent": True, "items": {"i1": 1, "i2": 1, "i3": 1}}})
    app.refresh()
    assert "data-mean='25.00'" in app.results.value  # (32.5 + 17.5) / 2
    shutil.rmtree(store.data_dir / "instruments")  # the pack gone: the rest of the kit still works
    app2 = EvaluationApp(store, code=ws["code"], lang="en", poll=False)
    assert app2.form_pack.options == (("(no instrument)", ""),)


def test_survey_import_feeds_an_indicator_and_names_wrong_columns(store):
    ws = store.create_workshop("Kysely", "osallisuusverkosto", "en")
    app = EvaluationApp(store, code=ws["code"], lang="en", poll=False)
    ind = app.add_indicator(name="Belonging")
    cols = app.read_survey("Vastaaja;Kuuluminen;Tulisi uudelleen\n1;4;kyllä\n2;3,5;ei\n3;;kyllä\n".encode(), "kysely.csv")
    assert cols == ["Vastaaja", "Kuuluminen", "Tulisi uudelleen"]
    assert app.import_survey(ind["id"], "Kuuluminen", "mean") == 3.75
    assert "<td>3.75</td>" in app.ind_html.value
    assert app.import_survey(ind["id"], "Tulisi uudelleen", "share_yes") == pytest.approx(0.667)
    app._guard(app.import_survey, ind["id"], "Belonging", "mean")
    assert 'no column &#34;Belonging&#34;' in app.message.value and "Vastaaja, Kuuluminen" in app.message.value
    app._guard(app.import_survey, ind["id"], "Tulisi uudelleen", "mean")
    assert "holds text" in app.message.value
