"""Risk manager journey in Chromium: import a workbook with one bad row, fix it, import; export."""
from __future__ import annotations

import re

from openpyxl import load_workbook
from playwright.sync_api import expect

from .axe import BLOCKING, describe, run_axe
from .conftest import sign_in

NEW_TITLE = "Primary care estates: GP premises not fit for expanded workforce"


def workbook_rows(path):
    sheet = load_workbook(path)["Risks"]
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], rows[1:]


def add_risk_row(source, target, current_likelihood) -> int:
    """Copy the exported workbook, adding a new risk (reference blank); return its row number."""
    book = load_workbook(source)
    sheet = book["Risks"]
    headers = [cell.value for cell in sheet[1]]
    template = [cell.value for cell in sheet[2]]
    new = dict(zip(headers, template))
    new.update({"Reference": None, "Title": NEW_TITLE, "Description": "Added by import.",
                "Owner email": "nicky.poulain@example.org", "Lead email": None,
                "Status": "Open", "Initial consequence": 4, "Initial likelihood": 4,
                "Current consequence": 3, "Current likelihood": current_likelihood,
                "Target consequence": 3, "Target likelihood": 2})
    sheet.append([new.get(h) for h in headers])
    book.save(target)
    return sheet.max_row


def test_risk_manager_imports_with_a_bad_row_then_fixed_and_exports(page, shots, tmp_path):
    sign_in(page, "risk.manager@example.org")
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_role("link", name="Import risks and actions").click()
    expect(page).to_have_title(re.compile("^Import risks and actions"))
    with page.expect_download() as info:
        page.get_by_role("link", name="download the register as a workbook").click()
    exported = tmp_path / "register.xlsx"
    info.value.save_as(exported)
    headers, rows = workbook_rows(exported)
    assert len(rows) == 11 and {r[0] for r in rows} == {f"BAF{n:04d}" for n in range(1, 12)}

    bad = tmp_path / "register-bad.xlsx"
    bad_row = add_risk_row(exported, bad, current_likelihood=7)
    page.get_by_label(re.compile("file", re.I)).set_input_files(bad)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Problems in the file")
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("nothing has been saved")
    named_row = summary.get_by_role("link", name=re.compile(rf"^Risks row {bad_row}: "))
    expect(named_row).to_have_count(1)
    problems = page.locator("table", has=page.locator("caption", has_text="Problems, by row"))
    expect(problems.locator("tbody tr")).to_have_count(1)
    expect(problems.locator("tbody tr")).to_contain_text("Current likelihood")
    shots(page, "import-bad-row-named")
    named_row.click()
    expect(page).to_have_url(re.compile(rf"#row-risks-{bad_row}$"))

    page.get_by_role("link", name="Upload a corrected file").click()
    fixed = tmp_path / "register-fixed.xlsx"
    add_risk_row(exported, fixed, current_likelihood=2)
    page.get_by_label(re.compile("file", re.I)).set_input_files(fixed)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    expect(page).not_to_have_title(re.compile("^Error: "))
    expect(page.locator("main")).to_contain_text("1 to add, 0 to update, 11 unchanged")
    shots(page, "import-preview")
    page.get_by_role("button", name="Import these changes").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import saved")
    shots(page, "import-done")
    # The outcome page is drawn from the worker's result: axe over it too.
    serious = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert not serious, describe(page.url, serious)

    page.goto("/risks/")
    new_row = page.locator("tr", has_text=NEW_TITLE)
    expect(new_row).to_have_count(1)
    expect(new_row.get_by_role("link", name="BAF0012")).to_be_visible()

    page.get_by_role("link", name="Reports").first.click()
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^Risks and actions \(XLSX\)")).first.click()
    after = tmp_path / "register-after.xlsx"
    info.value.save_as(after)
    assert info.value.suggested_filename.endswith(".xlsx")
    _, rows = workbook_rows(after)
    added = [r for r in rows if r[0] == "BAF0012"]
    assert len(added) == 1 and NEW_TITLE in added[0]
    assert page.console_errors == []
