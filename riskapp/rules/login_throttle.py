"""How long an account is locked after failed sign-ins (ASVS 2.2.1: anti-automation).

A few mistakes cost nothing; from the fifth failure in a row each one locks the address for
longer (1, 2, 4, ... minutes, at most 30), so guessing is slow but a forgetful person is never
locked out for long and an attacker cannot lock someone out for a day.
"""
from __future__ import annotations

from datetime import datetime, timedelta

FREE_FAILURES = 4
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(minutes=30)
#: Failures older than this are forgotten: the count starts again.
FORGET_AFTER = timedelta(hours=24)


def lock_for(failures: int) -> timedelta:
    """How long to refuse sign-ins after `failures` failures in a row."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_LOCK * 2 ** min(failures - FREE_FAILURES - 1, 20), LONGEST_LOCK)


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


def minutes_left(locked_until: datetime, now: datetime) -> int:
    """Whole minutes to wait, rounded up, at least 1."""
    seconds = (locked_until - now).total_seconds()
    return max(1, -int(-seconds // 60))


def failures_after(previous: int, last_failed_at: datetime | None, now: datetime) -> int:
    """The count after one more failure: old failures are forgotten after a day."""
    if last_failed_at is None or now - last_failed_at > FORGET_AFTER:
        return 1
    return previous + 1
