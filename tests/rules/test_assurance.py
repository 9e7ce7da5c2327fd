from datetime import date, timedelta

import pytest

from riskapp.rules import assurance as ar
from riskapp.rules.assurance import AssuranceFact as A
from riskapp.rules.assurance import CommitteeItem, ControlFact, RiskFacts, Rule

DAY = date(2023, 6, 30)
MONTHS = {1: 6, 2: 12, 3: 12}

RULES = [
    Rule(1, 1, "line_needed", band="High", line=2, min_count=1),
    Rule(2, 1, "line_needed", band="High", line=3, min_count=1),
    Rule(3, 1, "controls_covered", band="High"),
    Rule(4, 1, "valid_for", line=1, months=6),
    Rule(5, 1, "current"),
    Rule(6, 1, "negative_answered"),
]


@pytest.mark.parametrize("day, months, earliest", [
    (date(2027, 3, 27), 1, date(2027, 2, 28)),   # valid until 27 Mar: from 28 Feb
    (date(2027, 3, 30), 1, date(2027, 3, 1)),    # 28 Feb + 1 month is 28 Mar: too soon
    (date(2027, 2, 27), 1, date(2027, 1, 28)),   # 28-31 Jan + 1 month: all 28 Feb
    (date(2027, 2, 28), 1, date(2027, 2, 1)),    # 31 Jan is no longer current on 28 Feb
    (date(2028, 2, 28), 12, date(2027, 3, 1)),   # leap year: 28 Feb 2027 ran to 27 Feb 2028
    (date(2028, 2, 27), 12, date(2027, 2, 28)),
    (date(2026, 12, 31), 12, date(2026, 1, 1)),  # across the year end
    (date(2026, 12, 6), 6, date(2026, 6, 7)),
    (date(2026, 1, 5), 60, date(2021, 1, 6)),    # the longest rule: five years
])
def test_earliest_date_current_on(day, months, earliest):
    assert ar.earliest_date_current_on(day, months) == earliest


@pytest.mark.parametrize("months", [1, 2, 6, 11, 12, 13, 24, 60])
def test_earliest_date_current_on_splits_current_from_expired(months):
    """Every day of four years (two of them leap): the earliest date is current on the day
    and the day before it is not, as `valid_until` and `is_current` judge them."""
    day = date(2026, 1, 1)
    while day < date(2030, 1, 1):
        earliest = ar.earliest_date_current_on(day, months)
        for given, current in ((earliest, True), (earliest - timedelta(days=1), False)):
            fact = A("a", 2, "s", given, None, True)
            assert ar.is_current(fact, day, {2: months}) is current, (day, months, given)
        day += timedelta(days=1)


@pytest.mark.parametrize("given, explicit, line, until", [
    (date(2023, 1, 31), None, 1, date(2023, 7, 30)),   # 6 months, month end clamped
    (date(2023, 6, 1), None, 2, date(2024, 5, 31)),    # 12 months
    (date(2023, 6, 1), date(2023, 6, 15), 3, date(2023, 6, 15)),  # set on the assurance
    (None, None, 1, None),                             # undated: cannot expire
])
def test_valid_until(given, explicit, line, until):
    assert ar.valid_until(A("a", line, "s", given, explicit, True), MONTHS) == until


@pytest.mark.parametrize("assurances, state", [
    ([], ar.MISSING),
    ([A("a", 2, "s", date(2023, 6, 1), None, True)], ar.POSITIVE),
    ([A("a", 2, "s", date(2023, 6, 1), None, False)], ar.NEGATIVE),
    ([A("a", 2, "s", date(2023, 6, 1), None, None)], ar.NOT_JUDGED),
    ([A("a", 2, "s", date(2022, 1, 1), None, True)], ar.EXPIRED),
    ([A("a", 2, "s", date(2022, 7, 15), None, True)], ar.EXPIRING),  # until 14 Jul 2023
    # a newer positive one outranks an expired and a negative one
    ([A("a", 2, "s", date(2022, 1, 1), None, True), A("b", 2, "s", date(2023, 5, 1), None, False),
      A("c", 2, "s", date(2023, 6, 1), None, True)], ar.POSITIVE),
    ([A("a", 2, "s", date(2023, 7, 1), None, True)], ar.MISSING),  # given after the day
    ([A("a", 1, "s", date(2023, 6, 1), None, True)], ar.MISSING),  # another line
    ([A("a", 2, "s", None, None, True)], ar.POSITIVE),  # undated, as the source's are
])
def test_line_cell(assurances, state):
    assert ar.line_cell(2, assurances, DAY, MONTHS).state == state


@pytest.mark.parametrize("day, state", [
    (date(2023, 6, 29), ar.EXPIRING),  # valid until tomorrow
    (date(2023, 6, 30), ar.EXPIRING),  # its last day
    (date(2023, 7, 1), ar.EXPIRED),    # the day after
])
def test_expiring_then_expired(day, state):
    a = A("a", 3, "Internal audit", date(2023, 1, 1), date(2023, 6, 30), True)
    assert ar.line_cell(3, [a], day, MONTHS).state == state


def facts(band="High", assurances=(), controls=()):
    return RiskFacts("BAF0001", band, tuple(controls), tuple(assurances))


@pytest.mark.parametrize("risk, expected", [
    # a High risk with nothing: lines 2 and 3 missing
    (facts(), [(1, "2nd line: 1 positive, current assurance needed, none held"),
               (2, "3rd line: 1 positive, current assurance needed, none held")]),
    # a Medium risk: the High rules do not apply
    (facts("Medium"), []),
    # both lines held
    (facts(assurances=[A("a", 2, "Quality committee", date(2023, 6, 1), None, True),
                       A("b", 3, "Internal audit", date(2023, 3, 1), None, True)]), []),
    # a negative assurance does not count, and needs an answer
    (facts(assurances=[A("a", 2, "Finance", date(2023, 6, 1), None, False),
                       A("b", 3, "Internal audit", date(2023, 3, 1), None, True)]),
     [(1, "2nd line: 1 positive, current assurance needed, none held"),
      (6, "2nd line: negative assurance \u201cFinance\u201d has no action in answer")]),
    (facts(assurances=[A("a", 2, "Finance", date(2023, 6, 1), None, False, answered=True),
                       A("c", 2, "Quality", date(2023, 6, 1), None, True),
                       A("b", 3, "Internal audit", date(2023, 3, 1), None, True)]), []),
    # expired and not replaced; expiring
    (facts(assurances=[A("a", 2, "Quality", date(2022, 5, 1), None, True),
                       A("b", 3, "Internal audit", date(2022, 7, 20), None, True)]),
     [(1, "2nd line: 1 positive, current assurance needed, none held"),
      (5, "2nd line: \u201cQuality\u201d expired on 30 Apr 2023"),
      (5, "3rd line: \u201cInternal audit\u201d expires on 19 Jul 2023")]),
    # expired but replaced by a newer one: no gap
    (facts(assurances=[A("a", 2, "Old", date(2022, 1, 1), None, True),
                       A("c", 2, "New", date(2023, 6, 1), None, True),
                       A("b", 3, "Internal audit", date(2023, 3, 1), None, True)]), []),
    # controls covered
    (facts(controls=[ControlFact(7, "Weekly huddle"), ControlFact(8, "Dashboard")],
           assurances=[A("a", 2, "Q", date(2023, 6, 1), None, True, frozenset({7})),
                       A("b", 3, "IA", date(2023, 3, 1), None, True)]),
     [(3, "No positive, current assurance covers the control \u201cDashboard\u201d")]),
])
def test_risk_gaps(risk, expected):
    gaps = ar.risk_gaps(risk, DAY, RULES)
    assert [(int(g.rule.split(":")[0].split()[1]), g.text) for g in gaps] == expected
    assert all(g.rule.startswith("Rule ") for g in gaps)
    # The map's "computed gaps only" filter asks only whether there is one.
    assert ar.has_gaps(risk, DAY, RULES) is bool(expected)


def test_no_rules_no_gaps():
    assert ar.risk_gaps(facts(), DAY, []) == []
    assert ar.has_gaps(facts(), DAY, []) is False


@pytest.mark.parametrize("rule, words", [
    (Rule(1, 1, "line_needed", band="High", line=3, min_count=1),
     "A High risk needs at least one positive, current assurance in the 3rd line"),
    (Rule(1, 1, "line_needed", line=2, min_count=2),
     "Every risk needs at least 2 positive, current assurances in the 2nd line"),
    (Rule(1, 1, "controls_covered", band="High"),
     "Every control of a High risk is covered by a positive, current assurance"),
    (Rule(1, 1, "valid_for", line=3, months=12),
     "An assurance in the 3rd line stays current for 12 months from its date"),
])
def test_describe_rule(rule, words):
    assert ar.describe_rule(rule) == words


BANDS = ("Low", "Medium", "High")


@pytest.mark.parametrize("args, errors", [
    (("line_needed", "High", 2, 1, None), set()),
    (("line_needed", "Extreme", 2, 1, None), {"band"}),
    (("line_needed", "High", 2, 0, None), {"min_count"}),
    (("line_needed", "High", 2, 99, None), {"min_count"}),
    (("line_needed", "High", 2, None, None), {"min_count"}),
    (("line_needed", "High", 4, 1, None), {"line"}),
    (("valid_for", None, 3, None, 0), {"months"}),
    (("valid_for", None, 3, None, 12), set()),
    (("controls_covered", None, None, None, None), set()),
    (("made_up", None, None, None, None), {"kind"}),
])
def test_check_rule(args, errors):
    assert set(ar.check_rule(*args, BANDS)) == errors


def item(**kw):
    base = dict(id=1, committee="PCCAC", meeting_day=date(2023, 6, 15), item="3", held=True,
                quorate=True, minutes_approved_on=date(2023, 6, 20))
    return CommitteeItem(**{**base, **kw})


@pytest.mark.parametrize("kw, counts, why", [
    ({}, True, ""),
    ({"quorate": False, "inquorate_because": "no finance officer"}, False,
     "The item was inquorate: no finance officer"),
    ({"minutes_approved_on": None}, False, "Its minutes are not yet approved"),
    ({"minutes_approved_on": date(2023, 7, 20)}, False, "Its minutes are not yet approved"),
    ({"held": False}, False, "The meeting was not held"),
    ({"meeting_day": date(2023, 7, 1)}, False, "The meeting is after this date"),
    ({"quorate": None}, False,
     "Quoracy could not be decided: the committee had no terms of reference"),
])
def test_committee_evidence(kw, counts, why):
    fact, reason = ar.committee_evidence(item(**kw), DAY)
    assert (fact is not None) is counts
    assert reason == why
    if fact:
        assert (fact.line, fact.positive, fact.given_on, fact.origin) == (
            2, True, date(2023, 6, 15), "committee")


def test_control_map():
    risk = facts(controls=[ControlFact(7, "Huddle")],
                 assurances=[A("a", 1, "Report", date(2023, 6, 1), None, True, frozenset({7})),
                             A("b", 3, "IA", date(2023, 3, 1), None, False)])
    rows = ar.control_map(risk, DAY, RULES)
    assert [(r.control and r.control.id, {k: c.state for k, c in r.cells.items()})
            for r in rows] == [
        (7, {1: "positive", 2: "missing", 3: "missing"}),
        (None, {1: "missing", 2: "missing", 3: "negative"})]
