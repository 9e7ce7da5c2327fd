"""Import previews already confirmed, so a signed preview adds its risks once only; the BAF
packs drawn, so a cover paper knows the last one."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..auth.models import utcnow
from ..extensions import db


class UsedPreview(db.Model):
    __tablename__ = "used_import_previews"
    #: The random id signed into the preview's confirmation form.
    preview: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    used_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)


class DrawnPack(db.Model):
    """A BAF pack riskapp drew, by whichever way it was asked for (the download, which the
    worker makes, or `flask report baf`): the cover paper's "since" defaults to the last one.
    Kept for good, apart from the jobs whose files are let go."""
    __tablename__ = "drawn_packs"
    __table_args__ = (Index("ix_drawn_packs_register_drawn", "register_id", "drawn_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id"))
    #: The day the pack is as at.
    as_of: Mapped[date]
    drawn_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    #: Who asked for it; None when drawn from the command line.
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: "download" or "command line".
    via: Mapped[str] = mapped_column(String(20))
    #: Set when the pack was of part of the register only (not a paper of the whole register).
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"))
    directorate_id: Mapped[int | None] = mapped_column(ForeignKey("directorates.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    risks: Mapped[int] = mapped_column(default=0)

    @property
    def whole_register(self) -> bool:
        return self.committee_id is None and self.directorate_id is None and \
            self.owner_id is None
