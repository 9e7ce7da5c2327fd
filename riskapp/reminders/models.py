"""The reminder outbox: one row per (kind, item, recipient, period), and each send attempt."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User, utcnow
from ..extensions import db

QUEUED, SENDING, SENT, FAILED, WITHDRAWN = "queued", "sending", "sent", "failed", "withdrawn"
STATUSES = (QUEUED, SENDING, SENT, FAILED, WITHDRAWN)


class Reminder(db.Model):
    """A reminder owed to someone: queued by the daily run, sent (in a digest) by the sender."""
    __tablename__ = "reminders"
    __table_args__ = (
        # The outbox key: however many runs or processes queue it, one row, so one message.
        UniqueConstraint("kind", "item_id", "recipient_id", "period",
                         name="uq_reminders_kind_item_recipient_period"),
        Index("ix_reminders_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_reminders_recipient_sent", "recipient_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A name from `rules.reminders.KINDS`.
    kind: Mapped[str] = mapped_column(String(40))
    #: The id of the chased object in the kind's own table (action, risk, meeting...).
    item_id: Mapped[int]
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The chase period: 2023-W48 for weekly chasing; the deadline date for one-off reminders.
    period: Mapped[str] = mapped_column(String(20))
    #: The run day it was queued for; a still-due check before sending uses this day.
    as_of: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date | None]
    escalated: Mapped[bool] = mapped_column(default=False)
    #: Absolute link built from BASE_URL when queued (never from a request's Host).
    link: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(12), default=QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    #: Not before this time: the retry backoff after a failed attempt.
    next_attempt_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    #: Set by the sender that claimed the row; only it may send or release it.
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    #: The Message-ID of the digest it went out in.
    message_id: Mapped[str | None] = mapped_column(String(200))
    withdrawn_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    recipient: Mapped[User] = relationship()
    #: The stored attempts: every failed one. A successful send is recorded on the row itself
    #: (`sent_at`, `message_id`) and has no row here (rows sent before 23 Nov 2026 have one).
    attempt_log: Mapped[list["ReminderAttempt"]] = relationship(
        back_populates="reminder", order_by="ReminderAttempt.id")

    @property
    def attempt_history(self) -> list["ReminderAttempt"]:
        """Every try at sending this reminder, oldest first, the one that sent it included.

        A reminder is sent once, so the row holds its successful attempt; writing it again as
        an attempt row cost a row write per reminder, 23,000 on a large run (issue 9).
        """
        history = list(self.attempt_log)
        if self.status == SENT and not any(a.ok for a in history):
            # Transient, never added to the session: the history as it reads, not a new row.
            history.append(ReminderAttempt(at=self.sent_at, ok=True, error=None,
                                           message_id=self.message_id))
        return history


class ReminderAttempt(db.Model):
    """One try at sending a reminder, and its outcome."""
    __tablename__ = "reminder_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id"), index=True)
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    ok: Mapped[bool]
    error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200))

    reminder: Mapped[Reminder] = relationship(back_populates="attempt_log")
