"""Write audit rows for every insert and update of a model that declares `__audit__`.

One hook on the session, so no view or service can forget it: a model lists the columns to
audit in `__audit__`. Only records the version store does not keep use it (member terms, and
users and sign-ins through their services): the risk family's, committees' and meetings' trails
are their versions (riskapp.record), and a model never has both `__versioned__` and `__audit__`
(a test checks).
"""
from __future__ import annotations

import logging
from contextvars import ContextVar
from datetime import date, datetime

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from .models import AuditEntry, utcnow

logger = logging.getLogger(__name__)

#: Who is making changes outside a request (CLI commands, scheduled jobs).
_actor_id: ContextVar[int | None] = ContextVar("audit_actor_id", default=None)


def set_actor(user_id: int | None):
    """Make `user_id` the author of audit rows written in this context; returns a reset token."""
    return _actor_id.set(user_id)


def reset_actor(token) -> None:
    _actor_id.reset(token)


def current_actor_id() -> int | None:
    try:
        from flask import has_request_context
        from flask_login import current_user
        if has_request_context() and current_user and current_user.is_authenticated:
            return current_user.id
    except ImportError:  # pragma: no cover
        pass
    return _actor_id.get()


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return str(value.value)
    return str(value)


def _rows_for(obj, operation: str, user_id, now) -> list[dict]:
    state = inspect(obj)
    rows = []
    for field in obj.__audit__:
        history = state.attrs[field].history
        if operation == "update" and not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = getattr(obj, field)
        if operation == "create" and new is None:
            continue
        if operation == "update" and _text(old) == _text(new):
            continue
        rows.append(dict(at=now, user_id=user_id, object_type=obj.__tablename__,
                         object_id=obj.id, operation=operation,
                         field=field, old_value=_text(old), new_value=_text(new)))
    return rows


@event.listens_for(Session, "after_flush")
def _write_audit_rows(session: Session, flush_context) -> None:
    # After the flush new objects have ids, and attribute history still holds the old values.
    user_id, now, rows = current_actor_id(), utcnow(), []
    for obj in session.new:
        if hasattr(obj, "__audit__"):
            rows += _rows_for(obj, "create", user_id, now)
    for obj in session.dirty:
        if hasattr(obj, "__audit__") and session.is_modified(obj, include_collections=False):
            rows += _rows_for(obj, "update", user_id, now)
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)
