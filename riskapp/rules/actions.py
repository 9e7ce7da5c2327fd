"""Risk actions: when one is overdue, and the order people want to see them in."""
from __future__ import annotations

from datetime import date

STATUSES = ("Not Started", "In Progress", "Complete", "Cancelled")
CLOSED_STATUSES = frozenset({"Complete", "Cancelled"})


def is_overdue(target_date: date | None, status: str, today: date) -> bool:
    """Overdue: the target date is before today and the action is not Complete or Cancelled."""
    return target_date is not None and target_date < today and status not in CLOSED_STATUSES


def days_overdue(target_date: date | None, status: str, today: date) -> int:
    """Return how many days past its target date an open action is (0 when not overdue)."""
    if not is_overdue(target_date, status, today):
        return 0
    return (today - target_date).days


def worklist_key(target_date: date | None, status: str, today: date) -> tuple:
    """Sort key for "my actions": overdue first, then soonest due, undated and closed last."""
    closed = status in CLOSED_STATUSES
    return (closed, not is_overdue(target_date, status, today), target_date or date.max)
