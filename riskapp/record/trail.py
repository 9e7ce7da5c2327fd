"""A risk's audit trail, read from the version store: the same store as the as-at reads.

Each change is the difference between a record's version and the one before it. Records are
named in words (`Action "Development and implementation of…"`, `Control 2`, `Review held on
10 Dec 2023`), values are shown as people know them (dates as 29 Nov 2023, people by name,
yes/no, lines of assurance in words), times in Europe/London.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, select, union_all
from sqlalchemy_continuum import version_class, versioning_manager

from ..auth.models import Directorate, User
from ..extensions import db
from ..rules.record import history_corrections
from . import legacy
from ..risks.models import (ASSURANCE_LINES, Action, ActionProgress, AppetiteLevel, Assurance,
                            Control, Gap, Register, Risk, ScoreRecord)

LONDON = ZoneInfo("Europe/London")
ADDED, CHANGED, REMOVED = "Added", "Changed", "Removed"
CHANGES = (ADDED, CHANGED, REMOVED)
KINDS = {"risk": "The risk", "review": "Reviews", "control": "Controls", "gap": "Gaps",
         "assurance": "Assurances", "action": "Actions", "progress": "Progress notes",
         "committee": "Committee links"}

#: What each kind of record shows of its changes, with the words for each field.
FIELDS = {
    "risk": {"title": "Title", "description": "Description",
             "strategic_objective": "Strategic objective", "directorate_id": "Directorate",
             "owner_id": "Owner", "lead_id": "Lead", "status": "Status",
             "appetite_category": "Appetite category", "appetite_level_id": "Appetite level",
             "review_frequency_months": "Review every (months)",
             "next_review_date": "Next review", "initial_consequence": "Initial consequence",
             "initial_likelihood": "Initial likelihood",
             "current_consequence": "Current consequence",
             "current_likelihood": "Current likelihood",
             "target_consequence": "Target consequence",
             "target_likelihood": "Target likelihood", "target_date": "Target date",
             "reference": "Reference", "register_id": "Register"},
    "control": {"description": "Description", "owner_id": "Owner",
                "effectiveness": "Effectiveness",
                "expected_implementation_date": "Expected in place",
                "actual_implementation_date": "In place", "in_place_from": "In place from"},
    "gap": {"description": "Description", "closed": "Closed"},
    "assurance": {"line": "Line", "source": "Source", "summary": "Summary",
                  "assured_on": "Dated", "positive": "Result", "valid_until": "Valid until",
                  "answered_by_action_id": "Answered by action"},
    "action": {"detail": "Detail", "assignee_id": "Assigned to", "target_date": "Target date",
               "status": "Status", "completed_on": "Completed on", "raised_on": "Raised on"},
    "progress": {"note": "Note", "noted_on": "Dated"},
    "review": {"score": "Score", "rationale": "Rationale"},
    "committee": {"name": "Name", "short_name": "Short name", "kind": "Kind",
                  "parent_id": "Reports to",
                  "effectiveness_review_due": "Effectiveness review due",
                  "attendance_threshold_percent": "Attendance expected (%)",
                  "papers_deadline_days": "Papers go out (working days before)",
                  "dissolved_on": "Dissolved on"},
    "terms": {"version": "Version", "status": "Status", "approved_by": "Approved by",
              "approved_on": "Approved on", "review_due": "Review due", "text": "Text",
              "deputy_policy": "Deputies", "majority_base": "Majority",
              "voting_rule": "Voting rule",
              "papers_deadline_days": "Papers go out (working days before)",
              "attendance_threshold_percent": "Attendance expected (%)",
              "frequency": "Meets", "min_voting_members": "Fewest voting members"},
    "member": {"user_id": "Person", "person_name": "Name", "organisation": "Organisation",
               "positions": "Positions", "appointed_on": "Appointed on",
               "term_ends_on": "Term ends", "ended_on": "Ended on"},
    "meeting": {"starts_at": "Starts", "ends_at": "Ends", "location": "Location",
                "remote": "Held remotely", "has_public_part": "Public part",
                "has_private_part": "Private part", "status": "Status",
                "minutes_status": "Minutes", "minutes_approved_at_id": "Minutes approved at",
                "minutes_approved_on": "Minutes approved on",
                "agenda_published_at": "Agenda and papers published"},
    # A meeting's parts (their kinds on its trail). An item's motion, how it was decided and
    # its decision are named as the item's decision (DECISION_FIELDS).
    "item": {"number": "Number", "title": "Title", "presenter": "Presenter",
             "private": "Private business", "purpose": "Purpose",
             "papers_expected": "Paper expected", "duration_minutes": "Time allowed (minutes)",
             "motion": "Motion", "decision_method": "How decided", "outcome": "Decision"},
    "attendance": {"status": "Attendance", "deputy_name": "Deputy",
                   "arrived_at_item_id": "Arrived at", "left_at_item_id": "Left before",
                   "cleared_by_id": "Mark cleared by"},
    "declaration": {"interest": "Interest", "action": "What was done", "item_id": "On"},
    "vote": {"motion": "Motion", "votes_for": "For", "votes_against": "Against",
             "abstentions": "Abstentions", "carried": "Result", "casting_vote": "Casting vote",
             "casting_voter_name": "Casting vote by", "summary": "Summary",
             "snapshot": "Eligible to vote", "recorded_by_id": "Recorded by"},
    "meeting_action": {"detail": "Action", "assignee_id": "Assigned to", "due_date": "Due",
                       "status": "Status", "closed_on": "Closed on"},
    "paper": {"title": "Title", "kind": "Format", "late": "Received late",
              "uploaded_by_id": "Uploaded by", "published_at": "Published",
              "replaced_at": "Replaced by a newer version"},
    "officer": {"name": "Name", "job_title": "Job title", "organisation": "Organisation",
                "user_id": "Login", "status": "Attendance"},
    "report": {"alert": "Alert", "advise": "Advise", "assure": "Assure", "status": "Status",
               "approved_by_id": "Approved by", "approved_at": "Approved"},
    "chairs_action": {"taken_on": "Taken on", "decision": "Decision", "reasons": "Reasons",
                      "consulted": "Consulted", "taken_by_id": "Taken by"},
}
#: The item's fields that are its decision, named "item 3: decision" on the trail.
DECISION_FIELDS = ("Motion", "How decided", "Decision")
PEOPLE = {"owner_id", "lead_id", "assignee_id", "user_id", "cleared_by_id", "uploaded_by_id",
          "recorded_by_id", "approved_by_id", "taken_by_id"}
#: Fields that point at an item of the same meeting: shown as "item 3".
ITEM_REFERENCES = {"arrived_at_item_id", "left_at_item_id", "item_id"}
#: Stored codes and the words for them, by kind of record and field.
CODES = {
    ("terms", "status"): {"draft": "Draft", "in_force": "In force", "superseded": "Superseded"},
    ("meeting", "minutes_status"): {"draft": "Draft", "approved": "Approved"},
    ("vote", "carried"): {True: "Carried", False: "Not carried"},
    ("vote", "casting_vote"): {"for": "For", "against": "Against"},
    ("paper", "kind"): {"pdf": "PDF", "docx": "Word"},
    ("report", "status"): {"draft": "Draft", "approved": "Approved"},
}


@functools.cache
def _meeting_codes() -> dict:
    """The meeting models' codes and words (imported late: the meetings package imports its
    views, which import this module)."""
    from ..meetings.models import (ATTENDANCE_STATUSES, DECISION_METHODS, DECLARATION_ACTIONS,
                                   ITEM_PURPOSES, OFFICER_STATUSES)
    return {("attendance", "status"): {None: "Not recorded", **ATTENDANCE_STATUSES},
            ("officer", "status"): {None: "Not recorded", **OFFICER_STATUSES},
            ("declaration", "action"): DECLARATION_ACTIONS,
            ("item", "purpose"): ITEM_PURPOSES,
            ("item", "decision_method"): DECISION_METHODS}


@dataclass(frozen=True)
class TrailEntry:
    at: datetime  # aware, UTC
    user_id: int | None
    who: str
    kind: str
    record: str
    change: str
    field: str | None
    was: str
    now: str
    #: The id of the record changed, where it has one of its own (meeting trails use it to
    #: find the correction behind a change).
    record_id: int | None = None
    #: The version store's transaction that wrote the change (versions only): a correction
    #: of approved minutes keeps it, so every change it made is shown as part of it.
    transaction_id: int | None = None

    @property
    def at_london(self) -> datetime:
        return self.at.astimezone(LONDON)


def day(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


def _short(text: str, length: int = 60) -> str:
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",;:.-– ") + "…"  # at a word


class _Words:
    """Turns stored values into the words people know, looking names up once."""

    def __init__(self):
        from ..committees.models import Committee, CommitteeMember
        # People and the short lists in one statement: a page's statements do not grow with
        # its trail.
        from ..audit.models import TrailHandover
        names = {"u": {}, "d": {}, "l": {}, "r": {}, "c": {}, "h": {}, "m": {}}
        for kind, ident, name in db.session.execute(union_all(*(
                select(literal(k).label("k"), m.id, m.name) for k, m in (
                    ("u", User), ("d", Directorate), ("l", AppetiteLevel), ("r", Register),
                    ("c", Committee))),
                select(literal("h").label("k"), TrailHandover.id, TrailHandover.object_type),
                # Committee members by name: a login's name, or the name of someone without.
                select(literal("m").label("k"), CommitteeMember.id,
                       func.coalesce(User.name, CommitteeMember.person_name))
                .outerjoin(User, User.id == CommitteeMember.user_id))):
            names[kind][ident] = name
        self.people = names["u"]
        self.members = names["m"]
        #: Tables whose audit entries from before the version store are still to be read.
        self.handed_over = set(names["h"].values())
        self.directorates, self.levels = names["d"], names["l"]
        self.registers, self.committees = names["r"], names["c"]
        self.actions: dict[int, str] = {}
        #: A meeting's items by id, as numbered (set by meeting_trail).
        self.items: dict[int, str] = {}

    def committee(self, committee_id) -> str:
        return self.committees.get(committee_id, "")

    def meeting(self, meeting_id) -> str:
        from ..meetings.models import Meeting
        starts = db.session.scalar(select(Meeting.starts_at).where(Meeting.id == meeting_id))
        return f"the meeting of {self.value('meeting', 'starts_at', starts)[:11]}" \
            if starts else ""

    def value(self, kind: str, field: str, value) -> str:
        codes = CODES.get((kind, field)) or _meeting_codes().get((kind, field))
        if codes is not None and value in codes:
            return codes[value]
        if value is None or value == "" or value == []:
            return ""
        if codes is not None:
            return str(value)
        if field in ITEM_REFERENCES:
            return f"item {self.items[value]}" if value in self.items \
                else "an item no longer listed"
        if field == "snapshot" and isinstance(value, dict):  # a vote's roster as it closed
            return "; ".join(v.get("name", "") for v in value.get("eligible", []))
        if kind == "terms" and field in ("deputy_policy", "majority_base"):
            from ..committees.models import DEPUTY_POLICIES, MAJORITY_BASES
            return {**DEPUTY_POLICIES, **MAJORITY_BASES}.get(value, str(value))
        if field == "parent_id":
            return self.committee(value)
        if field == "minutes_approved_at_id":
            return self.meeting(value)
        if isinstance(value, (list, tuple)):
            return "; ".join(str(v) for v in value)
        if field in PEOPLE:
            return self.people.get(value, "someone no longer listed")
        if field == "directorate_id":
            return self.directorates.get(value, "")
        if field == "appetite_level_id":
            return self.levels.get(value, "")
        if field == "register_id":
            return self.registers.get(value, "")
        if field == "answered_by_action_id":
            return f'Action "{_short(self.actions.get(value, ""))}"' if value in self.actions \
                else "an action no longer listed"
        if field == "line":
            return ASSURANCE_LINES.get(value, str(value))
        if field == "positive":
            return {True: "Positive", False: "Negative"}.get(value, "Not yet judged")
        if field == "closed":
            return "Yes" if value else "No"
        if isinstance(value, datetime):
            if value.tzinfo is None:  # stored in UTC; SQLite gives it back without a zone
                value = value.replace(tzinfo=timezone.utc)
            return f"{value.astimezone(LONDON):%d %b %Y %H:%M}"
        if isinstance(value, date):
            return day(value)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        return str(value)


def _versions(model, where, reference: bool = False):
    """Version rows of `model` matching `where`, with their transaction's time and user;
    `reference`: with the reference of the risk in their risk_id (as "_reference")."""
    table = version_class(model).__table__ if not isinstance(model, str) else \
        db.metadata.tables[model]
    tx = versioning_manager.transaction_cls.__table__
    stmt = (select(table, tx.c.issued_at.label("_at"), tx.c.user_id.label("_user"))
            .join(tx, tx.c.id == table.c.transaction_id)
            .where(where(table.c)).order_by(table.c.transaction_id))
    if reference:
        stmt = stmt.add_columns(Risk.reference.label("_reference")).outerjoin(
            Risk, Risk.id == table.c.risk_id)
    return db.session.execute(stmt).mappings().all()


def risk_trail(risk_id: int, *, user_id: int | None = None, since: date | None = None,
               until: date | None = None, kind: str | None = None,
               change: str | None = None) -> list[TrailEntry]:
    """Every change to the risk and what belongs to it, newest first, filtered by who, when
    (days, Europe/London), what kind of record and what kind of change. From the version store
    and, for what happened before it, the old audit entries (riskapp.record.legacy)."""
    words = _Words()
    entries: list[TrailEntry] = []
    actions = words.actions
    numbered: dict[str, dict[int, int]] = defaultdict(dict)
    found = legacy.entries(risk_ids=[risk_id]) if words.handed_over else []
    old_entries = [entry for entry, _ in found]
    handover = {KIND_OF_TABLE.get(e.object_type): until for e, until in found}
    told_before = {(KIND_OF_TABLE.get(e.object_type), e.object_id) for e in old_entries}

    def add(kind_, label, rows, fields, key="id"):
        entries.extend(_version_entries(words, kind_, label, rows, fields, key,
                                        told_before, handover))

    def number(kind_, ids) -> dict[int, int]:
        for ident in sorted(ids):
            numbered[kind_].setdefault(ident, len(numbered[kind_]) + 1)
        return numbered[kind_]

    def old_ids(kind_) -> set[int]:
        return {e.object_id for e in old_entries if KIND_OF_TABLE.get(e.object_type) == kind_}

    risk_rows = _versions(Risk, lambda c: c.id == risk_id)
    reference = risk_rows[-1]["reference"] if risk_rows else ""
    add("risk", lambda r: f"Risk {reference}", risk_rows, FIELDS["risk"])
    reviews = _versions(ScoreRecord, lambda c: c.risk_id == risk_id)
    corrections = history_corrections(sorted({(r["id"], r["recorded_on"]) for r in reviews}))
    add("review", lambda r: f"Review held on {day(r['recorded_on'])}"
        + (" (a correction of the history)" if r["id"] in corrections else ""),
        reviews, {"score": "Score", "rationale": "Rationale"})
    for kind_, model in (("control", Control), ("assurance", Assurance)):
        rows = _versions(model, lambda c: c.risk_id == risk_id)
        numbers = number(kind_, {r["id"] for r in rows} | old_ids(kind_))
        add(kind_, lambda r, k=kind_, n=numbers: f"{k.capitalize()} {n[r['id']]}", rows,
            FIELDS[kind_])
    gaps = _versions(Gap, lambda c: c.risk_id == risk_id)
    gap_kind = {r["id"]: r["kind"] for r in gaps}
    gap_kind.update({e.object_id: e.new_value for e in old_entries
                     if e.object_type == "gaps" and e.field == "kind" and e.new_value})
    gap_numbers: dict[str, dict[int, int]] = defaultdict(dict)
    for ident in sorted(gap_kind):
        gap_numbers[gap_kind[ident]].setdefault(ident, len(gap_numbers[gap_kind[ident]]) + 1)
    add("gap", lambda r: f"Gap in {r['kind']} {gap_numbers[r['kind']][r['id']]}", gaps,
        FIELDS["gap"])
    action_rows = _versions(Action, lambda c: c.risk_id == risk_id)
    for e in old_entries:
        if e.object_type == "actions" and e.field == "detail" and e.new_value:
            actions.setdefault(e.object_id, e.new_value)
    for row in action_rows:
        actions[row["id"]] = row["detail"]
    add("action", lambda r: f'Action "{_short(actions[r["id"]])}"', action_rows,
        FIELDS["action"])
    note_action: dict[int, int] = {}
    if actions:
        notes = _versions(ActionProgress, lambda c: c.action_id.in_(list(actions)))
        note_action = {r["id"]: r["action_id"] for r in notes}
        add("progress", lambda r: f'Progress note on action "{_short(actions[r["action_id"]])}"',
            notes, FIELDS["progress"])
    links = _versions("risk_committees_version", lambda c: c.risk_id == risk_id)
    if links:
        names = words.committees
        add("committee", lambda r: f'Committee "{names.get(r["committee_id"], "")}"', links, {},
            key=("risk_id", "committee_id"))

    def old_name(kind_, ident) -> str:
        if kind_ == "risk":
            return f"Risk {reference}"
        if kind_ in ("control", "assurance"):
            return f"{kind_.capitalize()} {numbered[kind_].get(ident, '')}".rstrip()
        if kind_ == "gap":
            gap = gap_kind.get(ident, "control")
            return f"Gap in {gap} {gap_numbers[gap].get(ident, '')}".rstrip()
        if kind_ == "action":
            return f'Action "{_short(actions.get(ident, ""))}"' if ident in actions \
                else "An action"
        if kind_ == "progress" and ident in note_action:
            return f'Progress note on action "{_short(actions[note_action[ident]])}"'
        return "A progress note" if kind_ == "progress" else "A review"

    entries += _coverage_entries(numbered, words.people)
    entries += _old_entries(old_entries, words, old_name)
    return _filtered(entries, user_id, since, until, kind, change)


def _filtered(entries, user_id, since, until, kind, change) -> list[TrailEntry]:
    entries = [e for e in entries if
               (user_id is None or e.user_id == user_id)
               and (kind is None or e.kind == kind)
               and (change is None or e.change == change)
               and (since is None or e.at_london.date() >= since)
               and (until is None or e.at_london.date() <= until)]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


#: The kinds of record on a committee's trail and a meeting's.
COMMITTEE_KINDS = {"committee": "The committee", "terms": "Terms of reference",
                   "member": "Members", "chairs_action": "Chair's actions"}
MEETING_KINDS = {"meeting": "The meeting", "item": "Agenda items", "decision": "Decisions",
                 "vote": "Votes", "attendance": "Attendance", "declaration": "Declarations",
                 "officer": "Officers in attendance", "paper": "Papers",
                 "meeting_action": "Actions", "report": "Highlight report"}


def committee_trail(committee_id: int, *, user_id: int | None = None,
                    since: date | None = None, until: date | None = None,
                    kind: str | None = None, change: str | None = None) -> list[TrailEntry]:
    """Every change to a committee, its terms of reference, its memberships and the chair's
    actions taken between its meetings, newest first, in words; filtered as `risk_trail`."""
    from ..committees.models import Committee, CommitteeMember, TermsOfReference
    from ..meetings.models import ChairsAction
    words = _Words()
    committee_rows = _versions(Committee, lambda c: c.id == committee_id)
    terms_rows = _versions(TermsOfReference, lambda c: c.committee_id == committee_id)
    member_rows = _versions(CommitteeMember, lambda c: c.committee_id == committee_id)
    chairs_rows = _versions(ChairsAction, lambda c: c.committee_id == committee_id)
    ids = {"committees": {committee_id}, "terms_of_reference": {r["id"] for r in terms_rows},
           "committee_members": {r["id"] for r in member_rows},
           "chairs_actions": {r["id"] for r in chairs_rows}}
    found = legacy.entries_of({t: i for t, i in ids.items() if t in words.handed_over}) \
        if words.handed_over else []
    old_entries = [e for e, _ in found]
    handover = {KIND_OF_TABLE[e.object_type]: until_ for e, until_ in found}
    told_before = {(KIND_OF_TABLE[e.object_type], e.object_id) for e in old_entries}
    name = committee_rows[-1]["name"] if committee_rows else ""
    versions = {r["id"]: r["version"] for r in terms_rows}
    people = {r["id"]: (words.people.get(r["user_id"]) if r["user_id"] else None)
              or r["person_name"] or "" for r in member_rows}
    chairs = {r["id"]: r for r in chairs_rows}

    def chairs_name(ident) -> str:
        row = chairs.get(ident)
        return (f"Chair's action of {day(row['taken_on'])}" if row and row["taken_on"]
                else "A chair's action")

    entries = (
        _version_entries(words, "committee", lambda r: f'Committee "{name}"', committee_rows,
                         FIELDS["committee"], "id", told_before, handover)
        + _version_entries(words, "terms", lambda r: f"Terms of reference v{r['version']}",
                           terms_rows, FIELDS["terms"], "id", told_before, handover)
        + _version_entries(words, "member", lambda r: f'Member "{people[r["id"]]}"',
                           member_rows, FIELDS["member"], "id", told_before, handover)
        + _version_entries(words, "chairs_action", lambda r: chairs_name(r["id"]), chairs_rows,
                           FIELDS["chairs_action"], "id", told_before, handover))

    def old_name(kind_, ident) -> str:
        if kind_ == "chairs_action":
            return chairs_name(ident)
        if kind_ == "terms":
            return f"Terms of reference v{versions.get(ident, '')}"
        if kind_ == "member":
            return f'Member "{people.get(ident, "")}"'
        return f'Committee "{name}"'

    entries += _old_entries(old_entries, words, old_name)
    return _filtered(entries, user_id, since, until, kind, change)


def meeting_trail(meeting_id: int, *, user_id: int | None = None, since: date | None = None,
                  until: date | None = None, kind: str | None = None,
                  change: str | None = None, private_ok: bool = True) -> list[TrailEntry]:
    """Every change to a meeting and its parts, newest first, in words: its details, agenda
    items and their decisions, the risks items discussed, votes, attendance, declarations,
    officers in attendance, papers, actions and highlight report ("Meeting 16 Nov 2023,
    item 3: decision"); filtered as `risk_trail`. `private_ok` False leaves out private
    (Part 2) items and all that belongs to them, and the highlight report (a draft is the
    committee's business), as the meeting's pages do."""
    from ..meetings.models import (AgendaItem, Attendance, Declaration, HighlightReport,
                                   Meeting, MeetingAction, MeetingOfficer, Paper, Vote)
    words = _Words()
    rows = _versions(Meeting, lambda c: c.id == meeting_id)
    items = _versions(AgendaItem, lambda c: c.meeting_id == meeting_id)
    item_ids = select(version_class(AgendaItem).__table__.c.id).where(
        version_class(AgendaItem).__table__.c.meeting_id == meeting_id).scalar_subquery()
    parts = {
        "attendance": _versions(Attendance, lambda c: c.meeting_id == meeting_id),
        "declaration": _versions(Declaration, lambda c: c.meeting_id == meeting_id),
        "officer": _versions(MeetingOfficer, lambda c: c.meeting_id == meeting_id),
        "meeting_action": _versions(MeetingAction, lambda c: c.meeting_id == meeting_id),
        "report": _versions(HighlightReport, lambda c: c.meeting_id == meeting_id)
        if private_ok else [],
        "vote": _versions(Vote, lambda c: c.item_id.in_(item_ids)),
        "paper": _versions(Paper, lambda c: c.item_id.in_(item_ids)),
    }
    links = _versions("agenda_item_risks_version", lambda c: c.item_id.in_(item_ids),
                      reference=True)
    # Private business: an item private in any version, and all that belongs to it.
    hidden = set() if private_ok else {r["id"] for r in items if r["private"]}
    items = [r for r in items if r["id"] not in hidden]
    for kind_ in ("declaration", "meeting_action", "vote", "paper"):
        parts[kind_] = [r for r in parts[kind_] if r["item_id"] not in hidden]
    links = [r for r in links if r["item_id"] not in hidden]
    words.items = {r["id"]: r["number"] for r in items}
    members = words.members

    ids = {"meetings": {meeting_id}, "agenda_items": set(words.items)}
    ids.update({TABLE_OF_KIND[k]: {r["id"] for r in found_} for k, found_ in parts.items()})
    found = legacy.entries_of({t: i for t, i in ids.items() if t in words.handed_over}) \
        if words.handed_over else []
    old_entries = [e for e, _ in found]
    handover = {KIND_OF_TABLE[e.object_type]: until_ for e, until_ in found}
    told_before = {(KIND_OF_TABLE[e.object_type], e.object_id) for e in old_entries}

    starts = rows[-1]["starts_at"] if rows else db.session.scalar(
        select(Meeting.starts_at).where(Meeting.id == meeting_id))
    label = f"Meeting {day(legacy.aware_utc(starts).astimezone(LONDON).date())}" if starts \
        else "The meeting"
    latest: dict[str, dict[int, dict]] = {"item": {r["id"]: r for r in items}}
    for kind_, found_ in parts.items():
        latest[kind_] = {r["id"]: r for r in found_}

    def item_name(item_id) -> str:
        return f"{label}, item {words.items.get(item_id, '')}".rstrip()

    def who_declared(r) -> str:
        return members.get(r["member_id"], "") if r["member_id"] else (r["person_name"] or "")

    namers = {
        "meeting": lambda r: label,
        "item": lambda r: item_name(r["id"]),
        "attendance": lambda r: f"{label}, attendance of {members.get(r['member_id'], '')}",
        "declaration": lambda r: f"{label}, declaration by {who_declared(r)}"
        + (f" on item {words.items.get(r['item_id'], '')}" if r["item_id"] else ""),
        "vote": lambda r: f"{item_name(r['item_id'])}: vote",
        "paper": lambda r: f'{item_name(r["item_id"])}: paper "{r["title"]}"',
        "officer": lambda r: f'{label}, officer in attendance "{r["name"]}"',
        "meeting_action": lambda r: f'{label}, action "{_short(r["detail"])}"',
        "report": lambda r: f"{label}, highlight report",
    }
    entries = _version_entries(words, "meeting", namers["meeting"], rows, FIELDS["meeting"],
                               "id", told_before, handover)
    entries += _version_entries(words, "item", namers["item"], items, FIELDS["item"], "id",
                                told_before, handover)
    for kind_, found_ in parts.items():
        # Named by the record as it is now (a paper by its latest title, say).
        entries += _version_entries(
            words, kind_, lambda r, k=kind_: namers[k](latest[k].get(r["id"], r)), found_,
            FIELDS[kind_], "id", told_before, handover)
    entries += _link_entries(links, words.people, lambda r: item_name(r["item_id"]),
                             lambda r: f"Risk {r['_reference'] or ''} discussed")

    def old_name(kind_, ident) -> str:
        record = latest.get(kind_, {}).get(ident)
        if kind_ == "meeting":
            return label
        if record is None:  # removed before the version store began
            return f"{label}, {ONE_OF_KIND.get(kind_, 'a record')}"
        return namers[kind_](record)

    hidden_old = {("agenda_items", i) for i in hidden}
    entries += _old_entries([e for e in old_entries
                             if (e.object_type, e.object_id) not in hidden_old
                             and (e.object_type != "highlight_reports" or private_ok)],
                            words, old_name)
    entries = _as_corrections([_as_decision(e) for e in entries], meeting_id)
    return _filtered(entries, user_id, since, until, kind, change)


#: A change to approved minutes made by a correction (meeting trails only).
CORRECTED = "Corrected"
MEETING_CHANGES = (ADDED, CHANGED, CORRECTED, REMOVED)
#: The kind of record a correction names (MinuteCorrection.record) for each kind on the trail.
CORRECTION_OF_KIND = {"attendance": "attendance", "declaration": "declaration",
                      "vote": "vote", "item": "item", "decision": "decision"}


def _as_corrections(entries: list[TrailEntry], meeting_id: int) -> list[TrailEntry]:
    """A change that a correction of the approved minutes made is shown as "Corrected", with
    the correction's reason. A correction keeps the version store's transaction it was made in:
    every change of that transaction is part of it, including one made as a consequence (an
    item's decision following its corrected vote). Corrections made before that was kept are
    matched by their record and time (the same request wrote both, within a minute)."""
    from ..meetings.models import MinuteCorrection
    corrections = db.session.execute(
        select(MinuteCorrection.record, MinuteCorrection.record_id,
               MinuteCorrection.corrected_at, MinuteCorrection.reason,
               MinuteCorrection.transaction_id)
        .where(MinuteCorrection.meeting_id == meeting_id)
        .order_by(MinuteCorrection.id)).all()
    if not corrections:
        return entries
    by_transaction: dict[int, str] = {}
    by_record: dict[tuple, list] = defaultdict(list)
    for record, record_id, at, reason, tx_id in corrections:
        if tx_id is not None:
            by_transaction.setdefault(tx_id, reason)
        else:
            by_record[(record, record_id)].append((legacy.aware_utc(at), reason))
    out = []
    for entry in entries:
        found = None
        if entry.change == CHANGED:
            # Only the parts a correction can change: a meeting's own fields (its minutes
            # approved, say) written in the same transaction are not the correction.
            found = (by_transaction.get(entry.transaction_id)
                     if entry.transaction_id and entry.kind in CORRECTION_OF_KIND else None)
            found = found or next((reason for at, reason in by_record.get(
                (CORRECTION_OF_KIND.get(entry.kind), entry.record_id), ())
                if abs((entry.at - at).total_seconds()) <= 60), None)
        out.append(replace(entry, change=CORRECTED, now=f"{entry.now}\nWhy: {found}")
                   if found else entry)
    return out


#: A record of a meeting's no longer held, in words.
ONE_OF_KIND = {"item": "an agenda item", "attendance": "an attendance mark",
               "declaration": "a declaration", "vote": "a vote", "paper": "a paper",
               "officer": "an officer in attendance", "meeting_action": "an action",
               "report": "the highlight report"}


def _as_decision(entry: TrailEntry) -> TrailEntry:
    """An item's motion, how it was decided and its decision are its decision."""
    if entry.kind == "item" and entry.field in DECISION_FIELDS:
        return replace(entry, kind="decision", record=f"{entry.record}: decision")
    return entry


def _link_entries(rows, people: dict[int, str], record_of, field_of) -> list[TrailEntry]:
    """Links made or removed (an association table's versions) as a change of the record on
    one side: "Risk BAF0006 discussed", No to Yes or back."""
    out, seen = [], set()
    for row in rows:
        pair = tuple(v for k, v in row.items() if k.endswith("_id") and k not in (
            "transaction_id", "end_transaction_id"))
        who = people.get(row["_user"], "") if row["_user"] else ""
        who = who or ("Brought in from the earlier register" if pair not in seen else "System")
        seen.add(pair)
        removed = row["operation_type"] == 2
        out.append(TrailEntry(row["_at"].replace(tzinfo=timezone.utc), row["_user"], who,
                              "item", record_of(row), CHANGED, field_of(row),
                              "Yes" if removed else "No", "No" if removed else "Yes"))
    return out


def _version_entries(words: "_Words", kind_: str, label, rows, fields: dict, key,
                     told_before: set, handover: dict) -> list[TrailEntry]:
    """The changes between consecutive versions of each record in `rows` (oldest first), in
    words: added (with what it was given), each field changed, removed. A record's first
    version is left out when the old audit entries tell of it (`told_before`) and it was made
    before its table's handover: it is only the record as it stood when the store began."""
    out: list[TrailEntry] = []
    last = {}
    for row in rows:
        ident = tuple(row[k] for k in key) if isinstance(key, tuple) else row[key]
        before = last.get(ident)
        last[ident] = row
        at = row["_at"].replace(tzinfo=timezone.utc)
        who = words.people.get(row["_user"], "") if row["_user"] else ""
        who = who or ("Brought in from the earlier register" if before is None else "System")
        name = label(row)
        if row["operation_type"] == 2:
            out.append(TrailEntry(at, row["_user"], who, kind_, name, REMOVED, None, "", ""))
        elif before is None:
            if (kind_, ident) in told_before and row["_at"] < handover[kind_]:
                continue
            detail = ", ".join(f"{fields[f]}: {words.value(kind_, f, row[f])}"
                               for f in fields if row.get(f) not in (None, "", []))
            out.append(TrailEntry(at, row["_user"], who, kind_, name, ADDED, None, "", detail))
        else:
            for f, label_ in fields.items():
                if row[f] != before[f]:
                    out.append(TrailEntry(at, row["_user"], who, kind_, name, CHANGED, label_,
                                          words.value(kind_, f, before[f]),
                                          words.value(kind_, f, row[f]),
                                          ident if isinstance(ident, int) else None,
                                          row.get("transaction_id")))
    return out


KIND_OF_TABLE = {"risks": "risk", "score_records": "review", "controls": "control",
                 "gaps": "gap", "assurances": "assurance", "actions": "action",
                 "action_progress": "progress", "committees": "committee",
                 "terms_of_reference": "terms", "committee_members": "member",
                 "meetings": "meeting", "agenda_items": "item", "attendances": "attendance",
                 "declarations": "declaration", "votes": "vote", "papers": "paper",
                 "meeting_officers": "officer", "meeting_actions": "meeting_action",
                 "highlight_reports": "report", "chairs_actions": "chairs_action"}
#: A meeting's parts: kind on the trail -> table.
TABLE_OF_KIND = {"attendance": "attendances", "declaration": "declarations",
                 "officer": "meeting_officers", "meeting_action": "meeting_actions",
                 "report": "highlight_reports", "vote": "votes", "paper": "papers"}


def _old_entries(old_entries, words: "_Words", name_of) -> list[TrailEntry]:
    """The old audit entries as trail entries: the fields given when a record was added in one
    entry, each changed field in its own, in the same words as the versions."""
    out: list[TrailEntry] = []
    added: dict[tuple, list] = defaultdict(list)
    for e in old_entries:
        kind_ = KIND_OF_TABLE[e.object_type]
        at = legacy.aware_utc(e.at)
        who = words.people.get(e.user_id, "") if e.user_id else ""
        who = who or "System"
        fields = FIELDS.get(kind_, {})
        if e.field == "committees":  # the committees overseeing a risk, by name
            out.append(TrailEntry(at, e.user_id, who, "committee", "Committees", CHANGED,
                                  "Committees", e.old_value or "", e.new_value or ""))
            continue
        if e.operation == "create":
            added[(kind_, e.object_id, at, e.user_id, who)].append(e)
            continue
        if e.operation == "delete":
            out.append(TrailEntry(at, e.user_id, who, kind_, name_of(kind_, e.object_id),
                                  REMOVED, None, "", ""))
            continue
        label = fields.get(e.field, e.field.replace("_id", "").replace("_", " ").capitalize())
        out.append(TrailEntry(
            at, e.user_id, who, kind_, name_of(kind_, e.object_id), CHANGED, label,
            words.value(kind_, e.field, legacy.value(e.object_type, e.field, e.old_value)),
            words.value(kind_, e.field, legacy.value(e.object_type, e.field, e.new_value))))
    for (kind_, ident, at, user_id, who), rows in added.items():
        fields = FIELDS.get(kind_, {})
        detail = ", ".join(
            f"{fields[e.field]}: "
            f"{words.value(kind_, e.field, legacy.value(e.object_type, e.field, e.new_value))}"
            for e in rows if e.field in fields and e.new_value not in (None, ""))
        out.append(TrailEntry(at, user_id, who, kind_, name_of(kind_, ident), ADDED, None, "",
                              detail))
    return out


def field_changes(model, field: str, risk_ids) -> list[tuple[int, datetime, object, object]]:
    """Every change of one field of `model`'s records belonging to the risks `risk_ids`, oldest
    first: (record id, when (aware UTC), value before (None when added), value after). From the
    version store and, for what happened before it, the old audit entries."""
    risk_ids = list(risk_ids)
    if not risk_ids:
        return []
    table = version_class(model).__table__
    tx = versioning_manager.transaction_cls.__table__
    owner = table.c.id if model is Risk else table.c.risk_id
    found = legacy.entries(risk_ids=risk_ids, object_type=model.__tablename__, field=field)
    legacy_rows = [entry for entry, _ in found]
    since = found[0][1] if found else None
    with_legacy = {e.object_id for e in legacy_rows}
    out = [(e.object_id, legacy.aware_utc(e.at),
            legacy.value(model.__tablename__, field, e.old_value),
            legacy.value(model.__tablename__, field, e.new_value)) for e in legacy_rows]
    last: dict[int, object] = {}
    for record_id, value, at in db.session.execute(
            select(table.c.id, table.c[field], tx.c.issued_at)
            .join(tx, tx.c.id == table.c.transaction_id)
            .where(owner.in_(risk_ids), table.c.operation_type != 2)
            .order_by(table.c.id, table.c.transaction_id)):
        if record_id not in last:
            last[record_id] = value
            # The store's first version of a record the old trail already tells of is only
            # the record as it stood when the store began.
            if not (record_id in with_legacy and since is not None and at < since):
                out.append((record_id, legacy.aware_utc(at), None, value))
        elif value != last[record_id]:
            out.append((record_id, legacy.aware_utc(at), last[record_id], value))
            last[record_id] = value
    out.sort(key=lambda change: change[1])
    return out


def _coverage_entries(numbered: dict[str, dict[int, int]], people: dict[int, str]
                      ) -> list[TrailEntry]:
    """The controls each of the risk's assurances covers (issue 18), from the link table's
    versions: a link made or removed is a change to the assurance, "Covers Control N", No to
    Yes or back. `numbered`: the risk's assurances and controls by their number in the trail.
    """
    assurances, controls = numbered.get("assurance", {}), numbered.get("control", {})
    if not assurances:
        return []
    rows = _versions("assurance_controls_version",
                     lambda c: c.assurance_id.in_(list(assurances)))
    out, seen = [], set()
    for row in rows:
        pair = (row["assurance_id"], row["control_id"])
        who = people.get(row["_user"], "") if row["_user"] else ""
        who = who or ("Brought in from the earlier register" if pair not in seen else "System")
        seen.add(pair)
        control = f"Control {controls[row['control_id']]}" if row["control_id"] in controls \
            else "a control no longer listed"
        removed = row["operation_type"] == 2
        out.append(TrailEntry(row["_at"].replace(tzinfo=timezone.utc), row["_user"], who,
                              "assurance", f"Assurance {assurances[row['assurance_id']]}",
                              CHANGED, f"Covers {control}", "Yes" if removed else "No",
                              "No" if removed else "Yes"))
    return out
