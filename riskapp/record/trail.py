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

from sqlalchemy import select
from sqlalchemy_continuum import version_class, versioning_manager

from ..auth.models import Directorate, User
from ..extensions import db
from ..rules.record import history_corrections
from ..risks.models import (ASSURANCE_LINES, Action, ActionProgress, AppetiteLevel, Assurance,
                            Control, Gap, Risk, ScoreRecord)

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
             "target_likelihood": "Target likelihood", "target_date": "Target date"},
    "control": {"description": "Description", "owner_id": "Owner",
                "effectiveness": "Effectiveness",
                "expected_implementation_date": "Expected in place",
                "actual_implementation_date": "In place", "in_place_from": "In place from"},
    "gap": {"description": "Description", "closed": "Closed"},
    "assurance": {"line": "Line", "source": "Source", "summary": "Summary",
                  "assured_on": "Dated", "positive": "Result"},
    "action": {"detail": "Detail", "assignee_id": "Assigned to", "target_date": "Target date",
               "status": "Status", "completed_on": "Completed on", "raised_on": "Raised on"},
    "progress": {"note": "Note", "noted_on": "Dated"},
    "review": {"score": "Score", "rationale": "Rationale"},
    "committee": {},
}
PEOPLE = {"owner_id", "lead_id", "assignee_id"}


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
        self.people = dict(db.session.execute(select(User.id, User.name)).all())
        self.directorates = dict(db.session.execute(
            select(Directorate.id, Directorate.name)).all())
        self.levels = dict(db.session.execute(select(AppetiteLevel.id, AppetiteLevel.name)).all())

    def value(self, kind: str, field: str, value) -> str:
        if value is None or value == "":
            return ""
        if field in PEOPLE:
            return self.people.get(value, "someone no longer listed")
        if field == "directorate_id":
            return self.directorates.get(value, "")
        if field == "appetite_level_id":
            return self.levels.get(value, "")
        if field == "line":
            return ASSURANCE_LINES.get(value, str(value))
        if field == "positive":
            return {True: "Positive", False: "Negative"}.get(value, "Not yet judged")
        if field == "closed":
            return "Yes" if value else "No"
        if isinstance(value, datetime):
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
    (days, Europe/London), what kind of record and what kind of change."""
    words = _Words()
    entries: list[TrailEntry] = []
    actions = {}
    numbered: dict[str, dict[int, int]] = defaultdict(dict)

    def add(kind_, label, rows, fields, key="id"):
        last = {}
        for row in rows:
            ident = tuple(row[k] for k in key) if isinstance(key, tuple) else row[key]
            before = last.get(ident)
            at = row["_at"].replace(tzinfo=timezone.utc)
            who = words.people.get(row["_user"], "") if row["_user"] else ""
            who = who or ("Brought in from the earlier register" if before is None else "System")
            name = label(row)
            if row["operation_type"] == 2:
                entries.append(TrailEntry(at, row["_user"], who, kind_, name, REMOVED, None,
                                          "", ""))
            elif before is None:
                detail = ", ".join(f"{fields[f]}: {words.value(kind_, f, row[f])}"
                                   for f in fields if row.get(f) not in (None, ""))
                entries.append(TrailEntry(at, row["_user"], who, kind_, name, ADDED, None,
                                          "", detail))
            else:
                for f, label_ in fields.items():
                    if row[f] != before[f]:
                        entries.append(TrailEntry(
                            at, row["_user"], who, kind_, name, CHANGED, label_,
                            words.value(kind_, f, before[f]), words.value(kind_, f, row[f])))
            last[ident] = row

    def number(kind_, rows) -> dict[int, int]:
        for row in rows:
            numbered[kind_].setdefault(row["id"], len(numbered[kind_]) + 1)
        return numbered[kind_]

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
        numbers = number(kind_, sorted(rows, key=lambda r: r["id"]))
        add(kind_, lambda r, k=kind_, n=numbers: f"{k.capitalize()} {n[r['id']]}", rows,
            FIELDS[kind_])
    gaps = _versions(Gap, lambda c: c.risk_id == risk_id)
    gap_numbers: dict[str, dict[int, int]] = defaultdict(dict)
    for row in sorted(gaps, key=lambda r: r["id"]):
        gap_numbers[row["kind"]].setdefault(row["id"], len(gap_numbers[row["kind"]]) + 1)
    add("gap", lambda r: f"Gap in {r['kind']} {gap_numbers[r['kind']][r['id']]}", gaps,
        FIELDS["gap"])
    action_rows = _versions(Action, lambda c: c.risk_id == risk_id)
    for row in action_rows:
        actions[row["id"]] = row["detail"]
    add("action", lambda r: f'Action "{_short(actions[r["id"]])}"', action_rows,
        FIELDS["action"])
    if actions:
        notes = _versions(ActionProgress, lambda c: c.action_id.in_(list(actions)))
        add("progress", lambda r: f'Progress note on action "{_short(actions[r["action_id"]])}"',
            notes, FIELDS["progress"])
    links = _versions("risk_committees_version", lambda c: c.risk_id == risk_id)
    if links:
        from ..committees.models import Committee
        names = dict(db.session.execute(select(Committee.id, Committee.name)).all())
        add("committee", lambda r: f'Committee "{names.get(r["committee_id"], "")}"', links, {},
            key=("risk_id", "committee_id"))
    entries += _coverage_entries(numbered, words.people)
    entries = [e for e in entries if
               (user_id is None or e.user_id == user_id)
               and (kind is None or e.kind == kind)
               and (change is None or e.change == change)
               and (since is None or e.at_london.date() >= since)
               and (until is None or e.at_london.date() <= until)]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


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
