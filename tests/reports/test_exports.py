"""Export: CSV and XLSX of risks and actions, formula-like cells made inert."""
import csv
import io

import pytest
from openpyxl import load_workbook

from riskapp.auth.models import Role
from riskapp.reports.exports import neutralise, unneutralise  # re-exported from rules.cells
from riskapp.risks import services
from tests.factories import make_action, make_risk, make_user


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"),
    ("+44 1234", "'+44 1234"),
    ("-5 staff", "'-5 staff"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("'quoted", "''quoted"),
    ("Plain = text", "Plain = text"),
    ("", ""),
    (-5, -5),
    (None, None),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected
    assert unneutralise(neutralise(value)) == value


@pytest.mark.parametrize("typed, read", [
    ("'hello", "'hello"),   # an apostrophe someone typed stays
    ("'=x", "=x"),
    ("''x", "'x"),
    ("'", "'"),
])
def test_unneutralise_strips_only_the_exports_apostrophe(typed, read):
    assert unneutralise(typed) == read


def _demo(db):
    owner = make_user(name="Olive Owner", email="olive@example.org")
    risk = make_risk(owner, title='=HYPERLINK("http://evil","click")', lead_id=owner.id)
    services.add_control(risk, {"description": "One"})
    services.add_control(risk, {"description": "Two"})
    make_action(risk, owner, detail="@SUM(1)", status="In Progress")
    make_action(risk, owner, detail="Done", status="Complete")
    make_action(risk, owner, detail="Dropped", status="Cancelled")
    other = make_risk(title="Quiet risk")
    db.session.commit()
    return risk, other


def test_csv_export_of_risks(client, auth, db):
    risk, other = _demo(db)
    auth.login(make_user(Role.BOARD))
    response = client.get("/reports/export/risks.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [r["Reference"] for r in rows] == [risk.reference, other.reference]
    first = rows[0]
    assert first["Title"] == '\'=HYPERLINK("http://evil","click")'
    assert first["Owner"] == "Olive Owner" and first["Owner email"] == "olive@example.org"
    assert first["Controls"] == "2" and first["Open actions"] == "1"
    assert first["Current score"] == "16" and first["Band"] == "High"
    assert rows[1]["Controls"] == "0" and rows[1]["Open actions"] == "0"


def test_xlsx_export_has_both_sheets_and_no_formulas(client, auth, db):
    risk, _ = _demo(db)
    auth.login(make_user(Role.STAFF))
    response = client.get("/reports/export/register.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Risks", "Actions"]
    risks = workbook["Risks"]
    title = risks.cell(row=2, column=3)
    assert title.value.startswith("'=HYPERLINK") and title.data_type == "s"
    actions = workbook["Actions"]
    headers = [c.value for c in actions[1]]
    detail = actions.cell(row=2, column=headers.index("Detail") + 1)
    assert detail.value == "'@SUM(1)" and detail.data_type == "s"
    assert actions.max_row == 4
    for row in risks.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_export_of_one_register_and_unknown_formats(client, auth, db):
    _demo(db)
    auth.login(make_user(Role.BOARD))
    assert client.get("/reports/export/risks.pdf").status_code == 404
    assert client.get("/reports/export/register.csv").status_code == 404
    assert client.get("/reports/export/users.csv").status_code == 404
    assert client.get("/reports/export/risks.csv?register=999").status_code == 404
    response = client.get("/reports/export/actions.csv?register=1")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [r["Detail"] for r in rows] == ["'@SUM(1)", "Done", "Dropped"]
