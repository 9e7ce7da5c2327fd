"""Import previews already confirmed, so a signed preview adds its risks once only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..auth.models import utcnow
from ..extensions import db


class UsedPreview(db.Model):
    __tablename__ = "used_import_previews"
    #: The random id signed into the preview's confirmation form.
    preview: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    used_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
