"""The committee attendance report as PDF (issue 5), read back with poppler's pdftotext.

On the demo PCCAC: the November 2023 meeting, plus one held in February 2024 and a member
appointed in between (with a hostile name), so "held while a member" differs between rows.
"""
from __future__ import annotations

import io
import re
import subprocess
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.committees import services as committee_services
from riskapp.committees.models import Committee
from riskapp.extensions import db
from riskapp.meetings import services as meeting_services
from riskapp.reports.attendance_pdf import (AttendanceRow, AttendanceSheet, attendance_filename,
                                            render_attendance)
from tests import factories

from .helpers import pdf_text, squash

LONDON = ZoneInfo("Europe/London")
HOSTILE = "Dr <b>& Hostile</b>"
CR2 = "Clinical Representative (primary care leadership) 2"


@pytest.fixture
def pccac(baf):
    committee = db.session.scalar(select(Committee).where(Committee.short_name == "PCCAC"))
    members = {m.positions[0]: m for m in committee.members}
    hostile = committee_services.add_member(committee, dict(
        person_name=HOSTILE, positions=[CR2], appointed_on=date(2024, 1, 1)))
    feb = meeting_services.create_meeting(committee, dict(
        starts_at=datetime(2024, 2, 15, 10, tzinfo=LONDON), location="Room 1", status="Held"))
    record = meeting_services.record_attendance
    record(feb, members["Non-Executive Member (Chair)"], dict(status="present"))
    record(feb, members["ICB Chief Finance Officer"],
           dict(status="deputy", deputy_name="Jo Prentice (Deputy CFO)"))
    record(feb, members["ICB Chief Nursing Director"], dict(status="present"))
    record(feb, hostile, dict(status="present"))
    db.session.commit()
    return committee


def get_pdf(client, auth, committee, fy=2023):
    auth.login(factories.make_user(Role.BOARD))
    return client.get(f"/committees/{committee.id}/attendance.pdf?fy={fy}")


def test_pdf_of_the_demo_year(client, auth, pccac, tmp_path):
    r = get_pdf(client, auth, pccac)
    assert r.status_code == 200
    assert r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"] == \
        "attachment; filename=PCCAC-attendance-23-24.pdf"
    text = squash(pdf_text(r.data, tmp_path))
    assert "Primary Care Commissioning and Assurance Committee \u2014 financial year 23/24" \
        in text
    assert "Attendance threshold 75% of meetings held while a member" in text
    # Member, position(s), held while a member, attended, %, by a deputy, apologies, flag.
    assert "Bob Board Non-Executive Member (Chair) 2 2 100% 0 0 Meets 75%" in text
    # Two meetings by a deputy: beside the figure, not counted as the member's own.
    assert "Dean Westcott ICB Chief Finance Officer 2 0 0% 2 0 Below 75%" in text
    assert "Sarah Stanley ICB Chief Nursing Director 2 1 50% 0 1 Below 75%" in text
    # No record at the February meeting: absent, so below.
    assert "Dr Mark Hughes Clinical Representative (primary care leadership) 3 2 1 50% 0 0 " \
           "Below 75%" in text
    # Appointed after November: one meeting held while a member. The name is printed as typed.
    assert f"{HOSTILE} {CR2} 1 1 100% 0 0 Meets 75%" in text
    assert "Members below it 8 of 10" in text
    assert "Page 1 of 1" in text


def test_pdf_metadata_and_fonts(client, auth, pccac, tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(get_pdf(client, auth, pccac).data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Title:\s+Primary Care Commissioning and Assurance Committee "
                     r"\u2014 attendance 23/24$", info, re.M)
    assert re.search(r"^Creator:\s+riskapp$", info, re.M)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(" yes yes " in line for line in fonts)  # embedded, subset


def test_year_without_meetings_says_so(client, auth, pccac, tmp_path):
    r = get_pdf(client, auth, pccac, fy=2019)
    assert r.status_code == 200
    assert "No meetings were held in 19/20." in squash(pdf_text(r.data, tmp_path))


def test_attendance_page_links_to_the_pdf(client, auth, pccac):
    auth.login(factories.make_user(Role.STAFF))
    page = client.get(f"/committees/{pccac.id}/attendance?fy=2023").get_data(as_text=True)
    assert f'href="/committees/{pccac.id}/attendance.pdf?fy=2023"' in page


def test_rights(client, auth, pccac):
    """As the attendance page: every signed-in, active user; no role is refused (no 403)."""
    url = f"/committees/{pccac.id}/attendance.pdf?fy=2023"
    r = client.get(url)
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    user = factories.make_user(Role.STAFF)
    auth.login(user)
    assert client.get(url).status_code == 200  # everyone signed in reads committees
    assert client.get("/committees/99999/attendance.pdf").status_code == 404
    user.active = False  # deactivated while signed in: signed out on the next request
    db.session.commit()
    r = client.get(url)
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


def test_long_list_repeats_the_header_on_every_page(tmp_path):
    rows = tuple(AttendanceRow(f"Member {i:02d}", ("Non-Executive Member",), 6, i % 7,
                               round(100 * (i % 7) / 6), 0, 0, round(100 * (i % 7) / 6) < 75)
                 for i in range(60))
    sheet = AttendanceSheet("Board of the ICB", "Board", "2023/24", 75,
                            datetime(2024, 3, 1, 12, tzinfo=timezone.utc), rows)
    out = io.BytesIO()
    render_attendance(sheet, out)
    pages = pdf_text(out.getvalue(), tmp_path).split("\f")
    pages = [squash(p) for p in pages if p.strip()]
    assert len(pages) >= 2
    for n, page in enumerate(pages, 1):
        assert "Member Position(s) Meetings held while a member Attended" in page
        assert f"Page {n} of {len(pages)}" in page
    assert "Member 59 Non-Executive Member 6 3 50% 0 0 Below 75%" in pages[-1]
    assert attendance_filename(sheet) == "Board-attendance-2023-24.pdf"
