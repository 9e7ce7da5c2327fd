"""Table tests for the record rules: the meeting lock and the dates a review may be held on."""
from datetime import date

import pytest

from riskapp.rules import record

TODAY = date(2023, 12, 12)


@pytest.mark.parametrize("status, locked", [("draft", False), (None, False), ("approved", True)])
def test_a_meetings_record_is_locked_once_its_minutes_are_approved(status, locked):
    assert record.is_record_locked(status) is locked


def test_the_refusal_says_when_the_minutes_were_approved_and_what_to_do_instead():
    message = record.locked_message(date(2023, 12, 14), "ARAC 14 Dec 2023")
    assert "minutes approved on 14 Dec 2023 at the meeting of ARAC 14 Dec 2023" in message
    assert "correction" in message


@pytest.mark.parametrize("held_on, correcting, expected, confirm", [
    (date(2023, 12, 10), False, None, False),
    (TODAY, False, None, False),
    (date(2023, 12, 13), False, "today or in the past", False),
    (date(2023, 3, 31), False, "on or after the date the risk was opened (1 Apr 2023)", False),
    (date(2023, 11, 1), False, "Confirm that you are correcting", True),
    (date(2023, 11, 1), True, None, False),
    (None, False, "Enter the date the review was held", False),
])
def test_review_dates(held_on, correcting, expected, confirm):
    problem = record.review_date_problem(held_on, today=TODAY, opened_on=date(2023, 4, 1),
                                         latest_held_on=date(2023, 11, 15), correcting=correcting)
    if expected is None:
        assert problem is None
    else:
        assert expected in problem.message
        assert problem.needs_confirmation is confirm


def test_a_review_held_before_the_latest_one_is_a_correction():
    assert record.is_history_correction(date(2023, 11, 1), date(2023, 11, 15))
    assert not record.is_history_correction(date(2023, 11, 15), date(2023, 11, 15))
    assert not record.is_history_correction(date(2023, 11, 1), None)


def test_corrections_follow_from_the_order_reviews_were_recorded_in():
    recorded = [(1, date(2023, 4, 15)), (2, date(2023, 6, 1)), (3, date(2023, 5, 1)),
                (4, date(2023, 7, 1)), (5, date(2023, 6, 30))]
    assert record.history_corrections(recorded) == {3, 5}


@pytest.mark.parametrize("as_of, first_held, expected", [
    (None, date(2023, 11, 29), None),
    (date(2023, 11, 29), date(2023, 11, 29), None),
    (date(2024, 5, 1), date(2023, 11, 29), None),
    (date(2024, 5, 2), date(2023, 11, 29), None),  # today
    (date(2024, 5, 3), date(2023, 11, 29), "The date must be today or in the past"),
    (date(2023, 11, 28), date(2023, 11, 29),
     "The record starts on 29 Nov 2023. Enter that date or a later one"),
    (date(2023, 11, 28), None, "There is no register on record yet"),
    (date(2024, 5, 2), None, None),
])
def test_as_at_problem(as_of, first_held, expected):
    assert record.as_at_problem(as_of, today=date(2024, 5, 2), first_held=first_held) == expected
