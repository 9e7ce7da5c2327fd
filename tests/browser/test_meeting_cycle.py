"""Issue 17 done-when: one PCCAC meeting from scheduling to the report to the Board, in Chromium,
as the secretariat, the chair and an action's assignee.

Papers uploaded and published, the agenda pack downloaded and read back with pdftotext, the
register recorded in one save, a declaration, a vote with its motion, the minutes .docx read back
with python-docx, a meeting action updated by its assignee from My actions, the highlight report
approved by the chair and seen on the Board's next agenda. Every screen is photographed at
1280 px, and again at 320 px at the end.
"""
from __future__ import annotations

import io
import re
import subprocess
from datetime import date, timedelta

import docx
from playwright.sync_api import expect

from tests.meetings.cycle import pdf_bytes

from .conftest import sign_in

#: Demo PCCAC member ids (riskapp.committees.demo), as in test_secretariat.py.
BOB, HELEN, NICKY, DEAN, SARAH, PRIYA = 1, 2, 3, 4, 5, 6


def schedule(page, committee: str, day: date) -> str:
    page.goto("/meetings/upcoming")
    page.get_by_role("link", name="Schedule a meeting").first.click()
    page.get_by_label("Committee").select_option(label=committee)
    page.get_by_role("button", name="Continue").click()
    dates = page.get_by_role("group", name="Date")
    dates.get_by_label("Day").fill(str(day.day))
    dates.get_by_label("Month").fill(str(day.month))
    dates.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Place").fill("Capability House, Wrest Park, Silsoe")
    page.get_by_role("button", name="Save the meeting").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Meeting scheduled")
    return page.url


def banner(page):
    return page.locator(".nhsuk-notification-banner--success")


def download(page, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).first.click()
    with open(info.value.path(), "rb") as handle:
        return handle.read()


def test_one_pccac_meeting_from_scheduling_to_the_board(new_page, shots, tmp_path):
    page = new_page()
    sign_in(page, "secretariat@example.org")
    expect(page).to_have_url(re.compile(r"/meetings/upcoming$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Upcoming meetings")
    shots(page, "landing-upcoming-meetings")

    day = date.today() + timedelta(days=14)
    meeting_url = schedule(page, "Primary Care Commissioning and Assurance Committee", day)
    board_url = schedule(page, "Board of the ICB", day + timedelta(days=21))

    # The agenda: an item for decision with a paper expected.
    page.goto(meeting_url)
    page.get_by_role("link", name="Add an agenda item").click()
    page.get_by_label("Item number").fill("1")
    page.get_by_label("Title", exact=True).fill("Primary care access recovery plan")
    page.get_by_label("Presenter", exact=True).fill("Nicky Poulain")
    page.get_by_label("Purpose").select_option(label="For decision")
    page.get_by_label("Time allowed, in minutes").fill("30")
    page.get_by_label("A paper is expected from the presenter").check()
    shots(page, "add-item")
    page.get_by_role("button", name=re.compile("Save|Add")).click()
    expect(banner(page)).to_contain_text("Item 1 added to the agenda")
    page.get_by_role("link", name="Primary care access recovery plan").click()
    item_url = page.url

    # A paper uploaded: refused by content first, then the real PDF.
    page.get_by_role("link", name="Add a paper").click()
    page.get_by_label("Paper", exact=True).set_input_files(
        {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": b"<html>not a pdf</html>"})
    page.get_by_role("button", name="Upload the paper").click()
    expect(page.locator(".nhsuk-error-message")).to_contain_text("not a PDF or a Word document")
    shots(page, "paper-refused-by-content")
    page.get_by_label("Paper", exact=True).set_input_files(
        {"name": "Access recovery plan.pdf", "mimeType": "application/pdf",
         "buffer": pdf_bytes("Access recovery plan: 48-hour appointments")})
    page.get_by_role("button", name="Upload the paper").click()
    expect(banner(page)).to_contain_text("Paper received for item 1")
    shots(page, "item-with-paper")

    # Published, and the agenda pack read back.
    page.goto(meeting_url)
    page.get_by_role("link", name="Publish the agenda and papers").click()
    shots(page, "publish")
    page.get_by_role("button", name="Publish the agenda and papers").click()
    expect(banner(page)).to_contain_text("Agenda published with 1 paper")
    # The pack is made off the request; its page shows progress, then offers the download.
    page.get_by_role("button", name="Make the agenda pack (PDF)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your agenda pack")
    shots(page, "agenda-pack-job")
    pack = tmp_path / "pack.pdf"
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^Download .*agenda pack.*\.pdf$")).click()
    info.value.save_as(pack)
    page.get_by_role("link", name="Back to the meeting").click()
    text = subprocess.run(["pdftotext", "-layout", str(pack), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Primary care access recovery plan" in text and "48-hour appointments" in text
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "2", str(pack),
                    str(shots.folder / "agenda-pack")], check=True)

    # The register in one save, with quoracy following the marks before saving.
    page.get_by_role("link", name="Attendance register").click()
    for member, status in ((BOB, "present"), (NICKY, "present"), (SARAH, "remote"),
                           (HELEN, "present"), (PRIYA, "apologies")):
        page.locator(f"#m{member}-status").select_option(status)
    page.locator(f"#m{DEAN}-status").select_option("deputy")
    page.locator(f"#m{DEAN}-deputy_name").fill("Joan Smith, Deputy CFO")
    expect(page.locator("#quoracy-panel")).to_contain_text("At the start: Quorate")
    shots(page, "register-before-save")
    page.get_by_role("button", name="Save the register").click()
    expect(banner(page)).to_contain_text("Register saved: 6 changes")
    expect(page.locator(f"#m{DEAN}-deputy_name")).to_have_value("Joan Smith, Deputy CFO")
    shots(page, "register-saved")

    # A declaration.
    page.goto(meeting_url)
    page.get_by_role("link", name="Record a declaration").first.click()
    page.get_by_label("Member", exact=True).select_option(label="Helen Okafor")
    page.get_by_label("Interest").fill("Spouse works for a practice in the access programme.")
    page.get_by_role("radio", name="Noted").check()
    page.get_by_role("button", name=re.compile("Save|Record")).click()
    expect(banner(page)).to_contain_text("Declaration of interest recorded")

    # A vote with its motion; refused without one.
    page.goto(item_url)
    ballots = page.locator("select[id^='ballot-']")
    for index in range(ballots.count()):
        ballots.nth(index).select_option(label="For")
    page.get_by_role("button", name="Record the vote").click()
    expect(page.locator(".nhsuk-error-message")).to_contain_text("Enter the motion")
    page.get_by_label("Motion").fill("That the committee approves the access recovery plan.")
    page.get_by_role("button", name="Record the vote").click()
    expect(banner(page)).to_contain_text("Vote recorded for item 1: Carried")
    expect(page.locator("main")).to_contain_text("Motion: That the committee approves")
    shots(page, "vote-recorded")

    # A meeting action for Sarah Stanley.
    page.goto(meeting_url)
    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("Action", exact=True).fill("Report 48-hour access figures by practice")
    page.get_by_label("Assignee").select_option(label="Sarah Stanley")
    due = day + timedelta(days=30)
    dates = page.get_by_role("group", name="Due date")
    dates.get_by_label("Day").fill(str(due.day))
    dates.get_by_label("Month").fill(str(due.month))
    dates.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name=re.compile("Save|Add")).click()
    expect(banner(page)).to_contain_text("Action added")
    shots(page, "meeting-page")

    # The minutes, drafted from the record, read back from Word.
    minutes = docx.Document(io.BytesIO(download(page, "Draft minutes (Word)")))
    words = "\n".join([p.text for p in minutes.paragraphs] + [
        " | ".join(cell.text for cell in row.cells)
        for table in minutes.tables for row in table.rows])
    assert "Bob Board" in words and "Joan Smith, Deputy CFO | Deputy for Dean Westcott" in words
    assert "Apologies" in words and "Dr Priya Raman" in words
    assert "That the committee approves the access recovery plan." in words
    assert "For 5, against 0" in words or "carried" in words
    (tmp_path / "minutes.docx").write_bytes(download(page, "Draft minutes (Word)"))
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-",
                    str(shots.folder / "minutes-pdf")], input=download(page, "PDF"), check=True)

    # The highlight report, drafted and saved by the secretariat.
    page.get_by_role("link", name=re.compile("Highlight report")).click()
    expect(page.get_by_label("Advise")).to_contain_text("access recovery plan")
    page.get_by_role("button", name="Save the draft").click()
    expect(banner(page)).to_contain_text("Highlight report saved")
    shots(page, "report-draft")

    # The assignee updates the action from My actions.
    assignee = new_page()
    sign_in(assignee, "sarah.stanley@example.org")
    assignee.goto("/actions/mine")
    row = assignee.locator("#meeting-actions tr", has_text="48-hour access figures")
    row.get_by_role("link", name=re.compile("Update")).click()
    assignee.get_by_label("Progress").fill("Figures requested from all practices.")
    assignee.get_by_label("Status").select_option("Open")
    assignee.get_by_role("button", name="Save the update").click()
    expect(banner(assignee)).to_contain_text("Progress recorded on the action from PCCAC")
    expect(assignee.locator("#meeting-actions")).to_contain_text("Figures requested")
    shots(assignee, "my-actions-assignee")

    # The chair approves; the report is on the Board's next agenda.
    chair = new_page()
    sign_in(chair, "board.member@example.org")
    chair.goto(meeting_url + "/report")
    chair.get_by_role("button", name=re.compile("Approve and send")).click()
    expect(banner(chair)).to_contain_text("added to the Board of the ICB agenda")
    chair.goto(board_url)
    link = chair.get_by_role("link", name=re.compile("Highlight report from the Primary Care"))
    expect(link).to_be_visible()
    shots(chair, "board-agenda")
    link.click()
    expect(chair.locator("main")).to_contain_text("access recovery plan")
    shots(chair, "board-item-report")

    # Every screen again at 320 px.
    narrow = new_page(width=320, height=800)
    sign_in(narrow, "secretariat@example.org")
    for url, label in (("/meetings/upcoming", "upcoming"), (meeting_url, "meeting"),
                       (meeting_url + "/attendance", "register"), (item_url, "item"),
                       (item_url + "/papers/new", "paper-upload"),
                       (meeting_url + "/publish", "publish"), (meeting_url + "/report", "report"),
                       ("/meetings/schedule", "schedule")):
        narrow.goto(url)
        shots(narrow, f"320-{label}")
    for p in (page, assignee, chair, narrow):
        assert p.console_errors == [], p.console_errors
