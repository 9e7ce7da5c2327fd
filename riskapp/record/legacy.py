"""The audit trail written before the version store, read beside it (issue 14).

Until the version store took over, one session hook wrote an audit entry per changed field of
each risk, review, control, gap, assurance, action and progress note. The store began with each
record as it stood then (riskapp.record.baseline), so the entries made before it are the only
history of those earlier changes: they stay readable. `audit_trail_handover` says, per table,
where one ends and the other begins (set by the migrations that stopped the old writer;
entries after it duplicate versions and are left out).
"""
from __future__ import annotations

import ast
from datetime import date, datetime, timezone

from sqlalchemy import and_, or_, select

from ..audit.models import AuditEntry, TrailHandover
from ..extensions import db

def entries(*, risk_ids=None, object_type: str | None = None, object_ids=None,
            field: str | None = None) -> list[tuple]:
    """(audit entry, handover of its table as naive UTC) for each entry of a versioned record
    made before its table's handover, oldest first: one statement, nothing when there was no
    old writer."""
    stmt = (select(AuditEntry, TrailHandover.versions_from)
            .join(TrailHandover, (TrailHandover.object_type == AuditEntry.object_type)
                  & (AuditEntry.at < TrailHandover.versions_from))
            .order_by(AuditEntry.at, AuditEntry.id))
    if risk_ids is not None:
        stmt = stmt.where(AuditEntry.risk_id.in_(list(risk_ids)))
    if object_type is not None:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_ids is not None:
        stmt = stmt.where(AuditEntry.object_id.in_(list(object_ids)))
    if field is not None:
        stmt = stmt.where(AuditEntry.field == field)
    return [(entry, naive_utc(until)) for entry, until in db.session.execute(stmt)]


def entries_of(ids_by_table: dict[str, set]) -> list[tuple]:
    """As `entries`, for the records of several tables at once (table -> record ids): one
    statement for a meeting and all its parts."""
    wanted = [(table, ids) for table, ids in ids_by_table.items() if ids]
    if not wanted:
        return []
    stmt = (select(AuditEntry, TrailHandover.versions_from)
            .join(TrailHandover, (TrailHandover.object_type == AuditEntry.object_type)
                  & (AuditEntry.at < TrailHandover.versions_from))
            .where(or_(*(and_(AuditEntry.object_type == table,
                              AuditEntry.object_id.in_(sorted(ids)))
                         for table, ids in wanted)))
            .order_by(AuditEntry.at, AuditEntry.id))
    return [(entry, naive_utc(until)) for entry, until in db.session.execute(stmt)]


def naive_utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        return at
    return at.astimezone(timezone.utc).replace(tzinfo=None)


def aware_utc(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def value(table: str, field: str, text: str | None):
    """An audit entry's stored text back as the column's value (dates as dates, ids as
    numbers, yes/no as booleans), so it is shown as the versions are."""
    if text is None:
        return None
    column = db.metadata.tables[table].c.get(field)
    if column is None:
        return text
    try:
        kind = column.type.python_type
    except NotImplementedError:  # pragma: no cover
        return text
    try:
        if kind in (dict, list):  # JSON lists were written as Python's text of the list
            parsed = ast.literal_eval(text)
            return parsed if isinstance(parsed, (list, dict)) else text
        if kind is bool:
            return text in ("True", "true", "1")
        if kind is int:
            return int(text)
        if kind is datetime:
            return datetime.fromisoformat(text)
        if kind is date:
            return date.fromisoformat(text[:10])
    except (ValueError, SyntaxError):
        return text
    return text
