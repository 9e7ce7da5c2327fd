"""A long cover paper (a large trust's register) is summarised for the board, the most
important first, and its Word document lists every statement in an appendix table."""
import io
from datetime import date, timedelta
from types import SimpleNamespace

from docx import Document

from riskapp.reports.cover import (SHOWN_PER_SECTION, CoverPaper, Facts, RiskState,
                                   draft_cover)
from riskapp.reports.cover_docx import render_cover_docx
from riskapp.rules.scoring import BLMK_BANDS

SINCE, AS_OF = date(2026, 10, 31), date(2026, 11, 30)


def _facts(overdue: int) -> Facts:
    """`overdue` open risks, each overdue for review since a different day, with scores 1..25
    going round; nothing else changed."""
    then, now = {}, {}
    for n in range(1, overdue + 1):
        ref = f"CRR{n:04d}"
        consequence, likelihood = 1 + n % 5, 1 + (n // 5) % 5
        for states in (then, now):
            states[ref] = RiskState(ref, f"Risk {n}", True, consequence * likelihood,
                                    consequence, likelihood, "Moderate")
        now[ref].next_review = AS_OF - timedelta(days=n)
    return Facts(SimpleNamespace(name="Corporate Risk Register"), SINCE, AS_OF,
                 list(BLMK_BANDS), then, now,
                 reviews={ref: [] for ref in now})


def _paper(overdue: int) -> CoverPaper:
    return draft_cover(_facts(overdue), organisation="Trust", meeting="Board")


def test_a_short_section_is_shown_whole_in_reference_order():
    paper = _paper(SHOWN_PER_SECTION)
    section = next(s for s in paper.summarised().sections if s.heading == "Reviews overdue")
    assert section.left_out == 0
    assert [s.ref for s in section.statements] == sorted(s.ref for s in section.statements)
    assert not any(a.startswith("Appendix 3") for a in paper.appendices)
    assert "listed in Appendix 3" not in paper.summarised().text()


def test_a_long_section_shows_the_highest_scores_first_and_counts_the_rest():
    paper = _paper(60)
    full = next(s for s in paper.sections if s.heading == "Reviews overdue")
    assert len(full.statements) == 60  # the paper itself keeps every statement
    section = next(s for s in paper.summarised().sections if s.heading == "Reviews overdue")
    assert len(section.statements) == SHOWN_PER_SECTION and section.left_out == 50
    scores = [s.score for s in section.statements]
    assert scores == sorted(scores, reverse=True) and scores[0] == 25
    assert min(scores) >= max(s.score for s in full.statements
                              if s not in section.statements)
    text = paper.summarised().text()
    assert "60 in all. The 10 with the highest current scores:" in text
    assert "And 50 more, listed in Appendix 3 of the Word document." in text
    assert paper.appendices[-1].startswith("Appendix 3: every change in this paper (60 statements)")
    # Every statement still names its risk and date
    for s in full.statements:
        assert s.ref in s.text and s.on
    # The executive summary counts rather than lists a long section's risks
    assert "60 risks are overdue for review" in paper.summary[3]


def test_the_draft_is_kept_as_plain_data_and_read_back_the_same():
    import json
    shown = _paper(60).summarised()
    again = CoverPaper.from_dict(json.loads(json.dumps(shown.to_dict())))
    assert again == shown and again.text() == shown.text()


def test_the_word_document_summarises_the_body_and_tables_every_statement():
    buffer = io.BytesIO()
    render_cover_docx(_paper(60), buffer)
    doc = Document(io.BytesIO(buffer.getvalue()))
    paragraphs = [p.text for p in doc.paragraphs]
    start = paragraphs.index("Reviews overdue")
    bullets = [p for p in doc.paragraphs[start:] if p.style.name == "List Bullet"]
    assert len([p for p in bullets if "review overdue since" in p.text]) == SHOWN_PER_SECTION
    assert "And 50 more, listed in Appendix 3." in paragraphs
    assert "Appendix 3: every change in this paper" in paragraphs
    table = doc.tables[-1]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["Risk", "Date", "What changed"]
    assert len(rows) == 61
    assert rows[1][0] == "CRR0001" and rows[1][1] == "29 November 2026"
    assert rows[1][2].startswith("Risk 1: review overdue since 29 November 2026")
    assert {r[0] for r in rows[1:]} == {f"CRR{n:04d}" for n in range(1, 61)}
    # A4, as NHS papers are
    assert round(doc.sections[0].page_width.mm) == 210


def test_a_short_paper_has_no_appendix_table():
    buffer = io.BytesIO()
    render_cover_docx(_paper(3), buffer)
    doc = Document(io.BytesIO(buffer.getvalue()))
    assert len(doc.tables) == 2  # the paper's details and risks by band
    assert "Appendix 3: every change in this paper" not in [p.text for p in doc.paragraphs]
