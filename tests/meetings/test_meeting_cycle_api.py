"""Issue 17: the meeting cycle in /api/v1 — papers, publishing, highlight reports, chair's
actions and the decision log — with the pages' rights: private (Part 2) business is 404 for
anyone who may not see it."""
from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from riskapp.auth.models import Role, User
from riskapp.extensions import db
from riskapp.meetings import services
from riskapp.meetings.models import HighlightReport, Paper

from .cycle import pdf_bytes, planned_meeting
from .test_private_business import ALLOWED, REFUSED, private_meeting, readers  # noqa: F401


def decided(item, decision: str) -> None:
    """A consensus decision on the item (as recorded in a quorate meeting)."""
    item.decision_method, item.outcome = "consensus", decision
    item.minutes_decision = decision
    db.session.commit()


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


@pytest.mark.parametrize("who", ALLOWED + REFUSED)
def test_private_papers_and_decisions_are_404_in_the_api(client, auth, private_meeting,
                                                          readers, who):
    meeting, public, private, paper = private_meeting
    decided(private, "The committee agreed to settle the dispute.")
    auth.login(readers[who])
    allowed = who in ALLOWED and who != "officer"  # the officer here has no row: an outsider
    for url in (f"/api/v1/meetings/{meeting.id}/items/{private.id}/papers",
                f"/api/v1/papers/{paper.id}", f"/api/v1/papers/{paper.id}/file"):
        assert client.get(url).status_code == (200 if allowed else 404), (who, url)
    listed = client.get(f"/api/v1/decisions?committee_id={meeting.committee_id}").get_json()
    assert any(d["item_id"] == private.id for d in listed["items"]) is allowed
    report = client.get(f"/api/v1/meetings/{meeting.id}/report")  # a draft: private
    assert report.status_code == (200 if allowed else 404)
    if allowed:
        file = client.get(f"/api/v1/papers/{paper.id}/file")
        assert file.data.startswith(b"%PDF") and "attachment" in \
            file.headers["Content-Disposition"]
        assert file.headers["X-Content-Type-Options"] == "nosniff"


def test_papers_uploaded_through_the_api_are_typed_by_content(client, auth, app, pccac,
                                                              people, tmp_path):
    app.config["RISKAPP_PAPERS_DIR"] = str(tmp_path / "papers")
    meeting, item, _ = planned_meeting(pccac)
    url = f"/api/v1/meetings/{meeting.id}/items/{item.id}/papers"
    auth.login(people[Role.SECRETARIAT])
    r = client.post(url, json={"filename": "report.pdf",
                               "content_base64": b64(b"<html><script>x</script></html>")})
    assert r.status_code == 422 and r.get_json()["field"] == "content_base64"
    r = client.post(url, json={"filename": "report.pdf", "content_base64": "not base64!"})
    assert r.status_code == 400 and r.get_json()["field"] == "content_base64"
    assert db.session.scalar(select(Paper)) is None  # nothing half-saved
    r = client.post(url, json={"filename": "../../etc/finance.docx",
                               "content_base64": b64(pdf_bytes("Finance paper text"))})
    assert r.status_code == 201
    body = r.get_json()
    assert body["kind"] == "pdf" and "/" not in body["title"] and body["published_at"] is None
    listed = client.get(url).get_json()
    assert listed["papers_status"] == "received" and listed["total"] == 1
    auth.logout()
    auth.login(people[Role.BOARD])  # not published yet: members do not see it
    assert client.get(f"/api/v1/papers/{body['id']}").status_code == 404
    assert client.get(url).get_json()["total"] == 0
    assert client.post(url, json={"filename": "x.pdf", "content_base64": b64(
        pdf_bytes("x"))}).status_code == 403


def test_publishing_through_the_api_warns_of_papers_awaited(client, auth, pccac, people):
    meeting, item, private = planned_meeting(pccac)
    auth.login(people[Role.SECRETARIAT])
    r = client.post(f"/api/v1/meetings/{meeting.id}/publish", json={})
    assert r.status_code == 409 and "2 papers still awaited" in r.get_json()["error"]
    db.session.expire_all()
    assert db.session.get(type(meeting), meeting.id).agenda_published_at is None
    r = client.post(f"/api/v1/meetings/{meeting.id}/publish",
                    json={"publish_with_papers_awaited": True})
    assert r.status_code == 200
    assert r.get_json()["papers_awaited"] == ["1", "2"] and r.get_json()["agenda_published_at"]
    r = client.post(f"/api/v1/meetings/{meeting.id}/publish", json={"colour": "red"})
    assert r.status_code == 400 and r.get_json()["field"] == "colour"


def test_the_highlight_report_through_the_api(client, auth, pccac, people):
    meeting, item, _ = planned_meeting(pccac, days_ahead=7, private_item=False)
    board_meeting = services.create_meeting(pccac.parent, dict(
        starts_at=meeting.starts_at + timedelta(days=20), location="Board room"))
    db.session.commit()
    auth.login(people[Role.SECRETARIAT])
    url = f"/api/v1/meetings/{meeting.id}/report"
    drafted = client.get(url).get_json()
    assert drafted["status"] == "not started" and "assure" in drafted
    r = client.put(url, json={"alert": "", "advise": "", "assure": ""})
    assert r.status_code == 422 and r.get_json()["field"] == "alert"
    r = client.put(url, json={"alert": "GP access below plan", "assure": "Quorate."})
    assert r.status_code == 200 and r.get_json()["status"] == "draft"
    assert client.post(url + "/approve", json={}).status_code == 403  # not the chair
    auth.logout()
    chair = db.session.scalar(select(User).where(User.email == "board.member@example.org"))
    chair.set_password("pw-for-tests-123")
    db.session.commit()
    auth.login(chair, "pw-for-tests-123")
    r = client.post(url + "/approve", json={})
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "approved" and body["parent_meeting_id"] == board_meeting.id
    assert client.put(url, json={"alert": "changed"}).status_code in (403, 409)
    assert db.session.scalar(select(HighlightReport)).alert == "GP access below plan"


def test_chairs_actions_through_the_api(client, auth, pccac, people):
    from riskapp.meetings.decisions import chairs_of
    chairs = chairs_of(pccac, date.today())
    chair_id = next(iter(chairs))
    other = next(m for m in pccac.members if m.user_id and m.user_id not in chairs)
    auth.login(people[Role.SECRETARIAT])
    url = f"/api/v1/committees/{pccac.id}/chairs-actions"
    data = {"taken_on": date.today().isoformat(), "decision": "Extend the contract",
            "reasons": "The provider would otherwise stop on Friday", "consulted": "CFO"}
    r = client.post(url, json={**data, "taken_by_id": other.user_id})
    assert r.status_code == 422 and r.get_json()["field"] == "taken_by_id"
    r = client.post(url, json={**data, "taken_by_id": chair_id,
                               "taken_on": (date.today() + timedelta(days=2)).isoformat()})
    assert r.status_code == 422 and r.get_json()["field"] == "taken_on"
    r = client.post(url, json={**data, "taken_by_id": chair_id})
    assert r.status_code == 201 and r.get_json()["decision"] == "Extend the contract"
    listed = client.get(url).get_json()
    assert listed["total"] == 1 and listed["items"][0]["taken_by"] == chairs[chair_id]
    auth.logout()
    auth.login(people[Role.STAFF])
    assert client.post(url, json={**data, "taken_by_id": chair_id}).status_code == 403


def test_the_decision_log_filters(client, auth, pccac, people):
    meeting, item, _ = planned_meeting(pccac, private_item=False)
    decided(item, "Approved the primary care finance report.")
    auth.login(people[Role.BOARD])
    found = client.get("/api/v1/decisions?q=finance+report").get_json()["items"]
    assert [d["item_id"] for d in found] == [item.id]
    assert found[0]["motion"] is None or isinstance(found[0]["motion"], str)
    assert client.get("/api/v1/decisions?q=no-such-words").get_json()["total"] == 0
    assert client.get("/api/v1/decisions?from=yesterday").status_code == 400


def test_the_openapi_description_has_the_cycles_bodies(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for name in ("PaperIn", "PublishIn", "HighlightReportIn", "ChairsActionIn"):
        assert name in document["components"]["schemas"], name
    assert "/api/v1/decisions" in document["paths"] or "/decisions" in str(document["paths"])
