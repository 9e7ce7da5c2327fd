"""Issue 16, done when: the PCCAC of the source set up through the API alone, from an empty
database and the two commands `flask db upgrade` and `flask users create EMAIL --role admin`
(the token from `flask users token`), ending with its register saying "Quorate"."""
from __future__ import annotations

import json

import pytest

from riskapp import create_app
from tests.test_migrations import empty_database_url  # noqa: F401 - a fixture

from riskapp.committees.demo import DATA

#: The source's terms of reference, as the demo ships them (a copy of shared/data's extract).
SOURCE = json.loads((DATA / "pccac_terms_of_reference.json").read_text())
LABELS = ["A non-executive member, who chairs", "CPCO or CMD", "CFO",
          "One other executive board member"]
#: Nine people in the nine positions (the names are invented; the positions are the source's).
PEOPLE = ["Dr Ruth Ellison", "Marcus Holt", "Anne Brierley", "Dean Westcott", "Sarah Stanley",
          "Dr Sanhita Chakrabarti", "Dr Ian Roberts", "Dr Nina Patel", "Dr Omar Farouk"]


@pytest.fixture
def fresh(empty_database_url):  # noqa: F811
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SERVER_NAME": "localhost",
                      "SQLALCHEMY_DATABASE_URI": empty_database_url,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"],
                 ["users", "create", "admin@trust.example", "--name", "Ada Admin", "--role",
                  "admin", "--password-stdin"]):
        result = runner.invoke(args=args, input="Correct-Horse-Battery-9\n")
        assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "token", "admin@trust.example"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    yield app, {"Authorization": f"Bearer {token}"}
    with app.app_context():
        from riskapp.extensions import db
        db.session.remove()
        db.engine.dispose()


def test_the_pccac_is_set_up_through_the_api_alone_and_is_quorate(fresh):
    app, headers = fresh
    client = app.test_client()

    def call(method, url, body=None, status=(200, 201)):
        response = client.open(url, method=method, json=body, headers=headers)
        assert response.status_code in ((status,) if isinstance(status, int) else status), \
            (method, url, response.get_json())
        return response.get_json()

    assert call("GET", "/api/v1/committees")["total"] == 0
    board = call("POST", "/api/v1/committees", {"name": SOURCE["committee"]["accountable_to"],
                                                "kind": "Board of the ICB"}, 201)
    pccac = call("POST", "/api/v1/committees", {
        "name": SOURCE["committee"]["name"], "short_name": SOURCE["committee"]["short_name"],
        "kind": "Board committee with assurance function", "parent_id": board["id"]}, 201)
    base = f"/api/v1/committees/{pccac['id']}"
    v3 = next(v for v in SOURCE["versions"] if v["version"] == "3.0")
    draft = call("POST", f"{base}/terms", {"version": v3["version"]}, 201)
    assert draft["status"] == "draft"
    terms = f"{base}/terms/{draft['id']}"
    call("PATCH", terms, {
        "text": f"{SOURCE['quorum']['text']}\n\n{SOURCE['quorum']['deputies']}",
        "deputy_policy": "required_members_only", "majority_base": "votes_cast",
        "voting_rule": SOURCE["decisions"]["who_votes"],
        "papers_deadline_days": SOURCE["secretariat"]["papers_distributed_working_days_before"],
        "attendance_threshold_percent": SOURCE["secretariat"]["attendance_threshold_percent"],
        "frequency": SOURCE["meetings"]["frequency"]})
    for p in SOURCE["membership"]["voting"]:
        call("POST", f"{terms}/positions", {
            "name": p["position"], "category": p["category"], "voting": True,
            "chair": p.get("chair", False), "deputy_chair": p.get("deputy_chair", False)}, 201)
    for label, r in zip(LABELS, SOURCE["quorum"]["requirements"]):
        call("POST", f"{terms}/requirements", {
            "label": label, "count": r["count"], "positions": r.get("any_of", []),
            "categories": [r["any_of_category"]] if r.get("any_of_category") else []}, 201)
    approved = call("POST", f"{terms}/approve", {
        "approved_by": v3["approved_by"], "approved_on": v3["approved_on"],
        "review_due": v3["review_due"]})
    assert approved["status"] == "in_force"
    assert approved["rules"]["deputies_allowed"] == "required_members_only"
    assert [q["label"] for q in approved["rules"]["quorum"]] == LABELS

    ids = {}
    for person, p in zip(PEOPLE, SOURCE["membership"]["voting"]):
        member = call("POST", f"{base}/members", {
            "person_name": person, "organisation": "BLMK ICB", "positions": [p["position"]],
            "appointed_on": "2023-04-01", "term_ends_on": "2026-03-31"}, 201)
        ids[p["position"]] = member["id"]
    detail = call("GET", base)
    assert len(detail["members"]) == 9 and detail["warnings"] == []
    assert detail["terms_in_force"] == "3.0"

    meeting = call("POST", "/api/v1/meetings", {"committee_id": pccac["id"],
                                                "starts_at": "2023-11-16T10:00",
                                                "location": "Room 1"}, 201)
    officer = call("POST", f"/api/v1/meetings/{meeting['id']}/officers", {
        "name": "Jo Francis", "job_title": "Associate Director of Primary Care and Transformation",
        "organisation": "BLMK ICB"}, 201)
    call("PUT", f"/api/v1/meetings/{meeting['id']}/officers/{officer['id']}",
         {"status": "present"})
    present = {"Non-Executive Member (Chair)", "ICB Chief Medical Director",
               "ICB Chief Finance Officer", "ICB Chief Nursing Director"}
    for position, member_id in ids.items():
        call("PUT", f"/api/v1/meetings/{meeting['id']}/attendance/{member_id}",
             {"status": "present" if position in present else "apologies"})
    quoracy = call("GET", f"/api/v1/meetings/{meeting['id']}/quoracy")
    assert quoracy["quorate"] is True and quoracy["unfilled"] == []
    assert {f["requirement"] for f in quoracy["filled"]} == set(LABELS)
    held = call("GET", f"/api/v1/meetings/{meeting['id']}")
    assert held["officers"] == [{**officer, "status": "present", "in_attendance": True}]
    assert all("Jo Francis" not in f["by"] for f in quoracy["filled"])  # never counted
    item = call("POST", f"/api/v1/meetings/{meeting['id']}/items",
                {"number": "1", "title": "Primary care access recovery plan",
                 "purpose": "decision"}, 201)
    decided = call("POST", f"/api/v1/meetings/{meeting['id']}/items/{item['id']}/consensus",
                   {"decision": "The committee approved the plan."})
    assert decided["outcome"] == "The committee approved the plan."

    # The refusals of the issue: each a clear message, nothing changed.
    chair = ids["Non-Executive Member (Chair)"]
    refused = client.post(f"{base}/members/{chair}/end", json={"ended_on": "2024-01-01"},
                          headers=headers)
    assert refused.status_code == 422 and "only chair" in refused.get_json()["error"]
    refused = client.post(f"{base}/dissolve", json={"dissolved_on": "2024-01-01"},
                          headers=headers)
    assert refused.status_code == 422 and "planned meeting" in refused.get_json()["error"]
    after = call("GET", base)
    assert after["dissolved_on"] is None and len(after["members"]) == 9
    assert call("PATCH", f"/api/v1/meetings/{meeting['id']}", {"status": "Held"})["status"] \
        == "Held"


def test_refusals_through_the_api_name_the_problem_and_save_nothing(fresh):
    app, headers = fresh
    client = app.test_client()
    made = client.post("/api/v1/committees", json={"name": "Audit Committee"}, headers=headers)
    assert made.status_code == 201
    committee_id = made.get_json()["id"]
    again = client.post("/api/v1/committees", json={"name": "audit committee"}, headers=headers)
    assert again.status_code == 422 and again.get_json()["field"] == "name"
    unknown = client.patch(f"/api/v1/committees/{committee_id}", json={"nmae": "x"},
                           headers=headers)
    assert unknown.status_code == 400 and unknown.get_json()["error"] == "Unknown field: nmae"
