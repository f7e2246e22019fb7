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
