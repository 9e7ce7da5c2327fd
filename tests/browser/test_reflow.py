"""WCAG 1.4.10 reflow at 320 CSS px and 1.4.4 text resized to 200%: the page never scrolls sideways.

Wide tables may scroll inside their own container (`.app-table-scroll`); the page may not.
"""
from __future__ import annotations

import pytest

from .axe import BLOCKING, describe, run_axe
from .conftest import settle, sign_in

PAGES = {
    "anne.brierley@example.org": ["/risks/mine", "/actions/mine", "/risks/BAF0001/review",
                                  "/actions/11/progress"],
    "board.member@example.org": ["/", "/risks/", "/risks/BAF0008", "/risks/movement",
                                 "/committees/", "/committees/4", "/meetings/1", "/meetings/1/items/1",
                                 "/reports/", "/reports/heatmap", "/reports/pack"],
    "secretariat@example.org": ["/meetings/2/attendance", "/meetings/new?committee_id=4",
                                "/meetings/2/declarations/new", "/committees/4/attendance",
                                "/committees/new", "/committees/4/dissolve",
                                "/committees/4/members/1/renew"],
    "risk.manager@example.org": ["/risks/BAF0001/edit", "/reports/import", "/settings/",
                                 "/risks/BAF0001/move"],
    "admin@example.org": ["/auth/api"],
}

#: What makes the page wider than the viewport: every element whose right edge is beyond it and
#: that no scrolling box of its own (e.g. `.app-table-scroll`) clips. The page's own scroller
#: (html and body: NHS.UK frontend sets `html {overflow-y: scroll}`, so html's overflow-x
#: computes to `auto`) does not count as such a box. Listed outermost first, each with the
#: innermost elements that stick out inside it (the input or cell to fix).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const sticksOut = (el) => {
    const r = el.getBoundingClientRect();
    if (r.right <= width + 1 || (r.width === 0 && r.height === 0)) return false;
    for (let p = el.parentElement; p && p !== document.body && p !== document.documentElement;
         p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return false;  // clipped or scrolls there
    }
    return true;
  };
  const name = (el) => {
    let text = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
    if (el.name) text += '[name=' + el.name + ']';
    if (el.type && el.tagName === 'INPUT') text += '[type=' + el.type + ']';
    if (typeof el.className === 'string' && el.className.trim())
      text += '.' + el.className.trim().split(/\\s+/).join('.');
    return text + ' right=' + Math.round(el.getBoundingClientRect().right);
  };
  const out = [...document.querySelectorAll('body *')].filter(sticksOut);
  const inOut = new Set(out);
  const outermost = out.filter((el) => !inOut.has(el.parentElement));
  return outermost.slice(0, 5).map((el) => {
    const innermost = out.filter((d) => d !== el && el.contains(d) &&
                                 ![...d.children].some((c) => inOut.has(c)));
    return name(el) + (innermost.length ?
      ' (inside: ' + innermost.slice(0, 4).map(name).join(', ') + ')' : '');
  });
}"""


SCROLLS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


def page_scrolls_sideways(page) -> bool:
    """True if the page scrolls sideways once it has settled."""
    settle(page)
    return page.evaluate(SCROLLS)


@pytest.mark.parametrize("email", list(PAGES))
def test_pages_reflow_at_320_px(email, new_page, shots):
    page = new_page(width=320, height=640)
    sign_in(page, email)
    problems = []
    for url in PAGES[email]:
        response = page.goto(url)
        assert response.status == 200, f"{url} answered {response.status}"
        if page_scrolls_sideways(page):
            problems.append(f"{url}: the page scrolls sideways at 320 px: {page.evaluate(OVERFLOWING)}")
        serious = [v for v in run_axe(page) if v["impact"] in BLOCKING]
        if serious:  # e.g. a table that now scrolls but cannot be reached by keyboard
            problems.append(describe(f"{url} at 320 px", serious))
        shots(page, f"320px-{url}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("email", ["board.member@example.org", "secretariat@example.org"])
def test_text_resized_to_200_percent(email, new_page, shots):
    """Text at twice the browser's default size (rem-based NHS.UK type) still fits the page."""
    page = new_page(width=1280, height=900)
    sign_in(page, email)
    problems = []
    for url in PAGES[email][:6]:
        page.goto(url)
        before = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        after = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
        if after < before * 1.9:
            problems.append(f"{url}: the heading grew from {before}px to only {after}px")
        if page_scrolls_sideways(page):
            problems.append(f"{url}: the page scrolls sideways at 200% text: {page.evaluate(OVERFLOWING)}")
        shots(page, f"text-200-{url}")
    assert not problems, "\n".join(problems)


def test_zoom_400_percent_is_the_320_px_layout(new_page):
    """Browser zoom at 400% on a 1280 px screen is a 320 CSS px viewport: same check, hi-dpi."""
    page = new_page(width=320, height=256, device_scale_factor=4)
    sign_in(page, "board.member@example.org")
    for url in ["/risks/", "/reports/heatmap"]:
        page.goto(url)
        assert not page_scrolls_sideways(page), (url, page.evaluate(OVERFLOWING))


#: A scrolling box (e.g. `.app-table-scroll`) that is wider inside than it shows: a sideways
#: swipe inside the page, which the page-level check above allows for data tables.
SCROLLS_INSIDE = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.scrollWidth > el.clientWidth + 1).length"""


def test_the_attendance_register_does_not_scroll_sideways_at_320_px(new_page, shots):
    """The register is marked on a phone in the room: at 320 px each member is a card with
    every field under its label, and neither the page nor the register scrolls sideways."""
    page = new_page(width=320, height=640)
    sign_in(page, "secretariat@example.org")
    page.goto("/meetings/2/attendance")
    settle(page)
    shots(page, "320px-register")
    assert not page.evaluate(SCROLLS), page.evaluate(OVERFLOWING)
    assert page.evaluate(SCROLLS_INSIDE, ".app-register-scroll") == 0, \
        "the register scrolls sideways inside its box at 320 px"
    first = page.locator(".app-register tbody tr").first
    assert first.get_by_text("Named deputy", exact=True).is_visible()
    status = first.locator("select").first
    box = status.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    page.set_viewport_size({"width": 1280, "height": 800})
    settle(page)
    shots(page, "1280px-register")
    assert page.locator(".app-register thead").is_visible()
    # The column heading names the field: the label is for screen readers only (1 px).
    assert first.get_by_text("Named deputy", exact=True).bounding_box()["width"] <= 1


def test_the_assurance_map_filters_sit_under_each_other_at_1280_px(new_page, shots):
    """The checkbox after the row of filters once sat beside the row's floated columns,
    squeezed to a letter a line: each filter's label must be readable on one line."""
    page = new_page(width=1280, height=800)
    sign_in(page, "board.member@example.org")
    page.goto("/assurance/map?as_of-day=29&as_of-month=11&as_of-year=2023")
    settle(page)
    shots(page, "1280px-assurance-map-filters")
    label = page.locator("label[for=gaps]")
    box = label.bounding_box()
    height = page.evaluate("(el) => parseFloat(getComputedStyle(el).lineHeight)",
                           label.element_handle())
    assert box["height"] < 2 * height, f"the label wraps: {box}"
    select = page.locator("select#register").bounding_box()
    assert box["y"] >= select["y"] + select["height"], "the checkbox is beside the filters"
