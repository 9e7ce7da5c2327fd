"""Words shown to people: counts with the right singular or plural.

Plain Python, no Flask: templates get `plural` as a global, and the emails and
PDFs call the same functions, so "1 risk" and "2 risks" read the same everywhere.
English needs only two forms; both are given where the plural is not just "+s" (person, people).
"""
from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None, *,
           number: bool = True) -> str:
    """Return "1 risk", "3 risks", "1,087 days"; with number=False only the word ("matches")."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}" if number else word

