"""Issue 16: the API writes risks as the pages do, with the same rights and the same checks."""
from __future__ import annotations

import pytest

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.risks.models import Risk
from tests import factories


@pytest.fixture
def world(app):
    factories.make_bands()
    baf = factories.make_register()
    crr = factories.make_register("Corporate Risk Register", "CRR")
    manager = factories.make_user(Role.RISK_MANAGER)
    owner, assignee = factories.make_user(), factories.make_user()
    db.session.commit()
    return {"baf": baf, "crr": crr, "manager": manager, "owner": owner, "assignee": assignee}


NEW = {"register": "CRR", "title": "GP workforce", "description": "There is a risk that...",
       "initial_consequence": 4, "initial_likelihood": 4, "current_consequence": 4,
       "current_likelihood": 3, "target_consequence": 3, "target_likelihood": 2}


def _new(client, world, **extra):
    response = client.post("/api/v1/risks", json={**NEW, "owner_id": world["owner"].id,
                                                  **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_the_risk_manager_opens_edits_escalates_and_closes_a_risk(client, auth, world):
    auth.login(world["manager"])
    risk = _new(client, world)
    assert risk["ref"] == "CRR0001" and risk["current"]["score"] == 12
    assert risk["history"][0]["rationale"] == "Risk opened"
    edited = client.patch(f"/api/v1/risks/{risk['ref']}", json={
        "version": risk["version"], "title": "GP workforce and retention"}).get_json()
    assert edited["title"] == "GP workforce and retention"
    stale = client.patch(f"/api/v1/risks/{risk['ref']}", json={
        "version": risk["version"], "title": "An older copy"})
    assert stale.status_code == 409 and stale.get_json()["field"] == "version"
    same = client.post(f"/api/v1/risks/{risk['ref']}/escalate",
                       json={"register": "CRR", "reason": "No"})
    assert same.status_code == 422 and "already on the Corporate" in same.get_json()["error"]
    moved = client.post(f"/api/v1/risks/{risk['ref']}/escalate", json={
        "register": "baf", "reason": "Escalated by the Executive Team"}).get_json()
    assert moved["ref"] == "BAF0001"
    assert client.get("/api/v1/risks/CRR0001").get_json()["ref"] == "BAF0001"
    closed = client.post("/api/v1/risks/CRR0001/close", json={"version": moved["version"]})
    assert closed.status_code == 200 and closed.get_json()["status"] == "Closed"


@pytest.mark.parametrize("change, field, status", [
    ({"current_consequence": 6}, "current_consequence", 400),
    ({"current_consequence": "4"}, "current_consequence", 400),
    ({"target_likelihood": None}, "target_likelihood", 400),
    ({"register": "XYZ"}, "register", 400),
    ({"owner_id": 999999}, "owner_id", 400),
    ({"colour": "red"}, "colour", 400),
])
def test_bad_input_names_the_field_and_saves_nothing(client, auth, world, change, field,
                                                     status):
    auth.login(world["manager"])
    body = {**NEW, "owner_id": world["owner"].id, **change}
    response = client.post("/api/v1/risks", json=body)
    assert response.status_code == status and response.get_json()["field"] == field
    assert db.session.query(Risk).count() == 0


def test_owners_describe_their_risk_but_not_its_owner_or_status_and_staff_open_nothing(
        client, auth, world):
    auth.login(world["manager"])
    risk = _new(client, world)
    auth.logout()
    auth.login(world["owner"])
    assert client.post("/api/v1/risks", json={**NEW, "owner_id": world["owner"].id}) \
        .status_code == 403
    ok = client.patch(f"/api/v1/risks/{risk['ref']}", json={"version": risk["version"],
                                                            "strategic_objective": "Access"})
    assert ok.status_code == 200
    refused = client.patch(f"/api/v1/risks/{risk['ref']}", json={
        "version": ok.get_json()["version"], "status": "Closed"})
    assert refused.status_code == 403 and refused.get_json()["field"] == "status"
    assert client.post(f"/api/v1/risks/{risk['ref']}/escalate", json={
        "register": "BAF", "reason": "x"}).status_code == 403


def test_controls_assurances_gaps_actions_and_progress(client, auth, world):
    auth.login(world["manager"])
    ref = _new(client, world)["ref"]
    body = client.post(f"/api/v1/risks/{ref}/controls", json={
        "description": "Workforce plan", "owner_id": world["owner"].id}).get_json()
    control = body["controls"][0]
    assert control["effectiveness"] == "Not yet assessed"
    version = db.session.get(__import__("riskapp.risks.models", fromlist=["Control"]).Control,
                             control["id"]).version
    body = client.patch(f"/api/v1/risks/{ref}/controls/{control['id']}", json={
        "version": version, "effectiveness": "Partially effective"}).get_json()
    assert body["controls"][0]["effectiveness"] == "Partially effective"
    body = client.post(f"/api/v1/risks/{ref}/assurances", json={
        "line": 3, "source": "Internal audit", "positive": False}).get_json()
    assert body["assurances"][0]["line"] == 3 and body["assurances"][0]["positive"] is False
    assert client.post(f"/api/v1/risks/{ref}/assurances", json={
        "line": 4, "source": "x"}).get_json()["field"] == "line"
    body = client.post(f"/api/v1/risks/{ref}/gaps", json={
        "kind": "assurance", "description": "No 3rd line review of retention"}).get_json()
    assert body["gaps_in_assurance"] == ["No 3rd line review of retention"]
    from riskapp.risks.models import Gap
    gap = db.session.query(Gap).one()
    assert client.post(f"/api/v1/risks/{ref}/gaps/{gap.id}/close", json={}).get_json()[
        "gaps_in_assurance"] == []
    body = client.post(f"/api/v1/risks/{ref}/actions", json={
        "detail": "Recruit 20 ARRS roles", "assignee_id": world["assignee"].id,
        "target_date": "2024-03-31"}).get_json()
    action = body["actions"][0]
    auth.logout()
    auth.login(world["assignee"])  # the assignee adds progress, as on My actions
    body = client.post(f"/api/v1/risks/{ref}/actions/{action['id']}/progress", json={
        "note": "12 recruited", "status": "In Progress", "target_date": "2024-06-30"})
    assert body.status_code == 201
    action = body.get_json()["actions"][0]
    assert action["progress"][0]["note"] == "12 recruited"
    assert action["original_target_date"] == "2024-03-31" and action["target_date_changes"] == 1
    assert client.post(f"/api/v1/risks/{ref}/controls", json={
        "description": "x"}).status_code == 403
