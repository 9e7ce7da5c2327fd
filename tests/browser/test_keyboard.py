"""Keyboard only: the skip link comes first, focus is always visible, a score update needs no mouse."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD
from .keyboard import focused, named, replace_value, starting, tab_to

OWNER = "anne.brierley@example.org"


def test_skip_link_is_first_and_moves_focus_to_main(page):
    page.goto("/auth/login")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["text"] == "Skip to main content" and first["visible"], first
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#maincontent$"))
    stop = tab_to(page, lambda el: True)
    assert stop["inMain"], f"after the skip link, Tab went to {stop}, outside <main>"


def test_score_update_by_keyboard_alone(page, shots):
    page.goto("/auth/login")
    tab_to(page, named("Email address"))
    page.keyboard.type(OWNER)
    tab_to(page, named("Password"))
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    tab_to(page, named("My risks"))
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^My risks"))
    tab_to(page, named("Record a review of BAF0005"))
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Review BAF0005"))

    # A refused value first: the error summary takes focus and its link leads to the field.
    tab_to(page, named("Likelihood"))
    replace_value(page, "0")
    tab_to(page, named("Rationale"))
    page.keyboard.type("Reviewed at the executive meeting.")
    tab_to(page, named("Save review"))
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Error: Review BAF0005"))
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    tab_to(page, starting("Likelihood must be"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Likelihood")).to_be_focused()
    shots(page, "keyboard-error-link-followed")

    replace_value(page, "3")
    tab_to(page, named("Rationale"))
    page.keyboard.press("Control+End")
    page.keyboard.type(" Likelihood down to 3 after the winter plan.")
    tab_to(page, named("Save review"))
    shots(page, "keyboard-focus-on-save")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^BAF0005"))
    newest = page.locator("table").filter(has_text="Rationale").locator("tbody tr").first
    expect(newest).to_contain_text(
        "Reviewed at the executive meeting. Likelihood down to 3 after the winter plan.")
    expect(newest).to_contain_text("(4:3=12)")
    shots(page, "keyboard-review-saved")
