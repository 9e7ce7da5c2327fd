"""Render the audit committee's BAF pack: the Board Assurance Framework heatmap report, as PDF.

Modelled on BLMK ICB's "System Risk Register (BAF)" HEATMAP REPORT (shared reference 004, from
line 1082), in the source's order: header (organisation, register, generated date and time,
filters), 5x5 heatmaps of the current, initial and target positions, "Risk Movement Over Time"
for the financial year, then the risk detail table grouped by band, highest first.

The input is plain data (`riskapp.reports.pack_data`); nothing here touches Flask or the
database. Every piece of user text goes through `_markup()` (escaped, control characters
dropped) before it reaches a Paragraph, so text such as `<b>`, `<a href=...>` or `<img src=...>`
is printed literally and never becomes markup, a link or an image. Everything is written so it
reads on a black-and-white printout: bands are named in words next to their colour, and the
months carried forward without a review carry a dagger as well as a grey italic face.
"""

from __future__ import annotations

import logging
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache, partial
from typing import BinaryIO
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import reportlab
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..rules.scoring import CONSEQUENCE_WORDS, LIKELIHOOD_WORDS
from .pack_data import (
    BafPack,
    Band,
    MovementCell,
    PackAction,
    PackRisk,
    Score,
    band_for,
    format_priority,
)

__all__ = ["render_baf_pack"]

logger = logging.getLogger(__name__)

#: A control's effectiveness before anyone assesses it (riskapp.risks.models.NOT_YET_ASSESSED):
#: said once in the key rather than after every control.
NOT_YET_ASSESSED = "Not yet assessed"

LONDON = ZoneInfo("Europe/London")

# --------------------------------------------------------------------------------------------
# Page geometry and type
# --------------------------------------------------------------------------------------------

PAGE_SIZE = landscape(A4)
PAGE_W, PAGE_H = PAGE_SIZE
MARGIN_X = 10 * mm
MARGIN_TOP = 15 * mm
MARGIN_BOTTOM = 13 * mm
FRAME_W = PAGE_W - 2 * MARGIN_X
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM

BODY_SIZE = 7.6
BODY_LEADING = 9.3
SMALL_SIZE = 7.0

NHS_DARK_BLUE = colors.HexColor("#003087")
NHS_BLUE = colors.HexColor("#005EB8")
TEXT_GREY = colors.HexColor("#425563")
CARRIED_GREY = colors.HexColor("#4C4C4C")
RULE_GREY = colors.HexColor("#8A8A8A")
LIGHT_RULE = colors.HexColor("#B5B5B5")
OVERDUE_HEX = "#B00020"

FONT = "RiskappSans"
FONT_BOLD = "RiskappSans-Bold"
FONT_ITALIC = "RiskappSans-Italic"
FONT_BOLD_ITALIC = "RiskappSans-BoldItalic"

#: Detail table columns, as the source: heading and width in points (they add up to FRAME_W).
DETAIL_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Prefix", 52),  # wide enough for "CRR00123" in bold: a reference never wraps
    ("Risk Detail", 136),
    ("Initial Priority", 48),
    ("Controls Detail", 156),
    ("Controls Assurance Level Line of Assurance", 52),
    ("Controls Assurance Summary", 102),
    ("Current Priority", 48),
    ("Actions Action Details", 143.2),
    ("Target Priority", 48),
)
CELL_PAD = 3.0

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CARRIED_MARK = "\u2020"  # dagger: month carried forward without a review


# --------------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------------

_DEJAVU_DIR = "/usr/share/fonts/truetype/dejavu"
_FONT_FILES = {
    # DejaVu Sans is Bitstream Vera extended (same metrics, many more glyphs): use it when the
    # Debian package fonts-dejavu-core is there, else the Vera files reportlab always ships.
    "dejavu": (
        os.path.join(_DEJAVU_DIR, "DejaVuSans.ttf"),
        os.path.join(_DEJAVU_DIR, "DejaVuSans-Bold.ttf"),
        os.path.join(_DEJAVU_DIR, "DejaVuSans-Oblique.ttf"),
        os.path.join(_DEJAVU_DIR, "DejaVuSans-BoldOblique.ttf"),
    ),
    "vera": tuple(
        os.path.join(os.path.dirname(reportlab.__file__), "fonts", name)
        for name in ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf")
    ),
}


class _MeasuredFont(TTFont):
    """A TTF font that remembers the width of each string it has measured.

    Line breaking measures every word of every paragraph, one glyph at a time; in a long pack
    the same words come back again and again, and a dictionary lookup is far cheaper.
    """

    _CACHE_LIMIT = 200_000

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._widths: dict[str, float] = {}

    def stringWidth(self, text, size, encoding="utf8"):  # noqa: N802 - ReportLab's name
        if not isinstance(text, str):
            return super().stringWidth(text, size, encoding)
        width = self._widths.get(text)
        if width is None:
            if len(self._widths) > self._CACHE_LIMIT:
                self._widths.clear()
            width = self._widths[text] = super().stringWidth(text, 1000.0, encoding)
        return width * size / 1000.0


@lru_cache(maxsize=1)
def _register_fonts() -> str:
    """Embed a TTF family (regular, bold, italic, bold italic); return which one."""
    for family in ("dejavu", "vera"):
        files = _FONT_FILES[family]
        if all(os.path.isfile(path) for path in files):
            break
    else:  # pragma: no cover - reportlab always ships Vera
        raise RuntimeError("no TTF font found for the BAF pack")
    for name, path in zip((FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC), files):
        pdfmetrics.registerFont(_MeasuredFont(name, path))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
    )
    return family


# --------------------------------------------------------------------------------------------
# Text: user text is data, never markup
# --------------------------------------------------------------------------------------------

# C0/C1 controls (but tab and newline), lone surrogates, bidi overrides and other invisible
# format characters: none has a glyph, several upset PDF text extraction or the line breaker.
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2069\ufeff\ufffe\uffff]"
)
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_BLANK_LINES = re.compile(r"\n{3,}")


#: The most one cell prints of a text (issue 15): forms take 6,000 characters, but older or
#: imported text may be longer, and one huge cell would make the pack take minutes.
CELL_TEXT_LIMIT = 6_000


def _bounded(text: str) -> tuple[str, str]:
    """`text` cut at CELL_TEXT_LIMIT (at a space), and a note of what was left out, if any."""
    if len(text) <= CELL_TEXT_LIMIT:
        return text, ""
    cut = text[:CELL_TEXT_LIMIT].rsplit(" ", 1)[0] or text[:CELL_TEXT_LIMIT]
    return cut, (f" \u2026 [{len(text) - len(cut):,} more characters not printed: "
                 "the full text is in the risk register]")


def _plain(text: object) -> str:
    """Return user text as one printable line (for canvas drawing and sorting)."""
    if text is None:
        return ""
    text, more = _bounded(str(text))
    cleaned = _UNPRINTABLE.sub("", _NEWLINES.sub("\n", text))
    return " ".join(cleaned.split()) + more


def _markup(text: object) -> str:
    """Turn user text into safe Paragraph markup: escaped, line breaks kept, nothing else."""
    if text is None:
        return ""
    text, more = _bounded(str(text))
    cleaned = _UNPRINTABLE.sub("", _NEWLINES.sub("\n", text)).replace("\t", " ")
    cleaned = _BLANK_LINES.sub("\n\n", cleaned.strip()) + more
    # escape() handles & < >; quotes only matter inside attributes, which user text never is.
    return escape(cleaned).replace("\n", "<br/>")


def _fmt_date(value: date | None) -> str:
    if value is None:
        return "not set"
    return f"{value.day:02d} {MONTH_ABBR[value.month - 1]} {value.year}"


def _fmt_generated(value: datetime) -> str:
    local = value.astimezone(LONDON)
    return f"{_fmt_date(local.date())} {local:%H:%M} {local.tzname()}"


def _natural_key(ref: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower())
                 for part in re.split(r"(\d+)", ref) if part)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Cut `text` with an ellipsis so it fits `width` when drawn on the canvas."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "\u2026", font, size) > width:
        text = text[:-1]
    return text + "\u2026"


class _Para(Paragraph):
    """A Paragraph that keeps its line breaks for the width it was last wrapped to.

    A table measures each cell several times (sizing, splitting at every page, drawing), and
    Paragraph.wrap breaks the lines again each time; for a 500-risk pack that was most of the
    run time. Line breaking depends only on the width, so the result can be kept.
    """

    _wrapped_width: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # Paragraph.split drops blPara when it refuses to split: then break the lines again.
        if availWidth == self._wrapped_width and "blPara" in self.__dict__:
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_width = availWidth
        return size


# --------------------------------------------------------------------------------------------
# Colour
# --------------------------------------------------------------------------------------------

def _tint(colour_hex: str, strength: float) -> colors.Color:
    """Mix a band colour with white so black text on it stays readable in greyscale."""
    base = colors.HexColor(colour_hex if colour_hex.startswith("#") else "#" + colour_hex)
    return colors.Color(
        1 - (1 - base.red) * strength,
        1 - (1 - base.green) * strength,
        1 - (1 - base.blue) * strength,
    )


HEATMAP_TINT = 0.55
CELL_TINT = 0.38
UNBANDED = colors.white


def _band_tint(band: Band | None, strength: float) -> colors.Color:
    return _tint(band.colour_hex, strength) if band else UNBANDED


def _band_range(band: Band) -> str:
    return f"{band.min}\u2013{band.max}" if band.min != band.max else str(band.min)


# --------------------------------------------------------------------------------------------
# Styles
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Styles:
    body: ParagraphStyle
    body_bold: ParagraphStyle
    bullet: ParagraphStyle
    centre: ParagraphStyle
    head: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    note: ParagraphStyle


@lru_cache(maxsize=1)
def _styles() -> _Styles:
    _register_fonts()
    body = ParagraphStyle(
        "baf-body", fontName=FONT, fontSize=BODY_SIZE, leading=BODY_LEADING,
        # No single line of a paragraph left alone at the foot or head of a page.
        alignment=TA_LEFT, splitLongWords=1, allowWidows=0, allowOrphans=0,
    )
    return _Styles(
        body=body,
        body_bold=ParagraphStyle("baf-body-bold", parent=body, fontName=FONT_BOLD),
        bullet=ParagraphStyle("baf-bullet", parent=body, leftIndent=7, bulletIndent=0,
                              bulletFontName=FONT, spaceAfter=2.5),
        centre=ParagraphStyle("baf-centre", parent=body, alignment=TA_CENTER),
        head=ParagraphStyle("baf-head", parent=body, fontName=FONT_BOLD,
                            textColor=colors.white, leading=9),
        title=ParagraphStyle("baf-title", parent=body, fontName=FONT_BOLD, fontSize=17,
                             leading=21, textColor=NHS_DARK_BLUE),
        subtitle=ParagraphStyle("baf-subtitle", parent=body, fontName=FONT_BOLD, fontSize=11,
                                leading=14, textColor=NHS_BLUE),
        h1=ParagraphStyle("baf-h1", parent=body, fontName=FONT_BOLD, fontSize=12.5,
                          leading=16, textColor=NHS_DARK_BLUE, spaceBefore=4, spaceAfter=5),
        h2=ParagraphStyle("baf-h2", parent=body, fontName=FONT_BOLD, fontSize=9.5, leading=12,
                          textColor=NHS_DARK_BLUE, spaceAfter=3),
        note=ParagraphStyle("baf-note", parent=body, fontSize=SMALL_SIZE + 0.4, leading=9,
                            textColor=colors.black, spaceBefore=3),
    )


def _table_style(commands: list[tuple]) -> TableStyle:
    """A TableStyle whose plain-string cells use the embedded font, not Helvetica."""
    return TableStyle([("FONT", (0, 0), (-1, -1), FONT, BODY_SIZE, BODY_LEADING), *commands])


# --------------------------------------------------------------------------------------------
# Heatmap
# --------------------------------------------------------------------------------------------

Position = tuple[int, int]  # (consequence, likelihood)


class _Heatmap(Flowable):
    """A 5x5 matrix drawn on the canvas: likelihood across, consequence up.

    Each cell is shaded by band and names its score and band in words, then lists the risk
    references at that position. References that do not fit are counted ("+12 more") and
    listed in full under the heatmaps (`overflow`).
    """

    AXIS_W = 26.0
    TITLE_H = 16.0
    X_AXIS_H = 24.0
    PAD = 2.6
    HEAD_SIZE = 7.4
    REF_SIZE = 7.6
    REF_LEADING = 8.8

    def __init__(self, title: str, positions: dict[Position, list[str]],
                 bands: Sequence[Band], cell_w: float, cell_h: float) -> None:
        super().__init__()
        self.title = title
        self.bands = tuple(bands)
        self.cell_w = cell_w
        self.cell_h = cell_h
        self.width = self.AXIS_W + 5 * cell_w
        self.height = self.TITLE_H + 5 * cell_h + self.X_AXIS_H
        #: position -> (lines of references drawn, number left out)
        self._layout: dict[Position, tuple[list[str], int]] = {}
        #: position -> every reference, for the positions whose references did not all fit
        self.overflow: dict[Position, list[str]] = {}
        for position, refs in positions.items():
            lines, left_out = self._pack(refs)
            self._layout[position] = (lines, left_out)
            if left_out:
                self.overflow[position] = refs

    def _pack(self, refs: list[str]) -> tuple[list[str], int]:
        """Lay references out in lines that fit the cell; return the lines and how many are
        left out (shown as "+N more")."""
        inner = self.cell_w - 2 * self.PAD
        room = int((self.cell_h - 2 * self.PAD - self.HEAD_SIZE - 3) // self.REF_LEADING)

        def fits(items: list[str]) -> bool:
            return stringWidth(", ".join(items), FONT, self.REF_SIZE) <= inner

        lines: list[list[str]] = []
        too_wide = False
        for ref in refs:
            if not fits([ref]):
                too_wide = True  # listed in full under the heatmaps
                break
            if lines and fits(lines[-1] + [ref]):
                lines[-1].append(ref)
            else:
                lines.append([ref])
        if not too_wide and len(lines) <= room:
            return [", ".join(line) for line in lines], 0
        shown = lines[: max(room - 1, 0)]
        placed = sum(len(line) for line in shown)
        return [", ".join(line) for line in shown], len(refs) - placed

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        grid_x = self.AXIS_W
        grid_y = self.X_AXIS_H
        grid_w = 5 * self.cell_w
        grid_h = 5 * self.cell_h

        c.setFillColor(NHS_DARK_BLUE)
        c.setFont(FONT_BOLD, 9.5)
        c.drawString(grid_x, grid_y + grid_h + 5, _fit(self.title, FONT_BOLD, 9.5, grid_w))

        for consequence in range(1, 6):
            for likelihood in range(1, 6):
                self._draw_cell(consequence, likelihood,
                                grid_x + (likelihood - 1) * self.cell_w,
                                grid_y + (consequence - 1) * self.cell_h)

        c.setStrokeColor(colors.black)
        c.setLineWidth(0.9)
        c.rect(grid_x, grid_y, grid_w, grid_h, stroke=1, fill=0)

        # Axes: each rating with its words ("1 Rare", "5 Catastrophic"), as the heatmap page
        # and the score forms name them, and the axis titles, so the matrix reads alone.
        c.setFillColor(colors.black)
        c.setFont(FONT_BOLD, 7)
        for i in range(1, 6):
            c.drawCentredString(grid_x + (i - 0.5) * self.cell_w, grid_y - 10,
                                _fit(f"{i} {LIKELIHOOD_WORDS[i]}", FONT_BOLD, 7, self.cell_w - 2))
            c.saveState()
            c.translate(grid_x - 5, grid_y + (i - 0.5) * self.cell_h)
            c.rotate(90)
            c.drawCentredString(0, 0, _fit(f"{i} {CONSEQUENCE_WORDS[i]}", FONT_BOLD, 7,
                                           self.cell_h - 2))
            c.restoreState()
        c.setFont(FONT_BOLD, 8)
        c.drawCentredString(grid_x + grid_w / 2, grid_y - 21, "Likelihood")
        c.saveState()
        c.translate(8, grid_y + grid_h / 2)
        c.rotate(90)
        c.drawCentredString(0, 0, "Consequence")
        c.restoreState()

    def _draw_cell(self, consequence: int, likelihood: int, x: float, y: float) -> None:
        c = self.canv
        score = consequence * likelihood
        band = band_for(score, self.bands)
        lines, left_out = self._layout.get((consequence, likelihood), ([], 0))
        occupied = bool(lines) or left_out > 0

        c.setFillColor(_band_tint(band, HEATMAP_TINT if occupied else HEATMAP_TINT * 0.55))
        c.setStrokeColor(RULE_GREY)
        c.setLineWidth(0.5)
        c.rect(x, y, self.cell_w, self.cell_h, stroke=1, fill=1)

        inner = self.cell_w - 2 * self.PAD
        top = y + self.cell_h - self.PAD - self.HEAD_SIZE + 0.6
        # "20 High": the score and the band in words, so the cell reads in black and white.
        score_text = str(score)
        c.setFillColor(colors.black if occupied else CARRIED_GREY)
        c.setFont(FONT_BOLD, self.HEAD_SIZE + 0.6)
        c.drawString(x + self.PAD, top, score_text)
        used = stringWidth(score_text + " ", FONT_BOLD, self.HEAD_SIZE + 0.6)
        band_name = _plain(band.name) if band else "Unbanded"
        c.setFont(FONT, self.HEAD_SIZE)
        c.drawString(x + self.PAD + used, top,
                     _fit(band_name, FONT, self.HEAD_SIZE, inner - used))

        c.setFillColor(colors.black)
        c.setFont(FONT, self.REF_SIZE)
        line_y = top - self.REF_LEADING - 2
        for line in lines:
            c.drawString(x + self.PAD, line_y, line)
            line_y -= self.REF_LEADING
        if left_out:
            c.setFont(FONT_BOLD, self.REF_SIZE)
            more = f"+{left_out} more" if lines else f"{left_out} risks"
            c.drawString(x + self.PAD, line_y, _fit(more + " *", FONT_BOLD, self.REF_SIZE, inner))


def _positions(risks: Iterable[PackRisk], which: Callable[[PackRisk], Score | None]
               ) -> dict[Position, list[str]]:
    cells: dict[Position, list[str]] = defaultdict(list)
    for risk in risks:
        score = which(risk)
        if score is not None:
            cells[(score.consequence, score.likelihood)].append(_plain(risk.ref))
    return dict(cells)


def _band_key(pack: BafPack, styles: _Styles, swatch_w: float = 62) -> Table:
    """The legend: one swatch per band, each naming the band and its score range."""
    cells = []
    cmds: list[tuple] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for i, band in enumerate(sorted(pack.bands, key=lambda b: -b.min)):
        cells.append(_Para(f"<b>{_markup(band.name)}</b><br/>score {_band_range(band)}",
                               styles.centre))
        cmds += [("BACKGROUND", (i, 0), (i, 0), _tint(band.colour_hex, HEATMAP_TINT)),
                 ("BOX", (i, 0), (i, 0), 0.5, RULE_GREY)]
    table = Table([cells], colWidths=[swatch_w] * len(cells), hAlign="LEFT")
    table.setStyle(_table_style(cmds))
    return table


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------

def logo_image(png: bytes | None, max_w: float = 150, max_h: float = 40) -> Flowable | None:
    """The organisation's logo, scaled to fit `max_w` x `max_h` points, or None for none."""
    if not png:
        return None
    import io

    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image
    width, height = ImageReader(io.BytesIO(png)).getSize()
    scale = min(max_w / width, max_h / height)
    image = Image(io.BytesIO(png), width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return image


def _header(pack: BafPack, styles: _Styles) -> list[Flowable]:
    rows = [
        [_Para("<b>Organisation</b>", styles.body), _Para(_markup(pack.organisation),
                                                                  styles.body)],
        [_Para("<b>Register</b>", styles.body), _Para(_markup(pack.register_name),
                                                              styles.body)],
        [_Para("<b>As at</b>", styles.body),
         _Para(escape(f"End of {_fmt_date(_report_day(pack))}"), styles.body)],
        [_Para("<b>Generated date</b>", styles.body),
         _Para(escape(_fmt_generated(pack.generated_at)), styles.body)],
    ]
    # The register and financial year are shown elsewhere: do not repeat them as criteria.
    shown = {("register", _plain(pack.register_name)), ("financial year", _plain(pack.fy_label)),
             ("as at", _fmt_date(_report_day(pack)))}
    filters = [(label, value) for label, value in pack.filters.items()
               if (_plain(label).lower(), _plain(value)) not in shown]
    if filters:
        for i, (label, value) in enumerate(filters):
            rows.append([
                _Para("<b>Risk criteria</b>" if i == 0 else "", styles.body),
                _Para(f"<b>{_markup(label)}:</b> {_markup(value)}", styles.body),
            ])
    else:
        rows.append([_Para("<b>Risk criteria</b>", styles.body),
                     _Para("None: every risk on the register", styles.body)])
    meta_style = _table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, LIGHT_RULE),
    ])
    logo = logo_image(pack.logo)
    title_block = [
        *([logo, Spacer(1, 4)] if logo else []),
        _Para(_markup(pack.register_name), styles.title),
        _Para("HEATMAP REPORT", styles.subtitle),
        _Para(_markup(pack.organisation), styles.body_bold),
    ]
    meta = Table(rows, colWidths=[80, FRAME_W - 360 - 80], hAlign="LEFT")
    meta.setStyle(meta_style)
    side_by_side = _two_columns(title_block, [meta], 360, FRAME_W - 360)
    if side_by_side.wrap(FRAME_W, FRAME_H)[1] <= FRAME_H / 3:
        return [side_by_side, Spacer(1, 6)]
    # Unusually long names or criteria: one under the other, the criteria free to run on.
    meta = Table(rows, colWidths=[80, FRAME_W - 80], hAlign="LEFT", splitByRow=1, splitInRow=1)
    meta.setStyle(meta_style)
    return [*title_block, Spacer(1, 4), meta, Spacer(1, 6)]


def _two_columns(left: list[Flowable], right: list[Flowable], left_w: float, right_w: float,
                 gap: float = 0) -> Table:
    table = Table([[left, right]], colWidths=[left_w, right_w], hAlign="LEFT")
    table.setStyle(_table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (0, -1), gap),
        ("RIGHTPADDING", (1, 0), (1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def _summary_table(pack: BafPack, styles: _Styles) -> Table:
    """Count of risks per band at each position, and of overdue actions."""
    ordered = sorted(pack.bands, key=lambda b: -b.min)
    head = ["Band", "Initial", "Current", "Target"]
    rows: list[list] = [[_Para(f"<b>{h}</b>", styles.centre) for h in head]]
    cmds: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE_GREY),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EDEE")),
        ("FONT", (0, 1), (-1, -1), FONT, BODY_SIZE + 0.4),
        ("ALIGN", (1, 1), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]

    def count(band: Band | None, which: Callable[[PackRisk], Score | None]) -> str:
        n = 0
        for risk in pack.risks:
            score = which(risk)
            if score is None:
                continue
            if band_for(score.score, pack.bands) == band:
                n += 1
        return str(n)

    getters = (lambda r: r.initial, lambda r: r.current, lambda r: r.target)
    for band in ordered:
        rows.append([_Para(f"<b>{_markup(band.name)}</b> ({_band_range(band)})", styles.body)]
                    + [count(band, g) for g in getters])
        cmds.append(("BACKGROUND", (0, len(rows) - 1), (0, len(rows) - 1),
                     _tint(band.colour_hex, HEATMAP_TINT)))
    unbanded = [count(None, g) for g in getters]
    if any(n != "0" for n in unbanded):
        rows.append([_Para("<b>Unbanded</b>", styles.body)] + unbanded)
    no_target = sum(1 for r in pack.risks if r.target is None)
    rows.append([_Para("<b>Total</b>", styles.body), str(len(pack.risks)),
                 str(len(pack.risks)), str(len(pack.risks) - no_target)])
    cmds.append(("LINEABOVE", (0, -1), (-1, -1), 1, colors.black))
    table = Table(rows, colWidths=[96, 52, 52, 52], hAlign="LEFT")
    table.setStyle(_table_style(cmds))
    return table


def _heatmap_section(pack: BafPack, styles: _Styles) -> list[Flowable]:
    risks = sorted(pack.risks, key=lambda r: _natural_key(_plain(r.ref)))
    n = len(risks)
    current = _Heatmap(f"Current position ({n} risk{'s' if n != 1 else ''})",
                       _positions(risks, lambda r: r.current), pack.bands, 86, 64)
    initial = _Heatmap("Initial position", _positions(risks, lambda r: r.initial),
                       pack.bands, 71, 74)
    with_target = sum(1 for r in risks if r.target is not None)
    target = _Heatmap(f"Target position ({with_target} with a target)",
                      _positions(risks, lambda r: r.target), pack.bands, 71, 74)

    actions = [a for r in pack.risks for a in r.actions]
    overdue = sum(1 for a in actions if a.overdue)
    side: list[Flowable] = [
        _Para("Key", styles.h2),
        _band_key(pack, styles),
        _Para(
            "Each cell is a position on the 5\u00d75 matrix: consequence (1 Negligible to "
            "5 Catastrophic, up) \u00d7 likelihood (1 Rare to 5 Almost certain, across) = "
            "score. The cell gives the score and its band in words, then the references of the "
            "risks at that position. Scores are written <b>Band (consequence:likelihood="
            "score)</b>, e.g. High (4:5=20). A control's effectiveness is shown once it has "
            "been assessed; a control with none shown is not yet assessed.", styles.note),
        Spacer(1, 8),
        _Para("Risks by band", styles.h2),
        _summary_table(pack, styles),
        Spacer(1, 6),
        _Para(f"<b>Actions:</b> {len(actions)}, of which <b>{overdue} overdue</b>.",
                  styles.note),
    ]
    flow: list[Flowable] = [
        _Para("Heatmaps", styles.h1),
        _two_columns([current], side, current.width + 24, FRAME_W - current.width - 24),
        PageBreak(),
        _Para("Heatmaps: initial and target positions", styles.h1),
        _two_columns([initial], [target], FRAME_W / 2, FRAME_W / 2),
        Spacer(1, 2),
        _band_key(pack, styles),
    ]

    overflow_rows = []
    for heatmap, label in ((current, "Current"), (initial, "Initial"), (target, "Target")):
        for (c, lk), refs in sorted(heatmap.overflow.items(), key=lambda kv: -kv[0][0] * kv[0][1]):
            priority = format_priority(Score(c, lk), pack.bands)
            overflow_rows.append([
                _Para(label, styles.body),
                _Para(escape(priority), styles.body),
                _Para(f"{len(refs)}", styles.centre),
                _Para(_markup(", ".join(refs)), styles.body),
            ])
    if overflow_rows:
        header = [_Para(f"<b>{h}</b>", styles.head)
                  for h in ("Heatmap", "Position", "Risks", "References")]
        table = Table([header] + overflow_rows, colWidths=[60, 90, 40, FRAME_W - 190],
                      repeatRows=1, splitByRow=1, splitInRow=1, hAlign="LEFT")
        table.setStyle(_table_style([
            ("BACKGROUND", (0, 0), (-1, 0), NHS_DARK_BLUE),
            ("GRID", (0, 0), (-1, -1), 0.4, RULE_GREY),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        flow += [Spacer(1, 8), KeepTogether([
            _Para("* Positions with more risks than fit in the heatmap cell", styles.h2),
            table,
        ])]
    return flow


def _movement_section(pack: BafPack, styles: _Styles) -> list[Flowable]:
    """A row per risk, a column per month: the score in force at the month end."""
    risks = sorted(pack.risks, key=lambda r: _natural_key(_plain(r.ref)))
    months = len(pack.month_labels)
    ref_w, title_w = 52.0, 190.0
    month_w = (FRAME_W - ref_w - title_w) / max(months, 1)
    header = ["Ref", "Risk title"] + [_plain(label) for label in pack.month_labels]
    data: list[list] = [header]
    cmds: list[tuple] = [
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, BODY_SIZE, BODY_LEADING),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("BACKGROUND", (0, 0), (-1, 0), NHS_DARK_BLUE),
        ("FONT", (0, 1), (-1, -1), FONT, BODY_SIZE + 0.4, BODY_LEADING + 0.4),
        ("FONT", (0, 1), (0, -1), FONT_BOLD, BODY_SIZE + 0.4, BODY_LEADING + 0.4),
        ("ALIGN", (2, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE_GREY),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.8),
    ]
    any_carried = False
    for row_no, risk in enumerate(risks, start=1):
        cells: Sequence[MovementCell] = risk.movement or (MovementCell(None),) * months
        ref = _plain(risk.ref)
        # A string cell never wraps: a reference too long for the column goes in a Paragraph.
        ref_cell = ref if stringWidth(ref, FONT_BOLD, BODY_SIZE + 0.4) <= ref_w - 12 else \
            _Para(f"<b>{_markup(ref)}</b>", styles.body)
        row: list = [ref_cell, _Para(_markup(risk.title), styles.body)]
        run_start, run_band = None, None
        for col, cell in enumerate(cells, start=2):
            if cell.score is None:
                row.append("")
                band = None
            elif cell.reviewed:
                row.append(str(cell.score))
                band = band_for(cell.score, pack.bands)
            else:
                any_carried = True
                row.append(f"{cell.score}{CARRIED_MARK}")
                band = band_for(cell.score, pack.bands)
                cmds.append(("FONT", (col, row_no), (col, row_no), FONT_ITALIC,
                             BODY_SIZE + 0.4, BODY_LEADING + 0.4))
                cmds.append(("TEXTCOLOR", (col, row_no), (col, row_no), CARRIED_GREY))
            # One BACKGROUND command per run of months in the same band: far fewer commands.
            if band is not run_band:
                if run_band is not None:
                    cmds.append(("BACKGROUND", (run_start, row_no), (col - 1, row_no),
                                 _tint(run_band.colour_hex, CELL_TINT)))
                run_start, run_band = col, band
        if run_band is not None:
            cmds.append(("BACKGROUND", (run_start, row_no), (len(cells) + 1, row_no),
                         _tint(run_band.colour_hex, CELL_TINT)))
        data.append(row)
    if len(data) == 1:
        data.append(["", _Para("No risks match the filters.", styles.body)]
                    + [""] * months)
    table = Table(data, colWidths=[ref_w, title_w] + [month_w] * months, repeatRows=1,
                  splitByRow=1, hAlign="LEFT")
    table.setStyle(_table_style(cmds))
    legend = (
        "Each cell is the current score in force at the month end; cells are shaded by band. "
        f"<b>{CARRIED_MARK}</b> <i>in grey italics</i>: not reviewed that month, the last score "
        "carried forward. Blank: the risk was not yet on the register, or the month is after "
        f"the date of this report ({escape(_fmt_date(_report_day(pack)))})."
    )
    if not any_carried:
        legend += " Every month shown was reviewed."
    return [KeepTogether([
        _Para(f"Risk Movement Over Time ({_markup(pack.fy_label)})", styles.h1),
        table,
        _Para(legend, styles.note),
    ])]


class _Label(Flowable):
    """A few short lines drawn straight on the canvas, optionally as a coloured "badge".

    Used for the priorities and the lines of assurance: thousands of tiny cells in a long pack,
    where a Paragraph's markup parsing and line breaking is most of the cost. The text is
    drawn with drawString, so it is never interpreted as markup either.
    """

    PAD = 2.0

    def __init__(self, lines: Sequence[tuple[str, str]], *, fill: colors.Color | None = None,
                 centred: bool = False, size: float = BODY_SIZE, leading: float = BODY_LEADING,
                 colour: colors.Color = colors.black) -> None:
        super().__init__()
        self.lines = [(font, _plain(text)) for font, text in lines]
        self.fill = fill
        self.centred = centred
        self.size = size
        self.leading = leading
        self.colour = colour
        self._laid: list[tuple[str, str]] = []
        self._laid_for: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if availWidth == self._laid_for:
            return self.width, self.height
        self.width = self._laid_for = availWidth
        room = availWidth - (2 * self.PAD if self.fill else 0)
        laid = []
        for font, text in self.lines:
            # Wrap on spaces; a word still too wide is cut with an ellipsis.
            for part in simpleSplit(text, font, self.size, room) or [""]:
                laid.append((font, _fit(part, font, self.size, room)))
        self._laid = laid
        pad = 2 * self.PAD if self.fill else 0
        self.height = len(laid) * self.leading + pad
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        c = self.canv
        if self.fill is not None:
            c.setFillColor(self.fill)
            c.setStrokeColor(RULE_GREY)
            c.setLineWidth(0.5)
            c.rect(0, 0, self.width, self.height, stroke=1, fill=1)
        c.setFillColor(self.colour)
        pad = self.PAD if self.fill else 0
        y = self.height - pad - self.size
        for font, text in self._laid:
            c.setFont(font, self.size)
            if self.centred:
                c.drawCentredString(self.width / 2, y, text)
            else:
                c.drawString(pad, y, text)
            y -= self.leading


Segment = tuple[str, str, colors.Color]  # font, text, colour
_WORD = re.compile(r"(\s*)(\S+)")
_SPACES = re.compile(r"\s+")


class _Fields(Flowable):
    """Lines of "Label: value" drawn on the canvas, bold labels, values wrapped at spaces.

    The metadata under each risk and action (owner, lead, status; assignee, target, status).
    As Paragraph markup these mixed-font lines cost ReportLab a fifth of a long pack's time;
    here they are laid out once per width. User text is drawn as it is, never as markup, and
    a word wider than the column is broken, never cut. Splits between lines across pages.
    """

    def __init__(self, rows: Sequence[Sequence[Segment]] = (), *, size: float = BODY_SIZE,
                 leading: float = BODY_LEADING,
                 laid: tuple[float, list[list[tuple[str, str, colors.Color, float]]]] | None = None
                 ) -> None:
        super().__init__()
        # Whitespace collapsed, but a space at either end kept: it separates the segments.
        self.rows = [[(font, _SPACES.sub(" ", _UNPRINTABLE.sub("", str(text))), colour)
                      for font, text, colour in row] for row in rows]
        self.size = size
        self.leading = leading
        self._laid_for, self._lines = laid if laid else (None, [])
        self.width = self._laid_for or 0
        self.height = len(self._lines) * leading

    def _layout(self, width: float) -> list[list[tuple[str, str, colors.Color, float]]]:
        size = self.size
        lines: list[list[tuple[str, str, colors.Color, float]]] = []
        for row in self.rows:
            line: list[tuple[str, str, colors.Color, float]] = []
            x = 0.0
            pending_space = False  # the previous segment ended with a space
            for font, text, colour in row:
                for match in _WORD.finditer(text):
                    spaced = bool(match.group(1)) or pending_space
                    pending_space = False
                    # The space is drawn in the font of the text before it.
                    space = stringWidth(" ", line[-1][0], size) if spaced and line else 0
                    word = match.group(2)
                    w = stringWidth(word, font, size)
                    if line and x + space + w > width:
                        lines.append(line)
                        line, x, space = [], 0.0, 0
                    while w > width:  # a word wider than the column: break it, keep it all
                        cut = len(word) - 1
                        while cut > 1 and stringWidth(word[:cut], font, size) > width - x:
                            cut -= 1
                        line.append((font, word[:cut], colour, x))
                        lines.append(line)
                        line, x, space = [], 0.0, 0
                        word = word[cut:]
                        w = stringWidth(word, font, size)
                    # Merge with the previous piece when font and colour match: one string
                    # per run keeps the PDF small and the text extractable as it reads.
                    if line and line[-1][0] == font and line[-1][2] == colour:
                        prev = line[-1]
                        line[-1] = (font, prev[1] + (" " if space else "") + word, colour, prev[3])
                    else:
                        if space and line:
                            # Draw the space too, so text extraction keeps the words apart.
                            prev = line[-1]
                            line[-1] = (prev[0], prev[1] + " ", prev[2], prev[3])
                        line.append((font, word, colour, x + space))
                    x += space + w
                if text[-1:].isspace():
                    pending_space = True
            lines.append(line)
        return lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._laid_for != availWidth and self.rows:
            self._lines = self._layout(availWidth)
            self._laid_for = availWidth
        self.width = availWidth
        self.height = len(self._lines) * self.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        fit = int(availHeight // self.leading)
        if fit <= 0:
            return []
        if fit >= len(self._lines):
            return [self]
        return [_Fields(size=self.size, leading=self.leading,
                        laid=(availWidth, self._lines[:fit])),
                _Fields(size=self.size, leading=self.leading,
                        laid=(availWidth, self._lines[fit:]))]

    def draw(self) -> None:
        # One text object per line: the pieces follow each other as the layout measured them,
        # and text extraction reads "Owner: Anne" as the words it is.
        c = self.canv
        y = self.height - self.size
        for line in self._lines:
            text = c.beginText(0, y)
            for font, piece, colour, _x in line:
                text.setFont(font, self.size)
                text.setFillColor(colour)
                text.textOut(piece)
            c.drawText(text)
            y -= self.leading


def _field(label: str, value: str | None, missing: str = "not set") -> list[Segment]:
    text = _plain(value)
    return [(FONT_BOLD, f"{label}: ", colors.black),
            (FONT if text else FONT_ITALIC, text or missing, colors.black)]


def _priority_cell(score: Score | None, bands: Sequence[Band], styles: _Styles) -> Flowable:
    """The priority as the source writes it, `High (4:5=20)`, on the band's colour."""
    if score is None:
        return _Label([(FONT_ITALIC, "Not set")], centred=True)
    band = band_for(score.score, bands)
    return _Label(
        [(FONT_BOLD, band.name if band else "Unbanded"),
         (FONT, f"({score.consequence}:{score.likelihood}={score.score})")],
        fill=_tint(band.colour_hex, CELL_TINT + 0.1) if band else None, centred=True)


class _RefParagraph(_Para):
    """The reference cell of a risk row; knows what to show when the row runs onto a new page."""

    def __init__(self, text: str, style: ParagraphStyle,
                 continuation: Callable[[], dict[int, list[Flowable]]]) -> None:
        super().__init__(text, style)
        self.continuation = continuation


def _is_blank(cell: object) -> bool:
    return cell is None or cell == "" or (isinstance(cell, (list, tuple)) and not cell)


class _RiskTable(Table):
    """A table whose rows split across pages only when they could not fit on a page anyway.

    ReportLab's Table with splitInRow first splits between rows, then goes on to split the
    next row into the space left on the same page, printing the repeated headers again in
    the middle of the page. Here a row that would fit on a fresh page goes to the next page
    whole unless that would leave much of this page empty; a row taller than a page is split.
    The continuation names the risk and repeats its priorities.
    """

    #: Height of the page frame the table flows in (a class attribute: ReportLab builds the
    #: split parts with the table's class and the standard arguments only).
    frame_height: float = FRAME_H
    #: Split a row that would fit a page only into at least this much free space, and only
    #: when at least half of this would run onto the next page.
    min_split_space: float = 0.4 * FRAME_H
    #: Never leave less than this of a row at the foot of a page.
    min_fragment: float = 60.0

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._calc(availWidth, availHeight)
        if self.splitInRow and self._split_inside_row(availHeight):
            parts = self._splitRows(availHeight, doInRowSplit=1)
            if len(parts) == 2:
                repeat = self._repeat_count()
                # The row that was split is the first body row of the second part.
                row = self._getFirstPossibleSplitRowPosition(availHeight, ignoreSpans=1)
                self._label_continuation(self._cellvalues[row][0], parts[1], repeat)
                return parts
        return self._splitRows(availHeight, doInRowSplit=0)

    def _repeat_count(self) -> int:
        return self.repeatRows if isinstance(self.repeatRows, int) else len(self.repeatRows)

    def _split_inside_row(self, avail: float) -> bool:
        """Tell whether to split the first row that does not fit rather than move it on."""
        heights = self._rowHeights
        repeat = self._repeat_count()
        n = self._getFirstPossibleSplitRowPosition(avail, ignoreSpans=1)
        if n < repeat or n >= len(heights) or heights[n] is None:
            return False
        free = avail - sum(heights[:n])
        row = heights[n]
        if free < self.min_fragment:
            return False  # a sliver of a row at the foot of a page helps nobody
        if sum(heights[:repeat]) + row > self.frame_height:
            return True  # it cannot fit whole on any page
        return free >= self.min_split_space and row - free >= self.min_split_space / 2

    @staticmethod
    def _label_continuation(ref_cell: object, rest: Table, row: int) -> None:
        cells = ref_cell if isinstance(ref_cell, (list, tuple)) else [ref_cell]
        tag = next((c for c in cells if isinstance(c, _RefParagraph)), None)
        if tag is None:
            return
        values = rest._cellvalues[row]
        for col, content in tag.continuation().items():
            if _is_blank(values[col]):
                values[col] = content
        rest._argH[row] = None  # new content: measure the row again


def _line_label(line: int) -> str:
    return {1: "1st line", 2: "2nd line", 3: "3rd line"}.get(line, f"Line {line}")


def _action_flowables(action: PackAction, styles: _Styles) -> list[Flowable]:
    """An action as the source lists it: detail, assignee, target date and status."""
    detail = _Para(_markup(action.detail) or "<i>No detail</i>", styles.body)
    detail.spaceAfter = 0.5
    status = [(FONT_BOLD, " \u00b7 Status: ", colors.black),
              (FONT, _plain(action.status) or "not set", colors.black)]
    if action.overdue:
        status.append((FONT_BOLD, " \u00b7 OVERDUE", colors.HexColor(OVERDUE_HEX)))
    if action.completed_on:
        status += [(FONT_BOLD, " \u00b7 Completed: ", colors.black),
                   (FONT, _fmt_date(action.completed_on), colors.black)]
    meta = _Fields([
        _field("Assignee", action.assignee, "not assigned"),
        [(FONT_BOLD, "Variable Target: ", colors.black),
         (FONT, _fmt_date(action.target_date), colors.black), *status],
    ])
    meta.spaceAfter = 4.5
    return [detail, meta]


class _Columns:
    """Inner widths of the detail table's columns, for measuring paragraphs."""

    def __init__(self) -> None:
        self.widths = [w for _, w in DETAIL_COLUMNS]
        self.inner = [w - 2 * CELL_PAD for w in self.widths]


def _risk_row(risk: PackRisk, bands: Sequence[Band], styles: _Styles, cols: _Columns) -> list:
    detail = [
        # The source's labels, which board members know: "Risk Title:", "Risk Owner:"...
        _Para(f"<b>Risk Title:</b> <b>{_markup(risk.title)}</b>", styles.body),
        _Para("<b>Risk Description:</b> " + (_markup(risk.description) or "<i>none</i>"),
              styles.body),
        _Fields([_field("Risk Owner", risk.owner), _field("Risk Lead", risk.lead),
                 _field("Status", risk.status)]),
    ]
    detail[0].spaceAfter = 2.5
    detail[1].spaceAfter = 3

    controls: list[Flowable] = []
    for control in risk.controls:
        extra = []
        if _plain(control.owner):
            extra.append(f"Owner: {_markup(control.owner)}")
        # Said once in the key: a control with no effectiveness shown is not yet assessed.
        if _plain(control.effectiveness) and control.effectiveness != NOT_YET_ASSESSED:
            extra.append(f"Effectiveness: {_markup(control.effectiveness)}")
        text = _markup(control.description)
        if extra:
            text += f' ({"; ".join(extra)})'
        controls.append(_Para(text, styles.bullet, bulletText="\u2022"))
    if not controls:
        controls = [_Para("<i>None recorded</i>", styles.body)]

    lines: list[Flowable] = []
    summaries: list[Flowable] = []
    for assurance in risk.assurances:
        summary_text = _markup(assurance.source)
        if assurance.positive is True:
            summary_text += " (positive)"
        elif assurance.positive is False:
            summary_text += " (NEGATIVE)"
        line = _Label([(FONT, _line_label(assurance.line))])
        summary = _Para(summary_text, styles.body)
        # Keep each line of assurance level with its summary in the next column.
        h_line = BODY_LEADING
        _, h_summary = summary.wrap(cols.inner[5], 1e6)
        gap = 3.0
        line.spaceAfter = gap + max(0.0, h_summary - h_line)
        summary.spaceAfter = gap + max(0.0, h_line - h_summary)
        lines.append(line)
        summaries.append(summary)
    if not summaries:
        summaries = [_Para("<i>None recorded</i>", styles.body)]
        lines = [_Label([(FONT, "\u2013")])]

    actions: list[Flowable] = []
    for action in risk.actions:
        actions += _action_flowables(action, styles)
    if not actions:
        actions = [_Para("<i>None recorded</i>", styles.body)]

    def continuation() -> dict[int, list[Flowable]]:
        return {
            0: [_RefParagraph(f"<b>{_markup(risk.ref)}</b><br/><i>continued</i>", styles.body,
                              continuation)],
            1: [_Para(f"<b>{_markup(risk.title)}</b> <i>(continued)</i>", styles.body)],
            2: [_priority_cell(risk.initial, bands, styles)],
            6: [_priority_cell(risk.current, bands, styles)],
            8: [_priority_cell(risk.target, bands, styles)],
        }

    return [
        [_RefParagraph(f"<b>{_markup(risk.ref)}</b>", styles.body, continuation)],
        detail,
        _priority_cell(risk.initial, bands, styles),
        controls,
        lines,
        summaries,
        _priority_cell(risk.current, bands, styles),
        actions,
        _priority_cell(risk.target, bands, styles),
    ]


def _corrections_section(pack: BafPack, styles: _Styles) -> list[Flowable]:
    """Corrections of the record (issue 14): printed as such, so a reader comparing this pack
    with an earlier one sees why the history differs."""
    if not pack.corrections:
        return []
    return [_Para("Corrections to the record", styles.h1)] + [
        _Para(_markup(line), styles.body) for line in pack.corrections] + [Spacer(1, 10)]


def _detail_section(pack: BafPack, styles: _Styles) -> list[Flowable]:
    """The risk detail table, one table per band (highest band first), as the source."""
    cols = _Columns()
    groups: dict[Band | None, list[PackRisk]] = defaultdict(list)
    for risk in pack.risks:
        groups[band_for(risk.current.score, pack.bands)].append(risk)
    order: list[Band | None] = sorted(pack.bands, key=lambda b: (-b.max, -b.min))
    if None in groups:
        order.append(None)

    flow: list[Flowable] = [_Para("Risk detail by band", styles.h1)]
    header = [_Para(escape(name), styles.head) for name, _ in DETAIL_COLUMNS]
    for band in order:
        risks = groups.get(band)
        if not risks:
            continue
        # In the register's reference order, as the source lists them.
        risks = sorted(risks, key=lambda r: _natural_key(_plain(r.ref)))
        count = f"{len(risks)} risk{'s' if len(risks) != 1 else ''}"
        if band is None:
            heading = f"Unbanded \u2014 current score outside every band \u00b7 {count}"
        else:
            heading = (f"{_plain(band.name)} \u2014 current score {_band_range(band)} "
                       f"\u00b7 {count}")
        # A plain string drawn across the empty cells of the row, not a SPAN: ReportLab
        # recomputes every span at each page split, which is slow for long tables.
        heading = _fit(heading, FONT_BOLD, 9.5, FRAME_W - 2 * CELL_PAD)
        rows: list[list] = [[heading] + [""] * 8, header]
        cmds: list[tuple] = [
            ("FONT", (0, 0), (0, 0), FONT_BOLD, 9.5, 12),
            ("BACKGROUND", (0, 0), (-1, 0), _band_tint(band, HEATMAP_TINT)),
            ("BOX", (0, 0), (-1, 0), 0.8, colors.black),
            ("BACKGROUND", (0, 1), (-1, 1), NHS_DARK_BLUE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, 0), 4),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
            ("INNERGRID", (0, 1), (-1, -1), 0.4, RULE_GREY),
            ("BOX", (0, 1), (-1, -1), 0.6, RULE_GREY),
            # Style commands cover all rows at once: per-row commands would be copied at
            # every page split, which made long registers slow.
            ("LINEBELOW", (0, 2), (-1, -1), 0.8, colors.black),
        ]
        rows += [_risk_row(risk, pack.bands, styles, cols) for risk in risks]
        table = _RiskTable(rows, colWidths=cols.widths, repeatRows=2, splitByRow=1,
                           splitInRow=1, hAlign="LEFT")
        table.setStyle(_table_style(cmds))
        flow += [table, Spacer(1, 10)]
    if len(flow) == 1:
        flow.append(_Para("No risks match the filters.", styles.body))
    return flow


# --------------------------------------------------------------------------------------------
# Cover paper summary and assurance map (issue 18)
# --------------------------------------------------------------------------------------------

#: Light tints for each assurance state; the words are always printed too.
STATE_TINTS = {"positive": "#e5f2eb", "expiring": "#fff9c4", "not judged": "#f0f4f5",
               "negative": "#fbe9e8", "expired": "#fdf0e0", "missing": "#ffffff"}
LINE_HEADS = ("1st line (management)", "2nd line (oversight)", "3rd line (independent)")


def _cover_section(pack: BafPack, styles: _Styles) -> list[Flowable]:
    cover = pack.cover
    flow: list[Flowable] = [_Para(escape(cover.title), styles.title),
                            _Para(f"Summary of changes, {escape(cover.covers)}", styles.subtitle),
                            Spacer(1, 6), _Para("Executive summary", styles.h1)]
    flow += [_Para(escape(line), styles.body) for line in cover.lines]
    flow += [Spacer(1, 6), _Para("Recommendation", styles.h1),
             _Para(escape(cover.recommendation), styles.body),
             Spacer(1, 4),
             _Para("The full cover paper, with every change and the record behind it, is "
                   "available as an editable Word document (Reports, Cover paper).", styles.note),
             PageBreak()]
    return flow


def _state_table(rows: list[list], widths: list[float], states: list[list[str]],
                 first_state_col: int) -> Table:
    cmds: list[tuple] = [
        ("BACKGROUND", (0, 0), (-1, 0), NHS_DARK_BLUE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE_GREY),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE_GREY),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
    ]
    for r, row_states in enumerate(states, start=1):
        for c, state in enumerate(row_states):
            cmds.append(("BACKGROUND", (first_state_col + c, r), (first_state_col + c, r),
                         colors.HexColor(STATE_TINTS.get(state, "#ffffff"))))
    table = Table(rows, colWidths=widths, repeatRows=1, splitByRow=1, hAlign="LEFT")
    table.setStyle(_table_style(cmds))
    return table


def _assurance_section(pack: BafPack, styles: _Styles) -> list[Flowable]:
    flow: list[Flowable] = [PageBreak(), _Para("Assurance map", styles.h1), _Para(
        "Each risk by line of assurance. Each cell says whether the line holds positive, "
        "negative, expiring or expired assurance, or none (missing). Computed gaps come from "
        "the assurance rules in force on the report date, each naming its rule. A quorate "
        "committee item whose minutes are approved counts as 2nd-line assurance.", styles.body),
        Spacer(1, 3)]
    flow += [_Para(escape(rule), styles.bullet, bulletText="\u2022")
             for rule in pack.assurance_rules] or [
        _Para("No assurance rules were in force on the report date.", styles.body)]
    flow.append(Spacer(1, 5))
    head = [_Para(escape(h), styles.head) for h in ("Risk", *LINE_HEADS, "Computed gaps in assurance")]
    ref_w, line_w = 150, 88
    widths = [ref_w, line_w, line_w, line_w, FRAME_W - ref_w - 3 * line_w]
    rows, states = [head], []
    for row in pack.assurance_map:
        gaps = row.gaps or ("None",)
        rows.append([_Para(f"<b>{escape(row.ref)}</b> {escape(row.title)}", styles.body),
                     *[_Para(escape(c.words), styles.body_bold) for c in row.lines],
                     [_Para(escape(g), styles.bullet, bulletText="\u2022") for g in gaps]])
        states.append([c.state for c in row.lines])
    flow.append(_state_table(rows, widths, states, 1))
    flow += [PageBreak(), _Para("Controls by line of assurance", styles.h1), _Para(
        "For each risk, the assurance covering each control, by line.", styles.body),
        Spacer(1, 5)]
    head = [_Para(escape(h), styles.head) for h in ("Risk", "Control", *LINE_HEADS)]
    ref_w, line_w = 60, 100
    widths = [ref_w, FRAME_W - ref_w - 3 * line_w, line_w, line_w, line_w]
    rows, states = [head], []
    for row in pack.assurance_map:
        for control in row.controls:
            label = control.control or "Assurance naming no control"
            rows.append([_Para(f"<b>{escape(row.ref)}</b>", styles.body),
                         _Para(escape(label), styles.body),
                         *[_Para(escape(c.words), styles.body_bold) for c in control.lines]])
            states.append([c.state for c in control.lines])
    if len(rows) == 1:
        flow.append(_Para("No controls recorded.", styles.body))
    else:
        flow.append(_state_table(rows, widths, states, 2))
    return flow


# --------------------------------------------------------------------------------------------
# Page furniture and document
# --------------------------------------------------------------------------------------------

class _NumberedCanvas(Canvas):
    """Hold every page until the end so the footer can say "Page x of y"."""

    def __init__(self, *args, footer_left: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._footer_left = footer_left
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        self.saveState()
        self.setFont(FONT, 7.5)
        self.setFillColor(TEXT_GREY)
        y = MARGIN_BOTTOM - 8 * mm
        self.setStrokeColor(LIGHT_RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN_X, y + 9, PAGE_W - MARGIN_X, y + 9)
        page_text = f"Page {self._pageNumber} of {total}"
        self.drawRightString(PAGE_W - MARGIN_X, y, page_text)
        room = FRAME_W - stringWidth(page_text, FONT, 7.5) - 20
        self.drawString(MARGIN_X, y, _fit(self._footer_left, FONT, 7.5, room))
        self.restoreState()


def draw_running_header(canvas: Canvas, title: str, generated_at) -> None:
    """Draw the header of every page after the first: the title left, the generation time right."""
    if canvas.getPageNumber() == 1:
        return  # the first page carries the full header
    canvas.saveState()
    y = PAGE_H - MARGIN_TOP + 5 * mm
    canvas.setFillColor(NHS_DARK_BLUE)
    right = f"Generated {_fmt_generated(generated_at)}"
    canvas.setFont(FONT, 7.5)
    canvas.drawRightString(PAGE_W - MARGIN_X, y, right)
    room = FRAME_W - stringWidth(right, FONT, 7.5) - 20
    canvas.setFont(FONT_BOLD, 8)
    canvas.drawString(MARGIN_X, y, _fit(title, FONT_BOLD, 8, room))
    canvas.setStrokeColor(NHS_BLUE)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN_X, y - 4, PAGE_W - MARGIN_X, y - 4)
    canvas.restoreState()


def _report_day(pack: BafPack):
    """The day the report is as at: its as-at date, or the day it was generated."""
    return pack.as_of or pack.generated_at.astimezone(LONDON).date()


def _as_at_words(pack: BafPack) -> str:
    return f"as at {_fmt_date(_report_day(pack))}"


def _on_page(pack: BafPack, canvas: Canvas, doc: BaseDocTemplate) -> None:
    draw_running_header(
        canvas, f"{_plain(pack.register_name)} \u2014 Heatmap report {_as_at_words(pack)} "
        f"({_plain(pack.fy_label)})", pack.generated_at)


def render_baf_pack(pack: BafPack, out: BinaryIO) -> None:
    """Write the BAF pack (heatmap report) for `pack` to `out` as a PDF."""
    styles = _styles()
    title = f"{_plain(pack.register_name)} \u2014 Heatmap report {_as_at_words(pack)}"
    doc = BaseDocTemplate(
        out,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=_plain(pack.author),
        subject=f"{_plain(pack.organisation)}: Board Assurance Framework heatmap report "
                f"({_plain(pack.fy_label)})",
        creator="riskapp",
        keywords=["Board Assurance Framework", "BAF", "heatmap", "risk register"],
        pageCompression=1,
        displayDocTitle=1,
        lang="en-GB",
        # Otherwise the canvas starts in Helvetica, a font that would be listed, not embedded.
        initialFontName=FONT,
        initialFontSize=BODY_SIZE,
    )
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_W, FRAME_H,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame],
                                       onPage=partial(_on_page, pack))])
    story: list[Flowable] = []
    if pack.cover is not None:
        story += _cover_section(pack, styles)
    story += _header(pack, styles)
    story += _heatmap_section(pack, styles)
    story += _movement_section(pack, styles)
    story.append(PageBreak())
    story += _detail_section(pack, styles)
    story += _corrections_section(pack, styles)
    if pack.assurance_map:
        story += _assurance_section(pack, styles)
    # The footnote says what the pack is as at; when it was generated is printed apart (the
    # first page and the running header), so two prints of the same as-at day read the same.
    footer = f"{_plain(pack.organisation)} \u00b7 {_plain(pack.register_name)} \u00b7 " \
             f"{_as_at_words(pack)}"
    # Binary (Flate only) streams: ASCII85 on top makes the file a fifth bigger and costs a
    # few per cent of the time. The setting is process-wide, so it is restored at once; a
    # render in another thread meanwhile still writes valid PDF either way.
    saved_a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        doc.build(story, canvasmaker=partial(_NumberedCanvas, footer_left=footer))
    finally:
        rl_config.useA85 = saved_a85
    logger.info("BAF pack rendered: %d risks, %d pages", len(pack.risks), doc.page)
