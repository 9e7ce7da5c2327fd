"""The cover paper as an editable Word document (python-docx), in the NHS board paper shape:
title, meeting and date, purpose, executive summary, the changes, the recommendation,
appendices. Built-in heading styles, so the secretariat's own template restyles it in Word.
"""
from __future__ import annotations

from datetime import datetime, time
from typing import BinaryIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Pt, RGBColor

from .cover import CoverPaper, when

NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)


def render_cover_docx(paper: CoverPaper, out: BinaryIO) -> None:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(11)
    for name in ("Title", "Heading 1", "Heading 2"):
        doc.styles[name].font.name = "Arial"
        doc.styles[name].font.color.rgb = NHS_BLUE
    # Same paper, same bytes of text: the document's dates are the paper's, not the clock's.
    props = doc.core_properties
    props.title, props.author = paper.title, paper.organisation
    props.created = props.modified = datetime.combine(paper.as_of, time(0))
    props.last_modified_by = paper.organisation
    props.revision = 1

    if paper.organisation:  # none until an administrator names the organisation
        doc.add_paragraph(paper.organisation).runs[0].bold = True
    doc.add_heading(paper.title, level=0)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for label, value in (("Meeting", paper.meeting), ("Date", when(paper.as_of)),
                         ("Report covers", f"{when(paper.since)} to {when(paper.as_of)}"),
                         ("Purpose", paper.purpose)):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
        cells[0].paragraphs[0].runs[0].bold = True

    doc.add_heading("Executive summary", level=1)
    for line in paper.summary:
        doc.add_paragraph(line)

    doc.add_heading("Risks by band", level=2)
    bands = doc.add_table(rows=1, cols=3)
    bands.style = "Table Grid"
    head = bands.rows[0].cells
    head[0].text, head[1].text, head[2].text = ("Band", when(paper.since), when(paper.as_of))
    for cell in head:
        cell.paragraphs[0].runs[0].bold = True
    for name, then, now in paper.headline:
        cells = bands.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = name, str(then), str(now)

    doc.add_heading("What changed", level=1)
    for section in paper.sections:
        doc.add_heading(section.heading, level=2)
        if not section.statements:
            doc.add_paragraph(section.none)
        for statement in section.statements:
            doc.add_paragraph(statement.text, style="List Bullet")

    doc.add_heading("Recommendation", level=1)
    doc.add_paragraph(paper.recommendation)
    doc.add_heading("Appendices", level=1)
    for line in paper.appendices:
        doc.add_paragraph(line)
    doc.save(out)


def cover_filename(paper: CoverPaper) -> str:
    name = "".join(c if c.isalnum() else "-" for c in paper.register).strip("-").lower()
    return f"{name}-cover-paper-{paper.as_of.isoformat()}.docx"
