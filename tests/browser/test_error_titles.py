"""Refused forms across the app: 'Error:' title, focused error summary whose links reach the fields."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from .conftest import sign_in

#: (who signs in, form page); each form is sent empty (or, where it has defaults, as noted).
FORMS = [
    (None, "/auth/login"),
    ("anne.brierley@example.org", "/risks/BAF0001/review"),
    ("anne.brierley@example.org", "/actions/11/progress"),
    ("risk.manager@example.org", "/risks/new"),
    ("risk.manager@example.org", "/risks/BAF0001/controls/new"),
    ("risk.manager@example.org", "/risks/BAF0001/assurances/new"),
    ("risk.manager@example.org", "/risks/BAF0001/gaps/new"),
    ("risk.manager@example.org", "/actions/new/BAF0001"),
    ("risk.manager@example.org", "/reports/import"),
    ("secretariat@example.org", "/meetings/new?committee_id=4"),
    ("secretariat@example.org", "/meetings/2/items/new"),
    ("secretariat@example.org", "/meetings/2/declarations/new"),
    ("secretariat@example.org", "/meetings/2/actions/new"),
    ("secretariat@example.org", "/committees/4/members/new"),
    ("admin@example.org", "/admin/users/new"),
]

#: Where following a summary link puts focus (the field, or for a date the first of its boxes).
TARGET_FOCUSED = """id => {
  const target = document.getElementById(id);
  const active = document.activeElement;
  return !!target && (active === target || target.contains(active));
}"""


def empty_the_form(page) -> None:
    """Clear what the page put in its text fields, so the submission is refused."""
    for field in page.locator("main form[method=post] :is(input[type=text], input:not([type]), "
                              "input[type=email], textarea)").all():
        if field.is_visible() and field.is_editable():
            field.fill("")


@pytest.mark.parametrize(("email", "url"), FORMS, ids=[url for _, url in FORMS])
def test_refused_form_title_summary_and_links(email, url, page, shots):
    if email:
        sign_in(page, email)
    response = page.goto(url)
    assert response.status == 200
    title = page.title()
    assert not title.startswith("Error:"), title
    where = title.split(" – ")[0]
    assert where and where != "riskapp", f"the title {title!r} does not say where you are"

    empty_the_form(page)
    form = page.locator("main form[method=post]").filter(has=page.locator("button[type=submit]")).last
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").last.click()
    assert navigation.value.status == 422, f"{url}: answered {navigation.value.status}"
    expect(page).to_have_title(re.compile(rf"^Error: {re.escape(where)}"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    links = summary.locator("a[href^='#']")
    assert links.count() >= 1, f"{url}: the error summary has no links to the fields"
    shots(page, url)
    for index in range(links.count()):
        link = links.nth(index)
        target = link.get_attribute("href")[1:]
        assert page.locator(f"[id='{target}']").count() == 1, f"{url}: {target!r} is not on the page"
        link.click()
        try:  # focus moves in the summary's click handler: wait for it, not for a time
            page.wait_for_function(TARGET_FOCUSED, arg=target)
        except PlaywrightTimeoutError:
            raise AssertionError(f"{url}: following {target!r} did not focus it") from None
        message = page.locator(f"[id='{target}'] ~ .nhsuk-error-message, "
                               f".nhsuk-form-group--error:has([id='{target}']) .nhsuk-error-message")
        expect(message.first).to_be_visible()
