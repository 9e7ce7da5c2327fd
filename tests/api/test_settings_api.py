"""Issue 16: registers, bands and appetite levels through the API, with the page's rules."""
from __future__ import annotations

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.risks.models import Band
from tests import factories

USUAL = [{"name": "Low", "min_score": 1, "max_score": 3, "colour": "#007F3B", "review_months": 6},
         {"name": "Medium", "min_score": 4, "max_score": 9, "colour": "#ffb81c",
          "review_months": 3},
         {"name": "High", "min_score": 10, "max_score": 25, "colour": "#d5281b",
          "review_months": 1}]


def test_the_risk_manager_sets_up_registers_bands_and_appetite(client, auth, app):
    auth.login(factories.make_user(Role.RISK_MANAGER))
    made = client.post("/api/v1/registers", json={"name": "Corporate Risk Register",
                                                  "prefix": "crr"})
    assert made.status_code == 201 and made.get_json()["next_reference"] == "CRR0001"
    clash = client.post("/api/v1/registers", json={"name": "Other", "prefix": "CRR"})
    assert clash.status_code == 422 and clash.get_json()["field"] == "prefix"
    assert client.post("/api/v1/registers", json={"name": "X", "prefix": "C1"}) \
        .get_json()["field"] == "prefix"
    bands = client.put("/api/v1/bands", json={"bands": USUAL})
    assert bands.status_code == 200
    assert [b["colour"] for b in bands.get_json()["items"]][0] == "#007f3b"
    gap = client.put("/api/v1/bands", json={"bands": USUAL[:2]})  # 10-25 left unbanded
    assert gap.status_code == 422 and "10" in gap.get_json()["error"]
    assert db.session.query(Band).count() == 3
    levels = client.put("/api/v1/appetite-levels", json={"levels": [
        {"name": n, "max_score": s} for n, s in (("Averse", 4), ("Minimal", 6),
                                                 ("Cautious", 9), ("Open", 12), ("Eager", 16))]})
    assert [x["name"] for x in levels.get_json()["items"]][-1] == "Eager"
    level_id = levels.get_json()["items"][0]["id"]
    factories.make_risk(appetite_level_id=level_id)
    db.session.commit()
    refused = client.put("/api/v1/appetite-levels", json={"levels": [
        {"name": "Cautious", "max_score": 9}]})
    assert refused.status_code == 422 and "Averse cannot be removed" in refused.get_json()["error"]


def test_only_the_risk_manager_changes_settings(client, auth, app):
    auth.login(factories.make_user(Role.STAFF))
    assert client.put("/api/v1/bands", json={"bands": USUAL}).status_code == 403
    assert client.get("/api/v1/bands").status_code == 200
