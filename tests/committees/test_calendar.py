"""Governance calendar page and iCalendar feeds with a secret token."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from riskapp.auth.models import Role, User
from riskapp.committees.calendar import feed_token_for
from riskapp.committees.models import Committee
from riskapp.extensions import db
from riskapp.meetings.models import Meeting

LONDON = ZoneInfo("Europe/London")


def _meeting(committee, day: date, hour=10) -> Meeting:
    meeting = Meeting(committee=committee, status="Planned",
                      starts_at=datetime.combine(day, time(hour), LONDON).astimezone(timezone.utc))
    db.session.add(meeting)
    db.session.commit()
    return meeting


def _month(day: date) -> str:
    return f"{day:%Y-%m}"


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _pager(page: str) -> dict[str, str]:
    """The months the "Previous month" and "Next month" links go to, by their title."""
    links = re.findall(r'<a class="nhsuk-pagination__link[^"]*" href="([^"]+)">'
                       r'<span class="nhsuk-pagination__title">([^<]+)</span>', page)
    return {title: href.replace("&amp;", "&") for href, title in links}


def _listed(meeting: Meeting, page: str) -> bool:
    """Whether the page lists the meeting itself (its papers deadline links to it too)."""
    return f'href="/meetings/{meeting.id}">{meeting.committee.label} meeting</a>' in page


def _heading(page: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", page).group(1)


def test_calendar_page_lists_meetings_deadlines_and_reviews_of_the_month(client, auth, pccac,
                                                                       people):
    auth.login(people[Role.BOARD])
    # Late in the month so that the papers deadline (working days before) falls in it too.
    meeting = _meeting(pccac, date.today().replace(day=25))
    page = client.get("/committees/calendar").get_data(as_text=True)
    assert _listed(meeting, page)
    assert "PCCAC papers deadline (meeting 25 " in page
    due = pccac.effectiveness_review_due  # 31 March in the demo
    page = client.get(f"/committees/calendar?month={_month(due)}").get_data(as_text=True)
    assert "PCCAC annual effectiveness review" in page


def test_a_papers_deadline_shows_in_its_month_when_the_meeting_is_in_the_next(client, auth,
                                                                             pccac, people):
    auth.login(people[Role.BOARD])
    day = _next_month(date.today()).replace(day=3)  # five working days back is this month
    meeting = _meeting(pccac, day)
    page = client.get("/committees/calendar").get_data(as_text=True)
    assert f"PCCAC papers deadline (meeting {day:%d %b %Y})" in page
    assert not _listed(meeting, page)


def test_membership_renewals_of_the_month_only(client, auth, pccac, people):
    auth.login(people[Role.BOARD])
    month = _next_month(date.today())
    due, later, gone = pccac.members[:3]
    due.term_ends_on = month.replace(day=20)
    later.term_ends_on = _next_month(month).replace(day=1)
    gone.term_ends_on, gone.ended_on = month.replace(day=10), date.today()
    db.session.commit()
    page = client.get(f"/committees/calendar?month={_month(month)}").get_data(as_text=True)
    renewals = re.findall(r"PCCAC: (.*?)&#39;s membership due for renewal", page)
    assert renewals == [due.name]


def test_calendar_shows_this_month_by_default_and_not_the_next(client, auth, pccac, people):
    auth.login(people[Role.BOARD])
    today = date.today()
    this_month = _meeting(pccac, today.replace(day=15))
    next_month = _meeting(pccac, _next_month(today).replace(day=15))
    page = client.get("/committees/calendar").get_data(as_text=True)
    assert _heading(page) == f"Governance calendar: {today:%B %Y}"
    assert _listed(this_month, page)
    assert not _listed(next_month, page)

    page = client.get(f"/committees/calendar?month={_month(_next_month(today))}")
    page = page.get_data(as_text=True)
    assert _heading(page) == f"Governance calendar: {_next_month(today):%B %Y}"
    assert _listed(next_month, page)
    assert not _listed(this_month, page)


@pytest.mark.parametrize("month, previous, following", [
    ("2026-12", ("November 2026", "2026-11"), ("January 2027", "2027-01")),
    ("2027-01", ("December 2026", "2026-12"), ("February 2027", "2027-02")),
    ("2026-06", ("May 2026", "2026-05"), ("July 2026", "2026-07")),
])
def test_previous_and_next_links_name_and_open_the_neighbouring_months(
        client, auth, pccac, people, month, previous, following):
    auth.login(people[Role.BOARD])
    page = client.get(f"/committees/calendar?month={month}").get_data(as_text=True)
    links = _pager(page)
    assert links == {"Previous month": f"/committees/calendar?month={previous[1]}",
                     "Next month": f"/committees/calendar?month={following[1]}"}
    assert f'<span class="nhsuk-pagination__page">{previous[0]}</span>' in page
    assert f'<span class="nhsuk-pagination__page">{following[0]}</span>' in page
    shown = client.get(links["Next month"]).get_data(as_text=True)
    assert _heading(shown) == f"Governance calendar: {following[0]}"


@pytest.mark.parametrize("value", ["2026-13", "2026-00", "abc", "2026", "2026-05-01", "0001-01",
                                   "9999-12", "%00"])
def test_a_bad_month_shows_the_current_month_and_says_so(client, auth, pccac, people, value):
    auth.login(people[Role.BOARD])
    meeting = _meeting(pccac, date.today().replace(day=15))
    response = client.get("/committees/calendar", query_string={"month": value})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _heading(page) == f"Governance calendar: {date.today():%B %Y}"
    assert "is not a month this calendar can show" in page
    assert _listed(meeting, page)


def test_committee_filter_keeps_one_committees_events_and_the_month(client, auth, pccac,
                                                                    people):
    auth.login(people[Role.BOARD])
    arac = db.session.scalar(select(Committee).where(Committee.short_name == "ARAC"))
    month = _next_month(date.today())
    ours = _meeting(pccac, month.replace(day=15))
    theirs = _meeting(arac, month.replace(day=16))
    everyone = client.get(f"/committees/calendar?month={_month(month)}").get_data(as_text=True)
    assert _listed(ours, everyone) and _listed(theirs, everyone)
    # The filter form carries the month shown, so applying it stays on that month.
    assert f'<input type="hidden" name="month" value="{_month(month)}">' in everyone

    page = client.get(f"/committees/calendar?month={_month(month)}&committee={pccac.id}")
    page = page.get_data(as_text=True)
    assert _listed(ours, page) and not _listed(theirs, page)
    assert "ARAC" not in page.split("<table", 1)[1].split("</table>", 1)[0]
    assert f'<option value="{pccac.id}" selected>' in page
    assert _heading(page) == f"Governance calendar: {month:%B %Y}"
    links = _pager(page)  # moving between months keeps the committee
    assert all(f"committee={pccac.id}" in href for href in links.values()) and len(links) == 2


def test_unknown_committee_shows_every_committee(client, auth, pccac, people):
    auth.login(people[Role.BOARD])
    meeting = _meeting(pccac, date.today().replace(day=15))
    for value in ("999999", "abc"):
        response = client.get(f"/committees/calendar?committee={value}")
        assert response.status_code == 200
        assert _listed(meeting, response.get_data(as_text=True))


def test_feed_addresses_stay_on_the_page_folded_away(client, auth, pccac, people):
    auth.login(people[Role.BOARD])
    page = client.get("/committees/calendar").get_data(as_text=True)
    token = feed_token_for(people[Role.BOARD]).token
    details = page.split('<details class="nhsuk-details">', 1)[1].split("</details>", 1)[0]
    assert f"/committees/{pccac.id}/calendar/{token}.ics" in details
    assert page.index("<table") < page.index("Subscribe in Outlook")


def test_the_first_visit_makes_a_lasting_feed_address(client, auth, pccac, people):
    """The page saves a user's secret address the first time it makes one (and only then
    has anything to save): later visits show the same one, and it serves the feed."""
    auth.login(people[Role.BOARD])
    feed = re.compile(r"/committees/calendar/([^/<\s]+)\.ics")
    first = feed.search(client.get("/committees/calendar").get_data(as_text=True))[1]
    again = feed.search(client.get("/committees/calendar").get_data(as_text=True))[1]
    assert first == again
    assert client.get(f"/committees/calendar/{first}.ics").status_code == 200


def test_user_feed_is_icalendar_with_the_meetings_of_their_committees(client, pccac):
    bob = db.session.scalar(select(User).where(User.email == "board.member@example.org"))
    token = feed_token_for(bob).token
    db.session.commit()
    r = client.get(f"/committees/calendar/{token}.ics")  # no sign-in: Outlook has none
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    cal = Calendar.from_ical(r.data)
    summaries = [str(e["summary"]) for e in cal.walk("VEVENT")]
    assert "PCCAC meeting" in summaries and "ARAC meeting" not in summaries
    assert any(s.startswith("PCCAC papers deadline") for s in summaries)
    assert client.get("/committees/calendar/not-the-secret.ics").status_code == 404


def test_committee_feed_needs_a_valid_token(client, pccac, people):
    token = feed_token_for(people[Role.STAFF]).token
    db.session.commit()
    ok = client.get(f"/committees/{pccac.id}/calendar/{token}.ics")
    assert ok.status_code == 200
    meetings = [e for e in Calendar.from_ical(ok.data).walk("VEVENT")
                if str(e["summary"]) == "PCCAC meeting"]
    assert meetings, "the demo's planned meeting is in the feed"
    assert all(e.decoded("dtstart").astimezone(LONDON).hour == 10 for e in meetings)
    assert client.get(f"/committees/{pccac.id}/calendar/wrong.ics").status_code == 404


def test_papers_deadlines_agree_with_the_meetings_own(pccac):
    """The calendar works deadlines out from plain rows (issue 9); they must be the meeting
    page's, across bank holidays, New Year and a version approved between two meetings."""
    from riskapp.committees import calendar as cal
    from riskapp.meetings import services as meeting_services

    older = next(t for t in pccac.terms if t.version == "2.0")  # in force until Sept 2023
    older.papers_deadline_days = 10
    days = [date(2023, 3, 9), date(2024, 1, 3), date(2024, 5, 9), date(2024, 12, 30),
            date(2025, 4, 22), date(2025, 8, 28), date.today().replace(day=25)]
    meetings = [_meeting(pccac, day) for day in days]
    start, end = date(2023, 1, 1), max(days)
    committees = cal.calendar_committees(start, end, committee_ids=[pccac.id])
    shown = {e.meeting_id: e.day for e in cal.events(committees, start, end)
             if e.kind == "Papers deadline"}
    expected = {m.id: meeting_services.papers_deadline(m) for m in meetings}
    assert {i: shown.get(i) for i in expected} == expected
    assert expected[meetings[0].id] == date(2023, 2, 23)  # ten working days, under v2.0
