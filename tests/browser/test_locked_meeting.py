"""A locked meeting's pages in Chromium (issue 14): on a demo whose held meeting's minutes are
approved, the meeting, an item, the register and the committee page say once why nothing can be
changed, offer no changing controls, fit 320 px and have no serious axe violations."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .axe import BLOCKING, describe, run_axe
from .conftest import serving, settle, sign_in

#: The demo's held meeting (id 1, PCCAC, committee 4) and its first item.
PAGES = ["/meetings/1", "/meetings/1/items/1", "/meetings/1/attendance", "/committees/4"]


@pytest.fixture(scope="module")
def locked_server(tmp_path_factory):
    """A server of its own: the shared one's journeys change meeting 1."""
    yield from serving(tmp_path_factory.mktemp("locked") / "riskapp.sqlite", "--locked",
                       log_name="server-locked.log")


@pytest.mark.parametrize("email, manager", [("secretariat@example.org", True),
                                            ("board.member@example.org", False)])
@pytest.mark.parametrize("width", [320, 1280])
def test_a_locked_meetings_pages_say_why_and_pass_axe(browser, locked_server, shots, email,
                                                       manager, width):
    context = browser.new_context(base_url=locked_server,
                                  viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, email)
        blocking = []
        for url in PAGES:
            assert page.goto(url).status == 200, url
            settle(page)
            if url != "/committees/4":
                notice = page.locator("#locked")
                expect(notice).to_have_count(1)
                expect(notice).to_contain_text("so the meeting's record is locked")
                expect(notice.get_by_role(
                    "link", name="record a correction")).to_have_count(1 if manager else 0)
            else:
                expect(page.locator("main")).to_contain_text("minutes approved")
            expect(page.get_by_role("link", name="Add an agenda item")).to_have_count(0)
            expect(page.get_by_role("link", name="Change the item")).to_have_count(0)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, url
            shots(page, f"{url.strip('/').replace('/', '-')}-{width}")
            serious = [v for v in run_axe(page) if v["impact"] in BLOCKING]
            if serious:
                blocking.append(describe(url, serious))
        assert not blocking, "serious or critical axe violations:\n" + "\n".join(blocking)
    finally:
        context.close()
