"""/api/v1 for the meeting cycle (issue 17): papers, publishing, highlight reports, chair's
actions and the decision log, with the pages' rights: private (Part 2) items, their papers
and draft reports are 404 for anyone who may not see the committee's private business."""
from __future__ import annotations

import base64
import binascii
from datetime import date, datetime, timezone

from flask import jsonify
from flask_login import current_user
from sqlalchemy import select

from ..auth import permissions
from ..auth.models import Role
from ..committees.models import Committee
from ..extensions import db
from ..meetings import access, papers, reports
from ..meetings.decisions import DECISIONS_LIMIT, chairs_of, decision_rows, record_chairs_action
from ..meetings.models import ChairsAction, Paper
from ..meetings.paper_views import paper_file_response
from ..meetings.services import MeetingError, local_day
from ..meetings.views import load_item, load_meeting
from . import bp
from . import schemas as s
from .committees import _iso, require_manager
from .common import ApiError, page_envelope
from .described import described, request_body, request_query
from .meetings import _refuse


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def paper_json(p: Paper) -> dict:
    return {"id": p.id, "item_id": p.item_id, "title": p.title, "kind": p.kind,
            "size": p.size, "sha256": p.sha256, "late": p.late,
            "uploaded_at": _when(p.uploaded_at), "published_at": _when(p.published_at),
            "replaced_at": _when(p.replaced_at),
            "file": f"/api/v1/papers/{p.id}/file"}


def _sees_unpublished() -> bool:
    return permissions.can_manage_committees(current_user)


@bp.get("/meetings/<int:meeting_id>/items/<int:item_id>/papers")
def meeting_cycle_papers(meeting_id: int, item_id: int):
    """An item's current papers: members see them once published, the secretariat always."""
    item = load_item(load_meeting(meeting_id), item_id)
    manage = _sees_unpublished()
    items = [paper_json(p) for p in item.current_papers if manage or p.published_at]
    return jsonify({"papers_status": item.papers_status,
                    **page_envelope(items, len(items), 1, len(items))})


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/papers")
@described(body=s.PaperIn, status=201, errors=(404, 409, 422))
def meeting_cycle_add_paper(meeting_id: int, item_id: int):
    """Upload a paper (PDF or Word .docx, typed by its content) for an agenda item."""
    require_manager()
    item = load_item(load_meeting(meeting_id), item_id)
    body = request_body()
    try:
        content = base64.b64decode(body["content_base64"], validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "content_base64 must be the file encoded in base64",
                       field="content_base64")
    try:
        old = list(item.current_papers) if body["replaces"] else []
        paper = papers.add_paper(item, body["filename"], content, by=current_user,
                                 title=body["title"], today=date.today())
        for previous in old:
            papers.replace_paper(previous, paper, datetime.now(timezone.utc))
    except MeetingError as err:
        if err.field == "file":
            err.field = "content_base64"
        _refuse(err)
    db.session.commit()
    return jsonify(paper_json(paper)), 201


@bp.get("/papers/<int:paper_id>")
def meeting_cycle_paper(paper_id: int):
    return jsonify(paper_json(_readable_paper(paper_id)))


@bp.get("/papers/<int:paper_id>/file")
def meeting_cycle_paper_file(paper_id: int):
    """The file itself, as a download with the pages' safe headers."""
    return paper_file_response(_readable_paper(paper_id))


def _readable_paper(paper_id: int) -> Paper:
    paper = db.session.get(Paper, paper_id)
    if paper is None:
        raise ApiError(404, "No such paper")
    access.require_item(current_user, paper.item)  # private business: 404
    if paper.published_at is None and not _sees_unpublished():
        raise ApiError(404, "No such paper")  # not sent out yet
    return paper


@bp.post("/meetings/<int:meeting_id>/publish")
@described(body=s.PublishIn, errors=(404, 409))
def meeting_cycle_publish(meeting_id: int):
    """Publish the agenda and the papers received; with papers still awaited, 409 unless
    `publish_with_papers_awaited` is true."""
    require_manager()
    meeting = load_meeting(meeting_id)
    body = request_body()
    awaited = papers.awaited_items(meeting)
    if awaited and not body["publish_with_papers_awaited"]:
        raise ApiError(409, f"{len(awaited)} paper{'' if len(awaited) == 1 else 's'} still "
                       "awaited (items " + ", ".join(i.number for i in awaited) + "): send "
                       "publish_with_papers_awaited: true to publish anyway")
    count = papers.publish(meeting, datetime.now(timezone.utc))
    db.session.commit()
    return jsonify({"meeting_id": meeting.id, "papers_published": count,
                    "agenda_published_at": _when(meeting.agenda_published_at),
                    "papers_awaited": [i.number for i in awaited]})


# --- highlight reports ----------------------------------------------------------------------


def report_json(meeting, report) -> dict:
    body = {"meeting_id": meeting.id, "committee": meeting.committee.name,
            "meeting_date": local_day(meeting).isoformat()}
    if report is None:  # not started: what riskapp drafts from the meeting
        return {**body, "status": "not started", **reports.draft(meeting),
                "approved_by": None, "approved_at": None, "parent_item_id": None}
    return {**body, "status": report.status, "alert": report.alert, "advise": report.advise,
            "assure": report.assure,
            "approved_by": report.approved_by.name if report.approved_by else None,
            "approved_at": _when(report.approved_at),
            "parent_item_id": report.parent_item_id,
            "parent_meeting_id": report.parent_item.meeting_id if report.parent_item else None}


def _chair(meeting) -> bool:
    return current_user.id in reports.chair_user_ids(meeting) or current_user.role == Role.ADMIN


def _report_meeting(meeting_id: int):
    """The meeting and its report, or 404 when the report is a draft the reader may not
    see (a draft is the committee's business until the chair approves it)."""
    meeting = load_meeting(meeting_id)
    report = reports.report_of(meeting)
    if (report is None or report.status == "draft") and \
            not access.sees_private(current_user, meeting):
        raise ApiError(404, "No such report")
    return meeting, report


@bp.get("/meetings/<int:meeting_id>/report")
def meeting_cycle_report(meeting_id: int):
    """The meeting's highlight report to its parent committee (Alert / Advise / Assure)."""
    return jsonify(report_json(*_report_meeting(meeting_id)))


@bp.put("/meetings/<int:meeting_id>/report")
@described(body=s.HighlightReportIn, errors=(404, 409, 422))
def meeting_cycle_save_report(meeting_id: int):
    """Save the highlight report as a draft (the secretariat or the chair)."""
    meeting, report = _report_meeting(meeting_id)
    if not (permissions.can_manage_committees(current_user) or _chair(meeting)):
        raise ApiError(403, "Only the secretariat or the committee's chair can write its report")
    body = request_body()
    if report is not None and report.status == "approved":
        raise ApiError(409, "The chair has approved this report: it can no longer be changed")
    try:
        report = reports.save(meeting, body)
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(report_json(meeting, report))


@bp.post("/meetings/<int:meeting_id>/report/approve")
@described(body=s.ApproveReportIn, errors=(404, 409, 422))
def meeting_cycle_approve_report(meeting_id: int):
    """The chair approves the report; it goes on the parent committee's next agenda."""
    meeting, report = _report_meeting(meeting_id)
    if report is None:
        raise ApiError(404, "No report has been saved for this meeting yet")
    if not _chair(meeting):
        raise ApiError(403, "Only the chair of the committee can approve its highlight report")
    request_body()
    if report.status == "approved":
        raise ApiError(409, "This report is already approved")
    try:
        reports.approve(report, current_user)
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(report_json(meeting, report))


# --- chair's actions and the decision log --------------------------------------------------


def chairs_action_json(a: ChairsAction) -> dict:
    return {"id": a.id, "committee_id": a.committee_id, "taken_on": _iso(a.taken_on),
            "taken_by_id": a.taken_by_id, "taken_by": a.taken_by.name if a.taken_by else None,
            "decision": a.decision, "reasons": a.reasons, "consulted": a.consulted,
            "recorded_at": _when(a.recorded_at)}


def _committee(committee_id: int) -> Committee:
    committee = db.session.get(Committee, committee_id)
    if committee is None:
        raise ApiError(404, "No such committee")
    return committee


@bp.get("/committees/<int:committee_id>/chairs-actions")
def meeting_cycle_chairs_actions(committee_id: int):
    committee = _committee(committee_id)
    rows = db.session.scalars(select(ChairsAction).where(
        ChairsAction.committee_id == committee.id).order_by(ChairsAction.taken_on.desc(),
                                                            ChairsAction.id.desc())).all()
    items = [chairs_action_json(a) for a in rows]
    return jsonify(page_envelope(items, len(items), 1, len(items)))


@bp.post("/committees/<int:committee_id>/chairs-actions")
@described(body=s.ChairsActionIn, status=201, errors=(404, 422))
def meeting_cycle_add_chairs_action(committee_id: int):
    """Record a chair's action: taken by the chair (or deputy chair acting) between
    meetings, reported on the next agenda for ratification."""
    committee = _committee(committee_id)
    if not (permissions.can_manage_committees(current_user)
            or current_user.id in chairs_of(committee, date.today())):
        raise ApiError(403, "Only the secretariat or the committee's chair can record a "
                       "chair's action")
    body = request_body()
    try:
        action = record_chairs_action(committee, body, current_user)
    except MeetingError as err:
        _refuse(err)
    db.session.commit()
    return jsonify(chairs_action_json(action)), 201


@bp.get("/decisions")
@described(query=s.DecisionLogQuery, errors=())
def meeting_cycle_decisions():
    """The decision log: every decided item, latest first; `committee_id`, `q` (title,
    motion, decision), `from`, `to` (YYYY-MM-DD) and `risk` (a reference) filter it.
    Decisions in private business only for those who may see them."""
    args = request_query()
    committee_id = args.get("committee_id")
    text = (args.get("q") or "").strip()
    since, until = args.get("since"), args.get("until")
    risk = (args.get("risk") or "").strip() or None
    allowed: dict[int, bool] = {}
    items = []
    for item in decision_rows(committee_id, text, since, until, risk):
        if item.private:
            if item.meeting_id not in allowed:
                allowed[item.meeting_id] = access.sees_private(current_user, item.meeting)
            if not allowed[item.meeting_id]:
                continue
        meeting = item.meeting
        items.append({"item_id": item.id, "meeting_id": meeting.id,
                      "committee_id": meeting.committee_id,
                      "committee": meeting.committee.name,
                      "meeting_date": local_day(meeting).isoformat(), "number": item.number,
                      "title": item.title, "private": item.private,
                      "method": item.decision_method, "motion": item.motion,
                      "outcome": item.outcome, "decision": item.minutes_decision,
                      "risks": [r.reference for r in item.risks],
                      "minutes": f"/meetings/{meeting.id}/items/{item.id}"})
    return jsonify({**page_envelope(items, len(items), 1, len(items)),
                    "limit": DECISIONS_LIMIT})
