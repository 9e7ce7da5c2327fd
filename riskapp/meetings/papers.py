"""Papers for agenda items: checked by what they contain, kept under random names outside the
web root, published to members with the agenda.

A paper is a PDF or a Word document (.docx). Its type is decided by opening it (pypdf for a
PDF, python-docx for Word), never by its name or the browser's claim; macro-enabled Word files,
password-protected PDFs, zip bombs and anything else are refused with a message saying why.
Services flush, never commit.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import secrets
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

from flask import current_app

from ..extensions import db
from . import services
from .models import AgendaItem, Meeting, Paper
from .services import MeetingError

logger = logging.getLogger(__name__)

#: Default largest paper, in megabytes (RISKAPP_PAPER_MAX_MB); the request limit is above it,
#: so a paper over it gets a message beside the field, not an error page.
DEFAULT_MAX_MB = 8
#: A Word file unpacks to at most this much: more is a zip bomb, not a board paper.
MAX_UNPACKED = 200 * 1024 * 1024
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def papers_dir() -> Path:
    """Where paper files live: the instance folder unless RISKAPP_PAPERS_DIR says otherwise
    (a shared volume when several hosts serve the app)."""
    path = Path(current_app.config.get("RISKAPP_PAPERS_DIR")
                or os.path.join(current_app.instance_path, "papers"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_bytes() -> int:
    return int(float(current_app.config.get("RISKAPP_PAPER_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024)


def kind_of(content: bytes) -> str:
    """"pdf" or "docx" from the content itself; MeetingError for anything else."""
    if content[:1024].lstrip().startswith(b"%PDF-"):
        _check_pdf(content)
        return "pdf"
    if content[:4] == b"PK\x03\x04":
        _check_docx(content)
        return "docx"
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise MeetingError("This is an older Word (.doc) or Office file: save it as a Word "
                           "document (.docx) or a PDF and upload that", "file")
    raise MeetingError("The file is not a PDF or a Word document, whatever its name says",
                       "file")


def _check_pdf(content: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise MeetingError("The PDF is password-protected: save a copy without a password "
                               "so members can open it", "file")
        if len(reader.pages) == 0:
            raise MeetingError("The PDF has no pages", "file")
    except MeetingError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError) as error:
        logger.info("paper refused: unreadable PDF (%s)", error)
        raise MeetingError("The PDF cannot be read: it may be damaged. Save it again and "
                           "upload the new copy", "file") from None


def _check_docx(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED:
                raise MeetingError("The Word document is too large once unpacked", "file")
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise MeetingError("The file is not a Word document, whatever its name says",
                                   "file")
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
            if any(n.lower().endswith("vbaproject.bin") for n in names) \
                    or WORD_MAIN not in types:
                raise MeetingError("Word documents with macros cannot be papers: save it as a "
                                   "plain Word document (.docx) or a PDF", "file")
        import docx
        docx.Document(io.BytesIO(content))
    except MeetingError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure to open means "not a document"
        logger.info("paper refused: unreadable Word document (%s)", error)
        raise MeetingError("The Word document cannot be opened: it may be damaged. Save it "
                           "again and upload the new copy", "file") from None


_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]+")


def title_from_filename(filename: str, fallback: str) -> str:
    """A readable title from an uploaded file's name: no folders, control characters or
    extension; never used to name a file on disk."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    name = re.sub(r"\.(pdf|docx?|[a-z0-9]{1,5})$", "", name, flags=re.IGNORECASE)
    name = _UNSAFE.sub(" ", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    return (name or fallback)[:150]


def add_paper(item: AgendaItem, filename: str, content: bytes, *, by=None,
              title: str | None = None, today: date | None = None) -> Paper:
    """Check and keep a paper for `item`; it replaces the item's current papers if asked."""
    services.refuse_if_locked(item.meeting)
    if not content:
        raise MeetingError("Choose a file to upload", "file")
    if len(content) > max_bytes():
        limit = float(current_app.config.get("RISKAPP_PAPER_MAX_MB", DEFAULT_MAX_MB))
        raise MeetingError(f"The file is larger than {limit:g} MB: "
                           "make it smaller (for example, save images at a lower quality)",
                           "file")
    kind = kind_of(content)
    stored = f"{secrets.token_hex(20)}.{kind}"
    (papers_dir() / stored).write_bytes(content)
    deadline = services.papers_deadline(item.meeting)
    paper = Paper(item=item, kind=kind, stored_name=stored, size=len(content),
                  title=(title or "").strip()[:150] or title_from_filename(
                      filename, f"Paper for item {item.number}"),
                  sha256=hashlib.sha256(content).hexdigest(),
                  uploaded_by_id=getattr(by, "id", None),
                  late=bool(deadline and (today or date.today()) > deadline))
    db.session.add(paper)
    item.papers_expected = True
    db.session.flush()
    return paper


def replace_paper(old: Paper, new: Paper, now: datetime) -> None:
    """A newer version replaces `old`; the old file and row are kept."""
    old.replaced_at = now
    db.session.flush()


def paper_path(paper: Paper) -> Path:
    # The stored name is ours (hex and a known suffix): never a name someone typed.
    if not re.fullmatch(r"[0-9a-f]{40}\.(pdf|docx)", paper.stored_name):
        raise FileNotFoundError(paper.stored_name)
    return papers_dir() / paper.stored_name


def awaited_items(meeting: Meeting) -> list[AgendaItem]:
    return [i for i in meeting.items if i.papers_status == "awaited"]


def publish(meeting: Meeting, now: datetime) -> int:
    """Publish the agenda and every received paper to members; returns papers published."""
    count = 0
    for item in meeting.items:
        for paper in item.current_papers:
            if paper.published_at is None:
                paper.published_at = now
                count += 1
    meeting.agenda_published_at = meeting.agenda_published_at or now
    db.session.flush()
    return count


def is_late(item: AgendaItem, today: date, deadline: date | None) -> bool:
    """Papers awaited after the deadline, or received after it."""
    if item.papers_status == "awaited":
        return bool(deadline and today > deadline)
    return any(p.late for p in item.current_papers)
