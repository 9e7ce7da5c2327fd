"""The OpenAPI description is made from the schemas that validate requests, and says all."""
from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.committees.models import Committee
from riskapp.extensions import db
from tests import factories


def _openapi_path(rule: str) -> str:
    import re
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule)


def test_the_description_is_valid_openapi_3_1_and_public(client):
    response = client.get("/api/v1/openapi.json")  # nobody signed in
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_api_route_and_method_is_described(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = _openapi_path(rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in document["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []
    assert "/api/v1/committees/{committee_id}/members" in document["paths"]


def test_every_write_describes_its_body_from_a_schema(client):
    """A write whose body no schema validates would take fields the description never names."""
    document = client.get("/api/v1/openapi.json").get_json()
    bodiless = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch"):
                schema = (operation.get("requestBody", {}).get("content", {})
                          .get("application/json", {}).get("schema", {}))
                if "$ref" not in schema:
                    bodiless.append(f"{method} {path}")
    assert bodiless == []
    member = document["components"]["schemas"]["MemberIn"]
    assert set(member["required"]) == {"positions", "appointed_on"}


@pytest.fixture
def pccac(baf):
    return db.session.scalar(select(Committee).where(Committee.short_name == "PCCAC"))


def test_a_body_that_is_not_json_is_415(client, auth, pccac):
    auth.login(factories.make_user(Role.SECRETARIAT))
    response = client.post("/api/v1/meetings", data="committee_id=1",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "JSON" in response.get_json()["error"]


def test_unknown_fields_are_refused_by_name(client, auth, pccac):
    auth.login(factories.make_user(Role.SECRETARIAT))
    response = client.post("/api/v1/meetings", json={
        "committee_id": pccac.id, "starts_at": "2024-05-16T10:00", "lcoation": "Room 1",
        "colour": "red"})
    body = response.get_json()
    assert response.status_code == 400
    assert body["error"] == "Unknown fields: colour, lcoation" and body["field"] == "colour"


@pytest.mark.parametrize("payload, field", [
    ({"number": "1", "title": "Welcome", "private": "false"}, "private"),
    ({"number": 1, "title": "Welcome"}, "number"),
    ({"title": "Welcome"}, "number"),
])
def test_types_are_strict_and_the_field_is_named(client, auth, pccac, payload, field):
    from riskapp.meetings.models import Meeting
    auth.login(factories.make_user(Role.SECRETARIAT))
    meeting = db.session.scalar(select(Meeting).where(Meeting.committee_id == pccac.id)
                                .limit(1))
    response = client.post(f"/api/v1/meetings/{meeting.id}/items", json=payload)
    assert response.status_code == 400 and response.get_json()["field"] == field
    assert field in response.get_json()["error"]


def test_the_api_page_under_your_account_links_to_the_description_and_tokens(client, auth):
    auth.login(factories.make_user(Role.STAFF))
    account = client.get("/auth/account").get_data(as_text=True)
    assert 'href="/auth/api"' in account
    page = client.get("/auth/api").get_data(as_text=True)
    assert 'href="/api/v1/openapi.json"' in page and 'href="/auth/tokens"' in page
    assert "Authorization: Bearer &lt;your token&gt;" in page
