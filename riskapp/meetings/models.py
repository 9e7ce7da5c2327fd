"""Meetings: agenda items, attendance, declarations, votes, minutes and the action log."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User, utcnow
from ..committees.models import Committee, CommitteeMember
from ..extensions import db
from ..rules.record import is_record_locked

MEETING_STATUSES = ("Planned", "Held", "Cancelled")
#: The purposes NHS agendas use first; "information" and "discussion" are kept for older items.
ITEM_PURPOSES = {"decision": "For decision", "assurance": "For assurance",
                 "noting": "For noting", "discussion": "For discussion",
                 "information": "For information"}
#: A paper's state on the agenda: awaited from the presenter, received, published to members.
PAPER_STATUSES = {"none": "No paper (verbal)", "awaited": "Awaited", "received": "Received",
                  "published": "Published"}
#: Officers in attendance (not members): how they attended, if recorded.
OFFICER_STATUSES = {"present": "Present in person", "remote": "Present remotely",
                    "apologies": "Apologies"}
REPORT_STATUSES = ("draft", "approved")
ATTENDANCE_STATUSES = {
    "present": "Present in person",
    "remote": "Present remotely",
    "apologies": "Apologies",
    "absent": "Absent",
    "deputy": "Represented by a named deputy",
}
DECLARATION_ACTIONS = {
    "noted": "Noted",
    "excluded_discussion": "Excluded from discussion",
    "excluded_decision": "Excluded from decision",
}
DECISION_METHODS = {"consensus": "By consensus", "vote": "By a vote"}
ACTION_STATUSES = ("Open", "Complete", "Cancelled")
MINUTES_STATUSES = ("draft", "approved")

agenda_item_risks = db.Table(
    "agenda_item_risks",
    db.Column("item_id", ForeignKey("agenda_items.id", ondelete="CASCADE"), primary_key=True),
    db.Column("risk_id", ForeignKey("risks.id"), primary_key=True),
    # The key starts with item_id; the assurance map asks which items discussed a risk.
    db.Index("ix_agenda_item_risks_risk_id", "risk_id"),
)


class Meeting(db.Model):
    __tablename__ = "meetings"
    #: Versioned (issue 14): its trail is its versions and its parts' (record.trail).
    __versioned__: dict = {}
    __table_args__ = (
        CheckConstraint("status IN ('Planned', 'Held', 'Cancelled')", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    #: Stored in UTC; entered and shown in Europe/London.
    starts_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    location: Mapped[str] = mapped_column(String(300), default="")
    #: Held on Teams or similar, with or without a room.
    remote: Mapped[bool] = mapped_column(default=False)
    has_public_part: Mapped[bool] = mapped_column(default=True)
    has_private_part: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="Planned")
    minutes_status: Mapped[str] = mapped_column(String(20), default="draft")
    #: The later meeting whose members approved these minutes; then they are locked.
    minutes_approved_at_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    minutes_approved_on: Mapped[date | None]
    #: When the secretariat published the agenda and papers to members (None: not yet).
    agenda_published_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    #: Raised by every change of the row: a save from an older version is refused (409).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    committee: Mapped[Committee] = relationship()
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.sort_order, AgendaItem.id",
        cascade="all, delete-orphan")
    #: The register's marks. A cleared mark keeps its row (status None, who cleared it and
    #: when): nothing is deleted, and it is not a mark, so it is not here.
    attendances: Mapped[list["Attendance"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan",
        primaryjoin="and_(Attendance.meeting_id == Meeting.id, Attendance.status.is_not(None))",
        foreign_keys="Attendance.meeting_id")
    declarations: Mapped[list["Declaration"]] = relationship(
        back_populates="meeting", order_by="Declaration.id", cascade="all, delete-orphan")
    actions: Mapped[list["MeetingAction"]] = relationship(
        back_populates="meeting", order_by="MeetingAction.id")
    minutes_approved_at: Mapped["Meeting | None"] = relationship(
        remote_side=[id], foreign_keys=[minutes_approved_at_id])
    officers: Mapped[list["MeetingOfficer"]] = relationship(
        back_populates="meeting", order_by="MeetingOfficer.id", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.committee.label} {self.starts_at:%d %b %Y}"

    @property
    def minutes_locked(self) -> bool:
        """Approved minutes lock the meeting's record (see riskapp.rules.record)."""
        return is_record_locked(self.minutes_status)


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"
    #: The meeting's parts are versioned as the meeting is (issue 14): one writer of the
    #: trail; their audit entries from before migration 5b1e0c7d9a24 stay readable beside it.
    __versioned__: dict = {}
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    number: Mapped[str] = mapped_column(String(10))
    sort_order: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    presenter: Mapped[str] = mapped_column(String(200), default="")
    private: Mapped[bool] = mapped_column(default=False)
    purpose: Mapped[str] = mapped_column(String(20), default="information")
    #: A written paper is expected from the presenter (False: a verbal item).
    papers_expected: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: Time allowed on the agenda, in minutes.
    duration_minutes: Mapped[int | None]
    #: The motion or resolution put to the committee, in words (a vote needs one).
    motion: Mapped[str | None] = mapped_column(Text)
    #: How the item was decided: "consensus" or "vote"; None while undecided.
    decision_method: Mapped[str | None] = mapped_column(String(20))
    #: The decision as recorded at the meeting (for a vote, the vote's summary).
    outcome: Mapped[str | None] = mapped_column(Text)
    #: Draft minutes; locked when the meeting's minutes are approved.
    minutes_discussion: Mapped[str] = mapped_column(Text, default="")
    minutes_decision: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    risks: Mapped[list["Risk"]] = relationship(secondary=agenda_item_risks,  # noqa: F821
                                             order_by="Risk.reference")
    votes: Mapped[list["Vote"]] = relationship(back_populates="item", order_by="Vote.id",
                                               cascade="all, delete-orphan")
    corrections: Mapped[list["MinuteCorrection"]] = relationship(
        back_populates="item", order_by="MinuteCorrection.id", cascade="all, delete-orphan")
    papers: Mapped[list["Paper"]] = relationship(
        back_populates="item", order_by="Paper.id", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def current_papers(self) -> list["Paper"]:
        """The papers in use: a replaced paper is kept but no longer sent out."""
        return [p for p in self.papers if p.replaced_at is None]

    @property
    def papers_status(self) -> str:
        """"none", "awaited", "received" or "published" (PAPER_STATUSES)."""
        papers = self.current_papers
        if not papers:
            return "awaited" if self.papers_expected else "none"
        return "published" if all(p.published_at for p in papers) else "received"

    @property
    def papers_status_label(self) -> str:
        return PAPER_STATUSES[self.papers_status]

    @property
    def purpose_label(self) -> str:
        return ITEM_PURPOSES.get(self.purpose, self.purpose)

    @property
    def decided(self) -> bool:
        return self.decision_method is not None


class Attendance(db.Model):
    """One member's attendance at one meeting."""
    __tablename__ = "attendances"
    __versioned__: dict = {}
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        CheckConstraint("status != 'deputy' OR deputy_name IS NOT NULL", name="deputy_named"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"), index=True)
    #: None: the mark was cleared (back to not recorded); the row is kept, with who and when.
    status: Mapped[str | None] = mapped_column(String(20))
    cleared_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The named deputy attending in the member's place (status "deputy").
    deputy_name: Mapped[str | None] = mapped_column(String(200))
    #: Present from this item on (arrived late); None = from the start.
    arrived_at_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"))
    #: Left before this item (not present for it or later ones); None = stayed to the end.
    left_at_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"))

    meeting: Mapped[Meeting] = relationship(back_populates="attendances",
                                            foreign_keys=[meeting_id])
    member: Mapped[CommitteeMember] = relationship()
    arrived_at_item: Mapped[AgendaItem | None] = relationship(foreign_keys=[arrived_at_item_id])
    left_at_item: Mapped[AgendaItem | None] = relationship(foreign_keys=[left_at_item_id])

    @property
    def attends(self) -> bool:
        """The member (or their deputy) is in the room or on the call for part of the meeting."""
        return self.status in ("present", "remote", "deputy")

    @property
    def status_label(self) -> str:
        return ATTENDANCE_STATUSES.get(self.status or "", "Not recorded")


class Declaration(db.Model):
    """A declared interest at a meeting, on one agenda item or on the whole meeting."""
    __tablename__ = "declarations"
    __versioned__: dict = {}
    __table_args__ = (
        CheckConstraint("member_id IS NOT NULL OR person_name IS NOT NULL", name="has_person"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"),
                                                index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("committee_members.id"), index=True)
    #: Someone in attendance who is not a member.
    person_name: Mapped[str | None] = mapped_column(String(200))
    interest: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(30), default="noted")

    meeting: Mapped[Meeting] = relationship(back_populates="declarations")
    item: Mapped[AgendaItem | None] = relationship()
    member: Mapped[CommitteeMember | None] = relationship()

    @property
    def who(self) -> str:
        return self.member.name if self.member else (self.person_name or "")

    @property
    def excludes(self) -> bool:
        return self.action != "noted"

    @property
    def action_label(self) -> str:
        return DECLARATION_ACTIONS[self.action]


class Vote(db.Model):
    """A vote on an item with its result and a snapshot of the roster when it closed."""
    __tablename__ = "votes"
    #: Versioned with the snapshot: the trail says who could vote when it closed.
    __versioned__: dict = {}
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"),
                                         index=True)
    majority_base: Mapped[str] = mapped_column(String(20))
    votes_for: Mapped[int]
    votes_against: Mapped[int]
    abstentions: Mapped[int]
    carried: Mapped[bool]
    tied: Mapped[bool]
    casting_vote: Mapped[str | None] = mapped_column(String(10))
    casting_voter_name: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    #: The motion put to the vote, in words, as it was when the vote closed.
    motion: Mapped[str | None] = mapped_column(Text)
    #: Who was present and eligible, who was not and why, and each ballot, as the vote closed;
    #: later corrections to attendance do not rewrite it.
    snapshot: Mapped[dict] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    item: Mapped[AgendaItem] = relationship(back_populates="votes")
    recorded_by: Mapped[User | None] = relationship()


class MinuteCorrection(db.Model):
    """A correction to a meeting's locked record (its minutes are approved): who, when, what,
    why, and the later meeting that approved it. The original stays readable beside it.

    `record` says what was corrected: "item" (minutes text, `field` names which) or
    "attendance" (`record_id` the Attendance); `what`, `old_text` and `new_text` are in words.
    """
    __tablename__ = "minute_corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True)
    record: Mapped[str] = mapped_column(String(20), default="item", server_default="item")
    record_id: Mapped[int | None]
    what: Mapped[str] = mapped_column(Text, default="", server_default="")
    field: Mapped[str] = mapped_column(String(30))
    old_text: Mapped[str] = mapped_column(Text)
    new_text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    corrected_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The later meeting whose members approved the correction.
    approved_at_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    #: The version store's transaction that made the change (None for corrections made
    #: before it was kept): the trail shows every change it made, a knock-on one too (an
    #: item's decision following its corrected vote), as part of the correction.
    transaction_id: Mapped[int | None] = mapped_column(db.BigInteger)

    item: Mapped[AgendaItem | None] = relationship(back_populates="corrections")
    corrected_by: Mapped[User | None] = relationship()
    meeting: Mapped[Meeting] = relationship(foreign_keys=[meeting_id])
    approved_at: Mapped[Meeting | None] = relationship(foreign_keys=[approved_at_id])


class MeetingAction(db.Model):
    """An action from a meeting's action log, carried forward until closed."""
    __tablename__ = "meeting_actions"
    #: `update` (the latest progress, not the minutes) is left out: its dated notes are the
    #: history, as before; and Continuum reads a column named "update" as the mapper
    #: properties' own update() (a name clash in versioned_column_properties).
    __versioned__ = {"exclude": ["update"]}
    __table_args__ = (
        CheckConstraint("status IN ('Open', 'Complete', 'Cancelled')", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default="Open", index=True)
    closed_on: Mapped[date | None]
    update: Mapped[str] = mapped_column(Text, default="")
    #: The due date first agreed; boards ask how many times an action has slipped.
    original_due_date: Mapped[date | None]
    #: How many times the due date has been moved later.
    slips: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="actions")
    notes: Mapped[list["MeetingActionNote"]] = relationship(
        back_populates="action", order_by="MeetingActionNote.id", cascade="all, delete-orphan")
    item: Mapped[AgendaItem | None] = relationship()
    assignee: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == "Open"

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < today


class MeetingActionNote(db.Model):
    """A dated progress note on a meeting action, by its assignee or the secretariat."""
    __tablename__ = "meeting_action_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("meeting_actions.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    #: The status the action moved to with this note, if it changed.
    status: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    action: Mapped[MeetingAction] = relationship(back_populates="notes")
    created_by: Mapped[User | None] = relationship()


class Paper(db.Model):
    """A paper for an agenda item: a PDF or Word file kept outside the web root."""
    __tablename__ = "papers"
    __versioned__: dict = {}
    __table_args__ = (CheckConstraint("kind IN ('pdf', 'docx')", name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    #: The name people see, made from the uploaded file's name (never used as a path).
    title: Mapped[str] = mapped_column(String(200))
    #: "pdf" or "docx", as found in the content, not as the name claimed.
    kind: Mapped[str] = mapped_column(String(10))
    #: A random name under the instance folder's papers directory.
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Received after the papers deadline.
    late: Mapped[bool] = mapped_column(default=False, server_default="0")
    published_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    #: Set when a newer version replaced it; the file is kept.
    replaced_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))

    item: Mapped[AgendaItem] = relationship(back_populates="papers")
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return {"pdf": "PDF", "docx": "Word"}[self.kind]

    @property
    def download_name(self) -> str:
        return f"{self.title}.{self.kind}"


class MeetingOfficer(db.Model):
    """An officer in attendance: not a member, never counted for quoracy or votes."""
    __tablename__ = "meeting_officers"
    __versioned__: dict = {}
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: Their login, when they have one: they may then read the meeting's private business.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    #: present / remote / apologies (OFFICER_STATUSES); None until recorded.
    status: Mapped[str | None] = mapped_column(String(20))

    meeting: Mapped[Meeting] = relationship(back_populates="officers")
    user: Mapped[User | None] = relationship()

    @property
    def attends(self) -> bool:
        return self.status in ("present", "remote")

    @property
    def status_label(self) -> str:
        return OFFICER_STATUSES.get(self.status or "", "Not recorded")

    @property
    def described(self) -> str:
        return ", ".join(p for p in (self.name, self.job_title, self.organisation) if p)


class HighlightReport(db.Model):
    """The Alert / Advise / Assure report a committee sends its parent after a meeting."""
    __tablename__ = "highlight_reports"
    __versioned__: dict = {}
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), unique=True)
    alert: Mapped[str] = mapped_column(Text, default="")
    advise: Mapped[str] = mapped_column(Text, default="")
    assure: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    #: The item on the parent committee's next agenda that receives the report.
    parent_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    parent_item: Mapped[AgendaItem | None] = relationship()
    approved_by: Mapped[User | None] = relationship()


class ChairsAction(db.Model):
    """An urgent decision the chair took between meetings, for ratification at the next one."""
    __tablename__ = "chairs_actions"
    __versioned__: dict = {}
    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    taken_on: Mapped[date]
    decision: Mapped[str] = mapped_column(Text)
    reasons: Mapped[str] = mapped_column(Text)
    #: Whom the chair consulted before deciding (usually a member and an executive).
    consulted: Mapped[str] = mapped_column(Text, default="")
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    committee: Mapped[Committee] = relationship()
    taken_by: Mapped[User | None] = relationship()
