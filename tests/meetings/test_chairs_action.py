"""Issue 17: a chair's action between meetings, only by the chair, reported on the next agenda."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from riskapp.auth.models import Role, User
from riskapp.extensions import db
from riskapp.meetings.models import ChairsAction

from .cycle import planned_meeting


def when(day: date, prefix="taken_on") -> dict:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month),
            f"{prefix}-year": str(day.year)}


def test_only_the_chair_takes_a_chairs_action_and_it_reaches_the_next_agenda(client, auth,
                                                                           pccac, people):
    meeting, _, _ = planned_meeting(pccac, days_ahead=10, private_item=False)
    chair = db.session.scalar(select(User).where(User.email == "board.member@example.org"))
    other = next(m for m in pccac.members if m.user_id and m.user_id != chair.id)
    auth.login(people[Role.SECRETARIAT])
    data = {"decision": "Approved an urgent extension of the out-of-hours contract.",
            "reasons": "The contract ends before the next meeting.",
            "consulted": "Chief Finance Officer", **when(date.today())}
    r = client.post(f"/meetings/chairs-actions/new?committee_id={pccac.id}",
                    data={**data, "taken_by_id": str(other.user_id)})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Only the chair of the committee" in page and "out-of-hours contract" in page
    assert db.session.scalar(select(ChairsAction)) is None
    r = client.post(f"/meetings/chairs-actions/new?committee_id={pccac.id}",
                    data={**data, "taken_by_id": str(chair.id)})
    assert r.status_code == 302
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Chair's actions for ratification" in page
    assert "urgent extension of the out-of-hours contract" in page
    future = when(date.today() + timedelta(days=3))
    r = client.post(f"/meetings/chairs-actions/new?committee_id={pccac.id}",
                    data={**data, **future, "taken_by_id": str(chair.id)})
    assert r.status_code == 422 and "today or in the past" in r.get_data(as_text=True)
