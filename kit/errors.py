"""One error type for everything a person can get wrong; its code is a catalog key."""

from __future__ import annotations


class KitError(Exception):
    """A refusal that a person can understand and act on.

    `code` is a key in kit/locales/*.json ("error.<code>"); `params` fill its placeholders.
    `status` is the HTTP status the participant API answers with.
    """

    def __init__(self, code: str, status: int = 400, **params):
        super().__init__(code)
        self.code = code
        self.status = status
        self.params = params

    def message(self, lang: str, plain: bool = False) -> str:
        from kit.i18n import catalog, t

        params = dict(self.params)
        field = params.get("field")
        if isinstance(field, str) and "field." + field in catalog("en"):  # a field named in the reader's words
            params["field"] = t("field." + field, lang)
        return t("error." + self.code, lang, plain=plain, **params)

    def __str__(self) -> str:  # English for logs and the terminal
        return self.message("en")
