"""Forgotten passwords and invitations: ask for a link, then set a password with it."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..reminders.messages import send_soon
from ..security import limiter
from . import bp, invites, services
from .models import PasswordLink, utcnow
from .forms import ForgotPasswordForm, SetPasswordForm

#: Said whether or not the address has an account, so the page tells nobody which do.
SENT = ("If {email} has a riskapp account, we have sent it an email with a link to reset the "
        "password. The link works for 60 minutes. If nothing arrives in a few minutes, check "
        "your junk folder or ask your administrator.")


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        claim = invites.request_reset(form.email.data, utcnow())
        db.session.commit()
        if claim is not None:
            send_soon(claim)
        return render_template("auth/reset_sent.html", message=SENT.format(
            email=form.email.data.strip()))
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def set_password(token: str):
    """The page a link in an invitation or reset email opens."""
    checked = invites.check(token, utcnow())
    if checked.problem:
        return render_template("auth/link_problem.html", problem=checked.problem,
                               invite=checked.link is not None
                               and checked.link.purpose == PasswordLink.INVITE), 410 \
            if checked.link is not None else 404
    link = checked.link
    form = SetPasswordForm()
    if form.validate_on_submit():
        problems = services.check_new_password(link.user, form.new_password.data)
        if problems:
            form.new_password.errors.extend(problems)
        else:
            invites.use(link, form.new_password.data, utcnow())
            db.session.commit()
            if current_user.is_authenticated:
                from flask_login import logout_user
                logout_user()
            flash("Your password has been set. Sign in with it now.", "success")
            return redirect(url_for("auth.login", email=link.user.email))
    from .oidc import enabled as sso_enabled
    return render_template("auth/set_password.html", form=form, link=link, token=token,
                           sso=sso_enabled(),
                           invite=link.purpose == PasswordLink.INVITE), \
        422 if form.errors else 200


@bp.after_request
def _no_referrer_from_link_pages(response):
    # A link's secret is in the address of its page: send it nowhere else (Referer), and keep
    # the page out of caches.
    if request.endpoint in ("auth.set_password", "auth.sso_start"):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response
