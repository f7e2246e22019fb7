"""Translations: a gettext-shaped `t(key, lang, **kw)` over flat catalogs kit/locales/{fi,sv,en}.json.

Placeholders are named (`{n}`), never positional; the three catalogs have identical keys and
placeholders (a unit test checks). Language order for a visitor: ?lang=, then Accept-Language,
then the workshop's default.

A string with a count is an object of CLDR plural forms, {"one": "{n} piste", "other": "{n} pistettä"},
chosen by the `n` placeholder (or the one "_by" names) with Babel's plural rules for the language (the
participant page chooses the same way with Intl.PluralRules); a test finds counted strings without
forms. Numbers are written by kit.numbers in the reader's language.
"""

from __future__ import annotations

import json
import string
from functools import cache
from pathlib import Path

from kit.config import LANGUAGES

LOCALES = Path(__file__).parent / "locales"


@cache
def catalog(lang: str) -> dict[str, str]:
    return json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))


@cache
def plain_catalog(lang: str) -> dict[str, str]:
    """Plain language (selkokieli, lättläst, plain English) for what participants read: the same
    keys as the standard catalog, in short concrete wording. kit/locales/plain/{fi,sv,en}.json."""
    return json.loads((LOCALES / "plain" / f"{lang}.json").read_text(encoding="utf-8"))


def page_catalog(lang: str, plain: bool = False) -> dict[str, str]:
    """The standard catalog with the plain wording laid over it when asked."""
    return {**catalog(lang), **plain_catalog(lang)} if plain else catalog(lang)


def placeholders(text) -> set[str]:
    if isinstance(text, dict):  # plural forms: every form's placeholders
        return set().union(*(placeholders(v) for v in forms(text)))
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def forms(text) -> list[str]:
    """A catalog value's texts: the string, or each of its plural forms."""
    return [v for k, v in text.items() if not k.startswith("_")] if isinstance(text, dict) else [text]


@cache
def _plural_rule(lang: str):
    from babel import Locale

    from kit.numbers import LOCALES

    return Locale.parse(LOCALES.get(lang, "fi_FI")).plural_form


def plural(text, lang: str, n) -> str:
    """The form of a plural value for the count n (CLDR: fi, sv and en have "one" and "other")."""
    if not isinstance(text, dict):
        return text
    try:
        form = _plural_rule(lang)(abs(float(n)) if not isinstance(n, int) else abs(n))
    except (TypeError, ValueError):
        form = "other"
    return text.get(form) or text["other"]


def t(key: str, lang: str = "fi", plain: bool = False, **kw) -> str:
    lang = lang if lang in LANGUAGES else "fi"
    text = (plain and plain_catalog(lang).get(key)) or catalog(lang).get(key) or catalog("en").get(key) or key
    if isinstance(text, dict):
        text = plural(text, lang, kw.get(text.get("_by", "n"), 0))
    if kw:
        try:
            return text.format(**kw)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def negotiate(asked: str | None = None, accept_language: str | None = None, default: str = "fi") -> str:
    """Pick fi/sv/en: an explicit choice first, then the browser's Accept-Language, then the default."""
    if asked and asked[:2].lower() in LANGUAGES:
        return asked[:2].lower()
    if accept_language:
        weighted = []
        for part in accept_language.split(","):
            bits = part.strip().split(";q=")
            try:
                q = float(bits[1]) if len(bits) > 1 else 1.0
            except ValueError:
                q = 0.0
            weighted.append((q, bits[0].strip()[:2].lower()))
        for _, code in sorted(weighted, key=lambda x: -x[0]):
            if code in LANGUAGES:
                return code
    return default if default in LANGUAGES else "fi"


def label(value, lang: str) -> str:
    """A template's {fi:, sv:, en:} text in the language asked (falls back to fi, then any)."""
    if isinstance(value, dict):
        return value.get(lang) or value.get("fi") or next(iter(value.values()), "")
    return "" if value is None else str(value)
