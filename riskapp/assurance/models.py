"""Sufficiency rules for assurance, kept as versions: an edit adds a version, nothing is deleted."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User, utcnow
from ..extensions import db
from ..rules import assurance as rules


class AssuranceRule(db.Model):
    """One version of one sufficiency rule. Rows are only ever added."""
    __tablename__ = "assurance_rules"
    __table_args__ = (UniqueConstraint("rule_key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The rule across its versions ("Rule 3"): the id of its first version.
    rule_key: Mapped[int] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)
    kind: Mapped[str] = mapped_column(String(30))
    #: The band it applies to (by name, as bands are); None: every band.
    band: Mapped[str | None] = mapped_column(String(50))
    line: Mapped[int | None]
    min_count: Mapped[int | None]
    months: Mapped[int | None]
    #: The business date from which this version applies (maps as at earlier days use the
    #: version in force then).
    effective_from: Mapped[date]
    #: This version withdraws the rule from `effective_from`.
    retired: Mapped[bool] = mapped_column(default=False)
    #: Why it was added or changed, in the risk manager's words.
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()

    def as_rule(self) -> rules.Rule:
        return rules.Rule(self.rule_key, self.version, self.kind, self.band, self.line,
                          self.min_count, self.months)

    @property
    def text(self) -> str:
        return rules.describe_rule(self.as_rule())
