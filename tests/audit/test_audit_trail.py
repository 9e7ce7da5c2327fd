"""The audit trail: one writer per record. The risk family's trail is its versions (the version
store); the old audit entries are written only for records it does not keep, never edited, and
those made for risks before the version store took over stay readable in the risk's trail."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from riskapp.audit.models import AuditEntry, TrailHandover
from riskapp.audit.tracking import reset_actor, set_actor
from riskapp.extensions import db as models_db
from riskapp.record import trail as record_trail
from riskapp.risks.models import Control, Risk
from tests.factories import make_action, make_risk, make_user


def test_the_risk_family_is_written_only_to_the_version_store_with_who(db):
    actor = make_user(name="Vera Versions")
    token = set_actor(actor.id)
    try:
        risk = make_risk()
        action = make_action(risk)
        db.session.commit()  # a version per transaction
        action.status = "Complete"
        db.session.commit()
    finally:
        reset_actor(token)
    db.session.commit()
    # One writer: no audit entries for versioned records.
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.object_type.in_(("risks", "actions")))) == 0
    trail = record_trail.risk_trail(risk.id)
    assert any(e.kind == "risk" and e.change == "Added" for e in trail)
    change = [e for e in trail if e.kind == "action" and e.change == "Changed"]
    assert [(e.field, e.was, e.now) for e in change] == [("Status", "In Progress", "Complete")]
    assert change[0].who == "Vera Versions" and change[0].user_id == actor.id


def test_no_model_is_both_versioned_and_audited():
    both = [m.class_.__name__ for m in models_db.Model.registry.mappers
            if hasattr(m.class_, "__versioned__") and hasattr(m.class_, "__audit__")]
    assert both == []


def test_audit_entries_before_the_handover_stay_in_the_risk_trail(db):
    """A database that had the old writer: entries made before the version store took over are
    shown (words, not ids or ISO dates); the store's given first version of such a record is not
    shown again as added; entries after the handover (duplicates of versions) are left out."""
    owner = make_user(name="Olive Owner")
    risk = make_risk()
    db.session.commit()
    control = Control(risk=risk, description="Monthly finance review", owner_id=owner.id)
    db.session.add(control)
    db.session.commit()
    # The store took over just after the control's version (its "given" first version).
    versions_from = db.session.execute(select(func.max(
        record_trail.versioning_manager.transaction_cls.issued_at))).scalar().replace(
        tzinfo=timezone.utc) + timedelta(microseconds=1)
    long_ago = datetime(2022, 3, 1, 10, 0, tzinfo=timezone.utc)
    db.session.add_all([
        AuditEntry(at=long_ago, user_id=owner.id, object_type="controls", object_id=control.id,
                   risk_id=risk.id, operation="create", field="description", old_value=None,
                   new_value="Monthly finance review"),
        AuditEntry(at=long_ago + timedelta(days=30), user_id=owner.id, object_type="risks",
                   object_id=risk.id, risk_id=risk.id, operation="update",
                   field="target_date", old_value="2023-03-31", new_value="2024-03-31"),
        AuditEntry(at=long_ago + timedelta(days=40), user_id=owner.id, object_type="risks",
                   object_id=risk.id, risk_id=risk.id, operation="update", field="status",
                   old_value="Open", new_value="Closed"),
        # After the handover: the version store holds this already.
        AuditEntry(at=versions_from + timedelta(minutes=1), user_id=owner.id, object_type="risks",
                   object_id=risk.id, risk_id=risk.id, operation="update", field="title",
                   old_value="duplicate", new_value="of a version"),
        *[TrailHandover(object_type=table, versions_from=versions_from)
          for table in ("risks", "controls")],
    ])
    db.session.commit()

    trail = record_trail.risk_trail(risk.id)
    moved = [e for e in trail if e.field == "Target date"]
    assert [(e.record, e.was, e.now, e.who) for e in moved] == [
        (f"Risk {risk.reference}", "31 Mar 2023", "31 Mar 2024", "Olive Owner")]
    added = [e for e in trail if e.kind == "control" and e.change == "Added"]
    assert [(e.record, e.now, e.at.year) for e in added] == [
        ("Control 1", "Description: Monthly finance review", 2022)]
    assert not [e for e in trail if e.now == "of a version"]

    # Reports that read changes of one field see the old entries too.
    changes = record_trail.field_changes(Risk, "status", [risk.id])
    assert ("Open", "Closed") in [(old, new) for _, _, old, new in changes]


def test_audit_entries_cannot_be_changed_or_deleted(db):
    db.session.add(AuditEntry(object_type="users", object_id=1, operation="update",
                              field="role", old_value="staff", new_value="admin"))
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
