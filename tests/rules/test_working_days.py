"""Tests for riskapp.rules.working_days: papers deadlines across England and Wales bank holidays.

Every expected date below was worked out by hand from the calendar, counting back one working
day at a time from the meeting (weekends and bank holidays skipped); the working is in the
comment beside each case.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskapp.rules.working_days import (
    add_working_days,
    england_and_wales_bank_holidays,
    is_working_day,
    papers_deadline,
)

BANK_HOLIDAYS = england_and_wales_bank_holidays(range(2020, 2028))

PAPERS_CASES = [
    # (meeting day, working days, deadline, working)
    pytest.param(
        date(2024, 5, 9), 5, date(2024, 5, 1),
        id="early May 2024: Thu 9 May -> Wed 8, Tue 7, (Mon 6 BH), Fri 3, Thu 2, Wed 1",
    ),
    pytest.param(
        date(2025, 5, 12), 5, date(2025, 5, 2),
        id="early May 2025: Mon 12 -> Fri 9, Thu 8, Wed 7, Tue 6, (Mon 5 BH), Fri 2",
    ),
    pytest.param(
        date(2023, 5, 10), 7, date(2023, 4, 27),
        id="May 2023 with Coronation: Wed 10 -> Tue 9, (Mon 8 BH), Fri 5, Thu 4, Wed 3, Tue 2,"
        " (Mon 1 BH), Fri 28 Apr, Thu 27 Apr",
    ),
    pytest.param(
        date(2024, 5, 31), 5, date(2024, 5, 23),
        id="late May 2024: Fri 31 -> Thu 30, Wed 29, Tue 28, (Mon 27 BH), Fri 24, Thu 23",
    ),
    pytest.param(
        date(2024, 4, 4), 5, date(2024, 3, 26),
        id="Easter 2024: Thu 4 Apr -> Wed 3, Tue 2, (Mon 1 Easter Mon), (Fri 29 Good Fri),"
        " Thu 28, Wed 27, Tue 26 Mar",
    ),
    pytest.param(
        date(2025, 4, 22), 1, date(2025, 4, 17),
        id="Easter 2025: Tue 22 Apr -> (Mon 21 Easter Mon), (Fri 18 Good Fri), Thu 17",
    ),
    pytest.param(
        date(2025, 1, 2), 5, date(2024, 12, 23),
        id="Christmas 2024: Thu 2 Jan -> (Wed 1 Jan BH), Tue 31, Mon 30, Fri 27, (Thu 26),"
        " (Wed 25), Tue 24, Mon 23 Dec",
    ),
    pytest.param(
        date(2022, 1, 5), 5, date(2021, 12, 24),
        id="Christmas 2021 substitute days: Wed 5 Jan -> Tue 4, (Mon 3 New Year sub), Fri 31,"
        " Thu 30, Wed 29, (Tue 28 Boxing sub), (Mon 27 Christmas sub), Fri 24 Dec",
    ),
    pytest.param(
        date(2022, 12, 29), 3, date(2022, 12, 22),
        id="Christmas 2022 (Sun): Thu 29 -> Wed 28, (Tue 27 Christmas sub), (Mon 26 Boxing),"
        " Fri 23, Thu 22",
    ),
    pytest.param(
        date(2020, 12, 30), 2, date(2020, 12, 24),
        id="Boxing Day 2020 (Sat): Wed 30 -> Tue 29, (Mon 28 Boxing sub), (Fri 25), Thu 24",
    ),
    pytest.param(
        date(2027, 1, 5), 5, date(2026, 12, 24),
        id="Christmas 2026 across New Year: Tue 5 Jan -> Mon 4, (Fri 1 Jan BH), Thu 31,"
        " Wed 30, Tue 29, (Mon 28 Boxing sub), (Fri 25), Thu 24 Dec",
    ),
    pytest.param(
        date(2024, 1, 15), 5, date(2024, 1, 8),
        id="no holidays: Mon 15 Jan -> Fri 12, Thu 11, Wed 10, Tue 9, Mon 8",
    ),
    pytest.param(
        date(2024, 1, 15), 1, date(2024, 1, 12),
        id="Monday meeting, one day: Fri 12 Jan",
    ),
    pytest.param(
        date(2024, 1, 15), 0, date(2024, 1, 15),
        id="zero working days: the meeting day itself",
    ),
]


@pytest.mark.parametrize(("meeting", "days", "expected"), PAPERS_CASES)
def test_papers_deadline(meeting, days, expected):
    assert papers_deadline(meeting, days, BANK_HOLIDAYS) == expected


@pytest.mark.parametrize(
    ("meeting", "days", "holidays", "expected"),
    [
        # Hand-made holiday sets, independent of the holidays library.
        (date(2024, 5, 9), 5, set(), date(2024, 5, 2)),
        (date(2024, 5, 9), 5, {date(2024, 5, 6)}, date(2024, 5, 1)),
        (date(2024, 5, 9), 5, [date(2024, 5, 6), date(2024, 5, 2)], date(2024, 4, 30)),
        # A holiday on a weekend changes nothing.
        (date(2024, 5, 9), 5, frozenset({date(2024, 5, 4)}), date(2024, 5, 2)),
    ],
)
def test_papers_deadline_with_given_holidays(meeting, days, holidays, expected):
    assert papers_deadline(meeting, days, holidays) == expected


def test_papers_deadline_refuses_negative_days():
    with pytest.raises(ValueError):
        papers_deadline(date(2024, 5, 9), -1, BANK_HOLIDAYS)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2023, 12, 22), 1, date(2023, 12, 27)),  # Fri -> (Mon 25, Tue 26) -> Wed 27
        (date(2024, 3, 28), 1, date(2024, 4, 2)),  # Thu -> (Good Fri, Easter Mon) -> Tue
        (date(2024, 5, 3), 1, date(2024, 5, 7)),  # Fri -> (Mon 6 May) -> Tue 7
        (date(2024, 5, 4), 1, date(2024, 5, 7)),  # from a Saturday
        (date(2024, 5, 4), 0, date(2024, 5, 4)),  # zero leaves even a Saturday alone
        (date(2024, 1, 8), 10, date(2024, 1, 22)),  # two plain weeks
        (date(2023, 12, 27), -1, date(2023, 12, 22)),  # back over Christmas
        (date(2024, 4, 2), -2, date(2024, 3, 27)),  # Tue -> (Mon, Fri) -> Thu 28, Wed 27
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days, BANK_HOLIDAYS) == expected


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 5, 6), False),  # early May bank holiday
        (date(2024, 5, 7), True),
        (date(2024, 5, 4), False),  # Saturday
        (date(2024, 5, 5), False),  # Sunday
        (date(2021, 12, 27), False),  # Christmas Day substitute
        (date(2021, 12, 28), False),  # Boxing Day substitute
        (date(2022, 9, 19), False),  # State Funeral of Queen Elizabeth II
        (date(2024, 12, 24), True),  # Christmas Eve is a working day
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day, BANK_HOLIDAYS) is working


@pytest.mark.parametrize(
    "day",
    [
        date(2024, 1, 1),  # New Year's Day
        date(2024, 3, 29),  # Good Friday
        date(2024, 4, 1),  # Easter Monday
        date(2024, 5, 6),  # early May
        date(2024, 5, 27),  # late May (spring)
        date(2024, 8, 26),  # summer
        date(2024, 12, 25),
        date(2024, 12, 26),
        date(2020, 5, 8),  # early May moved to VE Day, a Friday
        date(2022, 6, 2),  # spring bank holiday moved for the Platinum Jubilee
        date(2022, 6, 3),  # Platinum Jubilee
        date(2023, 5, 8),  # Coronation
        date(2026, 12, 28),  # Boxing Day substitute
    ],
)
def test_library_knows_england_and_wales_bank_holidays(day):
    assert day in BANK_HOLIDAYS


def test_library_has_only_requested_years_and_not_scotland():
    h2024 = england_and_wales_bank_holidays([2024])
    assert len(h2024) == 8
    assert all(d.year == 2024 for d in h2024)
    assert date(2024, 1, 2) not in h2024  # 2 January is a Scottish bank holiday
    assert date(2024, 8, 5) not in h2024  # Scottish summer bank holiday
    assert date(2024, 5, 27) not in england_and_wales_bank_holidays([2025])
    assert england_and_wales_bank_holidays([]) == frozenset()


@given(
    meeting=st.dates(min_value=date(2020, 2, 1), max_value=date(2027, 12, 31)),
    days=st.integers(1, 15),
)
def test_deadline_leaves_exactly_the_working_days_before_the_meeting(meeting, days):
    deadline = papers_deadline(meeting, days, BANK_HOLIDAYS)
    assert is_working_day(deadline, BANK_HOLIDAYS)
    span = [deadline + timedelta(n) for n in range((meeting - deadline).days)]
    assert sum(is_working_day(d, BANK_HOLIDAYS) for d in span) == days
    if is_working_day(meeting, BANK_HOLIDAYS):
        assert add_working_days(deadline, days, BANK_HOLIDAYS) == meeting
