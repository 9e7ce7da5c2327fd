"""Issue 16: committees created, changed and dissolved; members' positions changed and terms
renewed with their history; the only chair cannot be ended."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.committees import services
from riskapp.committees.models import Committee
from riskapp.committees.services import CommitteeError
from riskapp.extensions import db
from riskapp.meetings.models import Meeting

NEM_CHAIR = "Non-Executive Member (Chair)"
CFO = "ICB Chief Finance Officer"


def _form(client, url, data):
    return client.post(url, data=data)


def test_secretariat_creates_a_committee_with_parent_risks_and_settings(client, auth, pccac,
                                                                        people):
    auth.login(people[Role.SECRETARIAT])
    board = pccac.parent
    page = client.get("/committees/new")
    assert page.status_code == 200 and "Create a committee" in page.get_data(as_text=True)
    response = client.post("/committees/new", data={
        "name": "People Committee", "short_name": "PC",
        "kind": "Board committee with assurance function", "parent_id": str(board.id),
        "risks": "baf0001, BAF0002", "attendance_threshold_percent": "80",
        "papers_deadline_days": "7"})
    assert response.status_code == 302
    made = db.session.scalar(select(Committee).where(Committee.name == "People Committee"))
    assert made.parent is board and [r.reference for r in made.risks] == ["BAF0001", "BAF0002"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "People Committee created." in page and "80%" in page
    assert "7 working days before the meeting" in page


@pytest.mark.parametrize("data, message", [
    ({"name": ""}, "Enter the committee&#39;s name"),
    ({"name": "Primary Care Commissioning and Assurance Committee"}, "There is already"),
    ({"name": "X", "risks": "BAF0001 NOPE0001"}, "No risk has the reference NOPE0001"),
    ({"name": "X", "attendance_threshold_percent": "lots"}, "must be a whole number"),
])
def test_bad_committee_input_is_refused_beside_the_field_keeping_what_was_typed(
        client, auth, pccac, people, data, message):
    auth.login(people[Role.SECRETARIAT])
    payload = {"kind": "Advisory body", "parent_id": "", "risks": "", **data}
    response = client.post("/committees/new", data=payload)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    if data.get("risks"):
        assert "NOPE0001" in page  # kept


def test_a_committee_cannot_report_to_its_own_sub_group(app, pccac):
    board = pccac.parent
    with pytest.raises(CommitteeError, match="cannot report to itself"):
        services.save_committee(board, {"name": board.name, "kind": board.kind,
                                        "parent_id": pccac.id})


def test_dissolving_is_refused_while_meetings_are_planned_then_kept_read_only(
        client, auth, pccac, people):
    auth.login(people[Role.SECRETARIAT])
    planned = db.session.scalars(select(Meeting).where(Meeting.committee_id == pccac.id,
                                                       Meeting.status == "Planned")).all()
    if not planned:
        planned = [Meeting(committee=pccac, starts_at=datetime(2031, 5, 1, 9, tzinfo=timezone.utc),
                           location="", status="Planned")]
        db.session.add_all(planned)
        db.session.commit()
    url = f"/committees/{pccac.id}/dissolve"
    form = client.get(url).get_data(as_text=True)
    assert f'value="{date.today().year}"' in form  # today's date in the boxes to start with
    data = {"dissolved_on-day": "31", "dissolved_on-month": "3", "dissolved_on-year": "2030"}
    refused = client.post(url, data=data)
    assert refused.status_code == 422 and "planned meeting" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert pccac.dissolved_on is None
    for m in planned:
        m.status = "Cancelled"
    db.session.commit()
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert pccac.dissolved_on == date(2030, 3, 31)
    assert all(m.ended_on is not None for m in pccac.members)
    page = client.get(f"/committees/{pccac.id}").get_data(as_text=True)
    assert "This committee was dissolved on" in page and "Add a member" not in page
    again = client.post(f"/committees/{pccac.id}/members/new", data={
        "person_name": "Someone", "positions": [CFO], "appointed_on-day": "1",
        "appointed_on-month": "4", "appointed_on-year": "2030"})
    assert again.status_code == 422 and "was dissolved on" in again.get_data(as_text=True)
    assert db.session.get(Committee, pccac.id) is not None  # never deleted


def test_change_positions_and_the_only_chair_cannot_be_ended(client, auth, pccac, members,
                                                            people):
    auth.login(people[Role.SECRETARIAT])
    chair = members[NEM_CHAIR]
    ended = client.post(f"/committees/{pccac.id}/members/{chair.id}/end", data={
        "ended_on-day": "1", "ended_on-month": "1", "ended_on-year": "2030"})
    assert ended.status_code == 422 and "only chair" in ended.get_data(as_text=True)
    db.session.expire_all()
    assert chair.ended_on is None
    dropped = client.post(f"/committees/{pccac.id}/members/{chair.id}/change",
                          data={"positions": [CFO]})
    assert dropped.status_code == 422 and "only chair" in dropped.get_data(as_text=True)
    cfo = members[CFO]
    both = client.post(f"/committees/{pccac.id}/members/{cfo.id}/change",
                       data={"positions": [CFO, NEM_CHAIR], "organisation": "BLMK ICB"})
    assert both.status_code == 302
    db.session.expire_all()
    assert cfo.positions == [CFO, NEM_CHAIR] and cfo.organisation == "BLMK ICB"
    now_allowed = client.post(f"/committees/{pccac.id}/members/{chair.id}/end", data={
        "ended_on-day": "1", "ended_on-month": "1", "ended_on-year": "2030"})
    assert now_allowed.status_code == 302


def test_renewing_a_term_keeps_the_old_one_and_stops_the_renewal_reminder(
        client, auth, pccac, members, people):
    from riskapp.reminders import sources
    auth.login(people[Role.SECRETARIAT])
    member = members[CFO]
    member.term_ends_on = date(2024, 3, 31)
    db.session.commit()
    from riskapp.rules.reminders import Policy
    soon = date(2024, 3, 1)

    def due():
        return [i for i in sources.membership_candidates(soon, Policy()) if i.id == member.id]
    assert due()
    refused = client.post(f"/committees/{pccac.id}/members/{member.id}/renew", data={
        "term_ends_on-day": "1", "term_ends_on-month": "1", "term_ends_on-year": "2020"})
    assert refused.status_code == 422 and "must end after" in refused.get_data(as_text=True)
    response = client.post(f"/committees/{pccac.id}/members/{member.id}/renew", data={
        "term_ends_on-day": "31", "term_ends_on-month": "3", "term_ends_on-year": "2035"})
    assert response.status_code == 302
    db.session.expire_all()
    assert member.term_ends_on == date(2035, 3, 31)
    assert [(t.ends_on, t.renewed_by_id) for t in member.past_terms] == [
        (date(2024, 3, 31), people[Role.SECRETARIAT].id)]
    page = client.get(f"/committees/{pccac.id}").get_data(as_text=True)
    assert "Earlier term:" in page and "31 Mar 2024" in page
    assert due() == []  # renewed: the reminder stops
