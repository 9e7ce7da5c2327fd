"""Attendance report: of meetings held while a member; deputies beside, not counted."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from riskapp.auth.models import Role
from riskapp.committees import services as committee_services
from riskapp.meetings import services

LONDON = ZoneInfo("Europe/London")
CFO, CND = "ICB Chief Finance Officer", "ICB Chief Nursing Director"


def held_on(pccac, day):
    return services.create_meeting(pccac, dict(
        starts_at=datetime(day.year, day.month, day.day, 10, tzinfo=LONDON),
        location="Room 1", status="Held"))


def test_mid_year_member_and_deputies(pccac, members, db):
    # FY 2024/25: four meetings; a new member joins before the third.
    meetings = [held_on(pccac, d) for d in (date(2024, 5, 16), date(2024, 8, 15),
                                           date(2024, 11, 14), date(2025, 2, 13))]
    newcomer = committee_services.add_member(pccac, dict(
        person_name="Dr New", positions=["Clinical Representative (primary care leadership) 2"],
        appointed_on=date(2024, 10, 1)))
    for m in meetings:
        services.record_attendance(m, members[CND], dict(status="present"))
    for m in meetings[:3]:
        services.record_attendance(m, members[CFO], dict(status="deputy", deputy_name="Jo"))
    services.record_attendance(meetings[3], members[CFO], dict(status="present"))
    services.record_attendance(meetings[2], newcomer, dict(status="present"))
    services.record_attendance(meetings[3], newcomer, dict(status="apologies"))
    lines, threshold = services.attendance_report(pccac, 2024)
    by = {x.member.name: x for x in lines}
    assert threshold == 75
    assert (by["Sarah Stanley"].held, by["Sarah Stanley"].attended) == (4, 4)
    cfo = by["Dean Westcott"]
    assert (cfo.held, cfo.attended, cfo.by_deputy, cfo.percent) == (4, 1, 3, 25)
    assert (by["Dr New"].held, by["Dr New"].attended, by["Dr New"].percent) == (2, 1, 50)
    # The demo meeting of Nov 2023 is in FY 2023/24, not this one.
    assert all(x.held == 1 for x in services.attendance_report(pccac, 2023)[0])


def test_report_page_highlights_and_exports_csv(client, auth, pccac, members, people, db):
    m = held_on(pccac, date(2024, 5, 16))
    services.record_attendance(m, members[CFO], dict(status="apologies"))
    db.session.commit()
    auth.login(people[Role.BOARD])
    page = client.get(f"/committees/{pccac.id}/attendance?fy=2024").get_data(as_text=True)
    assert "Below 75%" in page
    csv = client.get(f"/committees/{pccac.id}/attendance?fy=2024&format=csv")
    assert csv.mimetype == "text/csv"
    assert "Dean Westcott,ICB Chief Finance Officer,1,0,0,0,1,yes" in csv.get_data(as_text=True)
    api = client.get(f"/api/v1/committees/{pccac.id}/attendance-report?fy=2024").get_json()
    assert api["threshold_percent"] == 75
    assert any(x["name"] == "Dean Westcott" and x["below_threshold"] for x in api["items"])


def test_a_year_runs_from_midnight_on_1_april_in_london(pccac, members, db):
    # In British Summer Time 00:30 on 1 April is 23:30 UTC on 31 March: the report dates a
    # meeting by its London day, so that meeting is the new year's, not the old one's.
    first = services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 4, 1, 0, 30, tzinfo=LONDON), location="Room 1",
        status="Held"))
    last = services.create_meeting(pccac, dict(
        starts_at=datetime(2025, 3, 31, 23, 30, tzinfo=LONDON), location="Room 1",
        status="Held"))
    services.create_meeting(pccac, dict(  # planned, not held: not counted
        starts_at=datetime(2024, 6, 1, 10, tzinfo=LONDON), location="Room 1",
        status="Planned"))
    services.record_attendance(first, members[CFO], dict(status="present"))
    services.record_attendance(last, members[CFO], dict(status="apologies"))
    by = {x.member.name: x for x in services.attendance_report(pccac, 2024)[0]}
    cfo = by["Dean Westcott"]
    assert (cfo.held, cfo.attended, cfo.apologies) == (2, 1, 1)
    assert all(x.member.name != "Dean Westcott" or x.held == 1
               for x in services.attendance_report(pccac, 2023)[0])
    assert {x.member.name: x.held for x in services.attendance_report(pccac, 2025)[0]} == {}


def test_a_meeting_not_yet_started_is_not_counted_even_if_marked_held(pccac, members, db):
    # Marking a future meeting held is refused now, but rows saved before that rule (or
    # written straight to the database) must not count against every member either.
    from riskapp.meetings.models import Meeting
    past = services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 5, 16, 10, tzinfo=LONDON), location="Room 1", status="Held"))
    future = Meeting(committee=pccac, starts_at=datetime(2024, 11, 14, 10, tzinfo=LONDON),
                     location="Room 1", remote=False, has_public_part=True,
                     has_private_part=False, status="Held", minutes_status="draft")
    db.session.add(future)
    db.session.flush()
    services.record_attendance(past, members[CFO], dict(status="present"))
    on_the_day_between = datetime(2024, 8, 1, 12, tzinfo=LONDON)
    by = {x.member.name: x for x in
          services.attendance_report(pccac, 2024, now=on_the_day_between)[0]}
    assert (by["Dean Westcott"].held, by["Dean Westcott"].attended) == (1, 1)
    later = {x.member.name: x for x in
             services.attendance_report(pccac, 2024, now=datetime(2025, 1, 1, tzinfo=LONDON))[0]}
    assert later["Dean Westcott"].held == 2


def test_a_future_meeting_cannot_be_marked_held(pccac, db):
    from riskapp.meetings.services import MeetingError
    meeting = services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 11, 14, 10, tzinfo=LONDON), location="Room 1",
        status="Planned"))
    before = datetime(2024, 11, 14, 9, 59, tzinfo=LONDON)
    with pytest.raises(MeetingError) as refused:
        services.update_meeting(meeting, dict(status="Held"), now=before)
    assert refused.value.field == "status"
    assert "once it has started" in str(refused.value)
    services.update_meeting(meeting, dict(status="Held"),
                            now=datetime(2024, 11, 14, 10, 0, tzinfo=LONDON))
    assert meeting.status == "Held"
