"""Translations: a gettext-shaped `t(key, lang, **kw)` over flat catalogs kit/locales/{fi,sv,en}.json.

Placeholders are named (`{n}`), never positional; the three catalogs have identical keys and
placeholders (a unit test checks). Language order for a visitor: ?lang=, then Accept-Language,
then the workshop's default.
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


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, lang: str = "fi", plain: bool = False, **kw) -> str:
    lang = lang if lang in LANGUAGES else "fi"
    text = (plain and plain_catalog(lang).get(key)) or catalog(lang).get(key) or catalog("en").get(key) or key
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
