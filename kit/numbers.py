"""Amounts and numbers: the one formatter of the Python side (the participant page has its own,
on Intl.NumberFormat). Babel (CLDR) gives each language its digits, separators and currency place:
1 234,50 € in Finnish and Swedish, €1,234.50 in English.

Money is kept as exact decimal text in the store ("1200.50", never a float), so `amount_text` is
what a cost or a budget is stored as, and `money` is how a person reads it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache

from babel import Locale
from babel.numbers import format_currency, format_decimal

LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_IE"}  # English of a euro country: €1,234.50


def _locale(lang: str) -> str:
    return LOCALES.get(lang, "fi_FI")


def _decimal(x) -> Decimal:
    x = Fraction(x)
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def amount_text(x) -> str:
    """An amount as the store keeps it: whole euros without decimals, else two ("1200", "1200.50")."""
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{_decimal(x):.2f}"


@cache
def _whole_pattern(locale: str) -> str:
    """The locale's currency pattern without the cents, for whole amounts (1 200 €, not 1 200,00 €)."""
    return Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0].replace(".00", "")


def money(x, lang: str = "fi", currency: str = "€") -> str:
    """An amount for people: 1 234,50 € (fi, sv) or €1,234.50 (en); whole amounts without decimals;
    a file's own currency code (PLN) where it has one, or none; "–" for no amount."""
    if x is None:
        return "–"
    d = _decimal(x)
    locale = _locale(lang)
    whole = d == d.to_integral_value()
    if not currency:
        return number(d, lang)
    code = "EUR" if currency == "€" else currency
    if whole:
        return format_currency(d, code, locale=locale, format=_whole_pattern(locale), currency_digits=False)
    return format_currency(d, code, locale=locale)


def number(x, lang: str = "fi", digits: int | None = None) -> str:
    """A number for people with the language's decimal mark: 0,30 (fi, sv), 0.30 (en). `digits`
    decimals; by default none for a whole number and two for any other."""
    d = Decimal(str(x)) if not isinstance(x, Fraction) else _decimal(x)
    if digits is None:
        digits = 0 if d == d.to_integral_value() else 2
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(d, format=fmt, locale=_locale(lang))


def date_text(iso: str, lang: str = "fi") -> str:
    """A date as the reader's language writes it in minutes (2.12.2026; 2 December 2026), by Babel's CLDR."""
    from datetime import date

    from babel.dates import format_date

    try:
        day = date.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    return format_date(day, format="long" if lang == "en" else "short" if lang == "sv" else "d.M.yyyy",
                       locale=_locale(lang))
