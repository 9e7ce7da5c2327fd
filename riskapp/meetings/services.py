"""Meeting verbs: agenda, attendance, quoracy per item, forecast, declarations, votes, minutes.

Builds the framework-free rules' dataclasses from rows (rules/quoracy.py, rules/voting.py,
rules/working_days.py) and shows their results. Services flush, never commit.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from types import SimpleNamespace
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, bindparam, func, select, union_all
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..committees import services as committee_services
from ..committees.models import Committee, CommitteeMember
from .. import record as version_store
from ..extensions import db
from ..loading import fill, unloaded, with_related
from ..risks.services import check_version
from ..risks.models import Risk
from ..rules import meetings as meeting_rules
from ..rules import quoracy, record, voting, working_days
from .models import (ATTENDANCE_STATUSES, DECISION_METHODS, DECLARATION_ACTIONS,
                     OFFICER_STATUSES, AgendaItem, Attendance, Declaration, Meeting,
                     MeetingAction, MeetingOfficer, MinuteCorrection, Paper, Vote,
                     agenda_item_risks)

logger = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")


class MeetingError(ValueError):
    """A refused change, with the field it is about (for forms and the API)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


class MeetingLocked(MeetingError):
    """A change to a meeting whose minutes are approved: its record is locked (API: 409)."""

    def __init__(self, meeting: Meeting):
        approved_at = meeting.minutes_approved_at
        super().__init__(record.locked_message(
            meeting.minutes_approved_on, str(approved_at) if approved_at else None))


def is_record_locked(meeting: Meeting) -> bool:
    """Is this meeting's record locked (its minutes approved)? Ask this before any change to
    its attendance, declarations, items, decisions, votes, minutes or actions as raised."""
    return record.is_record_locked(meeting.minutes_status)


def refuse_if_locked(meeting: Meeting) -> None:
    """Raise MeetingLocked when the meeting's record is locked; call first in every write."""
    if is_record_locked(meeting):
        raise MeetingLocked(meeting)


# ---------------------------------------------------------------------------------------------
# Loading


def load(meeting_id: int, *, risks: bool = False, votes: bool = False,
         actions: bool = False) -> Meeting | None:
    """One meeting with what its pages read, or None: a plain statement per table.

    Always filled: the committee, its terms of reference (with the positions and requirements
    of the version governing the meeting's day), its members with their users, the agenda,
    the attendance register and the declarations. On request: each item's risks and votes,
    and the meeting's action log with assignees.

    Issue 9: the joinedload/selectinload chains this replaces cost more CPU than the
    statements they ran (3.5 ms of a 9 ms meeting page at 5,000 risks). Plain selects fill
    the same relationships with `set_committed_value` for about a third of that. Only
    relationships not loaded yet are filled, so nothing already in the session (or changed
    in it) is overwritten, and anything not filled here still loads lazily when read.
    """
    st = _statements()
    row = db.session.execute(st.meeting, {"id": meeting_id}).first()
    if row is None:
        return None
    meeting, committee = row
    fill(meeting, "committee", committee)
    if unloaded(committee, "members") and unloaded(meeting, "attendances"):
        _fill_members_and_register(meeting, committee)
    committee_services.fill_terms_and_members(committee, lambda _: tor_of(meeting))
    if risks and unloaded(meeting, "items"):
        _fill_items_with_risks(meeting)
    for name in ("items", "attendances", "declarations"):
        if unloaded(meeting, name):
            fill(meeting, name, db.session.scalars(getattr(st, name), {"id": meeting.id}).all())
    # Papers always: the agenda shows each item's paper status (issue 17).
    _fill_items(meeting, "papers", st.papers)
    if risks:
        _fill_items(meeting, "risks", st.risks)
    if votes:
        _fill_items(meeting, "votes", st.votes)
    if actions and unloaded(meeting, "actions"):
        fill(meeting, "actions",
             with_related(db.session.execute(st.actions, {"id": meeting.id}), "assignee"))
    return meeting


@functools.cache
def _statements() -> SimpleNamespace:
    """The statements of `load`, built once: building them cost as much as running them."""
    id_ = bindparam("id")
    return SimpleNamespace(
        meeting=select(Meeting, Committee).join(Meeting.committee).where(Meeting.id == id_),
        items=select(AgendaItem).where(AgendaItem.meeting_id == id_)
        .order_by(AgendaItem.sort_order, AgendaItem.id),
        attendances=select(Attendance).where(Attendance.meeting_id == id_,
                                             Attendance.status.is_not(None))
        .order_by(Attendance.id),
        members_attending=select(CommitteeMember, User, Attendance)
        .outerjoin(CommitteeMember.user)
        .outerjoin(Attendance, and_(Attendance.member_id == CommitteeMember.id,
                                    Attendance.meeting_id == id_,
                                    Attendance.status.is_not(None)))
        .where(CommitteeMember.committee_id == bindparam("committee_id"))
        .order_by(CommitteeMember.id),
        declarations=select(Declaration).where(Declaration.meeting_id == id_)
        .order_by(Declaration.id),
        items_with_risks=select(AgendaItem, Risk)
        .outerjoin(agenda_item_risks, agenda_item_risks.c.item_id == AgendaItem.id)
        .outerjoin(Risk, Risk.id == agenda_item_risks.c.risk_id)
        .where(AgendaItem.meeting_id == id_)
        .order_by(AgendaItem.sort_order, AgendaItem.id, Risk.reference),
        risks=select(agenda_item_risks.c.item_id, Risk)
        .join(Risk, Risk.id == agenda_item_risks.c.risk_id)
        .join(AgendaItem, AgendaItem.id == agenda_item_risks.c.item_id)
        .where(AgendaItem.meeting_id == id_).order_by(Risk.reference),
        votes=select(Vote.item_id, Vote).join(Vote.item).where(AgendaItem.meeting_id == id_)
        .order_by(Vote.id),
        papers=select(Paper.item_id, Paper).join(Paper.item).where(AgendaItem.meeting_id == id_)
        .order_by(Paper.id),
        actions=select(MeetingAction, User).outerjoin(MeetingAction.assignee)
        .where(MeetingAction.meeting_id == id_).order_by(MeetingAction.id),
        # A committee's meetings held from `from` to before `to` (UTC), each with its
        # register (a row with no member when nobody is recorded).
        year_register=select(Meeting.id, Meeting.starts_at, Attendance.member_id,
                             Attendance.status)
        .outerjoin(Attendance, and_(Attendance.meeting_id == Meeting.id,
                                    Attendance.status.is_not(None)))
        .where(Meeting.committee_id == bindparam("committee_id"), Meeting.status == "Held",
               Meeting.starts_at >= bindparam("from"), Meeting.starts_at < bindparam("to"))
        .order_by(Meeting.starts_at, Meeting.id),
        # The meeting's own actions and the open ones of the committee's earlier meetings.
        # Chosen by id from a union: one condition with OR made SQLite read every action.
        action_log=select(MeetingAction, Meeting.starts_at, User).join(MeetingAction.meeting)
        .outerjoin(MeetingAction.assignee)
        .where(MeetingAction.id.in_(union_all(
            select(MeetingAction.id).where(MeetingAction.meeting_id == id_),
            select(MeetingAction.id).join(MeetingAction.meeting)
            .where(Meeting.committee_id == bindparam("committee_id"),
                   Meeting.starts_at < bindparam("before"), MeetingAction.status == "Open"))))
        .order_by(MeetingAction.due_date, MeetingAction.id),
    )


def _fill_members_and_register(meeting: Meeting, committee: Committee) -> None:
    """Fill the committee's members (with their users) and the meeting's register from one
    statement: each member with their attendance at this meeting, if recorded.

    A meeting's register only names its committee's members (`record_attendance` refuses
    anyone else), so every attendance comes with its member.
    """
    members, register = [], []
    for member, user, attendance in db.session.execute(
            _statements().members_attending, {"id": meeting.id, "committee_id": committee.id}):
        fill(member, "user", user)
        members.append(member)
        if attendance is not None:
            fill(attendance, "member", member)
            register.append(attendance)
    fill(committee, "members", members)
    fill(meeting, "attendances", sorted(register, key=lambda a: a.id))


def _fill_items_with_risks(meeting: Meeting) -> None:
    """Fill the agenda and each item's risks from one statement: a row an item and risk,
    or an item with none (a round trip less on PostgreSQL, issue 9)."""
    items: dict[int, AgendaItem] = {}
    risks: dict[int, list[Risk]] = {}
    for item, risk in db.session.execute(_statements().items_with_risks, {"id": meeting.id}):
        items.setdefault(item.id, item)
        if risk is not None:
            risks.setdefault(item.id, []).append(risk)
    fill(meeting, "items", list(items.values()))
    for item in items.values():
        fill(item, "risks", risks.get(item.id, []))


def _fill_items(meeting: Meeting, name: str, stmt) -> None:
    """Fill one collection of every agenda item from (item id, row) pairs, in one statement."""
    todo = [i for i in meeting.items if unloaded(i, name)]
    if not todo:
        return
    found: dict[int, list] = {}
    for item_id, obj in db.session.execute(stmt, {"id": meeting.id}):
        found.setdefault(item_id, []).append(obj)
    for item in todo:
        fill(item, name, found.get(item.id, []))


class MeetingListPage(Pagination):
    """A page of meetings, latest first, as plain rows with the committee's name.

    The id breaks ties between meetings at the same time, so pages never repeat or skip one.
    Issue 9: Meeting objects with their committees joined were most of the list's time, for
    the ten columns the page and the API show. The total is a separate count: a window count
    with the rows made SQLite read and sort every meeting instead of the page's by index.
    """

    def _query_items(self) -> list:
        committee_id = self._query_args["committee_id"]
        st = _list_statements()
        return db.session.execute(
            st.filtered if committee_id else st.all,
            {"committee_id": committee_id, "limit": self.per_page,
             "offset": self._query_offset}).all()

    def _query_count(self) -> int:
        committee_id = self._query_args["committee_id"]
        st = _list_statements()
        return db.session.scalar(st.count_filtered if committee_id else st.count,
                                 {"committee_id": committee_id})


def meetings_page(page: int, per_page: int, committee_id: int | None = None) -> MeetingListPage:
    return MeetingListPage(page=page, per_page=per_page, max_per_page=None, error_out=False,
                           committee_id=committee_id)


@functools.cache
def _list_statements() -> SimpleNamespace:
    """The meetings list's statements, built once."""
    rows = (select(Meeting.id, Meeting.committee_id, Committee.name.label("committee_name"),
                   Meeting.starts_at, Meeting.location, Meeting.remote, Meeting.has_public_part,
                   Meeting.has_private_part, Meeting.status, Meeting.minutes_status)
            .join(Committee, Committee.id == Meeting.committee_id)
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
            .limit(bindparam("limit")).offset(bindparam("offset")))
    in_committee = Meeting.committee_id == bindparam("committee_id")
    count = select(func.count()).select_from(Meeting)
    return SimpleNamespace(all=rows, filtered=rows.where(in_committee),
                           count=count, count_filtered=count.where(in_committee))


def local_day(meeting: Meeting) -> date:
    return as_london(meeting.starts_at).date()


def as_london(value: datetime) -> datetime:
    if value.tzinfo is None:  # SQLite returns naive UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(LONDON)


def members_of(meeting: Meeting) -> list[CommitteeMember]:
    """Members of the committee on the meeting's day."""
    return committee_services.current_members(meeting.committee, local_day(meeting))


def tor_of(meeting: Meeting):
    return committee_services.tor_on(meeting.committee, local_day(meeting))


def papers_deadline(meeting: Meeting) -> date | None:
    """N working days before the meeting, England and Wales bank holidays not counted."""
    tor = tor_of(meeting)
    if tor is None:
        return None
    day = local_day(meeting)
    holidays = working_days.england_and_wales_bank_holidays([day.year - 1, day.year])
    days = committee_services.papers_deadline_days(meeting.committee, tor)
    return working_days.papers_deadline(day, days, holidays)


# ---------------------------------------------------------------------------------------------
# Meetings and agenda


def create_meeting(committee: Committee, data: dict) -> Meeting:
    if committee.dissolved_on is not None:  # kept read-only (issue 16)
        raise MeetingError(f"{committee.name} was dissolved on "
                           f"{committee.dissolved_on:%-d %B %Y}: it holds no more meetings")
    meeting = Meeting(committee=committee, location="", remote=False, has_public_part=True,
                      has_private_part=False, status="Planned", minutes_status="draft")
    db.session.add(meeting)
    update_meeting(meeting, data)
    db.session.flush()
    if meeting.status == "Planned":
        from .reports import place_waiting_reports
        place_waiting_reports(meeting)  # committees' approved highlight reports (issue 17)
    return meeting


def update_meeting(meeting: Meeting, data: dict, *, seen_version=None,
                   now: datetime | None = None) -> None:
    """Change a meeting's details; `seen_version` refuses a save from an older version."""
    check_version(meeting, seen_version)
    refuse_if_locked(meeting)
    for name in ("starts_at", "ends_at", "location", "remote", "has_public_part",
                 "has_private_part", "status"):
        if name in data:
            value = data[name]
            if isinstance(value, datetime):
                # Stored in UTC: SQLite keeps no offset, and the page filters read UTC.
                value = (value if value.tzinfo else value.replace(tzinfo=LONDON)) \
                    .astimezone(timezone.utc)
            setattr(meeting, name, value)
    if not (meeting.location or "").strip() and not meeting.remote:
        raise MeetingError("Enter where the meeting is held, or say it is remote", "location")
    if not meeting.has_public_part and not meeting.has_private_part:
        raise MeetingError("A meeting has a public part, a private part or both",
                           "has_public_part")
    starts_at = as_london(meeting.starts_at) if meeting.starts_at else None
    refusal = meeting_rules.held_too_early(meeting.status, starts_at,
                                           now or datetime.now(timezone.utc))
    if refusal:
        raise MeetingError(refusal, "status")
    db.session.flush()


def add_item(meeting: Meeting, data: dict) -> AgendaItem:
    refuse_if_locked(meeting)
    if any(i.number == data["number"] for i in meeting.items):
        raise MeetingError(f"Item {data['number']} is already on the agenda", "number")
    item = AgendaItem(sort_order=len(meeting.items) + 1)
    meeting.items.append(item)
    update_item(item, data)
    return item


def update_item(item: AgendaItem, data: dict) -> None:
    refuse_if_locked(item.meeting)
    if "number" in data and any(i.number == data["number"] and i is not item
                                for i in item.meeting.items):
        raise MeetingError(f"Item {data['number']} is already on the agenda", "number")
    for name in ("number", "title", "presenter", "private", "purpose", "papers_expected",
                 "duration_minutes"):
        if name in data:
            setattr(item, name, data[name])
    if "risks" in data:
        item.risks = list(data["risks"])
    if item.private and not item.meeting.has_private_part:
        raise MeetingError("This meeting has no private part: add one to the meeting first",
                           "private")
    db.session.flush()


# ---------------------------------------------------------------------------------------------
# Attendance


def attendance_of(meeting: Meeting) -> dict[int, Attendance]:
    return {a.member_id: a for a in meeting.attendances}


def record_attendance(meeting: Meeting, member: CommitteeMember, data: dict) -> Attendance:
    """Record (or change) one member's attendance; refuse what cannot be right."""
    refuse_if_locked(meeting)
    return _set_attendance(meeting, member, data)


def _set_attendance(meeting: Meeting, member: CommitteeMember, data: dict) -> Attendance:
    if member not in members_of(meeting):
        raise MeetingError(f"{member.name} is not a member of the committee on the day",
                           "member_id")
    status = data.get("status")
    if status not in ATTENDANCE_STATUSES:
        raise MeetingError("Choose how the member attended", "status")
    deputy = (data.get("deputy_name") or "").strip() or None
    if status == "deputy" and not deputy:
        raise MeetingError("Enter the name of the deputy", "deputy_name")
    if status != "deputy" and deputy:
        raise MeetingError("Only name a deputy when the member is represented by one",
                           "deputy_name")
    arrived, left = data.get("arrived_at_item"), data.get("left_at_item")
    for field, item in (("arrived_at_item_id", arrived), ("left_at_item_id", left)):
        if item is not None and item.meeting_id != meeting.id:
            raise MeetingError("Choose an item of this meeting", field)
        if item is not None and status not in ("present", "remote", "deputy"):
            raise MeetingError("Only someone who attended can arrive late or leave early", field)
    order = {i.id: n for n, i in enumerate(meeting.items)}
    if arrived is not None and left is not None and order[left.id] <= order[arrived.id]:
        raise MeetingError("They must leave at an item after the one they arrived at",
                           "left_at_item_id")
    if deputy:
        for other in meeting.attendances:
            if other.member_id != member.id and other.deputy_name and \
                    other.deputy_name.casefold() == deputy.casefold():
                raise MeetingError(f"{deputy} already stands in for {other.member.name}: "
                                   "one deputy stands in for one member", "deputy_name")
    att = attendance_of(meeting).get(member.id)
    if att is None:
        att = _new_attendance(meeting, member, status, deputy)
    att.status, att.deputy_name = status, deputy
    att.cleared_at = att.cleared_by_id = None
    att.arrived_at_item, att.left_at_item = arrived, left
    db.session.flush()
    return att


def _new_attendance(meeting: Meeting, member: CommitteeMember, status: str,
                    deputy: str | None) -> Attendance:
    """The member's attendance row when they have no mark: the row of a cleared mark, or a
    first one; if a double-click's other request saved it first (the unique key on meeting
    and member), that row, to be changed like any other."""
    from sqlalchemy.exc import IntegrityError
    db.session.flush()  # the meeting and member have their ids; only this row is at stake
    cleared = db.session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                         Attendance.member_id == member.id))
    if cleared is not None:
        cleared.status, cleared.deputy_name = status, deputy
        db.session.flush()
        db.session.expire(meeting, ["attendances"])
        return cleared
    try:
        with db.session.begin_nested():
            att = Attendance(meeting_id=meeting.id, member_id=member.id, status=status,
                             deputy_name=deputy)
            db.session.add(att)
    except IntegrityError as error:
        logger.info("Attendance of member %s at meeting %s saved by another request first: %s",
                    member.id, meeting.id, error.orig)
        att = db.session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                         Attendance.member_id == member.id))
    db.session.expire(meeting, ["attendances"])
    return att


@dataclass
class ItemQuoracy:
    item: AgendaItem | None
    result: quoracy.QuoracyResult
    present_ids: list[int]
    excluded_ids: list[int]
    deputies: list[quoracy.Deputy]


@dataclass
class MeetingQuoracy:
    inputs: committee_services.RuleInputs | None
    meeting: ItemQuoracy | None
    items: dict[int, ItemQuoracy]


def exclusions(meeting: Meeting) -> dict[int, set[int]]:
    """Member ids excluded from each item by a declared interest."""
    out: dict[int, set[int]] = {}
    for d in meeting.declarations:
        if d.excludes and d.item_id is not None and d.member_id is not None:
            out.setdefault(d.item_id, set()).add(d.member_id)
    return out


def _decide(inputs, attending, index, excluded, item, seen: dict) -> ItemQuoracy:
    """Quoracy at agenda position `index` (0: the start) from `_attending` spans."""
    present, deputies = [], []
    for member_id, deputy, start, end in attending:
        if start <= index < end:
            if deputy is None:
                present.append(member_id)
            else:
                deputies.append(deputy)
    # Most items have the same people present and nobody excluded: decide each distinct case
    # once (`seen`, per meeting); the results are read, never changed.
    key = (tuple(present), tuple(deputies), frozenset(excluded))
    result = seen.get(key)
    if result is None:
        result = seen[key] = quoracy.decide_quoracy(inputs.rule, inputs.positions,
                                                    inputs.members, present, deputies, excluded)
    return ItemQuoracy(item, result, present, sorted(excluded), deputies)


def _attending(meeting: Meeting, member_ids: set[int], order: dict[int, int]) -> list[tuple]:
    """(member id, their deputy or None, first agenda position present, first position gone)
    for each member of the day who attends, by member id: read once, not once an item.

    Present at position n (0: the start) when first <= n < gone: from the item they arrived
    at (the start if none), until the item they left before (the end if none).
    """
    return _spans(meeting.attendances, member_ids, order)


def _spans(rows, member_ids: set[int], order: dict[int, int]) -> list[tuple]:
    """`_attending` of any rows with the attendance's fields (saved or only on the screen)."""
    out = []
    for att in sorted(rows, key=lambda a: a.member_id):
        if att.member_id not in member_ids or att.status not in ("present", "remote", "deputy"):
            continue
        deputy = quoracy.Deputy(att.member_id, att.deputy_name) \
            if att.status == "deputy" else None
        # None, or an item no longer on the agenda, counts as the start / the end.
        start = order.get(att.arrived_at_item_id, 0)
        end = order.get(att.left_at_item_id, 10**6)
        out.append((att.member_id, deputy, start, end))
    return out


def rule_inputs_of(meeting: Meeting) -> committee_services.RuleInputs | None:
    """The quorum rule, positions and members on the meeting's day (None: no ToR then)."""
    tor = tor_of(meeting)
    return None if tor is None else committee_services.rule_inputs(tor, members_of(meeting))


@dataclass(frozen=True)
class Mark:
    """A register row as it is on the screen, not saved: what the quoracy preview counts."""
    member_id: int
    status: str
    deputy_name: str | None
    arrived_at_item_id: int | None
    left_at_item_id: int | None


def marks_on_screen(meeting: Meeting, marks: dict[int, dict]) -> list[Mark]:
    """The register as it would be with the submitted `marks` (as `record_register` takes
    them) over the saved rows: plain values, nothing in the session is changed."""
    rows = {a.member_id: Mark(a.member_id, a.status, a.deputy_name, a.arrived_at_item_id,
                              a.left_at_item_id) for a in meeting.attendances}
    for member_id, data in marks.items():
        status = data.get("status") or ""
        deputy = (data.get("deputy_name") or "").strip() or None
        if not status or (status == "deputy" and not deputy):  # a deputy counts once named
            rows.pop(member_id, None)
            continue
        attends = status in ("present", "remote", "deputy")
        arrived, left = (data.get("arrived_at_item"), data.get("left_at_item")) if attends \
            else (None, None)
        rows[member_id] = Mark(member_id, status, deputy if status == "deputy" else None,
                               getattr(arrived, "id", None), getattr(left, "id", None))
    return list(rows.values())


def preview_quoracy(meeting: Meeting, marks: dict[int, dict]) -> MeetingQuoracy:
    """Quoracy with the marks on the screen, computed from them; nothing is written."""
    return meeting_quoracy(meeting, rows=marks_on_screen(meeting, marks))


def meeting_quoracy(meeting: Meeting, inputs=None, rows=None) -> MeetingQuoracy:
    """Quoracy at the start of the meeting and for every agenda item, from the register.

    `inputs`: `rule_inputs_of(meeting)` when the caller has it already; `rows`: the register
    to count instead of the saved one (the preview's `marks_on_screen`).
    """
    inputs = inputs or rule_inputs_of(meeting)
    if inputs is None:
        return MeetingQuoracy(None, None, {})
    order = {i.id: n for n, i in enumerate(meeting.items)}
    member_ids = {m.id for m in inputs.members}
    excluded = exclusions(meeting)
    attending = _attending(meeting, member_ids, order) if rows is None \
        else _spans(rows, member_ids, order)
    seen: dict = {}
    whole = _decide(inputs, attending, 0, set(), None, seen)
    items = {item.id: _decide(inputs, attending, n, excluded.get(item.id, set()) & member_ids,
                              item, seen)
             for n, item in enumerate(meeting.items)}
    return MeetingQuoracy(inputs, whole, items)


def forecast(meeting: Meeting, inputs=None) -> dict:
    """Before the meeting: who is expected from apologies and named deputies, item by item.

    `inputs`: `rule_inputs_of(meeting)` when the caller has it already.
    """
    inputs = inputs or rule_inputs_of(meeting)
    if inputs is None:
        return {}
    member_ids = {m.id for m in inputs.members}
    atts = [a for a in meeting.attendances if a.member_id in member_ids]
    apologies = [a.member_id for a in atts if a.status in ("apologies", "absent")]
    deputies = [quoracy.Deputy(a.member_id, a.deputy_name) for a in atts if a.status == "deputy"]
    excluded = exclusions(meeting)
    whole = quoracy.forecast_quoracy(inputs.rule, inputs.positions, inputs.members,
                                     apologies, deputies)
    out = {"meeting": whole}
    # One forecast per distinct set of exclusions: only those differ between items.
    seen = {(): whole}
    for item in meeting.items:
        barred = tuple(sorted(excluded.get(item.id, set()) & member_ids))
        if barred not in seen:
            seen[barred] = quoracy.forecast_quoracy(inputs.rule, inputs.positions,
                                                    inputs.members, apologies, deputies, barred)
        out[item.id] = seen[barred]
    return out


# ---------------------------------------------------------------------------------------------
# Declarations


def record_declaration(meeting: Meeting, data: dict) -> Declaration:
    refuse_if_locked(meeting)
    member, name = data.get("member"), (data.get("person_name") or "").strip() or None
    if member is None and not name:
        raise MeetingError("Choose the member, or type the name of the person declaring",
                           "member_id")
    if member is not None and member not in members_of(meeting):
        raise MeetingError(f"{member.name} is not a member on the day", "member_id")
    interest = (data.get("interest") or "").strip()
    if not interest:
        raise MeetingError("Describe the interest", "interest")
    action = data.get("action") or "noted"
    if action not in DECLARATION_ACTIONS:
        raise MeetingError("Choose what was done about the interest", "action")
    item = data.get("item")
    if item is not None and item.meeting_id != meeting.id:
        raise MeetingError("Choose an item of this meeting", "item_id")
    if action != "noted" and item is None:
        raise MeetingError("Say which item they are excluded from", "item_id")
    declaration = Declaration(meeting=meeting, member=member, person_name=None if member else name,
                              interest=interest, action=action, item=item)
    db.session.add(declaration)
    db.session.flush()
    return declaration


def interests_register(committee_id: int | None = None):
    """Every declaration across meetings, by person then date."""
    stmt = (select(Declaration)
            .options(joinedload(Declaration.member).joinedload(CommitteeMember.user),
                     joinedload(Declaration.meeting).joinedload(Meeting.committee),
                     joinedload(Declaration.item))
            .join(Declaration.meeting).order_by(Meeting.starts_at.desc(), Declaration.id))
    if committee_id:
        stmt = stmt.where(Meeting.committee_id == committee_id)
    return stmt


# ---------------------------------------------------------------------------------------------
# Decisions and votes


def _require_quorate(item: AgendaItem, q: MeetingQuoracy) -> ItemQuoracy:
    if q.inputs is None:
        raise MeetingError("The committee has no terms of reference for this meeting's date")
    iq = q.items[item.id]
    if not iq.result.quorate:
        raise MeetingError("Item " + item.number + " is not quorate, so it cannot be decided: "
                           + "; ".join(iq.result.shortfalls) + " missing")
    if item.decided:
        raise MeetingError(f"Item {item.number} has already been decided")
    return iq


def roster_for(item: AgendaItem, q: MeetingQuoracy) -> list[voting.Voter]:
    iq = q.items[item.id]
    return voting.voting_roster(q.inputs.positions, q.inputs.members, iq.present_ids,
                                iq.excluded_ids, iq.result.deputies_counted)


def item_chair_id(item: AgendaItem, q: MeetingQuoracy) -> int | None:
    iq = q.items[item.id]
    chair, deputy = voting.committee_chairs(q.inputs.positions, q.inputs.members)
    present = set(iq.present_ids) | {d.for_member_id for d in iq.result.deputies_counted}
    return voting.item_chair(chair, deputy, present, iq.excluded_ids)


def record_consensus(item: AgendaItem, decision: str) -> None:
    refuse_if_locked(item.meeting)
    if not decision.strip():
        raise MeetingError("Enter the decision", "decision")
    _require_quorate(item, meeting_quoracy(item.meeting))
    item.decision_method, item.outcome = "consensus", decision.strip()
    if not item.minutes_decision:
        item.minutes_decision = decision.strip()
    db.session.flush()


def record_vote(item: AgendaItem, ballots: list[tuple[int, str]], casting_vote: str | None,
                by=None, motion: str | None = None) -> Vote:
    """Decide a vote on a quorate item; refuse ineligible voters with the reason, and a vote
    with no motion: minutes must say what was carried (issue 17)."""
    refuse_if_locked(item.meeting)
    motion = (motion or "").strip()
    if not motion:
        raise MeetingError("Enter the motion put to the vote", "motion")
    q = meeting_quoracy(item.meeting)
    iq = _require_quorate(item, q)
    tor = tor_of(item.meeting)
    roster = roster_for(item, q)
    chair_id = item_chair_id(item, q)
    try:
        result = voting.decide_vote(roster, [voting.Ballot(i, c) for i, c in ballots], chair_id,
                                    casting_vote or None, tor.majority_base)
    except voting.InvalidVote as exc:
        raise MeetingError("; ".join(exc.problems), "ballots") from None
    names = {v.id: v.name for v in roster}
    snapshot = {
        "present": [names[i] for i in iq.present_ids],
        "deputies": [{"for_member_id": d.for_member_id, "name": d.name}
                     for d in iq.result.deputies_counted],
        "eligible": [{"member_id": v.id, "name": v.name} for v in roster if v.eligible],
        "ineligible": [{"member_id": v.id, "name": v.name, "why": v.ineligible_reason}
                       for v in roster if not v.eligible],
        "ballots": [{"member_id": i, "name": names[i], "choice": c} for i, c in ballots],
        "chair": names.get(chair_id) if chair_id else None,
        "did_not_vote": list(result.did_not_vote),
        "quoracy": committee_services.quoracy_json(iq.result),
    }
    vote = Vote(item=item, majority_base=result.majority_base, votes_for=result.votes_for,
                votes_against=result.votes_against, abstentions=result.abstentions,
                carried=result.carried, tied=result.tied, casting_vote=result.casting_vote,
                casting_voter_name=result.casting_voter_name, summary=result.summary,
                snapshot=snapshot, recorded_by_id=getattr(by, "id", None), motion=motion)
    db.session.add(vote)
    item.decision_method, item.outcome, item.motion = "vote", result.summary, motion
    if not item.minutes_decision:
        # The minutes resolve the motion in words; the count is recorded beside it.
        item.minutes_decision = motion if result.carried else "The motion was not carried."
    db.session.flush()
    return vote


# ---------------------------------------------------------------------------------------------
# Minutes


def _check_correction(meeting: Meeting, reason: str | None, approved_at: Meeting | None) -> None:
    if not (reason or "").strip():
        raise MeetingError("Give the reason for the correction", "reason")
    if approved_at is None:
        raise MeetingError("Choose the later meeting that approved the correction",
                           "approved_at_id")
    if approved_at is not None and (
            approved_at.committee_id != meeting.committee_id
            or as_london(approved_at.starts_at) <= as_london(meeting.starts_at)):
        raise MeetingError("A correction is approved at a later meeting of the same committee",
                           "approved_at_id")


def _attendance_words(att: Attendance | None) -> str:
    if att is None:
        return "Not recorded"
    words = ATTENDANCE_STATUSES.get(att.status, att.status)
    if att.deputy_name:
        words += f" ({att.deputy_name})"
    if att.arrived_at_item is not None:
        words += f", arrived at item {att.arrived_at_item.number}"
    if att.left_at_item is not None:
        words += f", left before item {att.left_at_item.number}"
    return words


def correct_attendance(meeting: Meeting, member: CommitteeMember, data: dict, *, reason: str,
                       approved_at: Meeting | None, by=None) -> MinuteCorrection:
    """Correct a member's attendance at a meeting whose record is locked.

    The correction records who, when, what (the attendance before and after, in words), why
    and the later meeting that approved it; the register, quoracy and attendance report then
    use the corrected attendance and say it was corrected.
    """
    if not is_record_locked(meeting):
        raise MeetingError("These minutes are not approved yet: change the register instead")
    _check_correction(meeting, reason, approved_at)
    before = attendance_of(meeting).get(member.id)
    was = _attendance_words(before)
    att = _set_attendance(meeting, member, data)
    now = _attendance_words(att)
    if now == was:
        raise MeetingError("Nothing was changed", "status")
    correction = MinuteCorrection(
        meeting=meeting, record="attendance", record_id=att.id, field="attendance",
        what=f"Attendance of {member.name}", old_text=was, new_text=now, reason=reason.strip(),
        approved_at=approved_at, corrected_by_id=getattr(by, "id", None))
    db.session.add(correction)
    _stamp_transaction([correction])
    return correction


def _stamp_transaction(corrections: list[MinuteCorrection]) -> None:
    """Flush the corrected record, then keep the version store's transaction on each
    correction: the trail matches the changes it made by it."""
    db.session.flush()
    tx_id = version_store.transaction_id(db.session)
    for correction in corrections:
        correction.transaction_id = tx_id
    db.session.flush()


#: What a correction can change on each kind of locked record: field -> words for it.
CORRECTABLE = {
    "declaration": {"interest": "interest declared", "action": "what was done"},
    "item": {"title": "title", "presenter": "presenter"},
    "decision": {"decision_method": "how it was decided", "outcome": "decision"},
    "vote": {"votes_for": "votes for", "votes_against": "votes against",
             "abstentions": "abstentions", "carried": "result"},
}


def _correction_words(kind: str, field: str, value) -> str:
    if value is None or value == "":
        return "Not recorded"
    if field == "action":
        return DECLARATION_ACTIONS.get(value, value)
    if field == "decision_method":
        return DECISION_METHODS.get(value, value)
    if field == "carried":
        return "Carried" if value else "Not carried"
    return str(value)


def correction_subject(kind: str, record) -> str:
    """The locked record a correction is about, in words."""
    if kind == "declaration":
        where = f" on item {record.item.number}" if record.item else ""
        return f"Declaration by {record.who}{where}"
    item = record if kind in ("item", "decision") else record.item
    return {"item": f"Item {item.number}", "decision": f"Item {item.number} decision",
            "vote": f"Item {item.number} vote"}[kind]


def correct_record(meeting: Meeting, kind: str, record, values: dict, *, reason: str,
                   approved_at: Meeting | None, by=None) -> list[MinuteCorrection]:
    """Correct a declaration, an agenda item, a decision or a vote of a meeting whose minutes
    are approved: each changed field becomes a correction (who, when, what, was and now in
    words, why, the later meeting that approved it) and the record takes the corrected value.
    The approved value stays readable in the correction. A vote's counts and result are
    corrected; the roster it was taken from (its snapshot) is kept as it was."""
    if not is_record_locked(meeting):
        raise MeetingError("These minutes are not approved yet: change the record instead")
    _check_correction(meeting, reason, approved_at)
    what = correction_subject(kind, record)
    corrections = []
    for field, label in CORRECTABLE[kind].items():
        if field not in values:
            continue
        old, new = getattr(record, field), values[field]
        if isinstance(new, str):
            new = new.strip()
            if field in ("interest", "title") and not new:
                raise MeetingError(f"Enter the {label}", field)
        if old == new or (old in (None, "") and new in (None, "")):
            continue
        corrections.append(MinuteCorrection(
            # A vote's or declaration's item too: the item's page lists it, and it is private
            # business when the item is.
            meeting=meeting, item=record if kind in ("item", "decision") else record.item,
            record=kind, record_id=record.id, field=field, what=f"{what}, {label}",
            old_text=_correction_words(kind, field, old),
            new_text=_correction_words(kind, field, new), reason=reason.strip(),
            approved_at=approved_at, corrected_by_id=getattr(by, "id", None)))
        setattr(record, field, new)
    if not corrections:
        raise MeetingError("Nothing was changed", next(iter(CORRECTABLE[kind])))
    if kind == "vote":
        plural = "" if record.abstentions == 1 else "s"
        approved_summary = record.summary
        record.summary = (f"{'Carried' if record.carried else 'Not carried'}: "
                          f"{record.votes_for} for, {record.votes_against} against, "
                          f"{record.abstentions} abstention{plural} (corrected)")
        if record.item.outcome == approved_summary:  # the item's decision is the vote's count
            record.item.outcome = record.summary
    db.session.add_all(corrections)
    _stamp_transaction(corrections)
    return corrections


def corrections_of(meeting: Meeting, *, private_ok: bool = True) -> list[MinuteCorrection]:
    """Every correction to the meeting's locked record, oldest first; `private_ok` False
    leaves out those of private (Part 2) items and their votes and declarations."""
    corrections = list(db.session.scalars(
        select(MinuteCorrection).where(MinuteCorrection.meeting_id == meeting.id)
        .options(joinedload(MinuteCorrection.corrected_by),
                 joinedload(MinuteCorrection.approved_at))
        .order_by(MinuteCorrection.id)))
    if private_ok:
        return corrections
    private = {i.id for i in meeting.items if i.private}
    items = correction_items(corrections)
    return [c for c in corrections if items.get(c.id) not in private]


def correction_items(corrections) -> dict[int, int | None]:
    """The agenda item each correction belongs to (None: the whole meeting), by correction id.
    Vote and declaration corrections recorded before they named their item are found by
    their record."""
    out = {c.id: c.item_id for c in corrections}
    missing = {kind: {c.record_id for c in corrections if c.record == kind and not c.item_id}
               for kind in ("vote", "declaration")}
    found = {}
    for kind, model in (("vote", Vote), ("declaration", Declaration)):
        if missing[kind]:
            found[kind] = dict(db.session.execute(select(model.id, model.item_id).where(
                model.id.in_(missing[kind]))).all())
    for c in corrections:
        if c.record in found and not c.item_id:
            out[c.id] = found[c.record].get(c.record_id)
    return out


@dataclass(frozen=True)
class CorrectedParts:
    """Which parts of a meeting's record were corrected after approval, to mark them where
    they are shown (the register, declarations, agenda, quoracy, minutes)."""
    attendance: frozenset   #: Attendance ids
    declarations: frozenset  #: Declaration ids
    items: frozenset        #: item ids whose title or presenter was corrected
    minutes: frozenset      #: item ids whose minutes text was corrected
    decisions: frozenset    #: item ids whose decision or vote was corrected
    #: Items whose quoracy is worked out from a corrected declaration on them.
    declared_on: frozenset
    #: What was corrected that quoracy is worked out from (attendance, declarations), in words.
    quoracy_words: tuple


def corrected_parts(corrections: list[MinuteCorrection]) -> CorrectedParts:
    items = correction_items(corrections)
    by = {kind: [c for c in corrections if c.record == kind]
          for kind in ("attendance", "declaration", "item", "decision", "vote")}
    quoracy_words = []
    for c in by["attendance"] + by["declaration"]:
        subject = c.what.split(", ")[0] if c.record == "declaration" else c.what
        if subject not in quoracy_words:
            quoracy_words.append(subject)
    return CorrectedParts(
        attendance=frozenset(c.record_id for c in by["attendance"]),
        declarations=frozenset(c.record_id for c in by["declaration"]),
        items=frozenset(c.record_id for c in by["item"] if not c.field.startswith("minutes")),
        minutes=frozenset(c.record_id for c in by["item"] if c.field.startswith("minutes")),
        decisions=frozenset(items[c.id] for c in by["decision"] + by["vote"]),
        declared_on=frozenset(items[c.id] for c in by["declaration"] if items[c.id]),
        quoracy_words=tuple(quoracy_words))


def update_minutes(item: AgendaItem, discussion: str, decision: str, by=None,
                   reason: str | None = None,
                   approved_at: Meeting | None = None) -> list[MinuteCorrection]:
    """Edit draft minutes; once approved, only record a correction, keeping the earlier text."""
    meeting = item.meeting
    if not meeting.minutes_locked:
        item.minutes_discussion, item.minutes_decision = discussion, decision
        db.session.flush()
        return []
    if not (reason or "").strip():
        raise MeetingError("These minutes are approved: give the reason for the correction",
                           "reason")
    _check_correction(meeting, reason, approved_at)
    corrections = []
    for field, new in (("minutes_discussion", discussion), ("minutes_decision", decision)):
        old = getattr(item, field)
        if old != new:
            corrections.append(MinuteCorrection(
                item=item, meeting=meeting, record="item", record_id=item.id, field=field,
                what=f"Item {item.number} minutes, "
                     + ("discussion" if field == "minutes_discussion" else "decision"),
                old_text=old, new_text=new, reason=reason.strip(), approved_at=approved_at,
                corrected_by_id=getattr(by, "id", None)))
            setattr(item, field, new)
    if not corrections:
        raise MeetingError("Nothing was changed", "minutes_discussion")
    db.session.add_all(corrections)
    _stamp_transaction(corrections)
    return corrections


def approve_minutes(meeting: Meeting, at_meeting: Meeting) -> None:
    """Approve the minutes at a later meeting of the same committee; they are then locked."""
    if meeting.minutes_locked:
        raise MeetingError("These minutes are already approved")
    if at_meeting.committee_id != meeting.committee_id or \
            as_london(at_meeting.starts_at) <= as_london(meeting.starts_at):
        raise MeetingError("Minutes are approved at a later meeting of the same committee",
                           "at_meeting_id")
    meeting.minutes_status = "approved"
    meeting.minutes_approved_at = at_meeting
    meeting.minutes_approved_on = local_day(at_meeting)
    db.session.flush()


# ---------------------------------------------------------------------------------------------
# Action log


def add_action(meeting: Meeting, data: dict) -> MeetingAction:
    refuse_if_locked(meeting)
    if not (data.get("detail") or "").strip():
        raise MeetingError("Describe the action", "detail")
    action = MeetingAction(meeting=meeting, detail=data["detail"].strip(),
                           assignee_id=data.get("assignee_id"), due_date=data.get("due_date"),
                           original_due_date=data.get("due_date"), item_id=data.get("item_id"))
    db.session.add(action)
    db.session.flush()
    return action


#: An action as raised at the meeting is part of its minutes; its progress is not.
ACTION_AS_RAISED = ("detail", "assignee_id", "due_date")


def update_action(action: MeetingAction, data: dict, today: date) -> None:
    """Update an action of the log. Progress (update, status) stays open after the minutes are
    approved; what was raised (detail, assignee, due date) is locked with them."""
    if is_record_locked(action.meeting) and any(
            name in data and data[name] != getattr(action, name) for name in ACTION_AS_RAISED):
        raise MeetingLocked(action.meeting)
    for name in ("detail", "assignee_id", "due_date", "update"):
        if name in data:
            setattr(action, name, data[name])
    status = data.get("status", action.status)
    if status != action.status:
        action.status = status
        action.closed_on = None if status == "Open" else today
    db.session.flush()


class ActionRow(NamedTuple):
    """An action of the log as its table shows it: who it is assigned to, and (for one
    carried forward) when the meeting it came from was held."""

    action: MeetingAction
    assignee_name: str | None
    from_starts_at: datetime | None = None


def action_log(meeting: Meeting) -> tuple[list[ActionRow], list[ActionRow]]:
    """The meeting's own actions (by id), and the open actions of the committee's earlier
    meetings brought to it until closed (by due date), in one statement.

    Rows carry the assignee's name and the earlier meeting's start. Issue 9: whole rows of
    those meetings were two thirds of the time for a committee with a few dozen open
    actions, and a statement for each list a round trip more on PostgreSQL.
    """
    own, carried = [], []
    for action, starts_at, assignee in db.session.execute(_statements().action_log, {
            "id": meeting.id, "committee_id": meeting.committee_id,
            "before": meeting.starts_at}):
        fill(action, "assignee", assignee)
        name = assignee.name if assignee else None
        if action.meeting_id == meeting.id:
            own.append(ActionRow(action, name))
        else:
            carried.append(ActionRow(action, name, starts_at))
    own.sort(key=lambda row: row.action.id)
    fill(meeting, "actions", [row.action for row in own])
    return own, carried


# ---------------------------------------------------------------------------------------------
# Attendance report


@dataclass
class AttendanceLine:
    member: CommitteeMember
    held: int          #: meetings held while a member
    attended: int      #: in person or remotely, themselves
    by_deputy: int     #: represented by a named deputy: shown beside, not counted as theirs
    apologies: int
    #: Of these meetings, how many had this member's attendance corrected after approval.
    corrected: int = 0
    #: ... and how many had a declaration this member made corrected after approval.
    declarations_corrected: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.attended / self.held) if self.held else None


def attendance_report(committee: Committee, fy: int, *,
                      now: datetime | None = None) -> tuple[list[AttendanceLine], int]:
    """Per member, meetings attended of those held while a member in financial year `fy`.

    Returns the lines and the threshold (%) of the terms of reference in force.
    Issue 9: only the year's meetings are read (by their London start, as `local_day`
    dates them), with their register, as plain rows in one statement: every meeting the
    committee ever held, as objects with their attendances, was most of the report's time.
    """
    # Only meetings that have started count: one in the future marked "Held" (before that was
    # refused) would count against every member.
    bounds = {"committee_id": committee.id,
              "from": datetime(fy, 4, 1, tzinfo=LONDON).astimezone(timezone.utc),
              "to": min(datetime(fy + 1, 4, 1, tzinfo=LONDON).astimezone(timezone.utc),
                        now or datetime.now(timezone.utc))}
    held: dict[int, tuple[date, dict[int, str]]] = {}  # meeting id: day, status by member
    for meeting_id, starts_at, member_id, status in db.session.execute(
            _statements().year_register, bounds):
        statuses = held.setdefault(meeting_id, (as_london(starts_at).date(), {}))[1]
        if member_id is not None:
            statuses[member_id] = status
    # member id: meetings whose attendance, or a declaration the member made, was corrected
    corrected: dict[str, dict[int, int]] = {"attendance": {}, "declaration": {}}
    if held:
        seen = set()  # (kind, member, meeting): a meeting counts once per member and kind
        for kind, member_id, meeting_id in db.session.execute(union_all(*(
                select(MinuteCorrection.record, model.member_id,
                       MinuteCorrection.meeting_id).join(
                    MinuteCorrection, and_(MinuteCorrection.record == kind,
                                           MinuteCorrection.record_id == model.id))
                .where(MinuteCorrection.meeting_id.in_(list(held)))
                for kind, model in (("attendance", Attendance), ("declaration", Declaration))))):
            if member_id is not None and (kind, member_id, meeting_id) not in seen:
                seen.add((kind, member_id, meeting_id))
                corrected[kind][member_id] = corrected[kind].get(member_id, 0) + 1
    lines = []
    for member in committee.members:
        line = AttendanceLine(member, 0, 0, 0, 0, corrected["attendance"].get(member.id, 0),
                              corrected["declaration"].get(member.id, 0))
        for day, statuses in held.values():
            if not member.served_on(day):
                continue  # appointed later or gone: not counted against them
            line.held += 1
            status = statuses.get(member.id, "absent")
            if status in ("present", "remote"):
                line.attended += 1
            elif status == "deputy":
                line.by_deputy += 1
            elif status == "apologies":
                line.apologies += 1
        if line.held:
            lines.append(line)
    tor = committee_services.tor_in_force(committee)
    return lines, committee_services.attendance_threshold(committee, tor)


class YearCorrection(NamedTuple):
    """A correction to the approved minutes of a meeting held in a financial year."""
    meeting_id: int
    starts_at: datetime
    what: str
    record: str

    @property
    def line(self) -> str:
        """"16 Nov 2023: Attendance of Jane Smith", for the report's list, CSV and PDF."""
        return f"{as_london(self.starts_at):%d %b %Y}: {self.what}"


def corrections_in_year(committee: Committee, fy: int, *,
                        now: datetime | None = None) -> list[YearCorrection]:
    """Every correction to the approved minutes of the committee's meetings held in financial
    year `fy` (attendance, declarations, items, decisions, votes, minutes), by meeting then
    oldest first: the attendance report names them, as the minutes show them."""
    bounds = (datetime(fy, 4, 1, tzinfo=LONDON).astimezone(timezone.utc),
              min(datetime(fy + 1, 4, 1, tzinfo=LONDON).astimezone(timezone.utc),
                  now or datetime.now(timezone.utc)))
    return [YearCorrection(*row) for row in db.session.execute(
        select(Meeting.id, Meeting.starts_at, MinuteCorrection.what, MinuteCorrection.record)
        .join(MinuteCorrection, MinuteCorrection.meeting_id == Meeting.id)
        .where(Meeting.committee_id == committee.id, Meeting.starts_at >= bounds[0],
               Meeting.starts_at < bounds[1])
        .order_by(Meeting.starts_at, MinuteCorrection.id))]


# ---------------------------------------------------------------------------------------------
# The attendance register, saved in one go (issue 17)


class RegisterRefused(MeetingError):
    """Some rows of the register were refused: messages by form field name (m<id>-<field>)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def clear_attendance(meeting: Meeting, member: CommitteeMember) -> bool:
    """Clear a member's mark (back to not recorded). The row is kept, nothing deleted: no
    status, with who cleared it and when; the audit trail keeps what it was."""
    from ..audit.tracking import current_actor_id
    att = attendance_of(meeting).get(member.id)
    if att is None:
        return False
    att.status = att.deputy_name = att.arrived_at_item_id = att.left_at_item_id = None
    att.arrived_at_item = att.left_at_item = None
    att.cleared_at, att.cleared_by_id = datetime.now(timezone.utc), current_actor_id()
    db.session.flush()
    db.session.expire(meeting, ["attendances"])
    return True


def record_register(meeting: Meeting, marks: dict[int, dict],
                    officer_marks: dict[int, str | None] | None = None) -> int:
    """Save the whole register at once: every row is checked, and nothing is saved unless
    all are right (RegisterRefused names each refused field).

    `marks`: member id -> {"status": "" (not recorded) or a status, "deputy_name",
    "arrived_at_item", "left_at_item"}; only the members submitted are touched. A deputy
    is kept only with the "deputy" status, arrival and departure only for someone who
    attended: switching from deputy to present clears the deputy.
    Returns how many rows changed.
    """
    refuse_if_locked(meeting)
    members = {m.id: m for m in members_of(meeting)}
    errors: dict[str, str] = {}
    changed = 0
    current = attendance_of(meeting)
    before = {k: (a.status, a.deputy_name, a.arrived_at_item_id, a.left_at_item_id)
              for k, a in current.items()}
    # Clear first, so a deputy moving from one member to another is not refused as a double.
    for member_id, data in marks.items():
        if member_id in members and not data.get("status"):
            changed += clear_attendance(meeting, members[member_id])
        elif member_id in current and data.get("status") != "deputy" \
                and current[member_id].deputy_name:
            current[member_id].status = data["status"]
            current[member_id].deputy_name = None
    for member_id, data in marks.items():
        member = members.get(member_id)
        if member is None:
            errors[f"m{member_id}-status"] = "This person is not a member on the meeting's day"
            continue
        status = data.get("status") or ""
        if not status:
            continue
        data = dict(data)
        if status != "deputy":
            data["deputy_name"] = None
        if status not in ("present", "remote", "deputy"):
            data["arrived_at_item"] = data["left_at_item"] = None
        try:
            att = record_attendance(meeting, member, data)
        except MeetingError as error:
            errors[f"m{member_id}-{error.field or 'status'}"] = error.message
            continue
        changed += before.get(member_id) != (att.status, att.deputy_name, att.arrived_at_item_id,
                           att.left_at_item_id)
    officers = {o.id: o for o in meeting.officers}
    for officer_id, status in (officer_marks or {}).items():
        officer = officers.get(officer_id)
        if officer is None:
            errors[f"o{officer_id}-status"] = "This officer is not recorded for the meeting"
            continue
        if status and status not in OFFICER_STATUSES:
            errors[f"o{officer_id}-status"] = "Choose how the officer attended"
            continue
        if officer.status != (status or None):
            officer.status = status or None
            changed += 1
    if errors:
        raise RegisterRefused(errors)
    db.session.flush()
    return changed


def add_officer(meeting: Meeting, data: dict) -> "MeetingOfficer":
    """Record an officer in attendance: named, with job title and organisation; never a member
    and never counted for quoracy or votes."""
    refuse_if_locked(meeting)
    name = (data.get("name") or "").strip()
    user = data.get("user")
    if not name and user is not None:
        name = user.name
    if not name:
        raise MeetingError("Enter the officer's name", "name")
    job_title = (data.get("job_title") or "").strip() or (getattr(user, "job_title", "") or "")
    if not job_title:
        raise MeetingError("Enter the officer's job title", "job_title")
    if user is not None and any(m.user_id == user.id for m in members_of(meeting)):
        raise MeetingError(f"{user.name} is a member of the committee: record them in the "
                           "register as a member", "user_id")
    officer = MeetingOfficer(meeting=meeting, user=user, name=name[:200],
                             job_title=job_title[:200],
                             organisation=(data.get("organisation") or "").strip()[:200],
                             status=data.get("status") or None)
    db.session.add(officer)
    db.session.flush()
    return officer


# ---------------------------------------------------------------------------------------------
# Meeting actions in their assignee's My actions (issue 17)


def can_progress_action(user, action: MeetingAction) -> bool:
    """The assignee progresses their own action; the secretariat any."""
    from ..auth import permissions
    return permissions.can_manage_committees(user) or (
        getattr(user, "is_authenticated", False) and action.assignee_id == user.id)


def record_action_progress(action: MeetingAction, *, note: str, status: str,
                           due_date: date | None, by, today: date) -> "MeetingActionNote":
    """A dated progress note, a status change and a moved due date, each in the record;
    moving the due date later counts a slip and keeps the one first agreed."""
    from .models import ACTION_STATUSES, MeetingActionNote
    note = (note or "").strip()
    if not note:
        raise MeetingError("Describe the progress made", "note")
    if status not in ACTION_STATUSES:
        raise MeetingError("Choose the status of the action", "status")
    changes: dict = {"update": note}
    if status != action.status:
        changes["status"] = status
    if due_date is not None and due_date != action.due_date:
        if action.original_due_date is None:
            action.original_due_date = action.due_date
        changes["due_date"] = due_date
        if action.due_date is not None and due_date > action.due_date:
            action.slips = (action.slips or 0) + 1
    update_action(action, changes, today)
    entry = MeetingActionNote(action=action, note=note,
                              status=status if "status" in changes else None,
                              created_by_id=getattr(by, "id", None))
    db.session.add(entry)
    db.session.flush()
    return entry


def open_actions_assigned_to(user_id: int) -> list[tuple]:
    """(action, committee label, meeting start) of the person's open meeting actions, overdue
    and soonest first."""
    rows = db.session.execute(
        select(MeetingAction, func.coalesce(Committee.short_name, Committee.name),
               Meeting.starts_at)
        .join(Meeting, MeetingAction.meeting_id == Meeting.id)
        .join(Committee, Meeting.committee_id == Committee.id)
        .where(MeetingAction.assignee_id == user_id, MeetingAction.status == "Open")
        .order_by(MeetingAction.due_date.is_(None), MeetingAction.due_date, MeetingAction.id))
    return [tuple(r) for r in rows]
