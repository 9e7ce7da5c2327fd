"""The administrator's pages: users and their roles."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth import permissions
from ..auth.models import Directorate, Role, User
from ..auth.permissions import require
from ..extensions import db
from . import bp
from .forms import UserForm


def _form(user=None) -> UserForm:
    form = UserForm(obj=user)
    if user is not None and not form.is_submitted():
        form.role.data = user.role.value
    form.directorate_id.choices = [("", "None")] + [
        (d.id, d.name) for d in db.session.scalars(select(Directorate).order_by(Directorate.name))]
    return form


def _email_taken(email: str, user=None) -> bool:
    other = db.session.scalar(User.by_email(email))
    return other is not None and other is not user


@bp.route("/users")
@login_required
def users():
    require(permissions.can_manage_users(current_user))
    people = db.session.scalars(select(User).options(joinedload(User.directorate))
                                .order_by(User.name)).all()
    return render_template("admin/users.html", users=people)


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def user_new():
    require(permissions.can_manage_users(current_user))
    form = _form()
    if form.validate_on_submit():
        if _email_taken(form.email.data):
            form.email.errors.append("Someone already has this email address")
        elif not form.password.data:
            form.password.errors.append("Enter a password for the new user")
        else:
            user = User(name=form.name.data.strip(), email=form.email.data.strip().lower(),
                        job_title=form.job_title.data or None,
                        directorate_id=form.directorate_id.data, role=Role(form.role.data),
                        active=form.active.data)
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.commit()
            flash(f"{user.name} can now sign in.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user.html", form=form, user=None), 422 if form.errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def user_edit(user_id):
    require(permissions.can_manage_users(current_user))
    user = db.get_or_404(User, user_id)
    form = _form(user)
    if form.validate_on_submit():
        if _email_taken(form.email.data, user):
            form.email.errors.append("Someone else already has this email address")
        else:
            user.name, user.email = form.name.data.strip(), form.email.data.strip().lower()
            user.job_title = form.job_title.data or None
            user.directorate_id = form.directorate_id.data
            user.role, user.active = Role(form.role.data), form.active.data
            if form.password.data:
                user.set_password(form.password.data)
            db.session.commit()
            flash(f"{user.name} saved.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user.html", form=form, user=user), 422 if form.errors else 200
