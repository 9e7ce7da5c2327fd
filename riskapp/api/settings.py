"""/api/v1 registers, bands and appetite levels (issue 16): the risk manager's settings.

The same rules as the settings page: register names and prefixes unique (prefix 2 to 6
letters); bands cover every reachable score once (`rules.scoring.bands_problems`), so removing
one is refused if it would leave a risk unbanded; an appetite level a risk uses is not removed.
Bands and levels are sent as the whole list, as the page saves its table.
"""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from marshmallow import fields, validate
from sqlalchemy import func, select

from ..auth import permissions
from ..extensions import db
from ..risks.models import AppetiteLevel, Band, Register, Risk
from ..rules.scoring import Band as RuleBand, bands_problems
from . import bp
from .common import ApiError, page_envelope
from .described import Body, described, request_body
from .schemas import Int, Str


def _require_settings() -> None:
    if not permissions.can_configure_register(current_user):
        raise ApiError(403, "Only the risk manager changes registers, bands and appetite levels")


class RegisterIn(Body):
    name = Str(100, required=True)
    prefix = fields.String(required=True, validate=validate.Regexp(
        r"^\s*[A-Za-z]{2,6}\s*$", error="must be 2 to 6 letters, like CRR"),
        metadata={"description": "References are the prefix and a number: CRR0001"})


class BandIn(Body):
    name = Str(50, required=True)
    min_score = Int(required=True, validate=validate.Range(1, 25, error="must be 1 to 25"))
    max_score = Int(required=True, validate=validate.Range(1, 25, error="must be 1 to 25"))
    colour = fields.String(required=True, validate=validate.Regexp(
        r"^#[0-9a-fA-F]{6}$", error="must be # and six hex digits, like #d5281b"))
    review_months = Int(required=True, validate=validate.Range(1, 24,
                                                               error="must be 1 to 24 months"))


class BandsIn(Body):
    """Every band, lowest first or in any order: bands not listed are removed."""

    bands = fields.List(fields.Nested(BandIn), required=True, validate=validate.Length(
        1, 10, error="must list 1 to 10 bands"))


class LevelIn(Body):
    name = Str(50, required=True)
    max_score = Int(required=True, validate=validate.Range(1, 25, error="must be 1 to 25"))


class LevelsIn(Body):
    """Every appetite level: levels not listed are removed (refused if a risk uses one)."""

    levels = fields.List(fields.Nested(LevelIn), required=True, validate=validate.Length(
        1, 12, error="must list 1 to 12 levels"))


def _register_json(r: Register, count: int) -> dict:
    return {"id": r.id, "name": r.name, "prefix": r.prefix, "next_reference":
            f"{r.prefix}{r.next_number:04d}", "risk_count": count}


def _bands_json() -> dict:
    bands = db.session.scalars(select(Band).order_by(Band.min_score)).all()
    items = [{"id": b.id, "name": b.name, "min_score": b.min_score, "max_score": b.max_score,
              "colour": b.colour, "review_months": b.review_months} for b in bands]
    return page_envelope(items, len(items), 1, len(items))


def _levels_json() -> dict:
    levels = db.session.scalars(select(AppetiteLevel).order_by(AppetiteLevel.max_score)).all()
    items = [{"id": a.id, "name": a.name, "max_score": a.max_score} for a in levels]
    return page_envelope(items, len(items), 1, len(items))


@bp.get("/registers")
def registers_index():
    """The registers, with the next reference each will hand out."""
    counts = dict(db.session.execute(select(Risk.register_id, func.count())
                                     .group_by(Risk.register_id)).all())
    items = [_register_json(r, counts.get(r.id, 0))
             for r in db.session.scalars(select(Register).order_by(Register.id))]
    return jsonify(page_envelope(items, len(items), 1, len(items)))


@bp.post("/registers")
@described(body=RegisterIn, status=201, errors=(422,))
def registers_create():
    """Add a register (for example the corporate risk register, prefix CRR)."""
    _require_settings()
    body = request_body()
    name, prefix = body["name"].strip(), body["prefix"].strip().upper()
    clash = db.session.scalar(select(Register).where(
        (func.lower(Register.name) == name.lower()) | (Register.prefix == prefix)))
    if clash is not None:
        raise ApiError(422, f"The register {clash.name} ({clash.prefix}) has that name or "
                            "prefix", field="name" if clash.name.lower() == name.lower()
                       else "prefix")
    register = Register(name=name, prefix=prefix)
    db.session.add(register)
    db.session.commit()
    return jsonify(_register_json(register, 0)), 201


@bp.get("/bands")
def bands_index():
    """The score bands, lowest first."""
    return jsonify(_bands_json())


@bp.put("/bands")
@described(body=BandsIn, errors=(422,))
def bands_replace():
    """Replace the bands: matched by name, new ones added, those not listed removed."""
    _require_settings()
    rows = request_body()["bands"]
    names = [r["name"].strip().lower() for r in rows]
    if len(set(names)) != len(names):
        raise ApiError(422, "Each band needs a different name", field="bands")
    problems = bands_problems([RuleBand(r["name"].strip(), r["min_score"], r["max_score"])
                               for r in rows])
    if problems:
        raise ApiError(422, "; ".join(problems), field="bands")
    existing = {b.name.strip().lower(): b for b in db.session.scalars(select(Band))}
    for key, band in existing.items():
        if key not in names:
            db.session.delete(band)
    db.session.flush()  # a removed band's name may be taken by a renamed one
    for row in rows:
        band = existing.get(row["name"].strip().lower()) or Band()
        band.name, band.min_score, band.max_score = (row["name"].strip(), row["min_score"],
                                                     row["max_score"])
        band.colour, band.review_months = row["colour"].lower(), row["review_months"]
        db.session.add(band)
    db.session.commit()
    return jsonify(_bands_json())


@bp.get("/appetite-levels")
def appetite_levels_index():
    """The appetite levels and the highest current score each tolerates."""
    return jsonify(_levels_json())


@bp.put("/appetite-levels")
@described(body=LevelsIn, errors=(422,))
def appetite_levels_replace():
    """Replace the appetite levels: matched by name, new ones added, those not listed removed
    (refused for a level a risk uses)."""
    _require_settings()
    rows = request_body()["levels"]
    names = [r["name"].strip().lower() for r in rows]
    if len(set(names)) != len(names):
        raise ApiError(422, "Each level needs a different name", field="levels")
    existing = {a.name.strip().lower(): a for a in db.session.scalars(select(AppetiteLevel))}
    for key, level in existing.items():
        if key in names:
            continue
        used = db.session.scalar(select(func.count(Risk.id))
                                 .where(Risk.appetite_level_id == level.id))
        if used:
            db.session.rollback()
            raise ApiError(422, f"{level.name} cannot be removed: {used} "
                                f"risk{'s have' if used != 1 else ' has'} it as appetite "
                                "level. Choose another level for them first", field="levels")
        db.session.delete(level)
    db.session.flush()
    for row in rows:
        level = existing.get(row["name"].strip().lower()) or AppetiteLevel()
        level.name, level.max_score = row["name"].strip(), row["max_score"]
        db.session.add(level)
    db.session.commit()
    return jsonify(_levels_json())
