"""The register as at the end of a day: what riskapp held then, read from the version store.

One temporal mechanism (SQLAlchemy-Continuum, validity strategy) serves this and the audit
trail: every insert and update of a risk, review (score record), control, gap, assurance,
action, progress note and committee link writes a version row stamped with the transaction
that made it and, once superseded, the transaction that ended it. "As at D" is the version of
each row made by a transaction issued before the end of D (Europe/London) and not ended by
then: one range read per table, never today's rows with a date filter.

Use it like this (assurance map, packs, exports, API):

    from riskapp.record.as_at import register_as_at, risk_as_at

    risks = register_as_at(register_id, date(2023, 11, 29))   # list[RiskAsAt], by reference
    risk = risk_as_at("BAF0006", date(2023, 11, 29))          # RiskAsAt, or None if not opened

A RiskAsAt has `.risk` (every column of the risk as held then: `.risk.title`, `.risk.status`,
`.risk.owner_id`, ...), `.controls`, `.gaps`, `.assurances`, `.actions` (rows with the same
column names as the live models: `.description`, `.effectiveness`, `.in_place_from`,
`.assured_on`, `.status`, `.target_date`, ...; `.learnt_at`, naive UTC, is when riskapp
learnt of that version), `.progress` (action id -> its notes, newest
first), `.reviews` (the score records known then, in the order held), `.committee_ids`, and the
score in force: `.current` (consequence, likelihood), `.current_score`, judged as the latest
review held on or before D among those riskapp knew of at the end of D.

Rows are read-only SQLAlchemy Row objects: attribute access, immutable. Plain data, no session
needed after the call, so a worker can build a pack from them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy_continuum import version_class, versioning_manager

from ..extensions import db
from ..risks.models import (Action, ActionProgress, Assurance, Control, Gap, Risk, ScoreRecord,
                            risk_committees)
from ..rules.actions import is_overdue
from ..rules.record import history_corrections

LONDON = ZoneInfo("Europe/London")
DELETED = 2  # Continuum's Operation.DELETE


def end_of_day(day: date) -> datetime:
    """The first instant after `day` ends in Europe/London, as naive UTC (how the version
    store's transactions are stamped)."""
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)
    return midnight.astimezone(timezone.utc).replace(tzinfo=None)


def _as_at(table, cutoff: datetime, *where):
    """SELECT the versions of `table` in force at `cutoff`: made by a transaction issued
    before it, and not ended by one issued before it."""
    tx = versioning_manager.transaction_cls.__table__
    made, ended = tx.alias("made"), tx.alias("ended")
    return (select(*[c for c in table.c if c.name not in
                     ("transaction_id", "end_transaction_id", "operation_type")],
                   made.c.issued_at.label("learnt_at"))
            .select_from(table.join(made, made.c.id == table.c.transaction_id)
                         .outerjoin(ended, ended.c.id == table.c.end_transaction_id))
            .where(made.c.issued_at < cutoff,
                   or_(ended.c.id.is_(None), ended.c.issued_at >= cutoff),
                   table.c.operation_type != DELETED, *where))


def _table(model):
    return version_class(model).__table__


@dataclass(frozen=True)
class RiskAsAt:
    as_of: date
    risk: object
    controls: tuple = ()
    gaps: tuple = ()
    assurances: tuple = ()
    actions: tuple = ()
    progress: dict = field(default_factory=dict)
    reviews: tuple = ()
    committee_ids: tuple = ()

    @property
    def reference(self) -> str:
        return self.risk.reference

    @property
    def latest_review(self):
        held = [r for r in self.reviews if r.recorded_on <= self.as_of]
        return held[-1] if held else None

    @property
    def current(self) -> tuple[int, int]:
        review = self.latest_review
        if review is not None:
            return review.consequence, review.likelihood
        return self.risk.current_consequence, self.risk.current_likelihood

    @property
    def current_score(self) -> int:
        consequence, likelihood = self.current
        return consequence * likelihood

    @property
    def corrections(self) -> set[int]:
        """Ids of the reviews that were corrections of the history (held before a review
        recorded earlier)."""
        return history_corrections((r.id, r.recorded_on) for r in sorted(self.reviews,
                                                                          key=lambda r: r.id))

    def gaps_in(self, kind: str) -> list:
        return [g for g in self.gaps if g.kind == kind and not g.closed]

    def open_actions(self) -> list:
        return [a for a in self.actions if a.status not in ("Complete", "Cancelled")]

    def is_overdue(self, action) -> bool:
        """Overdue as judged at the end of the as-at day, not today."""
        return is_overdue(action.target_date, action.status, self.as_of)


def register_as_at(register_id: int | None, as_of: date, *,
                   risk_ids: list[int] | None = None,
                   with_children: bool = True) -> list[RiskAsAt]:
    """Every risk of the register (all registers: None) as riskapp held it at the end of
    `as_of`, with its controls, gaps, assurances, actions, progress notes, reviews and committee
    links as held then; by reference. A risk not yet recorded then is absent.

    `with_children=False` reads only the risks, their reviews and committee links (what the
    heatmap and the movement table show): three tables, not eight."""
    cutoff = end_of_day(as_of)
    risks_v = _table(Risk)
    moves = _moves()
    where = []
    if register_id is not None:
        # A risk escalated (or de-escalated) since was in another register then: read the
        # risks that ever moved too, and place each below.
        where.append(or_(risks_v.c.register_id == register_id, risks_v.c.id.in_(list(moves)))
                     if moves else risks_v.c.register_id == register_id)
    if risk_ids is not None:
        where.append(risks_v.c.id.in_(risk_ids))
    risks = [_placed(row, moves.get(row.id), as_of) for row in db.session.execute(
        _as_at(risks_v, cutoff, *where))]
    if register_id is not None:
        risks = [r for r in risks if r.register_id == register_id]
    risks.sort(key=lambda r: r.reference)
    if not risks:
        return []
    ids = [r.id for r in risks]
    # A few risks: their children by id. Many: each child table read whole, once (cheaper than
    # an IN list of thousands), and matched here.
    few = ids if len(ids) < 500 else None

    def children(model, order):
        t = _table(model)
        stmt = _as_at(t, cutoff)
        if few is not None:
            stmt = stmt.where(t.c.risk_id.in_(few))
        grouped = defaultdict(list)
        for row in db.session.execute(stmt.order_by(*[t.c[o] for o in order])):
            grouped[row.risk_id].append(row)
        return grouped

    reviews = children(ScoreRecord, ["recorded_on", "id"])
    links = children_links(cutoff, few)
    controls, gaps, assurances, actions = {}, {}, {}, {}
    progress = defaultdict(list)
    if with_children:
        controls = children(Control, ["id"])
        gaps = children(Gap, ["id"])
        assurances = children(Assurance, ["id"])
        actions = children(Action, ["id"])
        notes_t = _table(ActionProgress)
        action_ids = {a.id for rows in actions.values() for a in rows}
        notes = _as_at(notes_t, cutoff)
        if few is not None:
            notes = notes.where(notes_t.c.action_id.in_(list(action_ids)))
        for note in db.session.execute(notes.order_by(
                notes_t.c.noted_on.desc(), notes_t.c.id.desc())):
            if note.action_id in action_ids:
                progress[note.action_id].append(note)
    out = []
    for risk in risks:
        risk_actions = tuple(actions.get(risk.id, ()))
        out.append(RiskAsAt(
            as_of=as_of, risk=risk, controls=tuple(controls.get(risk.id, ())),
            gaps=tuple(gaps.get(risk.id, ())), assurances=tuple(assurances.get(risk.id, ())),
            actions=risk_actions,
            progress={a.id: tuple(progress.get(a.id, ())) for a in risk_actions},
            reviews=tuple(reviews.get(risk.id, ())),
            committee_ids=tuple(links.get(risk.id, ()))))
    return out


def _moves() -> dict[int, list]:
    """Each moved risk's former places, in the order it left them: (until_on, register id,
    reference). Few rows: read whole."""
    from ..risks.models import FormerReference
    moves = defaultdict(list)
    for row in db.session.execute(select(
            FormerReference.risk_id, FormerReference.until_on, FormerReference.register_id,
            FormerReference.reference).order_by(FormerReference.until_on, FormerReference.id)):
        moves[row.risk_id].append(row)
    return moves


class _Placed(SimpleNamespace):
    """A risk's version with the register and reference it had on the day asked about."""


def _placed(row, moves, as_of: date):
    """`row` (a risk's version) in the register it was in at the end of `as_of`: the first
    register it left after that day, if any (a former reference records where a risk was until
    the day it moved), else the register of the version. The two agree for moves the version
    store saw; for moves made before it began (its first version of a risk is the risk as it
    then stood, in its new register) only the former reference knows."""
    if not moves:
        return row
    left = next((m for m in moves if as_of < m.until_on), None)
    if left is None or (left.register_id == row.register_id and
                        left.reference == row.reference):
        return row
    digits = "".join(ch for ch in left.reference if ch.isdigit())
    return _Placed(**{**row._asdict(), "register_id": left.register_id,
                      "reference": left.reference,
                      "number": int(digits) if digits else row.number})


def links_as_at(table, left: str, right: str, cutoff: datetime,
                left_ids=None) -> dict[int, set[int]]:
    """The links of a versioned many-to-many `table` (its `_version` table) in force at
    `cutoff`: the `right` ids of each `left` id.

    Continuum versions a link table by inserting a row per change (made, or removed:
    operation DELETE) but never ends the earlier row, so the validity read (`_as_at`) would
    still count a link removed before `cutoff`. The latest change of each link made before
    it decides instead. `left_ids` None: every link; a few: read by id; many (a whole
    register): the table read once and matched here."""
    versions = db.metadata.tables[table.name + "_version"]
    tx = versioning_manager.transaction_cls.__table__
    stmt = (select(versions.c[left], versions.c[right], versions.c.operation_type)
            .join(tx, tx.c.id == versions.c.transaction_id)
            .where(tx.c.issued_at < cutoff)
            .order_by(tx.c.issued_at, versions.c.transaction_id))
    wanted = None if left_ids is None else set(left_ids)
    if wanted is not None and len(wanted) < 500:
        stmt = stmt.where(versions.c[left].in_(wanted))
    linked: dict[tuple[int, int], bool] = {}
    for left_id, right_id, operation in db.session.execute(stmt):
        if wanted is None or left_id in wanted:
            linked[(left_id, right_id)] = operation != DELETED
    out: dict[int, set[int]] = defaultdict(set)
    for (left_id, right_id), present in linked.items():
        if present:
            out[left_id].add(right_id)
    return out


def children_links(cutoff: datetime, ids: list[int] | None) -> dict[int, list[int]]:
    """Committee ids per risk id, as linked at `cutoff`."""
    return {risk_id: sorted(committees) for risk_id, committees in
            links_as_at(risk_committees, "risk_id", "committee_id", cutoff, ids).items()}


def risk_as_at(reference: str, as_of: date):
    """One risk as held at the end of `as_of`, or None when riskapp did not hold it then."""
    from ..risks.models import FormerReference
    risks_v = _table(Risk)
    # The risk's id from today's row (indexed; ids never change), else from a reference it had
    # before it moved register, else from the versions. Ids, not references, decide: a risk
    # asked for by today's reference is shown as it was then, under its reference then.
    risk_id = db.session.scalar(select(Risk.id).where(Risk.reference == reference))
    if risk_id is None:
        risk_id = db.session.scalar(select(FormerReference.risk_id)
                                    .where(FormerReference.reference == reference))
    if risk_id is None:
        row = db.session.execute(_as_at(risks_v, end_of_day(as_of),
                                        risks_v.c.reference == reference)).first()
        if row is None:
            return None
        risk_id = row.id
    held = register_as_at(None, as_of, risk_ids=[risk_id])
    return held[0] if held else None


def as_at_error(as_of: date | None, today: date) -> str | None:
    """Why a page, pack or export cannot be drawn as at the end of `as_of` (the words for the
    field), or None when it can: not in the future, not before the first day held."""
    from ..rules.record import as_at_problem
    needs_first = as_of is not None and as_of < today
    return as_at_problem(as_of, today=today, first_held=first_day_held() if needs_first else None)


def first_day_held() -> date | None:
    """The first day riskapp held any risk: an as-at date before it shows an empty register."""
    tx = versioning_manager.transaction_cls.__table__
    risks_v = _table(Risk)
    first = db.session.scalar(select(tx.c.issued_at).select_from(
        risks_v.join(tx, tx.c.id == risks_v.c.transaction_id)).order_by(tx.c.issued_at).limit(1))
    if first is None:
        return None
    return first.replace(tzinfo=timezone.utc).astimezone(LONDON).date()


__all__ = ["RiskAsAt", "register_as_at", "risk_as_at", "end_of_day", "first_day_held",
           "as_at_error"]
