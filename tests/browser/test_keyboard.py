"""Keyboard only: the skip link comes first, focus is always visible, a score update needs no mouse."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD
from .keyboard import focused, named, starting, tab_to

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
    # Signed in: the sign-in page (which has an h1 too) has gone.
    expect(page).not_to_have_url(re.compile(r"/auth/login"))

    tab_to(page, named("My risks"))
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^My risks"))
    tab_to(page, named("Record a review of BAF0005"))
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Review BAF0005"))

    # The likelihood is a group of radios: Tab reaches the chosen one, arrows change it.
    tab_to(page, lambda el: el["id"].startswith("likelihood"))
    for _ in range(5):
        if focused(page)["label"] == "3 Possible":
            break
        page.keyboard.press("ArrowUp")
    assert focused(page)["label"] == "3 Possible", focused(page)
    # Saved without a rationale: refused; the error summary takes focus, its link leads on.
    tab_to(page, named("Save review"))
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Error: Review BAF0005"))
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    expect(page.get_by_role("group", name="Likelihood").get_by_label("3 Possible")).to_be_checked()
    tab_to(page, starting("Enter the rationale"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Rationale")).to_be_focused()
    shots(page, "keyboard-error-link-followed")

    page.keyboard.type("Reviewed at the executive meeting. Likelihood down to 3 after the winter plan.")
    tab_to(page, named("Save review"))
    shots(page, "keyboard-focus-on-save")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^BAF0005"))
    newest = page.locator("table").filter(has_text="Rationale").locator("tbody tr").first
    expect(newest).to_contain_text(
        "Reviewed at the executive meeting. Likelihood down to 3 after the winter plan.")
    expect(newest).to_contain_text("(4:3=12)")
    shots(page, "keyboard-review-saved")
