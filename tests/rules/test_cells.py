"""The one place that makes spreadsheet cells inert (issue 15, finding 6)."""
import pytest

from riskapp.rules.cells import csv_bytes, neutralise, unneutralise


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"),
    ("+44 1234", "'+44 1234"),
    ("-5 staff", "'-5 staff"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    (" =1+1", "' =1+1"),           # spreadsheets skip leading blanks
    ("\n=1+1", "'\n=1+1"),         # and line breaks
    ("\xa0=1+1", "'\xa0=1+1"),     # and no-break spaces
    ("\u3000@x", "'\u3000@x"),
    ("'quoted", "''quoted"),
    ("Plain = text", "Plain = text"),
    ("  plain", "  plain"),
    ("", ""),
    (-5, -5),
    (None, None),
])
def test_neutralise_round_trips(value, expected):
    assert neutralise(value) == expected
    assert unneutralise(neutralise(value)) == value


def test_csv_bytes_neutralises_every_cell_and_writes_dates_as_iso():
    from datetime import date
    text = csv_bytes(["=Header"], [["=cmd", date(2025, 1, 2), None, 3]]).decode("utf-8-sig")
    assert text.splitlines() == ["'=Header", "'=cmd,2025-01-02,,3"]
