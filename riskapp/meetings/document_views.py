"""Meeting documents as downloads: the agenda pack (PDF), the minutes (Word and PDF)."""
from __future__ import annotations

import io

from flask import abort, redirect, send_file, url_for
from flask_login import current_user, login_required

from ..auth import permissions
from ..auth.permissions import require
from ..ratelimits import per_person
from . import access, bp, services
from .document_data import file_stem, meeting_record
from .forms import CsrfOnly

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(content: bytes, mimetype: str, name: str):
    response = send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


_file_stem = file_stem


def _pack_meeting(meeting_id: int):
    """The meeting whose agenda pack the signed-in person may have: members once the agenda
    is published, the secretariat at any time; anyone else 404."""
    require(permissions.can_read_committees(current_user))
    meeting = services.load(meeting_id)
    if meeting is None:
        abort(404)
    if meeting.agenda_published_at is None and \
            not permissions.can_manage_committees(current_user):
        abort(404)
    return meeting


@bp.route("/<int:meeting_id>/agenda-pack", methods=["POST"])
@login_required
@per_person("packs", methods=["POST"])  # a pack, like the BAF pack: the same allowance
def agenda_pack(meeting_id: int):
    """Ask for the agenda and published papers in one PDF: made off the request by the worker
    (riskapp.jobs; merging many papers takes a while), then downloaded from the job's page.
    Private items only for those who may see them, decided for the person who asked."""
    from ..jobs.views import start
    meeting = _pack_meeting(meeting_id)
    CsrfOnly().validate_on_submit() or abort(400)
    return start("agenda_pack", {"meeting": meeting.id})


@bp.route("/<int:meeting_id>/agenda-pack.pdf")
@login_required
def agenda_pack_link(meeting_id: int):
    """An old link or bookmark to the pack: the meeting, where it is asked for."""
    meeting = _pack_meeting(meeting_id)
    return redirect(url_for(".detail", meeting_id=meeting.id) + "#agenda-pack")


def _minutes_record(meeting_id: int):
    require(permissions.can_read_committees(current_user))
    meeting = services.load(meeting_id)
    if meeting is None:
        abort(404)
    access.require_minutes(current_user, meeting)
    return meeting, meeting_record(meeting,
                                   private_ok=access.sees_private(current_user, meeting))


@bp.route("/<int:meeting_id>/minutes.docx")
@login_required
def minutes_docx(meeting_id: int):
    """The minutes drafted from the record, as Word for the secretariat to edit."""
    meeting, record = _minutes_record(meeting_id)
    from ..documents.minutes import build_minutes_docx
    return _download(build_minutes_docx(record), DOCX, _file_stem(meeting, "minutes") + ".docx")


@bp.route("/<int:meeting_id>/minutes.pdf")
@login_required
def minutes_pdf(meeting_id: int):
    meeting, record = _minutes_record(meeting_id)
    from ..documents.minutes import build_minutes_pdf
    return _download(build_minutes_pdf(record), "application/pdf",
                     _file_stem(meeting, "minutes") + ".pdf")
