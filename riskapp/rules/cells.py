"""The one place that makes a text cell inert in a spreadsheet (OWASP "CSV injection").

Every CSV and XLSX the app writes passes its text cells through `neutralise`: a cell that
Excel or LibreOffice could read as a formula -- one starting with =, +, -, @, a tab or a
carriage return, also after leading blanks or line breaks, which spreadsheets skip -- gets a
leading apostrophe. A cell already starting with an apostrophe gets one more, so the import's
single strip (`unneutralise`) gives back exactly what was stored.
"""
from __future__ import annotations

import re

QUOTE = "'"
#: What a spreadsheet may run as a formula, after any leading whitespace it ignores.
_FORMULA_LIKE = re.compile(r"^[\s\u00a0\u2000-\u200b\u3000\ufeff]*[=+\-@\t\r]")


def is_formula_like(text: str) -> bool:
    return bool(_FORMULA_LIKE.match(text)) or text.startswith(("\t", "\r"))


def neutralise(value):
    """`=1+1` -> `'=1+1`, `' =1+1'` -> `"' =1+1"`; numbers, dates and plain text unchanged."""
    if isinstance(value, str) and value and (is_formula_like(value) or value.startswith(QUOTE)):
        return QUOTE + value
    return value


def unneutralise(value):
    """Undo `neutralise`: drop one leading apostrophe put before a formula-like or quoted text."""
    if (isinstance(value, str) and len(value) > 1 and value.startswith(QUOTE)
            and (is_formula_like(value[1:]) or value[1:].startswith(QUOTE))):
        return value[1:]
    return value


def csv_bytes(header, rows) -> bytes:
    """CSV in UTF-8 with a byte order mark (so Excel opens accents correctly), every cell inert.

    Dates as ISO 8601, None as an empty cell.
    """
    import csv
    import io
    from datetime import date

    def cell(value) -> str:
        if value is None:
            return ""
        if isinstance(value, date):
            return value.isoformat()
        return str(neutralise(value))

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
