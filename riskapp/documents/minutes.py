"""The minutes, drafted from the record: Word (python-docx) for the secretariat to edit, and PDF.

The usual NHS layout: the organisation and committee, "Minutes of the meeting held on …",
Present / In attendance / Apologies, quoracy, then each item numbered with declarations,
discussion, the motion and the decision or vote, and actions with owners and dates; the action
log at the end and a line for the chair's signature. Both documents come from the same plain
data (`MeetingRecord`), so they say the same.
"""
from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.lib import colors

from ..reports.baf_pdf import _fmt_generated, _markup
from .agenda_pack import GREY, styles
from .data import ItemRecord, MeetingRecord

NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)


def title_of(record: MeetingRecord) -> str:
    return f"Minutes of the {record.committee_name} meeting held on {record.when}"


def _item_lines(item: ItemRecord) -> list[tuple[str, str]]:
    """(label, text) lines of one item, in the order minutes give them."""
    lines = []
    if item.presenter:
        lines.append(("Presented by", item.presenter))
    for d in item.declarations:
        lines.append(("Declaration", d))
    for w in item.withdrew:
        lines.append(("Withdrew", w))
    if item.quoracy:
        lines.append(("Quoracy", item.quoracy))
    if item.risks:
        lines.append(("Risks discussed", "; ".join(item.risks)))
    if item.discussion:
        lines.append(("", item.discussion))
    if item.motion:
        lines.append(("Motion", item.motion))
    if item.vote:
        lines.append(("Vote", item.vote))
    if item.casting_vote:
        lines.append(("Casting vote", item.casting_vote))
    if item.decision:
        lines.append(("Resolved" if item.motion else "Decision", item.decision))
    if item.corrected:
        lines.append(("Note", item.corrected))
    return lines


CORRECTION_HEADINGS = ("What", "Originally recorded", "Corrected to", "Why",
                       "Who and when", "Approved at")


def _correction_cells(c) -> tuple[str, ...]:
    return (c.what, c.original, c.corrected, c.reason, c.by, c.approved_at)


def _people(record: MeetingRecord) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    return [("Present", record.present + record.deputies),
            ("In attendance", record.in_attendance),
            ("Apologies", record.apologies)] + (
                [("Absent", record.absent)] if record.absent else [])


def build_minutes_docx(record: MeetingRecord) -> bytes:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(11)
    for name in ("Title", "Heading 1", "Heading 2"):
        doc.styles[name].font.name = "Arial"
        doc.styles[name].font.color.rgb = NHS_BLUE
    if record.organisation:  # none until an administrator names the organisation
        org = doc.add_paragraph(record.organisation)
        org.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        org.runs[0].bold = True
    if record.status == "Draft":
        draft = doc.add_paragraph("DRAFT – not yet approved")
        draft.runs[0].bold = True
    doc.add_heading(title_of(record), level=1)
    if record.place:
        doc.add_paragraph(record.place)
    for label, people in _people(record):
        doc.add_heading(label, level=2)
        if people:
            table = doc.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for name, role in people:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = name, role
        else:
            doc.add_paragraph("None")
    if record.quoracy_start:
        doc.add_heading("Quoracy", level=2)
        doc.add_paragraph(record.quoracy_start)
    if record.declarations:
        doc.add_heading("Declarations of interest", level=2)
        for d in record.declarations:
            doc.add_paragraph(d, style="List Bullet")
    for item in record.items:
        doc.add_heading(f"{item.number}. {item.title}"
                        + (" (private business)" if item.private else ""), level=2)
        for label, text in _item_lines(item):
            p = doc.add_paragraph()
            if label:
                p.add_run(f"{label}: ").bold = True
            p.add_run(text)
        if item.actions:
            p = doc.add_paragraph()
            p.add_run("Actions").bold = True
            for a in item.actions:
                doc.add_paragraph(a, style="List Bullet")
    if record.chairs_actions:
        doc.add_heading("Chair's actions reported for ratification", level=2)
        for line in record.chairs_actions:
            doc.add_paragraph(line, style="List Bullet")
    if record.corrections:
        doc.add_heading("Corrections to the approved record", level=2)
        doc.add_paragraph("Made after these minutes were approved, each with the original "
                          "beside it.")
        table = doc.add_table(rows=1, cols=len(CORRECTION_HEADINGS))
        table.style = "Table Grid"
        for cell, heading in zip(table.rows[0].cells, CORRECTION_HEADINGS):
            cell.text = heading
            cell.paragraphs[0].runs[0].bold = True
        for c in record.corrections:
            for cell, text in zip(table.add_row().cells, _correction_cells(c)):
                cell.text = text
    actions = [(item.number, a) for item in record.items for a in item.actions]
    if actions:
        doc.add_heading("Action log", level=2)
        table = doc.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Item", "Action, owner, due"
        for number, a in actions:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = number, a
    doc.add_paragraph()
    doc.add_paragraph("Signed (Chair) ……………………………………   Date ……………………")
    footer = doc.sections[0].footer.paragraphs[0]
    footer.text = (f"{record.committee_label} minutes, {record.when}. {record.status}. "
                   f"Drafted by riskapp {_fmt_generated(record.generated_at)}.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def build_minutes_pdf(record: MeetingRecord) -> bytes:
    s = styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm, title=title_of(record),
                            author=record.organisation)
    story = [Paragraph(_markup(record.organisation), s["org"])]
    if record.status == "Draft":
        story.append(Paragraph("<b>DRAFT – not yet approved</b>", s["body"]))
    story += [Paragraph(_markup(title_of(record)), s["h2"]),
              Paragraph(_markup(record.place), s["body"])]
    for label, people in _people(record):
        story.append(Paragraph(label, s["h2"]))
        if not people:
            story.append(Paragraph("None", s["body"]))
            continue
        rows = []
        for name, role in people:
            rows.append([Paragraph(_markup(name), s["cell"]), Paragraph(_markup(role), s["cell"])])
        table = Table(rows, colWidths=[60 * mm, 110 * mm])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, GREY),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(table)
    if record.quoracy_start:
        story += [Paragraph("Quoracy", s["h2"]), Paragraph(_markup(record.quoracy_start),
                                                           s["body"])]
    if record.declarations:
        story.append(Paragraph("Declarations of interest", s["h2"]))
        story += [Paragraph("• " + _markup(d), s["body"]) for d in record.declarations]
    for item in record.items:
        story.append(Paragraph(_markup(f"{item.number}. {item.title}"
                                       + (" (private business)" if item.private else "")),
                               s["h2"]))
        for label, text in _item_lines(item):
            story.append(Paragraph((f"<b>{_markup(label)}:</b> " if label else "")
                                   + _markup(text), s["body"]))
            story.append(Spacer(1, 2 * mm))
        for a in item.actions:
            story.append(Paragraph("<b>Action:</b> " + _markup(a), s["body"]))
    if record.chairs_actions:
        story.append(Paragraph("Chair's actions reported for ratification", s["h2"]))
        story += [Paragraph("• " + _markup(line), s["body"]) for line in record.chairs_actions]
    if record.corrections:
        story += [Paragraph("Corrections to the approved record", s["h2"]),
                  Paragraph("Made after these minutes were approved, each with the original "
                            "beside it.", s["body"])]
        rows = [[Paragraph(f"<b>{h}</b>", s["cell"]) for h in CORRECTION_HEADINGS]]
        rows += [[Paragraph(_markup(text), s["cell"]) for text in _correction_cells(c)]
                 for c in record.corrections]
        table = Table(rows, colWidths=[30 * mm, 32 * mm, 32 * mm, 28 * mm, 25 * mm, 23 * mm],
                      repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, GREY),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(table)
    story += [Spacer(1, 12 * mm),
              Paragraph("Signed (Chair) ……………………………………   Date ……………………", s["body"])]

    def footer(canvas, d):
        canvas.saveState()
        canvas.setFont(s["small"].fontName, 8)
        canvas.setFillColor(colors.HexColor("#425563"))
        canvas.drawString(20 * mm, 10 * mm, f"{record.committee_label} minutes, {record.when}. "
                                            f"{record.status}.")
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {d.page}")
        canvas.restoreState()
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
