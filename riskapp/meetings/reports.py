"""The highlight report (Alert / Advise / Assure) a committee sends its parent after a meeting.

Drafted from the meeting's record, edited by the secretariat, approved by the committee's chair,
then listed as an item on the parent committee's next agenda (or its next meeting once
scheduled). Services flush, never commit.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from ..extensions import db
from ..rules import voting
from . import services
from .document_data import _bands
from .models import AgendaItem, HighlightReport, Meeting
from .services import MeetingError


def chair_user_ids(meeting: Meeting) -> set[int]:
    """The users of the committee's chair (and deputy chair) on the meeting's day."""
    inputs = services.rule_inputs_of(meeting)
    if inputs is None:
        return set()
    ids = set(voting.committee_chairs(inputs.positions, inputs.members)) - {None}
    return {m.user_id for m in services.members_of(meeting) if m.id in ids and m.user_id}


def draft(meeting: Meeting) -> dict[str, str]:
    """Alert / Advise / Assure drafted from the record: decisions, risks discussed and their
    scores, quoracy, and what could not be decided."""
    from ..rules import scoring
    meeting = services.load(meeting.id, risks=True, votes=True)
    q = services.meeting_quoracy(meeting)
    bands = _bands()
    alert, advise, assure = [], [], []
    for item in meeting.items:
        if item.private:
            continue  # private business is reported to the parent in its private part
        iq = q.items.get(item.id)
        if iq is not None and not iq.result.quorate:
            alert.append(f"Item {item.number} ({item.title}) could not be decided: the "
                         f"committee was not quorate for it.")
        if item.decided:
            what = item.motion or item.outcome or ""
            advise.append(f"Item {item.number} {item.title}: {what}"
                          + (f" ({item.outcome})" if item.motion and item.outcome else ""))
        for risk in item.risks:
            score = scoring.format_score(risk.current_consequence, risk.current_likelihood,
                                         bands)
            line = f"{risk.reference} {risk.title}: {score}"
            (alert if score.startswith(("High", "Extreme")) else assure).append(
                f"Risk discussed under item {item.number}: {line}.")
        if item.purpose in ("assurance", "noting", "information") and not item.decided:
            assure.append(f"Item {item.number} {item.title} was received.")
    if q.meeting is not None:
        assure.insert(0, "The meeting was quorate." if q.meeting.result.quorate else
                      "The meeting was not quorate at the start.")
    return {"alert": "\n".join(alert) or "Nothing to alert the Board to.",
            "advise": "\n".join(advise) or "No decisions were taken.",
            "assure": "\n".join(assure)}


def report_of(meeting: Meeting) -> HighlightReport | None:
    return db.session.scalar(select(HighlightReport).where(
        HighlightReport.meeting_id == meeting.id))


def save(meeting: Meeting, data: dict) -> HighlightReport:
    report = report_of(meeting)
    if report is not None and report.status == "approved":
        raise MeetingError("The chair has approved this report: it can no longer be changed",
                           "alert")
    if report is None:
        report = HighlightReport(meeting=meeting)
        db.session.add(report)
    for name in ("alert", "advise", "assure"):
        setattr(report, name, (data.get(name) or "").strip())
    if not (report.alert or report.advise or report.assure):
        raise MeetingError("Write at least one of alert, advise or assure", "alert")
    db.session.flush()
    return report


def approve(report: HighlightReport, by, now: datetime | None = None) -> AgendaItem | None:
    """The chair approves; the report goes on the parent committee's next agenda."""
    meeting = report.meeting
    from ..auth.models import Role
    if by.role != Role.ADMIN and by.id not in chair_user_ids(meeting):
        raise MeetingError("Only the chair of the committee can approve its highlight report",
                           "alert")
    if report.status == "approved":
        raise MeetingError("This report is already approved", "alert")
    report.status, report.approved_by_id = "approved", by.id
    report.approved_at = now or datetime.now(timezone.utc)
    db.session.flush()
    return place_on_parent_agenda(report)


def place_on_parent_agenda(report: HighlightReport) -> AgendaItem | None:
    """Add the report to the parent's next planned meeting after this one, if there is one."""
    meeting = report.meeting
    parent = meeting.committee.parent
    if parent is None or report.parent_item_id is not None:
        return None
    target = db.session.scalar(
        select(Meeting).where(Meeting.committee_id == parent.id, Meeting.status == "Planned",
                              Meeting.starts_at > meeting.starts_at)
        .order_by(Meeting.starts_at).limit(1))
    if target is None or services.is_record_locked(target):
        return None
    numbers = {i.number for i in target.items}
    number = str(len(target.items) + 1)
    while number in numbers:
        number += "a"
    item = services.add_item(target, dict(
        number=number, private=False, purpose="assurance", papers_expected=False, risks=[],
        title=f"Highlight report from the {meeting.committee.name}, "
              f"{services.local_day(meeting):%d %b %Y}",
        presenter=f"Chair of the {meeting.committee.label}"))
    report.parent_item = item
    db.session.flush()
    return item


def place_waiting_reports(parent_meeting: Meeting) -> int:
    """A parent meeting just scheduled receives its committees' approved reports still
    waiting for an agenda."""
    waiting = db.session.scalars(
        select(HighlightReport).join(HighlightReport.meeting)
        .where(HighlightReport.status == "approved", HighlightReport.parent_item_id.is_(None),
               Meeting.starts_at < parent_meeting.starts_at)).all()
    placed = 0
    for report in waiting:
        if report.meeting.committee.parent_id == parent_meeting.committee_id:
            placed += place_on_parent_agenda(report) is not None
    return placed


def report_for_item(item: AgendaItem) -> HighlightReport | None:
    return db.session.scalar(select(HighlightReport).where(
        HighlightReport.parent_item_id == item.id))
