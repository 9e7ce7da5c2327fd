"""/api/v1/committees: committees, terms of reference, members, quoracy check."""
from __future__ import annotations

from datetime import date

from flask import jsonify
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
from .described import described, request_body, request_query


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
            "term_ends_on": _iso(m.term_ends_on), "ended_on": _iso(m.ended_on),
            "earlier_terms": [{"starts_on": _iso(t.starts_on), "ends_on": _iso(t.ends_on),
                               "renewed_on": _iso(t.renewed_on)} for t in m.past_terms]}


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
            "effectiveness_review_due": _iso(c.effectiveness_review_due),
            "attendance_threshold_percent": services.attendance_threshold(c, tor),
            "papers_deadline_days": services.papers_deadline_days(c, tor),
            "own_settings": {"attendance_threshold_percent": c.attendance_threshold_percent,
                             "papers_deadline_days": c.papers_deadline_days},
            "dissolved_on": _iso(c.dissolved_on)}


@bp.get("/committees")
def committees_index():
    # The list's rows as plain columns (issue 9: 10 ms loading every committee, member and
    # version as objects). A count of risks, not the risks: every committee's risks made it
    # 850 KB at 5,000 risks; GET /committees/<id> lists them.
    items = [{"id": c.id, "name": c.name, "short_name": c.short_name, "kind": c.kind,
              "parent_id": c.parent_id, "terms_in_force": c.tor_version,
              "risk_count": c.risk_count, "dissolved_on": _iso(c.dissolved_on)}
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
@described(query=s.MembersQuery, errors=(404,))
def committee_members(committee_id: int):
    """The members in post today; `all=1` adds former members."""
    committee = load_committee(committee_id)
    args = request_query()
    today = date.today()
    members = committee.members if args["all"] == "1" else \
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
@described(query=s.FinancialYearQuery, errors=(404,))
def committee_attendance_report(committee_id: int):
    """Each member's attendance over a financial year, against the committee's threshold."""
    from ..meetings.services import as_london, attendance_report, corrections_in_year
    from ..rules.scoring import financial_year_of
    committee = load_committee(committee_id)
    args = request_query()
    fy = args.get("fy") or financial_year_of(date.today())
    lines, threshold = attendance_report(committee, fy)
    items = [{"member_id": x.member.id, "name": x.member.name, "held": x.held,
              "attended": x.attended, "percent": x.percent, "by_deputy": x.by_deputy,
              "apologies": x.apologies,
              "below_threshold": x.percent is not None and x.percent < threshold,
              "attendance_corrected_at": x.corrected,
              "declarations_corrected_at": x.declarations_corrected}
             for x in lines]
    body = page_envelope(items, len(items), 1, len(items))
    body.update({"financial_year": fy, "threshold_percent": threshold,
                 # Corrections to the year's approved minutes: the figures use them.
                 "corrections": [{"meeting_id": c.meeting_id, "record": c.record,
                                  "what": c.what,
                                  "meeting_starts_at": as_london(c.starts_at).isoformat()}
                                 for c in corrections_in_year(committee, fy)]})
    return jsonify(body)


# --- writes of issue 16: committees, terms of reference, members ------------------------------


def _refused(err: CommitteeError):
    db.session.rollback()
    raise ApiError(422, err.message, field=err.field)


def _committee_data(body: dict, committee: Committee | None) -> tuple[dict, list | None]:
    """The whole committee: what was sent over what it has (a PATCH sends only changes)."""
    current = {} if committee is None else {
        "name": committee.name, "short_name": committee.short_name, "kind": committee.kind,
        "parent_id": committee.parent_id,
        "attendance_threshold_percent": committee.attendance_threshold_percent,
        "papers_deadline_days": committee.papers_deadline_days}
    data = {**current, **{k: v for k, v in body.items() if k != "risks"}}
    risks = services.risks_by_reference(body["risks"]) if "risks" in body else None
    return data, risks


@bp.post("/committees")
@described(body=s.CommitteeIn, status=201, errors=(422,))
def committees_create():
    """Create a committee."""
    require_manager()
    body = request_body()
    try:
        data, risks = _committee_data(body, None)
        committee = services.save_committee(None, data, risks)
    except CommitteeError as err:
        _refused(err)
    db.session.commit()
    return jsonify(committee_json(load_committee(committee.id), date.today())), 201


@bp.patch("/committees/<int:committee_id>")
@described(body=s.CommitteeIn, partial=True)
def committees_update(committee_id: int):
    """Change a committee: any of its name, short name, kind, parent, risks and settings."""
    require_manager()
    committee = load_committee(committee_id)
    body = request_body()
    try:
        data, risks = _committee_data(body, committee)
        services.save_committee(committee, data, risks)
    except CommitteeError as err:
        _refused(err)
    db.session.commit()
    return jsonify(committee_json(load_committee(committee_id), date.today()))


@bp.post("/committees/<int:committee_id>/dissolve")
@described(body=s.DissolveIn)
def committees_dissolve(committee_id: int):
    """Dissolve a committee: kept, read-only; refused while meetings are still planned."""
    require_manager()
    committee = load_committee(committee_id)
    body = request_body()
    try:
        services.dissolve_committee(committee, body["dissolved_on"])
    except CommitteeError as err:
        _refused(err)
    db.session.commit()
    return jsonify(committee_json(load_committee(committee_id), date.today()))


def _tor_of(committee: Committee, tor_id: int) -> TermsOfReference:
    tor = next((t for t in committee.terms if t.id == tor_id), None)
    if tor is None:
        raise ApiError(404, f"The committee has no terms of reference {tor_id}")
    return tor


def _tor_answer(committee_id: int, tor_id: int, status: int = 200):
    committee = load_committee(committee_id, risks=False)
    return jsonify(tor_json(_tor_of(committee, tor_id))), status


@bp.post("/committees/<int:committee_id>/terms")
@described(body=s.DraftIn, status=201)
def committee_new_draft(committee_id: int):
    """Start a new draft version: a copy of the text and rules of the version in force."""
    require_manager()
    committee = load_committee(committee_id, risks=False)
    body = request_body()
    try:
        draft = services.create_draft(committee, body["version"].strip())
    except CommitteeError as err:
        _refused(err)
    db.session.commit()
    return _tor_answer(committee_id, draft.id, 201)


@bp.patch("/committees/<int:committee_id>/terms/<int:tor_id>")
@described(body=s.TermsIn, partial=True)
def committee_update_terms(committee_id: int, tor_id: int):
    """Change a draft's text and rules."""
    require_manager()
    committee = load_committee(committee_id, risks=False)
    tor = _tor_of(committee, tor_id)
    data = dict(request_body())
    if "version" in data:
        data["version"] = data["version"].strip()
        if any(t.version == data["version"] and t is not tor for t in committee.terms):
            raise ApiError(422, f"Version {data['version']} already exists", field="version")
    try:
        services.update_tor(tor, data)
    except CommitteeError as err:
        _refused(err)
    db.session.commit()
    return _tor_answer(committee_id, tor_id)


@bp.post("/committees/<int:committee_id>/terms/<int:tor_id>/positions")
@described(body=s.PositionIn, status=201)
def committee_add_position(committee_id: int, tor_id: int):
    """Add a position (a seat the terms name) to a draft."""
    require_manager()
    tor = _tor_of(load_committee(committee_id, risks=False), tor_id)
    data = dict(request_body())
    data["name"] = data["name"].strip()
    try:
        services.add_position(tor, data)
    except CommitteeError as err:
        _refused(err)
    db.session.commit()
    return _tor_answer(committee_id, tor_id, 201)


@bp.delete("/committees/<int:committee_id>/terms/<int:tor_id>/positions/<int:position_id>")
@described()
def committee_remove_position(committee_id: int, tor_id: int, position_id: int):
    """Remove a position from a draft."""
    require_manager()
    tor = _tor_of(load_committee(committee_id, risks=False), tor_id)
    position = next((p for p in tor.positions if p.id == position_id), None)
    if position is None:
        raise ApiError(404, f"Version {tor.version} has no position {position_id}")
    try:
        services.remove_position(tor, position)
    except CommitteeError as err:
        _refused(err)
    db.session.commit()
    return _tor_answer(committee_id, tor_id)


@bp.post("/committees/<int:committee_id>/terms/<int:tor_id>/requirements")
@described(body=s.RequirementIn, status=201)
def committee_add_requirement(committee_id: int, tor_id: int):
    """Add a quorum requirement to a draft: at least `count` people of these positions or
    categories."""
    require_manager()
    tor = _tor_of(load_committee(committee_id, risks=False), tor_id)
    data = dict(request_body())
    data["label"] = data["label"].strip()
    try:
        services.add_requirement(tor, data)
    except CommitteeError as err:
        _refused(err)
    db.session.commit()
    return _tor_answer(committee_id, tor_id, 201)


@bp.delete("/committees/<int:committee_id>/terms/<int:tor_id>/requirements/<int:requirement_id>")
@described()
def committee_remove_requirement(committee_id: int, tor_id: int, requirement_id: int):
    """Remove a quorum requirement from a draft."""
    require_manager()
    tor = _tor_of(load_committee(committee_id, risks=False), tor_id)
    requirement = next((r for r in tor.requirements if r.id == requirement_id), None)
    if requirement is None:
        raise ApiError(404, f"Version {tor.version} has no requirement {requirement_id}")
    try:
        services.remove_requirement(tor, requirement)
    except CommitteeError as err:
        _refused(err)
    db.session.commit()
    return _tor_answer(committee_id, tor_id)


@bp.post("/committees/<int:committee_id>/terms/<int:tor_id>/approve")
@described(body=s.ApproveIn)
def committee_approve_terms(committee_id: int, tor_id: int):
    """Approve a draft: it comes into force and the version in force until now is superseded."""
    require_manager()
    tor = _tor_of(load_committee(committee_id, risks=False), tor_id)
    body = request_body()
    try:
        services.approve_tor(tor, body["approved_by"].strip(), body["approved_on"],
                             body["review_due"])
    except CommitteeError as err:
        _refused(err)
    db.session.commit()
    return _tor_answer(committee_id, tor_id)


def _member_of(committee: Committee, member_id: int):
    member = next((m for m in committee.members if m.id == member_id), None)
    if member is None:
        raise ApiError(404, f"The committee has no member {member_id}")
    return member


@bp.patch("/committees/<int:committee_id>/members/<int:member_id>")
@described(body=s.MemberChangeIn, partial=True)
def committee_change_member(committee_id: int, member_id: int):
    """Change a member's positions or organisation."""
    require_manager()
    member = _member_of(load_committee(committee_id, risks=False), member_id)
    body = request_body()
    try:
        services.change_member(member, body, date.today())
    except CommitteeError as err:
        _refused(err)
    db.session.commit()
    return jsonify(member_json(member))


@bp.post("/committees/<int:committee_id>/members/<int:member_id>/renew")
@described(body=s.RenewIn)
def committee_renew_member(committee_id: int, member_id: int):
    """Renew a member's term to a new end date; the term it replaces is kept."""
    require_manager()
    member = _member_of(load_committee(committee_id, risks=False), member_id)
    body = request_body()
    try:
        services.renew_member(member, body["term_ends_on"], by=current_user, today=date.today())
    except CommitteeError as err:
        _refused(err)
    db.session.commit()
    return jsonify(member_json(member))


@bp.post("/committees/<int:committee_id>/members/<int:member_id>/end")
@described(body=s.EndMemberIn)
def committee_end_member(committee_id: int, member_id: int):
    """End a membership (kept as a past membership); refused for the only chair."""
    require_manager()
    member = _member_of(load_committee(committee_id, risks=False), member_id)
    body = request_body()
    try:
        services.end_member(member, body["ended_on"])
    except CommitteeError as err:
        _refused(err)
    db.session.commit()
    return jsonify(member_json(member))
