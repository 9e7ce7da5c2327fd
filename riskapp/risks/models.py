"""The risk register: registers, bands, appetite, risks, score history, controls, assurances, actions."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Directorate, User, utcnow
from ..extensions import db
from ..rules import scoring
from ..rules.actions import is_overdue

RISK_STATUSES = ("Open", "Closed", "Archived")
NOT_YET_ASSESSED = "Not yet assessed"
EFFECTIVENESS = ("Effective", "Partially effective", "Not effective", NOT_YET_ASSESSED)
ASSURANCE_LINES = {1: "1st line (management)", 2: "2nd line (oversight functions)",
                   3: "3rd line (independent)"}
APPETITE_CATEGORIES = ("Financial", "Quality and safety", "Compliance and regulatory",
                       "Reputation", "Workforce", "Innovation", "Partnerships", "Operational")


class Register(db.Model):
    __tablename__ = "registers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: References are prefix + a four-digit number: BAF0001.
    prefix: Mapped[str] = mapped_column(String(10), unique=True)
    #: The next number to hand out. Only ever goes up, so references are never reused.
    next_number: Mapped[int] = mapped_column(default=1)

    def __str__(self) -> str:
        return self.name


class Band(db.Model):
    """A configurable score band; the risk manager edits these."""
    __tablename__ = "bands"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    min_score: Mapped[int]
    max_score: Mapped[int]
    colour: Mapped[str] = mapped_column(String(7))
    #: How often a risk in this band is reviewed, unless the risk overrides it.
    review_months: Mapped[int] = mapped_column(default=3)

    def as_rule(self) -> scoring.Band:
        return scoring.Band(self.name, self.min_score, self.max_score, self.colour,
                            self.review_months)


class AppetiteLevel(db.Model):
    """A level of risk appetite and the highest current score it tolerates."""
    __tablename__ = "appetite_levels"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    max_score: Mapped[int]

    def __str__(self) -> str:
        return f"{self.name} (up to {self.max_score})"


risk_committees = db.Table(
    "risk_committees",
    db.Column("risk_id", ForeignKey("risks.id"), primary_key=True),
    db.Column("committee_id", ForeignKey("committees.id"), primary_key=True),
    # The key starts with risk_id; a committee's risks need their own index (issue 9).
    Index("ix_risk_committees_committee_id", "committee_id"),
)


def _rating(name: str) -> CheckConstraint:
    return CheckConstraint(f"{name} BETWEEN 1 AND 5", name=f"{name}_1_to_5")


class Risk(db.Model):
    __tablename__ = "risks"
    __versioned__: dict = {}
    __table_args__ = (
        UniqueConstraint("register_id", "number"),
        _rating("initial_consequence"), _rating("initial_likelihood"),
        _rating("current_consequence"), _rating("current_likelihood"),
        _rating("target_consequence"), _rating("target_likelihood"),
        Index("ix_risks_register_status", "register_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id"))
    number: Mapped[int]
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    strategic_objective: Mapped[str | None] = mapped_column(String(300))
    directorate_id: Mapped[int | None] = mapped_column(ForeignKey("directorates.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="Open")
    appetite_category: Mapped[str | None] = mapped_column(String(50))
    appetite_level_id: Mapped[int | None] = mapped_column(ForeignKey("appetite_levels.id"))
    #: Overrides the band's review frequency when set.
    review_frequency_months: Mapped[int | None]
    next_review_date: Mapped[date | None] = mapped_column(index=True)
    initial_consequence: Mapped[int]
    initial_likelihood: Mapped[int]
    current_consequence: Mapped[int]
    current_likelihood: Mapped[int]
    #: Stored (not only derived) so lists can filter and sort by score in SQL.
    current_score: Mapped[int] = mapped_column(index=True)
    target_consequence: Mapped[int | None]
    target_likelihood: Mapped[int | None]
    #: When the target score should be reached.
    target_date: Mapped[date | None]
    opened_on: Mapped[date] = mapped_column(default=date.today)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    register: Mapped[Register] = relationship()
    directorate: Mapped[Directorate | None] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    lead: Mapped[User | None] = relationship(foreign_keys=[lead_id])
    appetite_level: Mapped[AppetiteLevel | None] = relationship()
    score_records: Mapped[list["ScoreRecord"]] = relationship(
        back_populates="risk", order_by="ScoreRecord.recorded_on, ScoreRecord.id")
    controls: Mapped[list["Control"]] = relationship(back_populates="risk", order_by="Control.id")
    assurances: Mapped[list["Assurance"]] = relationship(back_populates="risk",
                                                         order_by="Assurance.id")
    gaps: Mapped[list["Gap"]] = relationship(back_populates="risk", order_by="Gap.id")
    actions: Mapped[list["Action"]] = relationship(back_populates="risk", order_by="Action.id")
    committees: Mapped[list["Committee"]] = relationship(  # noqa: F821
        secondary=risk_committees, back_populates="risks", order_by="Committee.name")
    former_references: Mapped[list["FormerReference"]] = relationship(
        back_populates="risk", order_by="FormerReference.id")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def initial_score(self) -> int:
        return self.initial_consequence * self.initial_likelihood

    @property
    def target_score(self) -> int | None:
        if self.target_consequence is None or self.target_likelihood is None:
            return None
        return self.target_consequence * self.target_likelihood

    @property
    def is_above_appetite(self) -> bool:
        level = self.appetite_level
        return scoring.is_above_appetite(self.current_score, level.max_score if level else None)

    def is_owned_or_led_by(self, user) -> bool:
        return user.id in (self.owner_id, self.lead_id)

    def gaps_in(self, kind: str) -> list["Gap"]:
        return [g for g in self.gaps if g.kind == kind]


class ScoreRecord(db.Model):
    """One review of a risk: the score from `recorded_on` (the day the review was held, which
    may be earlier than `created_at`, when riskapp learnt of it), and why."""
    __tablename__ = "score_records"
    __versioned__: dict = {}
    __table_args__ = (_rating("consequence"), _rating("likelihood"),
                      Index("ix_score_records_risk_date", "risk_id", "recorded_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Indexed on its own too, so its version table has the index: a risk's reviews as at a
    #: day are read by risk (issue 14).
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    #: Indexed for the first review date across the register (issue 9: 60,000 records).
    recorded_on: Mapped[date] = mapped_column(index=True)
    consequence: Mapped[int]
    likelihood: Mapped[int]
    score: Mapped[int]
    rationale: Mapped[str] = mapped_column(Text)
    #: False for "reviewed, no change".
    changed: Mapped[bool] = mapped_column(default=True)
    #: Not stored: set by rescore_risk on the review it records. Which stored reviews corrected
    #: the history follows from the order they were recorded in (rules.record).
    corrects_history = False
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    risk: Mapped[Risk] = relationship(back_populates="score_records")
    recorded_by: Mapped[User | None] = relationship()

    def as_point(self) -> scoring.ScorePoint:
        return scoring.ScorePoint(self.recorded_on, self.consequence, self.likelihood)


class Control(db.Model):
    __tablename__ = "controls"
    __versioned__: dict = {}
    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    effectiveness: Mapped[str] = mapped_column(String(30), default=NOT_YET_ASSESSED)
    #: For a control still being put in place.
    expected_implementation_date: Mapped[date | None]
    actual_implementation_date: Mapped[date | None]
    #: The day the control was in place from, as the business knows it (None: not stated);
    #: when riskapp learnt of it is in the version store.
    in_place_from: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    risk: Mapped[Risk] = relationship(back_populates="controls")
    owner: Mapped[User | None] = relationship()


class Gap(db.Model):
    """A gap in control or a gap in assurance."""
    __tablename__ = "gaps"
    __versioned__: dict = {}
    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "control" or "assurance"
    description: Mapped[str] = mapped_column(Text)
    closed: Mapped[bool] = mapped_column(default=False)

    risk: Mapped[Risk] = relationship(back_populates="gaps")


assurance_controls = db.Table(
    "assurance_controls",
    db.Column("assurance_id", ForeignKey("assurances.id"), primary_key=True),
    db.Column("control_id", ForeignKey("controls.id"), primary_key=True),
    Index("ix_assurance_controls_control_id", "control_id"),
)


class Assurance(db.Model):
    __tablename__ = "assurances"
    __versioned__: dict = {}
    __table_args__ = (CheckConstraint("line BETWEEN 1 AND 3", name="line_1_to_3"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    line: Mapped[int]
    source: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    assured_on: Mapped[date | None]
    #: True positive, False negative, None not yet judged.
    positive: Mapped[bool | None]
    #: The last day it counts as current; None: from its date and its line's rule.
    valid_until: Mapped[date | None]
    #: For a negative assurance: the action taken in answer to it.
    answered_by_action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    risk: Mapped[Risk] = relationship(back_populates="assurances")
    answered_by_action: Mapped["Action | None"] = relationship()
    #: The controls this assurance is evidence for.
    controls: Mapped[list[Control]] = relationship(secondary=assurance_controls,
                                                   order_by="Control.id")

    @property
    def line_label(self) -> str:
        return ASSURANCE_LINES.get(self.line, str(self.line))


class Action(db.Model):
    __tablename__ = "actions"
    __versioned__: dict = {}
    __table_args__ = (Index("ix_actions_assignee_status", "assignee_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    detail: Mapped[str] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    target_date: Mapped[date | None] = mapped_column(index=True)
    #: The first target date set; kept when the target moves, so slippage shows.
    original_target_date: Mapped[date | None]
    #: How many times the target date has been moved.
    target_date_changes: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="Not Started")
    completed_on: Mapped[date | None]
    #: The day the action was raised, as the business knows it (None: not stated).
    raised_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    __mapper_args__ = {"version_id_col": version}

    risk: Mapped[Risk] = relationship(back_populates="actions")
    assignee: Mapped[User | None] = relationship()
    progress_notes: Mapped[list["ActionProgress"]] = relationship(
        back_populates="action", order_by="ActionProgress.noted_on.desc(), ActionProgress.id.desc()")


    def is_overdue(self, today: date) -> bool:
        return is_overdue(self.target_date, self.status, today)


class ActionProgress(db.Model):
    """A dated progress note on an action."""
    __tablename__ = "action_progress"
    __versioned__: dict = {}
    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    noted_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    action: Mapped[Action] = relationship(back_populates="progress_notes")
    by: Mapped[User | None] = relationship()


class FormerReference(db.Model):
    """A reference a risk had in a register it was escalated or de-escalated from.

    Kept so "formerly CRR0042" shows, and so links and API lookups by the old reference still
    find the risk; unique, as no register ever hands a number out twice.
    """
    __tablename__ = "risk_former_references"
    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id"))
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    #: The day it moved to another register.
    until_on: Mapped[date]
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    risk: Mapped[Risk] = relationship(back_populates="former_references")
    register: Mapped[Register] = relationship()
    moved_by: Mapped[User | None] = relationship()
