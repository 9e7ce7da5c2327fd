"""Every kind of correction to approved minutes is named where the record is read: the meeting
page (register, declarations, agenda, quoracy), the attendance report (page, CSV, PDF, API)
and the minutes in Word and PDF, with the original beside the correction (issue 14)."""
from __future__ import annotations

import html
import io
import subprocess
from datetime import datetime

import pytest
from docx import Document
from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.meetings import services
from riskapp.meetings.models import Meeting
from riskapp.meetings.services import LONDON


@pytest.fixture
def corrected(pccac, members, people):
    """The demo's held meeting: a declaration on the last item and a vote on it, the minutes
    approved on 18 Jan 2024, then the declaration and the vote corrected."""
    held = db.session.scalar(select(Meeting).where(Meeting.status == "Held"))
    item = held.items[-1]
    cnd = members["ICB Chief Nursing Director"]
    for m in members.values():
        services.record_attendance(held, m, {"status": "present"})
    declaration = services.record_declaration(held, {
        "member": cnd, "interest": "Trustee of a charity", "action": "noted", "item": item})
    services.record_vote(item, [(m.id, "for") for m in members.values()], None,
                         motion="That the committee approves the report")
    later = services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 1, 18, 10, tzinfo=LONDON), location="Room 1"))
    services.approve_minutes(held, later)
    secretary = people[Role.SECRETARIAT]
    services.correct_record(held, "declaration", declaration,
                            {"action": "excluded_decision"},
                            reason="She left before the decision", approved_at=later,
                            by=secretary)
    vote = item.votes[0]
    services.correct_record(held, "vote", vote, {"votes_for": vote.votes_for - 1,
                                                 "votes_against": 1},
                            reason="One member voted against", approved_at=later,
                            by=secretary)
    db.session.commit()
    return held, item, cnd, vote


def _text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_the_meeting_page_marks_each_corrected_part(client, auth, people, corrected):
    held, item, cnd, _vote = corrected
    auth.login(people[Role.BOARD])
    page = _text(client.get(f"/meetings/{held.id}"))
    declarations = page.split('id="declarations"')[1].split('id="actions"')[0]
    assert "Excluded from decision" in declarations and "Corrected" in declarations
    agenda_row = page.split(f'id="item-{item.id}"')[1].split("</tr>")[0]
    assert "Corrected" in agenda_row and "Uses a declaration corrected after approval" in \
        agenda_row
    quoracy = page.split('id="quoracy"')[1].split('id="agenda"')[0]
    assert "Worked out from the record as corrected after the minutes were approved" in quoracy
    assert f"Declaration by {cnd.name} on item {item.number}" in quoracy
    table = page.split('id="corrections"')[1]
    assert "Noted" in table and "Excluded from decision" in table  # original beside it
    assert f"Item {item.number} vote, votes against" in table


def test_the_attendance_report_names_declaration_and_vote_corrections(
        client, auth, people, corrected, pccac):
    held, item, cnd, _vote = corrected
    auth.login(people[Role.BOARD])
    report = _text(client.get(f"/committees/{pccac.id}/attendance?fy=2023"))
    row = report.split(cnd.name)[1].split("</tr>")[0]
    assert "A declaration corrected after approval at 1 meeting" in row
    listed = report.split('id="corrections"')[1]
    assert f"Item {item.number} vote, votes against" in listed
    assert f"Declaration by {cnd.name} on item {item.number}, what was done" in listed
    assert f"/meetings/{held.id}#corrections" in listed

    csv = client.get(f"/committees/{pccac.id}/attendance?fy=2023&format=csv")
    line = next(l for l in csv.get_data(as_text=True).splitlines() if cnd.name in l)
    assert line.endswith("A declaration at 1 meeting")

    api = client.get(f"/api/v1/committees/{pccac.id}/attendance-report?fy=2023").get_json()
    mine = next(x for x in api["items"] if x["member_id"] == cnd.id)
    assert mine["declarations_corrected_at"] == 1 and mine["attendance_corrected_at"] == 0
    assert {c["what"] for c in api["corrections"]} >= {
        f"Item {item.number} vote, votes for", f"Item {item.number} vote, votes against"}

    pdf = client.get(f"/committees/{pccac.id}/attendance.pdf?fy=2023").get_data()
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert "Corrections to approved minutes" in text
    assert f"Item {item.number} vote, votes against" in " ".join(text.split())


def test_the_minutes_in_word_and_pdf_show_every_correction_beside_the_original(
        client, auth, people, corrected):
    held, item, cnd, vote = corrected
    auth.login(people[Role.SECRETARIAT])
    docx = Document(io.BytesIO(client.get(f"/meetings/{held.id}/minutes.docx").get_data()))
    table = next(t for t in docx.tables if t.rows[0].cells[0].text == "What")
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert [r[:3] for r in rows] == [
        [f"Declaration by {cnd.name} on item {item.number}, what was done", "Noted",
         "Excluded from decision"],
        [f"Item {item.number} vote, votes for", str(vote.votes_for + 1), str(vote.votes_for)],
        [f"Item {item.number} vote, votes against", "0", "1"]]
    assert rows[0][3] == "She left before the decision"
    assert all(r[5] == "The meeting of 18 Jan 2024" for r in rows)
    paragraphs = "\n".join(p.text for p in docx.paragraphs)
    assert "Corrected after approval (decision or vote; a declaration)" in paragraphs
    assert f"{cnd.name}: Trustee of a charity (excluded from decision) (corrected after " \
           "approval)" in paragraphs

    pdf = client.get(f"/meetings/{held.id}/minutes.pdf").get_data()
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                                   check=True).stdout.decode().split())
    assert "Corrections to the approved record" in text
    assert "She left before the decision" in text and "One member voted against" in text
    assert "Excluded from decision" in text and "Noted" in text
