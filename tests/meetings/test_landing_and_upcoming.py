"""Issue 17: each person lands where their work is; Meetings is in the navigation; the
secretariat's upcoming meetings show papers deadlines and expected quoracy."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.meetings import services

from .. import factories


@pytest.mark.parametrize("role, landing", [
    (Role.SECRETARIAT, "/meetings/upcoming"),
    (Role.BOARD, "/reports/heatmap"),
    (Role.RISK_MANAGER, "/risks/"),
    (Role.STAFF, "/actions/mine"),       # an assignee with no risk of their own
])
def test_each_role_lands_where_their_work_is(client, auth, app, role, landing):
    auth.login(factories.make_user(role))
    assert client.get("/").location == landing


def test_a_risk_owner_lands_on_their_risks(client, auth, app):
    owner = factories.make_user(Role.STAFF)
    factories.make_risk(owner)
    auth.login(owner)
    assert client.get("/").location == "/risks/mine"


def test_meetings_is_in_the_navigation(client, auth, app):
    auth.login(factories.make_user(Role.STAFF))
    page = client.get("/actions/mine").get_data(as_text=True)
    assert 'href="/meetings/upcoming">Meetings</a>' in page


def test_upcoming_meetings_show_deadline_awaited_papers_and_forecast(client, auth, pccac,
                                                                     people):
    start = datetime.now(timezone.utc) + timedelta(days=21)
    meeting = services.create_meeting(pccac, dict(starts_at=start, location="Room 1"))
    services.add_item(meeting, dict(number="1", title="Finance report", presenter="CFO",
                                    private=False, purpose="assurance", papers_expected=True,
                                    risks=[]))
    db.session.commit()
    auth.login(people[Role.SECRETARIAT])
    page = client.get("/meetings/upcoming").get_data(as_text=True)
    row = page.split(f'/meetings/{meeting.id}"')[1].split("</tr>")[0]
    deadline = services.papers_deadline(meeting)
    assert deadline.strftime("%-d %b %Y") in row
    assert "1 paper" in row
    assert "Quorate" in row  # nobody has sent apologies yet
    assert "Schedule a meeting" in page


def test_schedule_a_meeting_asks_for_the_committee_first(client, auth, pccac, people):
    auth.login(people[Role.SECRETARIAT])
    assert "Choose a committee" in client.get("/meetings/schedule").get_data(as_text=True)
    r = client.get(f"/meetings/schedule?committee_id={pccac.id}")
    assert r.location == f"/meetings/new?committee_id={pccac.id}"
    assert "Choose the committee" in client.get("/meetings/schedule?committee_id=").get_data(
        as_text=True)
    auth.logout()
    auth.login(people[Role.BOARD])
    assert client.get("/meetings/schedule").status_code == 403
