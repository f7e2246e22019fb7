import json
from pathlib import Path

import pytest

from kit import workshop as wsmod
from kit.errors import KitError

SEEDS = json.loads((Path(__file__).resolve().parents[1] / "data" / "seeds.json").read_text(encoding="utf-8"))


def test_there_is_one_template_per_source_model():
    assert set(wsmod.templates()) == {"osallisuusverkosto", "osallisuusverkosto_arviointi", "satelliitti",
                                      "pore", "kulttuurifoorumi"}
    sources = {tpl["source"] for tpl in wsmod.templates().values()}
    assert len(sources) == 5
    assert sources == set(SEEDS["files"])


@pytest.mark.parametrize("tid", sorted(wsmod.templates()))
def test_every_template_speaks_fi_sv_en(tid):
    tpl = wsmod.template(tid)
    texts = [tpl["name"], *tpl["prompts"].values()] + [g["label"] for g in tpl["stakeholder_groups"]] \
        + [c["label"] for c in tpl["competences"]] + [r["label"] for r in tpl["roles"]] \
        + [d["label"] for d in tpl["evaluation_dimensions"]]
    for text in texts:
        assert set(text) == {"fi", "sv", "en"} and all(v.strip() for v in text.values())
    assert set(tpl["required_sectors"]) <= set(tpl["sectors"])
    assert {d["id"] for d in tpl["evaluation_dimensions"]} == {"OWN_LIFE", "COMMUNITIES_INFLUENCE", "COMMON_GOOD"}


def test_groups_are_labelled_in_the_language_asked():
    groups = {g["id"]: g["label"] for g in wsmod.groups("osallisuusverkosto", "sv")}
    assert groups["expert_by_experience"] == "Erfarenhetsexpert"


def test_unknown_template_names_the_known_ones():
    with pytest.raises(KitError) as e:
        wsmod.template("nope")
    assert "pore" in e.value.message("en")


THL = json.loads((Path(__file__).resolve().parents[1] / "data" / "thl_dimensions.json").read_text(encoding="utf-8"))
THL_KEYS = {"OWN_LIFE": "thl.own_life", "COMMUNITIES_INFLUENCE": "thl.communities_influence",
            "COMMON_GOOD": "thl.common_good"}


@pytest.mark.parametrize("tid", sorted(wsmod.templates()))
def test_thls_three_dimensions_are_named_exactly_as_thl_and_the_seeds_give_them(tid):
    """Issue 17, item 8: "Osallisuus yhteisestä hyvästä" (not "yhteiseen hyvään"), and the second
    dimension in one wording; every template and every catalog the same, in each language."""
    from kit.i18n import t

    for d in wsmod.template(tid)["evaluation_dimensions"]:
        assert d["label"]["fi"] == THL["dimensions"][d["id"]]
        for lang in ("fi", "sv", "en"):
            assert d["label"][lang] == t(THL_KEYS[d["id"]], lang), (tid, d["id"], lang)


def ids(items):
    return [x["id"] for x in items]


def test_each_template_names_who_its_seed_is_built_on():
    """Issue 17, item 8, from a review against the seeds."""
    for tid in ("osallisuusverkosto", "osallisuusverkosto_arviointi", "kulttuurifoorumi"):
        # seeds 000 and 004: "ammattilaiset ja asiakkaat", "asiakkaille ja henkilökunnalle"
        tpl = wsmod.template(tid)
        assert "client" in ids(tpl["stakeholder_groups"]) and "client" in tpl["sectors"], tid
    kf = wsmod.template("kulttuurifoorumi")  # a working group of staff: residents are not part of it
    assert "resident" not in ids(kf["stakeholder_groups"]) and "resident" not in kf["sectors"]
    assert "management_support" in ids(kf["roles"])  # "esimiesten ja johdon tuki"
    pore = wsmod.template("pore")  # "Kohderyhmänä ... erityisesti nuoret", and youth workers' network
    assert {"young_person", "youth_worker"} <= set(ids(pore["stakeholder_groups"])) & set(pore["required_sectors"])
    prompt = pore["prompts"]["idea"]["fi"].lower()
    assert all(word in prompt for word in ("voimavar", "yhteisö", "rakente"))  # all three PORE levels
    sat = wsmod.template("satelliitti")  # "kursseja ja työvoimapoliittisia toimenpiteitä"; Kela a partner
    assert next(x for x in sat["step_levels"] if x["id"] == 4)["label"]["fi"] == "Työvoimapoliittiset toimenpiteet"
    assert "kela" in ids(sat["stakeholder_groups"]) and "kela" in sat["sectors"]


def test_the_promising_practice_checklist_asks_for_the_research_basis_and_who_roots_the_model():
    from kit.evaluation import criteria
    from kit.workshop import data_path

    found = {c["id"]: c for c in criteria(data_path("templates") / "evaluation" / "criteria.yaml")}
    assert "tutkimustietoa" in found["research_basis"]["text"]["fi"]  # seed 001: "laajaa tutkimusnäyttöä"
    assert "juurtumisesta" in found["rooting_owner"]["text"]["fi"]  # "jonkun tahon pitää vastata ... juurtumisesta"
