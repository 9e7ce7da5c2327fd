"""/api/v1/meetings: meetings, items, attendance, declarations, votes, quoracy."""
from __future__ import annotations

from datetime import datetime

from flask import abort, jsonify
from flask_login import current_user
from sqlalchemy import select

from ..committees.models import Committee
from ..committees.services import quoracy_json
from ..extensions import db
from ..meetings import access, services
from ..meetings.models import Meeting
from ..meetings.services import LONDON, MeetingError, MeetingLocked
from ..meetings.views import load_item, load_meeting
from ..risks.models import Risk
from . import bp
from . import schemas as s
from .committees import _iso, require_manager
from .common import ApiError, page_envelope
from .described import described, request_body, request_query


def _refuse(err: MeetingError):
    db.session.rollback()
    if isinstance(err, MeetingLocked):  # the record is final: a conflict, not bad input
        raise ApiError(409, err.message, field=None)
    raise ApiError(422, err.message, field=err.field)


def item_json(item, iq=None, minutes: bool = True) -> dict:
    """`minutes`: False hides draft minutes from those who may not read them (issue 17)."""
    body = {"id": item.id, "number": item.number, "title": item.title,
            "presenter": item.presenter, "private": item.private, "purpose": item.purpose,
            "risks": [r.reference for r in item.risks],
            "decision_method": item.decision_method, "outcome": item.outcome,
            "motion": item.motion,
            "minutes": {"discussion": item.minutes_discussion,
                        "decision": item.minutes_decision} if minutes else None}
    if iq is not None:
        body["quoracy"] = quoracy_json(iq.result)
    return body


def attendance_json(a) -> dict:
    return {"member_id": a.member_id, "name": a.member.name, "status": a.status,
            "deputy_name": a.deputy_name, "arrived_at_item": a.arrived_at_item_id,
            "left_at_item": a.left_at_item_id}


def officer_json(o) -> dict:
    return {"id": o.id, "name": o.name, "job_title": o.job_title,
            "organisation": o.organisation, "user_id": o.user_id, "status": o.status,
            "in_attendance": o.attends}


def declaration_json(d) -> dict:
    return {"id": d.id, "who": d.who, "member_id": d.member_id, "item_id": d.item_id,
            "interest": d.interest, "action": d.action}


def vote_json(v) -> dict:
    return {"id": v.id, "item_id": v.item_id, "carried": v.carried, "tied": v.tied,
            "for": v.votes_for, "against": v.votes_against, "abstentions": v.abstentions,
            "casting_vote": v.casting_vote, "casting_voter": v.casting_voter_name,
            "majority_base": v.majority_base, "summary": v.summary, "motion": v.motion,
            "snapshot": v.snapshot,
            "recorded_at": v.recorded_at.isoformat()}


def _row_json(m) -> dict:
    """meeting_json's summary of a row of services.meetings_page."""
    return {"id": m.id, "committee_id": m.committee_id, "committee": m.committee_name,
            "starts_at": services.as_london(m.starts_at).isoformat(), "location": m.location,
            "remote": m.remote, "public": m.has_public_part, "private": m.has_private_part,
            "status": m.status, "minutes_status": m.minutes_status}


def meeting_json(m: Meeting, full: bool = False) -> dict:
    body = {"id": m.id, "committee_id": m.committee_id, "committee": m.committee.name,
            "starts_at": services.as_london(m.starts_at).isoformat(), "location": m.location,
            "remote": m.remote, "public": m.has_public_part, "private": m.has_private_part,
            "status": m.status, "minutes_status": m.minutes_status}
    if full:
        q = services.meeting_quoracy(m)
        # Private business and draft minutes only for those who may see them (issue 17).
        private_ok = access.sees_private(current_user, m)
        minutes_ok = access.sees_draft_minutes(current_user, m)
        items = [i for i in m.items if access.sees_item_as(private_ok, i)]
        shown = {i.id for i in items}
        body["papers_deadline"] = _iso(services.papers_deadline(m))
        body["items"] = [item_json(i, q.items.get(i.id), minutes_ok) for i in items]
        body["attendance"] = [attendance_json(a) for a in m.attendances]
        body["officers"] = [officer_json(o) for o in m.officers]
        body["declarations"] = [declaration_json(d) for d in m.declarations
                                if d.item_id is None or d.item_id in shown]
        body["votes"] = [vote_json(v) for i in items for v in i.votes]
        body["quoracy"] = quoracy_json(q.meeting.result) if q.meeting else None
        body["actions"] = [{"id": a.id, "detail": a.detail, "assignee_id": a.assignee_id,
                            "due_date": _iso(a.due_date), "status": a.status,
                            "closed_on": _iso(a.closed_on)} for a in m.actions
                           if a.item_id is None or a.item_id in shown]
    return body


@bp.get("/meetings")
@described(query=s.MeetingListQuery, errors=())
def meetings_index():
    """The meetings, latest first, a page at a time."""
    # Paged as the risk list is: 2,000 meetings made 430 KB in one answer (issue 9).
    args = request_query()
    committee_id, page, per_page = args.get("committee_id"), args["page"], args["per_page"]
    pagination = services.meetings_page(page, per_page, committee_id)
    items = [_row_json(m) for m in pagination.items]
    return jsonify(page_envelope(items, pagination.total, page, per_page))


def _meeting_fields(body: dict, partial: bool) -> dict:
    data = {}
    if "starts_at" in body or not partial:
        try:
            start = datetime.fromisoformat(body.get("starts_at") or "")
        except (TypeError, ValueError):
            raise ApiError(400, "starts_at must be a date and time, e.g. 2024-05-16T10:00 "
                           "(Europe/London unless an offset is given)", field="starts_at")
        data["starts_at"] = start if start.tzinfo else start.replace(tzinfo=LONDON)
    for name in ("location", "remote", "has_public_part", "has_private_part", "status"):
        if name in body:
            data[name] = body[name]
    if not partial:
        data.setdefault("has_public_part", True)
    return data


@bp.post("/meetings")
@described(body=s.MeetingIn, status=201)
def meetings_create():
    """Schedule a meeting of a committee."""
    require_manager()
    body = request_body()
    committee = db.session.get(Committee, body["committee_id"])
    if committee is None:
        raise ApiError(400, "committee_id is not a committee", field="committee_id")
    try:
        meeting = services.create_meeting(committee, _meeting_fields(body, partial=False))
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(meeting_json(load_meeting(meeting.id), full=True)), 201


@bp.get("/meetings/<int:meeting_id>")
def meetings_detail(meeting_id: int):
    return jsonify(meeting_json(load_meeting(meeting_id, risks=True, votes=True, actions=True),
                                full=True))


@bp.get("/meetings/<int:meeting_id>/items")
def meetings_items(meeting_id: int):
    meeting = load_meeting(meeting_id, risks=True)
    q = services.meeting_quoracy(meeting)
    private_ok = access.sees_private(current_user, meeting)
    minutes_ok = access.sees_draft_minutes(current_user, meeting)
    items = [item_json(i, q.items.get(i.id), minutes_ok) for i in meeting.items
             if access.sees_item_as(private_ok, i)]
    return jsonify(page_envelope(items, len(items), 1, len(items)))


@bp.post("/meetings/<int:meeting_id>/items")
@described(body=s.ItemIn, status=201)
def meetings_add_item(meeting_id: int):
    """Add an item to the agenda."""
    require_manager()
    meeting = load_meeting(meeting_id)
    body = request_body()
    refs = body["risks"]
    risks = db.session.scalars(select(Risk).where(Risk.reference.in_(refs))).all()
    if len(risks) != len(set(refs)):
        raise ApiError(400, "risks must be a list of existing risk references", field="risks")
    try:
        item = services.add_item(meeting, dict(
            number=body["number"].strip(), title=body["title"].strip(),
            presenter=body.get("presenter") or "", private=body["private"],
            purpose=body["purpose"], risks=risks))
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(item_json(item)), 201


@bp.get("/meetings/<int:meeting_id>/attendance")
def meetings_attendance(meeting_id: int):
    meeting = load_meeting(meeting_id)
    items = [attendance_json(a) for a in meeting.attendances]
    return jsonify(page_envelope(items, len(items), 1, len(items)))


@bp.put("/meetings/<int:meeting_id>/attendance/<int:member_id>")
@described(body=s.AttendanceIn)
def meetings_record_attendance(meeting_id: int, member_id: int):
    """Record a member's attendance: present, deputy, apologies or absent."""
    require_manager()
    meeting = load_meeting(meeting_id)
    member = next((m for m in meeting.committee.members if m.id == member_id), None)
    if member is None:
        abort(404)
    body = request_body()
    items = {i.id: i for i in meeting.items}

    def item_of(field):
        value = body.get(field)
        if value is None:
            return None
        if value not in items:
            raise ApiError(400, f"{field} must be the id of an item of this meeting", field=field)
        return items[value]

    try:
        att = services.record_attendance(meeting, member, dict(
            status=body.get("status"), deputy_name=body.get("deputy_name"),
            arrived_at_item=item_of("arrived_at_item"), left_at_item=item_of("left_at_item")))
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(attendance_json(att))


@bp.get("/meetings/<int:meeting_id>/declarations")
def meetings_declarations(meeting_id: int):
    meeting = load_meeting(meeting_id)
    private_ok = access.sees_private(current_user, meeting)
    items = [declaration_json(d) for d in meeting.declarations
             if private_ok or d.item is None or not d.item.private]
    return jsonify(page_envelope(items, len(items), 1, len(items)))


@bp.post("/meetings/<int:meeting_id>/declarations")
@described(body=s.DeclarationIn, status=201)
def meetings_add_declaration(meeting_id: int):
    """Record a declaration of interest."""
    require_manager()
    meeting = load_meeting(meeting_id)
    body = request_body()
    members = {m.id: m for m in meeting.committee.members}
    items = {i.id: i for i in meeting.items}
    if body.get("member_id") is not None and body["member_id"] not in members:
        raise ApiError(400, "member_id is not a member of this committee", field="member_id")
    if body.get("item_id") is not None and body["item_id"] not in items:
        raise ApiError(400, "item_id is not an item of this meeting", field="item_id")
    try:
        d = services.record_declaration(meeting, dict(
            member=members.get(body.get("member_id")), person_name=body.get("person_name"),
            interest=body.get("interest"), action=body.get("action", "noted"),
            item=items.get(body.get("item_id"))))
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(declaration_json(d)), 201


@bp.get("/meetings/<int:meeting_id>/quoracy")
def meetings_quoracy(meeting_id: int):
    meeting = load_meeting(meeting_id)
    q = services.meeting_quoracy(meeting)
    if q.meeting is None:
        raise ApiError(422, "The committee has no terms of reference for this meeting's date")
    body = quoracy_json(q.meeting.result)
    private_ok = access.sees_private(current_user, meeting)
    body["items"] = [{"item_id": i.id, "number": i.number, **quoracy_json(q.items[i.id].result)}
                     for i in meeting.items if access.sees_item_as(private_ok, i)]
    return jsonify(body)


@bp.get("/meetings/<int:meeting_id>/items/<int:item_id>/quoracy")
def meetings_item_quoracy(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id)
    item = load_item(meeting, item_id)
    q = services.meeting_quoracy(meeting)
    if q.meeting is None:
        raise ApiError(422, "The committee has no terms of reference for this meeting's date")
    return jsonify(quoracy_json(q.items[item.id].result))


@bp.get("/meetings/<int:meeting_id>/items/<int:item_id>/votes")
def meetings_votes(meeting_id: int, item_id: int):
    item = load_item(load_meeting(meeting_id), item_id)
    items = [vote_json(v) for v in item.votes]
    return jsonify(page_envelope(items, len(items), 1, len(items)))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/votes")
@described(body=s.VoteIn, status=201)
def meetings_vote(meeting_id: int, item_id: int):
    """Record a vote on an item: each member's ballot, and the chair's casting vote if tied."""
    require_manager()
    item = load_item(load_meeting(meeting_id), item_id)
    body = request_body()
    ballots = [(b["member_id"], b["choice"]) for b in body["ballots"]]
    try:
        vote = services.record_vote(item, ballots, body.get("casting_vote"), by=current_user,
                                    motion=body.get("motion"))
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(vote_json(vote)), 201


# --- writes of issue 16: meeting details and status, officers in attendance, decisions,
# minutes, approval and the action log -------------------------------------------------------


@bp.patch("/meetings/<int:meeting_id>")
@described(body=s.MeetingUpdateIn, partial=True, errors=(404, 409, 422))
def meetings_update(meeting_id: int):
    """Change a meeting's details or its status (Planned, Held, Cancelled)."""
    require_manager()
    meeting = load_meeting(meeting_id)
    body = request_body()
    try:
        services.update_meeting(meeting, _meeting_fields(body, partial=True))
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(meeting_json(load_meeting(meeting_id, risks=True, votes=True, actions=True),
                                full=True))


@bp.patch("/meetings/<int:meeting_id>/items/<int:item_id>")
@described(body=s.ItemUpdateIn, partial=True, errors=(404, 409, 422))
def meetings_update_item(meeting_id: int, item_id: int):
    """Change an agenda item."""
    require_manager()
    item = load_item(load_meeting(meeting_id, risks=True), item_id)
    data = dict(request_body())
    if "risks" in data:
        refs = data["risks"]
        risks = db.session.scalars(select(Risk).where(Risk.reference.in_(refs))).all()
        if len(risks) != len(set(refs)):
            raise ApiError(400, "risks must be a list of existing risk references",
                           field="risks")
        data["risks"] = risks
    try:
        services.update_item(item, data)
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(item_json(item))


@bp.get("/meetings/<int:meeting_id>/officers")
def meetings_officers(meeting_id: int):
    """Officers in attendance: named, never counted for quoracy or votes."""
    meeting = load_meeting(meeting_id)
    items = [officer_json(o) for o in meeting.officers]
    return jsonify(page_envelope(items, len(items), 1, len(items)))


@bp.post("/meetings/<int:meeting_id>/officers")
@described(body=s.OfficerIn, status=201, errors=(404, 409, 422))
def meetings_add_officer(meeting_id: int):
    """Record an officer in attendance (not a member): name, job title, organisation."""
    from ..auth.models import User
    require_manager()
    meeting = load_meeting(meeting_id)
    data = dict(request_body())
    user = None
    if data.get("user_id") is not None:
        user = db.session.get(User, data["user_id"])
        if user is None:
            raise ApiError(400, "user_id is not a user", field="user_id")
    data["user"] = user
    try:
        officer = services.add_officer(meeting, data)
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(officer_json(officer)), 201


@bp.put("/meetings/<int:meeting_id>/officers/<int:officer_id>")
@described(body=s.OfficerStatusIn, errors=(404, 409, 422))
def meetings_officer_status(meeting_id: int, officer_id: int):
    """Record how an officer attended (present, remote, apologies), or clear it with null."""
    require_manager()
    meeting = load_meeting(meeting_id)
    officer = next((o for o in meeting.officers if o.id == officer_id), None)
    if officer is None:
        raise ApiError(404, f"The meeting has no officer in attendance {officer_id}")
    body = request_body()
    try:
        services.record_register(meeting, {}, {officer_id: body["status"]})
    except services.RegisterRefused as err:
        db.session.rollback()
        raise ApiError(422, next(iter(err.errors.values())), field="status")
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(officer_json(officer))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/consensus")
@described(body=s.ConsensusIn, errors=(404, 409, 422))
def meetings_consensus(meeting_id: int, item_id: int):
    """Record a decision reached by consensus on a quorate item."""
    require_manager()
    item = load_item(load_meeting(meeting_id, risks=True), item_id)
    body = request_body()
    try:
        services.record_consensus(item, body["decision"])
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(item_json(item))


@bp.put("/meetings/<int:meeting_id>/items/<int:item_id>/minutes")
@described(body=s.MinutesIn, errors=(404, 409, 422))
def meetings_minutes(meeting_id: int, item_id: int):
    """Write an item's minutes; once approved, a correction with its reason (kept)."""
    require_manager()
    item = load_item(load_meeting(meeting_id, risks=True), item_id)
    body = request_body()
    try:
        services.update_minutes(item, body["discussion"], body["decision"], by=current_user,
                                reason=body.get("reason"))
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(item_json(item))


@bp.post("/meetings/<int:meeting_id>/approve-minutes")
@described(body=s.ApproveMinutesIn, errors=(404, 409, 422))
def meetings_approve_minutes(meeting_id: int):
    """Approve the minutes at a later meeting of the same committee; the record is then
    locked."""
    require_manager()
    meeting = load_meeting(meeting_id)
    body = request_body()
    at_meeting = db.session.get(Meeting, body["at_meeting_id"])
    if at_meeting is None:
        raise ApiError(400, "at_meeting_id is not a meeting", field="at_meeting_id")
    try:
        services.approve_minutes(meeting, at_meeting)
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(meeting_json(load_meeting(meeting_id), full=False))


def _action_json(a) -> dict:
    return {"id": a.id, "meeting_id": a.meeting_id, "detail": a.detail,
            "assignee_id": a.assignee_id, "due_date": _iso(a.due_date), "status": a.status,
            "update": a.update, "closed_on": _iso(a.closed_on)}


@bp.post("/meetings/<int:meeting_id>/actions")
@described(body=s.MeetingActionIn, status=201, errors=(404, 409, 422))
def meetings_add_action(meeting_id: int):
    """Add an action to the meeting's action log."""
    from ..auth.models import User
    require_manager()
    meeting = load_meeting(meeting_id)
    data = dict(request_body())
    if data.get("assignee_id") is not None and db.session.get(User, data["assignee_id"]) is None:
        raise ApiError(400, "assignee_id is not a user", field="assignee_id")
    if data.get("item_id") is not None and data["item_id"] not in {i.id for i in meeting.items}:
        raise ApiError(400, "item_id is not an item of this meeting", field="item_id")
    try:
        action = services.add_action(meeting, data)
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(_action_json(action)), 201


@bp.patch("/meetings/actions/<int:action_id>")
@described(body=s.MeetingActionUpdateIn, partial=True, errors=(404, 409, 422))
def meetings_update_action(action_id: int):
    """Update an action of the log: its progress and status (what was raised is locked with
    the approved minutes)."""
    from datetime import date as date_
    from ..meetings.models import ACTION_STATUSES, MeetingAction
    require_manager()
    action = db.session.get(MeetingAction, action_id)
    if action is None:
        raise ApiError(404, f"No meeting action {action_id}")
    data = dict(request_body())
    if "status" in data and data["status"] not in ACTION_STATUSES:
        raise ApiError(400, f"status must be one of: {', '.join(ACTION_STATUSES)}",
                       field="status")
    try:
        services.update_action(action, data, date_.today())
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(_action_json(action))


# --- corrections of approved minutes (issue 14) -----------------------------------------------


def correction_json(c) -> dict:
    """One corrected field of a locked record: the original beside the correction."""
    return {"id": c.id, "meeting_id": c.meeting_id, "kind": c.record,
            "record_id": c.record_id, "item_id": c.item_id, "field": c.field, "what": c.what,
            "original": c.old_text, "corrected": c.new_text, "reason": c.reason,
            "corrected_by_id": c.corrected_by_id,
            "corrected_by": c.corrected_by.name if c.corrected_by else None,
            "corrected_at": services.as_london(c.corrected_at).isoformat(),
            "approved_at_id": c.approved_at_id,
            "approved_at": services.local_day(c.approved_at).isoformat()
            if c.approved_at else None}


@bp.get("/meetings/<int:meeting_id>/corrections")
def meetings_corrections(meeting_id: int):
    """The corrections to the meeting's approved minutes, oldest first, each with the original.

    Those of private (Part 2) items only for those who may see private business."""
    meeting = load_meeting(meeting_id)
    corrections = services.corrections_of(
        meeting, private_ok=access.sees_private(current_user, meeting))
    items = [correction_json(c) for c in corrections]
    return jsonify(page_envelope(items, len(items), 1, len(items)))


#: What a correction may change, by kind, and the type of each value.
CORRECTION_VALUES = {
    "attendance": {"status": str, "deputy_name": str, "arrived_at_item": int,
                   "left_at_item": int},
    "declaration": {"interest": str, "action": str},
    "item": {"title": str, "presenter": str},
    "decision": {"decision_method": str, "outcome": str},
    "vote": {"votes_for": int, "votes_against": int, "abstentions": int, "carried": bool},
    "minutes": {"discussion": str, "decision": str},
}
#: Longest text of each text value.
CORRECTION_LIMITS = {"deputy_name": 200, "title": 300, "presenter": 200, "interest": 2000,
                     "outcome": 5000, "discussion": 100_000, "decision": 6000}


def _correction_values(kind: str, values: dict) -> dict:
    """The corrected values, checked: 400 naming the value (values.<name>) that is wrong."""
    from ..meetings.models import ATTENDANCE_STATUSES, DECISION_METHODS, DECLARATION_ACTIONS
    allowed = CORRECTION_VALUES[kind]
    if not values:
        raise ApiError(400, f"values must name at least one of: {', '.join(allowed)}",
                       field="values")
    for name, value in values.items():
        field = f"values.{name}"
        if name not in allowed:
            raise ApiError(400, f"{field} is not corrected by a {kind} correction: give "
                                f"{', '.join(allowed)}", field=field)
        kind_of = allowed[name]
        nullable = name in ("deputy_name", "arrived_at_item", "left_at_item",
                            "decision_method", "presenter", "outcome")
        if value is None and nullable:
            continue
        if kind_of is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ApiError(400, f"{field} must be a whole number", field=field)
        if kind_of is bool and not isinstance(value, bool):
            raise ApiError(400, f"{field} must be true or false", field=field)
        if kind_of is str and not isinstance(value, str):
            raise ApiError(400, f"{field} must be text", field=field)
        if kind_of is str and len(value) > CORRECTION_LIMITS.get(name, 6000):
            raise ApiError(400, f"{field} must be at most "
                                f"{CORRECTION_LIMITS.get(name, 6000):,} characters", field=field)
        if name in ("votes_for", "votes_against", "abstentions") and not 0 <= value <= 500:
            raise ApiError(400, f"{field} must be a number of votes from 0 to 500", field=field)
        choices = {"status": ATTENDANCE_STATUSES, "action": DECLARATION_ACTIONS,
                   "decision_method": DECISION_METHODS}.get(name)
        if choices is not None and value not in choices:
            raise ApiError(400, f"{field} must be one of: {', '.join(choices)}", field=field)
    return values


def _correct(meeting: Meeting, kind: str, record_id: int, values: dict, reason: str,
             approved_at: Meeting):
    """Record the correction through the services the pages use; their corrections."""
    from ..meetings.models import Declaration, Vote
    if kind == "attendance":
        member = next((m for m in services.members_of(meeting) if m.id == record_id), None)
        if member is None:
            raise ApiError(400, "record_id is not a member of the committee on the day of the "
                                "meeting", field="record_id")
        current = services.attendance_of(meeting).get(member.id)
        items = {i.id: i for i in meeting.items}
        data = {"status": current.status if current else None,
                "deputy_name": current.deputy_name if current else None,
                "arrived_at_item": current.arrived_at_item if current else None,
                "left_at_item": current.left_at_item if current else None}
        for name in ("status", "deputy_name"):
            if name in values:
                data[name] = values[name]
        for name in ("arrived_at_item", "left_at_item"):
            if name in values:
                if values[name] is not None and values[name] not in items:
                    raise ApiError(400, f"values.{name} must be the id of an item of this "
                                        "meeting", field=f"values.{name}")
                data[name] = items.get(values[name])
        return [services.correct_attendance(meeting, member, data, reason=reason,
                                            approved_at=approved_at, by=current_user)]
    if kind in ("item", "decision", "minutes"):
        record = next((i for i in meeting.items if i.id == record_id), None)
    elif kind == "declaration":
        record = db.session.get(Declaration, record_id)
        record = record if record is not None and record.meeting_id == meeting.id else None
    else:
        record = db.session.get(Vote, record_id)
        record = record if record is not None and record.item.meeting_id == meeting.id else None
    if record is None:
        raise ApiError(400, f"record_id is not a {kind if kind != 'minutes' else 'item'} of "
                            "this meeting", field="record_id")
    if kind == "minutes":
        if not services.is_record_locked(meeting):
            raise services.MeetingError("These minutes are not approved yet: change the "
                                        "record instead")
        return services.update_minutes(
            record, values.get("discussion", record.minutes_discussion),
            values.get("decision", record.minutes_decision), by=current_user, reason=reason,
            approved_at=approved_at)
    return services.correct_record(meeting, kind, record, values, reason=reason,
                                   approved_at=approved_at, by=current_user)


def _correction_field(err) -> str | None:
    """The request's name for the field a service refused: values.<name>, record_id..."""
    if err.message == "Nothing was changed":
        return "values"
    names = {name for allowed in CORRECTION_VALUES.values() for name in allowed}
    field = {"arrived_at_item_id": "arrived_at_item", "left_at_item_id": "left_at_item",
             "minutes_discussion": "discussion", "minutes_decision": "decision"}.get(
        err.field, err.field)
    if field in names:
        return f"values.{field}"
    return {"member_id": "record_id"}.get(field, field)


@bp.post("/meetings/<int:meeting_id>/corrections")
@described(body=s.CorrectionIn, status=201, errors=(404, 409))
def meetings_correct(meeting_id: int):
    """Correct the approved minutes: a member's attendance, a declaration, an agenda item, a
    decision, a vote or an item's minutes.

    Each changed field becomes a correction kept beside the original, with who, when, why and
    the later meeting that approved it; the answer lists them. Minutes not yet approved: 409
    (change the record itself). Bad input, no reason, nothing changed: 400 naming the field."""
    require_manager()
    meeting = load_meeting(meeting_id)
    body = request_body()
    values = _correction_values(body["kind"], body["values"])
    approved_at = db.session.get(Meeting, body["approved_at_id"])
    if approved_at is None:
        raise ApiError(400, "approved_at_id is not a meeting", field="approved_at_id")
    if not services.is_record_locked(meeting):
        raise ApiError(409, "These minutes are not approved yet: change the record itself, "
                            "not by a correction", field=None)
    try:
        corrections = _correct(meeting, body["kind"], body["record_id"], values,
                               body["reason"], approved_at)
    except services.MeetingError as err:
        db.session.rollback()
        raise ApiError(400, err.message, field=_correction_field(err)) from None
    db.session.commit()
    items = [correction_json(c) for c in corrections]
    return jsonify(page_envelope(items, len(items), 1, len(items))), 201
