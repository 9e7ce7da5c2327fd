"""Committees: the Board, its committees and their sub-groups."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

COMMITTEE_KINDS = (
    "Board of the ICB",
    "Board committee with assurance function",
    "Advisory body",
    "Delivery group",
)


class Committee(db.Model):
    __tablename__ = "committees"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(60), default=COMMITTEE_KINDS[1])
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"))

    parent: Mapped["Committee | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Committee"]] = relationship(back_populates="parent",
                                                       order_by="Committee.name")
    risks: Mapped[list["Risk"]] = relationship(secondary="risk_committees",  # noqa: F821
                                             back_populates="committees",
                                             order_by="Risk.reference")

    def __str__(self) -> str:
        return self.name
