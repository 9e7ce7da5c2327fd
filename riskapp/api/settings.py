"""/api/v1 register settings (issue 16): registers, directorates, score bands and their review
frequencies, appetite categories and appetite levels.

The settings pages and these routes save through the same service
(`riskapp.settings.services`) and so refuse the same things for the same reasons: names unique,
bands covering every reachable score once (removing one refused if a score would be left in no
band), an appetite level or a directorate in use not removed, a register's prefix 2 to 6 letters,
unique, and fixed once it has given out a reference. Tables are sent whole, as the page saves
them: a row with an `id` changes that record (so it can be renamed), a row without one is
matched by name or added, and records not sent are removed.
"""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from ..auth import permissions
from ..auth.models import Directorate
from ..extensions import db
from ..risks.models import AppetiteLevel, Band, Register, Risk
from ..settings import services
from ..settings.models import AppetiteCategory
from . import bp
from .common import ApiError, page_envelope
from .described import Body, Page, described, request_body
from .schemas import Int, Str


def _require_settings() -> None:
    if not permissions.can_configure_register(current_user):
        raise ApiError(403, "Only the risk manager or an administrator changes the register's "
                            "settings")


def _refused(refusals, list_name: str | None = None):
    """The service's refusals as one 422: every message, the field of the first."""
    first = refusals[0]
    error = ApiError(422, "; ".join(r.message for r in refusals),
                     field=list_name or first.field or "name")
    if list_name is not None:
        error.errors = {}
        for r in refusals:
            key = list_name if r.row is None else f"{list_name}.{r.row}.{r.field or 'name'}"
            error.errors.setdefault(key, []).append(r.message)
    db.session.rollback()
    return error


def _id(**kwargs):
    return Int(allow_none=True, validate=validate.Range(1, 2**31 - 1, error="must be an id"),
               metadata={"description": "The saved row's id: change it (a rename, say). Leave "
                                        "it out for a new row, or to match the row by name"},
               **kwargs)


# --- schemas ----------------------------------------------------------------------------------

class RegisterIn(Body):
    name = Str(100, required=True)
    prefix = fields.String(required=True, validate=validate.Length(1, 20, error="must be 2 to 6 "
                                                                                  "letters"),
                           metadata={"description": "2 to 6 letters. References are the prefix "
                                                    "and a number: CRR0001"})


class RegisterChangeIn(Body):
    """A new name; a new prefix only while the register has given out no reference."""

    name = Str(100)
    prefix = fields.String(validate=validate.Length(1, 20, error="must be 2 to 6 letters"))


class RegisterOut(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    next_reference = fields.String()
    risk_count = fields.Integer()
    prefix_fixed = fields.Boolean(metadata={"description": "It has given out references, so "
                                                           "its prefix cannot change"})


class RegistersPage(Page):
    items = fields.List(fields.Nested(RegisterOut), required=True)


class BandIn(Body):
    id = _id()
    name = Str(50, required=True)
    min_score = Int(required=True, validate=validate.Range(1, 25, error="must be 1 to 25"))
    max_score = Int(required=True, validate=validate.Range(1, 25, error="must be 1 to 25"))
    colour = fields.String(required=True, validate=validate.Regexp(
        r"^#[0-9a-fA-F]{6}$", error="must be # and six hex digits, like #d5281b"))
    review_months = Int(required=True, validate=validate.Range(
        1, 24, error="must be 1 to 24 months"),
        metadata={"description": "How often a risk in this band is reviewed, unless the risk "
                                 "sets its own"})


class BandsIn(Body):
    """Every band, in any order: bands not listed are removed."""

    bands = fields.List(fields.Nested(BandIn), required=True, validate=validate.Length(
        1, 10, error="must list 1 to 10 bands"))


class BandOut(Schema):
    id = fields.Integer()
    name = fields.String()
    min_score = fields.Integer()
    max_score = fields.Integer()
    colour = fields.String()
    review_months = fields.Integer()


class BandsPage(Page):
    items = fields.List(fields.Nested(BandOut), required=True)


class FrequencyIn(Body):
    band_id = Int(required=True)
    review_months = Int(required=True, validate=validate.Range(
        1, 24, error="must be 1 to 24 months"))


class FrequenciesIn(Body):
    """The review frequency of some or all bands: bands not listed keep theirs."""

    frequencies = fields.List(fields.Nested(FrequencyIn), required=True, validate=validate.Length(
        1, 10, error="must list 1 to 10 bands"))


class FrequencyOut(Schema):
    band_id = fields.Integer()
    band = fields.String()
    min_score = fields.Integer()
    max_score = fields.Integer()
    review_months = fields.Integer()


class FrequenciesPage(Page):
    items = fields.List(fields.Nested(FrequencyOut), required=True)


class LevelIn(Body):
    id = _id()
    name = Str(50, required=True)
    max_score = Int(required=True, validate=validate.Range(1, 25, error="must be 1 to 25"),
                    metadata={"description": "The highest current score this level tolerates"})


class LevelsIn(Body):
    """Every appetite level: levels not listed are removed (refused if a risk has one)."""

    levels = fields.List(fields.Nested(LevelIn), required=True, validate=validate.Length(
        1, 12, error="must list 1 to 12 levels"))


class LevelOut(Schema):
    id = fields.Integer()
    name = fields.String()
    max_score = fields.Integer()


class LevelsPage(Page):
    items = fields.List(fields.Nested(LevelOut), required=True)


class CategoryIn(Body):
    id = _id()
    name = Str(50, required=True)


class CategoriesIn(Body):
    """Every appetite category, in the order the risk form offers them: those not listed are
    taken off the list (risks keep the category they have)."""

    categories = fields.List(fields.Nested(CategoryIn), required=True, validate=validate.Length(
        0, 60, error="must list at most 60 categories"))


class DirectorateIn(Body):
    id = _id()
    name = Str(200, required=True)


class DirectoratesIn(Body):
    """Every directorate: those not listed are removed (refused while people or risks are in
    one: rename it instead)."""

    directorates = fields.List(fields.Nested(DirectorateIn), required=True,
                               validate=validate.Length(0, 60, error="must list at most 60 "
                                                                     "directorates"))


class NamedOut(Schema):
    id = fields.Integer()
    name = fields.String()


class NamesPage(Page):
    items = fields.List(fields.Nested(NamedOut), required=True)


# --- reading ----------------------------------------------------------------------------------

def _listed(items: list) -> dict:
    return page_envelope(items, len(items), 1, len(items))


def _register_json(r: Register, count: int) -> dict:
    return {"id": r.id, "name": r.name, "prefix": r.prefix, "next_reference":
            f"{r.prefix}{r.next_number:04d}", "risk_count": count,
            "prefix_fixed": services.references_given(r)}


def _bands() -> list[Band]:
    return db.session.scalars(select(Band).order_by(Band.min_score)).all()


def _bands_json() -> dict:
    return _listed([{"id": b.id, "name": b.name, "min_score": b.min_score,
                     "max_score": b.max_score, "colour": b.colour,
                     "review_months": b.review_months} for b in _bands()])


def _frequencies_json() -> dict:
    return _listed([{"band_id": b.id, "band": b.name, "min_score": b.min_score,
                     "max_score": b.max_score, "review_months": b.review_months}
                    for b in _bands()])


def _levels_json() -> dict:
    levels = db.session.scalars(select(AppetiteLevel).order_by(AppetiteLevel.max_score)).all()
    return _listed([{"id": a.id, "name": a.name, "max_score": a.max_score} for a in levels])


def _categories_json() -> dict:
    categories = db.session.scalars(select(AppetiteCategory).order_by(
        AppetiteCategory.position, AppetiteCategory.name)).all()
    return _listed([{"id": c.id, "name": c.name} for c in categories])


def _directorates_json() -> dict:
    directorates = db.session.scalars(select(Directorate).order_by(Directorate.name)).all()
    return _listed([{"id": d.id, "name": d.name} for d in directorates])


def _save(table, list_name: str, rows: list[dict]):
    refusals = services.save_table(table, [
        services.Row({k: v for k, v in row.items() if k != "id"}, id=row.get("id"))
        for row in rows], remove_missing=True)
    if refusals:
        raise _refused(refusals, list_name)
    db.session.commit()


# --- registers --------------------------------------------------------------------------------

def _register_counts() -> dict[int, int]:
    return dict(db.session.execute(select(Risk.register_id, func.count())
                                   .group_by(Risk.register_id)).all())


@bp.get("/registers")
@described(response=RegistersPage, errors=())
def registers_index():
    """The registers, with the next reference each will hand out."""
    counts = _register_counts()
    items = [_register_json(r, counts.get(r.id, 0))
             for r in db.session.scalars(select(Register).order_by(Register.id))]
    return jsonify(_listed(items))


@bp.post("/registers")
@described(body=RegisterIn, response=RegisterOut, status=201, errors=(422,))
def registers_create():
    """Add a register (for example the corporate risk register, prefix CRR)."""
    _require_settings()
    body = request_body()
    register, refusals = services.add_register(body["name"], body["prefix"])
    if refusals:
        raise _refused(refusals)
    db.session.commit()
    return jsonify(_register_json(register, 0)), 201


@bp.patch("/registers/<int:register_id>")
@described(body=RegisterChangeIn, response=RegisterOut, errors=(404, 422))
def registers_update(register_id: int):
    """Rename a register, or change its prefix while it has given out no reference."""
    _require_settings()
    register = db.session.get(Register, register_id)
    if register is None:
        raise ApiError(404, "No such register")
    body = request_body()
    refusals = services.change_register(register, body.get("name", register.name),
                                        body.get("prefix"))
    if refusals:
        raise _refused(refusals)
    db.session.commit()
    return jsonify(_register_json(register, _register_counts().get(register.id, 0)))


# --- tables -----------------------------------------------------------------------------------

@bp.get("/bands")
@described(response=BandsPage, errors=())
def bands_index():
    """The score bands, lowest first, with how often their risks are reviewed."""
    return jsonify(_bands_json())


@bp.put("/bands")
@described(body=BandsIn, response=BandsPage, errors=(422,))
def bands_replace():
    """Replace the bands: rows with an id change that band, others are matched by name or
    added, bands not listed are removed (refused if a score would be left in no band)."""
    _require_settings()
    _save(services.BANDS, "bands", request_body()["bands"])
    return jsonify(_bands_json())


@bp.get("/review-frequencies")
@described(response=FrequenciesPage, errors=())
def review_frequencies_index():
    """How often risks in each band are reviewed, in months, unless a risk sets its own."""
    return jsonify(_frequencies_json())


@bp.put("/review-frequencies")
@described(body=FrequenciesIn, response=FrequenciesPage, errors=(422,))
def review_frequencies_replace():
    """Set how often risks in the listed bands are reviewed; bands not listed keep theirs."""
    _require_settings()
    rows = request_body()["frequencies"]
    refusals = services.set_review_frequencies({r["band_id"]: r["review_months"] for r in rows})
    if refusals:
        raise _refused(refusals, "frequencies")
    db.session.commit()
    return jsonify(_frequencies_json())


@bp.get("/appetite-levels")
@described(response=LevelsPage, errors=())
def appetite_levels_index():
    """The appetite levels and the highest current score each tolerates."""
    return jsonify(_levels_json())


@bp.put("/appetite-levels")
@described(body=LevelsIn, response=LevelsPage, errors=(422,))
def appetite_levels_replace():
    """Replace the appetite levels: rows with an id change that level (a rename, say), levels
    not listed are removed (refused for a level a risk has)."""
    _require_settings()
    _save(services.APPETITE_LEVELS, "levels", request_body()["levels"])
    return jsonify(_levels_json())


@bp.get("/appetite-categories")
@described(response=NamesPage, errors=())
def appetite_categories_index():
    """The risk appetite categories, in the order the risk form offers them."""
    return jsonify(_categories_json())


@bp.put("/appetite-categories")
@described(body=CategoriesIn, response=NamesPage, errors=(422,))
def appetite_categories_replace():
    """Replace the appetite categories; risks keep the category they have."""
    _require_settings()
    _save(services.APPETITE_CATEGORIES, "categories", request_body()["categories"])
    return jsonify(_categories_json())


@bp.get("/directorates")
@described(response=NamesPage, errors=())
def directorates_index():
    """The directorates, by name."""
    return jsonify(_directorates_json())


@bp.put("/directorates")
@described(body=DirectoratesIn, response=NamesPage, errors=(422,))
def directorates_replace():
    """Replace the directorates: rows with an id rename it; directorates not listed are removed
    (refused while people or risks are in one)."""
    _require_settings()
    _save(services.DIRECTORATES, "directorates", request_body()["directorates"])
    return jsonify(_directorates_json())
