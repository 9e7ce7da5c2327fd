"""The governance calendar: meetings, papers deadlines, reviews due, memberships to renew.

One list of events feeds the page and the iCalendar feeds (written with `icalendar`).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from types import SimpleNamespace
from typing import NamedTuple

from icalendar import Calendar, Event
from sqlalchemy import and_, bindparam, func, select

from ..auth.models import User
from ..extensions import db
from ..meetings import services as meeting_services
from ..meetings.models import Meeting
from ..rules import working_days
from . import services as committee_services
from .models import CalendarFeedToken, Committee, CommitteeMember, TermsOfReference


class CalendarTerms(NamedTuple):
    """What the calendar reads of a version of a committee's terms of reference."""
    id: int
    version: str
    status: str
    approved_on: date | None
    review_due: date | None
    papers_deadline_days: int


@dataclass(eq=False)
class CalendarCommittee:
    """What the calendar reads of a committee, as plain rows rather than ORM objects.

    Loading every committee with its terms, members and users as objects, and each meeting
    near the month, was half the calendar page's time at a large trust (issue 9).
    """
    id: int
    name: str
    short_name: str | None
    effectiveness_review_due: date | None
    #: Approved versions (in force or superseded; drafts govern no date), by id.
    terms: list[CalendarTerms] = field(default_factory=list)
    #: Memberships not ended whose term ends in the window asked for: id, name, term_ends_on.
    renewals: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass
class CalendarEvent:
    uid: str
    day: date
    kind: str
    title: str
    committee: CalendarCommittee
    starts_at: datetime | None = None  #: meetings only (UTC)
    meeting_id: int | None = None


def calendar_committees(renewals_from: date, renewals_to: date,
                        committee_ids: Collection[int] | None = None,
                        member_ids: Collection[int] | None = None) -> list[CalendarCommittee]:
    """Committees by name (all, or those of `committee_ids`) with what `events()` reads.

    Renewals are the memberships not ended whose term ends from `renewals_from` to
    `renewals_to` (only those of `member_ids` when given: a personal feed).
    """
    st = _statements(committee_ids is not None, member_ids is not None)
    params = {"from": renewals_from, "to": renewals_to}
    if committee_ids is not None:
        params["committee_ids"] = list(committee_ids)
    if member_ids is not None:
        params["member_ids"] = list(member_ids)
    out: dict[int, CalendarCommittee] = {}
    # Each committee with its approved versions in one statement: a row a version, or one
    # row with no version.
    for row in db.session.execute(st.committees, params):
        committee = out.get(row.id)
        if committee is None:
            committee = out[row.id] = CalendarCommittee(
                row.id, row.name, row.short_name, row.effectiveness_review_due)
        if row.tor_id is not None:
            committee.terms.append(CalendarTerms(row.tor_id, row.version, row.status,
                                                 row.approved_on, row.review_due,
                                                 row.papers_deadline_days))
    for row in db.session.execute(st.renewals, params):
        out[row.committee_id].renewals.append(row)
    return list(out.values())


@functools.cache
def _statements(by_committee: bool, by_member: bool) -> SimpleNamespace:
    """`calendar_committees`' and `events`' statements, built once for each kind of filter:
    building them cost as much as running them (issue 9)."""
    committees = (select(Committee.id, Committee.name, Committee.short_name,
                         Committee.effectiveness_review_due,
                         TermsOfReference.id.label("tor_id"), TermsOfReference.version,
                         TermsOfReference.status, TermsOfReference.approved_on,
                         TermsOfReference.review_due,
                         # the committee's own deadline when it has one (issue 16)
                         func.coalesce(Committee.papers_deadline_days,
                                       TermsOfReference.papers_deadline_days)
                         .label("papers_deadline_days"))
                  .outerjoin(TermsOfReference,
                             and_(TermsOfReference.committee_id == Committee.id,
                                  TermsOfReference.status != "draft"))
                  .order_by(Committee.name, Committee.id, TermsOfReference.id))
    renewals = (select(CommitteeMember.committee_id, CommitteeMember.id,
                       func.coalesce(User.name, CommitteeMember.person_name).label("name"),
                       CommitteeMember.term_ends_on)
                .outerjoin(User, User.id == CommitteeMember.user_id)
                .where(CommitteeMember.ended_on.is_(None),
                       CommitteeMember.term_ends_on >= bindparam("from"),
                       CommitteeMember.term_ends_on <= bindparam("to"))
                .order_by(CommitteeMember.id))
    if by_committee:
        ids = bindparam("committee_ids", expanding=True)
        committees = committees.where(Committee.id.in_(ids))
        renewals = renewals.where(CommitteeMember.committee_id.in_(ids))
    if by_member:
        renewals = renewals.where(CommitteeMember.id.in_(bindparam("member_ids",
                                                                    expanding=True)))
    meetings = (select(Meeting.id, Meeting.committee_id, Meeting.starts_at)
                .where(Meeting.committee_id.in_(bindparam("committee_ids", expanding=True)),
                       Meeting.status != "Cancelled", Meeting.starts_at >= bindparam("from"),
                       Meeting.starts_at < bindparam("to"))
                .order_by(Meeting.starts_at))
    return SimpleNamespace(committees=committees, renewals=renewals, meetings=meetings)


def feed_memberships(user_id: int, today: date) -> tuple[set[int], set[int]]:
    """A personal feed's committees (those the user is a member of today) and the user's
    memberships of them, past ones too."""
    rows = db.session.execute(
        select(CommitteeMember.id, CommitteeMember.committee_id, CommitteeMember.appointed_on,
               CommitteeMember.ended_on).where(CommitteeMember.user_id == user_id)).all()
    # CommitteeMember.is_current, on rows.
    committees = {m.committee_id for m in rows
                  if m.appointed_on <= today and (m.ended_on is None or m.ended_on > today)}
    return committees, {m.id for m in rows if m.committee_id in committees}


def papers_deadline(day: date, tor) -> date:
    """The papers deadline of a meeting on `day` under `tor`, as meetings.services works it
    out for a meeting (tests/committees/test_calendar.py checks they agree)."""
    holidays = working_days.england_and_wales_bank_holidays([day.year - 1, day.year])
    return working_days.papers_deadline(day, tor.papers_deadline_days, holidays)


def events(committees: list[CalendarCommittee], start: date,
           end: date) -> list[CalendarEvent]:
    """Every calendar event of `committees` from `start` to `end`, by day.

    Membership renewals are those `committees` carry (see `calendar_committees`).
    """
    by_id = {c.id: c for c in committees}
    # Only meetings near the window (issue 9: 2,000 meetings over five years at a large
    # trust): a meeting after `end` may still have its papers deadline inside it. N working
    # days never span more than 2N + 14 calendar days (weekends, and at most a few bank
    # holidays together at Christmas), so a month's page loads weeks of meetings, not months.
    lead = max((t.papers_deadline_days or 0 for c in committees for t in c.terms), default=0)
    meetings = db.session.execute(_statements(False, False).meetings, {
        "committee_ids": list(by_id),
        "from": datetime.combine(start - timedelta(days=1), time(), timezone.utc),
        "to": datetime.combine(end + timedelta(days=2 * lead + 15), time(), timezone.utc)})
    out: list[CalendarEvent] = []
    for m in meetings:
        c = by_id[m.committee_id]
        starts_at = meeting_services.as_london(m.starts_at)
        day = starts_at.date()
        if start <= day <= end:
            out.append(CalendarEvent(f"meeting-{m.id}@riskapp", day, "Meeting",
                                     f"{c.label} meeting", c, starts_at, m.id))
        tor = committee_services.tor_on(c, day)
        deadline = papers_deadline(day, tor) if tor is not None else None
        if deadline and start <= deadline <= end:
            out.append(CalendarEvent(f"papers-{m.id}@riskapp", deadline, "Papers deadline",
                                     f"{c.label} papers deadline (meeting {day:%d %b %Y})",
                                     c, meeting_id=m.id))
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
        for m in c.renewals:
            if start <= m.term_ends_on <= end:
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
    return feed_token_made(user)[0]


def feed_token_made(user) -> tuple[CalendarFeedToken, bool]:
    """The user's feed token, and whether it was made now (only then has the caller anything
    to commit: a commit with nothing to save still expired the page's user and token, and
    read both again, issue 9)."""
    token = db.session.scalar(select(CalendarFeedToken).where(CalendarFeedToken.user_id == user.id))
    if token is not None:
        return token, False
    token = CalendarFeedToken(user_id=user.id)
    db.session.add(token)
    db.session.flush()
    return token, True


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
