"""The risk manager's settings: bands, appetite levels, registers."""
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..auth import permissions
from ..auth.permissions import require
from ..extensions import db
from ..risks.models import AppetiteLevel, Band, Register, Risk
from . import bp
from .forms import AppetiteForm, BandsForm, RegisterForm


def _page(bands_form=None, appetite_form=None, register_form=None, status=200):
    bands = db.session.scalars(select(Band).order_by(Band.min_score)).all()
    levels = db.session.scalars(select(AppetiteLevel).order_by(AppetiteLevel.max_score)).all()
    if bands_form is None:
        bands_form = BandsForm(formdata=None, data={"bands": [
            dict(name=b.name, min_score=b.min_score, max_score=b.max_score, colour=b.colour,
                 review_months=b.review_months) for b in bands]})
    if appetite_form is None:
        appetite_form = AppetiteForm(formdata=None, data={"levels": [
            dict(name=a.name, max_score=a.max_score) for a in levels]})
    counts = dict(db.session.execute(
        select(Risk.register_id, func.count()).group_by(Risk.register_id)).all())
    registers = db.session.scalars(select(Register).order_by(Register.id)).all()
    from ..assurance.services import rule_rows_in_force, rule_versions
    return render_template("settings/index.html", assurance_rules=rule_rows_in_force(date.today()),
                           assurance_rule_versions=rule_versions(), bands_form=bands_form,
                           appetite_form=appetite_form,
                           register_form=register_form or RegisterForm(formdata=None),
                           registers=registers, counts=counts), status


@bp.route("/")
@login_required
def index():
    require(permissions.can_configure_register(current_user))
    return _page()


@bp.route("/bands", methods=["POST"])
@login_required
def bands():
    require(permissions.can_configure_register(current_user))
    form = BandsForm()
    if request.form.get("add_row"):
        form.bands.append_entry()
        return _page(bands_form=form)
    if form.validate_on_submit():
        existing = {b.name: b for b in db.session.scalars(select(Band))}
        kept = set()
        for row in form.bands.data:
            band = existing.get(row["name"]) or Band(name=row["name"])
            band.min_score, band.max_score = row["min_score"], row["max_score"]
            band.colour, band.review_months = row["colour"].lower(), row["review_months"]
            db.session.add(band)
            kept.add(row["name"])
        for name, band in existing.items():
            if name not in kept:
                db.session.delete(band)
        db.session.commit()
        flash("Bands saved.", "success")
        return redirect(url_for("settings.index"))
    return _page(bands_form=form, status=422)


@bp.route("/appetite", methods=["POST"])
@login_required
def appetite():
    require(permissions.can_configure_register(current_user))
    form = AppetiteForm()
    if request.form.get("add_row"):
        form.levels.append_entry()
        return _page(appetite_form=form)
    if form.validate_on_submit():
        existing = {a.name: a for a in db.session.scalars(select(AppetiteLevel))}
        for row in form.levels.data:
            level = existing.get(row["name"]) or AppetiteLevel(name=row["name"])
            level.max_score = row["max_score"]
            db.session.add(level)
        db.session.commit()
        flash("Appetite levels saved.", "success")
        return redirect(url_for("settings.index"))
    return _page(appetite_form=form, status=422)


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
            return redirect(url_for("settings.index"))
        form.name.errors.append(f"The register {clash.name} ({clash.prefix}) has that name or prefix")
    return _page(register_form=form, status=422)
