"""Plain data for the BAF pack (heatmap report): what the PDF renderer needs, nothing more.

No Flask, no SQLAlchemy: the reports service maps the models onto these frozen dataclasses, and
the renderer (`riskapp.reports.baf_pdf`) only reads them, so it can be tested and benchmarked
without a database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from riskapp.rules import scoring

__all__ = [
    "Band",
    "Score",
    "PackControl",
    "PackAssurance",
    "PackAction",
    "MovementCell",
    "PackRisk",
    "BafPack",
    "band_for",
    "format_priority",
]


@dataclass(frozen=True)
class Band:
    """A scoring band: scores `min`..`max` inclusive, drawn in `colour_hex` ("#RRGGBB")."""

    name: str
    min: int
    max: int
    colour_hex: str

    def __post_init__(self) -> None:
        if self.min > self.max:
            raise ValueError(f"band {self.name!r}: min {self.min} > max {self.max}")
        hex_digits = self.colour_hex.lstrip("#")
        if len(hex_digits) != 6 or any(c not in "0123456789abcdefABCDEF" for c in hex_digits):
            raise ValueError(f"band {self.name!r}: colour {self.colour_hex!r} is not #RRGGBB")

    # The names riskapp.rules.scoring reads, so its band_for() works on these bands too.
    @property
    def min_score(self) -> int:
        return self.min

    @property
    def max_score(self) -> int:
        return self.max

    @property
    def colour(self) -> str:
        return self.colour_hex


@dataclass(frozen=True)
class Score:
    """A position on the 5x5 matrix. Consequence first, as the source writes `High (4:5=20)`."""

    consequence: int
    likelihood: int

    def __post_init__(self) -> None:
        for name in ("consequence", "likelihood"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                raise ValueError(f"{name} must be an integer 1..5, got {value!r}")

    @property
    def score(self) -> int:
        return self.consequence * self.likelihood


@dataclass(frozen=True)
class PackControl:
    """A control in place now."""

    description: str
    owner: str | None = None
    effectiveness: str | None = None


@dataclass(frozen=True)
class PackAssurance:
    """Evidence that controls work, on line 1 (management), 2 (oversight) or 3 (independent)."""

    line: int
    source: str
    #: True positive assurance, False negative, None not stated.
    positive: bool | None = None


@dataclass(frozen=True)
class PackAction:
    """An action on a risk; `overdue` is decided by the caller (rules), not by the renderer."""

    detail: str
    assignee: str | None
    target_date: date | None
    status: str
    overdue: bool = False
    #: When a completed action was completed (None while open).
    completed_on: date | None = None


@dataclass(frozen=True)
class MovementCell:
    """The score in force at a month end.

    `score` None: the risk did not exist yet, or the month is after the report date (blank).
    `reviewed` False: no review that month, the last score carried forward.
    """

    score: int | None
    reviewed: bool = True


@dataclass(frozen=True)
class PackRisk:
    """One risk as the board pack shows it."""

    ref: str
    title: str
    description: str
    owner: str | None
    lead: str | None
    status: str
    initial: Score
    current: Score
    target: Score | None
    controls: tuple[PackControl, ...] = ()
    assurances: tuple[PackAssurance, ...] = ()
    actions: tuple[PackAction, ...] = ()
    #: One cell per month of the financial year, in the order of `BafPack.month_labels`
    #: (empty: no history at all, shown blank).
    movement: tuple[MovementCell, ...] = ()

    def __post_init__(self) -> None:
        # Callers often build these from lists: keep the object truly immutable.
        for name in ("controls", "assurances", "actions", "movement"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))


@dataclass(frozen=True)
class MapCell:
    """One line of assurance on the map: its state key and the words shown."""

    state: str
    words: str


@dataclass(frozen=True)
class PackControlMap:
    """One control (None: assurances that name no control) by line of assurance."""

    control: str | None
    lines: tuple[MapCell, ...]


@dataclass(frozen=True)
class PackMapRow:
    """One risk on the assurance map: lines 1-3, computed gaps (with their rule), controls."""

    ref: str
    title: str
    lines: tuple[MapCell, ...]
    gaps: tuple[str, ...] = ()
    controls: tuple[PackControlMap, ...] = ()


@dataclass(frozen=True)
class CoverSummary:
    """The cover paper's executive summary, which opens the pack."""

    title: str
    covers: str
    lines: tuple[str, ...]
    recommendation: str


@dataclass(frozen=True)
class BafPack:
    """Everything the BAF pack PDF shows."""

    organisation: str
    register_name: str
    #: Aware datetime; shown in Europe/London time.
    generated_at: datetime
    #: The filters used to select the risks, label -> value, shown in the header in this order.
    filters: Mapping[str, str]
    #: Financial year label, e.g. "23/24".
    fy_label: str
    #: e.g. ("Apr-23", ..., "Mar-24").
    month_labels: tuple[str, ...]
    bands: tuple[Band, ...]
    risks: tuple[PackRisk, ...]
    #: PDF metadata author (the person or team producing the pack).
    author: str
    #: The cover paper's summary (first page); None: no summary page.
    cover: CoverSummary | None = None
    #: The assurance map (issue 18), in the order of `risks`; empty: no map pages.
    assurance_map: tuple[PackMapRow, ...] = ()
    #: The assurance rules in force on the report date, in words ("Rule 1: ...").
    assurance_rules: tuple[str, ...] = ()
    #: The day the pack is as at (its content is what riskapp held at the end of that day);
    #: None: today's register. Printed in the title, footnotes and file name, apart from
    #: `generated_at`.
    as_of: date | None = None
    #: The register's reference prefix ("BAF"), for the file name.
    register_prefix: str | None = None
    #: The organisation's logo (PNG), drawn at the top of the header; None for none.
    logo: bytes | None = None
    #: Corrections of the record known on the report date, in words: reviews recorded after a
    #: later one (a correction of the history), so a pack printed before showed it otherwise.
    corrections: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.generated_at.tzinfo is None or self.generated_at.utcoffset() is None:
            raise ValueError("generated_at must be timezone-aware (Europe/London)")
        for name in ("month_labels", "bands", "risks", "assurance_map", "assurance_rules"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        if not self.bands:
            raise ValueError("at least one band is needed")
        months = len(self.month_labels)
        for risk in self.risks:
            if len(risk.movement) not in (0, months):
                raise ValueError(
                    f"risk {risk.ref!r}: {len(risk.movement)} movement cells for {months} months"
                )


def band_for(score: int | None, bands: Sequence[Band]) -> Band | None:
    """Return the band `score` falls in, or None if no band covers it."""
    return scoring.band_for(score, bands)  # type: ignore[arg-type]  # same attribute names


def format_priority(score: Score, bands: Sequence[Band]) -> str:
    """Write a score as the source report does: `High (4:5=20)`, consequence first."""
    return scoring.format_score(score.consequence, score.likelihood, bands)  # type: ignore[arg-type]
