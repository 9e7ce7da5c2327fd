"""Issue 17, "Who sees private business": Part 2 items, their papers and minutes, and all draft
minutes are for the committee's members, officers in attendance, the secretariat,
administrators and the parent Board's members; everyone else gets 404 or never sees them, in
pages, API, documents and the register of interests."""
from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.committees.models import Committee, CommitteeMember
from riskapp.extensions import db
from riskapp.meetings import papers, services
from riskapp.meetings.models import MeetingOfficer

from .. import factories
from .cycle import pdf_bytes, planned_meeting

SECRET = "Contract dispute with Practice X"


@pytest.fixture
def private_meeting(app, pccac, tmp_path):
    app.config["RISKAPP_PAPERS_DIR"] = str(tmp_path / "papers")
    meeting, public, private = planned_meeting(pccac)
    paper = papers.add_paper(private, "dispute.pdf", pdf_bytes("Dispute paper"))
    services.record_declaration(meeting, dict(member=pccac.members[0], interest="Partner at X",
                                              action="noted", item=private))
    private.minutes_discussion = "The committee discussed the dispute in private."
    public.minutes_discussion = "Draft note on the finance report."
    papers.publish(meeting, meeting.starts_at)
    db.session.commit()
    return meeting, public, private, paper


@pytest.fixture
def readers(pccac):
    """One signed-in person of each kind."""
    member_user = factories.make_user(Role.STAFF)
    db.session.add(CommitteeMember(committee=pccac, user=member_user, positions=["Member"],
                                   appointed_on=date(2020, 1, 1)))
    board = db.session.scalar(select(Committee).where(Committee.id == pccac.parent_id))
    board_member = factories.make_user(Role.BOARD)
    db.session.add(CommitteeMember(committee=board, user=board_member, positions=["Member"],
                                   appointed_on=date(2020, 1, 1)))
    officer_user = factories.make_user(Role.STAFF)
    db.session.commit()
    return {"outsider": factories.make_user(Role.STAFF),
            "board role only": factories.make_user(Role.BOARD),
            "risk manager": factories.make_user(Role.RISK_MANAGER),
            "member": member_user, "parent board member": board_member,
            "officer": officer_user,
            "secretariat": factories.make_user(Role.SECRETARIAT),
            "admin": factories.make_user(Role.ADMIN)}


ALLOWED = ("member", "parent board member", "officer", "secretariat", "admin")
REFUSED = ("outsider", "board role only", "risk manager")


def routes(meeting, private, paper) -> list[str]:
    m, i = meeting.id, private.id
    return [f"/meetings/{m}/items/{i}", f"/meetings/papers/{paper.id}",
            f"/meetings/{m}/minutes.docx", f"/meetings/{m}/minutes.pdf",
            f"/api/v1/meetings/{m}/items/{i}/quoracy", f"/api/v1/meetings/{m}/items/{i}/votes"]


@pytest.mark.parametrize("who", ALLOWED + REFUSED)
def test_private_business_by_reader(client, auth, private_meeting, readers, who):
    meeting, public, private, paper = private_meeting
    if who == "officer":
        db.session.add(MeetingOfficer(meeting=meeting, user=readers["officer"], name="Officer",
                                      job_title="Head of Contracts", status="present"))
        db.session.commit()
    auth.login(readers[who])
    allowed = who in ALLOWED
    for url in routes(meeting, private, paper):
        assert client.get(url).status_code == (200 if allowed else 404), url
    # Lists and documents open to all leave the private item out for those refused.
    m = meeting.id
    for url, sign in ((f"/meetings/{m}", SECRET), (f"/api/v1/meetings/{m}", SECRET),
                      (f"/api/v1/meetings/{m}/items", SECRET),
                      (f"/api/v1/meetings/{m}/declarations", "Partner at X"),
                      ("/meetings/interests", "Partner at X")):
        r = client.get(url)
        assert r.status_code == 200, url
        text = r.get_data(as_text=True)
        assert (sign in text) is allowed, url
        assert ("Draft note on the finance report" in text) is (
            allowed and "declarations" not in url and "interests" not in url), url
    ids = [i["item_id"] for i in client.get(f"/api/v1/meetings/{m}/quoracy").get_json()["items"]]
    assert (private.id in ids) is allowed and public.id in ids
    from .cycle import agenda_pack_pdf
    pack = agenda_pack_pdf(client, meeting.id)
    assert pack.status_code == 200
    import subprocess
    text = subprocess.run(["pdftotext", "-", "-"], input=pack.data, capture_output=True,
                          check=True).stdout.decode()
    assert ("Contract dispute" in text) is allowed and ("Dispute paper" in text) is allowed


def test_the_members_draft_minutes_read_back_with_the_private_item(client, auth,
                                                                   private_meeting, readers):
    meeting, *_ = private_meeting
    auth.login(readers["member"])
    document = docx.Document(io.BytesIO(client.get(f"/meetings/{meeting.id}/minutes.docx").data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert SECRET in text and "discussed the dispute in private" in text


def test_approved_minutes_are_public_without_the_private_items(client, auth, private_meeting,
                                                               readers, pccac):
    meeting, *_ = private_meeting
    meeting.minutes_status, meeting.minutes_approved_on = "approved", date.today()
    db.session.commit()
    auth.login(readers["outsider"])
    r = client.get(f"/meetings/{meeting.id}/minutes.docx")
    assert r.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.data)).paragraphs)
    assert "Primary care finance report" in text and SECRET not in text
