"""Where each reminder kind's items come from: one column query per kind, no object per row.

`candidates(today, policy)` narrows in SQL to what could be due (the rule decides); `by_ids(ids)`
reloads queued items before sending, so a completed, cancelled or reassigned one is withdrawn.
`link(item)` is the path a reminder points to, joined to BASE_URL by the service.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..extensions import db
from ..risks.models import Action, Risk
from ..rules import reminders as rules
from ..rules.actions import CLOSED_STATUSES

#: SQLite allows 32766 bound parameters; PostgreSQL 65535. Stay well under both.
CHUNK = 1000


@dataclass(frozen=True)
class Source:
    kind: str
    candidates: Callable[[date, rules.Policy], list[Any]]
    by_ids: Callable[[Sequence[int]], list[Any]]
    #: (endpoint, values) of the page a reminder links to.
    link: Callable[[Any], tuple[str, dict]]


SOURCES: dict[str, Source] = {}


def source(kind: str, by_ids, link):
    def register(candidates):
        SOURCES[kind] = Source(kind, candidates, by_ids, link)
        return candidates
    return register


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterable[Sequence[int]]:
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


# --- Risk actions ---------------------------------------------------------------------------

def _risk_action_stmt():
    assignee = aliased(User)
    return (select(Action.id, Risk.reference, Action.detail, Action.assignee_id,
                   assignee.name, Risk.owner_id, Action.target_date, Action.status, Risk.status)
            .join(Risk, Action.risk_id == Risk.id)
            .outerjoin(assignee, Action.assignee_id == assignee.id))


def _risk_action_items(rows) -> list[rules.RiskActionItem]:
    return [rules.RiskActionItem(id=r[0], risk_reference=r[1], detail=r[2], assignee_id=r[3],
                                 assignee_name=r[4] or "", owner_id=r[5], target_date=r[6],
                                 status=r[7], risk_status=r[8]) for r in rows]


def risk_actions_by_ids(ids: Sequence[int]) -> list[rules.RiskActionItem]:
    items = []
    for part in chunks(ids):
        items += _risk_action_items(db.session.execute(
            _risk_action_stmt().where(Action.id.in_(part))))
    return items


@source("risk_action_overdue", risk_actions_by_ids,
        lambda item: ("actions.progress", {"action_id": item.id}))
def overdue_risk_action_candidates(today: date, policy: rules.Policy):
    stmt = (_risk_action_stmt()
            .where(Action.target_date < today, Action.status.not_in(CLOSED_STATUSES),
                   Risk.status == "Open")
            .order_by(Action.id))
    return _risk_action_items(db.session.execute(stmt))


# --- Risk reviews ---------------------------------------------------------------------------

def _risk_review_stmt():
    return select(Risk.id, Risk.reference, Risk.title, Risk.owner_id, Risk.lead_id,
                  Risk.next_review_date, Risk.status)


def _risk_review_items(rows) -> list[rules.RiskReviewItem]:
    return [rules.RiskReviewItem(*r) for r in rows]


def risk_reviews_by_ids(ids: Sequence[int]) -> list[rules.RiskReviewItem]:
    items = []
    for part in chunks(ids):
        items += _risk_review_items(db.session.execute(_risk_review_stmt().where(Risk.id.in_(part))))
    return items


@source("risk_review_due", risk_reviews_by_ids,
        lambda item: ("risks.detail", {"reference": item.reference}))
def risk_review_candidates(today: date, policy: rules.Policy):
    stmt = (_risk_review_stmt()
            .where(Risk.status == "Open", Risk.next_review_date <= today)
            .order_by(Risk.id))
    return _risk_review_items(db.session.execute(stmt))



# --- Governance: the meetings engineer's action log, papers deadlines, ToR and memberships ---

def _secretariat_ids() -> tuple[int, ...]:
    """Everyone in the committee secretariat role: the models have no per-committee secretary."""
    from ..auth.models import Role
    return tuple(db.session.scalars(select(User.id).where(User.role == Role.SECRETARIAT,
                                                           User.active).order_by(User.id)))


def _meeting_action_stmt():
    from ..committees.models import Committee
    from ..meetings.models import Meeting, MeetingAction
    return (select(MeetingAction.id, func.coalesce(Committee.short_name, Committee.name),
                   Meeting.starts_at, MeetingAction.detail, MeetingAction.assignee_id,
                   MeetingAction.due_date, MeetingAction.status, MeetingAction.meeting_id)
            .join(Meeting, MeetingAction.meeting_id == Meeting.id)
            .join(Committee, Meeting.committee_id == Committee.id))


def _meeting_action_items(rows) -> list[rules.MeetingActionItem]:
    from ..meetings.services import as_london
    return [rules.MeetingActionItem(id=r[0], meeting_title=f"{r[1]} {as_london(r[2]):%d %b %Y}",
                                    detail=r[3], assignee_id=r[4], due_date=r[5], status=r[6],
                                    meeting_id=r[7]) for r in rows]


def meeting_actions_by_ids(ids: Sequence[int]) -> list[rules.MeetingActionItem]:
    from ..meetings.models import MeetingAction
    items = []
    for part in chunks(ids):
        items += _meeting_action_items(db.session.execute(
            _meeting_action_stmt().where(MeetingAction.id.in_(part))))
    return items


@source("meeting_action_overdue", meeting_actions_by_ids,
        lambda item: ("meetings.detail", {"meeting_id": item.meeting_id, "_anchor": "actions"}))
def overdue_meeting_action_candidates(today: date, policy: rules.Policy):
    from ..meetings.models import MeetingAction
    stmt = (_meeting_action_stmt()
            .where(MeetingAction.due_date < today, MeetingAction.status.not_in(CLOSED_STATUSES),
                   MeetingAction.assignee_id.is_not(None))
            .order_by(MeetingAction.id))
    return _meeting_action_items(db.session.execute(stmt))


def _papers_items(meetings) -> list[rules.PapersDeadlineItem]:
    from ..meetings import services as meeting_services
    secretariat = _secretariat_ids()
    # Presenters are free text on agenda items: matched to people by their name.
    names = {name.casefold(): uid for uid, name in db.session.execute(
        select(User.id, User.name).where(User.active))}
    items = []
    for meeting in meetings:
        deadline = meeting_services.papers_deadline(meeting)
        if deadline is None or meeting.status != "Planned":
            continue
        # Only presenters whose papers are still to come (issue 17): a paper received is done.
        presenters = tuple(dict.fromkeys(
            names[p.presenter.strip().casefold()] for p in meeting.items
            if p.presenter and p.presenter.strip().casefold() in names
            and p.papers_status in ("awaited", "none")))
        committee = meeting.committee
        items.append(rules.PapersDeadlineItem(
            id=meeting.id, meeting_title=committee.short_name or committee.name,
            meeting_day=meeting_services.local_day(meeting), papers_deadline=deadline,
            presenter_ids=presenters, secretariat_ids=secretariat))
    return items


def _meetings_stmt():
    from sqlalchemy.orm import selectinload
    from ..committees.models import Committee
    from ..meetings.models import AgendaItem, Meeting
    return select(Meeting).options(selectinload(Meeting.committee).selectinload(Committee.terms),
                                   selectinload(Meeting.items).selectinload(AgendaItem.papers))


def papers_by_ids(ids: Sequence[int]) -> list[rules.PapersDeadlineItem]:
    from ..meetings.models import Meeting
    items = []
    for part in chunks(ids):
        items += _papers_items(db.session.scalars(_meetings_stmt().where(Meeting.id.in_(part))))
    return items


@source("papers_deadline", papers_by_ids,
        lambda item: ("meetings.detail", {"meeting_id": item.id}))
def papers_deadline_candidates(today: date, policy: rules.Policy):
    from ..meetings.models import Meeting
    # A deadline within the notice days belongs to a meeting at most that many days plus the
    # working days (at most a fortnight's worth, with bank holidays) later.
    start = datetime.combine(today, time.min, tzinfo=timezone.utc)
    horizon = start + timedelta(days=policy.papers_notice_days + 60)
    stmt = (_meetings_stmt()
            .where(Meeting.status == "Planned", Meeting.starts_at >= start,
                   Meeting.starts_at < horizon)
            .order_by(Meeting.starts_at))
    return _papers_items(db.session.scalars(stmt))


def _tor_stmt():
    from ..committees.models import Committee, TermsOfReference
    return (select(TermsOfReference.id, Committee.name, TermsOfReference.review_due,
                   TermsOfReference.committee_id)
            .join(Committee, TermsOfReference.committee_id == Committee.id)
            .where(TermsOfReference.status == "in_force"))


def _tor_items(rows) -> list[rules.TermsOfReferenceItem]:
    secretariat = _secretariat_ids()
    return [rules.TermsOfReferenceItem(id=r[0], committee_name=r[1], review_due=r[2],
                                       secretariat_ids=secretariat, committee_id=r[3])
            for r in rows]


def tor_by_ids(ids: Sequence[int]) -> list[rules.TermsOfReferenceItem]:
    from ..committees.models import TermsOfReference
    items = []
    for part in chunks(ids):
        items += _tor_items(db.session.execute(_tor_stmt().where(TermsOfReference.id.in_(part))))
    return items


@source("tor_review_due", tor_by_ids,
        lambda item: ("committees.terms", {"committee_id": item.committee_id, "tor_id": item.id}))
def tor_candidates(today: date, policy: rules.Policy):
    from ..committees.models import TermsOfReference
    stmt = _tor_stmt().where(
        TermsOfReference.review_due <= today + timedelta(days=policy.governance_notice_days))
    return _tor_items(db.session.execute(stmt.order_by(TermsOfReference.id)))


def _membership_stmt():
    from ..committees.models import Committee, CommitteeMember
    return (select(CommitteeMember.id, Committee.name,
                   func.coalesce(User.name, CommitteeMember.person_name),
                   CommitteeMember.term_ends_on, CommitteeMember.committee_id)
            .join(Committee, CommitteeMember.committee_id == Committee.id)
            .outerjoin(User, CommitteeMember.user_id == User.id)
            .where(CommitteeMember.ended_on.is_(None)))


def _membership_items(rows) -> list[rules.MembershipItem]:
    secretariat = _secretariat_ids()
    return [rules.MembershipItem(id=r[0], committee_name=r[1], member_name=r[2] or "A member",
                                 term_ends_on=r[3], secretariat_ids=secretariat,
                                 committee_id=r[4]) for r in rows]


def memberships_by_ids(ids: Sequence[int]) -> list[rules.MembershipItem]:
    from ..committees.models import CommitteeMember
    items = []
    for part in chunks(ids):
        items += _membership_items(db.session.execute(
            _membership_stmt().where(CommitteeMember.id.in_(part))))
    return items


@source("membership_renewal_due", memberships_by_ids,
        lambda item: ("committees.detail", {"committee_id": item.committee_id,
                                            "_anchor": "members"}))
def membership_candidates(today: date, policy: rules.Policy):
    from ..committees.models import CommitteeMember
    stmt = _membership_stmt().where(
        CommitteeMember.term_ends_on <= today + timedelta(days=policy.governance_notice_days))
    return _membership_items(db.session.execute(stmt.order_by(CommitteeMember.id)))
