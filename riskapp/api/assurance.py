"""/api/v1/assurance-map: the register's assurance map, as the page shows it."""
from __future__ import annotations

from datetime import date

from flask import jsonify, request

from ..assurance import services
from ..rules import assurance as rules
from . import bp
from ..web_args import as_id
from .common import ApiError, page_envelope, require_reader
from .described import described, request_query
from .schemas import AssuranceMapQuery


def map_item(row: services.RiskRow) -> dict:
    return {
        "ref": row.ref, "title": row.title, "band": row.band.name if row.band else None,
        "score": row.score,
        "lines": {str(line): row.risk_map.cells[line].state for line in rules.LINES},
        "gaps": [{"rule": g.rule, "text": g.text} for g in row.gaps],
        "recorded_gaps": row.recorded_gaps,
        "committee_oversight": [
            {"committee": o.item.committee, "date": o.item.meeting_day.isoformat(),
             "item": o.item.item, "counts": o.fact is not None, "why_not": o.why_not or None}
            for o in row.committee_items],
    }


@bp.get("/assurance-map")
@described(query=AssuranceMapQuery)
def assurance_map():
    """Each open risk's lines of assurance, computed gaps and committee oversight."""
    require_reader()
    from ..reports.cli import find_register
    args = request_query()
    raw = args["register"].strip()
    if not raw:
        raise ApiError(400, "Give the register, e.g. register=BAF", field="register")
    from ..extensions import db
    from ..risks.models import Register
    register_id = as_id(raw) if raw.isdigit() else None
    register = (db.session.get(Register, register_id) if register_id else None) \
        if raw.isdigit() else find_register(raw)
    if register is None:
        raise ApiError(404, f"There is no register {raw}", field="register")
    today = date.today()
    day = args.get("as_of") or today
    if day > today:
        raise ApiError(400, "as_of must be today or in the past", field="as_of")
    page, per_page = args["page"], args["per_page"]
    result = services.register_map(services.MapFilters(register, day, as_at=day != today),
                                   page, per_page)
    body = page_envelope([map_item(r) for r in result.rows], result.total, page, per_page)
    body["as_of"] = day.isoformat()
    body["register"] = register.prefix
    body["rules"] = [r.label for r in result.rules]
    return jsonify(body)
