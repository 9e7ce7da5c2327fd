"""Assurance pages: the register's assurance map, and the risk manager's sufficiency rules."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth import permissions
from ..auth.permissions import require
from ..extensions import db
from ..risks.models import Register
from ..rules import assurance as rules
from . import bp, services
from .forms import MapFilterForm, RuleForm, set_band_choices
from .models import AssuranceRule

STATE_CLASSES = {rules.POSITIVE: "app-assurance--positive", rules.EXPIRING: "app-assurance--expiring",
                 rules.NOT_JUDGED: "app-assurance--not-judged",
                 rules.NEGATIVE: "app-assurance--negative",
                 rules.EXPIRED: "app-assurance--expired", rules.MISSING: "app-assurance--missing"}


def registers() -> list[Register]:
    return list(db.session.scalars(select(Register).order_by(Register.id)))


def map_filters(form: MapFilterForm, today: date) -> services.MapFilters | None:
    """The filters as chosen; unknown values (an old bookmark) are ignored. None: no register."""
    regs = registers()
    form.register.choices = [(str(r.id), r.name) for r in regs]
    set_band_choices(form.band, services.band_names(), "Any band")
    form.validate()
    for name in ("register", "band", "line", "state"):
        field = getattr(form, name)
        if field.errors:
            field.data, field.errors = "", []
    chosen = next((r for r in regs if str(r.id) == (form.register.data or "")), None) \
        or (regs[0] if regs else None)
    if chosen is None:
        return None
    form.register.data = str(chosen.id)
    day = form.as_of.data if not form.as_of.errors and form.as_of.data else today
    return services.MapFilters(
        register=chosen, day=day, as_at=day != today, band=form.band.data or None,
        line=int(form.line.data) if form.line.data else None, state=form.state.data or None,
        gaps_only=bool(form.gaps.data))


@bp.route("/map")
@login_required
def map_page():
    require(permissions.can_read(current_user))
    form = MapFilterForm(request.args)
    today = date.today()
    filters = map_filters(form, today)
    if filters is None:
        abort(404)
    if form.as_of.data and form.as_of.data > today:
        form.as_of.errors = ["The date must be today or in the past"]
    if form.as_of.errors:
        filters.day, filters.as_at = today, False
    page = max(1, request.args.get("page", 1, type=int))
    result = services.register_map(filters, page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("assurance/map.html", form=form, result=result, args=args,
                           lines=rules.LINES, line_names=rules.LINE_NAMES,
                           state_classes=STATE_CLASSES, today=today,
                           # a past day's map leads to each risk as it was that day
                           risk_as_of=filters.day.isoformat() if filters.as_at else None), \
        422 if form.as_of.errors else 200


# --- Sufficiency rules (settings) -----------------------------------------------------------


def _rule_form(form: RuleForm) -> RuleForm:
    set_band_choices(form.band, services.band_names())
    return form


def _rule_data(form: RuleForm) -> dict:
    return {"kind": form.kind.data, "band": form.band.data or None,
            "line": int(form.line.data) if form.line.data else None,
            "min_count": form.min_count.data, "months": form.months.data,
            "effective_from": form.effective_from.data, "reason": form.reason.data}


def _field_errors(form: RuleForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        getattr(form, name).errors = [*getattr(form, name).errors, message]


@bp.route("/rules/new", methods=["GET", "POST"])
@login_required
def rule_new():
    require(permissions.can_configure_register(current_user))
    form = _rule_form(RuleForm())
    if form.validate_on_submit():
        try:
            row = services.add_rule(_rule_data(form), by=current_user, today=date.today())
        except services.RuleError as refusal:
            db.session.rollback()
            _field_errors(form, refusal.errors)
        else:
            db.session.commit()
            flash(f"Rule {row.rule_key} added: {row.text}.", "success")
            return redirect(url_for("settings.index", _anchor="assurance-rules"))
    return render_template("assurance/rule.html", form=form, rule=None), \
        422 if form.errors else 200


def _latest(rule_key: int) -> AssuranceRule:
    row = db.session.scalars(select(AssuranceRule).where(AssuranceRule.rule_key == rule_key)
                             .order_by(AssuranceRule.version.desc())).first()
    if row is None:
        abort(404)
    return row


@bp.route("/rules/<int:rule_key>", methods=["GET", "POST"])
@login_required
def rule_edit(rule_key: int):
    require(permissions.can_configure_register(current_user))
    current = _latest(rule_key)
    if request.method == "GET":
        form = _rule_form(RuleForm(formdata=None, data=dict(
            kind=current.kind, band=current.band or "", line=str(current.line or ""),
            min_count=current.min_count, months=current.months)))
    else:
        form = _rule_form(RuleForm())
        form.kind.data = current.kind  # what a rule checks never changes: add another rule
    if request.method == "POST" and form.validate_on_submit():
        retire = "retire" in request.form
        try:
            row = services.change_rule(rule_key, _rule_data(form), by=current_user,
                                       today=date.today(), retire=retire)
        except services.RuleError as refusal:
            db.session.rollback()
            _field_errors(form, refusal.errors)
        else:
            db.session.commit()
            flash(f"Rule {rule_key} withdrawn from {row.effective_from:%-d %B %Y}." if retire
                  else f"Rule {rule_key} changed (version {row.version}): {row.text}.",
                  "success")
            return redirect(url_for("settings.index", _anchor="assurance-rules"))
    versions = db.session.scalars(select(AssuranceRule).where(AssuranceRule.rule_key == rule_key)
                                  .order_by(AssuranceRule.version)).all()
    return render_template("assurance/rule.html", form=form, rule=current, versions=versions), \
        422 if form.errors else 200


@bp.route("/rules/suggested", methods=["POST"])
@login_required
def rules_suggested():
    require(permissions.can_configure_register(current_user))
    added = services.add_suggested_rules(by=current_user, effective_from=date.today())
    db.session.commit()
    flash(f"{len(added)} suggested rule{'s' if len(added) != 1 else ''} added."
          if added else "Rules already exist: nothing was added.", "success")
    return redirect(url_for("settings.index", _anchor="assurance-rules"))
