"""People, their roles and their API tokens."""
from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Role(str, enum.Enum):
    ADMIN = "admin"
    RISK_MANAGER = "risk_manager"
    SECRETARIAT = "secretariat"
    BOARD = "board"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.RISK_MANAGER: "Risk manager",
    Role.SECRETARIAT: "Committee secretariat",
    Role.BOARD: "Board or audit committee member",
    Role.STAFF: "Staff",
}


class Directorate(db.Model):
    __tablename__ = "directorates"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    def __str__(self) -> str:
        return self.name


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    directorate_id: Mapped[int | None] = mapped_column(ForeignKey("directorates.id"))
    role: Mapped[Role] = mapped_column(
        db.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.STAFF,
    )
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    #: Changes whenever the password changes, so older sessions stop working.
    session_nonce: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(8))
    #: "issuer subject" of the single sign-on account linked to this user, once signed in so.
    sso_subject: Mapped[str | None] = mapped_column(String(500), unique=True)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    directorate: Mapped[Directorate | None] = relationship()

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users at login.
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash (werkzeug's default KDF) and end other sessions."""
        method = "scrypt"
        if has_app_context():  # tests use a cheap method, so fixtures do not take seconds
            method = current_app.config.get("PASSWORD_HASH_METHOD", method)
        self.password_hash = generate_password_hash(password, method=method)
        self.session_nonce = secrets.token_hex(8)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @staticmethod
    def by_email(email: str):
        return select(User).where(func.lower(User.email) == email.strip().lower())


class ApiToken(db.Model):
    """A personal API token; only its SHA-256 is stored."""
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, days: int) -> tuple["ApiToken", str]:
        """Create a token for `user`; return it and the secret, shown once."""
        secret = secrets.token_urlsafe(32)
        token = cls(user=user, token_hash=cls.hash(secret),
                    expires_at=utcnow() + timedelta(days=days))
        return token, secret

    def is_valid(self, now: datetime) -> bool:
        expires = self.expires_at
        if expires.tzinfo is None:  # SQLite returns naive datetimes
            expires = expires.replace(tzinfo=timezone.utc)
        return self.revoked_at is None and expires > now and self.user.active


class PasswordLink(db.Model):
    """A single-use link to set a password: an invitation or a reset. Only its SHA-256 is kept."""
    __tablename__ = "password_links"
    INVITE, RESET = "invite", "reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    #: The administrator who sent an invitation; none for a reset asked for by its owner.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def expired(self, now: datetime) -> bool:
        expires = self.expires_at
        if expires.tzinfo is None:  # SQLite returns naive datetimes
            expires = expires.replace(tzinfo=timezone.utc)
        return expires <= now


class LoginThrottle(db.Model):
    """Failed sign-ins per email address, in the database so every worker and host sees them.

    Keyed by the address typed, whether or not an account has it, so a lockout does not tell
    anyone which addresses have accounts.
    """
    __tablename__ = "login_throttles"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The email address as typed, lower case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: Failed attempts since the last successful sign-in.
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))


class UserSession(db.Model):
    """One signed-in browser session, so the server can end it (ASVS 3.3.1).

    The cookie carries a random key; only its SHA-256 is stored. Rows are kept when a session
    ends (`ended_at`, `ended_because`), as a record of who was signed in when.
    """
    __tablename__ = "user_sessions"
    SIGNED_OUT, PASSWORD_CHANGED, ACCOUNT_DISABLED = "signed out", "password changed", \
        "account disabled"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    ended_because: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def start(cls, user: User) -> tuple["UserSession", str]:
        """A new session for `user`; return it and the key for the cookie."""
        key = secrets.token_urlsafe(32)
        now = utcnow()
        return cls(user=user, key_hash=cls.hash(key), started_at=now, last_seen_at=now), key
