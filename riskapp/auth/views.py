"""Sign in and out; how Flask-Login finds the user of a session or an API token."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from ..extensions import db, login_manager
from ..rules.login_throttle import minutes_left
from ..security import limiter
from ..words import plural
from . import bp, services
from .forms import ConfirmPasswordForm, LoginForm, PasswordChangeForm, RevokeTokenForm
from .models import ApiToken, User, UserSession, utcnow
from ..settings.organisation import passwords_allowed_for

#: One message for a wrong password, an unknown address and an inactive account (ASVS 2.2.1).
WRONG = "The email address or password is not right"
#: The cookie's key of the server-side session (riskapp.auth.models.UserSession).
SESSION_KEY = "sid"


def sign_in(user: User) -> None:
    """Start a new session for `user` in this browser: a fresh cookie, a new row on the server.
    The caller commits."""
    session.clear()  # nothing from before sign-in is carried into the new session
    key = services.start_session(user)
    login_user(user)
    session[SESSION_KEY] = key
    session.permanent = True  # expires after SESSION_IDLE_MINUTES without a request


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    # The session carries "id:nonce"; a password change makes a new nonce, ending old sessions.
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit():
        return None
    # The session must also be live on the server: signing out, a new password or a disabled
    # account end it there, and it ends after the idle time or the longest lifetime.
    config = current_app.config
    return services.user_with_live_session(
        int(user_id), nonce, session.get(SESSION_KEY), utcnow(),
        idle=config["PERMANENT_SESSION_LIFETIME"], longest=config["SESSION_LONGEST"])


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
            or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None  # a control character (CR, LF) would split the Location header
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET" and request.args.get("email"):
        form.email.data = request.args["email"][:254]  # from "your password has been set"
    if form.validate_on_submit():
        now = utcnow()
        until = services.locked_until(form.email.data, now)
        user = db.session.scalar(User.by_email(form.email.data))
        if until is not None:
            # Said for every address alike, so it does not tell whether an account exists.
            form.password.errors.append(
                f"Too many failed attempts. Wait {minutes_left(until, now)} minutes and try again")
        elif (matched := services.password_matches(user, form.password.data)) \
                and not passwords_allowed_for(user):
            form.password.errors.append(
                "Passwords are switched off: sign in with your organisation account")
        elif matched:
            services.record_login(user, request.remote_addr)
            sign_in(user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
        else:
            services.record_failed_login(form.email.data, user, now, request.remote_addr)
            db.session.commit()
            form.password.errors.append(WRONG)
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # Ended on the server too: a copy of the cookie taken before is no good afterwards.
    services.end_session(session.get(SESSION_KEY), UserSession.SIGNED_OUT, utcnow())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


def _fresh_password(form) -> bool:
    """Check the current password typed in `form`; a wrong one counts as a failed sign-in."""
    now = utcnow()
    until = services.locked_until(current_user.email, now)
    if until is not None:
        form.current_password.errors.append(
            f"Too many failed attempts. Wait {minutes_left(until, now)} minutes and try again")
        return False
    if not current_user.check_password(form.current_password.data):
        services.record_failed_login(current_user.email, current_user, now, request.remote_addr)
        db.session.commit()
        form.current_password.errors.append("Your current password is not right")
        return False
    return True


@bp.route("/account")
@login_required
def account():
    """Your account: who the app knows you as, your password and your API tokens."""
    return render_template("auth/account.html", user=current_user,
                           tokens=services.tokens_of(current_user), now=utcnow())


@bp.route("/api")
@login_required
def api():
    """The API, for whoever connects another system: where its description is and how to get
    a token (issue 16)."""
    return render_template("auth/api.html",
                           base_url=current_app.config["BASE_URL"].rstrip("/"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change your own password: every other session and every API token ends."""
    form = PasswordChangeForm()
    if form.validate_on_submit() and _fresh_password(form):
        problems = services.check_new_password(current_user, form.new_password.data)
        if problems:
            form.new_password.errors.extend(problems)
        else:
            user = current_user._get_current_object()
            revoked = services.change_password(user, form.new_password.data, by=user,
                                               now=utcnow())
            sign_in(user)  # this browser carries on in a new session; every other one ended
            db.session.commit()
            flash("Your password has been changed. Other sessions have been signed out"
                  + (f" and {plural(revoked, 'API token')} revoked." if revoked else "."),
                  "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/password.html", form=form), 422 if form.errors else 200


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """Your API tokens: list them, create one (after your password), revoke one."""
    form = ConfirmPasswordForm()
    secret = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and _fresh_password(form):
            _, secret = services.issue_token(current_user, current_app.config["API_TOKEN_DAYS"])
            db.session.commit()
            status = 201
        else:
            status = 422
    return render_template("auth/tokens.html", form=form, secret=secret,
                           tokens=services.tokens_of(current_user), now=utcnow(),
                           revoke_form=RevokeTokenForm()), status


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(404)  # someone else's token: not even its existence is told
    if RevokeTokenForm().validate_on_submit():
        services.revoke_token(token, by=current_user, now=utcnow())
        db.session.commit()
        flash("The token has been revoked.", "success")
    return redirect(url_for("auth.tokens"))
