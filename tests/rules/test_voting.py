"""Tests for riskapp.rules.voting: eligible voters, majorities, casting votes and item chairs."""

from __future__ import annotations

import pytest

from riskapp.rules.quoracy import Deputy, Member, Position
from riskapp.rules.voting import (
    Ballot,
    InvalidVote,
    Voter,
    ballot_problems,
    committee_chairs,
    decide_vote,
    item_chair,
    voting_roster,
)

POSITIONS = {
    p.name: p
    for p in (
        Position("Non-Executive Member (Chair)", "non_executive_member", True, chair=True),
        Position("ICB Chief Finance Officer", "executive_board_member", True),
        Position("ICB Chief Medical Director", "executive_board_member", True),
        Position(
            "Clinical Representative (primary care leadership) 1",
            "clinical_representative",
            True,
            deputy_chair=True,
        ),
        Position("Associate Director of Primary Care", "attendee", False),
    )
}
CHAIR, CFO, CMD, REP, ASSOC = 1, 2, 3, 4, 5
MEMBERS = (
    Member(CHAIR, "Nia Chair", ("Non-Executive Member (Chair)",)),
    Member(CFO, "Fred Finance", ("ICB Chief Finance Officer",)),
    Member(CMD, "Max Medical", ("ICB Chief Medical Director",)),
    Member(REP, "Cleo One", ("Clinical Representative (primary care leadership) 1",)),
    Member(ASSOC, "Ada Associate", ("Associate Director of Primary Care",)),
)

# Five eligible voters with ids 1..5 for the counting tables.
FIVE = [Voter(i, f"Voter {i}") for i in range(1, 6)]
SIX = [*FIVE, Voter(6, "Voter 6")]


def ballots(*choices: str) -> list[Ballot]:
    """Return ballots for voters 1, 2, 3 ... in order; "-" means that voter did not vote."""
    return [Ballot(i, c) for i, c in enumerate(choices, start=1) if c != "-"]


# ---------------------------------------------------------------------------------------------
# Roster: who may vote on an item


def test_roster_gives_each_member_a_seat_with_reasons():
    roster = voting_roster(
        POSITIONS,
        MEMBERS,
        present_member_ids={CHAIR, CMD, REP, ASSOC},
        excluded_member_ids={REP},
        deputies_counted=[Deputy(CFO, "Dee Puty")],
    )
    assert roster == [
        Voter(CHAIR, "Nia Chair"),
        Voter(CFO, "Dee Puty (deputy for Fred Finance)"),
        Voter(CMD, "Max Medical"),
        Voter(REP, "Cleo One", "Cleo One is excluded from this item"),
        Voter(ASSOC, "Ada Associate", "Ada Associate is not a voting member"),
    ]


def test_roster_marks_absent_members_without_deputy():
    roster = voting_roster(POSITIONS, MEMBERS, {CHAIR})
    assert roster[1] == Voter(CFO, "Fred Finance", "Fred Finance is not present")


def test_roster_refuses_a_deputy_for_a_present_member():
    with pytest.raises(ValueError, match="present and also has a deputy"):
        voting_roster(POSITIONS, MEMBERS, {CFO}, deputies_counted=[Deputy(CFO, "Dee Puty")])


@pytest.mark.parametrize(
    ("voter_id", "problem"),
    [
        (REP, "Cleo One is excluded from this item"),
        (ASSOC, "Ada Associate is not a voting member"),
        (CFO, "Fred Finance is not present"),
        (99, "voter 99 is not on the roster for this item"),
    ],
)
def test_ineligible_voters_are_refused_with_a_reason(voter_id, problem):
    roster = voting_roster(POSITIONS, MEMBERS, {CHAIR, CMD, REP, ASSOC}, excluded_member_ids={REP})
    votes = [Ballot(CHAIR, "for"), Ballot(voter_id, "against")]
    assert ballot_problems(roster, votes) == [problem]
    with pytest.raises(InvalidVote) as info:
        decide_vote(roster, votes, chair_id=CHAIR)
    assert info.value.problems == [problem]
    assert str(info.value) == problem


@pytest.mark.parametrize(
    ("votes", "problems"),
    [
        ([Ballot(1, "for"), Ballot(1, "against")], ["Voter 1 has already voted"]),
        ([Ballot(1, "for"), Ballot(1, "for"), Ballot(1, "for")], ["Voter 1 has already voted"] * 2),
        ([Ballot(2, "yes")], ["Voter 2: unknown choice 'yes' (for, against or abstain)"]),
        ([Ballot(1, "for"), Ballot(2, "abstain")], []),
    ],
)
def test_duplicate_and_malformed_ballots_are_refused(votes, problems):
    assert ballot_problems(FIVE, votes) == problems


# ---------------------------------------------------------------------------------------------
# Counting


@pytest.mark.parametrize(
    ("voters", "votes", "base", "carried", "counts"),
    [
        # votes_cast: abstentions are not counted.
        (FIVE, ballots("for", "for", "for", "against", "against"), "votes_cast", True, (3, 2, 0)),
        (FIVE, ballots("for", "for", "against", "abstain", "abstain"), "votes_cast", True,
         (2, 1, 2)),
        (FIVE, ballots("for", "-", "-", "-", "-"), "votes_cast", True, (1, 0, 0)),
        (FIVE, ballots("for", "against", "against", "abstain", "-"), "votes_cast", False,
         (1, 2, 1)),
        (FIVE, ballots("abstain", "abstain", "-", "-", "-"), "votes_cast", False, (0, 0, 2)),
        (FIVE, [], "votes_cast", False, (0, 0, 0)),
        # present: a majority of all eligible voters present is needed.
        (FIVE, ballots("for", "for", "for", "against", "against"), "present", True, (3, 2, 0)),
        (FIVE, ballots("for", "for", "against", "abstain", "abstain"), "present", False, (2, 1, 2)),
        (FIVE, ballots("for", "-", "-", "-", "-"), "present", False, (1, 0, 0)),
        (SIX, ballots("for", "for", "for", "against", "abstain", "abstain"), "present", False,
         (3, 1, 2)),
        (SIX, ballots("for", "for", "for", "for", "abstain", "abstain"), "present", True,
         (4, 0, 2)),
    ],
)
def test_majority(voters, votes, base, carried, counts):
    result = decide_vote(voters, votes, chair_id=1, majority_base=base)
    assert result.carried is carried
    assert not result.tied
    assert (result.votes_for, result.votes_against, result.abstentions) == counts
    assert result.casting_vote is None and result.casting_voter_id is None
    assert result.outcome == ("carried" if carried else "not_carried")


@pytest.mark.parametrize(
    ("voters", "votes", "base", "casting", "carried", "outcome"),
    [
        (SIX, ballots("for", "for", "for", "against", "against", "against"), "votes_cast", "for",
         True, "carried_on_casting_vote"),
        (SIX, ballots("for", "for", "for", "against", "against", "against"), "votes_cast",
         "against", False, "not_carried_on_casting_vote"),
        (FIVE, ballots("for", "against", "abstain", "abstain", "abstain"), "votes_cast", "for",
         True, "carried_on_casting_vote"),
        (SIX, ballots("for", "for", "for", "against", "against", "against"), "present", "for",
         True, "carried_on_casting_vote"),
        # A tie with abstentions: the casting vote gives 2 of 5 present, still no majority.
        (FIVE, ballots("for", "against", "abstain", "abstain", "abstain"), "present", "for",
         False, "not_carried_on_casting_vote"),
    ],
)
def test_tie_is_decided_by_the_casting_vote(voters, votes, base, casting, carried, outcome):
    result = decide_vote(voters, votes, chair_id=1, casting_vote=casting, majority_base=base)
    assert result.tied
    assert result.carried is carried
    assert result.outcome == outcome
    assert result.casting_vote == casting
    assert (result.casting_voter_id, result.casting_voter_name) == (1, "Voter 1")


def test_casting_vote_is_ignored_without_a_tie():
    result = decide_vote(FIVE, ballots("for", "for", "against"), chair_id=1, casting_vote="against")
    assert result.carried and not result.tied
    assert result.casting_vote is None


@pytest.mark.parametrize(
    ("roster", "chair_id", "casting", "problem"),
    [
        (FIVE, 1, None, "the vote is tied: Voter 1 must give a casting vote for or against"),
        (FIVE, 1, "abstain", "the vote is tied: Voter 1 must give a casting vote for or against"),
        (FIVE, None, "for", "the vote is tied and no one chairs this item to give a casting vote"),
        (FIVE, 9, "for", "the chair (id 9) is not on the roster for this item"),
        ([*FIVE[:4], Voter(5, "Chair", "Chair is excluded from this item")], 5, "for",
         "Chair cannot give a casting vote: Chair is excluded from this item"),
    ],
)
def test_a_tie_needs_a_casting_vote_from_the_item_chair(roster, chair_id, casting, problem):
    with pytest.raises(InvalidVote) as info:
        decide_vote(roster, ballots("for", "against"), chair_id=chair_id, casting_vote=casting)
    assert info.value.problems == [problem]


def test_unknown_majority_base_is_refused():
    with pytest.raises(ValueError, match="majority_base"):
        decide_vote(FIVE, [], chair_id=1, majority_base="members")


@pytest.mark.parametrize(
    ("votes", "kwargs", "summary"),
    [
        (ballots("for", "for", "against", "abstain"), {},
         "Carried: 2 for, 1 against, 1 abstention"),
        (ballots("for", "against", "against"), {}, "Not carried: 1 for, 2 against, 0 abstentions"),
        (ballots("for", "against", "abstain", "abstain"), {"casting_vote": "against"},
         "Tied 1-1; not carried on the casting vote of Voter 1 (against):"
         " 1 for, 1 against, 2 abstentions"),
        (ballots("for", "for", "against", "abstain"), {"majority_base": "present"},
         "Not carried: 2 for, 1 against, 1 abstention (3 of 5 eligible voters needed)"),
    ],
)
def test_summary_for_the_minutes(votes, kwargs, summary):
    assert decide_vote(FIVE, votes, chair_id=1, **kwargs).summary == summary


def test_did_not_vote_lists_eligible_voters_without_a_ballot():
    result = decide_vote(FIVE, ballots("for", "-", "against", "-", "for"), chair_id=1)
    assert result.did_not_vote == ("Voter 2", "Voter 4")
    assert result.eligible == 5


def test_deputy_votes_under_the_id_of_the_member_they_stand_in_for():
    roster = voting_roster(
        POSITIONS, MEMBERS, {CHAIR, CMD}, deputies_counted=[Deputy(CFO, "Dee Puty")]
    )
    result = decide_vote(roster, [Ballot(CFO, "for"), Ballot(CMD, "against")], CHAIR, "for")
    assert result.tied and result.carried
    assert result.did_not_vote == ("Nia Chair",)
    assert result.casting_voter_name == "Nia Chair"


# ---------------------------------------------------------------------------------------------
# Who chairs an item


@pytest.mark.parametrize(
    ("chair", "deputy", "present", "excluded", "expected"),
    [
        (1, 4, {1, 4}, set(), 1),  # the chair chairs
        (1, 4, {1, 4}, {1}, 4),  # chair conflicted: deputy chair takes the item
        (1, 4, {4}, set(), 4),  # chair absent
        (1, 4, {1}, {1}, None),  # chair conflicted, deputy chair absent
        (1, 4, {1, 4}, {1, 4}, None),  # both conflicted
        (1, None, {1}, set(), 1),  # no deputy chair appointed
        (None, 4, {4}, set(), 4),  # chair vacant
        (None, None, {1, 4}, set(), None),
    ],
)
def test_item_chair(chair, deputy, present, excluded, expected):
    assert item_chair(chair, deputy, present, excluded) == expected


def test_committee_chairs_come_from_positions():
    assert committee_chairs(POSITIONS, MEMBERS) == (CHAIR, REP)
    assert committee_chairs(POSITIONS, MEMBERS[1:3]) == (None, None)
