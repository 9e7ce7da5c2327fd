"""Committees: the Board, its committees and sub-groups, their terms of reference and members."""
from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User, utcnow
from ..extensions import db

COMMITTEE_KINDS = (
    "Board of the ICB",
    "Board committee with assurance function",
    "Advisory body",
    "Delivery group",
)

#: Terms of reference move draft -> in force -> superseded; exactly one is in force.
TOR_STATUSES = ("draft", "in_force", "superseded")
DEPUTY_POLICIES = {
    "none": "No deputies count",
    "required_members_only": "Only deputies for members required for quoracy",
    "any_member": "A deputy for any member counts",
}
MAJORITY_BASES = {
    "votes_cast": "A majority of votes cast (abstentions not counted)",
    "present": "A majority of the eligible voters present",
}
FREQUENCIES = ("monthly", "bi-monthly", "quarterly", "twice a year", "annually", "as required")
POSITION_CATEGORIES = {
    "non_executive_member": "Non-executive member",
    "executive_board_member": "Executive board member",
    "clinical_representative": "Clinical representative",
    "partner_member": "Partner member",
    "other": "Other",
}


class Committee(db.Model):
    __tablename__ = "committees"
    __versioned__: dict = {}
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(60), default=COMMITTEE_KINDS[1])
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"))
    #: The annual effectiveness review (PCCAC ToR: "at least annually"); in the calendar.
    effectiveness_review_due: Mapped[date | None]
    #: The committee's own settings, set on the committee page; when empty, those of its
    #: terms of reference in force apply (`services.attendance_threshold`, `papers_deadline_days`).
    attendance_threshold_percent: Mapped[int | None]
    papers_deadline_days: Mapped[int | None]
    #: Set when the committee is dissolved: it is kept, read-only, with its whole record.
    dissolved_on: Mapped[date | None]

    parent: Mapped["Committee | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Committee"]] = relationship(back_populates="parent",
                                                       order_by="Committee.name")
    risks: Mapped[list["Risk"]] = relationship(secondary="risk_committees",  # noqa: F821
                                             back_populates="committees",
                                             order_by="Risk.reference")
    terms: Mapped[list["TermsOfReference"]] = relationship(
        back_populates="committee", order_by="TermsOfReference.id")
    members: Mapped[list["CommitteeMember"]] = relationship(
        back_populates="committee", order_by="CommitteeMember.id")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name

    @property
    def dissolved(self) -> bool:
        return self.dissolved_on is not None


class TermsOfReference(db.Model):
    """One version of a committee's terms of reference, with its rules as structured data."""
    __tablename__ = "terms_of_reference"
    __versioned__: dict = {}
    __table_args__ = (
        UniqueConstraint("committee_id", "version"),
        CheckConstraint("status IN ('draft', 'in_force', 'superseded')", name="status"),
        # Exactly one version in force per committee.
        Index("uq_terms_of_reference_in_force", "committee_id", unique=True,
              sqlite_where=db.text("status = 'in_force'"),
              postgresql_where=db.text("status = 'in_force'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    version: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    approved_by: Mapped[str | None] = mapped_column(String(300))
    approved_on: Mapped[date | None]
    #: At most two years after approval (checked by the rule in the service).
    review_due: Mapped[date | None]
    text: Mapped[str] = mapped_column(Text, default="")
    #: "none" | "required_members_only" | "any_member" (rules.quoracy.DEPUTY_POLICIES).
    deputy_policy: Mapped[str] = mapped_column(String(30), default="none")
    #: "votes_cast" | "present" (rules.voting.MAJORITY_BASES).
    majority_base: Mapped[str] = mapped_column(String(20), default="votes_cast")
    voting_rule: Mapped[str] = mapped_column(Text, default="")
    papers_deadline_days: Mapped[int] = mapped_column(default=5)
    attendance_threshold_percent: Mapped[int] = mapped_column(default=75)
    frequency: Mapped[str] = mapped_column(String(30), default="quarterly")
    min_voting_members: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    committee: Mapped[Committee] = relationship(back_populates="terms")
    positions: Mapped[list["TorPosition"]] = relationship(
        back_populates="terms", order_by="TorPosition.sort_order, TorPosition.id",
        cascade="all, delete-orphan")
    requirements: Mapped[list["TorRequirement"]] = relationship(
        back_populates="terms", order_by="TorRequirement.sort_order, TorRequirement.id",
        cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.committee.label} terms of reference v{self.version}"

    @property
    def status_label(self) -> str:
        return {"draft": "Draft", "in_force": "In force", "superseded": "Superseded"}[self.status]


class TorPosition(db.Model):
    """A seat named by the terms of reference, e.g. "ICB Chief Finance Officer"."""
    __tablename__ = "tor_positions"
    __table_args__ = (UniqueConstraint("tor_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tor_id: Mapped[int] = mapped_column(ForeignKey("terms_of_reference.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(60), default="other")
    voting: Mapped[bool] = mapped_column(default=True)
    chair: Mapped[bool] = mapped_column(default=False)
    deputy_chair: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)

    terms: Mapped[TermsOfReference] = relationship(back_populates="positions")

    @property
    def category_label(self) -> str:
        return POSITION_CATEGORIES.get(self.category, self.category)


class TorRequirement(db.Model):
    """One quorum requirement: at least `count` people from these positions or categories."""
    __tablename__ = "tor_requirements"
    __table_args__ = (CheckConstraint("count >= 1", name="count_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tor_id: Mapped[int] = mapped_column(ForeignKey("terms_of_reference.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(default=1)
    #: Position names (of the same version) that fill it.
    positions: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Position categories that fill it, e.g. ["executive_board_member"].
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    sort_order: Mapped[int] = mapped_column(default=0)

    terms: Mapped[TermsOfReference] = relationship(back_populates="requirements")


class CommitteeMember(db.Model):
    """A person on a committee in one or more positions: a user, or someone with no login."""
    __tablename__ = "committee_members"
    __versioned__: dict = {}
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR person_name IS NOT NULL", name="has_person"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: For people with no login (an external representative).
    person_name: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    #: Position names of the terms of reference this person holds (one person may hold two).
    positions: Mapped[list[str]] = mapped_column(JSON, default=list)
    appointed_on: Mapped[date]
    #: The renewal date; shown in the governance calendar.
    term_ends_on: Mapped[date | None]
    #: Set when the membership ends; past memberships are kept.
    ended_on: Mapped[date | None]

    committee: Mapped[Committee] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()
    #: Earlier terms, oldest first: each renewal keeps the term it replaced.
    past_terms: Mapped[list["MemberTerm"]] = relationship(
        back_populates="member", order_by="MemberTerm.starts_on, MemberTerm.id")

    @property
    def name(self) -> str:
        return self.user.name if self.user else (self.person_name or "")

    @property
    def positions_text(self) -> str:
        return "; ".join(self.positions or [])

    def is_current(self, on: date) -> bool:
        return self.appointed_on <= on and (self.ended_on is None or self.ended_on > on)

    def served_on(self, day: date) -> bool:
        """Return whether the person was a member on `day`."""
        return self.is_current(day)


class MemberTerm(db.Model):
    """A term a member served before it was renewed: kept so the history of terms shows."""
    __tablename__ = "committee_member_terms"
    __audit__ = ("starts_on", "ends_on")
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    renewed_on: Mapped[date]
    renewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    member: Mapped[CommitteeMember] = relationship(back_populates="past_terms")
    renewed_by: Mapped[User | None] = relationship()


class CalendarFeedToken(db.Model):
    """A user's secret calendar address; Outlook cannot sign in, so the URL carries a token."""
    __tablename__ = "calendar_feed_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True,
                                       default=lambda: secrets.token_urlsafe(32))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship()
