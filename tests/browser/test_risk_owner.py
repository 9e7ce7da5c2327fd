"""Risk owner journey in Chromium: My risks, a refused review, a recorded review and where it shows."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import sign_in

OWNER = "anne.brierley@example.org"  # owns BAF0001, BAF0003, BAF0005 and BAF0008 in the demo


def test_owner_updates_a_score_and_sees_history_movement_and_audit(page, shots):
    sign_in(page, OWNER)
    page.get_by_role("link", name="My risks").first.click()
    expect(page).to_have_title(re.compile(r"^My risks – riskapp$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My risks")
    row = page.locator("tr", has=page.get_by_role("link", name="BAF0003", exact=True))
    expect(row).to_contain_text("Owner")
    shots(page, "my-risks")
    row.get_by_role("link", name="Record a review").click()
    expect(page).to_have_title(re.compile(r"^Review BAF0003"))

    # The ratings are the five choices with their words; the current score is chosen.
    likelihood = page.get_by_role("group", name="Likelihood")
    expect(likelihood.get_by_label("5 Almost certain")).to_be_checked()
    expect(page.get_by_role("group", name="Consequence").get_by_label("4 Major")).to_be_checked()
    # No rationale: refused, the message beside the field and in the summary, the choice kept.
    likelihood.get_by_label("3 Possible").check()
    page.get_by_role("button", name="Save review").click()
    expect(page).to_have_title(re.compile(r"^Error: Review BAF0003"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    rationale_group = page.locator(".nhsuk-form-group", has=page.get_by_label("Rationale"))
    expect(rationale_group.locator(".nhsuk-error-message")).to_contain_text(
        "Enter the rationale for this review")
    expect(likelihood.get_by_label("3 Possible")).to_be_checked()
    # A screen reader hears the error with the field.
    expect(page.get_by_label("Rationale")).to_have_accessible_description(
        re.compile("Enter the rationale for this review"))
    shots(page, "rationale-missing-refused")
    # The summary links to the field: following it focuses the field.
    summary.get_by_role("link").filter(has_text="Enter the rationale").click()
    expect(page.get_by_label("Rationale")).to_be_focused()

    page.get_by_label("Rationale").fill("Recovery funding agreed; likelihood down from 5 to 3.")
    page.get_by_role("button", name="Save review").click()
    expect(page).to_have_title(re.compile(r"^BAF0003"))
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Review of BAF0003 recorded")

    scores = page.locator("dl").filter(has_text="Current")
    expect(scores.first).to_contain_text("(4:3=12)")
    history = page.locator("table").filter(has_text="Rationale")
    newest = history.locator("tbody tr").first
    expect(newest).to_contain_text("Recovery funding agreed; likelihood down from 5 to 3.")
    expect(newest).to_contain_text("(4:3=12)")
    expect(newest).to_contain_text("Anne Brierley")

    movement = page.locator("table.app-movement-table")
    expect(movement.locator("td").filter(has_text=re.compile(r"^12$"))).to_have_count(1)
    shots(page, "risk-after-review")

    page.get_by_text("Show the latest changes").click()
    audit = page.locator("table.app-audit-table")
    change = audit.locator("tr").filter(has_text="Anne Brierley").filter(has_text="current likelihood")
    expect(change.first).to_be_visible()
    expect(change.first.locator("td").nth(4)).to_contain_text("5")  # was
    expect(change.first.locator("td").nth(5)).to_contain_text("3")  # now
    shots(page, "audit-trail-open")
    assert page.console_errors == []
