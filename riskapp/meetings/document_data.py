"""Build the meeting documents' plain data from the record (riskapp.documents.data).

`private_ok` decides whether Part 2 items go in: the caller asks `access` first, so a document
never carries private business to someone the pages would refuse it to.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import select

from ..documents.data import CorrectionRecord, ItemRecord, MeetingRecord, PaperRef
from ..extensions import db
from ..risks.models import Band
from ..rules import scoring
from . import papers, services
from .models import ChairsAction, Meeting


def _bands():
    return [scoring.Band(b.name, b.min_score, b.max_score, b.colour)
            for b in db.session.scalars(select(Band).order_by(Band.min_score))]


def _position(member) -> str:
    return member.positions_text or "Member"


def chairs_actions_for(meeting: Meeting) -> list[ChairsAction]:
    """Chair's actions taken since the committee's previous meeting, up to this one."""
    previous = db.session.scalar(
        select(Meeting.starts_at).where(Meeting.committee_id == meeting.committee_id,
                                        Meeting.starts_at < meeting.starts_at,
                                        Meeting.status != "Cancelled")
        .order_by(Meeting.starts_at.desc()).limit(1))
    day = services.local_day(meeting)
    stmt = select(ChairsAction).where(ChairsAction.committee_id == meeting.committee_id,
                                      ChairsAction.taken_on <= day)
    if previous is not None:
        stmt = stmt.where(ChairsAction.taken_on > services.as_london(previous).date())
    return list(db.session.scalars(stmt.order_by(ChairsAction.taken_on, ChairsAction.id)))


def chairs_action_line(action: ChairsAction) -> str:
    who = action.taken_by.name if action.taken_by else "The chair"
    line = f"{action.taken_on:%d %b %Y}, {who}: {action.decision} Reasons: {action.reasons}"
    return line + (f" Consulted: {action.consulted}" if action.consulted else "")


def _corrected_note(item_id: int, corrected: services.CorrectedParts) -> str:
    """The item's line saying what of it was corrected after approval, if anything was."""
    parts = [what for what, ids in (("title or presenter", corrected.items),
                                     ("minutes", corrected.minutes),
                                     ("decision or vote", corrected.decisions),
                                     ("a declaration", corrected.declared_on)) if item_id in ids]
    if not parts:
        return ""
    return ("Corrected after approval (" + "; ".join(parts)
            + "): see Corrections to the approved record.")


def file_stem(meeting: Meeting, what: str) -> str:
    """A document's file name without its extension: committee, what it is, the day."""
    return f"{meeting.committee.label} {what} {services.local_day(meeting):%Y-%m-%d}"


def meeting_record(meeting: Meeting, *, private_ok: bool, published_only: bool = False,
                   now: datetime | None = None) -> MeetingRecord:
    """Everything the agenda pack and minutes say about `meeting`, as plain data."""
    meeting = services.load(meeting.id, risks=True, votes=True, actions=True)
    now = now or datetime.now(timezone.utc)
    bands = _bands()
    members = services.members_of(meeting)
    attendance = services.attendance_of(meeting)
    q = services.meeting_quoracy(meeting)
    corrections = services.corrections_of(meeting, private_ok=private_ok)
    corrected = services.corrected_parts(corrections)
    present, deputies, apologies, absent = [], [], [], []
    for m in members:
        a = attendance.get(m.id)
        if a is None:
            continue
        note = " (corrected after approval)" if a.id in corrected.attendance else ""
        if a.status in ("present", "remote"):
            present.append((m.name, _position(m)
                            + (" (remotely)" if a.status == "remote" else "")
                            + (f" (from item {a.arrived_at_item.number})" if a.arrived_at_item
                               else "")
                            + (f" (left before item {a.left_at_item.number})" if a.left_at_item
                               else "") + note))
        elif a.status == "deputy":
            deputies.append((a.deputy_name, f"Deputy for {m.name} ({_position(m)})" + note))
        elif a.status == "apologies":
            apologies.append((m.name, _position(m) + note))
        else:
            absent.append((m.name, _position(m) + note))

    def declared(d) -> str:
        return (f"{d.who}: {d.interest} ({d.action_label.lower()})"
                + (" (corrected after approval)" if d.id in corrected.declarations else ""))
    officers = [(o.name, ", ".join(p for p in (o.job_title, o.organisation) if p))
                for o in meeting.officers if o.attends]
    apologies += [(o.name, o.job_title) for o in meeting.officers if o.status == "apologies"]
    start_text = ""
    if q.meeting is not None:
        start_text = ("The meeting was quorate." if q.meeting.result.quorate else
                      "The meeting was not quorate: " + "; ".join(q.meeting.result.shortfalls)
                      + " missing.")
    action_rows, _ = services.action_log(meeting)
    start = services.as_london(meeting.starts_at)
    clock = start
    items = []
    previous_quorate = q.meeting.result.quorate if q.meeting else None
    for item in meeting.items:
        if item.private and not private_ok:
            continue
        iq = q.items.get(item.id)
        quoracy = ""
        if iq is not None and iq.result.quorate != previous_quorate:
            quoracy = ("Quorate for this item." if iq.result.quorate else
                       "Not quorate for this item: " + "; ".join(iq.result.shortfalls)
                       + " missing, so it could not be decided.")
        if iq is not None:
            previous_quorate = iq.result.quorate
        declarations = tuple(declared(d) for d in meeting.declarations
                             if d.item_id == item.id)
        withdrew = tuple(f"{d.who} left the meeting for this item"
                         for d in meeting.declarations
                         if d.item_id == item.id and d.action == "excluded_discussion")
        vote = item.votes[-1] if item.votes else None
        paper_refs = tuple(
            PaperRef(p.title, p.kind, str(papers.paper_path(p))) for p in item.current_papers
            if not published_only or p.published_at is not None)
        items.append(ItemRecord(
            number=item.number, title=item.title, presenter=item.presenter or "",
            purpose=item.purpose_label, private=item.private,
            starts=f"{clock:%H:%M}", duration=item.duration_minutes, papers=paper_refs,
            risks=tuple(f"{r.reference} {r.title}: "
                        + scoring.format_score(r.current_consequence, r.current_likelihood,
                                               bands) for r in item.risks),
            declarations=declarations, quoracy=quoracy,
            discussion=item.minutes_discussion or "",
            motion=(vote.motion if vote and vote.motion else item.motion) or "",
            decision=item.minutes_decision or item.outcome or "",
            vote=(f"For {vote.votes_for}, against {vote.votes_against}, abstentions "
                  f"{vote.abstentions}: {'carried' if vote.carried else 'not carried'}"
                  if vote else ""),
            casting_vote=(f"{vote.casting_voter_name} gave the casting vote "
                          f"{vote.casting_vote}" if vote and vote.casting_vote else ""),
            withdrew=withdrew,
            actions=tuple(f"{row.action.detail} – {row.assignee_name or 'not assigned'} – due "
                          f"{row.action.due_date:%d %b %Y}" if row.action.due_date else
                          f"{row.action.detail} – {row.assignee_name or 'not assigned'}"
                          for row in action_rows if row.action.item_id == item.id),
            corrected=_corrected_note(item.id, corrected)))
        clock += timedelta(minutes=item.duration_minutes or 0)
    forecast_lines = ()
    if meeting.status == "Planned":
        fc = services.forecast(meeting).get("meeting")
        if fc is not None:
            forecast_lines = (("The meeting is expected to be quorate." if fc.quorate else
                               "The meeting is expected to be inquorate: "
                               + "; ".join(fc.result.shortfalls) + " missing."),) + tuple(
                f"{s.requirement}: {s.advice}" for s in fc.suggestions)
    deadline = services.papers_deadline(meeting)
    place = (meeting.location or "") + (" and by video conference" if meeting.remote else "")
    from ..settings.organisation import name as organisation_name
    return MeetingRecord(
        organisation=organisation_name(),
        committee_name=meeting.committee.name, committee_label=meeting.committee.label,
        when=f"{start:%A %-d %B %Y}, {start:%H:%M}", place=place.strip(),
        status=(f"Approved on {meeting.minutes_approved_on:%d %b %Y}"
                if meeting.minutes_locked else "Draft"),
        generated_at=now, papers_deadline=f"{deadline:%d %b %Y}" if deadline else "",
        present=tuple(present), deputies=tuple(deputies), in_attendance=tuple(officers),
        apologies=tuple(apologies), absent=tuple(absent), quoracy_start=start_text,
        forecast=forecast_lines,
        declarations=tuple(declared(d) for d in meeting.declarations if d.item_id is None),
        corrections=tuple(CorrectionRecord(
            what=c.what or c.field, original=c.old_text, corrected=c.new_text, reason=c.reason,
            by=", ".join(p for p in (c.corrected_by.name if c.corrected_by else "",
                                     f"{services.as_london(c.corrected_at):%d %b %Y %H:%M}")
                         if p),
            approved_at=(f"The meeting of {services.local_day(c.approved_at):%d %b %Y}"
                         if c.approved_at else "Not stated")) for c in corrections),
        items=tuple(items),
        chairs_actions=tuple(chairs_action_line(a) for a in chairs_actions_for(meeting)),
        part="Public and private business" if private_ok else "Business in public")
