"""Tests for riskapp.rules.quoracy: quoracy as a matching of people to requirement slots."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskapp.rules.quoracy import (
    Deputy,
    Filled,
    Member,
    NotCounted,
    Position,
    QuorumRule,
    Requirement,
    decide_quoracy,
    deputy_allowed_for,
    forecast_quoracy,
    is_required_for_quoracy,
    unmeetable_requirements,
)

# ---------------------------------------------------------------------------------------------
# The PCCAC rule, copied from /work/shared/data/pccac_terms_of_reference.json
# ("membership.voting" and "quorum"), Terms of Reference v3.0.

NEM_CHAIR = "Non-Executive Member (Chair)"
NEM = "Non-Executive Member"
CPCO = "ICB Chief Primary Care Officer"
CFO = "ICB Chief Finance Officer"
CND = "ICB Chief Nursing Director"
CMD = "ICB Chief Medical Director"
REP1 = "Clinical Representative (primary care leadership) 1"
REP2 = "Clinical Representative (primary care leadership) 2"
REP3 = "Clinical Representative (primary care leadership) 3"

PCCAC_POSITIONS = {
    p.name: p
    for p in (
        Position(NEM_CHAIR, "non_executive_member", voting=True, chair=True),
        Position(NEM, "non_executive_member", voting=True),
        Position(CPCO, "executive_board_member", voting=True),
        Position(CFO, "executive_board_member", voting=True),
        Position(CND, "executive_board_member", voting=True),
        Position(CMD, "executive_board_member", voting=True),
        Position(REP1, "clinical_representative", voting=True, deputy_chair=True),
        Position(REP2, "clinical_representative", voting=True),
        Position(REP3, "clinical_representative", voting=True),
    )
}

R_NEM = "Non-executive member (to chair)"
R_CPCO_OR_CMD = "ICB Chief Primary Care Officer or ICB Chief Medical Director"
R_CFO = "ICB Chief Finance Officer"
R_OTHER = "One other ICB Executive Board Member"

# Quorum: "a minimum of one non-executive member - Chair for the meeting, ICB Chief Primary
# Care Officer or ICB Chief Medical Director, ICB Chief Finance Officer plus one other ICB
# Executive Board Member"; deputies only for members required for quoracy.
PCCAC_RULE = QuorumRule(
    requirements=(
        Requirement(R_NEM, 1, positions=frozenset({NEM_CHAIR, NEM})),
        Requirement(R_CPCO_OR_CMD, 1, positions=frozenset({CPCO, CMD})),
        Requirement(R_CFO, 1, positions=frozenset({CFO})),
        Requirement(R_OTHER, 1, categories=frozenset({"executive_board_member"})),
    ),
    deputies_allowed="required_members_only",
)

CHAIR, NEM2, PRIYA, FRED, NORA, MAX, CLEO, CARL, CARA = range(1, 10)
PCCAC_MEMBERS = (
    Member(CHAIR, "Nia Chair", (NEM_CHAIR,)),
    Member(NEM2, "Ned Other", (NEM,)),
    Member(PRIYA, "Priya Primary", (CPCO,)),
    Member(FRED, "Fred Finance", (CFO,)),
    Member(NORA, "Nora Nursing", (CND,)),
    Member(MAX, "Max Medical", (CMD,)),
    Member(CLEO, "Cleo One", (REP1,)),
    Member(CARL, "Carl Two", (REP2,)),
    Member(CARA, "Cara Three", (REP3,)),
)


def pccac(present, deputies=(), excluded=(), members=PCCAC_MEMBERS, rule=PCCAC_RULE):
    return decide_quoracy(rule, PCCAC_POSITIONS, members, present, deputies, excluded)


def filled_by(result) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in result.filled:
        out.setdefault(f.requirement, []).append(f.by)
    return out


# ---------------------------------------------------------------------------------------------
# PCCAC, case by case


def test_chair_cpco_cfo_cmd_is_quorate_with_cmd_as_the_other_executive():
    result = pccac({CHAIR, PRIYA, FRED, MAX})
    assert result.quorate
    assert result.unfilled == []
    assert result.filled == [
        Filled(R_NEM, "Nia Chair", CHAIR, False),
        Filled(R_CPCO_OR_CMD, "Priya Primary", PRIYA, False),
        Filled(R_CFO, "Fred Finance", FRED, False),
        Filled(R_OTHER, "Max Medical", MAX, False),
    ]


def test_cpco_cfo_and_nem_only_leaves_one_other_executive_unfilled():
    result = pccac({CHAIR, PRIYA, FRED})
    assert not result.quorate
    assert result.unfilled == [R_OTHER]
    assert filled_by(result) == {
        R_NEM: ["Nia Chair"],
        R_CPCO_OR_CMD: ["Priya Primary"],
        R_CFO: ["Fred Finance"],
    }


def test_clinical_representatives_do_not_make_up_the_executives():
    result = pccac({CHAIR, NEM2, PRIYA, FRED, CLEO, CARL, CARA})
    assert not result.quorate
    assert result.unfilled == [R_OTHER]


def test_the_other_non_executive_can_chair_when_the_chair_is_away():
    result = pccac({NEM2, MAX, FRED, NORA})
    assert result.quorate
    assert filled_by(result) == {
        R_NEM: ["Ned Other"],
        R_CPCO_OR_CMD: ["Max Medical"],
        R_CFO: ["Fred Finance"],
        R_OTHER: ["Nora Nursing"],
    }


def test_no_non_executive_means_not_quorate_however_many_executives():
    result = pccac({PRIYA, FRED, NORA, MAX, CLEO})
    assert not result.quorate
    assert result.unfilled == [R_NEM]


def test_without_cpco_or_cmd_the_nursing_director_cannot_fill_their_slot():
    result = pccac({CHAIR, FRED, NORA})
    assert not result.quorate
    assert result.unfilled == [R_CPCO_OR_CMD]
    assert filled_by(result)[R_OTHER] == ["Nora Nursing"]


def test_named_deputy_for_the_cfo_counts_in_the_cfo_position():
    result = pccac({CHAIR, PRIYA, MAX}, deputies=[Deputy(FRED, "Dee Puty")])
    assert result.quorate
    assert Filled(R_CFO, "Dee Puty (deputy for Fred Finance)", FRED, True) in result.filled
    assert result.deputies_counted == [Deputy(FRED, "Dee Puty")]
    assert result.not_counted == []


def test_deputy_for_clinical_rep_2_does_not_count_as_not_required_for_quoracy():
    result = pccac({CHAIR, PRIYA, FRED}, deputies=[Deputy(CARL, "Sam Stand-in")])
    assert not result.quorate
    assert result.unfilled == [R_OTHER]
    assert result.not_counted == [
        NotCounted(
            "Sam Stand-in (deputy for Carl Two)",
            "the deputy for Carl Two does not count: that member is not required for quoracy",
        )
    ]
    assert result.deputies_counted == []


def test_deputy_for_a_present_member_is_refused():
    result = pccac({CHAIR, PRIYA, FRED}, deputies=[Deputy(PRIYA, "Extra Person")])
    assert not result.quorate  # the deputy does not become "one other executive"
    assert result.not_counted == [
        NotCounted(
            "Extra Person (deputy for Priya Primary)",
            "deputy for Priya Primary refused: Priya Primary is present",
        )
    ]


def test_one_person_holding_two_positions_fills_only_one_slot():
    interim = Member(PRIYA, "Ivy Interim", (CPCO, CMD))
    members = (interim, *(m for m in PCCAC_MEMBERS if m.id not in (PRIYA, MAX)))
    result = pccac({CHAIR, PRIYA, FRED}, members=members)
    assert not result.quorate
    assert result.unfilled == [R_OTHER]
    assert [f.member_id for f in result.filled].count(PRIYA) == 1


def test_person_holding_two_positions_plus_another_executive_is_quorate():
    interim = Member(PRIYA, "Ivy Interim", (CPCO, CMD))
    members = (interim, *(m for m in PCCAC_MEMBERS if m.id not in (PRIYA, MAX)))
    result = pccac({CHAIR, PRIYA, FRED, NORA}, members=members)
    assert result.quorate


def test_excluded_person_does_not_count_for_the_item():
    result = pccac({CHAIR, PRIYA, FRED, MAX}, excluded={FRED})
    assert not result.quorate
    assert result.unfilled == [R_CFO]
    assert result.not_counted == [
        NotCounted("Fred Finance", "Fred Finance is excluded from this item (declared interest)")
    ]


def test_excluded_executive_can_be_replaced_by_another_present_executive():
    result = pccac({CHAIR, PRIYA, FRED, MAX, NORA}, excluded={MAX})
    assert result.quorate
    assert filled_by(result)[R_OTHER] == ["Nora Nursing"]


def test_deputy_for_an_excluded_absent_member_does_not_count():
    result = pccac({CHAIR, PRIYA, MAX}, deputies=[Deputy(FRED, "Dee Puty")], excluded={FRED})
    assert not result.quorate
    assert result.not_counted == [
        NotCounted(
            "Dee Puty (deputy for Fred Finance)",
            "the deputy for Fred Finance does not count:"
            " Fred Finance is excluded from this item (declared interest)",
        )
    ]


def test_departure_is_handled_by_passing_who_is_present_for_the_item():
    at_item_1 = pccac({CHAIR, PRIYA, FRED, MAX})
    at_item_5 = pccac({CHAIR, PRIYA, FRED})  # Max Medical left after item 4
    assert at_item_1.quorate
    assert not at_item_5.quorate


def test_one_deputy_per_member_and_one_member_per_deputy():
    result = pccac(
        {CHAIR, PRIYA},
        deputies=[
            Deputy(FRED, "Dee Puty"),
            Deputy(FRED, "Second Person"),
            Deputy(MAX, "dee  puty"),  # same person again, typed differently
        ],
    )
    assert result.deputies_counted == [Deputy(FRED, "Dee Puty")]
    assert [n.why for n in result.not_counted] == [
        "deputy for Fred Finance refused: Dee Puty already stands in for Fred Finance",
        "deputy for Max Medical refused: dee  puty already stands in for Fred Finance",
    ]
    assert result.unfilled == [R_OTHER]


def test_a_present_member_cannot_also_count_as_a_deputy():
    result = pccac({CHAIR, PRIYA, MAX}, deputies=[Deputy(FRED, "Max Medical")])
    assert not result.quorate
    assert result.not_counted == [
        NotCounted(
            "Max Medical (deputy for Fred Finance)",
            "deputy for Fred Finance refused: Max Medical attends as a member and counts once",
        )
    ]


def test_deputy_for_the_chair_counts_under_pccac():
    result = pccac({PRIYA, FRED, MAX}, deputies=[Deputy(CHAIR, "Dana Deputy")])
    assert result.quorate
    assert filled_by(result)[R_NEM] == ["Dana Deputy (deputy for Nia Chair)"]


def test_result_does_not_depend_on_the_order_of_present_ids():
    a = pccac([MAX, FRED, NORA, PRIYA, CHAIR, NEM2])
    b = pccac([CHAIR, NEM2, PRIYA, FRED, NORA, MAX])
    assert a == b


@pytest.mark.parametrize(
    ("member_id", "required"),
    [
        (CHAIR, True),
        (NEM2, True),
        (PRIYA, True),
        (FRED, True),
        (NORA, True),  # could be "one other ICB Executive Board Member"
        (MAX, True),
        (CLEO, False),
        (CARL, False),
        (CARA, False),
    ],
)
def test_who_is_required_for_quoracy_under_pccac(member_id, required):
    member = next(m for m in PCCAC_MEMBERS if m.id == member_id)
    assert is_required_for_quoracy(PCCAC_RULE, PCCAC_POSITIONS, member) is required
    assert deputy_allowed_for(PCCAC_RULE, PCCAC_POSITIONS, member) is required


# ---------------------------------------------------------------------------------------------
# Deputy policies and the voting minimum


def _rule(deputies_allowed: str, min_voting: int | None = None) -> QuorumRule:
    return QuorumRule(PCCAC_RULE.requirements, min_voting, deputies_allowed)


def test_no_deputies_policy_refuses_every_deputy():
    result = pccac({CHAIR, PRIYA, MAX}, [Deputy(FRED, "Dee Puty")], rule=_rule("none"))
    assert not result.quorate
    assert result.not_counted == [
        NotCounted(
            "Dee Puty (deputy for Fred Finance)",
            "the deputy for Fred Finance does not count: the terms of reference allow no deputies",
        )
    ]


def test_any_member_policy_counts_a_clinical_rep_deputy_towards_voting_minimum():
    present = {CHAIR, PRIYA, FRED, MAX}
    deputy = [Deputy(CARL, "Sam Stand-in")]
    strict = pccac(present, deputy, rule=_rule("required_members_only", min_voting=5))
    loose = pccac(present, deputy, rule=_rule("any_member", min_voting=5))
    assert (strict.voting_members, strict.quorate) == (4, False)
    assert strict.shortfalls == ["at least 5 voting members (4 counted)"]
    assert (loose.voting_members, loose.quorate) == (5, True)
    assert loose.shortfalls == []


def test_voting_minimum_counts_distinct_people_and_skips_excluded_and_non_voting():
    positions = {
        **PCCAC_POSITIONS,
        "Associate Director": Position("Associate Director", "attendee", voting=False),
    }
    members = (
        Member(1, "Two Hats", (NEM_CHAIR, CFO)),
        Member(2, "Voter", (CPCO,)),
        Member(3, "Excluded Voter", (CMD,)),
        Member(4, "Non Voter", ("Associate Director",)),
    )
    rule = QuorumRule((Requirement("chair", 1, frozenset({NEM_CHAIR})),), min_voting_members=2)
    result = decide_quoracy(rule, positions, members, {1, 2, 3, 4}, excluded_member_ids={3})
    assert result.voting_members == 2
    assert result.quorate
    rule3 = QuorumRule(rule.requirements, min_voting_members=3)
    assert not decide_quoracy(rule3, positions, members, {1, 2, 3, 4}, (), {3}).quorate


def test_a_rule_with_only_a_voting_minimum():
    rule = QuorumRule((), min_voting_members=3)
    assert decide_quoracy(rule, PCCAC_POSITIONS, PCCAC_MEMBERS, {CLEO, CARL, CARA}).quorate
    assert not decide_quoracy(rule, PCCAC_POSITIONS, PCCAC_MEMBERS, {CLEO, CARL}).quorate


# ---------------------------------------------------------------------------------------------
# Bad input


def test_bad_rules_are_refused():
    with pytest.raises(ValueError, match="deputies_allowed"):
        QuorumRule((), deputies_allowed="sometimes")
    with pytest.raises(ValueError, match="count"):
        Requirement("nobody", 0, frozenset({CFO}))
    with pytest.raises(ValueError, match="positions or categories"):
        Requirement("anyone", 1)
    with pytest.raises(ValueError, match="distinct"):
        QuorumRule((Requirement("x", 1, frozenset({CFO})), Requirement("x", 1, frozenset({CMD}))))


def test_unknown_ids_and_positions_are_refused():
    with pytest.raises(ValueError, match="present member ids"):
        pccac({CHAIR, 99})
    with pytest.raises(ValueError, match="excluded member ids"):
        pccac({CHAIR}, excluded={99})
    with pytest.raises(ValueError, match="unknown member id 99"):
        pccac({CHAIR}, deputies=[Deputy(99, "Nobody")])
    with pytest.raises(ValueError, match="unknown position"):
        pccac({1}, members=(Member(1, "Typo", ("Cheif Finance Officer",)),))


# ---------------------------------------------------------------------------------------------
# Matching where greedy assignment fails


def greedy_quorate(rule, positions, members, present) -> bool:
    """Take requirements in order and give each slot the first eligible person not yet used."""
    used: set[int] = set()
    for req in rule.requirements:
        for _ in range(req.count):
            pick = next(
                (
                    m.id
                    for m in members
                    if m.id in present
                    and m.id not in used
                    and any(req.accepts(positions[p]) for p in m.positions)
                ),
                None,
            )
            if pick is None:
                return False
            used.add(pick)
    return True


def test_matching_succeeds_where_greedy_fails():
    positions = {
        "A": Position("A", "x", voting=True),
        "B": Position("B", "x", voting=True),
    }
    rule = QuorumRule(
        (
            Requirement("A or B", 1, positions=frozenset({"A", "B"})),
            Requirement("A", 1, positions=frozenset({"A"})),
        )
    )
    members = (Member(1, "Alice", ("A",)), Member(2, "Bob", ("B",)))
    assert not greedy_quorate(rule, positions, members, {1, 2})
    result = decide_quoracy(rule, positions, members, {1, 2})
    assert result.quorate
    assert result.filled == [Filled("A or B", "Bob", 2, False), Filled("A", "Alice", 1, False)]


def test_pccac_requirements_listed_other_first_still_match():
    # The same quorum written "one other executive" first: greedy gives it the CPCO, then
    # finds nobody for "CPCO or CMD"; matching moves the nursing director into "one other".
    reordered = QuorumRule(
        (PCCAC_RULE.requirements[3], *PCCAC_RULE.requirements[:3]),
        deputies_allowed="required_members_only",
    )
    present = {CHAIR, PRIYA, FRED, NORA}
    assert not greedy_quorate(reordered, PCCAC_POSITIONS, PCCAC_MEMBERS, present)
    result = pccac(present, rule=reordered)
    assert result.quorate
    assert filled_by(result) == {
        R_OTHER: ["Nora Nursing"],
        R_NEM: ["Nia Chair"],
        R_CPCO_OR_CMD: ["Priya Primary"],
        R_CFO: ["Fred Finance"],
    }


# ---------------------------------------------------------------------------------------------
# Property test: matching agrees with brute force on small random rules

CATEGORIES = ("cat_a", "cat_b", "cat_c")
POLICIES = ("none", "required_members_only", "any_member")


@st.composite
def scenarios(draw):
    n_pos = draw(st.integers(2, 6))
    positions = {
        f"P{i}": Position(
            f"P{i}", draw(st.sampled_from(CATEGORIES)), voting=draw(st.booleans())
        )
        for i in range(n_pos)
    }
    names = sorted(positions)
    requirements = []
    for i in range(draw(st.integers(1, 4))):
        pos = draw(st.frozensets(st.sampled_from(names), max_size=3))
        cats = draw(st.frozensets(st.sampled_from(CATEGORIES), max_size=1))
        if not pos and not cats:
            pos = frozenset({draw(st.sampled_from(names))})
        requirements.append(Requirement(f"R{i}", draw(st.integers(1, 2)), pos, cats))
    members = []
    for i in range(draw(st.integers(0, 6))):
        held = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
        members.append(Member(i, f"Person {i}", tuple(held)))
    ids = [m.id for m in members]
    # Mostly full attendance, so that quorate and inquorate cases both come up often.
    away = draw(st.frozensets(st.sampled_from(ids), max_size=3)) if ids else frozenset()
    present = frozenset(ids) - away
    excluded = draw(st.frozensets(st.sampled_from(ids), max_size=1)) if ids else frozenset()
    absent = sorted(away)
    with_deputy = draw(st.frozensets(st.sampled_from(absent))) if absent else frozenset()
    deputies = [Deputy(i, f"Deputy {i}") for i in sorted(with_deputy)]
    min_voting = draw(st.none() | st.none() | st.integers(0, 4))
    rule = QuorumRule(tuple(requirements), min_voting, draw(st.sampled_from(POLICIES)))
    return rule, positions, members, present, deputies, excluded


def brute_force_quorate(rule, positions, members, present, deputies, excluded) -> bool:
    """Try every assignment of distinct people to slots."""

    def can_fill(req, member):
        return any(req.accepts(positions[p]) for p in member.positions)

    def required(member):
        return any(can_fill(r, member) for r in rule.requirements)

    by_id = {m.id: m for m in members}
    people = [by_id[i] for i in present if i not in excluded]
    for d in deputies:
        member = by_id[d.for_member_id]
        if member.id in excluded or rule.deputies_allowed == "none":
            continue
        if rule.deputies_allowed == "required_members_only" and not required(member):
            continue
        people.append(member)  # a deputy counts in their member's positions
    slots = [r for r in rule.requirements for _ in range(r.count)]
    matched = any(
        all(can_fill(req, person) for req, person in zip(slots, chosen))
        for chosen in itertools.permutations(people, len(slots))
    )
    voters = sum(1 for p in people if any(positions[n].voting for n in p.positions))
    return matched and (rule.min_voting_members is None or voters >= rule.min_voting_members)


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_quorate_matches_brute_force_and_filled_is_a_valid_assignment(scenario):
    rule, positions, members, present, deputies, excluded = scenario
    result = decide_quoracy(rule, positions, members, present, deputies, excluded)
    assert result.quorate == brute_force_quorate(*scenario)

    # Each person (or deputy standing in for a member) fills at most one slot.
    ids = [f.member_id for f in result.filled]
    assert len(ids) == len(set(ids))
    by_id = {m.id: m for m in members}
    counted = {i for i in present if i not in excluded}
    counted |= {d.for_member_id for d in result.deputies_counted}
    for f in result.filled:
        assert f.member_id in counted
        assert f.as_deputy == (f.member_id not in present)
        req = next(r for r in rule.requirements if r.label == f.requirement)
        assert any(req.accepts(positions[p]) for p in by_id[f.member_id].positions)
    # Every slot is either filled or listed as unfilled, never over-filled.
    for req in rule.requirements:
        n_filled = sum(1 for f in result.filled if f.requirement == req.label)
        assert n_filled + result.unfilled.count(req.label) == req.count
        if result.quorate:
            assert n_filled == req.count
    # The output does not depend on the order the present ids come in.
    shuffled = list(present)
    random.Random(0).shuffle(shuffled)
    assert decide_quoracy(rule, positions, members, shuffled, deputies, excluded) == result


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_forecast_asks_only_for_deputies_who_would_fill_that_requirement(scenario):
    rule, positions, members, present, deputies, excluded = scenario
    away = {m.id for m in members} - present
    forecast = forecast_quoracy(rule, positions, members, away, deputies, excluded)
    assert forecast.result == decide_quoracy(*scenario)
    for s in forecast.suggestions:
        if s.requirement not in forecast.result.unfilled:
            continue  # the voting minimum
        short = forecast.result.unfilled.count(s.requirement)
        for member_id in s.member_ids if s.advice.startswith("ask for") else ():
            extra = [*forecast.result.deputies_counted, Deputy(member_id, "Trial Deputy")]
            trial = decide_quoracy(rule, positions, members, present, extra, excluded)
            assert len(trial.filled) == len(forecast.result.filled) + 1
            assert trial.unfilled.count(s.requirement) <= short


# ---------------------------------------------------------------------------------------------
# Forecast and membership checks


def test_forecast_with_cfo_apologies_suggests_a_named_deputy():
    forecast = forecast_quoracy(PCCAC_RULE, PCCAC_POSITIONS, PCCAC_MEMBERS, apologies={FRED})
    assert not forecast.quorate
    assert forecast.result.unfilled == [R_CFO]
    assert [str(s) for s in forecast.suggestions] == [
        "ICB Chief Finance Officer: ask for a named deputy for Fred Finance"
    ]
    assert forecast.suggestions[0].member_ids == (FRED,)


def test_forecast_with_named_deputy_is_quorate_and_needs_nothing():
    forecast = forecast_quoracy(
        PCCAC_RULE, PCCAC_POSITIONS, PCCAC_MEMBERS, {FRED}, [Deputy(FRED, "Dee Puty")]
    )
    assert forecast.quorate
    assert forecast.suggestions == []


def test_forecast_names_every_absent_executive_who_could_help():
    forecast = forecast_quoracy(
        PCCAC_RULE, PCCAC_POSITIONS, PCCAC_MEMBERS, apologies={NORA, MAX, NEM2}
    )
    assert forecast.result.unfilled == [R_OTHER]
    assert [str(s) for s in forecast.suggestions] == [
        "One other ICB Executive Board Member:"
        " ask for a named deputy for Nora Nursing or Max Medical"
    ]


def test_forecast_gives_each_short_requirement_its_own_advice():
    forecast = forecast_quoracy(
        PCCAC_RULE, PCCAC_POSITIONS, PCCAC_MEMBERS, apologies={CHAIR, NEM2, FRED}
    )
    assert forecast.result.unfilled == [R_NEM, R_CFO]
    assert [str(s) for s in forecast.suggestions] == [
        "Non-executive member (to chair): ask for a named deputy for Nia Chair or Ned Other",
        "ICB Chief Finance Officer: ask for a named deputy for Fred Finance",
    ]


def test_forecast_when_nobody_holds_the_position():
    no_cfo = tuple(m for m in PCCAC_MEMBERS if m.id != FRED)  # vacancy
    forecast = forecast_quoracy(PCCAC_RULE, PCCAC_POSITIONS, no_cfo, apologies=())
    assert [str(s) for s in forecast.suggestions] == [
        "ICB Chief Finance Officer: no member holds this position"
    ]


def test_forecast_when_deputies_are_not_allowed():
    forecast = forecast_quoracy(_rule("none"), PCCAC_POSITIONS, PCCAC_MEMBERS, {FRED})
    assert [str(s) for s in forecast.suggestions] == [
        "ICB Chief Finance Officer: Fred Finance sent apologies and the terms of reference"
        " allow no deputy; ask them to attend"
    ]


def test_forecast_for_an_item_with_the_cfo_excluded():
    forecast = forecast_quoracy(PCCAC_RULE, PCCAC_POSITIONS, PCCAC_MEMBERS, (), (), {FRED})
    assert [str(s) for s in forecast.suggestions] == [
        "ICB Chief Finance Officer: Fred Finance is excluded from this item"
    ]


def test_forecast_suggests_a_deputy_that_helps_by_freeing_someone_else():
    positions = {"A": Position("A", "x", True), "B": Position("B", "x", True)}
    rule = QuorumRule(
        (Requirement("A or B", 1, frozenset({"A", "B"})), Requirement("A", 1, frozenset({"A"}))),
        deputies_allowed="any_member",
    )
    members = (Member(1, "Alice", ("A",)), Member(2, "Bob", ("B",)))
    forecast = forecast_quoracy(rule, positions, members, apologies={2})
    # Bob cannot fill "A" himself, but his deputy frees Alice to fill it.
    assert forecast.result.unfilled == ["A"]
    assert [str(s) for s in forecast.suggestions] == ["A: ask for a named deputy for Bob"]


def test_forecast_of_voting_minimum():
    rule = _rule("required_members_only", min_voting=6)
    forecast = forecast_quoracy(rule, PCCAC_POSITIONS, PCCAC_MEMBERS, {NEM2, NORA, CLEO, CARL})
    assert forecast.result.unfilled == []
    assert [str(s) for s in forecast.suggestions] == [
        "at least 6 voting members: 5 expected;"
        " ask for a named deputy for Ned Other or Nora Nursing"
    ]


def test_full_pccac_membership_can_meet_the_rule():
    assert unmeetable_requirements(PCCAC_RULE, PCCAC_POSITIONS, PCCAC_MEMBERS) == []


def test_unmeetable_requirements_are_reported():
    no_cfo = tuple(m for m in PCCAC_MEMBERS if m.id != FRED)
    assert unmeetable_requirements(PCCAC_RULE, PCCAC_POSITIONS, no_cfo) == [
        "ICB Chief Finance Officer: no member holds this position"
    ]
    # One person as CPCO, CMD and CFO, nobody else executive: several slots, one person.
    one_exec = (
        Member(CHAIR, "Nia Chair", (NEM_CHAIR,)),
        Member(PRIYA, "Ivy Interim", (CPCO, CMD, CFO)),
    )
    assert unmeetable_requirements(PCCAC_RULE, PCCAC_POSITIONS, one_exec) == [
        "ICB Chief Finance Officer: no member is left to fill this"
        " once the other requirements are met",
        "One other ICB Executive Board Member: no member is left to fill this"
        " once the other requirements are met",
    ]
    # Two clinical representatives needed, the membership has one.
    clinical = Requirement("Clinical", 2, categories=frozenset({"clinical_representative"}))
    rule = QuorumRule((clinical,))
    one_rep = (Member(CLEO, "Cleo One", (REP1,)),)
    assert unmeetable_requirements(rule, PCCAC_POSITIONS, one_rep) == [
        "Clinical: needs 2 people but the membership can provide only 1"
        " once the other requirements are met"
    ]


def test_unmeetable_voting_minimum_and_unknown_positions():
    rule = QuorumRule(
        (Requirement("Finance", 1, frozenset({CFO, "Director of Finanse"})),),
        min_voting_members=10,
    )
    assert unmeetable_requirements(rule, PCCAC_POSITIONS, PCCAC_MEMBERS) == [
        "Finance: unknown position 'Director of Finanse'",
        "at least 10 voting members: the committee has only 9",
    ]
