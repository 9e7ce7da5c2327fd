"""The cover paper as an editable Word document (python-docx), in the NHS board paper shape:
title, meeting and date, purpose, executive summary, the changes, the recommendation,
appendices. Built-in heading styles, so the secretariat's own template restyles it in Word.

A long section (more than `SHOWN_PER_SECTION` statements: at a large trust, thousands of
overdue reviews and actions) is summarised in the body, the most important first, and every
statement is in a table in the last appendix, each with its risk and date.
"""
from __future__ import annotations

from datetime import datetime, time
from typing import BinaryIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from .cover import EVERY_CHANGE_APPENDIX, CoverPaper, Section, lead_line, more_line, when

NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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

    page = doc.sections[0]  # A4, as NHS papers are
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.left_margin = page.right_margin = page.top_margin = page.bottom_margin = Cm(2)

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
        cells[0].text, cells[1].text, cells[2].text = name, f"{then:,}", f"{now:,}"

    doc.add_heading("What changed", level=1)
    body = paper.summarised()
    for section in body.sections:
        doc.add_heading(section.heading, level=2)
        if not section.statements:
            doc.add_paragraph(section.none)
        if section.left_out:
            doc.add_paragraph(lead_line(section))
        for statement in section.statements:
            doc.add_paragraph(statement.text, style="List Bullet")
        if section.left_out:
            doc.add_paragraph(more_line(section, in_word=True))

    doc.add_heading("Recommendation", level=1)
    doc.add_paragraph(paper.recommendation)
    doc.add_heading("Appendices", level=1)
    for line in paper.appendices:
        doc.add_paragraph(line)
    if any(s.left_out for s in body.sections):
        _every_change(doc, paper)
    doc.save(out)


def _every_change(doc, paper: CoverPaper) -> None:
    """The last appendix: every statement of the paper, by section, in a table (risk, date,
    what changed)."""
    doc.add_page_break()
    doc.add_heading(f"{EVERY_CHANGE_APPENDIX}: every change in this paper", level=1)
    doc.add_paragraph(f"Every change between {when(paper.since)} and {when(paper.as_of)}, by "
                      f"section and risk reference, with the date of the record behind it.")
    for section in paper.sections:
        if section.statements:
            doc.add_heading(f"{section.heading} ({len(section.statements):,})", level=2)
            _statement_table(doc, section)


WIDTHS = (Cm(2.3), Cm(3.2), Cm(11.5))
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _statement_table(doc, section: Section) -> None:
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, WIDTHS):  # the grid: what a fixed layout uses
        column.width = width
    header = table.rows[0]
    for cell, text, width in zip(header.cells, ("Risk", "Date", "What changed"), WIDTHS):
        cell.text, cell.width = text, width
        cell.paragraphs[0].runs[0].bold = True
    # The header row repeats on each page of a long table.
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    tbl = table._tbl
    for statement in section.statements:
        _add_row(tbl, (statement.ref or "", when(statement.on) if statement.on else "",
                       _what(statement)))


def _add_row(tbl, values) -> None:
    """One plain row (a paragraph of one run per cell) written as XML directly: python-docx's
    `add_row` and `row.cells` re-walk the whole table for each row, and setting a run's text
    looks at it a character at a time; at 20,000 rows (a large trust's paper) that was most of
    the document's time (python-openxml/python-docx issue #174)."""
    tr = _child(tbl, "w:tr")
    for text, width in zip(values, WIDTHS):
        tc = _child(tr, "w:tc")
        tc_width = _child(_child(tc, "w:tcPr"), "w:tcW")
        tc_width.set(qn("w:w"), str(width.twips))
        tc_width.set(qn("w:type"), "dxa")
        t = _child(_child(_child(tc, "w:p"), "w:r"), "w:t")
        t.text = text
        t.set(XML_SPACE, "preserve")


def _child(parent, tag: str):
    child = parent.makeelement(qn(tag), {})
    parent.append(child)
    return child


def _what(statement) -> str:
    """The statement without its leading risk reference (the table's first column)."""
    text = statement.text
    if statement.ref and text.startswith(statement.ref):
        text = text[len(statement.ref):].lstrip(" :")
    return text[:1].upper() + text[1:]


def cover_filename(paper: CoverPaper) -> str:
    name = "".join(c if c.isalnum() else "-" for c in paper.register).strip("-").lower()
    return f"{name}-cover-paper-{paper.as_of.isoformat()}.docx"
