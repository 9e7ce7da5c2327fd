"""Single sign-on with OpenID Connect (Microsoft Entra ID, NHSmail and any other issuer), by
Authlib: Authorization Code with PKCE (S256); Authlib keeps the state and nonce in the session
and checks them, and verifies the ID token's signature against the issuer's published keys,
its issuer, audience (our client id), expiry and nonce.

Configured from the environment: OIDC_ISSUER (the issuer URL; its
/.well-known/openid-configuration is read), OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, and
optionally OIDC_PROVIDER_NAME (the button says "Sign in with <name>"). The redirect URI is
BASE_URL + /auth/sso/callback: register exactly that with the issuer.

The person is matched by the issuer and subject once linked, else by a verified email address
to an existing account; with "Single sign-on may create accounts" on, a verified address
without one gets an account with the staff role.

Microsoft Entra ID (and so NHSmail) does not send `email_verified`. Its address is trusted
when the token says `xms_edov` (Entra's optional claim "email domain owner verified") is
true, or when the address is in one of OIDC_TRUSTED_EMAIL_DOMAINS ("nhs.net,anytown.nhs.uk"):
the domains whose addresses the organisation's own directory assigns, so the issuer (one
tenant: its issuer URL names it, and Authlib checks every token's `iss` against it) vouches
for them. A domain matches exactly; a look-alike or a subdomain does not.
"""
from __future__ import annotations

import logging
import os

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from flask import current_app, flash, redirect, render_template, request, session, url_for
from requests.exceptions import RequestException

from ..extensions import db
from . import bp, services
from .models import Role, User

logger = logging.getLogger(__name__)

CLIENT = "organisation"
#: The session key of the invitation a single sign-on was started from (its link's id).
INVITATION = "sso_invitation"


def config_from_environment() -> dict:
    env = os.environ
    return {"OIDC_ISSUER": env.get("OIDC_ISSUER", "").rstrip("/") or None,
            "OIDC_CLIENT_ID": env.get("OIDC_CLIENT_ID") or None,
            "OIDC_CLIENT_SECRET": env.get("OIDC_CLIENT_SECRET") or None,
            "OIDC_PROVIDER_NAME": env.get("OIDC_PROVIDER_NAME") or "your organisation account",
            "OIDC_TRUSTED_EMAIL_DOMAINS": env.get("OIDC_TRUSTED_EMAIL_DOMAINS") or ""}


def trusted_domains() -> set[str]:
    """OIDC_TRUSTED_EMAIL_DOMAINS as a set: a comma- or space-separated string, or a list."""
    value = current_app.config.get("OIDC_TRUSTED_EMAIL_DOMAINS") or ""
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    return {d.strip().lower().lstrip("@") for d in value if d.strip()}


def email_is_verified(claims, domains: set[str]) -> bool:
    """May the issuer's `email` claim be taken as the person's own address?

    `email_verified` true (the standard claim); or, for Microsoft Entra ID, which does not
    send it, `xms_edov` true or an address in a domain the organisation trusts the issuer for.
    """
    email = (claims.get("email") or "").strip().lower()
    if not email or email.count("@") != 1:
        return False
    if claims.get("email_verified") is True or claims.get("xms_edov") in (True, "true", "1"):
        return True
    return email.rpartition("@")[2] in domains


def init_app(app) -> None:
    """Register the issuer as Authlib's client when it is configured."""
    for key, value in config_from_environment().items():
        app.config.setdefault(key, value)
    app.add_template_global(enabled, "sso_enabled")
    app.add_template_global(passwords_switched_off)
    if not (app.config.get("OIDC_ISSUER") and app.config.get("OIDC_CLIENT_ID")):
        return
    from authlib.integrations.flask_client import OAuth
    oauth = OAuth(app)
    oauth.register(
        CLIENT,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config.get("OIDC_CLIENT_SECRET"),
        server_metadata_url=app.config["OIDC_ISSUER"] + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                       "timeout": 10},
    )
    app.extensions["riskapp_oidc"] = oauth


def passwords_switched_off() -> bool:
    """Has an administrator switched passwords off (all but the break-glass administrator)?"""
    from sqlalchemy import select

    from ..settings.models import Organisation
    allowed = db.session.scalar(select(Organisation.passwords_allowed).limit(1))
    return allowed is False


def enabled() -> bool:
    return "riskapp_oidc" in current_app.extensions


def _client():
    return current_app.extensions["riskapp_oidc"].create_client(CLIENT)


def _refuse(message: str, status: int = 400):
    """Back to the sign-in page with `message`; nothing of the attempt is kept."""
    from .forms import LoginForm
    for key in [k for k in session if k.startswith(f"_state_{CLIENT}_")]:
        session.pop(key, None)
    return render_template("auth/login.html", form=LoginForm(formdata=None),
                           sso_error=message), status


@bp.route("/sso/start")
def sso_start():
    """Send the browser to the issuer, with a fresh state, nonce and PKCE challenge.

    A link, not a form: the page's Content-Security-Policy lets forms post only to riskapp,
    and a browser applies that to a form's redirect too. Starting changes nothing but this
    browser's own session (a new state and nonce).
    """
    if not enabled():
        return _refuse("Single sign-on is not set up on this server.", 404)
    session.pop(INVITATION, None)
    if request.args.get("invitation"):
        # Started from an invitation's page: whoever holds the emailed link is the person
        # invited, so the account they sign in with is linked to it, whatever its email says.
        from . import invites
        from .models import PasswordLink, utcnow
        checked = invites.check(request.args["invitation"], utcnow())
        if checked.problem or checked.link.purpose != PasswordLink.INVITE:
            return render_template("auth/link_problem.html", problem=checked.problem or (
                "This link is not an invitation."), invite=True), 410 if checked.link else 404
        session[INVITATION] = checked.link.id
    redirect_uri = current_app.config["BASE_URL"].rstrip("/") + url_for("auth.sso_callback")
    try:
        return _client().authorize_redirect(redirect_uri)
    except (RequestException, AuthlibBaseError, ValueError) as error:
        logger.warning("Single sign-on could not start: %s", error)
        return _refuse("Your organisation's sign-in service cannot be reached just now. Try "
                       "again in a few minutes, or ask your administrator.", 503)


@bp.route("/sso/callback")
def sso_callback():
    """The issuer sends the browser back here with a code and our state."""
    if not enabled():
        return _refuse("Single sign-on is not set up on this server.", 404)
    if request.args.get("error"):
        if request.args["error"] == "access_denied":
            return _refuse("Sign-in was cancelled at your organisation's sign-in service. "
                           "Try again if you meant to sign in.")
        logger.warning("Single sign-on refused by the issuer: %s %s", request.args.get("error"),
                       request.args.get("error_description"))
        return _refuse("Your organisation's sign-in service did not sign you in. Try again, or "
                       "ask your administrator.")
    try:
        token = _client().authorize_access_token()
    except MismatchingStateError:
        logger.warning("Single sign-on callback with a state this browser did not start")
        return _refuse("This sign-in did not start from this browser, or it took too long. "
                       "Start again from this page.")
    except (OAuthError, AuthlibBaseError, ValueError) as error:
        # A bad signature, a token for another application (audience), another issuer, an
        # expired token or a wrong nonce all end here.
        logger.warning("Single sign-on answer refused: %s", error)
        return _refuse("The answer from your organisation's sign-in service could not be "
                       "trusted, so you have not been signed in. Try again, or ask your "
                       "administrator.")
    except RequestException as error:
        logger.warning("Single sign-on token request failed: %s", error)
        return _refuse("Your organisation's sign-in service cannot be reached just now. Try "
                       "again in a few minutes.", 503)
    claims = token.get("userinfo") or {}
    invitation = session.pop(INVITATION, None)
    if invitation is not None:
        user, problem = link_invited(invitation, claims)
    else:
        user, problem = match_user(claims)
    if problem:
        return _refuse(problem, 403)
    from .views import sign_in  # the one way to start a session
    services.record_login(user, request.remote_addr)
    sign_in(user)
    db.session.commit()
    flash(f"Signed in with {current_app.config['OIDC_PROVIDER_NAME']}.", "success")
    return redirect(url_for("main.index"))


def link_invited(link_id: int, claims) -> tuple[User | None, str | None]:
    """Link the account an invitation was sent to with the issuer's subject, and use the
    invitation up; or why not. The emailed link proved who this is, so no email claim is
    needed. Flushes; the caller commits."""
    from sqlalchemy import select

    from . import invites
    from .models import PasswordLink, utcnow
    issuer, subject = claims.get("iss"), claims.get("sub")
    if not issuer or not subject:
        return None, "Your organisation's sign-in service did not say who you are."
    link, now = db.session.get(PasswordLink, link_id), utcnow()
    if link is None or link.used_at is not None or link.expired(now) or not link.user.active:
        return None, ("This invitation has been used or has expired. Ask your administrator "
                      "to send a new one.")
    key, user = f"{issuer} {subject}", link.user
    other = db.session.scalar(select(User).where(User.sso_subject == key, User.id != user.id))
    if other is not None or (user.sso_subject and user.sso_subject != key):
        return None, ("This organisation account is already linked to another riskapp account. "
                      "Ask your administrator.")
    user.sso_subject = key
    link.used_at = now
    invites.retire_links(user, now)
    invites.audit_link(user, "single sign-on", "linked from the invitation")
    db.session.flush()
    return user, None


def match_user(claims) -> tuple[User | None, str | None]:
    """The riskapp account for verified `claims`, linking or creating it; or why there is none.

    Flushes; the caller commits.
    """
    from ..settings.models import Organisation
    from sqlalchemy import select
    issuer, subject = claims.get("iss"), claims.get("sub")
    if not issuer or not subject:
        return None, "Your organisation's sign-in service did not say who you are."
    key = f"{issuer} {subject}"
    user = db.session.scalar(select(User).where(User.sso_subject == key))
    email = (claims.get("email") or "").strip().lower()
    if user is None:
        if not email_is_verified(claims, trusted_domains()):
            return None, ("Your organisation's sign-in service did not give a verified email "
                          "address, so riskapp cannot tell which account is yours. Ask your "
                          "administrator.")
        user = db.session.scalar(User.by_email(email))
        if user is None:
            org = db.session.scalar(select(Organisation).limit(1))
            if org is None or not org.sso_creates_users:
                return None, (f"There is no riskapp account for {email}. Ask your administrator "
                              "to invite you.")
            name = (claims.get("name") or "").strip() or email
            user = User(email=email, name=name[:200], role=Role.STAFF, active=True)
            db.session.add(user)
            db.session.flush()
            services.record_account_change(user, "role", None, Role.STAFF.value, by=user)
        elif user.sso_subject and user.sso_subject != key:
            return None, ("This riskapp account is linked to another sign-in. Ask your "
                          "administrator.")
        user.sso_subject = key
    if not user.active:
        return None, "This account cannot sign in. Ask your administrator."
    db.session.flush()
    return user, None
