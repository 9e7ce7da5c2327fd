"""Builders for the meeting-cycle tests: a planned PCCAC meeting, real PDF and Word papers."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta, timezone

import docx
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from riskapp.extensions import db
from riskapp.meetings import services


def pdf_bytes(text: str = "Primary care finance paper") -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.drawString(72, 720, text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def docx_bytes(text: str = "Estates strategy paper") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docm_bytes() -> bytes:
    """A Word file with a macro project: the content type says macro-enabled."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml",
                                    b"document.macroEnabled.main+xml")
            target.writestr(info, data)
        target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    return out.getvalue()


def planned_meeting(pccac, *, days_ahead: int = 21, private_item: bool = True):
    """A planned PCCAC meeting with a public item for decision and (optionally) a private one."""
    start = (datetime.now(timezone.utc) + timedelta(days=days_ahead)).replace(
        hour=10, minute=0, second=0, microsecond=0)
    meeting = services.create_meeting(pccac, dict(starts_at=start, location="Room 1",
                                                  has_private_part=private_item))
    public = services.add_item(meeting, dict(number="1", title="Primary care finance report",
                                             presenter="Chief Finance Officer", private=False,
                                             purpose="decision", papers_expected=True,
                                             duration_minutes=20, risks=[]))
    private = None
    if private_item:
        private = services.add_item(meeting, dict(
            number="2", title="Contract dispute with Practice X", presenter="Head of Contracts",
            private=True, purpose="decision", papers_expected=True, duration_minutes=15,
            risks=[]))
    db.session.commit()
    return meeting, public, private


def agenda_pack_pdf(client, meeting_id: int):
    """Ask for the agenda pack as the signed-in person; the response of its download (the
    tests run jobs at once), or the refusal."""
    asked = client.post(f"/meetings/{meeting_id}/agenda-pack")
    if asked.status_code != 302 or "/jobs/" not in asked.location:
        return asked
    return client.get(asked.location.rstrip("/") + "/download")
