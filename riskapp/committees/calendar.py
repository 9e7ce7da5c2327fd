"""The governance calendar: meetings, papers deadlines, reviews due, memberships to renew.

One list of events feeds the page and the iCalendar feeds (written with `icalendar`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..meetings import services as meeting_services
from ..meetings.models import Meeting
from .models import CalendarFeedToken, Committee, CommitteeMember


@dataclass
class CalendarEvent:
    uid: str
    day: date
    kind: str
    title: str
    committee: Committee
    starts_at: datetime | None = None  #: meetings only (UTC)
    meeting_id: int | None = None


def events(committees: list[Committee], start: date, end: date,
           member_ids: set[int] | None = None) -> list[CalendarEvent]:
    """Every calendar event of `committees` from `start` to `end`, by day.

    `member_ids` limits membership renewals to those people (a personal feed).
    """
    ids = [c.id for c in committees]
    # Only meetings near the window (issue 9: 2,000 meetings over five years at a large
    # trust): a meeting after `end` may still have its papers deadline inside it. N working
    # days never span more than 2N + 14 calendar days (weekends, and at most a few bank
    # holidays together at Christmas), so a month's page loads weeks of meetings, not months.
    lead = max((t.papers_deadline_days or 0 for c in committees for t in c.terms), default=0)
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.committee_id.in_(ids), Meeting.status != "Cancelled",
                              Meeting.starts_at >= datetime.combine(start - timedelta(days=1),
                                                                    time(), timezone.utc),
                              Meeting.starts_at < datetime.combine(
                                  end + timedelta(days=2 * lead + 15), time(), timezone.utc))
        .order_by(Meeting.starts_at)).all()
    out: list[CalendarEvent] = []
    for m in meetings:
        day = meeting_services.local_day(m)
        label = m.committee.label
        if start <= day <= end:
            out.append(CalendarEvent(f"meeting-{m.id}@riskapp", day, "Meeting",
                                     f"{label} meeting", m.committee,
                                     meeting_services.as_london(m.starts_at), m.id))
        deadline = meeting_services.papers_deadline(m)
        if deadline and start <= deadline <= end:
            out.append(CalendarEvent(f"papers-{m.id}@riskapp", deadline, "Papers deadline",
                                     f"{label} papers deadline (meeting {day:%d %b %Y})",
                                     m.committee, meeting_id=m.id))
    for c in committees:
        for t in c.terms:
            if t.status == "in_force" and t.review_due and start <= t.review_due <= end:
                out.append(CalendarEvent(f"tor-{t.id}@riskapp", t.review_due,
                                         "Terms of reference review",
                                         f"{c.label} terms of reference v{t.version} due for "
                                         "review", c))
        if c.effectiveness_review_due and start <= c.effectiveness_review_due <= end:
            out.append(CalendarEvent(f"effectiveness-{c.id}-{c.effectiveness_review_due}"
                                     "@riskapp", c.effectiveness_review_due,
                                     "Effectiveness review",
                                     f"{c.label} annual effectiveness review", c))
        for m in c.members:
            if m.ended_on is None and m.term_ends_on and start <= m.term_ends_on <= end and \
                    (member_ids is None or m.id in member_ids):
                out.append(CalendarEvent(f"renewal-{m.id}@riskapp", m.term_ends_on,
                                         "Membership renewal",
                                         f"{c.label}: {m.name}'s membership due for renewal",
                                         c))
    return sorted(out, key=lambda e: (e.day, e.kind))


def month_shown(value: str | None, today: date) -> tuple[date, bool]:
    """The first day of the month named by `?month=YYYY-MM`, and whether the value was usable.

    A missing or malformed value (a typed URL, `2026-13`) means the current month: the page
    says so rather than failing.
    """
    if not value:
        return today.replace(day=1), True
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
    # A century either way: far enough for any governance date, and it keeps the previous
    # and next links and the meetings looked at around the month inside what `date` holds.
    if found and 1 <= int(found[2]) <= 12 and abs(int(found[1]) - today.year) <= 100:
        return date(int(found[1]), int(found[2]), 1), True
    return today.replace(day=1), False


def add_months(first: date, n: int) -> date:
    """The first day of the month `n` months after (or before) the one starting on `first`."""
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    return add_months(first, 1) - timedelta(days=1)


def committees_with_terms(renewals_from: date | None = None, renewals_to: date | None = None):
    """Every committee with its terms and members, for `events()`.

    Given a window, each committee's `members` holds only those whose renewal falls in it:
    all `events()` reads of them, and a month's page then loads a dozen members rather than
    every member and their user (issue 9). Such committees are for that page only, as their
    member lists are partial.
    """
    members = Committee.members
    if renewals_from is not None and renewals_to is not None:
        members = members.and_(CommitteeMember.ended_on.is_(None),
                               CommitteeMember.term_ends_on >= renewals_from,
                               CommitteeMember.term_ends_on <= renewals_to)
    return (select(Committee).options(selectinload(Committee.terms),
                                      selectinload(members).selectinload(CommitteeMember.user))
            .order_by(Committee.name))


def to_ical(name: str, items: list[CalendarEvent], url_for_meeting) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//riskapp//governance calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/London")
    stamp = datetime.now(timezone.utc)
    for e in items:
        ev = Event()
        ev.add("uid", e.uid)
        ev.add("dtstamp", stamp)
        ev.add("summary", e.title)
        if e.starts_at is not None:
            start = e.starts_at.astimezone(timezone.utc)
            ev.add("dtstart", start)
            ev.add("dtend", start + timedelta(hours=2))
            ev.add("url", url_for_meeting(e.meeting_id))
        else:
            ev.add("dtstart", e.day)
            ev.add("dtend", e.day + timedelta(days=1))
            ev.add("transp", "TRANSPARENT")
        ev.add("categories", [e.kind])
        cal.add_component(ev)
    return cal.to_ical()


def feed_token_for(user) -> CalendarFeedToken:
    token = db.session.scalar(select(CalendarFeedToken).where(CalendarFeedToken.user_id == user.id))
    if token is None:
        token = CalendarFeedToken(user_id=user.id)
        db.session.add(token)
        db.session.flush()
    return token


def reset_feed_token(user) -> CalendarFeedToken:
    import secrets
    token = feed_token_for(user)
    token.token = secrets.token_urlsafe(32)
    db.session.flush()
    return token


def user_by_feed_token(secret: str):
    token = db.session.scalar(select(CalendarFeedToken).where(CalendarFeedToken.token == secret))
    if token is None or not token.user.active:
        return None
    return token.user
