"""Upcoming meetings: where the secretariat lands, theirs first, with papers and quoracy."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth import permissions
from ..auth.permissions import require
from ..committees.models import Committee, CommitteeMember
from ..extensions import db
from . import bp, services
from .models import Meeting

#: How many upcoming meetings the page shows: a few months of a trust's committees.
UPCOMING_LIMIT = 40


@dataclass
class UpcomingMeeting:
    meeting: Meeting
    mine: bool                  #: the reader sits on the committee
    deadline: date | None       #: papers deadline
    awaited: int                #: items whose papers are still awaited
    forecast_quorate: bool | None
    shortfalls: list[str]


def upcoming_meetings(user, now: datetime) -> list[UpcomingMeeting]:
    """Planned meetings from `now`, the reader's committees first, then by date."""
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.status == "Planned", Meeting.starts_at >= now)
        .order_by(Meeting.starts_at, Meeting.id).limit(UPCOMING_LIMIT)).all()
    my_committees = set(db.session.scalars(
        select(CommitteeMember.committee_id).where(CommitteeMember.user_id == user.id,
                                                   CommitteeMember.ended_on.is_(None))))
    rows = []
    for m in meetings:
        meeting = services.load(m.id)
        forecast = services.forecast(meeting).get("meeting")
        rows.append(UpcomingMeeting(
            meeting, meeting.committee_id in my_committees, services.papers_deadline(meeting),
            sum(1 for i in meeting.items if i.papers_status == "awaited"),
            forecast.quorate if forecast else None,
            list(forecast.result.shortfalls) if forecast else []))
    rows.sort(key=lambda r: (not r.mine,))  # stable: by date within each group
    return rows


@bp.route("/upcoming")
@login_required
def upcoming():
    require(permissions.can_read_committees(current_user))
    return render_template("meetings/upcoming.html",
                           rows=upcoming_meetings(current_user, datetime.now(timezone.utc)),
                           today=date.today(),
                           can_manage=permissions.can_manage_committees(current_user))


@bp.route("/schedule")
@login_required
def schedule():
    """Choose the committee, then schedule its meeting (the committee page has the button)."""
    require(permissions.can_manage_committees(current_user))
    committee_id = request.args.get("committee_id", type=int)
    if committee_id and db.session.get(Committee, committee_id):
        return redirect(url_for(".new", committee_id=committee_id))
    committees = db.session.scalars(select(Committee).order_by(Committee.name)).all()
    return render_template("meetings/schedule.html", committees=committees,
                           error=bool(request.args.get("committee_id") is not None))
