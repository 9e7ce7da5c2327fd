"""What to chase, and whom, on a given day: the registry of reminder kinds.

DESIGN.md "Reminders" and issue 6: overdue risk actions go to the assignee and, once more than
`escalate_after_days` overdue, to the risk owner too; risks whose review is due go to the owner
and lead; the governance kinds (meeting actions, papers deadlines, terms of reference and
memberships due for review) go to assignees, presenters and the secretariat.

Every kind is a pure function from plain item dataclasses, `today` and a `Policy` to `Due`
records; the reminders service loads the items and writes the outbox. A `Due` is keyed by
(kind, item, recipient, period): the period is how often an item is chased while it stays due
(`chase_every`: a day, an ISO week or a month), so the outbox sends each key once.
No Flask and no SQLAlchemy here.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .actions import CLOSED_STATUSES, days_overdue, is_overdue

CHASE_PERIODS = ("day", "week", "month")


@dataclass(frozen=True)
class Policy:
    """The organisation's reminder settings (config REMINDERS_*)."""
    #: An overdue risk action also goes to the risk owner once it is more than this many days
    #: overdue (issue 6: default 14).
    escalate_after_days: int = 14
    #: How often an item is chased while it stays due: "day", "week" (ISO week) or "month".
    chase_every: str = "week"
    #: Start reminding about a papers deadline this many days before it.
    papers_notice_days: int = 7
    #: Start reminding about a ToR review or a membership renewal this many days before it.
    governance_notice_days: int = 30

    def __post_init__(self):
        if self.chase_every not in CHASE_PERIODS:
            raise ValueError(f"chase_every must be one of {CHASE_PERIODS}, not {self.chase_every!r}")
        if self.escalate_after_days < 0:
            raise ValueError("escalate_after_days must not be negative")


def period_key(today: date, every: str) -> str:
    """Return the chase period `today` falls in: 2023-11-29, 2023-W48 or 2023-11."""
    if every == "day":
        return today.isoformat()
    if every == "week":
        year, week, _ = today.isocalendar()
        return f"{year}-W{week:02d}"
    if every == "month":
        return f"{today:%Y-%m}"
    raise ValueError(f"chase period must be one of {CHASE_PERIODS}, not {every!r}")


def retry_delay(attempts: int, base_seconds: int, cap_seconds: int) -> int:
    """Seconds to wait before the next try after `attempts` failed ones: doubling, capped."""
    if attempts < 1 or base_seconds <= 0:
        return 0
    return min(cap_seconds, base_seconds * 2 ** min(attempts - 1, 30))


# --- The items each kind looks at ---------------------------------------------------------------

@dataclass(frozen=True)
class RiskActionItem:
    id: int
    risk_reference: str
    detail: str
    assignee_id: int | None
    assignee_name: str
    owner_id: int
    target_date: date | None
    status: str
    #: Actions on a closed or archived risk are not chased.
    risk_status: str = "Open"


@dataclass(frozen=True)
class RiskReviewItem:
    id: int
    reference: str
    title: str
    owner_id: int
    lead_id: int | None
    next_review_date: date | None
    status: str


@dataclass(frozen=True)
class MeetingActionItem:
    id: int
    meeting_title: str
    detail: str
    assignee_id: int | None
    due_date: date | None
    status: str
    meeting_id: int | None = None


@dataclass(frozen=True)
class PapersDeadlineItem:
    id: int  # the meeting
    meeting_title: str
    meeting_day: date
    papers_deadline: date
    presenter_ids: tuple[int, ...] = ()
    secretariat_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class TermsOfReferenceItem:
    id: int  # the ToR version in force
    committee_name: str
    review_due: date | None
    secretariat_ids: tuple[int, ...] = ()
    committee_id: int | None = None


@dataclass(frozen=True)
class MembershipItem:
    id: int
    committee_name: str
    member_name: str
    term_ends_on: date | None
    secretariat_ids: tuple[int, ...] = ()
    committee_id: int | None = None


@dataclass(frozen=True)
class Due:
    """One item to chase with one person in one period: a row of the outbox."""
    kind: str
    item_id: int
    recipient_id: int
    period: str
    #: What the item is, as the recipient reads it ("BAF0003: Winter plans mobilised").
    text: str
    due_date: date | None
    #: Why this person gets it, beyond the text ("12 days overdue", "escalated: ...").
    note: str = ""
    escalated: bool = False

    @property
    def key(self) -> tuple[str, int, int, str]:
        return (self.kind, self.item_id, self.recipient_id, self.period)

    @property
    def target(self) -> tuple[str, int, int]:
        """The (kind, item, recipient) a still-due check compares, whatever the period."""
        return (self.kind, self.item_id, self.recipient_id)


# --- The registry -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    name: str
    #: The heading of this kind's section in a digest.
    label: str
    find: Callable[[Iterable[Any], date, Policy], Iterator[Due]] = field(repr=False)
    #: The order sections appear in a digest.
    order: int = 0


KINDS: dict[str, Kind] = {}


def reminder_kind(name: str, label: str):
    """Register a "what is due on `today`" function as the reminder kind `name`."""
    def register(find):
        KINDS[name] = Kind(name, label, find, order=len(KINDS))
        return find
    return register


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


@reminder_kind("risk_action_overdue", "Overdue risk actions")
def overdue_risk_actions(items: Iterable[RiskActionItem], today: date,
                         policy: Policy) -> Iterator[Due]:
    """Chase the assignee of each overdue action; the risk owner too after the escalation days."""
    period = period_key(today, policy.chase_every)
    for item in items:
        if item.risk_status != "Open" or not is_overdue(item.target_date, item.status, today):
            continue
        late = days_overdue(item.target_date, item.status, today)
        text = f"{item.risk_reference}: {item.detail}"
        if item.assignee_id is not None:
            yield Due("risk_action_overdue", item.id, item.assignee_id, period, text,
                      item.target_date, f"{_days(late)} overdue")
        # Escalate after N days; an owner who is also the assignee already has it.
        if late > policy.escalate_after_days and item.owner_id != item.assignee_id:
            who = item.assignee_name or "nobody"
            yield Due("risk_action_overdue", item.id, item.owner_id, period, text,
                      item.target_date,
                      f"{_days(late)} overdue; escalated to you as risk owner, assigned to {who}",
                      escalated=True)


@reminder_kind("risk_review_due", "Risk reviews due")
def risk_reviews_due(items: Iterable[RiskReviewItem], today: date, policy: Policy) -> Iterator[Due]:
    """Chase the owner and the lead of each open risk whose review date has come."""
    period = period_key(today, policy.chase_every)
    for item in items:
        if item.status != "Open" or item.next_review_date is None or item.next_review_date > today:
            continue
        late = (today - item.next_review_date).days
        note = "review due today" if late == 0 else f"review {_days(late)} overdue"
        text = f"{item.reference}: {item.title}"
        for recipient in dict.fromkeys(r for r in (item.owner_id, item.lead_id) if r is not None):
            yield Due("risk_review_due", item.id, recipient, period, text, item.next_review_date,
                      note)


@reminder_kind("meeting_action_overdue", "Overdue meeting actions")
def overdue_meeting_actions(items: Iterable[MeetingActionItem], today: date,
                            policy: Policy) -> Iterator[Due]:
    """Chase the assignee of each overdue action on a meeting's action log."""
    period = period_key(today, policy.chase_every)
    for item in items:
        if item.assignee_id is None or not is_overdue(item.due_date, item.status, today):
            continue
        late = (today - item.due_date).days
        yield Due("meeting_action_overdue", item.id, item.assignee_id, period,
                  f"{item.meeting_title}: {item.detail}", item.due_date, f"{_days(late)} overdue")


@reminder_kind("papers_deadline", "Papers deadlines approaching")
def papers_deadlines(items: Iterable[PapersDeadlineItem], today: date,
                     policy: Policy) -> Iterator[Due]:
    """Remind presenters and the secretariat once, within the notice days before the deadline."""
    for item in items:
        if not (item.papers_deadline - timedelta(days=policy.papers_notice_days)
                <= today <= item.papers_deadline):
            continue
        left = (item.papers_deadline - today).days
        note = "papers due today" if left == 0 else f"papers due in {_days(left)}"
        text = f"{item.meeting_title} on {item.meeting_day:%d %b %Y}"
        # One reminder per deadline: the period is the deadline itself.
        for recipient in dict.fromkeys(item.presenter_ids + item.secretariat_ids):
            yield Due("papers_deadline", item.id, recipient, item.papers_deadline.isoformat(),
                      text, item.papers_deadline, note)


def _coming_up(day: date | None, today: date, notice_days: int) -> tuple[bool, str]:
    if day is None or day - timedelta(days=notice_days) > today:
        return False, ""
    delta = (day - today).days
    if delta > 0:
        return True, f"due in {_days(delta)}"
    return True, "due today" if delta == 0 else f"{_days(-delta)} overdue"


@reminder_kind("tor_review_due", "Terms of reference due for review")
def terms_of_reference_due(items: Iterable[TermsOfReferenceItem], today: date,
                           policy: Policy) -> Iterator[Due]:
    """Chase the secretariat for terms of reference whose review date is near or past."""
    period = period_key(today, policy.chase_every)
    for item in items:
        due, note = _coming_up(item.review_due, today, policy.governance_notice_days)
        if due:
            for recipient in dict.fromkeys(item.secretariat_ids):
                yield Due("tor_review_due", item.id, recipient, period,
                          f"{item.committee_name}: terms of reference review", item.review_due,
                          note)


@reminder_kind("membership_renewal_due", "Memberships due for renewal")
def memberships_due(items: Iterable[MembershipItem], today: date, policy: Policy) -> Iterator[Due]:
    """Chase the secretariat for memberships whose term ends soon or has ended."""
    period = period_key(today, policy.chase_every)
    for item in items:
        due, note = _coming_up(item.term_ends_on, today, policy.governance_notice_days)
        if due:
            for recipient in dict.fromkeys(item.secretariat_ids):
                yield Due("membership_renewal_due", item.id, recipient, period,
                          f"{item.committee_name}: {item.member_name}'s membership term ends",
                          item.term_ends_on, note)


def due_today(kind: str, items: Iterable[Any], today: date, policy: Policy) -> list[Due]:
    """Return what `kind` chases on `today` among `items`."""
    return list(KINDS[kind].find(items, today, policy))


def still_due(reminder_target: tuple[str, int, int], items: Iterable[Any], today: date,
              policy: Policy) -> bool:
    """Is a queued reminder still owed: same kind, item and recipient due on `today`?

    A reminder whose action was completed, cancelled or reassigned since it was queued is not,
    and is withdrawn rather than sent.
    """
    kind = reminder_target[0]
    return any(d.target == reminder_target for d in KINDS[kind].find(items, today, policy))


def digest(dues: Iterable[Due]) -> dict[int, list[tuple[Kind, list[Due]]]]:
    """Group dues by recipient, then by kind (registry order), each soonest due first."""
    grouped: dict[int, dict[str, list[Due]]] = defaultdict(lambda: defaultdict(list))
    for due in dues:
        grouped[due.recipient_id][due.kind].append(due)
    result = {}
    for recipient, by_kind in grouped.items():
        sections = sorted(by_kind.items(), key=lambda kv: KINDS[kv[0]].order)
        result[recipient] = [
            (KINDS[name], sorted(items, key=lambda d: (d.due_date or date.max, d.text, d.item_id)))
            for name, items in sections]
    return result


__all__ = ["CLOSED_STATUSES", "Due", "KINDS", "Kind", "Policy", "digest", "due_today",
           "period_key", "retry_delay", "still_due"]
