"""Count working days for papers deadlines, skipping weekends and bank holidays.

DESIGN.md ("Meetings"): the papers deadline is N working days before the meeting (PCCAC ToR:
papers distributed 5 working days before), counting England and Wales bank holidays as
non-working days. The functions take the holidays as an argument; only
`england_and_wales_bank_holidays` touches the `holidays` library (no network needed).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta
from functools import lru_cache

ONE_DAY = timedelta(days=1)


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    """Return whether `day` is Monday to Friday and not a bank holiday."""
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, working_days: int, holidays: Collection[date]) -> date:
    """Return the day `working_days` working days after `start` (before it when negative).

    `start` itself is not counted, so one working day after a Friday is the Monday (or the
    next working day after a bank holiday Monday); zero returns `start` unchanged.
    """
    holidays = frozenset(holidays)
    step = ONE_DAY if working_days >= 0 else -ONE_DAY
    day = start
    remaining = abs(working_days)
    while remaining:
        day += step
        if is_working_day(day, holidays):
            remaining -= 1
    return day


def papers_deadline(meeting_day: date, working_days: int, holidays: Collection[date]) -> date:
    """Return the last day papers can go out: `working_days` working days before the meeting.

    E.g. a meeting on Thursday 9 May 2024 with 5 working days gives Wednesday 1 May 2024
    (Monday 6 May is the early May bank holiday). Pass holidays for the meeting's year and the
    year before, since the count can cross New Year.
    """
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    return add_working_days(meeting_day, -working_days, holidays)


def england_and_wales_bank_holidays(years: Iterable[int]) -> frozenset[date]:
    """Return the England and Wales bank holidays (with substitute days) in `years`."""
    return _bank_holidays(tuple(sorted(set(years))))


@lru_cache(maxsize=64)
def _bank_holidays(years: tuple[int, ...]) -> frozenset[date]:
    # Cached: building the calendar costs about a millisecond, and a calendar page asks once
    # per meeting (issue 9: 2,000 meetings at a large trust's scale).
    import holidays as holidays_lib  # the maintained library; data ships with the package

    # GB subdivision "ENG": England and Wales share the same bank holidays.
    calendar = holidays_lib.country_holidays("GB", subdiv="ENG", years=list(years))
    return frozenset(calendar.keys())
