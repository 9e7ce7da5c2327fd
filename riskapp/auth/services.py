"""Sign-in throttling, password changes, tokens and the security events on the audit trail.

Services flush and never commit: the view commits once.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..audit.models import AuditEntry
from ..extensions import db
from ..rules import login_throttle
from ..rules import sessions as session_rules
from ..rules.passwords import common_passwords, password_problems
from .models import ApiToken, LoginThrottle, User, UserSession

logger = logging.getLogger(__name__)

_COMMON: frozenset[str] | None = None


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite returns naive datetimes
        return value.replace(tzinfo=timezone.utc)
    return value


def _key(email: str) -> str:
    return (email or "").strip().lower()[:254]


def locked_until(email: str, now: datetime) -> datetime | None:
    """When sign-ins for `email` may be tried again, if they are refused now."""
    until = _aware(db.session.scalar(
        select(LoginThrottle.locked_until).where(LoginThrottle.email == _key(email))))
    return until if login_throttle.is_locked(until, now) else None


_DUMMY_HASHES: dict[str, str] = {}


def password_matches(user: User | None, password: str) -> bool:
    """Whether `user` may sign in with `password`, taking the same time whoever `user` is.

    For an unknown address or an account that cannot sign in, a password is still checked
    against a hash made the same way, so the time taken does not tell whether an account
    exists (ASVS 2.2.1 / 3.2.3).
    """
    if user is not None and user.active and user.password_hash:
        return user.check_password(password)
    from flask import current_app
    from werkzeug.security import check_password_hash, generate_password_hash
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("no account has this password",
                                                       method=method)
    check_password_hash(_DUMMY_HASHES[method], password)
    return False


def record_failed_login(email: str, user: User | None, now: datetime, address: str | None) -> None:
    """Count one failed sign-in for `email` (an account or not) and lock it when due."""
    key = _key(email)
    row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.email == key)
                            .with_for_update())
    if row is None:
        try:
            with db.session.begin_nested():
                row = LoginThrottle(email=key, failures=0)
                db.session.add(row)
        except IntegrityError:  # another worker created it first
            row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.email == key)
                                    .with_for_update())
    row.failures = login_throttle.failures_after(row.failures, _aware(row.last_failed_at), now)
    row.last_failed_at = now
    lock = login_throttle.lock_for(row.failures)
    row.locked_until = now + lock if lock else None
    _audit(user, "login_fail", field="email", new=key, extra=address)
    logger.warning("Failed sign-in for %r from %s (%d in a row)", key, address, row.failures)
    db.session.flush()


def record_login(user: User, address: str | None) -> None:
    """Forget the failures of `user`'s address and put the sign-in on the audit trail."""
    db.session.execute(update(LoginThrottle).where(LoginThrottle.email == _key(user.email))
                       .values(failures=0, locked_until=None))
    _audit(user, "login", field="address", new=address)
    db.session.flush()


def record_refusal(user, endpoint: str | None, path: str) -> None:
    """A request refused for lack of rights (403), on the audit trail."""
    db.session.add(AuditEntry(user_id=getattr(user, "id", None), object_type="route",
                              object_id=0, operation="refused", field=(endpoint or "")[:60],
                              new_value=path[:2000]))
    db.session.flush()


def check_new_password(user: User, password: str) -> list[str]:
    """What is wrong with `password` as `user`'s new password."""
    global _COMMON
    if _COMMON is None:
        _COMMON = common_passwords()
    personal = [user.email, user.email.split("@")[0], *user.name.split()]
    return password_problems(password, common=_COMMON, personal=personal)


def change_password(user: User, new_password: str, *, by: User | None, now: datetime) -> int:
    """Set the password, end every session and revoke every token; return tokens revoked."""
    user.set_password(new_password)  # a new session nonce: other sessions end
    end_sessions(user, UserSession.PASSWORD_CHANGED, now)
    revoked = revoke_all_tokens(user, now)
    _audit(user, "update", field="password", new="changed", by=by)
    db.session.flush()
    return revoked


def revoke_all_tokens(user: User, now: datetime) -> int:
    result = db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                                       ApiToken.revoked_at.is_(None))
                                .values(revoked_at=now))
    return result.rowcount or 0


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def issue_token(user: User, days: int) -> tuple[ApiToken, str]:
    token, secret = ApiToken.issue(user, days)
    db.session.add(token)
    db.session.flush()
    _audit(user, "create", field="api_token", new=f"token {token.id}", by=user)
    return token, secret


def revoke_token(token: ApiToken, *, by: User, now: datetime) -> None:
    if token.revoked_at is None:
        token.revoked_at = now
        _audit(token.user, "update", field="api_token", new=f"token {token.id} revoked", by=by)
    db.session.flush()


def record_account_change(user: User, field: str, old, new, *, by: User) -> None:
    """An administrator's change of `user`'s role or access, on the audit trail."""
    db.session.add(AuditEntry(user_id=by.id, object_type="users", object_id=user.id,
                              operation="update" if old is not None else "create", field=field,
                              old_value=None if old is None else str(old), new_value=str(new)))
    logger.info("User %s changed %s of user %s: %r -> %r", by.id, field, user.id, old, new)
    db.session.flush()


def _audit(user: User | None, operation: str, *, field: str, new: str | None,
           by: User | None = None, extra: str | None = None) -> None:
    value = new if extra is None else f"{new} from {extra}"
    db.session.add(AuditEntry(user_id=(by or user).id if (by or user) else None,
                              object_type="users", object_id=user.id if user else 0,
                              operation=operation, field=field, new_value=value))


def start_session(user: User) -> str:
    """Record a new signed-in session for `user`; return the key for the cookie."""
    row, key = UserSession.start(user)
    db.session.add(row)
    db.session.flush()
    return key


def user_with_live_session(user_id: int, nonce: str, key: str | None, now: datetime, *,
                           idle: timedelta, longest: timedelta) -> User | None:
    """The active user `user_id` if the session with cookie key `key` is theirs and has not
    ended (signed out, a new password, a disabled account, idle or too old); its last-seen
    time is moved on (at most once a minute). The user and the session are read in one
    statement: this runs on every request."""
    if not key:
        return None
    found = db.session.execute(
        select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
        .where(User.id == user_id, UserSession.key_hash == UserSession.hash(key))).first()
    if found is None:
        return None
    user, row = found
    if user.session_nonce != nonce or not user.active:
        return None
    state = session_rules.state(started_at=_aware(row.started_at),
                                last_seen_at=_aware(row.last_seen_at),
                                ended_at=row.ended_at, now=now, idle=idle, longest=longest)
    if state != session_rules.LIVE:
        return None
    if session_rules.needs_touch(_aware(row.last_seen_at), now):
        # A plain UPDATE, not an ORM flush: this runs while Flask-Login is still finding the
        # user, and a flush would ask who the user is (the audit's actor) in the middle of it.
        db.session.execute(update(UserSession).where(UserSession.id == row.id)
                           .values(last_seen_at=now))
        if not (db.session.new or db.session.dirty or db.session.deleted):
            # Kept at once, even when the request then only reads; anything else pending is
            # the view's to commit or roll back, with this.
            db.session.commit()
    return user


def end_session(key: str | None, because: str, now: datetime) -> None:
    """End the session with cookie key `key` (signing out)."""
    if key:
        db.session.execute(update(UserSession)
                           .where(UserSession.key_hash == UserSession.hash(key),
                                  UserSession.ended_at.is_(None))
                           .values(ended_at=now, ended_because=because))


def end_sessions(user: User, because: str, now: datetime) -> int:
    """End every session of `user` (a new password, a disabled account); return how many."""
    result = db.session.execute(update(UserSession)
                                .where(UserSession.user_id == user.id,
                                       UserSession.ended_at.is_(None))
                                .values(ended_at=now, ended_because=because))
    return result.rowcount or 0
