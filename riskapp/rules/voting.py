"""Decide a committee vote and who chairs an agenda item.

DESIGN.md ("Decisions and votes"): eligible voters are the voting members present and not
excluded, plus allowed deputies; a majority carries; on a tie the chair of the item has the
casting vote; the result is recorded. PCCAC ToR: "only voting members, or deputies for members
required for quoracy; one vote each; a majority is conclusive"; "the Chair of the Committee
holds the casting vote".

Plain dataclasses and functions only: no Flask, no database. Every input is an argument.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from riskapp.rules.quoracy import Deputy, Member, Position, is_voting_member

CHOICES = ("for", "against", "abstain")
# "votes_cast": a majority of the votes for and against (abstentions not counted).
# "present": a majority of the eligible voters present for the item.
MAJORITY_BASES = ("votes_cast", "present")


@dataclass(frozen=True)
class Voter:
    """One seat on the roster for an item; a deputy votes under their member's id."""

    id: int
    name: str
    ineligible_reason: str | None = None

    @property
    def eligible(self) -> bool:
        """Return whether this voter may vote on the item."""
        return self.ineligible_reason is None


@dataclass(frozen=True)
class Ballot:
    """One vote: "for", "against" or "abstain"."""

    voter_id: int
    choice: str


class InvalidVote(ValueError):
    """Refuse a vote that cannot be decided, listing every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class VoteResult:
    """Record the decision of a vote; counts exclude the casting vote, recorded apart."""

    carried: bool
    tied: bool
    votes_for: int
    votes_against: int
    abstentions: int
    eligible: int
    did_not_vote: tuple[str, ...]
    majority_base: str
    casting_vote: str | None = None
    casting_voter_id: int | None = None
    casting_voter_name: str | None = None

    @property
    def outcome(self) -> str:
        """Return "carried", "not_carried" or either with "_on_casting_vote"."""
        base = "carried" if self.carried else "not_carried"
        return f"{base}_on_casting_vote" if self.tied else base

    @property
    def summary(self) -> str:
        """Return a sentence for the minutes."""
        result = "Carried" if self.carried else "Not carried"
        plural = "" if self.abstentions == 1 else "s"
        counts = (
            f"{self.votes_for} for, {self.votes_against} against,"
            f" {self.abstentions} abstention{plural}"
        )
        if self.tied:
            text = (
                f"Tied {self.votes_for}-{self.votes_against}; {result.lower()} on the casting"
                f" vote of {self.casting_voter_name} ({self.casting_vote}): {counts}"
            )
        else:
            text = f"{result}: {counts}"
        if self.majority_base == "present":
            text += f" ({self.eligible // 2 + 1} of {self.eligible} eligible voters needed)"
        return text


def voting_roster(
    positions: Mapping[str, Position],
    members: Sequence[Member],
    present_member_ids: Collection[int],
    excluded_member_ids: Collection[int] = (),
    deputies_counted: Sequence[Deputy] = (),
) -> list[Voter]:
    """Return every member's seat for an item, eligible or with the reason they cannot vote.

    Pass `QuoracyResult.deputies_counted` as `deputies_counted`: only deputies the quorum rule
    allows may vote (PCCAC ToR: "deputies for members required for quoracy").
    """
    present = set(present_member_ids)
    excluded = set(excluded_member_ids)
    deputy_for = {d.for_member_id: d for d in deputies_counted}
    roster: list[Voter] = []
    for m in members:
        deputy = deputy_for.get(m.id)
        if m.id in present:
            if deputy is not None:
                raise ValueError(f"{m.name} is present and also has a deputy")
            name = m.name
        elif deputy is not None:
            name = f"{deputy.name} (deputy for {m.name})"
        else:
            roster.append(Voter(m.id, m.name, f"{m.name} is not present"))
            continue
        if m.id in excluded:
            reason: str | None = f"{name} is excluded from this item"
        elif not is_voting_member(m, positions):
            reason = f"{name} is not a voting member"
        else:
            reason = None
        roster.append(Voter(m.id, name, reason))
    return roster


def ballot_problems(roster: Sequence[Voter], ballots: Sequence[Ballot]) -> list[str]:
    """Return why any ballot is refused (ineligible voter, duplicate, unknown choice)."""
    by_id = {v.id: v for v in roster}
    problems: list[str] = []
    seen: set[int] = set()
    for b in ballots:
        voter = by_id.get(b.voter_id)
        if voter is None:
            problems.append(f"voter {b.voter_id} is not on the roster for this item")
            continue
        if voter.ineligible_reason is not None:
            problems.append(voter.ineligible_reason)
        elif b.voter_id in seen:
            # PCCAC ToR: one vote each.
            problems.append(f"{voter.name} has already voted")
        elif b.choice not in CHOICES:
            problems.append(f"{voter.name}: unknown choice {b.choice!r} (for, against or abstain)")
        seen.add(b.voter_id)
    return problems


def decide_vote(
    roster: Sequence[Voter],
    ballots: Sequence[Ballot],
    chair_id: int | None,
    casting_vote: str | None = None,
    majority_base: str = "votes_cast",
) -> VoteResult:
    """Decide a vote; raise InvalidVote listing problems, or if a tie lacks a casting vote.

    `chair_id` is whoever chairs the item (see `item_chair`); their `casting_vote` ("for" or
    "against") is used only on a tie and is then recorded in the result.
    """
    if majority_base not in MAJORITY_BASES:
        raise ValueError(f"majority_base must be one of {MAJORITY_BASES}")
    problems = ballot_problems(roster, ballots)
    if problems:
        raise InvalidVote(problems)
    eligible = [v for v in roster if v.eligible]
    voted = {b.voter_id for b in ballots}
    votes_for = sum(1 for b in ballots if b.choice == "for")
    votes_against = sum(1 for b in ballots if b.choice == "against")
    abstentions = sum(1 for b in ballots if b.choice == "abstain")

    # A tie is an equality of votes for and against; nobody voting either way is no tie.
    tied = votes_for == votes_against and votes_for > 0
    total_for, total_against = votes_for, votes_against
    chair: Voter | None = None
    if tied:
        # PCCAC ToR: "the Chair of the Committee holds the casting vote".
        chair = _casting_voter(roster, chair_id)
        if casting_vote not in ("for", "against"):
            raise InvalidVote(
                [f"the vote is tied: {chair.name} must give a casting vote for or against"]
            )
        if casting_vote == "for":
            total_for += 1
        else:
            total_against += 1

    if majority_base == "votes_cast":
        carried = total_for > total_against
    else:
        carried = 2 * total_for > len(eligible)

    return VoteResult(
        carried=carried,
        tied=tied,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        eligible=len(eligible),
        did_not_vote=tuple(v.name for v in eligible if v.id not in voted),
        majority_base=majority_base,
        casting_vote=casting_vote if tied else None,
        casting_voter_id=chair.id if chair else None,
        casting_voter_name=chair.name if chair else None,
    )


def _casting_voter(roster: Sequence[Voter], chair_id: int | None) -> Voter:
    """Return the chair of the item, able to give a casting vote, or raise InvalidVote."""
    if chair_id is None:
        raise InvalidVote(["the vote is tied and no one chairs this item to give a casting vote"])
    chair = next((v for v in roster if v.id == chair_id), None)
    if chair is None:
        raise InvalidVote([f"the chair (id {chair_id}) is not on the roster for this item"])
    if not chair.eligible:
        raise InvalidVote([f"{chair.name} cannot give a casting vote: {chair.ineligible_reason}"])
    return chair


def item_chair(
    chair_id: int | None,
    deputy_chair_id: int | None,
    present_ids: Collection[int],
    excluded_ids: Collection[int] = (),
) -> int | None:
    """Return who chairs an item: the chair, else the deputy chair, else None."""
    # PCCAC ToR: "If the Chair has a conflict of interest, the co-chair ... decides".
    for who in (chair_id, deputy_chair_id):
        if who is not None and who in present_ids and who not in excluded_ids:
            return who
    return None


def committee_chairs(
    positions: Mapping[str, Position], members: Sequence[Member]
) -> tuple[int | None, int | None]:
    """Return the member ids holding the chair and the deputy chair positions (or None)."""
    chair = deputy = None
    for m in members:
        held = [positions[p] for p in m.positions]
        if chair is None and any(p.chair for p in held):
            chair = m.id
        if deputy is None and any(p.deputy_chair for p in held):
            deputy = m.id
    return chair, deputy
