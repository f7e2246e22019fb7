"""One reader for the tables a facilitator brings in: the service tray's activities, an external
survey's answers, the stakeholder map's actors and links. CSV (UTF-8, with or without a BOM; comma,
semicolon as Finnish Excel writes, or tab) or XLSX; every cell as text, with its heading. A file that
cannot be read says so in the user's words, naming the file and, for a row that does not fit its
heading, the row."""

from __future__ import annotations

import csv
import io

from kit.errors import KitError


def read_table(data: bytes, name: str) -> tuple[list[str], list[dict[str, str]]]:
    """(headings, rows) of a CSV or XLSX file. Row n of the list is line n + 2 of the file (a blank
    line is a row of empty cells), so a message can name the line a person sees."""
    if name.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx(data, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KitError("file_not_utf8") from None
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as err:
        raise KitError("bad_table", file=name[:80], detail=str(err)[:160]) from None
    if not rows or not any(c.strip() for c in rows[0]):
        raise KitError("import_empty", table=name[:80])
    header = [h.strip() for h in rows[0]]
    out = []
    for n, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            out.append(dict.fromkeys(header, ""))
            continue
        if len(r) != len(header):
            raise KitError("import_columns", table=name[:80], row=n, given=len(r), expected=len(header))
        out.append(dict(zip(header, r)))
    return header, out


def _xlsx(data: bytes, name: str) -> tuple[list[str], list[dict[str, str]]]:
    import pandas as pd

    try:
        df = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl")
    except Exception as err:  # not a workbook, or a damaged one: say which file, not a traceback
        raise KitError("bad_table", file=name[:80], detail=(str(err).splitlines() or [""])[0][:160]) from None
    df = df.fillna("")
    header = [str(c).strip() for c in df.columns]
    df.columns = header
    rows = [{k: ("" if v is None else str(v)) for k, v in r.items()} for r in df.to_dict("records")]
    return header, rows
