"""Issue 17: papers on agenda items, checked by content, kept under random names outside the
web root, downloaded with safe headers, published with the agenda; the agenda pack."""
from __future__ import annotations

import io
import subprocess

import docx
import pytest
from sqlalchemy import func, select

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.meetings.models import Paper

from .cycle import agenda_pack_pdf, docm_bytes, docx_bytes, pdf_bytes, planned_meeting


@pytest.fixture
def papers_dir(app, tmp_path):
    app.config["RISKAPP_PAPERS_DIR"] = str(tmp_path / "papers")
    return tmp_path / "papers"


@pytest.fixture
def cycle(pccac, papers_dir):
    return planned_meeting(pccac)


def upload(client, meeting, item, content: bytes, name: str, **extra):
    return client.post(f"/meetings/{meeting.id}/items/{item.id}/papers/new",
                       data={"file": (io.BytesIO(content), name), **extra},
                       content_type="multipart/form-data")


def test_a_pdf_is_kept_under_a_random_name_and_downloaded_as_an_attachment(
        client, auth, people, cycle, papers_dir):
    meeting, item, _ = cycle
    auth.login(people[Role.SECRETARIAT])
    r = upload(client, meeting, item, pdf_bytes(), "../../etc/Finance <report>.pdf")
    assert r.status_code == 302
    assert "Paper received for item 1" in client.get(r.location).get_data(as_text=True)
    paper = db.session.scalar(select(Paper))
    assert paper.title == "Finance report" and paper.kind == "pdf"
    assert [p.name for p in papers_dir.iterdir()] == [paper.stored_name]
    assert "Finance" not in paper.stored_name and ".." not in paper.stored_name
    db.session.expire_all()
    assert item.papers_status == "received"
    r = client.get(f"/meetings/papers/{paper.id}")
    assert r.status_code == 200 and r.data.startswith(b"%PDF-")
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in r.headers["Content-Security-Policy"]
    assert "no-store" in r.headers["Cache-Control"]


@pytest.mark.parametrize("content, name, message", [
    (b"<html><script>alert(1)</script></html>", "paper.pdf", "not a PDF or a Word document"),
    (b"%PDF-1.7\nnot really a pdf at all", "paper.pdf", "PDF cannot be read"),
    (b"MZ\x90\x00 an executable", "paper.docx", "not a PDF or a Word document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "paper.doc", "older Word"),
    (docm_bytes(), "paper.docx", "macros"),
    (b"PK\x03\x04 broken zip", "paper.docx", "cannot be opened"),
])
def test_uploads_are_refused_by_content_not_by_name(client, auth, people, cycle, papers_dir,
                                                    content, name, message):
    meeting, item, _ = cycle
    auth.login(people[Role.SECRETARIAT])
    r = upload(client, meeting, item, content, name, title="Kept title")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert message in page and 'value="Kept title"' in page
    assert db.session.scalar(select(func.count(Paper.id))) == 0
    assert not papers_dir.exists() or not any(papers_dir.iterdir())


def test_a_real_pdf_named_docx_is_taken_as_the_pdf_it_is(client, auth, people, cycle):
    meeting, item, _ = cycle
    auth.login(people[Role.SECRETARIAT])
    assert upload(client, meeting, item, pdf_bytes(), "finance.docx").status_code == 302
    assert db.session.scalar(select(Paper)).kind == "pdf"


def test_a_paper_over_the_size_limit_is_refused_beside_the_field(client, auth, people, cycle,
                                                                 app):
    app.config["RISKAPP_PAPER_MAX_MB"] = 0.001
    meeting, item, _ = cycle
    auth.login(people[Role.SECRETARIAT])
    r = upload(client, meeting, item, pdf_bytes() + b"%" * 2000, "big.pdf")
    assert r.status_code == 422 and "larger than 0.001 MB" in r.get_data(as_text=True)


def test_members_see_papers_only_once_published_and_the_pack_has_them(client, auth, people,
                                                                       cycle, tmp_path):
    meeting, item, private = cycle
    auth.login(people[Role.SECRETARIAT])
    upload(client, meeting, item, pdf_bytes("Finance paper text"), "finance.pdf")
    upload(client, meeting, private, docx_bytes(), "dispute.docx")
    paper = db.session.scalar(select(Paper).where(Paper.item_id == item.id))
    auth.logout()
    auth.login(people[Role.BOARD])
    assert client.get(f"/meetings/papers/{paper.id}").status_code == 404
    assert agenda_pack_pdf(client, meeting.id).status_code == 404
    auth.logout()

    auth.login(people[Role.SECRETARIAT])
    r = client.post(f"/meetings/{meeting.id}/publish")
    assert r.status_code == 302
    assert "Agenda published with 2 papers" in client.get(r.location).get_data(as_text=True)
    auth.logout()

    auth.login(people[Role.BOARD])  # a board role, not a PCCAC or Board member
    assert client.get(f"/meetings/papers/{paper.id}").status_code == 200
    pack = agenda_pack_pdf(client, meeting.id)
    assert pack.status_code == 200 and pack.mimetype == "application/pdf"
    assert pack.headers["Cache-Control"] == "private, no-store"
    (tmp_path / "pack.pdf").write_bytes(pack.data)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "pack.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Primary care finance report" in text and "Finance paper text" in text
    assert "Contract dispute" not in text  # private business left out for this reader


def test_publishing_with_papers_awaited_warns_first(client, auth, people, cycle):
    meeting, item, _ = cycle
    auth.login(people[Role.SECRETARIAT])
    r = client.post(f"/meetings/{meeting.id}/publish")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "2 papers still awaited" in page and "Publish anyway" in page
    db.session.expire_all()
    assert meeting.agenda_published_at is None
    r = client.post(f"/meetings/{meeting.id}/publish", data={"confirmed": "yes"})
    assert r.status_code == 302
    db.session.expire_all()
    assert meeting.agenda_published_at is not None


def test_the_pack_lists_word_papers_as_attached_separately(client, auth, people, cycle,
                                                          tmp_path):
    meeting, item, _ = cycle
    auth.login(people[Role.SECRETARIAT])
    upload(client, meeting, item, docx_bytes(), "Estates plan.docx")
    (tmp_path / "p.pdf").write_bytes(agenda_pack_pdf(client, meeting.id).data)
    text = subprocess.run(["pdftotext", str(tmp_path / "p.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "attached separately: Estates plan" in " ".join(text.split())
    assert "Contract dispute with Practice X" in text  # the secretariat sees private items


def test_minutes_docx_reads_back(client, auth, people, cycle):
    meeting, item, _ = cycle
    auth.login(people[Role.SECRETARIAT])
    r = client.get(f"/meetings/{meeting.id}/minutes.docx")
    assert r.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.data)).paragraphs)
    assert "Minutes of the Primary Care Commissioning and Assurance Committee" in text
    assert "DRAFT" in text and "1. Primary care finance report" in text
    assert client.get(f"/meetings/{meeting.id}/minutes.pdf").data.startswith(b"%PDF-")


def test_the_agenda_pack_is_made_off_the_request_with_progress(client, auth, people, cycle,
                                                               app):
    """Asked for from the meeting page, made by the worker: its page shows progress while it
    waits, then the download, and leads back to the meeting."""
    from riskapp.jobs.models import Job
    from riskapp.jobs.services import run_job
    meeting, item, _ = cycle
    auth.login(people[Role.SECRETARIAT])
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'action="/meetings/{meeting.id}/agenda-pack"' in page
    assert "Make the agenda pack (PDF)" in page
    app.config["JOBS_RUN_AT_ONCE"] = False  # queued: nothing runs until the worker does
    try:
        asked = client.post(f"/meetings/{meeting.id}/agenda-pack")
        assert asked.status_code == 302 and "/jobs/" in asked.location
        waiting = client.get(asked.location).get_data(as_text=True)
        assert "Your agenda pack is being made" in waiting and "<progress" in waiting
        job = db.session.scalar(select(Job).order_by(Job.id.desc()))
        assert job.kind == "agenda_pack"
        run_job(job.id)  # what the worker does
    finally:
        app.config["JOBS_RUN_AT_ONCE"] = True
    ready = client.get(asked.location).get_data(as_text=True)
    assert "Your agenda pack is ready" in ready and "Back to the meeting" in ready
    assert f'href="/meetings/{meeting.id}"' in ready
    pdf = client.get(asked.location.rstrip("/") + "/download")
    assert pdf.data.startswith(b"%PDF") and "agenda pack" in pdf.headers["Content-Disposition"]
    # An old link to the PDF leads to the meeting, where it is asked for.
    old = client.get(f"/meetings/{meeting.id}/agenda-pack.pdf")
    assert old.status_code == 302 and old.location.endswith(f"/meetings/{meeting.id}#agenda-pack")
