"""The geometry of a risk's score trend chart; templates/risks/_trend.html draws it as SVG."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..rules.scoring import Band, MonthCell, band_for


@dataclass
class Point:
    x: float
    y: float
    cell: MonthCell
    band: Band | None


@dataclass
class Trend:
    """Where each part of the chart goes, in SVG user units (the template only places them)."""
    title: str
    description: str
    width: int
    height: int
    left: int
    plot_width: int
    #: (band, top y, height) of each band's shading.
    bands: list[tuple[Band, float, float]] = field(default_factory=list)
    #: (score, y) of each horizontal grid line.
    ticks: list[tuple[int, float]] = field(default_factory=list)
    #: (x, label) of each month under the axis.
    months: list[tuple[float, str]] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def trend(cells: list[MonthCell], bands: list[Band], title: str,
          width: int = 600, height: int = 240) -> Trend:
    """A line chart of month-end scores (0-25), the bands shaded behind; described in words
    (`description`) for screen readers, month by month."""
    left, right, top, bottom = 34, 10, 10, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(cells) - 1, 1)

    def y(score: float) -> float:
        return top + plot_h * (1 - score / 25)

    chart = Trend(title=title, width=width, height=height, left=left, plot_width=plot_w,
                  description="; ".join(
                      f"{c.label}: {c.score if c.score is not None else 'no score'}"
                      f"{'' if c.reviewed or c.score is None else ' (not reviewed)'}"
                      for c in cells))
    for band in bands:
        y_top, y_bottom = y(min(band.max_score, 25)), y(max(band.min_score - 1, 0))
        chart.bands.append((band, y_top, y_bottom - y_top))
    chart.ticks = [(tick, y(tick)) for tick in (5, 10, 15, 20, 25)]
    for i, cell in enumerate(cells):
        x = left + i * step
        chart.months.append((x, cell.label[:3]))
        if cell.score is not None:
            chart.points.append(Point(x, y(cell.score), cell, band_for(cell.score, bands)))
    return chart
