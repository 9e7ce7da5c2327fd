"""Rate-limit counters in the app's own database, shared by every worker and host.

Flask-Limiter keeps its counters in a `limits` storage. Its own are memory (one per worker, so
with four workers a limit of 30 lets 120 through), Redis, Memcached and MongoDB; none keeps
them in SQL. This is that storage for the database riskapp already has, registered as
`RATELIMIT_STORAGE_URI = "riskapp+database://"` (the default). Set a `redis://` address instead
to keep the counters in Redis.

Only the fixed-window strategy is used (riskapp.security), which needs `incr`, `get` and
`get_expiry`. Each call runs in the request's session and commits at once: limits are checked
before the view runs, so nothing of the request is committed with it.
"""
from __future__ import annotations

import time

from limits.storage import Storage
from sqlalchemy import Float, String, delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db


class RateLimitCounter(db.Model):
    """One fixed window of one limit for one client: how many hits, and when it ends."""
    __tablename__ = "rate_limit_counters"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)
    #: Seconds since the epoch when this window ends.
    expires_at: Mapped[float] = mapped_column(Float)


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["riskapp+database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        key = key[:255]
        session = db.session
        changed = session.execute(
            update(RateLimitCounter).where(RateLimitCounter.key == key,
                                           RateLimitCounter.expires_at > now)
            .values(hits=RateLimitCounter.hits + amount)).rowcount
        if not changed:
            session.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))
            try:
                with session.begin_nested():
                    session.add(RateLimitCounter(key=key, hits=amount, expires_at=now + expiry))
            except IntegrityError:  # another worker started the window first
                session.execute(update(RateLimitCounter).where(RateLimitCounter.key == key)
                                .values(hits=RateLimitCounter.hits + amount))
        hits = session.scalar(select(RateLimitCounter.hits).where(RateLimitCounter.key == key))
        session.commit()
        return hits or 0

    def _row(self, key: str):
        return db.session.execute(
            select(RateLimitCounter.hits, RateLimitCounter.expires_at)
            .where(RateLimitCounter.key == key[:255],
                   RateLimitCounter.expires_at > time.time())).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.hits if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row else time.time()

    def check(self) -> bool:
        try:
            db.session.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        count = db.session.execute(delete(RateLimitCounter)).rowcount
        db.session.commit()
        return count

    def clear(self, key: str) -> None:
        db.session.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key[:255]))
        db.session.commit()


# --- Per-person limits on long work: packs, exports, imports (issue 15, finding 1) ----------

#: Config key, environment variable and default of each kind's limit (Flask-Limiter's
#: notation: "20 per hour", "5 per 10 minutes").
WORK_LIMITS = {
    "packs": ("RATELIMIT_PACKS", "RISKAPP_RATELIMIT_PACKS", "20 per hour"),
    "exports": ("RATELIMIT_EXPORTS", "RISKAPP_RATELIMIT_EXPORTS", "60 per hour"),
    "imports": ("RATELIMIT_IMPORTS", "RISKAPP_RATELIMIT_IMPORTS", "20 per hour"),
}


def init_work_limits(app) -> None:
    """Each limit from the app's config, else the environment, else the default."""
    import os
    for key, variable, default in WORK_LIMITS.values():
        app.config.setdefault(key, os.environ.get(variable, default))


def count_this_request() -> None:
    """Called by a view that did the work a limit counts (started a job, sent a file): only
    such requests use up the person's allowance, not a page showing the one under way, or a
    result reused."""
    from flask import g
    g.counts_toward_limit = True


def _counted(response) -> bool:
    from flask import g
    return bool(g.get("counts_toward_limit"))


def _person() -> str:
    """The person signed in (limits follow them across browsers, workers and hosts)."""
    from flask import request
    from flask_login import current_user
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{request.remote_addr}"  # not signed in: the page refuses them anyway


def per_person(kind: str, methods: list[str]):
    """Decorate a view: `kind`'s limit (WORK_LIMITS) per person, counted in the shared
    storage; a refusal is a 429 in plain English with Retry-After."""
    from flask import current_app

    from .security import limiter
    config_key = WORK_LIMITS[kind][0]
    return limiter.shared_limit(lambda: current_app.config[config_key], scope=kind,
                                key_func=_person, methods=methods, deduct_when=_counted,
                                on_breach=lambda request_limit: refused(kind, request_limit))


def refused(kind: str, request_limit):
    """The 429 answer: a page, or JSON to a client that asks for it, with Retry-After."""
    from flask import jsonify, make_response, render_template, request

    from .rules.rate_limits import refusal
    item = request_limit.limit
    # Flask-Limiter rounds the window's end up a second; never say more than the window.
    seconds_left = min(request_limit.reset_at - time.time(), item.get_expiry())
    words = refusal(kind, item.amount, item.multiples, item.GRANULARITY.name, seconds_left)
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        response = jsonify(error="Too Many Requests", message=f"{words.allowance} {words.when}",
                           retry_after=words.retry_after)
    else:
        response = make_response(render_template("errors/429.html", words=words, kind=kind))
    response.status_code = 429
    response.headers["Retry-After"] = str(words.retry_after)
    return response

