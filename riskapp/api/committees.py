"""/api/v1/committees: committees, terms of reference, members, quoracy check."""
from __future__ import annotations

from datetime import date

from flask import jsonify, request
from flask_login import current_user

from ..auth import permissions
from ..auth.models import User
from ..committees import services
from ..committees.models import Committee, TermsOfReference
from ..committees.services import CommitteeError
from ..committees.views import load_committee
from ..extensions import db
from . import bp
from . import schemas as s
from .common import ApiError, page_envelope
from .described import described, request_body


def require_manager() -> None:
    if not permissions.can_manage_committees(current_user):
        raise ApiError(403, "Only the committee secretariat can change committees and meetings")


def _iso(day):
    return day.isoformat() if day else None


def tor_json(tor: TermsOfReference) -> dict:
    return {
        "id": tor.id, "version": tor.version, "status": tor.status,
        "approved_by": tor.approved_by, "approved_on": _iso(tor.approved_on),
        "review_due": _iso(tor.review_due), "text": tor.text,
        "rules": {
            "positions": [{"name": p.name, "category": p.category, "voting": p.voting,
                           "chair": p.chair, "deputy_chair": p.deputy_chair}
                          for p in tor.positions],
            "quorum": [{"label": r.label, "count": r.count, "positions": r.positions or [],
                        "categories": r.categories or []} for r in tor.requirements],
            "min_voting_members": tor.min_voting_members,
            "deputies_allowed": tor.deputy_policy,
            "majority_base": tor.majority_base,
            "voting_rule": tor.voting_rule,
            "papers_deadline_working_days": tor.papers_deadline_days,
            "attendance_threshold_percent": tor.attendance_threshold_percent,
            "frequency": tor.frequency,
        },
    }


def member_json(m) -> dict:
    return {"id": m.id, "name": m.name, "user_id": m.user_id, "organisation": m.organisation,
            "positions": m.positions or [], "appointed_on": _iso(m.appointed_on),
            "term_ends_on": _iso(m.term_ends_on), "ended_on": _iso(m.ended_on)}


def committee_json(c: Committee, today: date) -> dict:
    """One committee in full: its risks, terms in force, current members and warnings."""
    tor = services.tor_in_force(c)
    risks = [{"ref": r.reference, "title": r.title, "current_score": r.current_score}
             for r in c.risks]
    return {"id": c.id, "name": c.name, "short_name": c.short_name, "kind": c.kind,
            "parent_id": c.parent_id, "terms_in_force": tor.version if tor else None,
            "risks": risks, "risk_count": len(risks),
            "terms_of_reference": tor_json(tor) if tor else None,
            "members": [member_json(m) for m in services.current_members(c, today)],
            "warnings": services.membership_warnings(c, today),
            "effectiveness_review_due": _iso(c.effectiveness_review_due)}


@bp.get("/committees")
def committees_index():
    # The list's rows as plain columns (issue 9: 10 ms loading every committee, member and
    # version as objects). A count of risks, not the risks: every committee's risks made it
    # 850 KB at 5,000 risks; GET /committees/<id> lists them.
    items = [{"id": c.id, "name": c.name, "short_name": c.short_name, "kind": c.kind,
              "parent_id": c.parent_id, "terms_in_force": c.tor_version,
              "risk_count": c.risk_count}
             for c in db.session.execute(services.committee_rows())]
    return jsonify(page_envelope(items, len(items), 1, len(items)))


@bp.get("/committees/<int:committee_id>")
def committee_detail(committee_id: int):
    return jsonify(committee_json(load_committee(committee_id), date.today()))


@bp.get("/committees/<int:committee_id>/terms")
def committee_terms(committee_id: int):
    committee = load_committee(committee_id)
    items = [tor_json(t) for t in reversed(committee.terms)]
    return jsonify(page_envelope(items, len(items), 1, len(items)))


@bp.get("/committees/<int:committee_id>/members")
def committee_members(committee_id: int):
    committee = load_committee(committee_id)
    today = date.today()
    members = committee.members if request.args.get("all") == "1" else \
        services.current_members(committee, today)
    items = [member_json(m) for m in members]
    return jsonify(page_envelope(items, len(items), 1, len(items)))


@bp.post("/committees/<int:committee_id>/members")
@described(body=s.MemberIn, status=201)
def committee_add_member(committee_id: int):
    """Appoint a member: a user, or a person with no login, to one or more positions."""
    require_manager()
    committee = load_committee(committee_id)
    data = dict(request_body())
    if data.get("user_id") is not None and db.session.get(User, data["user_id"]) is None:
        raise ApiError(400, "user_id is not a user", field="user_id")
    try:
        member = services.add_member(committee, data)
    except CommitteeError as err:
        db.session.rollback()
        raise ApiError(422, err.message, field=err.field)
    db.session.commit()
    return jsonify(member_json(member)), 201


@bp.post("/committees/<int:committee_id>/quoracy-check")
@described(body=s.QuoracyCheckIn)
def committee_quoracy_check(committee_id: int):
    """What if these people attend: decide on the rule in force, saving nothing."""
    committee = load_committee(committee_id)
    body = request_body()
    deputies = [(d["for_member"], d["name"].strip()) for d in body["deputies"]]
    try:
        result = services.check_quoracy(committee, body["present"], deputies, body["excluded"],
                                        date.today())
    except CommitteeError as err:
        raise ApiError(422, err.message, field=err.field)
    return jsonify(services.quoracy_json(result))


@bp.get("/committees/<int:committee_id>/attendance-report")
def committee_attendance_report(committee_id: int):
    from ..meetings.services import attendance_report
    from ..rules.scoring import financial_year_of
    committee = load_committee(committee_id)
    fy = request.args.get("fy", type=int) or financial_year_of(date.today())
    lines, threshold = attendance_report(committee, fy)
    items = [{"member_id": x.member.id, "name": x.member.name, "held": x.held,
              "attended": x.attended, "percent": x.percent, "by_deputy": x.by_deputy,
              "apologies": x.apologies,
              "below_threshold": x.percent is not None and x.percent < threshold}
             for x in lines]
    body = page_envelope(items, len(items), 1, len(items))
    body.update({"financial_year": fy, "threshold_percent": threshold})
    return jsonify(body)
