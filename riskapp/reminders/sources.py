"""Where each reminder kind's items come from: one column query per kind, no object per row.

`candidates(today, policy)` narrows in SQL to what could be due (the rule decides); `by_ids(ids)`
reloads queued items before sending, so a completed, cancelled or reassigned one is withdrawn.
`link(item)` is the path a reminder points to, joined to BASE_URL by the service.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..extensions import db
from ..risks.models import Action, Risk
from ..rules import reminders as rules
from ..rules.actions import CLOSED_STATUSES

#: SQLite allows 32766 bound parameters; PostgreSQL 65535. Stay well under both.
CHUNK = 1000


@dataclass(frozen=True)
class Source:
    kind: str
    candidates: Callable[[date, rules.Policy], list[Any]]
    by_ids: Callable[[Sequence[int]], list[Any]]
    #: (endpoint, values) of the page a reminder links to.
    link: Callable[[Any], tuple[str, dict]]


SOURCES: dict[str, Source] = {}


def source(kind: str, by_ids, link):
    def register(candidates):
        SOURCES[kind] = Source(kind, candidates, by_ids, link)
        return candidates
    return register


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterable[Sequence[int]]:
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


# --- Risk actions ---------------------------------------------------------------------------

def _risk_action_stmt():
    assignee = aliased(User)
    return (select(Action.id, Risk.reference, Action.detail, Action.assignee_id,
                   assignee.name, Risk.owner_id, Action.target_date, Action.status, Risk.status)
            .join(Risk, Action.risk_id == Risk.id)
            .outerjoin(assignee, Action.assignee_id == assignee.id))


def _risk_action_items(rows) -> list[rules.RiskActionItem]:
    return [rules.RiskActionItem(id=r[0], risk_reference=r[1], detail=r[2], assignee_id=r[3],
                                 assignee_name=r[4] or "", owner_id=r[5], target_date=r[6],
                                 status=r[7], risk_status=r[8]) for r in rows]


def risk_actions_by_ids(ids: Sequence[int]) -> list[rules.RiskActionItem]:
    items = []
    for part in chunks(ids):
        items += _risk_action_items(db.session.execute(
            _risk_action_stmt().where(Action.id.in_(part))))
    return items


@source("risk_action_overdue", risk_actions_by_ids,
        lambda item: ("actions.progress", {"action_id": item.id}))
def overdue_risk_action_candidates(today: date, policy: rules.Policy):
    stmt = (_risk_action_stmt()
            .where(Action.target_date < today, Action.status.not_in(CLOSED_STATUSES),
                   Risk.status == "Open")
            .order_by(Action.id))
    return _risk_action_items(db.session.execute(stmt))


# --- Risk reviews ---------------------------------------------------------------------------

def _risk_review_stmt():
    return select(Risk.id, Risk.reference, Risk.title, Risk.owner_id, Risk.lead_id,
                  Risk.next_review_date, Risk.status)


def _risk_review_items(rows) -> list[rules.RiskReviewItem]:
    return [rules.RiskReviewItem(*r) for r in rows]


def risk_reviews_by_ids(ids: Sequence[int]) -> list[rules.RiskReviewItem]:
    items = []
    for part in chunks(ids):
        items += _risk_review_items(db.session.execute(_risk_review_stmt().where(Risk.id.in_(part))))
    return items


@source("risk_review_due", risk_reviews_by_ids,
        lambda item: ("risks.detail", {"reference": item.reference}))
def risk_review_candidates(today: date, policy: rules.Policy):
    stmt = (_risk_review_stmt()
            .where(Risk.status == "Open", Risk.next_review_date <= today)
            .order_by(Risk.id))
    return _risk_review_items(db.session.execute(stmt))

