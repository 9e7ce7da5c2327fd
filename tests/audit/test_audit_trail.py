"""The audit trail: written by one hook for every audited change, and never editable."""
import pytest
from sqlalchemy import select

from riskapp.audit.models import AuditEntry
from riskapp.audit.tracking import reset_actor, set_actor
from tests.factories import make_action, make_risk, make_user


def test_creating_and_changing_records_is_audited_with_who(db):
    actor = make_user()
    token = set_actor(actor.id)
    try:
        risk = make_risk()
        action = make_action(risk)
        action.status = "Complete"
        db.session.flush()
    finally:
        reset_actor(token)
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.risk_id == risk.id)).all()
    assert any(e.object_type == "risks" and e.operation == "create" and e.field == "title"
               for e in entries)
    change = [e for e in entries if e.object_type == "actions" and e.operation == "update"]
    assert [(e.field, e.old_value, e.new_value) for e in change] == [
        ("status", "In Progress", "Complete")]
    assert change[0].user_id == actor.id


def test_audit_entries_cannot_be_changed_or_deleted(db):
    make_risk()
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry))
    entry.new_value = "tampered"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()
    entry = db.session.scalar(select(AuditEntry))
    db.session.delete(entry)
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()


def test_no_route_edits_the_audit_trail(app):
    for rule in app.url_map.iter_rules():
        assert "audit" not in rule.rule or rule.methods <= {"GET", "HEAD", "OPTIONS"}
