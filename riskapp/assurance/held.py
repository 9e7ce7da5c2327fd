"""A register as the record held it at the end of a day, for the assurance map and the cover
paper: `riskapp.record.as_at` (the version store, with risks riskapp recorded later read by
their business dates: "earliest knowledge"), plus the controls each assurance covered and a
lean read of only what the map needs.
"""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from ..record.as_at import (RiskAsAt, children_at, end_of_day, held_as_at, known_on,
                             links_as_at, risks_at, scores_at)
from ..risks.models import Assurance, Control, Gap, assurance_controls


#: What the assurance map reads of each risk as at a day (with `record.as_at.PLACING`): its
#: title and the score it carries (the map reads the score then from its reviews).
MAP_COLUMNS = ("title", "current_consequence", "current_likelihood")


def risks_held(register_id: int, day: date, *, columns: tuple[str, ...] | None = None
               ) -> list:
    """Every risk of the register on `day` as the record held it (`record.as_at.risks_at`),
    as risk version rows ordered as the register is (number, reference). `columns`: only
    these columns (and what placing the risk needs), not every one."""
    return sorted(risks_at(register_id, day, columns=columns),
                  key=lambda r: (r.number, r.reference))


def open_risks(register_id: int, day: date, *, columns: tuple[str, ...] | None = None
               ) -> list:
    """The register's open risks on `day` (risk version rows), in register order."""
    return [r for r in risks_held(register_id, day, columns=columns) if r.status == "Open"]


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
    held = held_as_at(list(risks), day)
    return HeldRegister(held, covers_at(risks, day, {r.risk.id: r.assurances for r in held}))


def covers_at(risks: Sequence, day: date, assurances: dict[int, Sequence]) -> dict[int, set[int]]:
    """The controls each assurance (`assurances`: by risk id) covered, as held when each risk
    was read (`record.as_at.known_on`)."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for r in risks:
        by_day[known_on(r, day)] += [a.id for a in assurances.get(r.id, ())]
    covers: dict[int, set[int]] = {}
    for known, ids in sorted(by_day.items()):
        covers.update(assurance_links(known, ids))
    return covers


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
    assurance and the score in force on `day`, as held then; and the controls each assurance
    covered. `register_id` is kept for callers; the rows say where each risk was."""
    risks = list(risks)
    scores = scores_at(risks, day)
    controls = children_at(Control, risks, day)
    assurances = children_at(Assurance, risks, day)
    gaps = children_at(Gap, risks, day, lambda c: c.kind == "assurance",
                       lambda c: c.closed.is_(False))
    facts = []
    for r in risks:
        c, lk = scores.get(r.id, (r.current_consequence, r.current_likelihood))
        facts.append(HeldFacts(r, c, lk, list(controls.get(r.id, ())),
                               list(assurances.get(r.id, ())), list(gaps.get(r.id, ()))))
    return facts, covers_at(risks, day, assurances)


def assurance_links(day: date, assurance_ids: Sequence[int]) -> dict[int, set[int]]:
    """The controls each assurance covered at the end of `day`, from the version store."""
    if not assurance_ids:
        return {}
    return links_as_at(assurance_controls, "assurance_id", "control_id", end_of_day(day),
                       assurance_ids)
