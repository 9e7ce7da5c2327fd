"""The committees and meetings API: quoracy-check shape, writes with rights, JSON errors."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.committees.models import Committee
from riskapp.extensions import db
from tests import factories

CFO, CPCO, CMD, CND = ("ICB Chief Finance Officer", "ICB Chief Primary Care Officer",
                       "ICB Chief Medical Director", "ICB Chief Nursing Director")
NEM_CHAIR = "Non-Executive Member (Chair)"
CLIN2 = "Clinical Representative (primary care leadership) 2"


@pytest.fixture
def pccac(baf):
    return db.session.scalar(select(Committee).where(Committee.short_name == "PCCAC"))


@pytest.fixture
def m(pccac):
    return {x.positions[0]: x.id for x in pccac.members}


def login(auth, role):
    auth.login(factories.make_user(role))


def test_quoracy_check_answers_the_issue_shape_and_saves_nothing(client, auth, pccac, m):
    login(auth, Role.BOARD)
    r = client.post(f"/api/v1/committees/{pccac.id}/quoracy-check", json={
        "present": [m[NEM_CHAIR], m[CPCO], m[CMD]],
        "deputies": [{"for_member": m[CFO], "name": "Jo Prentice"},
                     {"for_member": m[CLIN2], "name": "Dr Locum"}],
        "excluded": [m[CMD]]})
    body = r.get_json()
    assert r.status_code == 200 and set(body) == {"quorate", "filled", "unfilled", "not_counted"}
    assert body["quorate"] is False
    assert body["unfilled"] == ["One other executive board member"]
    assert {"requirement": "CFO", "by": "Jo Prentice (deputy for Dean Westcott)"} in body["filled"]
    whys = [n["why"] for n in body["not_counted"]]
    assert any("not required for quoracy" in w for w in whys)
    assert any("excluded from this item" in w for w in whys)


@pytest.mark.parametrize("payload, field", [
    ({"present": "all"}, "present"),
    ({"present": [], "deputies": [{"for_member": 1}]}, "deputies"),
    ({"present": [999999]}, "present"),
])
def test_quoracy_check_errors_name_the_field(client, auth, pccac, payload, field):
    login(auth, Role.BOARD)
    r = client.post(f"/api/v1/committees/{pccac.id}/quoracy-check", json=payload)
    assert r.status_code in (400, 422) and r.get_json()["field"] == field


def test_read_terms_in_force_and_past_with_rules(client, auth, pccac):
    login(auth, Role.BOARD)
    body = client.get(f"/api/v1/committees/{pccac.id}/terms").get_json()
    assert body["total"] == 2
    v3 = body["items"][0]
    assert v3["version"] == "3.0" and v3["status"] == "in_force"
    assert v3["rules"]["deputies_allowed"] == "required_members_only"
    assert [q["label"] for q in v3["rules"]["quorum"]][1] == "CPCO or CMD"


@pytest.mark.parametrize("role, status", [(Role.BOARD, 403), (Role.RISK_MANAGER, 403),
                                          (Role.SECRETARIAT, 201)])
def test_writes_need_the_secretariat(client, auth, pccac, role, status):
    login(auth, role)
    r = client.post("/api/v1/meetings", json={"committee_id": pccac.id,
                                              "starts_at": "2024-05-16T10:00",
                                              "location": "Room 1"})
    assert r.status_code == status
    if status == 201:
        assert r.get_json()["starts_at"] == "2024-05-16T10:00:00+01:00"  # BST
        assert r.get_json()["papers_deadline"] == "2024-05-09"


def test_a_whole_meeting_through_the_api(client, auth, pccac, m):
    login(auth, Role.SECRETARIAT)
    meeting = client.post("/api/v1/meetings", json={
        "committee_id": pccac.id, "starts_at": "2024-02-15T10:00", "location": "Room 1"}
    ).get_json()
    base = f"/api/v1/meetings/{meeting['id']}"
    item = client.post(base + "/items", json={"number": "1", "title": "Merger",
                                              "purpose": "decision", "risks": ["BAF0008"]})
    assert item.status_code == 201
    item_id = item.get_json()["id"]
    for who in (NEM_CHAIR, CPCO, CMD, CND):
        assert client.put(f"{base}/attendance/{m[who]}", json={"status": "present"}
                          ).status_code == 200
    r = client.put(f"{base}/attendance/{m[CFO]}", json={"status": "deputy"})
    assert r.status_code == 422 and r.get_json()["field"] == "deputy_name"
    client.put(f"{base}/attendance/{m[CFO]}", json={"status": "deputy", "deputy_name": "Jo"})
    r = client.post(base + "/declarations", json={"member_id": m[CMD], "item_id": item_id,
                                                  "interest": "Partner", "action":
                                                  "excluded_decision"})
    assert r.status_code == 201
    q = client.get(f"{base}/items/{item_id}/quoracy").get_json()
    assert q["quorate"] is True  # the CND fills "one other" once the CMD is excluded
    r = client.post(f"{base}/items/{item_id}/votes", json={"ballots": [
        {"member_id": m[CMD], "choice": "for"}], "motion": "To approve the contract"})
    assert r.status_code == 422 and "excluded" in r.get_json()["error"]
    r = client.post(f"{base}/items/{item_id}/votes", json={"ballots": [
        {"member_id": m[CPCO], "choice": "for"}, {"member_id": m[CND], "choice": "against"}],
        "casting_vote": "for"})
    assert r.status_code == 400 and r.get_json()["field"] == "motion"  # no motion: refused
    r = client.post(f"{base}/items/{item_id}/votes", json={"ballots": [
        {"member_id": m[CPCO], "choice": "for"}, {"member_id": m[CND], "choice": "against"}],
        "casting_vote": "for", "motion": "To approve the contract"})
    vote = r.get_json()
    assert vote["motion"] == "To approve the contract"
    assert r.status_code == 201 and vote["carried"] and vote["tied"]
    assert vote["casting_voter"] == "Bob Board"
    assert "Jo (deputy for Dean Westcott)" in [e["name"] for e in vote["snapshot"]["eligible"]]
    detail = client.get(base).get_json()
    assert detail["items"][0]["decision_method"] == "vote"
    assert detail["quoracy"]["quorate"] is True


def test_unknown_meeting_is_json_404(client, auth, pccac):
    login(auth, Role.BOARD)
    r = client.get("/api/v1/meetings/99999")
    assert r.status_code == 404 and r.is_json
