"""A register as the record held it at the end of a past day, for the assurance map and the
cover paper: `riskapp.record.as_at` (the version store), plus risks riskapp learnt of later
whose business dates put them on the register by that day.

The version store says what riskapp knew at the end of a day. A register brought in from an
earlier one (the demo BAF, known from its source's date, 29 Nov 2023; an import) carries its
own history: when each risk was opened, the reviews held, the assurances dated. For a day
before riskapp learnt of such a risk, the best record of it is what riskapp first learnt, read
by those business dates: open if opened by the day, the score of the last review held by the
day, controls in place by the day; assurances given after the day are left out by the rules.
The first version of a record never changes, so a map or paper as at a past day still reads
the same after any later edit (issue 14: "a register imported today still prints last year's
pack as it was").
"""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timezone

from sqlalchemy import func, select
from sqlalchemy_continuum import versioning_manager

from ..extensions import db
from ..record.as_at import (LONDON, RiskAsAt, _as_at, _table, end_of_day, links_as_at,
                             register_as_at)
from ..risks.models import Assurance, Control, Gap, Risk, ScoreRecord, assurance_controls


def _learnt_day(issued_at: datetime) -> date:
    return issued_at.replace(tzinfo=timezone.utc).astimezone(LONDON).date()


def risks_held(register_id: int, day: date) -> list:
    """Every risk of the register on `day` as the record held it (see the module), as risk
    version rows ordered as the register is (number, reference): the strict as-at ones, and
    the first-learnt version of risks riskapp learnt of later but opened by `day`."""
    risks_v = _table(Risk)
    held = db.session.execute(_as_at(risks_v, end_of_day(day),
                                     risks_v.c.register_id == register_id)).all()
    known = {r.id for r in held}
    tx = versioning_manager.transaction_cls.__table__
    # When riskapp first learnt of each risk that has ever been on the register.
    first = db.session.execute(
        select(risks_v.c.id, func.min(tx.c.issued_at))
        .join(tx, tx.c.id == risks_v.c.transaction_id)
        .where(risks_v.c.register_id == register_id)
        .group_by(risks_v.c.id)).all()
    later: dict[date, list[int]] = defaultdict(list)
    cutoff = end_of_day(day)
    for risk_id, issued_at in first:
        if risk_id not in known and issued_at >= cutoff:
            later[_learnt_day(issued_at)].append(risk_id)
    for learnt, ids in sorted(later.items()):
        held += [r for r in db.session.execute(_as_at(
            risks_v, end_of_day(learnt), risks_v.c.id.in_(ids),
            risks_v.c.register_id == register_id)).all() if r.opened_on <= day]
    return sorted(held, key=lambda r: (r.number, r.reference))


def open_risks(register_id: int, day: date) -> list:
    """The register's open risks on `day` (risk version rows), in register order."""
    return [r for r in risks_held(register_id, day) if r.status == "Open"]


@dataclasses.dataclass
class HeldRegister:
    """Risks as held on a day, and the controls each of their assurances covered then."""
    risks: list[RiskAsAt]
    #: assurance id -> ids of the controls it covered.
    covers: dict[int, set[int]]


def register_held(register_id: int, day: date, risks: Sequence | None = None) -> HeldRegister:
    """`risks` (rows from `risks_held`; default every one) with their controls, assurances,
    gaps, actions and reviews as held on `day`, judged at `day`, in the order given."""
    if risks is None:
        risks = risks_held(register_id, day)
    if not risks:
        return HeldRegister([], {})
    cutoff = end_of_day(day)
    # Read as at `day` where riskapp held the risk then; else as first learnt (its day).
    by_day: dict[date, list[int]] = defaultdict(list)
    for r in risks:
        by_day[day if r.learnt_at < cutoff else _learnt_day(r.learnt_at)].append(r.id)
    out: dict[int, RiskAsAt] = {}
    covers: dict[int, set[int]] = {}
    for known_on, ids in sorted(by_day.items()):
        held = register_as_at(register_id, known_on, risk_ids=ids)
        covers.update(assurance_links(known_on, [a.id for r in held for a in r.assurances]))
        for r in held:
            out[r.risk.id] = r if known_on == day else _by_business_dates(r, day)
    return HeldRegister([out[r.id] for r in risks if r.id in out], covers)


@dataclasses.dataclass
class HeldFacts:
    """What the assurance map needs of one risk as held at the end of a day: fewer tables
    than `register_as_at` reads (no actions, progress notes or review history), for maps of
    a whole register."""
    risk: object
    consequence: int
    likelihood: int
    controls: list = dataclasses.field(default_factory=list)
    assurances: list = dataclasses.field(default_factory=list)
    #: Open recorded gaps in assurance.
    gaps: list = dataclasses.field(default_factory=list)


def map_facts(register_id: int, day: date, risks: Sequence) -> tuple[list[HeldFacts],
                                                                     dict[int, set[int]]]:
    """`risks` (rows from `risks_held`) with their controls, assurances, open gaps in
    assurance and the score in force on `day`, as held then (risks riskapp learnt of later: as
    first learnt, by business dates); and the controls each assurance covered."""
    cutoff = end_of_day(day)
    by_day: dict[date, list] = defaultdict(list)
    for r in risks:
        by_day[day if r.learnt_at < cutoff else _learnt_day(r.learnt_at)].append(r)
    facts: dict[int, HeldFacts] = {}
    covers: dict[int, set[int]] = {}
    for known_on, rows in sorted(by_day.items()):
        known = end_of_day(known_on)
        ids = [r.id for r in rows]
        group = set(ids)
        few = ids if len(ids) < 500 else None  # many: whole tables, matched here
        scores = _scores(known, day, few)
        for r in rows:
            c, lk = scores.get(r.id, (r.current_consequence, r.current_likelihood))
            facts[r.id] = HeldFacts(r, c, lk)

        def children(model, *where):
            t = _table(model)
            stmt = _as_at(t, known, *[w(t.c) for w in where])
            if few is not None:
                stmt = stmt.where(t.c.risk_id.in_(few))
            for row in db.session.execute(stmt.order_by(t.c.id)):
                if row.risk_id in group:
                    yield row
        for c in children(Control):
            if known_on == day or c.in_place_from is None or c.in_place_from <= day:
                facts[c.risk_id].controls.append(c)
        for a in children(Assurance):
            facts[a.risk_id].assurances.append(a)
        for g in children(Gap, lambda c: c.kind == "assurance", lambda c: c.closed.is_(False)):
            facts[g.risk_id].gaps.append(g)
        covers.update(assurance_links(known_on, [a.id for r in rows
                                                 for a in facts[r.id].assurances]))
    return [facts[r.id] for r in risks], covers


def _scores(known: datetime, day: date, ids: list[int] | None) -> dict[int, tuple[int, int]]:
    """Each risk's (consequence, likelihood) of its latest review held by `day`, among the
    reviews riskapp knew of at `known`: one window query, not every review read."""
    t = _table(ScoreRecord)
    held = _as_at(t, known, t.c.recorded_on <= day)
    if ids is not None:
        held = held.where(t.c.risk_id.in_(ids))
    held = held.subquery()
    ranked = select(held.c.risk_id, held.c.consequence, held.c.likelihood,
                    func.row_number().over(partition_by=held.c.risk_id,
                                           order_by=(held.c.recorded_on.desc(),
                                                     held.c.id.desc())).label("n")).subquery()
    return {risk_id: (c, lk) for risk_id, c, lk, _ in db.session.execute(
        select(ranked).where(ranked.c.n == 1))}


def _by_business_dates(first: RiskAsAt, day: date) -> RiskAsAt:
    """A risk as first learnt, read at an earlier `day` by the dates the business gave."""
    return dataclasses.replace(
        first, as_of=day,
        controls=tuple(c for c in first.controls
                       if c.in_place_from is None or c.in_place_from <= day),
        actions=tuple(a for a in first.actions if a.raised_on is None or a.raised_on <= day))


def assurance_links(day: date, assurance_ids: Sequence[int]) -> dict[int, set[int]]:
    """The controls each assurance covered at the end of `day`, from the version store."""
    if not assurance_ids:
        return {}
    return links_as_at(assurance_controls, "assurance_id", "control_id", end_of_day(day),
                       assurance_ids)
