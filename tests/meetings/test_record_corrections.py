"""Declarations, agenda items, decisions and votes of approved minutes change only by a
correction: the reason asked, who and when kept, the approved version shown beside it
(issue 14)."""
from __future__ import annotations

import html

from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.meetings.models import Declaration, Meeting, MinuteCorrection


def test_each_locked_record_is_corrected_with_a_reason_and_the_original_kept(
        client, auth, people, approved):
    auth.login(people[Role.SECRETARIAT])
    later_id = approved.minutes_approved_at_id
    declaration = db.session.scalar(select(Declaration).where(
        Declaration.meeting_id == approved.id, Declaration.interest == "Trustee of a charity"))
    item = approved.items[0]
    vote = approved.items[-1].votes[0]
    url = f"/meetings/{approved.id}/corrections/declaration/{declaration.id}"
    meeting_page = client.get(f"/meetings/{approved.id}").get_data(as_text=True)
    for link in (url, f"/corrections/item/{item.id}", f"/corrections/decision/{item.id}",
                 f"/corrections/vote/{vote.id}"):
        assert link in meeting_page

    form = html.unescape(client.get(url).get_data(as_text=True))
    assert "Trustee of a charity" in form  # the approved value, to correct
    r = client.post(url, data={"interest": "Trustee of a local hospice charity",
                               "action": "excluded_decision", "reason": "",
                               "approved_at_id": later_id})
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 422 and "Give the reason for the correction" in page
    assert "Trustee of a local hospice charity" in page  # what was typed is kept
    r = client.post(url, data={"interest": "Trustee of a local hospice charity",
                               "action": "excluded_decision",
                               "reason": "The chair's note: she left before the decision",
                               "approved_at_id": later_id}, follow_redirects=True)
    assert "Correction to the declaration recorded" in r.get_data(as_text=True)

    assert client.post(f"/meetings/{approved.id}/corrections/item/{item.id}", data={
        "title": item.title + " (revised)", "presenter": item.presenter,
        "reason": "Title as on the paper", "approved_at_id": later_id}).status_code == 302
    assert client.post(f"/meetings/{approved.id}/corrections/decision/{item.id}", data={
        "decision_method": "consensus", "outcome": "Noted the report and its risks",
        "reason": "Wording agreed by the chair", "approved_at_id": later_id}).status_code == 302
    assert client.post(f"/meetings/{approved.id}/corrections/vote/{vote.id}", data={
        "votes_for": str(vote.votes_for - 1), "votes_against": "1", "abstentions": "0",
        "carried": "yes", "reason": "One member voted against",
        "approved_at_id": later_id}).status_code == 302

    corrections = db.session.scalars(select(MinuteCorrection).where(
        MinuteCorrection.meeting_id == approved.id).order_by(MinuteCorrection.id)).all()
    assert [(c.record, c.old_text, c.new_text) for c in corrections[:2]] == [
        ("declaration", "Trustee of a charity", "Trustee of a local hospice charity"),
        ("declaration", "Noted", "Excluded from decision")]
    assert {c.record for c in corrections} == {"declaration", "item", "decision", "vote"}
    assert all(c.corrected_by_id == people[Role.SECRETARIAT].id and c.reason
               for c in corrections)

    minutes = html.unescape(client.get(f"/meetings/{approved.id}").get_data(as_text=True))
    section = minutes.split('id="corrections"')[1]
    assert "Declaration by" in section and "Trustee of a charity" in section  # the original
    assert "Trustee of a local hospice charity" in section
    assert "One member voted against" in section and "votes against" in section
    db.session.expire_all()
    assert db.session.get(Declaration, declaration.id).action == "excluded_decision"


def test_corrections_are_only_for_approved_minutes_and_for_the_meetings_own_records(
        client, auth, people, pccac):
    auth.login(people[Role.SECRETARIAT])
    draft = db.session.scalar(select(Meeting).where(Meeting.status == "Planned"))
    item = draft.items[0] if draft.items else None
    if item is not None:
        r = client.get(f"/meetings/{draft.id}/corrections/item/{item.id}")
        assert r.status_code == 302  # not approved: change the item itself
    held = db.session.scalar(select(Meeting).where(Meeting.status == "Held"))
    other_item = next(i for m in db.session.scalars(select(Meeting)) if m.id != held.id
                      for i in m.items)
    assert client.get(
        f"/meetings/{held.id}/corrections/item/{other_item.id}").status_code == 404
    assert client.get(f"/meetings/{held.id}/corrections/minutes/1").status_code == 404
    auth.logout()
    auth.login(people[Role.BOARD])
    assert client.get(f"/meetings/{held.id}/corrections/item/1").status_code == 403
