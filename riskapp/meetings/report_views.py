"""The highlight report page: drafted from the meeting, edited, approved by the chair."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..auth import permissions
from ..auth.models import Role
from ..auth.permissions import require
from ..extensions import db
from . import bp, reports, services
from .forms import CsrfOnly, HighlightReportForm
from .services import MeetingError


@bp.route("/<int:meeting_id>/report", methods=["GET", "POST"])
@login_required
def report(meeting_id: int):
    require(permissions.can_read_committees(current_user))
    meeting = services.load(meeting_id)
    if meeting is None:
        abort(404)
    existing = reports.report_of(meeting)
    chair = current_user.id in reports.chair_user_ids(meeting) or \
        current_user.role == Role.ADMIN
    can_edit = (permissions.can_manage_committees(current_user) or chair) and \
        (existing is None or existing.status == "draft")
    if existing is None or existing.status == "draft":
        # A draft is the committee's business until the chair approves it.
        from . import access
        if not (access.sees_private(current_user, meeting)):
            abort(404)
    source = ({k: getattr(existing, k) for k in ('alert', 'advise', 'assure')} if existing
              else reports.draft(meeting))
    form = HighlightReportForm(data=None if request.method == "POST" else
                               {k: source.get(k) for k in ("alert", "advise", "assure")})
    if request.method == "POST":
        require(can_edit)
        if form.validate_on_submit():
            try:
                reports.save(meeting, form.data)
                db.session.commit()
                flash("Highlight report saved as a draft for the chair to approve.", "success")
                return redirect(url_for(".report", meeting_id=meeting.id))
            except MeetingError as error:
                db.session.rollback()
                getattr(form, error.field or "alert").errors.append(error.message)
    return render_template("meetings/report.html", meeting=meeting, report=existing, form=form,
                           can_edit=can_edit, can_approve=chair and existing is not None
                           and existing.status == "draft", approve_form=CsrfOnly()), \
        422 if form.errors else 200


@bp.route("/<int:meeting_id>/report/approve", methods=["POST"])
@login_required
def approve_report(meeting_id: int):
    meeting = services.load(meeting_id)
    if meeting is None:
        abort(404)
    existing = reports.report_of(meeting)
    if existing is None:
        abort(404)
    CsrfOnly().validate_on_submit() or abort(400)
    try:
        item = reports.approve(existing, current_user)
        db.session.commit()
    except MeetingError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".report", meeting_id=meeting.id))
    parent = meeting.committee.parent
    if item is not None:
        flash(f"Highlight report approved and added to the {parent.name} agenda of "
              f"{services.local_day(item.meeting):%d %b %Y} as item {item.number}.", "success")
    else:
        flash("Highlight report approved. It will be added to the "
              f"{parent.name if parent else 'parent committee'}'s next agenda when that "
              "meeting is scheduled.", "success")
    return redirect(url_for(".report", meeting_id=meeting.id))
