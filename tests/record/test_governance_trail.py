"""Committees, terms of reference, memberships and meetings keep their history in the version
store, and their pages show it in words (issue 14)."""
from __future__ import annotations

import html
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from riskapp.audit.models import AuditEntry, TrailHandover
from riskapp.auth.models import Role
from riskapp.committees import services as committee_services
from riskapp.committees.models import Committee
from riskapp.extensions import db
from riskapp.meetings import services as meeting_services
from riskapp.meetings.models import Meeting

from .. import factories


def _pccac():
    return db.session.scalar(select(Committee).where(Committee.short_name == "PCCAC"))


def _page(client, address) -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    return html.unescape(response.get_data(as_text=True))


def test_a_committee_page_shows_its_changes_in_words(baf, client, auth):
    secretary = factories.make_user(Role.SECRETARIAT, name="Sam Secretary")
    auth.login(secretary)
    committee = _pccac()
    r = client.post(f"/committees/{committee.id}/members/new", data={
        "person_name": "Pat External", "organisation": "Healthwatch",
        "positions": committee_services.tor_in_force(committee).positions[0].name,
        "appointed_on-day": "1", "appointed_on-month": "4", "appointed_on-year": "2024"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    member = next(m for m in committee.members if m.person_name == "Pat External")
    committee_services.end_member(member, date(2024, 9, 30))
    db.session.commit()
    # One writer: the version store, no audit entries for these records.
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.object_type.in_(("committees", "committee_members", "terms_of_reference",
                                    "meetings")),
        AuditEntry.at > datetime.now(timezone.utc) - timedelta(minutes=5))) == 0

    page = _page(client, f"/committees/{committee.id}")
    trail = page.split('id="audit"')[1]
    assert 'Member "Pat External"' in trail and "Added" in trail
    assert "Appointed on: 1 Apr 2024" in trail and "Organisation: Healthwatch" in trail
    assert "Changed: Ended on" in trail and "30 Sep 2024" in trail
    assert "Sam Secretary" in trail
    assert "2024-04-01" not in trail and "_id" not in trail

    everything = _page(client, f"/committees/{committee.id}/trail?kind=member&change=Added")
    table = everything.split("<tbody>")[1]
    assert 'Member "Pat External"' in table and "Changed" not in table
    bad = client.get(f"/committees/{committee.id}/trail?from=2024-02-30")
    assert bad.status_code == 422 and "Enter a real date" in bad.get_data(as_text=True)


def test_a_meeting_page_shows_changes_to_its_details(baf, client, auth):
    auth.login(factories.make_user(Role.SECRETARIAT, name="Sam Secretary"))
    meeting = db.session.scalar(select(Meeting).where(Meeting.status == "Planned")
                                .order_by(Meeting.starts_at))
    meeting_services.update_meeting(meeting, {"location": "Room 4, Arndale House"})
    db.session.commit()
    page = _page(client, f"/meetings/{meeting.id}")
    trail = page.split('id="audit"')[1]
    assert "Changed: Location" in trail and "Room 4, Arndale House" in trail
    assert "Meeting " in trail
    assert _page(client, f"/meetings/{meeting.id}/trail").count("Room 4, Arndale House") >= 1


def test_audit_entries_from_before_the_store_stay_on_the_committee_trail(baf, client, auth):
    committee = _pccac()
    db.session.add_all([
        AuditEntry(at=datetime(2022, 5, 3, 9, 30, tzinfo=timezone.utc), object_type="committees",
                   object_id=committee.id, operation="update",
                   field="attendance_threshold_percent", old_value="75", new_value="80"),
        TrailHandover(object_type="committees",
                      versions_from=datetime(2022, 6, 1, tzinfo=timezone.utc)),
    ])
    db.session.commit()
    auth.login(factories.make_user(Role.BOARD))
    page = _page(client, f"/committees/{committee.id}/trail")
    rows = [r for r in page.split("<tr>") if "Changed: Attendance expected (%)" in r]
    assert len(rows) == 1
    assert "03 May 2022 10:30" in rows[0] and ">75<" in rows[0] and ">80<" in rows[0]
