"""Sign in and out; how Flask-Login finds the user of a session or an API token."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from ..extensions import db, login_manager
from . import bp
from .forms import LoginForm
from .models import ApiToken, User, utcnow


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    # The session carries "id:nonce"; a password change makes a new nonce, ending old sessions.
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_nonce != nonce:
        return None
    return user


@login_manager.request_loader
def load_user_from_token(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = db.session.scalar(select(ApiToken).where(
        ApiToken.token_hash == ApiToken.hash(header.removeprefix("Bearer ").strip())))
    if token is None or not token.is_valid(utcnow()):
        return None
    g.login_via_token = True
    return token.user


def safe_next(target: str | None) -> str | None:
    """Return `target` only if it is a path of this app (no scheme, no host, no //)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(User.by_email(form.email.data))
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
        # Same message whether or not the account exists.
        form.password.errors.append("The email address or password is not right")
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
