"""Secretariat journey in Chromium: a PCCAC meeting from scheduling to a tied vote.

Apologies first (the page forecasts quoracy from them), then a declaration, then the day itself:
a named deputy and who is present (live quoracy), and a vote.

PCCAC's quorum (terms of reference v3.0 in the demo): a non-executive member who chairs, the
Chief Primary Care Officer or the Chief Medical Director, the Chief Finance Officer and one other
executive board member. The CMD sends apologies, so when the CPCO is excluded from the decision
on one item by a declared interest, that item (and only that one) becomes inquorate.

The attendance register is filled in by keyboard alone.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from .conftest import sign_in
from .keyboard import named, tab_to

PCCAC_MEMBERS = {"Bob Board": 1, "Helen Okafor": 2, "Nicky Poulain": 3, "Dean Westcott": 4,
                 "Sarah Stanley": 5, "Dr Priya Raman": 6}


def add_item(page, number: str, title: str, purpose: str) -> None:
    page.get_by_role("link", name="Add an agenda item").click()
    page.get_by_label("Item number").fill(number)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Purpose").select_option(label=purpose)
    page.get_by_role("button", name=re.compile("Save|Add")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Meeting of")


def choose(select, text: str) -> None:
    """Select the option whose label contains `text`."""
    select.select_option(value=select.locator("option", has_text=text).first.get_attribute("value"))


def attendance_by_keyboard(page, member: str, status_letters: str, deputy: str | None = None):
    """Tab from the top of the register to the member's Attendance select, choose by typing,
    and fill the deputy if any. The register is saved once, by `save_register`."""
    member_id = PCCAC_MEMBERS[member]
    # Blur first: Home on a focused select would choose its first option.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Home")
    tab_to(page, lambda el: el["id"] == f"m{member_id}-status", limit=150)
    page.keyboard.type(status_letters)  # a focused select picks the option typed
    if deputy:
        tab_to(page, lambda el: el["id"] == f"m{member_id}-deputy_name")
        page.keyboard.type(deputy)


def save_register(page):
    """Tab to the one Save button of the register and press Enter (issue 17)."""
    tab_to(page, named("Save the register"), limit=200)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Register saved")


def test_secretariat_runs_a_meeting(page, shots):
    sign_in(page, "secretariat@example.org")
    page.get_by_role("link", name="Committees").first.click()
    page.get_by_role("link", name="Primary Care Commissioning and Assurance Committee").click()
    page.get_by_role("link", name="Schedule a meeting").click()
    expect(page).to_have_title(re.compile("Schedule a meeting|meeting"))
    day = date.today() + timedelta(days=42)
    dates = page.get_by_role("group", name="Date")
    dates.get_by_label("Day").fill(str(day.day))
    dates.get_by_label("Month").fill(str(day.month))
    dates.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Place").fill("Capability House, Wrest Park, Silsoe")
    page.get_by_role("button", name="Save the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Meeting of {day:%A %d %B %Y}")
    meeting_url = page.url

    add_item(page, "1", "Primary care estates plan 2025/26", "For decision")
    add_item(page, "2", "Luton GP practice merger: contract award", "For decision")
    agenda = page.locator("table", has=page.locator("caption", has_text="Agenda"))
    expect(agenda.locator("tbody tr")).to_have_count(2)
    shots(page, "meeting-with-agenda")

    # Apologies and a named deputy, by keyboard, on the attendance register.
    page.get_by_role("link", name="Attendance register").click()
    expect(page).to_have_title(re.compile("Attendance"))
    attendance_by_keyboard(page, "Dr Priya Raman", "Apol")
    attendance_by_keyboard(page, "Helen Okafor", "Apol")
    save_register(page)
    expect(page.locator("#m6-status")).to_have_value("apologies")
    shots(page, "attendance-apologies")

    # A declaration excluding the CPCO from the decision on item 2.
    page.goto(meeting_url)
    page.get_by_role("link", name="Record a declaration").first.click()
    choose(page.get_by_label("Member", exact=True), "Nicky Poulain")
    choose(page.get_by_label("Agenda item"), "Luton GP practice merger")
    page.get_by_label("Interest").fill("Partner in a practice party to the merger.")
    page.get_by_role("radio", name="Excluded from decision").check()
    page.get_by_role("button", name=re.compile("Save|Record")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Meeting of")
    declarations = page.locator("ul", has=page.get_by_text("Partner in a practice party to the merger."))
    expect(declarations).to_contain_text("Nicky Poulain")
    expect(declarations).to_contain_text("Excluded from decision")

    forecast = page.locator("#forecast")
    expect(forecast).to_be_visible()
    item2 = forecast.locator("li", has_text="Luton GP practice merger")
    expect(item2).to_contain_text("expected inquorate")
    expect(item2).to_contain_text("CPCO or CMD: ask for a named deputy for Dr Priya Raman")
    expect(forecast.locator("li", has_text="Primary care estates plan")).to_have_count(0)
    agenda_rows = agenda.locator("tbody tr")
    expect(agenda_rows.nth(0)).to_contain_text("Expected quorate")
    expect(agenda_rows.nth(1)).to_contain_text("Expected inquorate")
    shots(page, "forecast-item-2-inquorate")

    # On the day: who is there, by keyboard.
    page.get_by_role("link", name="Attendance register").click()
    # (A named deputy counts as attending, so the page shows live quoracy from here on.)
    attendance_by_keyboard(page, "Dean Westcott", "Repr", deputy="Joan Smith, Deputy CFO")
    for member in ("Bob Board", "Nicky Poulain", "Sarah Stanley"):
        attendance_by_keyboard(page, member, "Present i")
    save_register(page)
    expect(page.locator("#m4-status")).to_have_value("deputy")
    expect(page.locator("#m4-deputy_name")).to_have_value("Joan Smith, Deputy CFO")
    shots(page, "attendance-on-the-day")
    page.goto(meeting_url)
    expect(agenda_rows.nth(0)).to_contain_text("Quorate")
    expect(agenda_rows.nth(1)).to_contain_text("Not quorate")
    expect(agenda_rows.nth(1)).to_contain_text("CPCO or CMD")

    # Item 2 cannot be decided; item 1 goes to a vote that ties, settled by the chair.
    agenda_rows.nth(1).get_by_role("link", name=re.compile("Luton GP practice merger")).click()
    expect(page.locator(".nhsuk-warning-callout")).to_contain_text("cannot be decided while it is inquorate")
    expect(page.locator("main")).to_contain_text("Nicky Poulain")
    shots(page, "item-2-inquorate")

    page.goto(meeting_url)
    agenda_rows.nth(0).get_by_role("link", name=re.compile("Primary care estates plan")).click()
    expect(page.locator("h1 + p")).to_have_text(re.compile(r"^\s*Change the item · Record a declaration\s*$"))
    ballots = page.locator("select[id^='ballot-']")
    count = ballots.count()
    assert count >= 2, f"only {count} voters"
    half = count // 2
    for index in range(count):
        choice = "For" if index < half else "Against"
        if count % 2 and index == count - 1:
            choice = "Abstain"
        ballots.nth(index).select_option(label=choice)
    page.get_by_label("Motion").fill("That the committee approves the estates plan 2025/26.")
    page.get_by_label("Casting vote of the chair").select_option(label="For")
    shots(page, "vote-tied-before-save")
    page.get_by_role("button", name="Record the vote").click()
    decision = page.locator("h2#decision ~ p").nth(1)
    expect(page.locator("h2#decision + p")).to_contain_text("Motion: That the committee approves")
    expect(decision).to_contain_text("Result of the vote")
    expect(decision).to_contain_text(re.compile(r"Tied (\d+)-\1; carried on the casting vote of Bob Board"))
    page.get_by_text("Who was eligible and how they voted").click()
    shots(page, "vote-recorded")
    assert page.console_errors == []

