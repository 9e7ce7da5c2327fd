"""Saving the register's settings: the one place the settings pages and the API both call.

Tables (bands, appetite levels, appetite categories, directorates) are saved whole, as the
page shows them: each row sent is kept (updated by id, or by name when it has none, or added)
or removed; with `remove_missing` the rows not sent are removed too, as the API's PUT says.
The rules (`riskapp.rules.settings`) are asked before anything is written, so a refused save
changes nothing. Services flush; the caller commits.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..auth.models import Directorate, User
from ..extensions import db
from ..risks.models import AppetiteLevel, Band, FormerReference, Register, Risk
from ..rules import settings as rules
from ..rules.scoring import Band as RuleBand
from .models import AppetiteCategory

#: Where a newcomer starts: the NHS bands of most trusts' 5x5 matrix (the NPSA's).
USUAL_BANDS = [dict(name="Low", min_score=1, max_score=3, colour="#007f3b", review_months=12),
               dict(name="Moderate", min_score=4, max_score=6, colour="#ffeb3b", review_months=6),
               dict(name="High", min_score=8, max_score=12, colour="#ed8b00", review_months=3),
               dict(name="Extreme", min_score=15, max_score=25, colour="#d5281b",
                    review_months=1)]
#: The appetite scale the Good Governance Institute's matrix uses, as many NHS boards do.
USUAL_LEVELS = [dict(name="Averse", max_score=3), dict(name="Minimal", max_score=6),
                dict(name="Cautious", max_score=9), dict(name="Open", max_score=12),
                dict(name="Eager", max_score=16)]


@dataclass
class Row:
    """One row as sent: its values, the id of the saved record it is (None: new or by name),
    and whether it is to be removed."""

    values: dict
    id: int | None = None
    remove: bool = False


@dataclass(frozen=True)
class Refusal:
    """Why a save was refused: about one row sent (`row`, its index) and one of its fields,
    or about the table as a whole (`row` None)."""

    message: str
    row: int | None = None
    field: str | None = None


@dataclass(frozen=True)
class Table:
    model: type
    noun: str
    fields: tuple[str, ...]
    #: Why a record cannot be removed (None: it can).
    in_use: Callable[[object], str | None] | None = None
    #: Problems of the rows kept, given the names of the records removed.
    check: Callable[[list[dict], list[str]], list[str]] | None = None
    clean: Callable[[dict], dict] = field(default=lambda values: values)


def _level_in_use(level: AppetiteLevel) -> str | None:
    risks = db.session.scalar(select(func.count(Risk.id))
                              .where(Risk.appetite_level_id == level.id))
    return rules.level_removal_problem(level.name, risks)


def _directorate_in_use(directorate: Directorate) -> str | None:
    risks = db.session.scalar(select(func.count(Risk.id))
                              .where(Risk.directorate_id == directorate.id))
    people = db.session.scalar(select(func.count(User.id))
                               .where(User.directorate_id == directorate.id))
    return rules.directorate_removal_problem(directorate.name, risks, people)


def _check_bands(kept: list[dict], removed: list[str]) -> list[str]:
    return rules.band_table_problems(
        [RuleBand(v["name"], v["min_score"], v["max_score"]) for v in kept], removed)


def _clean_band(values: dict) -> dict:
    return {**values, "colour": (values.get("colour") or "").strip().lower()}


BANDS = Table(Band, "band", ("name", "min_score", "max_score", "colour", "review_months"),
              check=_check_bands, clean=_clean_band)
APPETITE_LEVELS = Table(AppetiteLevel, "level", ("name", "max_score"), in_use=_level_in_use)
#: A risk keeps its category's name as it was chosen: removing one only takes it off the list.
APPETITE_CATEGORIES = Table(AppetiteCategory, "category", ("name",))
DIRECTORATES = Table(Directorate, "directorate", ("name",), in_use=_directorate_in_use)


def save_table(table: Table, rows: Sequence[Row], *, remove_missing: bool = False
               ) -> list[Refusal]:
    """Save `rows` as `table`'s rows; [] when saved (flushed), else why not (nothing written)."""
    model = table.model
    existing = {r.id: r for r in db.session.scalars(select(model))}
    refusals: list[Refusal] = []
    matched: list[object | None] = [None] * len(rows)
    claimed: set[int] = set()
    for i, row in enumerate(rows):
        if row.id is None:
            continue
        record = existing.get(row.id)
        if record is None:
            refusals.append(Refusal(f"There is no {table.noun} {row.id}: someone may have "
                                    "removed it meanwhile", i, "id"))
        elif row.id in claimed:
            refusals.append(Refusal(f"{record.name} is listed twice", i, "id"))
        else:
            matched[i] = record
            claimed.add(row.id)
    # A row without an id is the unclaimed record of its name, if there is one.
    by_name = {rules.name_key(r.name): r for r in existing.values() if r.id not in claimed}
    for i, row in enumerate(rows):
        if row.id is None:
            matched[i] = by_name.pop(rules.name_key(row.values.get("name")), None)
    kept = [i for i, row in enumerate(rows) if not row.remove]
    removed = [(i, matched[i]) for i, row in enumerate(rows) if row.remove and matched[i]]
    if remove_missing:
        sent = {r.id for r in matched if r is not None}
        removed += [(None, r) for r in existing.values() if r.id not in sent]
    kept_values = [table.clean({k: rows[i].values.get(k) for k in table.fields}) for i in kept]
    kept_values = [{k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
                   for values in kept_values]
    problem = rules.names_problem(table.noun, [v["name"] for v in kept_values])
    if problem:
        refusals.append(Refusal(problem))
    elif table.check is not None:
        refusals += [Refusal(p) for p in table.check(kept_values, [r.name for _, r in removed])]
    if table.in_use is not None:
        for i, record in removed:
            reason = table.in_use(record)
            if reason:
                refusals.append(Refusal(reason, i, "remove"))
    if refusals:
        return refusals
    for _, record in removed:
        db.session.delete(record)
    # Deletes first, so a removed row's name can be taken by another in the same save.
    db.session.flush()
    for position, (i, values) in enumerate(zip(kept, kept_values)):
        record = matched[i] or model()
        for name, value in values.items():
            setattr(record, name, value)
        if hasattr(model, "position"):
            record.position = position
        db.session.add(record)
    db.session.flush()
    return []


def set_review_frequencies(months_by_band_id: dict[int, int]) -> list[Refusal]:
    """How often risks in each band are reviewed (months), band by band; bands not named keep
    theirs. [] when saved (flushed)."""
    bands = {b.id: b for b in db.session.scalars(select(Band))}
    unknown = [band_id for band_id in months_by_band_id if band_id not in bands]
    if unknown:
        return [Refusal(f"There is no band {band_id}", None, "band_id") for band_id in unknown]
    for band_id, months in months_by_band_id.items():
        bands[band_id].review_months = months
    db.session.flush()
    return []


# --- registers ----------------------------------------------------------------------------

def _register_refusals(problems: dict[str, str]) -> list[Refusal]:
    return [Refusal(message, None, name) for name, message in problems.items()]


def _others(register: Register | None) -> list[tuple[str, str]]:
    query = select(Register.name, Register.prefix)
    if register is not None:
        query = query.where(Register.id != register.id)
    return [tuple(row) for row in db.session.execute(query)]


def add_register(name: str, prefix: str) -> tuple[Register | None, list[Refusal]]:
    """A new register (for example the corporate risk register, prefix CRR)."""
    name, prefix = name.strip(), rules.clean_prefix(prefix)
    refusals = _register_refusals(rules.register_problems(name, prefix, _others(None)))
    if refusals:
        return None, refusals
    register = Register(name=name, prefix=prefix)
    db.session.add(register)
    db.session.flush()
    return register, []


def references_given(register: Register) -> bool:
    """Has the register ever given out a reference (a risk in it now, or one that was)?"""
    if register.next_number > 1:
        return True
    former = db.session.scalar(select(func.count(FormerReference.id)).where(
        FormerReference.register_id == register.id))
    current = db.session.scalar(select(func.count(Risk.id))
                                .where(Risk.register_id == register.id))
    return bool(former or current)


def change_register(register: Register, name: str, prefix: str | None = None
                    ) -> list[Refusal]:
    """Rename a register; its prefix changes too only while it has given out no reference."""
    name = name.strip()
    prefix = register.prefix if prefix is None else rules.clean_prefix(prefix)
    refusals = _register_refusals(rules.register_problems(
        name, prefix, _others(register), old_prefix=register.prefix,
        references_given=prefix != register.prefix and references_given(register)))
    if refusals:
        return refusals
    register.name, register.prefix = name, prefix
    db.session.flush()
    return []
