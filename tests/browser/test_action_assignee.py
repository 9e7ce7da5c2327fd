"""Action assignee journey in Chromium: progress on an overdue action, a moved target date, the slip count."""
from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from .conftest import sign_in

ASSIGNEE = "catherine.jackson@example.org"  # assigned BAF0002's action due 10 Oct 2023


def test_assignee_records_progress_moves_the_date_and_sees_the_slip_count(page, shots):
    sign_in(page, ASSIGNEE)
    page.get_by_role("link", name="My actions").first.click()
    expect(page).to_have_title(re.compile(r"^My actions – riskapp$"))
    assigned = page.locator("table", has=page.locator("caption", has_text="Assigned to you"))
    row = assigned.locator("tbody tr").filter(has=page.get_by_role("link", name="BAF0002", exact=True))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("10 Oct 2023")
    expect(row).to_contain_text("Overdue")
    expect(row).not_to_contain_text("Moved")
    shots(page, "my-actions-overdue")

    row.get_by_role("link", name="Update action on BAF0002").click()
    expect(page).to_have_title(re.compile(r"^Update an action – BAF0002"))
    # Saving without a note is refused, with the typed date kept.
    new_target = date.today() + timedelta(days=60)
    dates = page.get_by_role("group", name="Target date")
    dates.get_by_label("Day").fill(str(new_target.day))
    dates.get_by_label("Month").fill(str(new_target.month))
    dates.get_by_label("Year").fill(str(new_target.year))
    page.get_by_role("button", name="Save progress").click()
    expect(page).to_have_title(re.compile(r"^Error: Update an action"))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a progress note")
    expect(dates.get_by_label("Year")).to_have_value(str(new_target.year))
    shots(page, "note-missing")

    page.get_by_label("Progress note").fill("Workforce plan drafted; sign-off moved to the next board.")
    page.get_by_label("Status").select_option("In Progress")
    page.get_by_role("button", name="Save progress").click()
    expect(page).to_have_title(re.compile(r"^My actions"))
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Progress recorded")
    row = assigned.locator("tbody tr").filter(has=page.get_by_role("link", name="BAF0002", exact=True))
    long_date = f"{new_target.day} {new_target:%b %Y}"
    expect(row).to_contain_text(long_date)
    expect(row).not_to_contain_text("Overdue")
    expect(row).to_contain_text("Moved 1 time")
    shots(page, "my-actions-after-move")

    row.get_by_role("link", name="BAF0002", exact=True).click()
    actions = page.locator("table", has=page.get_by_role("columnheader", name="Action"))
    on_risk = actions.locator("tbody tr").filter(has_text=long_date)
    expect(on_risk).to_contain_text("Moved 1 time; first set for 10 Oct 2023")
    shots(page, "risk-actions")

    page.get_by_role("link", name="My actions").first.click()
    page.get_by_role("link", name="Update action on BAF0002").click()
    expect(page.locator("dl")).to_contain_text("Moved 1 time, first set for 10 Oct 2023")
    expect(page.get_by_role("heading", name="Earlier progress")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Workforce plan drafted; sign-off moved to the next board.")
    shots(page, "progress-page-history")
    assert page.console_errors == []
