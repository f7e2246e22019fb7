import re
from pathlib import Path

import pytest

from kit.config import LANGUAGES
from kit.i18n import catalog, forms, negotiate, placeholders, t

KIT = Path(__file__).resolve().parents[2] / "kit"


def test_the_three_catalogs_have_the_same_keys():
    keys = {lang: set(catalog(lang)) for lang in LANGUAGES}
    assert keys["fi"] == keys["sv"] == keys["en"]


@pytest.mark.parametrize("key", sorted(catalog("en")))
def test_placeholders_agree_across_languages(key):
    assert placeholders(catalog("fi")[key]) == placeholders(catalog("sv")[key]) == placeholders(catalog("en")[key])


def test_no_translation_is_empty_or_left_in_english():
    for lang in ("fi", "sv"):
        same = [k for k, v in catalog(lang).items() if not all(f.strip() for f in forms(v))]
        assert same == []


def _used_keys():
    keys = set()
    for path in KIT.rglob("*"):
        if path.suffix in (".py", ".html", ".js"):
            src = path.read_text(encoding="utf-8")
            keys |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.0-9]+)["']""", src))
            keys |= set(re.findall(r"""\btr\(\s*["']([a-z_]+\.[a-z_.0-9]+)["']""", src))
            keys |= {"error." + c for c in re.findall(r"""KitError\(\s*["']([a-z_]+)["']""", src)}
            keys |= {"error." + c for c in re.findall(r"""require_open\(ws, "[a-z_]+", "([a-z_]+)"\)""", src)}
            keys |= {"error." + c for c in re.findall(r'participant_write\("[a-z_]+", "([a-z_]+)"', src)}
    return keys


def test_every_key_the_code_uses_is_in_the_catalogs():
    missing = sorted(k for k in _used_keys() if k not in catalog("en"))
    assert missing == []


def test_placeholders_are_filled_by_name():
    assert t("vote.saved", "fi", left=3) == "Tallennettu. Pisteitä jäljellä: 3."
    assert t("vote.saved", "sv", left=0) == "Sparat. Prickar kvar: 0."


def test_unknown_language_falls_back_to_finnish():
    assert t("join.submit", "de") == catalog("fi")["join.submit"]


@pytest.mark.parametrize("asked, accept, default, expected", [
    ("sv", "en-GB,en;q=0.9", "fi", "sv"),
    (None, "sv-FI,sv;q=0.9,fi;q=0.8", "fi", "sv"),
    (None, "de-DE,de;q=0.9,en;q=0.5", "fi", "en"),
    (None, "de-DE", "sv", "sv"),
    ("xx", None, "en", "en"),
    (None, "fi;q=0.2,en;q=0.9", "sv", "en"),
])
def test_language_order_is_choice_then_browser_then_workshop(asked, accept, default, expected):
    assert negotiate(asked, accept, default) == expected


# the placeholders that hold a count; one followed by a word ("{n} pistettä") needs plural forms
COUNTS = {"n", "dots", "votes", "actors", "links", "cross", "isolated", "sectors", "activities", "people", "hours",
          "partial", "scored", "removed", "kept", "counted", "k", "total", "columns", "given", "expected", "max",
          "min", "left", "cap", "sum", "over"}
# words after a count that do not change with it ("{n} of {total}", "nro {n} on puutteellinen")
NOT_NOUNS = r"(?:of|av|on|is|to|a|in|per|together|till|och|ja|and)\b"
COUNTED = re.compile(r"\{(\w+)\}\s+(?!" + NOT_NOUNS + r")(?=[^\W\d_])")


def _catalogs():
    from kit.i18n import plain_catalog

    for lang in LANGUAGES:
        yield lang, catalog(lang)
        yield "plain " + lang, plain_catalog(lang)


def test_every_counted_string_has_plural_forms_chosen_by_its_count():
    """Issue 15, item 16: "1 pistettä", "kulkee 1 yhteyttä", sv "1 kontakter". A count placeholder
    followed by a word makes the string a counted one: it must be {one, other} forms chosen by that
    placeholder (reword a second count: "yhteyksiä 3")."""
    bad = []
    for name, cat in _catalogs():
        for key, value in cat.items():
            by = value.get("_by", "n") if isinstance(value, dict) else None
            for text in forms(value):
                hits = {m.group(1) for m in COUNTED.finditer(text)} & COUNTS
                if hits and (by is None or by not in hits):
                    bad.append(f"{name} {key}: {sorted(hits)}")
            if isinstance(value, dict):
                assert {"one", "other"} <= set(value), (name, key)
    assert bad == []


@pytest.mark.parametrize("lang, one, many", [("fi", "1 piste", "2 pistettä"), ("sv", "1 prick", "2 prickar"),
                                             ("en", "1 dot", "2 dots")])
def test_plural_forms_follow_cldr_in_python(lang, one, many):
    assert t("js.dots_on", lang, n=1) == one and t("js.dots_on", lang, n=2) == many
    assert t("js.dots_on", lang, n=0) == many.replace("2", "0")


def test_a_plural_can_be_chosen_by_another_count():
    assert t("js.rules", "en", dots=1) == "You have 1 dot. Put it on the idea you like best."
    assert t("ui.round_opened", "fi", dots=3) == "Äänestys on auki: 3 pistettä kullekin."
