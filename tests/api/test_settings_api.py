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


def test_bands_are_renamed_by_id_and_unknown_ids_refused(client, auth, app):
    bands = factories.make_bands()
    db.session.commit()
    auth.login(factories.make_user(Role.ADMIN))
    rows = [{"id": b.id, "name": b.name, "min_score": b.min_score, "max_score": b.max_score,
             "colour": b.colour, "review_months": b.review_months} for b in bands]
    rows[1]["name"] = "Moderate"
    renamed = client.put("/api/v1/bands", json={"bands": rows})
    assert renamed.status_code == 200
    assert [b["name"] for b in renamed.get_json()["items"]] == ["Low", "Moderate", "High"]
    assert renamed.get_json()["items"][1]["id"] == bands[1].id  # the same band, renamed
    rows[1]["id"] = 9999
    gone = client.put("/api/v1/bands", json={"bands": rows})
    assert gone.status_code == 422 and "There is no band 9999" in gone.get_json()["error"]
    assert db.session.get(Band, bands[1].id) is not None


def test_review_frequencies_change_without_resending_the_bands(client, auth, app):
    bands = factories.make_bands()
    db.session.commit()
    auth.login(factories.make_user(Role.RISK_MANAGER))
    listed = client.get("/api/v1/review-frequencies").get_json()["items"]
    assert [(f["band"], f["review_months"]) for f in listed] == [("Low", 6), ("Medium", 3),
                                                                  ("High", 1)]
    high = bands[2].id
    saved = client.put("/api/v1/review-frequencies", json={"frequencies": [
        {"band_id": high, "review_months": 2}]})
    assert saved.status_code == 200
    assert [f["review_months"] for f in saved.get_json()["items"]] == [6, 3, 2]
    bad = client.put("/api/v1/review-frequencies", json={"frequencies": [
        {"band_id": high, "review_months": 30}]})
    assert bad.status_code == 400 and bad.get_json()["field"] == "frequencies"
    unknown = client.put("/api/v1/review-frequencies", json={"frequencies": [
        {"band_id": 9999, "review_months": 3}]})
    assert unknown.status_code == 422 and "no band 9999" in unknown.get_json()["error"]
    db.session.expire_all()
    assert db.session.get(Band, high).review_months == 2


def test_directorates_through_the_api_refuse_as_the_page_does(client, auth, app):
    from riskapp.auth.models import Directorate
    auth.login(factories.make_user(Role.ADMIN))
    made = client.put("/api/v1/directorates", json={"directorates": [
        {"name": "Finance"}, {"name": "Nursing and Quality"}]})
    assert made.status_code == 200
    finance = next(d for d in made.get_json()["items"] if d["name"] == "Finance")
    factories.make_user(directorate_id=finance["id"])
    db.session.commit()
    # Leaving Finance out removes it: refused, as on the page, with the page's words.
    refused = client.put("/api/v1/directorates", json={"directorates": [
        {"name": "Nursing and Quality"}]})
    assert refused.status_code == 422
    message = "Finance cannot be removed: it has 1 person. Rename it instead"
    assert refused.get_json()["error"] == message
    page = client.post("/settings/directorates", data={
        "directorates-rows-0-id": finance["id"], "directorates-rows-0-name": "Finance",
        "directorates-rows-0-remove": "y"})
    assert message in page.get_data(as_text=True)
    renamed = client.put("/api/v1/directorates", json={"directorates": [
        {"id": finance["id"], "name": "Finance and Estates"}, {"name": "Nursing and Quality"}]})
    assert renamed.status_code == 200
    db.session.expire_all()
    assert db.session.get(Directorate, finance["id"]).name == "Finance and Estates"
    twice = client.put("/api/v1/directorates", json={"directorates": [
        {"name": "Finance and Estates"}, {"name": "finance and estates"}]})
    assert twice.status_code == 422 and "needs a different name" in twice.get_json()["error"]


def test_appetite_categories_are_the_risk_forms_choices(client, auth, app):
    auth.login(factories.make_user(Role.RISK_MANAGER))
    saved = client.put("/api/v1/appetite-categories", json={"categories": [
        {"name": "Quality and safety"}, {"name": "Financial"}]})
    assert [c["name"] for c in saved.get_json()["items"]] == ["Quality and safety", "Financial"]
    assert client.get("/api/v1/appetite-categories").get_json()["total"] == 2
    factories.make_register()
    db.session.commit()
    page = client.get("/risks/new").get_data(as_text=True)
    assert page.index('value="Quality and safety"') < page.index('value="Financial"')


def test_appetite_levels_are_renamed_by_id_even_when_in_use(client, auth, app):
    level = factories.make_appetite("Cautious", 9)
    factories.make_risk(appetite_level_id=level.id)
    db.session.commit()
    auth.login(factories.make_user(Role.RISK_MANAGER))
    saved = client.put("/api/v1/appetite-levels", json={"levels": [
        {"id": level.id, "name": "Careful", "max_score": 10}]})
    assert saved.status_code == 200
    assert saved.get_json()["items"] == [{"id": level.id, "name": "Careful", "max_score": 10}]


def test_a_register_is_renamed_and_its_prefix_kept_once_used(client, auth, app):
    auth.login(factories.make_user(Role.RISK_MANAGER))
    made = client.post("/api/v1/registers", json={"name": "Corporate", "prefix": "COR"})
    register_id = made.get_json()["id"]
    assert made.get_json()["prefix_fixed"] is False
    changed = client.patch(f"/api/v1/registers/{register_id}",
                           json={"name": "Corporate Risk Register", "prefix": "crr"})
    assert changed.status_code == 200
    assert changed.get_json()["next_reference"] == "CRR0001"
    from riskapp.risks.models import Register
    factories.make_risk(register=db.session.get(Register, register_id))
    db.session.commit()
    kept = client.patch(f"/api/v1/registers/{register_id}", json={"prefix": "CORP"})
    assert kept.status_code == 422 and kept.get_json()["field"] == "prefix"
    assert "The prefix stays CRR" in kept.get_json()["error"]
    renamed = client.patch(f"/api/v1/registers/{register_id}", json={"name": "Corporate risks"})
    assert renamed.status_code == 200 and renamed.get_json()["prefix_fixed"] is True
    assert client.patch("/api/v1/registers/9999", json={"name": "X"}).status_code == 404
    assert client.patch(f"/api/v1/registers/{register_id}",
                        json={"colour": "red"}).status_code == 400
