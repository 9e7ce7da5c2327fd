"""Small server-rendered SVG charts: a risk's score trend over a financial year."""
from __future__ import annotations

from markupsafe import Markup, escape

from ..rules.scoring import Band, MonthCell, band_for


def trend_svg(cells: list[MonthCell], bands: list[Band], title: str,
              width: int = 600, height: int = 240) -> Markup:
    """Return an accessible SVG line chart of month-end scores (1-25), bands shaded behind."""
    left, right, top, bottom = 34, 10, 10, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(cells) - 1, 1)

    def y(score: float) -> float:
        return top + plot_h * (1 - (score - 0) / 25)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="app-trend" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-labelledby="trend-title trend-desc">',
             f'<title id="trend-title">{escape(title)}</title>']
    described = "; ".join(f"{c.label}: {c.score if c.score is not None else 'no score'}"
                          f"{'' if c.reviewed or c.score is None else ' (not reviewed)'}"
                          for c in cells)
    parts.append(f'<desc id="trend-desc">{escape(described)}</desc>')
    for band in bands:
        y_top, y_bottom = y(min(band.max_score, 25)), y(max(band.min_score - 1, 0))
        parts.append(f'<rect x="{left}" y="{y_top:.1f}" width="{plot_w}" '
                     f'height="{y_bottom - y_top:.1f}" fill="{escape(band.colour)}" '
                     f'fill-opacity="0.12"/>')
    for tick in (5, 10, 15, 20, 25):
        parts.append(f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" font-size="13" '
                     f'text-anchor="end" fill="#4c6272">{tick}</text>')
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}" stroke="#d8dde0" stroke-width="1"/>')
    points = []
    for i, cell in enumerate(cells):
        x = left + i * step
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" font-size="12" text-anchor="middle" '
                     f'fill="#4c6272">{escape(cell.label[:3])}</text>')
        if cell.score is not None:
            points.append((x, y(cell.score), cell))
    if points:
        path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#005eb8" stroke-width="2"/>')
        for x, yy, cell in points:
            band = band_for(cell.score, bands)
            fill = "#005eb8" if cell.reviewed else "#ffffff"
            parts.append(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="5" fill="{fill}" '
                         f'stroke="#005eb8" stroke-width="2"><title>{escape(cell.label)}: '
                         f'{cell.score}{" " + escape(band.name) if band else ""}'
                         f'{"" if cell.reviewed else " (not reviewed)"}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))
