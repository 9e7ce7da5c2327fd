"""Meeting documents as downloads: the agenda pack (PDF), the minutes (Word and PDF)."""
from __future__ import annotations

import io

from flask import abort, send_file
from flask_login import current_user, login_required

from ..auth import permissions
from ..auth.permissions import require
from . import access, bp, services
from .document_data import meeting_record

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(content: bytes, mimetype: str, name: str):
    response = send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _file_stem(meeting, what: str) -> str:
    return f"{meeting.committee.label} {what} {services.local_day(meeting):%Y-%m-%d}"


@bp.route("/<int:meeting_id>/agenda-pack.pdf")
@login_required
def agenda_pack(meeting_id: int):
    """The agenda and published papers in one PDF: members once published, the secretariat
    at any time; private items only for those who may see them."""
    require(permissions.can_read_committees(current_user))
    meeting = services.load(meeting_id)
    if meeting is None:
        abort(404)
    manage = permissions.can_manage_committees(current_user)
    if meeting.agenda_published_at is None and not manage:
        abort(404)
    record = meeting_record(meeting, private_ok=access.sees_private(current_user, meeting),
                            published_only=not manage)
    from ..documents.agenda_pack import build_agenda_pack  # ReportLab and pypdf: only here
    return _download(build_agenda_pack(record), "application/pdf",
                     _file_stem(meeting, "agenda pack") + ".pdf")


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
