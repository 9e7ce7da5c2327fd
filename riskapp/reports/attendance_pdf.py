"""Render a committee's attendance report for one financial year as PDF (issue 5).

The same figures as the attendance page and its CSV (`riskapp.meetings.services.
attendance_report`): per member, the meetings attended of those held while a member; meetings
where a named deputy came instead are shown beside it and are not counted as the member's own;
a member below the terms of reference threshold (PCCAC: 75%) is flagged in words ("Below 75%")
as well as by shading, so the flag survives a black-and-white printout.

The input is plain data (`AttendanceSheet`); nothing here touches Flask or the database.
House style, fonts, escaping and the "Page x of y" footer come from the BAF pack renderer
(`riskapp.reports.baf_pdf`), imported rather than copied: its helpers are private there, so
this module imports them by their underscore names on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Spacer, Table

from .baf_pdf import (
    logo_image,
    FONT,
    draw_running_header,
    FONT_BOLD,
    FRAME_H,
    FRAME_W,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    NHS_BLUE,
    NHS_DARK_BLUE,
    PAGE_SIZE,
    RULE_GREY,
    _fmt_generated,
    _markup,
    _NumberedCanvas,
    _Para,
    _plain,
    _register_fonts,
    _table_style,
)

__all__ = ["AttendanceRow", "AttendanceSheet", "from_report", "render_attendance",
           "attendance_filename"]


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AttendanceRow:
    """One member's year."""

    name: str
    positions: tuple[str, ...]
    held: int               #: meetings held while a member
    attended: int           #: in person or remotely, themselves
    percent: int | None     #: attended of held, rounded; None when nothing was held
    by_deputy: int          #: represented by a named deputy: beside, not counted as theirs
    apologies: int
    below_threshold: bool


@dataclass(frozen=True)
class AttendanceSheet:
    committee_name: str
    committee_label: str    #: short name (e.g. PCCAC), for the running header and file name
    fy_label: str           #: e.g. "2023/24"
    threshold_percent: int
    generated_at: datetime  #: timezone-aware
    rows: tuple[AttendanceRow, ...]
    organisation: str = ""
    author: str = ""
    #: The organisation's logo (PNG) at the top of the first page; None for none.
    logo: bytes | None = None
    #: Corrections to approved minutes of the year's meetings, in words ("16 Nov 2023:
    #: Attendance of …"): the figures use the corrected record.
    corrections: tuple[str, ...] = ()

    @property
    def below_count(self) -> int:
        return sum(1 for row in self.rows if row.below_threshold)


def below(percent: int | None, threshold: int) -> bool:
    """The rule of the page and the CSV: a member below the threshold (nothing held: not)."""
    return percent is not None and percent < threshold


def from_report(lines: Iterable, threshold: int, *, committee_name: str, committee_label: str,
                fy_label: str, generated_at: datetime, organisation: str = "",
                author: str = "", logo: bytes | None = None,
                corrections: tuple[str, ...] = ()) -> AttendanceSheet:
    """Copy `attendance_report()`'s lines (each with .member .held .attended .percent
    .by_deputy .apologies) into plain data."""
    rows = tuple(
        AttendanceRow(
            name=line.member.name, positions=tuple(line.member.positions or ()),
            held=line.held, attended=line.attended, percent=line.percent,
            by_deputy=line.by_deputy, apologies=line.apologies,
            below_threshold=below(line.percent, threshold))
        for line in lines)
    return AttendanceSheet(committee_name=committee_name, committee_label=committee_label,
                           fy_label=fy_label, threshold_percent=threshold,
                           generated_at=generated_at, rows=rows, organisation=organisation,
                           author=author, logo=logo, corrections=tuple(corrections))


def attendance_filename(sheet: AttendanceSheet) -> str:
    """e.g. "PCCAC-attendance-2023-24.pdf": letters, digits and dashes only."""
    label = "".join(ch if ch.isalnum() else "-" for ch in _plain(sheet.committee_label))
    fy = sheet.fy_label.replace("/", "-")
    return f"{label.strip('-') or 'committee'}-attendance-{fy}.pdf"


# --------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------

# A report a chair reads at the table: larger type than the BAF pack's detail table.
SIZE = 9.5
LEADING = 12.0
BELOW_HEX = "#B00020"   # text colour of the flag (with the words, never alone)
BELOW_FILL = colors.HexColor("#FBE3E6")
CELL_PAD = 4.0

#: (heading, width in points); the widths add up to FRAME_W.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("Member", 140),
    ("Position(s)", 252),  # "Clinical Representative (primary care leadership) 2" on a line
    ("Meetings held while a member", 70),
    ("Attended", 54),
    ("Attendance", 64),
    ("Represented by a deputy", 70),
    ("Apologies", 58),
    ("Against the threshold", FRAME_W - 708),  # 77: "Below 100%" in bold on one line
)
NUMERIC = range(2, 7)


@dataclass(frozen=True)
class _Styles:
    body: ParagraphStyle
    bold: ParagraphStyle
    number: ParagraphStyle
    head: ParagraphStyle
    head_number: ParagraphStyle
    flag: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    note: ParagraphStyle


@lru_cache(maxsize=1)
def _styles() -> _Styles:
    _register_fonts()
    body = ParagraphStyle("att-body", fontName=FONT, fontSize=SIZE, leading=LEADING,
                          splitLongWords=1)
    head = ParagraphStyle("att-head", parent=body, fontName=FONT_BOLD, fontSize=8.5,
                          leading=10.5, textColor=colors.white)
    return _Styles(
        body=body,
        bold=ParagraphStyle("att-bold", parent=body, fontName=FONT_BOLD),
        number=ParagraphStyle("att-number", parent=body, alignment=TA_RIGHT),
        head=head,
        head_number=ParagraphStyle("att-head-number", parent=head, alignment=TA_RIGHT),
        flag=ParagraphStyle("att-flag", parent=body, fontName=FONT_BOLD,
                            textColor=colors.HexColor(BELOW_HEX)),
        title=ParagraphStyle("att-title", parent=body, fontName=FONT_BOLD, fontSize=17,
                             leading=21, textColor=NHS_DARK_BLUE, spaceAfter=2),
        subtitle=ParagraphStyle("att-subtitle", parent=body, fontName=FONT_BOLD, fontSize=12,
                                leading=15, textColor=NHS_BLUE, spaceAfter=8),
        note=ParagraphStyle("att-note", parent=body, fontSize=9, leading=11.5,
                            textColor=colors.black, spaceAfter=4),
    )


def _percent_text(percent: int | None) -> str:
    return "\u2013" if percent is None else f"{percent}%"


def _header(sheet: AttendanceSheet, styles: _Styles) -> list[Flowable]:
    threshold = sheet.threshold_percent
    logo = logo_image(sheet.logo)
    flow: list[Flowable] = [
        *([logo, Spacer(1, 4)] if logo else []),
        _Para("Committee attendance", styles.title),
        _Para(f"{_markup(sheet.committee_name)} \u2014 financial year "
              f"{_markup(sheet.fy_label)}", styles.subtitle),
    ]
    facts = [
        ("Attendance threshold", f"{threshold}% of meetings held while a member "
                                 "(terms of reference)"),
        ("Members below it", f"{sheet.below_count} of {len(sheet.rows)}"),
        ("Generated", _markup(_fmt_generated(sheet.generated_at))
         + (f" by {_markup(sheet.author)}" if _plain(sheet.author) else "")),
    ]
    if _plain(sheet.organisation):
        facts.insert(0, ("Organisation", _markup(sheet.organisation)))
    table = Table([[_Para(f"<b>{label}</b>", styles.body), _Para(value, styles.body)]
                   for label, value in facts], colWidths=[130, 420], hAlign="LEFT")
    table.setStyle(_table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))
    flow += [table, Spacer(1, 8), _Para(
        "Meetings attended (in person or remotely) of those held while a member. Meetings at "
        "which a named deputy attended instead are shown beside them and are <b>not</b> "
        f"counted as the member's own attendance. Members below {threshold}% are marked "
        f"\u201cBelow {threshold}%\u201d.", styles.note), Spacer(1, 4)]
    return flow


def _row(row: AttendanceRow, threshold: int, styles: _Styles) -> list:
    positions = "<br/>".join(_markup(p) for p in row.positions if _plain(p)) or "\u2013"
    if row.below_threshold:
        flag = _Para(f"Below {threshold}%", styles.flag)
    elif row.percent is None:
        flag = _Para("No meetings", styles.body)
    else:
        flag = _Para(f"Meets {threshold}%", styles.body)
    return [
        _Para(_markup(row.name) or "<i>Unnamed</i>", styles.bold),
        _Para(positions, styles.body),
        _Para(str(row.held), styles.number),
        _Para(str(row.attended), styles.number),
        _Para(f"<b>{_percent_text(row.percent)}</b>", styles.number),
        _Para(str(row.by_deputy), styles.number),
        _Para(str(row.apologies), styles.number),
        flag,
    ]


def _table(sheet: AttendanceSheet, styles: _Styles) -> list[Flowable]:
    if not sheet.rows:
        return [_Para(f"No meetings were held in {_markup(sheet.fy_label)}.", styles.body)]
    header = [_Para(name, styles.head_number if i in NUMERIC else styles.head)
              for i, (name, _) in enumerate(COLUMNS)]
    rows: list[list] = [header] + [_row(r, sheet.threshold_percent, styles)
                                   for r in sheet.rows]
    cmds: list[tuple] = [
        ("BACKGROUND", (0, 0), (-1, 0), NHS_DARK_BLUE),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LINEBELOW", (0, 1), (-1, -1), 0.5, RULE_GREY),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE_GREY),
    ]
    for i, row in enumerate(sheet.rows, start=1):
        if row.below_threshold:
            cmds += [("BACKGROUND", (0, i), (-1, i), BELOW_FILL),
                     ("LINEBEFORE", (0, i), (0, i), 3, colors.HexColor(BELOW_HEX))]
    widths = [w for _, w in COLUMNS]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(_table_style(cmds))
    return [table]


# --------------------------------------------------------------------------------------------
# Page furniture and document
# --------------------------------------------------------------------------------------------

def _on_page(sheet: AttendanceSheet, canvas: Canvas, doc: BaseDocTemplate) -> None:
    draw_running_header(
        canvas, f"{_plain(sheet.committee_name)} \u2014 attendance {_plain(sheet.fy_label)}",
        sheet.generated_at)


def render_attendance(sheet: AttendanceSheet, out: BinaryIO) -> None:
    """Write the attendance report for `sheet` to `out` as a PDF."""
    styles = _styles()
    generated = _fmt_generated(sheet.generated_at)
    committee = _plain(sheet.committee_name)
    doc = BaseDocTemplate(
        out, pagesize=PAGE_SIZE,
        leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{committee} \u2014 attendance {_plain(sheet.fy_label)}",
        author=_plain(sheet.author),
        subject=f"{committee}: attendance of members, financial year "
                f"{_plain(sheet.fy_label)}, against the {sheet.threshold_percent}% threshold",
        creator="riskapp", keywords=["committee", "attendance", "terms of reference"],
        pageCompression=1, displayDocTitle=1, lang="en-GB",
        initialFontName=FONT, initialFontSize=SIZE,
    )
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_W, FRAME_H,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame],
                                       onPage=partial(_on_page, sheet))])
    story = _header(sheet, styles) + _table(sheet, styles)
    if sheet.corrections:
        story += [Spacer(1, 10), _Para("<b>Corrections to approved minutes</b>", styles.body),
                  _Para("The figures use the record as corrected after the minutes were "
                        "approved; each meeting's minutes show the original beside it.",
                        styles.note)]
        story += [_Para("\u2022 " + _markup(line), styles.body) for line in sheet.corrections]
    footer = " \u00b7 ".join(part for part in (
        _plain(sheet.organisation), committee,
        f"attendance {_plain(sheet.fy_label)}", f"generated {generated}") if part)
    saved_a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        doc.build(story, canvasmaker=partial(_NumberedCanvas, footer_left=footer))
    finally:
        rl_config.useA85 = saved_a85

