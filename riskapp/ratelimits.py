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
