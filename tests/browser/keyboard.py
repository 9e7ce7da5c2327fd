"""Keyboard-only helpers: move focus with Tab alone and check that focus can be seen."""
from __future__ import annotations

#: Describes the focused element: tag, accessible-ish name, and whether its focus is visible
#: (NHS.UK frontend draws a yellow outline or box shadow on focus; both count).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
  return {tag: el.tagName.toLowerCase(), id: el.id, type: el.type || '',
          text: (el.innerText || el.value || '').trim().replace(/\\s+/g, ' '),
          label: label.trim(), aria: el.getAttribute('aria-label') || '',
          visible: outline || shadow, inMain: !!el.closest('main')};
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def tab_to(page, matches, limit: int = 80, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until `matches(focused)` is true; every stop must show focus."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if now is None:
            continue
        assert now["visible"], f"focus is not visible on {now}"
        if matches(now):
            return now
    raise AssertionError(f"Tab never reached the element wanted (last: {focused(page)})")


def named(text: str):
    """Match a focused element by its text, label, id or aria-label (exact, case-insensitive)."""
    text = text.lower()
    return lambda el: text in (el["text"].lower(), el["label"].lower(), el["id"].lower(),
                               el["aria"].lower())


def starting(text: str):
    text = text.lower()
    return lambda el: el["text"].lower().startswith(text) or el["label"].lower().startswith(text)


def replace_value(page, value: str) -> None:
    """Select what the focused field holds and type over it, as a keyboard user does."""
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
