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
