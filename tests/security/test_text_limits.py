"""Issue 15, finding 2: no free text is unbounded.

Before the fix a 9.5 MB risk description was accepted (only the 10 MB request cap bounded it)
and then took the pack minutes; a one-row 900,000-cell workbook tied up the import for 30 s.
Each test here failed then.
"""
from __future__ import annotations

import html
import importlib
import inspect
import io
import pkgutil
import re
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

import riskapp
from riskapp.forms_common import TEXT_LIMIT, BoundedForm
from riskapp.risks.models import Risk
from tests import factories
from tests.security.formdata import form_fields
from tests.security.test_uploads import before, everything, export, manager, refused, rezip  # noqa: F401


def _all_forms():
    for module in pkgutil.walk_packages(riskapp.__path__, "riskapp."):
        found = importlib.import_module(module.name)
        for _, cls in inspect.getmembers(found, inspect.isclass):
            if cls.__module__ == found.__name__ and issubclass(cls, BoundedForm.__mro__[1]):
                yield cls


def test_2_every_text_field_of_every_form_has_a_limit(app):
    from wtforms import HiddenField, StringField
    from wtforms.validators import Length
    unbounded, forms = [], 0
    with app.test_request_context():
        for cls in _all_forms():
            assert issubclass(cls, BoundedForm), f"{cls.__module__}.{cls.__name__}"
            forms += 1
            for field in cls(meta={"csrf": False}):
                if isinstance(field, StringField) and not isinstance(field, HiddenField) \
                        and not any(isinstance(v, Length) and v.max > 0 for v in field.validators):
                    unbounded.append(f"{cls.__name__}.{field.name}")
    assert forms > 40 and unbounded == []


def test_2_a_long_description_is_refused_beside_the_field_and_kept(client, auth, db):
    owner = factories.make_user("risk_manager")
    risk = factories.make_risk(owner, description="Short")
    db.session.commit()
    auth.login(owner)
    fields = form_fields(client.get(f"/risks/{risk.reference}/edit").get_data(as_text=True))
    typed = "The supply of agency staff fails. " * 200 + "End of what was typed."  # 6,822
    fields["description"] = typed
    response = client.post(f"/risks/{risk.reference}/edit", data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    message = f"Description must be 6,000 characters or fewer (it has {len(typed):,})"
    assert message in html.unescape(page)
    # Beside the field: the error is inside the description's form group, the text kept whole.
    group = re.search(r'for="description".*?</textarea>', page, re.S).group(0)
    assert message in html.unescape(group) and typed in html.unescape(group)
    assert "You can enter up to 6,000 characters." in page
    db.session.expire_all()
    assert db.session.get(Risk, risk.id).description == "Short"


def test_2_the_api_refuses_a_long_description(client, db):
    manager = factories.make_user("risk_manager")
    register = factories.make_register()
    factories.make_bands()
    from riskapp.auth.models import ApiToken
    token, secret = ApiToken.issue(manager, 30)
    db.session.add(token)
    db.session.commit()
    response = client.post("/api/v1/risks", headers={"Authorization": f"Bearer {secret}"}, json={
        "register": register.prefix, "title": "Agency staff", "description": "x" * (TEXT_LIMIT + 1),
        "owner_id": manager.id, "initial_consequence": 4, "initial_likelihood": 4,
        "current_consequence": 4, "current_likelihood": 4})
    assert response.status_code == 400, response.get_data(as_text=True)  # as every bad field
    assert "6,000" in response.get_data(as_text=True)
    assert "description" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Risk.id))) == 0


def test_2_the_pdf_prints_at_most_a_bounded_cell_of_older_longer_text():
    from riskapp.reports.baf_pdf import CELL_TEXT_LIMIT, _markup, _plain
    huge = "The register holds text written before the limit. " * 200_000  # ~10 MB
    for made in (_markup(huge), _plain(huge)):
        assert len(made) < CELL_TEXT_LIMIT + 200
        assert "more characters not printed: the full text is in the risk register" in made
    assert _markup("Short & sweet") == "Short &amp; sweet"


def test_2_a_pack_with_a_huge_description_is_made_and_says_what_was_left_out(client, auth, db,
                                                                               tmp_path):
    from tests.reports.helpers import make_pack, pdf_text, squash
    manager = factories.make_user("risk_manager")
    factories.make_risk(manager, description="Workforce gaps. " * 100_000)  # 1.6 MB, as before
    db.session.commit()
    auth.login(manager)
    response = make_pack(client)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = squash(pdf_text(response.data, tmp_path))
    assert "more characters not printed: the full text is in the risk register" in text
    assert text.count("Workforce gaps.") < 600


def _one_row_of(cells: int) -> bytes:
    row = "".join(f'<c t="n"><v>{n % 10}</v></c>' for n in range(cells))
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
            f'{row}</row></sheetData></worksheet>').encode()


def test_2_a_workbook_with_a_900000_cell_row_is_refused_unopened(client, db, before,
                                                                monkeypatch):
    data = export(client)
    sheet = next(n for n in zipfile.ZipFile(io.BytesIO(data)).namelist()
                 if n.startswith("xl/worksheets/"))
    huge = rezip(data, {sheet: _one_row_of(900_000)})
    assert len(huge) < 2 * 1024 * 1024  # under the upload limit: only the cell count stops it

    def must_not_open(*args, **kwargs):
        raise AssertionError("openpyxl parsed 900,000 cells")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_open)
    refused(client, huge, "register.xlsx", "has more than 400,000 cells")
    db.session.expire_all()
    assert everything(db) == before


def test_2_a_csv_with_too_many_cells_is_refused(client, db, before):
    data = ("Reference,Title\n" + ",".join(["x"] * 400_001) + "\n").encode()
    refused(client, data, "register.csv", "has more than 400,000 cells")
    db.session.expire_all()
    assert everything(db) == before


@pytest.mark.parametrize("cells, counted", [(10, 10), (70_000, 70_000)])
def test_2_cells_are_counted_across_chunk_boundaries(cells, counted):
    from riskapp.reports.imports import Limits, _check_zip, ImportRefused
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", _one_row_of(cells))
    _check_zip(out.getvalue(), Limits(max_cells=counted))  # exactly at the limit: fine
    with pytest.raises(ImportRefused):
        _check_zip(out.getvalue(), Limits(max_cells=counted - 1))
