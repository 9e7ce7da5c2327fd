from datetime import date

import pytest

from riskapp.rules import scoring
from riskapp.rules.scoring import (BLMK_BANDS, NPSA_BANDS, Band, ScorePoint, add_months, band_for,
                                   bands_problems, financial_year_label, financial_year_of,
                                   format_score, is_above_appetite, is_review_due, movement,
                                   next_review_date, risk_score)


@pytest.mark.parametrize("consequence, likelihood, expected", [
    (4, 5, "High (4:5=20)"), (3, 3, "Medium (3:3=9)"), (3, 2, "Medium (3:2=6)"),
    (1, 3, "Low (1:3=3)"), (2, 2, "Medium (2:2=4)"), (5, 2, "High (5:2=10)"),
    (None, 3, "Not scored"),
])
def test_format_score_as_the_source_report(consequence, likelihood, expected):
    assert format_score(consequence, likelihood, BLMK_BANDS) == expected


@pytest.mark.parametrize("score, band", [(1, "Low"), (3, "Low"), (4, "Moderate"), (6, "Moderate"),
                                         (8, "High"), (12, "High"), (15, "Extreme"), (25, "Extreme")])
def test_npsa_bands(score, band):
    assert band_for(score, NPSA_BANDS).name == band


@pytest.mark.parametrize("c, l", [(0, 3), (6, 1), (3, 7), (2.5, 2), ("3", 3)])
def test_risk_score_refuses_ratings_outside_1_to_5(c, l):
    with pytest.raises(ValueError):
        risk_score(c, l)


def test_bands_problems_finds_gaps_and_overlaps():
    assert bands_problems(list(BLMK_BANDS)) == []
    assert bands_problems(list(NPSA_BANDS)) == []  # 7, 11, 13, 14 are unreachable
    gap = [Band("Low", 1, 3), Band("High", 5, 25)]
    assert bands_problems(gap) == ["No band covers a score of 4"]
    overlap = [Band("Low", 1, 4), Band("High", 4, 25)]
    assert bands_problems(overlap) == ["A score of 4 is in more than one band: Low, High"]


@pytest.mark.parametrize("day, months, expected", [
    (date(2024, 1, 31), 1, date(2024, 2, 29)), (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2023, 11, 15), 3, date(2024, 2, 15)), (date(2023, 12, 15), 1, date(2024, 1, 15)),
])
def test_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected
    assert next_review_date(day, months) == expected


@pytest.mark.parametrize("day, fy, label", [
    (date(2023, 4, 1), 2023, "23/24"), (date(2024, 3, 31), 2023, "23/24"),
    (date(2023, 3, 31), 2022, "22/23"), (date(1999, 6, 1), 1999, "99/00")])
def test_financial_year(day, fy, label):
    assert financial_year_of(day) == fy
    assert financial_year_label(fy) == label


def test_appetite_and_review_due():
    assert is_above_appetite(16, 12) and not is_above_appetite(12, 12)
    assert not is_above_appetite(16, None)
    assert is_review_due(date(2024, 1, 1), date(2024, 1, 1))
    assert not is_review_due(date(2024, 1, 2), date(2024, 1, 1))
    assert not is_review_due(None, date(2024, 1, 1))


def _scores(cells):
    return [(c.score, c.reviewed) for c in cells]


def test_movement_blank_before_the_risk_existed_and_after_as_of():
    history = [ScorePoint(date(2023, 6, 15), 3, 3), ScorePoint(date(2023, 7, 10), 3, 3)]
    cells = movement(history, 2023, as_of=date(2023, 8, 20))
    assert _scores(cells) == [(None, False), (None, False), (9, True), (9, True), (9, False)] + \
        [(None, False)] * 7


def test_movement_carries_the_last_score_forward_marked_not_reviewed():
    history = [ScorePoint(date(2023, 4, 3), 4, 4), ScorePoint(date(2023, 6, 30), 4, 5)]
    cells = movement(history, 2023, as_of=date(2024, 6, 1))
    assert _scores(cells)[:4] == [(16, True), (16, False), (20, True), (20, False)]
    assert all(c.score == 20 and not c.reviewed for c in cells[3:])


def test_movement_takes_the_score_in_force_at_month_end():
    # Two reviews in one month: the later one is the month-end score.
    history = [ScorePoint(date(2023, 5, 2), 4, 5), ScorePoint(date(2023, 5, 28), 3, 3)]
    cells = movement(history, 2023, as_of=date(2023, 6, 30))
    assert cells[1].score == 9 and (cells[1].consequence, cells[1].likelihood) == (3, 3)
    # A score from the previous financial year is carried into April.
    cells = movement([ScorePoint(date(2023, 2, 1), 2, 2)], 2023, as_of=date(2023, 4, 30))
    assert _scores(cells)[0] == (4, False)


def test_movement_month_of_as_of_uses_score_on_that_day():
    history = [ScorePoint(date(2023, 11, 15), 4, 4), ScorePoint(date(2023, 11, 30), 2, 2)]
    cells = movement(history, 2023, as_of=date(2023, 11, 29))
    assert cells[7].score == 16


@pytest.mark.parametrize("next_review, today, late", [
    (None, date(2024, 5, 1), None),
    (date(2024, 5, 2), date(2024, 5, 1), None),
    (date(2024, 5, 1), date(2024, 5, 1), 0),
    (date(2021, 5, 10), date(2024, 5, 1), 1087),
])
def test_review_days_overdue(next_review, today, late):
    assert scoring.review_days_overdue(next_review, today) == late


@pytest.mark.parametrize("status, next_review, reviewed_today, expected", [
    ("Closed", date(2024, 6, 1), False, None),       # closing ends the cycle
    ("Archived", date(2024, 6, 1), True, None),      # even a review (an import) sets none
    ("Open", None, False, date(2024, 5, 1)),          # reopened: due now
    ("Open", date(2024, 6, 1), False, date(2024, 6, 1)),  # other edits leave it
    ("Open", date(2024, 6, 1), True, date(2024, 8, 1)),   # reviewed: the frequency on
])
def test_next_review_for(status, next_review, reviewed_today, expected):
    assert scoring.next_review_for(status, next_review, date(2024, 5, 1), 3,
                                   reviewed_today=reviewed_today) == expected
