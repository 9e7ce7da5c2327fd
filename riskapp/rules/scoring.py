"""Risk scoring on the 5x5 matrix: scores, bands, the source's notation and risk movement.

No Flask, no SQLAlchemy: every input is an argument, so the arithmetic is tested on its own.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Sequence

MIN_RATING, MAX_RATING = 1, 5

#: The words of each rating on the 5x5 matrix (NPSA "A risk matrix for risk managers"), shown
#: with the number on forms, on the heatmap's axes and in the BAF pack.
CONSEQUENCE_WORDS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Catastrophic"}
LIKELIHOOD_WORDS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}


@dataclass(frozen=True)
class Band:
    name: str
    min_score: int
    max_score: int
    colour: str = "#cccccc"
    #: How often a risk in the band is reviewed unless it sets its own (High monthly...).
    #: Not part of what makes two bands the same band.
    review_months: int = field(default=3, compare=False)


#: BLMK ICB's bands, from its BAF heatmap report.
BLMK_BANDS = (
    Band("Low", 1, 3, "#007f3b"),
    Band("Medium", 4, 9, "#ffb81c"),
    Band("High", 10, 25, "#d5281b"),
)

#: The NHS/NPSA default many trusts use.
NPSA_BANDS = (
    Band("Low", 1, 3, "#007f3b"),
    Band("Moderate", 4, 6, "#ffeb3b"),
    Band("High", 8, 12, "#ed8b00"),
    Band("Extreme", 15, 25, "#d5281b"),
)


def risk_score(consequence: int, likelihood: int) -> int:
    """Return consequence x likelihood, refusing ratings outside 1-5."""
    for name, value in (("consequence", consequence), ("likelihood", likelihood)):
        if not isinstance(value, int) or not MIN_RATING <= value <= MAX_RATING:
            raise ValueError(f"{name} must be a whole number from 1 to 5, not {value!r}")
    return consequence * likelihood


def band_for(score: int | None, bands: Iterable[Band]) -> Band | None:
    """Return the band a score falls in, or None (no score, or a gap between bands)."""
    if score is None:
        return None
    for band in bands:
        if band.min_score <= score <= band.max_score:
            return band
    return None


def format_score(consequence: int | None, likelihood: int | None, bands: Iterable[Band]) -> str:
    """Write a score as the source report does, consequence first: `High (4:5=20)`."""
    if consequence is None or likelihood is None:
        return "Not scored"
    score = consequence * likelihood
    band = band_for(score, bands)
    name = band.name if band else "Unbanded"
    return f"{name} ({consequence}:{likelihood}={score})"


def bands_problems(bands: Sequence[Band]) -> list[str]:
    """Say what is wrong with a set of bands: overlaps, or scores 1-25 left uncovered.

    Gaps are allowed only at scores no 5x5 product can reach (7, 11, 13, 14, 17-19, 21-24),
    which is how the NPSA bands leave 7 and 13-14 out.
    """
    problems = []
    for band in bands:
        if band.min_score > band.max_score:
            problems.append(f"{band.name}: the lowest score is above the highest")
    reachable = sorted({c * l for c in range(1, 6) for l in range(1, 6)})
    for score in reachable:
        holders = [b.name for b in bands if b.min_score <= score <= b.max_score]
        if not holders:
            problems.append(f"No band covers a score of {score}")
        elif len(holders) > 1:
            problems.append(f"A score of {score} is in more than one band: {', '.join(holders)}")
    return problems


def is_above_appetite(score: int | None, appetite_max_score: int | None) -> bool:
    """Is the current score above the highest score the risk appetite tolerates?"""
    return score is not None and appetite_max_score is not None and score > appetite_max_score


# --- Review dates ---------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """Return the same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_date(reviewed_on: date, frequency_months: int) -> date:
    """Return when a risk reviewed on `reviewed_on` is next due."""
    return add_months(reviewed_on, frequency_months)


def is_review_due(next_review: date | None, today: date) -> bool:
    """Is a review due today or overdue?"""
    return next_review is not None and next_review <= today


def review_days_overdue(next_review: date | None, today: date) -> int | None:
    """Return how many days late a review is: 0 when due today, None when not yet due."""
    if next_review is None or next_review > today:
        return None
    return (today - next_review).days


def next_review_for(status: str, next_review: date | None, today: date, frequency_months: int,
                    *, reviewed_today: bool) -> date | None:
    """Return a risk's next review date after a change.

    Only open risks are reviewed: a closed or archived risk has no next review, so it is not
    shown as due nor chased. An open risk reviewed today is next due `frequency_months` on; a
    reopened one (no date) is due today; otherwise the date stands.
    """
    if status != "Open":
        return None
    if reviewed_today:
        return next_review_date(today, frequency_months)
    return next_review if next_review is not None else today


# --- Risk movement over time -----------------------------------------------------------------

@dataclass(frozen=True)
class ScorePoint:
    """One record of the score history: the score in force from `on`."""
    on: date
    consequence: int
    likelihood: int

    @property
    def score(self) -> int:
        return self.consequence * self.likelihood


@dataclass(frozen=True)
class MonthCell:
    month: date  # first day of the month
    score: int | None
    consequence: int | None
    likelihood: int | None
    #: True when a review (any history record) fell in the month; False when carried forward.
    reviewed: bool

    @property
    def label(self) -> str:
        return self.month.strftime("%b-%y")


def financial_year_months(fy: int, months: int = 12) -> list[date]:
    """Return the first days of April `fy` to March `fy + 1` (or `months` months from April).

    The BAF pack runs to the April after, as the source's movement table does (Apr-23 ...
    Apr-24): `months=13`.
    """
    return [add_months(date(fy, 4, 1), i) for i in range(months)]


def financial_year_of(day: date) -> int:
    """Return the financial year (by its starting calendar year) that `day` falls in."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(fy: int) -> str:
    """Return the NHS label of a financial year: 2023 -> '23/24'."""
    return f"{fy % 100:02d}/{(fy + 1) % 100:02d}"


def movement(history: Iterable[ScorePoint], fy: int, as_of: date,
             months: int = 12) -> list[MonthCell]:
    """Return the score in force at each month end of financial year `fy`, as of `as_of`.

    Months before the first record (the risk did not exist) and months starting after `as_of`
    are blank. A month with no record carries the last score forward, marked not reviewed.
    For the month containing `as_of`, the score in force on `as_of` is shown.
    """
    points = sorted(history, key=lambda p: p.on)
    cells = []
    for first_day in financial_year_months(fy, months):
        last_day = date(first_day.year, first_day.month,
                        calendar.monthrange(first_day.year, first_day.month)[1])
        cutoff = min(last_day, as_of)
        in_force = [p for p in points if p.on <= cutoff] if first_day <= as_of else []
        if not in_force:
            cells.append(MonthCell(first_day, None, None, None, False))
            continue
        last = in_force[-1]
        reviewed = any(first_day <= p.on <= cutoff for p in in_force)
        cells.append(MonthCell(first_day, last.score, last.consequence, last.likelihood, reviewed))
    return cells
