"""Who sees private business: Part 2 items, their papers and minutes, and all draft minutes.

DESIGN.md "Who sees private business": the committee's members and officers in attendance,
the secretariat, administrators, and the members of the parent Board for its committees.
Everyone else is told nothing exists (404), so the rule answers one question per reader.
"""
from __future__ import annotations

from dataclasses import dataclass

#: Roles that run or administer every committee's business.
CLERK_ROLES = frozenset({"secretariat", "admin"})


@dataclass(frozen=True)
class Reader:
    """What is known about one signed-in person for one meeting."""

    role: str                            #: the user's role value, e.g. "staff"
    member: bool = False                 #: a member of the committee on the meeting's day
    officer: bool = False                #: named as an officer in attendance at the meeting
    parent_member: bool = False          #: a member of the committee it reports to


def sees_private_business(reader: Reader) -> bool:
    """Return whether the reader may see the meeting's private items and draft minutes."""
    return reader.role in CLERK_ROLES or reader.member or reader.officer or reader.parent_member


def sees_item(reader: Reader, item_private: bool) -> bool:
    """A public item is for everyone signed in; a private one only for those above."""
    return not item_private or sees_private_business(reader)


def sees_minutes(reader: Reader, minutes_approved: bool) -> bool:
    """Approved minutes (of public items) are for everyone; drafts only for those above."""
    return minutes_approved or sees_private_business(reader)
