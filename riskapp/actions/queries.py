"""Statements for "my actions": the two worklists, their order and their counts."""
from __future__ import annotations

import functools
from datetime import date
from types import SimpleNamespace

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import BindParameter, Date, and_, bindparam, case, func, or_, select, true

from ..auth.models import User
from ..extensions import db
from ..risks.models import Action, Risk
from ..rules.actions import CLOSED_STATUSES

_OPEN = Action.status.not_in(sorted(CLOSED_STATUSES))


def overdue(today: date | BindParameter):
    """SQL for rules.actions.is_overdue: dated before today and not Complete or Cancelled."""
    return and_(Action.target_date.is_not(None), Action.target_date < today, _OPEN)


def worklist_order(today: date | BindParameter) -> tuple:
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


def open_worklist_order(today: date | BindParameter) -> tuple:
    """worklist_order for lists of open actions only, as both "my actions" sections are.

    Among open actions "overdue" is just "dated before today" (an undated one compares as
    NULL, so not), and one CASE puts overdue, dated and undated in turn: the status tests of
    worklist_order, repeated per sort key and for every open action on the person's risks
    before the page is cut, were a fifth of that statement on PostgreSQL (issue 9).
    """
    return (case((Action.target_date < today, 0), (Action.target_date.is_(None), 2), else_=1),
            Action.target_date, Action.id)


@functools.cache
def _statements() -> SimpleNamespace:
    """The page's statements, built once with the person and the day as parameters.

    Issue 9: building them per request, then making Action objects with every column of their
    risk and assignee for 50 rows, was half the page; a page's rows are the seven values it
    shows. Every action here is open, so "overdue" is "dated before today" (see
    open_worklist_order), in the rows and in the counts alike.
    """
    user, today = bindparam("user_id"), bindparam("today", type_=Date)
    late_if_open = Action.target_date < today
    mine = (Action.assignee_id == user, _OPEN)
    # `!=` alone drops unassigned actions (NULL), which still belong on the owner's list.
    on_my_risks = (or_(Risk.owner_id == user, Risk.lead_id == user),
                   or_(Action.assignee_id.is_(None), Action.assignee_id != user), _OPEN)

    def rows(*where):
        return (select(Action.id, Action.detail, Action.target_date, Action.target_date_changes,
                       Action.status, late_if_open.label("is_overdue"),
                       Risk.reference.label("risk_reference"),
                       User.name.label("assignee_name"))
                .join(Action.risk).outerjoin(Action.assignee).where(*where)
                .order_by(*open_worklist_order(today))
                .limit(bindparam("limit")).offset(bindparam("offset")))

    late = func.count(case((late_if_open, 1)))
    # Two one-row aggregates side by side, not one aggregate over "assigned OR owner OR lead":
    # an OR across two tables scanned all 5,000 risks (10 ms); apart, each uses its indexes.
    assigned = select(func.count().label("n"), late.label("late")).where(*mine).subquery()
    others = (select(func.count().label("n"), late.label("late")).select_from(Action)
              .join(Action.risk).where(*on_my_risks).subquery())
    return SimpleNamespace(
        assigned=rows(*mine), others=rows(*on_my_risks),
        counts=select(assigned.c.n, assigned.c.late, others.c.n, others.c.late)
        .select_from(assigned).join(others, true()))


def worklist_counts(user_id: int, today: date) -> dict[str, int]:
    """Open and overdue totals of both sections, in one statement whatever the numbers."""
    row = db.session.execute(_statements().counts, {"user_id": user_id, "today": today}).one()
    return dict(zip(("assigned", "assigned_overdue", "others", "others_overdue"), row))


class WorklistPage(Pagination):
    """A page of one section, in worklist order, as plain rows: id, detail, target_date,
    target_date_changes, status, is_overdue, risk_reference, assignee_name.

    The total is given, from worklist_counts, so a page costs one statement.
    """

    def _query_items(self) -> list:
        args = self._query_args
        return db.session.execute(getattr(_statements(), args["section"]), {
            "user_id": args["user_id"], "today": args["today"], "limit": self.per_page,
            "offset": self._query_offset}).all()

    def _query_count(self) -> int:
        return self._query_args["total"]


def worklist_page(section: str, user_id: int, today: date, *, page: int, per_page: int,
                  total: int) -> WorklistPage:
    """Page `page` of "assigned" (open actions assigned to the person) or "others" (open
    actions on risks they own or lead, assigned to someone else or no one)."""
    return WorklistPage(page=page, per_page=per_page, max_per_page=None, error_out=False,
                        section=section, user_id=user_id, today=today, total=total)
