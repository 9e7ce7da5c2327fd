"""Approved minutes are the record: every write to a locked meeting is refused, on every page
route and API call, and nothing it reports changes (issue 14)."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.meetings import services
from riskapp.meetings.models import Meeting
from riskapp.meetings.services import LONDON, MeetingLocked


@pytest.fixture
def locked(pccac):
    """The demo's held meeting of 16 Nov 2023, its minutes approved at a later meeting."""
    held = db.session.scalar(select(Meeting).where(Meeting.status == "Held"))
    later = services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 1, 18, 10, tzinfo=LONDON), location="Room 1"))
    services.approve_minutes(held, later)
    db.session.commit()
    return held


def _snapshot(meeting_id: int):
    db.session.expire_all()
    m = db.session.get(Meeting, meeting_id)
    return (m.location, m.starts_at,
            sorted((a.member_id, a.status, a.deputy_name, a.arrived_at_item_id,
                    a.left_at_item_id) for a in m.attendances),
            sorted((d.interest, d.action) for d in m.declarations),
            [(i.number, i.title, i.decision_method, i.outcome, i.minutes_discussion,
              i.minutes_decision, len(i.votes)) for i in m.items],
            sorted((a.detail, a.due_date) for a in m.actions))


def test_every_service_write_is_refused_with_the_date_the_minutes_were_approved(locked,
                                                                                members):
    member, item = members["ICB Chief Nursing Director"], locked.items[0]
    writes = [
        lambda: services.update_meeting(locked, {"location": "Elsewhere"}),
        lambda: services.add_item(locked, {"number": "99", "title": "Late item"}),
        lambda: services.update_item(item, {"title": "Renamed"}),
        lambda: services.record_attendance(locked, member, {"status": "present"}),
        lambda: services.record_declaration(locked, {"member": member, "interest": "Shares"}),
        lambda: services.record_consensus(item, "Agreed after all"),
        lambda: services.record_vote(item, [(member.id, "for")], None),
        lambda: services.add_action(locked, {"detail": "A new action"}),
    ]
    for write in writes:
        with pytest.raises(MeetingLocked) as refused:
            write()
        assert "minutes approved on 18 Jan 2024" in refused.value.message
        db.session.rollback()


def test_action_progress_stays_open_but_the_action_as_raised_is_locked(locked):
    action = locked.actions[0]
    services.update_action(action, {"update": "Chased in December", "status": "Complete"},
                           date(2023, 12, 5))
    assert action.status == "Complete"
    with pytest.raises(MeetingLocked):
        services.update_action(action, {"detail": "Something else"}, date(2023, 12, 5))


WRITE_PAGES = [
    ("/edit", {"day": "2023-11-16", "start_time": "10:00", "location": "Elsewhere",
               "status": "Held", "has_public_part": "y"}),
    ("/items/new", {"number": "99", "title": "Late item", "purpose": "information"}),
    ("/items/{item}/edit", {"number": "1", "title": "Renamed", "purpose": "information"}),
    ("/attendance", {"m{member}-status": "present"}),
    ("/declarations/new", {"member_id": "{member}", "interest": "Shares", "action": "noted"}),
    ("/items/{item}/consensus", {"decision": "Agreed after all"}),
    ("/items/{item}/vote", {"ballot-{member}": "for"}),
    ("/actions/new", {"detail": "A new action"}),
]


@pytest.mark.parametrize("path, data", WRITE_PAGES, ids=[p for p, _ in WRITE_PAGES])
def test_every_page_write_is_refused_and_the_page_says_why(client, auth, people, locked,
                                                           members, path, data):
    auth.login(people[Role.SECRETARIAT])
    member, item = members["ICB Chief Nursing Director"], locked.items[0]
    fill = dict(item=item.id, member=member.id)
    before = _snapshot(locked.id)
    r = client.post(f"/meetings/{locked.id}" + path.format(**fill),
                    data={k.format(**fill): v.format(**fill) for k, v in data.items()},
                    follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "record is locked" in page and "minutes approved on 18 Jan 2024" in page
    assert _snapshot(locked.id) == before


API_WRITES = [
    ("post", "/items", {"number": "99", "title": "Late item"}),
    ("put", "/attendance/{member}", {"status": "present"}),
    ("post", "/declarations", {"member_id": "{member}", "interest": "Shares"}),
    ("post", "/items/{item}/votes", {"ballots": [{"member_id": "{member}", "choice": "for"}],
                                     "motion": "To approve"}),
]


def _fill(value, fill):
    if isinstance(value, str) and value in ("{member}", "{item}"):
        return fill[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, fill) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, fill) for v in value]
    return value


@pytest.mark.parametrize("method, path, body", API_WRITES, ids=[p for _, p, _ in API_WRITES])
def test_every_api_write_answers_409_with_the_reason(client, auth, people, locked, members,
                                                     method, path, body):
    auth.login(people[Role.SECRETARIAT])
    fill = dict(item=locked.items[0].id, member=members["ICB Chief Nursing Director"].id)
    before = _snapshot(locked.id)
    r = getattr(client, method)(f"/api/v1/meetings/{locked.id}" + path.format(**fill),
                                json=_fill(body, fill))
    assert r.status_code == 409
    assert r.get_json()["field"] is None
    assert "minutes approved on 18 Jan 2024" in r.get_json()["error"]
    assert _snapshot(locked.id) == before


def test_a_correction_is_kept_beside_the_original_and_shows_in_minutes_and_report(
        client, auth, people, locked, members, pccac):
    auth.login(people[Role.SECRETARIAT])
    cnd = members["ICB Chief Nursing Director"]
    was = next(a.status for a in locked.attendances if a.member_id == cnd.id)
    later = db.session.scalar(select(Meeting).where(Meeting.id == locked.minutes_approved_at_id))
    url = f"/meetings/{locked.id}/corrections/attendance"
    data = {"member_id": cnd.id, "status": "present", "approved_at_id": later.id}
    r = client.post(url, data={**data, "reason": ""})
    assert r.status_code == 422 and "Give the reason for the correction" in r.get_data(
        as_text=True)
    r = client.post(url, data={**data, "reason": "She joined by phone: noted by the chair"},
                    follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "Correction to the attendance of" in page
    assert "Corrections to the approved record" in page
    assert f"Attendance of {cnd.name}" in page and "Present in person" in page
    assert "She joined by phone" in page and "The meeting of 18 Jan 2024" in page
    assert ATTENDANCE_WORDS[was] in page  # the original, kept beside it
    db.session.expire_all()
    assert next(a.status for a in db.session.get(Meeting, locked.id).attendances
                if a.member_id == cnd.id) == "present"
    report = client.get(f"/committees/{pccac.id}/attendance?fy=2023").get_data(as_text=True)
    assert "Attendance corrected after approval at 1 meeting" in report


ATTENDANCE_WORDS = {"present": "Present in person", "remote": "Present remotely",
                    "apologies": "Apologies", "absent": "Absent",
                    "deputy": "Represented by a named deputy"}
