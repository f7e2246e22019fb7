"""What everything a person types goes through on the way in: one cleaning, the same everywhere.

Control characters other than newline and tab are removed (a NUL byte or a form feed has no place
in a workshop and breaks spreadsheets), the text is trimmed, and then its length is checked against
the bound of its field. What remains is stored as typed and escaped wherever it is shown."""

from __future__ import annotations

import re

from kit.errors import KitError

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # every C0 control and DEL but \t \n \r


def clean_text(value, limit: int, too_long: str = "too_long", field: str | None = None) -> str:
    """`value` cleaned, or "" for nothing; a text over `limit` characters is refused with the error
    code `too_long` (its message gets `max`, `given` and `field`). Not a string: bad_field."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise KitError("bad_field", field=field or "text")
    text = CONTROL.sub("", value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > limit:
        raise KitError(too_long, max=limit, given=len(text), field=field or "text")
    return text


def clean_date(value) -> str | None:
    """A date as typed (2026-12-02; a longer ISO timestamp keeps its date), or None for nothing; a
    date that is no date is refused naming what was typed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    from datetime import date

    try:
        return date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError:
        raise KitError("bad_date", value=str(value)[:20]) from None
