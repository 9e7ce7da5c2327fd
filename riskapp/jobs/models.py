"""A piece of long work someone asked for, its progress and its result."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User, utcnow
from ..extensions import db

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_user_kind_state", "user_id", "kind", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: "pack" (the BAF pack PDF), "register" (a register export: CSV or the workbook),
    #: "agenda_pack", "cover" (the BAF cover paper: Word, and its draft on the page) or
    #: "import" (checking an uploaded file, or saving what it changes).
    kind: Mapped[str] = mapped_column(String(20))
    #: What was asked for, as the worker needs it (JSON: register id, as-at date, filters).
    params: Mapped[str] = mapped_column(Text)
    #: The request and the data it was made from: the same key gives the same file.
    key: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(10), default=QUEUED)
    percent: Mapped[int] = mapped_column(default=0)
    #: What the job is doing now, in words for the person waiting.
    step: Mapped[str] = mapped_column(String(200), default="Waiting to start")
    filename: Mapped[str | None] = mapped_column(String(200))
    mimetype: Mapped[str | None] = mapped_column(String(100))
    result: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: What the job's page shows of the result before it is downloaded, as JSON (the cover
    #: paper's draft); let go with the result.
    preview: Mapped[str | None] = mapped_column(Text)
    #: An import's file as uploaded (at most IMPORT_MAX_BYTES, 2 MB): the worker reads it, so
    #: the unzipping and parsing never run in a web request, then lets it go.
    upload: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    #: The result is kept until then (a day after it was made), then let go.
    expires_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))

    user: Mapped[User] = relationship()
