"""Audit committee member journey in Chromium: heatmap, a risk, the BAF pack; no way to edit."""
from __future__ import annotations

import re
import subprocess

from playwright.sync_api import expect

from .conftest import sign_in

MEMBER = "board.member@example.org"  # Bob Board, non-executive member of ARAC (and PCCAC's chair)
REFERENCES = [f"BAF{n:04d}" for n in range(1, 12)]

#: Every page that changes something; a board member must be refused each one.
EDIT_PAGES = ["/risks/new", "/risks/BAF0001/edit", "/risks/BAF0001/review",
              "/risks/BAF0001/controls/new", "/risks/BAF0001/controls/1/edit",
              "/risks/BAF0001/assurances/new", "/risks/BAF0001/gaps/new", "/actions/new/BAF0001",
              "/actions/1/edit", "/actions/1/progress", "/meetings/new?committee_id=2",
              "/meetings/1/edit", "/meetings/1/items/new", "/meetings/1/declarations/new",
              "/meetings/1/actions/new", "/committees/2/members/new", "/committees/4/terms/2/edit",
              "/reports/import", "/settings/", "/admin/users", "/admin/users/new",
              "/reminders/outbox"]


def test_audit_committee_member_reads_heatmap_risk_and_pack(page, shots, tmp_path):
    sign_in(page, MEMBER)
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_role("link", name="Heatmap").click()
    expect(page).to_have_title(re.compile("^Heatmap"))
    heatmap = page.locator("main table").first
    for reference in REFERENCES:
        expect(heatmap.get_by_role("link", name=reference, exact=True)).to_have_count(1)
    shots(page, "heatmap")

    heatmap.get_by_role("link", name="BAF0006", exact=True).click()
    expect(page).to_have_title(re.compile(r"^BAF0006"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Financial Sustainability")
    main = page.locator("main")
    expect(main.get_by_role("link", name="Record a review")).to_have_count(0)
    expect(main.get_by_role("link", name="Edit risk")).to_have_count(0)
    expect(main.get_by_role("link", name=re.compile("^(Add|Change|Update|Close)"))).to_have_count(0)
    expect(main.get_by_role("button", name=re.compile("^Close"))).to_have_count(0)
    shots(page, "risk-read-only")

    page.get_by_role("link", name="Reports").first.click()
    page.get_by_role("link", name="BAF pack (PDF)").click()
    page.get_by_role("button", name="Make the BAF pack (PDF)").click()
    # The pack is made off the request; its page offers the download once it is ready.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Download .*\.pdf$")).click()
    download = download_info.value
    pdf = tmp_path / "baf-pack.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert download.suggested_filename.endswith(".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    missing = [ref for ref in REFERENCES if ref not in text]
    assert not missing, f"the pack lacks {missing}"
    assert page.console_errors == []


def test_audit_committee_member_cannot_reach_any_edit_page(page):
    sign_in(page, MEMBER)
    reached = []
    for url in EDIT_PAGES:
        response = page.goto(url)
        if response.status != 403:
            reached.append(f"{url} answered {response.status}")
    assert not reached, "\n".join(reached)
    page.goto("/risks/BAF0001/edit")
    expect(page).to_have_title(re.compile(r"^You do not have permission to view this page"))
