"""When a signed-in session ends (ASVS 3.3.1, 3.3.2).

A session lives in the `user_sessions` table, so the server can end it: signing out, a new
password or a disabled account end it at once. Besides, it ends by itself after
`idle` without a request, and after `longest` from sign-in however busy it has been, so a
copied cookie is never good for ever.
"""
from __future__ import annotations

from datetime import datetime, timedelta

IDLE_DEFAULT = timedelta(minutes=30)
LONGEST_DEFAULT = timedelta(hours=12)
#: The last-seen time is written at most this often: one write a minute, not one per request.
TOUCH_EVERY = timedelta(minutes=1)

LIVE = "live"
ENDED = "ended"
IDLE = "idle"
TOO_OLD = "too old"


def state(*, started_at: datetime, last_seen_at: datetime, ended_at: datetime | None,
          now: datetime, idle: timedelta = IDLE_DEFAULT,
          longest: timedelta = LONGEST_DEFAULT) -> str:
    """LIVE, or why the session is over: ENDED (by someone), IDLE or TOO_OLD."""
    if ended_at is not None:
        return ENDED
    if now - started_at >= longest:
        return TOO_OLD
    # Last-seen is written at most once a minute, so allow for that much drift.
    if now - last_seen_at >= idle + TOUCH_EVERY:
        return IDLE
    return LIVE


def needs_touch(last_seen_at: datetime, now: datetime) -> bool:
    """Whether to write a new last-seen time for a request at `now`."""
    return now - last_seen_at >= TOUCH_EVERY
