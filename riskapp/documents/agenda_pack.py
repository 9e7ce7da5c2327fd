"""The agenda pack: one PDF with a cover, the agenda and every published PDF paper in order.

Cover and agenda are drawn with ReportLab; the papers are appended with pypdf, each with a
bookmark. Word papers cannot be merged into a PDF: the agenda lists them with a note that they
are attached separately. A plain function of its data, so it can move to a worker.
"""
from __future__ import annotations

import io
import logging

from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer,
                                Table, TableStyle)

from ..reports.baf_pdf import FONT, FONT_BOLD, _fmt_generated, _markup, _register_fonts
from .data import MeetingRecord

logger = logging.getLogger(__name__)
NHS_BLUE = colors.HexColor("#005EB8")
GREY = colors.HexColor("#425563")


def styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=11.5),
        "cellb": ParagraphStyle("cellb", parent=body, fontName=FONT_BOLD, fontSize=9,
                                leading=11.5),
        "h1": ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=22, leading=27,
                             textColor=NHS_BLUE, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=14, leading=18,
                             spaceBefore=10, spaceAfter=6),
        "org": ParagraphStyle("org", parent=body, fontName=FONT_BOLD, fontSize=12, leading=15,
                              textColor=NHS_BLUE),
    }


def _footer(record: MeetingRecord):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(18 * mm, 10 * mm, f"{record.committee_label} agenda, {record.when}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()
    return draw


def render_cover_and_agenda(record: MeetingRecord) -> bytes:
    s = styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm,
                            title=f"{record.committee_name}: agenda and papers, {record.when}",
                            author=record.organisation)
    story = [Paragraph(_markup(record.organisation), s["org"]), Spacer(1, 40 * mm),
             Paragraph(_markup(record.committee_name), s["h1"]),
             Paragraph("Agenda and papers", s["h2"]),
             Paragraph(_markup(record.when), s["body"]),
             Paragraph(_markup(record.place), s["body"]),
             Spacer(1, 6 * mm),
             Paragraph(_markup(record.part), s["body"])]
    if record.papers_deadline:
        story.append(Paragraph(_markup(f"Papers deadline: {record.papers_deadline}"), s["small"]))
    story += [Spacer(1, 4 * mm),
              Paragraph(_markup(f"Produced {_fmt_generated(record.generated_at)}"), s["small"]),
              PageBreak(), Paragraph("Agenda", s["h2"])]
    header = [Paragraph(t, s["cellb"]) for t in ("Item", "Title and presenter", "Purpose",
                                                 "Time", "Paper")]
    rows = [header]
    for item in record.items:
        papers = [("Word document, attached separately: " if p.kind == "docx" else "")
                  + p.title for p in item.papers]
        title = f"<b>{_markup(item.title)}</b>" + (" (private)" if item.private else "")
        if item.presenter:
            title += f"<br/>{_markup(item.presenter)}"
        rows.append([Paragraph(_markup(item.number), s["cell"]), Paragraph(title, s["cell"]),
                     Paragraph(_markup(item.purpose), s["cell"]),
                     Paragraph(_markup(item.starts), s["cell"]),
                     Paragraph("<br/>".join(_markup(p) for p in papers) or "Verbal",
                               s["cell"])])
    table = Table(rows, colWidths=[14 * mm, 70 * mm, 26 * mm, 16 * mm, 48 * mm],
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, GREY),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EDEE")),
    ]))
    story.append(table)
    if record.forecast:
        story.append(KeepTogether([Paragraph("Expected quoracy", s["h2"])] + [
            Paragraph(_markup(line), s["body"]) for line in record.forecast]))
    if record.chairs_actions:
        story.append(Paragraph("Chair's actions for ratification", s["h2"]))
        story += [Paragraph(_markup(line), s["body"]) for line in record.chairs_actions]
    doc.build(story, onFirstPage=_footer(record), onLaterPages=_footer(record))
    return out.getvalue()


def build_agenda_pack(record: MeetingRecord) -> bytes:
    """Cover and agenda, then each PDF paper in agenda order, bookmarked by item."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(render_cover_and_agenda(record))),
                  outline_item="Agenda")
    for item in record.items:
        for paper in item.papers:
            if paper.kind != "pdf":
                continue
            try:
                writer.append(PdfReader(paper.path),
                              outline_item=f"Item {item.number}: {paper.title}",
                              import_outline=False)
            except (OSError, ValueError) as error:  # a file gone missing: say so, go on
                logger.warning("agenda pack: paper %s not added (%s)", paper.path, error)
    writer.add_metadata({"/Title": f"{record.committee_name}: agenda and papers, "
                                   f"{record.when}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
