"""/api/v1/risks: the register, a risk, its movement over a financial year."""
from __future__ import annotations

from datetime import date
from operator import attrgetter

from sqlalchemy import func, select

from ..auth.models import Directorate
from ..extensions import csrf, db
from ..risks import queries
from ..record.as_at import (RiskAsAt, first_day_held, held_as_at, page_at, register_at,
                             risk_as_at)
from ..risks.models import AppetiteLevel, Register, Risk
from ..risks.services import ReviewRefused, StaleEdit, ordered_bands, rescore_risk
from ..rules import scoring
from . import bp
from ..web_args import MAX_ID, as_id
from . import schemas as s
from .described import described, request_body, request_query
from .common import (ApiError, choice_arg, date_arg, error_response, int_arg, page_envelope,
                     require_reader)

csrf.exempt(bp)  # the global check is off for the API: api/__init__.py checks cookie writes


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return error_response(error)


@bp.before_request
def authenticate():
    from flask import request
    if request.endpoint == "api.openapi":
        return
    require_reader()


def _score(consequence, likelihood, bands) -> dict | None:
    if consequence is None or likelihood is None:
        return None
    score = consequence * likelihood
    band = scoring.band_for(score, bands)
    return {"consequence": consequence, "likelihood": likelihood, "score": score,
            "band": band.name if band else None,
            "text": scoring.format_score(consequence, likelihood, bands)}


def _person(user) -> dict | None:
    return {"id": user.id, "name": user.name} if user else None


def risk_summary(risk: Risk, bands) -> dict:
    return {
        "ref": risk.reference, "title": risk.title, "register": risk.register.name,
        "status": risk.status, "owner": _person(risk.owner), "lead": _person(risk.lead),
        "directorate": risk.directorate.name if risk.directorate else None,
        "initial": _score(risk.initial_consequence, risk.initial_likelihood, bands),
        "current": _score(risk.current_consequence, risk.current_likelihood, bands),
        "target": _score(risk.target_consequence, risk.target_likelihood, bands),
        "above_appetite": risk.is_above_appetite,
        "next_review_date": risk.next_review_date.isoformat() if risk.next_review_date else None,
        "version": risk.version,
    }


def row_summary(row, bands) -> dict:
    """risk_summary of a queries.API_COLUMNS row: the list's items, without Risk objects."""
    return {
        "ref": row.reference, "title": row.title, "register": row.register_name,
        "status": row.status, "owner": {"id": row.owner_id, "name": row.owner_name},
        "lead": {"id": row.lead_id, "name": row.lead_name} if row.lead_id is not None else None,
        "directorate": row.directorate_name,
        "initial": _score(row.initial_consequence, row.initial_likelihood, bands),
        "current": _score(row.current_consequence, row.current_likelihood, bands),
        "target": _score(row.target_consequence, row.target_likelihood, bands),
        "above_appetite": bool(row.above_appetite),
        "next_review_date": row.next_review_date.isoformat() if row.next_review_date else None,
        "version": row.version,
    }


def _iso(day):
    return day.isoformat() if day else None


def risk_detail(risk: Risk, bands, today: date) -> dict:
    body = risk_summary(risk, bands)
    body.update({
        "description": risk.description, "strategic_objective": risk.strategic_objective,
        "appetite": {"category": risk.appetite_category,
                     "level": risk.appetite_level.name if risk.appetite_level else None,
                     "max_score": risk.appetite_level.max_score if risk.appetite_level else None},
        "target_date": _iso(risk.target_date), "opened_on": _iso(risk.opened_on),
        "committees": [c.name for c in risk.committees],
        "controls": [{"id": c.id, "description": c.description, "owner": _person(c.owner),
                      "effectiveness": c.effectiveness,
                      "expected_implementation_date": _iso(c.expected_implementation_date),
                      "actual_implementation_date": _iso(c.actual_implementation_date)}
                     for c in risk.controls],
        "gaps_in_control": [g.description for g in risk.gaps_in("control") if not g.closed],
        "assurances": [{"id": a.id, "line": a.line, "source": a.source, "summary": a.summary,
                        "date": _iso(a.assured_on), "positive": a.positive}
                       for a in risk.assurances],
        "gaps_in_assurance": [g.description for g in risk.gaps_in("assurance") if not g.closed],
        "actions": [{"id": a.id, "detail": a.detail, "assignee": _person(a.assignee),
                     "target_date": _iso(a.target_date),
                     "original_target_date": _iso(a.original_target_date),
                     "target_date_changes": a.target_date_changes, "status": a.status,
                     "completed_on": _iso(a.completed_on), "overdue": a.is_overdue(today),
                     "progress": [{"date": _iso(p.noted_on), "note": p.note}
                                  for p in a.progress_notes]}
                    for a in risk.actions],
        "history": [{"date": _iso(h.recorded_on), "consequence": h.consequence,
                     "likelihood": h.likelihood, "score": h.score, "changed": h.changed,
                     "rationale": h.rationale,
                     "by": h.recorded_by.name if h.recorded_by else None}
                    for h in risk.score_records],
    })
    return body


def _lookup_id(name: str, model, column):
    """Accept an id or a name for a filter; refuse one that matches nothing."""
    from flask import request
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if raw.isdigit():
        if as_id(raw) is None:
            raise ApiError(400, f"{name} must be an id from 1 to {MAX_ID:,} or a name", field=name)
        return int(raw)
    found = db.session.scalar(select(model.id).where(func.lower(column) == raw.lower()))
    if found is None:
        raise ApiError(400, f"No {name} called {raw!r}", field=name)
    return found


@bp.get("/risks")
@described(query=s.RiskListQuery, errors=())
def risks():
    """The register; with `as_of=YYYY-MM-DD`, as riskapp held it at the end of that day."""
    args = request_query()
    as_of = _as_of_arg()
    if as_of is not None:
        return _risks_as_at(as_of)
    from ..auth.models import User
    from ..committees.models import Committee
    bands = ordered_bands()
    band = None
    band_name = args.get("band")
    if band_name:
        band = next((b for b in bands if b.name.lower() == band_name.lower()), None)
        if band is None:
            raise ApiError(400, f"No band called {band_name!r}", field="band")
    filters = queries.RiskFilters(
        q=args.get("q") or None,
        register_id=_lookup_id("register", Register, Register.prefix),
        status=args.get("status"), band=band,
        owner_id=_lookup_id("owner", User, User.email),
        lead_id=_lookup_id("lead", User, User.email),
        directorate_id=_lookup_id("directorate", Directorate, Directorate.name),
        committee_id=_lookup_id("committee", Committee, Committee.name),
        above_appetite=args.get("above_appetite") in ("1", "true"), sort=args["sort"])
    page, per_page = args["page"], args["per_page"]
    # Plain rows, not Risk objects with five relationships: most of the request (issue 9).
    pagination = queries.paginate_risks(filters, queries.API_COLUMNS, page, per_page)
    return page_envelope([row_summary(r, bands) for r in pagination.items], pagination.total,
                         page, per_page)


def _risk_or_404(ref: str) -> Risk:
    risk = queries.load_risk_page(ref)
    if risk is None:
        raise ApiError(404, f"No risk has the reference {ref}")
    return risk


@bp.get("/risks/<ref>")
@described(query=s.AsOfQuery)
def risk(ref):
    """A risk with everything about it; with `as_of`, as held at the end of that day."""
    request_query()
    as_of = _as_of_arg()
    if as_of is not None:
        held = risk_as_at(ref, as_of)
        if held is None:
            raise ApiError(404, f"No risk had the reference {ref} on {as_of:%d %b %Y}")
        return as_at_detail(held, ordered_bands(), _names_of([held]))
    return risk_detail(_risk_or_404(ref), ordered_bands(), date.today())


# --- As at a past day (issue 14) ----------------------------------------------------------------

def _as_of_arg() -> date | None:
    as_of = date_arg("as_of")
    if as_of is not None and as_of > date.today():
        raise ApiError(400, "as_of must be today or in the past", field="as_of")
    return as_of


def _names_of(held) -> dict[int, str]:
    from ..auth.models import User
    ids = {i for r in held for i in (r.risk.owner_id, r.risk.lead_id) if i}
    ids |= {c.owner_id for r in held for c in r.controls if c.owner_id}
    ids |= {a.assignee_id for r in held for a in r.actions if a.assignee_id}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) \
        if ids else {}


def _named(user_id, names) -> dict | None:
    return {"id": user_id, "name": names.get(user_id)} if user_id else None


def as_at_summary(held: RiskAsAt, bands, names, registers, levels) -> dict:
    risk = held.risk
    level = levels.get(risk.appetite_level_id)
    consequence, likelihood = held.current
    return {
        "ref": risk.reference, "title": risk.title, "register": registers.get(risk.register_id),
        "status": risk.status, "owner": _named(risk.owner_id, names),
        "lead": _named(risk.lead_id, names),
        "initial": _score(risk.initial_consequence, risk.initial_likelihood, bands),
        "current": _score(consequence, likelihood, bands),
        "target": _score(risk.target_consequence, risk.target_likelihood, bands),
        "above_appetite": scoring.is_above_appetite(held.current_score,
                                                    level.max_score if level else None),
        "next_review_date": _iso(risk.next_review_date),
        "as_of": held.as_of.isoformat(), "version": risk.version,
        # Recorded in riskapp after `as_of`: shown as first recorded, by its business dates.
        "first_recorded_on": _iso(held.learnt_on),
    }


def as_at_detail(held: RiskAsAt, bands, names) -> dict:
    from ..committees.models import Committee
    registers = dict(db.session.execute(select(Register.id, Register.name)).all())
    levels = {a.id: a for a in db.session.scalars(select(AppetiteLevel))}
    committees = dict(db.session.execute(
        select(Committee.id, Committee.name).where(Committee.id.in_(held.committee_ids))).all())
    body = as_at_summary(held, bands, names, registers, levels)
    risk = held.risk
    body.update({
        "description": risk.description, "opened_on": _iso(risk.opened_on),
        "target_date": _iso(risk.target_date),
        "committees": sorted(committees.get(i, "") for i in held.committee_ids),
        "controls": [{"id": c.id, "description": c.description,
                      "owner": _named(c.owner_id, names), "effectiveness": c.effectiveness,
                      "in_place_from": _iso(c.in_place_from)} for c in held.controls],
        "gaps_in_control": [g.description for g in held.gaps_in("control")],
        "assurances": [{"id": a.id, "line": a.line, "source": a.source, "summary": a.summary,
                        "date": _iso(a.assured_on), "positive": a.positive}
                       for a in held.assurances],
        "gaps_in_assurance": [g.description for g in held.gaps_in("assurance")],
        "actions": [{"id": a.id, "detail": a.detail, "assignee": _named(a.assignee_id, names),
                     "target_date": _iso(a.target_date),
                     "original_target_date": _iso(a.original_target_date),
                     "target_date_changes": a.target_date_changes, "status": a.status,
                     "completed_on": _iso(a.completed_on), "overdue": held.is_overdue(a),
                     "progress": [{"date": _iso(p.noted_on), "note": p.note}
                                  for p in held.progress.get(a.id, ())]}
                    for a in held.actions],
        "history": [{"date": _iso(h.recorded_on), "consequence": h.consequence,
                     "likelihood": h.likelihood, "score": h.score, "changed": h.changed,
                     "rationale": h.rationale, "correction": h.id in held.corrections}
                    for h in held.reviews],
    })
    return body


def _risks_as_at(as_of: date) -> dict:
    """The list as at a day: the same filters, read from the version store."""
    from flask import request
    first = first_day_held()
    if first is None or as_of < first:
        raise ApiError(400, "riskapp holds no register before "
                       f"{first:%d %b %Y}" if first else "riskapp holds no register yet",
                       field="as_of")
    register_id = _lookup_id("register", Register, Register.prefix)
    status = choice_arg("status", ("Open", "Closed", "Archived"))
    page = int_arg("page", 1, minimum=1, maximum=100000)
    per_page = int_arg("per_page", 50, minimum=1, maximum=200)
    # The page in SQL (a count and the page), then the reviews of the page's risks only.
    chosen, total, _ = page_at(
        register_at(register_id, as_of),
        where=[lambda c: c.status == status] if status is not None else [],
        keep=(lambda r: r.status == status) if status is not None else None,
        order=lambda c: (c.reference,), key=attrgetter("reference"),
        start=(page - 1) * per_page, size=per_page)
    bands = ordered_bands()
    shown = held_as_at(chosen, as_of, with_children=False)
    names = _names_of(shown)
    registers = dict(db.session.execute(select(Register.id, Register.name)).all())
    levels = {a.id: a for a in db.session.scalars(select(AppetiteLevel))}
    return page_envelope([as_at_summary(r, bands, names, registers, levels) for r in shown],
                         total, page, per_page)


@bp.post("/risks/<ref>/reviews")
@described(body=s.ReviewIn, status=201, errors=(404, 409))
def risk_reviews(ref):
    """Record a review held on a day: new scores, or `no_change`; 409 if the risk changed
    since the `version` sent."""
    from flask import jsonify
    from flask_login import current_user
    from ..auth import permissions
    risk = _risk_or_404(ref)
    if not permissions.can_rescore(current_user, risk):
        raise ApiError(403, "You do not have permission to review this risk")
    body = request_body()
    no_change = body.get("no_change") is True
    if no_change:
        in_force = [r for r in risk.score_records if r.recorded_on <= body["held_on"]]
        consequence, likelihood = ((in_force[-1].consequence, in_force[-1].likelihood)
                                   if in_force else
                                   (risk.current_consequence, risk.current_likelihood))
    else:
        for name in ("consequence", "likelihood"):
            if body.get(name) is None:
                raise ApiError(400, f"{name} is required (1 to 5), or send no_change: true",
                               field=name)
        consequence, likelihood = body["consequence"], body["likelihood"]
    try:
        review = rescore_risk(risk, consequence, likelihood, body["rationale"],
                              by=current_user, today=date.today(),
                              seen_version=body.get("version"), held_on=body["held_on"],
                              correcting=body.get("correcting") is True)
    except ReviewRefused as refused:
        db.session.rollback()
        raise ApiError(400, refused.message, field=refused.field)
    except StaleEdit as stale:
        db.session.rollback()
        raise ApiError(409, str(stale))
    db.session.commit()
    return jsonify({"ref": risk.reference, "held_on": review.recorded_on.isoformat(),
                    "recorded_at": review.created_at.isoformat(),
                    "consequence": review.consequence, "likelihood": review.likelihood,
                    "score": review.score, "changed": review.changed,
                    "correction": review.corrects_history, "rationale": review.rationale,
                    "by": current_user.name, "risk_version": risk.version}), 201


@bp.get("/risks/<ref>/movement")
@described(query=s.MovementQuery)
def movement(ref):
    """The score in force at each month end of a financial year; `null` before the risk was."""
    risk = _risk_or_404(ref)
    args = request_query()
    today = date.today()
    fy = args.get("fy") or scoring.financial_year_of(today)
    as_of = args.get("as_of") or today
    cells = scoring.movement([h.as_point() for h in risk.score_records], fy, as_of)
    return {"ref": risk.reference, "fy": fy, "label": scoring.financial_year_label(fy),
            "as_of": as_of.isoformat(),
            "months": [{"month": c.month.strftime("%Y-%m"), "score": c.score,
                        "consequence": c.consequence, "likelihood": c.likelihood,
                        "reviewed": c.reviewed} for c in cells]}
