"""Meetings through the services: per-item quoracy, forecast, votes, minutes, actions, deadlines."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from riskapp.meetings import services
from riskapp.meetings.models import Meeting
from riskapp.meetings.services import MeetingError

LONDON = ZoneInfo("Europe/London")
NEM_CHAIR, NEM = "Non-Executive Member (Chair)", "Non-Executive Member"
CPCO, CMD, CFO = ("ICB Chief Primary Care Officer", "ICB Chief Medical Director",
                  "ICB Chief Finance Officer")
CND = "ICB Chief Nursing Director"
CLIN1 = "Clinical Representative (primary care leadership) 1"
CLIN1_DEPUTY_CHAIR = CLIN1


@pytest.fixture
def held(pccac):
    """The demo's held meeting of 16 Nov 2023: CFO's deputy, CMD leaves before item 6."""
    return pccac and pccac.members and \
        services.db.session.scalar(select(Meeting).where(Meeting.status == "Held"))


@pytest.fixture
def meeting(pccac, members):
    """A fresh PCCAC meeting with three items, nobody's attendance recorded."""
    m = services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 2, 15, 10, tzinfo=LONDON), location="Room 1", remote=False,
        has_public_part=True, has_private_part=False, status="Held"))
    for n in ("1", "2", "3"):
        services.add_item(m, dict(number=n, title=f"Item {n}", purpose="decision"))
    return m


def attend(meeting, member, status="present", **kw):
    return services.record_attendance(meeting, member, dict(status=status, **kw))


def test_demo_meeting_item_quoracy_follows_departure_and_exclusion(held, members):
    q = services.meeting_quoracy(held)
    assert q.meeting.result.quorate
    items = {i.number: q.items[i.id].result for i in held.items}
    assert all(items[n].quorate for n in "12345")
    # Item 5: Clinical Representative 1 is excluded (declared interest), still quorate.
    assert members[CLIN1].name in items["5"].not_counted[0].why
    # Item 6: the CMD has left; nobody is left for "one other executive board member".
    assert not items["6"].quorate
    assert items["6"].unfilled == ["One other executive board member"]


def test_inquorate_item_cannot_be_decided(held):
    six = held.items[5]
    with pytest.raises(MeetingError, match="not quorate"):
        services.record_consensus(six, "Noted")


def test_arrival_counts_from_that_item(meeting, members):
    for p in (NEM_CHAIR, CPCO, CFO):
        attend(meeting, members[p])
    attend(meeting, members[CND], arrived_at_item=meeting.items[1])
    q = services.meeting_quoracy(meeting)
    assert [q.items[i.id].result.quorate for i in meeting.items] == [False, True, True]


def test_arrival_and_departure_count_only_between_them(meeting, members):
    for p in (NEM_CHAIR, CPCO, CFO):
        attend(meeting, members[p])
    attend(meeting, members[CND], arrived_at_item=meeting.items[1],
           left_at_item=meeting.items[2])
    q = services.meeting_quoracy(meeting)
    assert not q.meeting.result.quorate
    assert [q.items[i.id].result.quorate for i in meeting.items] == [False, True, False]
    assert [members[CND].id in q.items[i.id].present_ids for i in meeting.items] == \
        [False, True, False]


def test_deputy_needs_a_name_and_one_deputy_for_one_member(meeting, members):
    with pytest.raises(MeetingError) as err:
        attend(meeting, members[CFO], "deputy")
    assert err.value.field == "deputy_name"
    attend(meeting, members[CFO], "deputy", deputy_name="Jo Prentice")
    with pytest.raises(MeetingError, match="one deputy stands in for one member"):
        attend(meeting, members[CND], "deputy", deputy_name="jo prentice")


def test_departure_must_follow_arrival(meeting, members):
    with pytest.raises(MeetingError) as err:
        attend(meeting, members[CND], arrived_at_item=meeting.items[1],
               left_at_item=meeting.items[0])
    assert err.value.field == "left_at_item_id"


def quorate_with_all_voters(meeting, members):
    for p, m in members.items():
        attend(meeting, m, "present")


def test_vote_tie_decided_by_the_chair_casting_vote(meeting, members):
    quorate_with_all_voters(meeting, members)
    item = meeting.items[0]
    ids = [m.id for m in members.values()]
    ballots = [(i, "for") for i in ids[:4]] + [(i, "against") for i in ids[4:8]]
    with pytest.raises(MeetingError, match="casting vote"):
        services.record_vote(item, ballots, None, motion="To approve the item")
    vote = services.record_vote(item, ballots, "against", motion="To approve the item")
    assert vote.tied and not vote.carried and vote.casting_voter_name == members[NEM_CHAIR].name
    assert item.decision_method == "vote" and "casting vote" in item.outcome


def test_casting_vote_passes_to_the_deputy_chair_when_the_chair_is_excluded(meeting, members):
    quorate_with_all_voters(meeting, members)
    item = meeting.items[0]
    services.record_declaration(meeting, dict(member=members[NEM_CHAIR], interest="Director",
                                              action="excluded_decision", item=item))
    others = [m.id for p, m in members.items() if p != NEM_CHAIR]
    ballots = [(i, "for") for i in others[:4]] + [(i, "against") for i in others[4:8]]
    vote = services.record_vote(item, ballots, "for", motion="To approve the item")
    assert vote.carried and vote.casting_voter_name == members[CLIN1_DEPUTY_CHAIR].name


def test_excluded_or_absent_voter_is_refused_with_the_reason(meeting, members):
    for p in (NEM_CHAIR, CPCO, CFO, CND):
        attend(meeting, members[p])
    item = meeting.items[0]
    services.record_declaration(meeting, dict(member=members[CND], interest="Spouse works there",
                                              action="noted", item=item))
    with pytest.raises(MeetingError) as err:
        services.record_vote(item, [(members[CMD].id, "for")], None, motion="To approve the item")
    assert f"{members[CMD].name} is not present" in err.value.message


def test_vote_snapshot_survives_attendance_corrections(meeting, members):
    quorate_with_all_voters(meeting, members)
    item = meeting.items[0]
    vote = services.record_vote(item, [(members[CPCO].id, "for")], None, motion="To approve the item")
    before = dict(vote.snapshot)
    attend(meeting, members[CPCO], "apologies")  # a later correction of the register
    assert vote.snapshot == before and members[CPCO].name in before["present"]


def test_forecast_names_the_short_slot(pccac, members):
    planned = services.db.session.scalar(select(Meeting).where(Meeting.status == "Planned"))
    # The demo's planned meeting has the CFO's apologies and no named deputy.
    f = services.forecast(planned)["meeting"]
    assert not f.quorate
    assert [str(s) for s in f.suggestions] == [
        f"CFO: ask for a named deputy for {members[CFO].name}"]


def test_minutes_lock_after_approval_and_corrections_keep_the_earlier_text(meeting, pccac):
    item = meeting.items[0]
    services.update_minutes(item, "Discussed", "Agreed")
    later = services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 5, 16, 10, tzinfo=LONDON), location="Room 1"))
    with pytest.raises(MeetingError):
        services.approve_minutes(later, meeting)  # approved at a later meeting only
    services.approve_minutes(meeting, later)
    with pytest.raises(MeetingError) as err:
        services.update_minutes(item, "Discussed at length", "Agreed")
    assert err.value.field == "reason"
    with pytest.raises(MeetingError) as err:  # a correction says where it was approved
        services.update_minutes(item, "Discussed at length", "Agreed", reason="Chair's note")
    assert err.value.field == "approved_at_id"
    [c] = services.update_minutes(item, "Discussed at length", "Agreed", reason="Chair's note",
                                  approved_at=later)
    assert (c.old_text, c.new_text, c.approved_at) == ("Discussed", "Discussed at length", later)
    assert item.minutes_discussion == "Discussed at length"


def test_open_actions_are_carried_forward_until_closed(meeting, pccac):
    a = services.add_action(meeting, dict(detail="Report back", due_date=date(2024, 3, 1)))
    b = services.add_action(meeting, dict(detail="Draft the plan", due_date=date(2024, 2, 20)))
    later = services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 5, 16, 10, tzinfo=LONDON), location="Room 1"))
    own = services.add_action(later, dict(detail="Chase the audit", due_date=date(2024, 1, 1)))
    actions, carried_rows = services.action_log(later)
    # The meeting's own actions are its log, not carried forward to itself.
    assert [r.action for r in actions] == [own]
    # Open actions of earlier meetings, by due date, each with the meeting it came from
    # (shown beside it: "From 15 Feb 2024").
    assert [c.action for c in carried_rows if c.action in (a, b)] == [b, a]
    carried = {c.action: c for c in carried_rows}
    assert services.as_london(carried[a].from_starts_at) == datetime(2024, 2, 15, 10,
                                                                     tzinfo=LONDON)
    services.update_action(a, dict(status="Complete"), today=date(2024, 4, 1))
    assert a.closed_on == date(2024, 4, 1)
    assert a not in [c.action for c in services.action_log(later)[1]]
    # A closed action stays in its own meeting's log, in the order it was added.
    assert [r.action for r in services.action_log(meeting)[0]][-2:] == [a, b]


@pytest.mark.parametrize("meeting_day, deadline", [
    (date(2023, 12, 28), date(2023, 12, 19)),  # Christmas Day and Boxing Day not counted
    (date(2024, 1, 4), date(2023, 12, 27)),   # across New Year: holidays of both years
    (date(2024, 4, 4), date(2024, 3, 26)),    # Good Friday and Easter Monday
    (date(2024, 5, 30), date(2024, 5, 22)),   # late May bank holiday (27 May 2024)
    (date(2024, 2, 15), date(2024, 2, 8)),    # an ordinary week
])
def test_papers_deadline_skips_bank_holidays(pccac, meeting_day, deadline):
    m = services.create_meeting(pccac, dict(
        starts_at=datetime.combine(meeting_day, datetime.min.time().replace(hour=10),
                                   tzinfo=LONDON), location="Room 1"))
    assert services.papers_deadline(m) == deadline


def test_a_loaded_meeting_has_each_member_once_and_only_its_own_register(meeting, pccac,
                                                                         members, db):
    """Members and the register are read together (issue 9): a member who attended other
    meetings is listed once, with this meeting's attendance only."""
    other = services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 3, 14, 10, tzinfo=LONDON), location="Room 1", status="Held"))
    attend(other, members[CFO], "apologies")
    attend(other, members[CND])
    attend(meeting, members[CND], "remote")
    attend(meeting, members[CPCO])
    db.session.commit()
    meeting_id, member_count = meeting.id, len(pccac.members)
    cnd, cpco = members[CND].id, members[CPCO].id
    db.session.close()  # nothing in the session: all of it from the loader's statements
    loaded = services.load(meeting_id)
    ids = [m.id for m in loaded.committee.members]
    assert len(ids) == len(set(ids)) == member_count
    assert ids == sorted(ids)
    register = services.attendance_of(loaded)
    assert {member_id: a.status for member_id, a in register.items()} == {
        cnd: "remote", cpco: "present"}
    assert [a.id for a in loaded.attendances] == sorted(a.id for a in loaded.attendances)
    assert all(a.member.id == a.member_id for a in loaded.attendances)


def test_a_meeting_under_a_superseded_version_is_loaded_with_that_versions_rule(pccac, db):
    """Terms come with the positions of every approved version (issue 9): a meeting before
    v3.0 was approved is decided on v2.0's positions and requirements, not v3.0's."""
    from riskapp.committees.models import TermsOfReference
    early = services.create_meeting(pccac, dict(
        starts_at=datetime(2023, 1, 5, 10, tzinfo=LONDON), location="Room 1", status="Held"))
    db.session.commit()
    expected = {}  # the rows of each version, by id: v2.0's and v3.0's read alike
    for tor in db.session.scalars(select(TermsOfReference).where(
            TermsOfReference.committee_id == pccac.id)):
        expected[tor.version] = ([p.id for p in tor.positions], [r.id for r in tor.requirements])
    meeting_id = early.id
    db.session.close()  # nothing in the session: all of it from the loader's statements
    loaded = services.load(meeting_id)
    tor = services.tor_of(loaded)
    assert tor.version == "2.0"
    assert ([p.id for p in tor.positions], [r.id for r in tor.requirements]) == expected["2.0"]
    assert set(expected["2.0"][0]).isdisjoint(expected["3.0"][0])
    assert all(p.tor_id == tor.id for p in tor.positions)


def test_a_loaded_meeting_has_its_agenda_in_order_with_each_items_risks(meeting, db):
    """The agenda and its items' risks are read together (issue 9): every item once, in
    agenda order, each with its own risks by reference, and an item with none has none."""
    from riskapp.auth.models import Role
    from tests import factories
    owner = factories.make_user(Role.RISK_MANAGER)
    register = factories.make_register()
    first, second, third = (factories.make_risk(owner, register=register, title=f"Risk {n}")
                            for n in range(3))
    items = meeting.items
    services.update_item(items[0], dict(risks=[third, first]))
    services.update_item(items[2], dict(risks=[second]))
    db.session.commit()
    meeting_id = meeting.id
    expected = [(i.number, sorted(r.reference for r in i.risks)) for i in items]
    db.session.close()  # nothing in the session: all of it from the loader's statements
    loaded = services.load(meeting_id, risks=True)
    assert [(i.number, [r.reference for r in i.risks]) for i in loaded.items] == expected
    assert [len(r) for _, r in expected] == [2, 0, 1]
