"""Statements for "my actions": the two worklists, their order and their counts."""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.orm import contains_eager, joinedload

from ..extensions import db
from ..risks.models import Action, Risk
from ..rules.actions import CLOSED_STATUSES

_OPEN = Action.status.not_in(sorted(CLOSED_STATUSES))


def overdue(today: date):
    """SQL for rules.actions.is_overdue: dated before today and not Complete or Cancelled."""
    return and_(Action.target_date.is_not(None), Action.target_date < today, _OPEN)


def worklist_order(today: date) -> tuple:
    """SQL for rules.actions.worklist_key, so a page of the worklist is the right slice.

    Closed last, overdue first, then soonest target date with undated last, then id so rows
    never swap between pages. CASE rather than NULLS LAST: it reads the same on SQLite and
    PostgreSQL, which put NULLs at opposite ends by default.
    """
    return (case((_OPEN, 0), else_=1),
            case((overdue(today), 0), else_=1),
            case((Action.target_date.is_(None), 1), else_=0),
            Action.target_date,
            Action.id)


def _not_assigned_to(user_id: int):
    # `!=` alone drops unassigned actions (NULL), which still belong on the owner's list.
    return or_(Action.assignee_id.is_(None), Action.assignee_id != user_id)


def assigned_to(user_id: int, today: date):
    """Open actions assigned to the person, in worklist order."""
    return (select(Action).where(Action.assignee_id == user_id, _OPEN)
            .options(joinedload(Action.risk), joinedload(Action.assignee))
            .order_by(*worklist_order(today)))


def on_risks_of(user_id: int, today: date):
    """Open actions on risks the person owns or leads, not assigned to them, in worklist order."""
    return (select(Action).join(Action.risk)
            .where(or_(Risk.owner_id == user_id, Risk.lead_id == user_id),
                   _not_assigned_to(user_id), _OPEN)
            .options(contains_eager(Action.risk), joinedload(Action.assignee))
            .order_by(*worklist_order(today)))


def worklist_counts(user_id: int, today: date) -> dict[str, int]:
    """Open and overdue totals of both sections, in one statement whatever the numbers."""
    late = func.count(case((overdue(today), 1)))
    # Two one-row aggregates side by side, not one aggregate over "assigned OR owner OR lead":
    # an OR across two tables scanned all 5,000 risks (10 ms); apart, each uses its indexes.
    assigned = (select(func.count().label("n"), late.label("late"))
                .where(Action.assignee_id == user_id, _OPEN).subquery())
    others = (select(func.count().label("n"), late.label("late")).select_from(Action)
              .join(Action.risk)
              .where(or_(Risk.owner_id == user_id, Risk.lead_id == user_id),
                     _not_assigned_to(user_id), _OPEN).subquery())
    row = db.session.execute(select(assigned.c.n, assigned.c.late, others.c.n, others.c.late)
                             .select_from(assigned).join(others, true())).one()
    return dict(zip(("assigned", "assigned_overdue", "others", "others_overdue"), row))
