"""Issue 16: a risk escalated between registers keeps its record and its former reference."""
from __future__ import annotations

from sqlalchemy import select

from riskapp.record import trail as record_trail
from riskapp.auth.models import Role
from riskapp.extensions import db
from tests import factories


def _crr_risk():
    owner = factories.make_user()
    crr = factories.make_register("Corporate Risk Register", "CRR")
    crr.next_number = 42
    baf = factories.make_register()
    baf.next_number = 12
    risk = factories.make_risk(owner, register=crr)
    factories.make_action(risk, owner)
    db.session.commit()
    return risk, crr, baf


def test_the_risk_manager_escalates_crr_to_baf_keeping_history_trail_and_actions(client, auth):
    risk, crr, baf = _crr_risk()
    assert risk.reference == "CRR0042"
    auth.login(factories.make_user(Role.RISK_MANAGER))
    form = client.get("/risks/CRR0042/move").get_data(as_text=True)
    assert "Corporate Risk Register (CRR)" not in form  # not to where it already is
    response = client.post("/risks/CRR0042/move", data={
        "register_id": str(baf.id), "reason": "Escalated by the Executive Team",
        "version": str(risk.version)})
    assert response.status_code == 302 and response.location.endswith("/risks/BAF0012")
    db.session.expire_all()
    assert risk.reference == "BAF0012" and risk.register is baf
    assert len(risk.score_records) == 1 and len(risk.actions) == 1
    assert [f.reference for f in risk.former_references] == ["CRR0042"]
    page = client.get("/risks/BAF0012").get_data(as_text=True)
    assert "CRR0042 is now BAF0012 on the Board Assurance Framework." in page
    assert "formerly CRR0042" in page
    trail = [(e.was, e.now) for e in record_trail.risk_trail(risk.id)
             if e.field in ("Reference", "Register")]
    assert trail == [("CRR0042", "BAF0012"),
                     ("Corporate Risk Register", "Board Assurance Framework")] or trail == [
        ("Corporate Risk Register", "Board Assurance Framework"), ("CRR0042", "BAF0012")]
    # The old reference still finds it: the page (redirected) and the API.
    old = client.get("/risks/CRR0042")
    assert old.status_code == 302 and old.location.endswith("/risks/BAF0012")
    assert client.get("/api/v1/risks/CRR0042").get_json()["ref"] == "BAF0012"
    # And back down: a new CRR number, both former references shown.
    client.post("/risks/BAF0012/move", data={"register_id": str(crr.id), "reason": "Managed",
                                             "version": str(risk.version)})
    db.session.expire_all()
    assert risk.reference == "CRR0043"
    assert "formerly BAF0012, CRR0042" in client.get("/risks/CRR0043").get_data(as_text=True)


def test_moving_to_the_register_it_is_in_is_refused_and_nothing_changes(client, auth):
    risk, crr, baf = _crr_risk()
    auth.login(factories.make_user(Role.RISK_MANAGER))
    response = client.post("/risks/CRR0042/move", data={
        "register_id": str(crr.id), "reason": "x", "version": str(risk.version)})
    assert response.status_code == 422
    assert "Choose the register to move it to" in response.get_data(as_text=True)
    from riskapp.risks import services
    import pytest
    with pytest.raises(services.EscalationRefused, match="already on the Corporate Risk"):
        services.move_risk(risk, crr, by=None, today=risk.opened_on)
    db.session.rollback()
    db.session.expire_all()
    assert risk.reference == "CRR0042" and risk.former_references == []
    assert crr.next_number == 43 and baf.next_number == 12


def test_only_the_risk_manager_moves_risks(client, auth):
    risk, crr, baf = _crr_risk()
    auth.login(risk.owner)
    assert client.get("/risks/CRR0042/move").status_code == 403
    assert client.post("/risks/CRR0042/move", data={"register_id": str(baf.id),
                                                     "reason": "x"}).status_code == 403
