"""Governance calendar page and iCalendar feeds with a secret token."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from riskapp.auth.models import Role, User
from riskapp.committees.calendar import feed_token_for
from riskapp.extensions import db

LONDON = ZoneInfo("Europe/London")


def test_calendar_page_lists_meetings_deadlines_and_renewals(client, auth, pccac, people):
    auth.login(people[Role.BOARD])
    page = client.get("/committees/calendar").get_data(as_text=True)
    assert "PCCAC meeting" in page and "PCCAC papers deadline" in page
    assert "annual effectiveness review" in page


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
