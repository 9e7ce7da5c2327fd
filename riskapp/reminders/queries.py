"""Statements for the reminder pages."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .models import SENT, STATUSES, Reminder


def sent_to(user_id: int):
    """Reminders sent to a person, newest first."""
    return (select(Reminder).where(Reminder.recipient_id == user_id, Reminder.status == SENT)
            .order_by(Reminder.sent_at.desc(), Reminder.id))


def outbox(status: str | None):
    """The outbox, optionally one status, with recipients, newest first."""
    stmt = select(Reminder).options(joinedload(Reminder.recipient))
    if status in STATUSES:
        stmt = stmt.where(Reminder.status == status)
    return stmt.order_by(Reminder.created_at.desc(), Reminder.id.desc())
