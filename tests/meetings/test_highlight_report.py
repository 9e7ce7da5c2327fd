"""Issue 17: the highlight report (Alert / Advise / Assure), drafted from the meeting, approved
by the committee's chair, then on the parent Board's next agenda."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from riskapp.auth.models import Role, User
from riskapp.extensions import db
from riskapp.meetings import services
from riskapp.meetings.models import HighlightReport, Meeting

from .cycle import planned_meeting


def test_the_chair_approves_and_the_report_reaches_the_boards_next_agenda(client, auth,
                                                                           pccac, people):
    meeting, item, _ = planned_meeting(pccac, days_ahead=7, private_item=False)
    board_meeting = services.create_meeting(pccac.parent, dict(
        starts_at=meeting.starts_at + timedelta(days=20), location="Board room"))
    db.session.commit()
    auth.login(people[Role.SECRETARIAT])
    page = client.get(f"/meetings/{meeting.id}/report").get_data(as_text=True)
    assert "The meeting was quorate" in page or "quorate" in page
    r = client.post(f"/meetings/{meeting.id}/report", data={
        "alert": "GP access below plan", "advise": "Contract extension approved",
        "assure": "The meeting was quorate."})
    assert r.status_code == 302
    assert client.post(f"/meetings/{meeting.id}/report/approve").status_code == 302
    assert db.session.scalar(select(HighlightReport)).status == "draft"  # not the chair
    auth.logout()

    chair = db.session.scalar(select(User).where(User.email == "board.member@example.org"))
    chair.set_password("pw-for-tests-123")
    db.session.commit()
    auth.login(chair, "pw-for-tests-123")
    r = client.post(f"/meetings/{meeting.id}/report/approve")
    page = client.get(r.location).get_data(as_text=True)
    assert "added to the Board of the ICB agenda" in page.replace("NHS Bedfordshire, Luton "
                                                                   "and Milton Keynes ", "") \
        or "added to the" in page
    report = db.session.scalar(select(HighlightReport))
    assert report.status == "approved" and report.parent_item.meeting_id == board_meeting.id
    board_page = client.get(f"/meetings/{board_meeting.id}").get_data(as_text=True)
    assert "Highlight report from the Primary Care Commissioning" in board_page
    item_page = client.get(f"/meetings/{board_meeting.id}/items/{report.parent_item_id}")
    assert "GP access below plan" in item_page.get_data(as_text=True)


def test_an_approved_report_waits_for_the_boards_next_meeting(app, pccac, people):
    meeting, _, _ = planned_meeting(pccac, days_ahead=7, private_item=False)
    from riskapp.meetings import reports
    report = reports.save(meeting, {"advise": "Decision taken"})
    reports.approve(report, people[Role.ADMIN])
    assert report.parent_item is None
    later = services.create_meeting(pccac.parent, dict(
        starts_at=meeting.starts_at + timedelta(days=30), location="Board room"))
    assert report.parent_item is not None and report.parent_item.meeting is later
    assert db.session.scalar(select(Meeting).where(Meeting.id == later.id)).items
