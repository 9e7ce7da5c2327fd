"""A risk's audit trail, read from the version store: the same store as the as-at reads.

Each change is the difference between a record's version and the one before it. Records are
named in words (`Action "Development and implementation of…"`, `Control 2`, `Review held on
10 Dec 2023`), values are shown as people know them (dates as 29 Nov 2023, people by name,
yes/no, lines of assurance in words), times in Europe/London.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import literal, select, union_all
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
}
PEOPLE = {"owner_id", "lead_id", "assignee_id", "user_id"}
#: Stored codes and the words for them, by kind of record and field.
CODES = {
    ("terms", "status"): {"draft": "Draft", "in_force": "In force", "superseded": "Superseded"},
    ("meeting", "minutes_status"): {"draft": "Draft", "approved": "Approved"},
}


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
        from ..committees.models import Committee
        self.people = dict(db.session.execute(select(User.id, User.name)).all())
        # The short lists in one statement: a page's statements do not grow with its trail.
        from ..audit.models import TrailHandover
        names = {"d": {}, "l": {}, "r": {}, "c": {}, "h": {}}
        for kind, ident, name in db.session.execute(union_all(*(
                select(literal(k).label("k"), m.id, m.name) for k, m in (
                    ("d", Directorate), ("l", AppetiteLevel), ("r", Register),
                    ("c", Committee))), select(literal("h").label("k"), TrailHandover.id,
                                               TrailHandover.object_type))):
            names[kind][ident] = name
        #: Tables whose audit entries from before the version store are still to be read.
        self.handed_over = set(names["h"].values())
        self.directorates, self.levels = names["d"], names["l"]
        self.registers, self.committees = names["r"], names["c"]
        self.actions: dict[int, str] = {}

    def committee(self, committee_id) -> str:
        return self.committees.get(committee_id, "")

    def meeting(self, meeting_id) -> str:
        from ..meetings.models import Meeting
        starts = db.session.scalar(select(Meeting.starts_at).where(Meeting.id == meeting_id))
        return f"the meeting of {self.value('meeting', 'starts_at', starts)[:11]}" \
            if starts else ""

    def value(self, kind: str, field: str, value) -> str:
        if value is None or value == "" or value == []:
            return ""
        if (kind, field) in CODES:
            return CODES[(kind, field)].get(value, str(value))
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


def _versions(model, where):
    """Version rows of `model` matching `where`, with their transaction's time and user."""
    table = version_class(model).__table__ if not isinstance(model, str) else \
        db.metadata.tables[model]
    tx = versioning_manager.transaction_cls.__table__
    stmt = (select(table, tx.c.issued_at.label("_at"), tx.c.user_id.label("_user"))
            .join(tx, tx.c.id == table.c.transaction_id)
            .where(where(table.c)).order_by(table.c.transaction_id))
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
                   "member": "Members"}
MEETING_KINDS = {"meeting": "The meeting"}


def committee_trail(committee_id: int, *, user_id: int | None = None,
                    since: date | None = None, until: date | None = None,
                    kind: str | None = None, change: str | None = None) -> list[TrailEntry]:
    """Every change to a committee, its terms of reference and its memberships, newest first,
    in words; filtered as `risk_trail`."""
    from ..committees.models import Committee, CommitteeMember, TermsOfReference
    words = _Words()
    committee_rows = _versions(Committee, lambda c: c.id == committee_id)
    terms_rows = _versions(TermsOfReference, lambda c: c.committee_id == committee_id)
    member_rows = _versions(CommitteeMember, lambda c: c.committee_id == committee_id)
    ids = {"committees": {committee_id}, "terms_of_reference": {r["id"] for r in terms_rows},
           "committee_members": {r["id"] for r in member_rows}}
    found = [found_ for table, wanted in ids.items() if wanted and table in words.handed_over
             for found_ in legacy.entries(object_type=table, object_ids=wanted)]
    old_entries = sorted((e for e, _ in found), key=lambda e: (e.at, e.id))
    handover = {KIND_OF_TABLE[e.object_type]: until_ for e, until_ in found}
    told_before = {(KIND_OF_TABLE[e.object_type], e.object_id) for e in old_entries}
    name = committee_rows[-1]["name"] if committee_rows else ""
    versions = {r["id"]: r["version"] for r in terms_rows}
    people = {r["id"]: (words.people.get(r["user_id"]) if r["user_id"] else None)
              or r["person_name"] or "" for r in member_rows}
    entries = (
        _version_entries(words, "committee", lambda r: f'Committee "{name}"', committee_rows,
                         FIELDS["committee"], "id", told_before, handover)
        + _version_entries(words, "terms", lambda r: f"Terms of reference v{r['version']}",
                           terms_rows, FIELDS["terms"], "id", told_before, handover)
        + _version_entries(words, "member", lambda r: f'Member "{people[r["id"]]}"',
                           member_rows, FIELDS["member"], "id", told_before, handover))

    def old_name(kind_, ident) -> str:
        if kind_ == "terms":
            return f"Terms of reference v{versions.get(ident, '')}"
        if kind_ == "member":
            return f'Member "{people.get(ident, "")}"'
        return f'Committee "{name}"'

    entries += _old_entries(old_entries, words, old_name)
    return _filtered(entries, user_id, since, until, kind, change)


def meeting_trail(meeting_id: int, *, user_id: int | None = None, since: date | None = None,
                  until: date | None = None, kind: str | None = None,
                  change: str | None = None) -> list[TrailEntry]:
    """Every change to a meeting's own details (date, place, status, minutes approval),
    newest first, in words; filtered as `risk_trail`."""
    from ..meetings.models import Meeting
    words = _Words()
    rows = _versions(Meeting, lambda c: c.id == meeting_id)
    found = legacy.entries(object_type="meetings", object_ids=[meeting_id]) \
        if "meetings" in words.handed_over else []
    old_entries = [e for e, _ in found]
    handover = {"meeting": until_ for _, until_ in found}
    told_before = {("meeting", e.object_id) for e in old_entries}
    starts = rows[-1]["starts_at"] if rows else None
    label = f"Meeting of {words.value('meeting', 'starts_at', starts)[:11]}" if starts \
        else "The meeting"
    entries = _version_entries(words, "meeting", lambda r: label, rows, FIELDS["meeting"], "id",
                               told_before, handover)
    entries += _old_entries(old_entries, words, lambda kind_, ident: label)
    return _filtered(entries, user_id, since, until, kind, change)


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
                                          words.value(kind_, f, row[f])))
    return out


KIND_OF_TABLE = {"risks": "risk", "score_records": "review", "controls": "control",
                 "gaps": "gap", "assurances": "assurance", "actions": "action",
                 "action_progress": "progress", "committees": "committee",
                 "terms_of_reference": "terms", "committee_members": "member",
                 "meetings": "meeting"}


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
