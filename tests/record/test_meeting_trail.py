"""A meeting's parts (items and their decisions, votes, attendance, declarations, actions,
papers, officers) keep their history in the version store, and the meeting's trail names each
in words: "Meeting 16 Nov 2023, item 3: decision" (issue 14)."""
from __future__ import annotations

import html
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from riskapp.audit.models import AuditEntry, TrailHandover
from riskapp.audit.tracking import reset_actor, set_actor
from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.meetings import services
from riskapp.meetings.models import AgendaItem, Meeting
from riskapp.record.trail import day, meeting_trail

from .. import factories

MEETING_TABLES = ("agenda_items", "attendances", "declarations", "votes", "meeting_actions",
                  "papers", "meeting_officers", "highlight_reports", "chairs_actions")


@pytest.fixture
def pccac_members(baf):
    from riskapp.committees.models import Committee
    pccac = db.session.scalar(select(Committee).where(Committee.short_name == "PCCAC"))
    return {m.positions[0]: m for m in pccac.members}


@pytest.fixture
def secretary(baf):
    return factories.make_user(Role.SECRETARIAT, name="Sam Secretary")


@pytest.fixture
def recorded(pccac_members, secretary):
    """The demo's held meeting with its register, a declaration on an item, a vote on it and
    an action from it, all recorded by Sam Secretary."""
    held = db.session.scalar(select(Meeting).where(Meeting.status == "Held"))
    item = held.items[-1]
    cnd = pccac_members["ICB Chief Nursing Director"]
    token = set_actor(secretary.id)
    try:
        services.record_declaration(held, {"member": cnd, "interest": "Trustee of a charity",
                                           "action": "noted", "item": item})
        for member in pccac_members.values():
            services.record_attendance(held, member, {"status": "present"})
        services.record_vote(item, [(m.id, "for") for m in pccac_members.values()], None,
                             motion="That the committee approves the report")
        services.add_action(held, {"detail": "Write to the provider about the waiting list",
                                   "assignee_id": secretary.id, "due_date": date(2023, 11, 29),
                                   "item_id": item.id})
        db.session.commit()
    finally:
        reset_actor(token)
    return held, item, cnd


def _label(meeting: Meeting) -> str:
    return f"Meeting {day(services.local_day(meeting))}"


def test_each_part_of_a_meeting_is_on_its_trail_in_words(recorded, secretary):
    held, item, cnd = recorded
    # One writer: the version store; the meeting's parts no longer write audit entries.
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.object_type.in_(MEETING_TABLES),
        AuditEntry.at > datetime.now(timezone.utc) - timedelta(minutes=5))) == 0
    label = _label(held)
    assert label == "Meeting 16 Nov 2023"
    trail = meeting_trail(held.id)
    by_record: dict[str, list] = {}
    for entry in trail:
        by_record.setdefault(entry.record, []).append(entry)

    decision = {e.field: e.now for e in by_record[f"{label}, item {item.number}: decision"]}
    assert decision["How decided"] == "By a vote"
    assert decision["Motion"] == "That the committee approves the report"
    assert decision["Decision"].startswith("Carried")
    vote = by_record[f"{label}, item {item.number}: vote"][0]
    assert vote.change == "Added" and vote.kind == "vote"
    assert "Result: Carried" in vote.now and f"Eligible to vote: " in vote.now
    assert cnd.name in vote.now
    attendance = by_record[f"{label}, attendance of {cnd.name}"][0]  # the latest
    assert attendance.user_id == secretary.id
    assert "Present in person" in f"{attendance.field}: {attendance.now}" \
        if attendance.change == "Changed" else "Attendance: Present in person" in attendance.now
    declaration = by_record[f"{label}, declaration by {cnd.name} on item {item.number}"][0]
    assert "Interest: Trustee of a charity" in declaration.now
    assert "What was done: Noted" in declaration.now and f"On: item {item.number}" in \
        declaration.now
    action = next(v for k, v in by_record.items()
                  if k.startswith(f'{label}, action "Write to the provider'))[0]
    assert "Due: 29 Nov 2023" in action.now and "Assigned to: Sam Secretary" in action.now
    ours = [e for e in trail if e.user_id == secretary.id]
    assert {e.kind for e in ours} >= {"decision", "vote", "attendance", "declaration",
                                       "meeting_action"}
    assert all(e.who == "Sam Secretary" for e in ours)
    for entry in trail:
        text = f"{entry.record} {entry.field or ''} {entry.was} {entry.now}"
        assert "_id" not in text and "2023-11-29" not in text and "None" not in text, entry


def test_a_correction_shows_on_the_trail_as_a_change_with_its_author(recorded, secretary,
                                                                       baf):
    held, item, _cnd = recorded
    later = services.create_meeting(held.committee, dict(
        starts_at=datetime(2024, 1, 18, 10, tzinfo=services.LONDON), location="Room 1"))
    services.approve_minutes(held, later)
    vote = item.votes[0]
    token = set_actor(secretary.id)
    try:
        services.correct_record(held, "vote", vote, {"votes_against": 1,
                                                     "votes_for": vote.votes_for - 1},
                                reason="One member voted against", approved_at=later,
                                by=secretary)
        db.session.commit()
    finally:
        reset_actor(token)
    label = _label(held)
    changes = [(e.field, e.was, e.now) for e in meeting_trail(held.id, change="Corrected")
               if e.record == f"{label}, item {item.number}: vote"]
    assert ("Against", "0", "1\nWhy: One member voted against") in changes
    assert not [e for e in meeting_trail(held.id, change="Changed")
                if e.record == f"{label}, item {item.number}: vote"]
    minutes = [e for e in meeting_trail(held.id, kind="meeting")
               if e.field == "Minutes"]
    assert [(e.was, e.now) for e in minutes] == [("Draft", "Approved")]
    approved_at = next(e for e in meeting_trail(held.id) if e.field == "Minutes approved at")
    assert approved_at.now == "the meeting of 18 Jan 2024"


def test_the_pages_show_the_trail_and_hide_private_business_from_others(
        recorded, secretary, client, auth):
    held, item, _cnd = recorded
    token = set_actor(secretary.id)
    try:
        services.update_meeting(held, {"has_private_part": True})
        services.update_item(item, {"private": True, "title": "Contract negotiation"})
        db.session.commit()
    finally:
        reset_actor(token)
    label = _label(held)
    auth.login(secretary)
    page = html.unescape(client.get(f"/meetings/{held.id}").get_data(as_text=True))
    section = page.split('id="audit"')[1]
    assert f"{label}, item {item.number}: decision" in section
    everything = html.unescape(client.get(f"/meetings/{held.id}/trail").get_data(as_text=True))
    assert "Contract negotiation" in everything
    only_votes = html.unescape(client.get(f"/meetings/{held.id}/trail?kind=vote")
                               .get_data(as_text=True)).split("<tbody")[1]
    assert f"item {item.number}: vote" in only_votes and "attendance of" not in only_votes
    auth.logout()

    auth.login(factories.make_user(Role.STAFF))  # signed in, not a member: no private business
    page = html.unescape(client.get(f"/meetings/{held.id}").get_data(as_text=True))
    trail = html.unescape(client.get(f"/meetings/{held.id}/trail").get_data(as_text=True))
    for text in (page, trail):
        assert "Contract negotiation" not in text
        assert f"item {item.number}: vote" not in text
    for shown in (page.split('id="audit"')[1], trail.split("<tbody")[1]):
        assert "declaration by" not in shown  # it was on the private item
    trail = html.unescape(client.get(f"/meetings/{held.id}/trail").get_data(as_text=True))
    assert "attendance of" in trail  # the register is not private business
    assert "private business is not shown" in trail


def test_audit_entries_from_before_the_store_stay_on_the_meeting_trail(baf, secretary):
    held = db.session.scalar(select(Meeting).where(Meeting.status == "Held"))
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == held.id)
                             .order_by(AgendaItem.sort_order.desc()))
    db.session.add_all([
        AuditEntry(at=datetime(2023, 11, 20, 9, 30, tzinfo=timezone.utc), user_id=secretary.id,
                   object_type="agenda_items", object_id=item.id, operation="update",
                   field="outcome", old_value=None, new_value="Noted the report"),
        AuditEntry(at=datetime(2023, 11, 21, 9, 30, tzinfo=timezone.utc), user_id=secretary.id,
                   object_type="agenda_items", object_id=item.id, operation="update",
                   field="decision_method", old_value=None, new_value="consensus"),
        TrailHandover(object_type="agenda_items",
                      versions_from=datetime(2024, 1, 1, tzinfo=timezone.utc)),
    ])
    db.session.commit()
    label = _label(held)
    old = [(e.record, e.field, e.now, e.who) for e in meeting_trail(held.id, kind="decision")
           if e.at.year == 2023]
    assert sorted(old) == [
        (f"{label}, item {item.number}: decision", "Decision", "Noted the report",
         "Sam Secretary"),
        (f"{label}, item {item.number}: decision", "How decided", "By consensus",
         "Sam Secretary")]


def _correct_vote(held, item, secretary):
    later = services.create_meeting(held.committee, dict(
        starts_at=datetime(2024, 1, 18, 10, tzinfo=services.LONDON), location="Room 1"))
    services.approve_minutes(held, later)
    db.session.commit()
    vote = item.votes[0]
    assert item.outcome == vote.summary  # the item's decision is the vote's count
    token = set_actor(secretary.id)
    try:
        made = services.correct_record(held, "vote", vote, {
            "votes_against": 1, "votes_for": vote.votes_for - 1},
            reason="One member voted against", approved_at=later, by=secretary)
        db.session.commit()
    finally:
        reset_actor(token)
    return made


def test_a_knock_on_change_of_a_correction_is_part_of_it_on_the_trail(recorded, secretary,
                                                                       baf):
    """The item's decision follows its corrected vote in the same transaction, which the
    correction keeps: the trail shows that change as corrected too, with the reason."""
    held, item, _cnd = recorded
    made = _correct_vote(held, item, secretary)
    assert made and all(c.transaction_id for c in made)
    assert len({c.transaction_id for c in made}) == 1
    decision = [e for e in meeting_trail(held.id, kind="decision")
                if e.record == f"{_label(held)}, item {item.number}: decision"
                and e.field == "Decision"]
    knock_on = [e for e in decision if "(corrected)" in e.now]
    assert len(knock_on) == 1 and knock_on[0].change == "Corrected"
    assert knock_on[0].now.endswith("(corrected)\nWhy: One member voted against")


def test_a_correction_made_before_transactions_were_kept_is_still_found_by_time(
        recorded, secretary, baf):
    held, item, _cnd = recorded
    made = _correct_vote(held, item, secretary)
    for correction in made:  # as a row written before the column existed
        correction.transaction_id = None
    db.session.commit()
    label = _label(held)
    vote = [e for e in meeting_trail(held.id) if e.record == f"{label}, item {item.number}: vote"
            and e.field == "Against"]
    assert vote and all(e.change == "Corrected" for e in vote)
    knock_on = [e for e in meeting_trail(held.id, kind="decision")
                if e.field == "Decision" and "(corrected)" in e.now]
    assert [e.change for e in knock_on] == ["Changed"]  # time knows only the record named
