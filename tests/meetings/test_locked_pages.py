"""A locked meeting's pages match its record (issue 14): once the minutes are approved, no
button, link or form that would change the record is offered (every route refuses them
anyway); the page says once, near the top, when and where the minutes were approved, that the
record is locked and how to correct it. The action log's progress stays open. A meeting whose
minutes are a draft keeps every control."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.meetings import services
from riskapp.meetings.models import Meeting
from riskapp.meetings.services import LONDON

NOTICE = "so the meeting's record is locked"


@pytest.fixture
def held(pccac):
    """The demo's held meeting of 16 Nov 2023 and a later meeting to approve its minutes at."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.status == "Held"))
    later = services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 1, 18, 10, tzinfo=LONDON), location="Room 1"))
    db.session.commit()
    return meeting, later


def _lock(meeting, later):
    services.approve_minutes(meeting, later)
    db.session.commit()


def _changing_links(meeting_id: int, item_id: int) -> list[str]:
    base = f"/meetings/{meeting_id}"
    return [f'href="{base}/edit"', f'href="{base}/items/new"', f'href="{base}/publish"',
            f'href="{base}/declarations/new', f'href="{base}/actions/new"',
            f'href="{base}/items/{item_id}/edit"', f'action="{base}/approve-minutes"']


def test_a_locked_meeting_page_offers_nothing_that_changes_the_record_and_says_why(
        client, auth, people, held):
    meeting, later = held
    _lock(meeting, later)
    auth.login(people[Role.SECRETARIAT])
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    for link in _changing_links(meeting.id, meeting.items[0].id):
        assert link not in page, link
    assert "Add an agenda item" not in page and "Record a declaration" not in page
    # Said once, near the top (before the agenda), with the date, the meeting and the way out.
    assert page.count(NOTICE) == 1
    notice = page[page.index('id="locked"'):page.index('id="agenda"')]
    assert "approved at the meeting of 18 January 2024" in notice
    assert f'href="/meetings/{meeting.id}#correct">record a correction</a>' in notice
    assert 'id="correct"' in page  # where that link goes: the correction routes
    assert f'/meetings/{meeting.id}/corrections/attendance' in page
    # What stays open: the action log's progress, and reading the register.
    action = meeting.actions[0]
    assert f'action="/meetings/actions/{action.id}"' in page
    assert f'/meetings/actions/{action.id}/progress' in page
    assert f'href="/meetings/{meeting.id}/attendance"' in page


def test_a_draft_meeting_page_keeps_every_control(client, auth, people, held):
    meeting, _ = held
    auth.login(people[Role.SECRETARIAT])
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    for link in _changing_links(meeting.id, meeting.items[0].id)[:-2]:
        assert link in page, link
    assert f'action="/meetings/{meeting.id}/approve-minutes"' in page
    assert NOTICE not in page and 'id="correct"' not in page


def test_a_locked_items_page_has_no_edit_declaration_or_decision_forms(client, auth, people,
                                                                         held):
    meeting, later = held
    undecided = next(i for i in meeting.items if not i.decided)
    auth.login(people[Role.SECRETARIAT])
    base = f"/meetings/{meeting.id}/items/{undecided.id}"
    draft = client.get(base).get_data(as_text=True)
    assert f'href="{base}/edit"' in draft and "/declarations/new" in draft
    assert NOTICE not in draft
    _lock(meeting, later)
    page = client.get(base).get_data(as_text=True)
    assert f'href="{base}/edit"' not in page and "/declarations/new" not in page
    assert f'action="{base}/consensus"' not in page and f'action="{base}/vote"' not in page
    assert "/papers/new" not in page
    assert page.count(NOTICE) == 1 and "No decision was recorded for this item." in page
    # The item's minutes are corrected here, with a reason: the correction route for them.
    assert f'action="{base}/minutes"' in page and "Record the correction" in page


def test_a_locked_register_is_read_only_and_says_why(client, auth, people, held):
    meeting, later = held
    auth.login(people[Role.SECRETARIAT])
    url = f"/meetings/{meeting.id}/attendance"
    assert f'action="{url}"' in client.get(url).get_data(as_text=True)
    _lock(meeting, later)
    page = client.get(url).get_data(as_text=True)
    assert f'action="{url}"' not in page and "/officers/new" not in page
    assert page.count(NOTICE) == 1 and "record a correction" in page


def test_a_reader_is_told_who_can_correct_it(client, auth, people, held):
    meeting, later = held
    _lock(meeting, later)
    auth.login(people[Role.BOARD])
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert NOTICE in page
    assert "ask the committee's secretariat to record a correction" in page
    assert 'action="/meetings/actions/' not in page


def test_publishing_a_locked_meetings_papers_is_refused(client, auth, people, held):
    meeting, later = held
    _lock(meeting, later)
    auth.login(people[Role.SECRETARIAT])
    before = meeting.agenda_published_at
    r = client.post(f"/meetings/{meeting.id}/publish", data={"confirmed": "yes"},
                    follow_redirects=True)
    assert "record is locked" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).agenda_published_at == before


def test_the_committee_page_says_which_meetings_minutes_are_approved(client, auth, people,
                                                                    held, pccac):
    meeting, later = held
    auth.login(people[Role.SECRETARIAT])
    assert "minutes approved" not in client.get(f"/committees/{pccac.id}").get_data(
        as_text=True)
    _lock(meeting, later)
    assert "minutes approved" in client.get(f"/committees/{pccac.id}").get_data(as_text=True)


def test_an_items_minutes_are_corrected_with_a_reason_and_the_meeting_that_approved_it(
        client, auth, people, held):
    meeting, later = held
    item = meeting.items[0]
    before = item.minutes_discussion
    _lock(meeting, later)
    auth.login(people[Role.SECRETARIAT])
    url = f"/meetings/{meeting.id}/items/{item.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="approved_at_id"' in page and ">18 Jan 2024</option>" in page
    typed = {"minutes_discussion": "Discussed, with the chair's amendment", "minutes_decision": "",
             "reason": "The chair's amendment was left out"}
    refused = client.post(url + "/minutes", data=typed)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Choose the later meeting that approved the correction" in text
    assert "Discussed, with the chair&#39;s amendment" in text  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(type(item), item.id).minutes_discussion == before  # nothing saved
    saved = client.post(url + "/minutes", data={**typed, "approved_at_id": later.id})
    assert saved.status_code == 302
    [correction] = services.corrections_of(db.session.get(Meeting, meeting.id))
    assert (correction.old_text, correction.new_text) == (
        before, "Discussed, with the chair's amendment")
    assert correction.approved_at_id == later.id
