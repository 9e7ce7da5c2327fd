"""Hostile text goes in through the forms and comes back out as text everywhere: the pages,
the JSON, the CSV and XLSX exports, the PDF. 0 injections, nothing truncated silently."""
from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest
from sqlalchemy import select

from riskapp.risks.models import Risk
from tests.factories import make_bands, make_register, make_user

SCRIPT = "<script>alert('x')</script>"
IMG = '"><img src=x onerror=alert(1)> & <b>bold</b> <a href="https://evil.example">link</a>'
FORMULA = '=HYPERLINK("https://evil.example","click")'
PLUS = "+cmd|' /C calc'!A0"
NON_LATIN = "Ελληνικά · 日本語 · العربية · Zoë & Chloë’s “quotes”"
TITLE = FORMULA + " " + SCRIPT + " " + IMG
LONG = "Long description. " * 300  # 5,400 characters: kept whole


@pytest.fixture
def hostile(client, auth, db):
    """A risk and an action created through the real forms by the risk manager."""
    manager = make_user("risk_manager")
    owner = make_user(name=SCRIPT + " O'Brien")
    make_bands()
    register = make_register()
    db.session.commit()
    auth.login(manager)
    response = client.post("/risks/new", data={
        "register_id": register.id, "title": TITLE, "description": LONG + NON_LATIN,
        "owner_id": owner.id, "strategic_objective": FORMULA, "status": "Open",
        "review_frequency_months": 1,
        "initial_consequence": 4, "initial_likelihood": 4, "current_consequence": 4,
        "current_likelihood": 4, "target_consequence": 2, "target_likelihood": 2,
        })
    if response.status_code != 302:
        import re
        pytest.fail("risk form refused: " + " | ".join(re.findall(
            r'error-message[^>]*>(.*?)</span>', response.get_data(as_text=True), re.S)))
    risk = db.session.scalar(select(Risk).order_by(Risk.id.desc()))
    return risk


def test_pages_escape_and_keep_everything(client, hostile):
    for url in (f"/risks/{hostile.reference}", "/risks/"):
        html = client.get(url).get_data(as_text=True)
        assert SCRIPT not in html and "<img src=x" not in html and "<b>bold</b>" not in html
        assert "&lt;script&gt;" in html
    detail = client.get(f"/risks/{hostile.reference}").get_data(as_text=True)
    assert LONG.strip() in detail and "Ελληνικά · 日本語 · العربية" in detail


def test_json_returns_the_text_exactly(client, hostile):
    body = client.get(f"/api/v1/risks/{hostile.reference}").get_json()
    assert body["title"] == TITLE
    assert body["description"] == LONG + NON_LATIN
    assert client.get(f"/api/v1/risks/{hostile.reference}").mimetype == "application/json"


def test_csv_and_xlsx_keep_text_and_defuse_formulas(client, hostile):
    response = client.get("/reports/export/risks.csv")
    assert response.status_code == 200
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows for cell in row]
    assert LONG + NON_LATIN in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert "'" + TITLE in cells  # shown as text by the spreadsheet, not run
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(client.get("/reports/export/risks.xlsx").get_data()))
    values = [c.value for row in book.active.iter_rows() for c in row if c.value is not None]
    assert LONG + NON_LATIN in values and "'" + TITLE in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    assert all(c.data_type != "f" for row in book.active.iter_rows() for c in row)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_pdf_prints_markup_as_text(client, hostile, tmp_path):
    from tests.reports.helpers import make_pack
    response = make_pack(client)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    (tmp_path / "pack.pdf").write_bytes(response.data)
    out = subprocess.run(["pdftotext", "-raw", str(tmp_path / "pack.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    squashed = " ".join(out.split())
    assert "<script>alert('x')</script>" in squashed
    assert "<b>bold</b>" in squashed and "<img src=x" in squashed
    assert b"/URI" not in response.data  # the <a href> in the text became no link
