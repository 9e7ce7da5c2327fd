"""Risk register pages: the list, a risk, its edits and reviews."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import exists, select

from ..auth import permissions
from ..record import trail as record_trail
from ..auth.permissions import require
from ..committees.models import Committee
from ..extensions import db
from ..web_args import (as_id as checked_id, as_of_args, date_parts_args, fy_arg, id_arg,
                        page_arg)
from ..record.pages import trail_page
from ..rules import scoring
from . import bp, queries, services
from .charts import trend
from .forms import (ANY_STATUS, AssuranceForm, ControlForm, GapForm, MovementForm, NewRiskForm,
                    RiskFilterForm, RiskForm, ScoreUpdateForm, set_owner_choices,
                    set_risk_choices)
from .models import Assurance, Control, Gap, Register, Risk
from .services import StaleEdit


def load_risk(reference: str) -> Risk:
    return db.one_or_404(queries.risk_by_reference(reference))


def rejected(form) -> int:
    """422 when a submitted form was refused, so tests and clients can tell."""
    return 422 if form.errors else 200


def stale(form, error: StaleEdit) -> None:
    """Put a stale-save refusal at the top of the form, keeping everything typed.

    The form now carries the stored version: having been told, the user may save again on
    purpose, replacing the other person's change with theirs.
    """
    form.form_errors.append(str(error))
    if error.current_version is not None and "version" in form:
        form.version.data = error.current_version


def rule_bands() -> list[scoring.Band]:
    return services.ordered_bands()


def _filters_from(form: RiskFilterForm, bands: list[scoring.Band]) -> queries.RiskFilters:
    def as_id(value):
        return checked_id(value)

    band = next((b for b in bands if b.name == form.band.data), None) if form.band.data else None
    return queries.RiskFilters(
        q=form.q.data or None, register_id=as_id(form.register.data),
        status=None if form.status.data == ANY_STATUS else form.status.data or "Open",
        band=band, owner_id=as_id(form.owner.data),
        lead_id=as_id(form.lead.data), directorate_id=as_id(form.directorate.data),
        committee_id=as_id(form.committee.data), above_appetite=form.above_appetite.data == "1",
        view=form.view.data or "current", consequence=as_id(form.consequence.data),
        likelihood=as_id(form.likelihood.data),
        sort=form.sort.data if form.sort.data in queries.SORTS else "reference")


#: The risk list's heatmap-cell filter (see RiskFilterForm).
POSITION_ARGS = ("view", "consequence", "likelihood")


def filter_form(bands: list[scoring.Band]) -> RiskFilterForm:
    """The list's filters from the query string, their choices read as plain rows."""
    form = RiskFilterForm(date_parts_args(request.args))
    choices = queries.filter_choices()
    form.register.choices = [("", "All registers")] + choices.registers
    form.band.choices = [("", "Any band")] + [(b.name, b.name) for b in reversed(bands)]
    people = dict(zip(("owner", "lead"), queries.person_choices()))
    if any(field.data and field.data not in {value for value, _ in people[field.name]}
           for field in (form.owner, form.lead)):
        # Someone who owns (leads) no risk, from an old bookmark: still a choice, so the
        # filter applies (no risks) rather than being dropped.
        people = dict(zip(("owner", "lead"), (
            queries.ANYONE + choices
            for choices in queries.risk_people(form.owner.data, form.lead.data))))
    # WTForms checks a choice by walking the choices, all 500 people when a filter is unset
    # (issue 9): the owner and lead are checked against the person chosen, if one of them,
    # and given everyone to draw afterwards.
    for field in (form.owner, form.lead):
        field.choices = queries.ANYONE + [c for c in people[field.name][1:] if c[0] == field.data]
    form.directorate.choices = [("", "Any directorate")] + choices.directorates
    form.committee.choices = [("", "Any committee")] + choices.committees
    if not form.validate():
        # Unknown filter values are ignored, never put into SQL; a wrong as-at date is
        # shown beside its boxes, with what was typed.
        for field in form:
            if field.errors and field is not form.as_of:
                field.data, field.errors = "", []
    for field in (form.owner, form.lead):
        field.choices = people[field.name]
    form.status.data = form.status.data or "Open"
    return form


@bp.route("/")
@login_required
def index():
    require(permissions.can_read(current_user))
    bands = rule_bands()
    form = filter_form(bands)
    filters = _filters_from(form, bands)
    page, per_page = page_arg(), current_app.config["RISKS_PER_PAGE"]
    today = date.today()
    as_of = form.as_of.data if form.as_of.data and not form.as_of.errors else None
    as_of = as_of if as_of is not None and as_of < today else None
    args = {k: v for k, v in request.args.items()
            if k != "page" and v and not k.startswith("as_of")}
    later, args_today = 0, dict(args)
    if as_of is not None:
        # The register as riskapp held it at the end of a past day (issue 14).
        args.update(as_of_args(form.as_of))
        pagination, later = queries.list_page_as_at(filters, as_of, bands, page=page,
                                                    per_page=per_page)
    else:
        pagination = queries.paginate_risks(filters, queries.LIST_COLUMNS, page=page,
                                            per_page=per_page)
    everywhere = {k: v for k, v in args.items() if k not in POSITION_ARGS}
    # Only asked when nothing is shown: is that the filters, or a register not yet begun?
    no_risks_yet = not pagination.total and not db.session.scalar(
        select(exists().where(Risk.id.isnot(None))))
    return render_template("risks/list.html", form=form, pagination=pagination,
                           bands=bands, today=as_of or today, args=args, as_of=as_of,
                           recorded_later=later, args_today=args_today,
                           everywhere=everywhere, no_risks_yet=no_risks_yet,
                           can_create=permissions.can_create_risk(current_user)), \
        422 if form.as_of.errors else 200


@bp.route("/mine")
@login_required
def mine():
    today = date.today()
    risks = db.session.execute(queries.risks_for(current_user)).all()
    # Days late of each review due or overdue (0: due today), as the reminder emails count.
    late = {r.reference: days for r in risks
            if (days := scoring.review_days_overdue(r.next_review_date, today)) is not None}
    return render_template("risks/mine.html", risks=risks, bands=rule_bands(),
                           me=current_user.id, late=late)


def _selected_fy(latest_review: date | None, today: date) -> int:
    fy = fy_arg()
    if fy:
        return fy
    return scoring.financial_year_of(latest_review or today)


def assurance_page_map(risk: Risk, today: date, bands: list[scoring.Band]) -> dict:
    """The risk's assurance map: its lines, its controls by line, committee oversight and
    the computed gaps (issue 18)."""
    from ..assurance import services as assurance
    from ..rules import assurance as rules
    rule_list = assurance.rules_in_force(today)
    row = assurance.risk_map(risk, today, rule_list=rule_list, bands=bands)
    return {"amap": row, "amap_lines": rules.LINE_NAMES,
            "amap_controls": rules.control_map(row.facts, today, rule_list)}


@bp.route("/<reference>")
@login_required
def detail(reference):
    risk = queries.load_risk(reference)
    if risk is None:
        abort(404)
    require(permissions.can_read(current_user))
    if risk.reference != reference:  # a former reference, or typed in lower case
        return redirect(url_for("risks.detail", reference=risk.reference, **request.args))
    if request.args.get("as_of"):
        return _detail_as_at(risk, request.args["as_of"])
    today, bands = date.today(), rule_bands()
    first_review, latest_review = queries.review_span(risk.id)
    fy = _selected_fy(latest_review, today)
    queries.fill_risk_page(risk)
    cells = scoring.movement([r.as_point() for r in risk.score_records], fy, today)
    first_fy = scoring.financial_year_of(first_review) if first_review else fy
    trail = record_trail.risk_trail(risk.id)
    return render_template(
        "risks/detail.html", risk=risk, today=today, fy=fy, cells=cells,
        can_edit=permissions.can_edit_risk(current_user, risk),
        can_rescore=permissions.can_rescore(current_user, risk),
        can_add_action=permissions.can_add_action(current_user, risk), permissions=permissions,
        can_move=permissions.can_escalate_risk(current_user),
        fy_label=scoring.financial_year_label(fy),
        fy_choices=range(first_fy, scoring.financial_year_of(today) + 1),
        chart=trend(cells, bands, f"{risk.reference} score at each month end, "
                                  f"{scoring.financial_year_label(fy)}"),
        bands=bands, trail=trail[:TRAIL_ON_PAGE], trail_total=len(trail),
        review_months=services.review_frequency_months(risk, bands),
        review_late=scoring.review_days_overdue(risk.next_review_date, today)
        if risk.status == "Open" else None,
        **assurance_page_map(risk, today, bands))


def _detail_as_at(risk, raw: str):
    """The risk as the register held it at the end of a past day (riskapp.record.as_at)."""
    from ..committees.models import Committee
    from ..record.as_at import risk_as_at
    from ..risks.models import ASSURANCE_LINES
    from ..auth.models import User
    today = date.today()
    try:
        as_of = date.fromisoformat(raw)
    except ValueError:
        as_of, problem = None, "Enter a real date, for example 29/11/2023"
    else:
        problem = "The date must be today or in the past" if as_of > today else None
    held = risk_as_at(risk.reference, as_of) if problem is None else None
    if problem is None and held is None:
        problem = (f"{risk.reference} was not on the register at the end of "
                   f"{as_of.day} {as_of:%b %Y}")
    if problem:
        flash(problem, "error")
        return redirect(url_for("risks.detail", reference=risk.reference))
    bands = rule_bands()
    fy = request.args.get("fy", type=int) or scoring.financial_year_of(
        held.latest_review.recorded_on if held.latest_review else as_of)
    cells = scoring.movement([scoring.ScorePoint(r.recorded_on, r.consequence, r.likelihood)
                              for r in held.reviews], fy, as_of)
    ids = {i for i in (held.risk.owner_id, held.risk.lead_id) if i}
    ids |= {c.owner_id for c in held.controls if c.owner_id}
    ids |= {a.assignee_id for a in held.actions if a.assignee_id}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
    committees = sorted(db.session.scalars(select(Committee.name).where(
        Committee.id.in_(held.committee_ids))))
    return render_template("risks/as_at.html", held=held, risk=held.risk, as_of=as_of,
                           bands=bands, cells=cells, fy_label=scoring.financial_year_label(fy),
                           names=names, committees=committees, lines=ASSURANCE_LINES,
                           register_name=db.session.get(Register, held.risk.register_id).name,
                           reference_now=risk.reference)


#: The latest changes shown on the risk's page; the trail page shows them all, with filters.
TRAIL_ON_PAGE = 20


@bp.route("/<reference>/trail")
@login_required
def trail(reference):
    """Every change to the risk, filtered by who, when, what and the kind of change."""
    risk = queries.load_risk(reference)
    if risk is None:
        abort(404)
    require(permissions.can_read(current_user))
    return trail_page(
        lambda **filters: record_trail.risk_trail(risk.id, **filters),
        record_trail.KINDS, record_trail.CHANGES, caption=f"{risk.reference} {risk.title}",
        back_url=url_for("risks.detail", reference=risk.reference),
        intro="Every change to the risk and to its reviews, controls, gaps, assurances, "
              "actions and committee links")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(permissions.can_create_risk(current_user))
    form = NewRiskForm()
    set_risk_choices(form)
    del form.version
    if form.validate_on_submit():
        register = db.get_or_404(Register, form.register_id.data)
        committees = _committees(form.committee_ids.data)
        risk = services.create_risk(register, form.data, by=current_user, today=date.today(),
                                    committees=committees)
        db.session.commit()
        flash(f"{risk.reference} opened.", "success")
        return redirect(url_for("risks.detail", reference=risk.reference))
    return render_template("risks/edit.html", form=form, risk=None), rejected(form)


def _committees(ids) -> list[Committee]:
    if not ids:
        return []
    return list(db.session.scalars(select(Committee).where(Committee.id.in_(ids))))


@bp.route("/<reference>/edit", methods=["GET", "POST"])
@login_required
def edit(reference):
    risk = load_risk(reference)
    require(permissions.can_edit_risk(current_user, risk))
    form = RiskForm(obj=risk)
    del form.register_id
    if not permissions.can_manage_risk_settings(current_user, risk):
        # Owners and leads describe their risk; who owns it and its status are the risk
        # manager's decisions, so those fields are not even accepted from their form.
        for name in ("owner_id", "lead_id", "status"):
            delattr(form, name)
    set_risk_choices(form)
    if request.method == "GET":
        form.committee_ids.data = [c.id for c in risk.committees]
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k not in ("committee_ids", "version",
                                                                  "csrf_token")}
        try:
            services.update_risk(risk, data, seen_version=form.version.data,
                                 committees=_committees(form.committee_ids.data))
        except StaleEdit as error:
            db.session.rollback()
            stale(form, error)
            return render_template("risks/edit.html", form=form, risk=load_risk(reference)), 409
        db.session.commit()
        flash("Risk saved.", "success")
        return redirect(url_for("risks.detail", reference=risk.reference))
    return render_template("risks/edit.html", form=form, risk=risk), rejected(form)


@bp.route("/<reference>/review", methods=["GET", "POST"])
@login_required
def rescore(reference):
    risk = load_risk(reference)
    if risk.status != "Open" and permissions.can_edit_risk(current_user, risk):
        # An old link or bookmark: say why, rather than a bare "no access".
        how = ("Reopen it first: edit the risk and set its status to Open."
               if permissions.can_manage_risk_settings(current_user, risk)
               else "To review it again, ask the risk manager to reopen it.")
        flash(f"{risk.reference} is {risk.status.lower()}: only open risks are reviewed. {how}",
              "warning")
        return redirect(url_for("risks.detail", reference=risk.reference))
    require(permissions.can_rescore(current_user, risk))
    form = ScoreUpdateForm()
    if request.method == "GET":
        form.consequence.data = risk.current_consequence
        form.likelihood.data = risk.current_likelihood
        form.version.data = risk.version
        form.held_on.data = date.today()
    if form.validate_on_submit():
        try:
            review = services.rescore_risk(
                risk, form.consequence.data, form.likelihood.data, form.rationale.data,
                by=current_user, today=date.today(), seen_version=form.version.data,
                held_on=form.held_on.data, correcting=bool(form.correcting.data))
        except services.ReviewRefused as refused:
            db.session.rollback()
            field = getattr(form, refused.field)
            field.errors = list(field.errors) + [refused.message]
            return render_template("risks/rescore.html", form=form, risk=load_risk(reference),
                                   bands=rule_bands(),
                                   confirm=refused.needs_confirmation), 422
        except StaleEdit as error:
            db.session.rollback()
            stale(form, error)
            return render_template("risks/rescore.html", form=form, risk=load_risk(reference),
                                   bands=rule_bands()), 409
        db.session.commit()
        held = "" if review.recorded_on == date.today() else \
            f" as held on {review.recorded_on.day} {review.recorded_on:%b %Y}"
        correction = " as a correction of the history" if review.corrects_history else ""
        flash(f"Review of {risk.reference} recorded{held}{correction}.", "success")
        return redirect(url_for("risks.detail", reference=risk.reference))
    return render_template("risks/rescore.html", form=form, risk=risk,
                           bands=rule_bands()), rejected(form)


def _control_data(form) -> dict:
    return {k: form.data[k] for k in services.CONTROL_FIELDS}


@bp.route("/<reference>/controls/new", methods=["GET", "POST"])
@login_required
def control_new(reference):
    risk = load_risk(reference)
    require(permissions.can_edit_risk(current_user, risk))
    form = ControlForm()
    set_owner_choices(form.owner_id)
    if form.validate_on_submit():
        services.add_control(risk, _control_data(form))
        db.session.commit()
        flash("Control added.", "success")
        return redirect(url_for("risks.detail", reference=risk.reference, _anchor="controls"))
    return render_template("risks/control.html", form=form, risk=risk,
                           control=None), rejected(form)


@bp.route("/<reference>/controls/<int:control_id>/edit", methods=["GET", "POST"])
@login_required
def control_edit(reference, control_id):
    risk = load_risk(reference)
    control = db.get_or_404(Control, control_id)
    if control.risk_id != risk.id:
        abort(404)
    require(permissions.can_edit_risk(current_user, risk))
    form = ControlForm(obj=control)
    set_owner_choices(form.owner_id)
    if form.validate_on_submit():
        try:
            services.update_control(control, _control_data(form), seen_version=form.version.data)
        except StaleEdit as error:
            db.session.rollback()
            stale(form, error)
            return render_template("risks/control.html", form=form, risk=risk,
                                   control=control), 409
        db.session.commit()
        flash("Control saved.", "success")
        return redirect(url_for("risks.detail", reference=risk.reference, _anchor="controls"))
    return render_template("risks/control.html", form=form, risk=risk,
                           control=control), rejected(form)


def _assurance_data(form) -> dict:
    data = {k: form.data[k] for k in services.ASSURANCE_FIELDS}
    data["positive"] = {"yes": True, "no": False}.get(form.positive.data)
    data["summary"] = data["summary"] or None
    answer = form.answered_by_action_id.data
    data["answered_by_action_id"] = int(answer) if answer and str(answer).isdigit() else None
    data["control_ids"] = form.control_ids.data or []
    return data


def _assurance_choices(form, risk: Risk) -> None:
    """The risk's own controls and actions, the only ones an assurance can name."""
    form.control_ids.choices = [(c.id, c.description) for c in risk.controls]
    form.answered_by_action_id.choices = [("", "None")] + [
        (str(a.id), f"{a.detail} ({a.status})") for a in risk.actions]


@bp.route("/<reference>/assurances/new", methods=["GET", "POST"])
@login_required
def assurance_new(reference):
    risk = load_risk(reference)
    require(permissions.can_edit_risk(current_user, risk))
    form = AssuranceForm()
    _assurance_choices(form, risk)
    if form.validate_on_submit():
        services.add_assurance(risk, _assurance_data(form))
        db.session.commit()
        flash("Assurance added.", "success")
        return redirect(url_for("risks.detail", reference=risk.reference, _anchor="assurances"))
    return render_template("risks/assurance.html", form=form, risk=risk,
                           assurance=None), rejected(form)


@bp.route("/<reference>/assurances/<int:assurance_id>/edit", methods=["GET", "POST"])
@login_required
def assurance_edit(reference, assurance_id):
    risk = load_risk(reference)
    assurance = db.get_or_404(Assurance, assurance_id)
    if assurance.risk_id != risk.id:
        abort(404)
    require(permissions.can_edit_risk(current_user, risk))
    form = AssuranceForm(obj=assurance)
    _assurance_choices(form, risk)
    if request.method == "GET":
        form.positive.data = {True: "yes", False: "no"}.get(assurance.positive, "")
        form.control_ids.data = [c.id for c in assurance.controls]
        form.answered_by_action_id.data = str(assurance.answered_by_action_id or "")
    if form.validate_on_submit():
        try:
            services.update_assurance(assurance, _assurance_data(form),
                                      seen_version=form.version.data)
        except StaleEdit as error:
            db.session.rollback()
            stale(form, error)
            return render_template("risks/assurance.html", form=form, risk=risk,
                                   assurance=assurance), 409
        db.session.commit()
        flash("Assurance saved.", "success")
        return redirect(url_for("risks.detail", reference=risk.reference, _anchor="assurances"))
    return render_template("risks/assurance.html", form=form, risk=risk,
                           assurance=assurance), rejected(form)


@bp.route("/<reference>/gaps/new", methods=["GET", "POST"])
@login_required
def gap_new(reference):
    risk = load_risk(reference)
    require(permissions.can_edit_risk(current_user, risk))
    form = GapForm(kind=request.args.get("kind", "control"))
    if form.validate_on_submit():
        services.add_gap(risk, form.kind.data, form.description.data)
        db.session.commit()
        flash("Gap recorded.", "success")
        return redirect(url_for("risks.detail", reference=risk.reference, _anchor="gaps"))
    return render_template("risks/gap.html", form=form, risk=risk), rejected(form)


@bp.route("/<reference>/gaps/<int:gap_id>/close", methods=["POST"])
@login_required
def gap_close(reference, gap_id):
    risk = load_risk(reference)
    gap = db.get_or_404(Gap, gap_id)
    if gap.risk_id != risk.id:
        abort(404)
    require(permissions.can_edit_risk(current_user, risk))
    services.close_gap(gap)
    db.session.commit()
    flash("Gap closed.", "success")
    return redirect(url_for("risks.detail", reference=risk.reference, _anchor="gaps"))


@bp.route("/movement")
@login_required
def movement():
    """Risk Movement Over Time for a register and financial year."""
    require(permissions.can_read(current_user))
    today = date.today()
    regs = queries.registers()
    register_id = id_arg("register", "The register") or (regs[0].id if regs else None)
    form = MovementForm(date_parts_args(request.args))
    form.validate()
    as_of = form.as_of.data if not form.as_of.errors and form.as_of.data != today else None
    fy = fy_arg() or scoring.financial_year_of(as_of or today)
    args = {"register": register_id, "fy": fy}
    later = 0
    if as_of is not None:
        args.update(as_of_args(form.as_of))
        pagination, rows, later = queries.movement_page_as_at(
            register_id, fy, as_of, page=page_arg(),
            per_page=current_app.config["RISKS_PER_PAGE"])
    else:
        pagination, rows = queries.movement_page(
            register_id, fy, page=page_arg(),
            per_page=current_app.config["RISKS_PER_PAGE"], today=today)
    months = [m.strftime("%b-%y") for m in scoring.financial_year_months(fy)]
    return render_template("risks/movement.html", rows=rows, months=months, fy=fy,
                           pagination=pagination, args=args, form=form, as_of=as_of,
                           recorded_later=later,
                           fy_label=scoring.financial_year_label(fy), registers=regs,
                           register_id=register_id,
                           fy_choices=range(queries.first_review_year(today) - 1,
                                            scoring.financial_year_of(today) + 1)), \
        422 if form.as_of.errors else 200


@bp.route("/<reference>/move", methods=["GET", "POST"])
@login_required
def move(reference):
    """Escalate or de-escalate a risk to another register (issue 16): the risk manager's call."""
    from .forms import MoveRiskForm
    risk = load_risk(reference)
    require(permissions.can_escalate_risk(current_user))
    form = MoveRiskForm(obj=risk if request.method == "GET" else None)
    registers = db.session.scalars(select(Register).order_by(Register.name)).all()
    form.register_id.choices = [(r.id, f"{r.name} ({r.prefix})") for r in registers
                                if r.id != risk.register_id]
    if request.method == "GET":
        form.register_id.data = None
    if form.validate_on_submit():
        register = db.session.get(Register, form.register_id.data)
        old = risk.reference
        try:
            services.move_risk(risk, register, by=current_user, today=date.today(),
                               reason=form.reason.data, seen_version=form.version.data)
        except services.EscalationRefused as error:
            db.session.rollback()
            form.register_id.errors.append(error.message)
            return render_template("risks/move.html", form=form,
                                   risk=load_risk(reference)), 422
        except StaleEdit as error:
            db.session.rollback()
            stale(form, error)
            return render_template("risks/move.html", form=form,
                                   risk=load_risk(reference)), 409
        db.session.commit()
        flash(f"{old} is now {risk.reference} on the {register.name}.", "success")
        return redirect(url_for("risks.detail", reference=risk.reference))
    return render_template("risks/move.html", form=form, risk=risk), rejected(form)
