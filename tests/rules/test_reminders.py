"""The reminder kinds as tables: who is chased, when, and in which period."""
from __future__ import annotations

from datetime import date

import pytest

from riskapp.rules import reminders as r
from riskapp.rules.reminders import (
    Due, MeetingActionItem, MembershipItem, PapersDeadlineItem, Policy, RiskActionItem,
    RiskReviewItem, TermsOfReferenceItem,
)

TODAY = date(2023, 11, 29)
POLICY = Policy()
ASSIGNEE, OWNER, LEAD, OTHER = 10, 20, 30, 40


def action(target, status="In Progress", assignee=ASSIGNEE, owner=OWNER, risk_status="Open"):
    return RiskActionItem(id=1, risk_reference="BAF0003", detail="Winter plans", assignee_id=assignee,
                          assignee_name="Fran", owner_id=owner, target_date=target, status=status,
                          risk_status=risk_status)


def chased(kind, items, today=TODAY, policy=POLICY):
    return [(d.recipient_id, d.escalated) for d in r.due_today(kind, items, today, policy)]


@pytest.mark.parametrize(("day", "every", "key"), [
    (date(2023, 11, 29), "day", "2023-11-29"),
    (date(2023, 11, 29), "week", "2023-W48"),
    (date(2023, 12, 3), "week", "2023-W48"),      # Sunday closes the ISO week
    (date(2023, 12, 4), "week", "2023-W49"),
    (date(2024, 12, 30), "week", "2025-W01"),     # ISO year differs from the calendar year
    (date(2021, 1, 3), "week", "2020-W53"),
    (date(2023, 11, 29), "month", "2023-11"),
])
def test_period_key(day, every, key):
    assert r.period_key(day, every) == key


@pytest.mark.parametrize(("target", "status", "assignee", "owner", "risk_status", "expected"), [
    (date(2023, 11, 28), "In Progress", ASSIGNEE, OWNER, "Open", [(ASSIGNEE, False)]),
    (date(2023, 11, 29), "In Progress", ASSIGNEE, OWNER, "Open", []),          # due today
    (date(2023, 11, 15), "Not Started", ASSIGNEE, OWNER, "Open", [(ASSIGNEE, False)]),  # 14 days
    (date(2023, 11, 14), "Not Started", ASSIGNEE, OWNER, "Open",
     [(ASSIGNEE, False), (OWNER, True)]),                                      # 15 days: escalate
    (date(2023, 7, 31), "In Progress", OWNER, OWNER, "Open", [(OWNER, False)]),  # owner is assignee
    (date(2023, 7, 31), "In Progress", None, OWNER, "Open", [(OWNER, True)]),    # unassigned
    (date(2023, 7, 31), "Complete", ASSIGNEE, OWNER, "Open", []),
    (date(2023, 7, 31), "Cancelled", ASSIGNEE, OWNER, "Open", []),
    (None, "In Progress", ASSIGNEE, OWNER, "Open", []),
    (date(2023, 7, 31), "In Progress", ASSIGNEE, OWNER, "Closed", []),
    (date(2023, 7, 31), "In Progress", ASSIGNEE, OWNER, "Archived", []),
])
def test_overdue_risk_actions(target, status, assignee, owner, risk_status, expected):
    item = action(target, status, assignee, owner, risk_status)
    assert chased("risk_action_overdue", [item]) == expected


@pytest.mark.parametrize(("escalate_after", "late", "escalated"), [
    (14, 14, False), (14, 15, True), (0, 1, True), (30, 30, False), (30, 31, True),
])
def test_escalation_after_n_days(escalate_after, late, escalated):
    item = action(date.fromordinal(TODAY.toordinal() - late))
    dues = r.due_today("risk_action_overdue", [item], TODAY,
                       Policy(escalate_after_days=escalate_after))
    assert any(d.recipient_id == OWNER and d.escalated for d in dues) is escalated


def test_overdue_action_due_text_note_and_key():
    [assignee, owner] = r.due_today("risk_action_overdue", [action(date(2023, 10, 31))], TODAY,
                                    POLICY)
    assert assignee == Due("risk_action_overdue", 1, ASSIGNEE, "2023-W48", "BAF0003: Winter plans",
                           date(2023, 10, 31), "29 days overdue")
    assert owner.note == "29 days overdue; escalated to you as risk owner, assigned to Fran"
    assert owner.key == ("risk_action_overdue", 1, OWNER, "2023-W48")
    assert r.due_today("risk_action_overdue", [action(date(2023, 11, 28))], TODAY,
                       POLICY)[0].note == "1 day overdue"


@pytest.mark.parametrize(("next_review", "status", "lead", "expected"), [
    (date(2023, 11, 29), "Open", LEAD, [OWNER, LEAD]),
    (date(2023, 11, 1), "Open", LEAD, [OWNER, LEAD]),
    (date(2023, 11, 30), "Open", LEAD, []),
    (date(2023, 11, 1), "Open", None, [OWNER]),
    (date(2023, 11, 1), "Open", OWNER, [OWNER]),     # owner who also leads: once
    (date(2023, 11, 1), "Closed", LEAD, []),
    (None, "Open", LEAD, []),
])
def test_risk_reviews_due(next_review, status, lead, expected):
    item = RiskReviewItem(5, "BAF0001", "Electives", OWNER, lead, next_review, status)
    assert [d.recipient_id for d in r.due_today("risk_review_due", [item], TODAY, POLICY)] == expected


@pytest.mark.parametrize(("due", "status", "assignee", "expected"), [
    (date(2023, 11, 28), "Open", ASSIGNEE, [ASSIGNEE]),
    (date(2023, 11, 29), "Open", ASSIGNEE, []),
    (date(2023, 11, 1), "Complete", ASSIGNEE, []),
    (date(2023, 11, 1), "Cancelled", ASSIGNEE, []),
    (date(2023, 11, 1), "Open", None, []),
])
def test_overdue_meeting_actions(due, status, assignee, expected):
    item = MeetingActionItem(7, "PCCAC 12 Oct 2023", "Circulate the estates paper", assignee, due,
                             status)
    assert [d.recipient_id for d in r.due_today("meeting_action_overdue", [item], TODAY,
                                                POLICY)] == expected


@pytest.mark.parametrize(("deadline", "notice", "expected_note"), [
    (date(2023, 12, 6), 7, "papers due in 7 days"),
    (date(2023, 12, 7), 7, None),                      # not yet within the notice
    (date(2023, 11, 29), 7, "papers due today"),
    (date(2023, 11, 28), 7, None),                     # deadline passed: too late to remind
    (date(2023, 11, 30), 0, None),
])
def test_papers_deadline_approaching(deadline, notice, expected_note):
    item = PapersDeadlineItem(3, "PCCAC", date(2023, 12, 13), deadline, presenter_ids=(OTHER, LEAD),
                              secretariat_ids=(LEAD, 50))
    dues = r.due_today("papers_deadline", [item], TODAY, Policy(papers_notice_days=notice))
    if expected_note is None:
        assert dues == []
    else:
        assert [d.recipient_id for d in dues] == [OTHER, LEAD, 50]  # LEAD once
        assert {d.note for d in dues} == {expected_note}
        assert {d.period for d in dues} == {deadline.isoformat()}  # once per deadline


@pytest.mark.parametrize(("review_due", "expected_note"), [
    (date(2023, 12, 29), "due in 30 days"),
    (date(2023, 12, 30), None),
    (date(2023, 11, 29), "due today"),
    (date(2023, 10, 1), "59 days overdue"),
    (None, None),
])
def test_terms_of_reference_and_memberships_due(review_due, expected_note):
    tor = TermsOfReferenceItem(2, "PCCAC", review_due, secretariat_ids=(50, 51))
    member = MembershipItem(9, "PCCAC", "Dr <Jones>", review_due, secretariat_ids=(50,))
    tor_dues = r.due_today("tor_review_due", [tor], TODAY, POLICY)
    member_dues = r.due_today("membership_renewal_due", [member], TODAY, POLICY)
    if expected_note is None:
        assert tor_dues == [] and member_dues == []
    else:
        assert [(d.recipient_id, d.note) for d in tor_dues] == [(50, expected_note),
                                                               (51, expected_note)]
        assert [d.text for d in member_dues] == ["PCCAC: Dr <Jones>'s membership term ends"]


def test_still_due_sees_completion_and_reassignment():
    target = ("risk_action_overdue", 1, ASSIGNEE)
    assert r.still_due(target, [action(date(2023, 11, 1))], TODAY, POLICY)
    assert not r.still_due(target, [action(date(2023, 11, 1), status="Complete")], TODAY, POLICY)
    assert not r.still_due(target, [action(date(2023, 11, 1), assignee=OTHER)], TODAY, POLICY)
    assert not r.still_due(target, [action(date(2023, 12, 31))], TODAY, POLICY)  # rescheduled
    assert not r.still_due(target, [], TODAY, POLICY)


def test_digest_groups_per_recipient_and_kind_in_registry_order_soonest_first():
    dues = [
        Due("risk_review_due", 5, 1, "w", "BAF0001: review", date(2023, 11, 1)),
        Due("risk_action_overdue", 2, 1, "w", "late", date(2023, 11, 20)),
        Due("risk_action_overdue", 3, 1, "w", "later", date(2023, 10, 1)),
        Due("risk_action_overdue", 3, 2, "w", "later", date(2023, 10, 1), escalated=True),
    ]
    grouped = r.digest(dues)
    assert sorted(grouped) == [1, 2]
    assert [(kind.name, [d.item_id for d in items]) for kind, items in grouped[1]] == [
        ("risk_action_overdue", [3, 2]), ("risk_review_due", [5])]
    assert [kind.label for kind, _ in grouped[2]] == ["Overdue risk actions"]


@pytest.mark.parametrize(("attempts", "expected"), [
    (0, 0), (1, 300), (2, 600), (3, 1200), (7, 19200), (8, 21600), (60, 21600),
])
def test_retry_delay_doubles_up_to_the_cap(attempts, expected):
    assert r.retry_delay(attempts, 300, 21600) == expected


def test_policy_refuses_nonsense():
    with pytest.raises(ValueError):
        Policy(chase_every="fortnight")
    with pytest.raises(ValueError):
        Policy(escalate_after_days=-1)
    with pytest.raises(ValueError):
        r.period_key(TODAY, "year")


def test_every_kind_is_registered_with_a_label():
    assert list(r.KINDS) == ["risk_action_overdue", "risk_review_due", "meeting_action_overdue",
                             "papers_deadline", "tor_review_due", "membership_renewal_due"]
    assert all(kind.label for kind in r.KINDS.values())
