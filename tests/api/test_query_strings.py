"""The GET routes' query strings are described (OpenAPI lists each argument) and validated by
the same schemas: a bad value answers 400 naming the argument, never a 500."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.committees.models import Committee
from riskapp.extensions import db
from tests import factories

HUGE = "99999999999999999999"
BAD_VALUES = ["abc", HUGE, "-1", "0", "1.5", "2023-02-30", "1e3", "x" * 300, "'; drop table"]


def _query_parameters(document: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in document["paths"][path]["get"]["parameters"]
            if p["in"] == "query"}


def test_the_list_filters_and_paging_are_in_the_description(client):
    document = client.get("/api/v1/openapi.json").get_json()
    risks = _query_parameters(document, "/api/v1/risks")
    assert {"register", "status", "band", "owner", "lead", "directorate", "committee", "q",
            "above_appetite", "sort", "page", "per_page", "as_of"} <= set(risks)
    assert risks["status"]["schema"]["enum"] == ["Open", "Closed", "Archived"]
    assert risks["per_page"]["schema"]["maximum"] == 200
    assert "400" in document["paths"]["/api/v1/risks"]["get"]["responses"]
    meetings = _query_parameters(document, "/api/v1/meetings")
    assert {"committee_id", "page", "per_page"} <= set(meetings)
    assert set(_query_parameters(document, "/api/v1/risks/{ref}/movement")) == {"fy", "as_of"}
    assert _query_parameters(document, "/api/v1/assurance-map")["register"]["required"] is True


@pytest.fixture
def described_gets(baf, client, auth):
    """Every GET route with a query string, with real values for its path."""
    auth.login(factories.make_user(Role.ADMIN))
    committee = db.session.scalar(select(Committee).order_by(Committee.id).limit(1))
    values = {"ref": "BAF0001", "committee_id": str(committee.id)}
    document = client.get("/api/v1/openapi.json").get_json()
    routes = []
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if not get or not [p for p in get["parameters"] if p["in"] == "query"]:
            continue
        url = path
        for name, value in values.items():
            url = url.replace("{" + name + "}", value)
        assert "{" not in url, f"no value for a path argument of {path}"
        routes.append((url, _query_parameters(document, path)))
    return routes


def test_bad_query_values_are_refused_naming_the_argument(client, described_gets):
    assert len(described_gets) >= 7
    wrong = []
    for url, parameters in described_gets:
        for name in parameters:
            for value in BAD_VALUES:
                # The assurance map needs its register to get as far as the other arguments.
                extra = "&register=BAF" if "assurance-map" in url and name != "register" else ""
                response = client.get(f"{url}?{_qs(name, value)}{extra}")
                body = response.get_json(silent=True) or {}
                if response.status_code >= 500 or (
                        response.status_code == 400 and body.get("field") != name):
                    wrong.append((url, name, value, response.status_code, body))
    assert wrong == []


def _qs(name: str, value: str) -> str:
    from urllib.parse import urlencode
    return urlencode({name: value})


@pytest.mark.parametrize("query, message", [
    ("page=abc", "page must be a whole number"),
    ("per_page=500", "per_page must be a whole number from 1 to 200"),
    ("status=Pending", "status must be one of: Open, Closed, Archived"),
    ("sort=colour", "sort must be one of:"),
    ("above_appetite=yes", "above_appetite must be one of: 0, 1, true, false"),
    ("as_of=2023-02-30", "as_of must be a date written YYYY-MM-DD"),
])
def test_the_risk_list_says_what_is_wrong(client, auth, baf, query, message):
    auth.login(factories.make_user(Role.BOARD))
    response = client.get(f"/api/v1/risks?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"].startswith(message)
    assert response.get_json()["field"] == query.split("=")[0]


def test_blank_arguments_are_as_if_not_given(client, auth, baf):
    auth.login(factories.make_user(Role.BOARD))
    response = client.get("/api/v1/risks?page=&per_page=&status=&sort=")
    assert response.status_code == 200
    assert (response.get_json()["page"], response.get_json()["per_page"]) == (1, 50)
    paged = client.get("/api/v1/meetings?per_page=2&page=2&committee_id=")
    assert paged.status_code == 200
    assert (paged.get_json()["page"], paged.get_json()["per_page"]) == (2, 2)
