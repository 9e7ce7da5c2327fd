"""Reminder pages: "reminders sent to me" for everyone, the outbox for administrators."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..auth import permissions
from ..auth.permissions import require
from ..extensions import db
from ..rules.reminders import KINDS as REMINDER_KINDS
from . import bp, queries, services
from .models import STATUSES, Reminder

PER_PAGE = 50


def _kinds() -> dict:
    """Reminder kinds and single-message kinds (invitations, resets), by name, for labels."""
    from .messages import MESSAGE_KINDS
    return {**REMINDER_KINDS, **MESSAGE_KINDS}


@bp.route("/")
@login_required
def mine():
    require(permissions.can_read(current_user))
    page = db.paginate(queries.sent_to(current_user.id), per_page=PER_PAGE, error_out=False)
    return render_template("reminders/mine.html", page=page, kinds=_kinds(),
                           can_view_outbox=permissions.can_view_outbox(current_user))


@bp.route("/outbox")
@login_required
def outbox():
    require(permissions.can_view_outbox(current_user))
    status = request.args.get("status")
    if status not in STATUSES:
        status = None
    page = db.paginate(queries.outbox(status), per_page=PER_PAGE, error_out=False)
    return render_template("reminders/outbox.html", page=page, status=status, kinds=_kinds(),
                           statuses=STATUSES, counts=services.outbox_counts())


@bp.route("/outbox/<int:reminder_id>/retry", methods=["POST"])
@login_required
def retry(reminder_id):
    reminder = db.get_or_404(Reminder, reminder_id)
    require(permissions.can_view_outbox(current_user))
    if not services.retry_failed(reminder):
        abort(409, "Only a reminder that gave up can be tried again.")
    db.session.commit()
    flash("The reminder will be sent on the next run.", "success")
    return redirect(url_for("reminders.outbox", status="failed"))
