from datetime import datetime, timedelta, timezone

import pytest

from riskapp.rules.login_throttle import failures_after, is_locked, lock_for, minutes_left

NOW = datetime(2024, 5, 9, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("failures, minutes", [
    (0, 0), (1, 0), (4, 0), (5, 1), (6, 2), (7, 4), (9, 16), (10, 30), (50, 30), (10**6, 30),
])
def test_lock_grows_and_is_capped(failures, minutes):
    assert lock_for(failures) == timedelta(minutes=minutes)


@pytest.mark.parametrize("until, locked", [
    (None, False), (NOW - timedelta(seconds=1), False), (NOW, False),
    (NOW + timedelta(seconds=1), True),
])
def test_is_locked(until, locked):
    assert is_locked(until, NOW) is locked


@pytest.mark.parametrize("seconds, minutes", [(1, 1), (60, 1), (61, 2), (1800, 30)])
def test_minutes_left_rounds_up(seconds, minutes):
    assert minutes_left(NOW + timedelta(seconds=seconds), NOW) == minutes


@pytest.mark.parametrize("previous, last, expected", [
    (0, None, 1), (3, NOW - timedelta(minutes=5), 4),
    (9, NOW - timedelta(hours=25), 1),
])
def test_failures_are_forgotten_after_a_day(previous, last, expected):
    assert failures_after(previous, last, NOW) == expected
