"""The plain data the meeting documents are drawn from: no Flask, no database."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class PaperRef:
    title: str
    kind: str            #: "pdf" or "docx"
    path: str            #: where the file is (read only by the pack builder)


@dataclass(frozen=True)
class CorrectionRecord:
    """A correction to approved minutes: the original beside the correction (issue 14)."""
    what: str            #: e.g. "Item 3 vote, votes against"
    original: str
    corrected: str
    reason: str
    by: str              #: who and when, e.g. "Sam Secretary, 20 Jan 2024 14:05"
    approved_at: str     #: e.g. "The meeting of 18 Jan 2024"


@dataclass(frozen=True)
class ItemRecord:
    number: str
    title: str
    presenter: str
    purpose: str         #: e.g. "For decision"
    private: bool
    starts: str = ""     #: planned start, e.g. "10:20"
    duration: int | None = None
    papers: tuple[PaperRef, ...] = ()
    risks: tuple[str, ...] = ()            #: e.g. "BAF0007 Primary care access (High 4x4=16)"
    declarations: tuple[str, ...] = ()     #: "Name: interest (action)"
    quoracy: str = ""                       #: said only where it differs from the start
    discussion: str = ""
    motion: str = ""
    decision: str = ""                      #: the resolution, or the vote's result
    vote: str = ""                          #: e.g. "For 4, against 3, abstentions 0"
    casting_vote: str = ""
    withdrew: tuple[str, ...] = ()          #: who left the room for the item
    actions: tuple[str, ...] = ()           #: "detail – owner – due"
    #: Said when the item's record was corrected after approval (the corrections list it).
    corrected: str = ""


@dataclass(frozen=True)
class MeetingRecord:
    organisation: str
    committee_name: str
    committee_label: str
    when: str                    #: "Thursday 16 November 2023, 10:00"
    place: str
    status: str                  #: "Draft" or "Approved on …"
    generated_at: datetime
    papers_deadline: str = ""
    #: People as (name, role): role is the position, "Deputy for X (position)", or for an
    #: officer in attendance their job title and organisation.
    present: tuple[tuple[str, str], ...] = ()
    deputies: tuple[tuple[str, str], ...] = ()
    in_attendance: tuple[tuple[str, str], ...] = ()
    apologies: tuple[tuple[str, str], ...] = ()
    absent: tuple[tuple[str, str], ...] = ()
    quoracy_start: str = ""
    forecast: tuple[str, ...] = ()
    declarations: tuple[str, ...] = ()     #: declared for the whole meeting
    items: tuple[ItemRecord, ...] = ()
    chairs_actions: tuple[str, ...] = ()   #: reported for ratification
    part: str = "Public and private business"
    late_notes: tuple[str, ...] = field(default=())
    #: Corrections to the approved minutes, oldest first.
    corrections: tuple[CorrectionRecord, ...] = ()
