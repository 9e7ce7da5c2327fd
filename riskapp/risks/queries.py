"""Statements that load what the risk pages show, each in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..audit.models import AuditEntry
from ..auth.models import User
from ..extensions import db
from .models import (Action, ActionProgress, AppetiteLevel, Band, Control, Register, Risk,
                     ScoreRecord, risk_committees)

SORTS = {
    "reference": (Risk.reference,),
    "score": (Risk.current_score.desc(), Risk.reference),
    "title": (Risk.title, Risk.reference),
    "review": (Risk.next_review_date, Risk.reference),
    "owner": (User.name, Risk.reference),
}


@dataclass
class RiskFilters:
    q: str | None = None
    register_id: int | None = None
    status: str | None = None
    band: Band | None = None
    owner_id: int | None = None
    lead_id: int | None = None
    directorate_id: int | None = None
    committee_id: int | None = None
    above_appetite: bool = False
    #: A heatmap position: "current", "initial" or "target", and its consequence/likelihood.
    view: str = "current"
    consequence: int | None = None
    likelihood: int | None = None
    sort: str = "reference"


def position_columns(view: str):
    """The (consequence, likelihood) columns of the initial, current or target view."""
    if view == "initial":
        return Risk.initial_consequence, Risk.initial_likelihood
    if view == "target":
        return Risk.target_consequence, Risk.target_likelihood
    return Risk.current_consequence, Risk.current_likelihood


def filtered_risks(filters: RiskFilters) -> Select:
    """Risks matching `filters`, with what the list shows loaded in the same round trips."""
    stmt = (select(Risk)
            .join(User, Risk.owner_id == User.id)
            .options(joinedload(Risk.owner), joinedload(Risk.lead), joinedload(Risk.register),
                     joinedload(Risk.appetite_level), joinedload(Risk.directorate)))
    if filters.register_id:
        stmt = stmt.where(Risk.register_id == filters.register_id)
    if filters.status:
        stmt = stmt.where(Risk.status == filters.status)
    if filters.band is not None:
        stmt = stmt.where(Risk.current_score.between(filters.band.min_score,
                                                     filters.band.max_score))
    if filters.owner_id:
        stmt = stmt.where(Risk.owner_id == filters.owner_id)
    if filters.lead_id:
        stmt = stmt.where(Risk.lead_id == filters.lead_id)
    if filters.directorate_id:
        stmt = stmt.where(Risk.directorate_id == filters.directorate_id)
    if filters.committee_id:
        stmt = stmt.where(Risk.id.in_(select(risk_committees.c.risk_id).where(
            risk_committees.c.committee_id == filters.committee_id)))
    if filters.above_appetite:
        stmt = stmt.join(AppetiteLevel, Risk.appetite_level_id == AppetiteLevel.id).where(
            Risk.current_score > AppetiteLevel.max_score)
    if filters.consequence or filters.likelihood:
        consequence, likelihood = position_columns(filters.view)
        if filters.consequence:
            stmt = stmt.where(consequence == filters.consequence)
        if filters.likelihood:
            stmt = stmt.where(likelihood == filters.likelihood)
    if filters.q:
        pattern = f"%{filters.q.strip()}%"
        stmt = stmt.where(or_(Risk.reference.ilike(pattern), Risk.title.ilike(pattern),
                              Risk.description.ilike(pattern)))
    return stmt.order_by(*SORTS.get(filters.sort, SORTS["reference"]))


def risk_by_reference(reference: str) -> Select:
    """One risk with everything its page shows."""
    return (select(Risk).where(Risk.reference == reference.upper())
            .options(joinedload(Risk.owner), joinedload(Risk.lead), joinedload(Risk.register),
                     joinedload(Risk.directorate), joinedload(Risk.appetite_level),
                     selectinload(Risk.score_records).joinedload(ScoreRecord.recorded_by),
                     selectinload(Risk.controls).joinedload(Control.owner),
                     selectinload(Risk.assurances), selectinload(Risk.gaps),
                     selectinload(Risk.committees),
                     selectinload(Risk.actions).options(
                         joinedload(Action.assignee),
                         selectinload(Action.progress_notes).joinedload(ActionProgress.by))))


def audit_trail(risk_id: int) -> Select:
    return (select(AuditEntry).where(AuditEntry.risk_id == risk_id)
            .options(joinedload(AuditEntry.user))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))


def risks_for(user) -> Select:
    """The user's open risks as owner or lead: reviews due first, then by reference."""
    return (select(Risk)
            .where(or_(Risk.owner_id == user.id, Risk.lead_id == user.id), Risk.status == "Open")
            .options(joinedload(Risk.owner), joinedload(Risk.lead), joinedload(Risk.register))
            .order_by(Risk.next_review_date.is_(None), Risk.next_review_date, Risk.reference))


def score_history(risk_ids) -> dict[int, list[ScoreRecord]]:
    """Score records of many risks in one query, by risk id, oldest first."""
    history: dict[int, list[ScoreRecord]] = {rid: [] for rid in risk_ids}
    if not history:
        return history
    stmt = (select(ScoreRecord).where(ScoreRecord.risk_id.in_(list(history)))
            .order_by(ScoreRecord.risk_id, ScoreRecord.recorded_on, ScoreRecord.id))
    for record in db.session.scalars(stmt):
        history[record.risk_id].append(record)
    return history


def registers() -> list[Register]:
    return list(db.session.scalars(select(Register).order_by(Register.id)))


def bands() -> list[Band]:
    return list(db.session.scalars(select(Band).order_by(Band.min_score.desc())))


def active_users() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active).order_by(User.name)))


def risk_people(column, chosen: str | None = None) -> list[tuple[int, str]]:
    """(id, name) of everyone named in `column` (Risk.owner_id or Risk.lead_id) on a risk.

    The risk list's owner and lead filters: at 5,000 risks, listing all 500 users in each
    cost 1,000 options a request (issue 9). Someone who has left still owns their risks, so
    they stay in the list. `chosen` (the id in the request) is kept as a choice even when it
    names nobody's risk, so the filter is applied (no risks) rather than silently dropped.
    """
    named = User.id.in_(select(column).where(column.isnot(None)))
    if chosen and chosen.isdigit() and len(chosen) < 19:  # fits a 64-bit id
        named = named | (User.id == int(chosen))
    who = select(User.id, User.name).where(named).order_by(User.name, User.id)
    return [(row.id, row.name) for row in db.session.execute(who)]


def first_review_year(default: date) -> int:
    # MIN, not ORDER BY: sorting 60,000 records to read one took 380 ms (issue 9).
    first = db.session.scalar(select(func.min(ScoreRecord.recorded_on)))
    return (first or default).year


PERSON_FIELDS = ("owner_id", "lead_id", "assignee_id")


def people_named_in(trail) -> dict[str, str]:
    """Names of the users whose ids appear as values in audit entries, to show names not ids."""
    ids = {int(v) for e in trail if e.field in PERSON_FIELDS
           for v in (e.old_value, e.new_value) if v and v.isdigit()}
    if not ids:
        return {}
    return {str(u.id): u.name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
