"""Issue 17: meeting actions are actions: in the assignee's My actions, progressed by them with
dated notes and status, a later due date counted as a slip."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.meetings import services
from riskapp.meetings.models import Meeting, MeetingAction

from .. import factories


def test_the_assignee_progresses_a_meeting_action_from_my_actions(client, auth, pccac):
    assignee = factories.make_user(Role.STAFF)
    meeting = db.session.scalar(select(Meeting).where(Meeting.status == "Held"))
    due = date.today() + timedelta(days=10)
    action = services.add_action(meeting, dict(detail="Report GP access figures",
                                               assignee_id=assignee.id, due_date=due))
    db.session.commit()
    auth.login(assignee)
    page = client.get("/actions/mine").get_data(as_text=True)
    assert "Report GP access figures" in page and "From committee meetings: 1 open" in page
    url = f"/meetings/actions/{action.id}/progress?back=mine"
    assert f'href="{url}"' in page.replace("&amp;", "&")
    later = due + timedelta(days=14)
    r = client.post(url, data={"note": "Figures requested from practices",
                               "status": "Open", "due_date-day": str(later.day),
                               "due_date-month": str(later.month),
                               "due_date-year": str(later.year)})
    assert r.status_code == 302 and r.location == "/actions/mine"
    page = client.get(r.location).get_data(as_text=True)
    assert "Progress recorded on the action from PCCAC" in page and "Moved 1 time" in page
    db.session.expire_all()
    action = db.session.get(MeetingAction, action.id)
    assert (action.due_date, action.original_due_date, action.slips) == (later, due, 1)
    assert [n.note for n in action.notes] == ["Figures requested from practices"]
    r = client.post(url, data={"note": "Reported to the committee", "status": "Complete"})
    assert r.status_code == 302
    assert "Report GP access figures" not in client.get("/actions/mine").get_data(as_text=True)


def test_someone_else_cannot_progress_it_and_a_note_is_needed(client, auth, pccac):
    assignee, other = factories.make_user(Role.STAFF), factories.make_user(Role.STAFF)
    meeting = db.session.scalar(select(Meeting).where(Meeting.status == "Held"))
    action = services.add_action(meeting, dict(detail="Chase", assignee_id=assignee.id,
                                               due_date=date.today()))
    db.session.commit()
    auth.login(other)
    assert client.get(f"/meetings/actions/{action.id}/progress").status_code == 403
    auth.logout()
    auth.login(assignee)
    r = client.post(f"/meetings/actions/{action.id}/progress", data={"status": "Complete"})
    assert r.status_code == 422 and "Describe the progress made" in r.get_data(as_text=True)
