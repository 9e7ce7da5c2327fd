"""Governance reminders from the meetings models: action log, papers, ToR and memberships."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from riskapp.auth.models import Role
from riskapp.committees.models import Committee, CommitteeMember, TermsOfReference
from riskapp.meetings.models import AgendaItem, Meeting, MeetingAction
from riskapp.reminders import outbox, services
from tests.factories import make_user

from .conftest import BASE_URL

MONDAY = date(2023, 12, 4)
NOW = datetime(2023, 12, 4, 7, 30, tzinfo=timezone.utc)


@pytest.fixture
def governance(db):
    secretary = make_user(Role.SECRETARIAT, name="Sam Secretary", email="sam@example.org")
    make_user(Role.SECRETARIAT, name="Old Secretary", email="old@example.org", active=False)
    presenter = make_user(name="Nicky Poulain", email="nicky@example.org")
    assignee = make_user(name="Ann Assignee", email="ann@example.org")
    committee = Committee(name="Primary Care Commissioning and Assurance Committee",
                          short_name="PCCAC")
    db.session.add(committee)
    tor = TermsOfReference(committee=committee, version="3.0", status="in_force",
                           approved_on=date(2022, 12, 20), review_due=date(2023, 12, 20),
                           papers_deadline_days=5)
    db.session.add(tor)
    members = [
        CommitteeMember(committee=committee, user=presenter, positions=["Chief Primary Care Officer"],
                        appointed_on=date(2022, 1, 1), term_ends_on=date(2023, 12, 31)),
        CommitteeMember(committee=committee, person_name="Dr <External> Rep",
                        appointed_on=date(2022, 1, 1), term_ends_on=date(2023, 12, 10)),
        CommitteeMember(committee=committee, person_name="Not yet", appointed_on=date(2022, 1, 1),
                        term_ends_on=date(2024, 6, 30)),
        CommitteeMember(committee=committee, person_name="Already gone",
                        appointed_on=date(2022, 1, 1), term_ends_on=date(2023, 12, 1),
                        ended_on=date(2023, 11, 1)),
    ]
    db.session.add_all(members)
    # Thursday 14 Dec 2023, 10:00 London: papers 5 working days before, Thursday 7 Dec.
    meeting = Meeting(committee=committee, starts_at=datetime(2023, 12, 14, 10, tzinfo=timezone.utc),
                      status="Planned")
    held = Meeting(committee=committee, starts_at=datetime(2023, 11, 16, 10, tzinfo=timezone.utc),
                   status="Held")
    db.session.add_all([meeting, held])
    db.session.add_all([
        AgendaItem(meeting=meeting, number="1", title="Estates", presenter="nicky poulain"),
        AgendaItem(meeting=meeting, number="2", title="Finance", presenter="Someone Without Login"),
    ])
    late = MeetingAction(meeting=held, detail="Deep dive on <BAF0008>", assignee=assignee,
                         due_date=date(2023, 12, 1), status="Open")
    done = MeetingAction(meeting=held, detail="Circulate the report", assignee=assignee,
                         due_date=date(2023, 11, 20), status="Complete")
    db.session.add_all([late, done])
    db.session.commit()
    return dict(secretary=secretary, presenter=presenter, assignee=assignee, committee=committee,
                tor=tor, meeting=meeting, held=held, late=late, done=done, members=members)


def test_governance_digests(app, db, smtp, governance):
    g = governance
    outbox.run(MONDAY, now=lambda: NOW)

    assert sorted(r for m in smtp.received for r in m.rcpt_tos) == [
        "ann@example.org", "nicky@example.org", "sam@example.org"]

    [sam] = smtp.to("sam@example.org")
    text = sam.text
    assert text.index("Papers deadlines approaching") < text.index(
        "Terms of reference due for review") < text.index("Memberships due for renewal")
    assert "PCCAC on 14 Dec 2023" in text and "Due: 07 Dec 2023 (papers due in 3 days)" in text
    assert "terms of reference review" in text and "due in 16 days" in text
    assert f"{BASE_URL}/committees/{g['committee'].id}/terms/{g['tor'].id}" in text
    assert "Nicky Poulain's membership term ends" in text
    assert "Dr <External> Rep's membership term ends" in text
    assert "Dr &lt;External&gt; Rep" in sam.html
    assert "Not yet" not in text and "Already gone" not in text
    assert f"{BASE_URL}/committees/{g['committee'].id}#members" in text

    [nicky] = smtp.to("nicky@example.org")  # presenter matched by name, case aside
    assert "PCCAC on 14 Dec 2023" in nicky.text and "membership" not in nicky.text
    assert f"{BASE_URL}/meetings/{g['meeting'].id}" in nicky.text

    [ann] = smtp.to("ann@example.org")
    assert "Overdue meeting actions" in ann.text
    assert "PCCAC 16 Nov 2023: Deep dive on <BAF0008>" in ann.text
    assert "3 days overdue" in ann.text and "Circulate the report" not in ann.text
    assert f"{BASE_URL}/meetings/{g['held'].id}#actions" in ann.text


def test_papers_reminder_goes_once_per_deadline_not_every_week(app, db, smtp, governance):
    outbox.run(date(2023, 11, 30), now=lambda: NOW)   # first day within the 7-day notice
    outbox.run(MONDAY, now=lambda: NOW)               # next ISO week, same deadline
    papers = [m for m in smtp.to("nicky@example.org") if "PCCAC on 14 Dec" in m.text]
    assert len(papers) == 1


def test_nothing_governance_is_due_before_the_notice(app, db, smtp, governance):
    assert [f.due.kind for f in services.find_due(date(2023, 11, 1))] == []


def test_a_completed_meeting_action_is_withdrawn_before_sending(app, db, smtp, governance):
    services.queue_due_reminders(MONDAY, NOW)
    db.session.commit()
    governance["late"].status = "Complete"
    db.session.commit()
    result = outbox.send_pending(now=lambda: NOW)
    assert result.withdrawn == 1
    assert smtp.to("ann@example.org") == []


def test_a_cancelled_meeting_has_no_papers_deadline(app, db, smtp, governance):
    governance["meeting"].status = "Cancelled"
    db.session.commit()
    kinds = {f.due.kind for f in services.find_due(MONDAY)}
    assert "papers_deadline" not in kinds and "tor_review_due" in kinds


def test_a_presenter_whose_paper_is_in_is_not_reminded(app, db, smtp, governance):
    """Issue 17: only presenters whose papers are awaited are reminded; the secretariat still is."""
    from riskapp.meetings.models import Paper
    estates = next(i for i in governance["meeting"].items if i.title == "Estates")
    estates.papers_expected = True
    db.session.add(Paper(item=estates, title="Estates plan", kind="pdf", stored_name="0" * 40
                         + ".pdf", size=10, sha256="0" * 64))
    db.session.commit()
    outbox.run(MONDAY, now=lambda: NOW)
    assert smtp.to("nicky@example.org") == []
    assert "PCCAC on 14 Dec 2023" in smtp.to("sam@example.org")[0].text
