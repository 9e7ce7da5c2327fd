"""The administrator's pages: users and their roles."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth import permissions, services
from ..auth.models import Directorate, Role, User, UserSession, utcnow
from ..auth.permissions import require
from ..auth.views import _fresh_password
from ..extensions import db
from . import bp
from .forms import InviteForm, ResendInviteForm, UserForm


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


def _access_changes(user: User, form: UserForm) -> dict[str, tuple[str, str]]:
    """The role and access changes `form` makes to `user`: {field: (old, new)}."""
    changes = {}
    if form.role.data != user.role.value:
        changes["role"] = (user.role.value, form.role.data)
    if bool(form.active.data) != bool(user.active):
        changes["active"] = (str(bool(user.active)), str(bool(form.active.data)))
    return changes


def _password_refused(form: UserForm, user: User) -> bool:
    """The password policy for a password an administrator sets, as for one's own."""
    problems = services.check_new_password(user, form.password.data)
    form.password.errors.extend(problems)
    return bool(problems)


def _confirmed(form: UserForm) -> bool:
    """The administrator typed their own password again, and it is right."""
    if not form.current_password.data:
        form.current_password.errors.append(
            "Enter your password to change this person's role or whether they can sign in")
        return False
    return _fresh_password(form)


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
        elif _password_refused(form, User(name=form.name.data.strip(),
                                          email=form.email.data.strip().lower())):
            pass  # the reason is beside "New password", everything typed kept
        else:
            user = User(name=form.name.data.strip(), email=form.email.data.strip().lower(),
                        job_title=form.job_title.data or None,
                        directorate_id=form.directorate_id.data, role=Role(form.role.data),
                        active=form.active.data)
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.flush()
            me = current_user._get_current_object()
            services.record_account_change(user, "role", None, user.role.value, by=me)
            services.record_account_change(user, "active", None, str(user.active), by=me)
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
        access = _access_changes(user, form)
        if _email_taken(form.email.data, user):
            form.email.errors.append("Someone else already has this email address")
        elif form.password.data and _password_refused(form, user):
            pass  # the reason is beside "New password", everything typed kept
        elif access and not _confirmed(form):
            pass  # refused beside "Your password", everything typed kept
        else:
            user.name, user.email = form.name.data.strip(), form.email.data.strip().lower()
            user.job_title = form.job_title.data or None
            user.directorate_id = form.directorate_id.data
            user.role, user.active = Role(form.role.data), form.active.data
            if "active" in access and not user.active:
                # A disabled account is signed out everywhere at once.
                services.end_sessions(user, UserSession.ACCOUNT_DISABLED, utcnow())
            if form.password.data:
                # The same as changing one's own: other sessions end, API tokens revoked.
                services.change_password(user, form.password.data,
                                         by=current_user._get_current_object(), now=utcnow())
            for field, (old, new) in access.items():
                services.record_account_change(user, field, old, new,
                                               by=current_user._get_current_object())
            db.session.commit()
            flash(f"{user.name} saved.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user.html", form=form, user=user,
                           resend_form=ResendInviteForm()), 422 if form.errors else 200


@bp.route("/users/invite", methods=["GET", "POST"])
@login_required
def user_invite():
    """Invite someone by email: the account now, the password theirs to set (72 hours)."""
    from ..auth import invites
    from ..reminders.messages import send_soon
    require(permissions.can_manage_users(current_user))
    form = InviteForm()
    form.directorate_id.choices = [("", "None")] + [
        (d.id, d.name) for d in db.session.scalars(select(Directorate).order_by(Directorate.name))]
    if form.validate_on_submit():
        if _email_taken(form.email.data):
            form.email.errors.append("Someone already has this email address")
        else:
            me = current_user._get_current_object()
            user = User(name=form.name.data.strip(), email=form.email.data.strip().lower(),
                        job_title=form.job_title.data or None,
                        directorate_id=form.directorate_id.data, role=Role(form.role.data),
                        active=True)
            db.session.add(user)
            db.session.flush()
            services.record_account_change(user, "role", None, user.role.value, by=me)
            claim = invites.invite(user, by=me, now=utcnow())
            db.session.commit()
            send_soon(claim)
            flash(f"Invitation sent to {user.email}. The link in it works for 72 hours.",
                  "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/invite.html", form=form), 422 if form.errors else 200


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
@login_required
def user_reinvite(user_id):
    """Send a new invitation (the old link stops working)."""
    from ..auth import invites
    from ..reminders.messages import send_soon
    require(permissions.can_manage_users(current_user))
    user = db.get_or_404(User, user_id)
    if ResendInviteForm().validate_on_submit():
        if not user.active:
            flash(f"{user.name} cannot sign in: tick Active and save first.", "warning")
            return redirect(url_for("admin.user_edit", user_id=user.id))
        claim = invites.invite(user, by=current_user._get_current_object(), now=utcnow())
        db.session.commit()
        send_soon(claim)
        flash(f"A new invitation has been sent to {user.email}. Earlier links no longer work.",
              "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))
