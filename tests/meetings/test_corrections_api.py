"""POST /api/v1/meetings/<id>/corrections corrects approved minutes as the pages do: 201 with
the corrections, 400 naming the field (no reason: refused), 409 while the minutes are a draft;
GET lists them, private business only for those who may see it (issue 14)."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.meetings import services
from riskapp.meetings.models import Attendance, Declaration, MinuteCorrection, Vote
from riskapp.meetings.services import LONDON

from .. import factories


def _corrections(meeting_id: int) -> int:
    return db.session.scalar(select(func.count(MinuteCorrection.id)).where(
        MinuteCorrection.meeting_id == meeting_id))


def test_each_kind_is_corrected_with_201_and_the_original_kept(client, auth, people,
                                                               approved, members):
    secretary = people[Role.SECRETARIAT]
    auth.login(secretary)
    later = approved.minutes_approved_at_id
    url = f"/api/v1/meetings/{approved.id}/corrections"
    cnd = members["ICB Chief Nursing Director"]
    declaration = db.session.scalar(select(Declaration).where(
        Declaration.meeting_id == approved.id, Declaration.interest == "Trustee of a charity"))
    item = approved.items[-1]
    vote = item.votes[0]
    cases = [
        ("attendance", cnd.id, {"status": "apologies"}, [("Present in person", "Apologies")]),
        ("declaration", declaration.id, {"action": "excluded_decision"},
         [("Noted", "Excluded from decision")]),
        ("item", item.id, {"title": item.title + " (revised)"},
         [(item.title, item.title + " (revised)")]),
        ("decision", item.id, {"decision_method": "consensus"},
         [("By a vote", "By consensus")]),
        ("vote", vote.id, {"votes_for": vote.votes_for - 1, "votes_against": 1},
         [(str(vote.votes_for), str(vote.votes_for - 1)), ("0", "1")]),
        ("minutes", item.id, {"discussion": "The committee discussed the report at length."},
         [(item.minutes_discussion, "The committee discussed the report at length.")]),
    ]
    for kind, record_id, values, changes in cases:
        r = client.post(url, json={"kind": kind, "record_id": record_id, "values": values,
                                   "reason": f"The chair's note on the {kind}",
                                   "approved_at_id": later})
        assert r.status_code == 201, (kind, r.get_json())
        body = r.get_json()
        assert body["total"] == len(changes)
        assert [(c["original"], c["corrected"]) for c in body["items"]] == changes, kind
        first = body["items"][0]
        assert first["kind"] == ("item" if kind == "minutes" else kind)
        assert first["reason"] == f"The chair's note on the {kind}"
        assert first["corrected_by"] == secretary.name
        assert first["approved_at"] == "2024-01-18"
    db.session.expire_all()
    assert db.session.scalar(select(Attendance.status).where(
        Attendance.meeting_id == approved.id, Attendance.member_id == cnd.id)) == "apologies"
    assert db.session.get(Vote, vote.id).votes_against == 1

    listed = client.get(url).get_json()
    assert listed["total"] == _corrections(approved.id) == 7
    assert [c["kind"] for c in listed["items"]] == [
        "attendance", "declaration", "item", "decision", "vote", "vote", "item"]


@pytest.mark.parametrize("body, field, words", [
    ({"reason": ""}, "reason", "Give the reason for the correction"),
    ({"reason": None}, "reason", "Give the reason for the correction"),
    ({"reason": "   "}, "reason", "Give the reason for the correction"),
    ({"approved_at_id": 999999}, "approved_at_id", "not a meeting"),
    ({"values": {}}, "values", "at least one"),
    ({"values": {"colour": "red"}}, "values.colour", "not corrected by a vote correction"),
    ({"values": {"votes_for": "3"}}, "values.votes_for", "whole number"),
    ({"values": {"votes_for": 501}}, "values.votes_for", "0 to 500"),
    ({"values": {"carried": "yes"}}, "values.carried", "true or false"),
    ({"values": {"votes_for": None}}, "values.votes_for", "whole number"),
    ({"record_id": 999999}, "record_id", "not a vote of this meeting"),
    ({"kind": "motion"}, "kind", "must be one of"),
    ({"values": "votes_for=3"}, "values", "must be an object"),
])
def test_bad_input_is_400_naming_the_field_and_nothing_is_saved(client, auth, people,
                                                                approved, body, field, words):
    auth.login(people[Role.SECRETARIAT])
    vote = approved.items[-1].votes[0]
    sent = {"kind": "vote", "record_id": vote.id, "values": {"votes_against": 1},
            "reason": "One member voted against",
            "approved_at_id": approved.minutes_approved_at_id, **body}
    r = client.post(f"/api/v1/meetings/{approved.id}/corrections", json=sent)
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["field"] == field
    assert words in r.get_json()["error"]
    assert _corrections(approved.id) == 0
    db.session.expire_all()
    assert db.session.get(Vote, vote.id).votes_against == 0


def test_nothing_changed_an_earlier_meeting_or_another_committee_is_refused(
        client, auth, people, approved, members):
    auth.login(people[Role.SECRETARIAT])
    url = f"/api/v1/meetings/{approved.id}/corrections"
    cnd = members["ICB Chief Nursing Director"]
    same = client.post(url, json={"kind": "attendance", "record_id": cnd.id,
                                  "values": {"status": "present"}, "reason": "Checked",
                                  "approved_at_id": approved.minutes_approved_at_id})
    assert same.status_code == 400 and same.get_json()["field"] == "values"
    assert "Nothing was changed" in same.get_json()["error"]
    earlier = client.post(url, json={"kind": "attendance", "record_id": cnd.id,
                                     "values": {"status": "apologies"}, "reason": "Checked",
                                     "approved_at_id": approved.id})
    assert earlier.status_code == 400 and earlier.get_json()["field"] == "approved_at_id"
    assert "later meeting of the same committee" in earlier.get_json()["error"]
    assert _corrections(approved.id) == 0


def test_a_draft_is_409_and_only_the_secretariat_corrects(client, auth, people, approved,
                                                           pccac):
    draft = services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 3, 21, 10, tzinfo=LONDON), location="Room 1"))
    item = services.add_item(draft, {"number": "1", "title": "Welcome"})
    db.session.commit()
    auth.login(people[Role.SECRETARIAT])
    r = client.post(f"/api/v1/meetings/{draft.id}/corrections", json={
        "kind": "item", "record_id": item.id, "values": {"title": "Welcome and apologies"},
        "reason": "Typo", "approved_at_id": approved.minutes_approved_at_id})
    assert r.status_code == 409 and r.get_json()["field"] is None
    assert "not approved yet" in r.get_json()["error"]
    auth.logout()
    auth.login(people[Role.BOARD])
    vote = approved.items[-1].votes[0]
    r = client.post(f"/api/v1/meetings/{approved.id}/corrections", json={
        "kind": "vote", "record_id": vote.id, "values": {"votes_against": 1},
        "reason": "x", "approved_at_id": approved.minutes_approved_at_id})
    assert r.status_code == 403
    assert client.get(f"/api/v1/meetings/{approved.id}/corrections").status_code == 200


def test_corrections_of_private_items_are_listed_only_to_those_who_see_them(
        client, auth, people, approved):
    item = approved.items[-1]
    services.correct_record(approved, "item", item, {"title": "Contract award"},
                            reason="As on the paper", approved_at=approved.minutes_approved_at,
                            by=people[Role.SECRETARIAT])
    # Made private after approval (as a Part 2 item would be): its corrections go with it.
    approved.has_private_part = True
    item.private = True
    db.session.commit()
    auth.login(factories.make_user(Role.STAFF))
    listed = client.get(f"/api/v1/meetings/{approved.id}/corrections").get_json()
    assert listed["total"] == 0
    auth.logout()
    auth.login(people[Role.SECRETARIAT])
    listed = client.get(f"/api/v1/meetings/{approved.id}/corrections").get_json()
    assert [c["corrected"] for c in listed["items"]] == ["Contract award"]


def test_the_openapi_document_describes_corrections(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/meetings/{meeting_id}/corrections"]["post"]
    assert set(operation["responses"]) >= {"201", "400", "403", "404", "409"}
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "Correction" in str(schema)
    assert "get" in document["paths"]["/api/v1/meetings/{meeting_id}/corrections"]
