"""/api/v1/risks writes (issue 16): what the risk pages do, with the same rights and checks.

Create, edit, close and escalate a risk; its controls, assurances, gaps, actions and progress
notes. Edits carry the `version` the client read, as the pages' forms do, so a save made
from an older copy is refused (409) rather than overwriting someone's work.
"""
from __future__ import annotations

from datetime import date

from flask import jsonify
from flask_login import current_user
from marshmallow import fields, validate, validates_schema, ValidationError

from ..actions import services as action_services
from ..auth import permissions
from ..auth.models import Directorate, User
from ..committees.models import Committee
from ..extensions import db
from ..risks import queries, services
from ..risks.models import (APPETITE_CATEGORIES, EFFECTIVENESS, NOT_YET_ASSESSED, Action,
                            AppetiteLevel, Assurance, Control, Gap, Register, Risk)
from ..risks.services import EscalationRefused, StaleEdit, ordered_bands
from ..rules.actions import STATUSES as ACTION_STATUSES
from . import bp
from .common import ApiError
from .described import Body, described, request_body
from .risks import risk_detail
from .schemas import Bool, Date, Int, OneOf, Str


def Rating(**kwargs):  # noqa: N802
    return Int(validate=validate.Range(1, 5, error="must be 1 to 5"), **kwargs)


class RiskIn(Body):
    """A risk as the new-risk page takes it."""

    register = Str(10, required=True, metadata={"description": "The register's prefix, e.g. BAF"})
    title = Str(300, required=True)
    description = Str(required=True)
    strategic_objective = Str(300, allow_none=True)
    directorate_id = Int(allow_none=True)
    owner_id = Int(required=True)
    lead_id = Int(allow_none=True)
    appetite_category = OneOf(APPETITE_CATEGORIES, allow_none=True)
    appetite_level_id = Int(allow_none=True)
    review_frequency_months = Int(allow_none=True, validate=validate.Range(
        1, 24, error="must be 1 to 24 months"))
    initial_consequence = Rating(required=True)
    initial_likelihood = Rating(required=True)
    current_consequence = Rating(required=True)
    current_likelihood = Rating(required=True)
    target_consequence = Rating(allow_none=True)
    target_likelihood = Rating(allow_none=True)
    target_date = Date(allow_none=True)
    committees = fields.List(Int(), metadata={"description": "Ids of overseeing committees"})
    rationale = Str(5000, allow_none=True, metadata={"description": "Why it is opened"})

    @validates_schema
    def _target_pair(self, data, **kwargs):
        if ("target_consequence" in data or "target_likelihood" in data) and \
                (data.get("target_consequence") is None) != (data.get("target_likelihood") is None):
            raise ValidationError("must be given with the target consequence, or neither",
                                  "target_likelihood")


class RiskUpdateIn(Body):
    """Any of a risk's details (not its current score: that is a review)."""

    version = Int(required=True, metadata={"description": "The version you read"})
    title = Str(300)
    description = Str()
    strategic_objective = Str(300, allow_none=True)
    directorate_id = Int(allow_none=True)
    owner_id = Int()
    lead_id = Int(allow_none=True)
    status = OneOf(("Open", "Closed", "Archived"))
    appetite_category = OneOf(APPETITE_CATEGORIES, allow_none=True)
    appetite_level_id = Int(allow_none=True)
    review_frequency_months = Int(allow_none=True, validate=validate.Range(
        1, 24, error="must be 1 to 24 months"))
    initial_consequence = Rating()
    initial_likelihood = Rating()
    target_consequence = Rating(allow_none=True)
    target_likelihood = Rating(allow_none=True)
    target_date = Date(allow_none=True)
    committees = fields.List(Int())


class CloseIn(Body):
    version = Int(required=True)


class EscalateIn(Body):
    register = Str(10, required=True, metadata={"description": "The prefix of the register "
                                                               "to move it to, e.g. BAF"})
    reason = Str(2000, required=True)
    version = Int(metadata={"description": "The version you read"})


class ControlIn(Body):
    description = Str(required=True)
    owner_id = Int(allow_none=True)
    effectiveness = OneOf(EFFECTIVENESS, load_default=NOT_YET_ASSESSED)
    expected_implementation_date = Date(allow_none=True)
    actual_implementation_date = Date(allow_none=True)


class ControlUpdateIn(ControlIn):
    version = Int(required=True)


class AssuranceIn(Body):
    line = Int(required=True, validate=validate.OneOf((1, 2, 3), error="must be 1, 2 or 3"))
    source = Str(required=True)
    summary = Str(allow_none=True)
    assured_on = Date(allow_none=True)
    positive = Bool(allow_none=True, metadata={"description": "null: not yet judged"})
    valid_until = Date(allow_none=True, metadata={
        "description": "Last day it counts as current; null: from its date and its line's rule"})
    control_ids = fields.List(Int(), metadata={
        "description": "Ids of this risk's controls the assurance covers"})
    answered_by_action_id = Int(allow_none=True, metadata={
        "description": "For a negative assurance: the id of this risk's action answering it"})


class AssuranceUpdateIn(AssuranceIn):
    version = Int(required=True)


class GapIn(Body):
    kind = OneOf(("control", "assurance"), required=True)
    description = Str(required=True)


class ActionIn(Body):
    detail = Str(required=True)
    assignee_id = Int(allow_none=True)
    target_date = Date(allow_none=True)
    status = OneOf(ACTION_STATUSES, load_default="Not Started")
    completed_on = Date(allow_none=True)


class ActionUpdateIn(ActionIn):
    version = Int(required=True)


class ProgressIn(Body):
    note = Str(5000, required=True)
    status = OneOf(ACTION_STATUSES, required=True)
    target_date = Date(allow_none=True)
    version = Int()


# ---------------------------------------------------------------------------------------------


def _risk(ref: str) -> Risk:
    risk = queries.load_risk(ref)
    if risk is None:
        raise ApiError(404, f"No risk has the reference {ref}")
    return risk


def _answer(risk: Risk, status: int = 200):
    db.session.expire_all()
    fresh = queries.load_risk_page(risk.reference)
    return jsonify(risk_detail(fresh, ordered_bands(), date.today())), status


def _exists(model, value, field: str, what: str) -> None:
    if value is not None and db.session.get(model, value) is None:
        raise ApiError(400, f"{field} is not {what}", field=field)


def _check_references(data: dict) -> list[Committee] | None:
    _exists(User, data.get("owner_id"), "owner_id", "a user")
    _exists(User, data.get("lead_id"), "lead_id", "a user")
    _exists(Directorate, data.get("directorate_id"), "directorate_id", "a directorate")
    _exists(AppetiteLevel, data.get("appetite_level_id"), "appetite_level_id",
            "an appetite level")
    if "committees" not in data:
        return None
    found = [db.session.get(Committee, i) for i in data["committees"]]
    if None in found:
        raise ApiError(400, "committees must be the ids of committees", field="committees")
    return found


def _stale(error: StaleEdit):
    db.session.rollback()
    raise ApiError(409, str(error), field="version")


def _register(prefix: str, field: str = "register") -> Register:
    from sqlalchemy import func, select
    register = db.session.scalar(select(Register).where(
        func.upper(Register.prefix) == prefix.strip().upper()))
    if register is None:
        raise ApiError(400, f"No register has the prefix {prefix}", field=field)
    return register


@bp.post("/risks")
@described(body=RiskIn, status=201, errors=(422,))
def risks_create():
    """Open a new risk in a register, with its first score record."""
    if not permissions.can_create_risk(current_user):
        raise ApiError(403, "Only the risk manager opens new risks")
    data = dict(request_body())
    register = _register(data.pop("register"))
    committees = _check_references(data) or []
    data.pop("committees", None)
    risk = services.create_risk(register, data, by=current_user, today=date.today(),
                                committees=committees)
    db.session.commit()
    return _answer(risk, 201)


@bp.patch("/risks/<ref>")
@described(body=RiskUpdateIn, partial=True, errors=(404, 409))
def risks_update(ref: str):
    """Change a risk's details; send the `version` you read."""
    risk = _risk(ref)
    if not permissions.can_edit_risk(current_user, risk):
        raise ApiError(403, "Only the risk's owner, its lead or the risk manager can change it")
    data = dict(request_body())
    if "version" not in data:
        raise ApiError(400, "version is required: the version of the risk you read",
                       field="version")
    manager_only = [f for f in ("owner_id", "lead_id", "status") if f in data]
    if manager_only and not permissions.can_manage_risk_settings(current_user, risk):
        raise ApiError(403, f"Only the risk manager changes {', '.join(manager_only)}",
                       field=manager_only[0])
    pair = ("target_consequence", "target_likelihood")
    if any(f in data for f in pair):
        merged = [data.get(f, getattr(risk, f)) for f in pair]
        if (merged[0] is None) != (merged[1] is None):
            raise ApiError(400, "Give both the target consequence and likelihood, or neither",
                           field="target_likelihood")
    committees = _check_references(data)
    data.pop("committees", None)
    try:
        services.update_risk(risk, data, seen_version=data.pop("version"),
                             committees=committees)
    except StaleEdit as error:
        _stale(error)
    db.session.commit()
    return _answer(risk)


@bp.post("/risks/<ref>/close")
@described(body=CloseIn, errors=(404, 409, 422))
def risks_close(ref: str):
    """Close a risk (the risk manager's decision); its record is kept."""
    risk = _risk(ref)
    if not permissions.can_manage_risk_settings(current_user, risk):
        raise ApiError(403, "Only the risk manager closes risks")
    body = request_body()
    if risk.status != "Open":
        raise ApiError(422, f"{risk.reference} is already {risk.status.lower()}")
    try:
        services.update_risk(risk, {"status": "Closed"}, seen_version=body["version"])
    except StaleEdit as error:
        _stale(error)
    db.session.commit()
    return _answer(risk)


@bp.post("/risks/<ref>/escalate")
@described(body=EscalateIn, errors=(404, 409, 422))
def risks_escalate(ref: str):
    """Escalate or de-escalate a risk to another register: it takes that register's next
    reference, keeps its whole record, and is still found by its former reference."""
    risk = _risk(ref)
    if not permissions.can_escalate_risk(current_user):
        raise ApiError(403, "Only the risk manager moves risks between registers")
    body = request_body()
    register = _register(body["register"])
    try:
        services.move_risk(risk, register, by=current_user, today=date.today(),
                           reason=body["reason"], seen_version=body.get("version"))
    except EscalationRefused as error:
        db.session.rollback()
        raise ApiError(422, error.message, field="register")
    except StaleEdit as error:
        _stale(error)
    db.session.commit()
    return _answer(risk)


def _editable(ref: str) -> Risk:
    risk = _risk(ref)
    if not permissions.can_edit_risk(current_user, risk):
        raise ApiError(403, "Only the risk's owner, its lead or the risk manager can change it")
    return risk


def _child(model, risk: Risk, child_id: int, what: str):
    child = db.session.get(model, child_id)
    if child is None or child.risk_id != risk.id:
        raise ApiError(404, f"{risk.reference} has no {what} {child_id}")
    return child


@bp.post("/risks/<ref>/controls")
@described(body=ControlIn, status=201)
def risks_add_control(ref: str):
    """Add a control (it starts 'Not yet assessed' unless its effectiveness is given)."""
    risk = _editable(ref)
    data = dict(request_body())
    _exists(User, data.get("owner_id"), "owner_id", "a user")
    services.add_control(risk, data)
    db.session.commit()
    return _answer(risk, 201)


@bp.patch("/risks/<ref>/controls/<int:control_id>")
@described(body=ControlUpdateIn, partial=True, errors=(404, 409))
def risks_update_control(ref: str, control_id: int):
    """Change a control; send the `version` you read."""
    risk = _editable(ref)
    control = _child(Control, risk, control_id, "control")
    data = dict(request_body())
    _exists(User, data.get("owner_id"), "owner_id", "a user")
    try:
        services.update_control(control, data, seen_version=data.pop("version", None))
    except StaleEdit as error:
        _stale(error)
    db.session.commit()
    return _answer(risk)


@bp.post("/risks/<ref>/assurances")
@described(body=AssuranceIn, status=201)
def risks_add_assurance(ref: str):
    """Add a source of assurance (1st, 2nd or 3rd line)."""
    risk = _editable(ref)
    data = dict(request_body())
    _check_assurance_links(risk, data)
    services.add_assurance(risk, data)
    db.session.commit()
    return _answer(risk, 201)


def _check_assurance_links(risk, data: dict) -> None:
    """Controls and the answering action must be the risk's own (issue 18)."""
    own_controls = {c.id for c in risk.controls}
    if any(c not in own_controls for c in data.get("control_ids") or ()):
        raise ApiError(400, "control_ids must be ids of this risk's controls", field="control_ids")
    action = data.get("answered_by_action_id")
    if action is not None and action not in {a.id for a in risk.actions}:
        raise ApiError(400, "answered_by_action_id must be the id of one of this risk's actions",
                       field="answered_by_action_id")


@bp.patch("/risks/<ref>/assurances/<int:assurance_id>")
@described(body=AssuranceUpdateIn, partial=True, errors=(404, 409))
def risks_update_assurance(ref: str, assurance_id: int):
    """Change an assurance; send the `version` you read."""
    risk = _editable(ref)
    assurance = _child(Assurance, risk, assurance_id, "assurance")
    data = dict(request_body())
    _check_assurance_links(risk, data)
    try:
        services.update_assurance(assurance, data, seen_version=data.pop("version", None))
    except StaleEdit as error:
        _stale(error)
    db.session.commit()
    return _answer(risk)


@bp.post("/risks/<ref>/gaps")
@described(body=GapIn, status=201)
def risks_add_gap(ref: str):
    """Record a gap in control or in assurance."""
    risk = _editable(ref)
    body = request_body()
    services.add_gap(risk, body["kind"], body["description"])
    db.session.commit()
    return _answer(risk, 201)


@bp.post("/risks/<ref>/gaps/<int:gap_id>/close")
@described(body=Body)
def risks_close_gap(ref: str, gap_id: int):
    """Close a gap (kept, shown as closed)."""
    risk = _editable(ref)
    gap = _child(Gap, risk, gap_id, "gap")
    request_body()
    services.close_gap(gap)
    db.session.commit()
    return _answer(risk)


@bp.post("/risks/<ref>/actions")
@described(body=ActionIn, status=201)
def risks_add_action(ref: str):
    """Add an action to a risk."""
    risk = _editable(ref)
    data = dict(request_body())
    _exists(User, data.get("assignee_id"), "assignee_id", "a user")
    action_services.add_action(risk, data, today=date.today())
    db.session.commit()
    return _answer(risk, 201)


@bp.patch("/risks/<ref>/actions/<int:action_id>")
@described(body=ActionUpdateIn, partial=True, errors=(404, 409))
def risks_update_action(ref: str, action_id: int):
    """Change an action; a moved target date keeps the original and counts the slip."""
    risk = _editable(ref)
    action = _child(Action, risk, action_id, "action")
    data = dict(request_body())
    _exists(User, data.get("assignee_id"), "assignee_id", "a user")
    try:
        action_services.update_action(action, data, seen_version=data.pop("version", None),
                                      today=date.today())
    except StaleEdit as error:
        _stale(error)
    db.session.commit()
    return _answer(risk)


@bp.post("/risks/<ref>/actions/<int:action_id>/progress")
@described(body=ProgressIn, status=201, errors=(404, 409))
def risks_action_progress(ref: str, action_id: int):
    """Add a progress note to an action (its assignee may, as well as those who edit the
    risk), setting its status and perhaps moving its target date."""
    risk = _risk(ref)
    action = _child(Action, risk, action_id, "action")
    if not permissions.can_progress_action(current_user, action):
        raise ApiError(403, "Only the action's assignee or those who edit the risk add progress")
    body = request_body()
    try:
        action_services.record_progress(action, body["note"], body["status"], by=current_user,
                                        today=date.today(), target_date=body.get("target_date"),
                                        seen_version=body.get("version"))
    except StaleEdit as error:
        _stale(error)
    db.session.commit()
    return _answer(risk, 201)
