"""Settings: the register's (bands, appetite, registers, directorates) and the organisation's.

The risk manager and the administrator set up the register; only the administrator changes
the organisation's name, logo and how people sign in.
"""
from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..auth import permissions
from ..auth.models import Directorate, Role, User, utcnow
from ..auth.oidc import trusted_domains
from ..auth.permissions import require
from ..extensions import db
from ..risks.models import AppetiteLevel, Band, Register, Risk
from . import bp, organisation, services
from .forms import (AppetiteForm, BandsForm, NamesForm, OrganisationForm, RegisterForm,
                    SignInForm)
from .models import AppetiteCategory


def _band_rows():
    return [dict(id=b.id, name=b.name, min_score=b.min_score, max_score=b.max_score,
                 colour=b.colour, review_months=b.review_months)
            for b in db.session.scalars(select(Band).order_by(Band.min_score))]


def _page(bands_form=None, appetite_form=None, categories_form=None, directorates_form=None,
          register_form=None, status=200):
    if bands_form is None:
        bands_form = BandsForm(formdata=None, data={"bands": _band_rows()})
    if appetite_form is None:
        appetite_form = AppetiteForm(formdata=None, data={"levels": [
            dict(id=a.id, name=a.name, max_score=a.max_score)
            for a in db.session.scalars(select(AppetiteLevel).order_by(AppetiteLevel.max_score))]})
    if categories_form is None:
        categories_form = NamesForm(formdata=None, prefix="categories", data={"rows": [
            dict(id=c.id, name=c.name) for c in db.session.scalars(
                select(AppetiteCategory).order_by(AppetiteCategory.position,
                                                  AppetiteCategory.name))]})
    if directorates_form is None:
        directorates_form = NamesForm(formdata=None, prefix="directorates", data={"rows": [
            dict(id=d.id, name=d.name)
            for d in db.session.scalars(select(Directorate).order_by(Directorate.name))]})
    counts = dict(db.session.execute(
        select(Risk.register_id, func.count()).group_by(Risk.register_id)).all())
    registers = db.session.scalars(select(Register).order_by(Register.id)).all()
    from ..assurance.services import rule_rows_in_force, rule_versions
    return render_template("settings/index.html", assurance_rules=rule_rows_in_force(date.today()),
                           assurance_rule_versions=rule_versions(), bands_form=bands_form,
                           appetite_form=appetite_form, categories_form=categories_form,
                           directorates_form=directorates_form,
                           register_form=register_form or RegisterForm(formdata=None),
                           registers=registers, counts=counts,
                           no_bands=not db.session.scalar(select(func.count(Band.id))),
                           no_levels=not db.session.scalar(select(func.count(AppetiteLevel.id))),
                           ), status


@bp.route("/")
@login_required
def index():
    require(permissions.can_configure_register(current_user))
    return _page()


def _rows(list_field) -> list[services.Row]:
    """A page table's rows as the service takes them."""
    return [services.Row({name: field.data for name, field in row.form._fields.items()
                          if name not in ("id", "remove", "csrf_token")},
                         id=row.record_id, remove=bool(row.remove.data))
            for row in list_field]


def _show(refusals, list_field) -> None:
    """Put the service's refusals beside the row and field they are about, or above the table."""
    for refusal in refusals:
        if refusal.row is None:
            if not (list_field.errors and isinstance(list_field.errors[0], str)):
                list_field.errors = []
            list_field.errors.append(refusal.message)
            continue
        row = list_field[refusal.row].form
        target = row.remove if refusal.field == "remove" else row.name
        target.errors = [*target.errors, refusal.message]


def _save_table(form, list_field, page_kwarg, table, message, *, remove_missing=False):
    if request.form.get("add_row"):
        getattr(form, list_field).append_entry()
        return _page(**{page_kwarg: form})
    if request.form.get("add_usual") and page_kwarg in ("bands_form", "appetite_form"):
        usual = services.USUAL_BANDS if page_kwarg == "bands_form" else services.USUAL_LEVELS
        form = type(form)(formdata=None, data={list_field: usual})
        flash("The usual NHS values are filled in below: check them, then save.", "info")
        return _page(**{page_kwarg: form})
    if form.validate_on_submit():
        rows = getattr(form, list_field)
        refusals = services.save_table(table, _rows(rows), remove_missing=remove_missing)
        if not refusals:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("settings.index") + "#" + page_kwarg.removesuffix("_form"))
        db.session.rollback()
        _show(refusals, rows)
    return _page(**{page_kwarg: form, "status": 422})


@bp.route("/bands", methods=["POST"])
@login_required
def bands():
    require(permissions.can_configure_register(current_user))
    return _save_table(BandsForm(), "bands", "bands_form", services.BANDS, "Bands saved.",
                       remove_missing=True)


@bp.route("/appetite", methods=["POST"])
@login_required
def appetite():
    require(permissions.can_configure_register(current_user))
    return _save_table(AppetiteForm(), "levels", "appetite_form", services.APPETITE_LEVELS,
                       "Appetite levels saved.")


@bp.route("/appetite-categories", methods=["POST"])
@login_required
def appetite_categories():
    require(permissions.can_configure_register(current_user))
    return _save_table(NamesForm(prefix="categories"), "rows", "categories_form",
                       services.APPETITE_CATEGORIES, "Appetite categories saved.")


@bp.route("/directorates", methods=["POST"])
@login_required
def directorates():
    require(permissions.can_configure_register(current_user))
    return _save_table(NamesForm(prefix="directorates"), "rows", "directorates_form",
                       services.DIRECTORATES, "Directorates saved.")


def _register_refusals(form, refusals) -> None:
    for refusal in refusals:
        field = form.prefix if refusal.field == "prefix" else form.name
        field.errors = [*field.errors, refusal.message]


@bp.route("/registers", methods=["POST"])
@login_required
def registers():
    require(permissions.can_configure_register(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        register, refusals = services.add_register(form.name.data, form.prefix.data)
        if not refusals:
            db.session.commit()
            flash(f"Register {register.name} added.", "success")
            return redirect(url_for("settings.index") + "#registers")
        db.session.rollback()
        _register_refusals(form, refusals)
    return _page(register_form=form, status=422)


@bp.route("/registers/<int:register_id>", methods=["GET", "POST"])
@login_required
def register_edit(register_id):
    require(permissions.can_configure_register(current_user))
    register = db.get_or_404(Register, register_id)
    form = RegisterForm(obj=register)
    fixed = services.references_given(register)
    if fixed:
        del form.prefix  # not shown: its references are made of it
    if form.validate_on_submit():
        refusals = services.change_register(register, form.name.data,
                                            register.prefix if fixed else form.prefix.data)
        if not refusals:
            db.session.commit()
            flash(f"Register {register.name} saved.", "success")
            return redirect(url_for("settings.index") + "#registers")
        db.session.rollback()
        register = db.session.get(Register, register_id)
        _register_refusals(form, refusals)
    return render_template("settings/register.html", register=register, form=form,
                           prefix_fixed=fixed), 422 if form.errors else 200


# --- the organisation ---------------------------------------------------------------------

def _admins():
    return db.session.scalars(select(User).where(User.role == Role.ADMIN, User.active)
                              .order_by(User.name)).all()


def _organisation_page(org_form=None, signin_form=None, status=200):
    org = organisation.get()
    if org_form is None:
        org_form = OrganisationForm(formdata=None, obj=org)
    if signin_form is None:
        signin_form = SignInForm(formdata=None, obj=org, data=None if org else dict(
            passwords_allowed=True, sso_creates_users=False))
    signin_form.break_glass_user_id.choices = [("", "Nobody")] + [(u.id, f"{u.name} ({u.email})")
                                                                  for u in _admins()]
    return render_template("settings/organisation.html", org=org, org_form=org_form,
                           signin_form=signin_form,
                           sso_configured=bool(current_app.config.get("OIDC_ISSUER")),
                           trusted_domains=sorted(trusted_domains())), status


@bp.route("/organisation", methods=["GET", "POST"])
@login_required
def organisation_settings():
    require(permissions.can_manage_organisation(current_user))
    form = OrganisationForm()
    if request.method == "GET":
        return _organisation_page()
    if form.validate_on_submit():
        logo = None
        upload = form.logo.data
        if upload and getattr(upload, "filename", ""):
            try:
                logo = organisation.clean_logo(upload.read(organisation.LOGO_MAX_BYTES + 1))
            except organisation.LogoProblem as problem:
                form.logo.errors.append(str(problem))
        if not form.errors:
            organisation.save(organisation.get_or_new(), name=form.name.data.strip(), logo=logo,
                              remove_logo=bool(form.remove_logo.data), now=utcnow())
            db.session.commit()
            flash("Your organisation's name"
                  + (" and logo" if logo else "") + " saved.", "success")
            return redirect(url_for("settings.organisation_settings"))
    return _organisation_page(org_form=form, status=422)


@bp.route("/sign-in", methods=["POST"])
@login_required
def sign_in_settings():
    require(permissions.can_manage_organisation(current_user))
    form = SignInForm()
    form.break_glass_user_id.choices = [("", "Nobody")] + [(u.id, u.name) for u in _admins()]
    if form.validate_on_submit():
        if not form.passwords_allowed.data and not form.break_glass_user_id.data:
            form.break_glass_user_id.errors.append(
                "Choose a break-glass administrator before switching passwords off, so "
                "someone can still sign in if single sign-on stops working")
        elif not form.passwords_allowed.data and not current_app.config.get("OIDC_ISSUER"):
            form.passwords_allowed.errors.append(
                "Single sign-on is not set up on this server, so passwords cannot be switched "
                "off: ask whoever runs riskapp to set it up first")
        else:
            org = organisation.get_or_new()
            if not org.name:
                org.name = current_app.config.get("ORGANISATION_NAME") or ""
            org.passwords_allowed = bool(form.passwords_allowed.data)
            org.sso_creates_users = bool(form.sso_creates_users.data)
            org.break_glass_user_id = form.break_glass_user_id.data
            db.session.add(org)
            db.session.commit()
            flash("Sign-in settings saved.", "success")
            return redirect(url_for("settings.organisation_settings") + "#sign-in")
    org_form = OrganisationForm(formdata=None, obj=organisation.get())
    return _organisation_page(org_form=org_form, signin_form=form, status=422)


@bp.route("/logo.png")
def logo():
    """The organisation's logo: public, as it is on the sign-in page too."""
    data = organisation.logo()
    if not data:
        abort(404)
    response = Response(data, mimetype="image/png")
    # The header asks with ?v=<when it changed>, so a new logo is a new address.
    response.cache_control.max_age = 86400 if request.args.get("v") else 60
    response.cache_control.public = True
    return response
