"""Changes to the risk register. Services flush, never commit: the caller commits once."""
from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import false, inspect, select, update

from ..extensions import db
from ..rules import record as record_rules
from ..rules import scoring
from .models import (Assurance, Band, Control, FormerReference, Gap, Register, Risk,
                     ScoreRecord)

logger = logging.getLogger(__name__)


class StaleEdit(Exception):
    """The record changed since the user loaded it: their save would overwrite someone's work."""

    def __init__(self, message: str, current_version: int | None = None):
        super().__init__(message)
        #: The version now stored; the re-shown form carries it, so saving again is deliberate.
        self.current_version = current_version


def check_version(obj, seen_version) -> None:
    """Refuse a save made from an older version of `obj` than the one stored.

    `seen_version` None: no check (imports, commands, API calls that may leave it out). A form
    posts "" when it came without the version it was made from: that is refused too, never let
    past the check (issue 15, finding 12); the form is then shown again with the stored
    version, so saving once more is a choice made knowingly.
    """
    if seen_version is None:
        return
    stored = _locked_version(obj)
    if seen_version == "":
        raise StaleEdit(
            "This page did not say which version of the record you were changing, so your "
            "changes have not been saved. Check the record in a new tab; save again to keep "
            "what you typed below.", current_version=stored)
    try:
        seen = int(seen_version)
    except (TypeError, ValueError):
        raise StaleEdit("The form was not recognised; reload the page and try again")
    if seen != stored:
        raise StaleEdit(
            "Someone else changed this record while you were editing it, so your changes have "
            "not been saved. Open the record in a new tab to see theirs; save again to replace "
            "them with what you typed below.", current_version=stored)


def _locked_version(obj) -> int:
    """The stored version of `obj`, its row locked until this transaction ends.

    Two saves of the same record at the same moment would otherwise both pass the comparison
    with the version they read; the second would then fail at the UPDATE (version_id_col), too
    late to keep what its user typed. With the row locked (PostgreSQL: SELECT ... FOR UPDATE)
    the second waits for the first to commit, reads the new version here and is refused as a
    stale edit with its form kept. SQLite takes no row locks: it serialises writers instead,
    so there the database's write lock is taken first (issue 15, finding 12): otherwise both
    saves read the version before either writes, and the second fails at its UPDATE.
    """
    state = inspect(obj)
    mapper = state.mapper
    if state.identity is None or mapper.version_id_col is None:
        return obj.version
    if db.session.get_bind().dialect.name == "sqlite":
        # An UPDATE that changes nothing still takes SQLite's write lock (waiting for another
        # writer, as the row lock does on PostgreSQL) and begins the transaction, so the
        # version read next is the latest and stays so until this save commits. On the
        # session's connection but past the ORM: nothing pending is flushed before the check.
        column = mapper.version_id_col
        db.session.connection().execute(
            update(column.table).where(false()).values({column.name: column}))
    pk = mapper.primary_key
    current = db.session.scalar(
        select(mapper.version_id_col)
        .where(*[col == value for col, value in zip(pk, state.identity)])
        .with_for_update())
    if current is None:
        return obj.version
    if current != obj.version:
        db.session.expire(obj)  # loaded before another save committed: read it again
    return current


def populate(obj, data: dict, fields) -> dict:
    """Set `fields` of `obj` from `data`; return {field: (old, new)} for what changed."""
    changes = {}
    for field in fields:
        if field not in data:
            continue
        old, new = getattr(obj, field), data[field]
        if old != new:
            setattr(obj, field, new)
            changes[field] = (old, new)
    return changes


def ordered_bands() -> list[scoring.Band]:
    """The score bands, lowest first, as the scoring rules take them."""
    return [b.as_rule() for b in db.session.scalars(select(Band).order_by(Band.min_score))]


def review_frequency_months(risk: Risk, bands: list[scoring.Band] | None = None) -> int:
    """The risk's own review frequency, or its band's (High monthly, Medium quarterly...),
    from `bands` (ordered_bands()) when the caller has them already."""
    if risk.review_frequency_months:
        return risk.review_frequency_months
    if bands is not None:
        band = scoring.band_for(risk.current_score, bands)
        return band.review_months if band else 3
    band = db.session.scalar(select(Band).where(Band.min_score <= risk.current_score,
                                                Band.max_score >= risk.current_score))
    return band.review_months if band else 3


def allocate_reference(register: Register) -> tuple[int, str]:
    """Hand out the register's next reference; numbers only go up, so none is reused."""
    return allocate_references(register, 1)[0]


def allocate_references(register: Register, count: int) -> list[tuple[int, str]]:
    """Hand out the register's next `count` references at once (an import's new risks: one
    locked read, not one per risk); numbers only go up, so none is reused."""
    # Read again under the lock: a Register loaded earlier in this transaction may hold a
    # number another save has handed out since.
    locked = db.session.scalar(select(Register).where(Register.id == register.id)
                               .with_for_update().execution_options(populate_existing=True))
    first = locked.next_number
    locked.next_number = first + count
    db.session.flush()
    return [(number, f"{locked.prefix}{number:04d}") for number in range(first, first + count)]


RISK_FIELDS = ("title", "description", "strategic_objective", "directorate_id", "owner_id",
               "lead_id", "status", "appetite_category", "appetite_level_id",
               "review_frequency_months", "initial_consequence", "initial_likelihood",
               "target_consequence", "target_likelihood", "target_date")


def create_risk(register: Register, data: dict, *, by, today: date,
                committees=()) -> Risk:
    """Open a new risk in `register`, with its first score record."""
    number, reference = allocate_reference(register)
    risk = new_risk(register, data, number=number, reference=reference, by=by, today=today,
                    bands=ordered_bands(), committees=committees)
    db.session.flush()
    return risk


def new_risk(register: Register, data: dict, *, number: int, reference: str, by, today: date,
             bands: list[scoring.Band], committees=()) -> Risk:
    """A new risk and its first score record, added to the session but not flushed: an import
    of thousands flushes once (`create_risk` is the one-risk way)."""
    consequence, likelihood = data["current_consequence"], data["current_likelihood"]
    risk = Risk(register=register, number=number, reference=reference, opened_on=today,
                current_consequence=consequence, current_likelihood=likelihood,
                current_score=scoring.risk_score(consequence, likelihood))
    populate(risk, data, RISK_FIELDS)
    risk.status = data.get("status") or "Open"
    risk.committees = list(committees)
    risk.next_review_date = scoring.next_review_for(
        risk.status, None, today, review_frequency_months(risk, bands), reviewed_today=True)
    db.session.add(risk)
    db.session.add(ScoreRecord(risk=risk, recorded_on=today, consequence=consequence,
                               likelihood=likelihood, score=risk.current_score,
                               rationale=data.get("rationale") or "Risk opened",
                               recorded_by_id=by.id if by else None))
    return risk


class EscalationRefused(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def move_risk(risk: Risk, register: Register, *, by, today: date, reason: str = "",
              seen_version=None) -> FormerReference:
    """Escalate or de-escalate a risk to another register (CRR to BAF, or back).

    The risk stays the same row, so its score history, controls, assurances, actions and
    audit trail go with it; it takes the new register's next reference and keeps the old one
    as a former reference, by which links and lookups still find it.
    """
    if register.id == risk.register_id:
        raise EscalationRefused(f"{risk.reference} is already on the {register.name}: choose "
                                "another register", "register_id")
    check_version(risk, seen_version)
    former = FormerReference(risk=risk, register_id=risk.register_id, reference=risk.reference,
                             until_on=today, moved_by_id=by.id if by else None,
                             reason=(reason or "").strip())
    db.session.add(former)
    number, reference = allocate_reference(register)
    risk.register, risk.number, risk.reference = register, number, reference
    db.session.flush()
    return former


def update_risk(risk: Risk, data: dict, *, seen_version, committees=None,
                today: date | None = None) -> dict:
    """Change a risk's details (not its current score: that is `rescore_risk`).

    Closing or archiving a risk ends its review cycle; reopening one makes a review due.
    """
    check_version(risk, seen_version)
    changes = set_details(risk, data, today=today or date.today())
    if committees is not None and set(committees) != set(risk.committees):
        _change_committees(risk, list(committees))
    db.session.flush()
    return changes


def set_details(risk: Risk, data: dict, *, today: date,
                bands: list[scoring.Band] | None = None) -> dict:
    """`update_risk` without the version check or the flush (an import flushes once)."""
    changes = populate(risk, data, RISK_FIELDS)
    if "status" in changes:
        risk.next_review_date = scoring.next_review_for(
            risk.status, risk.next_review_date, today, review_frequency_months(risk, bands),
            reviewed_today=False)
    return changes


def _change_committees(risk: Risk, committees: list) -> None:
    """Change which committees oversee `risk`: the links' versions are its trail, and a new
    version of the risk, so a page opened before this save is refused rather than putting the
    old list back (issue 15, finding 10)."""
    from ..audit.models import utcnow
    risk.committees = committees
    risk.updated_at = utcnow()  # an UPDATE of the row, so its version goes up


class ReviewRefused(ValueError):
    """A review that cannot be recorded as given, with the field it is about."""

    def __init__(self, message: str, field: str, needs_confirmation: bool = False):
        super().__init__(message)
        self.message, self.field, self.needs_confirmation = message, field, needs_confirmation


def rescore_risk(risk: Risk, consequence: int, likelihood: int, rationale: str, *, by,
                 today: date, seen_version=None, held_on: date | None = None,
                 correcting: bool = False) -> ScoreRecord:
    """Record a review held on `held_on` (default today): a new score, or "reviewed, no
    change" when it is the same as the score in force that day.

    Refused (ReviewRefused): a date in the future or before the risk was opened, or before the
    latest review already recorded unless `correcting` (then it shows as a correction). The
    risk's current score is the latest review held, so a back-dated review only moves it when
    it is the latest.
    """
    check_version(risk, seen_version)
    review = record_review(risk, consequence, likelihood, rationale, by=by, today=today,
                           held_on=held_on, correcting=correcting)
    db.session.flush()
    return review


def record_review(risk: Risk, consequence: int, likelihood: int, rationale: str, *, by,
                  today: date, held_on: date | None = None, correcting: bool = False,
                  bands: list[scoring.Band] | None = None) -> ScoreRecord:
    """`rescore_risk` without the version check or the flush (an import flushes once)."""
    held_on = held_on or today
    if not (rationale or "").strip():
        raise ReviewRefused("Enter the reason for the score", "rationale")
    reviews = sorted(risk.score_records, key=lambda r: (r.recorded_on, r.id))
    latest = reviews[-1].recorded_on if reviews else None
    problem = record_rules.review_date_problem(held_on, today=today, opened_on=risk.opened_on,
                                               latest_held_on=latest, correcting=correcting)
    if problem is not None:
        raise ReviewRefused(problem.message, "held_on", problem.needs_confirmation)
    in_force = [r for r in reviews if r.recorded_on <= held_on]
    before = ((in_force[-1].consequence, in_force[-1].likelihood) if in_force else
              (risk.current_consequence, risk.current_likelihood))
    score = scoring.risk_score(consequence, likelihood)
    review = ScoreRecord(risk=risk, recorded_on=held_on, consequence=consequence,
                         likelihood=likelihood, score=score, rationale=rationale.strip(),
                         changed=(consequence, likelihood) != before,
                         recorded_by_id=by.id if by else None)
    review.corrects_history = record_rules.is_history_correction(held_on, latest)
    db.session.add(review)
    if latest is None or held_on >= latest:
        risk.current_consequence, risk.current_likelihood, risk.current_score = (
            consequence, likelihood, score)
        # Reviewed on the day held: the next review falls due from then.
        risk.next_review_date = scoring.next_review_for(
            risk.status, risk.next_review_date, held_on, review_frequency_months(risk, bands),
            reviewed_today=True)
    return review


CONTROL_FIELDS = ("description", "owner_id", "effectiveness", "expected_implementation_date",
                  "actual_implementation_date")


def add_control(risk: Risk, data: dict) -> Control:
    control = Control(risk=risk)
    populate(control, data, CONTROL_FIELDS)
    db.session.add(control)
    db.session.flush()
    return control


def update_control(control: Control, data: dict, *, seen_version) -> dict:
    check_version(control, seen_version)
    changes = populate(control, data, CONTROL_FIELDS)
    db.session.flush()
    return changes


ASSURANCE_FIELDS = ("line", "source", "summary", "assured_on", "positive", "valid_until",
                    "answered_by_action_id")


def _cover(assurance: Assurance, risk: Risk, control_ids) -> None:
    """The controls the assurance covers: only the risk's own."""
    if control_ids is None:
        return
    wanted = set(control_ids)
    assurance.controls = [c for c in risk.controls if c.id in wanted]


def add_assurance(risk: Risk, data: dict) -> Assurance:
    assurance = Assurance(risk=risk)
    populate(assurance, data, ASSURANCE_FIELDS)
    # In the session before the risk's controls are read (which may flush).
    db.session.add(assurance)
    _cover(assurance, risk, data.get("control_ids"))
    db.session.flush()
    return assurance


def update_assurance(assurance: Assurance, data: dict, *, seen_version) -> dict:
    check_version(assurance, seen_version)
    changes = populate(assurance, data, ASSURANCE_FIELDS)
    _cover(assurance, assurance.risk, data.get("control_ids"))
    db.session.flush()
    return changes


def add_gap(risk: Risk, kind: str, description: str) -> Gap:
    gap = Gap(risk=risk, kind=kind, description=description.strip())
    db.session.add(gap)
    db.session.flush()
    return gap


def close_gap(gap: Gap) -> None:
    gap.closed = True
    db.session.flush()
