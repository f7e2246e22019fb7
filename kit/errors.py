"""One error type for everything a person can get wrong; its code is a catalog key."""

from __future__ import annotations

QUOTES = {"fi": ("\u201d", "\u201d"), "sv": ("\u201d", "\u201d"), "en": ("\u201c", "\u201d")}


def quoted_list(names, lang: str) -> str:
    """Names as the reader's language lists them: ”A”, ”B” ja ”C” (Babel's CLDR list patterns)."""
    from babel.lists import format_list

    from kit.numbers import LOCALES

    left, right = QUOTES.get(lang, QUOTES["fi"])
    return format_list([f"{left}{n}{right}" for n in names], locale=LOCALES.get(lang, "fi_FI"))


class KitError(Exception):
    """A refusal that a person can understand and act on.

    `code` is a key in kit/locales/*.json ("error.<code>"); `params` fill its placeholders.
    `status` is the HTTP status the participant API answers with. A list parameter (the names of
    every project that blocks a vote) is written as a quoted list in the reader's language.
    """

    def __init__(self, code: str, status: int = 400, **params):
        super().__init__(code)
        self.code = code
        self.status = status
        self.params = params

    def message(self, lang: str, plain: bool = False) -> str:
        from kit.i18n import catalog, t

        params = {k: quoted_list(v, lang) if isinstance(v, (list, tuple)) else v for k, v in self.params.items()}
        field = params.get("field")
        if isinstance(field, str) and "field." + field in catalog("en"):  # a field named in the reader's words
            params["field"] = t("field." + field, lang)
        return t("error." + self.code, lang, plain=plain, **params)

    def __str__(self) -> str:  # English for logs and the terminal
        return self.message("en")
