"""Decide whether a committee meeting (or one agenda item) is quorate.

Quoracy is a matching of present people to requirement slots, not a head count: one person
fills at most one slot (DESIGN.md, "Committees and terms of reference"). A requirement of
count N is expanded into N slots and present people are matched to slots by maximum bipartite
matching (augmenting paths), so "one other executive board member" is filled by someone not
already counted even when a greedy, first-come assignment would get it wrong.

Plain dataclasses and functions only: no Flask, no database. Every input is an argument.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

DEPUTY_POLICIES = ("none", "required_members_only", "any_member")


@dataclass(frozen=True)
class Position:
    """A seat on a committee, e.g. "ICB Chief Finance Officer"."""

    name: str
    category: str
    voting: bool
    chair: bool = False
    deputy_chair: bool = False


@dataclass(frozen=True)
class Member:
    """A person on the committee; one person may hold several positions."""

    id: int
    name: str
    positions: tuple[str, ...]


@dataclass(frozen=True)
class Deputy:
    """A named deputy attending in place of one absent member."""

    for_member_id: int
    name: str


@dataclass(frozen=True)
class Requirement:
    """Require at least `count` people holding any of `positions` or a position in `categories`."""

    label: str
    count: int
    positions: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError(f"requirement {self.label!r}: count must be at least 1")
        if not self.positions and not self.categories:
            raise ValueError(f"requirement {self.label!r}: name some positions or categories")

    def accepts(self, position: Position) -> bool:
        """Return whether someone holding `position` can fill this requirement."""
        return position.name in self.positions or position.category in self.categories


@dataclass(frozen=True)
class QuorumRule:
    """Hold the quorum rule of one version of a committee's terms of reference."""

    requirements: tuple[Requirement, ...]
    min_voting_members: int | None = None
    # "none" | "required_members_only" | "any_member"; default to the strictest reading.
    deputies_allowed: str = "none"

    def __post_init__(self) -> None:
        if self.deputies_allowed not in DEPUTY_POLICIES:
            raise ValueError(
                f"deputies_allowed must be one of {DEPUTY_POLICIES}, not {self.deputies_allowed!r}"
            )
        if self.min_voting_members is not None and self.min_voting_members < 0:
            raise ValueError("min_voting_members must not be negative")
        labels = [r.label for r in self.requirements]
        if len(set(labels)) != len(labels):
            raise ValueError("requirement labels must be distinct")


@dataclass(frozen=True)
class Filled:
    """Record who fills one requirement slot."""

    requirement: str
    by: str
    member_id: int
    as_deputy: bool


@dataclass(frozen=True)
class NotCounted:
    """Record someone who attends but does not count, with a sentence saying why."""

    who: str
    why: str


@dataclass
class QuoracyResult:
    """Hold the decision: quorate or not, who fills which slot, what is missing and why."""

    quorate: bool
    filled: list[Filled]
    unfilled: list[str]
    not_counted: list[NotCounted]
    deputies_counted: list[Deputy] = field(default_factory=list)
    voting_members: int = 0
    min_voting_members: int | None = None

    @property
    def shortfalls(self) -> list[str]:
        """Return everything missing, as lines to show: empty slots then the voting minimum."""
        lines = list(self.unfilled)
        if self.min_voting_members is not None and self.voting_members < self.min_voting_members:
            lines.append(
                f"at least {self.min_voting_members} voting members"
                f" ({self.voting_members} counted)"
            )
        return lines


@dataclass(frozen=True)
class Suggestion:
    """Advise what to do about one requirement that is expected to be short."""

    requirement: str
    advice: str
    member_ids: tuple[int, ...] = ()

    def __str__(self) -> str:
        return f"{self.requirement}: {self.advice}"


@dataclass
class QuoracyForecast:
    """Hold the expected quoracy of a meeting and advice for each short requirement."""

    result: QuoracyResult
    suggestions: list[Suggestion]

    @property
    def quorate(self) -> bool:
        """Return whether the meeting is expected to be quorate."""
        return self.result.quorate


@dataclass(frozen=True)
class _Candidate:
    """One person who may fill slots: a present member or an accepted deputy."""

    member_id: int
    display: str
    as_deputy: bool


# ---------------------------------------------------------------------------------------------
# Helpers about members and positions


def _positions_of(member: Member, positions: Mapping[str, Position]) -> list[Position]:
    """Return the Position records of a member, refusing unknown position names."""
    try:
        return [positions[name] for name in member.positions]
    except KeyError as exc:
        raise ValueError(f"{member.name} holds unknown position {exc.args[0]!r}") from None


def member_can_fill(
    requirement: Requirement, member: Member, positions: Mapping[str, Position]
) -> bool:
    """Return whether the member (or their deputy) could fill the requirement."""
    return any(requirement.accepts(p) for p in _positions_of(member, positions))


def is_required_for_quoracy(
    rule: QuorumRule, positions: Mapping[str, Position], member: Member
) -> bool:
    """Return whether the member holds a position that could fill any requirement of the rule."""
    return any(member_can_fill(r, member, positions) for r in rule.requirements)


def is_voting_member(member: Member, positions: Mapping[str, Position]) -> bool:
    """Return whether the member holds at least one voting position."""
    return any(p.voting for p in _positions_of(member, positions))


def deputy_allowed_for(
    rule: QuorumRule, positions: Mapping[str, Position], member: Member
) -> bool:
    """Return whether the rule lets a named deputy count in place of this member."""
    if rule.deputies_allowed == "any_member":
        return True
    if rule.deputies_allowed == "required_members_only":
        # PCCAC ToR: "Where members are required for quoracy but unable to attend, they should
        # ensure that a named and briefed deputy is in attendance ... No other deputies are
        # permissible."
        return is_required_for_quoracy(rule, positions, member)
    return False


def _same_person(a: str, b: str) -> bool:
    """Return whether two typed names look like the same person."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# ---------------------------------------------------------------------------------------------
# Matching


def _max_matching(eligible: list[list[int]], n_candidates: int) -> list[int | None]:
    """Return, for each slot, the index of the candidate matched to it (maximum matching).

    `eligible[s]` lists candidate indexes that can fill slot s, in order of preference. Slots
    are tried in order; a free candidate is taken first, otherwise an augmenting path moves
    already placed candidates to other slots (Kuhn's algorithm, deterministic).
    """
    slot_of: list[int | None] = [None] * n_candidates

    def augment(slot: int, seen: set[int]) -> bool:
        for cand in eligible[slot]:
            if slot_of[cand] is None:
                slot_of[cand] = slot
                return True
        for cand in eligible[slot]:
            if cand in seen:
                continue
            seen.add(cand)
            other = slot_of[cand]
            assert other is not None
            if augment(other, seen):
                slot_of[cand] = slot
                return True
        return False

    for slot in range(len(eligible)):
        augment(slot, set())

    by_slot: list[int | None] = [None] * len(eligible)
    for cand, slot in enumerate(slot_of):
        if slot is not None:
            by_slot[slot] = cand
    return by_slot


# ---------------------------------------------------------------------------------------------
# Main decision


def decide_quoracy(
    rule: QuorumRule,
    positions: Mapping[str, Position],
    members: Sequence[Member],
    present_member_ids: Collection[int],
    deputies: Sequence[Deputy] = (),
    excluded_member_ids: Collection[int] = (),
) -> QuoracyResult:
    """Decide quoracy for the people present at a meeting or for one agenda item.

    For an agenda item, pass who is present for that item (arrivals and departures are the
    caller's business) and who is excluded from it after declaring an interest.
    """
    by_id = {m.id: m for m in members}
    if len(by_id) != len(members):
        raise ValueError("member ids must be distinct")
    for label, ids in (("present", present_member_ids), ("excluded", excluded_member_ids)):
        unknown = sorted(set(ids) - by_id.keys())
        if unknown:
            raise ValueError(f"{label} member ids are not members: {unknown}")
    present = set(present_member_ids)
    excluded = set(excluded_member_ids)
    not_counted: list[NotCounted] = []
    candidates: list[_Candidate] = []

    # Present members, in membership order so the output is stable.
    for m in members:
        if m.id not in present:
            continue
        if m.id in excluded:
            # DESIGN.md: someone excluded does not count towards quoracy for that item.
            not_counted.append(
                NotCounted(m.name, f"{m.name} is excluded from this item (declared interest)")
            )
            continue
        candidates.append(_Candidate(m.id, m.name, as_deputy=False))

    # Deputies, in the order given.
    accepted: list[Deputy] = []
    for d in deputies:
        member = by_id.get(d.for_member_id)
        if member is None:
            raise ValueError(f"deputy {d.name} stands in for unknown member id {d.for_member_id}")
        who = f"{d.name} (deputy for {member.name})"
        why = _deputy_refusal(rule, positions, member, d, present, excluded, accepted, by_id)
        if why:
            not_counted.append(NotCounted(who, why))
            continue
        accepted.append(d)
        candidates.append(_Candidate(member.id, who, as_deputy=True))

    # Expand each requirement into `count` slots and match candidates to slots.
    slots: list[Requirement] = [r for r in rule.requirements for _ in range(r.count)]
    eligible = [
        [i for i, c in enumerate(candidates) if member_can_fill(r, by_id[c.member_id], positions)]
        for r in slots
    ]
    matched = _max_matching(eligible, len(candidates))
    filled: list[Filled] = []
    unfilled: list[str] = []
    for req, cand in zip(slots, matched):
        if cand is None:
            unfilled.append(req.label)
        else:
            c = candidates[cand]
            filled.append(Filled(req.label, c.display, c.member_id, c.as_deputy))

    # Voting minimum: distinct voting members present and not excluded, plus deputies for
    # voting members (a deputy votes on their member's behalf).
    voting = sum(1 for c in candidates if is_voting_member(by_id[c.member_id], positions))
    enough_voters = rule.min_voting_members is None or voting >= rule.min_voting_members

    return QuoracyResult(
        quorate=not unfilled and enough_voters,
        filled=filled,
        unfilled=unfilled,
        not_counted=not_counted,
        deputies_counted=accepted,
        voting_members=voting,
        min_voting_members=rule.min_voting_members,
    )


def _deputy_refusal(
    rule: QuorumRule,
    positions: Mapping[str, Position],
    member: Member,
    deputy: Deputy,
    present: set[int],
    excluded: set[int],
    accepted: list[Deputy],
    by_id: Mapping[int, Member],
) -> str | None:
    """Return why a deputy does not count, or None when they do."""
    if member.id in present:
        return f"deputy for {member.name} refused: {member.name} is present"
    # DESIGN.md: one person fills one requirement only, and one deputy stands in for one member.
    for attending in present:
        if _same_person(by_id[attending].name, deputy.name):
            return (
                f"deputy for {member.name} refused: {deputy.name} attends as a member"
                " and counts once"
            )
    for other in accepted:
        if other.for_member_id == member.id:
            return (
                f"deputy for {member.name} refused: {other.name} already stands in"
                f" for {member.name}"
            )
        if _same_person(other.name, deputy.name):
            return (
                f"deputy for {member.name} refused: {deputy.name} already stands in"
                f" for {by_id[other.for_member_id].name}"
            )
    if rule.deputies_allowed == "none":
        return (
            f"the deputy for {member.name} does not count:"
            " the terms of reference allow no deputies"
        )
    if not deputy_allowed_for(rule, positions, member):
        return (
            f"the deputy for {member.name} does not count:"
            " that member is not required for quoracy"
        )
    if member.id in excluded:
        # A deputy acts on the member's behalf, so cannot count where the member may not.
        return (
            f"the deputy for {member.name} does not count:"
            f" {member.name} is excluded from this item (declared interest)"
        )
    return None


# ---------------------------------------------------------------------------------------------
# Forecast and membership checks


def forecast_quoracy(
    rule: QuorumRule,
    positions: Mapping[str, Position],
    members: Sequence[Member],
    apologies: Collection[int],
    deputies: Sequence[Deputy] = (),
    excluded_member_ids: Collection[int] = (),
) -> QuoracyForecast:
    """Forecast quoracy from apologies and named deputies, with advice per short requirement.

    Members who sent apologies or named a deputy are expected absent; everyone else is
    expected to attend.
    """
    away = set(apologies) | {d.for_member_id for d in deputies}
    expected = [m.id for m in members if m.id not in away]
    result = decide_quoracy(rule, positions, members, expected, deputies, excluded_member_ids)
    excluded = set(excluded_member_ids)
    represented = {d.for_member_id for d in result.deputies_counted}

    # Absent members who could still send a deputy that counts.
    could_send = [
        m
        for m in members
        if m.id in away
        and m.id not in represented
        and m.id not in excluded
        and deputy_allowed_for(rule, positions, m)
    ]

    def helps(req: Requirement, m: Member) -> bool:
        """Return whether a deputy for m lets one more slot of req be filled, keeping the rest.

        The deputy may fill the slot directly, or free someone already counted to move to it.
        """
        wanted = {r.label: 0 for r in rule.requirements}
        for f in result.filled:
            wanted[f.requirement] += 1
        wanted[req.label] += 1
        partial = QuorumRule(
            tuple(replace(r, count=wanted[r.label]) for r in rule.requirements if wanted[r.label]),
            deputies_allowed="any_member",  # every deputy passed here is already allowed
        )
        extra = [*result.deputies_counted, Deputy(m.id, f"deputy for {m.name}")]
        trial = decide_quoracy(partial, positions, members, expected, extra, excluded_member_ids)
        return trial.quorate

    suggestions: list[Suggestion] = []
    for req in rule.requirements:
        if req.label in result.unfilled:
            helpful = [m for m in could_send if helps(req, m)]
            suggestions.append(
                _suggest(req, members, positions, away, excluded, represented, helpful)
            )

    if rule.min_voting_members is not None and result.voting_members < rule.min_voting_members:
        voters = [m for m in could_send if is_voting_member(m, positions)]
        advice = f"{result.voting_members} expected"
        if voters:
            advice += "; ask for a named deputy for " + _or(m.name for m in voters)
        suggestions.append(
            Suggestion(
                f"at least {rule.min_voting_members} voting members",
                advice,
                tuple(m.id for m in voters),
            )
        )
    return QuoracyForecast(result, suggestions)


def _suggest(
    req: Requirement,
    members: Sequence[Member],
    positions: Mapping[str, Position],
    away: set[int],
    excluded: set[int],
    represented: set[int],
    helpful: list[Member],
) -> Suggestion:
    """Return advice for one requirement expected to be short.

    `helpful` lists absent members whose deputy would let one more slot of `req` be filled.
    """
    holders = [m for m in members if member_can_fill(req, m, positions)]
    if not holders:
        return Suggestion(req.label, "no member holds this position")
    if helpful:
        return Suggestion(
            req.label,
            "ask for a named deputy for " + _or(m.name for m in helpful),
            tuple(m.id for m in helpful),
        )
    reasons: list[str] = []
    away_holders = [m for m in holders if m.id in away and m.id not in represented]
    no_deputy = [m for m in away_holders if m.id not in excluded]
    if no_deputy:
        reasons.append(
            _and(m.name for m in no_deputy)
            + " sent apologies and the terms of reference allow no deputy; ask them to attend"
        )
    barred = [m for m in holders if m.id in excluded]
    if barred:
        verb = "is" if len(barred) == 1 else "are"
        reasons.append(f"{_and(m.name for m in barred)} {verb} excluded from this item")
    if not reasons:
        reasons.append("the members who could fill this are counted for other requirements")
    return Suggestion(req.label, "; ".join(reasons), tuple(m.id for m in no_deputy))


def unmeetable_requirements(
    rule: QuorumRule, positions: Mapping[str, Position], members: Sequence[Member]
) -> list[str]:
    """Return warnings for requirements the membership cannot meet even with everyone present."""
    warnings: list[str] = []
    for req in rule.requirements:
        for name in sorted(req.positions - positions.keys()):
            warnings.append(f"{req.label}: unknown position {name!r}")
    everyone = decide_quoracy(rule, positions, members, [m.id for m in members])
    for req in rule.requirements:
        short = everyone.unfilled.count(req.label)
        if not short:
            continue
        if not any(member_can_fill(req, m, positions) for m in members):
            warnings.append(f"{req.label}: no member holds this position")
        else:
            have = req.count - short
            if have == 0:
                warnings.append(
                    f"{req.label}: no member is left to fill this"
                    " once the other requirements are met"
                )
            else:
                warnings.append(
                    f"{req.label}: needs {req.count} people but the membership can provide"
                    f" only {have} once the other requirements are met"
                )
    voters = sum(1 for m in members if is_voting_member(m, positions))
    if rule.min_voting_members is not None and voters < rule.min_voting_members:
        warnings.append(
            f"at least {rule.min_voting_members} voting members:"
            f" the committee has only {voters}"
        )
    return warnings


def _or(items: Iterable[str]) -> str:
    """Join names as "A, B or C"."""
    names = list(items)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _and(items: Iterable[str]) -> str:
    """Join names as "A, B and C"."""
    names = list(items)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
