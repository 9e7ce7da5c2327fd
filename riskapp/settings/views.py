"""Settings: the register's (bands, appetite, registers, directorates) and the organisation's.

The risk manager and the administrator set up the register; only the administrator changes
the organisation's name, logo and how people sign in.
"""
from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from ..auth import permissions
from ..auth.models import Directorate, Role, User, utcnow
from ..auth.permissions import require
from ..extensions import db
from ..risks.models import AppetiteLevel, Band, Register, Risk
from . import bp, organisation
from .forms import (AppetiteForm, BandsForm, NamesForm, OrganisationForm, RegisterForm,
                    SignInForm)
from .models import AppetiteCategory

#: Where a newcomer starts: the NHS bands of most trusts' 5x5 matrix (the NPSA's).
USUAL_BANDS = [dict(name="Low", min_score=1, max_score=3, colour="#007f3b", review_months=12),
               dict(name="Moderate", min_score=4, max_score=6, colour="#ffeb3b", review_months=6),
               dict(name="High", min_score=8, max_score=12, colour="#ed8b00", review_months=3),
               dict(name="Extreme", min_score=15, max_score=25, colour="#d5281b",
                    review_months=1)]
#: The appetite scale the Good Governance Institute's matrix uses, as many NHS boards do.
USUAL_LEVELS = [dict(name="Averse", max_score=3), dict(name="Minimal", max_score=6),
                dict(name="Cautious", max_score=9), dict(name="Open", max_score=12),
                dict(name="Eager", max_score=16)]


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


def _apply_rows(model, rows, fields, *, in_use=None, remove_missing=False):
    """Save a settings table: update rows by id (or, for a row without one, by its name), add
    new ones, delete those marked Remove (and, with `remove_missing`, those not posted at all).

    `in_use(record)` says why a record cannot be removed (None: it can). Returns the messages
    of rows that could not be removed; then nothing is saved.
    """
    existing = {r.id: r for r in db.session.scalars(select(model))}
    by_name = {r.name.strip().lower(): r for r in existing.values()}
    matched = {}
    for row in rows:
        record = existing.get(row.record_id) if row.record_id else \
            by_name.get((row.form.name.data or "").strip().lower())
        matched[id(row)] = record
    removed = [matched[id(row)] for row in rows if row.remove.data and matched[id(row)]]
    if remove_missing:
        posted = {r.id for r in matched.values() if r is not None}
        removed += [r for r in existing.values() if r.id not in posted]
    problems = []
    if in_use is not None:
        for row in rows:
            record = matched[id(row)]
            if row.remove.data and record is not None:
                reason = in_use(record)
                if reason:
                    row.remove.errors.append(reason)
                    problems.append(reason)
    if problems:
        return problems
    for record in removed:
        db.session.delete(record)
    # Deletes first, so a removed row's name can be taken by another in the same save.
    db.session.flush()
    for position, row in enumerate(r for r in rows if not r.remove.data):
        record = matched[id(row)] or model()
        for name in fields:
            value = getattr(row.form, name).data
            setattr(record, name, value.strip() if isinstance(value, str) else value)
        if hasattr(model, "position"):
            record.position = position
        db.session.add(record)
    db.session.flush()
    return []


def _add_row_or_save(form, list_field, page_kwarg, save, message):
    if request.form.get("add_row"):
        getattr(form, list_field).append_entry()
        return _page(**{page_kwarg: form})
    if request.form.get("add_usual") and page_kwarg in ("bands_form", "appetite_form"):
        usual = USUAL_BANDS if page_kwarg == "bands_form" else USUAL_LEVELS
        form = type(form)(formdata=None, data={list_field: usual})
        flash("The usual NHS values are filled in below: check them, then save.", "info")
        return _page(**{page_kwarg: form})
    if form.validate_on_submit():
        problems = save(form)
        if not problems:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("settings.index") + "#" + page_kwarg.removesuffix("_form"))
        db.session.rollback()
    return _page(**{page_kwarg: form, "status": 422})


@bp.route("/bands", methods=["POST"])
@login_required
def bands():
    require(permissions.can_configure_register(current_user))
    form = BandsForm()
    fields = ("name", "min_score", "max_score", "colour", "review_months")

    def save(form):
        for row in form.bands:
            row.form.colour.data = (row.form.colour.data or "").lower()
        return _apply_rows(Band, form.bands, fields, remove_missing=True)
    return _add_row_or_save(form, "bands", "bands_form", save, "Bands saved.")


def _level_in_use(level):
    used = db.session.scalar(select(func.count(Risk.id)).where(Risk.appetite_level_id == level.id))
    if used:
        return (f"{level.name} cannot be removed: {used} risk{'s have' if used != 1 else ' has'}"
                " it as appetite level. Choose another level for them first")
    return None


@bp.route("/appetite", methods=["POST"])
@login_required
def appetite():
    require(permissions.can_configure_register(current_user))
    form = AppetiteForm()
    return _add_row_or_save(
        form, "levels", "appetite_form",
        lambda f: _apply_rows(AppetiteLevel, f.levels, ("name", "max_score"), in_use=_level_in_use),
        "Appetite levels saved.")


@bp.route("/appetite-categories", methods=["POST"])
@login_required
def appetite_categories():
    require(permissions.can_configure_register(current_user))
    form = NamesForm(prefix="categories")
    # A risk keeps its category's name as it was chosen; removing one only takes it off the list.
    return _add_row_or_save(
        form, "rows", "categories_form",
        lambda f: _apply_rows(AppetiteCategory, f.rows, ("name",)),
        "Appetite categories saved.")


def _directorate_in_use(directorate):
    risks = db.session.scalar(select(func.count(Risk.id))
                              .where(Risk.directorate_id == directorate.id))
    people = db.session.scalar(select(func.count(User.id))
                               .where(User.directorate_id == directorate.id))
    if risks or people:
        parts = [f"{risks} risk{'s' if risks != 1 else ''}" if risks else "",
                 f"{people} {'people' if people != 1 else 'person'}" if people else ""]
        return (f"{directorate.name} cannot be removed: it has "
                f"{' and '.join(p for p in parts if p)}. Rename it instead")
    return None


@bp.route("/directorates", methods=["POST"])
@login_required
def directorates():
    require(permissions.can_configure_register(current_user))
    form = NamesForm(prefix="directorates")
    return _add_row_or_save(
        form, "rows", "directorates_form",
        lambda f: _apply_rows(Directorate, f.rows, ("name",), in_use=_directorate_in_use),
        "Directorates saved.")


@bp.route("/registers", methods=["POST"])
@login_required
def registers():
    require(permissions.can_configure_register(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        clash = db.session.scalar(select(Register).where(
            (func.lower(Register.name) == form.name.data.strip().lower())
            | (Register.prefix == form.prefix.data)))
        if clash is None:
            db.session.add(Register(name=form.name.data.strip(), prefix=form.prefix.data))
            db.session.commit()
            flash(f"Register {form.name.data} added.", "success")
            return redirect(url_for("settings.index") + "#registers")
        form.name.errors.append(f"The register {clash.name} ({clash.prefix}) has that name or prefix")
    return _page(register_form=form, status=422)


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
                           sso_configured=bool(current_app.config.get("OIDC_ISSUER"))), status


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
