"""Private business (Part 2 items, their papers and minutes, draft minutes): who sees it.

Builds the rule's `Reader` from rows and answers for pages, the API and documents alike, so
every route asks the same question. Those who may not see something get 404, never 403:
a refusal would tell them it exists.
"""
from __future__ import annotations

from flask import abort

from ..committees.models import CommitteeMember
from ..rules.private_business import Reader, sees_item, sees_minutes, sees_private_business
from . import services
from .models import AgendaItem, Meeting


def reader(user, meeting: Meeting) -> Reader:
    """What the rule needs to know about `user` for `meeting`."""
    if not getattr(user, "is_authenticated", False):
        return Reader("anonymous")
    role = getattr(user.role, "value", str(user.role))
    day = services.local_day(meeting)
    member = any(m.user_id == user.id for m in services.members_of(meeting))
    officer = any(o.user_id == user.id for o in meeting.officers)
    parent = meeting.committee.parent
    parent_member = parent is not None and any(
        m.user_id == user.id and m.is_current(day) for m in parent.members)
    return Reader(role, member=member, officer=officer, parent_member=parent_member)


def sees_private(user, meeting: Meeting) -> bool:
    return sees_private_business(reader(user, meeting))


def visible_items(user, meeting: Meeting) -> list[AgendaItem]:
    """The agenda as `user` may see it: private items only for those allowed."""
    allowed = sees_private(user, meeting)
    return [i for i in meeting.items if sees_item_as(allowed, i)]


def sees_item_as(private_allowed: bool, item: AgendaItem) -> bool:
    return not item.private or private_allowed


def sees_draft_minutes(user, meeting: Meeting) -> bool:
    return sees_minutes(reader(user, meeting), meeting.minutes_locked)


def require_item(user, item: AgendaItem) -> None:
    """404 unless `user` may see the item (and so its papers and minutes)."""
    if not sees_item(reader(user, item.meeting), item.private):
        abort(404)


def require_minutes(user, meeting: Meeting) -> None:
    """404 unless `user` may read the meeting's minutes as they stand."""
    if not sees_draft_minutes(user, meeting):
        abort(404)


def is_member_user(user, member: CommitteeMember) -> bool:
    return member.user_id is not None and member.user_id == getattr(user, "id", None)
