"""Audit trail rows: append-only, never edited through the app."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_object", "object_type", "object_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The table of the changed object ("risks", "actions", ...).
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[int]
    #: The risk the change belongs to, so the risk page can show its whole trail in one query.
    risk_id: Mapped[int | None] = mapped_column(index=True)
    operation: Mapped[str] = mapped_column(String(10))  # create / update
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)

    # By name, not by import: importing riskapp.auth here would import its views (and their
    # services, which write audit rows) before this module has finished loading.
    user: Mapped["User | None"] = relationship("User")  # noqa: F821


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_changes(mapper, connection, target):
    raise RuntimeError("Audit entries cannot be changed or removed")


class TrailHandover(db.Model):
    """When the version store became the only writer of the trail of one kind of record (a
    table): its audit entries made before `versions_from` are history the version store does
    not hold (it began with each record as it then stood), so trails read them beside the
    versions. Written by the migrations that stopped the old writer, a row per table; none in
    a database that never had the old writer."""
    __tablename__ = "audit_trail_handover"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The table, as audit entries name it ("risks", "meetings", ...).
    object_type: Mapped[str] = mapped_column(String(50), unique=True)
    versions_from: Mapped[datetime] = mapped_column(db.DateTime(timezone=True))
