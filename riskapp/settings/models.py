"""The organisation's own settings: its name and logo, how people sign in, appetite categories."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..auth.models import utcnow
from ..extensions import db


class Organisation(db.Model):
    """One row: the organisation using riskapp. Absent until an administrator saves it."""
    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: PNG, re-encoded on upload (no metadata, nothing but pixels); shown in the header and PDFs.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_updated_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    #: False: only the break-glass administrator signs in with a password; everyone else
    #: signs in with the organisation's identity provider (single sign-on).
    passwords_allowed: Mapped[bool] = mapped_column(default=True)
    #: Single sign-on may create an account (staff role) for a verified address it does not know.
    sso_creates_users: Mapped[bool] = mapped_column(default=False)
    break_glass_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)


class AppetiteCategory(db.Model):
    """A kind of risk the board states an appetite for ("Financial", "Quality and safety")."""
    __tablename__ = "appetite_categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    position: Mapped[int] = mapped_column(default=0)

    def __str__(self) -> str:
        return self.name
