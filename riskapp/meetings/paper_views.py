"""Papers: upload (checked by content), download with safe headers, publish, the agenda pack."""
from __future__ import annotations

import io
from datetime import date, datetime, timezone

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from ..auth import permissions
from ..auth.permissions import require
from ..extensions import db
from . import access, bp, papers, services
from .forms import PaperForm, PublishForm
from .models import Paper
from .services import MeetingError


def _load(meeting_id: int):
    meeting = services.load(meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _item(meeting, item_id: int):
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


def can_manage() -> bool:
    return permissions.can_manage_committees(current_user)


@bp.route("/<int:meeting_id>/items/<int:item_id>/papers/new", methods=["GET", "POST"])
@login_required
def new_paper(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can_manage())
    item = _item(meeting, item_id)
    form = PaperForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            old = list(item.current_papers) if form.replaces.data else []
            paper = papers.add_paper(item, upload.filename, upload.read(), by=current_user,
                                     title=form.title.data, today=date.today())
            for previous in old:
                papers.replace_paper(previous, paper, datetime.now(timezone.utc))
            db.session.commit()
            flash(f"Paper received for item {item.number}: {paper.title}"
                  + (" (after the papers deadline)" if paper.late else "") + ".", "success")
            return redirect(url_for(".item", meeting_id=meeting.id, item_id=item.id)
                            + "#papers")
        except MeetingError as error:
            db.session.rollback()
            form.file.errors = list(form.file.errors) + [error.message]
            meeting = _load(meeting_id)
            item = _item(meeting, item_id)
    return render_template("meetings/paper_new.html", meeting=meeting, item=item,
                           form=form), 422 if form.errors else 200


@bp.route("/papers/<int:paper_id>")
@login_required
def paper(paper_id: int):
    """The file, as a download: never shown inline, never sniffed, never cached by proxies."""
    paper = db.get_or_404(Paper, paper_id)
    access.require_item(current_user, paper.item)
    if paper.published_at is None and not can_manage():
        abort(404)  # not sent out yet: members see it once published
    return paper_file_response(paper)


def paper_file_response(paper: Paper):
    """The paper's file as a download with safe headers (pages and API), or 404."""
    try:
        path = papers.paper_path(paper)
    except FileNotFoundError:
        abort(404)
    if not path.exists():
        abort(404)
    # Read whole (at most a few MB): no file handle is left open with the response.
    response = send_file(io.BytesIO(path.read_bytes()), mimetype="application/pdf" if paper.kind == "pdf" else
                         "application/vnd.openxmlformats-officedocument"
                         ".wordprocessingml.document",
                         as_attachment=True, download_name=paper.download_name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<int:meeting_id>/publish", methods=["GET", "POST"])
@login_required
def publish(meeting_id: int):
    """Publish the agenda and papers; warn first when papers are still awaited."""
    meeting = _load(meeting_id)
    require(can_manage())
    if services.is_record_locked(meeting):  # the papers as published are part of the record
        flash(services.MeetingLocked(meeting).message, "error")
        return redirect(url_for(".detail", meeting_id=meeting.id))
    form = PublishForm()
    awaited = papers.awaited_items(meeting)
    if form.validate_on_submit() and (not awaited or form.confirmed.data == "yes"):
        count = papers.publish(meeting, datetime.now(timezone.utc))
        db.session.commit()
        flash(f"Agenda published with {count} paper{'' if count == 1 else 's'}"
              + (f"; {len(awaited)} still awaited" if awaited else "") + ".", "success")
        return redirect(url_for(".detail", meeting_id=meeting.id) + "#agenda")
    return render_template("meetings/publish.html", meeting=meeting, awaited=awaited,
                           form=form, unpublished=sum(
                               1 for i in meeting.items for p in i.current_papers
                               if p.published_at is None))


# --- meeting actions, progressed by their assignee (issue 17) --------------------------------


@bp.route("/actions/<int:action_id>/progress", methods=["GET", "POST"])
@login_required
def action_progress(action_id: int):
    from .forms import ActionProgressForm
    from .models import MeetingAction
    action = db.get_or_404(MeetingAction, action_id)
    require(services.can_progress_action(current_user, action))
    form = ActionProgressForm(data=None if request.method == "POST" else
                              {"status": action.status, "due_date": action.due_date})
    if form.validate_on_submit():
        try:
            services.record_action_progress(action, note=form.note.data,
                                            status=form.status.data,
                                            due_date=form.due_date.data, by=current_user,
                                            today=date.today())
            db.session.commit()
            flash(f"Progress recorded on the action from {action.meeting.committee.label}: "
                  f"{action.status.lower()}.", "success")
            return redirect(url_for("actions.mine") if request.args.get("back") == "mine"
                            else url_for(".detail", meeting_id=action.meeting_id) + "#actions")
        except MeetingError as error:
            db.session.rollback()
            field = getattr(form, error.field or "", None) or form.note
            field.errors = list(field.errors) + [error.message]
            action = db.get_or_404(MeetingAction, action_id)
    return render_template("meetings/action_progress.html", action=action, form=form,
                           today=date.today()), 422 if form.errors else 200
