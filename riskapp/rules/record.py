"""The board's record: when a meeting's record is locked, and which dates a review may be held on.

Framework-free (no Flask, no SQLAlchemy) so every caller asks the same question the same way:
the meetings pages and API, the corrections service and the tests.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: What approving the minutes locks (DESIGN.md, "The record"). Action-log progress is not here:
#: it stays open to update after the meeting.
LOCKED_PARTS = ("attendance and deputies", "arrivals and departures", "declarations",
                "agenda items", "decisions", "votes", "the minutes", "actions as raised")


def is_record_locked(minutes_status: str | None) -> bool:
    """A meeting's record is locked once its minutes are approved; it never unlocks."""
    return minutes_status == "approved"


def locked_message(approved_on: date | None, approved_at: str | None = None) -> str:
    """The refusal a user sees when they try to change a locked meeting's record."""
    when = f" on {approved_on.day} {approved_on:%b %Y}" if approved_on else ""
    where = f" at the meeting of {approved_at}" if approved_at else ""
    return (f"This meeting's record is locked: its minutes approved{when}{where} are final. "
            "Record a correction instead, with the reason and the later meeting that approved "
            "it.")


@dataclass(frozen=True)
class ReviewDateProblem:
    message: str
    #: True when the user can go ahead by confirming that they are correcting history.
    needs_confirmation: bool = False


def review_date_problem(held_on: date | None, *, today: date, opened_on: date | None,
                        latest_held_on: date | None,
                        correcting: bool = False) -> ReviewDateProblem | None:
    """Why a review cannot be recorded as held on `held_on`, or None when it can.

    Not in the future, not before the risk was opened; not before the latest review already
    recorded unless the user confirms they are correcting history (it then shows as a
    correction).
    """
    if held_on is None:
        return ReviewDateProblem("Enter the date the review was held")
    if held_on > today:
        return ReviewDateProblem("The date the review was held must be today or in the past")
    if opened_on is not None and held_on < opened_on:
        return ReviewDateProblem("The date the review was held must be on or after the date the "
                                 f"risk was opened ({opened_on.day} {opened_on:%b %Y})")
    if latest_held_on is not None and held_on < latest_held_on and not correcting:
        return ReviewDateProblem(
            "A later review is already recorded (held on "
            f"{latest_held_on.day} {latest_held_on:%b %Y}). Confirm that you are correcting the "
            "history to record a review held before it", needs_confirmation=True)
    return None


def is_history_correction(held_on: date, latest_held_on: date | None) -> bool:
    """A review held before the latest one already recorded corrects the history."""
    return latest_held_on is not None and held_on < latest_held_on


def history_corrections(reviews_as_recorded) -> set:
    """The keys of the reviews that corrected the history, from (key, held_on) pairs in the
    order they were recorded: each one held before a review recorded earlier."""
    corrections, latest = set(), None
    for key, held_on in reviews_as_recorded:
        if is_history_correction(held_on, latest):
            corrections.add(key)
        latest = held_on if latest is None else max(latest, held_on)
    return corrections


def as_at_problem(as_of: date | None, *, today: date, first_held: date | None) -> str | None:
    """Why a report cannot be drawn as at the end of `as_of`, or None when it can (None: today).

    Not in the future, and not before the first day the register was held: there is nothing to
    show then, and an empty report would look like a register with no risks."""
    if as_of is None:
        return None
    if as_of > today:
        return "The date must be today or in the past"
    if as_of == today:
        return None
    if first_held is None:
        return "There is no register on record yet"
    if as_of < first_held:
        return (f"The record starts on {first_held.day} {first_held:%b %Y}. Enter that date "
                "or a later one")
    return None
