"""Invitations and password resets by email: single-use links to set a password.

An administrator invites someone (the link works for 72 hours); anyone asks for a reset (60
minutes), and is told the same whether or not the address has an account. Only a link's
SHA-256 is stored; links are built from BASE_URL (RISKAPP_BASE_URL), never from the request.
The email goes through the reminder outbox as a message of its own.

Services flush and never commit: the view commits once, then calls `send_soon`.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from ..audit.models import AuditEntry
from ..extensions import db
from ..reminders import messages
from ..reminders.services import absolute_link
from .models import PasswordLink, User, utcnow

INVITE_HOURS = 72
RESET_MINUTES = 60


def invite_lifetime() -> timedelta:
    return timedelta(hours=current_app.config.get("PASSWORD_INVITE_HOURS", INVITE_HOURS))


def reset_lifetime() -> timedelta:
    return timedelta(minutes=current_app.config.get("PASSWORD_RESET_MINUTES", RESET_MINUTES))


def _link_usable(link_id: int) -> bool:
    link = db.session.get(PasswordLink, link_id)
    return link is not None and link.used_at is None and not link.expired(utcnow())


@messages.message_kind("invite", "Invitation to riskapp", "You are invited to riskapp",
                       "auth/email_invite")
def _invite_still_owed(link_id: int) -> bool:
    return _link_usable(link_id)


@messages.message_kind("password_reset", "Password reset", "Reset your riskapp password",
                       "auth/email_reset")
def _reset_still_owed(link_id: int) -> bool:
    return _link_usable(link_id)


def _issue(user: User, purpose: str, lifetime: timedelta, now: datetime,
           by: User | None) -> tuple[PasswordLink, str]:
    """A new link for `user`; every older unused link of theirs stops working."""
    retire_links(user, now)
    secret = secrets.token_urlsafe(32)
    link = PasswordLink(user_id=user.id, purpose=purpose, token_hash=PasswordLink.hash(secret),
                        created_at=now, expires_at=now + lifetime,
                        created_by_id=by.id if by else None)
    db.session.add(link)
    db.session.flush()
    return link, secret


def retire_links(user: User, now: datetime) -> None:
    """Used up: every unused link of `user` (after a new one, or once a password is set)."""
    db.session.execute(update(PasswordLink).where(PasswordLink.user_id == user.id,
                                                  PasswordLink.used_at.is_(None))
                       .values(used_at=now).execution_options(synchronize_session=False))


def _audit(user: User, field: str, value: str, by: User | None) -> None:
    db.session.add(AuditEntry(user_id=(by or user).id, object_type="users", object_id=user.id,
                              operation="update", field=field, new_value=value))


def audit_link(user: User, field: str, value: str) -> None:
    """The person's own change to their account, in its trail."""
    _audit(user, field, value, None)


def invite(user: User, *, by: User, now: datetime):
    """Email `user` a link to set their password (72 hours); return the outbox claim."""
    link, secret = _issue(user, PasswordLink.INVITE, invite_lifetime(), now, by)
    url = absolute_link("auth.set_password", {"token": secret})
    _audit(user, "invitation", f"sent, valid until {link.expires_at:%d %b %Y %H:%M} UTC", by)
    return messages.queue("invite", link.id, user, "Set your password to start using riskapp",
                          url, now)


def request_reset(email: str, now: datetime):
    """A reset link for the account with `email`, if there is one that may use a password.

    Returns the outbox claim, or None when nothing is sent; the person asking is told the
    same either way.
    """
    from ..settings.organisation import passwords_allowed_for
    user = db.session.scalar(User.by_email(email or ""))
    if user is None or not user.active or not passwords_allowed_for(user):
        return None
    link, secret = _issue(user, PasswordLink.RESET, reset_lifetime(), now, None)
    url = absolute_link("auth.set_password", {"token": secret})
    _audit(user, "password_reset", "link sent", None)
    return messages.queue("password_reset", link.id, user, "Reset your riskapp password", url,
                          now)


@dataclass(frozen=True)
class LinkCheck:
    link: PasswordLink | None
    #: Why the link cannot be used, in words for the person holding it; None if it can.
    problem: str | None


def check(secret: str, now: datetime) -> LinkCheck:
    link = db.session.scalar(select(PasswordLink).where(
        PasswordLink.token_hash == PasswordLink.hash(secret or "")))
    if link is None:
        return LinkCheck(None, "This link is not right. Check you copied all of it from the "
                               "email, or ask for a new one.")
    if link.used_at is not None:
        return LinkCheck(link, "This link has already been used, or a newer one has been sent. "
                               "Each link works once.")
    if link.expired(now):
        if link.purpose == PasswordLink.INVITE:
            return LinkCheck(link, "This invitation has expired: invitations work for 72 hours. "
                                   "Ask your administrator to send a new one.")
        return LinkCheck(link, "This link has expired: reset links work for 60 minutes. "
                               "Ask for a new one.")
    if not link.user.active:
        return LinkCheck(link, "This account cannot sign in. Ask your administrator.")
    return LinkCheck(link, None)


def use(link: PasswordLink, password: str, now: datetime) -> None:
    """Set the password from `link`: the link and any other of the person's are used up, and
    every session and API token of theirs ends."""
    from .services import change_password
    user = link.user
    change_password(user, password, by=user, now=now)
    link.used_at = now
    retire_links(user, now)
    db.session.flush()


def has_password(user: User) -> bool:
    return bool(user.password_hash)
