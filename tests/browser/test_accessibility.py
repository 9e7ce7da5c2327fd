"""axe-core over every main page, signed in as each role: no serious or critical violations.

Every violation found (of any impact) is printed, so `pytest -s tests/browser` lists them all.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .axe import BLOCKING, describe, run_axe
from .conftest import sign_in

RISK_PAGES = ["/", "/risks/mine", "/actions/mine", "/risks/", "/risks/movement", "/risks/BAF0001",
              "/risks/BAF0008", "/risks/BAF0001/trail"]
COMMITTEE_PAGES = ["/committees/", "/committees/4", "/committees/4/terms/2", "/committees/calendar",
                   "/committees/4/attendance", "/meetings/", "/meetings/1", "/meetings/2",
                   "/meetings/1/items/1", "/meetings/interests", "/committees/4/trail",
                   "/meetings/1/trail"]
REPORT_PAGES = ["/reports/", "/reports/heatmap", "/reports/pack", "/reminders/", "/auth/tokens",
                "/assurance/map", "/assurance/map?line=2&state=missing",
                "/reports/cover?register=1&since-day=31&since-month=5&since-year=2023"
                "&as_of-day=30&as_of-month=6&as_of-year=2023",
                # As at a day before riskapp held the demo: read by its business dates.
                "/risks/?as_of=2023-05-31", "/risks/BAF0006?as_of=2023-05-31",
                "/reports/heatmap?as_of=2023-05-31"]

#: Each role's main pages (all must answer 200 for that role).
PAGES = {
    "staff": ("anne.brierley@example.org",
              RISK_PAGES + ["/risks/BAF0001/review", "/actions/12/progress"]
              + ["/committees/", "/meetings/", "/reports/", "/reports/heatmap", "/reminders/"]),
    "board": ("board.member@example.org", RISK_PAGES + COMMITTEE_PAGES + REPORT_PAGES),
    "secretariat": ("secretariat@example.org",
                    RISK_PAGES + COMMITTEE_PAGES + REPORT_PAGES
                    + ["/meetings/new?committee_id=4", "/meetings/2/edit", "/meetings/2/attendance",
                       "/meetings/2/items/new", "/meetings/2/declarations/new",
                       "/committees/4/members/new", "/committees/4/terms/2/edit",
                       "/committees/new", "/committees/4/edit", "/committees/4/dissolve",
                       "/committees/4/members/1/change", "/committees/4/members/1/renew",
                       # issue 17: the meeting cycle
                       "/meetings/upcoming", "/meetings/schedule", "/meetings/decisions?committee_id=4",
                       "/meetings/chairs-actions/new?committee_id=4", "/meetings/2/publish",
                       "/meetings/2/officers/new", "/meetings/1/report"]),
    "risk_manager": ("risk.manager@example.org",
                     RISK_PAGES + REPORT_PAGES
                     + ["/risks/new", "/risks/BAF0001/edit", "/risks/BAF0001/review",
                        "/risks/BAF0001/controls/new", "/risks/BAF0001/assurances/new",
                        "/risks/BAF0001/gaps/new", "/actions/new/BAF0001", "/reports/import",
                        "/settings/", "/risks/BAF0001/move", "/assurance/rules/new",
                        "/assurance/rules/1"]),
    "admin": ("admin@example.org", ["/", "/admin/users", "/admin/users/new", "/reminders/outbox",
                                    "/auth/password", "/auth/account", "/auth/api", "/setup",
                                    "/settings/", "/settings/organisation",
                                    "/admin/users/invite", "/settings/registers/1"]),
}


def sweep(page, urls: list[str]) -> tuple[list[str], list[str]]:
    """Visit each URL and run axe; return (blocking violation reports, all reports)."""
    blocking, everything = [], []
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, f"{url} answered {response.status}"
        violations = run_axe(page)
        if violations:
            everything.append(describe(url, violations))
        serious = [v for v in violations if v["impact"] in BLOCKING]
        if serious:
            blocking.append(describe(url, serious))
    return blocking, everything


@pytest.mark.parametrize("role", list(PAGES))
def test_main_pages_have_no_serious_axe_violations(role, page):
    email, urls = PAGES[role]
    sign_in(page, email)
    blocking, everything = sweep(page, urls)
    print(f"\naxe, signed in as {role} ({len(urls)} pages):")
    print("\n".join(everything) or "  no violations")
    assert not blocking, "serious or critical axe violations:\n" + "\n".join(blocking)


def test_signed_out_and_refused_forms_have_no_serious_axe_violations(page):
    blocking, everything = sweep(page, ["/auth/login", "/auth/forgot-password"])
    page.goto("/auth/login")  # the sweep ends on the last page it looked at
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong")
    with page.expect_navigation():  # the refused sign-in's page, not the one before it
        page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile("^Error: "))
    for report in (run_axe(page),):
        if report:
            everything.append(describe("/auth/login (refused)", report))
            blocking += [describe("/auth/login (refused)", [v]) for v in report if v["impact"] in BLOCKING]

    sign_in(page, "anne.brierley@example.org")
    page.goto("/risks/BAF0001/review")
    page.get_by_role("group", name="Likelihood").get_by_label("5 Almost certain").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save review").click()  # no rationale: refused
    expect(page).to_have_title(re.compile("^Error: "))
    report = run_axe(page)
    if report:
        everything.append(describe("/risks/BAF0001/review (refused)", report))
        blocking += [describe("/risks/BAF0001/review (refused)", [v])
                     for v in report if v["impact"] in BLOCKING]
    print("\n".join(everything) or "no violations")
    assert not blocking, "serious or critical axe violations:\n" + "\n".join(blocking)
