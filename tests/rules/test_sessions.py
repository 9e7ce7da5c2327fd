from datetime import datetime, timedelta

import pytest

from riskapp.rules import sessions as rules

T0 = datetime(2026, 12, 6, 9, 0)
M = timedelta(minutes=1)


@pytest.mark.parametrize("started, seen, ended, now, expected", [
    (T0, T0, None, T0, rules.LIVE),
    (T0, T0, None, T0 + 30 * M, rules.LIVE),           # within idle + one minute's drift
    (T0, T0, None, T0 + 31 * M, rules.IDLE),
    (T0, T0 + 29 * M, None, T0 + 59 * M, rules.LIVE),   # each request keeps it alive
    (T0, T0 + 719 * M, None, T0 + 720 * M, rules.TOO_OLD),  # busy all day: 12 hours is the most
    (T0, T0 + 718 * M, None, T0 + 719 * M, rules.LIVE),
    (T0, T0, T0 + M, T0 + 2 * M, rules.ENDED),          # signed out, or ended by a password change
    (T0, T0, T0 + M, T0 + 800 * M, rules.ENDED),
])
def test_state(started, seen, ended, now, expected):
    assert rules.state(started_at=started, last_seen_at=seen, ended_at=ended, now=now) == expected


def test_other_lifetimes():
    assert rules.state(started_at=T0, last_seen_at=T0, ended_at=None, now=T0 + 6 * M,
                       idle=5 * M) == rules.IDLE
    assert rules.state(started_at=T0, last_seen_at=T0 + 59 * M, ended_at=None,
                       now=T0 + 60 * M, longest=60 * M) == rules.TOO_OLD


@pytest.mark.parametrize("seen, now, expected", [
    (T0, T0, False), (T0, T0 + timedelta(seconds=59), False), (T0, T0 + M, True),
])
def test_needs_touch(seen, now, expected):
    assert rules.needs_touch(seen, now) is expected
